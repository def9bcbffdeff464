"""Disk full while an ingest writes the new index version.

Simulated: ``ENOSPC`` (or SQLite's "database or disk is full") raised at each write of a
build: the docstore rows, the FAISS file, the BM25 files, the manifest, the ``fsync``,
the rename into place and the switch of ``CURRENT``. Real: a 3 MB tmpfs (when the tests
run as root and may mount one) filled to several levels. Every time the user gets one
line, the old index still opens with the same results, and no half-written build is left
taking space; freeing space and ingesting again finishes the work.
"""

from __future__ import annotations

import errno
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest

from assistant.api import Assistant
from assistant.errors import AssistantError
from assistant.ingest import ingest

from .conftest import CORPUS, hash_settings_for, one_line, record, snapshot

NEW_DOC = """NGHỊ QUYẾT
về phát triển du lịch cộng đồng

I. MỤC TIÊU

1. Đến năm 2025 đón 3 triệu lượt khách du lịch cộng đồng, doanh thu đạt 5.000 tỷ đồng.

2. Xây dựng 20 làng văn hóa du lịch cộng đồng gắn với bảo tồn di sản.
"""


def enospc(*_a, **_kw):
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def sqlite_full(*_a, **_kw):
    raise sqlite3.OperationalError("database or disk is full")


def nth(real, n: int, fail):
    """A wrapper that calls ``real`` except on call number ``n`` (1-based), which fails."""
    count = {"calls": 0}

    def wrapper(*a, **kw):
        count["calls"] += 1
        if count["calls"] == n:
            return fail(*a, **kw)
        return real(*a, **kw)

    return wrapper


def state(settings) -> tuple[list[str], list[tuple[str, float]]]:
    a = Assistant.open(settings.index_dir, settings)
    try:
        return sorted(d for d, *_ in a.documents()), [(h.passage.id, h.score) for h in a.search("mục tiêu du lịch", k=5)]
    finally:
        a.close()


def live_files(root: Path) -> dict[str, str]:
    """The snapshot of what readers see: CURRENT and the version it names."""
    snap = snapshot(root)
    current = (root / "CURRENT").read_text().strip()
    return {k: v for k, v in snap.items() if k == "CURRENT" or k.startswith(current + "/")}


def leftovers(root: Path) -> list[str]:
    current = (root / "CURRENT").read_text().strip()
    return [p.name for p in root.iterdir() if p.name.startswith(".build-") or (p.name.startswith("v-") and p.name != current)]


# (where, attribute path, call that fails, failure)
POINTS = [
    ("docstore rows", "assistant.index.docstore.Docstore.add_passages", 1, sqlite_full),
    ("docstore commit", "assistant.index.docstore.Docstore.commit", 1, sqlite_full),
    ("FAISS file", "assistant.index.dense.write_bytes_atomic", 1, enospc),
    ("BM25 files", "assistant.index.lexical.LexicalIndex.save", 1, enospc),
    ("folded BM25 files", "assistant.index.lexical.LexicalIndex.save", 2, enospc),
    ("manifest", "assistant.index.store.write_bytes_atomic", 1, enospc),
    ("fsync of a file", "assistant.index.layout.os.fsync", 1, enospc),
    ("rename of the build", "assistant.index.layout.os.replace", 3, enospc),
    ("CURRENT temp file", "assistant.index.layout.open", 1, enospc),
    ("switch of CURRENT", "assistant.index.layout.os.replace", 4, enospc),
    ("fsync of CURRENT", "assistant.index.layout.os.fsync", 4, enospc),
    ("fsync of the directory after the switch", "assistant.index.layout.os.fsync", 5, enospc),
    ("new version directory", "assistant.ingest.new_version_dir", 1, enospc),
]


def _resolve(dotted: str):
    import importlib

    parts = dotted.split(".")
    for i in range(len(parts) - 1, 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:i]))
        except ImportError:
            continue
        for p in parts[i:-1]:
            obj = getattr(obj, p)
        return obj, parts[-1]
    raise AttributeError(dotted)


