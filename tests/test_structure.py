"""Structure parsing: the two corpus seeds field by field, plus unseen layouts."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant.documents import DocumentMeta
from assistant.loaders import load_path
from assistant.structure import ParsedStructure, parse_structure

ROOT = Path(__file__).resolve().parents[1]
SEED_NQ = ROOT / "corpus" / "nghi-quyet-hnln5-khoa-x-bac-kan-cong-nghiep-2011-2015.txt"
SEED_KL = ROOT / "corpus" / "ket-luan-11-KL-TU-quang-tri-2012-cong-nghiep.txt"
LAWS = ROOT.parent / "shared" / "data" / "vlc_laws"


@pytest.fixture(scope="module")
def nq() -> tuple[str, ParsedStructure]:
    text = load_path(SEED_NQ)[0].text
    return text, parse_structure(text)


@pytest.fixture(scope="module")
def kl() -> tuple[str, ParsedStructure]:
    text = load_path(SEED_KL)[0].text
    return text, parse_structure(text)


def paragraphs_of(text: str, p: ParsedStructure, path: tuple[str, ...]) -> list[str]:
    return [text[q.start : q.end] for q in p.paragraphs if q.section_path == path]


def check_invariants(text: str, p: ParsedStructure) -> None:
    """What every parse must satisfy, whatever the document."""
    last_end = -1
    counts: dict[tuple[str, ...], int] = {}
    paths = {s.path for s in p.sections}
    for q in p.paragraphs:
        body = text[q.start : q.end]
        assert body and body == body.strip(), (q, body)
        assert q.start >= last_end, "paragraphs overlap or are out of order"
        last_end = q.end
        counts[q.section_path] = counts.get(q.section_path, 0) + 1
        assert q.number == counts[q.section_path], "numbering restarts at 1 in each section"
        assert q.section_path == () or q.section_path in paths
        if q.section_path:  # (a document that restarts its numbering may repeat a path)
            assert any(
                s.start <= q.start and q.end <= s.end for s in p.sections if s.path == q.section_path
            ), q
        for spans in p.blocks.values():
            for a, b in spans:
                assert q.end <= a or q.start >= b, "a paragraph overlaps a header/recipients/signature block"
    for s in p.sections:
        assert 0 <= s.start < s.end <= len(text)
        assert text[s.end - 1 : s.end].strip(), "section spans are trimmed"
        for k in range(1, len(s.path)):
            assert s.path[:k] in paths, "every ancestor of a section is a section"


# =====================================================================================
# Seed 000: Nghị quyết, Ban Chấp hành Đảng bộ tỉnh (khóa X), no header block of its own
# =====================================================================================


def test_nq_metadata(nq: tuple[str, ParsedStructure]) -> None:
    text, p = nq
    assert replace(p.meta, spans={}) == DocumentMeta(
        doc_type="Nghị quyết",
        number="",  # the text gives no số hiệu,
        date="",  # no date,
        place="",  # no place,
        issuer="Ban Chấp hành Đảng bộ tỉnh",
        province="",  # and never names the province (the corpus sidecar supplies it)
        meeting="Hội nghị lần thứ năm",
        term="khóa X",
        title="về phát triển công nghiệp, tiểu thủ công nghiệp trên địa bàn tỉnh giai đoạn 2011 - 2015",
        signer="Nguyễn Xuân Cường",
        signer_role="Bí thư",
        signing_authority="T/M Tỉnh ủy",
    )
    # every stated value is cited to the text it was read from
    assert set(p.meta.spans) == {"doc_type", "issuer", "meeting", "term", "title", "signer", "signer_role", "signing_authority"}
    a, b = p.meta.spans["signer"]
    assert text[a:b] == "Nguyễn Xuân Cường"


def test_nq_sections(nq: tuple[str, ParsedStructure]) -> None:
    text, p = nq
    assert [s.path for s in p.sections] == (
        [("I",), ("I", "1"), ("I", "2"), ("I", "3"), ("II",)]
        + [("II", str(n)) for n in range(1, 9)]
        + [("III",)]
        + [("III", str(n)) for n in range(1, 5)]
    )
    heads = {s.path: s.heading for s in p.sections}
    # a heading in ** ** spread over two lines, without its label and markers
    assert heads[("I",)] == "QUAN ĐIỂM, MỤC TIÊU, NHIỆM VỤ PHÁT TRIỂN CÔNG NGHIỆP, TIỂU THỦ CÔNG NGHIỆP GIAI ĐOẠN 2011- 2015"
    assert heads[("I", "1")] == "Quan điểm"
    assert heads[("I", "3")] == "Nhiệm vụ"
    assert heads[("II",)] == "MỘT SỐ GIẢI PHÁP CHỦ YẾU"
    assert heads[("III",)] == "TỔ CHỨC THỰC HIỆN"
    # long numbered items are numbered paragraphs: a section with no heading
    assert heads[("II", "1")] == "" and heads[("III", "1")] == ""
    sec = {s.path: s for s in p.sections}
    assert text[sec[("I",)].start :].startswith("I. QUAN ĐIỂM")
    assert text[sec[("III", "2")].start :].startswith("2. Ban cán sự đảng")
    assert text[: sec[("II",)].end].endswith("Quyết định số 1956/QĐ-TTg ngày 27 tháng 11 năm 2009 của Thủ tướng Chính phủ.")


def test_nq_paragraphs(nq: tuple[str, ParsedStructure]) -> None:
    text, p = nq
    check_invariants(text, p)
    pre = paragraphs_of(text, p, ())
    assert pre[0].startswith("Thực hiện Nghị quyết số 07-NQ/TU ngày 11 tháng 4 năm 2006")
    assert pre[1].startswith("Tuy đạt được một số kết quả") and pre[1].endswith("quản trị và tài chính...")
    # dash items: one paragraph each, without the dash
    quan_diem = paragraphs_of(text, p, ("I", "1"))
    assert len(quan_diem) == 3
    assert quan_diem[0].startswith("Phát triển công nghiệp của tỉnh phải nằm trong Quy hoạch")
    assert len(paragraphs_of(text, p, ("I", "3"))) == 5
    assert paragraphs_of(text, p, ("I", "2")) == [
        (
            "Huy động mọi nguồn lực, tập trung đẩy mạnh phát triển công nghiệp, tiểu thủ công nghiệp nhằm tạo động lực "
            "thúc đẩy phát triển kinh tế - xã hội, tạo nền tảng cho quá trình công nghiệp hóa, hiện đại hóa nông nghiệp, "
            "nông thôn; tạo tiền đề cơ bản cho sản xuất công nghiệp làm cơ sở thúc đẩy mạnh mẽ việc chuyển dịch cơ cấu "
            "các ngành kinh tế trên địa bàn tỉnh."
        )
    ]
    # a numbered paragraph starts after its label, and a page break inside it is not a new paragraph
    [item] = paragraphs_of(text, p, ("II", "1"))
    assert item.startswith("Tập trung phát triển công nghiệp, tăng nhanh tỷ trọng")
    assert "khai thác có\n\nhiệu quả nguồn vốn hỗ trợ" in item
    [item7] = paragraphs_of(text, p, ("II", "7"))
    assert item7.endswith("cấp đất, quản lý thuế...")
    assert paragraphs_of(text, p, ("III", "1"))[0].startswith("Đảng đoàn HĐND tỉnh chỉ đạo HĐND tỉnh")
    # the closing formula is the document's, not item III.4's
    assert paragraphs_of(text, p, ("III", "4"))[-1].endswith("kết quả tổ chức thực hiện.")
    assert pre[-1] == "Nghị quyết này được phổ biến rộng rãi."
    sec = {s.path: s for s in p.sections}
    assert text[: sec[("III",)].end].endswith("kết quả tổ chức thực hiện.")


def test_nq_blocks(nq: tuple[str, ParsedStructure]) -> None:
    text, p = nq
    [(hs, he)] = p.blocks["header"]
    assert text[hs:he].startswith("NGHỊ QUYẾT\nHỘI NGHỊ LẦN THỨ NĂM")
    assert text[hs:he].endswith("trên địa bàn tỉnh giai đoạn 2011 - 2015")
    [(rs, re_)] = p.blocks["recipients"]
    assert text[rs:re_].startswith("Nơi nhận:") and text[rs:re_].endswith("- Lưu Văn phòng Tỉnh ủy.")
    [(ss, se)] = p.blocks["signature"]
    assert text[ss:se] == "T/M TỈNH ỦY\n\nBÍ THƯ\n\n(t/hiện)\n\n\n\nNguyễn Xuân Cường"
    assert_no_tail_in_paragraphs(text, p, "Nguyễn Xuân Cường")


# =====================================================================================
# Seed 002: Kết luận 11-KL/TU, two-column header, recipients interleaved with the signature
# =====================================================================================


def test_kl_metadata(kl: tuple[str, ParsedStructure]) -> None:
    _, p = kl
    m = p.meta
    assert m.doc_type == "Kết luận"
    assert m.number == "11-KL/TU"
    assert (m.date, m.place) == ("2012-01-12", "Đông Hà")
    assert m.year == 2012
    assert (m.issuer, m.province) == ("Tỉnh ủy Quảng Trị", "Quảng Trị")
    assert (m.meeting, m.term) == ("Hội nghị lần thứ 6", "khóa XV")
    assert m.title == (
        "tổng kết 7 năm thực hiện Nghị quyết 13-NQ/TU ngày 05/01/2004 của Tỉnh ủy khóa XIII "
        "về phát triển công nghiệp - tiểu thủ công nghiệp đến năm 2010"
    )
    assert (m.signer, m.signer_role, m.signing_authority) == ("Lê Hữu Phúc", "Bí thư", "T/M Tỉnh ủy")
    assert m.supplied == []


def test_kl_sections(kl: tuple[str, ParsedStructure]) -> None:
    text, p = kl
    assert [s.path for s in p.sections] == [
        ("I",), ("I", "1"), ("I", "2"), ("II",), ("II", "1"), ("II", "2"), ("II", "3"), ("III",),
    ]
    heads = {s.path: s.heading for s in p.sections}
    assert heads[("I",)].startswith("Tình hình thực hiện Nghị quyết số 13-NQ/TU của Tỉnh ủy khóa XIII")
    assert heads[("I", "1")] == "Việc quán triệt, triển khai thực hiện Nghị quyết"
    assert heads[("I", "2")] == "Kết quả cụ thể"
    assert heads[("II", "3")] == "Định hướng phát triển các khu, cụm công nghiệp"
    assert heads[("III",)] == "Tổ chức thực hiện"
    sec = {s.path: s for s in p.sections}
    assert text[: sec[("III",)].end].endswith("định kỳ tổng hợp báo cáo Ban Thường vụ Tỉnh ủy.")


def test_kl_paragraphs(kl: tuple[str, ParsedStructure]) -> None:
    text, p = kl
    check_invariants(text, p)
    [pre] = paragraphs_of(text, p, ())  # after the "---" separator
    assert pre.startswith("Hội nghị lần thứ 6, Ban Chấp hành Đảng bộ tỉnh khóa XV, họp ngày 30/11/2011")
    assert pre.endswith("thống nhất kết luận như sau:")
    results = paragraphs_of(text, p, ("I", "2"))
    assert results[0].startswith("Sản xuất công nghiệp giữ vững được nhịp độ phát triển.")
    assert results[0].endswith("đến năm 2010 tăng lên 13,6%.")
    # consecutive lines without a blank line between them are still separate paragraphs
    assert results[2].startswith("Đến nay, trên địa bàn tỉnh, đã hình thành được 2 khu công nghiệp")
    assert any(r.endswith("những hạn chế, yếu kém:") for r in results)
    assert len(results) == 14
    branches = paragraphs_of(text, p, ("II", "2"))
    assert branches[0].startswith("Công nghiệp chế biến: Phát triển")
    assert any(b.startswith("Công nghiệp điện: Hoàn thiện quy hoạch") for b in branches)
    assert paragraphs_of(text, p, ("III",)) == [
        "Căn cứ kết luận này, Đảng đoàn HĐND, BCSĐ UBND tỉnh chỉ đạo cụ thể hóa thành nhiệm vụ, kế hoạch triển khai thực hiện.",
        "Các huyện, thị, thành ủy, đảng ủy trực thuộc Tỉnh ủy quán triệt kết luận của Ban Chấp hành Đảng bộ tỉnh đến tận đảng viên để tổ chức thực hiện.",
        "Văn phòng và các Ban của Tỉnh ủy có trách nhiệm theo dõi, kiểm tra, đôn đốc việc thực hiện kết luận và định kỳ tổng hợp báo cáo Ban Thường vụ Tỉnh ủy.",
    ]
    numbers = [q.number for q in p.paragraphs if q.section_path == ("III",)]
    assert numbers == [1, 2, 3]


def test_kl_interleaved_recipients_and_signature(kl: tuple[str, ParsedStructure]) -> None:
    text, p = kl
    signature = [text[a:b] for a, b in p.blocks["signature"]]
    recipients = "\n".join(text[a:b] for a, b in p.blocks["recipients"])
    assert signature == ["T/M TỈNH ỦY", "BÍ THƯ", "Lê Hữu Phúc"]
    assert "Nơi nhận:" in recipients and "- Bộ Chính trị," in recipients and "- Lưu Văn phòng Tỉnh uỷ." in recipients
    assert "T/M" not in recipients and "Lê Hữu Phúc" not in recipients
    [(hs, he)] = p.blocks["header"]
    header = text[hs:he]
    assert header.startswith("TỈNH UỶ QUẢNG TRỊ") and "Số 11-KL/TU" in header and header.endswith("---")
    assert_no_tail_in_paragraphs(text, p, "Lê Hữu Phúc")


def assert_no_tail_in_paragraphs(text: str, p: ParsedStructure, signer: str) -> None:
    recipient_lines = [
        ln.strip() for a, b in p.blocks["recipients"] for ln in text[a:b].split("\n") if ln.strip().startswith("-")
    ]
    assert len(recipient_lines) >= 10
    for q in p.paragraphs:
        body = text[q.start : q.end]
        assert "Nơi nhận" not in body and signer not in body and "T/M" not in body and "BÍ THƯ" not in body
        assert not any(r.lstrip("- ").strip() in body.split("\n") for r in recipient_lines)
        assert not any(body == r.lstrip("- ").strip() for r in recipient_lines)


# =====================================================================================
# Sidecar merge on the corpus (loader + parser + DocumentMeta)
# =====================================================================================


def test_corpus_sidecar_fills_only_what_the_text_lacks(nq: tuple[str, ParsedStructure]) -> None:
    _, p = nq
    [loaded] = load_path(SEED_NQ)
    meta = p.meta.merged_with_sidecar({**loaded.metadata, "issuer": "Tỉnh ủy Bắc Kạn"})
    assert meta.province == "Bắc Kạn"
    assert meta.issuer == "Ban Chấp hành Đảng bộ tỉnh"  # the text wins
    assert meta.supplied == ["province"]


# =====================================================================================
# Layouts the seeds do not show
# =====================================================================================

STATE_DECISION = """\
ỦY BAN NHÂN DÂN\t\t\tCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
TỈNH QUẢNG NAM\t\t\tĐộc lập - Tự do - Hạnh phúc
-------\t\t\t---------------
Số: 12/QĐ-UBND\t\t\tHà Nội, ngày 5 tháng 3 năm 2020

