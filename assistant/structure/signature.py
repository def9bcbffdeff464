"""Tail: the "Nơi nhận" recipients list and the signature block (authority, role, name)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .header import _doc_type
from .lexicon import _proper_name, _proper_organ, _proper_role
from .lines import _BULLET_RE, _folded, _is_caps, _is_separator, _Line, _lower, _words
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
    )
)
_MARK_RE = re.compile(r"^[(\[].{0,40}[)\]]$")
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

