"""Answer metrics over a question file: accuracy, abstention precision/recall, citation validity.

* **accuracy**: an answerable question (one with answer strings) is answered correctly
  when one of its answer strings is contained in the answer text, compared after NFC,
  tone-mark unification, case folding and whitespace collapsing; an abstention is wrong.
  ``accuracy_with_quotes`` also accepts the string inside a cited quote.
* **abstention**: questions with neither answers nor gold ids are unanswerable.
  Precision = unanswerable among the abstentions, recall = abstentions among the
  unanswerable.
* **citation validity**: the share of citations whose quote is exactly the stored
  document text at its span, re-checked here independently of the answerer, and whose
  [n] appears in the answer text.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable

from ..citations import verify_quote
from ..documents import Answer, Turn
from ..evaluation import Question, _norm


def contains_answer(question: Question, text: str) -> bool:
    norm = _norm(text)
    return any(_norm(a) in norm for a in question.answers if a.strip())


def judge(question: Question, answer: Answer) -> bool:
    """Right or wrong, with every check the question carries: an unanswerable one (no
    answer strings) must be abstained; otherwise the answer must contain one of ``a``,
    all of ``a_all``, none of ``a_not``, and its first citation must be from ``cite_doc``."""
    if not question.answers and not question.answers_all:
        return answer.abstained
    if answer.abstained:
        return False
    norm = _norm(answer.text)
    if question.answers and not contains_answer(question, answer.text):
        return False
    if not all(_norm(a) in norm for a in question.answers_all):
        return False
    if any(_norm(a) in norm for a in question.answers_not):
        return False
    if question.cite_doc and not (answer.citations and question.cite_doc in answer.citations[0].doc_id):
        return False
    return True


def ask_in_conversation(ask: Callable[..., Answer], question: Question) -> Answer:
    """Ask the question's earlier questions in order, then the question itself with them as history."""
    history: list[Turn] = []
    for earlier in question.history:
        history.append(ask(earlier, history=list(history)).turn())
    return ask(question.q, history=history)


def citation_checks(answer: Answer, source_text: Callable[[str], str | None]) -> tuple[int, int]:
    """(valid citations, citations) of one answer."""
    marks = {int(n) for n in re.findall(r"\[(\d+)\]", answer.text)}
    valid = 0
    for c in answer.citations:
        text = source_text(c.doc_id)
        if text is not None and verify_quote(text, c.quote, c.start, c.end) and c.n in marks:
            valid += 1
    return valid, len(answer.citations)


def evaluate_answers(
    questions: list[Question],
    ask: Callable[[str], Answer],
    source_text: Callable[[str], str | None],
) -> dict:
    rows = []
    for q in questions:
        t0 = time.perf_counter()
        ans = ask(q.q)
        ms = 1000 * (time.perf_counter() - t0)
        valid, total = citation_checks(ans, source_text)
        answerable = bool(q.answers)
        rows.append(
            {
                "id": q.id,
                "answerable": answerable,
                "unanswerable": not q.answers and not q.gold,
                "abstained": ans.abstained,
                "correct": answerable and not ans.abstained and contains_answer(q, ans.text),
                "correct_with_quotes": answerable
                and not ans.abstained
                and contains_answer(q, " ".join([ans.text, *(c.quote for c in ans.citations)])),
                "valid_citations": valid,
                "citations": total,
                "ms": round(ms, 1),
                "answer": ans.text,
            }
        )
    return summarize(rows)


def summarize(rows: list[dict]) -> dict:
    answerable = [r for r in rows if r["answerable"]]
    unanswerable = [r for r in rows if r["unanswerable"]]
    abstained = [r for r in rows if r["abstained"]]
    cits = sum(r["citations"] for r in rows)

    def share(n: int, d: int) -> float | None:
        return round(n / d, 4) if d else None

    return {
        "questions": len(rows),
        "answerable": len(answerable),
        "unanswerable": len(unanswerable),
        "accuracy": share(sum(r["correct"] for r in answerable), len(answerable)),
        "accuracy_with_quotes": share(sum(r["correct_with_quotes"] for r in answerable), len(answerable)),
        "abstained": len(abstained),
        "abstention_precision": share(sum(r["unanswerable"] for r in abstained), len(abstained)),
        "abstention_recall": share(sum(r["abstained"] for r in unanswerable), len(unanswerable)),
        "citation_validity": share(sum(r["valid_citations"] for r in rows), cits),
        "citations": cits,
        "per_question": rows,
    }
