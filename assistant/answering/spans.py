"""Candidate answer spans inside one sentence, by question type.

Each candidate is a character span of the sentence (so the short answer is an exact
piece of the source) plus an ``anchor`` where the answer sits, used to measure how
close the question's words are. Rules are small and general: numbers with their unit
or counted noun, dates, the subject in front of the question's predicate, names after
the noun a "nào" question asks about, the clause after a cause or list cue.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from ..text import fold, unify_tone_marks
from .question_types import QType, QuestionInfo
from .tokens import FUNCTION_WORDS, Tok, key_function, tokenize


@dataclass(frozen=True)
class Candidate:
    start: int  # offsets into the sentence
    end: int
    kind: str  # "number", "date", "subject", "name", "clause", "list"


_NUM = r"\d+(?:[.,]\d+)*"
_MODIFIER = r"(?:trên|dưới|khoảng|gần|hơn|tối thiểu(?: là)?|tối đa(?: là)?|ít nhất(?: là)?|không quá|không dưới|trên dưới|xấp xỉ)"
_SCALE = r"(?:tỷ|tỉ|triệu|nghìn|ngàn|vạn|trăm)"
_QUANTITY_RE = re.compile(
    rf"(?<![\w/.,-])(?:{_MODIFIER}\s+)?(?:từ\s+{_NUM}\s*%?\s*(?:[-–]|đến)\s*{_NUM}|{_NUM}(?:\s*[-–]\s*{_NUM})?)"
    rf"(?:\s?%(?:\s?/\s?(?:năm|tháng|quý))?|\s+{_SCALE}(?:\s+(?:đồng|USD|usd|tấn|người|lượt))?)?"
    rf"(?:\s?/\s?(?:năm|tháng|người|ha|hộ))?(?:\s+trở (?:lên|xuống))?",
    re.IGNORECASE,
)
_DATE_RES = [
    (re.compile(r"(?:ngày\s+)?\d{1,2}\s+tháng\s+\d{1,2}\s+năm\s+\d{4}", re.IGNORECASE), 3),
    (re.compile(r"(?:ngày\s+)?(?<![\d/])\d{1,2}[/.-]\d{1,2}[/.-]\d{4}(?!\d)", re.IGNORECASE), 3),
    (re.compile(r"(?:quý\s+[IV1-4]+|tháng\s+\d{1,2})(?:\s*/\s*|\s+năm\s+)\d{4}", re.IGNORECASE), 2),
    (re.compile(r"(?:giai đoạn|từ năm|đến năm|trước năm|sau năm|cuối năm|đầu năm|năm)\s+\d{4}(?:\s*[-–]\s*\d{4})?", re.IGNORECASE), 1),
]
_DOCNUM_AFTER = re.compile(r"^\s?[-–/]\s?[A-ZĐ]")  # "13-NQ/TU": a document number, not an amount
_NOT_AMOUNT_BEFORE = re.compile(
    r"(?:số|nghị quyết|kết luận|chỉ thị|quyết định|điều|khoản|khóa|khoá|lần thứ|(?<!danh )mục|chương|năm|giai đoạn|tháng|ngày|quý)\s*$",
    re.IGNORECASE,
)
_CAUSE_RE = re.compile(r"\b(?:nguyên nhân(?: chủ yếu| chính)?(?: là)?(?: do)?|là do|bởi vì|bởi|do|vì|nhờ)\s+", re.IGNORECASE)
_LIST_CUE_RE = re.compile(r"(?:\b(?:như|gồm có|bao gồm|gồm|là)\s*:?\s+|:\s*)", re.IGNORECASE)
_CLAUSE_BREAK = re.compile(r"[;:.!?()\n]|,\s|\s[-–]\s")
_LIST_MARKER = re.compile(r"^\s*(?:[-–•+*]|\d+(?:\.\d+)*[.)]|[a-zđ]\)|[IVXLC]+\.)\s*")


def candidates(sentence: str, info: QuestionInfo, question_keys: set[str]) -> list[Candidate]:
    """Spans of ``sentence`` that have the shape of an answer to ``info``, trimmed of
    function words and punctuation at both ends and widened to whole words."""
    out: list[Candidate] = []
    for raw in _raw_candidates(sentence, info, question_keys):
        c = _tidy(sentence, raw)
        if c is not None and c not in out:
            out.append(c)
    return out


def _tidy(sentence: str, c: Candidate) -> Candidate | None:
    toks = [t for t in tokenize(sentence) if t.start >= c.start and t.end <= c.end]
    if c.kind in ("name", "subject"):
        while toks and toks[-1].key in FUNCTION_WORDS:
            toks.pop()
        while toks and toks[0].key in FUNCTION_WORDS:
            toks.pop(0)
        if not toks:
            return None
        start, end = _word_bounds(sentence, toks[0].start, toks[-1].end)
        return Candidate(start, end, c.kind)
    start, end = c.start, _trim_end(sentence, c.start, c.end)
    while start < end and sentence[start] in " ,;:-–":
        start += 1
    return Candidate(start, end, c.kind) if start < end else None


def _word_bounds(sentence: str, start: int, end: int) -> tuple[int, int]:
    """Widen [start, end) to whole words as underthesea segments the sentence ("Hiệu" ->
    "Hiệu trưởng")."""
    for ws, we in _word_spans(sentence):
        if ws < start < we:
            start = ws
        if ws < end < we:
            end = we
    return start, end


@lru_cache(maxsize=2048)
def _word_spans(sentence: str) -> tuple[tuple[int, int], ...]:
    from ..text import word_tokenize  # underthesea's, loaded thread-safely (CRF model ships in the wheel)

    spans: list[tuple[int, int]] = []
    pos = 0
    for word in word_tokenize(sentence):
        i = sentence.find(word, pos)
        if i < 0:
            continue
        spans.append((i, i + len(word)))
        pos = i + len(word)
    return tuple(spans)


def _raw_candidates(sentence: str, info: QuestionInfo, question_keys: set[str]) -> list[Candidate]:
    if info.qtype is QType.QUANTITY:
        return _quantities(sentence, info, question_keys)
    if info.qtype is QType.DATE:
        return _dates(sentence, info)
    if info.qtype is QType.WHO:
        return _subjects(sentence, info)
    if info.qtype is QType.WHERE:
        return _places(sentence)
    if info.qtype is QType.WHY:
        return _after_cue(sentence, _CAUSE_RE, "clause")
    if info.qtype is QType.LIST:
        return _lists(sentence, info)
    if info.qtype is QType.WHICH:
        return _names_after_focus(sentence, info)
    return []


# --- numbers ------------------------------------------------------------------------------
#: Questions about an amount of money, and the units that make a figure one.
_MONEY_QUESTION = re.compile(
    r"\b(?:bao nhiêu tiền|mấy tiền|số tiền|mức (?:chi|hỗ trợ|phụ cấp|thu|phí|lệ phí|trợ cấp|lương)|lệ phí|"
    r"kinh phí|chi phí|giá)\b.*\b(?:bao nhiêu|mấy|là gì)\b|\bbao nhiêu tiền\b",
    re.IGNORECASE,
)
_MONEY_UNIT = re.compile(r"\s*(?:(?:nghìn|ngàn|triệu|tỷ|tỉ)\s+)?(?:đồng|VNĐ|VND|USD|đ)\b(?:\s*/\s*[^\W\d_]+){0,3}", re.IGNORECASE)


def _quantities(sentence: str, info: QuestionInfo, question_keys: set[str]) -> list[Candidate]:
    key = key_function(info.folded)
    focus = [t.key for t in tokenize(info.focus, info.folded)]
    want_percent = any(k in ("phần", "trăm", "phan", "tram", "tỷ", "lệ", "ty", "le") for k in focus) or any(
        w in info.text for w in ("tỷ lệ", "tỉ lệ", "phần trăm", "tỷ trọng")
    )
    want_money = bool(_MONEY_QUESTION.search(info.text))
    out: list[Candidate] = []
    for m in _QUANTITY_RE.finditer(sentence):
        start, end = m.span()
        text = m.group(0)
        digits = re.findall(_NUM, text)
        if _DOCNUM_AFTER.match(sentence[end:]) or _NOT_AMOUNT_BEFORE.search(sentence[:start]):
            continue
        if all(key(d) in question_keys for d in digits):
            continue  # a number the question itself gives ("năm 2015")
        if "%" not in text and all(re.fullmatch(r"(?:19|20)\d{2}", d) for d in digits):
            continue  # a bare year or period is a date, not an amount
        if start == 0 and _LIST_MARKER.match(sentence[: end + 2]):
            continue
        has_unit = "%" in text or bool(re.search(_SCALE, text, re.IGNORECASE))
        if not has_unit:
            end = _extend_counted_noun(sentence, end, focus, info.folded)
        if want_percent and "%" not in sentence[start:end]:
            continue
        if want_money:
            unit = _MONEY_UNIT.match(sentence, m.end())
            if unit:
                end = max(end, unit.end())
            elif not re.search(_SCALE, text, re.IGNORECASE):
                continue  # "bao nhiêu tiền" is answered by an amount of money, not "01 mức"
        out.append(Candidate(start, end, "number"))
    return out


#: "(mười hai)", "(một)": a count written out again in words, in brackets.
_SPELLED = re.compile(r"\s?\((?:[^\W\d_]+\s?){1,6}\)")


def _extend_counted_noun(sentence: str, end: int, focus: list[str], folded: bool) -> int:
    """'13' -> '13 cụm công nghiệp': the counted noun, or the words the question counts
    (past a number spelled out in brackets: "12 (mười hai) thủ tục")."""
    spelled = _SPELLED.match(sentence[end:])
    if spelled:
        end += spelled.end()
    rest = sentence[end:]
    toks = tokenize(rest, folded)
    if not toks or toks[0].start > 1 or toks[0].key[:1].isdigit():
        return end
    if focus:
        n = 0
        while n < len(toks) and toks[n].key in focus and (n == 0 or toks[n].start - toks[n - 1].end <= 1):
            n += 1
        if n:
            return end + toks[n - 1].end
    word = _first_word(rest.lstrip()[:60])
    if not word or unify_tone_marks(word.split()[0]).lower() in FUNCTION_WORDS:
        return end
    return end + (len(rest) - len(rest.lstrip())) + len(word)


@lru_cache(maxsize=4096)
def _first_word(text: str) -> str:
    """The first word of ``text`` as underthesea segments it ("dự án", "sinh viên")."""
    from ..text import word_tokenize  # underthesea's, loaded thread-safely (CRF model ships in the wheel)

    words = word_tokenize(text) if text else []
    first = words[0] if words else ""
    return first if first and text.startswith(first) and first[0].isalpha() else ""


# --- dates --------------------------------------------------------------------------------
def _dates(sentence: str, info: QuestionInfo) -> list[Candidate]:
    out: list[Candidate] = []
    taken: list[tuple[int, int]] = []
    q = fold(info.text)
    for regex, _prio in _DATE_RES:
        for m in regex.finditer(sentence):
            s, e = m.span()
            if any(s < te and ts < e for ts, te in taken):
                continue
            if fold(unify_tone_marks(m.group(0)).lower()) in q:
                continue  # the question's own date
            taken.append((s, e))
            out.append(Candidate(s, e, "date"))
    return out


# --- bodies and persons ------------------------------------------------------------------
def _clause_start(sentence: str, pos: int) -> int:
    start = 0
    for m in _CLAUSE_BREAK.finditer(sentence, 0, pos):
        start = m.end()
    marker = _LIST_MARKER.match(sentence[start:pos])
    return start + (marker.end() if marker else 0)


def _subjects(sentence: str, info: QuestionInfo) -> list[Candidate]:
    """'Ban cán sự đảng UBND tỉnh chủ trì ...' for 'Ai chủ trì ...?': the words in front
    of the question's predicate, back to the start of the clause; or, for 'X do ai
    chủ trì?', the name after the predicate."""
    toks = tokenize(sentence, info.folded)
    out: list[Candidate] = []
    pred = [t.key for t in tokenize(info.after, info.folded) if t.key not in FUNCTION_WORDS][:3]
    pos = _find_run(toks, pred)
    if pos is not None and pos > 0:
        begin = _clause_start(sentence, toks[pos].start)
        end = toks[pos - 1].end
        if begin < end and len(tokenize(sentence[begin:end])) <= 12:
            out.append(Candidate(begin, end, "subject"))
    before = [t.key for t in tokenize(info.before, info.folded) if t.key not in FUNCTION_WORDS][-3:]
    pos = _find_run(toks, before)
    if pos is not None:
        after = pos + len(before)
        if after < len(toks):
            out.extend(_name_from(sentence, toks, after))
    out.extend(c for c in _capitalised(sentence) if c not in out)
    return out


