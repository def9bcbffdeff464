"""PDF with a text layer (pypdf, BSD): the text of every page, pages separated by a blank line.

Why pypdf: pure Python and permissively licensed, and it maps glyphs back to Unicode
through each font's ToUnicode table, which is what Vietnamese PDFs exported from Word
carry. A scanned PDF has no text layer; it is refused with ``NoTextLayer`` (a
``LoadError`` that says OCR is not supported), so ingest can report and skip it.

Lines stay as pypdf gives them: the structure parser already joins a hard-wrapped line
that does not end a sentence with the next one, and takes numbered lines ("Điều 5.",
"1.", "a)") as section labels. Lines that are only a page number ("- 3 -", "Trang 3")
are page furniture, not text, and are dropped. Legacy-font text (``.VnTime``, ``VNI``)
goes through the content detector like any other; the font names only decide when
there is too little text for it to judge.
"""

from __future__ import annotations

import io
import logging
import re
from pathlib import Path
from typing import Any

from ..errors import LoadError
from .base import LoadedText, NoTextLayer, clean_text, register
from .legacy import repair, to_unicode

_PAGE_NUMBER_RE = re.compile(r"^\s*(?:[-–—]\s*)?(?:trang\s+)?\d{1,4}(?:\s*/\s*\d{1,4})?(?:\s*[-–—])?\s*$", re.IGNORECASE)


@register(".pdf")
def load_pdf(path: Path, data: bytes) -> list[LoadedText]:
    if b"%PDF-" not in data[:1024]:
        raise LoadError(f"{path}: not a PDF file (no %PDF- header)")
    try:
        from pypdf import PdfReader
        from pypdf.errors import PyPdfError
    except ImportError:  # pragma: no cover - a declared dependency
        raise LoadError(f"{path}: cannot read .pdf files: pypdf is not installed") from None
    logging.getLogger("pypdf").setLevel(logging.ERROR)  # its warnings about sloppy PDFs are not ours to print
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise LoadError(f"{path}: the PDF is encrypted with a password")
        pages = [page.extract_text() or "" for page in reader.pages]
        fonts = _font_names(reader)
    except LoadError:
        raise
    except (PyPdfError, ValueError, TypeError, KeyError, AttributeError, IndexError, OSError, RecursionError) as exc:
        raise LoadError(f"{path}: damaged PDF ({type(exc).__name__}: {' '.join(str(exc).split())[:200]})") from None
    if not pages:
        raise LoadError(f"{path}: the PDF has no pages")
    if not any(any(ch.isalnum() for ch in page) for page in pages):
        raise NoTextLayer(f"{path}: no text layer; OCR is not supported")
    text = "\n\n".join(_drop_page_numbers(p) for p in pages)
    text, name = repair(text)
    legacy = _legacy_from_fonts(fonts)
    if name is None and legacy and not _has_vietnamese_letters(text):
        text, name = to_unicode(text, legacy), legacy  # too little text for the detector
    encoding = "pdf" + (f"+{name}->unicode" if name else "")
    text = clean_text(text).strip("\n")
    return [LoadedText(source=str(path), text=text, encoding=encoding)]


def _drop_page_numbers(page: str) -> str:
    lines = page.strip("\n").split("\n")
    while lines and (not lines[0].strip() or _PAGE_NUMBER_RE.match(lines[0])):
        lines.pop(0)
    while lines and (not lines[-1].strip() or _PAGE_NUMBER_RE.match(lines[-1])):
        lines.pop()
    return "\n".join(line.rstrip() for line in lines)


def _font_names(reader: Any) -> set[str]:
    names: set[str] = set()
    for page in reader.pages:
        resources = page.get("/Resources")
        fonts = resources.get_object().get("/Font") if resources is not None else None
        if fonts is None:
            continue
        for ref in fonts.get_object().values():
            base = ref.get_object().get("/BaseFont")
            if base:
                names.add(str(base).lstrip("/").split("+", 1)[-1])
    return names


def _has_vietnamese_letters(text: str) -> bool:
    return any("\u1ea0" <= ch <= "\u1ef9" or ch in "ăĂđĐơƠưƯ" for ch in text)


def _legacy_from_fonts(fonts: set[str]) -> str | None:
    """'.VnTime' -> tcvn3, 'VNI-Times' -> vni, if one legacy family is used. Only a
    hint: it decides when the content detector has too little text to judge."""
    kinds = {"tcvn3" if f.lower().startswith(".vn") else "vni" if f.upper().startswith("VNI") else "" for f in fonts}
    kinds.discard("")
    return kinds.pop() if len(kinds) == 1 else None
