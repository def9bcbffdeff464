"""Answers about a document itself: who signed it, when, its số hiệu, type, issuer, term...

Values come from the parsed metadata, never from the body, and each is cited to the
header or signature line that holds it: ``meta.spans[field]`` when the parser recorded
one, otherwise the value is looked up inside the document's header and signature blocks
(accents, case and spacing ignored). A field the document does not state is answered
"Văn bản không ghi …", citing the document's header.
"""

from __future__ import annotations

import re

from ..citations import format_date, full_issuer
from ..documents import Document, DocumentMeta
from ..text import fold, unify_tone_marks
from .catalog import NUMBER_RE
from .compose import Part
from .extractive import Support
from .plan import FIELD_NAMES

HEADER, SIGNATURE = "phần đầu văn bản", "phần chữ ký"
_SIGNATURE_FIELDS = ("signer", "signer_role", "signing_authority")
_REVIEW_VERBS = re.compile(
    r"\b(?:tổng kết|sơ kết|thực hiện|triển khai|hướng dẫn|sửa đổi|bổ sung|thay thế|bãi bỏ|quy định chi tiết)\b", re.IGNORECASE
)


def _norm_with_offsets(text: str) -> tuple[str, list[int]]:
    """Folded lower-case text, runs of space and punctuation (but / and -) as one space,
    with the offset in ``text`` of every character kept."""
    base = fold(unify_tone_marks(text)).lower()
    if len(base) != len(text):
        base = text.lower()
    out: list[str] = []
    offs: list[int] = []
    space = True
    for i, ch in enumerate(base):
        c = ch if (ch.isalnum() or ch in "/-") else " "
        if c == " ":
            if space:
                continue
            space = True
        else:
            space = False
        out.append(c)
        offs.append(i)
    return "".join(out), offs


def _norm(text: str) -> str:
    return _norm_with_offsets(text)[0].strip()


def _find_in(text: str, base: int, needles: list[str]) -> tuple[int, int] | None:
    hay, offs = _norm_with_offsets(text)
    for needle in needles:
        n = _norm(needle)
        if not n:
            continue
        m = re.search(rf"(?<![a-z0-9]){re.escape(n)}(?![a-z0-9])", hay)
        if m:
            return base + offs[m.start()], base + offs[m.end() - 1] + 1
    return None


def _line(text: str, start: int, end: int) -> tuple[int, int]:
    """[start, end) widened to its whole line(s), without surrounding blanks."""
    s = text.rfind("\n", 0, start) + 1
    e = text.find("\n", end)
    e = len(text) if e < 0 else e
    while s < e and text[s] in " \t*#":
        s += 1
    while e > s and text[e - 1] in " \t*":
        e -= 1
    return s, e


def _date_needles(iso: str) -> list[str]:
    parts = iso.split("-")
    if len(parts) != 3:
        return [iso]
    y, m, d = parts
    out = []
    for dd in dict.fromkeys([d, d.lstrip("0")]):
        for mm in dict.fromkeys([m, m.lstrip("0")]):
            out += [f"ngày {dd} tháng {mm} năm {y}", f"{dd} tháng {mm} năm {y}", f"{dd}/{mm}/{y}", f"{dd}-{mm}-{y}", f"{dd}.{mm}.{y}"]
    return out


def _needles(meta: DocumentMeta, name: str) -> list[str]:
    value = getattr(meta, name, "") or ""
    if name == "date":
        return _date_needles(value)
    if name == "term":
        roman = value.split()[-1] if value else ""
        return [value, f"khóa {roman}", f"khoá {roman}"] if roman else [value]
    if name == "issuer":
        return [value, full_issuer(meta)]
    if name == "title":
        words = value.split()
        return [value, " ".join(words[:8])] if len(words) > 8 else [value]
    return [value]


def blocks(doc: Document, name: str) -> list[tuple[int, int, str]]:
    """Where the value of field ``name`` may stand: (start, end, where), most likely first."""
    header = [(s, e, HEADER) for s, e in doc.blocks.get("header", [])]
    signature = [(s, e, SIGNATURE) for s, e in doc.blocks.get("signature", [])]
    first = doc.paragraphs[0].start if doc.paragraphs else min(len(doc.text), 1500)
    last = doc.paragraphs[-1].end if doc.paragraphs else max(0, len(doc.text) - 1500)
    if not header and first > 0:
        header = [(0, first, HEADER)]
    if not signature and last < len(doc.text):
        signature = [(last, len(doc.text), SIGNATURE)]
    return signature + header if name in _SIGNATURE_FIELDS else header + signature