def _find_run(toks: list[Tok], keys: list[str]) -> int | None:
    """Index of the first token where ``keys`` occur contiguously (longest prefix that does)."""
    for n in range(len(keys), 0, -1):
        want = keys[:n]
        for i in range(len(toks) - n + 1):
            if [t.key for t in toks[i : i + n]] == want:
                return i
    return None


_ORG_WORD = re.compile(r"^(?:[A-ZĐ\d]|tỉnh|huyện|thị|xã|thành|phố|đảng|cán|sự|nhân|dân|trung|ương|ủy|uỷ|ban)", re.UNICODE)


def _capitalised(sentence: str) -> list[Candidate]:
    """Runs of capitalised words not at the sentence start: names of bodies, persons, places."""
    out: list[Candidate] = []
    toks = tokenize(sentence)
    i = 0
    while i < len(toks):
        t = toks[i]
        word = sentence[t.start : t.end]
        if word[0].isupper() and t.start > 0:
            j = i
            while j + 1 < len(toks) and toks[j + 1].start - toks[j].end <= 1 and _ORG_WORD.match(
                sentence[toks[j + 1].start : toks[j + 1].end]
            ):
                j += 1
            if j > i or len(word) > 1:
                out.append(Candidate(t.start, toks[j].end, "name"))
            i = j + 1
        else:
            i += 1
    return out


