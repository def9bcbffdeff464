"""Sentences of the retrieved passages, scored as evidence for one question.

A sentence is good evidence when it holds the question's rarer words (idf-weighted
coverage), when its passage is close to the question in embedding space, and when it
contains something of the shape the question wants (a number for "bao nhiêu").
Passage headings and the document's own metadata count as context: a sentence under
"3. Mục tiêu" answers a question about "mục tiêu" without repeating the word.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from ..documents import Hit
from ..text import split_sentences
from .question_types import QType, QuestionInfo
from .safety import looks_like_instruction
from .spans import Candidate, candidates
from .tokens import TermWeights, Tok, content_keys, tokenize, with_abbreviations

#: Weights of the sentence score; they sum to 1 so scores stay comparable across questions.
W_COVERAGE, W_CONTEXT, W_DENSE, W_SHAPE = 0.5, 0.2, 0.2, 0.1
#: Bonus of a sentence that opens with a label naming what the question asks about
#: ("Công nghiệp điện: Hoàn thiện quy hoạch ..." for "định hướng phát triển công nghiệp điện").
W_LABEL = 0.15
_LABEL = re.compile(r"^\s*(?:[-–•+*]\s*|\d+(?:\.\d+)*[.)]\s*|[a-zđ]\)\s*)?([^\W\d_][^:;.!?\n]{2,60}):\s")
#: e5 cosine similarities of related text live in a narrow band; map it onto [0, 1].
DENSE_LOW, DENSE_HIGH = 0.75, 0.90


@dataclass
class Sentence:
    hit: Hit
    start: int  # offsets into the document text
    end: int
    text: str
    tokens: list[Tok]  # offsets into ``text``
    coverage: float  # share of the question's weight found in the sentence
    context: float  # ... in the sentence plus its headings and document metadata
    dense: float  # passage-level similarity, scaled to [0, 1]
    candidates: list[Candidate] = field(default_factory=list)
    score: float = 0.0
    #: the same two counting a compound's syllables fully only where the compound stands
    #: whole: they rank sentences; the plain ones judge evidence strength (abstention)
    phrase_coverage: float = 0.0
    phrase_context: float = 0.0


@dataclass
class Question:
    """A question prepared once for scoring every sentence."""

    info: QuestionInfo
    keys: list[str]  # content keys
    weights: dict[str, float]
    polarity: str = ""  # "target" / "achieved" / "baseline" / "" (from the plan)
    #: multi-syllable words of the question ("chế biến"): their syllables count only where
    #: they stand together, not in "cơ chế ... chuyển biến"
    compounds: list[tuple[str, ...]] = field(default_factory=list)

    @property
    def total(self) -> float:
        return sum(self.weights.values()) or 1.0

    def covered(self, present: set[str], grams: set[tuple[str, ...]] | None = None) -> float:
        """Share of the question's weight present; with ``grams`` (the n-grams of the text),
        a compound's syllables count only when the whole compound is there."""
        if grams is None or not self.compounds:
            return sum(w for k, w in self.weights.items() if k in present) / self.total
        got = {k: 1.0 for k in self.weights if k in present}
        for c in self.compounds:
            if c not in grams:
                for k in c:
                    if k in got:
                        got[k] = 0.5  # the syllable is there, but not as this word
        for c in self.compounds:
            if c in grams:
                got.update({k: 1.0 for k in c})
        return sum(self.weights[k] * v for k, v in got.items()) / self.total


#: Verbs that frame a question rather than name its topic ("Bắc Kạn *định hướng* phát
#: triển công nghiệp chế biến như thế nào?", "... *giao* việc ... cho ai?"): an answer need
#: not repeat them, so their syllables weigh less.
FRAME_VERBS = ("định hướng", "quy định", "đề ra", "đặt ra", "giao", "tập trung", "chú trọng", "yêu cầu", "xác định", "nêu")
FRAME_FACTOR = 0.4


def prepare(info: QuestionInfo, term_weights: TermWeights) -> Question:
    text = info.content or info.text
    keys = content_keys(text, info.folded)
    weights = {k: term_weights.weight(k) for k in keys}
    for verb in FRAME_VERBS:
        vkeys = [t.key for t in tokenize(verb, info.folded)]
        toks = [t.key for t in tokenize(text, info.folded)]
        if any(toks[i : i + len(vkeys)] == vkeys for i in range(len(toks) - len(vkeys) + 1)):
            for k in vkeys:
                if k in weights:
                    weights[k] *= FRAME_FACTOR
    return Question(info, keys, weights, compounds=_compounds(text, weights) if not info.folded else [])


