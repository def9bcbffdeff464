"""The upload tab's confirmation view: the parsed header of each chosen file (real parser)."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("gradio")

from ui.upload import PREVIEW_COLUMNS, preview_rows  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SEED_KL = ROOT / "corpus" / "ket-luan-11-KL-TU-quang-tri-2012-cong-nghiep.txt"


def test_preview_shows_each_field_with_the_text_it_was_read_from(tmp_path: Path) -> None:
    sidecar = tmp_path / "x.meta.json"
    sidecar.write_text("{}", encoding="utf-8")
    empty = tmp_path / "rong.txt"
    empty.write_text("", encoding="utf-8")
    rows = preview_rows([str(SEED_KL), str(sidecar), str(empty)])
    assert all(len(r) == len(PREVIEW_COLUMNS) for r in rows)
    by_field = {r[1]: r for r in rows if r[0] == SEED_KL.name}
    assert by_field["Số hiệu"][2] == "11-KL/TU"
    assert by_field["Ngày ban hành"][2:] == ["2012-01-12", "ngày 12 tháng 01 năm 2012"]
    assert by_field["Người ký"][2] == "Lê Hữu Phúc" and by_field["Thẩm quyền ký"][3] == "T/M TỈNH ỦY"
    assert not any(r[0] == sidecar.name for r in rows)  # a sidecar is not a document
    [err] = [r for r in rows if r[0] == empty.name]
    assert err[1] == "Lỗi" and "empty" in err[2] and str(tmp_path) not in err[2]  # no server paths shown
