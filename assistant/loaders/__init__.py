"""Loaders: a file -> one or more ``LoadedText`` (display text + supplied metadata).

``load_path`` does what every format shares: checks the path, enforces the size limit,
reads the bytes, reads the ``.meta.json`` sidecar, and dispatches by suffix to the
loader registered for it (``@register(".txt", ".md")``). Adding a format is one module
with one registered function, imported below. Every failure is a one-line
``LoadError("<path>: <problem>")``.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from ..errors import LoadError
from . import docx as _docx  # noqa: F401  (format modules register themselves on import)
from . import html as _html  # noqa: F401
from . import jsonl as _jsonl  # noqa: F401
from . import pdf as _pdf  # noqa: F401
from . import text as _text  # noqa: F401
from .base import (
    LoadedText,
    Loader,
    NoTextLayer,
    clean_text,
    loader_for,
    register,
    supported_suffixes,
)
from .sidecar import is_sidecar, read_sidecar, read_sidecar_bytes, sidecar_for, sidecar_path

__all__ = [
    "LoadedText",
    "Loader",
    "NoTextLayer",
    "clean_text",
    "is_sidecar",
    "load_path",
    "check_regular_file",
    "read_regular_file",
    "read_sidecar",
    "register",
    "sidecar_for",
    "sidecar_path",
    "read_sidecar_bytes",
    "supported_suffixes",
]


def check_regular_file(path: Path, max_bytes: int) -> int:
    """The file's size, checked before a byte is read: only regular files (after links),
    at most ``max_bytes``. A FIFO would block a read forever and /dev/zero never ends."""
    try:
        st = os.stat(path)
    except OSError as exc:
        raise LoadError(f"{path}: cannot read file ({exc.strerror or exc})") from None
    if not stat.S_ISREG(st.st_mode):
        kind = "a directory" if stat.S_ISDIR(st.st_mode) else "a FIFO" if stat.S_ISFIFO(st.st_mode) else "a device or socket"
        raise LoadError(f"{path}: not a regular file ({kind})")
    if st.st_size > max_bytes:
        raise LoadError(f"{path}: file is {st.st_size:,} bytes, over the limit of {max_bytes:,} bytes")
    return st.st_size


def read_regular_file(path: Path, max_bytes: int) -> bytes:
    """Read at most ``max_bytes`` of a regular file; checked by ``stat`` first and again on
    the open descriptor (O_NONBLOCK: a FIFO swapped in after the check cannot hang us)."""
    check_regular_file(path, max_bytes)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
        with os.fdopen(fd, "rb") as fh:
            if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
                raise LoadError(f"{path}: not a regular file")
            data = fh.read(max_bytes + 1)
    except OSError as exc:
        raise LoadError(f"{path}: cannot read file ({exc.strerror or exc})") from None
    if len(data) > max_bytes:  # grew while we looked
        raise LoadError(f"{path}: file is over the limit of {max_bytes:,} bytes")
    return data


def load_path(path: Path, max_bytes: int = 50_000_000) -> list[LoadedText]:
    """Load one document file. Sidecar values are defaults that a JSONL line's own fields override."""
    path = Path(path)
    if is_sidecar(path):
        raise LoadError(f"{path}: is a metadata sidecar, not a document (it describes the document next to it with the same name)")
    if not path.exists():
        raise LoadError(f"{path}: no such file")
    if path.is_dir():
        raise LoadError(f"{path}: is a directory, not a file")
    loader = loader_for(path.suffix)
    if loader is None:
        shown = path.suffix or "(no extension)"
        raise LoadError(f"{path}: unsupported file type {shown} (supported: {', '.join(supported_suffixes())})")
    data = read_regular_file(path, max_bytes)
    if not data.strip():
        raise LoadError(f"{path}: file is empty")
    supplied = read_sidecar(path)
    items = loader(path, data)
    for item in items:
        item.metadata = {**supplied, **item.metadata}
    return items
