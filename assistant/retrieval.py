"""Hybrid retrieval: dense and lexical (BM25) lists from a ``Store`` (FAISS or Milvus), fused here (z-scores by default).

Queries typed without diacritics are matched against the folded BM25 index, since
their accented tokens would match nothing. Filters restrict both lists before ranking,
so a filtered search still returns k hits when k exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from .citations import citation_string
from .documents import DocumentMeta, Hit, Passage
from .embeddings.base import Embedder
from .query_scope import LawCatalog
from .query_style import has_exact_terms, statement
from .settings import Settings
from .stores.base import Store
from .text import Analysis, Analyzer, has_diacritics, key

MODES = ("hybrid", "dense", "lexical")


def is_identifier(token: str) -> bool:
    """Document numbers such as '11-kl/tu', '61/2020/qh14', '1956/qđ-ttg': a digit, a
    letter and a separator. Dates and amounts have no letters and do not qualify."""
    return (
        any(c.isdigit() for c in token)
        and any(c.isalpha() for c in token)
        and ("/" in token or "-" in token)
    )


def filter_key(value: str) -> str:
    """Filter values compared folded: stores that evaluate filters themselves (Milvus) store these keys."""
    return key(value, folded=True)


@dataclass
class Filters:
    doc: list[str] | None = None  # document ids
    doc_type: str | None = None  # "Nghị quyết", "Kết luận"...
    issuer: str | None = None  # substring: "Tỉnh ủy Quảng Trị", "quang tri"
    province: str | None = None
    year: int | None = None

    def is_empty(self) -> bool:
        return not (self.doc or self.doc_type or self.issuer or self.province or self.year)

    def accepts(self, doc_id: str, meta: DocumentMeta) -> bool:
        if self.doc and doc_id not in self.doc:
            return False
        if self.doc_type and key(meta.doc_type, folded=True) != key(self.doc_type, folded=True):
            return False
        if self.issuer and key(self.issuer, folded=True) not in key(meta.issuer, folded=True):
            return False
        if self.province and key(self.province, folded=True) != key(meta.province, folded=True):
            return False
        if self.year and meta.year != self.year:
            return False
        return True


def _minmax(ranked: list[tuple[int, float]]) -> dict[int, float]:
    if not ranked:
        return {}
    scores = [s for _, s in ranked]
    lo, hi = min(scores), max(scores)
    span = hi - lo
    return {row: ((s - lo) / span if span > 0 else 1.0) for row, s in ranked}


def _zscore(ranked: list[tuple[int, float]]) -> tuple[dict[int, float], float]:
    """Standardised scores and the floor given to rows absent from the list. A list
    whose scores are all equal (e.g. one passage naming the queried document number)
    counts as one standard deviation above its floor."""
    if not ranked:
        return {}, 0.0
    scores = np.array([s for _, s in ranked], dtype="float64")
    std = float(scores.std())
    if std == 0.0:
        return {row: 1.0 for row, _ in ranked}, 0.0
    mean = float(scores.mean())
    z = {row: (s - mean) / std for row, s in ranked}
    return z, min(z.values())


def zfuse(lists: list[tuple[list[tuple[int, float]], float]]) -> list[tuple[int, float]]:
    """Weighted sum of z-scores over each list's candidates. Dense cosines from e5
    crowd into a narrow band; standardising puts "how far above the pack" on the same
    scale as BM25's, which min-max (driven by one outlier) and RRF (ranks only) do not."""
    norm = [(*_zscore(ranked), weight) for ranked, weight in lists]
    rows = {r for z, _, _ in norm for r in z}
    total = {row: sum(w * z.get(row, floor) for z, floor, w in norm) for row in rows}
    return sorted(total.items(), key=lambda x: (-x[1], x[0]))


