"""What the rules return: suggested spans and relations."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    pass

#: An opening quotation mark further than this from its closing mark is treated as unmatched.
MAX_QUOTE_CHARS = 1000

# ---------------------------------------------------------------------------------------------
# Results


@dataclass(frozen=True, slots=True)
class Suggestion:
    id: str
    label: str
    start: int
    end: int
    text: str
    attrs: dict[str, Any]
    confidence: float
    rule: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "label": self.label,
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "attrs": dict(self.attrs),
            "confidence": self.confidence,
            "rule": self.rule,
        }


@dataclass(frozen=True, slots=True)
class SuggestedRelation:
    id: str
    label: str
    source: str  # span ids of Suggestion
    target: str
    confidence: float
    rule: str
    attrs: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "label": self.label,
            "source": self.source,
            "target": self.target,
            "attrs": dict(self.attrs),
            "confidence": self.confidence,
            "rule": self.rule,
        }


@dataclass(frozen=True, slots=True)
class Suggestions:
    spans: list[Suggestion]
    relations: list[SuggestedRelation]

    def as_dict(self) -> dict[str, Any]:
        return {
            "spans": [s.as_dict() for s in self.spans],
            "relations": [r.as_dict() for r in self.relations],
        }
