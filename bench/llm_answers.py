"""Extractive vs generative answers, per question kind, in one run.

Question sets: ``seed_dev_kinds.jsonl`` over corpus/ (metadata, scoped, list, comparison,
summary, accent-less, unanswerable, follow-up) and a sample of UIT regulation QA (test
split, every k-th question) over its own index. Each question is answered twice by the
same index: by the extractive answerer (the baseline) and with the language model
(``--llm``, default the offline model in process). Follow-ups first ask their history
with the extractive answerer, for both.

Scored per question: correct (kinds file: one of ``a`` and all of ``a_all`` in the
answer text, none of ``a_not``, the first citation in ``cite_doc``; unanswerable = the
answer abstains), the share of the model's sentences dropped as unsupported, how often
the model's answer was used (``mode == "llm"``) or fell back, and times: extractive
``ask``, generative time to first token and to the full (checked) answer, p50/p95.

    OMP_WAIT_POLICY=PASSIVE .venv/bin/python bench/llm_answers.py [--llm local] [--uit 10]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from common import machine, publish  # noqa: E402

from assistant.answering import Answerer  # noqa: E402
from assistant.answering.llm import LLMAnswerer  # noqa: E402
from assistant.api import Assistant  # noqa: E402
from assistant.documents import Answer, Turn  # noqa: E402
from assistant.evaluation import _norm  # noqa: E402
from assistant.generation.stream import streaming_to  # noqa: E402
from assistant.ingest import ingest  # noqa: E402
from assistant.settings import Settings  # noqa: E402


def open_index(sources: list[Path], work: Path, name: str) -> Assistant:
    settings = Settings(index_dir=work / name)
    report = ingest(sources, settings, rebuild=True, progress=False, say=lambda m: None)
    if report.errors:
        raise SystemExit(f"{name}: ingest failed: {report.errors[:3]}")
    return Assistant.open(settings.index_dir, settings)


def correct(row: dict, ans: Answer, with_quotes: bool = False) -> bool:
    wanted, every, never = row.get("a") or [], row.get("a_all") or [], row.get("a_not") or []
    if not wanted and not every:
        return ans.abstained
    if ans.abstained:
        return False
    text = _norm(" ".join([ans.text, *(c.quote for c in ans.citations)]) if with_quotes else ans.text)
    ok = (not wanted or any(_norm(a) in text for a in wanted)) and all(_norm(a) in text for a in every)
    ok = ok and not any(_norm(a) in text for a in never)
    if row.get("cite_doc"):
        ok = ok and bool(ans.citations) and row["cite_doc"] in ans.citations[0].doc_id
    return ok


def ask_both(assistant: Assistant, extractive: Answerer, generative: Answerer, row: dict) -> dict:
    history: list[Turn] = []
    for hq in row.get("history") or []:
        prev = extractive.ask(hq, history)
        history.append(Turn(hq, prev.text, prev.resolved_question))
    t0 = time.perf_counter()
    e = extractive.ask(row["q"], history or None)
    e_s = time.perf_counter() - t0
    first: list[float] = []
    t0 = time.perf_counter()
    with streaming_to(lambda tok: first.append(time.perf_counter() - t0) if not first else None):
        g = generative.ask(row["q"], history or None)
    g_s = time.perf_counter() - t0
    gen = g.generation
    return {
        "id": row["id"],
        "kind": row.get("kind", "uit"),
        "q": row["q"],
        "extractive": correct(row, e),
        "generative": correct(row, g),
        "extractive_q": correct(row, e, True),
        "generative_q": correct(row, g, True),
        "asked_llm": bool(gen),
        "mode": g.mode,
        "status": gen.get("status", ""),
        "sentences": gen.get("sentences", 0),
        "kept": gen.get("kept", 0),
        "dropped": gen.get("dropped", []),
        "ttft_s": first[0] if first else None,
        "total_s": g_s if gen else None,
        "extractive_s": e_s,
        "answer_e": e.text,
        "answer_g": g.text,
        "output": gen.get("output", ""),
    }


def quantiles(xs: list[float]) -> tuple[float, float] | None:
    xs = sorted(x for x in xs if x is not None)
    if not xs:
        return None
    return statistics.median(xs), xs[min(len(xs) - 1, round(0.95 * (len(xs) - 1)))]


def fmt_q(q: tuple[float, float] | None) -> str:
    return "n/a" if q is None else f"{q[0]:.1f} / {q[1]:.1f}"


def pct(n: int, d: int) -> str:
    return "n/a" if not d else f"{100 * n / d:.0f}% ({n}/{d})"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--llm", default="local", help="as `ask --llm` (default: the offline model in process)")
    parser.add_argument("--uit", type=int, default=10, help="UIT test questions sampled (every k-th)")
    parser.add_argument("--timeout", type=float, default=300.0, help="llm_timeout: generous, to measure the model, not the limit")
    parser.add_argument("--data", default=str(ROOT.parent / "shared" / "data"), help="the shared dev data directory")
    parser.add_argument("--dump", help="write every row (answers, model output) to this JSONL file")
    parser.add_argument("--no-write", action="store_true", help="print only; leave RESULTS.md alone")
    args = parser.parse_args()
    data = Path(args.data)
    kinds = [json.loads(line) for line in (data / "seed_dev_kinds.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    uit_all = [json.loads(line) for line in (data / "uit_regulation_qa" / "questions.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    uit_test = [q for q in uit_all if q["id"].startswith("regtest")]
    step = max(1, len(uit_test) // max(1, args.uit))
    uit = uit_test[::step][: args.uit]
    rows: list[dict] = []
    t_start = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for name, sources, questions in (
            ("seed", [ROOT / "corpus"], kinds),
            ("uit", [data / "uit_regulation_qa" / "passages.jsonl"], uit),
        ):
            assistant = open_index(sources, work, name)
            llm_settings = Settings(**{**assistant.settings.model_dump(), "llm": args.llm, "llm_timeout": args.timeout})
            extractive = Answerer(assistant)
            llm = LLMAnswerer.from_settings(llm_settings, extractive.prompts)
            generative = Answerer(assistant, llm=llm)
            extractive.ask(questions[0]["q"])  # warm-up: embedder, segmenter
            for row in questions:
                r = ask_both(assistant, extractive, generative, row)
                rows.append(r)
                print(
                    f"{r['id']:>14} {r['kind']:<12} E={'✓' if r['extractive'] else '✗'} G={'✓' if r['generative'] else '✗'} "
                    f"{r['mode']:<10} {r['status']:<11} kept {r['kept']}/{r['sentences']} "
                    f"ttft {r['ttft_s'] or 0:.1f}s total {r['total_s'] or 0:.1f}s",
                    flush=True,
                )
            assistant.close()
    wall = time.perf_counter() - t_start
    if args.dump:
        with open(args.dump, "w", encoding="utf-8") as f:
            for r in rows:
                f.write(json.dumps(r, ensure_ascii=False) + "\n")

    order = list(dict.fromkeys(r["kind"] for r in rows))
    lines = [
        "## Generative vs extractive answers (`bench/llm_answers.py`)",
        "",
        f"Machine: {machine()}. Model: `--llm {args.llm}` ({llm.label}), in process, "
        f"{llm_settings.llm_passages} passages of at most {llm_settings.llm_passage_chars} characters, "
        f"max {llm_settings.llm_max_tokens} tokens, temperature {llm_settings.llm_temperature}, time limit {args.timeout:.0f} s. "
        f"Questions: seed_dev_kinds ({len(kinds)}) over corpus/ and a sample of {len(uit)} of the {len(uit_test)} "
        f"UIT regulation QA test questions (every {step}th) over the UIT index. One run, {wall / 60:.1f} min.",
        "Correct = the gold strings in the answer text (kinds: one of `a`, all of `a_all`, none of `a_not`, first "
        "citation in `cite_doc`; unanswerable = abstained). \"LLM used\" = the model's checked answer was shown "
        "(`mode: llm`); otherwise the extractive answer was (the model abstained, too little survived the checks, or "
        "the question never reached it: abstention and comparisons are decided before). Dropped = the model's "
        "sentences removed as unsupported, over all it wrote. Times in seconds, p50 / p95, over the questions the "
        "model was asked; the extractive ask is the baseline.",
        "",
        "| kind | n | extractive correct | generative correct | LLM asked | LLM used | dropped sentences | first token s | full answer s | extractive s | full / extractive (p50) |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]

    def line(label: str, rs: list[dict]) -> str:
        asked = [r for r in rs if r["asked_llm"]]
        sent = sum(r["sentences"] for r in asked)
        drop = sum(r["sentences"] - r["kept"] for r in asked)
        tot, ext = quantiles([r["total_s"] for r in asked]), quantiles([r["extractive_s"] for r in rs])
        ratio = f"{tot[0] / ext[0]:.0f}×" if tot and ext and ext[0] > 0 else "n/a"
        return (
            f"| {label} | {len(rs)} | {pct(sum(r['extractive'] for r in rs), len(rs))} | "
            f"{pct(sum(r['generative'] for r in rs), len(rs))} | {len(asked)} | {sum(r['mode'] == 'llm' for r in rs)} | "
            f"{pct(drop, sent)} | {fmt_q(quantiles([r['ttft_s'] for r in asked]))} | {fmt_q(tot)} | "
            f"{fmt_q(ext)} | {ratio} |"
        )

    for kind in order:
        lines.append(line(kind, [r for r in rows if r["kind"] == kind]))
    seed_rows = [r for r in rows if r["kind"] != "uit"]
    lines.append(line("**all seed kinds**", seed_rows))
    lines.append(line("**all**", rows))
    statuses: dict[str, int] = {}
    reasons: dict[str, int] = {}
    for r in rows:
        if r["asked_llm"]:
            statuses[r["status"]] = statuses.get(r["status"], 0) + 1
        for d in r["dropped"]:
            key = d["problem"].split(" not ")[0].split(" ")[0] if d["problem"] else "?"
            reasons[key] = reasons.get(key, 0) + 1
    lines += [
        "",
        "Outcome of the model's answers: " + ", ".join(f"{k} {v}" for k, v in sorted(statuses.items())) + ". "
        "Why sentences were dropped (first failed check): " + (", ".join(f"{k} {v}" for k, v in sorted(reasons.items())) or "none") + ".",
        f"With the cited quotes counted too: extractive {pct(sum(r['extractive_q'] for r in rows), len(rows))}, "
        f"generative {pct(sum(r['generative_q'] for r in rows), len(rows))}.",
    ]
    publish("llm_answers", "\n".join(lines), write=not args.no_write)


if __name__ == "__main__":
    main()
