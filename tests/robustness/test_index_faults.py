"""Damaged indexes: a truncated FAISS file, flipped bytes in every index file, a manifest
whose hashes do not match, a docstore from another build, a missing file, a broken
``CURRENT`` pointer. Each is refused at open with a message that says to rebuild, and
the damaged file is never handed to ``faiss.read_index``; ``assistant ingest`` then
builds a good index again.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

import faiss
import pytest

from assistant.api import Assistant
from assistant.errors import AssistantError, IndexCorrupt, IndexMissing
from assistant.index.layout import current_version
from assistant.index.manifest import MANIFEST
from assistant.ingest import ingest

from .conftest import ROOT, hash_settings_for, one_line, record

QUERY = "mục tiêu tăng trưởng công nghiệp"


@pytest.fixture
def read_index_calls(monkeypatch):
    calls: list[str] = []
    real = faiss.read_index

    def spy(path, *a, **kw):
        calls.append(str(path))
        return real(path, *a, **kw)

    monkeypatch.setattr(faiss, "read_index", spy)
    return calls


def live(settings) -> Path:
    d = current_version(Path(settings.index_dir))
    assert d is not None
    return d


def refused_with_rebuild(settings, kind: str, calls: list[str] | None = None) -> str:
    record("faults_injected", kind)
    with pytest.raises(AssistantError) as info:
        Assistant.open(settings.index_dir, settings)
    msg = str(info.value)
    assert one_line(msg), msg
    assert "rebuild" in msg or "assistant ingest" in msg, msg
    if calls is not None:
        assert calls == [], f"damaged index reached faiss.read_index: {calls}"
    record("faults_survived", kind)
    return msg


def results(settings) -> list[tuple[str, float]]:
    a = Assistant.open(settings.index_dir, settings)
    try:
        return [(h.passage.id, round(h.score, 6)) for h in a.search(QUERY, k=10)]
    finally:
        a.close()


def flip(path: Path, offset: int) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0xFF
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("keep", [0, 1, 16, 45, 1000, -100, -1])
def test_truncated_faiss_is_refused(index_copy, read_index_calls, keep: int) -> None:
    path = live(index_copy) / "dense.faiss"
    data = path.read_bytes()
    path.write_bytes(data[:keep] if keep >= 0 else data[: len(data) + keep])
    refused_with_rebuild(index_copy, "truncated FAISS file", read_index_calls)


def test_flipped_bytes_in_every_index_file_are_refused(index_copy, read_index_calls) -> None:
    directory = live(index_copy)
    files = json.loads((directory / MANIFEST).read_text())["files"]
    assert {"dense.faiss", "docstore.sqlite"} <= set(files)
    rng = random.Random(7)
    for name in files:
        path = directory / name
        original = path.read_bytes()
        for offset in sorted({0, len(original) - 1, *(rng.randrange(len(original)) for _ in range(4))}):
            flip(path, offset)
            refused_with_rebuild(index_copy, f"flipped byte in {name.split('/')[0]}", read_index_calls)
            path.write_bytes(original)
    assert results(index_copy)  # restored: opens again


def test_manifest_hash_mismatch_is_refused(index_copy, read_index_calls) -> None:
    directory = live(index_copy)
    manifest = json.loads((directory / MANIFEST).read_text())
    for name in list(manifest["files"]):
        changed = json.loads(json.dumps(manifest))
        changed["files"][name] = "0" * 64
        (directory / MANIFEST).write_text(json.dumps(changed))
        refused_with_rebuild(index_copy, "manifest hash mismatch", read_index_calls)
    (directory / MANIFEST).write_text(json.dumps(manifest))


def test_missing_index_file_is_refused(index_copy, read_index_calls) -> None:
    directory = live(index_copy)
    files = json.loads((directory / MANIFEST).read_text())["files"]
    for name in files:
        path = directory / name
        backup = path.read_bytes()
        path.unlink()
        refused_with_rebuild(index_copy, "missing index file", read_index_calls)
        path.write_bytes(backup)


def test_docstore_from_another_build_is_refused(index_copy, tmp_path: Path, read_index_calls) -> None:
    other = hash_settings_for(tmp_path / "other-index")
    doc = tmp_path / "other" / "nq.txt"
    doc.parent.mkdir()
    doc.write_text("NGHỊ QUYẾT\nvề du lịch\n\nI. MỤC TIÊU\n\n1. Đón 3 triệu lượt khách vào năm 2025.\n", encoding="utf-8")
    assert ingest([doc.parent], other, progress=False, say=lambda m: None).published
    shutil.copyfile(live(other) / "docstore.sqlite", live(index_copy) / "docstore.sqlite")
    refused_with_rebuild(index_copy, "docstore from another build", read_index_calls)
    # ...and with that build's manifest too: its hashes do not match our FAISS and BM25 files
    shutil.copyfile(live(other) / MANIFEST, live(index_copy) / MANIFEST)
    refused_with_rebuild(index_copy, "docstore + manifest from another build", read_index_calls)


def test_damaged_manifest_is_refused_or_harmless(index_copy) -> None:
    """Random damage to the manifest: refused with a rebuild message, or (when the byte was
    in a field that does not matter, such as the creation time) the very same results."""
    expected = results(index_copy)
    path = live(index_copy) / MANIFEST
    original = path.read_bytes()
    rng = random.Random(11)
    for offset in [0, len(original) - 1, *(rng.randrange(len(original)) for _ in range(30))]:
        flip(path, offset)
        record("faults_injected", "flipped byte in manifest")
        try:
            got = results(index_copy)
        except (IndexCorrupt, AssistantError) as exc:
            assert one_line(str(exc)) and ("rebuild" in str(exc) or "ingest" in str(exc)), str(exc)
        else:
            assert got == expected, f"manifest damaged at {offset} changed results"
        record("faults_survived", "flipped byte in manifest")
        path.write_bytes(original)
    for body in [b"", b"{", b"[]", b"null", b'{"embedder": 5}', b"\xff\xfe\x00", b"[" * 100_000]:
        path.write_bytes(body)
        refused_with_rebuild(index_copy, "garbage manifest")
    path.write_bytes(original)


def test_manifest_that_lists_no_files_is_refused(index_copy, read_index_calls) -> None:
    """A manifest whose file list lost entries would leave those files unverified."""
    path = live(index_copy) / MANIFEST
    manifest = json.loads(path.read_text())
    for files in ({}, {k: v for k, v in manifest["files"].items() if k != "dense.faiss"}, [], {"dense.faiss": 5}):
        path.write_text(json.dumps({**manifest, "files": files}))
        (live(index_copy) / "dense.faiss").write_bytes(b"garbage")
        refused_with_rebuild(index_copy, "manifest without file list", read_index_calls)


@pytest.mark.parametrize("pointer", ["", "\n", "v-missing", "../../etc", ".build-x", "/tmp", "\x00", "v-a\nv-b"])
def test_broken_current_pointer(index_copy, pointer: str) -> None:
    (Path(index_copy.index_dir) / "CURRENT").write_text(pointer, encoding="utf-8")
    record("faults_injected", "broken CURRENT pointer")
    with pytest.raises(IndexMissing) as info:
        Assistant.open(index_copy.index_dir, index_copy)
    assert one_line(str(info.value)) and "assistant ingest" in str(info.value)
    record("faults_survived", "broken CURRENT pointer")


def test_ingest_rebuilds_a_damaged_index(index_copy) -> None:
    expected = results(index_copy)
    path = live(index_copy) / "dense.faiss"
    path.write_bytes(path.read_bytes()[:100])
    refused_with_rebuild(index_copy, "truncated FAISS file, then rebuilt")
    said: list[str] = []
    report = ingest([Path(index_copy.corpus_dir)], index_copy, progress=False, say=said.append)
    assert report.published and not report.errors
    assert any("building a new index" in s for s in said), said
    assert results(index_copy) == expected


@pytest.mark.slow
def test_cli_on_a_damaged_index_says_rebuild(index_copy) -> None:
    flip(live(index_copy) / "docstore.sqlite", 200)
    env = {**os.environ, "ASSISTANT_EMBEDDER": "hash"}
    for cmd in (["search", QUERY], ["ask", QUERY], ["docs"]):
        proc = subprocess.run(
            [sys.executable, "-m", "assistant", *cmd, "--index", str(index_copy.index_dir)],
            capture_output=True, text=True, timeout=120, env=env, cwd=ROOT,
        )
        assert proc.returncode == 1 and not proc.stdout
        assert one_line(proc.stderr) and "rebuild" in proc.stderr, proc.stderr
