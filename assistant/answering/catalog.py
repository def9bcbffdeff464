"""The collection's own metadata, indexed for matching what a question names.

Built once per open index from ``DocumentMeta`` of every document: số hiệu (in every
usual written form), provinces, document types, issuing bodies, signers. It also knows
which document numbers the documents *mention* (a conclusion reviewing "Nghị quyết
13-NQ/TU" names a document the collection does not hold, but can still answer about).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from ..documents import DocumentMeta, Passage
from .gazetteer import key

#: Document types and their abbreviations in số hiệu ("NQ" in "13-NQ/TU").
TYPES: dict[str, tuple[str, ...]] = {
    "Nghị quyết": ("NQ",),
    "Kết luận": ("KL",),
    "Quyết định": ("QĐ", "QD"),
    "Chỉ thị": ("CT",),
    "Kế hoạch": ("KH",),
    "Thông báo": ("TB",),
    "Thông tư": ("TT",),
    "Thông tư liên tịch": ("TTLT",),
    "Nghị định": ("NĐ", "ND"),
    "Công văn": ("CV",),
    "Công điện": ("CĐ", "CD"),
    "Hướng dẫn": ("HD",),
    "Báo cáo": ("BC",),
    "Tờ trình": ("TTr",),
    "Quy định": ("QĐ", "QyĐ"),
    "Chương trình": ("CTr",),
    "Đề án": ("ĐA",),
    "Luật": ("QH",),
    "Pháp lệnh": ("PL",),
    "Văn bản hợp nhất": ("VBHN",),
}

#: A số hiệu as written: "11-KL/TU", "84/2025/QĐ-UBND", "13- NQ/TU", "61/2020/QH14", "5348/CT-CS".
NUMBER_RE = re.compile(
    r"(?<![\w/])\d{1,5}(?:\s?/\s?(?:19|20)\d{2})?\s?[-/]\s?[A-ZĐa-zđ][A-ZĐa-zđ0-9]*(?:[-/.][A-ZĐa-zđ0-9]+)*(?![\w])"
)


_OWN_NUMBER = re.compile(r"(?<![\w])(?:Số|SỐ|So|Sô)\s*[:.]?\s*(" + NUMBER_RE.pattern.replace(r"(?<![\w/])", "") + ")")


def number_key(number: str) -> str:
    """'13- NQ/TU' and '13-nq/tu' -> '13-nq/tu'."""
    return key(re.sub(r"\s+", "", number)).replace(" ", "-") if number else ""


def _plain(number: str) -> str:
    return re.sub(r"\s+", "", number).lower().replace("đ", "d").replace("Đ", "d")


def number_keys(number: str) -> set[str]:
    k = _plain(number)
    return {k} if k else set()


def is_document_number(token: str) -> bool:
    """A digit group then letters: not a date (12/01/2012) nor an amount (25%/năm)."""
    return bool(re.search(r"\d", token)) and bool(re.search(r"[A-Za-zĐđ]{2,}", token)) and "%" not in token


@dataclass
class Catalog:
    metas: dict[str, DocumentMeta]
    by_number: dict[str, set[str]] = field(default_factory=dict)
    by_province: dict[str, set[str]] = field(default_factory=dict)
    by_type: dict[str, set[str]] = field(default_factory=dict)
    by_issuer: dict[str, set[str]] = field(default_factory=dict)
    by_signer: dict[str, set[str]] = field(default_factory=dict)
    #: number -> passages that may mention it (``Store.passages_mentioning``), checked here
    mentioning: Callable[[str], Iterable[Passage]] | None = None
    _mentions: dict[str, set[str]] = field(default_factory=dict)  # kept answers of ``mentioned_where``
    _titles: dict[str, set[str]] | None = None
    _table_of: tuple[Iterable[Passage], dict[str, set[str]]] | None = None
    #: callable() -> {doc_id: opening text}; read on the first number the metadata lacks
    openings: object = None
    _own: dict[str, set[str]] | None = None

    @classmethod
    def build(
        cls,
        metas: Mapping[str, DocumentMeta],
        passages: Sequence[Passage] = (),
        mentioning: Callable[[str], Iterable[Passage]] | None = None,
    ) -> Catalog:
        """``mentioning`` (the store's narrow search) or, for a collection held in memory,
        ``passages`` (all of them) answer which texts mention a number."""
        c = cls(dict(metas), mentioning=mentioning or (lambda _number: passages))
        for doc_id, m in metas.items():
            for k in number_keys(m.number):
                c.by_number.setdefault(k, set()).add(doc_id)
            if m.province:
                c.by_province.setdefault(key(m.province), set()).add(doc_id)
            if m.doc_type:
                c.by_type.setdefault(key(m.doc_type), set()).add(doc_id)
            if m.issuer and len(m.issuer.split()) >= 2:
                c.by_issuer.setdefault(key(m.issuer), set()).add(doc_id)
            if m.signer and len(m.signer.split()) >= 2:
                c.by_signer.setdefault(key(m.signer), set()).add(doc_id)
        return c

    @property
    def doc_ids(self) -> list[str]:
        return sorted(self.metas)

    def mentions(self, number: str) -> set[str]:
        """Documents whose text or title mentions the số hiệu ``number`` (kept per number)."""
        wanted = number_keys(number)
        return self.mentioned_where(number, lambda k: k in wanted, "number:" + number)

    def mentioned_where(self, query: str, test: Callable[[str], bool], kept_as: str) -> set[str]:
        """Documents whose text (passages ``mentioning(query)`` gives) or title mentions a
        số hiệu whose key passes ``test``; kept under ``kept_as``."""
        if kept_as not in self._mentions:
            table = self._table(self.mentioning(query) if self.mentioning is not None else ())
            if self._titles is None:  # per document: bounded by the metadata already held
                self._titles = {}
                for doc_id, meta in self.metas.items():
                    for m in NUMBER_RE.finditer(meta.title or ""):
                        for k in number_keys(m.group(0)):
                            self._titles.setdefault(k, set()).add(doc_id)
            out: set[str] = set()
            for found in (table, self._titles):
                for k, docs in found.items():
                    if test(k):
                        out |= docs
            self._mentions[kept_as] = out
        return set(self._mentions[kept_as])

    def _table(self, passages: Iterable[Passage]) -> dict[str, set[str]]:
        """Number key -> documents whose passages mention it. Kept while the store hands back
        the same sequence (the local store gives all its passages: one pass, as ever)."""
        if self._table_of is None or self._table_of[0] is not passages:
            table: dict[str, set[str]] = {}
            for p in passages:
                for m in NUMBER_RE.finditer(p.text):
                    if is_document_number(m.group(0)):
                        for k in number_keys(m.group(0)):
                            table.setdefault(k, set()).add(p.doc_id)
            self._table_of = (passages, table)
        return self._table_of[1]

    def own_number(self, number: str) -> set[str]:
        """Documents whose own header says "Số: <number>" although the parsed metadata has
        no such number (a header the parser misread): they are that document all the same."""
        if self._own is None:
            table: dict[str, set[str]] = {}
            openings = self.openings() if callable(self.openings) else {}
            for doc_id, text in openings.items():
                for m in _OWN_NUMBER.finditer(text):
                    for k in number_keys(m.group(1)):
                        table.setdefault(k, set()).add(doc_id)
            self._own = table
        out: set[str] = set()
        for k in number_keys(number):
            out |= self._own.get(k, set())
        return out

    def with_short_number(self, digits: str, doc_type: str) -> set[str]:
        """'Kết luận 11' -> the Kết luận whose số hiệu starts with 11."""
        want = key(doc_type)
        abbrs = {a.lower().replace("đ", "d") for a in TYPES.get(_canonical_type(doc_type), ())}
        out = set()
        for doc_id, m in self.metas.items():
            num = _plain(m.number)
            if not re.match(rf"^{re.escape(digits)}(?:[/-]|$)", num):
                continue
            parts = set(re.split(r"[-/]", num))
            if key(m.doc_type) == want or parts & abbrs:
                out.add(doc_id)
        return out


def _canonical_type(name: str) -> str:
    k = key(name)
    for t in TYPES:
        if key(t) == k:
            return t
    return name


def type_of_abbreviation(abbr: str) -> str | None:
    a = abbr.upper().replace("Đ", "D")
    for t, abbrs in TYPES.items():
        if a in {x.upper().replace("Đ", "D") for x in abbrs}:
            return t
    return None
