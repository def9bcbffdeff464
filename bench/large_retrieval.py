"""Retrieval at scale (issue 15): BM25, dense and hybrid over a large law collection,
by question type and by half of the questions, in one run; plus the small sets
(seed, ALQAC alone, UIT) with the same before/after configurations.

Collection: the 2,249 ALQAC 2023 articles + the vlc_laws/ laws that are not ALQAC laws
(bench/large_collection.py). Queries: the 100 ALQAC dev questions. Hybrid is run twice on
the same index: "before" (the fusion of issue 8: raw query, no law scope, 50 candidates)
and "after" (the current Settings). The questions are split into two halves by a hash of
their id; weights were chosen on half A only, half B is held out.

    nice -n 5 .venv/bin/python bench/large_retrieval.py [--sample N] [--parts large,small] [--no-write]

``--sample N`` keeps every N-th distractor law (a smaller collection, for passage-side
comparisons or a slow machine); the figures say which collection they come from.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from common import machine, publish  # noqa: E402
from large_collection import ALQAC, DATA, sources  # noqa: E402

from assistant.api import Assistant  # noqa: E402
from assistant.embeddings import lazy_embedder  # noqa: E402
from assistant.embeddings.vector_cache import CachedEmbedder  # noqa: E402
from assistant.evaluation import evaluate, read_questions  # noqa: E402
from assistant.ingest import ingest  # noqa: E402
from assistant.query_style import statement  # noqa: E402
from assistant.settings import Settings  # noqa: E402

TYPES = {"Đúng/Sai": "true/false", "Trắc nghiệm": "multiple choice", "Tự luận": "free text"}
#: The hybrid configuration before issue 15, kept to compare against in the same run.
BEFORE = {"query_style": False, "scope_weight": 0.0, "candidates": 50, "fusion_peak_power": 0.0, "group_vote_weight": 0.0}
SMALL = {
    "seed": ("seed_dev (corpus/)", [ROOT / "corpus"], DATA / "seed_dev.jsonl"),
    "alqac": ("ALQAC 2023 dev alone", [ALQAC / "passages.jsonl"], ALQAC / "questions.jsonl"),
    # the same articles titled by their law, as in the large collection (its vectors are reused)
    "alqac-titled": ("ALQAC 2023 dev alone, titled by law", [Path("alqac_titled.jsonl")], ALQAC / "questions.jsonl"),
    "uit": ("UIT regulation QA", [DATA / "uit_regulation_qa" / "passages.jsonl"], DATA / "uit_regulation_qa" / "questions.jsonl"),
}


def half(qid: str) -> str:
    """A or B, from a hash of the id: stable, and independent of the question's text."""
    return "A" if hashlib.sha256(qid.encode()).digest()[0] % 2 == 0 else "B"


def question_types(path: Path) -> dict[str, str]:
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            out[str(row["id"])] = TYPES.get(row.get("type", ""), row.get("type", "") or "all")
    return out


def methods(assistant: Assistant, after: Settings) -> dict:
    before = after.model_copy(update=BEFORE)
    r = assistant.retriever

    def hybrid(settings: Settings, exact_check: bool = True):
        def run(q: str):
            r.settings = settings
            if not exact_check:
                r.exact_terms = lambda text: False
            try:
                return assistant.search(q, k=10, mode="hybrid")
            finally:
                r.settings = after
                r.__dict__.pop("exact_terms", None)
        return run

    def bm25_statement(q: str):
        return assistant.search(statement(q), k=10, mode="lexical")

    return {
        "BM25": lambda q: assistant.search(q, k=10, mode="lexical"),
        "BM25 on the statement": bm25_statement,
        "dense": lambda q: assistant.search(q, k=10, mode="dense"),
        "hybrid before": hybrid(before),
        "hybrid after": hybrid(after),
        "hybrid after + law scope (scope_weight 1)": hybrid(after.model_copy(update={"scope_weight": 1.0})),
        # ideas measured and not adopted (bench/RESULTS.md says why), kept as sensitivity rows
        "hybrid after, one weight pair for every query (plain_dense_share None)": hybrid(
            after.model_copy(update={"plain_dense_share": None})),
        "hybrid after, every query leans dense (no exact-term check)": hybrid(after, exact_check=False),
        "hybrid after + article pooling (article_pool 0.5)": hybrid(after.model_copy(update={"article_pool": 0.5})),
        "hybrid after, fusion_peak_power 3": hybrid(after.model_copy(update={"fusion_peak_power": 3.0})),
    }


