"""Header: organ lines, số hiệu, place and date, document type, meeting, term and subject."""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass, field

from ..text import unify_tone_marks
from .lexicon import _wraps_inside_name
from .lines import (
    _Cell,
    _clean_value,
    _ends_sentence,
    _folded,
    _is_caps,
    _is_motto,
    _is_separator,
    _join_lines,
    _Line,
    _lower,
    _words,
)
from .sections import _match_label

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
# "Số: 12/QĐ-UBND", "Luật số: 61/2020/QH14": before "số" only a document type may stand
# (not "... Luật Điện lực số 61/2024/QH15" of a wrapped sentence)
_NUMBER_RE = re.compile(
    r"^(?:(?:" + "|".join(t.replace(" ", r"\s+") for t in _DOC_TYPES) + r"|văn\s+bản)\s+)?"
    r"số\s*[:.]*\s*(?P<num>\d[\w./\-–]*)",
    re.IGNORECASE,
)
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


def _names_locality(s: str) -> bool:
    """ "THUẾ TỈNH TÂY NINH": an organ of a province, whatever its first word."""
    return _is_caps(s) and any(f" {p}" in f" {_folded(s)} " for p in _LOCALITY_START[:2])


def _is_organ(s: str) -> bool:
    return _is_caps(s) and (_lower(s) + " ").startswith(_ORGAN_PREFIXES)


Span = tuple[int, int]


@dataclass
class _Header:
    start: int = 0  # index of the header's first line (after a web page's summary, if any)
    end: int = 0  # index of the first line after the header
    doc_type: str = ""
    number: str = ""
    date: str = ""
    place: str = ""
    organs: list[tuple[str, Span]] = field(default_factory=list)  # organ lines above the type line
    organs_after: list[tuple[str, Span]] = field(default_factory=list)  # after it (fallback issuer)
    meeting: str = ""
    term: str = ""
    title: str = ""
    vv: bool = False  # the subject is a "V/v ..." line (a Công văn has no type line)
    spans: dict[str, Span] = field(default_factory=dict)  # field -> where its value was read

    def put(self, name: str, value: str, span: Span) -> None:
        """Set a field once: the first statement in the header wins."""
        if value and not getattr(self, name):
            setattr(self, name, value)
            self.spans[name] = span


def _parse_date(cell: str) -> tuple[str, str, re.Match[str]] | None:
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
    return day.isoformat(), place, m


def _read_number(h: _Header, cell: _Cell, m: re.Match[str]) -> None:
    number = m["num"].rstrip(".,;:")
    end = cell.start + m.start("num") + len(number)
    more = re.match(r"\s+([A-ZĐ][\w./\-–]*)", cell.text[m.end() :]) if number.endswith(("-", "/")) else None
    if more:  # a number wrapped after a separator: its parts join without a space
        number += more.group(1).rstrip(".,;:")
        end = cell.start + m.end() + more.start(1) + len(more.group(1).rstrip(".,;:"))
    split = re.match(r"\s(\d{1,2})\s*$", cell.text[m.end() :])
    if split and number[-1:].isalpha():  # "73/2006/QH 11": the term split off by a typo
        number += split.group(1)
        end = cell.start + m.end() + split.end(1)
    h.put("number", number, (cell.start + m.start("num"), end))


def _read_date(h: _Header, cell: _Cell) -> bool:
    date = _parse_date(cell.text)
    if not date:
        return False
    if not h.date:
        day, place, m = date
        h.put("date", day, (cell.start + m.start(), cell.start + m.end()))
        if place:
            at = cell.text.index(place)
            h.put("place", place, (cell.start + at, cell.start + at + len(place)))
    return True


