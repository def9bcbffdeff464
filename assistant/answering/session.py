"""What every handler needs while answering one question: scoped retrieval, scored
evidence, the documents. The query vector is computed once per question and reused by
every retrieval and every similarity the handlers ask for.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Protocol

import numpy as np

from ..documents import Document, DocumentMeta, Hit, Passage
from ..retrieval import Filters
from ..settings import Settings
from .compose import Part
from .evidence import Question, Sentence, collect, passage_similarities, prepare
from .extractive import Draft, extract
from .plan import Entity, Plan
from .question_types import QType, classify
from .tokens import TermWeights
from ..targets.model import TargetRow


class Retriever(Protocol):
    def search(self, query: str, k: int | None = None, filters: Filters | None = None, mode: str = "hybrid",
               vector: np.ndarray | None = None) -> list[Hit]: ...


class Store(Protocol):
    """What answering reads from an open index: per-document metadata, and narrow
    questions about passages (never all of them; see ``stores.base.Store``)."""

    @property
    def metas(self) -> Mapping[str, DocumentMeta]: ...

    def count(self) -> int: ...

    def doc_freqs(self, terms: Iterable[str], folded: bool = False) -> dict[str, int]: ...

    def vectors(self, passage_ids: list[str]) -> dict[str, np.ndarray]: ...

    def passages_mentioning(self, text: str) -> Iterable[Passage]: ...


@dataclass
class Outcome:
    """What a handler found: answer lines, the hits shown as related, evidence strength,
    and the documents the answer rests on."""

    parts: list[Part]
    hits: list[Hit] = field(default_factory=list)
    strength: float = 1.0
    docs: list[str] = field(default_factory=list)
    #: set when the documents were read and do not state what was asked: the abstention text
    missing: str = ""
    #: the answer's kind when it is not the plan's ("figure": read from the targets table)
    kind: str = ""


def merge_filters(caller: Filters | None, docs: list[str] | set[str] | None) -> Filters:
    """The caller's filters (every one of them kept) narrowed to ``docs``."""
    f = replace(caller) if caller is not None else Filters()
    if docs:
        allowed = set(docs)
        f.doc = sorted(allowed & set(f.doc)) if f.doc else sorted(allowed)
        if not f.doc:
            f.doc = ["\x00none"]  # the caller's documents and the question's scope do not meet
    return f


class Session:
    def __init__(
        self,
        plan: Plan,
        retriever: Retriever,
        store: Store,
        settings: Settings,
        weights: TermWeights,
        folded_weights: TermWeights,
        vector: np.ndarray | None,
        document: Callable[[str], Document | None],
        filters: Filters | None = None,
        targets: Sequence[TargetRow] = (),
    ):
        self.plan = plan
        self.retriever = retriever
        self.store = store
        self.settings = settings
        self.weights = weights
        self.folded_weights = folded_weights
        self.vector = vector
        self.document = document
        self.filters = filters
        self.targets = targets  # the targets table's rows (empty for a store without one)

    # -- retrieval ------------------------------------------------------------------------------
    def accepted(self, docs: list[str] | set[str]) -> list[str]:
        f = self.filters
        return [d for d in docs if f is None or f.accepts(d, self.store.metas[d])]

    def retrieve(self, query: str, docs: list[str] | set[str] | None = None, k: int | None = None) -> list[Hit]:
        k = k or self.settings.answer_passages
        return self.retriever.search(query, k=k, filters=merge_filters(self.filters, docs), vector=self.vector)

    def scoped(self, k: int | None = None, query: str | None = None) -> list[Hit]:
        return self.retrieve(query or self.plan.question, self.plan.scope or None, k)

    # -- evidence -------------------------------------------------------------------------------
    def question(self, text: str, qtype: QType | None = None) -> Question:
        info = classify(text)
        if qtype is not None and info.qtype is not qtype:
            info = replace(info, qtype=qtype)
        q = prepare(info, self.folded_weights if info.folded else self.weights)
        q.polarity = self.plan.polarity
        return q

    def sentences(self, q: Question, hits: list[Hit]) -> list[Sentence]:
        vectors = self.store.vectors([h.passage.id for h in hits]) if self.vector is not None else {}
        sims = passage_similarities(self.vector, vectors, hits)
        return collect(q, hits, sims)

    def draft(self, text: str, hits: list[Hit], qtype: QType | None = None) -> Draft | None:
        if not hits:
            return None
        q = self.question(text, qtype)
        return extract(q, self.sentences(q, hits))

    def meta(self, doc_id: str) -> DocumentMeta:
        return self.store.metas[doc_id]


def strip_entities(question: str, entities: list[Entity]) -> str:
    """The question without the names that only limit its scope (provinces, numbers, types):
    the scope is enforced by filters, so these words would only dilute the evidence score."""
    spans = sorted((e.start, e.end) for e in entities if e.start >= 0 and e.kind != "place")
    out, pos = [], 0
    for s, e in spans:
        if s < pos:
            continue
        out.append(question[pos:s])
        pos = e
    out.append(question[pos:])
    text = " ".join("".join(out).split())
    text = re.sub(r"\b(?:của|tại|ở|theo)\s+(?:tỉnh|thành phố|TP\.?)?\s*(?=[,?.]|$)", "", text, flags=re.IGNORECASE)
    text = re.sub(r"\b(?:tỉnh|thành phố)\s*(?=[,?.]|$)", "", text, flags=re.IGNORECASE)
    return " ".join(text.split()).strip(" ,") or question
