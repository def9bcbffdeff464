"""Dense index type by collection size: exact (flat) vs HNSW vs IVF, up to 1,000,000 vectors.

Synthetic 384-d unit vectors shaped like sentence embeddings rather than uniform noise
(on which every approximate index looks bad and no real model's output looks like):
a shared mean direction (e5 vectors have pairwise cosines around 0.7-0.8), one of
``--clusters`` topics, one of ``--subtopics`` sub-topics, and per-vector noise. Queries are fresh draws from the same mixture.
Ground truth = exact inner-product search (IndexFlatIP) over the same vectors.

Measured with one OpenMP thread per search (as ``dense.search``), one query at a time (warm, as `assistant search`):
latency p50/p95 of exact search at growing sizes (to place the flat->approximate
threshold), and at the largest size build time, bytes, recall@10 vs exact and latency of
HNSW (efSearch sweep) and IVF (nprobe sweep), built with ``assistant.index.dense.build``.

    .venv/bin/python bench/faiss_scale.py [--n 1000000] [--queries 500]

Results: bench/RESULTS.md, section "faiss_scale".
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import faiss
import numpy as np
from common import machine, publish, write_section

from assistant.index import dense
from assistant.settings import Settings

DIM = 384
THREADS = faiss.omp_get_max_threads()


def mixture(n: int, seed: int, topics: int, subtopics: int, chunk: int = 100_000) -> np.ndarray:
    """``n`` unit vectors: shared mean + 0.45 topic + 0.30 sub-topic + 0.25 noise (each part of norm ~1)."""
    base = np.random.default_rng(12345)  # the same mixture for data and queries
    mean = base.standard_normal(DIM).astype(np.float32)
    mean /= np.linalg.norm(mean)
    topic = base.standard_normal((topics, DIM)).astype(np.float32) / np.sqrt(DIM)
    sub = base.standard_normal((subtopics, DIM)).astype(np.float32) / np.sqrt(DIM)
    rng = np.random.default_rng(seed)
    out = np.empty((n, DIM), dtype=np.float32)
    for s in range(0, n, chunk):
        m = min(chunk, n - s)
        x = mean + 0.45 * topic[rng.integers(0, topics, m)] + 0.30 * sub[rng.integers(0, subtopics, m)]
        x += 0.25 * rng.standard_normal((m, DIM)).astype(np.float32) / np.sqrt(DIM)
        out[s : s + m] = x / np.linalg.norm(x, axis=1, keepdims=True)
    return out


def latencies(index, queries: np.ndarray, k: int = 10, params=None) -> tuple[np.ndarray, np.ndarray]:
    """One query at a time; returns (ids [nq, k], seconds per query)."""
    ids = np.empty((len(queries), k), dtype=np.int64)
    secs = np.empty(len(queries))
    faiss.omp_set_num_threads(dense.SEARCH_THREADS)  # as assistant.index.dense.search does
    index.search(queries[:1], k, params=params)  # warm
    for i, q in enumerate(queries):
        t = time.perf_counter()
        _, ids[i] = index.search(q[None, :], k, params=params)
        secs[i] = time.perf_counter() - t
    faiss.omp_set_num_threads(THREADS)
    return ids, secs


def recall(found: np.ndarray, truth: np.ndarray) -> float:
    return float(np.mean([len(set(f) & set(t)) / len(t) for f, t in zip(found, truth)]))


def ms(secs: np.ndarray, pct: float) -> float:
    return 1000 * float(np.percentile(secs, pct))


def real_vectors_check(index_dir: Path) -> list[tuple]:
    """Recall@10 of HNSW and IVF against exact search on a real index's vectors and real questions."""
    import json

    from assistant.api import Assistant

    settings = Settings(index_dir=index_dir)
    a = Assistant.open(index_dir, settings)
    try:
        vectors = a.store.docstore.vectors(a.store.manifest.dimension)
        qfile = ROOT.parent / "shared" / "data" / "alqac2023_dev" / "questions.jsonl"
        questions = [json.loads(line)["q"] for line in qfile.read_text(encoding="utf-8").splitlines() if line.strip()]
        queries = np.ascontiguousarray(a.embedder.embed_queries(questions), dtype="float32")
    finally:
        a.close()
    flat, _ = dense.build(vectors, hnsw_threshold=len(vectors), kind="flat")
    truth, secs = latencies(flat, queries)
    rows = [(len(vectors), "flat (exact)", "", 1.0, ms(secs, 50), ms(secs, 95))]
    for kind in ("hnsw", "ivf"):
        index, _ = dense.build(vectors, hnsw_threshold=0, kind=kind)
        if kind == "hnsw":
            sweep = [("efSearch", v, faiss.SearchParametersHNSW(efSearch=v), v == dense.HNSW_EF_SEARCH) for v in (64, 128, 256, 512)]
        else:
            sweep = [("nprobe", v, faiss.SearchParametersIVF(nprobe=v), v == dense.IVF_NPROBE) for v in (16, 32, 64)]
        for name, value, params, default in sweep:
            ids, secs = latencies(index, queries, params=params)
            label = kind + (" (default)" if default else "")
            rows.append((len(vectors), label, f"{name}={value}", recall(ids, truth), ms(secs, 50), ms(secs, 95)))
    return rows


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--queries", type=int, default=500)
    ap.add_argument("--clusters", type=int, default=2000)
    ap.add_argument("--subtopics", type=int, default=50_000)
    ap.add_argument("--sizes", default="10000,100000,200000,500000")
    ap.add_argument("--kinds", default="hnsw,ivf")
    ap.add_argument("--real-index", default="", help="also check recall on this index's real vectors (ALQAC questions)")
    ap.add_argument("--no-write", action="store_true")
    ap.add_argument("--real-only", action="store_true", help="only the real-vector check (section faiss_real)")
    args = ap.parse_args()
    t_all = time.perf_counter()
    if args.real_only:
        rows = real_vectors_check(Path(args.real_index))
        lines = [
            "### Dense index on real vectors (`bench/faiss_scale.py --real-only`)",
            "",
            f"Machine: {machine()}. Run {time.strftime('%Y-%m-%d %H:%M')}. The {rows[0][0]:,} passage vectors of the index "
            f"`{Path(args.real_index).name}` built by bench/ingest_scale.py, queried with the 100 ALQAC dev questions; "
            "recall@10 against exact search over the same vectors, one query at a time.",
            "",
            "| vectors | index | search parameter | recall@10 vs exact | p50 ms | p95 ms |",
            "|---|---|---|---|---|---|",
        ] + [f"| {n:,} | {k} | {prm} | {r:.3f} | {a:.2f} | {b:.2f} |" for n, k, prm, r, a, b in rows]
        body = "\n".join(lines)
        print(body)
        if not args.no_write:
            write_section("faiss_real", body)
        return

    data = mixture(args.n, seed=1, topics=args.clusters, subtopics=args.subtopics)
    queries = mixture(args.queries, seed=2, topics=args.clusters, subtopics=args.subtopics)
    sample = data[np.random.default_rng(0).choice(args.n, 2000, replace=False)]
    cos = sample @ sample.T
    cos_note = f"pairwise cosine of the data: median {np.median(cos[np.triu_indices(2000, 1)]):.2f}"
    print(cos_note, flush=True)

    rows = []  # (size, kind, param, build s, bytes/vector, recall, p50, p95)
    sizes = [s for s in (int(x) for x in args.sizes.split(",")) if s < args.n] + [args.n]
    truth = None
    for size in sizes:
        flat, _ = dense.build(data[:size], hnsw_threshold=size, kind="flat")
        ids, secs = latencies(flat, queries)
        rows.append((size, "flat (exact)", "", 0.0, DIM * 4, 1.0, ms(secs, 50), ms(secs, 95)))
        print(rows[-1], flush=True)
        if size == args.n:
            truth = ids
        del flat
        gc.collect()

    for kind in args.kinds.split(","):
        t = time.perf_counter()
        index, got = dense.build(data, hnsw_threshold=0, kind=kind)
        build_s = time.perf_counter() - t
        nbytes = len(faiss.serialize_index(index)) / args.n
        if got == "hnsw":
            sweep = [("efSearch", v, faiss.SearchParametersHNSW(efSearch=v)) for v in (32, 64, 128, 256)]
        else:
            sweep = [("nprobe", v, faiss.SearchParametersIVF(nprobe=v)) for v in (8, 16, 32, 64)]
        for pname, v, params in sweep:
            ids, secs = latencies(index, queries, params=params)
            default = (got == "hnsw" and v == dense.HNSW_EF_SEARCH) or (got == "ivf" and v == dense.IVF_NPROBE)
            rows.append((args.n, got + (" (default)" if default else ""), f"{pname}={v}", build_s, nbytes,
                         recall(ids, truth), ms(secs, 50), ms(secs, 95)))
            print(rows[-1], flush=True)
        del index
        gc.collect()

    real_rows = real_vectors_check(Path(args.real_index)) if args.real_index else []

    threshold = Settings().hnsw_threshold
    lines = [
        "## Dense index type by size (`bench/faiss_scale.py`)",
        "",
        f"Machine: {machine()}. Run {time.strftime('%Y-%m-%d %H:%M')} ({time.perf_counter() - t_all:.0f} s), faiss {faiss.__version__}, "
        f"builds on {THREADS} OpenMP threads, searches on {dense.SEARCH_THREADS} (as `dense.search`); machine shared with other test runs.",
        f"Data: {args.n:,} synthetic {DIM}-d unit vectors (shared mean direction + one of {args.clusters} topics + one of {args.subtopics} sub-topics + noise; "
        f"{cos_note}), {args.queries} fresh queries from the same mixture, one query at a time, k=10. "
        "Recall@10 is against exact search over the same vectors.",
        "",
        "| vectors | index | search parameter | build s | bytes/vector | recall@10 vs exact | p50 ms | p95 ms |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for size, kind, param, b, nb, r, p50, p95 in rows:
        lines.append(f"| {size:,} | {kind} | {param} | {b:.0f} | {nb:.0f} | {r:.3f} | {p50:.2f} | {p95:.2f} |")
    if real_rows:
        lines += [
            "",
            f"Real vectors: the {real_rows[0][0]:,} passage vectors of the vlc_laws index built by bench/ingest_scale.py "
            "(onnx int8 e5), queried with the 100 ALQAC dev questions; recall@10 against exact search over the same vectors.",
            "",
            "| vectors | index | search parameter | recall@10 vs exact | p50 ms | p95 ms |",
            "|---|---|---|---|---|---|",
        ]
        for size, kind, param, r, p50, p95 in real_rows:
            lines.append(f"| {size:,} | {kind} | {param} | {r:.3f} | {p50:.2f} | {p95:.2f} |")
    lines += [
        "",
        f"Chosen (`Settings.hnsw_threshold` = {threshold:,}): exact `IndexFlatIP` up to {threshold:,} passages, "
        f"HNSW (M={dense.HNSW_M}, efConstruction={dense.HNSW_EF_CONSTRUCTION}, efSearch={dense.HNSW_EF_SEARCH}) above. "
        "Filtered searches over at most "
        f"{dense.EXACT_SUBSET:,} allowed rows are exact with every index type.",
    ]
    publish("faiss_scale", "\n".join(lines), write=not args.no_write)


if __name__ == "__main__":
    main()
