"""Tests for assistant.text: normalisation, folding, sentences, and the analyzer.

The analyzer tests use the real underthesea segmenter (its CRF model ships in the wheel).
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant.text import (
    STOPWORDS,
    Analysis,
    Analyzer,
    fold,
    has_diacritics,
    nfc,
    split_sentences,
    unify_tone_marks,
)

SEEDS = Path(__file__).resolve().parents[1].parent / "shared" / "seeds"


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer()


@pytest.fixture(scope="module")
def syllables() -> Analyzer:
    return Analyzer(segment=False)


# --- nfc / tone marks ---------------------------------------------------------------


def test_nfc_composes_decomposed_letters() -> None:
    decomposed = unicodedata.normalize("NFD", "Nghị quyết")
    assert decomposed != "Nghị quyết"
    assert nfc(decomposed) == "Nghị quyết"


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("hoá", "hóa"),
        ("hoà", "hòa"),
        ("hoả", "hỏa"),
        ("hoã", "hõa"),
        ("hoạ", "họa"),
        ("khoẻ", "khỏe"),
        ("khoé", "khóe"),
        ("thuỷ", "thủy"),
        ("uỷ", "ủy"),
        ("tuý", "túy"),
        ("luỹ", "lũy"),
        ("thuỵ", "thụy"),
        ("Hoá", "Hóa"),
        ("HOÁ", "HÓA"),
        ("Hoà Bình", "Hòa Bình"),
        ("THUỶ LỢI", "THỦY LỢI"),
        ("Tỉnh uỷ", "Tỉnh ủy"),
        ("công nghiệp hoá, hiện đại hoá", "công nghiệp hóa, hiện đại hóa"),
        # with a final consonant the mark belongs on the second vowel
        ("hóan", "hoán"),
        ("tòan", "toàn"),
    ],
)
def test_unify_tone_marks_old_to_new(old: str, new: str) -> None:
    assert unify_tone_marks(old) == new
    assert unify_tone_marks(new) == new


@pytest.mark.parametrize(
    "word",
    ["quý", "QUÝ", "Quỳ", "quỷ", "hoán", "toàn", "quyết", "thuyết", "khuya", "khuỷu", "ngoài", "xoáy",
     "huých", "thuở", "hoặc", "giữa", "mùa", "hoa", "thuy", "Tuyên Quang"],
)
def test_unify_tone_marks_leaves_other_syllables(word: str) -> None:
    assert unify_tone_marks(word) == word


def test_unify_tone_marks_normalises_nfd_input() -> None:
    assert unify_tone_marks(unicodedata.normalize("NFD", "Tỉnh uỷ")) == "Tỉnh ủy"


# --- fold / has_diacritics -------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Mục tiêu tăng trưởng", "Muc tieu tang truong"),
        ("Đảng bộ tỉnh", "Dang bo tinh"),
        ("ĐẢNG CỘNG SẢN VIỆT NAM", "DANG CONG SAN VIET NAM"),
        ("11-KL/TU ngày 12/01/2012", "11-KL/TU ngay 12/01/2012"),
        ("ươ ă â ê ô ơ ư", "uo a a e o o u"),
        ("中文 😀", "中文 😀"),
    ],
)
def test_fold(text: str, folded: str) -> None:
    assert fold(text) == folded


def test_fold_decomposed_input() -> None:
    assert fold(unicodedata.normalize("NFD", "Quảng Trị")) == "Quang Tri"


@pytest.mark.parametrize(
    ("text", "expected"),
    [("muc tieu tang truong", False), ("Mục tiêu", True), ("di", False), ("đi", True), ("Đ", True),
     ("ă", True), ("", False), ("11-KL/TU", False), ("中文", False)],
)
def test_has_diacritics(text: str, expected: bool) -> None:
    assert has_diacritics(text) is expected


# --- analyzer: tone marks, case, folding -------------------------------------------------


def test_tinh_uy_spellings_give_same_tokens(analyzer: Analyzer) -> None:
    old, new = analyzer.analyze("Tỉnh uỷ Quảng Trị"), analyzer.analyze("Tỉnh ủy Quảng Trị")
    assert old.tokens == new.tokens
    assert "ủy" in new.tokens
    assert analyzer.tokens("Kết luận của Tỉnh uỷ") == analyzer.tokens("Kết luận của Tỉnh ủy")


def test_tokens_are_lower_case_and_tone_unified(analyzer: Analyzer) -> None:
    tokens = analyzer.tokens("CÔNG NGHIỆP HOÁ, HIỆN ĐẠI HOÁ")
    assert "hóa" in tokens
    assert "hoá" not in tokens
    assert all(t == t.lower() for t in tokens)


def test_punctuation_is_dropped(analyzer: Analyzer) -> None:
    tokens = analyzer.tokens("Công nghiệp, tiểu thủ công nghiệp (TTCN); - * ... !")
    assert tokens
    assert all(any(ch.isalnum() for ch in t) for t in tokens)


def test_syllables_and_compounds(analyzer: Analyzer) -> None:
    tokens = analyzer.tokens("Phát triển công nghiệp")
    assert {"phát", "triển", "công", "nghiệp"} <= set(tokens)
    assert {"phát_triển", "công_nghiệp"} <= set(tokens)


def test_folded_is_fold_of_tokens(analyzer: Analyzer) -> None:
    result = analyzer.analyze("Mục tiêu tăng trưởng công nghiệp của Đảng bộ")
    assert isinstance(result, Analysis)
    assert result.folded == [fold(t) for t in result.tokens]
    assert analyzer.folded("Đảng bộ") == result.folded[-len(analyzer.folded("Đảng bộ")) :]


def test_accentless_query_matches_folded_passage(analyzer: Analyzer) -> None:
    query = set(analyzer.folded("muc tieu tang truong"))
    passage = set(analyzer.folded("Mục tiêu tăng trưởng công nghiệp"))
    assert query == {"muc", "tieu", "tang", "truong"}  # no invented compounds
    assert query <= passage
    assert {"muc_tieu", "tang_truong", "cong_nghiep"} <= passage


def test_stopwords_removed_but_content_kept(analyzer: Analyzer) -> None:
    tokens = analyzer.tokens("Mục tiêu tăng trưởng của tỉnh là bao nhiêu?")
    assert not {"của", "là", "nhiêu", "bao_nhiêu"} & set(tokens)
    assert {"mục", "tiêu", "tăng", "trưởng", "tỉnh"} <= set(tokens)
    keep_all = Analyzer(stopwords=()).tokens("của tỉnh")
    assert "của" in keep_all
    assert "và" in STOPWORDS and "công" not in STOPWORDS


# --- analyzer: protected tokens --------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "token"),
    [
        ("Kết luận số 11-KL/TU của Tỉnh ủy", "11-kl/tu"),
        ("Nghị quyết số 13- NQ/TU ngày 05 tháng 01", "13-nq/tu"),
        ("Nghị quyết số 13-NQ/TU", "13-nq/tu"),
        ("Nghị quyết số 07-NQ/TU", "7-nq/tu"),
        ("Luật số 61/2020/QH14", "61/2020/qh14"),
        ("Quyết định 1956/QĐ-TTg", "1956/qđ-ttg"),
        ("Nghị quyết 12/NQ-HĐND", "12/nq-hđnd"),
        ("Nghị định 01/2012/NĐ-CP.", "1/2012/nđ-cp"),  # leading zeros dropped
        ("ngày 12/01/2012", "12/01/2012"),
        ("ngày 5/1/2004", "05/01/2004"),
        ("ngày 12 tháng 01 năm 2012", "12/01/2012"),
        ("tăng trưởng trên 25%/năm", "25%"),
        ("bình quân 11,94%/năm", "11,94%"),
        ("tăng 25 % so với", "25%"),
        ("đạt 1.260 tỷ đồng", "1.260"),
        ("đạt 1.260 tỷ đồng", "1260"),
        ("khoảng 8.000 người", "8.000"),
        ("công suất 64MW", "64mw"),
        ("công suất 64MW", "64"),
        ("giai đoạn 2011 - 2015", "2011"),
        ("giai đoạn 2011-2015", "2015"),
        ("giai đoạn 2011- 2015", "2015"),
    ],
)
def test_protected_tokens_survive(analyzer: Analyzer, syllables: Analyzer, text: str, token: str) -> None:
    assert token in analyzer.tokens(text)
    assert token in syllables.tokens(text)


def test_document_number_is_not_split(analyzer: Analyzer) -> None:
    tokens = analyzer.tokens("Kết luận số 11-KL/TU")
    assert "11-kl/tu" in tokens
    assert "kl" not in tokens and "tu" not in tokens


def test_query_percentage_matches_passage(analyzer: Analyzer) -> None:
    assert "25%" in analyzer.tokens("tăng trưởng 25%")
    assert set(analyzer.tokens("25%")) <= set(analyzer.tokens("tăng trưởng trên 25%/năm"))


def test_spelled_out_and_numeric_dates_share_a_term(analyzer: Analyzer) -> None:
    words = set(analyzer.tokens("ngày 05 tháng 01 năm 2004"))
    numeric = set(analyzer.tokens("ngày 05/01/2004"))
    assert "05/01/2004" in words & numeric


def test_unit_split_also_matches_separate_query(analyzer: Analyzer) -> None:
    assert {"64", "mw"} <= set(analyzer.tokens("64 MW")) & set(analyzer.tokens("nhà máy 64MW"))


def test_year_range_gives_both_years(analyzer: Analyzer) -> None:
    tokens = analyzer.tokens("giai đoạn 2011 - 2015")
    assert tokens.count("2011") == 1 and tokens.count("2015") == 1
    assert not any("-" in t for t in tokens)


# --- analyzer: modes, batches, robustness ---------------------------------------------


@pytest.mark.skipif(not SEEDS.is_dir(), reason="shared seeds not present")
def test_segment_false_gives_the_same_syllables(analyzer: Analyzer, syllables: Analyzer) -> None:
    for path in sorted(SEEDS.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        segmented = [t for t in analyzer.tokens(text) if "_" not in t]
        assert segmented == syllables.tokens(text), path.name


def test_public_word_tokenize_fallback_segments_the_same_way() -> None:
    """The path used if underthesea's internals move: same syllables, real compounds."""
    from assistant.text import _Segmenter

    internal, public = _Segmenter(), _Segmenter(internals=False)
    seq = ["Phát", "triển", "công", "nghiệp", "tỉnh", "Quảng", "Trị"]
    assert public.segment([seq]) == internal.segment([seq])
    assert public.segment([["11-KL/TU", "công", "nghiệp"]]) in (
        [[True, True, False]],
        [[True, True, True]],
    )


