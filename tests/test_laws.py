"""Law structure over the 109 real law texts in ../shared/data/vlc_laws/.

Every law must parse with its type, number (số hiệu) and name right, its articles
(Điều) found, and its passages cite the way Vietnamese lawyers write it:
"Điều 31 khoản 2 Bộ luật Dân sự số 91/2015/QH13".
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from assistant.chunking import chunk_document
from assistant.citations import citation_string
from assistant.documents import Document
from assistant.ingest import make_document
from assistant.loaders import load_path
from assistant.structure import parse_structure

LAWS = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "vlc_laws"

pytestmark = pytest.mark.skipif(not LAWS.is_dir(), reason="shared law texts not available")

#: Texts that state no number: the 2013 Constitution, and the 1953 land reform law as published.
NO_NUMBER = {"hien-phap", "luat-cai-cach-ruong-dat"}
NO_DATE = {"luat-cai-cach-ruong-dat"}
#: Headers that do not name "QUỐC HỘI": two sources misspell it "UỐC HỘI"; the 1953 and
#: 1957 texts open with the President's promulgation caption instead of an organ line.
ISSUER_AS_WRITTEN = {
    "luat-bao-ve-moi-truong": "Uốc hội",
    "luat-khuyen-khich-dau-tu-trong-nuoc": "Uốc hội",
    "luat-cai-cach-ruong-dat": "",
    "luat-dam-bao-quyen-tu-do-than-the-va-quyen-bat-kha-xam-pham-doi-voi-nha-o-do-vat-thu-tin-cua-nhan-dan": "",
    "luat-quy-dinh-quyen-tu-do-hoi-hop": "",
}


@pytest.fixture(scope="module")
def laws() -> dict[str, Document]:
    out = {}
    for path in sorted(LAWS.glob("*.txt")):
        [loaded] = load_path(path)
        out[path.stem] = make_document(loaded, path.stem)
    return out


@pytest.mark.slow
def test_all_109_laws_parse_with_type_number_title_and_date(laws: dict[str, Document]) -> None:
    assert len(laws) == 109
    for name, doc in laws.items():
        m = doc.meta
        assert m.doc_type in ("Luật", "Bộ luật", "Hiến pháp"), name
        assert m.issuer == ISSUER_AS_WRITTEN.get(name, "Quốc hội"), name
        assert m.title and m.title == m.title.strip() and not m.title.isupper(), (name, m.title)
        assert not re.search(r"\b(?:SỐ|số)\s*\d|\bNGÀY\b|^Luật\s+(?!sư)", m.title), (name, m.title)
        if name in NO_NUMBER:
            assert m.number == "", name
        else:
            assert re.fullmatch(r"\d{1,3}[/-][\w./-]+", m.number), (name, m.number)
        assert (m.date == "") == (name in NO_DATE), name


@pytest.mark.slow
def test_articles_are_found(laws: dict[str, Document]) -> None:
    total = 0
    for name, doc in laws.items():
        articles = [s for s in doc.sections if s.path and s.path[-1].startswith("Điều ")]
        assert articles, name
        total += len(articles)
    assert total == 11_212  # as the data set's README counts them


@pytest.mark.parametrize(
    ("name", "doc_type", "number", "title"),
    [
        ("luat-hon-nhan-va-gia-dinh", "Luật", "52/2014/QH13", "Hôn nhân và gia đình"),
        ("bo-luat-dan-su", "Bộ luật", "91/2015/QH13", "Dân sự"),
        ("luat-dau-tu", "Luật", "61/2020/QH14", "Đầu tư"),
        ("luat-binh-dang-gioi", "Luật", "73/2006/QH11", "Bình đẳng giới"),  # "QH 11" in the source
        ("luat-bien-gioi-quoc-gia", "Luật", "06/2003/QH11", "Biên giới quốc gia"),  # "...VỀ LUẬT BIÊN GIỚI..."
        ("luat-doanh-nghiep-tu-nhan", "Luật", "48-LCT/HĐNN8", "Doanh nghiệp tư nhân"),  # caption tail cut
        ("luat-an-ninh-quoc-gia", "Luật", "32/2004/QH11", "An ninh quốc gia"),  # "VỀ AN NINH..."
        ("luat-luat-su", "Luật", "65/2006/QH11", "Luật sư"),
        ("luat-to-chuc-quoc-hoi", "Luật", "57/2014/QH13", "Tổ chức Quốc hội"),
        ("luat-mat-tran-to-quoc-viet-nam", "Luật", "75/2015/QH13", "Mặt trận Tổ quốc Việt Nam"),
        (
            "luat-hoat-dong-giam-sat-cua-quoc-hoi-va-hoi-dong-nhan-dan",
            "Luật",
            "87/2015/QH13",
            "Hoạt động giám sát của Quốc hội và Hội đồng nhân dân",
        ),
        (
            "luat-dau-tu-nuoc-ngoai-tai-viet-nam",
            "Luật",
            "18/2000/QH10",
            "sửa đổi, bổ sung một số điều của Luật Đầu tư nước ngoài tại Việt Nam",
        ),
        ("hien-phap", "Hiến pháp", "", "nước Cộng hòa xã hội chủ nghĩa Việt Nam"),
    ],
)
def test_law_names(name: str, doc_type: str, number: str, title: str) -> None:
    [loaded] = load_path(LAWS / f"{name}.txt")
    m = parse_structure(loaded.text).meta
    assert (m.doc_type, m.number, m.title) == (doc_type, number, title)


def _citations(name: str) -> dict[str, tuple[tuple[str, ...], str]]:
    """Passage text -> (section path, citation) for one law, through the real chunker."""
    [loaded] = load_path(LAWS / f"{name}.txt")
    doc = make_document(loaded, name)
    return {p.text: (p.section_path, citation_string(doc.meta, p)) for p in chunk_document(doc)}


def _find(cites: dict[str, tuple[tuple[str, ...], str]], start: str) -> tuple[tuple[str, ...], str]:
    hits = [v for k, v in cites.items() if k.startswith(start)]
    assert len(hits) == 1, (start, hits)
    return hits[0]


def test_citation_of_a_clause() -> None:
    cites = _citations("bo-luat-dan-su")
    path, cite = _find(cites, "Việc xác định, thay đổi, nhập, thôi, trở lại quốc tịch Việt Nam")
    assert path == ("Phần thứ nhất", "Chương III", "Mục 2", "Điều 31", "2")
    assert cite == "Điều 31 khoản 2 Bộ luật Dân sự số 91/2015/QH13"


def test_citation_of_an_article_and_of_a_point() -> None:
    cites = _citations("luat-hon-nhan-va-gia-dinh")
    _, cite = _find(cites, "Việc xác lập, thực hiện, chấm dứt các giao dịch liên quan đến nhà là nơi ở duy nhất")
    assert cite == "Điều 31 Luật Hôn nhân và gia đình số 52/2014/QH13"  # Điều 31 has no clauses
    cites = _citations("luat-dat-dai")
    path, cite = _find(cites, "Tổ chức được giao quản lý công trình công cộng")
    assert path[-3:] == ("Điều 8", "1", "a")
    assert cite == "Điều 8 khoản 1 điểm a Luật Đất đai số 45/2013/QH13"


def test_old_laws_number_clauses_with_a_dash() -> None:
    """Pre-1992 laws write "1- ..." for khoản 1."""
    cites = _citations("luat-pho-cap-giao-duc-tieu-hoc")
    path, cite = _find(cites, "Trẻ em 6 tuổi phải được học lớp 1")
    assert path[-1] == "1" and path[-2].startswith("Điều ")
    assert cite.startswith(f"{path[-2]} khoản 1 Luật Phổ cập giáo dục tiểu học số 56-LCT/HĐNN8")


def test_article_without_period_and_chapter_with_colon() -> None:
    """'Chương 1:' and a bare 'Điều 1' line (no title) as the 2003 texts write them."""
    [loaded] = load_path(LAWS / "luat-bien-gioi-quoc-gia.txt")
    p = parse_structure(loaded.text)
    paths = [s.path for s in p.sections]
    assert ("Chương 1", "Điều 1") in paths and ("Chương 1", "Điều 2") in paths
