"""The targets table: stored in the docstore at ingest, incremental, and the CLI."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from assistant.cli import main
from assistant.index.store import IndexStore
from assistant.ingest import ingest
from assistant.settings import Settings
from assistant.targets.model import JSON_KEYS
from assistant.targets.table import load_rows, rows_from, to_csv, update_table

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
BAC_KAN = "nghi-quyet-hnln5-khoa-x-bac-kan-cong-nghiep-2011-2015"
QUANG_TRI = "ket-luan-11-KL-TU-quang-tri-2012-cong-nghiep"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("targets")
    corpus = tmp / "corpus"
    shutil.copytree(CORPUS, corpus)
    settings = Settings(index_dir=tmp / "index", corpus_dir=corpus, embedder="hash")
    report = ingest([corpus], settings, progress=False, say=lambda m: None)
    assert not report.errors and report.published
    return settings, corpus


def test_table_is_stored_with_the_index_and_hashed(built):
    settings, _ = built
    store = IndexStore.open(settings.index_dir)  # verifies every file against the manifest
    try:
        rows, stored = load_rows(store)
        assert stored
        assert {r.doc_id for r in rows} == {BAC_KAN, QUANG_TRI}
        assert "docstore.sqlite" in store.manifest.files
        for r in rows:
            assert store.docstore.document(r.doc_id).text[r.start : r.end] == r.quote
    finally:
        store.close()


def test_cli_json_rows(built, capsys):
    settings, _ = built
    assert main(["targets", "--index", str(settings.index_dir), "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows and all(list(r)[:11] == list(JSON_KEYS[:11]) for r in rows)
    growth = [r for r in rows if r["value"] == "25" and r["unit"] == "%/năm"]
    assert growth and growth[0]["kind"] == "target" and growth[0]["doc_id"] == BAC_KAN
    assert {r["kind"] for r in rows} <= {"target", "achieved", "baseline"}


def test_cli_filters_and_csv(built, capsys):
    settings, _ = built
    idx = str(settings.index_dir)
    assert main(["targets", "--index", idx, "--json", "--province", "Quảng Trị"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows and {r["doc_id"] for r in rows} == {QUANG_TRI}
    assert main(["targets", "--index", idx, "--json", "--province", "quang tri"]) == 0  # accent-less
    assert len(json.loads(capsys.readouterr().out)) == len(rows)
    assert main(["targets", "--index", idx, "--csv", "--doc", BAC_KAN]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("doc_id,indicator,value,unit") and len(lines) > 5
    assert all(BAC_KAN in line for line in lines[1:])
    assert main(["targets", "--index", idx]) == 0
    assert "[Mục tiêu]" in capsys.readouterr().out


def test_cli_errors_are_one_line(built, tmp_path, capsys):
    settings, _ = built
    assert main(["targets", "--index", str(settings.index_dir), "--doc", "khong-co"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: khong-co") and err.count("\n") == 1
    assert main(["targets", "--index", str(tmp_path / "none")]) == 1
    assert "no index" in capsys.readouterr().err


def test_incremental_rebuild_reuses_unchanged_documents(built):
    settings, corpus = built
    store = IndexStore.open(settings.index_dir)
    docs = store.docstore.documents()
    conn = sqlite3.connect(":memory:")
    assert update_table(docs, conn, store.docstore.conn) == (0, 2)  # both copied
    assert len(rows_from(conn)) == len(rows_from(store.docstore.conn))
    changed = [d for d in docs if d.id == BAC_KAN][0]
    changed.text = changed.text.replace("trên 25%/năm", "trên 27%/năm")
    conn2 = sqlite3.connect(":memory:")
    assert update_table(docs, conn2, store.docstore.conn) == (1, 1)
    assert any(r.value == "27" for r in rows_from(conn2, BAC_KAN))
    store.close()
    # a real incremental ingest: edit one source, the table follows
    path = corpus / f"{BAC_KAN}.txt"
    path.write_text(path.read_text(encoding="utf-8").replace("trên 25%/năm", "trên 26%/năm"), encoding="utf-8")
    report = ingest([corpus], settings, progress=False, say=lambda m: None)
    assert report.updated and report.unchanged
    store = IndexStore.open(settings.index_dir)
    try:
        rows, _ = load_rows(store)
        assert any(r.value == "26" and r.doc_id == BAC_KAN for r in rows)
        assert not any(r.value == "25" and r.unit == "%/năm" and r.doc_id == BAC_KAN for r in rows)
        assert any(r.doc_id == QUANG_TRI for r in rows)
    finally:
        store.close()


def test_csv_quotes_commas():
    from assistant.targets.model import TargetRow

    row = TargetRow("d", "công nghiệp, tiểu thủ công nghiệp", "19,6", "%", "", "", "achieved", "c", "q", 0, 1, 19.6)
    text = to_csv([row])
    assert '"công nghiệp, tiểu thủ công nghiệp","19,6"' in text


def test_an_extractor_failure_costs_the_rows_not_the_index(built, monkeypatch):
    from assistant.targets import table

    settings, _ = built
    store = IndexStore.open(settings.index_dir)
    docs = store.docstore.documents()
    store.close()
    real = table.extract_document

    def flaky(doc):
        if doc.id == QUANG_TRI:
            raise ValueError("boom")
        return real(doc)

    monkeypatch.setattr(table, "extract_document", flaky)
    said: list[str] = []
    conn = sqlite3.connect(":memory:")
    assert update_table(docs, conn, None, said.append) == (1, 0)
    assert {r.doc_id for r in rows_from(conn)} == {BAC_KAN}
    assert any("no targets extracted" in m and "boom" in m for m in said)
    recorded = {r[0] for r in conn.execute("SELECT doc_id FROM targets_docs")}
    assert recorded == {BAC_KAN}  # the failed one is retried by the next ingest