def locate(doc: Document, meta: DocumentMeta, name: str) -> tuple[int, int, str] | None:
    """The header or signature line that states field ``name`` (start, end, where), or None."""
    if name in meta.spans:
        s, e = meta.spans[name]
        if 0 <= s < e <= len(doc.text):
            in_sig = any(a <= s < b for a, b in doc.blocks.get("signature", []))
            return s, e, SIGNATURE if in_sig or name in _SIGNATURE_FIELDS else HEADER
    if not getattr(meta, name, ""):
        return None
    for s, e, where in blocks(doc, name):
        found = _find_in(doc.text[s:e], s, _needles(meta, name))
        if found:
            ls, le = _line(doc.text, *found)
            if name == "title" or le - ls > 400:
                ls, le = found
            return ls, le, where
    return None


def header_anchor(doc: Document) -> tuple[int, int, str]:
    """The first line of the header (cited when a field is not stated)."""
    spans = blocks(doc, "doc_type")
    for s, e, where in spans:
        chunk = doc.text[s:e]
        m = re.search(r"\S[^\n]*", chunk)
        if m:
            ls, le = _line(doc.text, s + m.start(), s + m.end())
            return ls, le, where
    m = re.search(r"\S[^\n]*", doc.text)
    return (m.start(), m.end(), HEADER) if m else (0, min(1, len(doc.text)), HEADER)


def _signature_anchor(doc: Document) -> tuple[int, int, str]:
    for s, e, where in blocks(doc, "signer"):
        if where == SIGNATURE:
            m = re.search(r"\S[^\n]*", doc.text[s:e])
            if m:
                return s + m.start(), s + m.end(), where
    return header_anchor(doc)


def reviewed(meta: DocumentMeta) -> str:
    """The document a conclusion reviews or a plan implements, as its title names it."""
    title = meta.title or ""
    verb = _REVIEW_VERBS.search(title)
    if not verb:
        return ""
    m = NUMBER_RE.search(title, verb.end())
    if not m:
        return ""
    head = title[verb.end() : m.start()]
    typed = re.search(r"(?:Nghị quyết|Kết luận|Chỉ thị|Quyết định|Luật|Nghị định|Thông tư|Kế hoạch)(?:\s+số)?\s*$", head, re.IGNORECASE)
    tail = re.match(r"(?:\s+ngày\s+[\d/.\-]+)?", title[m.end() :])
    start = m.start() - (len(head) - typed.start()) if typed else m.start()
    return title[start : m.end() + (tail.end() if tail else 0)].strip()


def value_text(meta: DocumentMeta, name: str) -> str:
    if name == "date":
        return f"ngày {format_date(meta.date)}" if meta.date else ""
    if name == "issuer":
        return full_issuer(meta)
    if name == "reviews":
        return reviewed(meta)
    return getattr(meta, name, "") or ""


def answer_fields(doc: Document, meta: DocumentMeta, fields: tuple[str, ...], label: str = "") -> list[Part]:
    """One part with the values of ``fields`` of one document, each cited to its line."""
    asked = tuple(dict.fromkeys(fields))
    fields = asked
    if "signer" in fields:  # who signed is read with the capacity they signed in
        fields = fields + tuple(f for f in ("signer_role", "signing_authority") if f not in fields)
    if fields == ("signer_role",):
        fields = ("signer_role", "signing_authority")
    if "meeting" in fields and "term" not in fields:
        fields = fields + ("term",)
    said: list[str] = []
    supports: list[Support] = []
    unstated: list[str] = []
    for name in fields:
        value = value_text(meta, name)
        if not value:
            if name in asked:
                unstated.append(name)
            continue
        where = locate(doc, meta, "title" if name == "reviews" else name)
        if where is None and name in meta.supplied:
            where = header_anchor(doc)
            value = f"{value} (theo thông tin bổ sung kèm văn bản)"
        if where is None:
            if name not in asked:
                continue  # an extra detail we cannot show where it stands: leave it out
            where = header_anchor(doc) if name not in _SIGNATURE_FIELDS else _signature_anchor(doc)
        said.append(value)
        supports.append(Support(None, where[0], where[1], doc_id=doc.id, meta=meta, where=where[2]))
    parts: list[Part] = []
    if said:
        parts.append(Part(label, _join(fields, said), supports))
    for name in unstated:
        s, e, block = header_anchor(doc)
        parts.append(Part(label, f"Văn bản không ghi {FIELD_NAMES.get(name, name)}.",
                          [Support(None, s, e, doc_id=doc.id, meta=meta, where=block)]))
    return parts


def _join(fields: tuple[str, ...], values: list[str]) -> str:
    if len(values) == 1:
        return values[0]
    head, rest = values[0], values[1:]
    return f"{head} ({', '.join(rest)})"
