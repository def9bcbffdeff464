"""Answers with cited passages: question types, extractive answers, abstention, follow-up
resolution, comparison across documents, and an optional LLM answerer.

``Answerer(assistant).ask(question, history, filters) -> Answer`` is the entry point;
``Assistant.ask`` delegates to it.
"""

from .answerer import Answerer
from .compose import ABSTAIN_TEXT

__all__ = ["ABSTAIN_TEXT", "Answerer"]
