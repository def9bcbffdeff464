"""Each handler over the real corpus/ texts, with real FAISS and BM25 but the test-only hash
embedder (fast): metadata cited to header/signature lines, lists in document order,
summaries from the outline, comparisons per entity, binding scope, follow-ups. The same
questions run with the real model in tests/test_answering_kinds.py."""

from __future__ import annotations

import pytest

from assistant.answering import ABSTAIN_TEXT
from assistant.answering.gazetteer import key
from assistant.answering.session import merge_filters
from assistant.citations import verify_quote
from assistant.documents import Turn
from assistant.retrieval import Filters

from .conftest import CORPUS

QT = "ket-luan-11-KL-TU-quang-tri-2012-cong-nghiep"
BK = "nghi-quyet-hnln5-khoa-x-bac-kan-cong-nghiep-2011-2015"


@pytest.fixture(scope="module")
def hash_assistant(tmp_path_factory: pytest.TempPathFactory):
    from assistant.api import Assistant
    from assistant.ingest import ingest
    from assistant.settings import Settings

    settings = Settings(index_dir=tmp_path_factory.mktemp("handlers") / "index", embedder="hash")
    report = ingest([CORPUS], settings, progress=False, say=lambda m: None)
    assert not report.errors
    a = Assistant.open(settings.index_dir, settings)
    yield a
    a.close()


def _quotes_exact(a, ans) -> None:
    for c in ans.citations:
        doc = a.document(c.doc_id)
        assert verify_quote(doc.text, c.quote, c.start, c.end), c


def _outside_body(a, c) -> bool:
    doc = a.document(c.doc_id)
    return not any(p.start <= c.start < p.end for p in doc.paragraphs)


@pytest.mark.parametrize(
    "question, value, doc",
    [
        ("Kết luận 11-KL/TU do ai ký?", "Lê Hữu Phúc", QT),
        ("ket luan 11-KL/TU do ai ky", "Lê Hữu Phúc", QT),
        ("Kết luận số 11-KL/TU được ban hành ngày nào?", "12/01/2012", QT),
        ("Văn bản số 11-KL/TU thuộc loại văn bản gì?", "Kết luận", QT),
        ("Kết luận 11-KL/TU là văn bản của cơ quan nào?", "Tỉnh ủy Quảng Trị", QT),
        ("Nghị quyết về công nghiệp của Bắc Kạn là của Ban Chấp hành Đảng bộ tỉnh khóa mấy?", "khóa X", BK),
        ("nghi quyet cong nghiep bac kan do ai ky", "Nguyễn Xuân Cường", BK),
    ],
)
def test_metadata_is_cited_to_the_header_or_signature(hash_assistant, question: str, value: str, doc: str) -> None:
    ans = hash_assistant.ask(question)
    assert ans.kind == "metadata" and not ans.abstained and value in ans.text, ans.text
    assert ans.scope == [doc] and ans.citations[0].doc_id == doc
    assert all(_outside_body(hash_assistant, c) for c in ans.citations)  # never a body sentence
    _quotes_exact(hash_assistant, ans)
    quoted = key(" ".join(c.quote for c in ans.citations))
    assert key(value) in quoted or value == "12/01/2012"  # the date line reads "ngày 12 tháng 01 năm 2012"


def test_a_field_the_document_does_not_state(hash_assistant) -> None:
    ans = hash_assistant.ask("Nghị quyết về công nghiệp của Bắc Kạn được ban hành ngày nào?")
    assert ans.text.startswith("Văn bản không ghi ngày ban hành.") and ans.citations[0].doc_id == BK
    assert "2006" not in ans.text and "2004" not in ans.text  # dates the body mentions are not its date


def test_missing_scope_is_answered_as_such(hash_assistant) -> None:
    for q, text in [
        ("Ai ký Kết luận số 20-KL/TU?", "Kho văn bản không có văn bản số 20-KL/TU."),
        ("Mục tiêu tăng trưởng công nghiệp của tỉnh Quảng Nam là bao nhiêu?", "Kho văn bản không có văn bản nào của tỉnh Quảng Nam."),
    ]:
        ans = hash_assistant.ask(q)
        assert ans.abstained and ans.text == text and not ans.citations and ans.kind == "scope"


