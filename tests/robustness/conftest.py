"""Shared pieces of the robustness suite: a small hash-embedder index built once, private
copies of it for tests that damage it, a snapshot to prove an index did not change, and
the counters ``bench/robustness.py`` turns into figures.

Counters: tests call ``record(kind, key, n)``; with ``ROBUSTNESS_STATS=file.json`` in the
environment the totals are written there when the session ends.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
from collections import defaultdict
from pathlib import Path

import pytest

import assistant  # noqa: F401  (offline environment before any model library loads)

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "corpus"
PYTHON = sys.executable

_STATS: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))


def record(kind: str, key: str, n: int = 1) -> None:
    """Add ``n`` to counter ``kind``/``key`` (for bench/RESULTS.md)."""
    _STATS[kind][key] += n


def pytest_sessionfinish(session, exitstatus):  # noqa: ARG001 - pytest hook signature
    out = os.environ.get("ROBUSTNESS_STATS")
    if out and _STATS:
        Path(out).write_text(json.dumps({k: dict(v) for k, v in _STATS.items()}, indent=1, sort_keys=True))


def snapshot(root: Path) -> dict[str, str]:
    """relative path -> SHA-256 of every file under an index root (the lock file aside)."""
    out = {}
    for f in sorted(Path(root).rglob("*")):
        if f.is_file() and f.name != ".lock":
            out[str(f.relative_to(root))] = hashlib.sha256(f.read_bytes()).hexdigest()
    return out


def one_line(message: str) -> bool:
    return bool(message.strip()) and "\n" not in message.strip() and "Traceback" not in message


def hash_settings_for(index_dir: Path, corpus: Path | None = None):
    from assistant.settings import Settings

    return Settings(index_dir=index_dir, corpus_dir=corpus or CORPUS, embedder="hash")


@pytest.fixture(scope="session")
def built_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """corpus/ (copied) indexed once with the hash embedder; never modified: copy it first."""
    from assistant.ingest import ingest

    base = tmp_path_factory.mktemp("robust_base")
    corpus = base / "corpus"
    shutil.copytree(CORPUS, corpus)
    settings = hash_settings_for(base / "index", corpus)
    cwd = os.getcwd()
    os.chdir(base)  # sources are recorded relative to the working directory: "corpus/<file>"
    try:
        report = ingest([corpus], settings, progress=False, say=lambda m: None)
    finally:
        os.chdir(cwd)
    assert report.published and not report.errors, report.errors
    return base


@pytest.fixture
def index_copy(built_index: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A private copy of the built index and its corpus, with hash-embedder settings. The
    test runs in ``tmp_path``, so the index's sources ("corpus/<file>") are this copy's files;
    child processes get ``child_env()`` and ``cwd=tmp_path``."""
    monkeypatch.chdir(tmp_path)
    shutil.copytree(built_index / "corpus", tmp_path / "corpus")
    shutil.copytree(built_index / "index", tmp_path / "index", ignore=shutil.ignore_patterns(".lock"))
    return hash_settings_for(tmp_path / "index", tmp_path / "corpus")


@pytest.fixture(scope="session")
def shared_assistant(built_index: Path):
    from assistant.api import Assistant

    settings = hash_settings_for(built_index / "index", built_index / "corpus")
    a = Assistant.open(settings.index_dir, settings)
    yield a
    a.close()


def child_env(**extra: str) -> dict[str, str]:
    """Environment for a child ``python -m assistant`` run from another directory."""
    path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)
    return {**os.environ, "PYTHONPATH": path, "ASSISTANT_EMBEDDER": "hash", **extra}
