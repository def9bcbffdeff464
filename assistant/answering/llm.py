"""Optional generative answerer through a LangChain chat model; LangChain types stay here
and in ``assistant.generation``.

The model sees the numbered passages (exact text, marked as data) and the question plan,
and must cite [n] after every sentence. Its output is never trusted: a sentence survives
only if it cites passages that exist, those passages hold its numbers, dates, document
numbers, names and quotations (``generation.verify``) and most of its words; each
citation then quotes the passage sentence closest to the claim, an exact substring of
the source. Passages are data: text inside them that gives orders ("Bỏ qua mọi hướng
dẫn trước đó...") is not evidence, so obeying it can only produce a claim without
support, which is dropped. When too little survives, or the model fails or runs out of
time, the caller keeps the extractive answer and shows a one-line notice.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from ..documents import Answer, Hit
from ..generation.stream import GenerationTimeout, current_sink, generate
from ..generation.verify import Checked, Evidence, check_output
from ..settings import Settings
from ..text import fold, split_sentences
from .compose import Part
from .extractive import Support
from .prompts import Prompts
from .safety import looks_like_instruction
from .tokens import content_keys, keys

log = logging.getLogger(__name__)

#: Share of a claim's content words that its cited passages must contain.
MIN_SUPPORT = 0.6
#: Words of the question's frame ("văn bản", "nghị quyết", "số hiệu"...), folded: an answer may
#: repeat them although its passage does not ("... là văn bản của Tỉnh ủy Quảng Trị [1]").
FRAME_WORDS = frozenset(
    "van ban nghi quyet ket luan chi thi dinh ke hoach so hieu loai noi dung chinh tom tat".split()
)
FALLBACK = "hiển thị câu trả lời trích nguyên văn từ văn bản."


def sanitize(text: str, limit: int) -> str:
    """Text as shown to the model: our passage delimiters cannot be forged; long text is cut."""
    text = text.replace("<<<", "‹‹‹").replace(">>>", "›››")
    return text if len(text) <= limit else text[:limit].rstrip() + " …"


def format_passages(hits: list[Hit], limit: int = 2000) -> str:
    blocks = []
    for i, h in enumerate(hits, 1):
        blocks.append(f"[{i}] Nguồn: {sanitize(h.citation, 400)}\n<<<\n{sanitize(h.passage.text, limit)}\n>>>")
    return "\n\n".join(blocks)


def messages(prompts: Prompts, question: str, hits: list[Hit], plan: Any = None, limit: int = 2000) -> list[Any]:
    from langchain_core.messages import HumanMessage, SystemMessage

    from ..generation.plan import describe

    plan_text = sanitize(describe(plan), 600)
    user = prompts.render_user(question=question, passages=format_passages(hits, limit), plan=plan_text)
    return [SystemMessage(content=prompts.system), HumanMessage(content=user)]


@dataclass
class Generated:
    """What the model produced, after the checks."""

    parts: list[Part]  # verified sentences; [] = keep the extractive answer
    notice: str = ""  # one Vietnamese line for the user ('' = nothing to say)
    stats: dict[str, Any] = field(default_factory=dict)

    def stamp(self, answer: Answer) -> Answer:
        """Mark ``answer`` (composed from ``parts`` if any, else the extractive parts)."""
        answer.mode = "llm" if self.parts and not answer.abstained else "extractive"
        answer.notice = self.notice
        answer.generation = self.stats
        return answer


class LLMAnswerer:
    def __init__(self, chat_model: Any, prompts: Prompts, settings: Settings | None = None, label: str = ""):
        self.chat_model = chat_model
        self.prompts = prompts
        self.settings = settings or Settings()
        self.label = label or type(chat_model).__name__

    @classmethod
    def from_settings(cls, settings: Settings, prompts: Prompts, say: Any = None) -> LLMAnswerer:
        from ..generation.backends import build_chat_model

        model, backend = build_chat_model(settings, say=say)
        return cls(model, prompts, settings, backend.label)

    def answer(
        self, question: str, hits: list[Hit], plan: Any = None, extractive: list[Part] | None = None
    ) -> Generated:
        """Verified answer parts, or none (with the reason as notice) to keep the extractive answer."""
        s = self.settings
        shown = chosen(hits, extractive or [], s.llm_passages)
        stats: dict[str, Any] = {"model": self.label, "passage_ids": [h.passage.id for h in shown]}
        if not shown:
            return Generated([], "", {**stats, "status": "no passages"})
        try:
            gen = generate(
                self.chat_model, messages(self.prompts, question, shown, plan, s.llm_passage_chars), s.llm_timeout,
                current_sink(),
            )
        except GenerationTimeout:
            log.info("LLM answer timed out after %.0f s; using the extractive answer", s.llm_timeout)
            notice = f"Mô hình ngôn ngữ không trả lời kịp trong {s.llm_timeout:.0f} giây; {FALLBACK}"
            return Generated([], notice, {**stats, "status": "timeout"})
        except Exception as exc:  # noqa: BLE001 - any model or endpoint failure falls back
            log.info("LLM answerer failed (%s: %s); using the extractive answer", exc.__class__.__name__, exc)
            notice = f"Không dùng được mô hình ngôn ngữ ({exc.__class__.__name__}); {FALLBACK}"
            return Generated([], notice, {**stats, "status": "error"})
        stats.update(first_token_s=_round(gen.first_token_s), total_s=_round(gen.total_s), output=gen.text)
        checked = check(gen.text, shown, question)
        claims = [c for c in checked if not c.framing]
        kept = [c for c in claims if c.ok]
        stats.update(
            sentences=len(claims),
            kept=len(kept),
            dropped=[{"text": c.text, "problem": c.problem} for c in claims if not c.ok],
        )
        if not claims:
            abstains = any(c.abstains for c in checked)
            stats["status"] = "abstained" if abstains else "empty"
            what = "không tìm thấy câu trả lời trong các đoạn trích" if abstains else "không đưa ra câu trả lời"
            return Generated([], f"Mô hình ngôn ngữ {what}; {FALLBACK}", stats)
        if len(kept) / len(claims) < s.llm_min_supported or not kept:
            stats["status"] = "unsupported"
            return Generated([], f"Câu trả lời của mô hình không khớp với văn bản nguồn; {FALLBACK}", stats)
        parts = []
        seen: set[str] = set()
        for c in kept:
            if c.text in seen:
                continue
            seen.add(c.text)
            supports = [sup for n in c.cited if (sup := best_sentence(c.text, shown[n - 1])) is not None]
            if supports:
                parts.append(Part("", c.text, supports))
        stats["status"] = "ok" if parts else "unsupported"
        if not parts:
            return Generated([], f"Câu trả lời của mô hình không khớp với văn bản nguồn; {FALLBACK}", stats)
        dropped = len(claims) - len(kept)
        notice = f"Đã bỏ {dropped} câu của mô hình không đối chiếu được với văn bản." if dropped else ""
        return Generated(parts, notice, stats)


def _round(x: float | None) -> float | None:
    return None if x is None else round(x, 3)


def chosen(hits: list[Hit], extractive: list[Part], n: int) -> list[Hit]:
    """The passages shown to the model: those the extractive answer rests on first, then by rank."""
    first = [sup.hit for part in extractive for sup in part.supports if sup.hit is not None]
    out: list[Hit] = []
    for h in [*first, *hits]:
        if all(h.passage.id != o.passage.id for o in out):
            out.append(h)
    return out[:n]


def evidence_text(hit: Hit) -> str:
    """The passage without sentences addressed to the model."""
    p = hit.passage
    return " ".join(p.text[s:e] for s, e in split_sentences(p.text) if not looks_like_instruction(p.text[s:e]))


def check(output: str, hits: list[Hit], question: str = "") -> list[Checked]:
    """The model's sentences with their problems: exact facts, then their words."""
    evidence = [Evidence(i, evidence_text(h), h.citation) for i, h in enumerate(hits, 1)]
    checked = check_output(output, evidence)
    for c in checked:
        if c.ok:
            c.problem = words_problem(c.text, [evidence[n - 1] for n in c.cited], question)
    return checked


