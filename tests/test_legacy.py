"""Legacy Vietnamese encodings: TCVN3 (ABC), VNI-Windows and VIQR, detected and converted.

The round trips take the shipped seeds (corpus/*.txt), write them in each legacy
encoding, and load them back through ``load_path``. VNI and VIQR can spell every
Unicode Vietnamese letter, so they come back identical. TCVN3 has no glyph for a
capital toned vowel (those were typed in a separate ``.VnTimeH`` font, which plain
text loses): case is restored from the context, and the only difference allowed is
the case of such a letter; the seeds have exactly two ("Ái Tử", "Xuyên Á").
"""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import pytest

from assistant.loaders import load_path
from assistant.loaders.legacy import (
    ENCODINGS,
    detect_legacy,
    from_unicode,
    repair,
    to_unicode,
    valid_syllable_share,
)

pytest.importorskip("viparse")

ROOT = Path(__file__).resolve().parents[1]
SEEDS = sorted((ROOT / "corpus").glob("*.txt"))
SAMPLES = ROOT.parent / "shared" / "data" / "legacy_encodings.jsonl"
LAWS = ROOT.parent / "shared" / "data" / "vlc_laws"

_CAPITALS_WITHOUT_TCVN3_GLYPH = {
    ch for ch in "ÀÁẢÃẠẰẮẲẴẶẦẤẨẪẬÈÉẺẼẸỀẾỂỄỆÌÍỈĨỊÒÓỎÕỌỒỐỔỖỘỜỚỞỠỢÙÚỦŨỤỪỨỬỮỰỲÝỶỸỴ"
}


def tcvn3_case_losses(original: str, back: str) -> list[str]:
    """Where ``back`` differs from ``original``: each must be a capital toned vowel
    that came back lower-case (or the reverse); anything else fails the test."""
    assert len(back) == len(original)
    losses = []
    for i, (a, b) in enumerate(zip(original, back)):
        if a != b:
            assert a.lower() == b.lower() and (a in _CAPITALS_WITHOUT_TCVN3_GLYPH or b in _CAPITALS_WITHOUT_TCVN3_GLYPH), (
                original[max(0, i - 30) : i + 30],
                back[max(0, i - 30) : i + 30],
            )
            losses.append(original[max(0, i - 6) : i + 6])
    return losses


@pytest.fixture(scope="module", params=SEEDS, ids=lambda p: p.name[:24])
def seed(request: pytest.FixtureRequest) -> str:
    return request.param.read_text(encoding="utf-8")


# --- known samples --------------------------------------------------------------------


