"""Scale-out figures (issue 13): the Milvus store against the local one, Ray ingestion.

Parts (each records its own section of bench/RESULTS.md):

- ``equality``: ALQAC 2023 dev and UIT regulation QA indexed by both stores with the same
  embedder and analyzer; MRR@10 per mode side by side (the Milvus figure must be within
  0.005 of the local one). The local ingest embeds; the Milvus ingest runs its own load,
  parse, chunk and analysis and takes each passage's vector from the local index by its
  embedded text (same model, same input: embedding twice would only cost CPU time).
- ``ray``: ingest throughput of the Milvus ingest on a local Ray with 1 and 2 workers,
  next to the in-process ingest measured in the same run (the baseline).
- ``latency``: single-query search latency at N synthetic vectors (384-d unit float32;
  N=1,000,000 by default), generated chunk by chunk from fixed seeds: FAISS flat (exact,
  the baseline and the ground truth), FAISS IVF_FLAT, then milvus-lite FLAT and IVF_FLAT
  on one inserted collection (the index is dropped and rebuilt), without and with a
  filter (a scalar field that keeps ~10% of the rows); recall@50, build/insert seconds and
  peak RSS per index. ``--hnsw`` adds FAISS HNSW (its build takes long on 2 cores at 1M).

    nice .venv/bin/python bench/scale.py --part equality
    nice .venv/bin/python bench/scale.py --part ray --sets uit
    nice -n 10 .venv/bin/python bench/scale.py --part latency --n 1000000 --queries 150
"""

from __future__ import annotations

import argparse
import itertools
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from common import machine, publish

from assistant.api import Assistant
from assistant.distributed.milvus_ingest import ingest_milvus
from assistant.distributed.pipeline import DocumentWorker, load_source
from assistant.evaluation import evaluate, read_questions
from assistant.ingest import embedding_text, ingest
from assistant.settings import Settings

DATA = ROOT.parent / "shared" / "data"
SETS = {
    "alqac": ("ALQAC 2023 dev", DATA / "alqac2023_dev" / "passages.jsonl", DATA / "alqac2023_dev" / "questions.jsonl"),
    "uit": ("UIT regulation QA", DATA / "uit_regulation_qa" / "passages.jsonl", DATA / "uit_regulation_qa" / "questions.jsonl"),
}
MODES = ("lexical", "dense", "hybrid")


class VectorsOf:
    """An embedder that answers passages from a built local index (same model's vectors)."""

    def __init__(self, local: Assistant, settings: Settings):
        self.name = local.store.manifest.embedder
        self.dimension = local.store.manifest.dimension
        store = local.store
        vectors = store.docstore.vectors(self.dimension)
        docs = {}
        self.table = {}
        for i, p in enumerate(store.passages):
            doc = docs.get(p.doc_id) or docs.setdefault(p.doc_id, store.docstore.document(p.doc_id))
            self.table[embedding_text(doc, p, settings.embed_with_headings)] = vectors[i]
        self.missing = 0

    def embed_passages(self, texts, progress=False):
        out = []
        for t in texts:
            v = self.table.get(t)
            if v is None:
                raise KeyError(f"no vector for a passage the local index does not have: {t[:80]!r}")
            out.append(v)
        return np.array(out, dtype="float32").reshape(len(texts), self.dimension)


