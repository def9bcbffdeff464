"""Reading a document's own structure for answers: section headings, list items, outlines.

Lists and summaries answer from the shape the drafters gave the text: the sub-sections of
a section ("II. MỘT SỐ GIẢI PHÁP CHỦ YẾU" -> 1., 2., ...), the paragraphs after a
sentence that ends in a colon, bullet lines, "Nhãn: …" paragraphs. Every item is a span
of the document text, so it can be quoted and cited exactly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..documents import Document, Section
from ..text import split_sentences

#: Words an item is cut to when shown (the citation quotes the whole sentence).
ITEM_WORDS = 40
_MARKER = re.compile(r"^[ \t]*(?:[-–•+*]|\d+(?:\.\d+)*[.)]|[a-zđ]\)|[IVXLC]+\.)[ \t]+")


@dataclass
class Item:
    start: int  # the span shown and cited: one sentence (or heading) of the document
    end: int
    short: str  # what the answer line shows (a prefix of the span, cut to ITEM_WORDS)


def heading_span(doc: Document, sec: Section) -> tuple[int, int]:
    """The heading line(s) of ``sec`` without its label: up to its first paragraph or child."""
    stops = [p.start for p in doc.paragraphs if sec.start < p.start < sec.end]
    stops += [s.start for s in doc.sections if sec.start < s.start < sec.end]
    end = min(stops) if stops else sec.end
    text = doc.text[sec.start:end]
    m = _MARKER.match(text)
    s = sec.start + (m.end() if m else 0)
    e = end
    while e > s and (doc.text[e - 1].isspace() or doc.text[e - 1] in "*#:-–•+"):
        e -= 1
    while s < e and doc.text[s] in " *#\t":
        s += 1
    return s, e


#: A "heading" of more words is the first sentence of its item ("1. Lựa chọn nhà đầu tư ...").
TITLE_MAX_WORDS = 20
#: Heading words of the parts that set out what is to be done, and of the parts that review what
#: was done: a question asking for "giải pháp" is answered by a "Nhiệm vụ" or "Định hướng" part
#: when no heading says "giải pháp", never by "Tình hình thực hiện" or "Kết quả đạt được".
PLAN_WORDS = ("giải pháp", "biện pháp", "nhiệm vụ", "định hướng", "phương hướng")
REVIEW_WORDS = ("tình hình", "kết quả", "thực trạng", "đánh giá", "hạn chế", "tồn tại", "yếu kém", "nguyên nhân", "bài học")


def is_title(heading: str) -> bool:
    """A heading of its own (two to ``TITLE_MAX_WORDS`` words on one block), not the opening sentence of a numbered item."""
    return 2 <= len(heading.split()) <= TITLE_MAX_WORDS and "\n\n" not in heading


def path(doc: Document, sec: Section) -> list[Section]:
    """``sec`` and the sections it lies in, outermost first."""
    return [x for x in doc.sections if sec.path[: len(x.path)] == x.path]


def children(doc: Document, sec: Section) -> list[Section]:
    n = len(sec.path)
    return [s for s in doc.sections if len(s.path) == n + 1 and s.path[:n] == sec.path]


def first_sentence(doc: Document, start: int, end: int) -> tuple[int, int] | None:
    text = doc.text[start:end]
    for s, e in split_sentences(text):
        if text[s:e].strip():
            return start + s, start + e
    return None


def shorten(text: str, words: int = ITEM_WORDS) -> str:
    """A prefix of ``text`` of at most ``words`` words, cut at a clause end when one is near."""
    text = " ".join(text.split())
    toks = text.split(" ")
    if len(toks) <= words:
        return text.rstrip(" ;,")
    cut = " ".join(toks[:words])
    m = None
    for m in re.finditer(r"[;:]", cut):  # noqa: B007 - the last separator is wanted
        pass
    if m is not None and m.start() > len(cut) // 3:
        return cut[: m.start()].rstrip() + "…"
    return cut.rstrip(" ,;") + "…"


def item_at(doc: Document, start: int, end: int) -> Item | None:
    """The first sentence of the text in [start, end), without a list marker; None for a
    label standing alone ("1." on its own line above its heading)."""
    m = _MARKER.match(doc.text[start:end])
    if m:
        start += m.end()
    span = first_sentence(doc, start, end)
    if span is None or not any(c.isalpha() for c in doc.text[span[0]:span[1]]):
        return None
    s, e = span
    while s < e and doc.text[s].isspace():
        s += 1
    return Item(s, e, shorten(doc.text[s:e]))


def section_items(doc: Document, sec: Section) -> list[Item]:
    """The items of a section: its sub-sections (heading, or first sentence when the heading
    is the sentence itself), else its paragraphs and bullet lines."""
    kids = children(doc, sec)
    out: list[Item] = []
    if kids:
        for k in kids:
            hs, he = heading_span(doc, k)
            heading = doc.text[hs:he]
            if is_title(heading):
                out.append(Item(hs, he, shorten(heading)))
                continue
            item = item_at(doc, hs, k.end)
            if item:
                out.append(item)
        return out
    hs, he = heading_span(doc, sec)
    return units(doc, he, sec.end)


def units(doc: Document, start: int, end: int) -> list[Item]:
    """Paragraphs in [start, end), each split at bullet lines, as items."""
    out: list[Item] = []
    for p in doc.paragraphs:
        if p.end <= start or p.start >= end:
            continue
        s, e = max(p.start, start), min(p.end, end)
        lines = [m for m in re.finditer(r"[^\n]+", doc.text[s:e])]
        bullets = [m for m in lines if _MARKER.match(m.group(0))]
        if len(bullets) >= 2:
            for m in bullets:
                item = item_at(doc, s + m.start(), s + m.end())
                if item:
                    out.append(item)
            continue
        item = item_at(doc, s, e)
        if item:
            out.append(item)
    return out


def innermost(doc: Document, offset: int) -> Section | None:
    best = None
    for s in doc.sections:
        if s.start <= offset < s.end and (best is None or len(s.path) > len(best.path)):
            best = s
    return best


def items_after(doc: Document, offset: int) -> list[Item]:
    """The list a sentence ending in ":" introduces: what follows it, to the end of its section."""
    sec = innermost(doc, offset)
    end = sec.end if sec else len(doc.text)
    for s in doc.sections:  # stop at the next section of any level
        if offset < s.start < end:
            end = s.start
    for kind in ("signature", "recipients"):
        for b_start, _ in doc.blocks.get(kind, []):
            if offset < b_start < end:
                end = b_start
    return units(doc, offset, end)


def outline(doc: Document) -> list[tuple[Section, tuple[int, int], Item | None]]:
    """Top-level sections with their heading span and key (first) sentence."""
    top = [s for s in doc.sections if len(s.path) == 1]
    out = []
    for sec in top:
        hs, he = heading_span(doc, sec)
        key = None
        for p in doc.paragraphs:
            if sec.start <= p.start < sec.end and p.start >= he:
                key = item_at(doc, p.start, p.end)
                break
        out.append((sec, (hs, he), key))
    return out
