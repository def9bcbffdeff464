"""Quantity questions ("Mục tiêu tăng trưởng công nghiệp … là bao nhiêu?") answered from the
targets table (issue 14) rather than from the nearest figure of a retrieved sentence.

Picking the closest number to the question's words was confidently wrong in two ways: it
took a figure of another measure ("64MW" for a growth target, a share "79,6%" for a
growth rate), and it took an old target a document reviews ("mục tiêu đề ra trên
33%/năm" of the last plan) instead of the one it sets. Table rows carry what each figure
measures (indicator), whether it is a target, a result or a baseline (kind) and its
period, so the question can be matched on all three:

- the measure class must agree: a growth question ("tăng trưởng", "tốc độ tăng") needs a
  growth indicator with a per-cent unit, a share question ("tỷ trọng", "cơ cấu") a share;
- most of the question's content words must be in the indicator;
- a target question takes target rows only, and prefers the document's own planning
  period over a target quoted next to the result it is judged against.

A target question whose documents hold no matching target row is answered "không nêu",
with the document named: the table is the complete list of the figures a document states.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from ..documents import DocumentMeta
from ..targets.model import KIND_LABELS, TargetRow
from ..text import fold, function_words, word_tokenize

#: Measure classes: phrases (folded) that name the same kind of measure, replaced by one token.
_CLASSES: dict[str, tuple[str, ...]] = {
    "#growth": ("toc do tang truong", "muc tang truong", "tang truong", "toc do tang", "muc tang", "tang binh quan",
                "tang"),
    "#share": ("ty trong", "co cau", "chiem"),
}
#: Words of a quantity question that say how it is asked, not what is measured.
_FRAME = frozenset(fold(w) for w in """
    mục tiêu chỉ tiêu kế hoạch đề ra đặt phấn đấu đạt được bao nhiêu là gì nào có không chưa của và
    các những trong đã giai đoạn năm đến tới vào khoảng mức số tỉnh thành phố bình quân hằng hàng
    lên còn ước thực hiện kết quả so với phần trăm
