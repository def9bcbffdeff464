"""Turn drafts into an ``Answer``: number the citations, verify every quote, or abstain.

Each [n] is one quoted sentence. Its quote is cut from the passage text and then checked
against the stored document at its span (``verify_quote``); a quote that fails is never
shown, and a part left without any verified citation is dropped. If nothing survives,
the answer is the fixed abstention sentence with the closest passages as related.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..citations import citation_string, narrowed, verify_quote
from ..documents import Answer, Citation, Document, Hit
from .extractive import Support

#: The one sentence used when the documents do not answer the question.
ABSTAIN_TEXT = "Không tìm thấy thông tin này trong các văn bản hiện có."


@dataclass
class Part:
    """One answer, or one document's answer to a comparison question."""

    label: str  # "" for a single answer; "Quảng Trị" for a part of a comparison
    short: str
    supports: list[Support]


def citation_for(n: int, support: Support, source_doc: Callable[[str], Document | None]) -> Citation | None:
    """The citation of ``support``, or None when its quote does not verify. Section and
    paragraph are those of the quote itself, not of the (possibly longer) passage."""
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


def abstain(question: str, hits: list[Hit], resolved: str = "") -> Answer:
    return Answer(question=question, text=ABSTAIN_TEXT, abstained=True, hits=hits, resolved_question=resolved)


def compose(
    question: str,
    parts: list[Part],
    hits: list[Hit],
    source_doc: Callable[[str], Document | None],
    resolved: str = "",
) -> Answer:
    citations: list[Citation] = []
    numbers: dict[tuple[str, int, int], int] = {}
    lines: list[str] = []
    for part in parts:
        marks: list[int] = []
        for sup in part.supports:
            key = (sup.hit.passage.id, sup.start, sup.end)
            if key not in numbers:
                cit = citation_for(len(citations) + 1, sup, source_doc)
                if cit is None:
                    continue
                citations.append(cit)
                numbers[key] = cit.n
            if numbers[key] not in marks:
                marks.append(numbers[key])
        if not marks or not part.short.strip():
            continue
        body = f"{part.short.strip()} " + "".join(f"[{n}]" for n in marks)
        lines.append(f"{part.label}: {body}" if part.label else body)
    if not lines:
        return abstain(question, hits, resolved)
    return Answer(question=question, text="\n".join(lines), abstained=False, citations=citations, hits=hits,
                  resolved_question=resolved)
