"""Which laws or codes of the collection a question names ("Theo Luật Du lịch, ...",
"... theo quy định của Bộ luật dân sự").

The collection's law names come from each document's type + title ("Bộ luật" + "Dân sự")
or, for documents imported without a title, from an id that starts with the name
("Luật Cư trú#20"). A name is matched in the question only right after the word "luật"
(or as "Hiến pháp"), and never after "pháp luật", so "pháp luật dân sự" names nothing and
"Bộ luật tố tụng dân sự" names that code, not "Bộ luật dân sự" (the longest name wins).
The scope is a soft preference for the retriever: questions also name laws that merely
define a term of the answer ("năng lực hành vi dân sự theo quy định của Bộ luật hình sự").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Mapping

from .documents import DocumentMeta
from .law_names import law_key
from .text import key

_LAW_KINDS = ("luat", "bo luat", "hien phap")
_ID_NAME_RE = re.compile(r"^((?:bộ luật|luật|hiến pháp)\b[^#/|]*)", re.IGNORECASE)


def _words(s: str) -> str:
    return " ".join(re.sub(r"[^\w ]", " ", key(s, folded=True).replace("_", " ")).split())


def document_law_name(doc_id: str, meta: DocumentMeta) -> str:
    """The law key of a document, or '' for documents that are not a law or code."""
    kind = _words(meta.doc_type)
    if kind in _LAW_KINDS and meta.title:
        return "hien phap" if kind == "hien phap" else law_key(meta.title)
    for text in (meta.title, doc_id):
        m = _ID_NAME_RE.match(text.strip()) if text else None
        if m:
            return law_key(m.group(1))
    return ""


@dataclass
class LawCatalog:
    """Law key -> the ids of the documents that bear it."""

    docs: dict[str, frozenset[str]]

    def group_of(self) -> dict[str, str]:
        """doc id -> the law it belongs to (its key), for documents that are laws' parts."""
        return {d: name for name, ids in self.docs.items() for d in ids}

    @classmethod
    def build(cls, metas: Mapping[str, DocumentMeta]) -> "LawCatalog":
        out: dict[str, set[str]] = {}
        for doc_id, meta in metas.items():
            name = document_law_name(doc_id, meta)
            if name:
                out.setdefault(name, set()).add(doc_id)
        return cls({k: frozenset(v) for k, v in out.items()})

    def named(self, query: str) -> list[str]:
        """Law keys of the collection that the query names, longest first, no overlaps."""
        if not self.docs:
            return []
        q = " " + _words(query) + " "
        found: list[tuple[int, int, str]] = []
        for name in self.docs:
            pattern = r"(?<!phap )\bluat " + re.escape(name) + r"\b" if name != "hien phap" else r"\bhien phap\b"
            for m in re.finditer(pattern, q):
                found.append((m.start(), m.end(), name))
        found.sort(key=lambda x: (-(x[1] - x[0]), x[0]))
        taken: list[tuple[int, int]] = []
        names: list[str] = []
        for start, end, name in found:
            if any(start < e and s < end for s, e in taken):
                continue
            taken.append((start, end))
            if name not in names:
                names.append(name)
        return names

    def scope(self, query: str) -> frozenset[str]:
        """Document ids of every law the query names (empty: the query names none)."""
        return frozenset(d for name in self.named(query) for d in self.docs[name])


def scoped_rows(doc_of_row: Iterable[str], docs: frozenset[str]) -> list[int]:
    return [i for i, d in enumerate(doc_of_row) if d in docs]
