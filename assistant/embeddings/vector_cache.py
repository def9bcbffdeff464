"""Passage vectors remembered on disk across builds, keyed by embedder name + text hash.

Why: embedding is nearly all the time of an index build, and benchmarks rebuild the same
collections again and again (another sample of distractors, a settings change that forces
re-ingest, the same articles in a second index). ``CachedEmbedder`` wraps an embedder and
answers ``embed_passages`` from the cache where it can, sending only new texts to the model.

Layout: ``<root>/<embedder name, made safe>/shard-<ns>-<pid>.npy`` (float32 rows) next to
``shard-<ns>-<pid>.json`` (the embedder name, the dimension and the SHA-256 of each row's text).
No pickle: ``np.load(allow_pickle=False)`` and JSON. A shard is written atomically, the
JSON last, so a shard whose JSON exists is complete; a half-written one is ignored. Shards
are only ever added, under names unique per process, so two runs sharing the cache never
overwrite each other's work.

A cached vector is the one the model gave for that text when it was first embedded; the
backends' vectors do not depend on the batch (the int8 ONNX graph scales each token on its
own since graph 4), so it is the vector a fresh run would compute, up to float rounding.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import threading
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from .base import Embedder


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "replace")).hexdigest()


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._") or "embedder"


class VectorCache:
    """The vectors of one embedder: text hash -> float32 row, loaded from the shards."""

    def __init__(self, root: Path, embedder_name: str) -> None:
        self.embedder_name = embedder_name
        self.directory = Path(root) / _safe(embedder_name)
        self.dimension = 0
        self._rows: dict[str, np.ndarray] = {}
        self._lock = threading.Lock()
        self._load()

    def _load(self) -> None:
        if not self.directory.is_dir():
            return
        for meta_path in sorted(self.directory.glob("shard-*.json")):
            try:
                meta = json.loads(meta_path.read_text(encoding="utf-8"))
                vectors = np.load(meta_path.with_suffix(".npy"), allow_pickle=False)
            except (OSError, ValueError):
                continue  # an unreadable shard costs its vectors, not the run
            keys = meta.get("keys") if isinstance(meta, dict) else None
            if (meta.get("embedder") != self.embedder_name or not isinstance(keys, list)
                    or vectors.dtype != np.float32 or vectors.ndim != 2 or vectors.shape[0] != len(keys)):
                continue
            if self.dimension and vectors.shape[1] != self.dimension:
                continue
            self.dimension = int(vectors.shape[1])
            for k, v in zip(keys, vectors):
                self._rows[str(k)] = v

    def __len__(self) -> int:
        return len(self._rows)

    def get(self, key: str) -> np.ndarray | None:
        return self._rows.get(key)

    def add(self, keys: Sequence[str], vectors: np.ndarray) -> None:
        """Store new rows as one shard (atomic: the .npy first, then the .json that marks it complete)."""
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        if vectors.ndim != 2 or vectors.shape[0] != len(keys):
            raise ValueError(f"expected {len(keys)} rows, got shape {vectors.shape}")
        if not len(keys):
            return
        with self._lock:
            if self.dimension and vectors.shape[1] != self.dimension:
                raise ValueError(f"{self.embedder_name}: dimension {vectors.shape[1]}, cache holds {self.dimension}")
            self.directory.mkdir(parents=True, exist_ok=True)
            # unique across processes sharing the cache: nanoseconds, then the process id
            base = self.directory / f"shard-{time.time_ns():020d}-{os.getpid()}"
            tmp = base.with_name(base.name + f".{os.getpid()}.tmp")
            with open(tmp, "wb") as fh:
                np.save(fh, vectors, allow_pickle=False)
            os.replace(tmp, base.with_suffix(".npy"))
            meta = {"embedder": self.embedder_name, "dimension": int(vectors.shape[1]), "keys": list(keys)}
            tmp.write_text(json.dumps(meta), encoding="utf-8")
            os.replace(tmp, base.with_suffix(".json"))
            self.dimension = int(vectors.shape[1])
            for k, v in zip(keys, vectors):
                self._rows[k] = v


class CachedEmbedder:
    """An embedder whose passage vectors come from a ``VectorCache`` when it has them.
    Queries are always embedded afresh (they are few and cheap). The wrapped embedder is
    only asked for texts the cache lacks, so a lazy one never loads on a full hit."""

    def __init__(self, inner: Embedder, root: Path) -> None:
        self.inner = inner
        self.name = inner.name
        self.cache = VectorCache(root, inner.name)
        self.hits = 0
        self.misses = 0

    @property
    def dimension(self) -> int:
        return self.cache.dimension or self.inner.dimension

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return self.inner.embed_queries(texts)

    def embed_passages(self, texts: Sequence[str], progress: bool = False) -> np.ndarray:
        keys = [text_hash(t) for t in texts]
        found = [self.cache.get(k) for k in keys]
        missing = [i for i, v in enumerate(found) if v is None]
        self.hits += len(texts) - len(missing)
        self.misses += len(missing)
        if missing:
            fresh = self.inner.embed_passages([texts[i] for i in missing], progress=progress)
            new = dict(zip((keys[i] for i in missing), fresh))  # a text repeated in the batch is stored once
            self.cache.add(list(new), np.array(list(new.values()), dtype=np.float32))
            for i, v in zip(missing, fresh):
                found[i] = v
        out = np.empty((len(texts), self.dimension), dtype=np.float32)
        for i, v in enumerate(found):
            out[i] = v
        return out
