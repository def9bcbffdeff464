"""Metadata sidecars: ``foo.meta.json`` next to ``foo.txt`` supplies what the text lacks.

A sidecar is a JSON object of ``DocumentMeta`` field names to string values. Its values
are *supplied*, not parsed: ``DocumentMeta.merged_with_sidecar`` lets values found in
the document's own text win and records which fields came from the sidecar. Unknown
keys are an error here (a misspelt ``"provice"`` would otherwise vanish silently).
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

from ..documents import META_FIELDS
from ..errors import LoadError

SIDECAR_SUFFIX = ".meta.json"
#: A sidecar is a handful of short fields; a bigger file is not one.
MAX_SIDECAR_BYTES = 256_000
#: A metadata value is a name, a number, a title: every search hit carries it, so a 5 MB
#: "province" would make each result megabytes. The longest real trích yếu is a few
#: hundred characters.
MAX_META_CHARS = 2000


def check_meta_value(where: str, key: str, value: str) -> None:
    """Refuse a metadata value longer than ``MAX_META_CHARS`` (sidecars and JSONL fields)."""
    if len(value) > MAX_META_CHARS:
        raise LoadError(f"{where}: metadata field {key!r} is {len(value):,} characters, over the limit of {MAX_META_CHARS:,}")


def is_sidecar(path: Path) -> bool:
    """True for ``*.meta.json`` files, which describe a document and are not one."""
    return Path(path).name.lower().endswith(SIDECAR_SUFFIX)


def sidecar_for(path: Path) -> Path:
    """``dir/foo.txt`` -> ``dir/foo.meta.json`` (same rule as the ingest hash uses)."""
    path = Path(path)
    return path.with_name(path.stem + SIDECAR_SUFFIX)


def sidecar_path(path: Path) -> Path | None:
    """The sidecar of ``path`` if one exists as a regular file, else None. A document
    whose name is so long that its sidecar's could not exist simply has none."""
    side = sidecar_for(path)
    if len(os.fsencode(side.name)) > 255:
        return None
    try:
        return side if stat.S_ISREG(os.stat(side).st_mode) else None
    except OSError:
        return None


def read_sidecar_bytes(side: Path) -> bytes:
    """A sidecar's bytes, size-checked before reading."""
    try:
        size = os.stat(side).st_size
        if size > MAX_SIDECAR_BYTES:
            raise LoadError(f"{side}: metadata sidecar is {size:,} bytes, over the limit of {MAX_SIDECAR_BYTES:,} bytes")
        with open(side, "rb") as fh:
            return fh.read(MAX_SIDECAR_BYTES + 1)[:MAX_SIDECAR_BYTES]
    except OSError as exc:
        raise LoadError(f"{side}: cannot read metadata sidecar ({exc.strerror or exc})") from None


def read_sidecar(path: Path) -> dict[str, str]:
    """The supplied metadata for document ``path``; ``{}`` when it has no sidecar."""
    side = sidecar_path(path)
    if side is None:
        return {}
    try:
        raw = read_sidecar_bytes(side).decode("utf-8-sig")
    except UnicodeDecodeError as exc:
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
        check_meta_value(str(side), key, value.strip())
        if value.strip():
            out[key] = value.strip()
    return out
