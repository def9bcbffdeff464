"""Text normalisation and analysis: one analyzer for passages and queries.

Display text is never altered here. Every function returns a *new* string or an
index copy (a list of terms), so quotes shown to users stay exact substrings of the
stored original.

Pipeline of :meth:`Analyzer.analyze` (the query side runs the very same code):

1. ``nfc`` + control/format characters replaced by spaces + ``unify_tone_marks``
   (``hoá`` -> ``hóa``, ``Tỉnh uỷ`` -> ``Tỉnh ủy``), so both spellings meet in the index.
2. Protected tokens are cut out with regexes *before* word segmentation, because
   underthesea splits ``11-KL/TU`` into ``11 - KL / TU`` and ``25%/năm`` into
   ``25 % / năm``: document numbers, dates, percentages, thousand-separated amounts,
   numbers with glued units and year ranges each become fixed terms (see ``_PROTECTED``).
3. The text between them goes through underthesea's own regex pre-tokenizer and its
   CRF word segmenter (the model ships inside the wheel; nothing is downloaded).
   Only ``word_tokenize`` machinery is used: classify/sentiment/parse/translate would
   fetch models and are never called.
4. Terms: every syllable (lower-cased) is a term, and every multi-syllable word is an
   extra term joined by ``_`` (``công_nghiệp``). Syllables make query and passage match
   even when the segmenter cuts them differently (accent-less queries segment badly);
   compounds add precision. Pure punctuation is dropped, and so are the function words
   in ``STOPWORDS``. Text with no diacritic at all (an accent-less query) is not
   segmented: syllables only.
5. ``folded`` is ``fold(term)`` for each term, for queries typed without diacritics.
"""

from __future__ import annotations

import bisect
import logging
import os
import re
import threading
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

os.environ.setdefault("HF_HUB_OFFLINE", "1")
_log = logging.getLogger(__name__)

#: Bump when the analyzer's output changes: the index settings hash includes it, so
#: indexes built by an older analyzer are rebuilt instead of silently mismatching queries.
ANALYZER_VERSION = 2

__all__ = [
    "ABBREVIATIONS",
    "FUNCTION_WORDS",
    "STOPWORDS",
    "WORD_RE",
    "Analysis",
    "Analyzer",
    "fold",
    "function_words",
    "has_diacritics",
    "key",
    "nfc",
    "split_sentences",
    "unify_tone_marks",
]

# --------------------------------------------------------------------------------------
# Unicode helpers
# --------------------------------------------------------------------------------------


def nfc(s: str) -> str:
    """Unicode NFC: precomposed Vietnamese letters, so equal text compares equal."""
    return unicodedata.normalize("NFC", s)


# The five Vietnamese tone marks as combining characters (acute, grave, hook, tilde, dot).
_TONES = frozenset("\u0301\u0300\u0309\u0303\u0323")
_VOWELS = frozenset("aăâeêioôơuưy")
_SYLLABLE_RE = re.compile(r"[^\W\d_]+")
# Only syllables with one of the pairs oa / oe / uy (any tone, any case) can change.
_CANDIDATE_RE = re.compile(r"[oòóỏõọuùúủũụ][aàáảãạeèéẻẽẹyỳýỷỹỵ]", re.IGNORECASE)


@lru_cache(maxsize=1 << 16)
def _unify_syllable(word: str) -> str:
    """Move the tone mark of an ``oa``/``oe``/``uy`` nucleus to its conventional vowel.

    Without a final consonant the mark goes on the first vowel (``hóa``, ``khỏe``,
    ``thủy``) - the placement underthesea's own normaliser writes; with a final
    consonant it goes on the second (``hoán``, ``xoèn``, ``huých``). ``qu`` + ``y`` is a
    consonant + vowel (``quý``), and ``uyê``/``uya``/``uyu``/``oai``/``oay`` are other
    nuclei (``quyết``, ``khuya``, ``khuỷu``, ``ngoài``), so none of them change.
    """
    if not _CANDIDATE_RE.search(word):
        return word
    bases: list[str] = []
    tones: list[str] = []
    for ch in word:
        decomposed = unicodedata.normalize("NFD", ch)
        tone = "".join(c for c in decomposed if c in _TONES)
        bases.append(unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in _TONES)))
        tones.append(tone)
    lower = [b.lower() for b in bases]
    vowel_idx = [i for i, b in enumerate(lower) if b in _VOWELS]
    if len(vowel_idx) != 2 or vowel_idx[1] != vowel_idx[0] + 1:
        return word
    first, second = vowel_idx
    nucleus = lower[first] + lower[second]
    onset = "".join(lower[:first])
    if nucleus not in ("oa", "oe", "uy") or (nucleus == "uy" and onset.endswith("q")):
        return word
    if any(tones[i] for i in range(len(word)) if i not in (first, second)):
        return word
    marks = [tones[first], tones[second]]
    if sum(1 for t in marks if t) != 1 or any(len(t) > 1 for t in marks):
        return word
    mark = marks[0] or marks[1]
    target = first if second == len(word) - 1 else second
    tones[first] = tones[second] = ""
    tones[target] = mark
    return "".join(unicodedata.normalize("NFC", b + t) for b, t in zip(bases, tones))


