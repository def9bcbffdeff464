from assistant.chunking import chunk_document
from assistant.documents import Document, Paragraph, Section
from assistant.ingest import make_document
from assistant.loaders import load_path

from .conftest import CORPUS


def _doc(text: str, pars: list[tuple[int, int, tuple[str, ...], int]], sections=()) -> Document:
    return Document(id="d", source="x", text=text, paragraphs=[Paragraph(*p) for p in pars], sections=list(sections))


def test_passages_are_exact_spans_of_the_corpus_documents():
    for path in sorted(CORPUS.glob("*.txt")):
        doc = make_document(load_path(path)[0], "d")
        passages = chunk_document(doc, max_words=180, min_words=12)
        assert len(passages) > 10
        for p in passages:
            assert p.text == doc.text[p.start : p.end] and p.text.strip() == p.text
            assert len(p.text.split()) <= 180 or "." not in p.text
            assert "Nơi nhận" not in p.text
        ids = [p.id for p in passages]
        assert len(ids) == len(set(ids))


def test_short_paragraph_merges_into_the_next_one_of_its_section():
    text = "Ngắn gọn.\n\n" + " ".join(["chữ"] * 30) + "\n\n" + " ".join(["từ"] * 30)
    a = text.index("chữ")
    b = text.index("từ")
    doc = _doc(text, [(0, 9, ("I",), 1), (a, a + 30 * 4 - 1, ("I",), 2), (b, len(text), ("II",), 1)],
               [Section(("I",), "Một", 0, b), Section(("II",), "Hai", b, len(text))])
    passages = chunk_document(doc, max_words=40, min_words=5)
    assert [p.section_path for p in passages] == [("I",), ("II",)]
    assert passages[0].start == 0 and passages[0].paragraph == 1 and passages[0].headings == ("Một",)


def test_long_paragraph_splits_at_sentence_ends():
    sentence = "Tỉnh phấn đấu tăng trưởng công nghiệp bền vững trong giai đoạn tới. "
    text = (sentence * 40).strip()
    extra = "\n\nĐoạn kết thúc của văn bản này có đủ nhiều chữ để không bị gộp lại."
    doc = _doc(text + extra, [(0, len(text), (), 1), (len(text) + 2, len(text + extra), (), 2)])
    passages = chunk_document(doc, max_words=50, min_words=5)
    assert len(passages) >= 8
    assert all(p.text.endswith(".") for p in passages)
    assert all(len(p.text.split()) <= 50 for p in passages)


def test_short_document_is_one_passage():
    text = "Phạm vi điều chỉnh\n\n1. Luật này quy định về phòng, chống ma túy.\n\n2. Luật này áp dụng với mọi người."
    s1 = text.index("Luật này quy")
    s2 = text.index("Luật này áp")
    doc = _doc(text, [(0, 18, (), 1), (s1, s1 + 34, ("1",), 1), (s2, len(text), ("2",), 1)])
    (p,) = chunk_document(doc, max_words=180)
    assert p.start == 0 and p.end == len(text) and p.section_path == () and p.text == text


def _article(text: str):
    """A law article exported without its "Điều N." line, read as ingest reads a JSONL row."""
    from assistant.loaders.base import LoadedText

    return make_document(LoadedText(source="x.jsonl#29", text=text, doc_id="Luật Viên chức#29"), "Luật Viên chức#29")


def test_a_split_article_gives_its_title_line_to_every_passage():
    clause = "viên chức có hai năm liên tiếp bị phân loại đánh giá ở mức độ không hoàn thành nhiệm vụ được giao"
    body = "\n".join(f"{c}) {clause} lần {i};" for i, c in enumerate("abcdefgh"))
    text = ("Đơn phương chấm dứt hợp đồng làm việc\n\n"
            "1. Đơn vị sự nghiệp công lập được đơn phương chấm dứt hợp đồng làm việc với viên chức trong các trường hợp sau:\n"
            + body)
    doc = _article(text)
    from assistant.chunking import lead_title

    assert lead_title(doc) == "Đơn phương chấm dứt hợp đồng làm việc"
    passages = chunk_document(doc, max_words=40, min_words=5)
    assert len(passages) > 3
    later = [p for p in passages if not p.text.startswith("Đơn phương")]
    assert later and all(p.headings[0] == "Đơn phương chấm dứt hợp đồng làm việc" for p in later)
    assert any("lần 7" in p.text for p in later)
    # the passage that holds the title line does not repeat it as a heading
    assert all(p.headings[:1] != ("Đơn phương chấm dứt hợp đồng làm việc",) for p in passages if p.text.startswith("Đơn phương"))


def test_no_lead_title_for_a_sentence_a_list_item_or_a_long_line():
    from assistant.chunking import lead_title

    tail = "\n\nLuật này quy định về " + " ".join(["nội dung"] * 30) + "."
    for first in ("Tỉnh ủy kết luận như sau:", "1. Phạm vi điều chỉnh", "a) Đối tượng áp dụng",
                  " ".join(["rất dài"] * 15), "Hội nghị đã thống nhất."):
        assert lead_title(_article(first + tail)) == "", first
    assert lead_title(_article("Phạm vi điều chỉnh" + tail)) == "Phạm vi điều chỉnh"
    for path in sorted(CORPUS.glob("*.txt")):  # policy documents open with their header, not a title line
        assert lead_title(make_document(load_path(path)[0], "d")) == ""
