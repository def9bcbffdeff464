"""The ``Store`` protocol: what retrieval, answering and the API need from an index.

Two backends implement it: ``local`` (FAISS + bm25s + SQLite files, the default) and
``milvus`` (Milvus collections: milvus-lite file or a standalone/cluster server). Fusion,
filters' meaning and citations live above this line (``retrieval.py``), so both backends
rank with the same code; a backend only answers "top n rows for this vector / these
terms within this scope".

A *row* is the backend's integer key of one passage (FAISS row / Milvus primary key).
A *scope* is the backend's own form of a ``Filters`` restriction, computed once per
search by ``scope()`` and passed to each ranking: ``None`` means the whole collection.

Answering asks narrow questions (``doc_freqs``, ``vectors``, ``passages_mentioning``)
instead of reading every passage: a Milvus index of tens of millions of passages answers
them by term, by id or by a bounded search. ``passages`` stays for the local index's own
users (ingest, the targets table, ``docs``); on Milvus it is a lazy sequence.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Protocol, runtime_checkable

import numpy as np

from ..documents import Document, DocumentMeta, Passage
from ..targets.model import TargetRow
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

    def passage_counts(self) -> dict[str, int]:
        """doc id -> its number of passages (``assistant docs``, the documents tab)."""

    def doc_ids_at(self, rows: list[int]) -> list[str]:
        """The document id of each of ``rows``, in that order (one round trip)."""

    def doc_freqs(self, terms: Iterable[str], folded: bool = False) -> dict[str, int]:
        """BM25 document frequency of each of ``terms`` the index knows (plain or folded
        copy); a term it never saw is left out. ``count()`` is the N that goes with it."""

    def vectors(self, passage_ids: list[str]) -> dict[str, np.ndarray]:
        """The stored dense vector of each passage id found (an index type that cannot give
        vectors back returns {})."""

    def target_rows(self) -> list[TargetRow]:
        """The targets table (issue 14): every figure of every document with what it
        measures, its kind and period; empty for an index written before the table existed."""

    def passages_mentioning(self, text: str) -> Iterable[Passage]:
        """A superset of the passages whose text contains ``text`` (accents and case aside),
        for the caller to check with its own rule: every passage on the local index (held
        in memory); on Milvus the best ``MENTION_CANDIDATES`` by BM25 over the folded terms
        of ``text``."""

    def document(self, doc_id: str) -> Document | None: ...

    def close(self) -> None: ...
