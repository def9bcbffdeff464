"""Scale-out figures (issue 13): the Milvus store against the local one, Ray ingestion.

Parts (each records its own section of bench/RESULTS.md):

- ``equality``: ALQAC 2023 dev and UIT regulation QA indexed by both stores with the same
  embedder and analyzer; MRR@10 per mode side by side (the Milvus figure must be within
  0.005 of the local one). The local ingest embeds; the Milvus ingest runs its own load,
  parse, chunk and analysis and takes each passage's vector from the local index by its
  embedded text (same model, same input: embedding twice would only cost CPU time).
- ``ray``: ingest throughput of the Milvus ingest on a local Ray with 1 and 2 workers,
  next to the in-process ingest measured in the same run (the baseline).
- ``latency``: search latency at N synthetic vectors (384-d, normalised; N=1,000,000 by
  default): FAISS flat and HNSW next to milvus-lite FLAT, without and with a filter
  (a scalar field that keeps ~10% of the rows).

    nice .venv/bin/python bench/scale.py --part equality
    nice .venv/bin/python bench/scale.py --part ray --sets uit
    nice .venv/bin/python bench/scale.py --part latency --n 1000000
"""

from __future__ import annotations

import argparse
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


def latency(n: int, write: bool, queries: int = 200) -> None:
    from pymilvus import DataType, MilvusClient

    dim = 384
    rng = np.random.default_rng(0)
    t0 = time.perf_counter()
    vecs = rng.standard_normal((n, dim), dtype="float32")
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    group = rng.integers(0, 10, n)
    qs = rng.standard_normal((queries, dim), dtype="float32")
    qs /= np.linalg.norm(qs, axis=1, keepdims=True)
    print(f"generated {n} vectors in {time.perf_counter() - t0:.0f}s", flush=True)
    from assistant.index import dense

    results = {}
    flat, _ = dense.build(vecs, hnsw_threshold=n + 1, kind="flat")
    allowed = np.flatnonzero(group == 3)

    def timed(fn) -> tuple[float, float]:
        ts = []
        for q in qs:
            t = time.perf_counter()
            fn(q)
            ts.append(1000 * (time.perf_counter() - t))
        return float(np.median(ts)), float(np.percentile(ts, 95))

    results["FAISS flat (exact)"] = (timed(lambda q: dense.search(flat, q, 50)), timed(lambda q: dense.search(flat, q, 50, allowed)), 0.0)

    t0 = time.perf_counter()
    hnsw, _ = dense.build(vecs, hnsw_threshold=0, kind="hnsw")
    build_hnsw = time.perf_counter() - t0
    results["FAISS HNSW"] = (timed(lambda q: dense.search(hnsw, q, 50)), timed(lambda q: dense.search(hnsw, q, 50, allowed)), build_hnsw)

    tmp = Path(tempfile.mkdtemp(prefix="milvus-bench-"))
    try:
        client = MilvusClient(str(tmp / "bench.db"))
        schema = client.create_schema(auto_id=False)
        schema.add_field("row", DataType.INT64, is_primary=True)
        schema.add_field("grp", DataType.INT64)
        schema.add_field("dense", DataType.FLOAT_VECTOR, dim=dim)
        ip = client.prepare_index_params()
        ip.add_index("dense", index_type="FLAT", metric_type="IP")
        client.create_collection("bench", schema=schema, index_params=ip)
        t0 = time.perf_counter()
        step = 5000
        for s in range(0, n, step):
            client.insert("bench", [{"row": int(i), "grp": int(group[i]), "dense": vecs[i].tolist()} for i in range(s, min(n, s + step))])
        client.flush("bench")
        insert_s = time.perf_counter() - t0
        print(f"milvus-lite insert {n} in {insert_s:.0f}s", flush=True)

        def ms(q, expr=""):
            client.search("bench", data=[q.tolist()], anns_field="dense", limit=50, filter=expr, search_params={"metric_type": "IP"})

        results["milvus-lite FLAT"] = (timed(ms), timed(lambda q: ms(q, "grp == 3")), insert_s)
        client.close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    base = results["FAISS flat (exact)"][0][0]
    lines = [
        f"Machine: {machine()}; load average {os.getloadavg()[0]:.1f} (shared with other work). {n:,} random unit vectors, "
        f"384-d; top-50; {queries} queries, one at a time; filter keeps 10% of rows (FAISS: allowed row ids; Milvus: "
        "a scalar expression `grp == 3`).",
        "",
        "| index | p50 ms | p95 ms | filtered p50 ms | filtered p95 ms | p50 vs FAISS flat | build/insert s |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, ((p50, p95), (f50, f95), build) in results.items():
        lines.append(f"| {name} | {p50:.1f} | {p95:.1f} | {f50:.1f} | {f95:.1f} | {p50 / base:.2f}x | {build:.0f} |")
    publish("scale-latency", "\n".join(lines), write)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--part", choices=("equality", "ray", "latency"), required=True)
    ap.add_argument("--sets", default="alqac,uit")
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--workers", default="1,2")
    ap.add_argument("--limit", type=int, default=0, help="ray: only the first N documents of each set")
    ap.add_argument("--no-write", action="store_true")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="scale-bench-"))
    try:
        if args.part == "equality":
            equality(args.sets.split(","), work, not args.no_write)
        elif args.part == "ray":
            ray_throughput(args.sets.split(","), work, not args.no_write, [int(w) for w in args.workers.split(",")], args.limit)
        else:
            latency(args.n, not args.no_write)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
