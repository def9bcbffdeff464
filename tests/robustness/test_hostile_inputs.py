"""Regression tests for the attack run of issue 18: list-number bombs, files that hang a
reader, symbolic links out of the corpus, undecodable names, a reader racing a publish,
oversized and special files, single-line and combining-mark floods, huge JSONL, huge
sidecar values, deep HTML nesting, terminal control characters, a closed stdout, and
sidecar names that look like glob patterns. The attack inputs are generated here.

Each test records its scenario and outcome (``record("hostile", ...)``) for
bench/robustness.py.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import threading
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

from assistant.errors import IndexCorrupt, LoadError
from assistant.ingest import ingest
from assistant.loaders import base as loader_base
from assistant.loaders import load_path

from .conftest import PYTHON, ROOT, child_env, hash_settings_for, one_line, record

GOOD = "NGHỊ QUYẾT\nvề phát triển du lịch\n\nI. MỤC TIÊU\n\n1. Đón 3 triệu lượt khách du lịch vào năm 2025.\n"
QUIET = {"progress": False, "say": lambda m: None}


def _settings(tmp_path: Path, **extra):
    s = hash_settings_for(tmp_path / "index", tmp_path / "corpus")
    return s.model_copy(update=extra)


def _corpus(tmp_path: Path, **files: str) -> Path:
    corpus = tmp_path / "corpus"
    corpus.mkdir(exist_ok=True)
    for name, text in files.items():
        (corpus / name).write_text(text, encoding="utf-8")
    return corpus


def _timed(fn, *args, **kwargs):
    t0 = time.perf_counter()
    out = fn(*args, **kwargs)
    return out, time.perf_counter() - t0


# --- 1. list-number bombs ------------------------------------------------------------
def test_html_list_number_bomb_keeps_the_number_as_written(tmp_path: Path) -> None:
    page = tmp_path / "bomb.html"
    page.write_text(
        '<html><body><p>Kế hoạch</p><ol type="i" start="10000000000"><li>Mục một</li><li>Mục hai</li></ol>'
        '<ol type="a" start="1000000000000"><li>điểm</li></ol><ol type="I" start="4"><li>Bốn</li></ol></body></html>',
        encoding="utf-8",
    )
    [doc], seconds = _timed(load_path, page)
    assert "10000000000. Mục một" in doc.text and "10000000001. Mục hai" in doc.text
    assert "1000000000000) điểm" in doc.text
    assert "IV. Bốn" in doc.text  # within the bound, still a Roman numeral
    assert seconds < 10
    record("hostile", "HTML <ol type=i start=10^10> (was: hang > 120 s): loads, number kept as written")


def _docx_with_numbering(fmt_starts: list[tuple[str, int]]) -> bytes:
    docx = pytest.importorskip("docx")
    from docx.oxml import parse_xml

    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    d = docx.Document()
    numbering = d.part.numbering_part.element
    for i, (fmt, start) in enumerate(fmt_starts):
        numbering.insert(
            0,
            parse_xml(
                f'<w:abstractNum {w} w:abstractNumId="{70 + i}"><w:lvl w:ilvl="0"><w:start w:val="{start}"/>'
                f'<w:numFmt w:val="{fmt}"/><w:lvlText w:val="%1."/></w:lvl></w:abstractNum>'
            ),
        )
        numbering.append(parse_xml(f'<w:num {w} w:numId="{80 + i}"><w:abstractNumId w:val="{70 + i}"/></w:num>'))
        p = d.add_paragraph(f"Nội dung {fmt}")
        p._p.get_or_add_pPr().append(parse_xml(f'<w:numPr {w}><w:ilvl w:val="0"/><w:numId w:val="{80 + i}"/></w:numPr>'))
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def test_docx_list_number_bombs_keep_the_number_as_written(tmp_path: Path) -> None:
    path = tmp_path / "bomb.docx"
    path.write_bytes(_docx_with_numbering([("upperRoman", 10**15), ("lowerLetter", 10**12), ("lowerRoman", 3)]))
    [doc], seconds = _timed(load_path, path)
    assert f"{10**15}. Nội dung upperRoman" in doc.text
    assert f"{10**12}. Nội dung lowerLetter" in doc.text
    assert "iii. Nội dung lowerRoman" in doc.text
    assert seconds < 10
    record("hostile", ".docx upperRoman 10^15 / lowerLetter 10^12 (was: > 60 s / MemoryError): loads, number kept")


# --- 2. per-file time and memory budgets ----------------------------------------------
@pytest.fixture
def hostile_loaders(monkeypatch: pytest.MonkeyPatch):
    """Two loaders that misbehave like a parser bug would: one never returns, one eats memory."""

    def hang(path: Path, data: bytes):
        while True:
            time.sleep(0.05)

    def hog(path: Path, data: bytes):
        blocks = []
        while True:
            blocks.append(bytearray(64 * 2**20))

    monkeypatch.setitem(loader_base._REGISTRY, ".hang", hang)
    monkeypatch.setitem(loader_base._REGISTRY, ".hog", hog)


def test_a_file_that_hangs_its_reader_is_refused_within_the_time_budget(tmp_path, monkeypatch, hostile_loaders) -> None:
    monkeypatch.chdir(tmp_path)
    corpus = _corpus(tmp_path, **{"good.txt": GOOD, "stuck.hang": "x"})
    settings = _settings(tmp_path, load_timeout_s=2.0)
    report, seconds = _timed(ingest, [corpus], settings, skip_errors=True, **QUIET)
    assert report.published and report.added == ["corpus/good.txt"]
    [err] = report.errors
    assert one_line(err) and "stuck.hang" in err and "time budget" in err
    assert seconds < 60
    # the lock is free again: the next ingest (the next upload in the queue) runs at once
    again = ingest([corpus / "good.txt"], settings, skip_errors=True, **QUIET)
    assert again.note == "index is up to date"
    record("hostile", "reader that never returns (stand-in for any slow parse): refused after the 2 s budget; next ingest runs")


def test_a_file_that_exhausts_memory_is_refused_within_the_memory_budget(tmp_path, monkeypatch, hostile_loaders) -> None:
    monkeypatch.chdir(tmp_path)
    corpus = _corpus(tmp_path, **{"good.txt": GOOD, "big.hog": "x"})
    report = ingest([corpus], _settings(tmp_path, load_memory_mb=300), skip_errors=True, **QUIET)
    assert report.published and report.added == ["corpus/good.txt"]
    [err] = report.errors
    assert one_line(err) and "big.hog" in err and "memory" in err
    record("hostile", "reader that allocates without end: refused at the 300 MB budget, ingest goes on")


# --- 3. symbolic links out of the corpus ---------------------------------------------
def test_links_out_of_the_corpus_are_refused_and_deleting_a_link_removes_its_document(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("root:x:0:0:bí mật tuyệt đối\n" * 3, encoding="utf-8")
    corpus = _corpus(tmp_path, **{"good.txt": GOOD})
    (corpus / "passwd.txt").symlink_to(outside / "secret.txt")
    (corpus / "inner.txt").symlink_to(corpus / "good.txt")  # a link inside the corpus is fine
    settings = _settings(tmp_path)

    refused = ingest([corpus], settings, **QUIET)
    assert not refused.published
    [err] = refused.errors
    assert one_line(err) and "passwd.txt" in err and "outside the folders" in err and "--follow-symlinks" in err

    report = ingest([corpus], settings, skip_errors=True, **QUIET)
    assert sorted(report.added) == ["corpus/good.txt", "corpus/inner.txt"]

    trusted = ingest([corpus], settings, follow_symlinks=True, **QUIET)
    assert trusted.added == ["corpus/passwd.txt"]  # keyed by the path as given, not /…/outside/secret.txt
    (corpus / "passwd.txt").unlink()
    after = ingest([corpus], settings, **QUIET)
    assert after.removed == ["corpus/passwd.txt"] and after.published
    from assistant.index.store import IndexStore

    store = IndexStore.open(settings.index_dir)
    try:
        assert not any("bí mật" in p.text for p in store.passages)
    finally:
        store.close()
    record("hostile", "corpus/passwd.txt -> file outside: refused in one line (opt-in --follow-symlinks); deleted link removes its document")


# --- 4. undecodable file names --------------------------------------------------------
@pytest.mark.slow  # an ingest in-process and again as a `python -m assistant ingest` subprocess
def test_a_name_that_is_not_utf8_is_refused_in_one_line_and_the_others_are_ingested(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    corpus = _corpus(tmp_path, **{"good.txt": GOOD})
    with open(os.path.join(os.fsencode(corpus), b"bad\xff\xfename.txt"), "wb") as fh:
        fh.write(GOOD.encode())
    report = ingest([corpus], _settings(tmp_path), skip_errors=True, **QUIET)
    assert report.published and report.added == ["corpus/good.txt"]
    [err] = report.errors
    assert one_line(err) and "\\xff\\xfe" in err and "not valid UTF-8" in err
    err.encode("utf-8")  # printable: no surrogates
    proc = subprocess.run(
        [PYTHON, "-m", "assistant", "ingest", "corpus", "--skip-errors", "--quiet", "--index", "index2"],
        cwd=tmp_path, env=child_env(), capture_output=True, text=True, timeout=300,
    )
    assert "Traceback" not in proc.stderr and "not valid UTF-8" in proc.stderr, proc.stderr
    assert proc.returncode == 1 and "1 added" in proc.stdout
    record("hostile", "file name bad\\xff\\xfename.txt (was: traceback, every ingest stopped): refused in one line, others ingested")


# --- 5. a reader opening the index while an ingest publishes --------------------------
def test_a_reader_that_meets_a_retired_version_opens_the_new_one(index_copy, monkeypatch) -> None:
    from assistant.index import manifest as manifest_mod
    from assistant.index.store import IndexStore

    settings = index_copy
    real_verify = manifest_mod.Manifest.verify
    calls = {"n": 0, "retired": None}

    def verify_during_publish(self, directory):
        calls["n"] += 1
        if calls["n"] == 1:
            calls["retired"] = directory  # between reading CURRENT and checking the files, a publish retires this version
            (settings.corpus_dir / "new.txt").write_text(GOOD, encoding="utf-8")
            assert ingest([settings.corpus_dir], settings, **QUIET).published
            assert not directory.exists()
        return real_verify(self, directory)

    monkeypatch.setattr(manifest_mod.Manifest, "verify", verify_during_publish)
    store = IndexStore.open(settings.index_dir)
    try:
        assert "corpus/new.txt" in store.manifest.sources
        assert store.directory != calls["retired"] and calls["n"] >= 3  # the retired one, the ingest's own, the new one
    finally:
        store.close()
    record("faults_injected", "version retired while a reader opens it")
    record("faults_survived", "version retired while a reader opens it")


def test_readers_during_repeated_publishes_never_fail(index_copy) -> None:
    from assistant.index.store import IndexStore

    settings = index_copy
    stop = threading.Event()
    failures: list[str] = []
    opens = {"n": 0}

    def reader() -> None:
        while not stop.is_set():
            try:
                IndexStore.open(settings.index_dir).close()
                opens["n"] += 1
            except Exception as exc:  # noqa: BLE001 - any failure is the bug
                failures.append(f"{type(exc).__name__}: {exc}")

    t = threading.Thread(target=reader)
    t.start()
    try:
        for i in range(4):
            (settings.corpus_dir / "churn.txt").write_text(GOOD + f"\nLần {i}.\n", encoding="utf-8")
            assert ingest([settings.corpus_dir], settings, **QUIET).published
    finally:
        stop.set()
        t.join()
    assert opens["n"] > 0 and not failures, failures[:3]
    record("load", "index opens during publishes", opens["n"])
    record("load_errors", "index opens during publishes", len(failures))


def test_verify_reports_a_file_that_vanishes_as_index_corrupt(index_copy, monkeypatch) -> None:
    from assistant.index import manifest as manifest_mod
    from assistant.index.layout import current_version

    directory = current_version(index_copy.index_dir)
    m = manifest_mod.Manifest.read(directory)

    def gone(path):
        raise FileNotFoundError(2, "No such file or directory")

    monkeypatch.setattr(manifest_mod, "sha256_file", gone)
    with pytest.raises(IndexCorrupt) as info:
        m.verify(directory)
    assert one_line(str(info.value))


# --- 6. size and file type checked before reading -------------------------------------
def test_a_sparse_huge_file_is_refused_before_reading(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    corpus = _corpus(tmp_path, **{"good.txt": GOOD})
    with open(corpus / "huge.txt", "wb") as fh:
        fh.truncate(3 * 2**30)
    report, seconds = _timed(ingest, [corpus], _settings(tmp_path), follow_symlinks=True, skip_errors=True, **QUIET)
    [err] = report.errors
    assert one_line(err) and "over the limit" in err and seconds < 30
    record("hostile", "3 GiB sparse file (was: 3.2 GB read, 24 s): refused by stat before reading")


def test_devices_and_fifos_are_refused_in_one_line(tmp_path) -> None:
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    for target in ("/dev/zero", str(fifo)):
        proc = subprocess.run(
            [PYTHON, "-m", "assistant", "ingest", target, "--quiet", "--index", str(tmp_path / "index")],
            cwd=tmp_path, env=child_env(), capture_output=True, text=True, timeout=120,
        )
        assert proc.returncode == 1 and "not a regular file" in proc.stderr, proc.stderr
        assert all(one_line(line) for line in proc.stderr.strip().splitlines())
    record("hostile", "`ingest /dev/zero` (was: MemoryError) and a FIFO (was: hang): refused in one line")


# --- 7. big allowed inputs ------------------------------------------------------------
def _passages_of(path: Path, settings):
    from assistant.chunking import chunk_document
    from assistant.ingest import read_documents

    out = []
    for doc in read_documents(path, settings):
        for p in chunk_document(doc, settings.passage_max_words, settings.passage_min_words):
            assert doc.text[p.start : p.end] == p.text
            out.append(p)
    return out


@pytest.mark.slow  # parses and chunks 2.9 MB of text (20 s on a busy 2-core machine)
def test_a_single_line_text_is_split_to_the_passage_budget(tmp_path) -> None:
    settings = _settings(tmp_path)
    words = "phát triển kinh tế xã hội bền vững gắn với bảo vệ môi trường".split()
    line = " ".join(words[i % len(words)] for i in range(400_000))  # ~2.4 MB, one line, no sentence end
    (tmp_path / "line.txt").write_text(line, encoding="utf-8")
    (tmp_path / "blob.txt").write_text("A" * 500_000, encoding="utf-8")  # no spaces at all
    for name in ("line.txt", "blob.txt"):
        passages, seconds = _timed(_passages_of, tmp_path / name, settings)
        assert len(passages) > 10
        assert max(len(p.text.split()) for p in passages) <= settings.passage_max_words
        assert max(len(p.text) for p in passages) <= settings.passage_max_words * 30
        assert seconds < 120
    record("hostile", "single-line text, 2.4 MB / 500 KB without spaces (was: one 14.6M-char passage): split to the budget")


def test_a_combining_mark_flood_is_cut(tmp_path) -> None:
    path = tmp_path / "zalgo.txt"
    path.write_text(GOOD + ("a" + "\u0301\u0323\u0300" * 2000 + " ") * 600, encoding="utf-8")  # ~7 MB of marks
    [doc], seconds = _timed(load_path, path)
    assert len(doc.text) < 20_000 and seconds < 30
    assert "Đón 3 triệu lượt khách" in doc.text  # real Vietnamese marks untouched
    record("hostile", "combining-mark flood, 7 MB (was: 47 s, 1.9 GB): runs cut to 3 marks")


def test_a_jsonl_with_too_many_lines_is_refused_in_one_line(tmp_path) -> None:
    from assistant.loaders.jsonl import MAX_JSONL_DOCUMENTS

    path = tmp_path / "many.jsonl"
    path.write_text("".join(f'{{"id": {i}, "text": "văn bản {i}"}}\n' for i in range(MAX_JSONL_DOCUMENTS + 1)), encoding="utf-8")
    with pytest.raises(LoadError) as info:
        _timed(load_path, path)
    assert one_line(str(info.value)) and "split it" in str(info.value)
    record("hostile", f"JSONL over {MAX_JSONL_DOCUMENTS:,} lines (was: > 90 s at 1M lines): refused in one line")


# --- 8. sidecars ----------------------------------------------------------------------
def test_sidecar_values_and_sizes_are_bounded(tmp_path) -> None:
    from assistant.loaders.sidecar import MAX_SIDECAR_BYTES
    from ui.service import Backend

    doc = tmp_path / "nq.txt"
    doc.write_text(GOOD, encoding="utf-8")
    side = tmp_path / "nq.meta.json"
    side.write_text(json.dumps({"province": "Quảng Trị " * 500_000}), encoding="utf-8")
    with pytest.raises(LoadError) as info:
        load_path(doc)
    assert one_line(str(info.value)) and "over the limit" in str(info.value)
    side.write_text(json.dumps({"province": "Quảng Trị"}), encoding="utf-8")
    assert load_path(doc)[0].metadata["province"] == "Quảng Trị"

    line = tmp_path / "x.jsonl"
    line.write_text(json.dumps({"id": 1, "text": GOOD, "province": "x" * 10_000}) + "\n", encoding="utf-8")
    with pytest.raises(LoadError):
        load_path(line)

    upload = tmp_path / "up.meta.json"
    upload.write_bytes(b" " * (MAX_SIDECAR_BYTES + 1))
    fake = SimpleNamespace(settings=_settings(tmp_path))
    assert "quá lớn" in (Backend.validate(fake, upload, "nq.meta.json") or "")
    record("hostile", "5 MB sidecar value (was: 25 MB search JSON), oversized uploaded sidecar: refused in one line")


def test_a_sidecar_without_a_document_is_reported_and_long_names_work(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    long_name = "v" * 247 + ".txt"  # 251 bytes: its sidecar's name could not exist
    corpus = _corpus(tmp_path, **{"good.txt": GOOD, long_name: GOOD.replace("du lịch", "nông nghiệp")})
    (corpus / "orphan.meta.json").write_text(json.dumps({"province": "Huế"}), encoding="utf-8")
    report = ingest([corpus], _settings(tmp_path), **QUIET)
    assert report.published and not report.errors and len(report.added) == 2
    [note] = report.skipped
    assert one_line(note) and "orphan.meta.json" in note and "no document" in note
    record("hostile", "251-byte name (was: 'File name too long'): ingested; sidecar with no document: reported")


def test_uploaded_sidecar_names_are_literal_not_globs(index_copy, tmp_path) -> None:
    from ui.service import Backend

    backend = Backend.open(index_copy)
    try:
        up = tmp_path / "tmp_uploads"
        up.mkdir()
        (up / "a.txt").write_text(GOOD, encoding="utf-8")
        (up / "b.txt").write_text(GOOD.replace("du lịch", "thủy sản"), encoding="utf-8")
        first = backend.ingest_uploads([(up / "a.txt", "a.txt"), (up / "b.txt", "b.txt")], lambda m: None)
        assert all(f.ok for f in first.files) and first.report.published
        (up / "glob.meta.json").write_text(json.dumps({"province": "Huế"}), encoding="utf-8")
        second = backend.ingest_uploads([(up / "glob.meta.json", "[a-z].meta.json")], lambda m: None)
        assert second.report is None  # nothing re-ingested: no document is named "[a-z].*"
        [saved] = second.files
        assert saved.name == "[a-z].meta.json" and "chưa có văn bản" in saved.detail
    finally:
        backend.close()
    record("hostile", "uploaded sidecar `[a-z].meta.json` (was: re-ingested a.txt, b.txt as a glob): taken literally")


# --- 9. nested HTML -------------------------------------------------------------------
def test_deeply_nested_html_is_refused_not_silently_emptied(tmp_path) -> None:
    page = tmp_path / "deep.html"
    page.write_text(
        "<html><head><title>Tiêu đề văn bản</title></head><body>" + "<div>" * 10_000 + "Nội dung sâu bên trong"
        + "</div>" * 10_000 + "</body></html>", encoding="utf-8",
    )  # fmt: skip
    with pytest.raises(LoadError) as info:
        load_path(page)
    assert one_line(str(info.value)) and "nested" in str(info.value)
    shallow = tmp_path / "ok.html"
    shallow.write_text("<html><body>" + "<div>" * 100 + "Nội dung sâu bên trong" + "</div>" * 100 + "</body></html>", encoding="utf-8")
    assert "Nội dung sâu bên trong" in load_path(shallow)[0].text
    record("hostile", "text inside 10,000 nested <div> (was: '1 added', body lost): refused in one line")


# --- 10. terminals --------------------------------------------------------------------
def test_docs_output_escapes_control_characters_and_a_closed_pipe_ends_quietly(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    corpus = _corpus(tmp_path, **{"nq.txt": GOOD})
    (corpus / "nq.meta.json").write_text(json.dumps({"issuer": "Tỉnh ủy\x1b[2J\nGIẢ MẠO"}), encoding="utf-8")
    assert ingest([corpus], _settings(tmp_path), **QUIET).published
    cmd = [PYTHON, "-m", "assistant", "docs", "--index", str(tmp_path / "index")]
    proc = subprocess.run(cmd, cwd=tmp_path, env=child_env(), capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and "\x1b" not in proc.stdout and "\\x1b[2J\\nGIẢ MẠO" in proc.stdout, proc.stdout
    assert not any(line.startswith("GIẢ MẠO") for line in proc.stdout.splitlines())

    closed = subprocess.Popen(cmd, cwd=tmp_path, env=child_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    closed.stdout.close()  # `| head` that already exited
    err = closed.stderr.read().decode()
    closed.wait(timeout=120)
    assert "Traceback" not in err and "BrokenPipe" not in err, err
    record("hostile", "`assistant docs` with ESC[2J and newlines in metadata: escaped; closed stdout: quiet exit")


# --- issue 10: a few stray NUL bytes are not a binary file ---------------------------
def test_stray_nul_bytes_do_not_make_a_text_binary(tmp_path) -> None:
    text = (GOOD * 600).encode("utf-8")  # ~85 KB
    stray = tmp_path / "stray.txt"
    stray.write_bytes(text[:30_000] + b"\x00" + text[30_000:60_000] + b"\x00" + text[60_000:])
    [doc] = load_path(stray)
    assert "\x00" not in doc.text and doc.text.count("Đón 3 triệu lượt khách") == 600
    binary = tmp_path / "binary.txt"
    binary.write_bytes(bytes(range(256)) * 400)
    with pytest.raises(LoadError) as info:
        load_path(binary)
    assert "binary file" in str(info.value)
    record("hostile", "85 KB text with 2 stray NUL bytes (was: refused as binary): loaded, NULs dropped")


def test_root_is_the_repository() -> None:  # the helpers above run `python -m assistant` from it
    assert (ROOT / "assistant" / "__main__.py").is_file()
