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


@pytest.fixture(scope="module")
def policy(tmp_path_factory: pytest.TempPathFactory):
    from assistant.api import Assistant
    from assistant.ingest import ingest
    from assistant.settings import Settings

    tmp = tmp_path_factory.mktemp("policy")
    corpus = tmp / "corpus"
    corpus.mkdir()
    for name in FILES.values():
        shutil.copy(DOCS / name, corpus / name)
    settings = Settings(index_dir=tmp / "index", corpus_dir=corpus, embedder="hash")
    assert ingest([corpus], settings, progress=False, say=lambda m: None).published
    a = Assistant.open(settings.index_dir, settings)
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
