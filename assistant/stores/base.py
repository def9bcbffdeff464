"""The ``Store`` protocol: what retrieval, answering and the API need from an index.

Two backends implement it: ``local`` (FAISS + bm25s + SQLite files, the default) and
``milvus`` (Milvus collections: milvus-lite file or a standalone/cluster server). Fusion,
filters' meaning and citations live above this line (``retrieval.py``), so both backends
rank with the same code; a backend only answers "top n rows for this vector / these
terms within this scope".

A *row* is the backend's integer key of one passage (FAISS row / Milvus primary key).
A *scope* is the backend's own form of a ``Filters`` restriction, computed once per
search by ``scope()`` and passed to each ranking: ``None`` means the whole collection.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol, runtime_checkable

import numpy as np

from ..documents import Document, DocumentMeta, Passage
from ..index.manifest import Manifest

Ranked = list[tuple[int, float]]


@runtime_checkable
class Store(Protocol):
    # Read-only members (properties, so that a backend may hold them as a dict, a lazy
    # sequence or a plain attribute).
    @property
    def manifest(self) -> Manifest: ...  # embedder name and dimension that built the index, passage count

    @property
    def metas(self) -> Mapping[str, DocumentMeta]: ...  # doc id -> metadata (filters, scope resolution)

    @property
    def sources(self) -> Mapping[str, str]: ...  # doc id -> source file

    @property
    def passages(self) -> Sequence[Passage]: ...  # position i -> passage; len() is the passage count

    def count(self) -> int: ...

    def scope(self, filters: Any) -> Any:
        """The restriction ``filters`` (a ``retrieval.Filters``) imposes, or None for none."""

    def dense_search(self, vector: np.ndarray, n: int, scope: Any) -> Ranked:
        """Top-n (row, cosine) for an L2-normalised query vector."""

    def lexical_search(self, tokens: list[str], n: int, scope: Any, folded: bool = False) -> Ranked:
        """Top-n (row, BM25) for analysed query terms; ``folded`` searches the accent-less copy."""

    def passages_at(self, rows: list[int]) -> list[Passage]:
        """The passages of ``rows``, in that order."""

    def document(self, doc_id: str) -> Document | None: ...

    def close(self) -> None: ...
