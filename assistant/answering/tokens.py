"""Syllable tokens with character offsets, and term weights from the BM25 index.

The answerer needs *where* each word sits in a sentence (to find the answer span next
to the question's words), which the index analyzer does not give. So it tokenizes with
one small regex: numbers (``10,5``, ``8.000``) and letter runs (syllables). Keys are
lower-case and tone-unified, and folded too when the question was typed without
diacritics, so both sides of every comparison use the same key function.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from functools import lru_cache

from ..text import ABBREVIATIONS, FUNCTION_WORDS, function_words, key

_TOKEN_RE = re.compile(r"\d+(?:[.,]\d+)*|[^\W\d_]+")


@dataclass(frozen=True)
class Tok:
    start: int  # offset into the text the token came from
    end: int
    key: str  # comparison key (lower-case, tone-unified, maybe folded)


def key_function(folded: bool) -> Callable[[str], str]:
    """The key used for matching (``text.key``): accented (precise) or folded (for accent-less questions)."""
    return lambda s: key(s, folded)


def tokenize(text: str, folded: bool = False, offset: int = 0) -> list[Tok]:
    key = key_function(folded)
    return [Tok(m.start() + offset, m.end() + offset, key(m.group(0))) for m in _TOKEN_RE.finditer(text)]


def keys(text: str, folded: bool = False) -> list[str]:
    return [t.key for t in tokenize(text, folded)]


@lru_cache(maxsize=2)
def _abbreviations(folded: bool) -> tuple[tuple[str, tuple[str, ...]], ...]:
    return tuple((key(a, folded), tuple(keys(long, folded))) for a, long in ABBREVIATIONS.items())


def with_abbreviations(seq: list[str], folded: bool = False) -> tuple[set[str], set[tuple[str, ...]]]:
    """Keys and n-grams a text also stands for through its abbreviations (``text.ABBREVIATIONS``):
    "BCSĐ" adds the keys of "ban cán sự đảng" and its n-grams; the words written out add "bcsđ"."""
    present = set(seq)
    extra: set[str] = set()
    grams: set[tuple[str, ...]] = set()
    for abbr, long in _abbreviations(folded):
        if abbr in present:
            extra.update(long)
            grams.update(long[i : i + n] for n in range(2, len(long) + 1) for i in range(len(long) - n + 1))
        elif long[0] in present and any(tuple(seq[i : i + len(long)]) == long for i in range(len(seq) - len(long) + 1)):
            extra.add(abbr)
    return extra, grams


#: Function words (one set for the project, ``text.FUNCTION_WORDS``): they carry no
#: evidence that a sentence answers a question.
FUNCTION_WORDS_FOLDED: frozenset[str] = function_words(folded=True)
__all__ = ["FUNCTION_WORDS", "FUNCTION_WORDS_FOLDED", "StoreFrequencies", "Tok", "TermWeights", "content_keys", "key_function", "keys",
           "tokenize", "with_abbreviations"]


def content_keys(text: str, folded: bool = False) -> list[str]:
    """Distinct content-word keys of ``text``, in order of first appearance."""
    stop = FUNCTION_WORDS_FOLDED if folded else FUNCTION_WORDS
    seen: dict[str, None] = {}
    for k in keys(text, folded):
        if k not in stop:
            seen.setdefault(k, None)
    return list(seen)


class StoreFrequencies(Mapping[str, int]):
    """Document frequencies asked of the store term by term (``Store.doc_freqs``) and
    kept: a question needs a few dozen, never the whole vocabulary."""

    def __init__(self, lookup: Callable[[Iterable[str]], dict[str, int]]):
        self.lookup = lookup
        self.known: dict[str, int | None] = {}

    def __getitem__(self, term: str) -> int:
        if term not in self.known:
            self.known[term] = self.lookup([term]).get(term)
        df = self.known[term]
        if df is None:
            raise KeyError(term)
        return df

    def __iter__(self):
        return (t for t, df in self.known.items() if df is not None)

    def __len__(self) -> int:
        return sum(df is not None for df in self.known.values())


class TermWeights:
    """Inverse document frequency of syllables over the indexed passages.

    Read from the BM25 index's document frequencies (``Store.doc_freqs``: a column's
    non-zeros of bm25s's term-document matrix locally, the ``_terms`` statistics on Milvus),
    so nothing is recomputed at start-up. A term the collection never uses gets the
    highest weight: a question about "hộ nghèo" in a collection without it must lose
    most of its evidence.
    """

    def __init__(self, df: Mapping[str, int], n_docs: int):
        self.df = df
        self.n = max(1, n_docs)
        self.max_idf = self._idf(0)

    def _idf(self, df: int) -> float:
        return math.log(1.0 + (self.n - df + 0.5) / (df + 0.5))

    def weight(self, key: str) -> float:
        df = self.df.get(key)
        if df is None:
            if key[:1].isdigit():
                return 0.8 * self.max_idf  # numbers are tokenized differently by the index
            return self.max_idf
        return self._idf(df)

    @classmethod
    def uniform(cls) -> TermWeights:
        return cls({}, 1)

    @classmethod
    def from_store(cls, store: object, folded: bool = False) -> TermWeights:
        """Weights over ``store``'s BM25 statistics (plain or folded copy), read on demand."""
        lookup = lambda terms: store.doc_freqs(terms, folded=folded)  # type: ignore[attr-defined]  # noqa: E731
        return cls(StoreFrequencies(lookup), store.count())  # type: ignore[attr-defined]
