"""Question understanding: scope, intent, polarity, follow-ups, the province gazetteer.

The planner runs against a catalog built from plain ``DocumentMeta`` values, so these
tests need no index and no model.
"""

from __future__ import annotations

import pytest

from assistant.answering import gazetteer
from assistant.answering.catalog import Catalog
from assistant.answering.conversation import resolve
from assistant.answering.plan import FACT, LIST, METADATA, SUMMARY, WHICH_DOC, YESNO, Planner, list_head
from assistant.documents import DocumentMeta, Passage, Turn

QT = "ket-luan-qt"
BK = "nghi-quyet-bk"
HT = "quyet-dinh-ht"
METAS = {
    QT: DocumentMeta(doc_type="Kết luận", number="11-KL/TU", date="2012-01-12", issuer="Tỉnh ủy Quảng Trị",
                     province="Quảng Trị", signer="Lê Hữu Phúc", term="khóa XV"),
    BK: DocumentMeta(doc_type="Nghị quyết", issuer="Ban Chấp hành Đảng bộ tỉnh", province="Bắc Kạn",
                     signer="Nguyễn Xuân Cường", term="khóa X"),
    HT: DocumentMeta(doc_type="Quyết định", number="84/2025/QĐ-UBND", date="2025-12-02",
                     issuer="Ủy ban nhân dân tỉnh Hà Tĩnh", province="Hà Tĩnh", signer="Trần Báu Hà"),
}
PASSAGES = [Passage(f"{QT}#1", QT, 0, 60, "tổng kết 7 năm thực hiện Nghị quyết 13-NQ/TU ngày 05/01/2004 của Tỉnh ủy")]


@pytest.fixture(scope="module")
def planner() -> Planner:
    return Planner(Catalog.build(METAS, PASSAGES))


@pytest.mark.parametrize(
    "question, fields",
    [
        ("Kết luận 11-KL/TU do ai ký?", ("signer",)),
        ("ket luan 11-KL/TU do ai ky", ("signer",)),
        ("Kết luận số 11-KL/TU được ban hành ngày nào?", ("date",)),
        ("Văn bản số 11-KL/TU thuộc loại văn bản gì?", ("doc_type",)),
        ("Kết luận 11-KL/TU là văn bản của cơ quan nào?", ("issuer",)),
        ("Kết luận 11-KL/TU là của Ban Chấp hành Đảng bộ tỉnh khóa nào?", ("term",)),
        ("so hieu ket luan cua tinh uy quang tri", ("number",)),
        ("Nghị quyết của Bắc Kạn do ai ký, với chức vụ gì?", ("signer", "signer_role")),
        ("Quyết định 84/2025/QĐ-UBND ban hành tại đâu?", ("place",)),
    ],
)
def test_metadata_fields_with_and_without_diacritics(planner: Planner, question: str, fields) -> None:
    plan = planner.plan(question)
    assert plan.intent == METADATA and plan.fields == fields
    assert len(plan.scope) == 1 and not plan.missing


@pytest.mark.parametrize(
    "question, doc",
    [
        ("Kết luận 11-KL/TU do ai ký?", QT),
        ("Kết luận 11 do ai ký?", QT),  # short form: type + number
        ("KL 11 ban hành ngày nào?", QT),
        ("quyet dinh 84/2025/qd-ubnd do ai ky", HT),  # accent-less number
        ("Nghị quyết của Bắc Kạn do ai ký?", BK),
        ("nghi quyet cong nghiep bac kan do ai ky", BK),
        ("Văn bản do ông Trần Báu Hà ký ban hành ngày nào?", HT),  # a signer names the document
    ],
)
def test_scope_is_matched_against_the_collection(planner: Planner, question: str, doc: str) -> None:
    assert planner.plan(question).scope == [doc]


@pytest.mark.parametrize(
    "question, message",
    [
        ("Ai ký Kết luận số 20-KL/TU?", "Kho văn bản không có văn bản số 20-KL/TU."),
        ("Nghị quyết số 45-NQ/TU do ai ký?", "Kho văn bản không có văn bản số 45-NQ/TU."),
        ("Mục tiêu tăng trưởng công nghiệp của tỉnh Quảng Nam là bao nhiêu?", "Kho văn bản không có văn bản nào của tỉnh Quảng Nam."),
        ("muc tieu tang truong cua tinh ha giang", "Kho văn bản không có văn bản nào của tỉnh Hà Giang."),
        ("Thành phố Hà Nội đặt mục tiêu gì?", "Kho văn bản không có văn bản nào của thành phố Hà Nội."),
    ],
)
def test_a_named_scope_the_collection_lacks_is_said(planner: Planner, question: str, message: str) -> None:
    assert planner.plan(question).missing == message


def test_a_document_the_collection_only_mentions_is_answered_from_the_text(planner: Planner) -> None:
    plan = planner.plan("Nghị quyết 13-NQ/TU được ban hành ngày nào?")
    assert plan.intent == FACT and plan.scope == [QT] and not plan.missing


