"""Header, section and paragraph parsing of Vietnamese administrative documents.

Party resolutions, conclusions and directives and state decisions, plans and laws share
one layout, and this module reads it without ever changing the text:

* **header** - organ lines ("TỈNH UỶ QUẢNG TRỊ", "ỦY BAN NHÂN DÂN / TỈNH X"), the national
  or Party motto, "Số: ...", "<place>, ngày .. tháng .. năm ....", often as two columns
  separated by tabs or runs of spaces; then the document type line ("KẾT LUẬN"), the
  meeting/organ/term lines ("HỘI NGHỊ LẦN THỨ 6", "(KHOÁ X)") and the subject lines.
* **body** - numbered sections (Phần / Chương / Mục / Điều / I. / 1. / 1.1. / a)) and
  paragraphs with exact character offsets.
* **tail** - "Nơi nhận:" with its recipient list and the signature block (T/M ..., role,
  "(đã ký)", name), which text extraction often interleaves line by line.

Metadata holds only what the text states; a field it does not give stays "" (the
corpus sidecar may supply it later). Metadata values get display normalisation (proper
case, new-style tone marks "ủy"); offsets always point into the untouched text.

Conventions a citation relies on:

* ``Section.path`` labels: Roman "II", Arabic "2", letters "a", decimals "1.2" -> last
  part under its parent; legal units keep their word: "Chương I", "Mục 1", "Điều 5",
  "Phần I", "Phụ lục I".
* A numbered line is a *heading* when it is short and does not end a sentence
  ("1. Quan điểm"); a long or sentence-final numbered line ("1. Đảng đoàn HĐND tỉnh chỉ
  đạo ... .") is a *numbered paragraph*: it still opens a section (so "mục III.1" works)
  whose ``heading`` is "" and whose paragraph 1 is its own text.
* Paths are the document's own numbering, so a document that restarts it (or misspells a
  label, "Điền 23") can repeat a path; paragraph numbers then continue across the
  repeats, so (path, number) still names one paragraph.
* Paragraph spans never include list markers or labels: the text of "1. Đảng đoàn..."
  starts at "Đảng", that of "- Phát triển..." at "Phát". Lines are joined into one
  paragraph when a line does not end a sentence and the next one continues it (a hard
  wrap, or a page break before a lower-case word).
* A closing formula right after a numbered paragraph ("Nghị quyết này được phổ biến
  rộng rãi.") belongs to the document, not to that item: its path is ().
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass, field

from .documents import DocumentMeta, Paragraph, Section
from .text import fold, unify_tone_marks

__all__ = ["ParsedStructure", "parse_structure"]


@dataclass
class ParsedStructure:
    meta: DocumentMeta  # only what the text states; "" where it says nothing
    sections: list[Section]
    paragraphs: list[Paragraph]
    blocks: dict[str, list[tuple[int, int]]]  # "header", "recipients", "signature" spans


# =====================================================================================
# Lines and cells
# =====================================================================================


@dataclass(frozen=True)
class _Cell:
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class _Line:
    index: int
    start: int  # offset of the line's first character in the text
    raw: str  # the line without its "\n"

    @property
    def text(self) -> str:
        return self.raw.strip()

    @property
    def blank(self) -> bool:
        return not self.raw.strip()

    def span(self) -> tuple[int, int]:
        """Offsets of the line's content without surrounding whitespace."""
        lead = len(self.raw) - len(self.raw.lstrip())
        return self.start + lead, self.start + len(self.raw.rstrip())

    def cells(self) -> list[_Cell]:
        """Column cells: two-column layouts separate columns with tabs or 3+ spaces."""
        out: list[_Cell] = []
        pos = 0
        for m in list(_CELL_SEP.finditer(self.raw)) + [None]:
            stop = m.start() if m else len(self.raw)
            piece = self.raw[pos:stop]
            if piece.strip():
                lead = len(piece) - len(piece.lstrip())
                s = self.start + pos + lead
                out.append(_Cell(s, s + len(piece.strip()), piece.strip()))
            if m:
                pos = m.end()
        return out


_CELL_SEP = re.compile(r"\t+| {3,}")


def _split_lines(text: str) -> list[_Line]:
    lines: list[_Line] = []
    pos = 0
    for i, raw in enumerate(text.split("\n")):
        lines.append(_Line(i, pos, raw))
        pos += len(raw) + 1
    return lines


# =====================================================================================
# Small text predicates and display helpers
# =====================================================================================


def _folded(s: str) -> str:
    """Accent-less, lower-case, single-spaced: for tolerant vocabulary tests."""
    return " ".join(fold(s).lower().split())


def _lower(s: str) -> str:
    """Lower-case, single-spaced, new-style tone marks: for exact vocabulary tests."""
    return " ".join(unify_tone_marks(s).lower().split())


def _is_caps(s: str) -> bool:
    letters = [c for c in s if c.isalpha()]
    return len(letters) >= 2 and sum(c.isupper() for c in letters) >= 0.85 * len(letters)


def _words(s: str) -> int:
    return len(s.split())


_CLOSERS = ")\"'”’»*_ \t"


def _ends_sentence(s: str) -> bool:
    return s.rstrip(_CLOSERS).endswith((".", "!", "?", ";", ":", "…"))


def _strip_md(s: str) -> str:
    """Markdown heading markers and bold/underline emphasis out of a line."""
    return re.sub(r"\*\*|__", "", re.sub(r"^\s*#{1,6}\s+", "", s))


def _clean_value(s: str) -> str:
    """A metadata value: markdown out, whitespace collapsed, new-style tone marks."""
    s = " ".join(_strip_md(part) for part in s.split("\n"))
    return unify_tone_marks(" ".join(s.split())).strip(" ,;")


_SEPARATOR_RE = re.compile(r"^(?=.*[-–—_=*~])[-–—_=*~.•·oO0\s]+$")
_MD_PREFIX_RE = re.compile(r"[ \t]*(?:#{1,6}[ \t]+)?(?:\*\*|__)?[ \t]*")


def _is_separator(s: str) -> bool:
    return bool(_SEPARATOR_RE.match(s))


