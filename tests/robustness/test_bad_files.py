"""Hand-written hostile files: empty, over the size limit, truncated and zip-bomb .docx,
a .pdf that is not a PDF, JSONL with missing fields, wrong types, integers too long to
convert and nesting too deep to parse. Each is refused with one line naming the file,
and an ingest that meets one changes nothing in the live index.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest

from assistant.errors import AssistantError, LoadError
from assistant.ingest import ingest
from assistant.loaders import load_path, supported_suffixes

from .conftest import ROOT, one_line, record, snapshot

GOOD_TEXT = "NGHỊ QUYẾT\nvề phát triển du lịch\n\nI. MỤC TIÊU\n\n1. Đón 3 triệu lượt khách du lịch vào năm 2025.\n"


def minimal_docx(text: str = "Nghị quyết về phát triển công nghiệp.") -> bytes:
    try:
        import docx  # python-docx
    except ImportError:
        pytest.skip("python-docx not installed")
    d = docx.Document()
    d.add_paragraph(text)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def zip_bomb_docx(uncompressed: int) -> bytes:
    """A valid-looking .docx whose document.xml inflates to ``uncompressed`` bytes."""
    base = zipfile.ZipFile(io.BytesIO(minimal_docx()))
    out = io.BytesIO()
    para = b"<w:p><w:r><w:t>" + b"A" * 4000 + b"</w:t></w:r></w:p>"
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for info in base.infolist():
            if info.filename == "word/document.xml":
                head = base.read(info.filename).split(b"<w:body>")[0] + b"<w:body>"
                with z.open("word/document.xml", "w", force_zip64=True) as fh:
                    fh.write(head)
                    for _ in range(uncompressed // len(para)):
                        fh.write(para)
                    fh.write(b"</w:body></w:document>")
            else:
                z.writestr(info, base.read(info.filename))
    return out.getvalue()


def refused(path: Path, max_bytes: int = 50_000_000) -> str:
    with pytest.raises(LoadError) as info:
        load_path(path, max_bytes=max_bytes)
    msg = str(info.value)
    assert one_line(msg) and path.name in msg, msg
    record("bad_files_refused", path.suffix or "(none)")
    return msg


CASES: dict[str, bytes] = {
    "empty.txt": b"",
    "blank.md": b" \n\t\r\n",
    "nul.txt": b"\x00" * 64,
    "binary.txt": bytes(range(256)) * 8,
    "elf.md": b"\x7fELF\x02\x01\x01" + b"\x00" * 200,
    "not-a-pdf.pdf": b"This is a text file pretending to be a PDF.\n",
    "png-as-pdf.pdf": b"\x89PNG\r\n\x1a\n" + b"\x00" * 100,
    "truncated.pdf": b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog",
    "not-a-zip.docx": b"PK\x03\x04 not really a zip",
    "text.docx": "Nghị quyết".encode(),
    "empty.docx": b"",
    "random.html": b"\xff\xfe\x00\x00" + os.urandom(64),
    "noext": b"hello",
    "archive.zip": b"PK\x05\x06" + b"\x00" * 18,
    "virus.exe": b"MZ\x90\x00",
}

JSONL_CASES: dict[str, str] = {
    "missing-text": '{"id": "a"}',
    "missing-id": '{"text": "Nội dung"}',
    "text-number": '{"id": "a", "text": 5}',
    "text-list": '{"id": "a", "text": ["a", "b"]}',
    "text-null": '{"id": "a", "text": null}',
    "text-empty": '{"id": "a", "text": "  "}',
    "id-bool": '{"id": true, "text": "x"}',
    "id-float": '{"id": 1.5, "text": "x"}',
    "id-object": '{"id": {"a": 1}, "text": "x"}',
    "id-empty": '{"id": " ", "text": "x"}',
    "title-number": '{"id": "a", "text": "x", "title": 7}',
    "issuer-object": '{"id": "a", "text": "x", "issuer": {"y": 2012}}',
    "array-line": '["id", "text"]',
    "string-line": '"just a string"',
    "bad-json": '{"id": "a", "text": "x"',
    "duplicate-id": '{"id": "a", "text": "x"}\n{"id": "a", "text": "y"}',
    "huge-int-id": '{"id": ' + "9" * 5000 + ', "text": "x"}',
    "deep-nesting": '{"id": "a", "text": "x", "x": ' + "[" * 100_000 + "]" * 100_000 + "}",
    "only-blank-lines": "\n\n   \n",
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_file_is_refused_in_one_line(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(CASES[name])
    msg = refused(path)
    if Path(name).suffix.lower() not in supported_suffixes():
        assert "unsupported" in msg or "not" in msg


@pytest.mark.parametrize("case", sorted(JSONL_CASES))
def test_bad_jsonl_is_refused_in_one_line(tmp_path: Path, case: str) -> None:
    path = tmp_path / f"{case}.jsonl"
    path.write_text(JSONL_CASES[case], encoding="utf-8")
    refused(path)


def test_bad_sidecar_is_refused_in_one_line(tmp_path: Path) -> None:
    doc = tmp_path / "nq.txt"
    doc.write_text(GOOD_TEXT, encoding="utf-8")
    for body in ["[1, 2]", '{"provice": "x"}', '{"title": 5}', "{", "[" * 100_000, "\xff\xfe", '{"year": ' + "1" * 5000 + "}"]:
        (tmp_path / "nq.meta.json").write_bytes(body.encode("utf-8", "surrogateescape") if isinstance(body, str) else body)
        with pytest.raises(LoadError) as info:
            load_path(doc)
        assert one_line(str(info.value)) and "nq.meta.json" in str(info.value)
        record("bad_files_refused", ".meta.json")


def test_file_over_the_size_limit_is_refused_without_reading(tmp_path: Path) -> None:
    for suffix in supported_suffixes():
        path = tmp_path / f"huge{suffix}"
        with open(path, "wb") as fh:  # sparse: 50 MB + 1 without using the disk
            fh.truncate(50_000_001)
        msg = refused(path)
        assert "limit" in msg
        small = tmp_path / f"small{suffix}"
        small.write_bytes(b"x" * 2048)
        assert "limit" in refused(small, max_bytes=1024)


def test_truncated_docx(tmp_path: Path) -> None:
    data = minimal_docx()
    for cut in (0, 10, 100, len(data) // 3, len(data) // 2, len(data) - 22, len(data) - 1):
        path = tmp_path / f"cut-{cut}.docx"
        path.write_bytes(data[:cut])
        refused(path)


@pytest.mark.slow
def test_docx_zip_bomb_is_refused_with_bounded_memory(tmp_path: Path) -> None:
    """1 GiB of XML in a ~1 MB .docx: refused, the loader's memory growth stays small."""
    path = tmp_path / "bomb.docx"
    path.write_bytes(zip_bomb_docx(1 << 30))
    assert path.stat().st_size < 8_000_000
    script = textwrap.dedent(
        f"""
        import resource, sys, json
        sys.path.insert(0, {str(ROOT)!r})
        from assistant.loaders import load_path
        from assistant.errors import LoadError
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        try:
            items = load_path({str(path)!r})
            outcome = "loaded " + str(sum(len(i.text) for i in items))
        except LoadError as exc:
            outcome = "refused " + str(exc)
        after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print(json.dumps({{"outcome": outcome, "grew_kb": after - before}}))
        """
    )
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result["outcome"].startswith("refused "), result
    assert one_line(result["outcome"])
    assert result["grew_kb"] < 300_000, f"loading the bomb grew memory by {result['grew_kb'] // 1024} MB"
    record("bad_files_refused", ".docx (zip bomb)")