QUYẾT ĐỊNH
Về việc ban hành Kế hoạch phát triển công nghiệp
giai đoạn 2020 - 2025

CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH QUẢNG NAM

Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015;
Xét đề nghị của Giám đốc Sở Công Thương,

QUYẾT ĐỊNH:

Điều 1. Ban hành kèm theo Quyết định này Kế hoạch phát triển công nghiệp giai đoạn 2020 - 2025.
Điều 2. Tổ chức thực hiện
1. Sở Công Thương chủ trì, phối hợp với các sở, ngành liên quan triển khai Kế hoạch này.
2. Các nội dung cụ thể:
a) Rà soát quy hoạch các cụm công nghiệp;
b) Đề xuất cơ chế hỗ trợ doanh nghiệp nhỏ và vừa.
Điều 3. Quyết định này có hiệu lực kể từ ngày ký.

Nơi nhận:\t\t\t\tTM. ỦY BAN NHÂN DÂN
- Như Điều 3;\t\t\t\tKT. CHỦ TỊCH
- TT Tỉnh ủy, TT HĐND tỉnh;\t\tPHÓ CHỦ TỊCH
- Lưu: VT.
\t\t\t\t\t\t(Đã ký)

\t\t\t\t\t\tTrần Văn Tân
"""


def test_state_decision_header_articles_and_signature() -> None:
    text = STATE_DECISION
    p = parse_structure(text)
    m = p.meta
    assert (m.doc_type, m.number, m.date, m.place) == ("Quyết định", "12/QĐ-UBND", "2020-03-05", "Hà Nội")
    assert (m.issuer, m.province) == ("Ủy ban nhân dân tỉnh Quảng Nam", "Quảng Nam")
    assert m.title == "Về việc ban hành Kế hoạch phát triển công nghiệp giai đoạn 2020 - 2025"
    assert (m.meeting, m.term) == ("", "")
    assert (m.signer, m.signer_role) == ("Trần Văn Tân", "Phó Chủ tịch")
    assert m.signing_authority == "TM. Ủy ban nhân dân, KT. Chủ tịch"
    assert [s.path for s in p.sections] == [
        ("Điều 1",), ("Điều 2",), ("Điều 2", "1"), ("Điều 2", "2"), ("Điều 2", "2", "a"), ("Điều 2", "2", "b"), ("Điều 3",),
    ]
    heads = {s.path: s.heading for s in p.sections}
    assert heads[("Điều 2",)] == "Tổ chức thực hiện"
    assert heads[("Điều 2", "2")] == "Các nội dung cụ thể:"
    assert heads[("Điều 1",)] == "" and heads[("Điều 2", "2", "a")] == ""  # sentences / list items
    check_invariants(text, p)
    assert paragraphs_of(text, p, ()) == [
        "Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015;",
        "Xét đề nghị của Giám đốc Sở Công Thương,",
    ]  # the enacting "QUYẾT ĐỊNH:" is not a paragraph
    assert paragraphs_of(text, p, ("Điều 2", "2", "a")) == ["Rà soát quy hoạch các cụm công nghiệp;"]
    assert paragraphs_of(text, p, ("Điều 3",)) == ["Quyết định này có hiệu lực kể từ ngày ký."]
    assert [text[a:b] for a, b in p.blocks["signature"]][-1].endswith("Trần Văn Tân")
    assert not any("Như Điều 3" in text[q.start : q.end] for q in p.paragraphs)


def test_no_header_at_all_gives_empty_fields_and_letter_items() -> None:
    text = (
        "Báo cáo nhanh về tình hình sản xuất công nghiệp trong quý I.\n\n"
        "Sản lượng tăng 5%\nso với cùng kỳ năm trước.\n\n"
        "1. Công nghiệp chế biến\n\n"
        "a) Chế biến nông sản\n\nTăng trưởng khá.\n\n"
        "b) Chế biến lâm sản tăng chậm do thiếu nguyên liệu và thị trường tiêu thụ bị thu hẹp.\n"
    )
    p = parse_structure(text)
    assert p.meta == DocumentMeta()
    assert p.blocks == {}
    assert [(s.path, s.heading) for s in p.sections] == [
        (("1",), "Công nghiệp chế biến"),
        (("1", "a"), "Chế biến nông sản"),
        (("1", "b"), ""),
    ]
    check_invariants(text, p)
    # a hard-wrapped line is joined into its paragraph
    assert paragraphs_of(text, p, ()) == [
        "Báo cáo nhanh về tình hình sản xuất công nghiệp trong quý I.",
        "Sản lượng tăng 5%\nso với cùng kỳ năm trước.",
    ]
    assert paragraphs_of(text, p, ("1", "a")) == ["Tăng trưởng khá."]
    assert paragraphs_of(text, p, ("1", "b")) == [
        "Chế biến lâm sản tăng chậm do thiếu nguyên liệu và thị trường tiêu thụ bị thu hẹp."
    ]


def test_hdnd_resolution_with_session_term_and_role_only_signature() -> None:
    text = """\