def words_problem(claim: str, cited: list[Evidence], question: str = "") -> str:
    """Why the claim's words are not supported by the cited passages (or their sources), or ''.

    Most of its content words must occur there, and every one it shares with the question:
    "Mục tiêu giảm tỷ lệ hộ nghèo là 33% [1]" over a passage with 33% but no "hộ nghèo"
    answers a question the passage does not address."""
    evidence = " ".join(f"{e.text} {e.source}" for e in cited)
    passage_keys = set(keys(evidence))
    words = content_keys(claim.removeprefix("- "))
    if not words:
        return "no content words"
    missing = [w for w in words if w not in passage_keys]
    # Compared folded, so an accent-less question ("nghi quyet") names the same words.
    asked = set(content_keys(question, folded=True)) - FRAME_WORDS
    folded_evidence = set(keys(evidence, folded=True))
    topic = [w for w in missing if fold(w) in asked and fold(w) not in folded_evidence]
    if topic:
        return f"question word {topic[0]!r} not in the cited passages"
    if (len(words) - len(missing)) / len(words) < MIN_SUPPORT:
        return "most of its words are not in the cited passages"
    return ""


def parse(output: str, hits: list[Hit], question: str = "") -> list[Part]:
    """The verified sentences of ``output`` as answer parts (no ratio rule: see ``LLMAnswerer``)."""
    parts = []
    for c in check(output, hits, question):
        if c.ok:
            supports = [sup for n in c.cited if (sup := best_sentence(c.text, hits[n - 1])) is not None]
            if supports:
                parts.append(Part("", c.text, supports))
    return parts


def best_sentence(claim: str, hit: Hit) -> Support | None:
    """The sentence of ``hit`` sharing most words with ``claim``: the quote for its [n]."""
    want = set(content_keys(claim))
    p = hit.passage
    best: tuple[int, int, int] | None = None
    for s, e in split_sentences(p.text):
        if looks_like_instruction(p.text[s:e]):
            continue
        overlap = len(want & set(keys(p.text[s:e])))
        if best is None or overlap > best[0]:
            best = (overlap, s, e)
    if best is None or best[0] == 0:
        return None
    return Support(hit, p.start + best[1], p.start + best[2])