def test_known_samples_convert() -> None:
    rows = [json.loads(line) for line in SAMPLES.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len(rows) >= 3
    for row in rows:
        name = {"TCVN3": "tcvn3", "VNI-Windows": "vni"}[row["encoding"]]
        assert detect_legacy(row["legacy"]) == name
        assert to_unicode(row["legacy"], name) == row["unicode"]
        assert from_unicode(row["unicode"], name) == row["legacy"]


def test_vni_table_agrees_with_viparse() -> None:
    """Our generated VNI table matches viparse's corpus-derived one entry for entry, except
    where viparse has no entry (ẳ/Ẳ) and spells ỵ the long way ("yï", still accepted)."""
    from viparse.normalize.vni import VNI

    for legacy, uni in VNI.pairs:
        assert to_unicode(legacy, "vni") == uni, legacy
    assert to_unicode("naúng", "vni") == "nẳng" and to_unicode("AÚ", "vni") == "Ẳ"
    assert to_unicode("kyõ thuaät, Myõ, ly", "vni") == "kỹ thuật, Mỹ, ly"
    assert from_unicode("ỵ", "vni") == "î" and to_unicode("yï", "vni") == "ỵ"


# --- round trips through the loader ---------------------------------------------------


@pytest.mark.parametrize("encoding", ["vni", "viqr"])
def test_seed_round_trip_is_exact(seed: str, encoding: str, tmp_path: Path) -> None:
    legacy = from_unicode(seed, encoding)
    assert legacy != seed
    assert detect_legacy(legacy) == encoding
    path = tmp_path / f"seed-{encoding}.txt"
    if encoding == "vni":
        path.write_bytes(legacy.encode("cp1252"))  # the 8-bit file an old VNI editor saves
        expected_label = "vni->unicode"
    else:
        path.write_text(legacy, encoding="utf-8")  # VIQR is ASCII (the seeds' “ ” … stay UTF-8)
        expected_label = "viqr->unicode" if legacy.isascii() else "utf-8+viqr->unicode"
    [doc] = load_path(path)
    assert doc.text == seed
    assert doc.encoding == expected_label


def test_seed_round_trip_tcvn3(seed: str, tmp_path: Path) -> None:
    legacy = from_unicode(seed, "tcvn3")
    assert detect_legacy(legacy) == "tcvn3"
    path = tmp_path / "seed-tcvn3.txt"
    path.write_bytes(legacy.encode("cp1252"))
    [doc] = load_path(path)
    assert doc.encoding == "tcvn3->unicode"
    losses = tcvn3_case_losses(seed, doc.text)
    assert len(losses) <= 2, losses  # "Ái Tử", "Xuyên Á": capitals TCVN3 cannot carry
    # the all-capitals header and signature lines come back in capitals
    for line in ("KẾT LUẬN", "TỈNH UỶ QUẢNG TRỊ", "NGHỊ QUYẾT"):
        if line in seed:
            assert line in doc.text
    # UTF-8 text holding the mis-read glyphs (legacy text pasted into a modern editor)
    utf = tmp_path / "seed-tcvn3-utf8.txt"
    utf.write_text(legacy, encoding="utf-8")
    [doc2] = load_path(utf)
    assert doc2.text == doc.text and doc2.encoding == "utf-8+tcvn3->unicode"


@pytest.mark.slow
@pytest.mark.skipif(not LAWS.is_dir(), reason="shared law texts not available")
def test_law_texts_round_trip() -> None:
    """A broader check over five laws (300k+ characters of varied text)."""
    for name in ("luat-thanh-nien", "luat-dau-tu", "luat-hon-nhan-va-gia-dinh", "hien-phap", "luat-cong-doan"):
        text = unicodedata.normalize("NFC", (LAWS / f"{name}.txt").read_text(encoding="utf-8"))
        for encoding in ENCODINGS:
            legacy = from_unicode(text, encoding)
            assert detect_legacy(legacy) == encoding, (name, encoding)
            back = to_unicode(legacy, encoding)
            if encoding == "tcvn3":
                assert len(tcvn3_case_losses(text, back)) < 0.005 * len(text)  # "Ủy ban" -> "ủy ban"
            else:
                assert back == text, (name, encoding)


# --- TCVN3 case restoration -----------------------------------------------------------


@pytest.mark.parametrize(
    ("unicode_text", "restored"),
    [
        ("KẾT LUẬN", "KẾT LUẬN"),  # capitals around the glyphs
        ("HỘI NGHỊ LẦN THỨ 6, BCH ĐẢNG BỘ TỈNH", "HỘI NGHỊ LẦN THỨ 6, BCH ĐẢNG BỘ TỈNH"),  # "BỘ" from its neighbours
        ("SỬ DỤNG NHÀ Ở", "SỬ DỤNG NHÀ Ở"),  # a one-letter word in a capitals line
        ("Mục 1. XỬ LÝ THAM NHŨNG", "Mục 1. XỬ LÝ THAM NHŨNG"),  # follows the words after it
        ("Số: 56-LCT/HĐNN8", "Số: 56-LCT/HĐNN8"),  # abbreviations are no evidence
        ("nhà máy thuỷ điện Hạ Rào Quán", "nhà máy thuỷ điện Hạ Rào Quán"),  # title case stays
        ("- Bộ Chính trị,      BÍ THƯ", "- Bộ Chính trị,      BÍ THƯ"),  # columns judged apart
        ("Ủy ban nhân dân", "ủy ban nhân dân"),  # no glyph for "Ủ": the known loss
    ],
)
def test_tcvn3_case_restoration(unicode_text: str, restored: str) -> None:
    assert to_unicode(from_unicode(unicode_text, "tcvn3"), "tcvn3") == restored


def test_tcvn3_pdf_glyph_substitutes() -> None:
    # a PDF text layer shows .VnTime's ư as U+2212 and ã as U+2219
    assert to_unicode("nhµ n\u2212íc, Thñ t\u2212íng; 5 \u2212 3", "tcvn3") == "nhà nước, Thủ tướng; 5 − 3"


# --- VIQR -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("viqr", "unicode_text"),
    [
        ("Co^.ng ho`a xa~ ho^.i chu? nghi~a Vie^.t Nam", "Cộng hòa xã hội chủ nghĩa Việt Nam"),
        ("DDa?ng bo^. ti?nh, ddu+o+`ng", "Đảng bộ tỉnh, đường"),
        ("Ba'o ca'o.", "Báo cáo."),  # a mark after the syllable's tone is punctuation
        ("Ba\\.n ho\\?i", "Ba.n ho?i"),  # escaped marks are literal
        ("lua^.tcu?a", "luậtcủa"),  # syllables run together still convert
    ],
)
def test_viqr_decoding(viqr: str, unicode_text: str) -> None:
    assert to_unicode(viqr, "viqr") == unicode_text


