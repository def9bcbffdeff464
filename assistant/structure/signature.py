"""Tail: the "Nơi nhận" recipients list and the signature block (authority, role, name)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .header import _doc_type
from .lexicon import (
    _WRAP_PAIRS,
    _proper_name,
    _proper_organ,
    _proper_role,
    _wraps_inside_name,
)
from .lines import (
    _BULLET_RE,
    _Cell,
    _folded,
    _is_caps,
    _is_separator,
    _join_lines,
    _Line,
    _lower,
    _words,
)
from .sections import _match_label

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
        "phó cục trưởng", "vụ trưởng", "phó vụ trưởng", "phó tổng cục trưởng", "phó tổng giám đốc",
        "thống đốc", "phó thống đốc", "tổng kiểm toán", "phó tổng kiểm toán", "phó chánh thanh tra",
        "phó viện trưởng", "phó hiệu trưởng", "phó chánh án", "tổng thanh tra", "phó tổng thanh tra",
        "chủ nhiệm ủy ban", "trưởng đoàn", "phó trưởng đoàn", "giám đốc sở", "phó giám đốc sở",
        "q. chủ tịch", "quyền chủ tịch", "phó", "trưởng", "chi cục trưởng", "phó chi cục trưởng", "trưởng phòng",
    )
)
_MARK_RE = re.compile(r"^[(\[].{0,40}[)\]]$")
# Words that never stand in a person's name line (organs, list words)
_NOT_NAME_WORDS = {"ủy", "uỷ", "ban", "sở", "bộ", "đảng", "tỉnh", "huyện", "phòng", "các", "như", "và", "của"}
# "Lưu: VT", "Lưu VT, NC", "Lưu Văn phòng Tỉnh ủy": the archive copy, not "Lưu" the surname
_ARCHIVE_RE = re.compile(r"^lưu\b(?:\s*[:.,(]|\s+(?:vt|hs|hc|văn\s+(?:thư|phòng)|hồ\s+sơ|tại)\b|\s*$|\s+[A-ZĐ]{2,})", re.IGNORECASE)
_SURNAMES = {
    "nguyen", "tran", "le", "pham", "hoang", "huynh", "phan", "vu", "vo", "dang", "bui", "do",
    "ho", "ngo", "duong", "ly", "dinh", "doan", "truong", "lam", "mai", "trinh", "luong", "cao",
    "ha", "ta", "chu", "vuong", "thai", "kieu", "lai", "luu", "hua", "giang", "tong", "quach",
    "la", "dao", "nong", "lo", "lu", "kim", "thach", "son", "to", "tang", "van", "khuat", "bach",
    "man", "manh", "hong", "trieu", "ong", "chau", "phung", "nghiem", "lieu", "tieu", "diep", "au",
}  # fmt: skip
# Ranks and academic titles written before a signer's name: "Thượng tướng Võ Minh Lương", "TS. Lê A"
_RANK_RE = re.compile(
    r"^(?:(?:đại|thượng|trung|thiếu)\s+(?:tướng|tá|úy)|(?:phó\s+|chuẩn\s+)?đô\s+đốc|"
    r"(?:(?:GS|PGS|TS|ThS|BS|KS|CN|LS|NGƯT|NGND|TTƯT|BSCKII|BSCKI)\s*\.\s*)+)\s*",
    re.IGNORECASE,
)


_BARE_AUTH_RE = re.compile(r"^(?:T/M|TM|KT|K/T|TL|T/L|TUQ|Q)\.?$")
# A role run into its authority line: "... QUỐC HỘICHỦ TỊCH" (table cells glued), "KT. TRƯỞNG BAN
# GIÁM SÁT QUẢN LÝ VỀ HQ PHÓ TRƯỞNG BAN" (web copy lines joined)
_GLUED_ROLE_RE = re.compile(
    r"(?:[^\W\d_](?P<role>(?:PHÓ\s+)?(?:CHỦ\s+TỊCH|BÍ\s+THƯ|THỦ\s+TƯỚNG|BỘ\s+TRƯỞNG|GIÁM\s+ĐỐC|TỔNG\s+BÍ\s+THƯ))"
    r"|(?:\S+\s+){3,}(?P<role2>PHÓ\s+(?:\S+\s+){0,3}\S+))$"
)


def _is_role(s: str) -> bool:
    return _is_caps(s) and _words(s) <= 8 and (_lower(s) + " ").startswith(_ROLE_PREFIXES)


def _person(s: str) -> str:
    """The name in a name line, without a rank or title before it."""
    return s[_RANK_RE.match(s).end() :] if _RANK_RE.match(s) else s  # type: ignore[union-attr]


def _is_name(s: str) -> bool:
    """A person's name: 2-6 capitalised words ("Lê Hữu Phúc"), or an all-caps name
    starting with a common surname ("NGUYỄN VĂN A"); a rank may stand before it."""
    words = _person(s).split()
    if not 2 <= len(words) <= 6 or not all(w.isalpha() for w in words):
        return False
    if any(w.lower() in _NOT_NAME_WORDS for w in words):
        return False
    if all(w[0].isupper() and (len(w) == 1 or w[1:].islower()) for w in words):
        return True
    folded = f" {_folded(_person(s))} "
    if len(words) > 4 or any(f" {w} " in folded for w in _CAPS_ORGAN_WORDS):
        return False  # "VỤ HÀNH CHÍNH CÔNG THÀNH PHỐ" starts with a surname but is an organ
    return _person(s).isupper() and _folded(words[0]) in _SURNAMES


_CAPS_ORGAN_WORDS = ("thanh pho", "hanh chinh", "trung tam", "chinh phu", "nhan dan", "quoc hoi", "tinh", "huyen")


_EXTRACTION_JUNK_RE = re.compile(r"(?<=[A-ZĐÀ-Ỹ])[a-zà-ỹđ]{0,3}[\[\]]+$")  # "PHÓ THỦ TƯỚNGky]"


def _tail_kind(s: str) -> str:
    s = _EXTRACTION_JUNK_RE.sub("", s)
    if _NOI_NHAN_RE.match(s):
        return "label"
    m = _AUTH_RE.match(s)
    if m and _is_caps(m["rest"]) and _words(m["rest"]) <= 12:
        return "authority"
    if _is_role(s):
        return "role"
    if _MARK_RE.match(s):
        return "mark"
    if _BULLET_RE.match(s) or _ARCHIVE_RE.match(s):
        return "recipient"
    if _is_name(s):
        return "name"
    if _is_caps(s):
        return "caps"
    return "text"


def _tail_joins(a: _Line, b: _Line, gap: int, text: str) -> bool:
    """Hard wraps inside a signature block: "TM. ỦY BAN NHÂN" / "DÂN", "Bùi" / "Xuân Cường"."""
    if gap or len(a.cells()) > 1 or len(b.cells()) > 1:
        return False
    sa, sb = a.text, b.text
    ka, kb = _tail_kind(sa), _tail_kind(sb)
    if ka == "authority" and sa.endswith(",") and kb in ("role", "caps") and _words(sa) + _words(sb) <= 14:
        return True  # "KT. BỘ TRƯỞNG," / "CHỦ NHIỆM": one authority over two lines
    if _words(sa) + _words(sb) > 14 or not _is_caps(sb) or _AUTH_RE.match(sb) or _BARE_AUTH_RE.match(sb):
        return _name_wrap(sa, sb, kb)
    if _BARE_AUTH_RE.match(sa) or (sa.isupper() and len(sa.split()) == 1 and ka != "name"):
        return True  # "KT." / "TRƯỞNG BAN ...", "PHÓ" / "TRƯỞNG BAN"
    wa, wb = _folded(sa).split(), _folded(sb).split()
    if ka in ("authority", "role", "caps") and (wa[-1], wb[0]) in _WRAP_PAIRS and (kb != "role" or len(wb) == 1):
        return True  # "KT. BỘ" / "TRƯỞNG", "TL. CỤC" / "TRƯỞNG"
    if ka in ("authority", "role", "caps") and kb == "caps":
        return _words(sb) == 1 or _wraps_inside_name(sa, sb)  # "KT. TRƯỞNG THUẾ" / "TỈNH"
    return _name_wrap(sa, sb, kb)


def _name_wrap(sa: str, sb: str, kb: str) -> bool:
    one_word = len(sa.split()) == 1 and sa.isalpha() and sa[:1].isupper()
    return one_word and kb in ("name", "text") and _is_name(f"{sa} {sb}") and _folded(sa) in _SURNAMES


Span = tuple[int, int]


@dataclass
class _Tail:
    start: int  # first tail line
    end: int  # first line after the tail (body resumes there, e.g. an appendix)
    spans: list[tuple[int, int, str]] = field(default_factory=list)  # (start, end, block)
    authorities: list[str] = field(default_factory=list)
    role: str = ""
    signer: str = ""
    recipients: list[tuple[str, Span]] = field(default_factory=list)  # "Nơi nhận" items as written
    fields: dict[str, Span] = field(default_factory=dict)  # signer / signer_role / signing_authority


def _find_tail(lines: list[_Line], body_from: int, text: str) -> _Tail | None:
    start = None
    for line in lines[body_from:]:
        cells = line.cells()
        if not cells:
            continue
        if _tail_kind(cells[0].text) == "label" or any(_tail_kind(c.text) == "authority" for c in cells):
            start = line.index
            break
    role_only = _role_only_signature(lines, body_from, start)
    if role_only is not None:
        start = role_only  # "BỘ TRƯỞNG" / name, before an annex whose forms carry "TM. ..." lines
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
    _read_tail([ln for ln, _ in _join_lines(lines, start, end, text, _tail_joins)], tail)
    return tail


def _role_only_signature(lines: list[_Line], body_from: int, before: int | None) -> int | None:
    """A signature without "T/M"/"Nơi nhận": a role line standing alone ("BỘ TRƯỞNG"), then
    at most marks, then a name; only above ``before`` (the first "Nơi nhận"/authority line)."""
    rest = [ln for ln in lines[body_from:before] if not ln.blank]
    for k, line in enumerate(rest):
        if not _is_role(line.text) or len(line.cells()) > 1:
            continue
        after = [_tail_kind(x.text) for x in rest[k + 1 : k + 4]]
        if "name" in after and all(a == "mark" for a in after[: after.index("name")]):
            return line.index
    return None


def _grow(fields: dict[str, Span], name: str, span: Span) -> None:
    a, b = fields.get(name, span)
    fields[name] = (min(a, span[0]), max(b, span[1]))


def _read_tail(lines: list[_Line], tail: _Tail) -> None:
    seen_label = False
    last_sig = ""
    for line in lines:
        for cell in line.cells():
            kind = _tail_kind(cell.text)
            span = (cell.start, cell.end)
            block = "recipients"
            if kind == "label":
                seen_label = True
                after = re.sub(r"^nơi\s+nhận\s*:?\s*", "", cell.text, flags=re.IGNORECASE)
                if after.strip(" -–;,."):
                    _add_recipient(tail, after, cell.end - len(after), cell.end, bullet=True)
            elif kind in ("authority", "role") and tail.signer:
                block = "signature"  # a form's own signature lines in an appendix: one signer is read
            elif kind == "authority":
                _read_authority(tail, cell)
                block = "signature"
            elif kind == "role" or (kind == "caps" and last_sig == "authority" and not tail.role):
                if not tail.role:
                    tail.role = _proper_role(cell.text)
                    tail.fields["signer_role"] = span
                block = "signature"
            elif kind == "mark":
                block = "signature"
            elif kind == "name":
                if not tail.signer:
                    person = _person(cell.text)
                    tail.signer = _proper_name(person)
                    tail.fields["signer"] = (cell.end - len(person), cell.end)
                block = "signature"
            elif kind in ("caps", "text") and not seen_label:
                block = "signature"
            elif seen_label:
                bullet = bool(_BULLET_RE.match(cell.text)) or kind == "recipient"
                _add_recipient(tail, cell.text, cell.start, cell.end, bullet=bullet)
            if block == "signature":
                last_sig = kind
            tail.spans.append((cell.start, cell.end, block))


def _read_authority(tail: _Tail, cell: _Cell) -> None:
    """A "TM. ỦY BAN NHÂN DÂN" line, maybe with the signer's role glued on ("KT. CHỦ TỊCH")."""
    m = _AUTH_RE.match(cell.text)
    assert m is not None
    rest, glued = m["rest"], _GLUED_ROLE_RE.search(m["rest"])
    if glued:
        g = "role" if glued["role"] else "role2"
        rest = rest[: glued.start(g)]
        if not tail.role:
            tail.role = _proper_role(glued[g])
            tail.fields["signer_role"] = (cell.start + m.start("rest") + glued.start(g), cell.end)
    tail.authorities.append(f"{m['prefix']} {_proper_organ(rest)[0]}")
    _grow(tail.fields, "signing_authority", (cell.start, cell.end))


def _add_recipient(tail: _Tail, s: str, start: int, end: int, *, bullet: bool) -> None:
    """A "Nơi nhận" item: a bulleted line starts one; an unbulleted line continues the last."""
    m = _BULLET_RE.match(s)
    if m:
        start += m.end()
        s = s[m.end() :]
    stripped = s.rstrip(" ;,.")
    end -= len(s) - len(stripped)
    if not stripped.strip():
        return
    if not bullet and tail.recipients and not tail.recipients[-1][0].endswith((";", ".")):
        text, (a, _b) = tail.recipients[-1]
        tail.recipients[-1] = (f"{text} {stripped}", (a, end))
    else:
        tail.recipients.append((stripped, (start, end)))