""".split())
#: Indicator words that qualify nothing (left out when counting words the question did not ask for).
_GENERIC = frozenset(fold(w) for w in "giá trị sản xuất ngành gdp địa bàn lĩnh vực về toàn tốc độ".split())
#: Least share of the question's measure words the indicator must hold.
MIN_COVERAGE = 0.6
_WORD = re.compile(r"[^\W\d_]+")


def _syllables(text: str) -> list[str]:
    t = " " + " ".join(_WORD.findall(fold(text).lower())) + " "
    t = t.replace(" tang cuong ", " cuong ").replace(" gia tang ", " ")  # strengthen, added value: not growth
    return t.split()


def _with_classes(seq: list[str]) -> list[str]:
    """``seq`` with every measure phrase replaced by its class token (longest phrase first)."""
    out: list[str] = []
    i = 0
    while i < len(seq):
        for token, phrases in _CLASSES.items():
            hit = next((ph for ph in phrases if seq[i : i + len(ph.split())] == ph.split()), None)
            if hit:
                out.append(token)
                i += len(hit.split())
                break
        else:
            out.append(seq[i])
            i += 1
    return out


@dataclass(frozen=True)
class Indicator:
    """An indicator as words (folded syllable tuples, from the segmenter) and measure classes."""

    words: tuple[tuple[str, ...], ...]
    classes: frozenset[str]


@lru_cache(maxsize=65536)
def indicator(text: str) -> Indicator:
    words = [tuple(_syllables(w)) for w in word_tokenize(text)]
    flat = [x for w in words for x in w]
    classes = frozenset(t for t in _with_classes(flat) if t.startswith("#"))
    marked: set[int] = set()  # syllables that belong to a measure phrase
    for phrases in _CLASSES.values():
        for ph in phrases:
            n = len(ph.split())
            for i in range(len(flat) - n + 1):
                if flat[i : i + n] == ph.split():
                    marked.update(range(i, i + n))
    kept, pos = [], 0
    for w in words:
        if w and not all(p in marked for p in range(pos, pos + len(w))):
            kept.append(w)
        pos += len(w)
    return Indicator(tuple(kept), classes)


def coverage(question: str, ind: Indicator) -> tuple[float, int, set[str]]:
    """(share of the question's measure syllables found as whole indicator words, count of
    indicator words the question does not have, the question's measure classes).

    Matching whole words keeps "lao động" from matching the "động" of "huy động"; the
    question is read as syllables, so it may be typed without diacritics."""
    return _coverage(_with_classes(_syllables(question)), ind)


def _coverage(seq: list[str], ind: Indicator) -> tuple[float, int, set[str]]:
    """``coverage`` of a question already read into syllables and class tokens."""
    stop = function_words(True)
    content = {i for i, t in enumerate(seq) if t.startswith("#") or (t not in _FRAME and t not in stop)}
    classes = {seq[i] for i in content if seq[i].startswith("#")}
    covered = {i for i in content if seq[i] in ind.classes}
    extras = 0
    for w in ind.words:
        n = len(w)
        found = [i for i in range(len(seq) - n + 1) if tuple(seq[i : i + n]) == w]
        for i in found:
            covered.update(range(i, i + n))
        if not found and not all(x in _GENERIC or x in stop or x in _FRAME for x in w):
            extras += 1
    if not content:
        return 0.0, extras, classes
    return len(covered & content) / len(content), extras, classes


def _years(period: str) -> tuple[int, int] | None:
    ys = [int(y) for y in re.findall(r"(?:19|20)\d{2}", period)]
    return (ys[0], ys[-1]) if ys else None


def _overlaps(a: tuple[int, int] | None, b: tuple[int, int] | None) -> bool:
    return a is not None and b is not None and a[0] <= b[1] and b[0] <= a[1]


#: Characters before a figure read as its own words when the indicator is not found in the sentence.
LEAD_CHARS = 80


def _lead(r: TargetRow) -> str:
    """The sentence from where it states the indicator up to the figure."""
    cut = r.figure_start - r.start
    if not 0 < cut <= len(r.quote):
        return ""
    head = r.quote[:cut]
    at = fold(head).lower().rfind(fold(r.indicator).lower()[:20]) if r.indicator else -1
    return head[at:] if at >= 0 else head[-LEAD_CHARS:]


def planning_period(meta: DocumentMeta | None, rows: Iterable[TargetRow]) -> tuple[int, int] | None:
    """The years a document plans for: from its title ("giai đoạn 2011-2015", "đến năm
    2020"), else the latest period among its target rows."""
    title = _years(meta.title) if meta is not None and meta.title else None
    if title is not None:
        return title
    spans = [y for r in rows if r.kind == "target" and (y := _years(r.period))]
    return max(spans, key=lambda y: (y[1], -y[0])) if spans else None


@dataclass
class QuantityAnswer:
    """The rows that answer, best first (at most one per kind and period), or none with
    ``not_stated`` set: the documents were read and state no such figure."""

    rows: list[TargetRow] = field(default_factory=list)
    not_stated: bool = False
    doc_id: str = ""


#: The order of a result and its target in one answer.
KINDS_ORDER = ("achieved", "target", "baseline")


def lookup(
    question: str,
    rows: Sequence[TargetRow],
    doc_ids: Sequence[str],
    *,
    polarity: str = "",
    periods: Sequence[str] = (),
    metas: Mapping[str, DocumentMeta] | None = None,
    strict: bool = False,
) -> QuantityAnswer | None:
    """Match a quantity question (its scope names already removed) against the table rows
    of ``doc_ids`` (ordered best first). None when the table cannot judge (no measure
    words, no rows for these documents); ``strict`` accepts only an indicator that holds
    every measure word of the question (used when the question is not about a target).
    ``rows`` are evidence: the answerer has dropped those quoting an instruction (safety.py)."""
    if not doc_ids:
        return None
    order = {d: i for i, d in enumerate(doc_ids)}
    pool = [r for r in rows if r.doc_id in order]
    if not pool:
        return None
    asked = [y for p in periods if (y := _years(p))]
    review = {(r.doc_id, r.start) for r in pool if r.kind == "achieved"}
    plans = {d: planning_period((metas or {}).get(d), (r for r in pool if r.doc_id == d)) for d in order}
    seq = _with_classes(_syllables(question))  # the question is read once, not once per row
    words = set(_WORD.findall(fold(question).lower()))
    scored = []
    for r in pool:
        if polarity in KIND_LABELS and r.kind != polarity:
            continue
        if asked and r.period and not any(_overlaps(a, _years(r.period)) for a in asked):
            continue
        ind = indicator(r.indicator)
        # the figure's own words name its measure too: "chiếm 17%", "… tiểu thủ công nghiệp tăng bình quân trên 15%/năm"
        named = {t for t in _with_classes(_syllables(f"{_lead(r)} {r.comparator}")) if t.startswith("#")}
        if named - ind.classes:
            ind = Indicator(ind.words, ind.classes | named)
        cov, extras, need = _coverage(seq, ind)
        if not need <= ind.classes or ("#growth" in need and not r.unit.startswith("%")):
            continue
        if cov < (1.0 if strict else MIN_COVERAGE):
            continue
        span = _years(r.period)
        current = r.kind != "target" or (_overlaps(span, plans[r.doc_id]) if span else (r.doc_id, r.start) not in review)
        dated = bool(asked) and span is not None
        raw = len(words & set(_WORD.findall(fold(r.indicator).lower())))
        scored.append(((round(cov, 2), current, dated, -extras, raw, -order[r.doc_id], -r.start), r))
    if not scored:
        return QuantityAnswer(not_stated=True, doc_id=doc_ids[0]) if polarity == "target" else None
    scored.sort(key=lambda x: x[0], reverse=True)
    best_key, best = scored[0]
    chosen = [best]
    for k, r in scored[1:]:  # the same measure asked without a kind: its result and its target
        same = (k[0], k[2], k[3], k[4]) == (best_key[0], best_key[2], best_key[3], best_key[4])
        if r.doc_id == best.doc_id and same and r.kind != best.kind and not polarity and len(chosen) < 2:
            chosen.append(r)
    chosen.sort(key=lambda r: KINDS_ORDER.index(r.kind))
    return QuantityAnswer(rows=chosen, doc_id=best.doc_id)


def figure_text(r: TargetRow, with_period: bool = True) -> str:
    """The figure as the document says it, with its comparator and (unless the question
    named it) its period: "trên 25%/năm (giai đoạn 2011-2015)"."""
    comp = r.comparator if r.comparator in _COMPARATORS else ""
    own = r.quote[r.figure_start - r.start : r.figure_end - r.start] if r.start <= r.figure_start < r.figure_end else ""
    figure = own if r.value in own else r.figure  # as the document writes it ("17 %")
    if r.unit and fold(r.indicator).lower().startswith(fold(r.unit).lower() + " ") and len(r.indicator.split()) <= 8:
        figure = f"{r.value} {r.indicator}"  # a count: "2 khu công nghiệp", not "2 khu"
    fig = f"{comp} {figure}".strip()
    if comp in ("trở lên", "trở xuống"):
        fig = f"{figure} {comp}"
    span = _years(r.period) if with_period else None
    when = "" if span is None else (f"năm {span[0]}" if span[0] == span[1] else f"giai đoạn {span[0]}-{span[1]}")
    return f"{fig} ({when})" if when else fig


_COMPARATORS = ("trên", "hơn", "không dưới", "không thấp hơn", "tối thiểu", "ít nhất", "trở lên", "dưới", "không quá",
                "tối đa", "trở xuống", "khoảng", "bình quân")


def not_stated_text(reference: str) -> str:
    """The abstention of a target question the document has no figure for."""
    return f"{reference} không nêu chỉ tiêu, mục tiêu bằng số cho nội dung này."
