"""One comparison key and one word set, shared by filters, highlighting and evaluation;
the analyzer's fingerprint in the settings hash."""

import logging

from assistant import text
from assistant.retrieval import Filters
from assistant.documents import DocumentMeta
from assistant.settings import Settings


def test_key_unifies_tone_marks_case_and_spaces():
    assert text.key("Tỉnh  Uỷ QUẢNG TRỊ") == "tỉnh ủy quảng trị"
    assert text.key("Hoá  học") == text.key("hóa học")
    assert text.key("Quảng Trị", folded=True) == "quang tri" == text.key("QUANG  TRI", folded=True)
    assert text.key("Đông Hà", folded=True) == "dong ha"


def test_word_pattern_keeps_numbers_and_percent():
    words = [m.group(0) for m in text.WORD_RE.finditer("tăng 11,94% và 1.260 tỷ đồng")]
    assert words == ["tăng", "11,94%", "và", "1.260", "tỷ", "đồng"]


def test_function_words_in_both_key_spaces():
    assert "của" in text.function_words() and "cua" in text.function_words(folded=True)
    assert "công" not in text.function_words()


def test_filters_compare_through_the_key():
    meta = DocumentMeta(province="Quảng Trị", doc_type="Kết luận", issuer="Tỉnh ủy Quảng Trị")
    assert Filters(province="quang tri").accepts("d", meta)
    assert Filters(doc_type="KET LUAN", issuer="tinh uy").accepts("d", meta)
    assert not Filters(province="Quảng Nam").accepts("d", meta)


def test_highlighting_uses_the_shared_words():
    from ui.render import matched_spans

    t = "Tốc độ tăng trưởng công nghiệp đạt 11,94%"
    spans = matched_spans(t, "tang truong cong nghiep cua tinh")
    assert [t[s:e] for s, e in spans] == ["tăng", "trưởng", "công", "nghiệp"]


def test_fingerprint_in_settings_hash(monkeypatch):
    base = Settings().index_hash()
    monkeypatch.setattr(text, "underthesea_version", lambda: "0.0-other")
    assert Settings().index_hash() != base


def test_fallback_segmenter_is_logged(monkeypatch, caplog):
    import underthesea.models.fast_crf_sequence_tagger as crf

    class Broken:
        def __init__(self):
            raise AttributeError("moved")

    monkeypatch.setattr(crf, "FastCRFSequenceTagger", Broken)
    with caplog.at_level(logging.WARNING, logger="assistant.text"):
        seg = text._Segmenter()
    assert seg.path == "word-tokenize"
    assert any("word_tokenize" in r.getMessage() for r in caplog.records)
    assert text._Segmenter(internals=False).path == "word-tokenize"