def test_scope_is_binding(hash_assistant) -> None:
    ans = hash_assistant.ask("Tỉnh ủy Quảng Trị giao nhiệm vụ gì cho Ban cán sự đảng UBND tỉnh?")
    assert all(c.doc_id == QT for c in ans.citations)
    ans = hash_assistant.ask("Bắc Kạn có công trình thủy điện nào công suất 64MW?")  # 64MW is Quảng Trị's
    assert ans.abstained and ans.text == ABSTAIN_TEXT


def test_list_items_in_document_order(hash_assistant) -> None:
    ans = hash_assistant.ask("Các giải pháp chủ yếu phát triển công nghiệp của Bắc Kạn gồm những gì?")
    assert ans.kind == "list" and all(c.doc_id == BK for c in ans.citations)
    items = [line for line in ans.text.splitlines() if line.startswith("- ")]
    assert len(items) == 8 and "khoáng sản" in items[2] and "cải cách hành chính" in items[6]
    starts = [c.start for c in ans.citations]
    assert starts == sorted(starts)
    _quotes_exact(hash_assistant, ans)


def test_list_after_a_colon_and_capped(hash_assistant) -> None:
    ans = hash_assistant.ask("Những hạn chế, yếu kém trong thực hiện Nghị quyết 13-NQ/TU ở Quảng Trị là gì?")
    assert ans.kind == "list" and "thiếu tính đồng bộ" in ans.text and "nhỏ bé về quy mô" in ans.text
    assert ans.text.splitlines()[0].endswith("hạn chế, yếu kém: [1]")
    assert len([line for line in ans.text.splitlines() if line.startswith("- ")]) <= 8


def _sections(ans) -> list[str]:
    return [c.section for c in ans.citations]


@pytest.mark.parametrize("question", ["Những giải pháp phát triển công nghiệp của Quảng Trị là gì?",
                                      "nhung giai phap phat trien cong nghiep cua Quang Tri la gi"])
def test_a_list_of_solutions_is_the_part_that_sets_them_not_a_review_sentence(hash_assistant, question: str) -> None:
    """No heading of the conclusion says "giải pháp": the part headed by the topic whose
    sub-items are all "Định hướng …" is the list, never a sentence of "I. Tình hình thực hiện"."""
    ans = hash_assistant.ask(question)
    assert ans.kind == "list" and ans.text.startswith("Mục II. Phát triển công nghiệp"), ans.text
    assert _sections(ans) == ["II", "II.1", "II.2", "II.3"] and "Định hướng phát triển chung [2]" in ans.text
    _quotes_exact(hash_assistant, ans)


@pytest.mark.parametrize(
    "question, first_line, sections",
    [
        # a sentence of II.7 holds "giải pháp" too; the heading that names the list wins
        ("Những giải pháp phát triển công nghiệp của Bắc Kạn là gì?", "Mục II. MỘT SỐ GIẢI PHÁP CHỦ YẾU:",
         ["II", *(f"II.{i}" for i in range(1, 9))]),
        # "3. Nhiệm vụ" says only what was asked; "I. Quan điểm, mục tiêu, nhiệm vụ …" says more
        ("Những nhiệm vụ phát triển công nghiệp của Bắc Kạn giai đoạn 2011-2015 là gì?", "Mục I.3. Nhiệm vụ:", ["I.3"] * 6),
        ("Quảng Trị định hướng phát triển những ngành công nghiệp chủ yếu nào?",
         "Mục II.2. Định hướng phát triển các ngành công nghiệp chủ yếu:", ["II.2"] * 9),
    ],
)
def test_a_list_question_lists_the_section_its_head_word_names(hash_assistant, question, first_line, sections) -> None:
    ans = hash_assistant.ask(question)
    assert ans.kind == "list" and ans.text.splitlines()[0].startswith(first_line), ans.text
    assert _sections(ans) == sections
    _quotes_exact(hash_assistant, ans)


def test_summary_is_the_outline(hash_assistant) -> None:
    ans = hash_assistant.ask("Tóm tắt nội dung chính của Kết luận 11-KL/TU")
    assert ans.kind == "summary" and ans.scope == [QT]
    lines = ans.text.splitlines()
    assert [line.split(".")[0] for line in lines[1:]] == ["I", "II", "III"]
    assert "13-NQ/TU" in ans.text and "2015" in ans.text
    _quotes_exact(hash_assistant, ans)


