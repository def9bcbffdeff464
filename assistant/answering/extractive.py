"""The default answerer: offline, deterministic, extractive.

It picks, among the best-scored sentences, the candidate span of the right shape whose
surroundings match the question best, and answers with that span ("trên 25%/năm"),
citing the sentence it comes from. Questions without a specific shape (and shapes
that found nothing) are answered with the best sentence itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..documents import DocumentMeta, Hit
from .evidence import Question, Sentence, proximity
from .question_types import QType
from .spans import _LIST_MARKER, Candidate
from .tokens import FUNCTION_WORDS, FUNCTION_WORDS_FOLDED, content_keys, keys

#: How much the placement of a candidate counts next to the score of its sentence.
W_PROXIMITY = 0.35
#: Weight of the match between a figure's leading clause and the question.
W_LEAD = 0.15
#: Sentences considered for the answer span (best-scored first).
POOL = 12


@dataclass
class Support:
    """A span quoted as evidence: offsets into the document text.

    Usually a sentence of a retrieved passage (``hit``). Header and signature lines,
    headings and list items are cited straight from the document: then ``hit`` is None
    and ``doc_id``/``meta`` say whose text it is, ``where`` names the place ("phần đầu
    văn bản") when it is not a body paragraph."""

    hit: Hit | None
    start: int
    end: int
    doc_id: str = ""
    meta: DocumentMeta | None = None
    where: str = ""

    @property
    def document_id(self) -> str:
        return self.hit.passage.doc_id if self.hit is not None else self.doc_id


@dataclass
class Draft:
    """An answer before citations are numbered and verified."""

    short: str  # the answer as shown, without [n] markers
    supports: list[Support]
    confidence: float  # evidence strength in [0, 1], compared with the abstention threshold
    sentence: Sentence
    candidate: Candidate | None


def confidence(sent: Sentence, shaped: bool) -> float:
    """Evidence strength of the sentence an answer rests on.

    Coverage of the question's weighted words by the sentence and its context dominates;
    passage similarity helps; an answer of the wrong shape (no number for "bao nhiêu")
    is discounted.
    """
    value = 0.6 * sent.context + 0.15 * sent.coverage + 0.25 * sent.dense
    return value if shaped else 0.85 * value


_YEAR = re.compile(r"(?<!\d)(?:19|20)\d{2}(?!\d)")
#: How much a figure's polarity (a target or an achieved value) agreeing with the question's counts.
W_POLARITY = 0.15
_TARGET_CUE = re.compile(r"(?:mục tiêu|chỉ tiêu|đề ra|phấn đấu|kế hoạch|dự kiến|phải đạt)[^.;()]*$", re.IGNORECASE)
_ACHIEVED_CUE = re.compile(r"(?:đạt|đã|thực hiện được|tăng lên|giảm xuống)[^.;()]*$", re.IGNORECASE)


_TARGET_HEADING = re.compile(r"\b(?:mục tiêu|nhiệm vụ|chỉ tiêu|kế hoạch|phương hướng|định hướng)\b", re.IGNORECASE)
_ACHIEVED_HEADING = re.compile(r"\b(?:kết quả|tình hình thực hiện|đánh giá)\b", re.IGNORECASE)


def _heading_polarity(headings: tuple[str, ...]) -> str:
    """A figure under "3. Nhiệm vụ" or "Mục tiêu" is a target; under "Kết quả cụ thể", achieved."""
    last = headings[-1] if headings else ""
    if _TARGET_HEADING.search(last):
        return "target"
    if _ACHIEVED_HEADING.search(last):
        return "achieved"
    return ""


def polarity_of(sentence: str, cand: Candidate) -> str:
    """Whether the figure at ``cand`` is a target or an achieved value, by the words of its
    own clause in front of it ("(mục tiêu đề ra trên 33%/năm)" vs "mới đạt bình quân 11,94%")."""
    head = sentence[max(0, cand.start - 60) : cand.start]
    cut = max(head.rfind("("), head.rfind(";"), head.rfind(". "), head.rfind(", "))
    clause = head[cut + 1 :] if cut >= 0 else head
    for text in (clause, sentence[: cand.start]):  # its own clause first, then the sentence
        target, achieved = _TARGET_CUE.search(text), _ACHIEVED_CUE.search(text)
        if target and (not achieved or target.start() > achieved.start()):
            return "target"
        if achieved:
            return "achieved"
    return ""


def candidate_score(question: Question, sent: Sentence, cand: Candidate) -> float | None:
    """Score of a candidate span; None when it cannot be the answer.

    Besides its sentence's score and the proximity of the question's words: an answer
    must bring something the question does not already say; "bao nhiêu cụm công
    nghiệp" prefers "13 cụm công nghiệp" to "2 khu"; a figure qualified by a year
    ("10,5% năm 2005") must agree with the year the question asks about; for "ai", the
    subject in front of the question's predicate beats any other name.
    """
    info = question.info
    cand_keys = {t.key for t in sent.tokens if t.start >= cand.start and t.end <= cand.end}
    question_keys = set(question.keys) | set(keys(info.text, info.folded))
    if cand_keys and cand_keys <= question_keys:
        return None
    score = sent.score + W_PROXIMITY * proximity(question, sent, cand)
    if info.qtype is QType.QUANTITY:
        focus = set(keys(info.focus, info.folded)) - {"phần", "trăm", "phan", "tram"}
        if focus and cand_keys & focus:  # "bao nhiêu cụm công nghiệp" is answered by "N cụm công nghiệp"
            score += 0.3 * len(cand_keys & focus) / len(focus)
            score += W_QUALIFIER * _qualifier_match(question_keys - focus, sent, cand)
        asked = set(_YEAR.findall(info.text))
        near = _YEAR.findall(sent.text[cand.end : cand.end + 12])
        if asked and near:
            score += 0.1 if near[0] in asked else -0.1
        in_sentence = set(_YEAR.findall(sent.text))
        if asked and asked <= in_sentence:
            score += 0.1  # "Giai đoạn 2011 - 2015, ... trên 25%/năm" for a question about 2011-2015
        elif asked and in_sentence and not asked & in_sentence:
            score -= 0.05
        if question.polarity in ("target", "achieved"):
            found = polarity_of(sent.text, cand) or _heading_polarity(sent.hit.passage.headings)
            if found:
                score += W_POLARITY if found == question.polarity else -W_POLARITY
    if cand.kind == "subject":
        score += 0.1
    if info.qtype in (QType.QUANTITY, QType.DATE):
        score += W_LEAD * lead_match(question, sent, cand) + W_CLAUSE * clause_share(question, sent, cand)
    return score


#: Weight of the question's words that follow the counted noun in the sentence too: "bao nhiêu
#: thủ tục được sửa đổi" is "12 thủ tục được sửa đổi", not "01 thủ tục bị bãi bỏ".
W_QUALIFIER = 0.2
_QUALIFIER_TOKENS = 6


def _qualifier_match(telling: set[str], sent: Sentence, cand: Candidate) -> float:
    """Share (up to 1) of the next few words after a counted figure that the question has."""
    after = [t.key for t in sent.tokens if t.start >= cand.end][:_QUALIFIER_TOKENS]
    hits = [k for k in after if k in telling and k not in FUNCTION_WORDS and k not in FUNCTION_WORDS_FOLDED]
    return min(1.0, len(hits) / 3)


#: Weight of the share of the question's words that stand in the figure's own clause: in
#: "khai thác ... 7,3% năm 2010; ...; công nghiệp chế biến ... 79,6%",
#: the words that tell the figures apart are in their own clauses.
W_CLAUSE = 0.3
_STRONG_BREAK = re.compile(r";|\.\s|\n")


def clause_share(question: Question, sent: Sentence, cand: Candidate) -> float:
    """Share of the question's *telling* words that stand in the figure's own clause.

    A sentence listing several figures ("khai thác ... 7,3% năm 2010; điện nước ... 13,1%
    năm 2010; chế biến ... 79,6%") repeats its common words in every clause; the question
    words found in only one clause ("chế biến") say which figure is meant."""
    text = sent.text
    bounds = [0] + [m.end() for m in _STRONG_BREAK.finditer(text)] + [len(text) + 1]
    clauses = list(zip(bounds, bounds[1:]))
    if len(clauses) < 2:
        return 0.0
    where: dict[str, set[int]] = {}
    for t in sent.tokens:
        if t.key in question.weights and not t.key[:1].isdigit():
            where.setdefault(t.key, set()).update(i for i, (s0, e0) in enumerate(clauses) if s0 <= t.start < e0)
    telling = {k: i.pop() for k, i in where.items() if len(i) == 1}
    total = sum(question.weights[k] for k in telling)
    if not total:
        return 0.0
    own = next(i for i, (s0, e0) in enumerate(clauses) if s0 <= cand.start < e0)
    return sum(question.weights[k] for k, i in telling.items() if i == own) / total


_CLAUSE_BREAK = re.compile(r"[;:()]|,\s|\btrong đó\b|\.\s")
_BREAK = re.compile(r"[;:()]|,\s|\s[-–]\s|\btrong đó\b|\.\s")


def lead_match(question: Question, sent: Sentence, cand: Candidate) -> float:
    """How much of the clause leading up to a figure is about the question (0..1).

    "tỷ trọng công nghiệp - xây dựng chiếm 29%, trong đó công nghiệp chiếm 17 %": for
    "công nghiệp chiếm bao nhiêu", the words right before 17 % are all question words,
    those before 29% are not. A parenthesis ("... 11,94%/năm (mục tiêu đề ra trên
    33%/năm)") leads back to the clause it annotates.
    """
    head = sent.text[: cand.start]
    cut = 0
    for m in _BREAK.finditer(head):
        cut = m.end()
    lead = head[cut:]
    if head[:cut].rstrip().endswith("("):
        prev = 0
        for m in _CLAUSE_BREAK.finditer(head, 0, max(0, cut - 1)):  # "công nghiệp - xây dựng" is one subject
            prev = m.end()
        lead = head[prev:]
    present = [k for k in content_keys(lead, question.info.folded) if not k[:1].isdigit()]
    if not present:
        return 0.0
    matched = sum(question.weights.get(k, 0.0) for k in present)
    total = sum(question.weights.get(k, 0.3) for k in present)
    precision = matched / total if total else 0.0
    inside = {t.key for t in sent.tokens if t.start >= cand.start and t.end <= cand.end}
    wanted = sum(w for k, w in question.weights.items() if k not in inside and not k[:1].isdigit())
    recall = matched / wanted if wanted else 1.0
    return 0.5 * precision + 0.5 * min(1.0, recall)


def extract(question: Question, sentences: list[Sentence]) -> Draft | None:
    if not sentences:
        return None
    best: tuple[float, Sentence, Candidate] | None = None
    for sent in sentences[:POOL]:
        for cand in sent.candidates:
            score = candidate_score(question, sent, cand)
            if score is None:
                continue
            if best is None or score > best[0]:
                best = (score, sent, cand)
    wants_shape = question.info.qtype is not QType.OTHER
    if best is not None:
        _, sent, cand = best
        short = sent.text[cand.start : cand.end].strip()
        return Draft(short, [Support(sent.hit, sent.start, sent.end)], confidence(sent, True), sent, cand)
    sent = sentences[0]
    marker = _LIST_MARKER.match(sent.text)
    short = sent.text[marker.end() if marker else 0 :].strip()
    return Draft(short, [Support(sent.hit, sent.start, sent.end)], confidence(sent, not wants_shape), sent, None)
