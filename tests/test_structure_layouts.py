"""Header and signature parsing on the layouts real documents come in (issue 10).

Each text is written in the layout of one family of real documents (web copies with
hard-wrapped lines, Công văn, gazette PDF text, pandoc-converted markdown), with made-up
numbers, dates and names. Every value found must be cited by a span of the text it was
read from.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from pathlib import Path

import pytest

from assistant.structure import ParsedStructure, parse_structure
from assistant.text import fold

ROOT = Path(__file__).resolve().parents[1]
POLICY_DOCS = next(
    (d / "data" / "policy_docs" for d in (ROOT.parent / "shared", ROOT.parent.parent / "shared") if d.is_dir()),
    ROOT.parent / "shared" / "data" / "policy_docs",
)


def norm(s: str) -> str:
    return re.sub(r"[^0-9a-z]+", "", fold(s).lower())


_DATE_RE = re.compile(r"ngày\s*(\d{1,2})\s*(?:tháng\s*(\d{1,2})\s*năm\s*|[/.\-](\d{1,2})[/.\-])(\d{4})", re.I)


def assert_spans_quote_values(text: str, p: ParsedStructure) -> None:
    """``text[start:end]`` of every field holds its value (modulo case, tone marks, spaces)."""
    m = p.meta
    for name, (a, b) in m.spans.items():
        value = getattr(m, name)
        quote = text[a:b]
        assert value and 0 <= a < b <= len(text) and quote == quote.strip(), (name, a, b)
        if name == "date":
            d = _DATE_RE.search(quote)
            assert d, quote
            assert dt.date(int(d[4]), int(d[2] or d[3]), int(d[1])).isoformat() == value
        elif name == "doc_type" and value in ("Công văn", "Văn bản hợp nhất"):
            # read from its evidence: the "V/v" subject, the "VBHN" number or "XÁC THỰC VĂN BẢN HỢP NHẤT"
            assert norm("V/v") in norm(quote) or "vbhn" in norm(quote) or norm(value) in norm(quote), (name, quote)
        elif name == "issuer":
            assert all(norm(w) in norm(quote) for w in value.split()), (name, value, quote)
        else:
            assert norm(value) in norm(quote), (name, value, quote)
    assert len(p.recipients) == len(p.recipient_spans)
    for r, (a, b) in zip(p.recipients, p.recipient_spans):
        # an item continued on a later line may have signature cells in between (interleaved)
        assert norm(text[a:b]).startswith(norm(r.split()[0])) and is_subsequence(norm(r), norm(text[a:b])), (r, text[a:b])


def is_subsequence(small: str, big: str) -> bool:
    it = iter(big)
    return all(ch in it for ch in small)


# --- web copy: every header line hard-wrapped mid-phrase ------------------------------

WEB_COPY = """\
Tăng cường quản lý chợ trên địa bàn tỉnh
Ngày 03/3/2024, UBND tỉnh Kon Tum ban hành Quyết định 37/2024/QĐ-UBND về quản lý chợ.
Xem chi tiết tại Quyết định 37/2024/QĐ-UBND.

ỦY BAN NHÂN
DÂN
TỈNH KON TUM
-------

CỘNG
HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
---------------

Số:
37/2024/QĐ-UBND

Kon Tum, ngày
03 tháng 3 năm 2024

QUYẾT ĐỊNH
BAN HÀNH QUY ĐỊNH QUẢN LÝ, PHÁT TRIỂN CHỢ
TRÊN ĐỊA BÀN TỈNH KON TUM
ỦY BAN NHÂN DÂN TỈNH KON TUM
Căn cứ Luật Tổ chức chính quyền địa phương ngày
19 tháng 6 năm 2015;
Theo đề nghị của Giám đốc Sở Công Thương.
QUYẾT ĐỊNH:
Điều 1. Ban hành kèm theo Quyết định này Quy định quản lý chợ.
Điều 2. Quyết định này có hiệu lực từ ngày 15 tháng 3 năm 2024.

Nơi nhận:
- Như Điều 2;
- Bộ Công Thương;
- VP UBND tỉnh:
+ CVP, các PCVP;
- Lưu: VT, KT.

