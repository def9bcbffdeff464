"""Figures matched on measure, kind and period (answering/quantities.py), with the real
underthesea segmenter reading the indicators."""

from __future__ import annotations

from assistant.answering.quantities import coverage, figure_text, indicator, lookup, planning_period
from assistant.documents import DocumentMeta
from assistant.targets.model import TargetRow

DOC = "nq-bac-kan"


def row(indicator_: str, value: str, unit: str, kind: str, period: str = "", start: int = 0, comparator: str = "",
        doc: str = DOC) -> TargetRow:
    return TargetRow(doc_id=doc, indicator=indicator_, value=value, unit=unit, comparator=comparator, period=period,
                     kind=kind, citation="", quote=f"{indicator_} {value}{unit}", start=start, end=start + 50,
                     number=float(value.replace(".", "").replace(",", ".")))


REVIEW = [  # "tăng trưởng ... mới đạt bình quân 11,94%/năm (mục tiêu đề ra trên 33%/năm)": one sentence
    row("tốc độ tăng trưởng về giá trị sản xuất công nghiệp", "11,94", "%/năm", "achieved", start=100, comparator="bình quân"),
    row("tốc độ tăng trưởng về giá trị sản xuất công nghiệp", "33", "%/năm", "target", start=100, comparator="trên"),
]
PLAN = [
    row("mức tăng bình quân về giá trị sản xuất công nghiệp", "25", "%/năm", "target", "2011-2015", 900, "trên"),
    row("công nghiệp", "17", "%", "target", "2015", 1000, "chiếm"),
    row("huy động ngân sách nhà nước trong lĩnh vực công nghiệp, tiểu", "15", "%/năm", "target", "2011-2015", 1100, "trên"),
    row("GDP ngành công nghiệp trên địa bàn", "1.260", "tỷ đồng", "target", "2015", 1000, "trở lên"),
]
ROWS = REVIEW + PLAN
META = {DOC: DocumentMeta(title="Nghị quyết về phát triển công nghiệp giai đoạn 2011 - 2015")}


def test_a_growth_target_is_the_planned_one_not_the_reviewed_one() -> None:
    found = lookup("Mục tiêu tăng trưởng công nghiệp là bao nhiêu?", ROWS, [DOC], polarity="target", metas=META)
    assert found is not None and [r.value for r in found.rows] == ["25"]
    accentless = lookup("muc tieu tang truong cong nghiep la bao nhieu", ROWS, [DOC], polarity="target", metas=META)
    assert accentless is not None and [r.value for r in accentless.rows] == ["25"]


def test_a_target_question_without_a_matching_target_is_not_stated() -> None:
    only_results = [r for r in ROWS if r.kind == "achieved"]
    found = lookup("Mục tiêu tăng trưởng công nghiệp là bao nhiêu?", only_results, [DOC], polarity="target")
    assert found is not None and found.not_stated and not found.rows
    # "lao động" is a word of its own: the "động" of "huy động" does not make it match
    labour = lookup("Mục tiêu số lao động công nghiệp đến 2015 là bao nhiêu?", ROWS, [DOC], polarity="target",
                    periods=["2015"], metas=META)
    assert labour is not None and labour.not_stated


def test_the_measure_class_must_agree() -> None:
    # a share is not a growth rate, and a growth rate has a per-cent unit
    share_only = [row("công nghiệp chế biến tăng trưởng khá và chiếm tỷ trọng lớn", "79,6", "%", "achieved", "2010")]
    assert lookup("Tỷ trọng công nghiệp chế biến năm 2010 là bao nhiêu?", share_only, [DOC], periods=["2010"]).rows
    assert lookup("Tỷ trọng công nghiệp là bao nhiêu?", [PLAN[3]], [DOC]) is None
    money = [row("tăng trưởng công nghiệp", "64", "MW", "target")]
    assert lookup("Mục tiêu tăng trưởng công nghiệp?", money, [DOC], polarity="target").not_stated
    ind = indicator("tốc độ tăng trưởng về giá trị sản xuất công nghiệp")
    assert "#growth" in ind.classes and ("công nghiệp",) not in ind.words and ("cong", "nghiep") in ind.words
    assert coverage("Tăng cường công nghiệp", ind)[2] == set()  # "tăng cường" is not growth


