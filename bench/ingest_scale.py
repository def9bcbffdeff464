"""Ingest at scale over ../shared/data/vlc_laws (109 law texts, 14 MB): throughput, where
the time goes, peak memory, index size, search latency; optionally a kill-and-resume run.

    .venv/bin/python bench/ingest_scale.py [--embedder onnx:int8] [--files N] [--resume-demo SECONDS]

- passages/s and characters/s (characters of the documents' text) of a full, fresh ingest,
  with the time split into loading+parsing+chunking, word segmentation (underthesea),
  embedding, and the rest (FAISS + BM25 + hashing) measured by wrapping those calls;
- peak memory: the process's peak RSS (``ru_maxrss``) before the ingest (libraries and the
  model loaded) and after it;
- index bytes per passage (whole version directory, and each part);
- search latency, warm, one query at a time: the 100 ALQAC 2023 dev questions (questions
  about these laws), hybrid and dense-only;
- ``--resume-demo S``: a second build in a subprocess killed with SIGKILL after S seconds,
  then rerun: seconds and embeddings saved by the checkpoint.

Results: bench/RESULTS.md, section "ingest_scale" (the file count is stated in it).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from common import dir_bytes, machine, publish

DATA = ROOT.parent / "shared" / "data"
LAWS = DATA / "vlc_laws"
QUESTIONS = DATA / "alqac2023_dev" / "questions.jsonl"


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class Timer:
    """Accumulates seconds spent inside wrapped callables."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self._saved: list[tuple[object, str, object]] = []

    def restore(self) -> None:
        for owner, attr, inner in reversed(self._saved):
            setattr(owner, attr, inner)
        self._saved.clear()

    def wrap(self, owner, attr: str, label: str) -> None:
        inner = getattr(owner, attr)
        self._saved.append((owner, attr, inner))

        def timed(*args, **kwargs):
            t = time.perf_counter()
            try:
                return inner(*args, **kwargs)
            finally:
                self.seconds[label] = self.seconds.get(label, 0.0) + time.perf_counter() - t

        setattr(owner, attr, timed)


def run_ingest(files: list[Path], index_dir: Path, spec: str, progress: bool = True) -> dict:
    import assistant.ingest as ingest_mod
    from assistant.embeddings import make_embedder
    from assistant.settings import Settings
    from assistant.text import Analyzer

    backend, _, model = spec.partition(":")
    settings = Settings(index_dir=index_dir, embedder=backend, embedder_model=model)
    embedder = make_embedder(settings)  # load (and warm) the model before measuring
    embedder.embed_passages(["khởi động"])
    Analyzer().analyze("khởi động mô hình tách từ")
    rss_before = peak_rss_mb()

    timer = Timer()
    timer.wrap(ingest_mod, "read_documents", "load + parse (forked reader with a time/memory budget)")
    timer.wrap(ingest_mod, "chunk_document", "chunk")
    timer.wrap(Analyzer, "analyze_many", "segment (underthesea)")
    # the whole call, not each batch: with embedding workers batches overlap and would count twice
    timer.wrap(type(embedder), "embed_passages", "embed")
    timer.wrap(ingest_mod, "finish_build", "FAISS + BM25 + manifest")

    t0 = time.perf_counter()
    try:
        report = ingest_mod.ingest(files, settings, rebuild=True, progress=progress, say=lambda m: print(m, file=sys.stderr))
    finally:
        timer.restore()
    wall = time.perf_counter() - t0
    if report.errors:
        raise SystemExit(f"ingest failed: {report.errors[:3]}")
    return {"settings": settings, "report": report, "wall": wall, "timer": timer.seconds,
            "rss_before": rss_before, "rss_after": peak_rss_mb(), "embedder": embedder.name,
            "rss_readers": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}


def index_sizes(index_dir: Path) -> dict[str, int]:
    from assistant.index.layout import current_version

    version = current_version(index_dir)
    sizes = {"total": dir_bytes(version)}
    for child in version.iterdir():
        sizes[child.name] = dir_bytes(child) if child.is_dir() else child.stat().st_size
    return sizes


def search_latency(settings) -> dict[str, tuple[float, float]]:
    from assistant.api import Assistant

    questions = [json.loads(line)["q"] for line in QUESTIONS.read_text(encoding="utf-8").splitlines() if line.strip()]
    a = Assistant.open(settings.index_dir, settings)
    out = {}
    try:
        for mode in ("hybrid", "dense", "lexical"):
            for q in questions[:5]:  # warm
                a.search(q, k=10, mode=mode)
            secs = []
            for q in questions:
                t = time.perf_counter()
                a.search(q, k=10, mode=mode)
                secs.append(time.perf_counter() - t)
            secs.sort()
            out[mode] = (1000 * statistics.median(secs), 1000 * secs[int(0.95 * (len(secs) - 1))])
    finally:
        a.close()
    return out


CHILD = """
import sys
from pathlib import Path
sys.path.insert(0, {root!r})
from assistant.ingest import ingest
from assistant.settings import Settings
b, _, m = {spec!r}.partition(":")
ingest([Path(p) for p in sys.argv[2:]], Settings(index_dir=Path(sys.argv[1]), embedder=b, embedder_model=m),
       rebuild=True, progress=False, say=lambda msg: None)
"""


