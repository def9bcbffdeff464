"""Paragraphs -> passages: the unit that is embedded, searched and cited.

A passage is one paragraph where possible, so that "đoạn N" in a citation means what a
reader counts. Very short paragraphs are merged into the next paragraph of the same
section (they carry little meaning alone); very long ones are split at sentence
boundaries, and a sentence still over the budget (a 20 MB text on one line, a table
flattened into one "sentence") is cut at word boundaries, a word longer than any real
one at a character count: no passage exceeds the budget whatever the line structure.
Every passage is a contiguous span of the display text.

A document whose body opens with a title line outside every section (a law article
exported as "Đơn phương chấm dứt hợp đồng làm việc" + its clauses, without the "Điều 29."
the parser reads as a heading) gives that title to the headings of all its passages, as
"Điều 29. ..." would: clause (d) split off alone still says what article it belongs to.
"""

from __future__ import annotations

import re

from .documents import Document, Paragraph, Passage
from .text import split_sentences

#: Characters per word assumed when a text has no spaces to cut at (a base64 blob, a
#: run of one letter): a passage is then at most ``max_words * MAX_WORD_CHARS`` characters.
MAX_WORD_CHARS = 30
_WORD_RE = re.compile(r"\S+")
#: Part of the index hash: a change of what passages hold (spans or headings) rebuilds the index.
CHUNKER_VERSION = 2
#: A lead title: one line, at most this many words, no sentence punctuation at its end.
LEAD_TITLE_MAX_WORDS = 20
_LEAD_END = re.compile(r"[.;:,!?…]$")
_LIST_MARK = re.compile(r"^(?:\d+[.)]|[a-zđ][.)]|[-–•*+])\s")


def _cut_words(text: str, start: int, end: int, max_words: int) -> list[tuple[int, int]]:
    """Spans of ``text[start:end]`` with at most ``max_words`` words and at most
    ``max_words * MAX_WORD_CHARS`` characters each, cut at white space where there is some."""
    max_chars = max_words * MAX_WORD_CHARS
    spans: list[tuple[int, int]] = []
    cur_start: int | None = None
    cur_end = start
    words = 0
    for m in _WORD_RE.finditer(text, start, end):
        ws, we = m.start(), m.end()
        while we - ws > max_chars:  # one "word" longer than a passage: cut it
            if cur_start is not None:
                spans.append((cur_start, cur_end))
                cur_start, words = None, 0
            spans.append((ws, ws + max_chars))
            ws += max_chars
        if cur_start is not None and (words + 1 > max_words or we - cur_start > max_chars):
            spans.append((cur_start, cur_end))
            cur_start, words = None, 0
        if cur_start is None:
            cur_start = ws
        cur_end = we
        words += 1
    if cur_start is not None:
        spans.append((cur_start, cur_end))
    return spans


def _words(text: str) -> int:
    return len(text.split())


def _split_long(doc: Document, par: Paragraph, max_words: int) -> list[tuple[int, int]]:
    """Split one paragraph into spans of at most ~max_words, at sentence ends."""
    text = doc.text[par.start : par.end]
    if len(text) <= max_words * MAX_WORD_CHARS and _words(text) <= max_words:
        return [(par.start, par.end)]
    spans: list[tuple[int, int]] = []
    cur_start: int | None = None
    cur_end = 0
    cur_words = 0
    pieces: list[tuple[int, int]] = []
    for s, e in split_sentences(text):
        if e - s > max_words * MAX_WORD_CHARS or _words(text[s:e]) > max_words:
            pieces += _cut_words(text, s, e, max_words)
        else:
            pieces.append((s, e))
    for s, e in pieces:
        n = _words(text[s:e])
        if cur_start is not None and (cur_words + n > max_words or e - cur_start > max_words * MAX_WORD_CHARS):
            spans.append((par.start + cur_start, par.start + cur_end))
            cur_start, cur_words = None, 0
        if cur_start is None:
            cur_start = s
        cur_end = e
        cur_words += n
    if cur_start is not None:
        spans.append((par.start + cur_start, par.start + cur_end))
    return spans or [(par.start, par.end)]