def _is_motto(s: str) -> bool:
    f = _folded(s)
    return (
        "cong hoa xa hoi chu nghia viet nam" in f
        or ("doc lap" in f and "hanh phuc" in f)
        or f.strip(" -*") == "dang cong san viet nam"
    )


# --- organ and role names -------------------------------------------------------------

_PHRASES: dict[tuple[str, ...], str] = {
    tuple(k.split()): v
    for k, v in {
        "ban chấp hành trung ương": "Ban Chấp hành Trung ương",
        "ban chấp hành": "Ban Chấp hành",
        "bch": "Ban Chấp hành",
        "ban thường vụ": "Ban Thường vụ",
        "btv": "Ban Thường vụ",
        "bộ chính trị": "Bộ Chính trị",
        "ban bí thư": "Ban Bí thư",
        "đảng cộng sản việt nam": "Đảng Cộng sản Việt Nam",
        "đảng bộ": "Đảng bộ",
        "đảng ủy": "Đảng ủy",
        "đảng đoàn": "Đảng đoàn",
        "ban cán sự đảng": "Ban cán sự đảng",
        "tỉnh ủy": "Tỉnh ủy",
        "thành ủy": "Thành ủy",
        "huyện ủy": "Huyện ủy",
        "thị ủy": "Thị ủy",
        "quận ủy": "Quận ủy",
        "ủy ban nhân dân": "Ủy ban nhân dân",
        "ubnd": "UBND",
        "hội đồng nhân dân": "Hội đồng nhân dân",
        "hđnd": "HĐND",
        "ủy ban kiểm tra": "Ủy ban Kiểm tra",
        "ủy ban mặt trận tổ quốc việt nam": "Ủy ban Mặt trận Tổ quốc Việt Nam",
        "mặt trận tổ quốc": "Mặt trận Tổ quốc",
        "mttq": "MTTQ",
        "quốc hội": "Quốc hội",
        "ủy ban thường vụ quốc hội": "Ủy ban Thường vụ Quốc hội",
        "chính phủ": "Chính phủ",
        "thủ tướng": "Thủ tướng",
        "văn phòng": "Văn phòng",
        "trung ương": "Trung ương",
        "tw": "TW",
        "việt nam": "Việt Nam",
        "chủ tịch": "Chủ tịch",
        "bí thư": "Bí thư",
        "thường trực": "Thường trực",
        "đảng": "Đảng",
    }.items()
}
_MAX_PHRASE = max(len(k) for k in _PHRASES)
_COMMITTEES = {"Tỉnh ủy": "province", "Thành ủy": "city", "Huyện ủy": "", "Thị ủy": "", "Quận ủy": ""}
_LOCALITIES: dict[tuple[str, ...], str] = {
    ("tỉnh",): "province",
    ("thành", "phố"): "city",
    ("huyện",): "",
    ("quận",): "",
    ("thị", "xã"): "",
    ("thị", "trấn"): "",
    ("xã",): "",
    ("phường",): "",
}
_NAMED_AFTER = {"sở", "bộ", "ban", "cục", "vụ", "viện", "trường"}  # "Sở Tài chính", "Ban Tuyên giáo"
# Cities directly under the central government are provinces for filtering purposes.
_CENTRAL_CITIES = {"ha noi", "ho chi minh", "hai phong", "da nang", "can tho", "hue"}


def _proper_organ(raw: str) -> tuple[str, str]:
    """Display name and province of an organ: "TỈNH UỶ QUẢNG TRỊ" -> ("Tỉnh ủy Quảng Trị", "Quảng Trị").

    Known organ phrases get their conventional capitals; the words after a locality
    ("tỉnh", "thành phố"...) or a committee ("Tỉnh ủy") are a place name in title case;
    the province is that place when the locality is a province (or a central city).
    """
    tokens = [t.strip(",;:") for t in unify_tone_marks(raw).split()]
    tokens = [t for t in tokens if t]
    low = [t.lower() for t in tokens]
    out: list[str] = []
    province = ""
    place_kind: str | None = None
    place: list[str] = []
    name_next = False

    def close_place() -> None:
        nonlocal province, place_kind, place
        name = " ".join(place)
        if name and not province and (
            place_kind == "province" or (place_kind == "city" and _folded(name) in _CENTRAL_CITIES)
        ):
            province = name
        place_kind, place = None, []

    i = 0
    while i < len(tokens):
        phrase = next(
            (low[i : i + n] for n in range(_MAX_PHRASE, 0, -1) if tuple(low[i : i + n]) in _PHRASES),
            None,
        )
        if phrase:
            close_place()
            display = _PHRASES[tuple(phrase)]
            out.append(display)
            i += len(phrase)
            if display in _COMMITTEES:
                place_kind = _COMMITTEES[display]
            name_next = phrase[-1] in _NAMED_AFTER
            continue
        locality = next((k for k in _LOCALITIES if tuple(low[i : i + len(k)]) == k), None)
        if locality:
            close_place()
            out.append(" ".join(locality))
            place_kind = _LOCALITIES[locality]
            i += len(locality)
            name_next = False
            continue
        word = low[i]
        if place_kind is not None:
            word = word if word == "-" else word.capitalize()
            place.append(word)
        elif name_next or low[i] in _NAMED_AFTER:
            word = word.capitalize() if name_next else word
            name_next = low[i] in _NAMED_AFTER
        out.append(word)
        i += 1
    close_place()
    text = " ".join(out)
    return (text[:1].upper() + text[1:]), province


def _proper_role(raw: str) -> str:
    """Display form of a role: "PHÓ CHỦ TỊCH" -> "Phó Chủ tịch", "CHỦ TỊCH QUỐC HỘI" -> "Chủ tịch Quốc hội"."""
    words = _proper_organ(raw)[0].split()
    if len(words) > 1 and words[0] == "Phó":
        words[1] = words[1].capitalize()  # "Phó Giám đốc"
    return " ".join(words)


def _proper_name(raw: str) -> str:
    return " ".join(w.capitalize() if w.isupper() else w for w in raw.split())