def pool_units(
    lists: list[tuple[list[tuple[int, float]], float]], unit: Callable[[int], str | None], mix: float
) -> list[tuple[int, float]]:
    """z-score fusion where a row of a unit (a law article split into clauses) also counts, in
    each list, that unit's best z-score, mixed in by ``mix`` (1: a row scores as its unit's best
    in every list). Dense and BM25 often rank different clauses of the answering article first;
    pooled, the article collects both votes, as a single-passage article would. Rows of no
    unit keep their own scores."""
    norm = [(*_zscore(ranked), weight) for ranked, weight in lists]
    rows = {r for z, _, _ in norm for r in z}
    units = {row: unit(row) for row in rows} if mix > 0 else {}
    best: list[dict[str, float]] = []
    for z, _, _ in norm:
        b: dict[str, float] = {}
        for row, v in z.items():
            if (u := units.get(row)) is not None and v > b.get(u, -np.inf):
                b[u] = v
        best.append(b)
    total = {}
    for row in rows:
        u = units.get(row)
        score = 0.0
        for (z, floor, w), b in zip(norm, best):
            own = z.get(row, floor)
            pooled = max(own, b.get(u, floor)) if u is not None else own
            score += w * ((1.0 - mix) * own + mix * pooled)
        total[row] = score
    return sorted(total.items(), key=lambda x: (-x[1], x[0]))


def peak(ranked: list[tuple[int, float]]) -> float:
    """How far a list's best score stands above its other candidates, in standard
    deviations: a flat list (dense cosines of a question no passage answers well) has
    a small peak and should count for less in fusion than a list with a clear winner."""
    if len(ranked) < 2:
        return 1.0
    scores = np.array([s for _, s in ranked], dtype="float64")
    std = float(scores.std())
    return float((scores[0] - scores.mean()) / std) if std > 0 else 1.0


Ranked = list[tuple[int, float]]


def adapt_weights(lists: list[tuple[Ranked, float]], power: float) -> list[tuple[Ranked, float]]:
    """Scale each list's weight by its peak to the given power, normalised so the
    weights' sum is unchanged (power 0: the weights as set)."""
    if power <= 0 or not lists:
        return lists
    scaled = [(ranked, weight * max(peak(ranked), 1e-6) ** power) for ranked, weight in lists]
    total, new = sum(w for _, w in lists), sum(w for _, w in scaled)
    return [(ranked, w * total / new) for ranked, w in scaled] if new > 0 else lists


def group_vote(
    fused: list[tuple[int, float]], group: Callable[[int], str | None], weight: float, top: int = 3
) -> list[tuple[int, float]]:
    """Add to each row of a group (a law) the standardised strength of that group: the sum
    of its best ``top`` fused scores. In a large collection the answer's law usually has
    several good candidates, a stray article of another law only one. Rows of no group
    (``group`` returns None: documents that are not part of a law) are left as they are."""
    if weight <= 0 or len(fused) < 2:
        return fused
    members: dict[str, list[float]] = {}
    for row, score in fused:
        g = group(row)
        if g is not None:
            members.setdefault(g, []).append(score)
    if len(members) < 2:
        return fused
    strength = {g: sum(sorted(v, reverse=True)[:top]) for g, v in members.items()}
    values = np.array(list(strength.values()), dtype="float64")
    std = float(values.std()) or 1.0
    mean = float(values.mean())
    out = [(row, score + (weight * (strength[g] - mean) / std if (g := group(row)) is not None else 0.0))
           for row, score in fused]
    return sorted(out, key=lambda x: (-x[1], x[0]))


def convex(lists: list[tuple[list[tuple[int, float]], float]]) -> list[tuple[int, float]]:
    """Weighted sum of min-max normalised scores: unlike RRF it keeps how far ahead a
    clear winner is, so an exact lexical match of a rare term is not out-voted by
    a run of near-equal dense similarities."""
    total: dict[int, float] = {}
    for ranked, weight in lists:
        for row, s in _minmax(ranked).items():
            total[row] = total.get(row, 0.0) + weight * s
    return sorted(total.items(), key=lambda x: (-x[1], x[0]))


