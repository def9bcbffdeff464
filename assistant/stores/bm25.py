"""BM25 as sparse vectors, so a vector database ranks lexically with our own analysis.

Milvus's built-in BM25 function only has its own tokenizers ('standard', 'jieba'), which
split '11-kl/tu' and know nothing of Vietnamese word segmentation; so we compute the
weights ourselves over ``text.Analyzer`` terms and search with the inner product:

    score(q, d) = sum over query terms t of  idf(t) * count(t, q) * tfc(t, d)
    idf(t)      = ln(1 + (N - df + 0.5) / (df + 0.5))
    tfc(t, d)   = tf / (tf + k1 * (1 - b + b * dl / avgdl))

which is bm25s's default ('lucene') scoring, term for term, so the Milvus backend ranks
exactly as the local ``LexicalIndex`` (same k1, b). ``tfc`` goes into the passage vector
(it depends on avgdl, recorded per row so rows written under an older average can be
re-weighted); ``idf`` goes into the query vector, from document frequencies kept by the
store, so it is always the collection's current value.
"""

from __future__ import annotations

import math
from collections import Counter

K1 = 1.2  # = LexicalIndex (bm25s.BM25(k1=1.2, b=0.75))
B = 0.75


def idf(df: int, n_docs: int) -> float:
    return math.log(1.0 + (n_docs - df + 0.5) / (df + 0.5))


def passage_weights(term_ids: list[int], avgdl: float) -> dict[int, float]:
    """The passage side: tfc per term id (``term_ids`` in text order, repeats counted)."""
    if not term_ids:
        return {}
    dl = len(term_ids)
    norm = K1 * (1.0 - B + B * dl / max(avgdl, 1e-9))
    return {t: tf / (tf + norm) for t, tf in Counter(term_ids).items()}


def query_weights(terms: list[str], vocab: dict[str, tuple[int, int]], n_docs: int) -> dict[int, float]:
    """The query side: idf * count per known term (``vocab``: term -> (id, df)); unknown terms drop out."""
    out: dict[int, float] = {}
    for term, count in Counter(terms).items():
        entry = vocab.get(term)
        if entry is None or entry[1] <= 0:
            continue
        tid, df = entry
        out[tid] = idf(df, n_docs) * count
    return out
