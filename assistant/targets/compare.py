"""Answering "đạt bao nhiêu so với mục tiêu?" / "có đạt chỉ tiêu không?" from the table.

A result and its target are two rows whose indicators share most of their words, with
the same kind of unit, in the same document and compatible periods. The answer states
both figures, each cited to its own sentence, and a verdict read from the target's
comparator ("trên 33%/năm" is met by more than 33; "không quá 5%" by at most 5). When
the table holds no such pair for the question's indicator, the function returns None,
so the caller can abstain or fall back: a wrong comparison with citations is worse
than none.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from ..documents import Citation, Passage
from ..text import fold
from .model import TargetRow

#: Question words that say "compare with the target", not what is measured.
_QUESTION_WORDS = frozenset(
    fold(w)
    for w in """
        mục tiêu chỉ tiêu kế hoạch đề ra đạt được bao nhiêu so với có không chưa là gì nào thế như thực hiện
        kết quả đặt ra vượt hoàn thành mức của và các những trong được đã giai đoạn năm
    """.split()
)
_ATLEAST = ("trên", "hơn", "không dưới", "không thấp hơn", "tối thiểu", "ít nhất", "trở lên")
_ATMOST = ("dưới", "không quá", "tối đa", "trở xuống")


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"[^\W\d_]+", fold(text).lower()) if w not in _QUESTION_WORDS}


def indicator_overlap(a: str, b: str) -> float:
    """|A ∩ B| / min(|A|, |B|) over content syllables (accent-insensitive)."""
    wa, wb = _words(a), _words(b)
    if not wa or not wb:
        return 0.0
    return len(wa & wb) / min(len(wa), len(wb))


def _unit_family(unit: str) -> str:
    u = unit.replace(" ", "")
    return "%" if u.startswith("%") else u


def _years(period: str) -> tuple[int, int] | None:
    ys = [int(y) for y in re.findall(r"\d{4}", period)]
    return (ys[0], ys[-1]) if ys else None


def _periods_compatible(target: str, achieved: str) -> bool:
    t, a = _years(target), _years(achieved)
    if t is None or a is None:
        return True
    return t[0] <= a[1] and a[0] <= t[1] or t == a


_CUE = re.compile(
    r"\bso (?:voi|cung) (?:muc tieu|chi tieu|ke hoach)|\b(?:co|da|chua) (?:dat|hoan thanh|vuot) (?:duoc )?(?:muc tieu|chi tieu|ke hoach)"
    r"|\b(?:dat|hoan thanh|vuot) (?:duoc )?(?:muc tieu|chi tieu|ke hoach)\b.*\b(?:khong|chua)\b"
)


def asks_target_vs_achieved(question: str) -> bool:
    """Does the question compare a result with its target ("đạt bao nhiêu so với mục
    tiêu?", "có đạt chỉ tiêu không?", accents optional)?"""
    return bool(_CUE.search(" ".join(fold(question).lower().split())))


def verdict(target: TargetRow, achieved: TargetRow) -> str:
    """'vượt mục tiêu' / 'đạt mục tiêu' / 'chưa đạt mục tiêu' (or '' when incomparable)."""
    if _unit_family(target.unit) != _unit_family(achieved.unit):
        return ""
    a, t, comp = achieved.number, target.number, target.comparator
    if comp in _ATMOST:
        return "đạt mục tiêu" if a <= t else "chưa đạt mục tiêu"
    if comp == "khoảng":
        return "đạt mục tiêu" if a >= 0.95 * t else "chưa đạt mục tiêu"
    if comp in _ATLEAST:
        return "vượt mục tiêu" if a > t else "chưa đạt mục tiêu"
    if a > t:
        return "vượt mục tiêu"
    return "đạt mục tiêu" if a == t else "chưa đạt mục tiêu"


@dataclass
class ComparisonPart:
    """One sentence of the answer and the rows it states (target first, then result)."""

    text: str
    rows: list[TargetRow] = field(default_factory=list)


@dataclass
class TargetComparison:
    text: str  # the whole answer, with [n] markers resolving to ``citations``
    parts: list[ComparisonPart]
    citations: list[Citation]
    verdict: str  # "vượt mục tiêu" | "đạt mục tiêu" | "chưa đạt mục tiêu" | ""


def passage_locator(passages: Sequence[Passage]) -> Callable[[str, int], str]:
    """``passage_of`` for ``answer_target_vs_achieved``: the id of the passage of a
    document that holds a character offset ("" when none does)."""
    by_doc: dict[str, list[Passage]] = {}
    for p in passages:
        by_doc.setdefault(p.doc_id, []).append(p)

    def passage_of(doc_id: str, offset: int) -> str:
        for p in by_doc.get(doc_id, []):
            if p.start <= offset < p.end:
                return p.id
        return ""

    return passage_of


def _pairs(rows: Sequence[TargetRow]) -> Iterable[tuple[TargetRow, TargetRow, float]]:
    targets = [r for r in rows if r.kind == "target"]
    results = [r for r in rows if r.kind == "achieved"]
    for t in targets:
        for a in results:
            if t.doc_id != a.doc_id or _unit_family(t.unit) != _unit_family(a.unit):
                continue
            sim = indicator_overlap(t.indicator, a.indicator)
            if sim < 0.5 or not _periods_compatible(t.period, a.period):
                continue
            near = 0.2 if t.start == a.start else 0.0  # "đạt 11,94% (mục tiêu đề ra trên 33%)"
            yield t, a, sim + near


def _figure(r: TargetRow) -> str:
    return f"{r.comparator + ' ' if r.comparator in _ATLEAST + _ATMOST + ('khoảng',) else ''}{r.figure}"


def answer_target_vs_achieved(
    question_terms: str | Sequence[str],
    rows: Sequence[TargetRow],
    *,
    doc_ids: Iterable[str] | None = None,
    passage_of: Callable[[str, int], str] | None = None,
    min_overlap: float = 0.5,
    max_pairs: int = 3,
) -> TargetComparison | None:
    """Compare results with their targets for the indicator the question names.

    ``question_terms``: the question or its terms; ``rows``: the targets table (e.g.
    ``table.load_rows(store)[0]``); ``doc_ids``: the plan's document scope;
    ``passage_of(doc_id, offset)``: the id of the passage holding an offset (for
    ``Citation.passage_id``; "" without it). Returns None when no target/result pair
    matches the question's indicator words (at least ``min_overlap`` of them).
    """
    query = question_terms if isinstance(question_terms, str) else " ".join(question_terms)
    qwords = _words(query)
    if not qwords:
        return None
    scope = set(doc_ids) if doc_ids is not None else None
    pool = [r for r in rows if scope is None or r.doc_id in scope]
    scored = []
    for t, a, sim in _pairs(pool):
        q = max(len(qwords & _words(t.indicator)), len(qwords & _words(a.indicator))) / len(qwords)
        if q >= min_overlap:
            scored.append((q + 0.3 * sim, t, a))
    if not scored:
        return None
    scored.sort(key=lambda x: (-x[0], x[2].start, x[1].start))
    best = scored[0][0]
    chosen: list[tuple[TargetRow, TargetRow]] = []
    used: set[int] = set()
    for score, t, a in scored:
        if score < best - 0.25 or len(chosen) >= max_pairs:
            break
        if (t.figure_start in used) or (a.figure_start in used):
            continue
        used |= {t.figure_start, a.figure_start}
        chosen.append((t, a))
    citations: list[Citation] = []

    def cite(r: TargetRow) -> int:
        for c in citations:
            if c.doc_id == r.doc_id and c.start == r.start:
                return c.n
        n = len(citations) + 1
        citations.append(Citation(
            n=n, passage_id=passage_of(r.doc_id, r.start) if passage_of else "", doc_id=r.doc_id, quote=r.quote,
            start=r.start, end=r.end, section=r.section, paragraph=r.paragraph, citation=r.citation,
        ))
        return n

    parts: list[ComparisonPart] = []
    verdicts = []
    for t, a in chosen:
        v = verdict(t, a)
        verdicts.append(v)
        a_period = f" ({a.period})" if a.period else ""
        t_period = f" ({t.period})" if t.period and t.period != a.period else ""
        n_a, n_t = cite(a), cite(t)
        ind = a.indicator or t.indicator
        text = (
            f"{ind[:1].upper() + ind[1:]}{a_period} đạt {a.figure} [{n_a}], "
            f"so với mục tiêu {_figure(t)}{t_period} [{n_t}]" + (f": {v}." if v else ".")
        )
        parts.append(ComparisonPart(text, [t, a]))
    return TargetComparison(" ".join(p.text for p in parts), parts, citations, verdicts[0] if verdicts else "")