def unify_tone_marks(s: str) -> str:
    """NFC, then write every ``oa``/``oe``/``uy`` syllable with one tone-mark placement.

    Vietnamese has two placements in use (``hoá``/``hóa``, ``uỷ``/``ủy``, ``khoẻ``/``khỏe``);
    the index must not care which one a document or a query used. The target is the
    ``hóa``/``thủy`` form (linguists call it the traditional placement; the other one is
    the 1980s school "new style"); it is also what underthesea emits. Works syllable by
    syllable and only on the tone mark, so letters, case and other syllables are
    untouched (``HOÁ`` -> ``HÓA``, ``hoán``/``quyết``/``khuya``/``quý`` unchanged).
    """
    return _SYLLABLE_RE.sub(lambda m: _unify_syllable(m.group(0)), nfc(s))


_COMBINING_RE = re.compile("[\u0300-\u036f]")
_D_TABLE = str.maketrans({"đ": "d", "Đ": "D"})


def fold(s: str) -> str:
    """Remove diacritics and map ``đ``/``Đ`` to ``d``/``D``: the accent-less form users type.

    Only Latin combining marks (U+0300-U+036F) are removed, so other scripts pass through.
    """
    stripped = _COMBINING_RE.sub("", unicodedata.normalize("NFD", s))
    return unicodedata.normalize("NFC", stripped).translate(_D_TABLE)


def key(s: str, folded: bool = False) -> str:
    """The one comparison key of the project: tone marks unified, optionally folded,
    lower-case, whitespace collapsed. Filters, matching, highlighting and evaluation
    all compare through it, so "Quảng Trị", "quang tri" and "QUẢNG  TRỊ" agree."""
    out = " ".join(unify_tone_marks(s).lower().split())
    return fold(out) if folded else out


#: Words of running text as the project's matchers see them: numbers (with decimal or
#: thousand separators and an optional %) and runs of letters.
WORD_RE = re.compile(r"\d+(?:[.,]\d+)*%?|[^\W\d_]+")


def has_diacritics(s: str) -> bool:
    """True if ``s`` has a letter with a Vietnamese mark (tone, ˆ, ˘, horn) or ``đ``/``Đ``.

    Tells whether a query was typed with accents (then the accented index is the
    precise one) or without (then only the folded index can match).
    """
    return "đ" in s or "Đ" in s or bool(_COMBINING_RE.search(unicodedata.normalize("NFD", s)))


# Control (Cc), format (Cf: zero-width, BOM, soft hyphen), surrogate and private-use
# characters become spaces in the index copy; newlines and tabs are kept as separators.
def _is_junk(ch: str) -> bool:
    return ch not in "\n\t" and unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co")


def _junk_class() -> str:
    """A regex character class of all junk code points, as ranges (computed once).

    It runs at every start of the process, so it scans only where such characters can
    be: planes 0-2 and 14 character by character; the private-use planes 15-16 are Co
    but for their last two code points (noncharacters), and planes 3-13 hold none
    (``tests/test_text.py`` checks this against a scan of every code point)."""
    category, junk_cats = unicodedata.category, ("Cc", "Cf", "Cs", "Co")
    scanned = [*range(0x30000), *range(0xE0000, 0xF0000)]
    codes = [c for c in scanned if category(chr(c)) in junk_cats and c not in (9, 10)]
    codes += [*range(0xF0000, 0xFFFFE), *range(0x100000, 0x10FFFE)]
    ranges: list[str] = []
    start = prev = codes[0]
    for c in [*codes[1:], -2]:
        if c != prev + 1:
            ranges.append(re.escape(chr(start)) + ("-" + re.escape(chr(prev)) if prev > start else ""))
            start = c
        prev = c
    return "[" + "".join(ranges) + "]"


#: ``_junk_class()`` by Unicode version, so that a start does not scan 260k code points
#: (~0.1 s of every command); another version computes it (tests/test_text.py compares).
_JUNK_CLASSES = {
    '14.0.0': (
        '[\x00-\x08\\\x0b-\x1f\x7f-\x9f\xad\u0600-\u0605\u061c\u06dd\u070f\u0890-\u0891\u08e2\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ud800-\uf8ff\ufeff\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U00013438\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f\U000f0000-\U000ffffd\U00100000-\U0010fffd]'
    ),
}
_JUNK_RE = re.compile(_JUNK_CLASSES.get(unicodedata.unidata_version) or _junk_class())


