"""The library's front door: ``Assistant.open(index_dir).search(...)``.

Opening verifies the index against its manifest and checks that the configured
embedder is the one that built it. One Assistant may be shared across threads for
reading: FAISS and BM25 searches are read-only, SQLite is opened read-only with
``check_same_thread=False``, and the embedder is guarded by a lock.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any, cast

import numpy as np

from .documents import Answer, Document, DocumentMeta, Hit, Turn
from .embeddings import lazy_embedder
from .embeddings.base import Embedder
from .errors import AssistantError
from .retrieval import Filters, HybridRetriever
from .settings import Settings
from .stores import Store, open_store


class _LockedEmbedder:
    """Serialises calls into an embedder whose engine may not be re-entrant."""

    def __init__(self, inner: Embedder):
        self.inner = inner
        self.name = inner.name
        self.dimension = inner.dimension
        self._lock = threading.Lock()

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        with self._lock:
            return self.inner.embed_queries(texts)

    def embed_passages(self, texts: list[str], progress: bool = False) -> np.ndarray:
        with self._lock:
            return self.inner.embed_passages(texts, progress=progress)


class Assistant:
    def __init__(self, store: Store, embedder: Embedder, settings: Settings):
        self.store = store
        self.settings = settings
        self.embedder = _LockedEmbedder(embedder)
        self.retriever = HybridRetriever(store, self.embedder, settings)

    @classmethod
    def open(cls, index_dir: Path | str | None = None, settings: Settings | None = None) -> "Assistant":
        settings = settings or Settings()
        root = Path(index_dir) if index_dir is not None else Path(settings.index_dir)
        store = open_store(root, settings)
        embedder = lazy_embedder(settings, store.manifest.dimension)  # the model loads on the first query vector
        if embedder.name != store.manifest.embedder:
            store.close()
            raise AssistantError(
                f"{root}: index was built with {store.manifest.embedder}, settings ask for {embedder.name}; "
                "run `assistant ingest` to rebuild"
            )
        return cls(store, embedder, settings)

    def close(self) -> None:
        self.store.close()

    def search(
        self, query: str, k: int | None = None, filters: Filters | None = None, mode: str = "hybrid"
    ) -> list[Hit]:
        self._check_length(query, "query")
        return self.retriever.search(query, k=k, filters=filters, mode=mode)

    def _check_length(self, text: str, what: str) -> None:
        limit = self.settings.max_query_chars
        if not isinstance(text, str):
            raise AssistantError(f"the {what} must be text, not {type(text).__name__}")
        if len(text) > limit:
            raise AssistantError(f"the {what} is {len(text):,} characters long; at most {limit:,} are accepted")

    def ask(self, question: str, history: list[Turn] | None = None, filters: Filters | None = None) -> Answer:
        """A short cited answer, or the fixed abstention sentence with related passages.
        The answerer (prompts validated, term weights read) is built on first use."""
        self._check_length(question, "question")
        answerer = getattr(self, "_answerer", None)
        if answerer is None:
            from .answering import Answerer

            answerer = self._answerer = Answerer(
                self.retriever, cast(Any, self.store), self.embedder, self.settings, self.document
            )  # both stores answer the narrow look-ups answering makes (answering/session.py)
        return answerer.ask(question, history=history, filters=filters)

    def documents(self) -> list[tuple[str, str, DocumentMeta, int]]:
        """(doc id, source, meta, passage count) for every document."""
        counts = self.store.passage_counts()
        return [
            (doc_id, self.store.sources[doc_id], meta, counts.get(doc_id, 0))
            for doc_id, meta in sorted(self.store.metas.items())
        ]

    def document(self, doc_id: str) -> Document | None:
        return self.store.document(doc_id)