def test_without_a_kind_the_result_and_the_target_both_answer() -> None:
    found = lookup("Tốc độ tăng trưởng giá trị sản xuất công nghiệp là bao nhiêu?", REVIEW, [DOC])
    assert found is not None and [(r.kind, r.value) for r in found.rows] == [("achieved", "11,94"), ("target", "33")]


def test_an_asked_period_excludes_other_periods() -> None:
    rows = [row("tỷ trọng công nghiệp khai thác", "10,5", "%", "baseline", "2005", 10),
            row("tỷ trọng công nghiệp khai thác", "7,3", "%", "achieved", "2010", 10)]
    assert [r.value for r in lookup("Tỷ trọng công nghiệp khai thác năm 2010?", rows, [DOC], periods=["2010"]).rows] == ["7,3"]
    assert [r.value for r in lookup("Tỷ trọng công nghiệp khai thác năm 2005?", rows, [DOC], periods=["2005"]).rows] == ["10,5"]
    assert lookup("Tỷ trọng công nghiệp khai thác năm 2020?", rows, [DOC], periods=["2020"]) is None


def test_documents_outside_the_scope_are_not_read() -> None:
    assert lookup("Mục tiêu tăng trưởng công nghiệp?", ROWS, ["other-doc"], polarity="target") is None


def test_figure_text_and_planning_period() -> None:
    assert figure_text(PLAN[0]) == "trên 25%/năm (giai đoạn 2011-2015)"
    assert figure_text(PLAN[0], with_period=False) == "trên 25%/năm"
    assert figure_text(PLAN[3]) == "1.260 tỷ đồng trở lên (năm 2015)"
    assert planning_period(META[DOC], ROWS) == (2011, 2015)
    assert planning_period(DocumentMeta(), ROWS) == (2011, 2015)  # from the latest target row
    assert planning_period(None, REVIEW) is None


def test_a_count_reads_with_its_noun_and_a_comparator_can_name_the_share() -> None:
    parks = row("khu công nghiệp", "2", "khu", "achieved")
    assert figure_text(parks) == "2 khu công nghiệp"
    rows = [row("tỷ trọng công nghiệp - xây dựng", "29", "%", "target", "2015", 5, "chiếm"),
            row("công nghiệp", "17", "%", "target", "2015", 5, "chiếm")]
    found = lookup("Đến năm 2015 công nghiệp phấn đấu chiếm bao nhiêu phần trăm GDP?", rows, [DOC], polarity="target",
                   periods=["2015"])
    assert [r.value for r in found.rows] == ["17"]



def test_the_figures_own_words_name_its_measure() -> None:
    # the indicator was cut before "tăng bình quân": the words up to the figure still say it is growth
    quote = "Huy động ngân sách nhà nước trong lĩnh vực công nghiệp, tiểu thủ công nghiệp tăng bình quân trên 15%/năm."
    r = TargetRow(doc_id=DOC, indicator="huy động ngân sách nhà nước trong lĩnh vực công nghiệp, tiểu", value="15",
                  unit="%/năm", comparator="trên", period="2011-2015", kind="target", citation="", quote=quote,
                  start=500, end=500 + len(quote), number=15.0, figure_start=500 + quote.index("15%"),
                  figure_end=500 + quote.index("15%") + 7)
    found = lookup("Mục tiêu tăng trưởng huy động ngân sách nhà nước trong lĩnh vực công nghiệp?", [r], [DOC],
                   polarity="target")
    assert found is not None and [x.value for x in found.rows] == ["15"]
    assert figure_text(r) == "trên 15%/năm (giai đoạn 2011-2015)"
