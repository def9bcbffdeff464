"""The domain model: documents, their structure, passages, hits and citations.

Plain dataclasses, free of framework types, so that LangChain and Gradio are only
adapters at the edges. Every ``start``/``end`` is a character offset into
``Document.text``, the display text, which is never altered after loading: a quote
is always ``document.text[start:end]``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any

#: Metadata fields, in display order. ``supplied`` lists the fields whose value came
#: from a sidecar file rather than from the document's own text.
META_FIELDS = (
    "doc_type",  # "Nghị quyết", "Kết luận", "Chỉ thị", "Quyết định", "Kế hoạch", "Luật"...
    "number",  # số hiệu as written: "11-KL/TU", "61/2020/QH14"
    "date",  # ISO date "2012-01-12"
    "place",  # "Đông Hà"
    "issuer",  # "Tỉnh ủy Quảng Trị", "Ban Chấp hành Đảng bộ tỉnh"
    "province",  # "Quảng Trị"
    "meeting",  # "Hội nghị lần thứ 6"
    "term",  # "khóa XV"
    "title",  # subject line(s): "về phát triển công nghiệp, ..."
    "signer",  # "Lê Hữu Phúc"
    "signer_role",  # "Bí thư"
    "signing_authority",  # "T/M Tỉnh ủy"
)


@dataclass
class DocumentMeta:
    doc_type: str = ""
    number: str = ""
    date: str = ""
    place: str = ""
    issuer: str = ""
    province: str = ""
    meeting: str = ""
    term: str = ""
    title: str = ""
    signer: str = ""
    signer_role: str = ""
    signing_authority: str = ""
    supplied: list[str] = field(default_factory=list)
    #: Where each field's value stands in ``Document.text``: field -> (start, end) of the
    #: text the value was read from (header or signature line), so an answer about the
    #: metadata can quote and cite it. Absent for fields the text does not state and for
    #: values supplied by a sidecar.
    spans: dict[str, tuple[int, int]] = field(default_factory=dict)

    @property
    def year(self) -> int | None:
        return int(self.date[:4]) if self.date[:4].isdigit() else None

    def merged_with_sidecar(self, sidecar: dict[str, Any]) -> "DocumentMeta":
        """Fill empty fields from a sidecar; values parsed from the text win."""
        out = DocumentMeta(**{f: getattr(self, f) for f in META_FIELDS})
        out.supplied = list(self.supplied)
        out.spans = dict(self.spans)
        for name, value in sidecar.items():
            if name not in META_FIELDS or value in (None, ""):
                continue
            if not getattr(out, name):
                setattr(out, name, str(value))
                if name not in out.supplied:
                    out.supplied.append(name)
        return out

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "DocumentMeta":
        known = {f.name for f in fields(cls)}
        out = cls(**{k: v for k, v in data.items() if k in known})
        out.spans = {str(k): (int(v[0]), int(v[1])) for k, v in dict(out.spans or {}).items()}
        return out


@dataclass
class Section:
    """A numbered division of the body: "I.", "1.", "a)", "Điều 5"...

    ``path`` is the chain of labels from the top, e.g. ("II", "2"); ``heading`` is the
    heading line as written (without its label).
    """

    path: tuple[str, ...]
    heading: str
    start: int
    end: int

    @property
    def label(self) -> str:
        return ".".join(self.path)


@dataclass
class Paragraph:
    """A body paragraph; ``number`` counts paragraphs from 1 within its section."""

    start: int
    end: int
    section_path: tuple[str, ...]
    number: int


@dataclass
class Document:
    id: str
    source: str  # file path (relative where possible) or "<file>#<line id>" for JSONL
    text: str  # display text: NFC, zero-width stripped; never altered afterwards
    meta: DocumentMeta = field(default_factory=DocumentMeta)
    sections: list[Section] = field(default_factory=list)
    paragraphs: list[Paragraph] = field(default_factory=list)
    # spans of recognised non-body blocks: "header", "recipients", "signature"
    blocks: dict[str, list[tuple[int, int]]] = field(default_factory=dict)

    def section(self, path: tuple[str, ...]) -> Section | None:
        for s in self.sections:
            if s.path == path:
                return s
        return None

    def heading_titles(self, path: tuple[str, ...]) -> list[str]:
        """Headings of ``path`` and of each of its ancestors, outermost first."""
        return [s.heading for i in range(1, len(path) + 1) if (s := self.section(path[:i]))]


@dataclass
class Passage:
    """The unit of retrieval: one paragraph, or adjacent ones merged, or part of a long one."""

    id: str
    doc_id: str
    start: int
    end: int
    text: str  # == document.text[start:end]
    section_path: tuple[str, ...] = ()
    headings: tuple[str, ...] = ()  # heading titles along section_path
    paragraph: int = 0  # first paragraph number within the section (0 = none)

    @property
    def section_label(self) -> str:
        return ".".join(self.section_path)


@dataclass
class Citation:
    n: int
    passage_id: str
    doc_id: str
    quote: str  # == document.text[start:end]
    start: int
    end: int
    section: str
    paragraph: int
    citation: str  # Vietnamese citation string

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Hit:
    rank: int
    score: float
    passage: Passage
    meta: DocumentMeta
    citation: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "rank": self.rank,
            "score": round(float(self.score), 6),
            "passage_id": self.passage.id,
            "doc_id": self.passage.doc_id,
            "title": self.meta.title,
            "section": self.passage.section_label,
            "paragraph": self.passage.paragraph,
            "text": self.passage.text,
            "citation": self.citation,
        }


@dataclass
class Turn:
    """One exchange of a conversation, for resolving follow-up questions."""

    question: str
    answer: str = ""
    resolved_question: str = ""
    scope: list[str] = field(default_factory=list)  # document ids the answer was limited to or cited
    kind: str = ""  # the handler that answered ("metadata", "fact", "list", ...)


@dataclass
class Answer:
    """What ``ask`` returns. When ``abstained``, ``text`` is the fixed abstention
    sentence and ``hits`` are the closest passages, offered as related, not as an answer."""

    question: str
    text: str
    abstained: bool
    citations: list[Citation] = field(default_factory=list)
    hits: list[Hit] = field(default_factory=list)
    resolved_question: str = ""  # the question after follow-up resolution
    #: "llm" when a language model wrote the text (every sentence checked against its
    #: passages), "extractive" otherwise -- including when the model failed and this is
    #: the fallback, which ``notice`` then explains in one Vietnamese line.
    mode: str = "extractive"
    notice: str = ""
    #: How the generated answer came about (model, timings, sentences dropped); empty
    #: when no model was asked.
    generation: dict[str, Any] = field(default_factory=dict)
    kind: str = ""  # the handler that answered: "metadata", "fact", "list", "comparison", "summary", ...
    scope: list[str] = field(default_factory=list)  # document ids the answer was limited to ([] = all)
    scope_label: str = ""  # how the scope is cited to the user: "Kết luận số 11-KL/TU ngày 12/01/2012 ..."

    def turn(self) -> Turn:
        """This exchange as conversation history for the next question."""
        docs = self.scope or list(dict.fromkeys(c.doc_id for c in self.citations))
        return Turn(self.question, self.text, self.resolved_question, docs, self.kind)

    def to_dict(self) -> dict[str, Any]:
        from .citations import marked_sentences

        out = {
            "question": self.question,
            "answer": self.text,
            "abstained": self.abstained,
            "mode": self.mode,
            "sentences": [] if self.abstained else marked_sentences(self.text),
            "kind": self.kind,
            "scope": list(self.scope),
            "citations": [c.to_dict() for c in self.citations],
            "hits": [h.to_dict() for h in self.hits],
        }
        if self.notice:
            out["notice"] = self.notice
        if self.generation:
            out["generation"] = self.generation
        return out