def _name_from(sentence: str, toks: list[Tok], i: int, limit: int = 6) -> list[Candidate]:
    """The words starting at token ``i`` up to punctuation or a function word."""
    j = i
    while j < len(toks) and j - i < limit:
        if j > i and sentence[toks[j - 1].end : toks[j].start].strip():
            break  # punctuation between words
        if j > i and toks[j].key in FUNCTION_WORDS and not sentence[toks[j].start].isupper():
            break
        j += 1
    if j == i:
        return []
    return [Candidate(toks[i].start, toks[j - 1].end, "name")]


# --- places -------------------------------------------------------------------------------
_PLACE_CUE = re.compile(r"\b(?:tại|ở|trên địa bàn|thuộc|địa bàn)\s+", re.IGNORECASE)


def _places(sentence: str) -> list[Candidate]:
    out = [c for c in _after_cue(sentence, _PLACE_CUE, "name", max_words=8)]
    out.extend(c for c in _capitalised(sentence) if c not in out)
    return out


# --- clauses and lists -------------------------------------------------------------------
def _after_cue(sentence: str, cue: re.Pattern[str], kind: str, max_words: int = 40) -> list[Candidate]:
    out: list[Candidate] = []
    for m in cue.finditer(sentence):
        start = m.end()
        stop = re.search(r"[;.!?\n]|…|\.\.\.", sentence[start:]) if kind != "list" else None
        end = start + stop.start() if stop else len(sentence)
        end = _trim_end(sentence, start, end)
        words = sentence[start:end].split()
        if len(words) > max_words:
            end = start + len(" ".join(words[:max_words]))  # text is single-spaced enough
            end = min(end, len(sentence))
        if end > start:
            out.append(Candidate(start, end, kind))
    return out


def _trim_end(sentence: str, start: int, end: int) -> int:
    while end > start and (sentence[end - 1] in " .,;:…" or sentence[end - 1].isspace()):
        end -= 1
    return end


def _lists(sentence: str, info: QuestionInfo) -> list[Candidate]:
    out = _after_cue(sentence, _LIST_CUE_RE, "list", max_words=60)
    if not out:
        body = _LIST_MARKER.match(sentence)
        start = body.end() if body else 0
        end = _trim_end(sentence, start, len(sentence))
        if end > start:
            out.append(Candidate(start, end, "list"))
    return out


def _names_after_focus(sentence: str, info: QuestionInfo) -> list[Candidate]:
    """'Trung tâm nhiệt điện Bắc miền Trung tại ...' for 'Trung tâm nhiệt điện nào?'."""
    toks = tokenize(sentence, info.folded)
    focus = [t.key for t in tokenize(info.focus, info.folded)]
    out: list[Candidate] = []
    for n in range(len(focus), 0, -1):
        tail = focus[-n:]
        for i in range(len(toks) - n + 1):
            if [t.key for t in toks[i : i + n]] == tail and i + n < len(toks):
                out.extend(_name_from(sentence, toks, i + n))
        if out:
            break
    return out
