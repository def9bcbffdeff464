"""Extraction: every figure of a document, with its indicator, comparator, period and kind.

Per sentence that holds a figure (``figures.find_figures``):

* underthesea's ``pos_tag`` segments and tags the sentence; the indicator is the noun
  phrase that the figure measures: the words of its clause before it, with the framing
  verbs, comparators and time expressions trimmed off ("Phấn đấu đến năm 2015, GDP
  ngành công nghiệp trên địa bàn đạt 1.260 tỷ đồng" -> "GDP ngành công nghiệp trên địa
  bàn"); when nothing nominal precedes, the counted noun phrase after it ("có 98 dự án
  đăng ký đầu tư" -> "dự án đăng ký đầu tư"), and a second figure of a chain ("từ 10,5%
  năm 2005 giảm xuống còn 7,3%") shares the indicator of the first.
* underthesea's ``ner`` names a place when the sentence names one with an
  administrative prefix (tỉnh, huyện...); otherwise the document's province or issuer.
* the kind comes from, in order: a baseline pattern ("từ X ... lên/xuống Y"), words of
  the clause ("phấn đấu", "mục tiêu đề ra" -> target; "đã", "mới đạt", "ước đạt",
  "hiện có" -> achieved), the period against the document's date (a year after it is a
  target), the headings above the paragraph and any "Mục tiêu cụ thể:" label line
  before it (Document.sections / heading_titles: "Mục tiêu", "Nhiệm vụ", "Chỉ tiêu"
  -> target; "Kết quả", "Tình hình" -> achieved), and last the kind of document.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass

from ..citations import citation_string
from ..documents import Document, Paragraph, Passage
from ..text import split_sentences, unify_tone_marks, word_tokenize
from .figures import MULTIPLIERS, NOT_COUNTED, TIME_UNITS, Figure, find_figures
from .model import TargetRow

#: Bump when extraction output changes: stored tables of older versions are rebuilt.
EXTRACTOR_VERSION = 1

_TAG_LOCK = threading.Lock()


def _pos_tag(sentence: str) -> list[tuple[str, str]]:
    """underthesea ``pos_tag`` (after the thread-safe segmenter load in ``text``)."""
    word_tokenize("khởi động")
    from underthesea import pos_tag

    with _TAG_LOCK:
        return pos_tag(sentence)


def _ner(sentence: str) -> list[tuple]:
    word_tokenize("khởi động")
    from underthesea import ner

    with _TAG_LOCK:
        return ner(sentence)


@dataclass
class _Tok:
    text: str
    tag: str
    start: int  # in the sentence; -1 when it could not be aligned
    end: int

    @property
    def low(self) -> str:
        return self.text.lower()


def _align(sentence: str, tagged: list[tuple[str, str]]) -> list[_Tok]:
    """Character offsets of underthesea's tokens (it rewrites tone marks, so both sides
    are compared after ``unify_tone_marks``, which keeps lengths)."""
    hay = unify_tone_marks(sentence).lower()
    if len(hay) != len(sentence):
        hay = sentence.lower()
    toks: list[_Tok] = []
    pos = 0
    for word, tag in tagged:
        parts = [re.escape(unify_tone_marks(p).lower()) for p in word.split()]
        m = re.compile(r"\s*".join(parts)).search(hay, pos) if parts else None
        if m and m.start() - pos < 40:
            toks.append(_Tok(sentence[m.start() : m.end()], tag, m.start(), m.end()))
            pos = m.end()
        else:
            toks.append(_Tok(word, tag, -1, -1))
    return toks


# --- words ------------------------------------------------------------------------------
_BOUNDARY = frozenset(";:()[].!?…\"“”")
#: Words that frame a figure rather than name what it measures (trimmed off the indicator).
_TRAIL = frozenset(
    """
    đạt đạt_được chiếm là bằng còn lên xuống tăng giảm tăng_lên giảm_xuống giảm_còn trên dưới khoảng gần hơn
    tối_thiểu tối_đa ít_nhất không_dưới không_thấp_hơn không_quá từ đến với ở mức_độ bình_quân mới ước ước_đạt
    đã sẽ có hiện_có được thực_hiện khoảng_chừng chỉ tới đạt_mức ở_mức vượt thấp cao ít nhất tương_đương
    trung_bình chừng hiện_nay hiện trở_lên trở_xuống lần đạt_tỷ_lệ phải cần
    """.split()
)
_LEAD = frozenset(
    """
    phấn_đấu duy_trì đảm_bảo bảo_đảm tiếp_tục nâng giữ_vững giữ đưa và trong_đó riêng tuy nhưng mặc_dù
    đồng_thời hàng_năm hằng_năm cụ_thể là trong đó có tổng_cộng cả đến cơ_bản mỗi đạt phải cần đối_với về theo
    trong ngoài tại của cho
    """.split()
)
#: Nouns that head indicators although the tagger often calls them verbs or numbers.
_HEADS = frozenset(
    """
    tỷ_lệ tỉ_lệ tỷ_trọng tỉ_trọng tốc_độ giá_trị tổng tổng_số số số_lượng mức quy_mô sản_lượng thu_nhập
    kim_ngạch doanh_thu diện_tích công_suất năng_suất chỉ_số độ_che_phủ vốn tăng_trưởng
    """.split()
)
_SPLIT_INSIDE = frozenset(["với", "trong_đó", "riêng", "nhưng", "song", "tuy_nhiên"])
_COORD = frozenset(["và", "hoặc", "hay", "cùng", "với"])
#: Words that announce a figure without naming what it measures ("mục tiêu đề ra 34%").
_CUE_WORDS = frozenset(["mục_tiêu", "chỉ_tiêu", "kế_hoạch", "đề_ra", "đặt_ra", "mức", "con_số", "tổng_cộng"])
_NOUN_TAGS = frozenset(["N", "Np", "Nc", "Ny", "Nb", "Nu"])

_TIME_EXPR = re.compile(
    r"(?:(?:trong\s+)?giai\s+đoạn|thời\s+kỳ|nhiệm\s+kỳ)?\s*(?:(?:19|20)\d{2}\s*[-–]\s*(?:19|20)\d{2})"
    r"|(?:(?:đến|tới|trước|sau|từ|vào|trong|cuối|đầu|hết|giữa)\s+)*năm\s+(?:19|20)\d{2}"
    r"|(?:đến|tới|trước|vào)\s+(?:19|20)\d{2}"
    r"|(?:trong\s+)?\d+\s+năm\s+(?:qua|tới|gần\s+đây)"
    r"|(?:đến|tới)\s+nay"
    r"|(?:trong\s+|sau\s+)?\d+\s+tháng(?:\s+(?:đầu|cuối)\s+năm)?"
    r"|quý\s+(?:I{1,3}|IV|[1-4])\b",
    re.IGNORECASE,
)
_YEAR_PAIR = re.compile(r"((?:19|20)\d{2})\s*[-–]\s*((?:19|20)\d{2})")
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")

_TARGET_CUES = re.compile(
    r"phấn\s+đấu|mục\s+tiêu|chỉ\s+tiêu|kế\s+hoạch\s+(?:đề\s+ra|đặt\s+ra|giao)|dự\s+kiến|đề\s+ra|đặt\s+ra|"
    r"phải\s+đạt|cần\s+đạt|tối\s+thiểu|ít\s+nhất|không\s+dưới|không\s+thấp\s+hơn|hướng\s+tới|"
    r"định\s+hướng|\bsẽ\b|nâng\s+.{0,60}\s+lên|giao\s+chỉ|dự\s+báo|yêu\s+cầu\s+đạt",
    re.IGNORECASE,
)
_ACHIEVED_CUES = re.compile(
    r"\bđã\b|đạt\s+được|mới\s+đạt|ước\s+(?:đạt|tính|thực\s+hiện)|\bước\b|hiện\s+có|hiện\s+nay|đến\s+nay|"
    r"tính\s+đến|thực\s+hiện\s+được|tăng\s+lên|giảm\s+xuống|giảm\s+còn|so\s+với\s+cùng\s+kỳ|"
    r"còn\s+lại|mới\s+chiếm|vượt\s+(?:kế\s+hoạch|chỉ\s+tiêu|mục\s+tiêu)|đạt\s+\d|chỉ\s+đạt|trong\s+\d+\s+năm\s+qua|"
    r"năm\s+qua|vừa\s+qua|kết\s+quả",
    re.IGNORECASE,
)
_HEAD_TARGET = re.compile(
    r"mục\s+tiêu|nhiệm\s+vụ|chỉ\s+tiêu|phương\s+hướng|định\s+hướng|kế\s+hoạch|giải\s+pháp|dự\s+kiến|phấn\s+đấu",
    re.IGNORECASE,
)
_HEAD_ACHIEVED = re.compile(
    r"kết\s+quả|tình\s+hình|thực\s+trạng|đánh\s+giá|đạt\s+được|tổng\s+kết|sơ\s+kết|hiện\s+trạng|bối\s+cảnh",
    re.IGNORECASE,
)
_PRESCRIPTIVE_TYPES = ("Kế hoạch", "Quyết định", "Nghị quyết", "Chỉ thị", "Đề án", "Chương trình", "Thông tư",
                       "Nghị định", "Luật", "Hướng dẫn", "Công điện", "Công văn")
_COMPARATORS = (
    "không thấp hơn", "không dưới", "không quá", "tối thiểu", "tối đa", "ít nhất", "trên", "dưới", "hơn",
    "khoảng", "gần", "trở lên", "trở xuống", "bình quân", "đạt", "chiếm", "còn", "lên", "bằng", "là",
)
_ADMIN = re.compile(r"\b(?:tỉnh|huyện|thành phố|thị xã|quận|xã|phường|thị trấn)\s+[A-ZĐ]", re.UNICODE)
_FROM_TO = re.compile(r"(?:lên|xuống|còn|đến|tới)\b", re.IGNORECASE)


def _word(t: _Tok) -> str:
    return "_".join(t.low.split())


def _is_nominal(t: _Tok) -> bool:
    if any(ch.isdigit() for ch in t.text):
        return False
    return (t.tag in _NOUN_TAGS or _word(t) in _HEADS) and _word(t) not in _CUE_WORDS and _word(t) not in TIME_UNITS


# --- pieces -------------------------------------------------------------------------------
_GLOSS = re.compile(r"\((?:[^()\d]{1,40})\)")


def _clause_bounds(sentence: str, fig: Figure) -> tuple[int, int]:
    """The stretch of the sentence around a figure between ; : ( ) and sentence ends.
    A short gloss in brackets with no figure ("(GRDP)", "(theo giá thực tế)") is part of
    the phrase, not a boundary."""
    masked = _GLOSS.sub(lambda m: " " * len(m.group(0)), sentence)
    left = max((masked.rfind(c, 0, fig.start) for c in ";:()"), default=-1) + 1
    rights = [i for c in ";()" if (i := masked.find(c, fig.end)) >= 0]
    return left, min(rights) if rights else len(sentence)


def _comparator(sentence: str, fig: Figure, left: int) -> str:
    before = sentence[left : fig.start].lower().rstrip()
    after = sentence[fig.end : fig.end + 12].lower()
    if re.match(r"\s*trở\s+lên", after):
        return "trở lên"
    if re.match(r"\s*trở\s+xuống", after):
        return "trở xuống"
    for c in _COMPARATORS:
        if re.search(rf"(?:^|\s){re.escape(c)}(?:\s+(?:bình\s+quân|mức|là|khoảng))?$", before):
            return c
    return ""


def _period(sentence: str, fig: Figure, left: int, right: int) -> str:
    """The time expression nearest the figure in its clause: directly after it ("7,3% năm
    2010"), else before it, else after it; "" when the clause names none."""
    refs = _reference_spans(sentence)
    spans = [(m.start(), m.end(), m.group(0)) for m in _TIME_EXPR.finditer(sentence)
             if not any(a <= m.start() < b for a, b in refs)]
    inside = [s for s in spans if s[0] >= left and s[1] <= right]

    def norm(expr: str) -> str:
        if pair := _YEAR_PAIR.search(expr):
            return f"{pair.group(1)}-{pair.group(2)}"
        if year := _YEAR.search(expr):
            return year.group(1)
        return ""

    inside = [(a, b, norm(e)) for a, b, e in inside if norm(e)]
    after = [s for s in inside if s[0] >= fig.end]
    if after and not sentence[fig.end : after[0][0]].strip():
        return after[0][2]
    before = [s for s in inside if s[1] <= fig.start]
    if before:
        return before[-1][2]
    if after:
        return after[0][2]
    return ""


_DOC_REF = re.compile(
    r"(?:số\s+)?\d+[\w./-]*/[\w./-]*[A-ZĐ][\w./-]*\s*(?:ngày\s+\d{1,2}(?:\s+tháng\s+\d{1,2}\s+năm\s+\d{4}|/\d{1,2}/\d{4}))?",
)


def _reference_spans(sentence: str) -> list[tuple[int, int]]:
    """Document numbers with their dates: "338/QĐ-TTg ngày 03 tháng 4 năm 2023" dates
    the decision, not the figure."""
    return [(m.start(), m.end()) for m in _DOC_REF.finditer(sentence)]


def _strip_comparisons(toks: list[_Tok]) -> list[_Tok]:
    """Drop "so với cùng kỳ", "so với kế hoạch" up to the next comma: what a figure is
    compared with, not what it measures."""
    out, skipping = [], False
    for i, t in enumerate(toks):
        w = _word(t)
        if w in ("so_với", "so") and (w == "so_với" or (i + 1 < len(toks) and _word(toks[i + 1]) == "với")):
            skipping = True
        elif t.text == ",":
            skipping = False
        if not skipping:
            out.append(t)
    return out


def _strip_time(toks: list[_Tok], sentence: str) -> list[_Tok]:
    spans = [(m.start(), m.end()) for m in _TIME_EXPR.finditer(sentence)]
    return [t for t in toks if not any(a <= t.start < b for a, b in spans)]


def _trim(toks: list[_Tok]) -> list[_Tok]:
    toks = [t for t in toks if t.start >= 0 or t.tag != "CH"]
    changed = True
    while toks and changed:
        changed = False
        while toks and (_word(toks[-1]) in _TRAIL or toks[-1].tag in ("CH", "E", "C", "M", "R", "L", "T")):
            if _word(toks[-1]) in _HEADS:
                break
            toks.pop()
            changed = True
        while toks and (_word(toks[0]) in _LEAD or toks[0].tag in ("CH", "C", "E", "R", "L", "T", "P")):
            if _word(toks[0]) in _HEADS:
                break
            toks.pop(0)
            changed = True
        # a leading verb that frames the phrase ("Phấn đấu", "duy trì"), when a noun follows
        while len(toks) > 1 and toks[0].tag == "V" and _word(toks[0]) not in _HEADS and _word(toks[0]) in _LEAD:
            toks.pop(0)
            changed = True
    return toks


def _phrase(toks: list[_Tok], sentence: str) -> str:
    if not toks:
        return ""
    if all(t.start >= 0 for t in toks) and all(
        not sentence[a.end : b.start].strip() or sentence[a.end : b.start].strip() in ",-–"
        for a, b in zip(toks, toks[1:])
    ):
        text = sentence[toks[0].start : toks[-1].end]
    else:
        text = " ".join(t.text for t in toks)
        text = re.sub(r"\s+([,.;:%)])", r"\1", text).replace("( ", "(")
    text = re.sub(r"\s+", " ", text).strip(" ,-–")
    if len(text) > 1 and text[0].isupper() and not text[1].isupper():
        text = text[0].lower() + text[1:]
    return text


def _index_of(toks: list[_Tok], pos: int) -> int:
    for i, t in enumerate(toks):
        if t.start >= 0 and t.start <= pos < max(t.end, t.start + 1):
            return i
        if t.start > pos:
            return i
    return len(toks)


def _before_tokens(toks: list[_Tok], sentence: str, left: int, fig: Figure, floor: int) -> list[_Tok]:
    """Tokens of the clause before the figure, from the last comma whose right side
    still holds a noun; never before ``floor`` (the end of the previous figure)."""
    lo = max(left, floor)
    cand = [t for t in toks if t.start >= lo and t.end <= fig.start]
    cand = _strip_time(cand, sentence)
    cand = _strip_comparisons(cand)
    # the part after the last "với"/"trong đó"/"nhưng"; after the last comma too, unless
    # the comma joins two nouns of one phrase ("công nghiệp, tiểu thủ công nghiệp")
    cut = 0
    for i in range(len(cand) - 1, -1, -1):
        t = cand[i]
        if _word(t) in _SPLIT_INSIDE or (t.tag == "C" and _word(t) not in _COORD):
            cut = i + 1
            break
        if t.text == ",":
            tail = _trim(cand[i + 1 :])
            joined = i > 0 and _is_nominal(cand[i - 1]) and tail and _is_nominal(tail[0]) and tail[0].start == cand[i + 1].start
            if not joined and any(_is_nominal(x) for x in tail):
                cut = i + 1
                break
    return _trim(cand[cut:])


def _after_tokens(toks: list[_Tok], fig: Figure, right: int) -> list[_Tok]:
    """The counted noun phrase after a figure: up to a comma, a boundary or a verb cue."""
    out: list[_Tok] = []
    for t in toks:
        if t.start < fig.end:
            continue
        if t.start >= right or t.text in _BOUNDARY or t.text in (",",) or (out and t.tag == "CH") or len(out) >= 7:
            break
        if out and _word(t) in ("đạt", "chiếm", "là", "được", "có", "và", "hoặc", "tăng", "giảm", "trong_đó"):
            break
        if not out and t.tag == "CH":
            continue
        out.append(t)
    while out and (out[-1].tag in ("E", "C", "CH") or _word(out[-1]) in _TRAIL):
        out.pop()
    return out


def _count_unit(toks: list[_Tok], fig: Figure) -> str:
    """For a bare number: the counted noun right after it ("98 dự án" -> "dự án")."""
    nxt = [t for t in toks if t.start >= fig.end]
    if not nxt:
        return ""
    t = nxt[0]
    if t.start - fig.end > 2 or t.tag not in _NOUN_TAGS or _word(t) in TIME_UNITS or _word(t) in NOT_COUNTED:
        return ""
    if (t.text[:1].isupper() and t.tag == "Np") or not t.text[:1].isalpha():
        return ""
    return t.text


# --- kind ---------------------------------------------------------------------------------
def _label_lines(doc: Document, par: Paragraph | None) -> list[str]:
    """Short label paragraphs ("b) Mục tiêu cụ thể:") before ``par`` in its section."""
    if par is None:
        return []
    out = []
    for p in doc.paragraphs:
        if p.section_path != par.section_path or p.start >= par.start:
            continue
        text = doc.text[p.start : p.end].strip()
        if len(text.split()) <= 14 and (text.endswith(":") or len(text.split()) <= 6):
            out.append(text)
    return out[-1:]


def _heading_kind(doc: Document, par: Paragraph | None) -> str:
    headings = list(doc.heading_titles(par.section_path)) if par else []
    for text in reversed(_label_lines(doc, par) + headings[-1:] + headings[:-1][::-1][::-1]):
        t_hit, a_hit = _HEAD_TARGET.search(text), _HEAD_ACHIEVED.search(text)
        if t_hit and a_hit:
            return "target" if t_hit.start() < a_hit.start() else "achieved"
        if t_hit:
            return "target"
        if a_hit:
            return "achieved"
    return ""


def _clause_kind(text_before: str, text_after: str) -> str:
    t = list(_TARGET_CUES.finditer(text_before))
    a = list(_ACHIEVED_CUES.finditer(text_before))
    if t and a:
        return "target" if t[-1].start() > a[-1].start() else "achieved"
    if t:
        return "target"
    if a:
        return "achieved"
    if re.match(r"\s*trở\s+lên", text_after):
        return "target"
    return ""


def _end_year(period: str) -> int | None:
    years = _YEAR.findall(period)
    return int(years[-1]) if years else None


# --- the document -------------------------------------------------------------------------
def _paragraph_at(doc: Document, offset: int) -> Paragraph | None:
    for p in doc.paragraphs:
        if p.start <= offset < p.end:
            return p
    return None


def _body_spans(doc: Document) -> list[tuple[int, int]]:
    """Paragraph spans; the whole text minus header/signature blocks when unparsed."""
    if doc.paragraphs:
        return [(p.start, p.end) for p in doc.paragraphs]
    return [(0, len(doc.text))]


def _place(sentence: str, doc: Document) -> str:
    if _ADMIN.search(sentence):
        try:
            ents = _ner(sentence)
        except Exception:  # a tagger failure costs the place, not the row
            ents = []
        words: list[str] = []
        for ent in ents:
            tag = ent[-1]
            if tag == "B-LOC":
                if words:
                    break
                words = [ent[0]]
            elif tag == "I-LOC" and words:
                words.append(ent[0])
            elif words:
                break
        place = " ".join(words)
        if place and re.match(r"(?:tỉnh|huyện|thành phố|thị xã|quận|xã|phường|thị trấn)\s", place, re.IGNORECASE):
            return place
    return doc.meta.province or doc.meta.issuer


def extract_document(doc: Document) -> list[TargetRow]:
    """Every figure of ``doc`` as a row (document order)."""
    rows: list[TargetRow] = []
    doc_year = doc.meta.year
    header_end = max((b for a, b in doc.blocks.get("header", [])), default=0)
    for pstart, pend in _body_spans(doc):
        for a, b in _joined_sentences(doc.text, pstart, pend):
            if a < header_end:
                continue
            rows.extend(_sentence_rows(doc, doc.text[a:b], a, doc_year))
    return rows


def _joined_sentences(text: str, pstart: int, pend: int) -> list[tuple[int, int]]:
    """Sentences of a paragraph, with pieces of a hard-wrapped sentence joined again: a
    line break after a word with no closing punctuation ("đến năm\n2030 dự kiến là...",
    "mục tiêu tăng trưởng kinh tế 8% trong năm 2025 của\nTỉnh") does not end a sentence."""
    spans: list[tuple[int, int]] = []
    for s0, s1 in split_sentences(text[pstart:pend]):
        a, b = pstart + s0, pstart + s1
        if spans:
            pa, pb = spans[-1]
            gap = text[pb:a]
            prev_end = text[pb - 1 : pb]
            if "\n" in gap and gap.count("\n") == 1 and (prev_end.isalnum() or prev_end in ",-–") \
                    and not _LIST_START.match(text[a:b]):
                spans[-1] = (pa, b)
                continue
        spans.append((a, b))
    return spans


_LIST_START = re.compile(r"\s*(?:[-+•*]|\d+[.)]\s|[a-zđ]\)|[IVX]+\.)")


_PER_RE = re.compile(r"(?:\s?[^\W\d_]+){0,2}\s?/\s?(?:\d{1,3}(?:\.\d{3})*\s)?[^\W\d_]+(?:\s[^\W\d_]+)?")


def _colon_label(toks: list[_Tok], sentence: str, left: int, before: list[_Tok]) -> list[_Tok]:
    """A figure right after a colon with no noun before it in its clause is named by the label:
    "tỷ lệ vốn ngân sách nhà nước dự kiến: 85%-90% tổng vốn đầu tư"."""
    colon = sentence.rfind(":", 0, left) if left > 0 and sentence[left - 1] == ":" else -1
    if colon >= 0 and not any(_is_nominal(t) for t in before):
        label = _before_tokens(toks, sentence, 0, Figure(colon, colon, "", "", 0), 0)
        if any(_word(t) in _HEADS for t in label):
            return label
    return before


def _counted_end(toks: list[_Tok], sentence: str, fig: Figure, unit: str) -> tuple[int, str]:
    """Where a figure ends and its unit: a figure without a unit of its own takes the counted
    noun into its span, and a rate after it ("23 ca sinh/1.000 phụ nữ", "107 bé trai/100 bé gái")
    becomes its unit."""
    if fig.unit:
        return fig.end, unit
    nxt = [t for t in toks if t.start >= fig.end]
    end = nxt[0].end if nxt else fig.end
    per = _PER_RE.match(sentence[end:])
    if per:
        end += per.end()
        unit = sentence[fig.end : end].strip()
    return end, unit


def _sentence_rows(doc: Document, sentence: str, offset: int, doc_year: int | None) -> list[TargetRow]:
    figs = find_figures(sentence)
    if not figs:
        return []
    toks = _align(sentence, _pos_tag(sentence))
    par = _paragraph_at(doc, offset)
    passage = Passage(
        id="", doc_id=doc.id, start=offset, end=offset + len(sentence), text=sentence,
        section_path=par.section_path if par else (), paragraph=par.number if par else 0,
    )
    citation = citation_string(doc.meta, passage)
    heading_kind = _heading_kind(doc, par)
    place = None
    out: list[TargetRow] = []
    prev: tuple[Figure, str, int, str] | None = None  # previous figure, its indicator, clause start, period
    for n, fig in enumerate(figs):
        unit = fig.unit or _count_unit(toks, fig)
        if not unit:
            continue
        counted = not fig.unit or fig.unit in MULTIPLIERS or fig.unit.startswith("/")
        if fig.unit in MULTIPLIERS or fig.unit.startswith("/"):  # "01 triệu căn hộ", "56/93 nhiệm vụ"
            noun = _count_unit(toks, Figure(fig.start, fig.end, fig.value, "", fig.number))
            if noun:
                unit = f"{fig.unit} {noun}" if fig.unit in MULTIPLIERS else f"{fig.unit} {noun}".replace("/ ", "/")
            fig = Figure(fig.start, fig.end, fig.value, "", fig.number) if noun else fig
        left, right = _clause_bounds(sentence, fig)
        in_parens = left > 0 and sentence[left - 1] == "("
        floor = prev[0].end if prev and prev[2] == left else 0
        before = _before_tokens(toks, sentence, left, fig, floor)
        if in_parens and prev is None and not any(_is_nominal(t) for t in before):
            # "công trình Thủy điện Quảng Trị (64MW)", "(khoảng 1.500 tỷ đồng)": the phrase before the bracket
            left = max((sentence.rfind(c, 0, left - 1) for c in ";:()"), default=-1) + 1
            in_parens = False
            before = _before_tokens(toks, sentence, left, fig, 0)
        before = _colon_label(toks, sentence, left, before)
        nominal = [t for t in before if _is_nominal(t)]
        after = _after_tokens(toks, fig, right)
        end, unit = _counted_end(toks, sentence, fig, unit)
        inherited = False
        # a rate ("per 1.000 women") is named by the phrase before it; a share of a count
        # ("56/93 nhiệm vụ") by the counted phrase after it
        share = re.search(r"/\s?(\d{1,3}(?:\.\d{3})*|\d+)", unit)
        rate = "/" in unit and not (share and not re.fullmatch(r"10+|1(?:\.000)+", share.group(1)))
        if counted and after and not rate and not any(unit.split()[-1].lower() in t.low for t in nominal):
            indicator = _phrase(after, sentence)  # a count: the counted noun phrase
        elif nominal:
            indicator = _phrase(before, sentence)
        elif prev and prev[1] and (prev[2] == left or in_parens):
            indicator, inherited = prev[1], True
        else:
            indicator = _phrase(after, sentence)
        period = _period(sentence, fig, left, right)
        if not period and prev and (inherited or in_parens):
            period = prev[3]
        if not period:  # "Phấn đấu đến năm 2015, GDP ... đạt 1.260 tỷ đồng; tỷ trọng ... 29%"
            period = _period(sentence, Figure(fig.start, fig.start, "", "", 0), 0, fig.start)
        text_before = sentence[left : fig.start]
        kind = _kind(sentence, figs, n, fig, text_before, sentence[end:right], period, heading_kind, doc, doc_year)
        if not period and kind == "target" and not _ACHIEVED_CUES.search(sentence):
            period = _inherited_period(doc, par)
        if place is None:
            place = _place(sentence, doc)
        out.append(
            TargetRow(
                doc_id=doc.id,
                indicator=indicator,
                value=fig.value,
                unit=unit,
                comparator=_comparator(sentence, fig, left),
                period=period,
                kind=kind,
                citation=citation,
                quote=sentence,
                start=offset,
                end=offset + len(sentence),
                number=fig.number,
                place=place,
                section=".".join(par.section_path) if par else "",
                paragraph=par.number if par else 0,
                figure_start=offset + fig.start,
                figure_end=offset + end,
            )
        )
        prev = (Figure(fig.start, end, fig.value, unit, fig.number), indicator, left, period)
    return out


def _kind(sentence, figs, n, fig, text_before, text_after, period, heading_kind, doc, doc_year) -> str:
    # baseline: "từ X ... lên/xuống/còn Y", or the first of two same-unit figures with years rising
    later = [g for g in figs[n + 1 :] if g.unit == fig.unit or (not g.unit and not fig.unit)]
    if later:
        between = sentence[fig.end : later[0].start]
        if re.search(r"\btừ\s+(?:mức\s+)?$", text_before.lower()[-12:]) and _FROM_TO.search(between):
            return "baseline"
        if re.search(r"tăng\s+lên|giảm\s+xuống|giảm\s+còn|\blên\b|xuống\s+còn", between.lower()):
            y1 = _YEAR.findall(sentence[: fig.end + 12])
            y2 = _YEAR.findall(between)
            if y1 and y2 and int(y1[-1]) < int(y2[-1]):
                return "baseline"
    if re.match(r"\s*\(?\s*(?:năm\s+gốc|mốc)", text_after):
        return "baseline"
    kind = _clause_kind(text_before, text_after)
    if kind == "achieved" and heading_kind == "target" and re.search(r"hiện\s+(?:nay|có|tại|trạng)", text_before, re.IGNORECASE):
        return "baseline"  # "Mục tiêu ... Hiện nay, tổng số trạm ... khoảng 180 trạm"
    if kind:
        return kind
    end = _end_year(period)
    if end and doc_year:
        if end > doc_year:
            return "target"
        if end < doc_year:
            return "achieved" if heading_kind != "target" or end < doc_year - 1 else "target"
    if heading_kind:
        return heading_kind
    return "target" if doc.meta.doc_type in _PRESCRIPTIVE_TYPES else "achieved"


def _inherited_period(doc: Document, par: Paragraph | None) -> str:
    """A target without a period of its own takes the one of the label line before its
    paragraph ("Giai đoạn 2025 - 2030"), else of its headings, innermost first
    ("Mục tiêu đến hết năm 2026", "Giai đoạn 1 (2026 - 2028)"), else of the title."""
    texts = (_label_lines(doc, par) + doc.heading_titles(par.section_path)[::-1] if par else []) + [doc.meta.title]
    for text in texts:
        if pair := _YEAR_PAIR.search(text):
            return f"{pair.group(1)}-{pair.group(2)}"
        for m in _TIME_EXPR.finditer(text):
            if year := _YEAR.search(m.group(0)):
                return year.group(1)
    return ""


def extract_documents(docs: Iterable[Document]) -> list[TargetRow]:
    return [row for doc in docs for row in extract_document(doc)]
