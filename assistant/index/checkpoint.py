"""Embedding checkpoints: an ingest killed midway resumes without re-embedding.

Embedding is the slow step of an ingest (minutes to hours for a large collection), and
the build directory of an unfinished ingest is thrown away (the live index must stay
either the old one or a complete new one; see ``layout``). So the vectors themselves are
checkpointed outside the build, in ``<index root>/embed-cache.sqlite``:

- key: SHA-256 of ``embedder name + NUL + text`` -- a vector is reused only for the very
  same text embedded by the very same model; value: the raw float32 bytes (no pickle);
- written and committed every ``chunk`` passages (WAL journal, so a SIGKILL loses at most
  the chunk in flight and never corrupts what was committed);
- removed by ingest after the new index is published, so it only ever holds the work of
  an unfinished build (disk use bounded by one collection's vectors).

:func:`embed_in_chunks` is the loop ingest runs: look up a chunk, embed the misses, store
them, hand the chunk's vectors to the caller (who writes them to the docstore), move on.
Only one chunk of vectors is in memory at a time, and a progress bar shows passages/s and
the ETA of the texts that still need the model.
"""

from __future__ import annotations

import hashlib
import sqlite3
import sys
from collections.abc import Iterable, Iterator, Sequence, Sized
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

import numpy as np

FILE = "embed-cache.sqlite"


def text_key(embedder_name: str, text: str) -> bytes:
    return hashlib.sha256(embedder_name.encode("utf-8") + b"\0" + text.encode("utf-8", "replace")).digest()


class EmbeddingCache:
    """Float32 vectors of one embedder keyed by text hash, in a SQLite side file."""

    def __init__(self, path: Path, embedder_name: str, dimension: int) -> None:
        self.path = Path(path)
        self.embedder_name = embedder_name
        self.dimension = int(dimension)
        self.conn = sqlite3.connect(self.path, timeout=30)
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=NORMAL")
        self.conn.execute("CREATE TABLE IF NOT EXISTS vectors (key BLOB PRIMARY KEY, vec BLOB NOT NULL) WITHOUT ROWID")
        self.conn.commit()

    @classmethod
    def for_index(cls, root: Path, embedder_name: str, dimension: int) -> EmbeddingCache:
        Path(root).mkdir(parents=True, exist_ok=True)
        return cls(Path(root) / FILE, embedder_name, dimension)

    def __len__(self) -> int:
        return int(self.conn.execute("SELECT COUNT(*) FROM vectors").fetchone()[0])

    def get_many(self, keys: Sequence[bytes]) -> dict[bytes, np.ndarray]:
        """Stored vectors for those ``keys`` that have one (rows of the wrong size are ignored)."""
        found: dict[bytes, np.ndarray] = {}
        want = self.dimension * 4
        unique = list(dict.fromkeys(keys))
        for start in range(0, len(unique), 500):  # SQLite's bound-parameter limit
            part = unique[start : start + 500]
            marks = ",".join("?" * len(part))
            for key, blob in self.conn.execute(f"SELECT key, vec FROM vectors WHERE key IN ({marks})", part):
                if len(blob) == want:
                    found[bytes(key)] = np.frombuffer(blob, dtype=np.float32)
        return found

    def put_many(self, keys: Sequence[bytes], vectors: np.ndarray) -> None:
        """Store and commit (one transaction): after this returns, a crash keeps these vectors."""
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        if vectors.shape != (len(keys), self.dimension):
            raise ValueError(f"expected vectors of shape {(len(keys), self.dimension)}, got {vectors.shape}")
        with self.conn:
            self.conn.executemany(
                "INSERT OR REPLACE INTO vectors (key, vec) VALUES (?, ?)",
                ((k, v.tobytes()) for k, v in zip(keys, vectors)),
            )

    def close(self) -> None:
        self.conn.close()

    def remove(self) -> None:
        """Close and delete the side file (and its WAL/SHM companions)."""
        self.close()
        for suffix in ("", "-wal", "-shm"):
            Path(str(self.path) + suffix).unlink(missing_ok=True)


@dataclass
class EmbedStats:
    total: int = 0
    reused: int = 0  # found in the checkpoint
    computed: int = 0  # sent to the model


def embed_in_chunks(
    embedder,
    texts: Iterable[str],
    cache: EmbeddingCache | None,
    chunk: int = 512,
    progress: bool = False,
    stats: EmbedStats | None = None,
    total: int | None = None,
) -> Iterator[tuple[int, np.ndarray]]:
    """Yield ``(start, vectors of texts[start:start + chunk])`` in order.

    ``texts`` may be a stream (a generator): it is read one chunk ahead of what has been
    yielded, never further, so a caller can keep just the chunk's passages beside it.
    ``total`` is its length when it has none (for the progress bar).
    With a ``cache``, vectors already stored are reused and new ones are committed to it
    before the chunk is yielded. ``stats`` (if given) counts reused and computed vectors.
    """
    stats = stats if stats is not None else EmbedStats()
    if total is None:
        total = len(texts) if isinstance(texts, Sized) else 0
    stats.total = total
    chunk = max(1, int(chunk))
    name = getattr(embedder, "name", "?")
    bar = None
    if progress and total >= 100:
        from tqdm.auto import tqdm

        bar = tqdm(total=total, unit="passage", desc=f"embedding ({name})", file=sys.stderr, smoothing=0.1)
    stream = iter(texts)
    start = 0
    try:
        while part := list(islice(stream, chunk)):
            keys = [text_key(name, t) for t in part] if cache is not None else []
            found = cache.get_many(keys) if cache is not None else {}
            out = np.empty((len(part), embedder.dimension), dtype=np.float32)
            missing = [i for i in range(len(part)) if cache is None or keys[i] not in found]
            for i in range(len(part)):
                if cache is not None and keys[i] in found:
                    out[i] = found[keys[i]]
            if missing:
                # File order: the embedder sorts each batch by length itself (sub-batches of
                # similar lengths, 2% padding); the vectors do not depend on the batches.
                vecs = embedder.embed_passages([part[i] for i in missing])
                out[missing] = vecs
                if cache is not None:
                    cache.put_many([keys[i] for i in missing], vecs)
            stats.reused += len(part) - len(missing)
            stats.computed += len(missing)
            if bar is not None:
                bar.update(len(part))
                bar.set_postfix(reused=stats.reused, refresh=False)
            yield start, out
            start += len(part)
        stats.total = start
    finally:
        if bar is not None:
            bar.close()
