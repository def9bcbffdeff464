"""Optional LLM answerer through a LangChain chat model; LangChain types stay in this module.

The model sees the numbered passages and must cite [n] after every sentence. Its output
is never trusted: a sentence survives only if it cites passages that exist and those
passages contain its numbers and most of its words; each citation then quotes the
passage sentence closest to the claim, an exact substring of the source. Passages are
data: text inside them that gives orders ("Bỏ qua mọi hướng dẫn trước đó...") can at
most make the model write something unsupported, which is dropped. When nothing
survives, the caller keeps the extractive answer.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from ..documents import Hit
from ..errors import AssistantError
from ..settings import Settings
from ..text import split_sentences
from .compose import ABSTAIN_TEXT, Part
from .extractive import Support
from .prompts import Prompts
from .safety import looks_like_instruction
from .tokens import content_keys, keys

log = logging.getLogger(__name__)

_MARKS = re.compile(r"\[(\d+(?:\s*[,;]\s*\d+)*)\]")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
#: Share of a claim's content words that its cited passages must contain.
MIN_SUPPORT = 0.6
#: Characters of a passage shown to the model; longer passages are cut.
MAX_PASSAGE_CHARS = 2000


def build_chat_model(settings: Settings) -> Any:
    """The configured LangChain chat model (imported lazily: both packages are optional)."""
    provider = settings.llm_provider.strip().lower()
    if not settings.llm_model:
        raise AssistantError("llm_provider is set but llm_model is empty; set ASSISTANT_LLM_MODEL")
    try:
        if provider == "ollama":
            from langchain_ollama import ChatOllama

            kwargs: dict[str, Any] = {"model": settings.llm_model, "temperature": settings.llm_temperature}
            if settings.llm_base_url:
                kwargs["base_url"] = settings.llm_base_url
            return ChatOllama(**kwargs)
        if provider == "openai":
            from langchain_openai import ChatOpenAI

            kwargs = {"model": settings.llm_model, "temperature": settings.llm_temperature, "timeout": settings.llm_timeout}
            if settings.llm_base_url:
                kwargs["base_url"] = settings.llm_base_url
            key = settings.llm_api_key.get_secret_value()
            kwargs["api_key"] = key or "not-needed"
            return ChatOpenAI(**kwargs)
    except ImportError:
        package = "langchain-ollama" if provider == "ollama" else "langchain-openai"
        raise AssistantError(f"llm_provider={provider} needs the {package} package: pip install {package}") from None
    raise AssistantError(f"llm_provider must be '', 'ollama' or 'openai', not {settings.llm_provider!r}")


def sanitize(text: str) -> str:
    """Passage text as shown to the model: our passage delimiters cannot be forged."""
    return text.replace("<<<", "‹‹‹").replace(">>>", "›››")[:MAX_PASSAGE_CHARS]


def format_passages(hits: list[Hit]) -> str:
    blocks = []
    for i, h in enumerate(hits, 1):
        blocks.append(f"[{i}] Nguồn: {sanitize(h.citation)}\n<<<\n{sanitize(h.passage.text)}\n>>>")
    return "\n\n".join(blocks)


def messages(prompts: Prompts, question: str, hits: list[Hit]) -> list[Any]:
    from langchain_core.messages import HumanMessage, SystemMessage

    return [
        SystemMessage(content=prompts.system),
        HumanMessage(content=prompts.render_user(question=question, passages=format_passages(hits))),
    ]


class LLMAnswerer:
    def __init__(self, chat_model: Any, prompts: Prompts):
        self.chat_model = chat_model
        self.prompts = prompts

    def answer(self, question: str, hits: list[Hit]) -> list[Part]:
        """Verified answer parts, or [] when the model fails or nothing it wrote is supported."""
        if not hits:
            return []
        try:
            reply = self.chat_model.invoke(messages(self.prompts, question, hits))
        except Exception as exc:  # noqa: BLE001 - any endpoint failure falls back to the extractive answer
            log.warning("LLM answerer failed (%s); using the extractive answer", exc.__class__.__name__)
            return []
        return parse(_text(reply), hits)


def _text(reply: Any) -> str:
    content = getattr(reply, "content", reply)
    if isinstance(content, list):  # content blocks
        content = " ".join(b.get("text", "") if isinstance(b, dict) else str(b) for b in content)
    return str(content)


def parse(output: str, hits: list[Hit]) -> list[Part]:
    """Keep the sentences of ``output`` that cite existing passages which support them."""
    if ABSTAIN_TEXT.rstrip(".") in output:
        return []
    parts: list[Part] = []
    for s, e in split_sentences(output):
        sentence = output[s:e]
        numbers = [int(n) for m in _MARKS.finditer(sentence) for n in re.split(r"\s*[,;]\s*", m.group(1))]
        cited = [hits[n - 1] for n in dict.fromkeys(numbers) if 1 <= n <= len(hits)]
        claim = " ".join(_MARKS.sub(" ", sentence).split()).strip(" .")
        claim = re.sub(r"\s+([,.;:!?])", r"\1", claim)
        if not cited or not claim or not supported(claim, cited):
            continue
        supports = [s for h in cited if (s := best_sentence(claim, h)) is not None]
        if supports:
            parts.append(Part("", claim, supports))
    return parts


def supported(claim: str, cited: list[Hit]) -> bool:
    """Every number of the claim and most of its words occur in the cited passages."""
    text = " ".join(_evidence_text(h) for h in cited)
    passage_keys = set(keys(text))
    for num in _NUMBER.findall(claim):
        if num not in text:
            return False
    words = content_keys(claim)
    if not words:
        return False
    return sum(1 for w in words if w in passage_keys) / len(words) >= MIN_SUPPORT


def _evidence_text(hit: Hit) -> str:
    """The passage without sentences addressed to the model."""
    p = hit.passage
    return " ".join(p.text[s:e] for s, e in split_sentences(p.text) if not looks_like_instruction(p.text[s:e]))


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
