"""The ``ask`` pipeline: understand the question, dispatch to the handler of its intent,
compose and verify the answer.

One ``Answerer`` serves one open index. It is built from narrow interfaces (a retriever,
the index store, an embedder, the settings, a document lookup), so answering never
imports the front door (``api.py``) that builds it. Building it loads and validates the
prompt templates (and the LLM, when one is configured), so a broken template fails at
start-up rather than on the first question.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import numpy as np

from ..citations import document_reference
from ..documents import Answer, Document, Turn
from ..embeddings.base import Embedder
from ..retrieval import Filters
from ..settings import Settings
from ..text import fold
from .catalog import Catalog
from .compose import abstain, compose
from .conversation import is_demonstrative, is_followup, resolve
from .handlers import HANDLERS, comparison
from ..targets import table as target_table
from ..targets.model import TargetRow
from ..targets.compare import answer_target_vs_achieved, asks_target_vs_achieved, passage_locator
from .plan import FACT, YESNO, Entity, Plan, Planner
from .prompts import Prompts, load_prompts
from .safety import looks_like_instruction
from .session import Outcome, Retriever, Session, Store
from .tokens import TermWeights

#: Characters at the start of a document searched for its own số hiệu when the parsed metadata has none.
OPENING_CHARS = 1500
#: Intents whose answer is read from the passages and may be rewritten by the LLM.
_LLM_INTENTS = (FACT,)


class Answerer:
    def __init__(
        self,
        retriever: Retriever | Any,
        store: Store | None = None,
        embedder: Embedder | None = None,
        settings: Settings | None = None,
        document: Callable[[str], Document | None] | None = None,
        llm: Any = None,
    ):
        if store is None:  # an object that holds the four (an open ``Assistant``)
            owner: Any = retriever
            retriever, store, embedder, settings = owner.retriever, owner.store, owner.embedder, owner.settings
            document = document or owner.document
        assert store is not None and embedder is not None and settings is not None
        self.retriever = retriever
        self.store: Any = store  # a Store (session.Store: metadata and narrow passage look-ups)
        self.embedder = embedder
        self.settings = settings
        self._document = document or (lambda doc_id: self.store.docstore.document(doc_id))  # type: ignore[union-attr]
        self.prompts: Prompts = load_prompts(self.settings.prompts_dir)
        self.weights = TermWeights.from_store(self.store)
        self.folded_weights = TermWeights.from_store(self.store, folded=True)
        self.catalog = Catalog.build(store.metas, mentioning=self.store.passages_mentioning)
        self.catalog.openings = self._openings
        self._place_text: dict[str, str] = {}  # passage id -> folded words, as checked by _place_docs
        self._places: dict[str, set[str]] = {}
        self._target_rows: list[TargetRow] | None = None
        self.planner = Planner(self.catalog, self._place_docs)
        if llm is None and self.settings.llm:
            from .llm import LLMAnswerer

            llm = LLMAnswerer.from_settings(self.settings, self.prompts)
        self.llm = llm

    # -- public -----------------------------------------------------------------------
    def ask(self, question: str, history: list[Turn] | None = None, filters: Filters | None = None) -> Answer:
        return self.ask_scored(question, history, filters)[0]

    def understand(self, question: str, history: list[Turn] | None = None) -> Plan:
        """The plan of ``question`` after follow-up resolution against ``history``."""
        resolved, previous, followup = self._resolve(question, history)
        return self.planner.plan(resolved, previous, followup)

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
        resolved, previous, followup = self._resolve(question, history)
        if not resolved.strip():
            return abstain(question, [], resolved), 0.0
        plan = self.planner.plan(resolved, previous, followup)
        if plan.missing:
            return abstain(question, [], resolved, text=plan.missing, kind="scope"), 1.0
        docs: dict[str, Document | None] = {}

        def source_doc(doc_id: str) -> Document | None:
            if doc_id not in docs:
                docs[doc_id] = self._document(doc_id)
            return docs[doc_id]

        if not plan.compare and plan.intent in (FACT, YESNO) and asks_target_vs_achieved(resolved):
            measured = self._target_vs_achieved(question, resolved, plan)
            if measured is not None:
                return measured, 1.0
        session = Session(plan, self.retriever, self.store, self.settings, self.weights, self.folded_weights,
                          self._query_vector(resolved), source_doc, filters, self._targets())
        if plan.scope and not session.accepted(plan.scope):
            return abstain(question, [], resolved, kind=plan.kind), 0.0
        handler = comparison if plan.compare else HANDLERS[plan.intent]
        out: Outcome | None = handler(session, plan)
        if out is not None and out.missing:
            return abstain(question, out.hits, resolved, text=out.missing, kind=plan.kind, scope=out.docs), 1.0
        if out is None or not out.parts or out.strength < threshold:
            hits = out.hits if out is not None else session.scoped()
            return abstain(question, hits, resolved, kind=plan.kind, scope=plan.scope), out.strength if out else 0.0
        parts = out.parts
        generated = None
        kind = out.kind or plan.kind
        if self.llm is not None and plan.intent in _LLM_INTENTS and not plan.compare and out.hits:
            # Generative answer (issue 12): verified sentences replace the extractive parts, else they stay.
            llm_plan = {"intent": plan.intent, "polarity": plan.polarity,
                        "scope": self.scope_label(plan.scope) if plan.scope else ""}  # fmt: skip
            generated = self.llm.answer(resolved, out.hits, plan=llm_plan, extractive=parts)
            parts = generated.parts or parts
        scope = plan.scope or out.docs
        answer = compose(question, parts, out.hits, source_doc, resolved, kind=kind, scope=scope)
        if generated is not None:
            answer = generated.stamp(answer)
        if not answer.abstained:
            answer.scope = scope if plan.scope else list(dict.fromkeys(c.doc_id for c in answer.citations))
            answer.scope_label = self.scope_label(answer.scope)
        return answer, out.strength

    def _target_vs_achieved(self, question: str, resolved: str, plan: Plan) -> Answer | None:
        """A result next to its target, both from the targets table (issue 14), each cited
        to its own sentence; None (the usual handlers answer) when no pair matches."""
        rows = self._targets()
        if not rows:
            return None
        scope = plan.scope or None
        found = answer_target_vs_achieved(resolved, rows, doc_ids=scope, passage_of=passage_locator(self.store.passages))
        if found is None or not found.citations:
            return None
        docs = list(dict.fromkeys(c.doc_id for c in found.citations))
        return Answer(
            question=question, text=found.text, abstained=False, citations=found.citations, resolved_question=resolved,
            kind="target_vs_achieved", scope=docs, scope_label=self.scope_label(docs),
        )

    def _targets(self) -> list[TargetRow]:
        """The targets table's rows, read once per open index, not per question."""
        if self._target_rows is None:
            reader = getattr(self.store, "target_rows", None)  # the Store protocol's; an IndexStore has none
            rows = reader() if reader is not None else target_table.load_rows(self.store)[0]
            # a sentence that talks to the model is never evidence (answering/safety.py)
            self._target_rows = [r for r in rows if not looks_like_instruction(r.quote)]
        return self._target_rows

    def scope_label(self, doc_ids: list[str]) -> str:
        """How the chat names what an answer was limited to."""
        refs = [document_reference(self.store.metas[d], fallback_title=d) for d in doc_ids[:3] if d in self.store.metas]
        more = f" và {len(doc_ids) - 3} văn bản khác" if len(doc_ids) > 3 else ""
        return "; ".join(refs) + more

    # -- internals --------------------------------------------------------------------
    def _resolve(self, question: str, history: list[Turn] | None) -> tuple[str, Plan | None, bool]:
        """(standalone question, the previous turn's plan, whether this is a follow-up)."""
        q = " ".join(question.split())
        if not history or not q:
            return q, None, False
        last = history[-1]
        prev_q = last.resolved_question or last.question
        previous = self.planner.plan(prev_q)
        if last.scope:
            previous.scope = list(last.scope)
        if is_demonstrative(q) and previous.scope:
            previous.entities = [Entity("previous", "", "", docs=set(previous.scope))]
            return q, previous, True
        if not is_followup(q):
            return q, None, False
        return resolve(q, history), previous, True

    def _query_vector(self, question: str) -> np.ndarray | None:
        try:
            return self.embedder.embed_queries([question])[0]
        except Exception:  # noqa: BLE001 - similarity is one feature among several; go on without it
            return None

    def _openings(self) -> dict[str, str]:
        """The first lines of every document (where its own "Số: ..." stands)."""
        out: dict[str, str] = {}
        for doc_id in self.store.metas:
            doc = self._document(doc_id)
            if doc is not None:
                out[doc_id] = doc.text[:OPENING_CHARS]
        return out

    def _place_docs(self, name: str) -> set[str]:
        """Documents whose passages mention a place name (accents ignored), for places the
        collection has no document *of*; the store narrows the passages to read."""
        needle = " " + _words(name) + " "
        if needle not in self._places:
            found: set[str] = set()
            for p in self.store.passages_mentioning(name):
                text = self._place_text.get(p.id)
                if text is None:
                    text = self._place_text[p.id] = " " + _words(p.text) + " "
                if needle in text:
                    found.add(p.doc_id)
            self._places[needle] = found
        return set(self._places[needle])


def _words(text: str) -> str:
    """Folded lower-case words of ``text`` joined by single spaces."""
    return " ".join(re.sub(r"[^\w]", " ", fold(text).lower()).split())