def breakdown(res: dict, types: dict[str, str]) -> dict[str, dict[str, float]]:
    groups: dict[str, list[dict]] = {}
    for row in res["per_question"]:
        t = types.get(row["id"], "all")
        for g in dict.fromkeys(("all", t, f"half {half(row['id'])}", f"{t}, half {half(row['id'])}")):
            groups.setdefault(g, []).append(row)
    return {
        g: {"n": len(rows), "mrr@10": sum(x["mrr@10"] for x in rows) / len(rows),
            "recall@10": sum(x["recall@10"] for x in rows) / len(rows)}
        for g, rows in groups.items()
    }


def evaluate_all(index: Path, questions_file: Path, settings: Settings) -> dict:
    assistant = Assistant.open(index, settings)
    questions = read_questions(questions_file)
    types = question_types(questions_file)
    out = {}
    for name, fn in methods(assistant, settings).items():
        t0 = time.perf_counter()
        res = evaluate(questions, fn)
        out[name] = {"groups": breakdown(res, types), "ms": 1000 * (time.perf_counter() - t0) / max(1, res["answerable"]),
                     "per_question": res["per_question"]}
    assistant.close()
    return out


def build(index: Path, files: list[Path], settings: Settings, vectors: Path) -> dict:
    """Ingest (incrementally) with passage vectors cached in ``vectors`` across indexes and runs:
    a text embedded once by this embedder is never embedded again."""
    t0 = time.perf_counter()
    embedder = CachedEmbedder(lazy_embedder(settings), vectors)
    report = ingest(files, settings.model_copy(update={"index_dir": index}), progress=True,
                    say=lambda m: print(m, file=sys.stderr), embedder=embedder)
    if report.errors:
        raise SystemExit(f"{index}: ingest failed: {report.errors[:3]}")
    print(f"{index.name}: {embedder.hits} passage vectors from the cache, {embedder.misses} embedded", file=sys.stderr)
    return {"documents": report.documents, "passages": report.passages, "ingest_s": time.perf_counter() - t0}


GROUP_ORDER = ["all", "true/false", "multiple choice", "free text", "half A", "half B"]


def large_table(res: dict) -> str:
    groups = [g for g in GROUP_ORDER if g in res["BM25"]["groups"]]
    head = "| method | " + " | ".join(f"{g} ({res['BM25']['groups'][g]['n']} q) MRR@10 / R@10" for g in groups) + " | ms/query |"
    lines = [head, "|" + "---|" * (len(groups) + 2)]
    for name, r in res.items():
        cells = [f"{r['groups'][g]['mrr@10']:.3f} / {r['groups'][g]['recall@10']:.2f}" for g in groups]
        lines.append(f"| {name} | " + " | ".join(cells) + f" | {r['ms']:.0f} |")
    base = res["BM25"]["groups"]
    for name in ("hybrid before", "hybrid after"):
        cells = [f"{res[name]['groups'][g]['mrr@10'] - base[g]['mrr@10']:+.3f}" for g in groups]
        lines.append(f"| {name} − BM25 (MRR) | " + " | ".join(cells) + " | |")
    halves = []
    for t in ("true/false", "multiple choice", "free text"):
        for h in ("A", "B"):
            g = f"{t}, half {h}"
            if g in base:
                halves.append(f"{t} {h} ({base[g]['n']} q): BM25 {base[g]['mrr@10']:.3f}, hybrid before "
                              f"{res['hybrid before']['groups'][g]['mrr@10']:.3f}, after {res['hybrid after']['groups'][g]['mrr@10']:.3f}")
    return "\n".join(lines) + "\n\nBy type and half (MRR@10): " + "; ".join(halves) + "."