HỘI ĐỒNG NHÂN DÂN                    CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM
   TỈNH BẮC KẠN                           Độc lập - Tự do - Hạnh phúc
Số: 12/NQ-HĐND                      Bắc Kạn, ngày 20 tháng 7 năm 2017

NGHỊ QUYẾT
Về việc thông qua Đề án phát triển du lịch tỉnh Bắc Kạn
giai đoạn 2018 - 2020

HỘI ĐỒNG NHÂN DÂN TỈNH BẮC KẠN
KHÓA IX, KỲ HỌP THỨ SÁU

Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015;

QUYẾT NGHỊ:

Điều 1. Thông qua Đề án phát triển du lịch tỉnh Bắc Kạn giai đoạn 2018 - 2020.
Điều 2. Giao Ủy ban nhân dân tỉnh tổ chức thực hiện Nghị quyết này.

Nơi nhận:
- UBTV Quốc hội;
- Lưu: VT.
                                                CHỦ TỊCH

                                                (Đã ký)

                                                Nguyễn Văn Du
"""
    p = parse_structure(text)
    m = p.meta
    assert (m.doc_type, m.number, m.date, m.place) == ("Nghị quyết", "12/NQ-HĐND", "2017-07-20", "Bắc Kạn")
    assert (m.issuer, m.province) == ("Hội đồng nhân dân tỉnh Bắc Kạn", "Bắc Kạn")
    assert (m.meeting, m.term) == ("Kỳ họp thứ sáu", "khóa IX")
    assert (m.signer, m.signer_role, m.signing_authority) == ("Nguyễn Văn Du", "Chủ tịch", "")
    assert [s.path for s in p.sections] == [("Điều 1",), ("Điều 2",)]
    check_invariants(text, p)
    assert not any("Nguyễn Văn Du" in text[q.start : q.end] for q in p.paragraphs)


def test_party_plan_with_nested_header_signature_before_recipients() -> None:
    text = """\
