"""Safe HTML for everything the UI shows.

Every string that comes from a document, a question or an answer goes through
``esc`` before it is placed in markup; the only tags in the output are the ones
written here (``mark``, ``div``, ``button``...). No link or image is ever taken from a
document, and no ``href`` points outside the page. Markers ``[n]`` in answers are
styled after escaping, so they cannot smuggle markup in.

These are pure functions of domain objects (``Document``, ``Citation``, ``Hit``,
``Answer``): no Gradio import, no retrieval, no I/O.
"""

from __future__ import annotations

import html
import re
from itertools import pairwise
from dataclasses import dataclass
from collections.abc import Iterable, Sequence

from assistant.citations import document_reference, format_date
from assistant.documents import Answer, Citation, Document, DocumentMeta, Hit, Section
from assistant.text import FUNCTION_WORDS, WORD_RE, function_words, has_diacritics, key

#: Words worth highlighting as "matched": content words in the project's one key space.
STOPWORDS = FUNCTION_WORDS
_MARKER_RE = re.compile(r"\[(\d{1,3})\]")


def esc(text: object) -> str:
    """HTML-escape anything (quotes included): the only way document text enters markup."""
    return html.escape("" if text is None else str(text), quote=True)


def esc_lines(text: str) -> str:
    """Escape, then keep line breaks visible in contexts without ``white-space: pre-wrap``."""
    return esc(text).replace("\r\n", "\n").replace("\n", "<br>")


# --- spans -------------------------------------------------------------------------------
def marked(text: str, spans: Iterable[tuple[int, int]], cls: str = "hl") -> str:
    """``text`` escaped, with each (start, end) span (offsets into ``text``) wrapped in <mark>.

    Overlapping or out-of-range spans are merged and clipped, so the output is always
    well-formed and always contains every character of ``text`` exactly once.
    """
    merged: list[list[int]] = []
    for s, e in sorted((max(0, s), min(len(text), e)) for s, e in spans):
        if e <= s:
            continue
        if merged and s <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    out, pos = [], 0
    for s, e in merged:
        out.append(esc(text[pos:s]))
        out.append(f'<mark class="{cls}">{esc(text[s:e])}</mark>')
        pos = e
    out.append(esc(text[pos:]))
    return "".join(out)


def _word_key(word: str, folded: bool) -> str:
    return key(word, folded)


def query_keys(query: str) -> tuple[set[str], bool]:
    """Comparison keys of the query's content words, and whether matching is folded
    (a query typed without diacritics matches accented text)."""
    folded = not has_diacritics(query)
    stop = function_words(folded)
    keys = {_word_key(m.group(0), folded) for m in WORD_RE.finditer(query)}
    return {k for k in keys if k and k not in stop}, folded


def matched_spans(text: str, query: str) -> list[tuple[int, int]]:
    """Spans of words of ``text`` that are content words of ``query``."""
    keys, folded = query_keys(query)
    if not keys:
        return []
    return [(m.start(), m.end()) for m in WORD_RE.finditer(text) if _word_key(m.group(0), folded) in keys]


# --- documents -----------------------------------------------------------------------------
def paragraph_span(doc: Document, start: int, end: int) -> tuple[int, int]:
    """The span of the paragraph(s) that contain [start, end); the quote itself when it
    lies outside every paragraph (e.g. in the header)."""
    hit = [p for p in doc.paragraphs if p.start < max(end, start + 1) and start < p.end]
    if not hit:
        return start, end
    return min(p.start for p in hit), max(p.end for p in hit)


def meta_rows(meta: DocumentMeta) -> list[tuple[str, str]]:
    """(Vietnamese label, value) for the metadata worth showing; sidecar values noted."""
    labels = [
        ("doc_type", "Loại văn bản"),
        ("number", "Số hiệu"),
        ("date", "Ngày ban hành"),
        ("place", "Nơi ban hành"),
        ("issuer", "Cơ quan ban hành"),
        ("province", "Tỉnh/thành"),
        ("meeting", "Hội nghị"),
        ("term", "Khóa"),
        ("title", "Trích yếu"),
        ("signer", "Người ký"),
        ("signer_role", "Chức vụ"),
        ("signing_authority", "Thẩm quyền ký"),
    ]
    rows = []
    for name, label in labels:
        value = getattr(meta, name, "")
        if not value:
            continue
        if name == "date":
            value = format_date(value)
        if name in meta.supplied:
            value = f"{value} (bổ sung từ tệp siêu dữ liệu)"
        rows.append((label, value))
    return rows


def doc_label(doc_id: str, meta: DocumentMeta) -> str:
    """One line naming a document in lists and dropdowns."""
    return document_reference(meta, fallback_title=doc_id)


def para_anchor(i: int) -> str:
    return f"vb-p-{i}"


def section_anchor(i: int) -> str:
    return f"vb-s-{i}"