def _compounds(text: str, weights: dict[str, float]) -> list[tuple[str, ...]]:
    """The question's multi-syllable content words, as underthesea segments them."""
    from ..text import word_tokenize

    out: list[tuple[str, ...]] = []
    for word in word_tokenize(text):
        ks = tuple(t.key for t in tokenize(word))
        if 2 <= len(ks) <= 4 and all(k in weights for k in ks) and ks not in out:
            out.append(ks)
    return out


def ngrams(keys: list[str], n: int = 4) -> set[tuple[str, ...]]:
    return {tuple(keys[i : i + k]) for k in range(2, n + 1) for i in range(len(keys) - k + 1)}


def scale_dense(cosine: float) -> float:
    return float(min(1.0, max(0.0, (cosine - DENSE_LOW) / (DENSE_HIGH - DENSE_LOW))))


def collect(question: Question, hits: list[Hit], dense: dict[str, float]) -> list[Sentence]:
    """Every sentence of ``hits``, scored; best first."""
    folded = question.info.folded
    qkeys = set(question.keys)
    out: list[Sentence] = []
    for hit in hits:
        p = hit.passage
        context_text = " ".join([*p.headings, hit.meta.title, hit.meta.province, hit.meta.issuer, hit.meta.doc_type])
        context_toks = [t.key for t in tokenize(context_text, folded)]
        ck, cg = with_abbreviations(context_toks, folded)
        context_keys = set(context_toks) | ck
        context_grams = ngrams(context_toks) | cg
        d = scale_dense(dense.get(p.id, DENSE_LOW))
        for s, e in split_sentences(p.text):
            text = p.text[s:e]
            if looks_like_instruction(text):
                continue
            toks = tokenize(text, folded)
            seq = [t.key for t in toks]
            ak, ag = with_abbreviations(seq, folded)
            present = set(seq) | ak
            grams = ngrams(seq) | ag
            sent = Sentence(
                hit=hit,
                start=p.start + s,
                end=p.start + e,
                text=text,
                tokens=toks,
                coverage=question.covered(present),
                context=question.covered(present | context_keys),
                phrase_coverage=question.covered(present, grams),
                phrase_context=question.covered(present | context_keys, grams | context_grams),
                dense=d,
                candidates=candidates(text, question.info, qkeys),
            )
            shape = 1.0 if (sent.candidates or question.info.qtype is QType.OTHER) else 0.0
            sent.score = (
                _label_bonus(question, text)
                + W_COVERAGE * sent.phrase_coverage
                + W_CONTEXT * sent.phrase_context
                + W_DENSE * sent.dense
                + W_SHAPE * shape
                + 0.02 / hit.rank
            )
            out.append(sent)
    out.sort(key=lambda x: -x.score)
    return out


def _label_bonus(question: Question, sentence: str) -> float:
    m = _LABEL.match(sentence)
    if not m or len(m.group(1).split()) > 6:
        return 0.0
    label = content_keys(m.group(1), question.info.folded)
    # a topic label ("Công nghiệp chế biến:"), not a form field ("Mật khẩu:", "Địa chỉ:")
    if len(label) < 3 or not all(k in question.weights for k in label):
        return 0.0
    return W_LABEL


def passage_similarities(query_vector: np.ndarray | None, vectors: Mapping[str, np.ndarray], hits: list[Hit]) -> dict[str, float]:
    """Cosine of the query and each hit's stored passage vector (``Store.vectors``)."""
    if query_vector is None:
        return {}
    return {h.passage.id: float(np.dot(vectors[h.passage.id], query_vector)) for h in hits if h.passage.id in vectors}


_CLAUSE_PUNCT = re.compile(r"[;:()]|\.\s")


def proximity(question: Question, sent: Sentence, cand: Candidate) -> float:
    """How tightly the question's words surround the candidate (0..1).

    Each question word found in the sentence counts with its weight, decayed by its
    distance in tokens to the candidate; words before the answer count more than after
    ("công nghiệp chiếm 17 %"), as Vietnamese puts the subject first, and words in
    another clause (across ";", ":" or brackets) count little.
    """
    if not question.weights:
        return 0.0
    inside = [i for i, t in enumerate(sent.tokens) if t.start >= cand.start and t.end <= cand.end]
    if not inside:
        return 0.0
    lo, hi = inside[0], inside[-1]
    best: dict[str, float] = {}
    for i, t in enumerate(sent.tokens):
        if lo <= i <= hi or t.key not in question.weights:
            continue
        dist = lo - i if i < lo else i - hi
        side = 1.0 if i < lo else 0.7
        between = sent.text[t.end : cand.start] if i < lo else sent.text[cand.end : t.start]
        if _CLAUSE_PUNCT.search(between):
            side *= 0.3
        value = side * math.exp(-(dist - 1) / 4.0)
        best[t.key] = max(best.get(t.key, 0.0), value)
    return sum(question.weights[k] * v for k, v in best.items()) / question.total
