"""`assistant parse PATH... [--json]` as staff run it: a subprocess, real files, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEED_KL = ROOT / "corpus" / "ket-luan-11-KL-TU-quang-tri-2012-cong-nghiep.txt"
SEED_NQ = ROOT / "corpus" / "nghi-quyet-hnln5-khoa-x-bac-kan-cong-nghiep-2011-2015.txt"


def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "assistant", "parse", *args], cwd=cwd, capture_output=True, text=True, timeout=300)


def test_json_one_line_per_document_with_spans_that_quote_the_text() -> None:
    r = run("--json", str(SEED_KL), str(SEED_NQ))
    assert r.returncode == 0, r.stderr
    lines = [json.loads(x) for x in r.stdout.splitlines()]
    assert [d["doc_id"] for d in lines] == [SEED_KL.stem, SEED_NQ.stem]
    kl = lines[0]
    assert set(kl) >= {"source", "doc_id", "meta", "spans", "sections", "blocks", "recipients", "warnings"}
    assert kl["meta"]["number"] == "11-KL/TU" and kl["meta"]["signer"] == "Lê Hữu Phúc"
    text = SEED_KL.read_text(encoding="utf-8")
    a, b = kl["spans"]["number"]
    assert text[a:b] == "11-KL/TU"
    a, b = kl["spans"]["date"]
    assert text[a:b] == "ngày 12 tháng 01 năm 2012"
    assert "- Bộ Chính trị," in text and "Bộ Chính trị" in kl["recipients"]
    assert [s["label"] for s in kl["sections"]][:2] == ["I", "I.1"]
    assert set(kl["blocks"]) == {"header", "recipients", "signature"}
    assert kl["warnings"] == []
    # the Bắc Kạn resolution states no number or date: warned, and its sidecar fills the province
    nq = lines[1]
    assert nq["meta"]["number"] == "" and "number" not in nq["spans"]
    assert any("số hiệu" in w for w in nq["warnings"]) and nq["meta"]["province"] == "Bắc Kạn"
    assert "province" in nq["meta"]["supplied"]


def test_table_names_the_fields_in_vietnamese_and_quotes_their_source(tmp_path: Path) -> None:
    doc = tmp_path / "cong-van.txt"
    doc.write_text(
        "BỘ TÀI CHÍNH\nCỤC THUẾ\n-------\n\nCỘNG HÒA XÃ HỘI\nCHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n\n"
        "Số: 5120/CT-CS\nV/v chính sách thuế\n\nHà Nội, ngày\n21 tháng 11 năm 2024\n\nKính gửi: Thuế tỉnh Nghệ An.\n"
        "Cục Thuế có ý kiến như sau.\n\nNơi nhận:\n- Như trên;\n- Lưu: VT, CS.\n\nKT. CỤC TRƯỞNG\nPHÓ CỤC TRƯỞNG\nNguyễn Thị Lan\n",
        encoding="utf-8",
    )
    r = run(str(doc))
    assert r.returncode == 0, r.stderr
    out = r.stdout
    for label, value in [("Loại văn bản", "Công văn"), ("Số hiệu", "5120/CT-CS"), ("Ngày ban hành", "2024-11-21"),
                         ("Người ký", "Nguyễn Thị Lan"), ("Nơi nhận", "2 nơi")]:  # fmt: skip
        assert any(label in line and value in line for line in out.splitlines()), (label, out)
    assert "“ngày 21 tháng 11 năm 2024”" in out  # the wrapped date, quoted from the text


def test_jsonl_file_gives_one_line_per_record(tmp_path: Path) -> None:
    f = tmp_path / "docs.jsonl"
    f.write_text(
        json.dumps({"id": "a1", "title": "A", "text": "QUYẾT ĐỊNH\nvề việc A\n\nĐiều 1. Nội dung A."}, ensure_ascii=False)
        + "\n"
        + json.dumps({"id": "b2", "title": "B", "text": "Số: 7/KH-UBND\n\nKẾ HOẠCH\nvề việc B\n\nI. MỤC ĐÍCH"}, ensure_ascii=False)
        + "\n",
        encoding="utf-8",
    )
    r = run("--json", str(f))
    assert r.returncode == 0, r.stderr
    lines = [json.loads(x) for x in r.stdout.splitlines()]
    assert [(d["doc_id"], d["meta"]["doc_type"]) for d in lines] == [("a1", "Quyết định"), ("b2", "Kế hoạch")]
    assert lines[1]["meta"]["number"] == "7/KH-UBND"


def test_bad_files_get_one_line_error_and_non_zero_exit(tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_text("", encoding="utf-8")
    for bad in (tmp_path / "missing.txt", empty, tmp_path):
        r = run(str(bad))
        assert r.returncode == 1
        assert r.stderr.startswith("error: ") and r.stderr.strip().count("\n") == 0 and "Traceback" not in r.stderr
        assert str(bad) in r.stderr
