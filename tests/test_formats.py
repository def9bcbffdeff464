""".docx, .pdf and .html loaders on real files written by the tests, and bad input.

Every document here is generated: Word files with python-docx, PDFs with reportlab and
a Vietnamese-capable TrueType font (DejaVu Sans), web pages by hand. The same seed
document loaded from each format must parse to the same metadata and sections as the
plain-text original, because structure parsing is format-independent.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import pytest

from assistant.errors import LoadError
from assistant.loaders import NoTextLayer, load_path, supported_suffixes
from assistant.loaders import docx as docx_loader
from assistant.structure import parse_structure
from tests.test_loaders import to_cp1258

ROOT = Path(__file__).resolve().parents[1]
SEED_KL = ROOT / "corpus" / "ket-luan-11-KL-TU-quang-tri-2012-cong-nghiep.txt"
FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")

docx = pytest.importorskip("docx")


def one_line_error(excinfo: pytest.ExceptionInfo[LoadError], path: Path) -> str:
    msg = str(excinfo.value)
    assert "\n" not in msg and str(path) in msg
    return msg


def test_new_formats_are_registered() -> None:
    assert {".docx", ".pdf", ".html", ".htm", ".txt", ".md", ".jsonl"} <= set(supported_suffixes())


# =====================================================================================
# .docx
# =====================================================================================


def _seed_docx(path: Path) -> None:
    """The Quảng Trị conclusion as an office would type it: the two-column header in a
    borderless table, the title lines, headings in heading styles, body paragraphs."""
    lines = SEED_KL.read_text(encoding="utf-8").split("\n")
    d = docx.Document()
    table = d.add_table(rows=1, cols=2)
    table.cell(0, 0).text = "TỈNH UỶ QUẢNG TRỊ\n*\nSố 11-KL/TU"
    table.cell(0, 1).text = "ĐẢNG CỘNG SẢN VIỆT NAM\nĐông Hà, ngày 12 tháng 01 năm 2012"
    body = [ln.strip() for ln in lines[8:]]
    for line in body:
        if not line:
            continue
        if line[:3] in ("I. ", "II.", "III") or line[:2] in ("1.", "2.", "3."):
            d.add_heading(line, level=1 if line[0] == "I" else 2)
        else:
            d.add_paragraph(line)
    d.save(str(path))


def test_docx_seed_parses_like_the_text_original(tmp_path: Path) -> None:
    path = tmp_path / "ket-luan.docx"
    _seed_docx(path)
    [doc] = load_path(path)
    assert doc.encoding == "docx"
    assert "\n\n" in doc.text and "<" not in doc.text
    want = parse_structure(SEED_KL.read_text(encoding="utf-8"))
    got = parse_structure(doc.text)
    for field in ("doc_type", "number", "date", "place", "issuer", "province", "meeting", "term", "signer", "signer_role"):
        assert getattr(got.meta, field) == getattr(want.meta, field), field
    assert [s.path for s in got.sections] == [s.path for s in want.sections]
    assert [s.heading for s in got.sections] == [s.heading for s in want.sections]


def _numbering_xml() -> str:
    """An abstract list "Điều %1." / "%2." / "%3)" as a law drafter's Word template has it."""
    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    levels = [("decimal", "Điều %1."), ("decimal", "%2."), ("lowerLetter", "%3)")]
    lvls = "".join(
        f'<w:lvl w:ilvl="{i}"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/><w:lvlText w:val="{text}"/></w:lvl>'
        for i, (fmt, text) in enumerate(levels)
    )
    return f'<w:abstractNum {w} w:abstractNumId="90">{lvls}</w:abstractNum>', f'<w:num {w} w:numId="90"><w:abstractNumId w:val="90"/></w:num>'


def _numbered(d: Any, text: str, ilvl: int) -> None:
    from docx.oxml import parse_xml

    p = d.add_paragraph(text)
    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    p._p.get_or_add_pPr().append(parse_xml(f'<w:numPr {w}><w:ilvl w:val="{ilvl}"/><w:numId w:val="90"/></w:numPr>'))


