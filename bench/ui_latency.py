"""Web UI latency, against 127.0.0.1 only, with a built index and the default model.

1. Start-up: time from launching ``assistant serve`` (index already built and up to
   date) until the page is served, and until the first question is answered.
2. Time to the first answer token through the chat endpoint (the one the page uses),
   p50/p95, with 1 and with 8 concurrent users. Each user is its own gradio_client
   session asking seed_dev questions in turn; the run is bounded (requests per user,
   per-request timeout). The chat streams a "searching" message first; the clock
   stops at the first update that carries the answer text.

Results are printed and recorded in bench/RESULTS.md (section "ui").

    .venv/bin/python bench/ui_latency.py [--requests 40] [--port 7891]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from common import machine, write_section

import assistant  # noqa: F401  (offline environment before gradio_client)
from assistant.ingest import ingest
from assistant.settings import Settings

QUESTIONS_FILE = ROOT.parent / "shared" / "data" / "seed_dev.jsonl"
FALLBACK = ["Mục tiêu tăng trưởng công nghiệp giai đoạn 2011-2015 là bao nhiêu?"]
THINKING_MARK = "thinking"  # class of the placeholder message (ui.chat.THINKING)
BIN = Path(sys.executable).with_name("assistant")


def questions() -> list[str]:
    if QUESTIONS_FILE.is_file():
        qs = [json.loads(line)["q"] for line in QUESTIONS_FILE.read_text(encoding="utf-8").splitlines() if line.strip()]
        return qs or FALLBACK
    return FALLBACK


def wait_http(url: str, deadline: float) -> bool:
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return True
        except OSError:
            time.sleep(0.05)
    return False


def first_answer_seconds(client, question: str, timeout: float) -> float:
    """Seconds from submitting to the first streamed update carrying the answer."""
    t0 = time.perf_counter()
    job = client.submit(question, [], api_name="/chat")
    deadline = t0 + timeout
    seen = 0
    while time.perf_counter() < deadline:
        outputs = job.outputs()
        for out in outputs[seen:]:
            seen += 1
            messages = out[1] if isinstance(out, (list, tuple)) and len(out) > 1 else []
            if messages and messages[-1].get("role") == "assistant" and THINKING_MARK not in str(messages[-1].get("content")):
                return time.perf_counter() - t0
        if job.done() and seen >= len(job.outputs()):
            break
        time.sleep(0.005)
    raise TimeoutError(f"no answer within {timeout}s for {question!r}")


def load(url: str, users: int, per_user: int, timeout: float) -> tuple[list[float], int]:
    from gradio_client import Client

    qs = questions()
    times: list[float] = []
    errors = 0
    lock = threading.Lock()
    clients = [Client(url, verbose=False) for _ in range(users)]

    def user(i: int) -> None:
        nonlocal errors
        for j in range(per_user):
            q = qs[(i * per_user + j) % len(qs)]
            try:
                dt = first_answer_seconds(clients[i], q, timeout)
            except Exception as exc:  # noqa: BLE001 - counted and reported
                print(f"  user {i}: {exc}", file=sys.stderr)
                with lock:
                    errors += 1
                continue
            with lock:
                times.append(dt)

    threads = [threading.Thread(target=user, args=(i,)) for i in range(users)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return times, errors


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(p) - 1]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--requests", type=int, default=40, help="questions per load level (split over users)")
    ap.add_argument("--port", type=int, default=7891)
    ap.add_argument("--timeout", type=float, default=120.0, help="per-request limit, seconds")
    ap.add_argument("--no-record", action="store_true", help="print only; leave RESULTS.md alone")
    args = ap.parse_args()

    work = Path(tempfile.mkdtemp(prefix="ui-bench-"))
    settings = Settings(index_dir=work / "index")
    t = time.perf_counter()
    report = ingest([ROOT / "corpus"], settings, progress=False, say=lambda m: None)
    print(f"index built: {report.summary()}")

    url = f"http://127.0.0.1:{args.port}/"
    env = dict(os.environ)
    cmd = [str(BIN), "serve", "--index", str(work / "index"), "--port", str(args.port), "--quiet"]
    t0 = time.perf_counter()
    server = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        if not wait_http(url, time.time() + 300):
            server.kill()
            print(server.stderr.read(), file=sys.stderr)
            raise SystemExit("server did not come up within 300 s")
        page_up = time.perf_counter() - t0
        from gradio_client import Client

        first = first_answer_seconds(Client(url, verbose=False), FALLBACK[0], args.timeout)
        answered = time.perf_counter() - t0
        print(f"serve -> page {page_up:.2f}s; -> first answer {answered:.2f}s (that answer {first:.2f}s)")

        rows = []
        for users in (1, 8):
            per_user = max(1, args.requests // users)
            t = time.perf_counter()
            times, errors = load(url, users, per_user, args.timeout)
            wall = time.perf_counter() - t
            row = {
                "users": users,
                "n": len(times),
                "errors": errors,
                "p50": pct(times, 50),
                "p95": pct(times, 95),
                "max": max(times) if times else float("nan"),
                "throughput": len(times) / wall if wall else 0.0,
            }
            rows.append(row)
            print(
                f"{users} user(s): n={row['n']} errors={errors} p50 {row['p50']:.3f}s p95 {row['p95']:.3f}s "
                f"max {row['max']:.3f}s, {row['throughput']:.2f} answers/s"
            )
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()

    from ui.app import CONCURRENCY, QUEUE_SIZE

    body = [
        "## Web UI latency (`bench/ui_latency.py`)",
        "",
        f"Machine: {machine()}. Server: `assistant serve` on 127.0.0.1, default embedder ({Settings().embedder}), index of",
        f"corpus/ already built ({report.documents} documents, {report.passages} passages); queue max_size={QUEUE_SIZE},",
        f"default_concurrency_limit={CONCURRENCY}. Clients: gradio_client sessions on the same machine, asking",
        "seed_dev questions through the chat endpoint the page uses; time to the first update carrying the answer",
        "(the extractive answer arrives in one piece, so first token = whole answer).",
        "",
        "| start-up | seconds |",
        "|---|---|",
        f"| `assistant serve` → page served (index up to date, models warmed) | {page_up:.2f} |",
        f"| `assistant serve` → first question answered | {answered:.2f} |",
        "",
        "| concurrent users | answers | errors | p50 first answer (s) | p95 (s) | max (s) | answers/s |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        body.append(
            f"| {r['users']} | {r['n']} | {r['errors']} | {r['p50']:.3f} | {r['p95']:.3f} | {r['max']:.3f} | {r['throughput']:.2f} |"
        )
    text = "\n".join(body)
    print(text)
    if not args.no_record:
        write_section("ui", text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