def _document_head(doc: Document, sections: list[tuple[int, Section]]) -> list[str]:
    """The viewer's title, metadata table and table of contents."""
    out = [f'<h3 class="vb-title">{esc(doc_label(doc.id, doc.meta))}</h3>']
    rows = meta_rows(doc.meta)
    if rows:
        out.append('<table class="vb-meta">')
        out += [f"<tr><th>{esc(k)}</th><td>{esc(v)}</td></tr>" for k, v in rows]
        out.append(f"<tr><th>Mã văn bản</th><td><code>{esc(doc.id)}</code></td></tr>")
        out.append("</table>")
    if sections:
        out.append('<nav class="vb-toc"><div class="vb-toc-title">Mục lục</div><ul>')
        for i, s in sections:
            depth = max(0, len(s.path) - 1)
            out.append(
                f'<li class="lvl-{min(depth, 4)}"><a href="#{section_anchor(i)}" data-anchor="{section_anchor(i)}">'
                f"{esc(s.label)}. {esc(s.heading)}</a></li>"
            )
        out.append("</ul></nav>")
    return out


def render_document(doc: Document, focus: tuple[int, int] | None = None) -> str:
    """The structured viewer: metadata, a table of contents, then the whole text with an
    anchor per section and per paragraph. ``focus`` (a character span) marks the
    paragraph(s) that contain it with class ``focus`` and the span itself with <mark>.

    Every non-blank piece of ``doc.text`` is shown once, in order (list markers and item
    numbers next to their paragraph); text outside paragraphs (header, headings,
    recipients, signature) is shown as it is.
    """
    text = doc.text
    paras = sorted(enumerate(doc.paragraphs), key=lambda ip: ip[1].start)
    sections = sorted(enumerate(doc.sections), key=lambda isec: isec[1].start)
    focus_paras = set()
    if focus:
        fs, fe = focus
        focus_paras = {i for i, p in paras if p.start < max(fe, fs + 1) and fs < p.end}

    out = ['<div class="vb-doc">', *_document_head(doc, sections), '<div class="vb-body">']
    section_starts = {s.start: i for i, s in sections}

    def gap(a: int, b: int) -> str:
        """Text between paragraphs, split where a section starts (its heading). A short
        last piece right before a paragraph ("-", "a)", "2.") is returned, to be shown
        as that paragraph's list marker instead of on a line of its own."""
        if b <= a:
            return ""
        cuts = sorted({a, b} | {s for s in section_starts if a <= s < b})
        pieces = list(pairwise(cuts))
        marker = ""
        for n, (x, y) in enumerate(pieces):
            chunk = text[x:y]
            short = len(chunk.strip()) <= 5 and n == len(pieces) - 1 and y == b and b < len(text)
            if x in section_starts:
                i = section_starts[x]
                if short:  # a numbered item without a heading: "1. " + its first paragraph
                    out.append(f'<span class="vb-sec-anchor" id="{section_anchor(i)}"></span>')
                    marker = chunk.strip()
                    continue
                heading = chunk.strip()
                lines = heading.split("\n")
                if n == len(pieces) - 1 and y == b and len(lines) > 1 and len(lines[-1].strip()) <= 5:
                    marker = lines[-1].strip()  # "3. Nhiệm vụ" then "- " opening its first paragraph
                    heading = "\n".join(lines[:-1]).rstrip()
                depth = min(len(doc.sections[i].path), 4)
                out.append(
                    f'<div class="vb-heading lvl-{depth}" id="{section_anchor(i)}">'
                    f'<span class="vb-label">§ {esc(doc.sections[i].label)}</span>{esc(heading)}</div>'
                )
            elif not chunk.strip():
                continue
            elif short:
                marker = chunk.strip()
            else:
                out.append(f'<div class="vb-other">{esc(chunk.strip(chr(10)))}</div>')
        return marker

    pos = 0
    for i, p in paras:
        start = max(p.start, pos)
        marker = gap(pos, start)
        label = f"mục {'.'.join(p.section_path)}, đoạn {p.number}" if p.section_path else f"phần mở đầu, đoạn {p.number}"
        body = text[start : p.end]
        if i in focus_paras and focus:
            inner = marked(body, [(focus[0] - start, focus[1] - start)], cls="quote")
            cls = "vb-para focus"
        else:
            inner = esc(body)
            cls = "vb-para"
        if marker:
            inner = f'<span class="vb-marker">{esc(marker)}</span> {inner}'
        out.append(
            f'<div class="{cls}" id="{para_anchor(i)}"><a class="vb-anchor" href="#{para_anchor(i)}" '
            f'data-anchor="{para_anchor(i)}" title="{esc(label)}">¶ {esc(label)}</a>'
            f'<div class="vb-text">{inner}</div></div>'
        )
        pos = max(pos, p.end)
    gap(pos, len(text))
    out.append("</div></div>")
    return "".join(out)