# =====================================================================================
# Header: organ, number, place and date, type, meeting, term, title
# =====================================================================================

_DOC_TYPES = sorted(
    [
        "NGHỊ QUYẾT LIÊN TỊCH", "THÔNG TƯ LIÊN TỊCH", "CHƯƠNG TRÌNH HÀNH ĐỘNG", "NGHỊ QUYẾT",
        "KẾT LUẬN", "CHỈ THỊ", "QUYẾT ĐỊNH", "KẾ HOẠCH", "THÔNG BÁO", "BÁO CÁO", "QUY ĐỊNH",
        "QUY CHẾ", "CHƯƠNG TRÌNH", "HƯỚNG DẪN", "BỘ LUẬT", "LUẬT", "PHÁP LỆNH", "NGHỊ ĐỊNH",
        "THÔNG TƯ", "THÔNG TRI", "ĐỀ ÁN", "TỜ TRÌNH", "CÔNG VĂN", "LỆNH", "HIẾN PHÁP",
        "ĐIỀU LỆ", "CHIẾN LƯỢC", "PHƯƠNG ÁN", "THÔNG CÁO", "BIÊN BẢN", "CÔNG ĐIỆN",
    ],
    key=len,
    reverse=True,
)
_NUMBER_RE = re.compile(r"^(?:[^\W\d_][^\d:]*?\s+)?số\s*[:.]*\s*(?P<num>\d[\w./\-–]*)", re.IGNORECASE)
_DATE_RE = re.compile(
    r"ngày\s*(?P<d>\d{1,2})\s*(?:tháng\s*(?P<m>\d{1,2})\s*năm\s*|[/.\-](?P<m2>\d{1,2})[/.\-])(?P<y>\d{4})",
    re.IGNORECASE,
)
_ORD = r"(?:\d+|(?:mười|một|hai|ba|bốn|tư|năm|lăm|sáu|bảy|tám|chín|nhất|mươi)(?:\s+(?:mười|một|hai|ba|bốn|tư|năm|lăm|sáu|bảy|tám|chín|nhất|mươi))*)"
_MEETING_RE = re.compile(
    rf"\b(?P<kind>hội\s+nghị|kỳ\s+họp|kì\s+họp)\s+(?P<lan>lần\s+)?thứ\s+(?P<ord>{_ORD})(?![^\W\d_])",
    re.IGNORECASE,
)
_TERM_RE = re.compile(r"\bkh(?:oá|óa|oa)\s+(?P<num>[IVXLC]+)\b", re.IGNORECASE)
_TERM_PAREN_RE = re.compile(r"\(?\s*\bkh(?:oá|óa|oa)\s+[IVXLC]+\b\s*\)?", re.IGNORECASE)
_ORGAN_PREFIXES = tuple(
    p + " "
    for p in (
        "ban chấp hành", "bch", "ban thường vụ", "btv", "ban cán sự", "ban bí thư", "ban tuyên giáo",
        "ban tổ chức", "ban dân vận", "ban nội chính", "ban kinh tế", "ban chỉ đạo", "ban quản lý",
        "tỉnh ủy", "thành ủy", "huyện ủy", "thị ủy", "quận ủy", "đảng ủy", "đảng bộ", "đảng đoàn",
        "ủy ban", "ubnd", "hđnd", "hội đồng", "quốc hội", "chính phủ", "thủ tướng", "bộ", "sở",
        "văn phòng", "mặt trận", "tòa án", "viện kiểm sát", "cục", "tổng cục", "chủ tịch",
        "thường trực", "tỉnh", "thành phố", "huyện",
    )
)


def _doc_type(line: _Line) -> tuple[str, str] | None:
    """The type line: "KẾT LUẬN" -> ("Kết luận", ""); "LUẬT ĐẤT ĐAI" -> ("Luật", "ĐẤT ĐAI")."""
    s = re.sub(r"\*\*|__|^#{1,6}\s*", "", line.text)
    s = unify_tone_marks(" ".join(s.split()))
    up = s.upper()
    for t in _DOC_TYPES:
        if up == t:
            return t.capitalize(), ""
        if up.startswith(t + " ") and _is_caps(s):
            return t.capitalize(), s[len(t) + 1 :].strip()
    return None


def _is_organ(s: str) -> bool:
    return _is_caps(s) and (_lower(s) + " ").startswith(_ORGAN_PREFIXES)


@dataclass
class _Header:
    end: int = 0  # index of the first line after the header
    doc_type: str = ""
    number: str = ""
    date: str = ""
    place: str = ""
    organs: list[str] = field(default_factory=list)  # raw organ lines above the type line
    organs_after: list[str] = field(default_factory=list)  # organ lines after it (fallback issuer)
    meeting: str = ""
    term: str = ""
    title: str = ""


def _parse_date(cell: str) -> tuple[str, str] | None:
    m = _DATE_RE.search(cell)
    if not m:
        return None
    try:
        day = _dt.date(int(m["y"]), int(m["m"] or m["m2"]), int(m["d"]))
    except ValueError:
        return None
    place = cell[: m.start()].strip().rstrip(",").strip()
    if not place or not place[0].isalpha() or any(c.isdigit() for c in place) or _words(place) > 6:
        place = ""
    return day.isoformat(), place


def _header_cell(h: _Header, cell: str) -> bool:
    """Record what a header cell states; False if it is not a recognisable header item."""
    if _is_separator(cell) or _is_motto(cell):
        return True
    m = _NUMBER_RE.match(cell)
    if m and not h.number:
        h.number = m["num"].rstrip(".,;:")
        split = re.match(r"\s(\d{1,2})\s*$", cell[m.end() :])
        if split and h.number[-1:].isalpha():  # "73/2006/QH 11": the term split off by a typo
            h.number += split.group(1)
        return True
    date = _parse_date(cell)
    if date:
        if not h.date:
            h.date, h.place = date
        return True
    rest = _meeting_term(h, cell)
    if rest is not None:
        if rest and _is_caps(rest):
            _add_organ(h.organs, rest)
        return True
    if _is_caps(cell) and _words(cell) <= 15:
        if _doc_type(_Line(0, 0, cell)) is None:
            _add_organ(h.organs, cell)
        return True
    return False


