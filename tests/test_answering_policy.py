"""Answers over real administrative documents of policy_docs (real parser, real underthesea,
real FAISS; the hash embedder keeps the index quick to build): documents that share a số
hiệu, a number asked without its type, the recipients list, counts in a title."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from assistant.citations import verify_quote

from .conftest import SHARED

pytestmark = pytest.mark.integration

DOCS = SHARED / "data" / "policy_docs" / "docs"
FILES = {
    "hcm_2828": "tnt-6f66017865169297.txt",  # Quyết định 2828/QĐ-UBND, TP Hồ Chí Minh
    "qt_2828": "tnt-c0a2deaf27ce8fea.txt",  # Quyết định 2828/QĐ-UBND, Quảng Trị
    "qn_97": "tnt-1cde9b907469c65b.txt",  # Quyết định 97/2025/QĐ-UBND, Quảng Ninh
    "hn_80": "tnt-03741adae8c7c410.txt",  # Nghị quyết 80/2025/NQ-HĐND, Hà Nội
    "ht_80": "tnt-a53257314ff9bbd2.txt",  # Quyết định 80/2025/QĐ-UBND
    "vl_2637": "tnt-741f24db1e774799.txt",  # Quyết định 2637/QĐ-UBND, Vĩnh Long
}


def _open_index(tmp_path_factory: pytest.TempPathFactory, label: str, files: dict[str, str]):
    """An Assistant over a copy of some policy_docs files (hash embedder: wording, not meaning)."""
    from assistant.api import Assistant
    from assistant.ingest import ingest
    from assistant.settings import Settings

    tmp = tmp_path_factory.mktemp(label)
    corpus = tmp / "corpus"
    corpus.mkdir()
    for name in files.values():
        shutil.copy(DOCS / name, corpus / name)
    settings = Settings(index_dir=tmp / "index", corpus_dir=corpus, embedder="hash")
    assert ingest([corpus], settings, progress=False, say=lambda m: None).published
    return Assistant.open(settings.index_dir, settings)


@pytest.fixture(scope="module")
def policy(tmp_path_factory: pytest.TempPathFactory):
    a = _open_index(tmp_path_factory, "policy", FILES)
    yield a
    a.close()


def _ids(name: str) -> str:
    return Path(FILES[name]).stem


def _check(a, ans) -> None:
    for c in ans.citations:
        assert verify_quote(a.document(c.doc_id).text, c.quote, c.start, c.end)


def test_a_shared_number_answers_for_every_document_that_has_it(policy) -> None:
    ans = policy.ask("Quyết định 2828/QĐ-UBND do ai ký?")
    lines = ans.text.splitlines()
    assert len(lines) == 2 and "Hồ Chí Minh" in lines[0] and "Quảng Trị" in lines[1], ans.text
    assert {c.doc_id for c in ans.citations} == {_ids("hcm_2828"), _ids("qt_2828")}
    narrowed = policy.ask("Quyết định 2828/QĐ-UBND của Quảng Trị do ai ký?")
    assert {c.doc_id for c in narrowed.citations} == {_ids("qt_2828")} and len(narrowed.text.splitlines()) == 1
    dated = policy.ask("Quyết định 2828/QĐ-UBND ban hành ngày nào?")
    assert dated.text.count("ngày") == 2  # the label names the document without its date, the answer gives it
    _check(policy, ans)


def test_a_number_without_its_type(policy) -> None:
    ans = policy.ask("Văn bản số 80 ban hành ngày nào?")
    assert {c.doc_id for c in ans.citations} == {_ids("hn_80"), _ids("ht_80")} and "27/11/2025" in ans.text
    missing = policy.ask("Văn bản số 4321 do ai ký?")
    assert missing.abstained and missing.text == "Kho văn bản không có văn bản số 4321."


def test_recipients_are_listed_line_by_line(policy) -> None:
    ans = policy.ask("Quyết định 97/2025/QĐ-UBND gửi đến những nơi nào?")
    assert ans.text.startswith("Nơi nhận:") and "- Vụ Pháp luật - Văn phòng Chính phủ [" in ans.text
    assert {c.doc_id for c in ans.citations} == {_ids("qn_97")} and len(ans.citations) >= 5
    _check(policy, ans)


def test_a_count_read_in_a_title_with_two_counts(policy) -> None:
    modified = policy.ask("Quyết định 2637/QĐ-UBND công bố bao nhiêu thủ tục hành chính được sửa đổi, bổ sung?")
    repealed = policy.ask("Quyết định 2637/QĐ-UBND công bố bao nhiêu thủ tục hành chính bị bãi bỏ?")
    assert modified.text.startswith("12") and repealed.text.startswith("01"), (modified.text, repealed.text)


def test_a_followup_with_its_own_question_word_asks_its_own_question(policy) -> None:
    first = policy.ask("Quyết định 97/2025/QĐ-UBND do ai ký?")
    follow = policy.ask("Văn bản đó có hiệu lực từ khi nào?", history=[first.turn()])
    assert "01 tháng 12 năm 2025" in follow.text and follow.citations[0].doc_id == _ids("qn_97"), follow.text
    again = policy.ask("Còn Quyết định 2637/QĐ-UBND thì sao?", history=[first.turn()])
    assert again.kind == "metadata" and again.citations[0].doc_id == _ids("vl_2637")  # the signer, asked again


#: Documents whose plans list tasks and solutions under headings of their own.
PLAN_FILES = {
    "th_634": "tnt-24701a1c97c8c368.txt",  # Thông báo 634/TB-VPCP, Thanh Hóa: I. Đánh giá chung, II. Nhiệm vụ, giải pháp
    "hn_308": "tnt-8e9a425dd83e56b3.txt",  # Kế hoạch 308/KH-UBND, Hà Nội: II. Nhiệm vụ (no "giải pháp" heading)
    "kh_982": "tnt-99c7d8fff9e4572e.txt",  # Kế hoạch 982/KH-UBND: IV. Giải pháp thực hiện
    "cp_116": "cb-nghi-quyet-so-116-nq-cp-469463.txt",  # Nghị quyết 116/NQ-CP: II. Nhiệm vụ và giải pháp trọng tâm
    "qng_1627": "tnt-4e39af96b6891368.txt",  # Quyết định 1627/QĐ-UBND, Quảng Ngãi: IV. Nhiệm vụ cụ thể
}


@pytest.fixture(scope="module")
def plans(tmp_path_factory: pytest.TempPathFactory):
    a = _open_index(tmp_path_factory, "plans", PLAN_FILES)
    yield a
    a.close()


@pytest.mark.parametrize(
    "question, doc, first_line, items",
    [
        # the heading says "giải pháp", the question says "phát triển" too: still that part, not a sentence of III
        ("Những giải pháp phát triển của Thanh Hóa theo Thông báo 634/TB-VPCP là gì?", "th_634",
         "Mục II. NHIỆM VỤ, GIẢI PHÁP TRỌNG TÂM", 8),  # of 10: "… còn 2 mục khác."
        # no heading says "giải pháp": the part headed "Nhiệm vụ" is what the plan sets out to do
        ("Những giải pháp thúc đẩy tạo lập dữ liệu của Kế hoạch 308/KH-UBND là gì?", "hn_308", "Mục II. NHIỆM VỤ:", 4),
        ("Nghị quyết 116/NQ-CP đề ra những nhiệm vụ và giải pháp trọng tâm nào?", "cp_116",
         "Mục II. NHIỆM VỤ VÀ GIẢI PHÁP TRỌNG TÂM:", 8),
        ("Nêu các nhiệm vụ cụ thể của Quyết định 1627/QĐ-UBND", "qng_1627", "Mục IV. NHIỆM VỤ CỤ THỂ:", 8),
    ],
)
def test_a_list_question_lists_the_part_its_heading_names(plans, question, doc, first_line, items) -> None:
    ans = plans.ask(question)
    lines = ans.text.splitlines()
    assert ans.kind == "list" and lines[0].startswith(first_line), ans.text
    section = lines[0].split(".")[0].removeprefix("Mục ")
    listed = ans.citations[1:]
    assert len(listed) == items and all(c.section.split(".")[0] == section for c in listed)
    assert {c.doc_id for c in ans.citations} == {Path(PLAN_FILES[doc]).stem}
    assert not any(line.startswith("- 1.") for line in lines)  # a label alone on its line is no item
    _check(plans, ans)
