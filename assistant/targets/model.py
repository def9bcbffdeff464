"""The row of the targets table: one quantitative statement of one document."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any

KINDS = ("target", "achieved", "baseline")
KIND_LABELS = {"target": "Mục tiêu", "achieved": "Kết quả đạt được", "baseline": "Mốc so sánh"}

#: The keys of ``assistant targets --json``, in this order (the issue's contract first).
JSON_KEYS = (
    "doc_id", "indicator", "value", "unit", "comparator", "period", "kind", "citation", "quote", "start", "end",
    "number", "place", "section", "paragraph", "figure_start", "figure_end",
)


@dataclass
class TargetRow:
    """A figure with what it measures.

    ``quote == document.text[start:end]`` is the sentence that states it (the citation's
    exact span); ``figure_start``/``figure_end`` locate the value and unit inside the
    document, for highlighting. ``value`` is written as in the text ("1.260", "19,6");
    ``number`` is its parsed value (Vietnamese separators: "." thousands, "," decimals).
    ``period`` is "2015" or "2011-2015" or "" when the text gives none.
    """

    doc_id: str
    indicator: str
    value: str
    unit: str
    comparator: str
    period: str
    kind: str
    citation: str
    quote: str
    start: int
    end: int
    number: float
    place: str = ""
    section: str = ""
    paragraph: int = 0
    figure_start: int = 0
    figure_end: int = 0

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        return {k: d[k] for k in JSON_KEYS}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TargetRow:
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})

    @property
    def figure(self) -> str:
        """Value and unit as one would say them: "25%/năm", "1.260 tỷ đồng"."""
        if not self.unit:
            return self.value
        glue = "" if self.unit[0] in "%/" else " "
        return f"{self.value}{glue}{self.unit}"