TM. ỦY BAN NHÂN
DÂN
KT. CHỦ TỊCH
PHÓ CHỦ TỊCH
Lưu
Văn Trung
"""


def test_web_copy_with_hard_wrapped_header_and_signature() -> None:
    p = parse_structure(WEB_COPY)
    m = p.meta
    assert (m.doc_type, m.number, m.date, m.place) == ("Quyết định", "37/2024/QĐ-UBND", "2024-03-03", "Kon Tum")
    assert (m.issuer, m.province) == ("Ủy ban nhân dân tỉnh Kon Tum", "Kon Tum")
    assert m.title == "BAN HÀNH QUY ĐỊNH QUẢN LÝ, PHÁT TRIỂN CHỢ TRÊN ĐỊA BÀN TỈNH KON TUM"
    # "DÂN" wrapped off the authority is not the role; "Lưu" is a surname here, not the archive copy
    assert (m.signer, m.signer_role, m.signing_authority) == ("Lưu Văn Trung", "Phó Chủ tịch", "TM. Ủy ban nhân dân, KT. Chủ tịch")
    assert p.recipients == ["Như Điều 2", "Bộ Công Thương", "VP UBND tỉnh:", "CVP, các PCVP", "Lưu: VT, KT"]
    assert_spans_quote_values(WEB_COPY, p)
    a, b = m.spans["number"]
    assert WEB_COPY[a:b] == "37/2024/QĐ-UBND"
    a, b = m.spans["date"]
    assert WEB_COPY[a:b] == "ngày\n03 tháng 3 năm 2024"
    a, b = m.spans["signer"]
    assert WEB_COPY[a:b] == "Lưu\nVăn Trung"
    # the page's own summary above the header is body text, not header
    [(hs, _he)] = p.blocks["header"]
    assert WEB_COPY[hs:].startswith("ỦY BAN NHÂN")
    first = p.paragraphs[0]
    assert WEB_COPY[first.start : first.end].startswith("Tăng cường quản lý chợ")
    assert [s.path for s in p.sections] == [("Điều 1",), ("Điều 2",)]


# --- Công văn: "V/v" subject, no type line ----------------------------------------------

CONG_VAN = """\
BỘ TÀI CHÍNH
CỤC HẢI QUAN
-------

CỘNG HÒA XÃ HỘI
CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
---------------

Số: 812/HQ-GSQL
V/v thủ tục hải quan đối với
hàng hóa tạm nhập tái xuất

Hà Nội, ngày 9 tháng 10 năm 2023

Kính gửi: Chi cục Hải quan khu vực III.
Cục Hải quan nhận được công văn số 55/HQKV3 ngày 02/10/2023. Về vấn đề này, Cục Hải quan có ý kiến như sau:
1. Hàng hóa tạm nhập tái xuất thực hiện theo quy định tại Điều 47 Nghị định số 08/2015/NĐ-CP.
2. Đề nghị đơn vị thực hiện đúng quy định./.

Nơi nhận:
- Như trên;
- Lưu: VT, GSQL (3b).

