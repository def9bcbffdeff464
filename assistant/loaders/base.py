"""What every loader returns, the suffix registry, and the text clean-up they share.

Loaders only turn bytes into display text; they never interpret structure. The
registry maps a file suffix to one function so that .docx/.pdf/.html loaders can be
added later as one decorated function each, without touching ``load_path``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import LoadError


@dataclass
class LoadedText:
    """One document's display text plus the metadata the file supplied."""

    source: str  # the path as given; for JSONL "<path>#<id>"
    text: str  # NFC, zero-width stripped, line ends "\n"; otherwise as in the file
    metadata: dict[str, str] = field(default_factory=dict)  # DocumentMeta field names -> supplied values
    doc_id: str | None = None  # JSONL "id"
    encoding: str = ""  # detected: "utf-8", "utf-8-sig", "utf-16", "cp1258", "tcvn3"...


class NoTextLayer(LoadError):
    """The file is a document we cannot read by design (a scanned PDF: OCR is not
    supported). Still a one-line ``LoadError``; a separate type so that ingest can
    report it and skip the file instead of treating it as a broken one."""


#: A loader gets the path (for messages and sources) and the file's bytes.
Loader = Callable[[Path, bytes], list[LoadedText]]

_REGISTRY: dict[str, Loader] = {}


def register(*suffixes: str) -> Callable[[Loader], Loader]:
    """Register ``fn`` as the loader for ``suffixes`` (lower-case, with the dot)."""

    def deco(fn: Loader) -> Loader:
        for suffix in suffixes:
            _REGISTRY[suffix.lower()] = fn
        return fn

    return deco


def loader_for(suffix: str) -> Loader | None:
    return _REGISTRY.get(suffix.lower())


def supported_suffixes() -> list[str]:
    return sorted(_REGISTRY)


# Zero-width space/non-joiner/joiner, word joiner and BOM/ZWNBSP: invisible, and they
# break word matching and NFC composition when they sit inside a syllable.
_ZERO_WIDTH_RE = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")
# Runs of combining marks: Vietnamese needs at most two on a letter (a hat and a tone);
# "Zalgo" floods stack thousands, which every later step (NFC, segmentation, search
# snippets) pays for. Runs are cut to three marks.
_MARKS = "[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]"
_MARK_RUN_RE = re.compile(f"({_MARKS}{{3}}){_MARKS}+")


_ROMAN = [
    (1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"), (50, "l"),
    (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i"),
]


def roman_numeral(n: int) -> str:
    """1 -> i, 14 -> xiv (lower case): list labels of Word and HTML ordered lists."""
    out = ""
    for value, letters in _ROMAN:
        while n >= value:
            out, n = out + letters, n - value
    return out


def clean_text(text: str) -> str:
    """Zero-width characters out, runs of combining marks cut to three, line ends to
    ``\\n``, then NFC.

    Zero-width characters go first: one between a base letter and its combining tone
    mark would stop NFC from composing them. A lone ``\\r`` (old Mac line ends) also
    becomes ``\\n``, since the structure parser works on ``\\n``-separated lines.
    """
    text = _ZERO_WIDTH_RE.sub("", text)
    text = _MARK_RUN_RE.sub(r"\1", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", text)
