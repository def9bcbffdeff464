"""The word tables: organ and role phrases with their conventional capitals, localities,
document types, and the display forms of organ, role and person names."""

from __future__ import annotations

from ..text import unify_tone_marks
from .lines import _folded

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
        "thương binh và xã hội": "Thương binh và Xã hội",
        "kế hoạch và đầu tư": "Kế hoạch và Đầu tư",
        "khoa học và công nghệ": "Khoa học và Công nghệ",
        "nông nghiệp và môi trường": "Nông nghiệp và Môi trường",
        "nông nghiệp và phát triển nông thôn": "Nông nghiệp và Phát triển nông thôn",
        "tài nguyên và môi trường": "Tài nguyên và Môi trường",
        "giáo dục và đào tạo": "Giáo dục và Đào tạo",
        "thông tin và truyền thông": "Thông tin và Truyền thông",
        "văn hóa, thể thao và du lịch": "Văn hóa, Thể thao và Du lịch",
        "dân tộc và tôn giáo": "Dân tộc và Tôn giáo",
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
        elif low[i] in _NAMED_AFTER and low[i + 1 : i + 2] == ["trưởng"]:
            out.append(word)  # a title, not an organ: "Bộ trưởng", "Cục trưởng", "Vụ trưởng"
            word, name_next = "trưởng", False
            i += 1
        elif name_next or low[i] in _NAMED_AFTER:
            word = word.capitalize() if name_next or word in ("bộ", "sở", "cục") else word
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



# Multi-word names that header and signature lines are hard-wrapped inside ("ỦY BAN NHÂN" /
# "DÂN"): a line break between two words that follow each other in one of these is a wrap.
_WRAPPED_PHRASES = (
    "cộng hòa xã hội chủ nghĩa việt nam", "ủy ban nhân dân", "hội đồng nhân dân", "văn phòng chính phủ",
    "thủ tướng chính phủ", "ủy ban thường vụ quốc hội", "ban chấp hành trung ương", "ban thường vụ",
    "ngân hàng nhà nước việt nam", "bộ tài chính", "bộ kế hoạch và đầu tư", "bộ công thương", "bộ nội vụ",
    "bộ tư pháp", "bộ quốc phòng", "bộ công an", "bộ y tế", "bộ giáo dục và đào tạo", "bộ xây dựng",
    "bộ giao thông vận tải", "bộ ngoại giao", "bộ lao động thương binh và xã hội", "bộ khoa học và công nghệ",
    "bộ thông tin và truyền thông", "bộ văn hóa thể thao và du lịch", "bộ nông nghiệp và phát triển nông thôn",
    "bộ nông nghiệp và môi trường", "bộ tài nguyên và môi trường", "bộ dân tộc và tôn giáo",
    "tòa án nhân dân tối cao", "viện kiểm sát nhân dân tối cao", "kiểm toán nhà nước", "thanh tra chính phủ",
    "ủy ban dân tộc", "mặt trận tổ quốc việt nam", "chủ tịch ủy ban nhân dân", "chủ tịch hội đồng nhân dân",
    "tỉnh ủy", "thành ủy", "huyện ủy", "đảng ủy", "đảng bộ", "đảng cộng sản việt nam", "quốc hội",
    "thành phố", "thị xã", "thị trấn", "sở tài chính", "sở nội vụ", "cục hải quan", "cục thuế",
    "văn bản hợp nhất", "xác thực văn bản hợp nhất", "phó chủ tịch", "phó thủ tướng", "bộ trưởng",
    "thứ trưởng", "giám đốc", "cục trưởng", "trưởng ban", "chánh văn phòng", "hồ chí minh", "thừa thiên huế",
)  # fmt: skip
_WRAP_PAIRS = {
    (a, b) for p in _WRAPPED_PHRASES for a, b in zip(_folded(p).split(), _folded(p).split()[1:])
}


def _wraps_inside_name(a: str, b: str) -> bool:
    """Does a line ending with ``a`` and a line starting with ``b`` split a known name?"""
    wa, wb = _folded(a).split(), _folded(b).split()
    return bool(wa and wb) and ((wa[-1].strip(",.;-"), wb[0].strip(",.;-")) in _WRAP_PAIRS or len(wa) == 1)
