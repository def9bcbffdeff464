"""Finding figures (a number with its unit) in a sentence.

Written by hand because no library covers it: underthesea tags numbers (``M``) and
unit nouns (``Nu``) but splits "25%/năm" into four tokens, does not know that
"1.260" is one thousand two hundred and sixty, and tags "2015" like any other number.
Years, dates and document numbers ("13-NQ/TU", "12/01/2012") are masked first with
the same patterns the analyzer protects (``assistant.text``), so they are never read
as figures.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..text import _PROTECTED

#: A number as written: "1.260", "19,6", "8.000.000", "25", "0,5".
NUMBER = r"\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+(?:,\d+)?"
_NUMBER_RE = re.compile(rf"(?<![\w.,/%\[-])(?:{NUMBER})(?![\w]*[/-][A-ZĐ])")

#: Multipliers that belong to the unit: "1.260 tỷ đồng", "25 vạn tấn".
MULTIPLIERS = ("nghìn tỷ", "ngàn tỷ", "nghìn", "ngàn", "triệu", "tỷ", "tỉ", "vạn", "trăm")
#: Units of measure (spaced or glued to the number); longest first.
MEASURES = (
    "tỷ đồng", "triệu đồng", "nghìn đồng", "đồng", "VNĐ", "VND", "USD", "EUR", "đô la Mỹ",
    "MWh", "kWh", "GWh", "MWp", "MW", "kW", "KW", "GW", "kV", "KV", "kVA", "MVA",
    "km2", "km²", "km", "m2", "m²", "m3", "m³", "ha", "hécta", "héc-ta", "tấn", "kg", "lít", "mét", "m",
    "lượt người", "lượt khách", "lượt", "người", "lao động", "hộ", "lần", "điểm", "giường", "bác sĩ",
    "TEU", "cm", "mm",
)
_MEASURE_RE = re.compile(
    r"\s?(?P<u>(?:(?:" + "|".join(MULTIPLIERS) + r")\s+)?(?:" + "|".join(re.escape(m) for m in MEASURES) + r"))"
    r"(?P<rate>\s?/\s?(?:năm|tháng|ngày|người|hộ|ha|km2|tấn|lượt|người/năm|người/tháng|năm học))?(?![\w²³])"
)
_MULT_ONLY_RE = re.compile(r"\s?(?P<u>(?:" + "|".join(MULTIPLIERS) + r"))(?!\w)")
_PERCENT_RE = re.compile(r"\s?(?P<u>%)(?P<rate>\s?/\s?(?:năm|tháng|quý|năm học))?")

#: Time units: "7 năm", "15 ngày" are durations or deadlines, not indicators.
TIME_UNITS = frozenset(["năm", "tháng", "ngày", "giờ", "phút", "giây", "tuần", "quý", "thế_kỷ", "tuổi"])
#: Counted nouns that name levels, kinds or parts rather than quantities ("chính quyền 02
#: cấp", "3 cấp độ", "08 nhóm giải pháp", "4 loại bệnh", "37 luật"): never figures.
NOT_COUNTED = frozenset(["cấp", "cấp_độ", "nhóm", "loại", "bước", "giai_đoạn", "luật", "điều", "khoản", "chương", "phần", "mục", "tầng", "chiều"])

#: Words after which a number is a reference, not a figure ("Điều 5", "lần thứ 6").
_REFERENCE_BEFORE = re.compile(
    r"(?:\b(?:điều|khoản|điểm|mục|chương|phần|phụ lục|số|thứ|khóa|khoá|lần thứ|nghị quyết|quyết định|"
    r"kết luận|chỉ thị|thông tư|nghị định|luật|kế hoạch|công văn|văn bản|tờ trình|báo cáo|hội nghị|"
    r"đại hội|ngày|tháng|năm|quý|giai đoạn|mẫu|biểu|bảng|phiên bản|tiêu chuẩn|tcvn|qcvn|iso|"
    r"quốc lộ|tỉnh lộ|đường|tuyến|lô|thửa|tờ bản đồ|phòng|tầng|km|kênh|top|hạng|nhóm|bão|cơn bão)\s*$)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Figure:
    start: int  # of the number, in the sentence
    end: int  # of the unit (or the number when unitless)
    value: str  # the number as written
    unit: str  # "%", "%/năm", "tỷ đồng", "MW", "dự án" (count nouns are filled in later)
    number: float

    @property
    def has_unit(self) -> bool:
        return bool(self.unit)


_RANGE_RE = re.compile(rf"\s*[-–]\s*(?:{NUMBER})")


def parse_number(value: str) -> float:
    """'1.260' -> 1260.0, '19,6' -> 19.6, '8.000.000' -> 8000000.0."""
    v = value.strip()
    if re.fullmatch(r"\d{1,3}(?:\.\d{3})+(?:,\d+)?", v):
        v = v.replace(".", "")
    return float(v.replace(",", "."))


def masked(sentence: str) -> str:
    """The sentence with dates, year ranges and document numbers blanked (same length)."""
    out = list(sentence)
    for m in _PROTECTED.finditer(sentence):
        if m.lastgroup in ("wdate", "docd", "docs", "date", "years"):
            for i in range(m.start(), m.end()):
                out[i] = " " if not out[i].isspace() else out[i]
    return "".join(out)


def _is_year(value: str) -> bool:
    return bool(re.fullmatch(r"(?:19|20)\d{2}", value))


def _unit_and_range(text: str, m: re.Match[str]) -> tuple[str, str, int]:
    """The unit after the number ``m`` (percent, a measure, a bare multiplier), the value as
    written (a range "8,3 - 8,5%" kept whole) and where the figure ends."""
    value = m.group(0)
    rest = text[m.end() :]
    unit, end = "", m.end()
    for rx in (_PERCENT_RE, _MEASURE_RE):
        um = rx.match(rest)
        if um:
            unit = um.group("u") + re.sub(r"\s+", "", um.group("rate") or "")
            end = m.end() + um.end()
            break
    if not unit:
        um = _MULT_ONLY_RE.match(rest)
        if um:
            unit, end = um.group("u"), m.end() + um.end()
    if not unit or unit.startswith("%"):
        # a range "8,3 - 8,5%", "85%-90%": one figure, valued at its lower bound
        rng = _RANGE_RE.match(text, end)
        if rng:
            um = _PERCENT_RE.match(text, rng.end()) or (None if unit else _MEASURE_RE.match(text, rng.end()))
            if um:
                unit = um.group("u") + re.sub(r"\s+", "", um.group("rate") or "")
                value = text[m.start() : rng.end()].strip()
                value = re.sub(r"\s*%", "", value)
                end = um.end()
    if unit and not unit.startswith("%"):
        # "91.299 tỷ đồng - 97.386 tỷ đồng": both bounds with their unit
        rng = _RANGE_RE.match(text, end)
        if rng and text[rng.end() :].lstrip().startswith(unit.split("/")[0]):
            um = _MEASURE_RE.match(text, rng.end())
            if um:
                value = f"{value} - {text[rng.start():rng.end()].strip(' -–')}"
                end = um.end()
    return unit, value, end


def find_figures(sentence: str) -> list[Figure]:
    """Numbers that carry a unit of measure or a percent sign, or that may count a noun
    (unit left empty: the caller reads the counted noun from the segmentation)."""
    text = masked(sentence)
    out: list[Figure] = []
    for m in _NUMBER_RE.finditer(text):
        if out and m.start() < out[-1].end:
            continue  # the upper bound of a range already read
        before = text[max(0, m.start() - 30) : m.start()]
        if _REFERENCE_BEFORE.search(before):
            continue  # "Điều 5", "lần thứ 6", "Nghị quyết 13"
        line_start = text.rfind("\n", 0, m.start()) + 1
        if not text[line_start : m.start()].strip(" \t*-+•(") and re.match(r"[.)]", text[m.end() :]):
            continue  # a list marker "1." / "2)"
        rest = text[m.end() :]
        unit, value, end = _unit_and_range(text, m)
        if _is_year(value) and not unit:
            continue  # a year ("năm 2015", "đến 2020")
        if not unit and re.match(r"[^\W\d_]", rest):
            continue  # a code glued to a number: "5G", "4G", "3D"
        if rest[:1] == "]":
            continue  # a footnote mark "[2]"
        frac = re.match(r"/(\d{1,3}(?:\.\d{3})+|\d+)(?!\s*[/.]\s*\d)", rest)
        if frac and not unit and (int(frac.group(1).replace(".", "")) > 31 or "." in frac.group(1)):
            # a rate or a share: "4/100.000 trẻ sinh ra", "56/93 nhiệm vụ"
            unit = frac.group(0)
            end = m.end() + frac.end()
        elif re.match(r"\s*(?:[/:hg]\d|giờ|h\b)", rest):
            continue  # "8/3", "7:30", "8h", times of day
        out.append(Figure(m.start(), end, value, unit, parse_number(re.split(r"\s*[-–]\s*", value)[0])))
    return out