def rrf(lists: list[tuple[list[tuple[int, float]], float]], k: int) -> list[tuple[int, float]]:
    """Reciprocal rank fusion of (ranked rows, weight) lists."""
    scores: dict[int, float] = {}
    for ranked, weight in lists:
        for rank, (row, _) in enumerate(ranked):
            scores[row] = scores.get(row, 0.0) + weight / (k + rank + 1)
    return sorted(scores.items(), key=lambda x: (-x[1], x[0]))


class HybridRetriever:
    def __init__(self, store: Store, embedder: Embedder, settings: Settings, analyzer: Analyzer | None = None):
        self.store = store
        self.embedder = embedder
        self.settings = settings
        self.analyzer = analyzer or Analyzer()
        self._laws: LawCatalog | None = None
        self._groups: dict[str, str] | None = None
        self._articles: dict[int, str | None] = {}

    @property
    def laws(self) -> LawCatalog:
        """The laws and codes of the collection, by name (built on first use)."""
        if self._laws is None:
            self._laws = LawCatalog.build(self.store.metas)
        return self._laws

    def _grouper(self, rows: list[int]) -> Callable[[int], str | None]:
        """row -> the law its passage belongs to (by name), None if its document is not a
        law's; the rows' documents are read in one call, and only when the collection has laws."""
        if self._groups is None:
            self._groups = self.laws.group_of()
        groups = self._groups
        if not groups or self.settings.group_vote_weight <= 0:
            return lambda row: None
        docs = dict(zip(rows, self.store.doc_ids_at(rows)))
        return lambda row: groups.get(docs[row])

    def _article(self, row: int) -> str | None:
        """The law article a passage belongs to: its document and the section path down to the
        "Điều N" element in a whole law's text, else the document (a law's article exported as a
        document of its own; or a law's preamble). None for passages of documents that are not laws'."""
        if row not in self._articles:
            p = self.store.passages_at([row])[0]
            cut = next((i for i, part in enumerate(p.section_path) if key(part, folded=True).startswith("dieu ")), None)
            if cut is not None:
                self._articles[row] = p.doc_id + "\x00" + "\x00".join(p.section_path[: cut + 1])
            else:
                self._articles[row] = p.doc_id if self._grouper([row])(row) is not None else None
        return self._articles[row]

    def scope_rows(self, query: str, filters: Filters | None) -> object | None:
        """The store's scope of the laws the query names (within ``filters``), or None if it
        names none (allowed rows for the local store, an expression for Milvus)."""
        docs = set(self.laws.scope(query))
        if filters is not None and not filters.is_empty():
            docs = {d for d in docs if d in self.store.metas and filters.accepts(d, self.store.metas[d])}
        if not docs:
            return None
        return self.store.scope(Filters(doc=sorted(docs)))

    def _allowed(self, filters: Filters | None) -> object | None:
        """The store's form of the filters (allowed rows locally, an expression in Milvus)."""
        if filters is None or filters.is_empty():
            return None
        return self.store.scope(filters)

    def lexical_ranking(
        self, query: str, n: int, allowed: object | None, analysis: Analysis | None = None
    ) -> list[tuple[int, float]]:
        analysis = analysis or self.analyzer.analyze(query)
        if has_diacritics(query):
            return self.store.lexical_search(analysis.tokens, n, allowed)
        return self.store.lexical_search(analysis.folded, n, allowed, folded=True)

    def dense_ranking(
        self, query: str, n: int, allowed: object | None, vector: np.ndarray | None = None
    ) -> list[tuple[int, float]]:
        if vector is None:
            vector = self.embedder.embed_queries([query])[0]
        return self.store.dense_search(vector, n, allowed)

    def search(
        self,
        query: str,
        k: int | None = None,
        filters: Filters | None = None,
        mode: str = "hybrid",
        vector: np.ndarray | None = None,
    ) -> list[Hit]:
        """``vector``: the query's embedding when the caller already has it (answering
        embeds a question once and searches several times with it)."""
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}")
        k = k or self.settings.top_k
        query = " ".join(query.split())
        if not query or not self.store.count():
            return []
        allowed = self._allowed(filters)
        n = max(self.settings.candidates, k)
        if mode == "dense":
            ranked = self.dense_ranking(query, n, allowed, vector)
        elif mode == "lexical":
            ranked = self.lexical_ranking(query, n, allowed)
        else:
            lists = adapt_weights(self.hybrid_lists(query, n, allowed, filters, vector), self.settings.fusion_peak_power)
            fused = self._fuse(lists)
            ranked = group_vote(fused, self._grouper([row for row, _ in fused]), self.settings.group_vote_weight)
        top = ranked[:k]
        passages = self.store.passages_at([row for row, _ in top])  # one round trip for a remote store
        return [self._hit(i + 1, p, score) for i, ((_, score), p) in enumerate(zip(top, passages))]

    def hybrid_lists(
        self, query: str, n: int, allowed: object | None, filters: Filters | None = None, vector: np.ndarray | None = None
    ) -> list[tuple[list[tuple[int, float]], float]]:
        """The weighted ranked lists hybrid search fuses. Exam frames ("..., đúng hay sai?")
        are removed first (``query_style``); a query that names a law of the collection adds
        both rankings restricted to that law (``scope_weight``), a soft preference."""
        s = self.settings
        text = statement(query) if s.query_style else query
        analysis = self.analyzer.analyze(text)  # once: segmentation is the costly part of a query
        if vector is None or text != query:  # the caller's vector is of the query as asked
            vector = self.embedder.embed_queries([text])[0]
        dense_w, lexical_w = self.style_weights(text)
        lists = [
            (self.dense_ranking(text, n, allowed, vector), dense_w),
            (self.lexical_ranking(text, n, allowed, analysis), lexical_w),
        ]
        ids = [t for t in analysis.tokens if is_identifier(t)]
        if ids:  # a document number in the question is a near-certain signal: its own list
            lists.append((self.store.lexical_search(ids, n, allowed), s.identifier_weight))
        scope = self.scope_rows(query, filters) if s.scope_weight > 0 else None
        if scope is not None:
            lists.append((self.dense_ranking(text, n, scope, vector), s.scope_weight * dense_w))
            lists.append((self.lexical_ranking(text, n, scope, analysis), s.scope_weight * lexical_w))
        return lists

    #: the exact-term test of ``style_weights`` (an attribute so a benchmark can measure without it)
    exact_terms = staticmethod(has_exact_terms)

    def style_weights(self, text: str) -> tuple[float, float]:
        """(dense, lexical) fusion weights for a query (after its exam frame is removed): the
        settings' weights for a query with exact terms (``has_exact_terms``: numbers, names),
        else the same total split by ``plain_dense_share``."""
        s = self.settings
        share = s.plain_dense_share
        if share is None or self.exact_terms(text):
            return s.dense_weight, s.lexical_weight
        total = s.dense_weight + s.lexical_weight
        return share * total, (1.0 - share) * total

    def _fuse(self, lists: list[tuple[list[tuple[int, float]], float]]) -> list[tuple[int, float]]:
        fusion = self.settings.fusion  # a Literal: Settings refuses any other value
        if fusion == "zscore":
            if self.settings.article_pool > 0:
                return pool_units(lists, self._article, self.settings.article_pool)
            return zfuse(lists)
        if fusion == "convex":
            return convex(lists)
        return rrf(lists, self.settings.rrf_k)

    def _hit(self, rank: int, passage: Passage, score: float) -> Hit:
        meta = self.store.metas[passage.doc_id]
        return Hit(rank=rank, score=score, passage=passage, meta=meta, citation=citation_string(meta, passage))
