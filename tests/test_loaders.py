"""Loaders on real files written to tmp_path: encodings, clean-up, sidecars, JSONL, errors."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import pytest

from assistant.errors import LoadError
from assistant.loaders import is_sidecar, load_path, sidecar_for, supported_suffixes

ROOT = Path(__file__).resolve().parents[1]
SEED_NQ = ROOT / "corpus" / "nghi-quyet-hnln5-khoa-x-bac-kan-cong-nghiep-2011-2015.txt"
SEED_KL = ROOT / "corpus" / "ket-luan-11-KL-TU-quang-tri-2012-cong-nghiep.txt"
LEGACY = ROOT.parent / "shared" / "data" / "legacy_encodings.jsonl"

_TONES = "\u0300\u0301\u0303\u0309\u0323"


def to_cp1258(text: str) -> bytes:
    """Windows-1258 as Vietnamese Windows writes it: precomposed base + combining tone."""
    out = bytearray()
    for ch in unicodedata.normalize("NFC", text):
        try:
            out += ch.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        parts = unicodedata.normalize("NFD", ch)
        tone = "".join(c for c in parts if c in _TONES)
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in _TONES))
        out += (base + tone).encode("cp1258")
    return bytes(out)


@pytest.fixture(scope="module")
def seed_text() -> str:
    return SEED_NQ.read_text(encoding="utf-8")


def one_line_error(excinfo: pytest.ExceptionInfo[LoadError], path: Path) -> str:
    msg = str(excinfo.value)
    assert "\n" not in msg
    assert str(path) in msg
    return msg


# --- registry ----------------------------------------------------------------------


def test_supported_suffixes_and_sidecar_names() -> None:
    assert {".txt", ".md", ".jsonl"} <= set(supported_suffixes())
    assert is_sidecar(Path("corpus/foo.meta.json"))
    assert is_sidecar(Path("FOO.META.JSON"))
    assert not is_sidecar(Path("corpus/foo.json"))
    assert not is_sidecar(Path("corpus/foo.txt"))
    assert sidecar_for(Path("a/b/foo.txt")) == Path("a/b/foo.meta.json")


# --- encodings -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("codec", "expected"),
    [
        ("utf-8", "utf-8"),
        ("utf-8-sig", "utf-8-sig"),
        ("utf-16", "utf-16"),  # with BOM
        ("utf-16-le", "utf-16-le"),  # without BOM: recognised by its NUL bytes
        ("utf-16-be", "utf-16-be"),
        ("cp1258", "cp1258"),
    ],
)
def test_encodings_load_to_the_same_nfc_text(tmp_path: Path, seed_text: str, codec: str, expected: str) -> None:
    data = to_cp1258(seed_text) if codec == "cp1258" else seed_text.encode(codec)
    path = tmp_path / f"doc-{codec}.txt"
    path.write_bytes(data)
    [doc] = load_path(path)
    assert doc.encoding == expected
    assert doc.text == unicodedata.normalize("NFC", seed_text)
    assert doc.source == str(path)
    if codec == "cp1258":  # the bytes really held decomposed tone marks
        assert b"\xd2" in data or b"\xf2" in data


def test_seed_files_load_unchanged() -> None:
    for path in (SEED_NQ, SEED_KL):
        [doc] = load_path(path)
        assert doc.text == path.read_text(encoding="utf-8")
        assert doc.encoding == "utf-8"


def test_nfd_crlf_and_zero_width_are_cleaned(tmp_path: Path) -> None:
    raw = "Nghi\u0323"  # "Nghị" decomposed
    text = unicodedata.normalize("NFD", "Tỉnh ủy Quảng Trị") + "\r\n" + raw + "\u200b quyết\ufeff\r\nKết\u2060 luận\u200c\u200d"
    path = tmp_path / "nfd.md"
    path.write_bytes(text.encode("utf-8"))
    [doc] = load_path(path)
    assert doc.text == "Tỉnh ủy Quảng Trị\nNghị quyết\nKết luận"
    assert unicodedata.is_normalized("NFC", doc.text)


def test_zero_width_inside_a_syllable_does_not_block_composition(tmp_path: Path) -> None:
    path = tmp_path / "zw.txt"
    path.write_bytes("Nghi\u200b\u0323 quyê\u2060\u0301t".encode("utf-8"))
    assert load_path(path)[0].text == "Nghị quyết"


def test_legacy_font_encodings_are_converted(tmp_path: Path) -> None:
    pytest.importorskip("viparse")
    rows = [json.loads(line) for line in LEGACY.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert rows
    for n, row in enumerate(rows):
        # as raw 8-bit bytes (the legacy font's code points)
        raw = tmp_path / f"legacy{n}.txt"
        raw.write_bytes(row["legacy"].encode("cp1252"))
        [doc] = load_path(raw)
        assert doc.text == row["unicode"]
        assert doc.encoding in ("tcvn3->unicode", "vni->unicode")
        # and as UTF-8 that already holds the mis-read characters
        utf = tmp_path / f"legacy{n}-utf8.txt"
        utf.write_text(row["legacy"], encoding="utf-8")
        [doc] = load_path(utf)
        assert doc.text == row["unicode"]
        assert doc.encoding.startswith("utf-8+")


def test_unicode_text_is_never_sent_through_legacy_repair(tmp_path: Path, seed_text: str) -> None:
    # Latin-1 letters (Spanish) without Vietnamese letters must stay as they are.
    spanish = "El niño comió piñas en la montaña; ¿qué más? " * 20
    path = tmp_path / "es.txt"
    path.write_text(spanish, encoding="utf-8")
    [doc] = load_path(path)
    assert doc.text == spanish
    assert doc.encoding == "utf-8"


# --- errors --------------------------------------------------------------------------


def test_missing_path(tmp_path: Path) -> None:
    path = tmp_path / "nope.txt"
    with pytest.raises(LoadError) as exc:
        load_path(path)
    assert "no such file" in one_line_error(exc, path)


def test_directory(tmp_path: Path) -> None:
    with pytest.raises(LoadError) as exc:
        load_path(tmp_path)
    assert "directory" in one_line_error(exc, tmp_path)


def test_unsupported_extension_lists_supported(tmp_path: Path) -> None:
    path = tmp_path / "report.xyz"
    path.write_text("Nghị quyết", encoding="utf-8")
    with pytest.raises(LoadError) as exc:
        load_path(path)
    msg = one_line_error(exc, path)
    assert ".xyz" in msg and ".txt" in msg and ".jsonl" in msg


@pytest.mark.parametrize("content", [b"", b"   \n\t\r\n  ", "\ufeff  \n".encode("utf-8")])
def test_empty_or_whitespace_file(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "empty.txt"
    path.write_bytes(content)
    with pytest.raises(LoadError) as exc:
        load_path(path)
    assert "empty" in one_line_error(exc, path)


def test_binary_with_nul_bytes(tmp_path: Path) -> None:
    path = tmp_path / "image.txt"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00" + bytes(range(256)) * 4)
    with pytest.raises(LoadError) as exc:
        load_path(path)
    assert "binary" in one_line_error(exc, path)


def test_binary_without_nul_bytes(tmp_path: Path) -> None:
    path = tmp_path / "blob.md"
    path.write_bytes(bytes(b % 31 + 1 for b in range(4000)))  # control characters only
    with pytest.raises(LoadError) as exc:
        load_path(path)
    assert "binary" in one_line_error(exc, path)


def test_oversize_file(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    path.write_text("Nghị quyết " * 20, encoding="utf-8")
    with pytest.raises(LoadError) as exc:
        load_path(path, max_bytes=100)
    assert "limit" in one_line_error(exc, path)
    assert load_path(path, max_bytes=10_000)[0].text.startswith("Nghị quyết")


def test_sidecar_is_not_a_document(tmp_path: Path) -> None:
    path = tmp_path / "foo.meta.json"
    path.write_text('{"province": "Bắc Kạn"}', encoding="utf-8")
    with pytest.raises(LoadError) as exc:
        load_path(path)
    assert "sidecar" in one_line_error(exc, path)


# --- sidecars ------------------------------------------------------------------------


def test_sidecar_metadata_is_read(tmp_path: Path) -> None:
    doc = tmp_path / "nq.txt"
    doc.write_text("NGHỊ QUYẾT\nvề phát triển công nghiệp\n\nNội dung.", encoding="utf-8")
    sidecar_for(doc).write_text(json.dumps({"province": "Bắc Kạn", "issuer": "Tỉnh ủy Bắc Kạn", "date": ""}), encoding="utf-8")
    [loaded] = load_path(doc)
    assert loaded.metadata == {"province": "Bắc Kạn", "issuer": "Tỉnh ủy Bắc Kạn"}  # empty values dropped


def test_corpus_sidecar() -> None:
    [loaded] = load_path(SEED_NQ)
    assert loaded.metadata == {"province": "Bắc Kạn"}
    [other] = load_path(SEED_KL)
    assert other.metadata == {}


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        ("{not json", "invalid JSON"),
        ('["province", "Bắc Kạn"]', "JSON object"),
        ('{"provice": "Bắc Kạn"}', "unknown metadata field 'provice'"),
        ('{"province": 12}', "must be a string"),
    ],
)
def test_bad_sidecar_names_the_sidecar(tmp_path: Path, content: str, needle: str) -> None:
    doc = tmp_path / "kl.txt"
    doc.write_text("KẾT LUẬN\nNội dung.", encoding="utf-8")
    side = sidecar_for(doc)
    side.write_text(content, encoding="utf-8")
    with pytest.raises(LoadError) as exc:
        load_path(doc)
    msg = one_line_error(exc, side)
    assert needle in msg


# --- JSONL ---------------------------------------------------------------------------


def test_jsonl_documents_and_metadata(tmp_path: Path) -> None:
    path = tmp_path / "docs.jsonl"
    lines = [
        {"id": "kl-11", "title": "Kết luận về công nghiệp", "text": "KẾT LUẬN\r\nNội dung\u200b một.", "province": "Quảng Trị", "x": 1},
        {},
        {"id": 7, "text": unicodedata.normalize("NFD", "Nghị quyết số 5"), "doc_type": "Nghị quyết", "signer": None},
    ]
    path.write_text("\n".join("" if not d else json.dumps(d, ensure_ascii=False) for d in lines) + "\n\n", encoding="utf-8")
    sidecar_for(path).write_text('{"province": "Bắc Kạn", "term": "khóa X"}', encoding="utf-8")
    first, second = load_path(path)
    assert (first.doc_id, first.source) == ("kl-11", f"{path}#kl-11")
    assert first.text == "KẾT LUẬN\nNội dung một."
    # the line's own fields override the sidecar's defaults; unknown keys are ignored
    assert first.metadata == {"title": "Kết luận về công nghiệp", "province": "Quảng Trị", "term": "khóa X"}
    assert (second.doc_id, second.source) == ("7", f"{path}#7")
    assert second.text == "Nghị quyết số 5"
    assert second.metadata == {"doc_type": "Nghị quyết", "province": "Bắc Kạn", "term": "khóa X"}


@pytest.mark.parametrize(
    ("lines", "lineno", "needle"),
    [
        (['{"id": "a", "text": "x"}', '{"id": "b", "text": '], 2, "invalid JSON"),
        (['{"id": "a", "text": "x"}', "", '{"id": "b"}'], 3, 'missing "text"'),
        (['{"text": "x"}'], 1, 'missing "id"'),
        (['{"id": "a", "text": 5}'], 1, "must be a string"),
        (['{"id": [1], "text": "x"}'], 1, "must be a string or an integer"),
        (['{"id": "a", "text": "x", "title": 3}'], 1, "'title' must be a string"),
        (['{"id": "a", "text": "   "}'], 1, "empty"),
        (['["a", "x"]'], 1, "JSON object"),
        (['{"id": "a", "text": "x"}', '{"id": "a", "text": "y"}'], 2, "duplicate id"),
    ],
)
def test_malformed_jsonl_names_the_line(tmp_path: Path, lines: list[str], lineno: int, needle: str) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(LoadError) as exc:
        load_path(path)
    msg = one_line_error(exc, path)
    assert msg.startswith(f"{path}:{lineno}: ")
    assert needle in msg