_LOCALITY_START = ("tinh ", "thanh pho ", "huyen ", "quan ", "thi xa ", "xa ", "phuong ", "thi tran ")


def _add_organ(organs: list[str], cell: str) -> None:
    """Add an organ line; "ỦY BAN NHÂN DÂN" + "TỈNH QUẢNG NAM" on the next line are one organ."""
    f = _folded(cell) + " "
    if organs and f.startswith(_LOCALITY_START):
        prev = _folded(organs[-1])
        if not any(w in prev.split() for w in ("tinh", "huyen", "xa", "phuong", "quan")) and "thanh pho" not in prev:
            organs[-1] = f"{organs[-1]} {cell}"
            return
    organs.append(cell)


def _meeting_term(h: _Header, s: str) -> str | None:
    """Record the meeting ("Hội nghị lần thứ 6") and term ("khóa XV") that ``s`` states.

    None if it states neither; else what is left of ``s`` (often an organ, maybe "").
    """
    m = _MEETING_RE.search(s)
    t = _TERM_RE.search(s)
    if not m and not t:
        return None
    if m:
        if m["kind"].lower().startswith("hội"):
            h.meeting = h.meeting or f"Hội nghị {'lần ' if m['lan'] else ''}thứ {m['ord'].lower()}"
        else:
            h.meeting = h.meeting or f"Kỳ họp thứ {m['ord'].lower()}"
        s = f"{s[: m.start()]} {s[m.end() :]}"
    if t:
        h.term = h.term or f"khóa {t['num'].upper()}"
    return " ".join(_TERM_PAREN_RE.sub(" ", s).split()).strip(" ,;-–()")


def _zone_caps_line(h: _Header, s: str) -> bool:
    """A meeting / term / organ line after the type line; False if it is none of them."""
    rest = _meeting_term(h, s)
    if rest is not None:
        if rest and _is_organ(rest):
            h.organs_after.append(rest)
        return True
    if _is_organ(s):
        h.organs_after.append(s)
        return True
    return False


def _caption(h: _Header, s: str) -> str:
    """Old law captions: "SỐ 18-L/CTN NGÀY 06/07/1993 CỦA QUỐC HỘI VỀ DẦU KHÍ" -> number,
    date, and the subject ("VỀ DẦU KHÍ") as the title."""
    m = _NUMBER_RE.match(s)
    if m and not h.number:
        h.number = m["num"].rstrip(".,;:")
    d = _DATE_RE.search(s)
    date = _parse_date(s) if d else None
    if date and not h.date:
        h.date = date[0]
    about = re.search(r"(?<![^\W\d_])VỀ\s", s)
    if about:
        return s[about.start() :]
    return s[d.end() :].strip() if d else s[m.end() :].strip() if m else ""


_CAPTION_RE = re.compile(r"^(?:SỐ|CỦA)\s")
_LAW_TYPES = {"Luật", "Bộ luật", "Pháp lệnh", "Hiến pháp"}


def _parse_header(lines: list[_Line]) -> _Header:
    type_at = _find_type_line(lines)
    if type_at is None:
        return _parse_bare_header(lines)
    h = _Header()
    for line in lines[:type_at]:
        for cell in line.cells():
            if cell.text.lower().startswith("v/v") and not h.title:
                h.title = _clean_value(cell.text[3:].lstrip(" :.")).strip()
            else:
                _header_cell(h, cell.text)
    h.doc_type, rest = _doc_type(lines[type_at])  # type: ignore[misc]
    title: list[str] = []
    if rest and not _zone_caps_line(h, rest):
        title.append(rest)
    i = type_at + 1
    blank = False  # a blank line since the last title line
    closed = False  # an organ/meeting line after the title ends it
    while i < len(lines):
        line = lines[i]
        s = line.text
        if line.blank:
            blank = True
            i += 1
            continue
        if _is_separator(s):
            i += 1
            break
        if _match_label(line) or len(s) > 300 or _folded(s).startswith(("can cu", "xet ")):
            break
        if _doc_type(line) is not None and s.endswith(":"):
            break  # enacting formula "QUYẾT ĐỊNH:" opens the body
        if _is_caps(s) and _CAPTION_RE.match(s):
            subject = _caption(h, s)
            if subject and not title:
                title.append(subject)
        elif _is_caps(s) and (_meeting_term(h, s) is not None if h.doc_type in _LAW_TYPES else _zone_caps_line(h, s)):
            closed = bool(title)
        elif closed:
            break
        elif not title:
            if _ends_sentence(s) or _words(s) > 60:
                break
            title.append(s)
        elif not blank and not _ends_sentence(title[-1]) and _is_caps(s) == _is_caps(title[-1]):
            title.append(s)  # the subject wrapped over lines
        elif blank and s[:1].islower():
            title.append(s)  # ... or over a page/paragraph break
        else:
            break
        blank = False
        i += 1
    if title:
        h.title = _clean_value(" ".join(title))
        if h.doc_type in _LAW_TYPES:
            h.title = _law_title(h.title, h.doc_type)
    h.end = i
    return h


# Names inside law titles that keep their capitals when the title is sentence-cased.
_LAW_NAME_PHRASES = {
    tuple(k.split()): k2
    for k, k2 in {
        "việt nam": "Việt Nam", "quốc hội": "Quốc hội", "chính phủ": "Chính phủ",
        "hội đồng nhân dân": "Hội đồng nhân dân", "ủy ban nhân dân": "Ủy ban nhân dân",
        "mặt trận tổ quốc": "Mặt trận Tổ quốc", "tòa án nhân dân": "Tòa án nhân dân",
        "viện kiểm sát nhân dân": "Viện kiểm sát nhân dân", "quân đội nhân dân": "Quân đội nhân dân",
        "ngân hàng nhà nước": "Ngân hàng Nhà nước", "cộng hòa xã hội chủ nghĩa": "Cộng hòa xã hội chủ nghĩa",
        "hồ chí minh": "Hồ Chí Minh",
    }.items()
}  # fmt: skip
_LAW_NAME_MAX = max(len(k) for k in _LAW_NAME_PHRASES)
_LAW_CAPTION_TAIL_RE = re.compile(
    r"\s+(?:CỦA\s+(?:QUỐC\s+HỘI|CHỦ\s+TỊCH)(?=\s+(?:NƯỚC|SỐ|NGÀY|KH[OÓ]A)\b|\s*$)|SỐ\s*:?\s*\d|NGÀY\s+\d).*$"
)


