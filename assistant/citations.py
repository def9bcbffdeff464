"""Vietnamese citation strings and verification of quotes against the source.

A citation names the document the way a report would ("Kết luận số 11-KL/TU ngày
12/01/2012 của Tỉnh ủy Quảng Trị") and then the place inside it ("mục II.2, đoạn 4").
"""

from __future__ import annotations

import re
from dataclasses import replace

from .documents import Document, DocumentMeta, Passage


def format_date(iso: str) -> str:
    """'2012-01-12' -> '12/01/2012'; anything else is returned unchanged."""
    parts = iso.split("-")
    if len(parts) == 3 and all(p.isdigit() for p in parts):
        return f"{parts[2]}/{parts[1]}/{parts[0]}"
    return iso


def full_issuer(meta: DocumentMeta) -> str:
    """The issuer with its province appended when the issuer itself does not name it."""
    issuer = meta.issuer
    if meta.province and meta.province.lower() not in issuer.lower():
        issuer = f"{issuer} {meta.province}".strip()
    return issuer


def document_reference(meta: DocumentMeta, fallback_title: str = "", with_date: bool = True) -> str:
    """How a report names the document.

    With a number: "Kết luận số 11-KL/TU ngày 12/01/2012 của Tỉnh ủy Quảng Trị".
    Without one: type, meeting, body, term and subject, e.g. "Nghị quyết Hội nghị lần
    thứ năm Ban Chấp hành Đảng bộ tỉnh Bắc Kạn (khóa X) về phát triển công nghiệp...".
    """
    doc_type = meta.doc_type or "Văn bản"
    issuer = full_issuer(meta)
    if meta.number:
        ref = f"{doc_type} số {meta.number}"
        if meta.date and with_date:
            ref += f" ngày {format_date(meta.date)}"
        if issuer:
            ref += f" của {issuer}"
        return ref
    parts = [doc_type]
    if meta.meeting:
        parts.append(meta.meeting)
    if issuer:
        parts.append(issuer)
    if meta.term:
        parts.append(f"({meta.term})")
    title = meta.title or fallback_title
    if title:
        parts.append(title)
    if meta.date:
        parts.append(f"ngày {format_date(meta.date)}")
    return " ".join(parts)


LEGAL_UNITS = ("Phần", "Chương", "Mục", "Điều", "Phụ lục")
LEGAL_TYPES = ("Luật", "Bộ luật", "Hiến pháp", "Pháp lệnh")


def legal_location(path: tuple[str, ...]) -> str:
    """('Chương I', 'Điều 5', '2', 'a') -> 'Điều 5 khoản 2 điểm a': below an article,
    numbers are clauses (khoản) and letters are points (điểm)."""
    for i, label in enumerate(path):
        if label.startswith("Điều"):
            words = [label]
            for sub in path[i + 1 :]:
                words.append(f"{'điểm' if sub.isalpha() else 'khoản'} {sub}")
            return " ".join(words)
    return ", ".join(path)


def location(passage: Passage) -> str:
    """'mục II.2, đoạn 4' for policy documents; laws use their own words ('Điều 31
    khoản 2'). Paragraphs outside any numbered section are cited by paragraph only."""
    path = passage.section_path
    if path and path[0].startswith(LEGAL_UNITS):
        return legal_location(path)
    bits = []
    if path:
        bits.append(f"mục {passage.section_label}")
    if passage.paragraph:
        bits.append(f"đoạn {passage.paragraph}")
    return ", ".join(bits)


def citation_string(meta: DocumentMeta, passage: Passage) -> str:
    loc = location(passage)
    if loc.startswith("Điều") and meta.doc_type in LEGAL_TYPES:
        # legal style puts the article first: "Điều 31 khoản 2 Luật Hôn nhân và gia đình số 52/2014/QH13";
        # the parser keeps the type out of the title, so "Luật Luật sư" stays right
        name = f"{meta.doc_type} {meta.title}".strip()
        return f"{loc} {name}" + (f" số {meta.number}" if meta.number else "")
    return f"{document_reference(meta)}, {loc}" if loc else document_reference(meta)


def narrowed(doc: Document, passage: Passage, offset: int) -> Passage:
    """The passage relabelled with the section and paragraph that contain ``offset``:
    a passage may span several paragraphs, but a quote is cited to the one it is in."""
    for par in doc.paragraphs:
        if par.start <= offset < par.end:
            return replace(
                passage,
                section_path=par.section_path,
                headings=tuple(doc.heading_titles(par.section_path)),
                paragraph=par.number,
            )
    return passage


def verify_quote(source_text: str, quote: str, start: int, end: int) -> bool:
    """True only when ``quote`` is exactly the source text at [start, end)."""
    return 0 <= start <= end <= len(source_text) and bool(quote) and source_text[start:end] == quote


_MARKED = re.compile(r"(?P<body>.*?)\s*(?P<marks>(?:\[\d+\]\s*)+)(?=$|\s|[.;,])[.;,]?", re.S)


def marked_sentences(text: str) -> list[dict]:
    """The answer's sentences with the [n] each carries: ``[{"text", "citations"}]``.

    An answer is written as lines, each one or more ``claim [n][m]`` pieces; a piece
    without marks (a label line) keeps an empty citation list."""
    out: list[dict] = []
    for line in text.splitlines():
        pos = 0
        for m in _MARKED.finditer(line):
            body = m.group("body").strip()
            if body:
                out.append({"text": body, "citations": [int(n) for n in re.findall(r"\d+", m.group("marks"))]})
            pos = m.end()
        rest = line[pos:].strip()
        if rest:
            out.append({"text": rest, "citations": []})
    return out
