"""Questions whose answer spans several documents ("So sánh mục tiêu ... của Bắc Kạn và
Quảng Trị") are answered one document group at a time, each part with its own citation.

The groups are the provinces, places or document numbers the question names (matched
against the documents' metadata, accents optional); a comparison question that names
fewer than two falls back to the distinct documents among the best hits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..citations import document_reference
from ..documents import DocumentMeta, Hit
from ..text import fold, unify_tone_marks

_CUE = re.compile(r"\b(?:so sánh|đối chiếu|khác nhau|giống nhau|khác biệt|điểm chung)\b\s*(?:giữa|về|của)?\s*", re.IGNORECASE)


@dataclass
class Group:
    label: str
    doc_ids: list[str]
    names: list[str]  # how the question named it (removed from the per-group query)


def _key(s: str) -> str:
    return " " + " ".join(fold(unify_tone_marks(s)).lower().split()) + " "


def _padded(question: str) -> str:
    return _key(re.sub(r"[^\w/-]+", " ", question))


def named_groups(question: str, metas: dict[str, DocumentMeta]) -> list[Group]:
    """Documents grouped by the names the question gives them, in question order."""
    q = _padded(question)
    found: dict[str, tuple[int, Group]] = {}
    for doc_id, meta in sorted(metas.items()):
        for name in (meta.province, meta.number, meta.place):
            if not name:
                continue
            pos = q.find(_key(name))
            if pos < 0:
                continue
            label = name
            pos_group = found.setdefault(fold(label).lower(), (pos, Group(label, [], [name])))
            if doc_id not in pos_group[1].doc_ids:
                pos_group[1].doc_ids.append(doc_id)
            break
    return [g for _, g in sorted(found.values(), key=lambda x: x[0])]


def hit_groups(hits: list[Hit], limit: int = 3) -> list[Group]:
    """The distinct documents among ``hits``, best first, labelled by province or reference."""
    groups: list[Group] = []
    for h in hits:
        if any(h.passage.doc_id in g.doc_ids for g in groups):
            continue
        groups.append(Group(label(h.meta), [h.passage.doc_id], []))
        if len(groups) == limit:
            break
    return groups


def label(meta: DocumentMeta) -> str:
    if meta.province:
        return meta.province
    if meta.number:
        return f"{meta.doc_type or 'Văn bản'} số {meta.number}"
    return document_reference(meta)


def group_query(question: str, groups: list[Group]) -> str:
    """The question for one group: without the comparison cue and the groups' names."""
    q = _CUE.sub("", question)
    for g in groups:
        for name in g.names:
            q = re.sub(re.escape(name), " ", q, flags=re.IGNORECASE)
    q = re.sub(r"\s+(?:và|với|,)\s*(?=\s|$|[?.])", " ", q)
    q = re.sub(r"\b(?:của|giữa|tại|ở)\s*(?=[?.]|$)", "", q.strip())
    return " ".join(q.split()).strip(" ,")