def lead_title(doc: Document) -> str:
    """The title line a document's body opens with when no section heading holds it ('' if none):
    the first paragraph, outside every section, one line of at most ``LEAD_TITLE_MAX_WORDS``
    words that does not end like a sentence or start like a list item, followed by more text."""
    pars = doc.paragraphs
    if len(pars) < 2 or pars[0].section_path:
        return ""
    text = doc.text[pars[0].start : pars[0].end].strip()
    if not text or "\n" in text or _words(text) > LEAD_TITLE_MAX_WORDS:
        return ""
    if _LEAD_END.search(text) or _LIST_MARK.match(text.lower()):
        return ""
    return text


def _common_prefix(paths: list[tuple[str, ...]]) -> tuple[str, ...]:
    prefix = paths[0]
    for p in paths[1:]:
        n = 0
        while n < min(len(prefix), len(p)) and prefix[n] == p[n]:
            n += 1
        prefix = prefix[:n]
    return prefix


def _whole_document(doc: Document, max_words: int) -> Passage | None:
    """A short document (a single article, a regulation paragraph) is one passage:
    split into its clauses, each piece would lose the context that makes it findable."""
    pars = doc.paragraphs
    if len(pars) < 2 or sum(_words(doc.text[p.start : p.end]) for p in pars) > max_words:
        return None
    if pars[-1].end - pars[0].start > max_words * MAX_WORD_CHARS:
        return None
    start, end = pars[0].start, pars[-1].end
    for spans in doc.blocks.values():
        if any(s < end and e > start for s, e in spans):
            return None  # a signature or recipient list sits between paragraphs
    path = _common_prefix([p.section_path for p in pars])
    return Passage(
        id=f"{doc.id}#1",
        doc_id=doc.id,
        start=start,
        end=end,
        text=doc.text[start:end],
        section_path=path,
        headings=tuple(doc.heading_titles(path)),  # its text opens with any lead title
        paragraph=pars[0].number if pars[0].section_path == path else 0,
    )


def chunk_document(doc: Document, max_words: int = 180, min_words: int = 12) -> list[Passage]:
    whole = _whole_document(doc, max_words)
    if whole is not None:
        return [whole]
    passages: list[Passage] = []
    pending: Paragraph | None = None  # a short paragraph waiting to be merged forward
    lead = lead_title(doc)
    title_end = doc.paragraphs[0].end if lead else -1

    def emit(start: int, end: int, par: Paragraph) -> None:
        headings = tuple(doc.heading_titles(par.section_path))
        if lead and start >= title_end:  # the title itself is not its own heading
            headings = (lead, *headings)
        passages.append(
            Passage(
                id=f"{doc.id}#{len(passages) + 1}",
                doc_id=doc.id,
                start=start,
                end=end,
                text=doc.text[start:end],
                section_path=par.section_path,
                headings=headings,
                paragraph=par.number,
            )
        )

    def emit_split(par: Paragraph) -> None:
        for s, e in _split_long(doc, par, max_words):
            emit(s, e, par)

    for par in doc.paragraphs:
        if pending is not None and pending.section_path != par.section_path:
            emit_split(pending)
            pending = None
        words = _words(doc.text[par.start : par.end])
        first = pending or par
        if words < min_words and pending is None:
            pending = par
            continue
        if (
            pending is not None
            and words + _words(doc.text[pending.start : pending.end]) <= max_words
            and par.end - pending.start <= max_words * MAX_WORD_CHARS
        ):
            emit(pending.start, par.end, first)
            pending = None
            continue
        if pending is not None:
            emit_split(pending)
            pending = None
        emit_split(par)
    if pending is not None:
        emit_split(pending)
    return passages
