"""Body: numbered sections (Phần / Chương / Mục / Điều / I. / 1. / a)) and paragraphs."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..documents import Paragraph, Section
from .lines import (
    _BULLET_RE,
    _CLOSERS,
    _MD_PREFIX_RE,
    _ends_sentence,
    _is_caps,
    _is_separator,
    _Line,
    _strip_md,
    _words,
)

# =====================================================================================
# Body: sections and paragraphs
# =====================================================================================


@dataclass(frozen=True)
class _Label:
    kind: str
    rank: int
    component: str  # path component, e.g. "II", "2", "a", "Điều 5"
    start: int  # offset of the label
    content: int  # offset where the text after the label starts
    bold_open: bool  # the line opened "**" that the label did not close


_ROMAN_RE = re.compile(r"^(?=[IVX])X{0,3}(?:IX|IV|V?I{0,3})$")
_LABEL_PATTERNS: tuple[tuple[str, int, re.Pattern[str]], ...] = (
    ("phan", 0, re.compile(r"(?:PHẦN|Phần)\s+(?P<num>THỨ\s+[^\W\d_]+|thứ\s+[^\W\d_]+|[IVX]+|\d+)(?![^\W\d_])")),
    ("phuluc", 0, re.compile(r"(?:PHỤ LỤC|Phụ lục)(?:\s+(?P<num>[IVX]+|\d+[a-z]?))?(?![^\W\d_])")),
    ("chuong", 1, re.compile(r"(?:CHƯƠNG|Chương)\s+(?P<num>[IVXLC]+|\d+)(?![^\W\d_])")),
    ("muc", 2, re.compile(r"(?:MỤC|Mục)\s+(?P<num>\d+|[IVX]+)(?![^\W\d_])")),
    ("dieu", 3, re.compile(r"(?:ĐIỀU|Điều)\s+(?P<num>\d+[a-zđ]?)(?=\s*[.:]|\s*$)")),
    ("decimal", 6, re.compile(r"(?P<num>\d{1,2}(?:\.\d{1,2})+)(?:[.)]\s*|\s+)(?=[^\W\d_])")),
    ("roman", 4, re.compile(r"(?P<num>[IVX]{1,6})\s*[.)/\-–](?=\s|$|[^\W\d_])")),
    # "1." "1)" "1/", and the old laws' "1- " (khoản written with a dash)
    ("arabic", 5, re.compile(r"(?P<num>\d{1,2})\s*(?:[.)/](?=[ \t]*[^\W\d_]|[ \t]+[^\s\d])|[-–](?=[ \t]+[^\W\d_]))")),
    ("letter", 7, re.compile(r"(?P<num>[a-zđ])(?:\s*[)/](?=\s+\S)|\.(?=\s+[^\W\d_]))")),
)
_LABEL_RANK_DIEU = 3
_WORDY_LABELS = {"phan": "Phần", "phuluc": "Phụ lục", "chuong": "Chương", "muc": "Mục", "dieu": "Điều"}


def _match_label(line: _Line) -> _Label | None:
    md = _MD_PREFIX_RE.match(line.raw)
    assert md is not None
    pos = md.end()
    rest = line.raw[pos:]
    for kind, rank, pattern in _LABEL_PATTERNS:
        m = pattern.match(rest)
        if not m:
            continue
        num = m["num"] or ""
        if kind == "roman" and not _ROMAN_RE.match(num):
            continue
        after = rest[m.end() :]
        if kind in ("phan", "phuluc", "muc"):
            tail = after.strip(" .:-–*")
            if tail and not _is_caps(tail) and not after.lstrip().startswith((".", ":", "-", "–")):
                continue  # "Mục tiêu...", "Phụ lục kèm theo..." in running text
        skip = re.match(r"[ \t]*[.:\-–]?[ \t]*(?:\*\*|__)?[ \t]*", after) if kind in _WORDY_LABELS else re.match(
            r"[ \t]*(?:\*\*|__)?[ \t]*", after
        )
        assert skip is not None
        opened = line.raw[: md.end()].count("**") + line.raw[: md.end()].count("__")
        closed = skip.group(0).count("**") + skip.group(0).count("__")
        component = num
        if kind in _WORDY_LABELS:
            spoken = kind == "phan" and not (num[:1].isdigit() or _ROMAN_RE.match(num))  # "Phần thứ nhất"
            shown = " ".join(num.split()).lower() if spoken else num.upper() if kind != "dieu" else num
            component = f"{_WORDY_LABELS[kind]} {shown}".strip()
        return _Label(kind, rank, component, line.start + pos, line.start + pos + m.end() + skip.end(), opened > closed)
    return None


def _is_heading(label: _Label, text: str) -> bool:
    """Short and not a finished sentence -> heading; otherwise a numbered paragraph.

    Headings may end with ":" ("2. Nhiệm vụ cụ thể:") or carry a stray period after a
    few words ("1. Quan điểm."), never a ";" (that is a list item).
    """
    if label.kind in ("phan", "phuluc", "chuong", "muc"):
        return True
    n = _words(text)
    if n == 0:
        return True
    roman = label.kind == "roman"
    if n > (40 if roman else 25):
        return False
    end = text.rstrip(_CLOSERS)[-1:]
    if end == ";":
        return False
    return not (end in ".!?…" and n > (6 if roman else 3))


# "QUYẾT ĐỊNH:", "QUYẾT NGHỊ:" between the preamble and the articles: a formula, not a paragraph.
_ENACTING_RE = re.compile(r"^(?:\*\*)?(?:QUYẾT ĐỊNH|QUYẾT NGHỊ|NGHỊ QUYẾT|KẾT LUẬN|CHỈ THỊ|BAN HÀNH)\s*:(?:\*\*)?$")
_CLOSING_RE = re.compile(
    r"^(?:Nghị quyết|Kết luận|Chỉ thị|Quyết định|Kế hoạch|Thông báo|Quy định|Chương trình|Hướng dẫn|"
    r"Báo cáo|Thông tri|Quy chế|Văn bản)\s+này\b"
)


@dataclass
class _Open:
    start: int
    end: int
    path: tuple[str, ...]
    last: str  # the last line's text, for the continuation test


class _BodyParser:
    """Walks body lines once, keeping a stack of open section labels."""

    def __init__(self, text: str, lines: list[_Line]):
        self.text = text
        self.lines = lines
        self.sections: list[Section] = []
        self.ranks: list[int] = []
        self.items: list[bool] = []  # section i is a numbered paragraph
        self.bounds: list[int] = []  # end of the body segment a section lives in
        self.line_starts: list[int] = []  # where each section's first line starts
        self.paragraphs: list[Paragraph] = []
        self.stack: list[tuple[int, str]] = []
        self.counts: dict[tuple[str, ...], int] = {}
        self.cur: _Open | None = None
        self.closing = False  # after a closing formula, paragraphs belong to the document
        self.cuts: list[int] = []  # where closing formulas start: open sections end before them

    @property
    def path(self) -> tuple[str, ...]:
        return tuple(c for _, c in self.stack)

    def close(self) -> None:
        if self.cur is None:
            return
        cur, self.cur = self.cur, None
        if not any(ch.isalnum() for ch in self.text[cur.start : cur.end]):
            return
        n = self.counts.get(cur.path, 0) + 1
        self.counts[cur.path] = n
        self.paragraphs.append(Paragraph(cur.start, cur.end, cur.path, n))

    def segment(self, first: int, stop: int, *, fresh: bool = False) -> None:
        """Parse lines ``first..stop-1``; ``fresh`` starts outside any section (after the tail)."""
        if fresh:
            self.stack, self.closing = [], False
        bound = self.lines[stop].start if stop < len(self.lines) else len(self.text)
        blank = False
        i = first
        while i < stop:
            line = self.lines[i]
            s = line.text
            if line.blank:
                blank = True
                i += 1
                continue
            if _is_separator(s) or _ENACTING_RE.match(s):
                self.close()
                blank = False
                i += 1
                continue
            label = _match_label(line)
            if label:
                i = self._section(label, i, stop, bound)
                blank = False
                continue
            bullet = _BULLET_RE.match(line.raw)
            start, end = line.span()
            if bullet:
                self.close()
                self._open(line.start + bullet.end(), end, s)
            elif self.cur and self._continues(self.cur.last, s, blank):
                self.cur.end, self.cur.last = end, s
            else:
                self.close()
                self._open(start, end, s)
            blank = False
            i += 1
        self.close()

    def _open(self, start: int, end: int, s: str) -> None:
        if self.items and self.items[-1] and self.path == self.sections[-1].path and _CLOSING_RE.match(s):
            self.closing = True
            self.cuts.append(start)
        self.cur = _Open(start, end, () if self.closing else self.path, s)

    @staticmethod
    def _continues(prev: str, s: str, blank: bool) -> bool:
        if _ends_sentence(prev):
            return False
        return not blank or s[:1].islower()

    def _section(self, label: _Label, i: int, stop: int, bound: int) -> int:
        """Open the section at line ``i``; return the index of the next unread line."""
        self.close()
        self.closing = False
        line = self.lines[i]
        end = line.span()[1]
        parts = [self.text[label.content : end]]
        j = i + 1
        if label.bold_open and "**" not in parts[0] and "__" not in parts[0]:
            while j < stop and j < i + 5 and not self.lines[j].blank:
                parts.append(self.lines[j].text)
                end = self.lines[j].span()[1]
                j += 1
                if "**" in parts[-1] or "__" in parts[-1]:
                    break
        elif _is_caps(parts[0]) or (label.kind in _WORDY_LABELS and not parts[0].strip(" *_")):
            # a caps heading wrapped over lines, or "Chương I" with its name on the next line
            k = j
            while k < stop and k < i + 4:
                nxt = self.lines[k]
                if nxt.blank and not parts[0].strip(" *_") and k == j:
                    k += 1
                    continue
                if nxt.blank or not _is_caps(nxt.text) or _match_label(nxt) or _is_separator(nxt.text):
                    break
                parts.append(nxt.text)
                end = nxt.span()[1]
                k += 1
                j = k
        heading = " ".join(" ".join(_strip_md(p) for p in parts).split())
        rank = label.rank
        component = label.component
        if label.kind == "decimal":  # "1.2." under "1." is ("1", "2"); otherwise it keeps "1.2"
            head, _, last = component.rpartition(".")
            parent = next((c for r, c in reversed(self.stack) if r == 5), None)
            if parent == head:
                component = last
        while self.stack and self.stack[-1][0] >= rank:
            self.stack.pop()
        self.stack.append((rank, component))
        # Below an article (Điều), a short clause or point that ends a sentence ("b) tổ
        # chức.") is content to cite, not a heading; a lead-in ("2. ... gồm:") stays the
        # heading of its points.
        under_article = any(r == _LABEL_RANK_DIEU for r, _ in self.stack[:-1])
        item = not _is_heading(label, heading) or (under_article and heading.rstrip(_CLOSERS).endswith("."))
        self.sections.append(Section(self.path, "" if item else heading, label.start, end))
        self.ranks.append(rank)
        self.items.append(item)
        self.bounds.append(bound)
        self.line_starts.append(line.span()[0])
        if item:
            first = self.lines[i]
            self.cur = _Open(label.content, first.span()[1], self.path, first.text)
            return i + 1
        return j

    def finish(self) -> None:
        """Each section ends where the next one of the same or a higher level starts."""
        for k, sec in enumerate(self.sections):
            stop = min([self.bounds[k]] + [c for c in self.cuts if c > sec.start])
            for j in range(k + 1, len(self.sections)):
                if self.ranks[j] <= self.ranks[k] or self.sections[j].start >= stop:
                    stop = min(stop, self.line_starts[j])
                    break
            end = stop
            while end > sec.start and self.text[end - 1].isspace():
                end -= 1
            sec.end = max(end, sec.end)