def test_analyze_many_equals_analyze(analyzer: Analyzer) -> None:
    texts = ["Kết luận số 11-KL/TU", "", "Tỉnh uỷ Quảng Trị\n\nphát triển công nghiệp. Hết!"]
    assert analyzer.analyze_many(texts) == [analyzer.analyze(t) for t in texts]


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "...,;!?-–—*#()[]",
        "\x00\x01\x07\x1b\u200b\ufeff\ud800",
        "中文字符 😀🇻🇳 Tiếng Việt и русский عربى",
        "a" * 100_000,
        ("Nghị quyết số 13-NQ/TU, tăng 25%/năm, 1.260 tỷ đồng. " * 2000)[:100_000],
        "x\u0301\u0301\u0323 o\u0301a\u0300",
        "1" * 5000,
    ],
)
def test_robust_inputs(analyzer: Analyzer, syllables: Analyzer, text: str) -> None:
    for an in (analyzer, syllables):
        result = an.analyze(text)
        assert isinstance(result.tokens, list) and isinstance(result.folded, list)
        assert len(result.tokens) == len(result.folded)
        assert all(isinstance(t, str) and t and not t.isspace() for t in result.tokens)
    spans = split_sentences(text)
    assert isinstance(spans, list)
    assert all(0 <= a < b <= len(text) for a, b in spans)
    assert isinstance(unify_tone_marks(text), str) and isinstance(fold(text), str)