def _prepare(text: str) -> str:
    """The index copy's base form: junk characters -> spaces, NFC, unified tone marks."""
    text = _JUNK_RE.sub(" ", text.replace("\r\n", "\n").replace("\r", "\n"))
    return unify_tone_marks(text)


# --------------------------------------------------------------------------------------
# Sentences
# --------------------------------------------------------------------------------------

# Words whose trailing dot is not a sentence end: titles, place prefixes, degrees.
_ABBREVIATIONS = frozenset(
    "tp tx tt q p ths ts pgs gs bs ks kts th.s gs.ts pgs.ts st mr mrs ms dr nxb tr sđd ông bà".split()
)
_SENT_PUNCT_RE = re.compile(r"(?:\.{2,}|[.!?…]+)[\"”’»)\]*]*")
_LIST_MARKER_RE = re.compile(r"^[\s*#>_]*(?:[IVXLCDM]+|\d+(?:\.\d+)*|[a-zđ])$")
_HEADING_NUMBER_RE = re.compile(
    r"(?:Điều|Khoản|Chương|Mục|Phần|Điểm|Phụ lục)\s+(?:\d+[a-z]?|[IVXLCDM]+)$", re.IGNORECASE
)
_WORD_BEFORE_RE = re.compile(r"[\w.]+$")
_LOOKBACK = 48
_SENTENCE_OPENERS = "\"“‘«([-–•*+"


def _is_sentence_end(text: str, start: int, end: int, line_start: int) -> bool:
    """Is the punctuation run ``text[start:end]`` the end of a sentence?

    Required: whitespace after it and then an upper-case letter, a digit, an opening
    quote/bracket, a bullet, or the end of the line. A single dot does not end a
    sentence after an abbreviation (``TP.``), an initial (``V.``), a list marker at the
    start of a line (``1.``, ``II.``, ``a.``) or a heading number (``Điều 5.``).
    """
    n = len(text)
    j = end
    while j < n and text[j] in " \t":
        j += 1
    if j == end and j < n and text[j] != "\n":
        return False  # "1.260", "II.2", "TP.HCM", "v.v.": no space, no boundary
    if j < n and text[j] != "\n":
        nxt = text[j]
        if not (nxt.isupper() or nxt.isdigit() or nxt in _SENTENCE_OPENERS):
            return False
    run = text[start:end].rstrip("\"”’»)]*")
    if run != ".":
        return True
    # Look back a bounded distance only: a 100 KB line must not make this quadratic.
    before = text[max(line_start, start - _LOOKBACK) : start]
    word_m = _WORD_BEFORE_RE.search(before)
    word = word_m.group(0).strip(".") if word_m else ""
    if word.lower() in _ABBREVIATIONS or (len(word) == 1 and word.isalpha()):
        return False
    if start - line_start <= _LOOKBACK and _LIST_MARKER_RE.match(before):
        return False
    return not _HEADING_NUMBER_RE.search(before)


_LINE_BREAK_RE = re.compile(r"\n(?:[ \t]*\n)*")
_BULLET_RE = re.compile(r"(?:[-–+•*]|\d+(?:\.\d+)*[.)]|[a-zđ][.)]|[IVXLCDM]+[.)])(?:\s|$)")


