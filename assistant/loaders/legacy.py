"""Legacy Vietnamese encodings -> Unicode: TCVN3 (ABC), VNI-Windows and VIQR.

Why this exists: older provincial files were typed with the ``.VnTime`` (TCVN3/ABC) or
``VNI-Times`` fonts, whose glyphs sit on Latin-1 code points, so the text reads as
"Céng hßa" or "Coäng hoøa" until it is converted; mail and forum archives use VIQR, an
ASCII spelling ("Co^.ng ho`a"). Retrieval over such text finds nothing, so it has to be
converted before anything else, and the loader reports what it converted.

Tables: TCVN3 uses ``viparse``'s table (complete for TCVN3's 134 glyphs, checked against
our samples). VNI is *generated* from the VNI-Windows layout (base letter + one mark
character; six letters are single characters), because viparse's corpus-derived VNI
table lacks ẳ/Ẳ and spells ỵ as "yï" where VNI uses "î"; the test suite checks that the
two tables agree everywhere else. VIQR follows RFC 1456, with backslash escapes.

TCVN3 has no upper-case toned vowels: capitals were typed with the same codes in a
separate "H" font (``.VnTimeH``), which plain text loses. ``to_unicode`` restores case
from the word's other letters and its neighbours (``KÕT LUËN`` -> ``KẾT LUẬN``); a
title-case word whose capital is a toned vowel ("Ái Tử") cannot be recovered and comes
back lower-case ("ái Tử").
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

__all__ = [
    "ENCODINGS",
    "detect_legacy",
    "from_unicode",
    "repair",
    "to_unicode",
    "valid_syllable_share",
]

ENCODINGS = ("tcvn3", "vni", "viqr")

_TONES = {"\u0301": "acute", "\u0300": "grave", "\u0309": "hook", "\u0303": "tilde", "\u0323": "dot"}
_MODS = {"\u0302": "circ", "\u0306": "breve", "\u031b": "horn"}

# =====================================================================================
# TCVN3 (ABC)
# =====================================================================================


@lru_cache(maxsize=1)
def _tcvn3_table() -> dict[str, str]:
    """legacy glyph -> Unicode letter (all single characters), from viparse."""
    from viparse.normalize.tcvn3 import TCVN3

    return dict(TCVN3.pairs)


@lru_cache(maxsize=1)
def _tcvn3_translation() -> dict[int, str]:
    """``_tcvn3_table`` in the form ``str.translate`` takes (built once, not per line)."""
    return {ord(glyph): letter for glyph, letter in _tcvn3_table().items()}


@lru_cache(maxsize=1)
def _tcvn3_inverse() -> dict[str, str]:
    """Unicode letter -> glyph; capitals without a glyph take the lower-case one (the
    ".VnTimeH" convention)."""
    inv = {uni: leg for leg, uni in _tcvn3_table().items()}
    for uni, leg in list(inv.items()):
        inv.setdefault(uni.upper(), leg)
    return inv


_TCVN3_UPPER = frozenset("\u00a1\u00a2\u00a3\u00a4\u00a5\u00a6\u00a7")  # Ă Â Ê Ô Ơ Ư Đ
_TCVN3_LOWER = frozenset("\u00a8\u00a9\u00aa\u00ab\u00ac\u00ad\u00ae")  # ă â ê ô ơ ư đ
_TCVN3_DD = frozenset("\u00a7\u00ae")  # Đ đ: abbreviations carry them ("HĐNN")
# A PDF text layer shows two .VnTime glyphs as math symbols (U+2212 for ư, U+2219 for ã).
_PDF_GLYPHS = {"\u2212": "\u00ad", "\u2219": "\u00b7"}


def _tcvn3_decode(text: str, restore_case: bool) -> str:
    table = _tcvn3_table()
    text = re.sub("[\u2212\u2219](?=[^\\W\\d_])|(?<=[^\\W\\d_])[\u2212\u2219]", lambda m: _PDF_GLYPHS[m.group()], text)
    if not restore_case:
        return text.translate(_tcvn3_translation())
    # Case is restored within one column of one line: two-column header and signature
    # lines ("Bộ Chính trị,      BÍ THƯ") mix styles across the gap.
    parts = re.split(r"(\n|\t+| {3,})", text)
    return "".join(p if i % 2 else _tcvn3_run(p, table) for i, p in enumerate(parts))


def _tcvn3_run(line: str, table: dict[str, str]) -> str:
    """Convert one column of a line, restoring the case of words set in an "H" font.

    A word with capitals after its first letter and no lower-case letter is all
    capitals. One with no such evidence ("Hạ", "Ở", "XỬ") takes the case of the next
    word that has evidence, else of the previous one ("Mục 1. XỬ LÝ THAM NHŨNG", "NHÀ
    Ở"); only words holding a vowel glyph count as witnesses, since bare capitals and Đ
    are mostly abbreviations ("Số: 56-LCT/HĐNN8" stays as it is)."""
    words = list(re.finditer(f"(?:[^\\W\\d_]|[{''.join(map(re.escape, table))}])+", line))
    classes = [_tcvn3_case(m.group(), table) for m in words]
    witness = [c if any(ch in table and ch not in _TCVN3_DD for ch in m.group()) else "?" for c, m in zip(classes, words)]
    decoded = list(line.translate(_tcvn3_translation()))
    for k, m in enumerate(words):
        cls = classes[k]
        if cls == "?":
            nxt = next((c for c in witness[k + 1 :] if c != "?"), None)
            prev = next((c for c in reversed(witness[:k]) if c != "?"), None)
            cls = nxt or prev or "m"
        if cls == "U":
            decoded[m.start() : m.end()] = "".join(decoded[m.start() : m.end()]).upper()
    return "".join(decoded)


def _tcvn3_case(word: str, table: dict[str, str]) -> str:
    """'U' all capitals, 'm' keep as decoded, '?' no evidence beyond a leading capital.

    Evidence is what carries case in TCVN3: ASCII letters and the base-vowel glyphs
    (Ă Â Ê Ô Ơ Ư Đ have their own codes); toned glyphs are caseless."""
    upper_after_first = lower = 0
    for i, ch in enumerate(word):
        if ch in _TCVN3_UPPER or (ch not in table and ch.isupper()):
            upper_after_first += i > 0
        elif ch in _TCVN3_LOWER or (ch not in table and ch.islower()):
            lower += 1
    if lower:
        return "m"
    return "U" if upper_after_first else "?"


# =====================================================================================
# VNI-Windows
# =====================================================================================

# Mark characters after a base letter: (modifier, tone) -> lower-case mark; the
# upper-case mark is the same character upper-cased (ù -> Ù).
_VNI_MARKS: dict[tuple[str, str], str] = {
    ("", "acute"): "ù", ("", "grave"): "ø", ("", "hook"): "û", ("", "tilde"): "õ", ("", "dot"): "ï",
    ("circ", ""): "â", ("circ", "acute"): "á", ("circ", "grave"): "à", ("circ", "hook"): "å",
    ("circ", "tilde"): "ã", ("circ", "dot"): "ä",
    ("breve", ""): "ê", ("breve", "acute"): "é", ("breve", "grave"): "è", ("breve", "hook"): "ú",
    ("breve", "tilde"): "ü", ("breve", "dot"): "ë",
}  # fmt: skip
# Letters VNI writes as one character: the horned vowels, đ, and the i-family and ỵ.
_VNI_SINGLE = {"ơ": "ô", "ư": "ö", "đ": "ñ", "ì": "ì", "í": "í", "ỉ": "æ", "ĩ": "ó", "ị": "ò", "ỵ": "î"}


@lru_cache(maxsize=1)
def _vni_inverse() -> dict[str, str]:
    """Unicode letter -> VNI sequence, for every Vietnamese letter."""
    inv: dict[str, str] = {}
    for uni, leg in _VNI_SINGLE.items():
        inv[uni], inv[uni.upper()] = leg, leg.upper()
    for base in "aeiouy" + "ơư":
        for (mod, tone), mark in _VNI_MARKS.items():
            composed = _compose(base, mod, tone)
            if composed is None or composed in inv or (base in "ơư" and mod):
                continue
            head = _VNI_SINGLE.get(base, base)
            inv.setdefault(composed, head + mark)
            inv.setdefault(composed.upper(), head.upper() + mark.upper())
    return inv


_MOD_MARK = {"circ": "\u0302", "breve": "\u0306", "horn": "\u031b"}
_TONE_MARK = {v: k for k, v in _TONES.items()}


def _compose(base: str, mod: str, tone: str) -> str | None:
    """'a' + 'circ' + 'acute' -> 'ấ'; None if that letter is not Vietnamese."""
    if mod == "circ" and base not in "aeo" or mod == "breve" and base != "a" or mod and mod not in _MOD_MARK:
        return None  # (``_horn`` marks a horn on a letter that cannot take one as "bad")
    s = base + (_MOD_MARK[mod] if mod else "") + (_TONE_MARK[tone] if tone else "")
    out = unicodedata.normalize("NFC", s)
    return out if len(out) == 1 else None


@lru_cache(maxsize=1)
def _vni_table() -> dict[str, str]:
    """VNI sequence -> Unicode; also accepts viparse's "yï" spelling of ỵ."""
    table = {leg: uni for uni, leg in _vni_inverse().items()}
    for leg, uni in (("yï", "ỵ"), ("YÏ", "Ỵ"), ("iø", "ì"), ("iù", "í"), ("IØ", "Ì"), ("IÙ", "Í")):
        table.setdefault(leg, uni)
    return table


def _vni_decode(text: str) -> str:
    table = _vni_table()
    pattern = _vni_pattern()
    return pattern.sub(lambda m: table[m.group()], text)


@lru_cache(maxsize=1)
def _vni_pattern() -> re.Pattern[str]:
    keys = sorted(_vni_table(), key=len, reverse=True)
    return re.compile("|".join(map(re.escape, keys)))


# =====================================================================================
# VIQR (RFC 1456)
# =====================================================================================

_VIQR_MOD = {"^": "circ", "(": "breve", "+": "horn"}
_VIQR_TONE = {"'": "acute", "`": "grave", "?": "hook", "~": "tilde", ".": "dot"}
_VIQR_MARKS = "".join(_VIQR_MOD) + "".join(_VIQR_TONE)
_VOWELS = "aeiouyAEIOUY"


def _viqr_decode(text: str) -> str:
    """RFC 1456: vowel [^ ( +] [' ` ? ~ .], "dd" -> đ, "\\" escapes the next mark.

    One tone per syllable: a mark after the syllable's vowels already took a tone is
    punctuation, so "ba'o." keeps its full stop (a consonant starts a new syllable, so
    words run together, "lua^.tcu?a", still convert).
    """
    out: list[str] = []
    i, n = 0, len(text)
    toned = False
    while i < n:
        c = text[i]
        if c == "\\" and i + 1 < n and (text[i + 1] in _VIQR_MARKS or text[i + 1] in "\\dD"):
            out.append(text[i + 1])
            i += 2
            toned = False
            continue
        if c in "dD" and i + 1 < n and text[i + 1] in "dD":
            out.append("đ" if c == "d" else "Đ")
            i += 2
            toned = False
            continue
        if c in _VOWELS:
            j = i + 1
            mod = tone = ""
            if j < n and text[j] in _VIQR_MOD and _compose(c.lower(), _horn(text[j], c), "") is not None:
                mod = _VIQR_MOD[text[j]]
                j += 1
            if j < n and text[j] in _VIQR_TONE and not toned:
                tone = _VIQR_TONE[text[j]]
                j += 1
                toned = True
            out.append(_viqr_letter(c, mod, tone))
            i = j
            continue
        toned = False  # a consonant or a non-letter ends the syllable's vowels
        out.append(c)
        i += 1
    return "".join(out)


def _horn(mark: str, base: str) -> str:
    """Horn is written like a modifier but only o and u take it."""
    if mark == "+":
        return "" if base.lower() in "ou" else "bad"
    return _VIQR_MOD[mark]


def _viqr_letter(base: str, mod: str, tone: str) -> str:
    if mod == "horn":
        s = base + "\u031b" + (_TONE_MARK[tone] if tone else "")
        return unicodedata.normalize("NFC", s)
    letter = _compose(base.lower(), mod, tone) or base.lower()
    return letter.upper() if base.isupper() else letter


def _viqr_encode(text: str) -> str:
    out: list[str] = []
    prev_vowel = False
    for k, ch in enumerate(text):
        nxt = text[k + 1] if k + 1 < len(text) else ""
        if ch in "đĐ":
            out.append("dd" if ch == "đ" else "DD")
            prev_vowel = False
            continue
        parts = unicodedata.normalize("NFD", ch)
        base = parts[0]
        if base in _VOWELS:
            marks = parts[1:]
            mod = next((m for m in marks if m in _MODS), "")
            tone = next((m for m in marks if m in _TONES), "")
            out.append(base + {"\u0302": "^", "\u0306": "(", "\u031b": "+", "": ""}[mod])
            out.append({v: k2 for k2, v in _VIQR_TONE.items()}.get(_TONES.get(tone, ""), ""))
            prev_vowel = True
            continue
        if ch in _VIQR_MARKS and prev_vowel or ch == "\\" and nxt and nxt in _VIQR_MARKS + "\\dD":
            out.append("\\" + ch)
        elif ch in "dD" and nxt and nxt in "dD":
            out.append(ch + "\\")
        else:
            out.append(ch)
        prev_vowel = False
    return "".join(out)


_VIQR_WORD_RE = re.compile(r"[A-Za-z]*[aeiouyAEIOUY](?:[\^(+][`'?~.]?|[`'?~])[A-Za-z]|[A-Za-z]*(?:dd|DD)[aeiouyAEIOUY]")


def _viqr_share(text: str) -> float:
    """Share of words that carry a VIQR mark *inside* the word (not trailing punctuation)."""
    words = text.split()
    if not words:
        return 0.0
    return sum(1 for w in words if _VIQR_WORD_RE.search(w) or re.search(r"[aeiouyAEIOUY][\^(+]", w)) / len(words)


# =====================================================================================
# Public API
# =====================================================================================


def to_unicode(text: str, encoding: str, *, restore_case: bool = True) -> str:
    """Convert legacy-encoded ``text`` to NFC Unicode.

    ``restore_case=False`` is for text whose font is known (a Word run in ``.VnTime``):
    the glyphs then mean exactly what the table says, and an "H" font is upper-cased
    by the caller."""
    if encoding == "tcvn3":
        out = _tcvn3_decode(text, restore_case)
    elif encoding == "vni":
        out = _vni_decode(text)
    elif encoding == "viqr":
        out = _viqr_decode(text)
    else:
        raise ValueError(f"unknown legacy encoding {encoding!r} (known: {', '.join(ENCODINGS)})")
    return unicodedata.normalize("NFC", out)


def from_unicode(text: str, encoding: str) -> str:
    """Unicode -> legacy spelling (what an old file holds, as Latin-1 characters)."""
    text = unicodedata.normalize("NFC", text)
    if encoding == "tcvn3":
        inv = _tcvn3_inverse()
        return "".join(inv.get(ch, ch) for ch in text)
    if encoding == "vni":
        inv = _vni_inverse()
        return "".join(inv.get(ch, ch) for ch in text)
    if encoding == "viqr":
        return _viqr_encode(text)
    raise ValueError(f"unknown legacy encoding {encoding!r} (known: {', '.join(ENCODINGS)})")


_ONSET = r"(?:ngh|ng|gh|gi|kh|nh|ph|qu|th|tr|ch|[bcdđghklmnpqrstvx])?"
_SYLLABLE_RE = re.compile(rf"^{_ONSET}[aăâeêioôơuưy]{{1,3}}(?:ch|ng|nh|[cmnpt])?$")


def valid_syllable_share(text: str) -> float:
    """Share of words that are well-formed Vietnamese syllables (at most one tone).

    A correct conversion yields almost only syllables; a wrong table, or another
    language, yields many non-syllables. This is what decides between candidates."""
    words = re.findall(r"[^\W\d_]+", text.lower())
    words = [w for w in words if len(w) > 1 or not w.isascii()]
    if not words:
        return 0.0
    good = 0
    for w in words:
        d = unicodedata.normalize("NFD", w)
        tones = sum(1 for c in d if c in _TONES)
        base = unicodedata.normalize("NFC", "".join(c for c in d if c not in _TONES))
        good += tones <= 1 and bool(_SYLLABLE_RE.match(base))
    return good / len(words)


def _vietnamese_letter_share(text: str) -> float:
    letters = [ch for ch in text if ch.isalpha()]
    if not letters:
        return 0.0
    viet = sum(1 for ch in letters if "\u1ea0" <= ch <= "\u1ef9" or ch in "ăĂđĐơƠưƯ")
    return viet / len(letters)


_MIN_SHARE = 0.6  # converted text must be mostly syllables ...
_MIN_GAIN = 0.15  # ... and clearly more so than the text as it was


def detect_legacy(text: str) -> str | None:
    """The legacy encoding ``text`` is in, or None (Unicode, plain ASCII, other language).

    Only text with (almost) no Unicode Vietnamese letters is considered. Candidates are
    trial-converted; the winner must read as Vietnamese syllables, clearly better than
    the text unconverted. VIQR is only tried on text whose words carry VIQR marks.
    """
    sample = text[:20000]
    if _vietnamese_letter_share(sample) > 0.005:
        return None
    candidates: list[str] = []
    latin1 = sum(1 for ch in sample if "\u00a0" <= ch <= "\u00ff") / max(1, len(sample))
    if latin1 >= 0.01:
        candidates += ["tcvn3", "vni"]
    if _viqr_share(sample) >= 0.25:
        candidates.append("viqr")
    if not candidates:
        return None
    base = valid_syllable_share(sample)
    scored = sorted(((valid_syllable_share(to_unicode(sample, c)), c) for c in candidates), reverse=True)
    share, best = scored[0]
    if share < _MIN_SHARE or share - base < _MIN_GAIN:
        return None
    if _vietnamese_letter_share(to_unicode(sample, best)) < 0.05:
        return None
    return best


def repair(text: str) -> tuple[str, str | None]:
    """``(converted text, encoding)`` if ``text`` is legacy-encoded, else ``(text, None)``."""
    name = detect_legacy(text)
    if name is None:
        return text, None
    return to_unicode(text, name), name