# --- answers and sources -------------------------------------------------------------------
def answer_html(answer: Answer) -> str:
    """The chat bubble: the answer text escaped, [n] markers styled, then the sources'
    citation strings, so each answer in the history carries its own sources."""
    body = _MARKER_RE.sub(r'<b class="cite-marker">[\1]</b>', esc_lines(answer.text))
    if answer.abstained:
        body = f'<span class="abstained">{body}</span>'
    parts = [body]
    if answer.citations:
        items = "".join(f"<li>[{c.n}] {esc(c.citation)}</li>" for c in answer.citations)
        parts.append(f'<div class="msg-sources"><b>Nguồn:</b><ul>{items}</ul></div>')
    elif answer.abstained and answer.hits:
        parts.append('<div class="msg-sources"><i>Xem các đoạn liên quan bên dưới.</i></div>')
    return "".join(parts)


def question_html(question: str) -> str:
    return esc_lines(question)


@dataclass
class SourceView:
    """What a source card shows: its marker, citation, and the quote inside its paragraph."""

    n: int
    doc_id: str
    citation: str
    paragraph_text: str
    quote_spans: list[tuple[int, int]]  # offsets into paragraph_text
    start: int  # span opened in the viewer (document offsets)
    end: int


def source_view(c: Citation, doc: Document | None) -> SourceView:
    if doc is None or not (0 <= c.start <= c.end <= len(doc.text)):
        return SourceView(c.n, c.doc_id, c.citation, c.quote, [(0, len(c.quote))], c.start, c.end)
    ps, pe = paragraph_span(doc, c.start, c.end)
    ps, pe = min(ps, c.start), max(pe, c.end)
    return SourceView(c.n, c.doc_id, c.citation, doc.text[ps:pe], [(c.start - ps, c.end - ps)], c.start, c.end)


def hit_view(n: int, h: Hit) -> SourceView:
    """A retrieved passage shown as a related source (no quote: nothing is highlighted)."""
    return SourceView(n, h.passage.doc_id, h.citation, h.passage.text, [], h.passage.start, h.passage.end)


def _card(v: SourceView, extra: str = "", spans: Sequence[tuple[int, int]] | None = None) -> str:
    """A source (quote spans, class "quote") or a search result (matched words, class "hl")."""
    cls = "quote" if spans is None else "hl"
    spans = v.quote_spans if spans is None else spans
    return (
        f'<div class="src-card" data-n="{v.n}">'
        f'<div class="src-head"><span class="src-n">[{v.n}]</span> '
        f'<span class="src-cite">{esc(v.citation)}</span>{extra}</div>'
        f'<div class="src-para">{marked(v.paragraph_text, spans, cls=cls)}</div>'
        f'<div class="src-actions">'
        f'<button type="button" class="src-btn copy-btn" data-copy="{esc(v.citation)}">Sao chép trích dẫn</button>'
        f'<button type="button" class="src-btn open-btn" data-open="{esc(v.doc_id)}|{v.start}|{v.end}" '
        f'data-n="{v.n}">Mở văn bản</button>'
        f"</div></div>"
    )


def answer_plain(answer_text: str, views: list[SourceView]) -> str:
    """The answer with its sources as plain text, for pasting into a report."""
    lines = [answer_text.strip()]
    if views:
        lines += ["", "Nguồn:"] + [f"[{v.n}] {v.citation}" for v in views]
    return "\n".join(lines)


def sources_html(views: list[SourceView], related: bool = False, answer_text: str = "") -> str:
    """The panel under the chat: one card per source of the latest (or selected) answer,
    and a button copying the answer with its citations as plain text."""
    if not views:
        return '<div class="src-empty">Nguồn của câu trả lời sẽ hiện ở đây.</div>'
    title = "Các đoạn liên quan (không đủ căn cứ để trả lời)" if related else "Nguồn của câu trả lời"
    copy_all = ""
    if answer_text and not related:
        copy_all = (
            f'<button type="button" class="src-btn copy-btn copy-answer" '
            f'data-copy="{esc(answer_plain(answer_text, views))}">Sao chép câu trả lời kèm nguồn</button>'
        )
    return (
        f'<div class="src-panel"><div class="src-title">{title} {copy_all}</div>'
        + "".join(_card(v) for v in views)
        + "</div>"
    )


def search_results_html(query: str, hits: list[Hit]) -> str:
    if not query.strip():
        return '<div class="src-empty">Nhập nội dung cần tìm.</div>'
    if not hits:
        return f'<div class="src-empty">Không tìm thấy đoạn văn nào cho: {esc(query)}</div>'
    cards = []
    for h in hits:
        v = hit_view(h.rank, h)
        section = " / ".join(x for x in h.passage.headings if x) or "phần mở đầu"
        extra = (
            f'<span class="src-score">điểm {h.score:.4f}</span>'
            f'<div class="src-path">Mục: {esc(h.passage.section_label or "—")} · {esc(section)}</div>'
        )
        cards.append(_card(v, extra, spans=matched_spans(h.passage.text, query)))
    return f'<div class="src-panel"><div class="src-title">{len(hits)} kết quả</div>' + "".join(cards) + "</div>"