def _header_cell(h: _Header, cell: _Cell) -> bool:
    """Record what a header cell states; False if it is not a recognisable header item."""
    s = cell.text
    if _is_separator(s) or _is_motto(s):
        return True
    m = _NUMBER_RE.match(s)
    if m:
        _read_number(h, cell, m)
        vv = re.search(r"\bV/v\b", s[m.end() :], re.IGNORECASE)  # "Số: 5387/CT-CS V/v trả lời ..."
        if vv:
            at = m.end() + vv.start()
            _read_vv(h, _Cell(cell.start + at, cell.end, s[at:]))
        return True
    if _read_date(h, cell):
        return True
    if _VV_RE.match(s):
        _read_vv(h, cell)
        return True
    rest = _meeting_term(h, cell)
    if rest is not None:
        if rest and _is_caps(rest):
            _add_organ(h.organs, rest, (cell.start, cell.end))
        return True
    if _is_caps(s) and _words(s) <= 15:
        if _doc_type(_Line(0, 0, s)) is None:
            _add_organ(h.organs, s, (cell.start, cell.end))
        return True
    return False


_VV_RE = re.compile(r"^(?:\*\*)?\s*V/v\b[\s:.]*", re.IGNORECASE)


def _read_vv(h: _Header, cell: _Cell, more: list[_Cell] = ()) -> None:  # type: ignore[assignment]
    """The subject of a Công văn or Công điện: "V/v hướng dẫn ..." (its lines given as cells)."""
    if h.title:
        return
    cells = [cell, *more]
    h.vv = True
    h.put("title", _clean_value(" ".join(c.text for c in cells)), (cell.start, cells[-1].end))


_LOCALITY_START = ("tinh ", "thanh pho ", "huyen ", "quan ", "thi xa ", "xa ", "phuong ", "thi tran ", "dac khu ")


# Gazette section captions above a header: "VĂN BẢN QUY PHẠM PHÁP LUẬT", "VĂN BẢN HỢP NHẤT - BỘ Y TẾ"
_GAZETTE_CAPTION_RE = re.compile(r"^VĂN\s+BẢN\s+(?:QUY\s+PHẠM\s+PHÁP\s+LUẬT|HỢP\s+NHẤT|KHÁC)\b\s*[-–:]?\s*")


def _add_organ(organs: list[tuple[str, Span]], text: str, span: Span) -> None:
    """Add an organ line; "ỦY BAN NHÂN DÂN" + "TỈNH QUẢNG NAM" on the next line are one organ."""
    cap = _GAZETTE_CAPTION_RE.match(text)
    if cap:
        text, span = text[cap.end() :], (span[0] + cap.end(), span[1])
        if not text.strip():
            return
    f = _folded(text) + " "
    if organs and f.startswith(_LOCALITY_START):
        prev, (a, _b) = organs[-1]
        fp = _folded(prev)
        if not any(w in fp.split() for w in ("tinh", "huyen", "xa", "phuong", "quan")) and "thanh pho" not in fp:
            organs[-1] = (f"{prev} {text}", (a, span[1]))
            return
    if organs and _wraps_inside_name(organs[-1][0], text) and _is_caps(organs[-1][0]):
        prev, (a, _b) = organs[-1]  # "ỦY BAN THƯỜNG VỤ" / "QUỐC HỘI" in a two-column header
        organs[-1] = (f"{prev} {text}", (a, span[1]))
        return
    organs.append((text, span))


def _meeting_term(h: _Header, cell: _Cell) -> str | None:
    """Record the meeting ("Hội nghị lần thứ 6") and term ("khóa XV") that ``cell`` states.

    None if it states neither; else what is left of the cell's text (often an organ, maybe "").
    """
    s = cell.text
    m = _MEETING_RE.search(s)
    t = _TERM_RE.search(s)
    if not m and not t:
        return None
    if m:
        if m["kind"].lower().startswith("hội"):
            meeting = f"Hội nghị {'lần ' if m['lan'] else ''}thứ {m['ord'].lower()}"
        else:
            meeting = f"Kỳ họp thứ {m['ord'].lower()}"
        h.put("meeting", meeting, (cell.start + m.start(), cell.start + m.end()))
    if t:
        h.put("term", f"khóa {t['num'].upper()}", (cell.start + t.start(), cell.start + t.end()))
    if m:
        s = f"{s[: m.start()]} {s[m.end() :]}"
    return " ".join(_TERM_PAREN_RE.sub(" ", s).split()).strip(" ,;-–()")


