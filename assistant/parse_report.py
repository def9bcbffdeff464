"""`assistant parse`: what the structure parser reads from files, without indexing them.

Staff check a document before upload: its header (type, số hiệu, date, issuer...), the
signature, the recipients and the outline, each field with the span of the text it was
read from. The documents are built exactly as ingest builds them (same loader, same
parser, same sidecar merge, same document ids), so what this shows is what gets indexed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .documents import META_FIELDS, Document
from .loaders import load_path
from .structure import ParsedStructure, parse_structure

#: Vietnamese labels of the metadata fields, for the table and the upload tab.
FIELD_LABELS = {
    "doc_type": "Loại văn bản",
    "number": "Số hiệu",
    "date": "Ngày ban hành",
    "place": "Địa danh",
    "issuer": "Cơ quan ban hành",
    "province": "Tỉnh/thành",
    "meeting": "Hội nghị/kỳ họp",
    "term": "Khóa",
    "title": "Trích yếu",
    "signing_authority": "Thẩm quyền ký",
    "signer_role": "Chức vụ người ký",
    "signer": "Người ký",
}
#: Fields whose absence a reviewer should notice before upload.
EXPECTED = ("doc_type", "number", "date", "issuer", "signer")


def warnings_for(doc: Document) -> list[str]:
    """What looks missing or odd in a parsed document (Vietnamese, shown to staff)."""
    out = [f"không tìm thấy {FIELD_LABELS[f].lower()}" for f in EXPECTED if not getattr(doc.meta, f)]
    if doc.meta.supplied:
        out.append("lấy từ tệp kèm (.meta.json): " + ", ".join(FIELD_LABELS.get(f, f) for f in doc.meta.supplied))
    if not doc.sections and not doc.paragraphs:
        out.append("không nhận ra đoạn văn nào trong thân văn bản")
    return out


def parse_documents(path: Path) -> list[tuple[Document, ParsedStructure]]:
    """The documents of one file as ingest would build them, with the full parse (recipients)."""
    from .ingest import (  # ingest's own rules for documents and their ids
        _slug,
        make_document,
    )

    out = []
    for item in load_path(path):
        doc = make_document(item, item.doc_id or _slug(Path(path).stem))
        out.append((doc, parse_structure(item.text)))
    return out


def to_json(doc: Document, parsed: ParsedStructure) -> dict[str, Any]:
    meta = {f: getattr(doc.meta, f) for f in META_FIELDS}
    meta["supplied"] = list(doc.meta.supplied)
    return {
        "source": doc.source,
        "doc_id": doc.id,
        "meta": meta,
        "spans": {k: [a, b] for k, (a, b) in sorted(doc.meta.spans.items())},
        "sections": [
            {"path": list(s.path), "label": s.label, "heading": s.heading, "start": s.start, "end": s.end} for s in doc.sections
        ],
        "blocks": {k: [[a, b] for a, b in v] for k, v in doc.blocks.items()},
        "recipients": list(parsed.recipients),
        "recipient_spans": [[a, b] for a, b in parsed.recipient_spans],
        "paragraphs": len(doc.paragraphs),
        "warnings": warnings_for(doc),
    }


def header_rows(doc: Document) -> list[tuple[str, str, str]]:
    """(label, value, quoted source text) for every field the document states."""
    rows = []
    for f in META_FIELDS:
        value = getattr(doc.meta, f)
        if not value:
            continue
        span = doc.meta.spans.get(f)
        quote = " ".join(doc.text[span[0] : span[1]].split()) if span else ""
        if f in doc.meta.supplied:
            quote = "(tệp kèm .meta.json)"
        rows.append((FIELD_LABELS.get(f, f), value, quote))
    return rows


def to_table(doc: Document, parsed: ParsedStructure) -> str:
    """A readable report of one document."""
    width = max(len(v) for v in FIELD_LABELS.values())
    lines = [f"{doc.source}  [{doc.id}]"]
    for label, value, quote in header_rows(doc):
        shown = value if len(value) <= 160 else value[:159] + "…"
        lines.append(f"  {label:<{width}}  {shown}")
        if quote and quote != value:
            lines.append(f"  {'':<{width}}    ← “{quote if len(quote) <= 120 else quote[:119] + '…'}”")
    if not header_rows(doc):
        lines.append("  (không đọc được trường nào của phần đầu văn bản)")
    outline = [s for s in doc.sections if len(s.path) == 1]
    lines.append(f"  {'Mục lục':<{width}}  {len(doc.sections)} mục, {len(doc.paragraphs)} đoạn")
    for s in outline[:12]:
        lines.append(f"  {'':<{width}}    {s.label}. {s.heading}".rstrip())
    if len(outline) > 12:
        lines.append(f"  {'':<{width}}    … ({len(outline) - 12} mục nữa)")
    if parsed.recipients:
        lines.append(f"  {'Nơi nhận':<{width}}  {len(parsed.recipients)} nơi")
        for r in parsed.recipients[:10]:
            lines.append(f"  {'':<{width}}    - {r}")
        if len(parsed.recipients) > 10:
            lines.append(f"  {'':<{width}}    … ({len(parsed.recipients) - 10} nơi nữa)")
    for w in warnings_for(doc):
        lines.append(f"  cảnh báo: {w}")
    return "\n".join(lines)