def test_comparison_one_part_per_province(hash_assistant) -> None:
    ans = hash_assistant.ask("Nghị quyết của Bắc Kạn và kết luận của Quảng Trị giao việc tổ chức thực hiện cho những cơ quan nào?")
    assert ans.kind == "comparison"
    text = ans.text
    assert text.index("Bắc Kạn:") < text.index("Quảng Trị:")
    assert "Ban cán sự đảng UBND" in text and "BCSĐ UBND" in text
    assert {c.doc_id for c in ans.citations} == {BK, QT}


def test_merged_filters_keep_every_caller_filter() -> None:
    """Today's regression: rebuilding filters per comparison group dropped ``province``."""
    f = merge_filters(Filters(province="Quảng Trị", year=2012, doc_type="Kết luận"), [QT, BK])
    assert (f.province, f.year, f.doc_type, f.doc) == ("Quảng Trị", 2012, "Kết luận", sorted([QT, BK]))
    assert merge_filters(Filters(doc=[QT]), [BK]).doc == ["\x00none"]  # disjoint: nothing, not everything


def test_which_document(hash_assistant) -> None:
    ans = hash_assistant.ask("Văn bản nào nói về làng nghề?")
    assert ans.kind == "which_document" and {c.doc_id for c in ans.citations} == {QT, BK}


def test_followups_carry_scope_and_replace_what_they_name(hash_assistant) -> None:
    which = hash_assistant.ask("Văn bản nào nói về công trình Thủy lợi - Thủy điện Quảng Trị?")
    date = hash_assistant.ask("Văn bản đó ban hành ngày nào?", history=[which.turn()])
    assert date.kind == "metadata" and "12/01/2012" in date.text
    signer = hash_assistant.ask("Nghị quyết đó do ai ký?",
                                history=[Turn("Mục tiêu tăng trưởng công nghiệp của Bắc Kạn là bao nhiêu?", scope=[BK])])
    assert "Nguyễn Xuân Cường" in signer.text


def test_json_contract_has_kind_and_scope(hash_assistant) -> None:
    out = hash_assistant.ask("Kết luận 11-KL/TU do ai ký?").to_dict()
    assert set(out) == {"question", "answer", "abstained", "mode", "sentences", "kind", "scope", "citations", "hits"}
    assert out["kind"] == "metadata" and out["scope"] == [QT]


def test_query_is_embedded_once_per_question(hash_assistant) -> None:
    calls = []
    embedder = hash_assistant.embedder
    original = embedder.embed_queries

    def counting(texts):
        calls.append(list(texts))
        return original(texts)

    embedder.embed_queries = counting
    try:
        hash_assistant.ask("Bắc Kạn và Quảng Trị định hướng phát triển công nghiệp chế biến như thế nào?")
        hash_assistant.ask("Có bao nhiêu dự án đã đi vào hoạt động?")
    finally:
        embedder.embed_queries = original
    assert len(calls) == 2


# --- a result against its target (the targets table, issue 14) -------------------------
@pytest.mark.parametrize(
    "q",
    [
        "Tốc độ tăng trưởng công nghiệp của Bắc Kạn giai đoạn 2006-2010 đạt bao nhiêu so với mục tiêu?",
        "giai doan 2006-2010 bac kan co dat chi tieu tang truong gia tri san xuat cong nghiep khong",
    ],
)
def test_result_against_target_cites_both_statements(hash_assistant, q) -> None:
    ans = hash_assistant.ask(q)
    assert not ans.abstained and ans.kind == "target_vs_achieved"
    assert "11,94" in ans.text and "33" in ans.text and "chưa đạt" in ans.text
    for c in ans.citations:
        doc = hash_assistant.document(c.doc_id)
        assert doc.text[c.start : c.end] == c.quote and doc.meta.province == "Bắc Kạn"


def test_plain_target_question_is_not_a_comparison(hash_assistant) -> None:
    ans = hash_assistant.ask("Mục tiêu tăng trưởng công nghiệp giai đoạn 2011-2015 của Bắc Kạn là bao nhiêu?")
    assert ans.kind != "target_vs_achieved" and "25%" in ans.text