def _zone_caps_line(h: _Header, cell: _Cell) -> bool:
    """A meeting / term / organ line after the type line; False if it is none of them."""
    rest = _meeting_term(h, cell)
    if rest is not None:
        if rest and _is_organ(rest):
            h.organs_after.append((rest, (cell.start, cell.end)))
        return True
    if _is_organ(cell.text):
        h.organs_after.append((cell.text, (cell.start, cell.end)))
        return True
    return False


def _caption(h: _Header, cell: _Cell) -> tuple[str, int]:
    """Old law captions: "SỐ 18-L/CTN NGÀY 06/07/1993 CỦA QUỐC HỘI VỀ DẦU KHÍ" -> number,
    date, and the subject ("VỀ DẦU KHÍ") with its offset in the cell."""
    s = cell.text
    m = _NUMBER_RE.match(s)
    if m:
        _read_number(h, cell, m)
    d = _DATE_RE.search(s)
    if d and not h.date:
        _read_date(h, cell)
        h.place = ""  # what precedes a caption's date is its number, not a place
        h.spans.pop("place", None)
    about = re.search(r"(?<![^\W\d_])VỀ\s", s)
    if about:
        return s[about.start() :], about.start()
    rest = s[d.end() :] if d else s[m.end() :] if m else ""
    return rest.strip(), len(s) - len(rest.lstrip())


_CAPTION_RE = re.compile(r"^(?:SỐ|CỦA)\s")
_LAW_TYPES = {"Luật", "Bộ luật", "Pháp lệnh", "Hiến pháp"}


# --- hard-wrapped header lines --------------------------------------------------------

_NUMBER_ONLY_RE = re.compile(r"^(?:[^\W\d_][^\d:]*?\s+)?số\s*[:.]*$", re.IGNORECASE)
_DATE_HEAD_RE = re.compile(r"\bngày(?:\s+\d{1,2}(?:\s+tháng(?:\s+\d{1,2}(?:\s+năm)?)?)?)?$", re.IGNORECASE)
_PLACE_HEAD_RE = re.compile(r"^(?=[^\W\d_]*[a-zđà-ỹ])[A-ZĐÀ-Ỹ](?:[^\W\d_]*\s?){1,4}$")
_PLACE_TAIL_RE = re.compile(r"^[^\W\d_][^\d,]{0,25},\s*ngày\b", re.IGNORECASE)
_DATE_TAIL_RE = re.compile(r"^(?:\d{1,2}\s*tháng|tháng|\d{1,2}\s*năm|năm|\d{4})", re.IGNORECASE)


def _joins(a: _Line, b: _Line, gap: int, text: str) -> bool:
    """Is ``b`` the continuation of ``a`` that a web copy hard-wrapped?"""
    sa, sb = a.text, b.text
    if len(a.cells()) > 1 or len(b.cells()) > 1 or gap > 1:
        return False
    if _NUMBER_ONLY_RE.match(sa) and len(sa) <= 24 and sb[:1].isdigit():
        return True  # "Số:" / "84/2025/QĐ-UBND"
    if _NUMBER_RE.match(sa) and sa.endswith(("-", "/")) and re.match(r"[A-ZĐ]{2}", sb) and not gap:
        return True  # "Số: 01/2022/TTLT-VKSNDTC-" / "TANDTC-BCA-BQP"
    if _DATE_HEAD_RE.search(sa) and _DATE_TAIL_RE.match(sb):
        return True  # "Hà Tĩnh, ngày" / "02 tháng 12 năm 2025"
    if _PLACE_HEAD_RE.match(sa) and _PLACE_TAIL_RE.match(sb) and not gap:
        return True  # "Tây" / "Ninh, ngày 01 tháng 12 năm 2025"
    if gap or not (_is_caps(sa) and _is_caps(sb)) or _words(sa) > 12 or _words(sb) > 12:
        return False
    if any(c.isdigit() for c in sa + sb) or _VV_RE.match(sb):
        return False  # "Số 7-HD/BTGTU" is caps too, but an item of its own
    if _doc_type(a) is not None or _doc_type(b) is not None or _is_motto(sb) or _is_separator(sb):
        return False
    if _is_motto(sa) and "nam" in _folded(sa).split()[-1:]:
        return False  # "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" is whole
    # "ỦY BAN NHÂN" / "DÂN", "THỦ TƯỚNG CHÍNH" / "PHỦ", "CỘNG" / "HÒA XÃ HỘI ...": the break
    # falls inside a known name (not "CỤC THUẾ" / "THUẾ TỈNH TÂY NINH": two organs)
    return _wraps_inside_name(sa, sb)


