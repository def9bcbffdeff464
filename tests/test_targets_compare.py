"""Answering "đạt bao nhiêu so với mục tiêu?" from the targets table."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.ingest import make_document
from assistant.loaders import load_path
from assistant.targets.compare import (
    answer_target_vs_achieved,
    indicator_overlap,
    verdict,
)
from assistant.targets.extract import extract_document
from assistant.targets.model import TargetRow

CORPUS = Path(__file__).resolve().parents[1] / "corpus"


def row(kind, indicator, value, unit="%", comparator="", period="", doc="d", start=0, number=None):
    num = float(value.replace(",", ".")) if number is None else number
    return TargetRow(doc, indicator, value, unit, comparator, period, kind, f"cite {doc} {start}",
                     f"quote {start}", start, start + 10, num, figure_start=start, figure_end=start + 5)


def test_verdict_reads_the_comparator():
    t = row("target", "tỷ lệ hộ nghèo", "33", comparator="trên")
    assert verdict(t, row("achieved", "x", "11,94")) == "chưa đạt mục tiêu"
    assert verdict(t, row("achieved", "x", "35")) == "vượt mục tiêu"
    cap = row("target", "tỷ lệ hộ nghèo", "5", comparator="không quá")
    assert verdict(cap, row("achieved", "x", "4,2")) == "đạt mục tiêu"
    assert verdict(cap, row("achieved", "x", "6")) == "chưa đạt mục tiêu"
    assert verdict(t, row("achieved", "x", "40", unit="tỷ đồng")) == ""  # units differ: no verdict


def test_pairs_result_with_its_target_and_cites_both():
    rows = [
        row("target", "tỷ lệ che phủ rừng", "55", comparator="trên", period="2025", start=100),
        row("achieved", "tỷ lệ che phủ rừng", "52,1", period="2020-2025", start=500),
        row("target", "thu ngân sách", "1.000", unit="tỷ đồng", period="2025", start=900, number=1000),
    ]
    ans = answer_target_vs_achieved("Tỷ lệ che phủ rừng đạt bao nhiêu so với mục tiêu?", rows)
    assert ans is not None and ans.verdict == "chưa đạt mục tiêu"
    assert "52,1%" in ans.text and "trên 55%" in ans.text
    assert [c.start for c in ans.citations] == [500, 100]
    assert "[1]" in ans.text and "[2]" in ans.text
    assert ans.parts[0].rows[0].kind == "target" and ans.parts[0].rows[1].kind == "achieved"


def test_abstains_without_a_pair():
    rows = [row("target", "tỷ lệ che phủ rừng", "55"), row("achieved", "số doanh nghiệp thành lập mới", "12")]
    assert answer_target_vs_achieved("Tỷ lệ che phủ rừng có đạt chỉ tiêu không?", rows) is None
    assert answer_target_vs_achieved("có đạt chỉ tiêu không?", rows) is None  # names no indicator
    assert answer_target_vs_achieved("Số doanh nghiệp đạt bao nhiêu so với mục tiêu?", rows) is None
    # a scope that excludes the document
    both = rows + [row("achieved", "tỷ lệ che phủ rừng", "50")]
    assert answer_target_vs_achieved("tỷ lệ che phủ rừng so với mục tiêu", both, doc_ids=["other"]) is None


def test_indicator_overlap_is_accent_insensitive():
    assert indicator_overlap("tốc độ tăng trưởng công nghiệp", "toc do tang truong cong nghiep") == 1.0
    assert indicator_overlap("tỷ lệ hộ nghèo", "số doanh nghiệp") == 0.0


@pytest.fixture(scope="module")
def seed_rows():
    stem = "nghi-quyet-hnln5-khoa-x-bac-kan-cong-nghiep-2011-2015"
    doc = make_document(load_path(CORPUS / f"{stem}.txt")[0], stem)
    return doc, extract_document(doc)


def test_on_the_real_seed(seed_rows):
    doc, rows = seed_rows
    ans = answer_target_vs_achieved(
        ["tốc độ", "tăng trưởng", "giá trị", "sản xuất", "công nghiệp", "so với", "mục tiêu"], rows,
        passage_of=lambda doc_id, offset: f"{doc_id}#{offset}",
    )
    assert ans is not None
    assert "11,94%/năm" in ans.text and "33%/năm" in ans.text
    assert ans.verdict == "chưa đạt mục tiêu"
    for c in ans.citations:
        assert doc.text[c.start : c.end] == c.quote
        assert c.passage_id.startswith(doc.id)
        assert "Nghị quyết" in c.citation


def test_passage_locator_finds_the_passage_of_an_offset():
    from assistant.documents import Passage
    from assistant.targets.compare import passage_locator

    passages = [Passage("d#1", "d", 0, 100, "x" * 100), Passage("d#2", "d", 100, 250, "y" * 150)]
    locate = passage_locator(passages)
    assert locate("d", 0) == "d#1" and locate("d", 120) == "d#2"
    assert locate("d", 400) == "" and locate("e", 10) == ""
