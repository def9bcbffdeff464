"""Question styles that carry words no passage contains.

Exam-style questions wrap the statement to look up in a frame: "..., đúng hay sai?",
"Câu nào sau đây ...", "Chọn câu trả lời đúng nhất", "Cả A, B đều đúng". The frame's
words ("đúng", "sai", "sau đây", "chọn") match passages at random and, in a large
collection, pull unrelated articles up. `statement()` returns the question with the frame
removed: for a true/false question the statement to verify, for a multiple-choice stem its
subject. Ordinary questions come back unchanged.

`has_exact_terms()` tells whether a query holds terms a lexical index matches exactly and a
dense vector blurs (numbers, names); hybrid search leans on dense for queries without them
(``Settings.plain_dense_share``).
"""

from __future__ import annotations

import re

_FLAGS = re.IGNORECASE | re.UNICODE
# Trailing true/false frames: ", đúng hay sai?", "là đúng hay sai?", ". Đúng hay sai", "(Đúng/Sai)".
_TRUE_FALSE = re.compile(
    r"[\s,.;:–-]*(?:\(?\s*(?:điều này |nhận định này |câu này |khẳng định này )?(?:là )?"
    r"(?:đúng hay sai|đúng hoặc sai|đúng/sai|sai hay đúng)\s*\)?)\s*[?.!]*\s*$",
    _FLAGS,
)
# Leading true/false frames: "Đúng hay sai: ...", "Nhận định sau đúng hay sai: ...".
_TRUE_FALSE_LEAD = re.compile(
    r"^\s*(?:(?:nhận định|khẳng định|câu)(?: sau(?: đây)?)? )?(?:đúng hay sai|đúng hoặc sai)\s*[:?.-]\s*", _FLAGS
)
# Multiple-choice instructions that stand alone as a sentence.
_INSTRUCTION = re.compile(
    r"[\s.;,]*(?:hãy )?chọn (?:câu trả lời|đáp án|phương án|câu)(?: đúng(?: nhất)?| sai| không đúng)?[.!?:]?\s*$", _FLAGS
)
# "... nào sau đây", "... nào dưới đây", "... nào trong các ... sau": the pointer to the options.
_POINTER = re.compile(
    r"\b(nào)\s+(?:sau đây|dưới đây|sau|trong các (?:phương án|đáp án|trường hợp|ý) (?:sau|dưới đây))\b", _FLAGS
)
# "Câu nào sau đây (là) đúng (về) ...", "Phát biểu nào sau đây đúng": nothing but the pointer.
_WHICH_STATEMENT = re.compile(
    r"^\s*(?:câu|phát biểu|nhận định|khẳng định|ý|đáp án|phương án)\s+nào(?:\s+sau đây|\s+dưới đây)?\s+"
    r"(?:là\s+)?(?:đúng|sai|không đúng|chính xác)(?:\s+nhất)?\s*(?:về|với|khi nói về)?\s*[:,]?\s*",
    _FLAGS,
)


def has_exact_terms(query: str) -> bool:
    """True when the query holds a term a lexical index matches exactly and a dense vector
    blurs: a digit (years, amounts, document numbers) or a capitalised word inside a sentence
    (a place, an organ, "Luật Du lịch", "HĐND"). Such questions keep the settings' weights."""
    words = query.split()
    if any(c.isdigit() for c in query):
        return True
    return any(w[:1].isupper() and not words[i - 1].endswith((".", "!", "?", ":", ";")) for i, w in enumerate(words) if i > 0)


def statement(query: str) -> str:
    """The query without its exam frame; the input itself when no frame is found or
    removing it would leave nothing."""
    s = " ".join(query.split())
    out = _TRUE_FALSE.sub("", s)
    out = _TRUE_FALSE_LEAD.sub("", out)
    out = _INSTRUCTION.sub("", out)
    out = _WHICH_STATEMENT.sub("", out)
    out = _POINTER.sub(r"\1", out)
    out = out.strip(" ,;:-")
    return out if len(out.split()) >= 2 else s