KT. CỤC TRƯỞNG
PHÓ CỤC TRƯỞNG
Đinh Thị Hồng Nhung
"""


def test_cong_van_type_from_vv_subject() -> None:
    p = parse_structure(CONG_VAN)
    m = p.meta
    assert (m.doc_type, m.number, m.date, m.place) == ("Công văn", "812/HQ-GSQL", "2023-10-09", "Hà Nội")
    assert m.title == "V/v thủ tục hải quan đối với hàng hóa tạm nhập tái xuất"
    assert m.issuer == "Cục Hải quan"  # the lower organ under its ministry
    assert (m.signer, m.signer_role, m.signing_authority) == ("Đinh Thị Hồng Nhung", "Phó Cục trưởng", "KT. Cục trưởng")
    assert p.recipients == ["Như trên", "Lưu: VT, GSQL (3b)"]
    assert_spans_quote_values(CONG_VAN, p)
    # "V/v" is no Roman section "V", and "Kính gửi" starts the body
    assert [s.path for s in p.sections] == [("1",), ("2",)]


def test_cong_van_subject_on_the_number_line_and_two_organs() -> None:
    text = (
        "CỤC THUẾ\nTHUẾ TỈNH GIA LAI\n-------\n\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n\n"
        "Số: 1204/GLA-QLDN v/v hoàn thuế\n\nGia\nLai, ngày 14 tháng 5 năm 2024\n\nKính gửi: Công ty TNHH Minh Phát.\n"
        "Trả lời công văn của Công ty, Thuế tỉnh có ý kiến như sau.\n\nNơi nhận:\n- Như trên;\n- Lưu: VT.\n\n"
        "KT. TRƯỞNG THUẾ TỈNH\nPHÓ TRƯỞNG THUẾ TỈNH\nHà Văn Quang\n"
    )
    p = parse_structure(text)
    m = p.meta
    assert (m.doc_type, m.number, m.title) == ("Công văn", "1204/GLA-QLDN", "v/v hoàn thuế")
    assert (m.date, m.place) == ("2024-05-14", "Gia Lai")  # the place wrapped onto the date line
    assert (m.issuer, m.province) == ("Thuế tỉnh Gia Lai", "Gia Lai")  # "CỤC THUẾ" / "THUẾ ..." are two organs
    assert (m.signer, m.signer_role, m.signing_authority) == ("Hà Văn Quang", "Phó Trưởng thuế tỉnh", "KT. Trưởng thuế tỉnh")
    assert_spans_quote_values(text, p)


def test_cong_dien_with_caps_vv_subject() -> None:
    text = (
        "THỦ TƯỚNG CHÍNH\nPHỦ\n-------\n\nCỘNG HÒA XÃ HỘI\nCHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n\n"
        "Số: 41/CĐ-TTg\n\nHà Nội, ngày 7 tháng 9 năm 2024\n\nCÔNG ĐIỆN\nV/V ỨNG PHÓ KHẨN CẤP VỚI\nBÃO SỐ 3\n"
        "THỦ TƯỚNG CHÍNH PHỦ điện:\n\n- Chủ tịch Ủy ban nhân dân các tỉnh ven biển.\n\n"
        "1. Các địa phương tổ chức sơ tán người dân.\n\nNơi nhận:\n- Như trên;\n- Lưu: VT, NN (2).\n\n"
        "THỦ TƯỚNG\nPhạm Quốc Chính\n"
    )
    p = parse_structure(text)
    m = p.meta
    assert (m.doc_type, m.number, m.date) == ("Công điện", "41/CĐ-TTg", "2024-09-07")
    assert m.issuer == "Thủ tướng Chính phủ"
    assert m.title == "V/V ỨNG PHÓ KHẨN CẤP VỚI BÃO SỐ 3"
    assert (m.signer, m.signer_role) == ("Phạm Quốc Chính", "Thủ tướng")  # "Quốc", "Chính" are given names
    assert_spans_quote_values(text, p)


# --- gazette PDF text: columns interleaved, signature before annexes ---------------------

GAZETTE = """\
BỘ KẾ HOẠCH VÀ ĐẦU TƯ

BỘ KẾ HOẠCH VÀ ĐẦU TƯ
__________

Số: 09/2022/TT-BKHĐT
CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
_______________________
Hà Nội, ngày 17 tháng 5 năm 2022

THÔNG TƯ
Hướng dẫn lập báo cáo giám sát đầu tư
theo quy định của Nghị định số 29/2021/NĐ-CP

Căn cứ Luật Đầu tư công ngày 13 tháng 6 năm 2019;
Bộ trưởng Bộ Kế hoạch và Đầu tư ban hành Thông tư hướng dẫn lập báo cáo giám sát đầu tư.
Điều 1. Phạm vi điều chỉnh
Thông tư này hướng dẫn lập báo cáo giám sát đầu tư của
các bộ, ngành và địa phương.
Điều 2. Hiệu lực thi hành
Thông tư này có hiệu lực từ ngày 01 tháng 7 năm 2022./.

BỘ TRƯỞNG

Nguyễn Văn Hùng

