"""LangChain edge: our hybrid search as a ``BaseRetriever`` returning LangChain
``Document``s whose metadata carries the citation, so the index plugs into chains."""

from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document as LCDocument
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from .documents import Hit
from .retrieval import Filters


def hit_to_langchain(hit: Hit) -> LCDocument:
    p = hit.passage
    return LCDocument(
        page_content=p.text,
        id=p.id,
        metadata={
            "passage_id": p.id,
            "doc_id": p.doc_id,
            "rank": hit.rank,
            "score": hit.score,
            "section": p.section_label,
            "headings": list(p.headings),
            "paragraph": p.paragraph,
            "start": p.start,
            "end": p.end,
            "citation": hit.citation,
            **{k: v for k, v in hit.meta.to_dict().items() if k != "supplied"},
        },
    )


class AssistantRetriever(BaseRetriever):
    """``AssistantRetriever(assistant=Assistant.open("index"), k=5).invoke("câu hỏi")``."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    assistant: Any
    k: int = 5
    filters: Filters | None = None
    mode: str = "hybrid"

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[LCDocument]:
        hits = self.assistant.search(query, k=self.k, filters=self.filters, mode=self.mode)
        return [hit_to_langchain(h) for h in hits]
