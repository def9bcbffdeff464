"""Vietnamese citation strings and verification of quotes against the source.

A citation names the document the way a report would ("Kết luận số 11-KL/TU ngày
12/01/2012 của Tỉnh ủy Quảng Trị") and then the place inside it ("mục II.2, đoạn 4").
"""

from __future__ import annotations

from .documents import DocumentMeta, Passage


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


def document_reference(meta: DocumentMeta, fallback_title: str = "") -> str:
    """How a report names the document.

    With a number: "Kết luận số 11-KL/TU ngày 12/01/2012 của Tỉnh ủy Quảng Trị".
    Without one: type, meeting, body, term and subject, e.g. "Nghị quyết Hội nghị lần
    thứ năm Ban Chấp hành Đảng bộ tỉnh Bắc Kạn (khóa X) về phát triển công nghiệp...".
    """
    doc_type = meta.doc_type or "Văn bản"
    issuer = full_issuer(meta)
    if meta.number:
        ref = f"{doc_type} số {meta.number}"
        if meta.date:
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


def location(passage: Passage) -> str:
    """'mục II.2, đoạn 4'; laws use their own words ('Điều 31 khoản 2')."""
    bits = []
    if passage.section_path:
        bits.append(f"mục {passage.section_label}")
    else:
        bits.append("phần mở đầu")
    if passage.paragraph:
        bits.append(f"đoạn {passage.paragraph}")
    return ", ".join(bits)


def citation_string(meta: DocumentMeta, passage: Passage) -> str:
    return f"{document_reference(meta)}, {location(passage)}"


def verify_quote(source_text: str, quote: str, start: int, end: int) -> bool:
    """True only when ``quote`` is exactly the source text at [start, end)."""
    return 0 <= start <= end <= len(source_text) and bool(quote) and source_text[start:end] == quote