def _unwrap(lines: list[_Line], first: int, text: str, limit: int = 60) -> list[tuple[_Line, int]]:
    """The header zone as logical lines (hard wraps joined), each with its last physical line."""
    return _join_lines(lines, first, min(len(lines), first + limit), text, _joins)


# --- where the header starts ------------------------------------------------------------

_ANCHOR_RE = re.compile(r"^(?:cong(?:\s+hoa\s+xa\s+hoi\b.*)?|doc lap\s*-\s*tu do.*|so\s*[:.]?\s*(?:\d.*)?)$")


def _header_start(lines: list[_Line]) -> int:
    """The first line of the header. A web page may open with its own summary of the
    document; the header proper is the block of short organ lines just above the first
    motto ("CỘNG HÒA XÃ HỘI ...") or "Số:" line."""
    seen = 0
    for line in lines[:400]:
        if line.blank:
            continue
        seen += 1
        f = _folded(line.cells()[-1].text if line.cells() else line.text)
        if f.startswith("so") and not _is_number_line(line.cells()[-1].text):
            continue
        if _ANCHOR_RE.match(f) and seen <= 2:
            return 0  # the header is at the top
        if _doc_type(line) is not None and not line.text.endswith(":"):
            return 0  # a type line before any motto or number: the header is at the top
        if not _ANCHOR_RE.match(f):
            continue
        k = line.index
        probe = _Header()
        while k > 0:
            prev = lines[k - 1]
            short = len(prev.text) <= 80 and not _ends_sentence(prev.text)
            if not (prev.blank or (short and all(_header_cell(probe, c) for c in prev.cells()))):
                break
            k -= 1
        while k < line.index and lines[k].blank:
            k += 1
        # only a real summary above: prose lines, not an organ block at the very top
        return k if any(not ln.blank for ln in lines[:k]) else 0
    return 0


# --- the header as a whole --------------------------------------------------------------


def _parse_header(lines: list[_Line], text: str) -> _Header:
    start = _header_start(lines)
    h = _parse_header_from(lines, start, text)
    if start and not (h.number or h.date or h.doc_type):
        h = _parse_header_from(lines, 0, text)
    if not (h.number and h.date and h.organs):
        _fill_from_displaced_block(lines, text, h)
    return h


def _fill_from_displaced_block(lines: list[_Line], text: str, h: _Header, limit: int = 200) -> None:
    """Gazette PDF text may put the organ / "Số:" / motto / date block of the first page
    after the type line and the first page's body. Missing fields are read from the first
    such block (a short run of header items around a motto or "Số:" line) below the header."""
    for line in lines[h.end : h.end + limit]:
        cells = line.cells()
        if not cells or not _ANCHOR_RE.match(_folded(cells[-1].text)) or _folded(cells[-1].text) == "cong":
            continue
        if _folded(cells[-1].text).startswith("so") and not _is_number_line(cells[-1].text):
            continue
        k = line.index
        while k > h.end and _is_header_item_line(lines[k - 1]):
            k -= 1
        j = line.index + 1
        while j < len(lines) and j < line.index + 12 and _is_header_item_line(lines[j]):
            j += 1
        probe = _Header()
        for ln, _ in _join_lines(lines, k, j, text, _joins):
            for cell in ln.cells():
                _header_cell(probe, cell)
        if not (probe.number or probe.date):
            continue
        for name in ("number", "date", "place"):
            if probe.spans.get(name):
                h.put(name, getattr(probe, name), probe.spans[name])
        if not h.organs:
            h.organs = [o for o in probe.organs if _is_organ(o[0]) or _names_locality(o[0])]
        return


