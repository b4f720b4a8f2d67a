"""The schema as the rules see it, the tokenizer, and the rules' working types."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any

from labels.schema import default_schema

if TYPE_CHECKING:  # pragma: no cover
    from spacy.language import Language
from labels.suggestions.rules.lexicon import _ELISION, _fold

# ---------------------------------------------------------------------------------------------
# Schema


@dataclass(frozen=True, slots=True)
class _SchemaView:
    span_attrs: dict[str, dict[str, frozenset[str] | None]]  # label -> attr -> choices
    relations: dict[str, tuple[frozenset[str], frozenset[str], frozenset[str]]]

    def allows_relation(self, name: str, from_label: str, to_label: str) -> bool:
        spec = self.relations.get(name)
        return spec is not None and from_label in spec[0] and to_label in spec[1]


def _schema_view(schema: dict[str, Any] | None) -> _SchemaView:
    if schema is None:
        schema = default_schema()
    span_attrs: dict[str, dict[str, frozenset[str] | None]] = {}
    for label in schema.get("span_labels", []):
        attrs: dict[str, frozenset[str] | None] = {}
        for attr in label.get("attributes", []):
            choices = attr.get("choices")
            attrs[attr["name"]] = frozenset(choices) if attr.get("type") == "choice" else None
        span_attrs[label["name"]] = attrs
    relations = {
        rel["name"]: (
            frozenset(rel.get("from", [])),
            frozenset(rel.get("to", [])),
            frozenset(a["name"] for a in rel.get("attributes", [])),
        )
        for rel in schema.get("relations", [])
    }
    return _SchemaView(span_attrs, relations)


# ---------------------------------------------------------------------------------------------
# Tokenizer


@cache
def _nlp() -> Language:
    import spacy

    return spacy.blank("xx")


@dataclass(frozen=True, slots=True)
class _Tok:
    start: int
    end: int
    text: str

    @property
    def low(self) -> str:
        return _fold(self.text)

    @property
    def core(self) -> str:
        """The word without an elided article: l’Intérieur → Intérieur, d’un → un."""
        return _ELISION.sub("", self.text)

    @property
    def is_cap(self) -> bool:
        core = self.core or self.text
        return core[0].isupper() or (core[0] == "(" and core[1:2].isupper())

    @property
    def is_word(self) -> bool:
        return any(c.isalnum() for c in self.text)


def _tokens(text: str, start: int, end: int) -> list[_Tok]:
    if start >= end:
        return []
    doc = _nlp().make_doc(text[start:end])
    return [_Tok(start + t.idx, start + t.idx + len(t.text), t.text) for t in doc if not t.is_space]


# ---------------------------------------------------------------------------------------------
# Internal records


@dataclass(slots=True)
class _Seg:
    """An outermost quotation: marks at ``open`` and ``close``; content trimmed."""

    open: int
    close: int
    start: int
    end: int
    style: str
    standalone: bool = False
    covered: bool = False  # already part of a suggested quote


@dataclass(slots=True)
class _Cue:
    start: int
    end: int
    kind: str
    lang: str
    pronoun: tuple[int, int] | None = None  # a source inside the cue ("a-t-elle ajouté")


@dataclass(slots=True)
class _Src:
    start: int
    end: int
    rule: str
    confidence: float


@dataclass(slots=True)
class _Att:
    """One attribution: a cue, its source, and the quotes it introduces."""

    cue: _Cue
    source: _Src | None
    quotes: list[tuple[int, int]] = field(default_factory=list)
    relays: list[_Att] = field(default_factory=list)


@dataclass(slots=True)
class _Quote:
    start: int
    end: int
    quote_type: str
    rule: str
    confidence: float
