"""The question plan (scope, intent) as lines of the prompt.

The planner (``assistant.answering``) decides what a question is limited to and what
kind of answer it wants. The model is told both, so it writes a list for a list
question and stays inside the named documents. The plan is read duck-typed -- a dict,
a dataclass or any object with ``scope`` / ``intent`` (and optionally ``polarity``) --
so this module does not depend on the planner's classes.
"""

from __future__ import annotations

import dataclasses
import enum
from typing import Any

#: Intent (or a word in it) -> what the model is asked to write.
_HOW = (
    ("compar", "So sánh: trả lời riêng cho từng văn bản hoặc địa phương, mỗi ý một dòng có [n]."),
    ("list", "Liệt kê: mỗi mục trên một dòng bắt đầu bằng \"- \", chép đúng tên mục trong đoạn trích, mỗi dòng có [n]."),
    ("summar", "Tóm tắt: nêu các ý chính theo thứ tự của văn bản, mỗi ý một câu có [n]."),
    ("yes", "Câu hỏi có/không: trả lời \"Có\" hoặc \"Không\" kèm câu căn cứ có [n]."),
    ("meta", "Hỏi về thông tin của văn bản (người ký, ngày, số hiệu, cơ quan): chép đúng như trong đoạn trích."),
    ("signer", "Hỏi người ký: chép đúng họ tên và chức vụ như trong đoạn trích."),
    ("date", "Hỏi ngày tháng: chép đúng ngày tháng như trong đoạn trích."),
    ("quantity", "Hỏi số liệu: chép đúng con số và đơn vị như trong đoạn trích."),
)


def _get(plan: Any, name: str) -> Any:
    if isinstance(plan, dict):
        return plan.get(name)
    return getattr(plan, name, None)


def _text(value: Any) -> str:
    """A readable one-line rendering of a plan value (enum, list, dataclass, dict...)."""
    if value is None or value == "" or value == [] or value == {}:
        return ""
    if isinstance(value, enum.Enum):
        return str(value.value if isinstance(value.value, str) else value.name)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        value = dataclasses.asdict(value)
    if isinstance(value, dict):
        items = [f"{k}: {t}" for k, v in value.items() if (t := _text(v))]
        return "; ".join(items)
    if isinstance(value, (list, tuple, set, frozenset)):
        return ", ".join(t for v in value if (t := _text(v)))
    return str(value)


def describe(plan: Any) -> str:
    """Prompt lines for ``plan``; '' when there is no plan or it says nothing."""
    if plan is None:
        return ""
    lines = []
    scope = _text(_get(plan, "scope"))
    intent_value = _get(plan, "intent")
    intent = _text(intent_value)
    polarity = _text(_get(plan, "polarity"))
    if scope:
        lines.append(f"Phạm vi câu hỏi: {scope}. Chỉ trả lời từ các đoạn trích thuộc phạm vi này.")
    if intent:
        lines.append(f"Loại câu hỏi: {intent}.")
        low = intent.lower()
        for word, how in _HOW:
            if word in low:
                lines.append(how)
                break
    if polarity:
        lines.append(f"Chiều số liệu: {polarity} (mục tiêu đề ra hay kết quả đã đạt: không nhầm lẫn hai loại).")
    return "\n".join(lines)