@pytest.fixture
def growing(index_copy, tmp_path: Path):
    """The copied index plus a new document to ingest next to the corpus."""
    (Path(index_copy.corpus_dir) / "nghi-quyet-du-lich.txt").write_text(NEW_DOC, encoding="utf-8")
    return index_copy


@pytest.mark.parametrize("where, target, n, fail", POINTS, ids=[p[0] for p in POINTS])
def test_simulated_disk_full_keeps_the_old_index(growing, monkeypatch, where: str, target: str, n: int, fail) -> None:
    settings = growing
    root = Path(settings.index_dir)
    before_files, before_state = live_files(root), state(settings)
    obj, attr = _resolve(target)
    if attr == "open" and not hasattr(obj, "open"):
        monkeypatch.setattr(obj, "open", nth(open, n, fail), raising=False)
    else:
        monkeypatch.setattr(obj, attr, nth(getattr(obj, attr), n, fail))
    record("faults_injected", f"disk full: {where}")
    try:
        report = ingest([Path(settings.corpus_dir)], settings, progress=False, say=lambda m: None)
    except AssistantError as exc:
        assert one_line(str(exc)), str(exc)
        assert "space" in str(exc) or "full" in str(exc), str(exc)
    else:
        # a failure after the switch (the fsync of the directory) may leave the new index live
        assert report.published
    monkeypatch.undo()
    after = state(settings)
    if live_files(root) == before_files:
        assert after == before_state
    else:  # only acceptable if the new index is complete
        assert "nghi-quyet-du-lich" in after[0]
    assert not leftovers(root), leftovers(root)
    # space is back: the next ingest finishes the work
    report = ingest([Path(settings.corpus_dir)], settings, progress=False, say=lambda m: None)
    assert not report.errors
    assert "nghi-quyet-du-lich" in state(settings)[0]
    assert not leftovers(root)
    record("faults_survived", f"disk full: {where}")


def _can_mount() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("mount") is not None


@pytest.mark.slow
def test_real_disk_full_on_a_small_tmpfs(tmp_path: Path) -> None:
    if not _can_mount():
        pytest.skip("needs root to mount a tmpfs")
    mnt = tmp_path / "small"
    mnt.mkdir()
    proc = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(mnt)], capture_output=True, text=True)
    if proc.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs: {proc.stderr.strip()}")
    try:
        corpus = tmp_path / "corpus"
        corpus.mkdir()
        first = sorted(CORPUS.glob("*.txt"))[0]
        shutil.copy(first, corpus / first.name)
        settings = hash_settings_for(mnt / "index", corpus)
        assert ingest([corpus], settings, progress=False, say=lambda m: None).published
        root = Path(settings.index_dir)
        before_files, before_state = live_files(root), state(settings)
        for src in CORPUS.iterdir():
            if src.is_file() and src.name != first.name:
                shutil.copy(src, corpus / src.name)
        (corpus / "nghi-quyet-du-lich.txt").write_text(NEW_DOC, encoding="utf-8")
        filler = mnt / "filler"
        survived = 0
        for free_kb in (0, 4, 32, 128, 256, 400):
            stat = os.statvfs(mnt)
            free = stat.f_bavail * stat.f_frsize
            with open(filler, "ab") as fh:  # leave about free_kb KiB
                fh.write(b"\0" * max(0, free - free_kb * 1024))
            record("faults_injected", "real disk full (tmpfs)")
            try:
                report = ingest([corpus], settings, progress=False, say=lambda m: None)
                published = report.published
            except AssistantError as exc:
                assert one_line(str(exc)), str(exc)
                published = False
            if not published:
                assert live_files(root) == before_files
                assert state(settings) == before_state
            assert not leftovers(root), leftovers(root)
            filler.unlink()
            survived += 1
            record("faults_survived", "real disk full (tmpfs)")
            if published:
                break
        report = ingest([corpus], settings, progress=False, say=lambda m: None)
        assert not report.errors
        assert "nghi-quyet-du-lich" in state(settings)[0]
        assert survived >= 2
    finally:
        subprocess.run(["umount", "-l", str(mnt)], capture_output=True)  # lazy: a lingering handle must not keep it mounted
