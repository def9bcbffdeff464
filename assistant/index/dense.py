"""FAISS inner-product index over L2-normalised vectors (cosine similarity).

The index type follows the collection size (``Settings.hnsw_threshold``, chosen by
measurement in ``bench/faiss_scale.py``, see bench/RESULTS.md):

- up to the threshold: ``IndexFlatIP`` -- exact; a single query scans every vector
  (~1.5 KB per passage), which stays in the low milliseconds up to a few hundred thousand;
- above it: ``IndexHNSWFlat`` (M=32, efConstruction=80, efSearch=256) -- approximate,
  sub-millisecond at a million vectors with recall@10 against exact search reported by
  the benchmark. (``kind="ivf"`` builds ``IndexIVFFlat`` instead; measured side by side.)

Filters: a search restricted to ``allowed`` rows is exact whatever the index type when
the allowed set is small (at most ``EXACT_SUBSET`` rows): the rows' vectors are read back
and scored directly. Graph and inverted-list searches with a selector can miss hits when
the selector is restrictive, so they are used only for large allowed sets.

Row i of the index is passage row i of the docstore.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from pathlib import Path

import faiss
import numpy as np

from .layout import write_bytes_atomic

FILE = "dense.faiss"
KINDS = ("auto", "flat", "hnsw", "ivf")
HNSW_M = 32
HNSW_EF_CONSTRUCTION = 80
#: 256, not 128: on real e5 vectors (vlc_laws passages, ALQAC questions; median pairwise cosine
#: 0.88, i.e. very anisotropic) recall@10 against exact was 0.90 at 128, 0.98 at 256, 0.99 at 512.
HNSW_EF_SEARCH = 256
IVF_NPROBE = 32
#: Filtered searches over at most this many rows are exact (brute force over those rows).
EXACT_SUBSET = 50_000
#: OpenMP threads for one query. One: on the shared 2-core machine a single flat query over
#: 200k vectors took p50 70-84 ms with 1 thread and 250-320 ms with 2 (OpenMP barrier waits
#: against other processes; OMP_WAIT_POLICY=PASSIVE did not help). The setting is per
#: calling thread (OpenMP ICV), so index builds elsewhere keep all cores.
SEARCH_THREADS = 1


def choose_kind(n: int, hnsw_threshold: int) -> str:
    """'flat' (exact) up to ``hnsw_threshold`` vectors, 'hnsw' above."""
    return "hnsw" if n > hnsw_threshold else "flat"


def ivf_lists(n: int) -> int:
    """Inverted lists for ``n`` vectors: ~4 sqrt(n), at least 1, at most n / 39 (FAISS's training minimum)."""
    return max(1, min(int(4 * math.sqrt(n)), n // 39))


def build_streamed(n: int, dim: int, chunks: Iterable[np.ndarray], hnsw_threshold: int) -> tuple[faiss.Index, str]:
    """Like ``build`` for vectors that arrive in chunks (from the docstore): flat and HNSW
    indexes take them one chunk at a time, so only the index's own copy is held."""
    kind = choose_kind(n, hnsw_threshold)
    if kind == "ivf":  # k-means needs the sample at once
        parts = list(chunks)
        return build(np.concatenate(parts) if parts else np.zeros((0, dim), dtype="float32"), hnsw_threshold)
    index: faiss.Index
    if kind == "hnsw":
        hnsw = faiss.IndexHNSWFlat(dim, HNSW_M, faiss.METRIC_INNER_PRODUCT)
        hnsw.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
        hnsw.hnsw.efSearch = HNSW_EF_SEARCH
        index = hnsw
    else:
        index, kind = faiss.IndexFlatIP(dim), "flat"
    for part in chunks:
        index.add(np.ascontiguousarray(part, dtype="float32"))
    return index, kind


def build(vectors: np.ndarray, hnsw_threshold: int, kind: str = "auto") -> tuple[faiss.Index, str]:
    """An index holding ``vectors`` (rows in order) and its kind ('flat', 'hnsw' or 'ivf')."""
    if kind not in KINDS:
        raise ValueError(f"dense index kind must be one of {KINDS}, got {kind!r}")
    n, dim = vectors.shape
    if kind == "auto":
        kind = choose_kind(n, hnsw_threshold)
    vectors = np.ascontiguousarray(vectors, dtype="float32")
    index: faiss.Index
    if kind == "hnsw":
        index = faiss.IndexHNSWFlat(dim, HNSW_M, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
        index.hnsw.efSearch = HNSW_EF_SEARCH
    elif kind == "ivf" and n >= 39:
        nlist = ivf_lists(n)
        quantizer = faiss.IndexFlatIP(dim)
        ivf = faiss.IndexIVFFlat(quantizer, dim, nlist, faiss.METRIC_INNER_PRODUCT)
        sample = vectors
        if n > 64 * nlist:  # k-means on a fixed-seed sample: build time bounded, deterministic
            rows = np.random.default_rng(0).choice(n, 64 * nlist, replace=False)
            sample = vectors[np.sort(rows)]
        ivf.train(sample)
        ivf.nprobe = min(IVF_NPROBE, nlist)
        index = ivf
    else:
        index = faiss.IndexFlatIP(dim)
        kind = "flat"
    if n:
        index.add(vectors)
    if isinstance(index, faiss.IndexIVF):
        index.make_direct_map()  # rows can be read back (exact filtered search); saved with the index
    return index, kind


def save(index: faiss.Index, directory: Path) -> None:
    # the serialised array itself, not a bytes copy of it: one copy of the vectors fewer at the peak
    write_bytes_atomic(directory / FILE, faiss.serialize_index(index).data)


def load(directory: Path) -> faiss.Index:
    """Only called after the manifest has verified this file's SHA-256."""
    index = faiss.read_index(str(directory / FILE))
    if isinstance(index, faiss.IndexHNSW):
        index.hnsw.efSearch = HNSW_EF_SEARCH
    elif isinstance(index, faiss.IndexIVF):
        index.nprobe = min(IVF_NPROBE, index.nlist)
        if index.direct_map.type == faiss.DirectMap.NoMap:  # type: ignore[attr-defined]  # SWIG enum missing from faiss's stubs
            index.make_direct_map()
    return index


def _exact_subset(index: faiss.Index, query: np.ndarray, k: int, allowed: np.ndarray) -> list[tuple[int, float]]:
    rows = np.unique(np.asarray(allowed, dtype="int64"))
    rows = rows[(rows >= 0) & (rows < index.ntotal)]
    if len(rows) == 0:
        return []
    vecs = index.reconstruct_batch(rows)
    scores = vecs @ query.reshape(-1).astype("float32")
    k = min(k, len(rows))
    top = np.argpartition(-scores, k - 1)[:k]
    top = top[np.lexsort((rows[top], -scores[top]))]  # by score, then row: deterministic ties
    return [(int(rows[i]), float(scores[i])) for i in top]


def search(
    index: faiss.Index, query: np.ndarray, k: int, allowed: np.ndarray | None = None
) -> list[tuple[int, float]]:
    """Top-k (row, score); ``allowed`` restricts the search to those rows (filters)."""
    if index.ntotal == 0 or k <= 0:
        return []
    params = None
    if allowed is not None:
        if len(allowed) == 0:
            return []
        if len(allowed) <= EXACT_SUBSET:
            return _exact_subset(index, query, k, allowed)
        sel = faiss.IDSelectorBatch(np.asarray(allowed, dtype="int64"))
        # faiss's stubs lack SearchParametersHNSW and the SWIG keyword constructors of the others
        if isinstance(index, faiss.IndexHNSW):
            params = faiss.SearchParametersHNSW(sel=sel, efSearch=max(HNSW_EF_SEARCH, 2 * k))  # type: ignore[attr-defined]
        elif isinstance(index, faiss.IndexIVF):
            params = faiss.SearchParametersIVF(sel=sel, nprobe=index.nprobe)  # type: ignore[call-arg]
        else:
            params = faiss.SearchParameters(sel=sel)  # type: ignore[call-arg]
    k = min(k, index.ntotal)
    if isinstance(index, faiss.IndexHNSW) and params is None and k > index.hnsw.efSearch:
        params = faiss.SearchParametersHNSW(efSearch=k)  # type: ignore[attr-defined]  # HNSW returns at most efSearch results
    threads = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(SEARCH_THREADS)
    try:
        scores, ids = index.search(np.ascontiguousarray(query.reshape(1, -1), dtype="float32"), k, params=params)
    finally:
        faiss.omp_set_num_threads(threads)
    return [(int(i), float(s)) for i, s in zip(ids[0], scores[0]) if i >= 0]
