"""Header, section and paragraph parsing of Vietnamese administrative documents.

Party resolutions, conclusions and directives and state decisions, plans and laws share
one layout, and this package reads it (one module per part of the document: ``lines``,
``lexicon``, ``header``, ``signature``, ``sections``) without ever changing the text:

* **header** - organ lines ("TỈNH UỶ QUẢNG TRỊ", "ỦY BAN NHÂN DÂN / TỈNH X"), the national
  or Party motto, "Số: ...", "<place>, ngày .. tháng .. năm ....", often as two columns
  separated by tabs or runs of spaces; then the document type line ("KẾT LUẬN"), the
  meeting/organ/term lines ("HỘI NGHỊ LẦN THỨ 6", "(KHOÁ X)") and the subject lines.
* **body** - numbered sections (Phần / Chương / Mục / Điều / I. / 1. / 1.1. / a)) and
  paragraphs with exact character offsets.
* **tail** - "Nơi nhận:" with its recipient list and the signature block (T/M ..., role,
  "(đã ký)", name), which text extraction often interleaves line by line.

Metadata holds only what the text states; a field it does not give stays "" (the
corpus sidecar may supply it later). Metadata values get display normalisation (proper
case, new-style tone marks "ủy"); offsets always point into the untouched text.

Conventions a citation relies on:

* ``Section.path`` labels: Roman "II", Arabic "2", letters "a", decimals "1.2" -> last
  part under its parent; legal units keep their word: "Chương I", "Mục 1", "Điều 5",
  "Phần I", "Phụ lục I".
* A numbered line is a *heading* when it is short and does not end a sentence
  ("1. Quan điểm"); a long or sentence-final numbered line ("1. Đảng đoàn HĐND tỉnh chỉ
  đạo ... .") is a *numbered paragraph*: it still opens a section (so "mục III.1" works)
  whose ``heading`` is "" and whose paragraph 1 is its own text.
* Paths are the document's own numbering, so a document that restarts it (or misspells a
  label, "Điền 23") can repeat a path; paragraph numbers then continue across the
  repeats, so (path, number) still names one paragraph.
* Paragraph spans never include list markers or labels: the text of "1. Đảng đoàn..."
  starts at "Đảng", that of "- Phát triển..." at "Phát". Lines are joined into one
  paragraph when a line does not end a sentence and the next one continues it (a hard
  wrap, or a page break before a lower-case word).
* A closing formula right after a numbered paragraph ("Nghị quyết này được phổ biến
  rộng rãi.") belongs to the document, not to that item: its path is ().
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..documents import DocumentMeta, Paragraph, Section
from .header import _MEETING_RE, _TERM_PAREN_RE, _TERM_RE, Span, _consolidation, _Header, _parse_header
from .lexicon import _proper_organ
from .lines import _clean_value, _folded, _split_lines
from .sections import _BodyParser
from .signature import _find_tail, _Tail

__all__ = ["ParsedStructure", "parse_structure"]

#: Bump when parsing changes what it reads (metadata, spans, sections): the settings hash
#: includes it, so an index parsed by an older parser is rebuilt, not served with stale
#: metadata (ingest re-parses only changed files otherwise).
PARSER_VERSION = 3


@dataclass
class ParsedStructure:
    meta: DocumentMeta  # only what the text states; "" where it says nothing; ``meta.spans`` cite it
    sections: list[Section]
    paragraphs: list[Paragraph]
    blocks: dict[str, list[tuple[int, int]]]  # "header", "recipients", "signature" spans
    recipients: list[str] = field(default_factory=list)  # the "Nơi nhận" items as written
    recipient_spans: list[tuple[int, int]] = field(default_factory=list)  # where each stands


# =====================================================================================
# Putting it together
# =====================================================================================


def _merge_spans(spans: list[tuple[int, int, str]]) -> dict[str, list[tuple[int, int]]]:
    """Adjacent cells of the same block become one span (interleaved blocks stay apart)."""
    out: dict[str, list[tuple[int, int]]] = {}
    last_kind = ""
    for start, end, kind in sorted(spans):
        bucket = out.setdefault(kind, [])
        if kind == last_kind and bucket:
            bucket[-1] = (bucket[-1][0], end)
        else:
            bucket.append((start, end))
        last_kind = kind
    return out


def _issuer(h: _Header, tail: _Tail | None) -> tuple[str, str, Span | None, Span | None]:
    """Issuer and province, with the spans of the organ lines they come from."""
    organs = [(_proper_organ(_TERM_PAREN_RE.sub("", o).strip(" ,;-–()")), sp) for o, sp in h.organs]
    organs = [o for o in organs if o[0][0]]
    after = [(_proper_organ(o), sp) for o, sp in h.organs_after]
    issuer, span = "", None
    if organs:
        (issuer, _), span = organs[-1]
        if len(organs) > 1 and _folded(issuer).startswith(("ban ", "van phong", "uy ban kiem tra")):
            issuer = f"{issuer} {organs[0][0][0]}"  # "Ban Tuyên giáo" of "Tỉnh ủy Quảng Trị"
            span = (organs[0][1][0], span[1])
    elif after:
        (issuer, _), span = after[0]
    province, pspan = next(((p, sp) for (_, p), sp in organs + after if p), ("", None))
    if not province and tail:
        for auth in tail.authorities:
            province = _proper_organ(auth.split(" ", 1)[-1])[1]
            if province:
                pspan = tail.fields.get("signing_authority")
                break
    return issuer, province, span, pspan


def _fold_map(s: str) -> tuple[str, list[int]]:
    """``s`` lower-cased without tone marks and with whitespace runs as one space, plus
    the offset in ``s`` of each character kept: to find a value inside its source line."""
    out: list[str] = []
    where: list[int] = []
    for i, ch in enumerate(s):
        if ch.isspace():
            if out and out[-1] != " ":
                out.append(" ")
                where.append(i)
            continue
        f = _folded(ch) or ch
        out.append(f[0])
        where.append(i)
    return "".join(out), where


def _narrow(text: str, span: Span | None, value: str) -> Span | None:
    """The part of ``text[span]`` that spells ``value`` (modulo case, tone marks and line
    breaks), or the whole span when the value is not spelled out there."""
    if span is None or not value:
        return span
    hay, where = _fold_map(text[span[0] : span[1]])
    needle = " ".join(_folded(value).split())
    k = hay.find(needle)
    if k < 0 or not needle:
        return span
    return span[0] + where[k], span[0] + where[k + len(needle) - 1] + 1


#: "Nghị quyết này đã được Hội đồng nhân dân thành phố Hà Nội khóa XVI, kỳ họp thứ 28 thông qua ngày ..."
_ADOPTED_RE = re.compile(r"[^.\n]*\bthông qua\b[^.\n]*", re.IGNORECASE)
#: How far before the signature block the closing line is looked for.
ADOPTION_WINDOW = 1500


def _adoption(meta: DocumentMeta, spans: dict[str, Span], text: str, body_start: int, body_end: int) -> None:
    """Meeting and term from the sentence that says the document was adopted ("... khóa XVI,
    kỳ họp thứ 28 thông qua ngày ..."), when the header does not state them."""
    for m in reversed(list(_ADOPTED_RE.finditer(text, max(body_start, body_end - ADOPTION_WINDOW), body_end))):
        meeting = _MEETING_RE.search(m.group(0))
        if not meeting or not meeting["kind"].lower().startswith(("kỳ", "kì")):
            continue
        start = m.start() + meeting.start()
        meta.meeting = f"Kỳ họp thứ {meeting['ord'].lower()}"
        spans["meeting"] = (start, start + len(meeting.group(0)))
        term = _TERM_RE.search(m.group(0))
        if term and not meta.term:
            meta.term = f"khóa {term['num'].upper()}"
            spans["term"] = (m.start() + term.start(), m.start() + term.end())
        return


def parse_structure(text: str) -> ParsedStructure:
    """Parse header metadata, sections, paragraphs and non-body blocks of ``text``."""
    lines = _split_lines(text)
    h = _parse_header(lines, text)
    tail = _find_tail(lines, h.end, text)
    body = _BodyParser(text, lines)
    if h.start:
        body.segment(0, h.start)  # a web page's own summary above the header
    if tail:
        body.segment(h.end, tail.start, fresh=bool(h.start))
        body.segment(tail.end, len(lines), fresh=True)
    else:
        body.segment(h.end, len(lines), fresh=bool(h.start))
    body.finish()

    blocks: dict[str, list[tuple[int, int]]] = {}
    header_lines = [ln for ln in lines[h.start : h.end] if not ln.blank]
    if header_lines:
        blocks["header"] = [(header_lines[0].span()[0], header_lines[-1].span()[1])]
    if tail:
        blocks.update(_merge_spans(tail.spans))

    issuer, province, issuer_span, province_span = _issuer(h, tail)
    meta = DocumentMeta(
        doc_type=h.doc_type,
        number=h.number,
        date=h.date,
        place=_clean_value(h.place),
        issuer=issuer,
        province=province,
        meeting=h.meeting,
        term=h.term,
        title=h.title,
        signer=tail.signer if tail else "",
        signer_role=tail.role if tail else "",
        signing_authority=", ".join(tail.authorities) if tail else "",
    )
    spans: dict[str, Span] = dict(h.spans)
    if issuer_span:
        spans["issuer"] = issuer_span
    if province_span:
        spans["province"] = _narrow(text, province_span, province)  # type: ignore[assignment]
    if tail:
        spans.update(tail.fields)
    vbhn = _consolidation(lines, text)
    if vbhn:
        # a consolidated text, whatever the type line of the text it consolidates says;
        # its own number and date stand under "XÁC THỰC VĂN BẢN HỢP NHẤT"
        meta.doc_type, spans["doc_type"] = vbhn.doc_type, vbhn.spans["doc_type"]
        if vbhn.number and "VBHN" in vbhn.number.upper() and "VBHN" not in meta.number.upper():
            meta.number, spans["number"] = vbhn.number, vbhn.spans["number"]
            if vbhn.date:
                meta.date, spans["date"] = vbhn.date, vbhn.spans["date"]
    if "VBHN" in meta.number.upper().replace("-", " ").replace("/", " ").split() and meta.doc_type != "Văn bản hợp nhất":
        meta.doc_type = "Văn bản hợp nhất"
        spans["doc_type"] = spans["number"]
    if not meta.meeting:  # a People's Council resolution says it in its closing line
        body_start = lines[h.end].span()[0] if h.end < len(lines) else 0
        _adoption(meta, spans, text, body_start, lines[tail.start].span()[0] if tail else len(text))
    meta.spans = {k: v for k, v in spans.items() if getattr(meta, k, "")}
    recipients = tail.recipients if tail else []
    return ParsedStructure(
        meta=meta,
        sections=body.sections,
        paragraphs=body.paragraphs,
        blocks=blocks,
        recipients=[r for r, _ in recipients],
        recipient_spans=[sp for _, sp in recipients],
    )