def _is_number_line(s: str) -> bool:
    """ "Số: 12/QĐ-UBND" as a header writes it, not "số 69/2020/QH14;" of a wrapped sentence."""
    return s[:1] == "S" and not s.rstrip().endswith((";", ",")) and (s.strip() in ("Số:", "Số", "SỐ:") or bool(_NUMBER_RE.match(s)))


def _is_header_item_line(line: _Line) -> bool:
    if line.blank:
        return True
    s = line.text
    if len(s) > 80 or _ends_sentence(s) or _folded(s).startswith("ky boi"):
        return False
    probe = _Header()
    return all(_header_cell(probe, c) for c in line.cells())


def _parse_header_from(lines: list[_Line], start: int, text: str) -> _Header:
    view = _unwrap(lines, start, text)
    logical = [ln for ln, _ in view]
    type_at = _find_type_line(logical)
    if type_at is None:
        h = _parse_bare_header(logical)
    else:
        h = _parse_typed_header(logical, type_at)
    h.start = start
    # back to physical line indexes
    h.end = view[h.end - 1][1] + 1 if h.end else start
    if h.vv and not h.doc_type:
        h.doc_type = "Công văn"  # "V/v ..." and no type line
        h.spans["doc_type"] = h.spans["title"]
    return h


def _parse_typed_header(lines: list[_Line], type_at: int) -> _Header:
    h = _Header()
    _read_header_items(h, lines, type_at)
    type_line = lines[type_at]
    h.doc_type, rest = _doc_type(type_line)  # type: ignore[misc]
    h.spans["doc_type"] = type_line.span()
    title: list[tuple[str, Span]] = []
    if rest:
        b = type_line.span()[1]
        rest_cell = _Cell(b - len(rest), b, rest)
        if not _zone_caps_line(h, rest_cell):
            title.append((rest, (rest_cell.start, rest_cell.end)))
    h.end = _read_title(h, lines, type_at + 1, title)
    if title:
        value = _clean_value(" ".join(t for t, _ in title))
        if h.doc_type in _LAW_TYPES:
            value = _law_title(value, h.doc_type)
        if value:
            h.title = value
            h.spans["title"] = (title[0][1][0], title[-1][1][1])
    return h


def _read_header_items(h: _Header, lines: list[_Line], type_at: int) -> None:
    """The cells above the type line: organs, number, place and date, a "V/v" subject."""
    k = 0
    while k < type_at:
        cells = lines[k].cells()
        for n, cell in enumerate(cells):
            if _VV_RE.match(cell.text) and n == len(cells) - 1:
                more, k = _vv_lines(lines, k, type_at)
                _read_vv(h, cell, more)
            else:
                _header_cell(h, cell)
        k += 1


def _read_title(h: _Header, lines: list[_Line], i: int, title: list[tuple[str, Span]]) -> int:
    """Append the title lines under the type line to ``title``; the index of the first line after the header."""
    blank = False  # a blank line since the last title line
    closed = False  # an organ/meeting line after the title ends it
    while i < len(lines):
        line = lines[i]
        s = line.text
        cell = _Cell(*line.span(), s)
        if line.blank:
            blank = True
            i += 1
            continue
        if _is_separator(s):
            return i + 1
        if (_match_label(line) and not _VV_RE.match(s)) or len(s) > 300 or _folded(s).startswith(("can cu", "xet ", "kinh gui")):
            break
        if _doc_type(line) is not None and s.endswith(":"):
            break  # enacting formula "QUYẾT ĐỊNH:" opens the body
        if _is_caps(s) and _CAPTION_RE.match(s) and not title:
            subject, at = _caption(h, cell)
            if subject:
                title.append((subject, (cell.start + at, cell.end)))
        elif _is_caps(s) and (
            _meeting_term(h, cell) is not None if h.doc_type in _LAW_TYPES else _zone_caps_line(h, cell)
        ):
            closed = bool(title)
        elif closed:
            break
        elif not title:
            if _ends_sentence(s) or _words(s) > 60:
                break
            title.append((s, cell_span(cell)))
        elif not blank and not _ends_sentence(title[-1][0]) and _is_caps(s) == _is_caps(title[-1][0]):
            title.append((s, cell_span(cell)))  # the subject wrapped over lines
        elif blank and s[:1].islower():
            title.append((s, cell_span(cell)))  # ... or over a page/paragraph break
        else:
            break
        blank = False
        i += 1
    return i


