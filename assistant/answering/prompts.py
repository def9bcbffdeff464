"""Prompt templates from ``prompts/``, loaded and validated at start-up.

A template that is missing, empty, not Vietnamese, or whose placeholders differ from
what the code fills in would fail only when an LLM is called, perhaps in front of a
user; checking them when the answerer is built moves that failure to start-up.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from pathlib import Path

from ..errors import AssistantError
from ..text import has_diacritics

#: file name -> the placeholders it must use, exactly.
TEMPLATES: dict[str, frozenset[str]] = {
    "answer_system.txt": frozenset(),
    "answer_user.txt": frozenset({"passages", "question", "plan"}),
}


class PromptError(AssistantError):
    """A prompt template is missing or malformed."""


@dataclass(frozen=True)
class Prompts:
    system: str
    user: str

    def render_user(self, question: str, passages: str, plan: str = "") -> str:
        return self.user.format(question=question, passages=passages, plan=plan)


def placeholders(template: str) -> set[str]:
    try:
        return {field for _, field, _, _ in string.Formatter().parse(template) if field is not None}
    except ValueError as exc:
        raise PromptError(f"malformed template ({exc})") from None


def validate(name: str, text: str) -> None:
    if not text.strip():
        raise PromptError(f"prompts/{name}: empty")
    if not has_diacritics(text):
        raise PromptError(f"prompts/{name}: not Vietnamese text (no diacritics)")
    try:
        found = placeholders(text)
    except PromptError as exc:
        raise PromptError(f"prompts/{name}: {exc}") from None
    want = TEMPLATES[name]
    if found != want:
        raise PromptError(
            f"prompts/{name}: placeholders {sorted(found)} but the answerer fills {sorted(want)}"
        )


def load_prompts(directory: Path) -> Prompts:
    texts: dict[str, str] = {}
    for name in TEMPLATES:
        path = Path(directory) / name
        try:
            texts[name] = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise PromptError(f"{path}: cannot read prompt template ({exc.__class__.__name__})") from None
        validate(name, texts[name])
    return Prompts(system=texts["answer_system.txt"].strip(), user=texts["answer_user.txt"].strip())
