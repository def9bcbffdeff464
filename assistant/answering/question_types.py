"""What kind of answer a Vietnamese question wants.

The question word decides the shape of a good answer: "bao nhiêu" wants a number with
its unit, "khi nào" a date, "ai"/"cơ quan nào" the body that acts, "ở đâu" a place,
"vì sao" a cause clause, "những ... nào"/"liệt kê" a list, "<noun> nào" the name that
follows the noun. Patterns are written with diacritics and also matched folded, so a
question typed without accents ("khu kinh te nao") is classified the same way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

from ..text import fold, has_diacritics, unify_tone_marks


class QType(str, Enum):
    QUANTITY = "quantity"  # bao nhiêu, mấy, bao lâu, tỷ lệ
    DATE = "date"  # khi nào, ngày nào, năm nào
    WHO = "who"  # ai, cơ quan nào
    WHERE = "where"  # ở đâu, tỉnh nào
    WHY = "why"  # vì sao, tại sao, nguyên nhân
    LIST = "list"  # liệt kê, những ... nào
    WHICH = "which"  # <noun phrase> nào
    OTHER = "other"  # như thế nào, là gì, anything else: answer with a sentence


_W = r"[^\W\d_]+"  # one syllable
# (type, pattern); the first pattern that matches wins, so specific ones come first.
_PATTERNS: list[tuple[QType, str]] = [
    (QType.WHY, r"\b(?:vì sao|tại sao|vì lý do gì|lý do (?:gì|nào|là gì)|do đâu|nguyên nhân(?: (?:nào|gì|là gì|do đâu))?)\b"),
    (QType.DATE, r"\b(?:(?:vào )?(?:ngày|ngày tháng năm|thời điểm|thời gian|năm|tháng|hôm|lúc) (?:nào|bao nhiêu)|khi nào|bao giờ|lúc nào|hồi nào)\b"),
    # "Nguồn kinh phí ... từ đâu?" asks for the source (a clause), not a place
    (QType.OTHER, r"\b(?:nguồn|kinh phí|vốn|ngân sách|chi phí)\b.*\btừ đâu\b"),
    (QType.WHERE, r"\b(?:ở đâu|tại đâu|nơi nào|chỗ nào|(?:địa điểm|địa bàn|khu vực|vùng|tỉnh|huyện|xã|địa phương|thành phố) nào|từ đâu)\b"),
    (QType.WHO, r"\b(?:ai|(?:cơ quan|đơn vị|tổ chức|ban|bộ|(?<!cơ )sở|người|cấp|đồng chí|chủ thể|lực lượng|bộ phận|phòng|cá nhân) nào)\b"),
    (QType.QUANTITY, r"\b(?:bao nhiêu|mấy|bao lâu|nhiêu)\b"),
    (QType.LIST, rf"\b(?:liệt kê|kể tên|gồm (?:có )?(?:những )?(?:gì|nào|ai)|những gì|(?:những|các) (?:{_W} ){{1,6}}?nào)\b"),
    # manner, condition and basis questions want a clause: answered with the sentence
    (
        QType.OTHER,
        (
            r"\b(?:như thế nào|thế nào|như nào|ra sao|làm sao|bằng cách nào|cách nào|(?:trong )?trường hợp nào|"
            r"điều kiện (?:gì|nào)|tiêu chí nào|cơ sở nào|căn cứ (?:vào )?(?:đâu|nào)|yêu cầu (?:gì|nào))"
        ),
    ),
    (QType.WHICH, r"\bnào\b"),
    (QType.OTHER, r"\b(?:như thế nào|thế nào|ra sao|là gì|làm gì|gì)\b"),
]
# Words that make a question about an amount even without "bao nhiêu" ("Tỷ lệ ... là gì?").
_QUANTITY_HINT = r"\b(?:tỷ lệ|tỉ lệ|tỷ trọng|tốc độ tăng|mức tăng|số lượng)\b"
_COMPARISON = r"\b(?:so sánh|khác nhau|giống nhau|khác biệt|điểm chung|đối chiếu)\b"

# Words in front of "nào" that belong to the question frame, not to the focus noun.
_FRAME = re.compile(
    r"^(?:có|là|được|những|các|của|ở|tại|trong|với|vào|theo|cho|thuộc|do|đã|sẽ|đang|và|hay|hoặc|"
    r"co|la|duoc|nhung|cac|cua|o|tai|trong|voi|vao|theo|cho|thuoc|do|da|se|dang|va|hay|hoac)$"
)


def _compile(pattern: str) -> tuple[re.Pattern[str], re.Pattern[str]]:
    return re.compile(pattern), re.compile(fold(pattern))


_COMPILED = [(t, *_compile(p)) for t, p in _PATTERNS]
_HINT = _compile(_QUANTITY_HINT)
# Without any question word ("So sánh mục tiêu tăng trưởng ..."), a growth target is a figure.
_GOAL = _compile(r"\b(?:mục tiêu tăng trưởng|chỉ tiêu)\b")
_COMPARE = _compile(_COMPARISON)


@dataclass(frozen=True)
class QuestionInfo:
    """A classified question. Offsets are into ``text`` (the normalised question)."""

    text: str  # NFC, tone-unified, lower-case, single-spaced
    qtype: QType
    wh: tuple[int, int]  # span of the question phrase in ``text`` ((0, 0) if none)
    focus: str  # noun phrase asked about: "cụm công nghiệp" (bao nhiêu cụm công nghiệp)
    folded: bool  # typed without diacritics: compare folded keys
    comparison: bool

    @property
    def before(self) -> str:
        return self.text[: self.wh[0]].strip(" ,?")

    @property
    def after(self) -> str:
        return self.text[self.wh[1] :].strip(" ,?.")

    @property
    def content(self) -> str:
        """The question without its question phrase: what the evidence must talk about."""
        focus = self.focus if self.qtype in (QType.LIST, QType.WHICH) else ""
        return f"{self.before} {focus} {self.after}".strip()


def normalise(question: str) -> str:
    return " ".join(unify_tone_marks(question).lower().split())


def classify(question: str) -> QuestionInfo:
    text = normalise(question)
    folded = not has_diacritics(question)
    probe = fold(text) if folded else text  # same length: fold keeps one char per char after NFC
    if len(probe) != len(text):
        probe, folded = text, False
    idx = 1 if folded else 0
    comparison = bool(_COMPARE[idx].search(probe))
    for qtype, accented, unaccented in _COMPILED:
        m = (unaccented if folded else accented).search(probe)
        if not m:
            continue
        if qtype is QType.OTHER and _HINT[idx].search(probe):
            qtype = QType.QUANTITY
        return QuestionInfo(text, qtype, m.span(), _focus(text, qtype, m.span()), folded, comparison)
    qtype = QType.QUANTITY if (_HINT[idx].search(probe) or _GOAL[idx].search(probe)) else QType.OTHER
    return QuestionInfo(text, qtype, (len(text), len(text)), "", folded, comparison)


def _focus(text: str, qtype: QType, wh: tuple[int, int]) -> str:
    """The noun phrase a question asks about.

    "bao nhiêu cụm công nghiệp, làng nghề" -> "cụm công nghiệp" (the counted noun, after);
    "trung tâm nhiệt điện nào" / "những nguyên liệu lợi thế nào" -> the words before "nào".
    """
    phrase = text[wh[0] : wh[1]]
    if qtype is QType.QUANTITY:
        tail = re.split(r"[,;?.:]| (?:là|của|đã|được|có|trong|ở|tại|đến|vào|năm|so với)\b", text[wh[1] :], maxsplit=1)[0]
        return " ".join(tail.split()[:4])
    if qtype in (QType.WHICH, QType.LIST) and fold(phrase).endswith("nao"):
        return _noun_before(text, wh[1] - len("nào"))
    return ""


def _noun_before(text: str, end: int) -> str:
    """Up to six words before ``end``, stopping at a frame word ("có", "là", "những"...)."""
    out: list[str] = []
    for word in reversed(text[:end].split()):
        w = word.strip(",;:?")
        if not w or _FRAME.match(w) or w != word or len(out) == 6:
            break
        out.append(w)
    return " ".join(reversed(out))