BỘ KẾ HOẠCH VÀ ĐẦU TƯ
CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Phụ lục I
MẪU BÁO CÁO GIÁM SÁT
TM. ỦY BAN NHÂN DÂN TỈNH
CHỦ TỊCH
Ký bởi: CÔNG BÁO NƯỚC CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
"""


def test_gazette_text_with_a_role_only_signature_before_the_annex() -> None:
    p = parse_structure(GAZETTE)
    m = p.meta
    assert (m.doc_type, m.number, m.date, m.place) == ("Thông tư", "09/2022/TT-BKHĐT", "2022-05-17", "Hà Nội")
    assert m.issuer == "Bộ Kế hoạch và Đầu tư"
    assert m.title == "Hướng dẫn lập báo cáo giám sát đầu tư theo quy định của Nghị định số 29/2021/NĐ-CP"
    # the form in the annex has its own "TM. ... CHỦ TỊCH" lines: not this document's signature
    assert (m.signer, m.signer_role, m.signing_authority) == ("Nguyễn Văn Hùng", "Bộ trưởng", "")
    assert_spans_quote_values(GAZETTE, p)


def test_consolidated_text_takes_its_own_number_under_xac_thuc() -> None:
    text = (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n\nNGHỊ ĐỊNH\nQuy định về trợ giúp xã hội\n\n"
        "Nghị định số 20/2021/NĐ-CP ngày 15 tháng 3 năm 2021 của Chính phủ, được sửa đổi, bổ sung bởi:\n"
        "Điều 1. Phạm vi điều chỉnh\nNghị định này quy định về trợ giúp xã hội.\n\n"
        "BỘ LAO ĐỘNG - THƯƠNG BINH\nVÀ XÃ HỘI\nSố: 77/VBHN-BLĐTBXH\nXÁC THỰC VĂN BẢN\nHỢP NHẤT\n"
        "Hà Nội, ngày 8 tháng 1 năm 2024\nKT. BỘ TRƯỞNG\nTHỨ TRƯỞNG\n\nLê Văn Thanh\n"
    )
    p = parse_structure(text)
    m = p.meta
    assert (m.doc_type, m.number, m.date) == ("Văn bản hợp nhất", "77/VBHN-BLĐTBXH", "2024-01-08")
    assert (m.signer, m.signer_role, m.signing_authority) == ("Lê Văn Thanh", "Thứ trưởng", "KT. Bộ trưởng")
    assert_spans_quote_values(text, p)
    a, b = m.spans["doc_type"]
    assert text[a:b] == "XÁC THỰC VĂN BẢN\nHỢP NHẤT"


# --- pandoc-converted markdown: flattened tables, signature among the recipients --------

CONVERTED = """\
ỦY BAN THƯỜNG VỤ   CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
QUỐC HỘI   Độc lập - Tự do - Hạnh phúc

Số: 1702/NQ-UBTVQH15   Hà Nội, ngày 16 tháng 6 năm 2025

NGHỊ QUYẾT

VỀ VIỆC SẮP XẾP CÁC ĐƠN VỊ HÀNH CHÍNH CẤP XÃ CỦA TỈNH YÊN BÁI NĂM 2025

ỦY BAN THƯỜNG VỤ QUỐC HỘI

Căn cứ Luật Tổ chức chính quyền địa phương số 72/2025/QH15;

QUYẾT NGHỊ:

Điều 1. Sắp xếp các đơn vị hành chính cấp xã của tỉnh Yên Bái

Điều 2. Hiệu lực thi hành

TM. ỦY BAN THƯỜNG VỤ QUỐC HỘI
CHỦ TỊCH

