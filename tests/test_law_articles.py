"""Law articles exported one per JSONL row (ALQAC style): the title line reaches every clause
passage, and the retriever groups the clauses into their article (hash embedder, real
underthesea, FAISS and BM25)."""

from __future__ import annotations

import json

from assistant.ingest import ingest


def test_clause_passages_of_an_exported_article_share_its_title_and_article_unit(tmp_path, hash_settings, corpus_copy):
    """An ALQAC-style JSONL article split into clauses: every clause passage carries the article
    title in its headings, and the retriever's article unit is the document; the policy
    documents of corpus/ belong to no law article."""
    from assistant.api import Assistant

    clause = "người học có quyền được tôn trọng, đối xử bình đẳng, được cung cấp đầy đủ thông tin về việc học tập"
    items = "\n".join(f"{c}) {clause} thứ {i};" for i, c in enumerate("abcdefghik"))
    text = f"Quyền của người học\n\n1. Người học có các quyền sau đây:\n{items}\n2. Người học được hưởng chính sách ưu tiên."
    rows = [{"id": "Luật Giáo dục#83", "title": "Luật Giáo dục", "text": text}]
    (tmp_path / "laws.jsonl").write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    settings = hash_settings.model_copy(update={"passage_max_words": 40})
    report = ingest([tmp_path / "laws.jsonl", corpus_copy], settings, progress=False, say=lambda m: None)
    assert not report.errors
    a = Assistant.open(settings.index_dir, settings)
    try:
        r = a.retriever
        rows_of = {i: p for i, p in enumerate(r.store.passages)}
        law = [i for i, p in rows_of.items() if p.doc_id == "Luật Giáo dục#83"]
        assert len(law) > 2
        assert all(rows_of[i].headings[:1] == ("Quyền của người học",) for i in law if not rows_of[i].text.startswith("Quyền"))
        assert {r._article(i) for i in law} == {"Luật Giáo dục#83"}
        assert all(r._article(i) is None for i in rows_of if i not in law)
    finally:
        a.close()