def test_docx_list_numbering_becomes_law_structure(tmp_path: Path) -> None:
    from docx.oxml import parse_xml

    d = docx.Document()
    numbering = d.part.numbering_part.element
    abstract, num = _numbering_xml()
    numbering.insert(0, parse_xml(abstract))
    numbering.append(parse_xml(num))
    d.add_paragraph("QUỐC HỘI")
    d.add_paragraph("Luật số: 99/2024/QH15")
    d.add_paragraph("LUẬT")
    d.add_paragraph("THỬ NGHIỆM")
    d.add_heading("Chương I", level=1)
    d.add_heading("NHỮNG QUY ĐỊNH CHUNG", level=2)
    _numbered(d, "Phạm vi điều chỉnh", 0)
    d.add_paragraph("Luật này quy định việc thử nghiệm.")
    _numbered(d, "Giải thích từ ngữ", 0)
    _numbered(d, "Thử nghiệm là việc làm thử.", 1)
    _numbered(d, "Người thử nghiệm gồm:", 1)
    _numbered(d, "cá nhân;", 2)
    _numbered(d, "tổ chức.", 2)
    path = tmp_path / "luat.docx"
    d.save(str(path))
    [doc] = load_path(path)
    assert "Điều 1. Phạm vi điều chỉnh" in doc.text
    assert "2. Người thử nghiệm gồm:" in doc.text and "b) tổ chức." in doc.text
    p = parse_structure(doc.text)
    assert (p.meta.doc_type, p.meta.number, p.meta.title) == ("Luật", "99/2024/QH15", "Thử nghiệm")
    paths = {doc.text[x.start : x.end]: x.section_path for x in p.paragraphs}
    assert paths["tổ chức."] == ("Chương I", "Điều 2", "2", "b")
    assert paths["Thử nghiệm là việc làm thử."] == ("Chương I", "Điều 2", "1")


def test_docx_tables_are_text_rows(tmp_path: Path) -> None:
    d = docx.Document()
    d.add_paragraph("Bảng chỉ tiêu:")
    t = d.add_table(rows=3, cols=3)
    for i, row in enumerate([["Chỉ tiêu", "2010", "2015"], ["Tăng trưởng", "12%", "14,5%"], ["Thu ngân sách", "", "1.200 tỷ"]]):
        for j, value in enumerate(row):
            t.cell(i, j).text = value
    merged = d.add_table(rows=1, cols=3)
    merged.cell(0, 0).merge(merged.cell(0, 1)).text = "Ô gộp"
    merged.cell(0, 2).text = "bên phải"
    path = tmp_path / "bang.docx"
    d.save(str(path))
    [doc] = load_path(path)
    assert doc.text.split("\n\n") == [
        "Bảng chỉ tiêu:",
        "Chỉ tiêu\t2010\t2015\nTăng trưởng\t12%\t14,5%\nThu ngân sách\t\t1.200 tỷ",
        "Ô gộp\tbên phải",
    ]


def _zip(path: Path, files: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return path


@pytest.mark.parametrize(
    ("make", "needle"),
    [
        (lambda p: p.write_bytes(b"PK\x03\x04 this is not really a zip") or p, "not a valid .docx"),
        (lambda p: p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600) or p, "not a valid .docx"),
        (lambda p: _zip(p, {"hello.txt": b"hi"}), "no word/document.xml"),
        (lambda p: _zip(p, {"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document"}), "not a readable .docx"),
    ],
    ids=["corrupt-zip", "old-doc-renamed", "zip-without-word", "broken-xml"],
)
def test_bad_docx_is_one_line_error(tmp_path: Path, make, needle: str) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "bad.docx"
    make(path)
    with pytest.raises(LoadError) as excinfo:
        load_path(path)
    assert needle in one_line_error(excinfo, path)


