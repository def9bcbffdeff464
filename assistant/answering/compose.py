"""Turn drafts into an ``Answer``: number the citations, verify every quote, or abstain.

Each [n] is one quoted span. Its quote is cut from the stored document and checked at
its span (``verify_quote``); a quote that fails is never shown, and a part left without
any verified citation is dropped. If nothing survives, the answer is the fixed
abstention sentence with the closest passages as related.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from ..citations import citation_string, document_reference, narrowed, verify_quote
from ..documents import Answer, Citation, Document, Hit, Passage
from .extractive import Support

#: The one sentence used when the documents do not answer the question.
ABSTAIN_TEXT = "Không tìm thấy thông tin này trong các văn bản hiện có."


@dataclass
class Part:
    """One answer line: the answer, one list item, or one document's part of a comparison."""

    label: str  # "" for a single answer; "Quảng Trị" for a part of a comparison; "-" for a list item
    short: str
    supports: list[Support] = field(default_factory=list)
    plain: bool = False  # shown without a citation ("… còn 3 mục"); never the only line


def citation_for(n: int, support: Support, source_doc: Callable[[str], Document | None]) -> Citation | None:
    """The citation of ``support``, or None when its quote does not verify. Section and
    paragraph are those of the quote itself, not of the (possibly longer) passage."""
    if support.hit is None:
        return _span_citation(n, support, source_doc)
    p = support.hit.passage
    if not (p.start <= support.start < support.end <= p.end):
        return None
    quote = p.text[support.start - p.start : support.end - p.start]
    doc = source_doc(p.doc_id)
    if doc is None or not verify_quote(doc.text, quote, support.start, support.end):
        return None
    exact = narrowed(doc, p, support.start)
    return Citation(
        n=n,
        passage_id=p.id,
        doc_id=p.doc_id,
        quote=quote,
        start=support.start,
        end=support.end,
        section=exact.section_label,
        paragraph=exact.paragraph,
        citation=citation_string(support.hit.meta, exact),
    )


def _span_citation(n: int, support: Support, source_doc: Callable[[str], Document | None]) -> Citation | None:
    """A span cited straight from the document (header, signature, heading, list item)."""
    doc = source_doc(support.doc_id)
    if doc is None or not (0 <= support.start < support.end <= len(doc.text)):
        return None
    quote = doc.text[support.start : support.end]
    if not quote.strip() or not verify_quote(doc.text, quote, support.start, support.end):
        return None
    meta = support.meta or doc.meta
    if support.where:
        return Citation(n, f"{doc.id}#{support.where}", doc.id, quote, support.start, support.end, "", 0,
                        f"{document_reference(meta)}, {support.where}")
    probe = Passage(id=f"{doc.id}@{support.start}", doc_id=doc.id, start=support.start, end=support.end, text=quote)
    exact = narrowed(doc, probe, support.start)
    if not exact.section_path:
        exact.section_path = _section_at(doc, support.start)
    return Citation(n, exact.id, doc.id, quote, support.start, support.end, exact.section_label, exact.paragraph,
                    citation_string(meta, exact))


def _section_at(doc: Document, offset: int) -> tuple[str, ...]:
    best: tuple[str, ...] = ()
    for s in doc.sections:
        if s.start <= offset < s.end and len(s.path) > len(best):
            best = s.path
    return best


def abstain(question: str, hits: list[Hit], resolved: str = "", text: str = ABSTAIN_TEXT, kind: str = "",
            scope: list[str] | None = None) -> Answer:
    return Answer(question=question, text=text, abstained=True, hits=hits, resolved_question=resolved, kind=kind,
                  scope=list(scope or []))


def compose(
    question: str,
    parts: list[Part],
    hits: list[Hit],
    source_doc: Callable[[str], Document | None],
    resolved: str = "",
    kind: str = "",
    scope: list[str] | None = None,
) -> Answer:
    citations: list[Citation] = []
    numbers: dict[tuple[str, int, int], int] = {}
    lines: list[str] = []
    cited_lines = 0
    for part in parts:
        if part.plain:
            if part.short.strip():
                lines.append(f"{part.label}: {part.short.strip()}" if part.label else part.short.strip())
            continue
        marks: list[int] = []
        for sup in part.supports:
            k = (sup.document_id, sup.start, sup.end)
            if k not in numbers:
                cit = citation_for(len(citations) + 1, sup, source_doc)
                if cit is None:
                    continue
                citations.append(cit)
                numbers[k] = cit.n
            if numbers[k] not in marks:
                marks.append(numbers[k])
        if not marks or not part.short.strip():
            continue
        body = " ".join(part.short.split()) + " " + "".join(f"[{n}]" for n in marks)  # quotes keep the layout
        if not part.label:
            lines.append(body)
        elif part.label[-1] in "-•.)":
            lines.append(f"{part.label} {body}")
        else:
            lines.append(f"{part.label}: {body}")
        cited_lines += 1
    if not cited_lines:
        return abstain(question, hits, resolved, kind=kind, scope=scope)
    return Answer(question=question, text="\n".join(lines), abstained=False, citations=citations, hits=hits,
                  resolved_question=resolved, kind=kind, scope=list(scope or []))
