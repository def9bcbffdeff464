"""Word .docx: body paragraphs, heading styles, list numbering and tables, as plain text.

Why not ``paragraph.text``: Word keeps list numbers ("1.", "a)", "Điều 5.") in the
numbering part, not in the text, and the structure parser needs them to find sections;
and old files set in ``.VnTime``/``VNI-Times`` fonts hold legacy glyphs whose font name
says exactly which table converts them (an "H" font, ``.VnTimeH``, is all capitals).

Layout of the result, which ``structure.parse_structure`` reads like a typed document:
each paragraph is separated by a blank line, headings stand on their own line, and a
table row is one line with its cells separated by a tab (so the two-column header table
of a Vietnamese document reads like the two-column text header the parser knows). Page
headers/footers, comments and footnotes are not document text and are left out.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from itertools import zip_longest
from pathlib import Path
from typing import Any

from ..errors import LoadError
from .base import LoadedText, clean_text, register, roman_numeral
from .legacy import repair, to_unicode

#: Unpacked size above which a .docx is refused (a "zip bomb" expands to gigabytes).
MAX_UNPACKED_BYTES = 200_000_000

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@register(".docx")
def load_docx(path: Path, data: bytes) -> list[LoadedText]:
    _check_zip(path, data)
    try:
        import docx
    except ImportError:  # pragma: no cover - a declared dependency
        raise LoadError(f"{path}: cannot read .docx files: python-docx is not installed") from None
    from docx.opc.exceptions import OpcError
    from lxml.etree import LxmlError

    try:
        document = docx.Document(io.BytesIO(data))
        blocks, converted = _Renderer(document).render()
    except (OpcError, LxmlError, zipfile.BadZipFile, KeyError, ValueError, TypeError, AttributeError, IndexError, EOFError) as exc:
        # a malformed package: missing parts, broken XML, truncated members
        raise LoadError(f"{path}: not a readable .docx ({type(exc).__name__}: {_one_line(exc)})") from None
    text = clean_text("\n\n".join(b for b in blocks if b.strip()))
    encoding = "docx" + (f"+{converted}->unicode" if converted else "")
    if not converted:
        text, name = repair(text)
        encoding += f"+{name}->unicode" if name else ""
    if not text.strip():
        raise LoadError(f"{path}: the Word document has no text")
    return [LoadedText(source=str(path), text=text, encoding=encoding)]


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:200] or "no details"


def _check_zip(path: Path, data: bytes) -> None:
    """Refuse what is not a Word package, and packages that unpack to too much."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise LoadError(f"{path}: not a valid .docx (not a ZIP package; a .doc saved under the wrong name?)") from None
    names = {i.filename for i in infos}
    if "word/document.xml" not in names:
        raise LoadError(f"{path}: not a Word document (the package has no word/document.xml)")
    unpacked = sum(i.file_size for i in infos)
    if unpacked > MAX_UNPACKED_BYTES:
        raise LoadError(f"{path}: unpacks to {unpacked:,} bytes, over the limit of {MAX_UNPACKED_BYTES:,} bytes")


# =====================================================================================