def test_truncated_docx(tmp_path: Path) -> None:
    good = tmp_path / "good.docx"
    _seed_docx(good)
    path = tmp_path / "truncated.docx"
    path.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    with pytest.raises(LoadError) as excinfo:
        load_path(path)
    one_line_error(excinfo, path)


def test_zip_bomb_docx_is_refused_before_unpacking(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(docx_loader, "MAX_UNPACKED_BYTES", 20_000_000)
    good = tmp_path / "good.docx"
    docx.Document().save(str(good))
    path = tmp_path / "bomb.docx"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info, src.read(info))
        with dst.open("word/media/padding.bin", "w") as fh:  # 32 MB of zeros, ~32 kB packed
            for _ in range(32):
                fh.write(b"\0" * 1_000_000)
    assert path.stat().st_size < 200_000
    with pytest.raises(LoadError) as excinfo:
        load_path(path)
    assert "over the limit" in one_line_error(excinfo, path)


def test_empty_docx(tmp_path: Path) -> None:
    path = tmp_path / "empty.docx"
    docx.Document().save(str(path))
    with pytest.raises(LoadError) as excinfo:
        load_path(path)
    assert "no text" in one_line_error(excinfo, path)


# =====================================================================================
# .pdf
# =====================================================================================


@pytest.fixture(scope="module")
def pdf_font() -> str:
    pytest.importorskip("reportlab")
    if not FONT.is_file():
        pytest.skip(f"{FONT} missing (apt-get install fonts-dejavu-core)")
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    pdfmetrics.registerFont(TTFont("DejaVuSans", str(FONT)))
    return "DejaVuSans"


def _write_pdf(path: Path, pages: list[list[str]], font: str, page_numbers: bool = True) -> Path:
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path))
    for n, lines in enumerate(pages, start=1):
        c.setFont(font, 9)
        y = 800
        for line in lines:
            c.drawString(40, y, line)
            y -= 12
        if page_numbers:
            c.drawString(290, 30, f"- {n} -")
        c.showPage()
    c.save()
    return path


def _wrapped_pages(text: str, width: int = 105, per_page: int = 60) -> list[list[str]]:
    import textwrap

    lines: list[str] = []
    for line in text.split("\n"):
        lines += textwrap.wrap(line.replace("\t", "    "), width) or [""]
    return [lines[i : i + per_page] for i in range(0, len(lines), per_page)]


def test_pdf_seed_parses_like_the_text_original(tmp_path: Path, pdf_font: str) -> None:
    source = SEED_KL.read_text(encoding="utf-8")
    pages = _wrapped_pages(source)
    assert len(pages) > 1
    path = _write_pdf(tmp_path / "ket-luan.pdf", pages, pdf_font)
    [doc] = load_path(path)
    assert doc.encoding == "pdf"
    assert "- 2 -" not in doc.text  # page furniture dropped
    assert "Tăng cường đầu tư để sớm hoàn thiện hạ tầng kỹ thuật" in doc.text
    want = parse_structure(source)
    got = parse_structure(doc.text)
    for field in ("doc_type", "number", "date", "place", "issuer", "province", "meeting", "term", "signer", "signer_role"):
        assert getattr(got.meta, field) == getattr(want.meta, field), field
    assert [s.path for s in got.sections] == [s.path for s in want.sections]


def test_pdf_without_text_layer_is_skipped_with_a_clear_message(tmp_path: Path, pdf_font: str) -> None:
    from reportlab.pdfgen import canvas

    path = tmp_path / "scan.pdf"
    c = canvas.Canvas(str(path))
    for _ in range(2):  # a "scan": shapes only, as an image-only page has no text either
        c.rect(50, 50, 400, 600, fill=1)
        c.showPage()
    c.save()
    with pytest.raises(NoTextLayer) as excinfo:
        load_path(path)
    assert str(excinfo.value) == f"{path}: no text layer; OCR is not supported"
    assert isinstance(excinfo.value, LoadError)


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        (b"<html>not a pdf</html>" * 10, "not a PDF file"),
        (b"%PDF-1.4\n" + b"garbage " * 200, "PDF"),
    ],
    ids=["html-named-pdf", "garbage-after-header"],
)
def test_bad_pdf_is_one_line_error(tmp_path: Path, content: bytes, needle: str) -> None:
    path = tmp_path / "bad.pdf"
    path.write_bytes(content)
    with pytest.raises(LoadError) as excinfo:
        load_path(path)
    assert needle in one_line_error(excinfo, path)