ĐẢNG BỘ TỈNH THÁI BÌNH                ĐẢNG CỘNG SẢN VIỆT NAM
HUYỆN ỦY KIẾN XƯƠNG
        *
    Số 45-KH/HU                       Kiến Xương, ngày 03 tháng 02 năm 2021

KẾ HOẠCH
thực hiện Nghị quyết Đại hội Đảng bộ tỉnh lần thứ XX

I. MỤC ĐÍCH, YÊU CẦU
1. Mục đích
1.1. Quán triệt sâu sắc nội dung Nghị quyết đến cán bộ, đảng viên.
1.2. Xác định rõ trách nhiệm của các cấp ủy.

II. NỘI DUNG
- Tuyên truyền sâu rộng trong cán bộ, đảng viên.

                                        T/M BAN THƯỜNG VỤ
                                        PHÓ BÍ THƯ THƯỜNG TRỰC
                                        (Đã ký)
                                        PHẠM VĂN SƠN
Nơi nhận:
- Ban Thường vụ Tỉnh ủy (b/c),
- Lưu Văn phòng Huyện ủy.
"""
    p = parse_structure(text)
    m = p.meta
    assert (m.doc_type, m.number, m.date, m.place) == ("Kế hoạch", "45-KH/HU", "2021-02-03", "Kiến Xương")
    assert (m.issuer, m.province) == ("Huyện ủy Kiến Xương", "Thái Bình")
    assert m.title == "thực hiện Nghị quyết Đại hội Đảng bộ tỉnh lần thứ XX"
    assert (m.signer, m.signer_role, m.signing_authority) == ("Phạm Văn Sơn", "Phó Bí thư Thường trực", "T/M Ban Thường vụ")
    assert [s.path for s in p.sections] == [("I",), ("I", "1"), ("I", "1", "1"), ("I", "1", "2"), ("II",)]
    check_invariants(text, p)
    assert paragraphs_of(text, p, ("II",)) == ["Tuyên truyền sâu rộng trong cán bộ, đảng viên."]
    assert "- Lưu Văn phòng Huyện ủy." in [text[a:b] for a, b in p.blocks["recipients"]][-1]


def test_markdown_law_with_chapters_and_articles() -> None:
    text = """\
