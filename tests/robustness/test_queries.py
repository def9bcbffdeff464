"""Hostile queries through ``search`` and ``ask`` (library, CLI): empty, 100 KB, only
punctuation, mixed scripts, control characters, random Unicode. Each gives a normal
(possibly empty) result or a one-line ``AssistantError``, and the index never changes.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant.documents import Answer, Hit
from assistant.errors import AssistantError
from assistant.retrieval import Filters

from .conftest import ROOT, one_line, record, snapshot

QUERY_EXAMPLES = 120
FUZZ = settings(max_examples=QUERY_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))

HAND = {
    "empty": "",
    "spaces": "   \t\n  ",
    "punctuation": "?!.,;:…—–-()[]{}«»\"'/\\|@#$%^&*",
    "only-question-mark": "?",
    "mixed-scripts": "Mục tiêu 中文 русский العربية עברית 日本語 한국어 ελληνικά 🇻🇳🚀 tăng trưởng",
    "control-chars": "mục\x00tiêu\x01\x02\x07\x08\x1b[31m tăng\x7f trưởng\u0085\u2028\u2029",
    "bidi-zero-width": "\u202emục tiêu\u202c \u200b\u200d\ufeff tăng trưởng",
    "combining-storm": "a" + "\u0301" * 500,
    "surrogate-like": "mục tiêu \udcff",
    "no-diacritics": "muc tieu tang truong cong nghiep",
    "sql": "'; DROP TABLE passages; --",
    "fts-syntax": 'NEAR("a" "b") OR * AND NOT title:x',
    "format-braces": "{question} {passages} {0} %s %(x)s",
    "html": "<script>alert(1)</script><img src=x onerror=alert(2)>",
    "doc-number": "11-KL/TU 61/2020/QH14 ../../etc/passwd",
    "one-word-repeated": "công " * 390,
    "long-token": "x" * 1990,
}
LONG = {
    "100kb-vietnamese": ("Mục tiêu tăng trưởng công nghiệp giai đoạn 2011-2015 là bao nhiêu? " * 1600)[:100_000],
    "100kb-one-token": "x" * 100_000,
    "just-over-limit": "a " * 1001,
}


def check_search(a, query: str, **kw) -> list[Hit] | None:
    try:
        hits = a.search(query, **kw)
    except AssistantError as exc:
        assert one_line(str(exc)), str(exc)
        record("queries", "refused")
        return None
    assert isinstance(hits, list)
    for h in hits:
        assert h.passage.text and h.citation
    record("queries", "answered")
    return hits


def check_ask(a, question: str, **kw) -> Answer | None:
    try:
        answer = a.ask(question, **kw)
    except AssistantError as exc:
        assert one_line(str(exc)), str(exc)
        record("questions", "refused")
        return None
    assert isinstance(answer, Answer) and isinstance(answer.text, str) and answer.text
    for c in answer.citations:  # every quote is exact source text
        doc = a.document(c.doc_id)
        assert doc is not None and doc.text[c.start : c.end] == c.quote
    json.dumps(answer.to_dict(), ensure_ascii=False)  # serialisable for --json and the API
    record("questions", "answered")
    return answer


@pytest.fixture(scope="module")
def index_before(built_index: Path):
    return snapshot(built_index / "index")


@pytest.mark.parametrize("name", sorted(HAND))
def test_hand_written_queries(shared_assistant, name: str) -> None:
    q = HAND[name]
    hits = check_search(shared_assistant, q)
    if not q.strip():
        assert hits == []
    check_ask(shared_assistant, q)
    for mode in ("dense", "lexical"):
        check_search(shared_assistant, q, mode=mode)
    check_search(shared_assistant, q, filters=Filters(year=2012, province="Quảng Trị"))


@pytest.mark.parametrize("name", sorted(LONG))
def test_long_queries_are_refused_quickly(shared_assistant, name: str) -> None:
    import time

    q = LONG[name]
    t0 = time.perf_counter()
    assert check_search(shared_assistant, q) is None
    assert check_ask(shared_assistant, q) is None
    assert time.perf_counter() - t0 < 2.0


def test_long_resolved_question_from_client_history(shared_assistant) -> None:
    """History comes from the client (the /ask API takes it): a huge earlier turn cannot
    make the follow-up slow or crash it."""
    from assistant.documents import Turn

    history = [Turn("Mục tiêu tăng trưởng công nghiệp của Bắc Kạn " * 2000 + "là bao nhiêu?", "25%")]
    check_ask(shared_assistant, "Còn Quảng Trị thì sao?", history=history)


@FUZZ
@given(q=st.text(max_size=300))
def test_random_unicode_queries(shared_assistant, q: str) -> None:
    check_search(shared_assistant, q, k=5)
    check_ask(shared_assistant, q)


@FUZZ
@given(words=st.lists(st.sampled_from(["mục", "tiêu", "công", "nghiệp", "11-KL/TU", "?", "bao", "nhiêu", "ai", "khi", "nào",
                                       "so", "sánh", "Quảng", "Trị", "Bắc", "Kạn", "2012", "%", "\x00", "及", "это"]), max_size=30),
       k=st.integers(1, 60), mode=st.sampled_from(["hybrid", "dense", "lexical"]))
def test_random_word_queries(shared_assistant, words: list[str], k: int, mode: str) -> None:
    q = " ".join(words)
    hits = check_search(shared_assistant, q, k=k, mode=mode)
    if hits is not None:
        assert len(hits) <= k
        assert [h.rank for h in hits] == list(range(1, len(hits) + 1))
    check_ask(shared_assistant, q)


def test_queries_never_change_the_index(shared_assistant, built_index: Path, index_before) -> None:
    for q in [*HAND.values(), *LONG.values()]:
        check_search(shared_assistant, q)
        check_ask(shared_assistant, q)
    assert snapshot(built_index / "index") == index_before


def _cli(args: list[str], index: Path, **kw) -> subprocess.CompletedProcess:
    env = {**os.environ, "ASSISTANT_EMBEDDER": "hash"}
    return subprocess.run(
        [sys.executable, "-m", "assistant", *args, "--index", str(index)],
        capture_output=True, text=True, timeout=120, env=env, cwd=ROOT, **kw,
    )


@pytest.mark.slow
def test_cli_queries(built_index: Path, tmp_path: Path) -> None:
    """The CLI: user errors are one line on stderr with exit 1, odd queries answer normally."""
    index = built_index / "index"
    before = snapshot(index)
    batch = tmp_path / "q.jsonl"
    ids = [n for n, q in enumerate(HAND.values()) if "\udcff" not in q]
    lines = [json.dumps({"id": n, "q": list(HAND.values())[n]}, ensure_ascii=False) for n in ids]
    batch.write_text("\n".join(lines) + "\n", encoding="utf-8")
    proc = _cli(["search", "--queries", str(batch), "--json"], index)
    assert proc.returncode == 0, proc.stderr
    assert len(proc.stdout.rstrip("\n").split("\n")) == len(lines)
    proc = _cli(["ask", "--questions", str(batch), "--json"], index)
    assert proc.returncode == 0, proc.stderr
    out = [json.loads(line) for line in proc.stdout.rstrip("\n").split("\n")]
    assert [str(o["id"]) for o in out] == [str(n) for n in ids]  # nothing lost, in order

    bad_batches = {
        "missing-q": '{"id": 1}',
        "q-number": '{"id": 1, "q": 5}',
        "not-json": "mục tiêu",
        "deep": "[" * 100_000,
        "huge-int": '{"id": ' + "9" * 5000 + ', "q": "x"}',
    }
    for name, body in bad_batches.items():
        f = tmp_path / f"{name}.jsonl"
        f.write_text(body, encoding="utf-8")
        for cmd in (["search", "--queries", str(f)], ["ask", "--questions", str(f)]):
            proc = _cli(cmd, index)
            assert proc.returncode == 1, (name, proc.stdout, proc.stderr)
            assert one_line(proc.stderr) and proc.stderr.startswith("error: "), (name, proc.stderr)

    for q in ["", "?!…", "x" * 100_000]:
        for cmd in ("search", "ask"):
            proc = _cli([cmd, q, "--json"], index)
            assert "Traceback" not in proc.stderr, proc.stderr
            if proc.returncode:
                assert proc.returncode == 1 and one_line(proc.stderr), proc.stderr
    assert snapshot(index) == before