def test_truncated_pdf_never_raises_anything_but_load_error(tmp_path: Path, pdf_font: str) -> None:
    good = _write_pdf(tmp_path / "good.pdf", [["Điều 1. Phạm vi điều chỉnh", "Luật này quy định."]], pdf_font)
    data = good.read_bytes()
    for cut in (len(data) // 3, len(data) // 2, len(data) - 40):
        path = tmp_path / f"cut{cut}.pdf"
        path.write_bytes(data[:cut])
        try:
            load_path(path)
        except LoadError as exc:
            assert "\n" not in str(exc) and str(path) in str(exc)


# =====================================================================================
# .html
# =====================================================================================

PAGE = """<!DOCTYPE html>
<html lang="vi"><head><meta charset="utf-8"><title>Luật Thanh niên - Cổng thông tin</title>
<style>.x { color: red }</style><script>var menu = "<p>Tin nổi bật</p>";</script></head>
<body>
<header class="site"><a href="/">Trang chủ</a> | <a href="/van-ban">Văn bản</a></header>
<nav><ul><li>Giới thiệu</li><li>Liên hệ</li></ul></nav>
<div id="wrap"><aside>Văn bản liên quan</aside>
<article>
<header><p>QUỐC HỘI</p><p>Luật số: 57/2020/QH14</p></header>
<h1>LUẬT<br>THANH NIÊN</h1>
<p>Căn cứ Hiến pháp nước Cộng hòa xã hội chủ nghĩa Việt Nam;</p>
<h2>Chương I</h2><h2>NHỮNG QUY ĐỊNH CHUNG</h2>
<h3>Điều 1. Phạm vi điều chỉnh</h3>
<p>Luật này quy định về quyền &amp; nghĩa vụ của <b>thanh niên</b>;<!-- ghi chú biên tập --> chính sách.</p>
<h3>Điều 2. Giải thích từ ngữ</h3>
<ol><li>Thanh niên là công dân Việt Nam từ đủ 16 tuổi đến 30 tuổi.</li>
<li>Tổ chức thanh niên gồm:<ol type="a"><li>Đoàn thanh niên;</li><li>Hội Liên hiệp thanh niên.</li></ol></li></ol>
<table><tr><th>Độ tuổi</th><th>Số người</th></tr><tr><td>16-30</td><td>23 triệu</td></tr></table>
<div style="display: none">Nội dung ẩn</div>
</article></div>
<footer>© Cổng thông tin điện tử</footer>
<div role="contentinfo">Bản quyền</div>
</body></html>
"""


def test_html_main_text_without_chrome(tmp_path: Path) -> None:
    path = tmp_path / "luat.html"
    path.write_text(PAGE, encoding="utf-8")
    [doc] = load_path(path)
    text = doc.text
    for chrome in ("Trang chủ", "Giới thiệu", "Văn bản liên quan", "Cổng thông tin", "Bản quyền", "Tin nổi bật", "color", "ghi chú", "Nội dung ẩn"):
        assert chrome not in text, chrome
    assert "<" not in text and "&amp;" not in text
    assert "quyền & nghĩa vụ của thanh niên; chính sách." in text
    assert "Độ tuổi\tSố người\n16-30\t23 triệu" in text
    p = parse_structure(text)
    assert (p.meta.doc_type, p.meta.number, p.meta.title) == ("Luật", "57/2020/QH14", "Thanh niên")
    paths = {text[x.start : x.end]: x.section_path for x in p.paragraphs}
    assert paths["Hội Liên hiệp thanh niên."] == ("Chương I", "Điều 2", "2", "b")
    assert paths["Thanh niên là công dân Việt Nam từ đủ 16 tuổi đến 30 tuổi."] == ("Chương I", "Điều 2", "1")


def test_html_without_article_uses_body_and_declared_charset(tmp_path: Path) -> None:
    page = (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=windows-1258"></head>'
        "<body><p>Nghị quyết về phát triển công nghiệp</p><p>Đoạn hai.</p></body></html>"
    )
    path = tmp_path / "nq.htm"
    path.write_bytes(to_cp1258(page))
    [doc] = load_path(path)
    assert doc.text == "Nghị quyết về phát triển công nghiệp\n\nĐoạn hai."
    assert doc.encoding == "windows-1258"


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        (b"<html><body><nav>Menu</nav><script>x()</script></body></html>", "no main text"),
        (b"\x00\x01\x02\x03" * 50, "binary"),
    ],
)
def test_bad_html_is_one_line_error(tmp_path: Path, content: bytes, needle: str) -> None:
    path = tmp_path / "bad.html"
    path.write_bytes(content)
    with pytest.raises(LoadError) as excinfo:
        load_path(path)
    assert needle in one_line_error(excinfo, path)