def _law_title(title: str, doc_type: str) -> str:
    """A law's name as citations write it: "HÔN NHÂN VÀ GIA ĐÌNH" -> "Hôn nhân và gia đình",
    so "Luật" + title reads "Luật Hôn nhân và gia đình".

    Old captions carry more than the name ("DOANH NGHIỆP TƯ NHÂN CỦA QUỐC HỘI SỐ
    48-LCT/HĐNN8 NGÀY ...", "VỀ LUẬT BIÊN GIỚI QUỐC GIA"): the tail and the leading
    "VỀ"/"LUẬT" go. An all-capitals name is sentence-cased, keeping the capitals of the
    names of State bodies and of the country, and of abbreviations like "(HIV/AIDS)".
    """
    name = _LAW_CAPTION_TAIL_RE.sub("", title).strip(" ,;")
    name = re.sub(r"^VỀ\s+(?:LUẬT\s+)?", "", name) if _is_caps(name) else name
    if not name or not _is_caps(name):
        return name or title
    words = name.split()
    low = [w if ("/" in w or w.startswith("(")) else w.lower() for w in words]
    i = 0
    while i < len(low):
        for n in range(_LAW_NAME_MAX, 0, -1):
            key = tuple(w.strip(",;()") for w in low[i : i + n])
            if len(key) == n and key in _LAW_NAME_PHRASES:
                shown = _LAW_NAME_PHRASES[key].split()
                low[i : i + n] = [w.replace(k, s) for w, k, s in zip(low[i : i + n], key, shown)]
                i += n - 1
                break
        i += 1
    out = " ".join(low)
    out = re.sub(r"\bcủa luật (\w)", lambda m: "của Luật " + m.group(1).upper(), out)  # "... của Luật Đầu tư"
    if doc_type == "Hiến pháp" or out.startswith("sửa đổi"):
        return out  # "Hiến pháp nước Cộng hòa...", "Luật sửa đổi, bổ sung ..."
    return out[:1].upper() + out[1:]


def _find_type_line(lines: list[_Line]) -> int | None:
    """The document type line, if it sits at the top after short header lines only."""
    seen = 0
    for line in lines:
        if line.blank:
            continue
        seen += 1
        if seen > 25 or len(line.text) > 200 or _match_label(line):
            return None
        if _doc_type(line) is not None and not line.text.endswith(":"):
            return line.index
    return None


def _parse_bare_header(lines: list[_Line]) -> _Header:
    """No type line: take leading lines only while every cell is a header item, and only
    if they include a number, a date or a motto (an organ-like line alone proves nothing)."""
    probe = _Header()
    end = 0
    for line in lines:
        if line.blank:
            end = line.index + 1
            continue
        if len(line.text) > 200 or _match_label(line):
            break
        if not all(_header_cell(probe, c.text) for c in line.cells()):
            break
        end = line.index + 1
    strong = probe.number or probe.date or any(_is_motto(c.text) for ln in lines[:end] for c in ln.cells())
    if not strong:
        return _Header()
    probe.organs = [o for o in probe.organs if _is_organ(o)]
    probe.end = end
    return probe


# =====================================================================================
# Tail: "Nơi nhận" and the signature block
# =====================================================================================

_NOI_NHAN_RE = re.compile(r"^nơi\s+nhận\b", re.IGNORECASE)
_AUTH_RE = re.compile(
    r"^(?P<prefix>T/M|T\.M\.?|TM\.|TM(?=\s)|K/T|KT\.|KT(?=\s)|T/L|TL\.|TL(?=\s)|TUQ\.|TUQ(?=\s)|Q\.)\s*(?P<rest>\S.*)$"
)
_ROLE_PREFIXES = tuple(
    p + " "
    for p in (
        "bí thư", "phó bí thư", "tổng bí thư", "chủ tịch", "phó chủ tịch", "giám đốc", "phó giám đốc",
        "tổng giám đốc", "trưởng ban", "phó trưởng ban", "chánh văn phòng", "phó chánh văn phòng",
        "thủ tướng", "phó thủ tướng", "bộ trưởng", "thứ trưởng", "chủ nhiệm", "phó chủ nhiệm",
        "trưởng phòng", "phó trưởng phòng", "hiệu trưởng", "viện trưởng", "chánh án", "cục trưởng",
        "tổng cục trưởng", "ủy viên", "thường trực", "tổng thư ký", "chánh thanh tra", "trưởng đoàn",
    )
)
_MARK_RE = re.compile(r"^[(\[].{0,40}[)\]]$")
_BULLET_RE = re.compile(r"^[ \t]*(?:[-–—+•][ \t]+(?=\S)|[-–—+•](?=[^\W\d_])|\*[ \t]+(?=\S))")
_NOT_NAME_WORDS = {"ủy", "uỷ", "ban", "sở", "bộ", "đảng", "tỉnh", "huyện", "phòng", "trung", "chính", "quốc", "hội", "lưu", "các", "như"}
_SURNAMES = {
    "nguyen", "tran", "le", "pham", "hoang", "huynh", "phan", "vu", "vo", "dang", "bui", "do",
    "ho", "ngo", "duong", "ly", "dinh", "doan", "truong", "lam", "mai", "trinh", "luong", "cao",
    "ha", "ta", "chu", "vuong", "thai", "kieu", "lai", "luu", "hua", "giang", "tong", "quach",
    "la", "dao", "nong", "lo", "lu", "kim", "thach", "son", "to", "tang", "van", "khuat", "bach",
}


def _is_role(s: str) -> bool:
    return _is_caps(s) and _words(s) <= 8 and (_lower(s) + " ").startswith(_ROLE_PREFIXES)