def test_viqr_encoder_escapes_what_would_be_read_as_marks() -> None:
    text = "Tôi hỏi: cho? Vui. C:\\dd add"
    assert to_unicode(from_unicode(text, "viqr"), "viqr") == text


# --- what must not be converted -------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "El niño comió piñas en la montaña; ¿qué más? Über Straße. " * 20,
        "Don't worry, it's fine. What's up? I can't say. We'd go. " * 20,
        "Nghi quyet so 11 ve phat trien cong nghiep tinh Quang Tri " * 20,  # Vietnamese without accents
        "Giá trị: 12,5%; năm 2010 - 2015 (xem mục II.2). " * 20,
    ],
    ids=["spanish-german", "english", "unaccented-vietnamese", "unicode-vietnamese"],
)
def test_other_text_is_left_alone(text: str) -> None:
    assert detect_legacy(text) is None
    assert repair(text) == (text, None)


def test_unicode_seeds_are_never_converted(seed: str) -> None:
    assert detect_legacy(seed) is None
    assert valid_syllable_share(seed) > 0.95


# --- Word files typed in legacy fonts -------------------------------------------------


def test_docx_runs_in_legacy_fonts_convert_by_font_name(tmp_path: Path) -> None:
    docx = pytest.importorskip("docx")
    d = docx.Document()
    heading = d.add_paragraph()
    run = heading.add_run(from_unicode("nghị quyết", "tcvn3"))
    run.font.name = ".VnTimeH"  # the capitals font: glyphs drawn as upper case
    body = d.add_paragraph()
    run = body.add_run(from_unicode("Về phát triển công nghiệp ", "tcvn3"))
    run.font.name = ".VnTime"
    run = body.add_run("(Unicode) ")
    run.font.name = "Times New Roman"
    run = body.add_run(from_unicode("giai đoạn 2011-2015", "vni"))
    run.font.name = "VNI-Times"
    path = tmp_path / "cu.docx"
    d.save(str(path))
    [doc] = load_path(path)
    assert doc.text == "NGHỊ QUYẾT\n\nVề phát triển công nghiệp (Unicode) giai đoạn 2011-2015"
    assert doc.encoding == "docx+tcvn3+vni->unicode"