SMALL_LAW = (
    "QUỐC HỘI",
    "Luật số: 57/2020/QH14",
    "Hà Nội, ngày 16 tháng 6 năm 2020",
    "",
    "LUẬT",
    "THANH NIÊN",
    "",
    "Chương I",
    "NHỮNG QUY ĐỊNH CHUNG",
    "",
    "Điều 1. Phạm vi điều chỉnh",
    "",
    "Luật này quy định về quyền và nghĩa vụ của thanh niên.",
    "",
    "Điều 2. Giải thích từ ngữ",
    "",
    "1. Thanh niên là công dân Việt Nam từ đủ 16 tuổi đến 30 tuổi.",
    "",
    "2. Tổ chức thanh niên gồm:",
    "",
    "a) Đoàn thanh niên;",
    "",
    "b) Hội Liên hiệp thanh niên.",
)


def test_same_document_in_every_format_parses_alike(tmp_path: Path, pdf_font: str) -> None:
    """Structure parsing is format-independent: txt, md, docx, pdf, html agree."""
    source = "\n".join(SMALL_LAW)
    paras = [p for p in source.split("\n") if p]
    (tmp_path / "l.txt").write_text(source, encoding="utf-8")
    (tmp_path / "l.md").write_text(source, encoding="utf-8")
    d = docx.Document()
    for line in paras:
        d.add_paragraph(line)
    d.save(str(tmp_path / "l.docx"))
    _write_pdf(tmp_path / "l.pdf", [paras], pdf_font)
    html = f"<html><body><main>{''.join(f'<p>{line}</p>' for line in paras)}</main></body></html>"
    (tmp_path / "l.html").write_text(html, encoding="utf-8")

    results = {}
    for suffix in (".txt", ".md", ".docx", ".pdf", ".html"):
        [doc] = load_path(tmp_path / f"l{suffix}")
        p = parse_structure(doc.text)
        results[suffix] = (
            p.meta.doc_type,
            p.meta.number,
            p.meta.date,
            p.meta.title,
            [(x.section_path, doc.text[x.start : x.end]) for x in p.paragraphs],
        )
    assert results[".txt"][4][-1] == (("Chương I", "Điều 2", "2", "b"), "Hội Liên hiệp thanh niên.")
    for suffix, result in results.items():
        assert result == results[".txt"], suffix


def test_docx_in_memory_roundtrip_helper_is_a_real_zip() -> None:
    buf = io.BytesIO()
    docx.Document().save(buf)
    assert zipfile.is_zipfile(io.BytesIO(buf.getvalue()))