def _is_wrap(prev: str, nxt: str, blank: bool) -> bool:
    """Does the line ``nxt`` continue the sentence of line ``prev``?

    Yes when it starts with a lower-case letter (and is not a list item ``a)``) and
    ``prev`` has no closing punctuation; across a single newline also when ``prev``
    ends with a comma (wrapped headings). Source files often break lines, even with
    blank lines, in the middle of a sentence.
    """
    if not prev or not nxt or _BULLET_RE.match(nxt):
        return False
    if nxt[0].islower() and prev[-1] not in ".!?;:…":
        return True
    return not blank and prev.endswith(",")


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans ``(start, end)`` into ``text`` itself, trimmed of white space.

    A careful regex splitter rather than ``underthesea.sent_tokenize``: that one returns
    strings (offsets would have to be searched back), cuts at every dot not between two
    digits (``mục II.2``, ``www.x.vn``), and makes ``1.``/``II.`` list markers separate
    sentences. Rules here:

    * a line break ends a sentence unless the text merely wraps there (``_is_wrap``:
      the next line starts in lower case, or a single newline follows a comma);
    * ``. ! ? …`` end a sentence only when followed by white space and then an upper-case
      letter, digit, quote, bracket or bullet (see ``_is_sentence_end``), so
      ``11-KL/TU``, ``13- NQ/TU``, ``1.260``, ``TP. Hồ Chí Minh`` and ``v.v. và`` hold together;
    * spans with no letter or digit (``*``, ``---``) are dropped.

    ``text[start:end]`` is always an exact substring, so it can be quoted as is.
    """
    if not text:
        return []
    n = len(text)
    cuts: set[int] = set()
    # line boundaries: each line (run of newlines) is a cut unless the text wraps
    for m in _LINE_BREAK_RE.finditer(text):
        prev = text[text.rfind("\n", 0, m.start()) + 1 : m.start()].rstrip()
        next_end = text.find("\n", m.end())
        nxt = text[m.end() : n if next_end < 0 else next_end].lstrip()
        if _is_wrap(prev, nxt, blank=m.group(0).count("\n") > 1):
            continue
        cuts.add(m.end())
    # punctuation boundaries
    newlines = [m.start() for m in re.finditer("\n", text)]
    for m in _SENT_PUNCT_RE.finditer(text):
        k = bisect.bisect_left(newlines, m.start())
        line_start = newlines[k - 1] + 1 if k else 0
        if _is_sentence_end(text, m.start(), m.end(), line_start):
            cuts.add(m.end())
    spans: list[tuple[int, int]] = []
    points = [0, *sorted(cuts), n]
    for a, b in zip(points, points[1:]):
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if a < b and any(ch.isalnum() for ch in text[a:b]):
            spans.append((a, b))
    return spans


# --------------------------------------------------------------------------------------
# Protected tokens
# --------------------------------------------------------------------------------------

# Function words only (conjunctions, prepositions, classifiers/plural markers, aspect
# markers, copula, demonstratives) plus question words that appear in queries but not in
# passages ("bao nhiêu", "gì", "nào"). Content words, numbers and words that carry
# meaning in this domain ("trên 25%", "dưới", "không", "chưa", "sau", "trước") stay.
STOPWORDS: frozenset[str] = frozenset(
    """
    và của các là có được những trong cho với thì mà này đó để theo về đã đang sẽ bị
    cũng nhưng hoặc hay nếu tại do vì nên rằng như ở từ đến một mỗi nhiều vào lại
    gì nào nhiêu bao_nhiêu thế_nào như_thế_nào là_gì
    """.split()
)

#: Single words that carry no evidence that a text answers a question: the one-syllable
#: STOPWORDS plus question and filler words typed in questions. Used by answering (which
#: words must occur in the evidence) and by highlighting (which words count as matched).
FUNCTION_WORDS: frozenset[str] = frozenset(w for w in STOPWORDS if "_" not in w) | frozenset(
    "ra sao ai đâu mấy khi bao nhiêu gì nào thế hãy biết kê liệt hỏi vậy không chưa còn thì".split()
)
_FUNCTION_WORDS_FOLDED: frozenset[str] = frozenset(fold(w) for w in FUNCTION_WORDS)


#: Abbreviations of administrative Vietnamese and what they stand for: a question that
#: says "Ban cán sự đảng" is answered by a sentence that writes "BCSĐ", and the reverse.
ABBREVIATIONS: dict[str, str] = {
    "BCSĐ": "Ban cán sự đảng", "HĐND": "Hội đồng nhân dân", "UBND": "Ủy ban nhân dân", "MTTQ": "Mặt trận Tổ quốc",
    "BTV": "Ban Thường vụ", "BCH": "Ban Chấp hành", "TW": "Trung ương", "TƯ": "Trung ương",
    "TTCN": "tiểu thủ công nghiệp", "KCN": "khu công nghiệp", "CCN": "cụm công nghiệp", "KKT": "khu kinh tế",
    "NSNN": "ngân sách nhà nước", "HTX": "hợp tác xã", "CCHC": "cải cách hành chính", "NTM": "nông thôn mới",
    "ĐBQH": "đại biểu Quốc hội", "BHXH": "bảo hiểm xã hội", "BHYT": "bảo hiểm y tế", "DNNN": "doanh nghiệp nhà nước",
    "CNH": "công nghiệp hóa", "HĐH": "hiện đại hóa", "QPAN": "quốc phòng an ninh", "KTXH": "kinh tế xã hội",
}


def function_words(folded: bool = False) -> frozenset[str]:
    """``FUNCTION_WORDS`` in the accented or the folded key space."""
    return _FUNCTION_WORDS_FOLDED if folded else FUNCTION_WORDS


_CODE = r"[A-ZĐ][A-Za-zĐđ0-9]*"
_CODES = rf"{_CODE}(?:-{_CODE})*"
_NUM = r"\d+(?:[.,]\d+)*"
# (?<![...]) / (?![...]) keep matches from starting or ending inside a longer token.
_PROTECTED = re.compile(
    "|".join(
        [
            # "ngày 12 tháng 01 năm 2012": words stay, plus the canonical date term
            r"(?P<wdate>\b[Nn]gày\s+(?P<wd>0?[1-9]|[12]\d|3[01])\s+tháng\s+"
            r"(?P<wm>0?[1-9]|1[0-2])\s+năm\s+(?P<wy>\d{4})\b)",
            # "11-KL/TU", "13- NQ/TU", "07-NQ/TW", "102-QĐ/TU"
            rf"(?P<docd>(?<![\w/.,-])\d{{1,5}}[a-z]?\s?[-–]\s?{_CODES}(?:/{_CODES})+(?![\w/]))",
            # "61/2020/QH14", "01/2012/NĐ-CP", "1956/QĐ-TTg", "12/NQ-HĐND"
            rf"(?P<docs>(?<![\w/.,-])\d{{1,5}}(?:/\d{{4}})?(?:/{_CODES})+(?![\w/]))",
            # "12/01/2012", "5-1-2004", "20.08.2014"
            r"(?P<date>(?<![\w/.,-])(?P<dd>0?[1-9]|[12]\d|3[01])(?P<sep>[/.-])"
            r"(?P<dm>0?[1-9]|1[0-2])(?P=sep)(?P<dy>\d{4})(?![\w/]|[.,]\d))",
            # "2011 - 2015", "2011-2015", "2011– 2015"
            r"(?P<years>(?<![\w/.,-])(?P<y1>(?:19|20)\d{2})\s*[-–]\s*(?P<y2>(?:19|20)\d{2})(?![\w/]|[.,]\d))",
            # "25%", "11,94 %"
            rf"(?P<pct>(?<![\w.,]){_NUM}\s?%)",
            # "64MW", "500kV", "2ha": the glued form, the number and the unit
            rf"(?P<unit>(?<![\w.,])(?P<un>{_NUM})(?P<uu>[^\W\d_]{{1,5}})(?!\w))",
            # "1.260", "8.000.000", "1.260,5": thousand separators
            r"(?P<amt>(?<![\w.,])\d{1,3}(?:\.\d{3})+(?:,\d+)?(?![\w]|[.,]\d))",
        ]
    )
)

_TERM_RE = re.compile(r"\d+(?:[.,]\d+)+|[^\W_]+")


def _strip_zeros(digits: str) -> str:
    """``"01"`` -> ``"1"``, so ``tháng 01`` and ``tháng 1`` give the same term."""
    return digits.lstrip("0") or "0"


def _protected_terms(m: re.Match[str]) -> list[str]:
    """The fixed terms a protected match stands for (lower-case, canonical)."""
    kind = m.lastgroup
    text = m.group(0)
    if kind == "wdate":
        d, mo, y = m.group("wd"), m.group("wm"), m.group("wy")
        return ["ngày", _strip_zeros(d), "tháng", _strip_zeros(mo), "năm", y, f"{int(d):02d}/{int(mo):02d}/{y}"]
    if kind in ("docd", "docs"):
        code = re.sub(r"\s+", "", text).replace("–", "-").lower()
        lead = re.match(r"\d+", code)
        assert lead is not None
        number = _strip_zeros(lead.group(0))
        return [number + code[lead.end() :], number]
    if kind == "date":
        d, mo, y = m.group("dd"), m.group("dm"), m.group("dy")
        return [f"{int(d):02d}/{int(mo):02d}/{y}", y]
    if kind == "years":
        return [m.group("y1"), m.group("y2")]
    if kind == "pct":
        return [re.sub(r"\s+", "", text)]
    if kind == "unit":
        num, unit = m.group("un"), m.group("uu").lower()
        return [num + unit, num, unit]
    if kind == "amt":
        return [text, text.replace(".", "")]
    return [text.lower()]  # pragma: no cover - every group is handled above


_NUMBER_TOKEN_RE = re.compile(r"(?<![\w])\d+(?:[.,]\d+)*")


def exact_facts(text: str) -> dict[str, set[str]]:
    """The facts of ``text`` that must be quoted exactly, in canonical form:
    ``"date"`` (``dd/mm/yyyy``, whatever way it was written), ``"docno"`` (số hiệu,
    lower-case, leading zeros dropped) and ``"number"`` (every number; ``01`` -> ``1``,
    ``8.000`` -> ``8000``). Used to check a generated sentence against its passages."""
    out: dict[str, set[str]] = {"date": set(), "docno": set(), "number": set()}
    t = nfc(text)
    for m in _PROTECTED.finditer(t):
        kind = m.lastgroup
        if kind in ("wdate", "date"):
            out["date"].add(_protected_terms(m)[-1 if kind == "wdate" else 0])
        elif kind in ("docd", "docs"):
            out["docno"].add(_protected_terms(m)[0])
    for m in _NUMBER_TOKEN_RE.finditer(t):
        n = m.group(0)
        if re.fullmatch(r"\d{1,3}(?:\.\d{3})+", n):
            n = n.replace(".", "")
        head, sep, tail = re.match(r"(\d+)([.,]?)(.*)", n).groups()  # type: ignore[union-attr]
        out["number"].add(_strip_zeros(head) + sep + tail)
    return out


# --------------------------------------------------------------------------------------
# Segmentation (underthesea)
# --------------------------------------------------------------------------------------


def underthesea_version() -> str:
    try:
        from importlib.metadata import version

        return version("underthesea")
    except Exception:  # noqa: BLE001 - metadata missing in an odd install: still analyse
        return "unknown"


def analyzer_fingerprint(with_segmenter: bool = False) -> dict[str, str]:
    """What shapes the index copy of the text: our analyzer version and underthesea's
    version (both in the settings hash, so an upgrade rebuilds the index), and with
    ``with_segmenter`` the segmentation path actually taken (loads the CRF model; the
    fallback path is also logged when it is taken)."""
    out = {"analyzer": str(ANALYZER_VERSION), "underthesea": underthesea_version()}
    if with_segmenter:
        out["segmenter"] = _Segmenter.get().path
    return out
#: underthesea's package __init__ imports these optional pipelines eagerly (translate
#: pulls in transformers: seconds of a cold start, 10 s on a busy machine) and keeps
#: None for any that fails to import. We use none of them (they download models).
_UNDERTHESEA_OPTIONAL = (
    "underthesea.pipeline.classification",
    "underthesea.pipeline.sentiment",
    "underthesea.pipeline.lang_detect",
    "underthesea.pipeline.dependency_parse",
    "underthesea.pipeline.translate",
    "underthesea.agent",
    "underthesea.address",
)


def _import_underthesea() -> None:
    """Import underthesea without its optional pipelines: each is made to fail its import
    once (``sys.modules[name] = None``), then forgotten, so an explicit import still works."""
    import sys

    if "underthesea" in sys.modules:
        return
    blocked = [m for m in _UNDERTHESEA_OPTIONAL if m not in sys.modules]
    for m in blocked:
        sys.modules[m] = None  # type: ignore[assignment]
    try:
        import underthesea  # noqa: F401
    finally:
        for m in blocked:
            if sys.modules.get(m, 0) is None:
                del sys.modules[m]


def _underthesea_parts() -> tuple[Callable[..., list[str]], Any, Path]:
    """underthesea's regex pre-tokenizer, its CRF tagger class and the directory of its
    segmentation model, loaded without running ``underthesea/__init__`` when underthesea is
    not imported yet.

    Why: that ``__init__`` imports every pipeline (chunking, ner, pos_tag...; ~0.15-0.3 s of
    each start) and a search needs only this one. Under the import lock (no other thread can
    see it), a bare package object stands in for ``underthesea`` while ``text_normalize`` and
    ``regex_tokenize`` load; then it and the modules loaded under it leave ``sys.modules``, so
    a later ``import underthesea`` builds the real package as usual."""
    import importlib
    import importlib.util
    import sys
    import types

    def load() -> tuple[Callable[..., list[str]], Any, Path]:
        importlib.import_module("underthesea.pipeline.text_normalize")  # first, as underthesea's __init__ does
        regex = importlib.import_module("underthesea.pipeline.word_tokenize.regex_tokenize")
        crf = importlib.import_module("underthesea.models.fast_crf_sequence_tagger")
        model_dir = Path(str(regex.__file__)).parent / "models" / "ws_crf_vlsp2013_20230727"
        return regex.tokenize, crf.FastCRFSequenceTagger, model_dir

    if "underthesea" in sys.modules:
        return load()
    spec = importlib.util.find_spec("underthesea")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("underthesea is not installed")
    import _imp

    _imp.acquire_lock()
    before = set(sys.modules)
    try:
        stand_in = types.ModuleType("underthesea")
        stand_in.__path__ = list(spec.submodule_search_locations)
        stand_in.__spec__ = spec
        sys.modules["underthesea"] = stand_in
        return load()
    finally:
        for name in set(sys.modules) - before:
            if name == "underthesea" or name.startswith("underthesea."):
                del sys.modules[name]
        _imp.release_lock()


def _load_crf(tagger_class: Any, model_dir: Path) -> Any:
    """underthesea's CRF segmenter, built as ``FastCRFSequenceTagger.load`` builds it but with
    its word lists read by :func:`_plain_data`; files that are not plain data take
    underthesea's own loader."""
    import pickle

    from underthesea_core import CRFFeaturizer, CRFTagger

    tagger = tagger_class()
    try:
        features = _plain_data(model_dir / "features.bin")
        dictionary = _plain_data(model_dir / "dictionary.bin")
    except (pickle.UnpicklingError, EOFError, ValueError, TypeError):
        tagger.load(str(model_dir))
        return tagger
    estimator = CRFTagger()
    estimator.load(str(model_dir / "models.bin"))
    tagger.featurizer, tagger.estimator = CRFFeaturizer(features, dictionary), estimator
    return tagger


