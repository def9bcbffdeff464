"""Plain text and Markdown: the file's text is the document, decoded and cleaned."""

from __future__ import annotations

from pathlib import Path

from ..errors import LoadError
from .base import LoadedText, clean_text, register
from .encoding import decode_bytes


@register(".txt", ".md")
def load_text(path: Path, data: bytes) -> list[LoadedText]:
    text, encoding = decode_bytes(data, str(path))
    text = clean_text(text)
    if not text.strip():
        raise LoadError(f"{path}: file is empty (only whitespace)")
    return [LoadedText(source=str(path), text=text, encoding=encoding)]
