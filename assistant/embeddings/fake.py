"""TEST-ONLY embedder: deterministic bag-of-words hashing. Not a semantic model.

``HashEmbedder`` lower-cases the NFC text, splits it into words, hashes each word
(BLAKE2b, so values are the same in every process and on every machine) into one of
``dimension`` buckets with a +/-1 sign, counts, and L2-normalises. Texts that share
words get a positive cosine; nothing else is captured. It loads instantly and needs no
model, which makes it the right embedder for unit tests of chunking, indexing,
retrieval and the UI. Select it with ``Settings(embedder="hash")``; ``embedder_model``
may give the dimension (default 256). Never use it for a real index.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

import numpy as np

from ..errors import AssistantError
from .base import BaseEmbedder
from .registry import register

_WORD_RE = re.compile(r"\w+")
_EMPTY_TOKEN = "\x00empty"  # gives empty/blank texts a fixed unit vector instead of zeros


def _bucket(token: str, dimension: int) -> tuple[int, float]:
    digest = hashlib.blake2b(token.encode("utf-8"), digest_size=8).digest()
    value = int.from_bytes(digest, "little")
    return (value >> 1) % dimension, (1.0 if value & 1 else -1.0)


class HashEmbedder(BaseEmbedder):
    """Deterministic hashing embedder for tests (see module docstring)."""

    def __init__(self, dimension: int = 256, batch_size: int = 32) -> None:
        super().__init__(batch_size=batch_size)
        if dimension < 2:
            raise ValueError(f"dimension must be >= 2, got {dimension}")
        self.dimension = int(dimension)
        self.name = f"hash:{self.dimension}"

    def _embed_batch(self, texts: list[str], is_query: bool) -> np.ndarray:
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            tokens = _WORD_RE.findall(unicodedata.normalize("NFC", text).lower()) or [_EMPTY_TOKEN]
            for token in tokens:
                col, sign = _bucket(token, self.dimension)
                out[row, col] += sign
            if not out[row].any():  # signs cancelled out exactly: fall back to the empty vector
                col, sign = _bucket(_EMPTY_TOKEN, self.dimension)
                out[row, col] = sign
        return out


def _dimension(model: str) -> int:
    if model and not model.isdigit():
        raise AssistantError(f"embedder 'hash': embedder_model must be a dimension (a number), got {model!r}")
    return int(model) if model else 256


@register("hash", name_of=lambda m: f"hash:{_dimension(m)}" if not m or m.isdigit() else None)
def hash_embedder(model: str = "") -> HashEmbedder:
    """``embedder="hash"``; ``embedder_model``: the dimension ('' = 256)."""
    return HashEmbedder(_dimension(model))
