"""Header: organ lines, số hiệu, place and date, document type, meeting, term and subject."""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass, field

from ..text import unify_tone_marks
from .lines import (
    _clean_value,
    _ends_sentence,
    _folded,
    _is_caps,
    _is_motto,
    _is_separator,
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

