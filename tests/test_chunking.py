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
