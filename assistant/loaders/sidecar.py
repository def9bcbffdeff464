"""Metadata sidecars: ``foo.meta.json`` next to ``foo.txt`` supplies what the text lacks.

A sidecar is a JSON object of ``DocumentMeta`` field names to string values. Its values
are *supplied*, not parsed: ``DocumentMeta.merged_with_sidecar`` lets values found in
the document's own text win and records which fields came from the sidecar. Unknown
keys are an error here (a misspelt ``"provice"`` would otherwise vanish silently).
"""

from __future__ import annotations

import json
from pathlib import Path

from ..documents import META_FIELDS
from ..errors import LoadError

SIDECAR_SUFFIX = ".meta.json"


def is_sidecar(path: Path) -> bool:
    """True for ``*.meta.json`` files, which describe a document and are not one."""
    return Path(path).name.lower().endswith(SIDECAR_SUFFIX)


def sidecar_for(path: Path) -> Path:
    """``dir/foo.txt`` -> ``dir/foo.meta.json`` (same rule as the ingest hash uses)."""
    path = Path(path)
    return path.with_name(path.stem + SIDECAR_SUFFIX)


def read_sidecar(path: Path) -> dict[str, str]:
    """The supplied metadata for document ``path``; ``{}`` when it has no sidecar."""
    side = sidecar_for(path)
    if not side.is_file():
        return {}
    try:
        raw = side.read_bytes().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise LoadError(f"{side}: cannot read metadata sidecar ({exc})") from None
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise LoadError(f"{side}: invalid JSON in metadata sidecar ({exc.msg} at line {exc.lineno} column {exc.colno})") from None
    except (ValueError, RecursionError) as exc:  # a number too long to convert, nesting too deep
        raise LoadError(f"{side}: invalid JSON in metadata sidecar ({str(exc).split(':')[0]})") from None
    if not isinstance(data, dict):
        raise LoadError(f"{side}: metadata sidecar must be a JSON object, got {type(data).__name__}")
    out: dict[str, str] = {}
    for key, value in data.items():
        if key not in META_FIELDS:
            raise LoadError(f"{side}: unknown metadata field {key!r} (known: {', '.join(META_FIELDS)})")
        if not isinstance(value, str):
            raise LoadError(f"{side}: metadata field {key!r} must be a string, got {type(value).__name__}")
        if value.strip():
            out[key] = value.strip()
    return out