def small_table(results: dict) -> str:
    lines = ["| set | BM25 | dense | hybrid before | hybrid after | after − before |", "|---|---|---|---|---|---|"]
    for label, res in results.items():
        m = {k: v["groups"]["all"]["mrr@10"] for k, v in res.items()}
        n = res["BM25"]["groups"]["all"]["n"]
        lines.append(f"| {label} ({n} q) | {m['BM25']:.3f} | {m['dense']:.3f} | {m['hybrid before']:.3f} | "
                     f"{m['hybrid after']:.3f} | {m['hybrid after'] - m['hybrid before']:+.3f} |")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--work", default=str(ROOT / "bench" / "work"))
    ap.add_argument("--sample", type=int, default=0, help="keep every N-th distractor law (0: all)")
    ap.add_argument("--parts", default="large,small")
    ap.add_argument("--small", default="seed,alqac,uit", help="which small sets (seed, alqac, alqac-titled, uit)")
    ap.add_argument("--no-write", action="store_true")
    ap.add_argument("--dump", default="", help="write per-question results (JSON) here")
    args = ap.parse_args()
    work = Path(args.work)
    settings = Settings()
    parts = args.parts.split(",")
    body = [f"## Retrieval at scale (issue 15)\n\nMachine: {machine()}; load average at start "
            f"{os.getloadavg()[0]:.1f}. Embedder: {settings.embedder}. "
            f"Run {time.strftime('%Y-%m-%d %H:%M')}. Hybrid before = {BEFORE}; after = query_style "
            f"{settings.query_style}, scope_weight {settings.scope_weight}, candidates {settings.candidates}, "
            f"fusion_peak_power {settings.fusion_peak_power}, group_vote_weight {settings.group_vote_weight}, "
            f"plain_dense_share {settings.plain_dense_share}, article_pool {settings.article_pool}, "
            f"weights dense {settings.dense_weight} / BM25 {settings.lexical_weight}."]
    dump = {}
    if "large" in parts:
        files, dropped = sources(work, args.sample)
        name = "large" if not args.sample else f"large-s{args.sample}"
        info = build(work / name, files, settings, work / "vectors")
        res = evaluate_all(work / name, ALQAC / "questions.jsonl", settings)
        dump["large"] = res
        body.append(
            f"### Large collection: ALQAC articles + {len(files) - 1} distractor laws"
            + (f" (every {args.sample}th of the 99 non-ALQAC laws of vlc_laws/)" if args.sample else " (all non-ALQAC laws of vlc_laws/)")
            + f"\n\n{info['documents']} documents, {info['passages']} passages; 100 ALQAC dev questions. Excluded as "
            f"the same law as an ALQAC one: {', '.join(f for f, _ in dropped)}.\n\n" + large_table(res)
        )
    if "small" in parts:
        results = {}
        for key in args.small.split(","):
            label, src, qfile = SMALL[key]
            src = [p if p.is_absolute() else work / p for p in src]
            build(work / f"small-{key}", src, settings, work / "vectors")
            results[label] = evaluate_all(work / f"small-{key}", qfile, settings)
            dump[key] = results[label]
        body.append("### The development sets (no drop allowed), MRR@10\n\n" + small_table(results))
    text = "\n\n".join(body)
    if args.dump:
        Path(args.dump).write_text(json.dumps(dump, ensure_ascii=False), encoding="utf-8")
    publish("large_retrieval" + (f"_s{args.sample}" if args.sample else ""), text, write=not args.no_write)


if __name__ == "__main__":
    main()