def cell_span(cell: _Cell) -> Span:
    return cell.start, cell.end


def _vv_lines(lines: list[_Line], k: int, stop: int) -> tuple[list[_Cell], int]:
    """The lines a "V/v ..." subject wrapped onto: lower-case continuations, or caps ones
    under a caps subject, up to a blank line or the next header item."""
    more: list[_Cell] = []
    first = lines[k].text
    j = k + 1
    while j < stop and not lines[j].blank and len(lines[j].cells()) == 1:
        s = lines[j].text
        if _NUMBER_RE.match(s) or _DATE_RE.search(s) or _is_motto(s) or _is_separator(s):
            break
        if not (s[:1].islower() or (_is_caps(first) and _is_caps(s)) or _words(s) <= 3):
            break
        more.append(_Cell(*lines[j].span(), s))
        j += 1
    return more, j - 1


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
        if seen > 25 or len(line.text) > 200 or _folded(line.text).startswith("kinh gui"):
            return None
        if _match_label(line) and not _VV_RE.match(line.text):
            return None
        if _doc_type(line) is not None and not line.text.endswith(":"):
            return line.index
    return None


def _parse_bare_header(lines: list[_Line]) -> _Header:
    """No type line: take leading lines only while every cell is a header item, and only
    if they include a number, a date or a motto (an organ-like line alone proves nothing)."""
    probe = _Header()
    end = 0
    k = 0
    while k < len(lines):
        line = lines[k]
        if line.blank:
            end = k + 1
            k += 1
            continue
        cells = line.cells()
        vv = len(cells) == 1 and _VV_RE.match(cells[0].text)  # (its "V/" is no Roman label)
        if len(line.text) > 200 or (_match_label(line) and not vv):
            break
        if vv:
            more, k = _vv_lines(lines, k, len(lines))
            _read_vv(probe, cells[0], more)
        elif not all(_header_cell(probe, c) for c in cells):
            break
        end = k + 1
        k += 1
    strong = probe.number or probe.date or any(_is_motto(c.text) for ln in lines[:end] for c in ln.cells())
    if not strong:
        return _Header()
    probe.organs = [o for o in probe.organs if _is_organ(o[0]) or _names_locality(o[0])]
    probe.end = end
    return probe


_CONSOLIDATED_RE = re.compile(r"xac\s+thuc\s+van\s+ban\s+hop\s+nhat")


def _consolidation(lines: list[_Line], text: str) -> _Header | None:
    """A consolidated text (văn bản hợp nhất) states its own number and date under
    "XÁC THỰC VĂN BẢN HỢP NHẤT" above its signature, wherever the consolidated
    document's header stands. The phrase's span is kept as ``spans["doc_type"]``."""
    for i, line in enumerate(lines):
        f = _folded(line.text)
        if not f.startswith("xac thuc"):
            continue
        view = _join_lines(lines, i, min(len(lines), i + 8), text, _consolidation_joins)
        m = _CONSOLIDATED_RE.search(_folded(view[0][0].raw))
        if not m:
            continue
        first = view[0][0]
        h = _Header(doc_type="Văn bản hợp nhất")
        h.spans["doc_type"] = first.span()
        before = [ln for ln in lines[max(0, i - 4) : i] if not ln.blank]  # columns interleaved
        for ln in [ln for ln, _ in view[1:]] + before[::-1]:
            for cell in ln.cells():
                m = _NUMBER_RE.match(cell.text)
                if m and "VBHN" not in m["num"].upper():
                    continue  # the number of a consolidated act, not of this text
                _header_cell(h, cell)
        return h
    return None


def _consolidation_joins(a: _Line, b: _Line, gap: int, text: str) -> bool:
    return not gap and _folded(a.text) in ("xac thuc van ban", "xac thuc") and _is_caps(b.text)