def _is_name(s: str) -> bool:
    """A person's name: 2-6 capitalised words ("Lê Hữu Phúc"), or an all-caps name
    starting with a common surname ("NGUYỄN VĂN A")."""
    words = s.split()
    if not 2 <= len(words) <= 6 or not all(w.isalpha() for w in words):
        return False
    if any(w.lower() in _NOT_NAME_WORDS for w in words):
        return False
    if all(w[0].isupper() and (len(w) == 1 or w[1:].islower()) for w in words):
        return True
    return s.isupper() and _folded(words[0]) in _SURNAMES


def _tail_kind(s: str) -> str:
    if _NOI_NHAN_RE.match(s):
        return "label"
    m = _AUTH_RE.match(s)
    if m and _is_caps(m["rest"]) and _words(m["rest"]) <= 10:
        return "authority"
    if _is_role(s):
        return "role"
    if _MARK_RE.match(s):
        return "mark"
    if _BULLET_RE.match(s) or _lower(s).startswith("lưu"):
        return "recipient"
    if _is_name(s):
        return "name"
    if _is_caps(s):
        return "caps"
    return "text"


@dataclass
class _Tail:
    start: int  # first tail line
    end: int  # first line after the tail (body resumes there, e.g. an appendix)
    spans: list[tuple[int, int, str]] = field(default_factory=list)  # (start, end, block)
    authorities: list[str] = field(default_factory=list)
    role: str = ""
    signer: str = ""


def _find_tail(lines: list[_Line], body_from: int) -> _Tail | None:
    start = None
    for line in lines[body_from:]:
        cells = line.cells()
        if not cells:
            continue
        if _tail_kind(cells[0].text) == "label" or any(_tail_kind(c.text) == "authority" for c in cells):
            start = line.index
            break
    if start is None:
        start = _role_only_signature(lines, body_from)
        if start is None:
            return None
    end = len(lines)
    for line in lines[start + 1 :]:
        s = line.text
        if _is_separator(s) or line.blank:
            continue
        label = _match_label(line)
        if (label and label.kind in ("phan", "phuluc", "chuong")) or _doc_type(line) or (
            len(s) > 150 and _tail_kind(s) == "text"
        ):
            end = line.index
            break
    tail = _Tail(start, end)
    _read_tail(lines[start:end], tail)
    return tail


def _role_only_signature(lines: list[_Line], body_from: int) -> int | None:
    """A signature without "T/M"/"Nơi nhận": a role line, then at most marks, then a name, at the end."""
    rest = [ln for ln in lines[body_from:] if not ln.blank]
    tail = rest[-6:]
    for k, line in enumerate(tail):
        if _is_role(line.text):
            after = [_tail_kind(x.text) for x in tail[k + 1 :]]
            if after and after[-1] == "name" and all(a in ("mark", "name") for a in after):
                return line.index
    return None


def _read_tail(lines: list[_Line], tail: _Tail) -> None:
    seen_label = False
    last_sig = ""
    for line in lines:
        for cell in line.cells():
            kind = _tail_kind(cell.text)
            block = "recipients"
            if kind == "label":
                seen_label = True
            elif kind == "authority":
                m = _AUTH_RE.match(cell.text)
                assert m is not None
                tail.authorities.append(f"{m['prefix']} {_proper_organ(m['rest'])[0]}")
                block = "signature"
            elif kind == "role" or (kind == "caps" and last_sig == "authority" and not tail.role):
                tail.role = tail.role or _proper_role(cell.text)
                block = "signature"
            elif kind == "mark":
                block = "signature"
            elif kind == "name":
                tail.signer = tail.signer or _proper_name(cell.text)
                block = "signature"
            elif kind in ("caps", "text") and not seen_label:
                block = "signature"
            if block == "signature":
                last_sig = kind
            tail.spans.append((cell.start, cell.end, block))


# =====================================================================================
# Body: sections and paragraphs
# =====================================================================================


@dataclass(frozen=True)
class _Label:
    kind: str
    rank: int
    component: str  # path component, e.g. "II", "2", "a", "Điều 5"
    start: int  # offset of the label
    content: int  # offset where the text after the label starts
    bold_open: bool  # the line opened "**" that the label did not close


_ROMAN_RE = re.compile(r"^(?=[IVX])X{0,3}(?:IX|IV|V?I{0,3})$")
_LABEL_PATTERNS: tuple[tuple[str, int, re.Pattern[str]], ...] = (
    ("phan", 0, re.compile(r"(?:PHẦN|Phần)\s+(?P<num>THỨ\s+[^\W\d_]+|thứ\s+[^\W\d_]+|[IVX]+|\d+)(?![^\W\d_])")),
    ("phuluc", 0, re.compile(r"(?:PHỤ LỤC|Phụ lục)(?:\s+(?P<num>[IVX]+|\d+[a-z]?))?(?![^\W\d_])")),
    ("chuong", 1, re.compile(r"(?:CHƯƠNG|Chương)\s+(?P<num>[IVXLC]+|\d+)(?![^\W\d_])")),
    ("muc", 2, re.compile(r"(?:MỤC|Mục)\s+(?P<num>\d+|[IVX]+)(?![^\W\d_])")),
    ("dieu", 3, re.compile(r"(?:ĐIỀU|Điều)\s+(?P<num>\d+[a-zđ]?)(?=\s*[.:]|\s*$)")),
    ("decimal", 6, re.compile(r"(?P<num>\d{1,2}(?:\.\d{1,2})+)(?:[.)]\s*|\s+)(?=[^\W\d_])")),
    ("roman", 4, re.compile(r"(?P<num>[IVX]{1,6})\s*[.)/\-–](?=\s|$|[^\W\d_])")),
    # "1." "1)" "1/", and the old laws' "1- " (khoản written with a dash)
    ("arabic", 5, re.compile(r"(?P<num>\d{1,2})\s*(?:[.)/](?=[ \t]*[^\W\d_]|[ \t]+[^\s\d])|[-–](?=[ \t]+[^\W\d_]))")),
    ("letter", 7, re.compile(r"(?P<num>[a-zđ])(?:\s*[)/](?=\s+\S)|\.(?=\s+[^\W\d_]))")),
)
_LABEL_RANK_DIEU = 3
_WORDY_LABELS = {"phan": "Phần", "phuluc": "Phụ lục", "chuong": "Chương", "muc": "Mục", "dieu": "Điều"}


