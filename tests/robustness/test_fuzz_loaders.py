"""Property-based tests: random bytes and random Unicode through every registered loader,
then through the structure parser and the chunker, as ``ingest`` would.

Whatever the input, a loader either returns clean documents (non-empty NFC text, no
zero-width characters) that parse and chunk into passages whose text is an exact slice
of the document, or raises ``LoadError`` with one line naming the file. Any other
exception is a bug that would reach the user as a traceback.

The loaders are discovered from ``supported_suffixes()``, so formats registered later
(.docx, .pdf, .html ...) are fuzzed too, with format-shaped inputs where we know the
shape (a zip for .docx, a ``%PDF-`` header for .pdf, tags for .html).
"""

from __future__ import annotations

import io
import itertools
import json
import unicodedata
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant.chunking import chunk_document
from assistant.errors import LoadError
from assistant.ingest import make_document
from assistant.loaders import load_path, supported_suffixes

from .conftest import record

EXAMPLES = 150  # per strategy and loader: the whole file stays well under a minute
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture, HealthCheck.data_too_large],
    derandomize=False,
)
SUFFIXES = supported_suffixes()
_counter = itertools.count()

# Pieces of real Vietnamese administrative documents, so the structure parser sees
# plausible headers, numbering and dates mixed with noise.
FRAGMENTS = [
    "TỈNH ỦY QUẢNG TRỊ", "*", "Số 11-KL/TU", "ĐẢNG CỘNG SẢN VIỆT NAM", "Đông Hà, ngày 12 tháng 01 năm 2012",
    "KẾT LUẬN", "NGHỊ QUYẾT", "của Ban Thường vụ Tỉnh ủy", "I. MỤC TIÊU", "II.", "1.", "2.1.", "a)", "b)", "-", "+",
    "Giai đoạn 2011 - 2015, tăng trưởng công nghiệp trên 25%/năm.", "T/M BAN THƯỜNG VỤ", "BÍ THƯ", "Nguyễn Văn A",
    "Nơi nhận:", "- Như trên,", "Điều 1.", "Chương I", "khóa X", "hoá", "uỷ", "\u200b", "\ufeff", "\r\n", "\r", "\n",
    "\n\n", "\t", " ", "\x00", "\x1b[31m", "\u202e", "e\u0301", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "中文", "русский", "عربى", "<script>x</script>",
    "{", "}", '"', "[1]", "…", "%", "12/01/2012", "61/2020/QH14",
]


def _path(tmp: Path, suffix: str) -> Path:
    return tmp / f"fuzz-{next(_counter)}{suffix}"


def check(path: Path, data: bytes) -> None:
    """The property every loader must keep, for one input."""
    path.write_bytes(data)
    record("fuzz_inputs", path.suffix)
    try:
        items = load_path(path, max_bytes=1_000_000)
    except LoadError as exc:
        msg = str(exc)
        assert msg.strip() and "\n" not in msg, repr(msg)
        assert path.stem in msg, msg
        record("fuzz_refused", path.suffix)
        return
    finally:
        path.unlink(missing_ok=True)
    assert items, "a loader returned no document and no error"
    record("fuzz_accepted", path.suffix)
    for n, item in enumerate(items):
        text = item.text
        assert isinstance(text, str) and text.strip()
        assert unicodedata.is_normalized("NFC", text)
        assert not any(c in text for c in "\u200b\u200c\u200d\u2060\ufeff\r")
        doc = make_document(item, f"doc-{n}")
        assert doc.text == text  # display text is never altered by parsing
        for p in chunk_document(doc, 180, 12):
            assert 0 <= p.start <= p.end <= len(text)
            assert p.text == text[p.start : p.end]


def _docx_like() -> st.SearchStrategy[bytes]:
    """A zip with random members, sometimes with the names a .docx has."""
    names = st.sampled_from(["[Content_Types].xml", "word/document.xml", "_rels/.rels", "docProps/core.xml", "x.bin"])

    @st.composite
    def build(draw):
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
            for name in draw(st.lists(names, max_size=4, unique=True)):
                body = draw(st.one_of(st.binary(max_size=300), st.text(max_size=300).map(lambda t: t.encode("utf-8", "surrogatepass"))))
                z.writestr(name, body)
        data = buf.getvalue()
        cut = draw(st.integers(0, len(data)))
        return data if draw(st.booleans()) else data[:cut]  # whole or truncated

    return build()


def _pdf_like() -> st.SearchStrategy[bytes]:
    return st.builds(lambda head, body: head + body, st.sampled_from([b"%PDF-1.4\n", b"%PDF-", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"]), st.binary(max_size=1500))


def _html_like() -> st.SearchStrategy[bytes]:
    tags = st.sampled_from(["<p>", "</p>", "<div>", "<br>", "<script>", "</script>", "<style>", "<!--", "-->", "<h1>", "&amp;", "&#0;", "&#xD800;", "<"])
    return st.lists(st.one_of(tags, st.sampled_from(FRAGMENTS), st.text(max_size=20)), max_size=40).map(
        lambda xs: "".join(xs).encode("utf-8", "surrogatepass")
    )


_JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=40) | st.sampled_from(FRAGMENTS),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)
_JSON_KEYS = st.sampled_from(["id", "text", "title", "doc_type", "number", "date", "issuer", "province", "year", "x"])


def _jsonl_like() -> st.SearchStrategy[bytes]:
    line = st.one_of(
        st.dictionaries(_JSON_KEYS, _JSON_VALUES, max_size=6).map(lambda d: json.dumps(d, ensure_ascii=False)),
        st.fixed_dictionaries({"id": st.one_of(st.text(max_size=10), st.integers()), "text": st.text(min_size=1, max_size=200)}).map(json.dumps),
        st.text(max_size=60),  # not JSON at all
    )
    return st.lists(line, max_size=6).map(lambda ls: "\n".join(ls).encode("utf-8", "surrogatepass"))


SHAPED = {".docx": _docx_like, ".pdf": _pdf_like, ".html": _html_like, ".htm": _html_like, ".jsonl": _jsonl_like}


@pytest.fixture(scope="module")
def fuzz_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


@pytest.mark.parametrize("suffix", SUFFIXES)
@FUZZ
@given(data=st.binary(max_size=4096))
def test_random_bytes(fuzz_dir: Path, suffix: str, data: bytes) -> None:
    check(_path(fuzz_dir, suffix), data)


@pytest.mark.parametrize("suffix", SUFFIXES)
@FUZZ
@given(text=st.text(max_size=2000), encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1258", "latin-1"]))
def test_random_unicode(fuzz_dir: Path, suffix: str, text: str, encoding: str) -> None:
    check(_path(fuzz_dir, suffix), text.encode(encoding, "replace"))


@pytest.mark.parametrize("suffix", SUFFIXES)
@FUZZ
@given(parts=st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=12)), max_size=80))
def test_document_shaped_text(fuzz_dir: Path, suffix: str, parts: list[str]) -> None:
    """Headers, numbering, dates and noise: exercises the structure parser behind the loader."""
    text = "".join(parts)
    if suffix == ".jsonl":
        data = json.dumps({"id": "x", "text": text, "title": text[:40]}, ensure_ascii=False).encode("utf-8")
    else:
        data = text.encode("utf-8", "surrogatepass")
    check(_path(fuzz_dir, suffix), data)


@pytest.mark.parametrize("suffix", [s for s in SUFFIXES if s in SHAPED])
@FUZZ
@given(data=st.data())
def test_format_shaped_bytes(fuzz_dir: Path, suffix: str, data) -> None:
    check(_path(fuzz_dir, suffix), data.draw(SHAPED[suffix]()))