def test_robust_chinese_kept_emoji_dropped(analyzer: Analyzer) -> None:
    tokens = analyzer.tokens("中文 😀 abc")
    assert "中文" in tokens and "abc" in tokens
    assert not any("😀" in t for t in tokens)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=200))
def test_fuzz_never_crashes(text: str) -> None:
    result = Analyzer().analyze(text)
    assert len(result.tokens) == len(result.folded)
    for a, b in split_sentences(text):
        assert text[a:b] == text[a:b].strip() and a < b


# --- sentences -----------------------------------------------------------------------


def _sentences(text: str) -> list[str]:
    spans = split_sentences(text)
    for a, b in spans:
        assert text[a:b] == text[a:b].strip()
    return [text[a:b] for a, b in spans]


def test_sentence_spans_are_exact_substrings() -> None:
    text = "  Kết luận số 11-KL/TU ngày 12/01/2012.  Vốn đạt 1.260 tỷ đồng!\nHết.  "
    assert _sentences(text) == [
        "Kết luận số 11-KL/TU ngày 12/01/2012.",
        "Vốn đạt 1.260 tỷ đồng!",
        "Hết.",
    ]


@pytest.mark.parametrize(
    "sentence",
    [
        "Thực hiện Kết luận số 11-KL/TU của Tỉnh ủy.",
        "GDP ngành công nghiệp đạt 1.260 tỷ đồng trở lên.",
        "Nghị quyết số 13- NQ/TU ngày 05 tháng 01 năm 2004 của Tỉnh ủy.",
        "Đầu tư tại TP. Hồ Chí Minh và Hà Nội.",
        "Các ngành điện, nước, v.v. đều tăng.",
        "Xem mục II.2 của kết luận.",
        "Ông Nguyễn V. An phát biểu.",
    ],
)
def test_sentence_not_split_inside(sentence: str) -> None:
    text = f"Câu trước. {sentence} Câu sau."
    assert _sentences(text) == ["Câu trước.", sentence, "Câu sau."]


