"""Follow-up questions in a chat, rewritten into standalone questions before retrieval.

"Còn Quảng Trị thì sao?" after "Mục tiêu tăng trưởng công nghiệp của Bắc Kạn là bao
nhiêu?" means the same question about Quảng Trị: the new entity replaces the previous
question's entity of the same kind (a place or body name, a year or period, a document
number), or is added to it when it had none. "Nghị quyết đó ban hành ngày nào?" borrows
the document the previous question named. Anything else is already standalone.
"""

from __future__ import annotations

import re

from ..documents import Turn
from . import gazetteer
from .question_types import QType, classify

_LEAD = re.compile(r"^(?:thế còn|vậy còn|còn về|còn đối với|còn|thế|vậy|đối với|với|về)\s+", re.IGNORECASE)
_TAIL = re.compile(
    r"\s*(?:thì sao|thì thế nào|thì như thế nào|thì ra sao|ra sao|như thế nào|thế nào|nữa|thì)?\s*[?.!]*\s*$", re.IGNORECASE
)
_DEMONSTRATIVE = re.compile(
    r"\b(?:nghị quyết|kết luận|chỉ thị|quyết định|kế hoạch|văn bản|tài liệu|luật)\s+(?:đó|này|ấy|nói trên|trên)\b|\bnó\b",
    re.IGNORECASE,
)

_YEARS = r"(?:19|20)\d{2}(?:\s*[-–]\s*(?:19|20)\d{2})?"
_DOCNUM = r"(?<![\d/])\d{1,5}(?:/(?:19|20)\d{2})?\s?[-–/]\s?[A-ZĐ][\w/.-]*"  # "11-KL/TU", "97/2025/QĐ-UBND"
_TYPE = r"(?:nghị quyết|kết luận|chỉ thị|quyết định|kế hoạch|thông tư|nghị định|công văn|công điện|thông báo|văn bản|luật)"
#: a document named by type and number in the previous question ("Kết luận 11-KL/TU", "Quyết định số 97/2025/QĐ-UBND")
_DOCREF = re.compile(rf"\b{_TYPE}(?:\s+số)?\s+{_DOCNUM}", re.IGNORECASE)
_NAME = r"[A-ZĐ][^\W\d_]*(?:\s+[A-ZĐ][^\W\d_]*)+"  # two or more capitalised words: "Quảng Trị"

_KINDS = [("docnum", re.compile(_DOCNUM)), ("years", re.compile(rf"(?<!\d){_YEARS}(?!\d)")), ("name", re.compile(_NAME))]


def _entities(text: str, skip_start: bool = True) -> dict[str, list[re.Match[str]]]:
    out: dict[str, list[re.Match[str]]] = {}
    for kind, regex in _KINDS:
        found = [m for m in regex.finditer(text) if not (skip_start and kind == "name" and m.start() == 0)]
        if found:
            out[kind] = found
    return out


def is_followup(question: str) -> bool:
    q = " ".join(question.split())
    if _LEAD.match(q) and (_TAIL.search(q) and len(q.split()) <= 8):
        return True
    if re.search(r"\b(?:thì sao|thì thế nào|thì như thế nào|thì ra sao)\s*\??\s*$", q, re.IGNORECASE):
        return True
    return bool(_DEMONSTRATIVE.search(q))


def is_demonstrative(question: str) -> bool:
    """'Nghị quyết đó ...', 'văn bản này ...': the question points at the previous answer's document."""
    return bool(_DEMONSTRATIVE.search(" ".join(question.split())))


def resolve(question: str, history: list[Turn] | None) -> str:
    """The standalone form of ``question`` given the conversation so far."""
    question = " ".join(question.split())
    if not history or not question:
        return question
    previous = " ".join((history[-1].resolved_question or history[-1].question).split())
    if not previous or not is_followup(question):
        return question
    if _DEMONSTRATIVE.search(question) and not _LEAD.match(question):
        return _borrow_document(question, previous)
    subject = _TAIL.sub("", _LEAD.sub("", question)).strip(" ,")
    if not subject:
        return previous
    return _substitute(previous, subject)