def test_strict_ingest_of_bad_files_changes_nothing(index_copy, tmp_path: Path) -> None:
    """One bad file among good ones: every bad file gets one line, the live index is untouched."""
    settings = index_copy
    before = snapshot(settings.index_dir)
    drop = tmp_path / "drop"
    drop.mkdir()
    (drop / "good.txt").write_text(GOOD_TEXT, encoding="utf-8")
    (drop / "empty.txt").write_bytes(b"")
    (drop / "bad.jsonl").write_text(JSONL_CASES["huge-int-id"], encoding="utf-8")
    (drop / "deep.jsonl").write_text(JSONL_CASES["deep-nesting"], encoding="utf-8")
    (drop / "fake.pdf").write_bytes(CASES["not-a-pdf.pdf"])
    report = ingest([drop], settings, progress=False, say=lambda m: None)
    assert not report.published
    assert len(report.errors) >= 3, report.errors  # fake.pdf too, once .pdf is a registered format
    assert all(one_line(e) for e in report.errors), report.errors
    assert snapshot(settings.index_dir) == before
    record("ingest_unchanged", "strict ingest with bad files")

    # --skip-errors: the good file is indexed, the old documents kept, the bad ones reported
    report = ingest([drop], settings, progress=False, skip_errors=True, say=lambda m: None)
    assert report.published and any(k.endswith("good.txt") for k in report.added), report
    from assistant.api import Assistant

    a = Assistant.open(settings.index_dir, settings)
    try:
        ids = {d for d, *_ in a.documents()}
        assert "good" in ids and len(ids) == 3, ids
    finally:
        a.close()


@pytest.mark.slow
def test_cli_ingest_of_bad_files_prints_one_line_each(index_copy, tmp_path: Path) -> None:
    settings = index_copy
    before = snapshot(settings.index_dir)
    bad = []
    for name, body in [("empty.txt", b""), ("x.jsonl", JSONL_CASES["deep-nesting"].encode()), ("y.pdf", CASES["not-a-pdf.pdf"])]:
        (tmp_path / name).write_bytes(body)
        bad.append(str(tmp_path / name))
    env = {**os.environ, "ASSISTANT_EMBEDDER": "hash"}
    proc = subprocess.run(
        [sys.executable, "-m", "assistant", "ingest", *bad, "--index", str(settings.index_dir), "--quiet"],
        capture_output=True, text=True, timeout=120, env=env, cwd=ROOT,
    )
    assert proc.returncode == 1, proc
    assert "Traceback" not in proc.stderr, proc.stderr
    errors = [line for line in proc.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 3, proc.stderr
    assert snapshot(settings.index_dir) == before


def test_user_errors_are_assistant_errors() -> None:
    assert issubclass(LoadError, AssistantError)


def test_jsonl_text_with_unicode_line_separators_loads(tmp_path: Path) -> None:
    """json.dumps(ensure_ascii=False) leaves U+2028/U+2029/U+0085 raw inside strings: still one line."""
    text = "Mục tiêu\u2028tăng trưởng\u2029công nghiệp\u0085trên 25%/năm."
    path = tmp_path / "seps.jsonl"
    path.write_text(json.dumps({"id": "a", "text": text, "title": "Nghị\u2028quyết"}, ensure_ascii=False) + "\r\n", encoding="utf-8")
    items = load_path(path)
    assert len(items) == 1 and "25%" in items[0].text
