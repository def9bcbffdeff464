"""Each generated sentence against the passages it cites.

A small model writes fluent sentences and sometimes a wrong figure, date, số hiệu or
name in them, with a real-looking [n]. The facts a reader would copy into a report
must therefore be found in the cited passages themselves:

* every number (``25``, ``12,44``; ``01`` = ``1``, ``8.000`` = ``8000``),
* every date (``12/01/2012`` = ``ngày 12 tháng 01 năm 2012``),
* every document number (``11-KL/TU``, ``61/2020/QH14``),
* every proper name (a run of two or more capitalised syllables: people, places,
  bodies), compared without case,
* every quotation (text in quotation marks), exactly.

A sentence that cites nothing, or cites a passage that does not exist, is unsupported.
An uncited lead-in line ending in ":" ("Các ngành gồm:") is framing, neither kept nor
counted as dropped. Whether the sentence's other words are supported is the caller's
check (``assistant.answering.llm``), which knows the answerer's word keys.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..text import exact_facts, fold, nfc, unify_tone_marks

MARKS = re.compile(r"\[(\d+(?:\s*[,;–-]\s*\d+)*)\]")
_MARK_AFTER_STOP = re.compile(r"([.!?…])[ \t]*((?:\[\d+(?:\s*[,;–-]\s*\d+)*\][ \t]*)+)")
_BULLET = re.compile(r"^\s*(?:[-–•*+]|\d{1,2}[.)]|[a-zđ]\))\s+")
_WORD = re.compile(r"[^\W\d_]+")
_QUOTE = re.compile(r"[\"“”«»]([^\"“”«»\n]{8,}?)[\"“”«»]")
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+(?=[\"“«(\[]?[A-ZĐÀ-Ỹ0-9])")
ABSTAIN_KEY = "khong tim thay thong tin"


@dataclass
class Evidence:
    """One numbered passage as the checks see it."""

    n: int
    text: str  # the passage text (sentences addressed to the model already removed)
    source: str = ""  # the citation string: document number, date, issuer


@dataclass
class Checked:
    text: str  # the sentence without its [n] marks (a list item keeps its "- ")
    cited: list[int] = field(default_factory=list)  # existing passage numbers it cites
    problem: str = ""  # why it is unsupported; '' when it passed
    framing: bool = False  # a lead-in or abstention line: not a claim
    abstains: bool = False  # the model said the passages do not answer

    @property
    def ok(self) -> bool:
        return not self.problem and not self.framing


def _norm(s: str) -> str:
    return " ".join(unify_tone_marks(nfc(s)).lower().split())


def sentences(output: str) -> list[tuple[str, list[int]]]:
    """(sentence with its marks, cited numbers) for each sentence or list item."""
    out: list[tuple[str, list[int]]] = []
    text = _MARK_AFTER_STOP.sub(lambda m: f" {m.group(2).strip()}{m.group(1)} ", nfc(output))
    for line in text.splitlines():
        if not line.strip():
            continue
        for piece in _SENTENCE_END.split(line.strip()):
            if not piece.strip():
                continue
            numbers = [int(n) for m in MARKS.finditer(piece) for n in re.split(r"\s*[,;–-]\s*", m.group(1))]
            out.append((piece.strip(), list(dict.fromkeys(numbers))))
    return out


def clean(sentence: str) -> str:
    """The sentence as shown: marks and the final stop removed, a bullet as "- "."""
    bullet = _BULLET.match(sentence)
    body = sentence[bullet.end() :] if bullet else sentence
    body = " ".join(MARKS.sub(" ", body).split())
    body = re.sub(r"\s+([,.;:!?])", r"\1", body).strip(" .;")
    body = re.sub(r"^\*\*(.+)\*\*$", r"\1", body)  # markdown bold around the whole line
    return f"- {body}" if bullet and body else body


def names(sentence: str) -> list[tuple[list[str], bool]]:
    """Runs of 2+ capitalised syllables, and whether each begins the sentence."""
    runs: list[tuple[list[str], bool]] = []
    current: list[str] = []
    start_of_run = 0
    last_end = -1
    bullet = _BULLET.match(sentence)
    body_start = bullet.end() if bullet else 0

    def flush() -> None:
        if len(current) >= 2:
            runs.append((list(current), start_of_run <= body_start))
        current.clear()

    for m in _WORD.finditer(sentence):
        w = m.group(0)
        titled = w[0].isupper() and (len(w) == 1 or w[1:].islower())
        adjacent = last_end >= 0 and sentence[last_end : m.start()] == " "
        if titled and current and adjacent:
            current.append(w)
        else:
            flush()
            if titled:
                current.append(w)
                start_of_run = m.start()
        last_end = m.end()
    flush()
    return runs


def problem(claim: str, cited: list[Evidence]) -> str:
    """Why ``claim`` is not supported by ``cited``, or ''."""
    if not cited:
        return "cites no existing passage"
    texts = [e.text for e in cited]
    everything = "\n".join(texts + [e.source for e in cited])
    facts = exact_facts(everything)
    mine = exact_facts(claim)
    for kind, label in (("docno", "document number"), ("date", "date"), ("number", "number")):
        missing = sorted(mine[kind] - facts[kind])
        if missing:
            return f"{label} {missing[0]} not in the cited passages"
    haystack = _norm(everything)
    for run, initial in names(claim):
        if _norm(" ".join(run)) in haystack:
            continue
        if initial and (len(run) < 3 or _norm(" ".join(run[1:])) in haystack):
            continue  # "Theo Nghị quyết", "Ông Nguyễn Văn A": the first word is not part of the name
        return f"name {' '.join(run)!r} not in the cited passages"
    flat = [" ".join(nfc(t).split()) for t in texts]
    for m in _QUOTE.finditer(claim):
        quoted = " ".join(m.group(1).split())
        if not any(quoted in t for t in flat):
            return f"quotation {quoted[:40]!r} not found verbatim"
    return ""


def check_output(output: str, passages: list[Evidence]) -> list[Checked]:
    """Every sentence of the model's ``output``, checked against the passages it cites."""
    by_n = {e.n: e for e in passages}
    out: list[Checked] = []
    for sentence, numbers in sentences(output):
        claim = clean(sentence)
        if not claim:
            continue
        cited = [by_n[n] for n in numbers if n in by_n]
        if ABSTAIN_KEY in fold(claim).lower():
            out.append(Checked(claim, [e.n for e in cited], framing=True, abstains=True))
            continue
        if not numbers and claim.endswith(":") and not exact_facts(claim)["number"]:
            out.append(Checked(claim, framing=True))
            continue
        out.append(Checked(claim, [e.n for e in cited], problem(claim, cited)))
    return out