def test_list_markers_and_headings_stay_with_their_text() -> None:
    text = "I. QUAN ĐIỂM\n1. Quan điểm\n- Phát triển công nghiệp.\na) Một là\nĐiều 5. Phạm vi điều chỉnh"
    assert _sentences(text) == [
        "I. QUAN ĐIỂM",
        "1. Quan điểm",
        "- Phát triển công nghiệp.",
        "a) Một là",
        "Điều 5. Phạm vi điều chỉnh",
    ]


def test_wrapped_lines_are_joined() -> None:
    text = "về phát triển công nghiệp, tiểu thủ công nghiệp\ntrên địa bàn tỉnh.\nCâu mới."
    assert _sentences(text) == [
        "về phát triển công nghiệp, tiểu thủ công nghiệp\ntrên địa bàn tỉnh.",
        "Câu mới.",
    ]


def test_question_and_exclamation_end_sentences() -> None:
    assert _sentences("Mục tiêu là gì? Tăng trưởng 25%! Xong") == [
        "Mục tiêu là gì?",
        "Tăng trưởng 25%!",
        "Xong",
    ]


def test_sentences_of_punctuation_only_text() -> None:
    assert split_sentences("") == []
    assert split_sentences("*\n\n---\n...") == []


@pytest.mark.skipif(not SEEDS.is_dir(), reason="shared seeds not present")
def test_seed_sentences_keep_numbers_whole() -> None:
    text = (SEEDS / "002_c9058ef2df78c807.txt").read_text(encoding="utf-8")
    sentences = _sentences(text)
    assert any("Số 11-KL/TU" in s for s in sentences)
    assert not any(s.endswith(("11-", "KL/", "1.")) for s in sentences)


def test_junk_class_equals_a_scan_of_every_code_point() -> None:
    import re
    import unicodedata

    from assistant import text

    pattern = re.compile(text._junk_class())
    every = [c for c in range(0x110000) if unicodedata.category(chr(c)) in ("Cc", "Cf", "Cs", "Co") and c not in (9, 10)]
    assert sum(1 for c in range(0x110000) if pattern.fullmatch(chr(c))) == len(every)
    assert all(pattern.fullmatch(chr(c)) for c in every)


def test_the_stored_junk_class_is_the_computed_one() -> None:
    import unicodedata

    from assistant import text

    stored = text._JUNK_CLASSES.get(unicodedata.unidata_version)
    assert stored is None or stored == text._junk_class()
    assert text._JUNK_RE.pattern == text._junk_class()


def test_underthesea_word_lists_are_read_as_plain_data_only(tmp_path) -> None:
    import os
    import pickle

    from assistant import text

    plain = tmp_path / "plain.bin"
    plain.write_bytes(pickle.dumps({"học sinh", "giáo viên"}, protocol=4))
    assert text._plain_data(plain) == {"học sinh", "giáo viên"}
    hostile = tmp_path / "hostile.bin"
    hostile.write_bytes(pickle.dumps(os.getcwd, protocol=4))  # any callable: a global reference
    with pytest.raises(pickle.UnpicklingError, match="posix.getcwd|os.getcwd|not plain data"):
        text._plain_data(hostile)


def test_the_segmenter_loads_without_underthesea_init_and_leaves_it_importable() -> None:
    """Fresh interpreters: segmenting with underthesea not imported (its __init__ skipped) gives
    the tokens of a process that imported underthesea first, and leaves it importable."""
    import json
    import subprocess
    import sys

    sample = (Path(__file__).resolve().parents[1] / "corpus").glob("*.txt")
    body = "\n".join(f.read_text("utf-8")[:3000] for f in sorted(sample))
    code = (
        "import json, sys\n"
        "if sys.argv[1] == 'first': import underthesea\n"
        "from assistant import text\n"
        "assert text._Segmenter.get().path == 'crf-internals'\n"
        "if sys.argv[1] == 'later':\n"
        "    assert not [m for m in sys.modules if m == 'underthesea' or m.startswith('underthesea.')]\n"
        "    import underthesea\n"
        "    assert underthesea.pipeline.word_tokenize.tokenize and underthesea.pos_tag('Tỉnh ủy Quảng Trị')\n"
        "print(json.dumps(text.Analyzer().tokens(sys.stdin.read())))\n"
    )
    runs = [subprocess.run([sys.executable, "-c", code, mode], input=body, capture_output=True, text=True, timeout=300)
            for mode in ("first", "later")]
    for out in runs:
        assert out.returncode == 0, out.stderr[-2000:]
    first, later = (json.loads(out.stdout) for out in runs)
    assert len(first) > 200 and any("_" in t for t in first) and first == later
