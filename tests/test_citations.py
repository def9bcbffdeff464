from assistant.citations import citation_string, document_reference, format_date, verify_quote
from assistant.documents import DocumentMeta, Passage


def _passage(path=("II", "2"), paragraph=4):
    return Passage(id="d#1", doc_id="d", start=0, end=3, text="abc", section_path=path, paragraph=paragraph)


def test_numbered_document_citation():
    meta = DocumentMeta(doc_type="Kết luận", number="11-KL/TU", date="2012-01-12", issuer="Tỉnh ủy Quảng Trị", province="Quảng Trị")
    assert citation_string(meta, _passage()) == "Kết luận số 11-KL/TU ngày 12/01/2012 của Tỉnh ủy Quảng Trị, mục II.2, đoạn 4"


def test_unnumbered_document_uses_type_body_term_and_subject():
    meta = DocumentMeta(
        doc_type="Nghị quyết",
        meeting="Hội nghị lần thứ năm",
        issuer="Ban Chấp hành Đảng bộ tỉnh",
        province="Bắc Kạn",
        term="khóa X",
        title="về phát triển công nghiệp",
    )
    ref = document_reference(meta)
    assert ref == "Nghị quyết Hội nghị lần thứ năm Ban Chấp hành Đảng bộ tỉnh Bắc Kạn (khóa X) về phát triển công nghiệp"
    assert citation_string(meta, _passage((), 2)).endswith("về phát triển công nghiệp, đoạn 2")


def test_legal_citation_names_article_clause_and_point():
    meta = DocumentMeta(doc_type="Luật", number="52/2014/QH13", title="Hôn nhân và gia đình")
    assert citation_string(meta, _passage(("Chương III", "Điều 31", "2"), 1)) == (
        "Điều 31 khoản 2 Luật Hôn nhân và gia đình số 52/2014/QH13"
    )
    assert citation_string(meta, _passage(("Điều 5", "1", "a"), 1)).startswith("Điều 5 khoản 1 điểm a Luật")
    lawyers = DocumentMeta(doc_type="Luật", number="65/2006/QH11", title="Luật sư")
    assert citation_string(lawyers, _passage(("Điều 5", "1"), 1)) == "Điều 5 khoản 1 Luật Luật sư số 65/2006/QH11"
    constitution = DocumentMeta(doc_type="Hiến pháp", title="nước Cộng hòa xã hội chủ nghĩa Việt Nam")
    assert citation_string(constitution, _passage(("Chương I", "Điều 2", "1"), 1)) == (
        "Điều 2 khoản 1 Hiến pháp nước Cộng hòa xã hội chủ nghĩa Việt Nam"
    )


def test_format_date_and_quote_verification():
    assert format_date("2004-01-05") == "05/01/2004"
    assert format_date("") == ""
    src = "Tốc độ tăng trên 25%/năm."
    i = src.index("25%")
    assert verify_quote(src, "25%", i, i + 3)
    assert not verify_quote(src, "25%", i + 1, i + 4)
    assert not verify_quote(src, "", 0, 0)
    assert not verify_quote(src, src, 0, len(src) + 5)


def test_narrowed_cites_the_paragraph_holding_the_quote():
    from assistant.citations import narrowed
    from assistant.documents import Document, Paragraph, Section

    text = "Một đoạn đầu.\n\nHai đoạn sau."
    doc = Document(
        id="d", source="x", text=text,
        sections=[Section(("I",), "Mở", 0, len(text))],
        paragraphs=[Paragraph(0, 13, ("I",), 1), Paragraph(15, len(text), ("I",), 2)],
    )
    whole = Passage(id="d#1", doc_id="d", start=0, end=len(text), text=text, section_path=("I",), paragraph=1)
    assert narrowed(doc, whole, text.index("Hai")).paragraph == 2
    assert narrowed(doc, whole, 0).paragraph == 1
    assert narrowed(doc, whole, 13) is whole  # between paragraphs: unchanged
