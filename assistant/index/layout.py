"""Versioned index directories with an atomic switch.

``index/`` holds complete builds in ``v-<stamp>/`` and a ``CURRENT`` file naming the
live one. A build is written into a fresh version directory and made live by
``os.replace`` on ``CURRENT``: a crash at any moment leaves either the old complete
index or the new complete one, never a mixture.
"""

from __future__ import annotations

import os
import shutil
import time
import uuid
from pathlib import Path

CURRENT = "CURRENT"


def current_version(root: Path) -> Path | None:
    pointer = root / CURRENT
    try:
        name = pointer.read_text(encoding="utf-8").strip()
    except OSError:
        return None
    if not name or "/" in name or name.startswith("."):
        return None
    path = root / name
    return path if path.is_dir() else None


def new_version_dir(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    path = root / f".build-{time.strftime('%Y%m%d%H%M%S')}-{uuid.uuid4().hex[:8]}"
    path.mkdir()
    return path


def _fsync_dir(path: Path) -> None:
    """Best effort: some filesystems refuse to fsync a directory (EINVAL), and after the
    switch of CURRENT a failure here must not turn a published index into an error."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def publish(root: Path, build_dir: Path) -> Path:
    """Make ``build_dir`` the live version, then remove older versions."""
    final = root / build_dir.name.replace(".build-", "v-", 1)
    os.replace(build_dir, final)
    tmp = root / f".{CURRENT}.{uuid.uuid4().hex[:8]}"
    try:
        _fsync_dir(root)
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(final.name + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, root / CURRENT)
    except BaseException:  # not switched (disk full...): the new version is garbage, free its space now
        tmp.unlink(missing_ok=True)
        if current_version(root) != final:
            shutil.rmtree(final, ignore_errors=True)
        raise
    _fsync_dir(root)
    collect_garbage(root)
    return final


def collect_garbage(root: Path) -> None:
    """Remove versions that are not live and abandoned builds; readers hold open files only."""
    live = current_version(root)
    for child in root.iterdir():
        if child == live or child.name == CURRENT:
            continue
        if child.is_dir() and (child.name.startswith("v-") or child.name.startswith(".build-")):
            shutil.rmtree(child, ignore_errors=True)
        elif child.name.startswith(f".{CURRENT}."):
            child.unlink(missing_ok=True)


def write_bytes_atomic(path: Path, data: bytes | memoryview) -> None:
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}")
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