def _substitute(previous: str, subject: str) -> str:
    """Put ``subject`` into ``previous`` in place of what it replaces: a province for a
    province, a number or period for one of the same kind, a noun phrase for the phrase
    with the same head ("công nghiệp chế biến" for "công nghiệp khai thác"); else add it."""
    refs = list(_DOCREF.finditer(previous))
    if refs and re.match(rf"{_TYPE}\b", subject, re.IGNORECASE):  # another document: "Còn Nghị quyết của Bắc Kạn?"
        return previous[: refs[-1].start()] + subject + previous[refs[-1].end() :]
    new_places, old_places = gazetteer.find(subject), gazetteer.find(previous)
    if new_places and old_places:
        s, e, _ = old_places[-1]
        ns, ne, _ = new_places[0]
        return previous[:s] + subject[ns:ne] + previous[e:]
    new = _entities(subject, skip_start=False)
    old = _entities(previous)
    for kind in ("docnum", "years", "name"):
        if kind in new and kind in old:
            m = old[kind][-1]
            return previous[: m.start()] + new[kind][0].group(0) + previous[m.end() :]
    replaced = _replace_phrase(previous, subject)
    return replaced if replaced is not None else _insert(previous, subject)


#: Words that end a noun phrase in a question ("công nghiệp khai thác | của Quảng Trị").
_PHRASE_END = frozenset(
    "của năm là ở tại trong đã được có chiếm đạt giai đến so và với cho theo thì bao nào gì ra như từ vào trên dưới".split()
)


def _replace_phrase(previous: str, subject: str) -> str | None:
    """Replace, in ``previous``, the noun phrase that starts with ``subject``'s first word(s)."""
    sub = [m for m in re.finditer(r"[^\W_]+(?:[,.]\d+)?", subject)]
    if not sub or sub[0].group(0).lower() in _PHRASE_END:
        return None
    words = [m for m in re.finditer(r"[^\W_]+(?:[,.]\d+)?", previous)]
    low = [w.group(0).lower() for w in words]
    subj = [w.group(0).lower() for w in sub]
    best: tuple[int, int] | None = None
    for i in range(len(low)):
        n = 0
        while n < len(subj) and i + n < len(low) and low[i + n] == subj[n]:
            n += 1
        if n and (best is None or n > best[1]):
            best = (i, n)
    if best is None:
        return None
    i, n = best
    if n == len(subj) and (i + n >= len(low) or low[i + n] in _PHRASE_END):
        return None  # the phrase is already there: nothing to replace
    j = i + n
    while j < len(low) and low[j] not in _PHRASE_END and not re.search(r"[,;?]", previous[words[j - 1].end() : words[j].start()]):
        j += 1
    if j == i + n and n < len(subj):
        pass
    start, end = words[i].start(), words[j - 1].end()
    return previous[:start] + subject.strip() + previous[end:]


def _insert(previous: str, subject: str) -> str:
    """Add ``subject`` to ``previous`` just before its question phrase ("... của X là bao nhiêu?")."""
    info = classify(previous)
    cut = info.wh[0] if info.qtype is not QType.OTHER else len(previous.rstrip(" ?"))
    head, tail = previous[:cut].rstrip(), previous[cut:]
    if head.lower().endswith(" là"):
        head, tail = head[:-3], "là " + tail
    glue = " " if re.match(r"(?:của|tại|ở|về|cho)\b", subject, re.IGNORECASE) else " của "
    out = f"{head}{glue}{subject} {tail}".strip()
    return out if out.endswith("?") else out.rstrip(" .") + "?"


def _borrow_document(question: str, previous: str) -> str:
    """'Nghị quyết đó ...' -> the same question naming what the previous one named."""
    old = _entities(previous)
    named = [m.group(0) for kind in ("docnum", "name") for m in old.get(kind, [])]
    if not named:
        return question
    return f"{question.rstrip(' ?')} ({', '.join(dict.fromkeys(named))})?"
