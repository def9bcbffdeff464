"""Lines and cells: the physical lines of a text with their offsets, the column cells of
two-column layouts, and the small text predicates every part of the parser shares."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from ..text import fold, unify_tone_marks

# =====================================================================================
# Lines and cells
# =====================================================================================


@dataclass(frozen=True)
class _Cell:
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class _Line:
    index: int
    start: int  # offset of the line's first character in the text
    raw: str  # the line without its "\n"

    @property
    def text(self) -> str:
        return self.raw.strip()

    @property
    def blank(self) -> bool:
        return not self.raw.strip()

    def span(self) -> tuple[int, int]:
        """Offsets of the line's content without surrounding whitespace."""
        lead = len(self.raw) - len(self.raw.lstrip())
        return self.start + lead, self.start + len(self.raw.rstrip())

    def cells(self) -> list[_Cell]:
        """Column cells: two-column layouts separate columns with tabs or 3+ spaces (see ``_CELL_SEP``)."""
        out: list[_Cell] = []
        pos = 0
        for m in list(_CELL_SEP.finditer(self.raw)) + [None]:
            stop = m.start() if m else len(self.raw)
            piece = self.raw[pos:stop]
            if piece.strip():
                lead = len(piece) - len(piece.lstrip())
                s = self.start + pos + lead
                out.append(_Cell(s, s + len(piece.strip()), piece.strip()))
            if m:
                pos = m.end()
        # "Số:   15/2026/NQ-CP": the label and its number are one cell, however far apart
        for k in range(len(out) - 1, 0, -1):
            if _NUMBER_LABEL_RE.match(out[k - 1].text) and out[k].text[:1].isdigit():
                a, b = out[k - 1], out[k]
                out[k - 1 : k + 1] = [_Cell(a.start, b.end, self.raw[a.start - self.start : b.end - self.start])]
        return out


# Columns: tabs or 3+ spaces (text and docx layouts), " | " of a markdown table flattened
# into one line, and rules of "____"/"----" glued between two cells ("CHÍNH PHỦ_____ Số: ...").
_NUMBER_LABEL_RE = re.compile(r"^(?:Số|SỐ)\s*[:.]?$")
_CELL_SEP = re.compile(r"\t+| {3,}|[ \t]*\|[ \t]*|(?<=\S)[_=]{3,}|[_=]{3,}(?=\S)|(?<=[^\W\d_])-{4,}|-{4,}(?=[^\W\d_])")


def _split_lines(text: str) -> list[_Line]:
    lines: list[_Line] = []
    pos = 0
    for i, raw in enumerate(text.split("\n")):
        lines.append(_Line(i, pos, raw))
        pos += len(raw) + 1
    return lines


# =====================================================================================
# Small text predicates and display helpers
# =====================================================================================


def _folded(s: str) -> str:
    """Accent-less, lower-case, single-spaced: for tolerant vocabulary tests."""
    return " ".join(fold(s).lower().split())


def _lower(s: str) -> str:
    """Lower-case, single-spaced, new-style tone marks: for exact vocabulary tests."""
    return " ".join(unify_tone_marks(s).lower().split())


def _is_caps(s: str) -> bool:
    letters = [c for c in s if c.isalpha()]
    return len(letters) >= 2 and sum(c.isupper() for c in letters) >= 0.85 * len(letters)


def _words(s: str) -> int:
    return len(s.split())


_CLOSERS = ")\"'”’»*_ \t"


def _ends_sentence(s: str) -> bool:
    return s.rstrip(_CLOSERS).endswith((".", "!", "?", ";", ":", "…"))


def _strip_md(s: str) -> str:
    """Markdown heading markers and bold/underline emphasis out of a line."""
    return re.sub(r"\*\*|__", "", re.sub(r"^\s*#{1,6}\s+", "", s))


def _clean_value(s: str) -> str:
    """A metadata value: markdown out, whitespace collapsed, new-style tone marks."""
    s = " ".join(_strip_md(part) for part in s.split("\n"))
    return unify_tone_marks(" ".join(s.split())).strip(" ,;")


_SEPARATOR_RE = re.compile(r"^(?=.*[-–—_=*~])[-–—_=*~.•·oO0\s]+$")
_MD_PREFIX_RE = re.compile(r"[ \t]*(?:#{1,6}[ \t]+)?(?:\*\*|__)?[ \t]*")

_BULLET_RE = re.compile(r"^[ \t]*(?:[-–—+•][ \t]+(?=\S)|[-–—+•](?=[^\W\d_])|\*[ \t]+(?=\S))")


def _is_separator(s: str) -> bool:
    return bool(_SEPARATOR_RE.match(s))


def _is_motto(s: str) -> bool:
    f = _folded(s)
    return (
        "cong hoa xa hoi chu nghia viet nam" in f
        or ("doc lap" in f and "hanh phuc" in f)
        or f.strip(" -*") == "dang cong san viet nam"
    )



def _join_lines(
    lines: list[_Line], first: int, stop: int, text: str, joins: Callable[[_Line, _Line, int, str], bool]
) -> list[tuple[_Line, int]]:
    """Logical lines of ``lines[first:stop]``: a line and the next non-blank one (at most
    one blank line between) become one when ``joins(a, b, blanks_between, text)`` says the
    second continues the first (a hard wrap of a web copy). Each comes with the index of
    its last physical line.

    A joined line's ``raw`` is the original text from its first to its last physical line
    with line breaks turned into spaces: the same length, so every offset taken from it
    points into the untouched text. Its ``index`` is its position in the returned list.
    """
    out: list[tuple[_Line, int]] = []
    i = first
    while i < stop:
        cur = lines[i]
        last = i
        while not cur.blank:
            j = last + 1
            while j < stop and lines[j].blank and j - last <= 2:
                j += 1
            if j >= stop or not joins(cur, lines[j], j - last - 1, text):
                break
            end = lines[j].start + len(lines[j].raw)
            cur = _Line(len(out), cur.start, text[cur.start : end].replace("\n", " "))
            last = j
        out.append((_Line(len(out), cur.start, cur.raw), last))
        i = last + 1
    return out