def _plain_data(path: Path) -> Any:
    """A joblib file of plain data (underthesea's feature templates, a list, and word
    dictionary, a set of strings), read by an unpickler that refuses every class and function:
    nothing in the file can run code (``joblib.load`` imports whatever a file names), and at C
    speed (joblib's unpickler is pure Python: 0.1 s for the 72k-word dictionary)."""
    import pickle

    class _DataOnly(pickle.Unpickler):
        def find_class(self, module: str, name: str) -> Any:
            raise pickle.UnpicklingError(f"{path.name}: refers to {module}.{name}, not plain data")

    with open(path, "rb") as fh:
        return _DataOnly(fh).load()


class _Segmenter:
    """underthesea's CRF word segmenter, on our own token sequences.

    ``word_tokenize`` runs the regex pre-tokenizer, then the CRF on one sentence at a
    time, and rewrites tone marks on the way. We call the same two pieces directly:
    the pre-tokenizer without its normalisation (our ``_prepare`` already did it, and
    tokens stay exact substrings), and the CRF on our own sequences, so protected
    tokens can sit in them as single tokens. If underthesea's internals ever move, we
    fall back to the public ``word_tokenize`` per sequence.
    """

    _lock = threading.Lock()
    _instance: "_Segmenter | None" = None

    def __init__(self, internals: bool = True) -> None:
        self._pre: Callable[[str], list[str]]
        self._tagger: Any = None
        self.path = "crf-internals"
        try:
            if not internals:
                raise ImportError("public word_tokenize requested")
            tokenize, tagger_class, model_dir = _underthesea_parts()
            tagger = _load_crf(tagger_class, model_dir)
            tokenize("thử nghiệm", use_character_normalize=False, use_token_normalize=False)
            self._pre = lambda s: tokenize(s, use_character_normalize=False, use_token_normalize=False)
            self._tagger = tagger
        except (ImportError, AttributeError, OSError, TypeError, ValueError, RuntimeError) as exc:
            from underthesea import word_tokenize

            self.path = "word-tokenize"
            if internals:  # not asked for: underthesea's internals moved; say so once
                _log.warning(
                    "underthesea %s: CRF internals unavailable (%s); segmenting with the public "
                    "word_tokenize, which splits protected tokens and gives other compounds",
                    underthesea_version(), exc,
                )

            self._word_tokenize = word_tokenize
            self._pre = _TERM_RE.findall

    @classmethod
    def get(cls) -> "_Segmenter":
        with cls._lock:
            if cls._instance is None:
                cls._instance = _Segmenter()
            return cls._instance

    def pretokenize(self, text: str) -> list[str]:
        return self._pre(text)

    def segment(self, sequences: Sequence[list[str]]) -> list[list[bool]]:
        """For each token sequence, whether each token begins a new word."""
        if self._tagger is None:
            return [self._fallback(seq) for seq in sequences]
        out: list[list[bool]] = []
        for seq in sequences:
            if not seq:
                out.append([])
                continue
            # One sequence per call: featurizing a batch of sequences at once was measured
            # 1.5-2.7x slower (8 to 13k sequences), the feature lists grow large.
            (x,) = self._tagger.featurizer.process([[[tok] for tok in seq]])
            starts = [tag != "I-W" for tag in self._tagger.estimator.tag(x)]
            starts[0] = True
            out.append(starts)
        return out

    def _fallback(self, seq: list[str]) -> list[bool]:
        """Word starts from the public ``word_tokenize``, aligned by token count.

        It re-tokenizes (and splits protected tokens such as ``11-KL/TU``), so a sequence
        whose tokens do not line up gets no compounds rather than wrong ones.
        """
        starts: list[bool] = []
        for word in self._word_tokenize(" ".join(seq)):
            parts = word.split()
            starts.extend([True] + [False] * (len(parts) - 1))
        if len(starts) != len(seq):
            return [True] * len(seq)
        return starts