def resume_demo(files: list[Path], index_dir: Path, spec: str, kill_after: float) -> dict:
    """Build again from scratch in a subprocess, SIGKILL it after ``kill_after`` s, then rerun in-process."""
    import shutil

    from assistant.index.checkpoint import FILE, EmbeddingCache

    shutil.rmtree(index_dir, ignore_errors=True)
    code = CHILD.format(root=str(ROOT), spec=spec)
    child = subprocess.Popen([sys.executable, "-c", code, str(index_dir), *map(str, files)])
    time.sleep(kill_after)
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    from assistant.embeddings import make_embedder
    from assistant.settings import Settings

    backend, _, model = spec.partition(":")
    emb = make_embedder(Settings(embedder=backend, embedder_model=model))
    cache = EmbeddingCache.for_index(index_dir, emb.name, emb.dimension) if (index_dir / FILE).exists() else None
    saved = len(cache) if cache else 0
    if cache:
        cache.close()
    rerun = run_ingest(files, index_dir, spec, progress=False)
    return {"killed_after": kill_after, "checkpointed": saved, "rerun_wall": rerun["wall"],
            "rerun_embed": rerun["timer"].get("embed", 0.0), "passages": rerun["report"].passages}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--embedder", default="", help="backend[:model]; default: Settings().embedder")
    ap.add_argument("--files", type=int, default=0, help="only the first N law files (0 = all)")
    ap.add_argument("--index", default=str(ROOT / "bench" / "work" / "vlc_laws"))
    ap.add_argument("--resume-demo", type=float, default=0.0)
    ap.add_argument("--no-write", action="store_true")
    args = ap.parse_args()

    from assistant.settings import Settings

    defaults = Settings()
    spec = args.embedder or f"{defaults.embedder}:{defaults.embedder_model}".rstrip(":")
    files = sorted(LAWS.glob("*.txt"))
    if args.files:
        files = files[: args.files]
    index_dir = Path(args.index)

    load_avg = os.getloadavg()[0]
    r = run_ingest(files, index_dir, spec)
    report, wall, timer = r["report"], r["wall"], r["timer"]
    from assistant.api import Assistant

    a = Assistant.open(index_dir, r["settings"])
    chars = sum(len(d.text) for d in a.store.docstore.documents())
    passage_chars = sum(len(p.text) for p in a.store.passages)
    kind = a.store.manifest.dense_index
    a.close()
    sizes = index_sizes(index_dir)
    lat = search_latency(r["settings"])
    demo = resume_demo(files, index_dir.with_name(index_dir.name + "-resume"), spec, args.resume_demo) if args.resume_demo else None

    n = report.passages
    accounted = sum(timer.values())
    lines = [
        "## Ingest at scale: vlc_laws (`bench/ingest_scale.py`)",
        "",
        f"Machine: {machine()}. Run {time.strftime('%Y-%m-%d %H:%M')}; load average at start {load_avg:.1f} "
        "(shared machine: other engineers' test suites were running).",
        f"Embedder `{r['embedder']}`; {len(files)} of {len(list(LAWS.glob('*.txt')))} files, {report.documents} documents, **{n:,} passages**, "
        f"{chars:,} characters of text ({passage_chars:,} in passages); fresh build (`--rebuild`), dense index: {kind}.",
        "",
        "| measure | value |",
        "|---|---|",
        f"| wall time | {wall:.0f} s |",
        f"| passages/s | **{n / wall:.1f}** |",
        f"| characters/s | **{chars / wall:,.0f}** |",
        f"| peak RSS before ingest (libraries + model loaded) | {r['rss_before']:.0f} MB |",
        f"| peak RSS after ingest | **{r['rss_after']:.0f} MB** |",
        f"| peak RSS of the largest forked reader (one file loaded and parsed) | {r['rss_readers']:.0f} MB |",
        f"| index size | {sizes['total'] / 1e6:.1f} MB = **{sizes['total'] / n:,.0f} bytes/passage** |",
    ]
    for part in ("docstore.sqlite", "dense.faiss", "bm25", "bm25_folded"):
        if part in sizes:
            lines.append(f"| ... {part} | {sizes[part] / n:,.0f} bytes/passage |")
    for mode, (p50, p95) in lat.items():
        lines.append(f"| search latency, {mode}, warm, single query (100 ALQAC questions), p50 / p95 | {p50:.1f} / {p95:.1f} ms |")
    lines += ["", "Where the time goes (seconds inside each step; the rest is hashing, docstore writes, checkpointing):", "",
              "| step | seconds | share | rate |", "|---|---|---|---|"]
    for label, secs in sorted(timer.items(), key=lambda kv: -kv[1]):
        rate = f"{n / secs:.1f} passages/s" if label in ("embed", "segment (underthesea)") else ""
        lines.append(f"| {label} | {secs:.0f} | {100 * secs / wall:.0f}% | {rate} |")
    lines.append(f"| other | {max(0.0, wall - accounted):.0f} | {100 * max(0.0, wall - accounted) / wall:.0f}% | |")
    if demo:
        lines += [
            "",
            f"Resume: a fresh build in a subprocess was killed with SIGKILL after {demo['killed_after']:.0f} s with "
            f"{demo['checkpointed']:,} passage vectors checkpointed; the rerun finished in {demo['rerun_wall']:.0f} s "
            f"({demo['rerun_embed']:.0f} s embedding the remaining {demo['passages'] - demo['checkpointed']:,} passages) "
            f"instead of {wall:.0f} s.",
        ]
    publish("ingest_scale", "\n".join(lines), write=not args.no_write)


if __name__ == "__main__":
    main()
