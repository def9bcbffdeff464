"""Retrieval metrics over a question file.

Each line: ``{"id", "q", "a": [answer strings]}`` and/or ``{"gold": [passage or document ids]}``.
With ids, Recall@k is the share of gold ids found in the top k (a document id is found
by any of its passages); with answer strings, a hit is relevant when its text contains
one of them (compared after NFC, tone unification and case folding), and Recall@k is 1
when any of the top k is relevant. Questions with neither are unanswerable and are
left out of retrieval metrics.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from .documents import Hit
from .errors import AssistantError
from .text import key

KS = (1, 5, 10)


def _norm(s: str) -> str:
    return key(s)


@dataclass
class Question:
    id: str
    q: str
    answers: list[str] = field(default_factory=list)
    gold: list[str] = field(default_factory=list)
    #: optional, for answer checks beyond "contains one of ``answers``" (seed_dev_kinds):
    answers_all: list[str] = field(default_factory=list)  # "a_all": every one must appear
    answers_not: list[str] = field(default_factory=list)  # "a_not": none may appear
    cite_doc: str = ""  # the first citation's document id must contain it
    kind: str = ""
    history: list[str] = field(default_factory=list)  # earlier questions of the conversation, oldest first

    @property
    def answerable(self) -> bool:
        return bool(self.answers or self.gold or self.answers_all)


def read_questions(path: Path, text_key: str = "q") -> list[Question]:
    out = []
    try:
        # Not splitlines(): it also splits at U+2028/U+0085..., which JSON strings may hold raw.
        lines = re.split(r"\r\n|\r|\n", path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError) as exc:
        raise AssistantError(f"{path}: cannot read ({exc})") from None
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except (ValueError, RecursionError) as exc:
            raise AssistantError(f"{path}:{n}: invalid JSON ({str(exc).splitlines()[0][:200]})") from None
        if not isinstance(row, dict) or not isinstance(row.get(text_key), str):
            raise AssistantError(f"{path}:{n}: each line needs a string field {text_key!r}")
        answers = row.get("a") or []
        gold = row.get("gold") or []
        if isinstance(answers, str):
            answers = [answers]
        if not isinstance(answers, list) or not isinstance(gold, list):
            raise AssistantError(f"{path}:{n}: 'a' and 'gold' must be lists")
        extra = {k: row.get(k) or [] for k in ("a_all", "a_not", "history")}
        for k, v in extra.items():
            if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
                raise AssistantError(f"{path}:{n}: {k!r} must be a list of strings")
        out.append(Question(
            str(row.get("id", n)), row[text_key], [str(a) for a in answers], [str(g) for g in gold],
            answers_all=extra["a_all"], answers_not=extra["a_not"], cite_doc=str(row.get("cite_doc") or ""),
            kind=str(row.get("kind") or ""), history=extra["history"],
        ))
    return out


def relevant(question: Question, hit: Hit) -> set[str]:
    """The gold items (ids or answer strings) this hit satisfies."""
    if question.gold:
        return {g for g in question.gold if g in (hit.passage.id, hit.passage.doc_id)}
    text = _norm(hit.passage.text)
    return {a for a in question.answers if _norm(a) in text}


def score(question: Question, hits: list[Hit]) -> dict[str, float]:
    found: set[str] = set()
    first = 0
    result: dict[str, float] = {}
    total = len(question.gold) if question.gold else 1
    for rank, hit in enumerate(hits[: max(KS)], 1):
        got = relevant(question, hit)
        if got and not first:
            first = rank
        found |= got
        if rank in KS:
            result[f"recall@{rank}"] = min(1.0, len(found) / total) if question.gold else float(bool(found))
    for k in KS:
        result.setdefault(f"recall@{k}", min(1.0, len(found) / total) if question.gold else float(bool(found)))
    result["mrr@10"] = 1.0 / first if first else 0.0
    return result


def evaluate(questions: list[Question], search: Callable[[str], list[Hit]]) -> dict:
    rows: list[dict[str, str | float]] = []
    scores: list[dict[str, float]] = []
    for q in questions:
        if not q.answerable:
            continue
        scores.append(score(q, search(q.q)))
        rows.append({"id": q.id, **scores[-1]})
    n = len(rows)
    summary = {key: (sum(r[key] for r in scores) / n if n else 0.0) for key in [f"recall@{k}" for k in KS] + ["mrr@10"]}
    return {
        "questions": len(questions),
        "answerable": n,
        "unanswerable": len(questions) - n,
        **{k: round(v, 4) for k, v in summary.items()},
        "per_question": rows,
    }