_WORD_TOKENIZE_LOCK = threading.Lock()
_word_tokenize_ready = False


def word_tokenize(text: str) -> list[str]:
    """``underthesea.word_tokenize``, safe from several threads at once.

    underthesea loads its CRF model lazily into a module global that it assigns before
    loading: a second thread arriving meanwhile finds a half-built model and fails
    (``'NoneType' object has no attribute 'process'``, seen under 8 concurrent users).
    The first call here loads it under a lock. Characters the CRF cannot take (lone
    surrogates, controls: the ``_JUNK_RE`` class) become spaces first."""
    global _word_tokenize_ready
    _import_underthesea()
    from underthesea import word_tokenize as _wt

    if not _word_tokenize_ready:
        with _WORD_TOKENIZE_LOCK:
            if not _word_tokenize_ready:
                _wt("khởi động")
                _word_tokenize_ready = True
    return _wt(_JUNK_RE.sub(" ", text))


# One token of a sequence sent to the segmenter: its text, and its fixed terms if protected.
_Token = tuple[str, "list[str] | None"]
_MAX_SEQ = 256
_SEQ_BREAKS = frozenset(".!?;:…")


@dataclass(frozen=True)
class Analysis:
    """The index copy of one text.

    ``tokens``: lower-cased, tone-unified terms for BM25 (accented syllables, ``_``-joined
    compounds, protected tokens such as ``11-kl/tu``); ``folded``: the same terms without
    diacritics, position by position.
    """

    tokens: list[str]
    folded: list[str]