def _match_label(line: _Line) -> _Label | None:
    md = _MD_PREFIX_RE.match(line.raw)
    assert md is not None
    pos = md.end()
    rest = line.raw[pos:]
    for kind, rank, pattern in _LABEL_PATTERNS:
        m = pattern.match(rest)
        if not m:
            continue
        num = m["num"] or ""
        if kind == "roman" and not _ROMAN_RE.match(num):
            continue
        after = rest[m.end() :]
        if kind in ("phan", "phuluc", "muc"):
            tail = after.strip(" .:-–*")
            if tail and not _is_caps(tail) and not after.lstrip().startswith((".", ":", "-", "–")):
                continue  # "Mục tiêu...", "Phụ lục kèm theo..." in running text
        skip = re.match(r"[ \t]*[.:\-–]?[ \t]*(?:\*\*|__)?[ \t]*", after) if kind in _WORDY_LABELS else re.match(
            r"[ \t]*(?:\*\*|__)?[ \t]*", after
        )
        assert skip is not None
        opened = line.raw[: md.end()].count("**") + line.raw[: md.end()].count("__")
        closed = skip.group(0).count("**") + skip.group(0).count("__")
        component = num
        if kind in _WORDY_LABELS:
            spoken = kind == "phan" and not (num[:1].isdigit() or _ROMAN_RE.match(num))  # "Phần thứ nhất"
            shown = " ".join(num.split()).lower() if spoken else num.upper() if kind != "dieu" else num
            component = f"{_WORDY_LABELS[kind]} {shown}".strip()
        return _Label(kind, rank, component, line.start + pos, line.start + pos + m.end() + skip.end(), opened > closed)
    return None


def _is_heading(label: _Label, text: str) -> bool:
    """Short and not a finished sentence -> heading; otherwise a numbered paragraph.

    Headings may end with ":" ("2. Nhiệm vụ cụ thể:") or carry a stray period after a
    few words ("1. Quan điểm."), never a ";" (that is a list item).
    """
    if label.kind in ("phan", "phuluc", "chuong", "muc"):
        return True
    n = _words(text)
    if n == 0:
        return True
    roman = label.kind == "roman"
    if n > (40 if roman else 25):
        return False
    end = text.rstrip(_CLOSERS)[-1:]
    if end == ";":
        return False
    return not (end in ".!?…" and n > (6 if roman else 3))


# "QUYẾT ĐỊNH:", "QUYẾT NGHỊ:" between the preamble and the articles: a formula, not a paragraph.
_ENACTING_RE = re.compile(r"^(?:\*\*)?(?:QUYẾT ĐỊNH|QUYẾT NGHỊ|NGHỊ QUYẾT|KẾT LUẬN|CHỈ THỊ|BAN HÀNH)\s*:(?:\*\*)?$")
_CLOSING_RE = re.compile(
    r"^(?:Nghị quyết|Kết luận|Chỉ thị|Quyết định|Kế hoạch|Thông báo|Quy định|Chương trình|Hướng dẫn|"
    r"Báo cáo|Thông tri|Quy chế|Văn bản)\s+này\b"
)


@dataclass
class _Open:
    start: int
    end: int
    path: tuple[str, ...]
    last: str  # the last line's text, for the continuation test


