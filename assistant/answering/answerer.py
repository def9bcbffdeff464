"""The ``ask`` pipeline: resolve a follow-up, retrieve, extract, abstain or answer, cite.

One ``Answerer`` serves one open ``Assistant``. Building it loads and validates the
prompt templates (and the LLM, when one is configured), so a broken template fails at
start-up rather than on the first question.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..documents import Answer, Document, Hit, Turn
from ..retrieval import Filters
from .comparison import Group, group_query, hit_groups, named_groups
from .compose import Part, abstain, compose
from .conversation import resolve
from .evidence import Question, collect, passage_similarities, prepare
from .extractive import Draft, extract
from .prompts import Prompts, load_prompts
from .question_types import classify
from .tokens import TermWeights

if TYPE_CHECKING:
    from ..api import Assistant
    from .llm import LLMAnswerer


class Answerer:
    def __init__(self, assistant: Assistant, llm: LLMAnswerer | None = None):
        self.assistant = assistant
        self.settings = assistant.settings
        self.prompts: Prompts = load_prompts(self.settings.prompts_dir)
        store = assistant.store
        self.weights = TermWeights.from_lexical(store.lexical, len(store.passages))
        self.folded_weights = TermWeights.from_lexical(store.folded, len(store.passages))
        self._rows = {p.id: i for i, p in enumerate(store.passages)}
        if llm is None and self.settings.llm:
            from .llm import LLMAnswerer

            llm = LLMAnswerer.from_settings(self.settings, self.prompts)
        self.llm = llm

    # -- public -----------------------------------------------------------------------
    def ask(self, question: str, history: list[Turn] | None = None, filters: Filters | None = None) -> Answer:
        return self.ask_scored(question, history, filters)[0]

    def ask_scored(
        self,
        question: str,
        history: list[Turn] | None = None,
        filters: Filters | None = None,
        threshold: float | None = None,
    ) -> tuple[Answer, float]:
        """The answer and the evidence strength it was judged on (for calibration:
        ``threshold=0`` never abstains on weak evidence, so one run serves every threshold)."""
        threshold = self.settings.abstain_threshold if threshold is None else threshold
        resolved = resolve(question, history)
        if not resolved.strip():
            return abstain(question, [], resolved), 0.0
        docs: dict[str, Document | None] = {}

        def source_doc(doc_id: str) -> Document | None:
            if doc_id not in docs:
                docs[doc_id] = self.assistant.document(doc_id)
            return docs[doc_id]

        info = classify(resolved)
        groups = named_groups(resolved, self.assistant.store.metas)
        if info.comparison or len(groups) >= 2:
            return self._compare(question, resolved, groups, filters, source_doc, threshold)
        hits = self.assistant.search(resolved, k=self.settings.answer_passages, filters=filters)
        draft = self.draft(resolved, hits)
        strength = draft.confidence if draft else 0.0
        if draft is None or strength < threshold:
            return abstain(question, hits, resolved), strength
        parts = [Part("", draft.short, draft.supports)]
        # Generative answer (issue 12): verified sentences replace the extractive parts, else they stay.
        generated = self.llm.answer(resolved, hits, plan={"intent": info.qtype.value}, extractive=parts) if self.llm else None
        answer = compose(question, (generated.parts if generated else None) or parts, hits, source_doc, resolved)
        return (generated.stamp(answer) if generated else answer), strength

    def draft(self, question: str, hits: list[Hit]) -> Draft | None:
        """The extractive answer to ``question`` from ``hits`` (None if there are none)."""
        if not hits:
            return None
        info = classify(question)
        q: Question = prepare(info, self.folded_weights if info.folded else self.weights)
        vector = self._query_vector(question)
        sims = passage_similarities(vector, self.assistant.store.dense, self._rows, hits)
        return extract(q, collect(q, hits, sims))

    # -- internals --------------------------------------------------------------------
    def _query_vector(self, question: str) -> np.ndarray | None:
        try:
            return self.assistant.embedder.embed_queries([question])[0]
        except Exception:  # noqa: BLE001 - similarity is one feature among several; go on without it
            return None

    def _compare(
        self, question: str, resolved: str, groups: list[Group], filters: Filters | None, source_doc, threshold: float
    ) -> tuple[Answer, float]:
        base = group_query(resolved, groups) or resolved
        if len(groups) < 2:
            hits = self.assistant.search(base, k=self.settings.answer_passages * 2, filters=filters)
            named = {d for g in groups for d in g.doc_ids}
            groups = groups + [g for g in hit_groups(hits) if not set(g.doc_ids) & named]
            groups = groups[:3]
        parts: list[Part] = []
        all_hits: list[Hit] = []
        strength = 0.0
        for g in groups:
            allowed = [d for d in g.doc_ids if filters is None or not filters.doc or d in filters.doc]
            if not allowed:
                continue
            f = Filters(doc=allowed, doc_type=getattr(filters, "doc_type", None), issuer=getattr(filters, "issuer", None),
                        year=getattr(filters, "year", None))
            hits = self.assistant.search(base, k=self.settings.answer_passages, filters=f)
            all_hits.extend(hits[:2])
            draft = self.draft(base, hits)
            if draft is not None and draft.confidence >= threshold:
                parts.append(Part(g.label, draft.short, draft.supports))
                strength = max(strength, draft.confidence)
        if not parts:
            return abstain(question, all_hits, resolved), strength
        return compose(question, parts, all_hits, source_doc, resolved), strength
