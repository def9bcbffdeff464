"""JSON Lines: one document per line, ``{"id", "text", "title"?, ...metadata}``.

``id`` (string or integer) and ``text`` (non-empty string) are required; keys that are
``DocumentMeta`` field names (``title`` included) become supplied metadata; other keys
are ignored, so exports from other tools load without editing. Errors name the line.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from ..documents import META_FIELDS
from ..errors import LoadError
from .base import LoadedText, clean_text, register
from .encoding import decode_bytes
from .sidecar import check_meta_value

#: One file, this many documents at most: each becomes a document, its passages and a
#: docstore row; a million one-line records is an export to split, not one upload.
MAX_JSONL_DOCUMENTS = 100_000


@register(".jsonl")
def load_jsonl(path: Path, data: bytes) -> list[LoadedText]:
    raw, encoding = decode_bytes(data, str(path))
    out: list[LoadedText] = []
    seen: dict[str, int] = {}
    # Not splitlines(): it also splits at U+2028/U+0085..., which JSON strings may hold raw.
    for lineno, line in enumerate(re.split(r"\r\n|\r|\n", raw), start=1):
        if not line.strip():
            continue
        where = f"{path}:{lineno}"
        obj = _json_object(line, where)
        if len(out) >= MAX_JSONL_DOCUMENTS:
            raise LoadError(f"{where}: more than {MAX_JSONL_DOCUMENTS:,} documents in one file; split it into several files")
        doc_id = _doc_id(obj, where)
        if doc_id in seen:
            raise LoadError(f"{where}: duplicate id {doc_id!r} (first on line {seen[doc_id]})")
        seen[doc_id] = lineno
        text, metadata = _text(obj, where), _metadata(obj, where)
        out.append(LoadedText(source=f"{path}#{doc_id}", text=text, metadata=metadata, doc_id=doc_id, encoding=encoding))
    if not out:
        raise LoadError(f"{path}: file is empty (no JSON lines)")
    return out


def _json_object(line: str, where: str) -> dict[str, object]:
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        raise LoadError(f"{where}: invalid JSON ({exc.msg} at column {exc.colno})") from None
    except (ValueError, RecursionError) as exc:  # a number too long to convert, nesting too deep
        raise LoadError(f"{where}: invalid JSON ({str(exc).split(':')[0]})") from None
    if not isinstance(obj, dict):
        raise LoadError(f"{where}: expected a JSON object, got {type(obj).__name__}")
    return obj


def _text(obj: dict[str, object], where: str) -> str:
    if "text" not in obj:
        raise LoadError(f"{where}: missing \"text\"")
    value = obj["text"]
    if not isinstance(value, str):
        raise LoadError(f"{where}: \"text\" must be a string, got {type(value).__name__}")
    text = clean_text(value)
    if not text.strip():
        raise LoadError(f"{where}: \"text\" is empty")
    return text


def _metadata(obj: dict[str, object], where: str) -> dict[str, str]:
    metadata: dict[str, str] = {}
    for key in META_FIELDS:
        if key not in obj or obj[key] is None:
            continue
        value = obj[key]
        if not isinstance(value, str):
            raise LoadError(f"{where}: {key!r} must be a string, got {type(value).__name__}")
        value = clean_text(value).strip()
        check_meta_value(where, key, value)
        if value:
            metadata[key] = value
    return metadata


def _doc_id(obj: dict[str, object], where: str) -> str:
    if "id" not in obj:
        raise LoadError(f"{where}: missing \"id\"")
    value = obj["id"]
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise LoadError(f"{where}: \"id\" must be a string or an integer, got {type(value).__name__}")
    doc_id = str(value).strip()
    if not doc_id:
        raise LoadError(f"{where}: \"id\" is empty")
    return doc_id