class _BodyParser:
    """Walks body lines once, keeping a stack of open section labels."""

    def __init__(self, text: str, lines: list[_Line]):
        self.text = text
        self.lines = lines
        self.sections: list[Section] = []
        self.ranks: list[int] = []
        self.items: list[bool] = []  # section i is a numbered paragraph
        self.bounds: list[int] = []  # end of the body segment a section lives in
        self.line_starts: list[int] = []  # where each section's first line starts
        self.paragraphs: list[Paragraph] = []
        self.stack: list[tuple[int, str]] = []
        self.counts: dict[tuple[str, ...], int] = {}
        self.cur: _Open | None = None
        self.closing = False  # after a closing formula, paragraphs belong to the document
        self.cuts: list[int] = []  # where closing formulas start: open sections end before them

    @property
    def path(self) -> tuple[str, ...]:
        return tuple(c for _, c in self.stack)

    def close(self) -> None:
        if self.cur is None:
            return
        cur, self.cur = self.cur, None
        if not any(ch.isalnum() for ch in self.text[cur.start : cur.end]):
            return
        n = self.counts.get(cur.path, 0) + 1
        self.counts[cur.path] = n
        self.paragraphs.append(Paragraph(cur.start, cur.end, cur.path, n))

    def segment(self, first: int, stop: int, *, fresh: bool = False) -> None:
        """Parse lines ``first..stop-1``; ``fresh`` starts outside any section (after the tail)."""
        if fresh:
            self.stack, self.closing = [], False
        bound = self.lines[stop].start if stop < len(self.lines) else len(self.text)
        blank = False
        i = first
        while i < stop:
            line = self.lines[i]
            s = line.text
            if line.blank:
                blank = True
                i += 1
                continue
            if _is_separator(s) or _ENACTING_RE.match(s):
                self.close()
                blank = False
                i += 1
                continue
            label = _match_label(line)
            if label:
                i = self._section(label, i, stop, bound)
                blank = False
                continue
            bullet = _BULLET_RE.match(line.raw)
            start, end = line.span()
            if bullet:
                self.close()
                self._open(line.start + bullet.end(), end, s)
            elif self.cur and self._continues(self.cur.last, s, blank):
                self.cur.end, self.cur.last = end, s
            else:
                self.close()
                self._open(start, end, s)
            blank = False
            i += 1
        self.close()

    def _open(self, start: int, end: int, s: str) -> None:
        if self.items and self.items[-1] and self.path == self.sections[-1].path and _CLOSING_RE.match(s):
            self.closing = True
            self.cuts.append(start)
        self.cur = _Open(start, end, () if self.closing else self.path, s)

    @staticmethod
    def _continues(prev: str, s: str, blank: bool) -> bool:
        if _ends_sentence(prev):
            return False
        return not blank or s[:1].islower()

    def _section(self, label: _Label, i: int, stop: int, bound: int) -> int:
        """Open the section at line ``i``; return the index of the next unread line."""
        self.close()
        self.closing = False
        line = self.lines[i]
        end = line.span()[1]
        parts = [self.text[label.content : end]]
        j = i + 1
        if label.bold_open and "**" not in parts[0] and "__" not in parts[0]:
            while j < stop and j < i + 5 and not self.lines[j].blank:
                parts.append(self.lines[j].text)
                end = self.lines[j].span()[1]
                j += 1
                if "**" in parts[-1] or "__" in parts[-1]:
                    break
        elif _is_caps(parts[0]) or (label.kind in _WORDY_LABELS and not parts[0].strip(" *_")):
            # a caps heading wrapped over lines, or "Chương I" with its name on the next line
            k = j
            while k < stop and k < i + 4:
                nxt = self.lines[k]
                if nxt.blank and not parts[0].strip(" *_") and k == j:
                    k += 1
                    continue
                if nxt.blank or not _is_caps(nxt.text) or _match_label(nxt) or _is_separator(nxt.text):
                    break
                parts.append(nxt.text)
                end = nxt.span()[1]
                k += 1
                j = k
        heading = " ".join(" ".join(_strip_md(p) for p in parts).split())
        rank = label.rank
        component = label.component
        if label.kind == "decimal":  # "1.2." under "1." is ("1", "2"); otherwise it keeps "1.2"
            head, _, last = component.rpartition(".")
            parent = next((c for r, c in reversed(self.stack) if r == 5), None)
            if parent == head:
                component = last
        while self.stack and self.stack[-1][0] >= rank:
            self.stack.pop()
        self.stack.append((rank, component))
        # Below an article (Điều), a short clause or point that ends a sentence ("b) tổ
        # chức.") is content to cite, not a heading; a lead-in ("2. ... gồm:") stays the
        # heading of its points.
        under_article = any(r == _LABEL_RANK_DIEU for r, _ in self.stack[:-1])
        item = not _is_heading(label, heading) or (under_article and heading.rstrip(_CLOSERS).endswith("."))
        self.sections.append(Section(self.path, "" if item else heading, label.start, end))
        self.ranks.append(rank)
        self.items.append(item)
        self.bounds.append(bound)
        self.line_starts.append(line.span()[0])
        if item:
            first = self.lines[i]
            self.cur = _Open(label.content, first.span()[1], self.path, first.text)
            return i + 1
        return j

    def finish(self) -> None:
        """Each section ends where the next one of the same or a higher level starts."""
        for k, sec in enumerate(self.sections):
            stop = min([self.bounds[k]] + [c for c in self.cuts if c > sec.start])
            for j in range(k + 1, len(self.sections)):
                if self.ranks[j] <= self.ranks[k] or self.sections[j].start >= stop:
                    stop = min(stop, self.line_starts[j])
                    break
            end = stop
            while end > sec.start and self.text[end - 1].isspace():
                end -= 1
            sec.end = max(end, sec.end)


# =====================================================================================
# Putting it together
# =====================================================================================


def _merge_spans(spans: list[tuple[int, int, str]]) -> dict[str, list[tuple[int, int]]]:
    """Adjacent cells of the same block become one span (interleaved blocks stay apart)."""
    out: dict[str, list[tuple[int, int]]] = {}
    last_kind = ""
    for start, end, kind in sorted(spans):
        bucket = out.setdefault(kind, [])
        if kind == last_kind and bucket:
            bucket[-1] = (bucket[-1][0], end)
        else:
            bucket.append((start, end))
        last_kind = kind
    return out


def _issuer(h: _Header, tail: _Tail | None) -> tuple[str, str]:
    organs = [_proper_organ(_TERM_PAREN_RE.sub("", o).strip(" ,;-–()")) for o in h.organs]
    organs = [o for o in organs if o[0]]
    after = [_proper_organ(o) for o in h.organs_after]
    issuer = ""
    if organs:
        issuer = organs[-1][0]
        if len(organs) > 1 and _folded(issuer).startswith(("ban ", "van phong", "uy ban kiem tra")):
            issuer = f"{issuer} {organs[0][0]}"  # "Ban Tuyên giáo" of "Tỉnh ủy Quảng Trị"
    elif after:
        issuer = after[0][0]
    province = next((p for _, p in organs + after if p), "")
    if not province and tail:
        for auth in tail.authorities:
            province = _proper_organ(auth.split(" ", 1)[-1])[1]
            if province:
                break
    return issuer, province


def parse_structure(text: str) -> ParsedStructure:
    """Parse header metadata, sections, paragraphs and non-body blocks of ``text``."""
    lines = _split_lines(text)
    h = _parse_header(lines)
    tail = _find_tail(lines, h.end)
    body = _BodyParser(text, lines)
    if tail:
        body.segment(h.end, tail.start)
        body.segment(tail.end, len(lines), fresh=True)
    else:
        body.segment(h.end, len(lines))
    body.finish()

    blocks: dict[str, list[tuple[int, int]]] = {}
    header_lines = [ln for ln in lines[: h.end] if not ln.blank]
    if header_lines:
        blocks["header"] = [(header_lines[0].span()[0], header_lines[-1].span()[1])]
    if tail:
        blocks.update(_merge_spans(tail.spans))

    issuer, province = _issuer(h, tail)
    meta = DocumentMeta(
        doc_type=h.doc_type,
        number=h.number,
        date=h.date,
        place=_clean_value(h.place),
        issuer=issuer,
        province=province,
        meeting=h.meeting,
        term=h.term,
        title=h.title,
        signer=tail.signer if tail else "",
        signer_role=tail.role if tail else "",
        signing_authority=", ".join(tail.authorities) if tail else "",
    )
    return ParsedStructure(meta=meta, sections=body.sections, paragraphs=body.paragraphs, blocks=blocks)