def equality(sets: list[str], work: Path, write: bool) -> None:
    lines = [
        f"Machine: {machine()}. Same embedder (default ONNX e5-small int8), same analyzer; Milvus = milvus-lite "
        "(FLAT dense index, our BM25 as sparse vectors).",
        "",
        "| set | mode | local MRR@10 | Milvus MRR@10 | difference | local Recall@10 | Milvus Recall@10 | local ms/query | Milvus ms/query |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    worst = 0.0
    for key in sets:
        label, passages, qfile = SETS[key]
        local_s = Settings(index_dir=work / key / "local")
        t0 = time.perf_counter()
        r = ingest([passages], local_s, rebuild=True, progress=False, say=lambda m: None)
        local_ingest = time.perf_counter() - t0
        assert not r.errors, r.errors
        local = Assistant.open(local_s.index_dir, local_s)
        milvus_s = Settings(index_dir=work / key / "milvus", store="milvus")
        vectors = VectorsOf(local, local_s)

        def executor(tasks, settings, vectors=vectors):
            worker = DocumentWorker.__new__(DocumentWorker)
            worker.settings, worker.embedder = settings, vectors
            from assistant.text import Analyzer

            worker.analyzer = Analyzer()
            for task in tasks:
                for row in load_source(task, settings.max_file_bytes):
                    yield from worker.process([row])

        t0 = time.perf_counter()
        m = ingest_milvus([passages], milvus_s, rebuild=True, progress=False, say=lambda m: None, executor=executor)
        milvus_ingest = time.perf_counter() - t0
        assert not m.errors and m.passages == r.passages, (m.errors, m.passages, r.passages)
        mil = Assistant.open(milvus_s.index_dir, milvus_s)
        questions = read_questions(qfile)
        for mode in MODES:
            res = {}
            for name, a in (("local", local), ("milvus", mil)):
                t1 = time.perf_counter()
                res[name] = evaluate(questions, lambda q, a=a, mode=mode: a.search(q, k=10, mode=mode))
                res[name]["ms"] = 1000 * (time.perf_counter() - t1) / max(1, res[name]["answerable"])
            d = res["milvus"]["mrr@10"] - res["local"]["mrr@10"]
            worst = max(worst, abs(d))
            lines.append(
                f"| {label} ({res['local']['answerable']} q, {r.passages} passages) | {mode} | {res['local']['mrr@10']:.4f} | "
                f"{res['milvus']['mrr@10']:.4f} | {d:+.4f} | {res['local']['recall@10']:.3f} | {res['milvus']['recall@10']:.3f} | "
                f"{res['local']['ms']:.1f} | {res['milvus']['ms']:.1f} |"
            )
        lines.append(f"| {label} | ingest s (local embeds; Milvus reuses its vectors) | {local_ingest:.0f} | {milvus_ingest:.0f} | | | | | |")
        local.close()
        mil.close()
    lines += ["", f"Largest |MRR@10 difference|: **{worst:.4f}** (limit 0.005)."]
    publish("scale-equality", "\n".join(lines), write)


def ray_throughput(sets: list[str], work: Path, write: bool, workers: list[int], limit: int = 0) -> None:
    import ray

    from assistant.distributed.ray_ingest import ray_executor

    lines = [
        f"Machine: {machine()}; other processes were using the CPUs too (load average "
        f"{os.getloadavg()[0]:.1f} at start). Milvus ingest (milvus-lite) of each set from scratch, default embedder; "
        "passages/s over the whole run (start-up of Ray and models included, as a user waits for it).",
        "",
        "| set | passages | executor | seconds | passages/s | vs in-process |",
        "|---|---|---|---|---|---|",
    ]
    for key in sets:
        label, passages, _ = SETS[key]
        if limit:  # the first `limit` documents: three full runs of ALQAC would take an hour here
            sub = work / f"{key}-first{limit}.jsonl"
            sub.write_text("".join(passages.read_text(encoding="utf-8").splitlines(keepends=True)[:limit]), encoding="utf-8")
            passages, label = sub, f"{label}, first {limit} documents"
        s = Settings(index_dir=work / key / "inproc", store="milvus")
        t0 = time.perf_counter()
        base = ingest_milvus([passages], s, rebuild=True, progress=False, say=lambda m: None)
        base_s = time.perf_counter() - t0
        lines.append(f"| {label} | {base.passages} | in-process (baseline) | {base_s:.0f} | {base.passages / base_s:.1f} | 1.00x |")
        for n in workers:
            s = Settings(index_dir=work / key / f"ray{n}", store="milvus")
            t0 = time.perf_counter()
            try:
                rep = ingest_milvus([passages], s, rebuild=True, progress=False, say=lambda m: None,
                                    executor=ray_executor("local", workers=n, num_cpus=os.cpu_count()))
            finally:
                ray.shutdown()
            sec = time.perf_counter() - t0
            assert rep.passages == base.passages
            lines.append(f"| {label} | {rep.passages} | Ray, {n} worker(s) | {sec:.0f} | {rep.passages / sec:.1f} | "
                         f"{base_s / sec:.2f}x |")
    publish("scale-ray", "\n".join(lines), write)


DIM = 384
CHUNK = 50_000  # vectors generated, indexed and inserted per step: memory stays near the indexes' own


def _chunks(n: int):
    """The synthetic collection in chunks: (first row, unit vectors, group 0-9), the same on every call."""
    for i, start in enumerate(range(0, n, CHUNK)):
        rng = np.random.default_rng([0, i])
        v = rng.standard_normal((min(CHUNK, n - start), DIM), dtype="float32")
        v /= np.linalg.norm(v, axis=1, keepdims=True)
        yield start, v, rng.integers(0, 10, len(v))


def _peak_reset() -> None:
    """Start a new peak-RSS window (Linux: writing 5 to clear_refs resets VmHWM)."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass


def _peak_gb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024 / 1024
    return float("nan")


def _recall(got: list[list[int]], truth: list[list[int]]) -> float:
    return float(np.mean([len(set(g) & set(t)) / max(1, len(t)) for g, t in zip(got, truth)]))


def latency(n: int, write: bool, queries: int = 200, hnsw: bool = False, milvus_ivf: bool = True) -> None:
    """Single-query latency at ``n`` synthetic vectors, FAISS flat (the baseline) first.

    Every index sees the same vectors (generated chunk by chunk from fixed seeds), the same
    queries and the same filter (group 3 of 10, ~10% of rows). Recall@50 is against FAISS
    flat's exact results, filtered against filtered. Random vectors have no cluster
    structure, so an inverted-file index's recall here is a worst case, not what e5
    vectors get (bench/RESULTS.md ``faiss_real``)."""
    import faiss
    from pymilvus import DataType, MilvusClient

    from assistant.index import dense

    log = lambda m: print(f"[{time.strftime('%H:%M:%S')}] {m}", flush=True)  # noqa: E731
    load0 = os.getloadavg()
    qs = np.random.default_rng(1).standard_normal((queries, DIM), dtype="float32")
    qs /= np.linalg.norm(qs, axis=1, keepdims=True)
    rows: list[dict] = []  # name, p50, p95, f50, f95, recall, frecall, build s, peak GB, note

    def timed(fn) -> tuple[float, float, list[list[int]]]:
        ts, got = [], []
        for q in qs:
            t = time.perf_counter()
            got.append(fn(q))
            ts.append(1000 * (time.perf_counter() - t))
        return float(np.median(ts)), float(np.percentile(ts, 95)), got

    def measure(name, search, build_s, truth=None, note=""):
        p50, p95, got = timed(lambda q: search(q, None))
        f50, f95, fgot = timed(lambda q: search(q, True))
        log(f"{name}: p50 {p50:.1f} ms, filtered p50 {f50:.1f} ms")
        rows.append(dict(name=name, p50=p50, p95=p95, f50=f50, f95=f95, build=build_s, peak=_peak_gb(), note=note,
                         recall=_recall(got, truth[0]) if truth else 1.0, frecall=_recall(fgot, truth[1]) if truth else 1.0))
        return got, fgot

    # FAISS flat: exact, the baseline and the ground truth.
    _peak_reset()
    t0 = time.perf_counter()
    flat = faiss.IndexFlatIP(DIM)
    groups = np.zeros(n, dtype="int8")
    for start, v, g in _chunks(n):
        flat.add(v)
        groups[start:start + len(v)] = g
    allowed = np.flatnonzero(groups == 3)
    flat_s = time.perf_counter() - t0
    log(f"FAISS flat: {n} vectors in {flat_s:.0f}s (generation included); filter keeps {len(allowed)}")

    def faiss_search(index):
        return lambda q, f: [r for r, _ in dense.search(index, q, 50, allowed if f else None)]

    truth = measure("FAISS flat (exact)", faiss_search(flat), flat_s, note="vectors generated and added")
    del flat

    # FAISS IVF with the project's parameters (dense.build kind="ivf"), trained on a fixed sample.
    _peak_reset()
    t0 = time.perf_counter()
    nlist = dense.ivf_lists(n)
    ivf = faiss.IndexIVFFlat(faiss.IndexFlatIP(DIM), DIM, nlist, faiss.METRIC_INNER_PRODUCT)
    want = min(n, 64 * nlist)
    sample = np.concatenate([v for _, v, _ in itertools.islice(_chunks(n), -(-want // CHUNK))])[:want]
    ivf.train(sample)
    del sample
    for _, v, _ in _chunks(n):
        ivf.add(v)
    ivf.nprobe = min(dense.IVF_NPROBE, nlist)
    ivf.make_direct_map()
    build = time.perf_counter() - t0
    log(f"FAISS IVF: built in {build:.0f}s")
    measure(f"FAISS IVF_FLAT (nlist {nlist}, nprobe {ivf.nprobe})", faiss_search(ivf), build, truth)
    del ivf

    if hnsw:
        _peak_reset()
        t0 = time.perf_counter()
        index = faiss.IndexHNSWFlat(DIM, dense.HNSW_M, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = dense.HNSW_EF_CONSTRUCTION
        index.hnsw.efSearch = dense.HNSW_EF_SEARCH
        for _, v, _ in _chunks(n):
            index.add(v)
        build = time.perf_counter() - t0
        log(f"FAISS HNSW: built in {build:.0f}s")
        measure(f"FAISS HNSW (M {dense.HNSW_M}, efSearch {dense.HNSW_EF_SEARCH})", faiss_search(index), build, truth)
        del index

    tmp = Path(tempfile.mkdtemp(prefix="milvus-bench-"))
    try:
        _peak_reset()
        client = MilvusClient(str(tmp / "bench.db"))
        schema = client.create_schema(auto_id=False)
        schema.add_field("row", DataType.INT64, is_primary=True)
        schema.add_field("grp", DataType.INT64)
        schema.add_field("dense", DataType.FLOAT_VECTOR, dim=DIM)
        ip = client.prepare_index_params()
        ip.add_index("dense", index_type="FLAT", metric_type="IP")
        client.create_collection("bench", schema=schema, index_params=ip)
        t0 = time.perf_counter()
        step = 5000
        for start, v, g in _chunks(n):
            for s in range(0, len(v), step):
                client.insert("bench", [{"row": start + i, "grp": int(g[i]), "dense": v[i]} for i in range(s, min(len(v), s + step))])
            done = start + len(v)
            took = time.perf_counter() - t0
            log(f"milvus-lite: inserted {done}/{n} in {took:.0f}s (projected total {took * n / done:.0f}s)")
        client.flush("bench")
        insert_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        client.search("bench", data=[qs[0].tolist()], anns_field="dense", limit=50, search_params={"metric_type": "IP"})
        first_s = time.perf_counter() - t0
        log(f"milvus-lite: insert + flush {insert_s:.0f}s, first search {first_s:.1f}s")

        def milvus_search(params):
            def run(q, f):
                res = client.search("bench", data=[q.tolist()], anns_field="dense", limit=50, filter="grp == 3" if f else "",
                                    search_params={"metric_type": "IP", "params": params})
                return [int(h["row"]) for h in res[0]]
            return run

        measure("milvus-lite FLAT", milvus_search({}), insert_s + first_s, truth, note="insert + flush + first search")
        if milvus_ivf:
            _peak_reset()
            seg_lists = dense.ivf_lists(100_000)  # milvus-lite indexes each segment (at most 100,000 rows) apart
            t0 = time.perf_counter()
            client.release_collection("bench")
            client.drop_index("bench", "dense")
            ip = client.prepare_index_params()
            ip.add_index("dense", index_type="IVF_FLAT", metric_type="IP", params={"nlist": seg_lists})
            client.create_index("bench", ip)
            client.load_collection("bench")
            build = time.perf_counter() - t0
            log(f"milvus-lite IVF_FLAT: built in {build:.0f}s")
            nprobe = dense.IVF_NPROBE
            measure(f"milvus-lite IVF_FLAT (nlist {seg_lists} per segment, nprobe {nprobe})", milvus_search({"nprobe": nprobe}),
                    build, truth, note="index build on the inserted rows")
        disk = sum(f.stat().st_size for f in tmp.rglob("*") if f.is_file()) / 1024**3
        client.close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    base = rows[0]["p50"]
    fbase = rows[0]["f50"]
    lines = [
        f"Machine: {machine()}; load average {load0[0]:.1f} at start, {os.getloadavg()[0]:.1f} at end (2 cores shared with "
        f"other work). {n:,} random unit vectors, 384-d float32; top-50; {queries} queries, one at a time; the filter keeps "
        f"{len(allowed):,} rows (10%; FAISS: allowed row ids, as `dense.search`; Milvus: a scalar expression `grp == 3`). "
        "Recall@50 against FAISS flat's exact results (filtered against filtered). Peak RSS is the process's peak during "
        "that index's build and searches (reset between indexes; milvus-lite 3 runs in-process). One run, "
        f"`bench/scale.py --part latency --n {n}`.",
        "",
        "| index | p50 ms | p95 ms | filtered p50 ms | filtered p95 ms | p50 vs FAISS flat | filtered p50 vs FAISS flat | "
        "recall@50 | filtered recall@50 | build/insert s | peak RSS GB |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(f"| {r['name']} | {r['p50']:.1f} | {r['p95']:.1f} | {r['f50']:.1f} | {r['f95']:.1f} | {r['p50'] / base:.2f}x | "
                     f"{r['f50'] / fbase:.2f}x | {r['recall']:.3f} | {r['frecall']:.3f} | {r['build']:.0f}"
                     f"{' (' + r['note'] + ')' if r['note'] else ''} | {r['peak']:.1f} |")
    lines += ["", f"milvus-lite data directory after the run: {disk:.1f} GB."]
    publish("scale-latency", "\n".join(lines), write)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--part", choices=("equality", "ray", "latency"), required=True)
    ap.add_argument("--sets", default="alqac,uit")
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--workers", default="1,2")
    ap.add_argument("--limit", type=int, default=0, help="ray: only the first N documents of each set")
    ap.add_argument("--hnsw", action="store_true", help="latency: also FAISS HNSW (slow to build at 1M on 2 cores)")
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--no-write", action="store_true")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="scale-bench-"))
    try:
        if args.part == "equality":
            equality(args.sets.split(","), work, not args.no_write)
        elif args.part == "ray":
            ray_throughput(args.sets.split(","), work, not args.no_write, [int(w) for w in args.workers.split(",")], args.limit)
        else:
            latency(args.n, not args.no_write, args.queries, args.hnsw)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
