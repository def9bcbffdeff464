"""Unit tests of the UI's HTML rendering and small helpers: no server, no model."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from assistant.documents import Answer, Citation, Document, DocumentMeta, Hit, Paragraph, Passage, Section
from ui import render
from ui.app import parse_auth, parse_open, read_credentials
from ui.search import write_csv

XSS_TITLE = 'về <script>alert("t")</script> thử nghiệm'
XSS_BODY = '<script>window.__xss = 1</script> và <img src=x onerror="window.__xss = 2"> cùng <a href="http://evil.example">liên kết</a> [1]'


def xss_document() -> Document:
    head = "CHỈ THỊ\nvề <b>an toàn</b>\n\n"
    sec = "I. NỘI DUNG <iframe src=//evil.example>\n\n"
    p1 = "- " + XSS_BODY
    text = head + sec + p1 + "\n\nĐoạn hai: tăng trưởng 25%/năm.\n"
    s_start = len(head)
    p1_start = s_start + len(sec) + 2
    p2_start = text.index("Đoạn hai")
    return Document(
        id="xss",
        source="xss.txt",
        text=text,
        meta=DocumentMeta(doc_type="Chỉ thị", title=XSS_TITLE, issuer="<Tỉnh ủy>", signer="<img src=x>"),
        sections=[Section(("I",), "NỘI DUNG <iframe src=//evil.example>", s_start, len(text))],
        paragraphs=[
            Paragraph(p1_start, p1_start + len(XSS_BODY), ("I",), 1),
            Paragraph(p2_start, len(text) - 1, ("I",), 2),
        ],
    )


def no_markup_from_documents(html_out: str) -> None:
    for bad in ("<script", "<img", "<iframe", "<b>an", "<b>x", "<a href=\"http", "onerror=\""):
        assert bad not in html_out, bad


def test_esc_escapes_markup_and_quotes():
    assert render.esc('<img src=x onerror="a">') == "&lt;img src=x onerror=&quot;a&quot;&gt;"
    assert render.esc(None) == ""


def test_marked_merges_clips_and_escapes():
    out = render.marked("a<b>c d", [(1, 4), (3, 5), (-3, 0), (6, 99)])
    assert out == 'a<mark class="hl">&lt;b&gt;c</mark> <mark class="hl">d</mark>'
    # every character exactly once
    assert re.sub(r"</?mark[^>]*>", "", out) == render.esc("a<b>c d")


def test_document_viewer_renders_markup_as_text():
    doc = xss_document()
    out = render.render_document(doc)
    no_markup_from_documents(out)
    assert "&lt;script&gt;window.__xss = 1&lt;/script&gt;" in out
    assert "&lt;img src=x onerror=&quot;window.__xss = 2&quot;&gt;" in out
    assert 'id="vb-p-0"' in out and 'id="vb-p-1"' in out and 'id="vb-s-0"' in out
    assert 'href="#vb-s-0"' in out  # table of contents anchors point inside the page only
    assert all(h.startswith("#") for h in re.findall(r'href="([^"]*)"', out))


def test_viewer_focus_marks_the_quote_in_its_paragraph():
    doc = xss_document()
    start = doc.text.index("25%")
    out = render.render_document(doc, focus=(start, start + 3))
    assert out.count('class="vb-para focus"') == 1
    assert '<mark class="quote">25%</mark>' in out
    focus_block = out[out.index('class="vb-para focus"') :]
    assert focus_block.index("Đoạn hai") < focus_block.index("<mark")


def test_viewer_keeps_every_word_of_the_document():
    doc = xss_document()
    out = render.render_document(doc)
    plain = render.esc(doc.text)
    for word in set(re.findall(r"\w+", doc.text)):
        assert word in out or render.esc(word) in plain


def test_answer_html_escapes_and_styles_markers():
    c = Citation(1, "p1", "xss", "q", 0, 1, "I", 1, "Chỉ thị <b>x</b>, mục I, đoạn 1")
    a = Answer(question="q", text="Mức <img src=x> là 25% [1].\nDòng hai", abstained=False, citations=[c])
    out = render.answer_html(a)
    no_markup_from_documents(out)
    assert '<b class="cite-marker">[1]</b>' in out
    assert "&lt;img src=x&gt;" in out and "<br>" in out
    assert "Chỉ thị &lt;b&gt;x&lt;/b&gt;, mục I, đoạn 1" in out


def test_source_card_highlights_quote_inside_paragraph():
    doc = xss_document()
    start = doc.text.index("25%")
    c = Citation(1, "p", "xss", "25%", start, start + 3, "I", 2, "Chỉ thị, mục I, đoạn 2")
    view = render.source_view(c, doc)
    assert view.paragraph_text.startswith("Đoạn hai")
    out = render.sources_html([view])
    assert '<mark class="quote">25%</mark>' in out
    assert 'data-copy="Chỉ thị, mục I, đoạn 2"' in out
    assert f'data-open="xss|{start}|{start + 3}"' in out


def test_source_card_of_document_text_with_markup():
    doc = xss_document()
    s = doc.text.index("<script>")
    c = Citation(1, "p", "xss", "<script>", s, s + 8, "I", 1, 'cite "<x>"')
    out = render.sources_html([render.source_view(c, doc)])
    no_markup_from_documents(out)
    assert 'data-copy="cite &quot;&lt;x&gt;&quot;"' in out
    assert '<mark class="quote">&lt;script&gt;</mark>' in out


def _hit(text: str, rank: int = 1) -> Hit:
    p = Passage("p", "d", 0, len(text), text, ("II", "1"), ("Giải pháp",), 3)
    return Hit(rank, 0.5, p, DocumentMeta(doc_type="Kết luận"), "Kết luận, mục II.1, đoạn 3")


def test_search_results_highlight_matched_words_accented_and_not():
    text = "Phát triển làng nghề <script>x</script> và công nghiệp."
    out = render.search_results_html("phát triển làng nghề", [_hit(text)])
    no_markup_from_documents(out)
    assert '<mark class="hl">làng</mark>' in out and '<mark class="hl">Phát</mark>' in out
    assert '<mark class="hl">và</mark>' not in out  # function words are not highlighted
    folded = render.search_results_html("lang nghe", [_hit(text)])
    assert '<mark class="hl">nghề</mark>' in folded
    assert "Không tìm thấy" in render.search_results_html("<x>", [])
    assert "&lt;x&gt;" in render.search_results_html("<x>", [])


def test_csv_export_is_utf8_and_neutralises_formulas(tmp_path: Path):
    path = write_csv([_hit("=HYPERLINK(\"http://x\")"), _hit("- gạch đầu dòng", 2)], directory=str(tmp_path))
    with open(path, encoding="utf-8-sig") as fh:
        rows = list(csv.reader(fh))
    assert rows[0][:4] == ["Hạng", "Điểm", "Mã văn bản", "Trích dẫn"]
    assert rows[1][6].startswith("'=")
    assert rows[2][6] == "- gạch đầu dòng"
    assert rows[1][3] == "Kết luận, mục II.1, đoạn 3"


def test_parse_open():
    assert parse_open("doc-a|12|30") == ("doc-a", (12, 30))
    assert parse_open("doc|with|pipes|1|2") == ("doc|with|pipes", (1, 2))
    assert parse_open("doc") == ("doc", None)


def test_auth_parsing(tmp_path: Path):
    assert parse_auth("an:mật:khẩu") == ("an", "mật:khẩu")
    with pytest.raises(ValueError):
        parse_auth("nopassword")
    f = tmp_path / "creds"
    f.write_text("# users\nan:1\n\nbinh:2\n", encoding="utf-8")
    assert read_credentials(f) == [("an", "1"), ("binh", "2")]
    f.write_text("oops\n", encoding="utf-8")
    with pytest.raises(ValueError, match=":1:"):
        read_credentials(f)


def test_answer_copy_is_plain_text():
    doc = xss_document()
    start = doc.text.index("25%")
    c = Citation(1, "p", "xss", "25%", start, start + 3, "I", 2, "Chỉ thị <x>, mục I, đoạn 2")
    views = [render.source_view(c, doc)]
    assert render.answer_plain("Tăng 25% [1]", views) == "Tăng 25% [1]\n\nNguồn:\n[1] Chỉ thị <x>, mục I, đoạn 2"
    out = render.sources_html(views, answer_text="Tăng 25% [1]")
    assert 'data-copy="Tăng 25% [1]\n\nNguồn:\n[1] Chỉ thị &lt;x&gt;, mục I, đoạn 2"' in out
