"""The local backend: today's ``IndexStore`` (FAISS + bm25s + SQLite) behind ``Store``.

A thin adapter: every attribute of the opened ``IndexStore`` stays reachable
(``store.dense``, ``store.docstore``...), so code written against it keeps working.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

from ..documents import Document, Passage
from ..targets.model import TargetRow
from ..index import dense
from ..index.store import IndexStore, allowed_rows
from .base import Ranked


class LocalStore:
    def __init__(self, inner: IndexStore):
        self.inner = inner
        self._row_of: dict[str, int] | None = None

    @classmethod
    def open(cls, root: Path) -> LocalStore:
        return cls(IndexStore.open(root))

    def __getattr__(self, name: str):  # manifest, metas, sources, passages, dense, lexical, folded, docstore...
        return getattr(self.inner, name)

    def count(self) -> int:
        return len(self.inner.passages)

    def scope(self, filters) -> np.ndarray | None:
        """The allowed FAISS/BM25 rows."""
        if filters is None or filters.is_empty():
            return None
        docs = {d for d, m in self.inner.metas.items() if filters.accepts(d, m)}
        return allowed_rows(self.inner.passages, docs)

    def dense_search(self, vector: np.ndarray, n: int, scope: np.ndarray | None) -> Ranked:
        return dense.search(self.inner.dense, vector, n, scope)  # type: ignore[arg-type]  # IndexStore.dense is typed object

    def lexical_search(self, tokens: list[str], n: int, scope: np.ndarray | None, folded: bool = False) -> Ranked:
        index = self.inner.folded if folded else self.inner.lexical
        return index.search(tokens, n, scope)

    def passages_at(self, rows: list[int]) -> list[Passage]:
        return [self.inner.passages[r] for r in rows]

    def passage_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for p in self.inner.passages:
            counts[p.doc_id] = counts.get(p.doc_id, 0) + 1
        return counts

    def doc_ids_at(self, rows: list[int]) -> list[str]:
        return [self.inner.passages[r].doc_id for r in rows]

    def doc_freqs(self, terms: Iterable[str], folded: bool = False) -> dict[str, int]:
        return (self.inner.folded if folded else self.inner.lexical).doc_freqs(terms)

    def target_rows(self) -> list[TargetRow]:
        from ..targets.table import load_rows

        return load_rows(self.inner)[0]

    def vectors(self, passage_ids: list[str]) -> dict[str, np.ndarray]:
        if self._row_of is None:  # the passages are in memory already (IndexStore loads them)
            self._row_of = {p.id: i for i, p in enumerate(self.inner.passages)}
        out: dict[str, np.ndarray] = {}
        for pid in passage_ids:
            row = self._row_of.get(pid)
            if row is None:
                continue
            try:
                out[pid] = self.inner.dense.reconstruct(row)  # type: ignore[attr-defined]  # IndexStore.dense is typed object
            except RuntimeError:  # an index type that cannot give vectors back
                return {}
        return out

    def passages_mentioning(self, text: str) -> Sequence[Passage]:
        """Every passage: they are in memory, and the caller's exact rule is the test."""
        return self.inner.passages

    def document(self, doc_id: str) -> Document | None:
        return self.inner.docstore.document(doc_id)

    def close(self) -> None:
        self.inner.close()