def _letter(n: int) -> str:
    """1 -> a, 26 -> z, 27 -> aa (Word repeats the letter)."""
    return chr(ord("a") + (n - 1) % 26) * ((n - 1) // 26 + 1)


#: Beyond this a list number is kept as written (decimal): Word repeats a letter once
#: per 26 ("aaaa..."), so a list starting at 10**12 would be a 38 GB label, and a Roman
#: numeral grows by one letter per thousand. No real list counts that far.
MAX_LIST_NUMBER = 3999


def _format_number(n: int, fmt: str) -> str:
    if fmt in ("lowerLetter", "upperLetter", "lowerRoman", "upperRoman") and not 1 <= n <= MAX_LIST_NUMBER:
        return str(n)
    if fmt in ("lowerLetter", "upperLetter"):
        s = _letter(n)
        return s.upper() if fmt == "upperLetter" else s
    if fmt in ("lowerRoman", "upperRoman"):
        s = roman_numeral(n)
        return s.upper() if fmt == "upperRoman" else s
    if fmt == "decimalZero":
        return f"{n:02d}"
    if fmt == "none":
        return ""
    return str(n)


class _Numbering:
    """Renders Word list numbers ("%1.%2." with each level's format and counter)."""

    def __init__(self, document: Any) -> None:
        self.levels: dict[str, dict[int, tuple[str, str, int]]] = {}  # numId -> ilvl -> (fmt, text, start)
        self.counters: dict[str, dict[int, int]] = {}
        try:
            root = document.part.numbering_part.element
        except (KeyError, NotImplementedError, AttributeError):
            return
        abstract: dict[str, dict[int, tuple[str, str, int]]] = {}
        for a in root.iter(f"{_W}abstractNum"):
            abstract[a.get(f"{_W}abstractNumId", "")] = self._levels(a)
        for num in root.iter(f"{_W}num"):
            ref = num.find(f"{_W}abstractNumId")
            levels = dict(abstract.get(ref.get(f"{_W}val", "") if ref is not None else "", {}))
            for override in num.iter(f"{_W}lvlOverride"):
                ilvl = int(override.get(f"{_W}ilvl", "0"))
                lvl = override.find(f"{_W}lvl")
                if lvl is not None:
                    levels.update(self._levels(override))
                start = override.find(f"{_W}startOverride")
                if start is not None and ilvl in levels:
                    fmt, text, _ = levels[ilvl]
                    levels[ilvl] = (fmt, text, int(start.get(f"{_W}val", "1")))
            self.levels[num.get(f"{_W}numId", "")] = levels

    @staticmethod
    def _levels(parent: Any) -> dict[int, tuple[str, str, int]]:
        out: dict[int, tuple[str, str, int]] = {}
        for lvl in parent.iter(f"{_W}lvl"):

            def val(tag: str, default: str, lvl: Any = lvl) -> str:
                el = lvl.find(f"{_W}{tag}")
                return el.get(f"{_W}val", default) if el is not None else default

            out[int(lvl.get(f"{_W}ilvl", "0"))] = (val("numFmt", "decimal"), val("lvlText", ""), int(val("start", "1") or 1))
        return out

    def label(self, num_id: str, ilvl: int) -> str:
        levels = self.levels.get(num_id)
        if not levels or ilvl not in levels:
            return ""
        counters = self.counters.setdefault(num_id, {})
        fmt, text, start = levels[ilvl]
        counters[ilvl] = counters.get(ilvl, start - 1) + 1
        for deeper in [k for k in counters if k > ilvl]:
            del counters[deeper]
        if fmt == "bullet":
            return "-"

        def sub(m: re.Match[str]) -> str:
            k = int(m.group(1)) - 1
            f, _, s = levels.get(k, ("decimal", "", 1))
            return _format_number(counters.get(k, s), f)

        return re.sub(r"%([1-9])", sub, text).strip()


def _legacy_font(name: str | None) -> str | None:
    """'.VnTime' -> 'tcvn3', '.VnTimeH' -> 'tcvn3H' (capitals font), 'VNI-Times' -> 'vni'."""
    if not name:
        return None
    n = name.strip()
    if n.lower().startswith(".vn"):
        return "tcvn3H" if n.endswith("H") else "tcvn3"
    if n.upper().startswith("VNI"):
        return "vni"
    return None


class _Renderer:
    """Walks the document body once, in order, producing text blocks."""

    def __init__(self, document: Any) -> None:
        self.document = document
        self.numbering = _Numbering(document)
        self.converted: set[str] = set()
        self.default_font = self._default_font()

    def render(self) -> tuple[list[str], str]:
        blocks = list(self._blocks(self.document))
        return blocks, "+".join(sorted(self.converted))

    def _blocks(self, container: Any) -> Iterator[str]:
        from docx.table import Table

        for item in container.iter_inner_content():
            if isinstance(item, Table):
                yield self._table(item)
            else:
                yield self._paragraph(item)

    # --- paragraphs ---------------------------------------------------------------

    def _paragraph(self, para: Any) -> str:
        text = "".join(self._runs(para))
        label = self._number(para)
        if label and text.strip():
            text = f"{label} {text.lstrip()}"
        return text.strip("\n")

    def _runs(self, para: Any) -> Iterator[str]:
        from docx.text.hyperlink import Hyperlink

        style_font = self._style_font(para.style)
        for item in para.iter_inner_content():
            runs = item.runs if isinstance(item, Hyperlink) else [item]
            for run in runs:
                yield self._run_text(run, style_font)

    def _run_text(self, run: Any, style_font: str | None) -> str:
        text = run.text
        rpr = run._r.rPr
        font = None
        if rpr is not None and rpr.rFonts is not None:
            font = rpr.rFonts.get(f"{_W}ascii") or rpr.rFonts.get(f"{_W}hAnsi")
        kind = _legacy_font(font or style_font or self.default_font)
        if kind is None or not text:
            return text
        encoding = "tcvn3" if kind.startswith("tcvn3") else "vni"
        self.converted.add(encoding)
        out = to_unicode(text, encoding, restore_case=False)
        return out.upper() if kind == "tcvn3H" else out

    def _style_font(self, style: Any) -> str | None:
        while style is not None:
            try:
                name = style.font.name
            except AttributeError:
                name = None
            if name:
                return str(name)
            style = style.base_style
        return None

    def _default_font(self) -> str | None:
        try:
            styles = self.document.styles.element
        except AttributeError:
            return None
        fonts = styles.find(f"{_W}docDefaults/{_W}rPrDefault/{_W}rPr/{_W}rFonts")
        return fonts.get(f"{_W}ascii") if fonts is not None else None

    def _number(self, para: Any) -> str:
        """The list label Word draws before the paragraph ("1.", "a)", "Điều 3."), or ""."""
        num_id, ilvl = None, 0
        ppr = para._p.pPr
        num_pr = ppr.numPr if ppr is not None else None
        style = para.style
        while num_pr is None and style is not None:  # numbering inherited from the style
            spr = style.element.pPr
            num_pr = spr.numPr if spr is not None else None
            style = style.base_style
        if num_pr is None:
            return ""
        if num_pr.numId is not None:
            num_id = str(num_pr.numId.val)
        if num_pr.ilvl is not None:
            ilvl = int(num_pr.ilvl.val)
        if not num_id or num_id == "0":
            return ""
        return self.numbering.label(num_id, ilvl)

    # --- tables -------------------------------------------------------------------

    def _table(self, table: Any) -> str:
        """One line per row, cells separated by a tab; a cell's own paragraphs are
        interleaved line by line, as a two-column document header reads."""
        lines: list[str] = []
        for row in table.rows:
            cells: list[list[str]] = []
            seen: set[int] = set()
            for cell in row.cells:
                if id(cell._tc) in seen:  # a merged cell is listed once per grid column
                    continue
                seen.add(id(cell._tc))
                parts = "\n".join(b for b in self._blocks(cell) if b.strip())
                cells.append([" ".join(x.split()) for x in parts.split("\n") if x.strip()])
            for row_line in zip_longest(*cells, fillvalue=""):
                line = "\t".join(row_line).rstrip()
                if line.strip():
                    lines.append(line)
        return "\n".join(lines)
