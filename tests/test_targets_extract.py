"""Extraction of figures from the two seed documents with the real underthesea tagger."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.ingest import make_document
from assistant.loaders import load_path
from assistant.targets.extract import extract_document
from assistant.targets.figures import find_figures, parse_number

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
BAC_KAN = "nghi-quyet-hnln5-khoa-x-bac-kan-cong-nghiep-2011-2015"
QUANG_TRI = "ket-luan-11-KL-TU-quang-tri-2012-cong-nghiep"


def _doc(stem: str):
    return make_document(load_path(CORPUS / f"{stem}.txt")[0], stem)


@pytest.fixture(scope="module")
def seeds():
    docs = {s: _doc(s) for s in (BAC_KAN, QUANG_TRI)}
    return docs, {s: extract_document(d) for s, d in docs.items()}


def _row(rows, value):
    found = [r for r in rows if r.value == value]
    assert found, [r.value for r in rows]
    return found[0]


def test_parse_number_reads_vietnamese_separators():
    assert parse_number("1.260") == 1260
    assert parse_number("19,6") == pytest.approx(19.6)
    assert parse_number("8.000.000") == 8_000_000
    assert parse_number("25") == 25


def test_find_figures_skips_years_dates_references_and_markers():
    s = "Điều 5. Theo Nghị quyết 13-NQ/TU ngày 05/01/2004, lần thứ 6, năm 2015 phấn đấu đạt 25%/năm và 1.260 tỷ đồng."
    figs = find_figures(s)
    assert [(f.value, f.unit) for f in figs] == [("25", "%/năm"), ("1.260", "tỷ đồng")]
    assert s[figs[0].start : figs[0].end] == "25%/năm"
    assert [f.unit for f in find_figures("1. Công suất 64MW, trạm nghiền 25 vạn tấn/năm")] == ["MW", "vạn tấn/năm"]


def test_every_row_quotes_its_sentence_exactly(seeds):
    docs, rows = seeds
    for stem, doc_rows in rows.items():
        assert len(doc_rows) >= 8
        for r in doc_rows:
            assert doc.text[r.start : r.end] == r.quote if (doc := docs[stem]) else False
            assert r.start <= r.figure_start < r.figure_end <= r.end
            assert r.value in doc.text[r.figure_start : r.figure_end]
            assert r.kind in ("target", "achieved", "baseline")
            assert r.citation.startswith(("Nghị quyết", "Kết luận"))


def test_target_under_the_nhiem_vu_heading(seeds):
    _, rows = seeds
    r = _row(rows[BAC_KAN], "25")
    assert (r.unit, r.kind, r.period, r.comparator) == ("%/năm", "target", "2011-2015", "trên")
    assert "giá trị sản xuất công nghiệp" in r.indicator
    assert r.section == "I.3" and "mục I.3" in r.citation
    gdp = _row(rows[BAC_KAN], "1.260")
    assert (gdp.unit, gdp.kind, gdp.period, gdp.number) == ("tỷ đồng", "target", "2015", 1260)
    assert "GDP" in gdp.indicator


def test_result_and_its_earlier_target_in_one_sentence(seeds):
    _, rows = seeds
    achieved = _row(rows[BAC_KAN], "11,94")
    target = _row(rows[BAC_KAN], "33")
    assert achieved.kind == "achieved" and target.kind == "target"
    assert "tăng trưởng" in achieved.indicator and target.indicator == achieved.indicator
    assert target.period != "2011-2015"  # the old target is not the new period's


def test_baseline_and_result_of_a_change(seeds):
    _, rows = seeds
    qt = rows[QUANG_TRI]
    growth = _row(qt, "19,6")
    assert (growth.kind, growth.period, growth.unit) == ("achieved", "2004-2010", "%/năm")
    first, last = _row(qt, "12,44"), _row(qt, "13,6")
    assert (first.kind, first.period) == ("baseline", "2004")
    assert (last.kind, last.period) == ("achieved", "2010")
    assert _row(qt, "10,5").kind == "baseline" and _row(qt, "7,3").kind == "achieved"
    projects = _row(qt, "98")
    assert projects.unit == "dự án" and "dự án" in projects.indicator
    assert all(r.value not in ("2004", "2010", "2015", "2011") for r in qt)


PLAN = """ỦY BAN NHÂN DÂN TỈNH THỬ NGHIỆM
Số: 12/KH-UBND
Thử Nghiệm, ngày 10 tháng 3 năm 2021

KẾ HOẠCH
Phát triển nông nghiệp giai đoạn 2021 - 2025

I. KẾT QUẢ THỰC HIỆN GIAI ĐOẠN 2016 - 2020

Năm 2020, tỷ lệ che phủ rừng đạt 52,1%; toàn tỉnh có 120 hợp tác xã nông nghiệp.

II. MỤC TIÊU

Đến năm 2025, tỷ lệ che phủ rừng đạt trên 55%; giá trị sản xuất nông nghiệp tăng bình quân 3,5%/năm.

Hồ sơ được giải quyết trong thời hạn 15 ngày làm việc theo Điều 7 của Quy chế.
"""


def test_a_plan_it_has_never_seen():
    from assistant.loaders import LoadedText

    doc = make_document(LoadedText(source="plan.txt", text=PLAN), "plan")
    rows = extract_document(doc)
    got = {(r.value, r.kind, r.period) for r in rows}
    assert ("52,1", "achieved", "2020") in got
    assert ("55", "target", "2025") in got
    assert ("3,5", "target", "2021-2025") in got or ("3,5", "target", "2025") in got
    assert all(r.value not in ("15", "7", "12", "2021") for r in rows)  # a deadline, an article, the number
    cover = [r for r in rows if r.value == "55"][0]
    assert "che phủ rừng" in cover.indicator and cover.comparator == "trên"
    coops = [r for r in rows if r.value == "120"][0]
    assert coops.unit == "hợp tác xã" and "hợp tác xã" in coops.indicator