Nơi nhận:
- Chính phủ;
- Ủy ban TW Mặt trận Tổ quốc
Việt Nam;   Trần Văn Mẫn
- Lưu: HC, PLTP.
"""


def test_converted_markdown_two_columns_and_interleaved_signature() -> None:
    p = parse_structure(CONVERTED)
    m = p.meta
    assert (m.doc_type, m.number, m.date, m.place) == ("Nghị quyết", "1702/NQ-UBTVQH15", "2025-06-16", "Hà Nội")
    assert m.issuer == "Ủy ban Thường vụ Quốc hội"  # one organ over two lines of the left column
    assert m.title == "VỀ VIỆC SẮP XẾP CÁC ĐƠN VỊ HÀNH CHÍNH CẤP XÃ CỦA TỈNH YÊN BÁI NĂM 2025"
    assert (m.signer, m.signer_role, m.signing_authority) == ("Trần Văn Mẫn", "Chủ tịch", "TM. Ủy ban Thường vụ Quốc hội")
    assert p.recipients == ["Chính phủ", "Ủy ban TW Mặt trận Tổ quốc Việt Nam", "Lưu: HC, PLTP"]
    assert_spans_quote_values(CONVERTED, p)


def test_flattened_table_header_and_glued_role() -> None:
    text = (
        "CHÍNH PHỦ__________ Số: 88/2025/NĐ-CP | CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAMĐộc lập - Tự do - Hạnh phúc_______\n\n"
        "Hà Nội, ngày 2 tháng 4 năm 2025\n\nNGHỊ ĐỊNH\n\nQuy định về quản lý công chức\n\n"
        "Điều 1. Phạm vi điều chỉnh\n\nNghị định này quy định về quản lý công chức.\n\n"
        "- Các bộ; - Lưu: VT. | TM. CHÍNH PHỦTHỦ TƯỚNG\n\nNơi nhận:\n- Các bộ;\n- Lưu: VT.   Nguyễn Minh Sơn\n"
    )
    p = parse_structure(text)
    m = p.meta
    assert (m.doc_type, m.number, m.date, m.issuer) == ("Nghị định", "88/2025/NĐ-CP", "2025-04-02", "Chính phủ")
    assert (m.signer, m.signer_role, m.signing_authority) == ("Nguyễn Minh Sơn", "Thủ tướng", "TM. Chính phủ")
    assert_spans_quote_values(text, p)


def test_rank_before_the_signer_name() -> None:
    text = (
        "BỘ QUỐC PHÒNG\n-------\n\nSố: 15/2024/TT-BQP\n\nHà Nội, ngày 4 tháng 2 năm 2024\n\nTHÔNG TƯ\n"
        "Quy định về chế độ trực\n\nĐiều 1. Phạm vi\nThông tư này quy định chế độ trực.\n\n"
        "Nơi nhận:\n- Lưu: VT, PC.\n\nKT. BỘ TRƯỞNG\nTHỨ TRƯỞNG\nThượng tướng Hoàng Xuân Chiến\n"
    )
    p = parse_structure(text)
    assert (p.meta.signer, p.meta.signer_role) == ("Hoàng Xuân Chiến", "Thứ trưởng")
    a, b = p.meta.spans["signer"]
    assert text[a:b] == "Hoàng Xuân Chiến"


def test_a_field_the_text_does_not_state_stays_empty_and_has_no_span() -> None:
    text = "ỦY BAN NHÂN DÂN\nTỈNH BẾN TRE\n\nKẾ HOẠCH\nTriển khai chuyển đổi số\n\nI. MỤC ĐÍCH\n\nNâng cao hiệu quả.\n"
    p = parse_structure(text)
    assert (p.meta.number, p.meta.date, p.meta.signer) == ("", "", "")
    assert set(p.meta.spans) == {"doc_type", "title", "issuer", "province"}
    assert_spans_quote_values(text, p)


# --- the real collection --------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.skipif(not POLICY_DOCS.is_dir(), reason="shared policy documents not available")
def test_all_policy_docs_parse_with_quotable_spans() -> None:
    """Parsing never raises on the 724 real texts, and every span quotes its value."""
    from tests.test_structure import check_invariants

    files = sorted((POLICY_DOCS / "docs").glob("*.txt"))
    assert len(files) >= 700
    stated = {"number": 0, "date": 0, "signer": 0}
    for path in files:
        # (a few gazette texts hold stray NUL bytes; the loader's verdict on them is not tested here)
        text = unicodedata.normalize("NFC", path.read_bytes().decode("utf-8", errors="replace").replace("\0", ""))
        p = parse_structure(text)
        check_invariants(text, p)
        assert_spans_quote_values(text, p)
        for f in stated:
            stated[f] += bool(getattr(p.meta, f))
        json.dumps(p.meta.spans)
    assert all(n >= 0.9 * len(files) for n in stated.values()), stated