def test_numbers_inside_ordinary_text_are_not_documents(planner: Planner) -> None:
    plan = planner.plan("Sinh viên được đăng ký tối đa 30 tín chỉ khi nào?")  # "đa 30" is not "ĐA 30"
    assert not plan.missing and not plan.entities and plan.intent == FACT
    assert planner.plan("Đầu khóa học, trường có trách nhiệm thông báo cho sinh viên về vấn đề gì?").intent != METADATA


@pytest.mark.parametrize(
    "question, intent",
    [
        ("Tóm tắt nội dung chính của Kết luận 11-KL/TU", SUMMARY),
        ("Văn bản nào nói về làng nghề?", WHICH_DOC),
        ("Các giải pháp chủ yếu phát triển công nghiệp của Bắc Kạn gồm những gì?", LIST),
        ("Những hạn chế, yếu kém trong thực hiện Nghị quyết 13-NQ/TU ở Quảng Trị là gì?", LIST),
        ("Quảng Trị sẽ hoàn thành các dự án cấp nước cho những nơi nào?", LIST),
        ("Nêu các nhiệm vụ cụ thể của Quyết định 84/2025/QĐ-UBND", LIST),
        ("Tỷ trọng công nghiệp khai thác của Quảng Trị năm 2010 là bao nhiêu?", FACT),
        ("Văn bằng có được cấp lại không?", YESNO),
    ],
)
def test_intents(planner: Planner, question: str, intent: str) -> None:
    assert planner.plan(question).intent == intent


@pytest.mark.parametrize(
    "question, head",
    [
        ("Những giải pháp phát triển công nghiệp của là gì?", ("giải", "pháp")),
        ("Các giải pháp chủ yếu phát triển công nghiệp gồm những gì?", ("giải", "pháp")),
        ("Nêu các nhiệm vụ trọng tâm của kế hoạch", ("nhiệm", "vụ")),
        ("Kế hoạch gồm những nội dung nào?", ("nội", "dung")),
        ("Mục tiêu cụ thể của kế hoạch gồm những gì?", ("mục", "tiêu")),
        ("nhung giai phap phat trien cong nghiep la gi", ("giai", "phap")),
        ("Tỉnh ủy giao nhiệm vụ gì cho Ban cán sự đảng?", ()),
    ],
)
def test_the_head_word_of_a_list_question(question: str, head: tuple[str, ...]) -> None:
    folded = question == question.encode("ascii", "ignore").decode()
    assert list_head(question, folded) == head


def test_two_provinces_make_a_comparison_one_part_each(planner: Planner) -> None:
    plan = planner.plan("Bắc Kạn và Quảng Trị định hướng phát triển công nghiệp chế biến như thế nào?")
    assert plan.compare and plan.kind == "comparison"
    assert [g.label for g in plan.groups()] == ["Bắc Kạn", "Quảng Trị"]
    assert sorted(plan.scope) == sorted([BK, QT])


@pytest.mark.parametrize(
    "question, polarity",
    [
        ("Mục tiêu tăng trưởng công nghiệp đề ra cho giai đoạn 2006 - 2010 là bao nhiêu?", "target"),
        ("Tốc độ tăng trưởng công nghiệp đạt được giai đoạn 2006-2010 là bao nhiêu?", "achieved"),
        ("Tỷ trọng công nghiệp năm 2010 là bao nhiêu?", ""),
    ],
)
def test_polarity_of_quantities(planner: Planner, question: str, polarity: str) -> None:
    assert planner.plan(question).polarity == polarity


def test_a_followup_keeps_the_previous_scope_and_replaces_what_it_names(planner: Planner) -> None:
    first = "Tỷ trọng công nghiệp khai thác của Quảng Trị năm 2010 là bao nhiêu?"
    resolved = resolve("Còn công nghiệp chế biến thì sao?", [Turn(first)])
    assert resolved == "Tỷ trọng công nghiệp chế biến của Quảng Trị năm 2010 là bao nhiêu?"
    assert resolve("Còn Quảng Trị?", [Turn("Bắc Kạn định hướng phát triển công nghiệp chế biến những gì?")]) == (
        "Quảng Trị định hướng phát triển công nghiệp chế biến những gì?"
    )
    previous = planner.plan("Kết luận 11-KL/TU do ai ký?")
    follow = planner.plan("Ban hành ngày nào?", previous, followup=True)
    assert follow.scope == [QT] and follow.intent == METADATA and follow.fields == ("date",)


def test_gazetteer_knows_provinces_before_and_after_the_2025_mergers() -> None:
    names = {p.name for p in gazetteer.provinces()}
    assert len(names) >= 63 and {"Quảng Nam", "Hà Giang", "Bắc Kạn", "Quảng Trị", "Hồ Chí Minh"} <= names
    assert gazetteer.lookup("Quảng Nam").successor == "Đà Nẵng"  # merged in 2025
    assert gazetteer.lookup("quang tri").name == "Quảng Trị"
    found = [(p.name, t) for s, e, p in gazetteer.find("Thừa Thiên Huế và TP.HCM, tỉnh quảng nam") for t in [None]]
    assert [n for n, _ in found] == ["Huế", "Hồ Chí Minh", "Quảng Nam"]
    assert gazetteer.find("bình định lại giá") == []  # a verb, not the province