# LUẬT
# BẢO VỆ MÔI TRƯỜNG

Căn cứ Hiến pháp nước Cộng hòa xã hội chủ nghĩa Việt Nam;

## Chương I
## NHỮNG QUY ĐỊNH CHUNG

**Điều 1. Phạm vi điều chỉnh**

Luật này quy định về hoạt động bảo vệ môi trường; quyền, nghĩa vụ và trách nhiệm
của cơ quan, tổ chức, cộng đồng dân cư, hộ gia đình và cá nhân.

**Điều 2.** Đối tượng áp dụng

1. Luật này áp dụng đối với cơ quan, tổ chức trên lãnh thổ Việt Nam.

Chương II
QUY HOẠCH BẢO VỆ MÔI TRƯỜNG

Mục 1
NGUYÊN TẮC

Điều 3. Nguyên tắc quy hoạch

Quy hoạch bảo vệ môi trường phải phù hợp với chiến lược phát triển kinh tế - xã hội.
"""
    p = parse_structure(text)
    assert (p.meta.doc_type, p.meta.title) == ("Luật", "Bảo vệ môi trường")  # sentence case: "Luật Bảo vệ môi trường"
    assert [(s.path, s.heading) for s in p.sections] == [
        (("Chương I",), "NHỮNG QUY ĐỊNH CHUNG"),
        (("Chương I", "Điều 1"), "Phạm vi điều chỉnh"),
        (("Chương I", "Điều 2"), "Đối tượng áp dụng"),
        (("Chương I", "Điều 2", "1"), ""),
        (("Chương II",), "QUY HOẠCH BẢO VỆ MÔI TRƯỜNG"),
        (("Chương II", "Mục 1"), "NGUYÊN TẮC"),
        (("Chương II", "Mục 1", "Điều 3"), "Nguyên tắc quy hoạch"),
    ]
    check_invariants(text, p)
    [art1] = paragraphs_of(text, p, ("Chương I", "Điều 1"))
    assert art1.startswith("Luật này quy định") and art1.endswith("hộ gia đình và cá nhân.")
    assert "\ncủa cơ quan" in art1  # the hard wrap is inside one paragraph
    sec = {s.path: s for s in p.sections}
    assert text[: sec[("Chương I", "Điều 1")].end].endswith("cá nhân.")  # not the next line's "**"


@pytest.mark.parametrize(
    ("header", "field", "value"),
    [
        ("THÀNH ỦY HÀ NỘI\nSố 05-CT/TU\nHà Nội, ngày 02 tháng 9 năm 2021\n\nCHỈ THỊ\nvề phòng, chống dịch", "province", "Hà Nội"),
        ("THÀNH ỦY ĐÔNG HÀ\nSố 05-CT/TU\n\nCHỈ THỊ\nvề phòng, chống dịch", "province", ""),  # a city, not a province
        ("HUYỆN ỦY KIẾN XƯƠNG\nSố 05-CT/HU\n\nCHỈ THỊ\nvề phòng, chống dịch", "province", ""),
        ("HUYỆN ỦY KIẾN XƯƠNG\nSố 05-CT/HU\n\nCHỈ THỊ\nvề phòng, chống dịch", "issuer", "Huyện ủy Kiến Xương"),
        ("TỈNH ỦY QUẢNG TRỊ\nBAN TUYÊN GIÁO\nSố 7-HD/BTGTU\n\nHƯỚNG DẪN\ntuyên truyền", "issuer", "Ban Tuyên giáo Tỉnh ủy Quảng Trị"),
        ("TỈNH ỦY QUẢNG TRỊ\nSố 7-TB/TU\nĐông Hà, ngày 31 tháng 02 năm 2012\n\nTHÔNG BÁO\nkết luận", "date", ""),  # no such day
        ("TỈNH ỦY QUẢNG TRỊ\nSố 7-TB/TU\nngày 3 tháng 2 năm 2012\n\nTHÔNG BÁO\nkết luận", "place", ""),
        ("QUỐC HỘI\nLuật số: 61/2020/QH14\n\nLUẬT\nĐẦU TƯ", "number", "61/2020/QH14"),
        ("QUỐC HỘI\nKHÓA XIV\n\nLUẬT\nĐẦU TƯ", "term", "khóa XIV"),
    ],
)
def test_header_fields_are_read_not_guessed(header: str, field: str, value: str) -> None:
    text = header + "\n\nI. NỘI DUNG\n\nTriển khai thực hiện nghiêm túc.\n"
    p = parse_structure(text)
    assert getattr(p.meta, field) == value
    check_invariants(text, p)
    assert paragraphs_of(text, p, ("I",)) == ["Triển khai thực hiện nghiêm túc."]


def test_text_is_never_altered() -> None:
    text = "KẾT LUẬN\nvề công nghiệp\n\nI. Tình hình\n\n- Tỉnh uỷ đã lãnh đạo.  \n"
    p = parse_structure(text)
    assert [text[q.start : q.end] for q in p.paragraphs] == ["Tỉnh uỷ đã lãnh đạo."]  # old-style "uỷ" kept


@pytest.mark.skipif(not LAWS.is_dir(), reason="shared law texts not available")
def test_real_law_text() -> None:
    path = LAWS / "luat-thanh-nien.txt"
    text = load_path(path)[0].text
    p = parse_structure(text)
    m = p.meta
    assert (m.doc_type, m.number, m.date, m.place, m.issuer) == ("Luật", "57/2020/QH14", "2020-06-16", "Hà Nội", "Quốc hội")
    assert m.title == "Thanh niên"
    assert m.signer_role == "Chủ tịch Quốc hội" and m.signer
    articles = [s for s in p.sections if s.path[-1].startswith("Điều ")]
    assert len(articles) == len(re.findall(r"(?m)^Điều \d+\.", text))
    assert all(s.path[0].startswith("Chương ") for s in articles)
    check_invariants(text, p)


# =====================================================================================
# Any text: parsing never fails and its spans always hold
# =====================================================================================

_LINES = [
    "", " ", "\t", "---", "*", "KẾT LUẬN", "NGHỊ QUYẾT", "TỈNH UỶ QUẢNG TRỊ", "Số 11-KL/TU",
    "   Đông Hà, ngày 12 tháng 01 năm 2012", "HỘI NGHỊ LẦN THỨ 6, BCH ĐẢNG BỘ TỈNH KHÓA XV",
    "về phát triển công nghiệp", "I. TÌNH HÌNH", "**II. GIẢI PHÁP", "CHỦ YẾU**", "1. Quan điểm",
    "2. Đảng đoàn HĐND tỉnh chỉ đạo HĐND tỉnh ban hành cơ chế, chính sách phù hợp với thực tế.",
    "a) Rà soát quy hoạch;", "1.1. Quán triệt.", "Điều 3. Hiệu lực", "Chương I", "Mục 2", "PHỤ LỤC",
    "- Phát triển công nghiệp gắn với bảo vệ môi trường.", "+ ý phụ", "hiệu quả nguồn vốn",
    "Nơi nhận:                    T/M TỈNH ỦY", "- Bộ Chính trị,           BÍ THƯ", "     Lê Hữu Phúc",
    "(đã ký)", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", "Nghị quyết này được phổ biến rộng rãi.", "QUYẾT ĐỊNH:",
    "Căn cứ Luật Tổ chức chính quyền địa phương;", "Tuy nhiên, còn hạn chế:", "**", "#", "- ", "1.", "a)",
]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(_LINES) | st.text(max_size=40), max_size=40), st.sampled_from(["\n", "\r\n"]))
def test_any_text_parses_with_valid_spans(lines: list[str], newline: str) -> None:
    text = newline.join(lines)
    p = parse_structure(text)
    check_invariants(text, p)
    for spans in p.blocks.values():
        for a, b in spans:
            assert 0 <= a < b <= len(text) and text[a:b] == text[a:b].strip()


def test_meeting_and_term_from_the_closing_line_of_a_council_resolution() -> None:
    text = (
        "HỘI ĐỒNG NHÂN DÂN\nTHÀNH PHỐ HÀ NỘI\n-------\n\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n\n"
        "Số: 80/2025/NQ-HĐND\n\nHà Nội, ngày 27 tháng 11 năm 2025\n\nNGHỊ QUYẾT\nQUY ĐỊNH MỨC CHI HỖ TRỢ\n\n"
        "Điều 1. Phạm vi điều chỉnh\nNghị quyết này quy định mức chi hỗ trợ.\n\n"
        "Nghị quyết này đã được Hội đồng nhân dân thành phố Hà Nội khóa XVI, kỳ họp thứ 28 thông qua ngày 27 tháng 11 năm 2025./.\n\n"
        "Nơi nhận:\n- Chính phủ;\n- Lưu: VT.\n\nCHỦ TỊCH\n\n\nPhùng Thị Hồng Hà\n"
    )
    meta = parse_structure(text).meta
    assert (meta.meeting, meta.term) == ("Kỳ họp thứ 28", "khóa XVI")
    s, e = meta.spans["meeting"]
    assert text[s:e] == "kỳ họp thứ 28"
    # a header that states its meeting keeps it; a body that cites another meeting's adoption is not read
    assert parse_structure(text.replace("NGHỊ QUYẾT\n", "NGHỊ QUYẾT\nKỲ HỌP THỨ 27\n")).meta.meeting == "Kỳ họp thứ 27"
