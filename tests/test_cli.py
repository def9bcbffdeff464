"""The ``assistant`` command as a user runs it: a subprocess, real exit codes and output."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import SEED_DEV


def run(args: list[str], cwd: Path, env_extra: dict | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "ASSISTANT_EMBEDDER": "hash", **(env_extra or {})}
    return subprocess.run(
        [sys.executable, "-m", "assistant", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600
    )


@pytest.fixture
def workdir(tmp_path: Path, corpus_copy: Path) -> Path:
    # corpus_copy lives in tmp_path/corpus, the default corpus directory for this cwd
    return tmp_path


def test_search_before_ingest(workdir):
    r = run(["search", "công nghiệp"], workdir)
    assert r.returncode == 1
    assert r.stderr.strip().count("\n") == 0 and "assistant ingest" in r.stderr and "Traceback" not in r.stderr


@pytest.mark.slow  # seven subprocesses, each importing the whole stack
def test_ingest_search_docs_eval(workdir):
    r = run(["ingest", "--quiet"], workdir)
    assert r.returncode == 0, r.stderr
    assert "2 added" in r.stdout

    r = run(["search", "cụm công nghiệp Lao Bảo", "-k", "3", "--json"], workdir)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["query"] == "cụm công nghiệp Lao Bảo" and len(out["hits"]) == 3
    assert set(out["hits"][0]) == {"rank", "score", "passage_id", "doc_id", "title", "section", "paragraph", "text", "citation"}

    queries = workdir / "q.jsonl"
    queries.write_text('{"id": "x1", "q": "Lao Bảo"}\n{"id": "x2", "q": "điện gió"}\n', encoding="utf-8")
    r = run(["search", "--queries", str(queries), "--json", "-k", "2"], workdir)
    lines = [json.loads(line) for line in r.stdout.splitlines()]
    assert [line["id"] for line in lines] == ["x1", "x2"] and all(len(line["hits"]) == 2 for line in lines)

    r = run(["docs", "--json"], workdir)
    docs = [json.loads(line) for line in r.stdout.splitlines()]
    assert {d["number"] for d in docs} >= {"11-KL/TU"}
    assert any(d["province"] == "Bắc Kạn" and "province" in d["supplied"] for d in docs)

    r = run(["eval", str(SEED_DEV), "--json"], workdir)
    res = json.loads(r.stdout)
    assert res["answerable"] == 13 and 0 <= res["mrr@10"] <= 1 and "recall@5" in res

    r = run(["search", "công nghiệp", "--province", "Quảng Trị", "--json"], workdir)
    assert all("Quảng Trị" in h["citation"] for h in json.loads(r.stdout)["hits"])


@pytest.mark.slow
def test_bad_input_one_line_and_index_kept(workdir):
    assert run(["ingest", "--quiet"], workdir).returncode == 0
    bad = workdir / "bad.jsonl"
    bad.write_text('{"id": 1}\n', encoding="utf-8")
    r = run(["ingest", str(bad), "--quiet"], workdir)
    assert r.returncode == 1
    errors = [line for line in r.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "bad.jsonl" in errors[0] and "Traceback" not in r.stderr
    r = run(["search", "công nghiệp", "--json", "-k", "1"], workdir)
    assert r.returncode == 0 and len(json.loads(r.stdout)["hits"]) == 1

    r = run(["ingest", str(workdir / "missing.txt")], workdir)
    assert r.returncode == 1 and "missing.txt" in r.stderr

    r = run(["eval", str(workdir / "nope.jsonl")], workdir)
    assert r.returncode == 1 and "nope.jsonl" in r.stderr and "Traceback" not in r.stderr
