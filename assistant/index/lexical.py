"""BM25 over our analyzer's tokens (bm25s), saved without pickle.

Two indexes: one over tone-unified accented tokens, one over diacritic-folded tokens for
queries typed without marks ("muc tieu tang truong").
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Iterable

import bm25s
import numpy as np

# bm25s sets its own logger to DEBUG and logs each build; keep the console for our messages.
logging.getLogger("bm25s").setLevel(logging.WARNING)

FILES = (
    "data.csc.index.npy",
    "indices.csc.index.npy",
    "indptr.csc.index.npy",
    "vocab.index.json",
    "params.index.json",
)


class LexicalIndex:
    def __init__(self, model: bm25s.BM25, n_docs: int):
        self.model = model
        self.n_docs = n_docs
        self.vocab: dict[str, int] = getattr(model, "vocab_dict", None) or {}

    @classmethod
    def build(cls, token_lists: Iterable[list[str]]) -> "LexicalIndex":
        """BM25 over the token lists, read one at a time and kept as vocabulary ids: bm25s
        given strings holds every token of the collection as its own string (60k passages:
        ~2M strings, ~150 MB at the build's peak); the ids share the vocabulary's int objects.
        The same index (bm25s's own vocabulary order is that of a set, i.e. arbitrary)."""
        vocab: dict[str, int] = {}
        ids = [[vocab.setdefault(t, len(vocab)) for t in tokens] for tokens in token_lists]
        model = bm25s.BM25(k1=1.2, b=0.75)
        if ids:
            model.index((ids, vocab), show_progress=False)
        return cls(model, len(ids))

    def save(self, directory: Path) -> list[str]:
        directory.mkdir(parents=True, exist_ok=True)
        if self.n_docs:
            self.model.save(str(directory), allow_pickle=False, show_progress=False)
        return [f for f in FILES if (directory / f).exists()]

    @classmethod
    def load(cls, directory: Path, n_docs: int) -> "LexicalIndex":
        if n_docs == 0:
            return cls(bm25s.BM25(), 0)
        model = bm25s.BM25.load(str(directory), allow_pickle=False, load_corpus=False)
        return cls(model, n_docs)

    def doc_freqs(self, terms: Iterable[str]) -> dict[str, int]:
        """Document frequency of each known term: the non-zeros of its column of bm25s's
        CSC term-document matrix (nothing recomputed). {} for an empty or unknown layout."""
        try:
            scores = self.model.scores
            starts, n_data = scores["indptr"], len(scores["data"])
        except (AttributeError, KeyError, TypeError):
            return {}
        out: dict[str, int] = {}
        for t in terms:
            i = self.vocab.get(t)
            if i is None or i >= len(starts):
                continue
            end = starts[i + 1] if i + 1 < len(starts) else n_data  # bm25s may omit the last pointer
            out[t] = int(end - starts[i])
        return out

    def search(self, tokens: list[str], k: int, allowed: np.ndarray | None = None) -> list[tuple[int, float]]:
        query = [t for t in tokens if t in self.vocab]
        if not query or self.n_docs == 0 or k <= 0:
            return []
        ids = [self.vocab[t] for t in query]
        scores = self.model.get_scores_from_ids(ids)
        if allowed is not None:
            mask = np.zeros(self.n_docs, dtype=bool)
            mask[allowed] = True
            scores = np.where(mask, scores, 0.0)
        k = min(k, self.n_docs)
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [(int(i), float(scores[i])) for i in top if scores[i] > 0]
