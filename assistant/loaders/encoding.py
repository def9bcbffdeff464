"""Bytes -> str for plain-text formats, with the encodings Vietnamese files really use.

Order of trust: a byte-order mark; BOM-less UTF-16 (recognised by its NUL bytes);
strict UTF-8; then the 8-bit legacy world. Text typed in the TCVN3 (ABC) or VNI font
encodings, or spelt in VIQR, is recognised and converted by ``legacy`` (in a UTF-8
file too: copy-pasted legacy text holds the mis-read glyphs); anything else 8-bit is
read as Windows-1258, whose combining tone marks are composed by NFC later
(``clean_text``).

Binary data is refused rather than decoded into garbage, judged by proportion: more
than a tiny share of NUL bytes outside UTF-16, or more than a small share of control
characters after decoding. A few stray NULs in a long text (a real 85 KB gazette text
has two) are dropped, not a reason to refuse the file.
"""

from __future__ import annotations

import unicodedata

from ..errors import LoadError
from .legacy import repair

_BOMS: tuple[tuple[bytes, str, str], ...] = (
    (b"\xff\xfe\x00\x00", "utf-32-le", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32-be", "utf-32"),
    (b"\xef\xbb\xbf", "utf-8-sig", "utf-8-sig"),
    (b"\xff\xfe", "utf-16-le", "utf-16"),
    (b"\xfe\xff", "utf-16-be", "utf-16"),
)
_CONTROL_SHARE = 0.02  # more control characters than this and the file is not text
_ALLOWED_CONTROLS = frozenset("\t\n\r\f\v")
_NUL_SHARE = 0.001  # stray NULs up to this share of the bytes are dropped; more and it is binary
# cp1252 leaves 5 bytes undefined; read those as Latin-1 so legacy detection still runs.
_CP1252_HIGH = {b: bytes([b]).decode("cp1252", errors="ignore") or chr(b) for b in range(0x80, 0xA0)}
_CP1252_TABLE = str.maketrans({chr(b): ch for b, ch in _CP1252_HIGH.items()})


def decode_bytes(data: bytes, source: str) -> tuple[str, str]:
    """Decode a text file's bytes; return ``(text, encoding)`` or raise ``LoadError``."""
    for bom, codec, label in _BOMS:
        if data.startswith(bom):
            try:
                text = data[len(bom) :].decode(codec)
            except UnicodeDecodeError as exc:
                raise LoadError(f"{source}: starts with a {label} byte-order mark but is not valid {label} (byte {exc.start})") from None
            text, label = _repair_legacy(text, label, from_bytes=False)
            return _checked(text, label, source), label

    nuls = data.count(0)
    if nuls and _utf16_without_bom(data) is None and nuls <= _NUL_SHARE * len(data):
        data = data.replace(b"\x00", b"")  # stray NULs in a text file: not text, not binary either
    elif nuls:
        utf16 = _utf16_without_bom(data)
        if utf16 is None:
            raise LoadError(f"{source}: binary file (contains NUL bytes), not text")
        try:
            text = data.decode(utf16)
        except UnicodeDecodeError:
            raise LoadError(f"{source}: binary file (contains NUL bytes), not text") from None
        text, utf16 = _repair_legacy(text, utf16, from_bytes=False)
        return _checked(text, utf16, source), utf16

    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        text, label = _repair_legacy(text, "utf-8", from_bytes=False)
        return _checked(text, label, source), label

    latin = data.decode("latin-1").translate(_CP1252_TABLE)
    repaired, label = _repair_legacy(latin, "", from_bytes=True)
    if label:
        return _checked(repaired, label, source), label
    try:
        text = data.decode("cp1258")
    except UnicodeDecodeError as exc:
        raise LoadError(
            f"{source}: cannot decode: not UTF-8, UTF-16 or Windows-1258 text (byte 0x{data[exc.start]:02x} at offset {exc.start})"
        ) from None
    return _checked(text, "cp1258", source), "cp1258"


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 without a BOM puts a NUL in the high byte of every ASCII character."""
    sample = data[:8192]
    sample = sample[: len(sample) - len(sample) % 2]
    half = len(sample) // 2
    if half == 0:
        return None
    even = sample[0::2].count(0) / half
    odd = sample[1::2].count(0) / half
    if odd >= 0.3 and even < 0.05:
        return "utf-16-le"
    if even >= 0.3 and odd < 0.05:
        return "utf-16-be"
    return None


def _checked(text: str, encoding: str, source: str) -> str:
    controls = sum(1 for ch in text if unicodedata.category(ch) == "Cc" and ch not in _ALLOWED_CONTROLS)
    if controls and controls > _CONTROL_SHARE * len(text):
        raise LoadError(f"{source}: binary file ({controls} control characters read as {encoding}), not text")
    return text


def _repair_legacy(text: str, label: str, *, from_bytes: bool) -> tuple[str, str]:
    """Convert TCVN3/VNI/VIQR text (``legacy.repair``) if it is that; else return it unchanged.

    The label says what was converted: "tcvn3->unicode" for 8-bit bytes read as the
    font's glyphs, "utf-8+vni->unicode" for a UTF-8 file that holds the mis-read glyphs,
    "viqr->unicode" for an ASCII file spelt in VIQR.
    """
    repaired, name = repair(text)
    if name is None:
        return text, label
    if from_bytes or text.isascii():
        return repaired, f"{name}->unicode"
    return repaired, f"{label}+{name}->unicode"