class Analyzer:
    """Turns passages and queries into BM25 terms; the same code serves both sides.

    ``segment=False`` skips underthesea entirely (syllables and protected tokens only):
    faster, and the syllable terms are the same as with ``segment=True``.
    ``stopwords=None`` uses ``STOPWORDS``; pass an empty set to keep every term.
    """

    def __init__(
        self, segment: bool = True, compounds: bool = True, stopwords: Iterable[str] | None = None
    ) -> None:
        self.segment = segment
        self.compounds = compounds
        self.stopwords: frozenset[str] = STOPWORDS if stopwords is None else frozenset(stopwords)

    # -- public API -----------------------------------------------------------------

    def analyze(self, text: str) -> Analysis:
        """Terms of one passage or query.

        Text without any diacritic (an accent-less query) skips the segmenter: its CRF
        was trained on accented text, and on ``muc tieu tang truong`` it invents
        compounds (``tieu_tang``) that no passage has. The syllables are the same either way.
        """
        text = text if isinstance(text, str) else str(text)
        segment = self.segment and has_diacritics(text)
        seqs = self._sequences(text, segment)
        if segment:
            starts = _Segmenter.get().segment([[tok for tok, _ in seq] for seq in seqs])
        else:
            starts = [[True] * len(seq) for seq in seqs]
        terms: list[str] = []
        for seq, seq_starts in zip(seqs, starts):
            terms.extend(self._terms(seq, seq_starts))
        return Analysis(tokens=terms, folded=[_fold_term(t) for t in terms])

    def analyze_many(self, texts: list[str]) -> list[Analysis]:
        """``analyze`` for each text. Not batched: featurizing many sequences in one CRF
        call was measured 1.5-2.7x slower than one call per sequence."""
        return [self.analyze(t) for t in texts]

    def tokens(self, text: str) -> list[str]:
        return self.analyze(text).tokens

    def folded(self, text: str) -> list[str]:
        return self.analyze(text).folded

    # -- internals ------------------------------------------------------------------

    def _sequences(self, text: str, segment: bool) -> list[list[_Token]]:
        """Split the prepared text into token sequences for the segmenter.

        Lines are separate sequences, and so are the stretches between sentence
        punctuation, capped at ``_MAX_SEQ`` tokens: words never span them, and shorter
        sequences keep the CRF fast on 100 KB inputs.
        """
        prepared = _prepare(text)
        seqs: list[list[_Token]] = []
        for line in prepared.split("\n"):
            if not line.strip():
                continue
            seq: list[_Token] = []
            pos = 0
            for m in _PROTECTED.finditer(line):
                seq.extend((tok, None) for tok in self._pretokenize(line[pos : m.start()], segment))
                seq.append((re.sub(r"\s+", "", m.group(0)), _protected_terms(m)))
                pos = m.end()
            seq.extend((tok, None) for tok in self._pretokenize(line[pos:], segment))
            current: list[_Token] = []
            for tok in seq:
                current.append(tok)
                if len(current) >= _MAX_SEQ or (tok[1] is None and tok[0] in _SEQ_BREAKS):
                    seqs.append(current)
                    current = []
            if current:
                seqs.append(current)
        return seqs

    def _pretokenize(self, piece: str, segment: bool) -> list[str]:
        if not piece.strip():
            return []
        if segment:
            return _Segmenter.get().pretokenize(piece)
        return _TERM_RE.findall(piece)

    def _terms(self, seq: list[_Token], starts: list[bool]) -> list[str]:
        """Terms of one segmented sequence: protected terms, syllables, compounds."""
        out: list[str] = []
        word: list[str] = []

        def flush() -> None:
            if not word:
                return
            syllables = [_TERM_RE.findall(s.lower()) for s in word]
            if len(word) > 1 and "_".join("".join(p) for p in syllables) in self.stopwords:
                word.clear()  # a multi-syllable function word ("bao nhiêu"): drop it whole
                return
            for parts in syllables:
                out.extend(_norm_term(p) for p in parts if p not in self.stopwords)
            if self.compounds and len(word) > 1 and all(len(p) == 1 and p[0].isalpha() for p in syllables):
                compound = "_".join(p[0] for p in syllables)
                if compound not in self.stopwords:
                    out.append(compound)
            word.clear()

        for i, (tok, fixed) in enumerate(seq):
            if fixed is not None:
                flush()
                out.extend(t for t in fixed if t not in self.stopwords)
                continue
            if starts[i] or (i > 0 and seq[i - 1][1] is not None):
                flush()
            word.append(tok)
        flush()
        return out


def _norm_term(term: str) -> str:
    return _strip_zeros(term) if term.isdigit() else term


@lru_cache(maxsize=1 << 17)
def _fold_term(term: str) -> str:
    return fold(term)
