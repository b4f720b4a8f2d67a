"""Checking imported records before anything is written: ids, text, offsets, labels, relations.

Pure functions over one record and the project schema; problems are ``Problem`` values that the
import reports as ``file:line: reason``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from labels import jsonio
from labels import schema as schema_mod
from labels.errors import Invalid, Problem
from labels.interop.quotations import infer_quote_type
from labels.interop.reading import Record
from labels.text import (
    Canonical,
    canonical_text,
    canonicalize,
    check_article_text,
    check_span_offsets,
    text_sha256,
)

MAX_ID_LENGTH = 200
MAX_TITLE_LENGTH = 500
GOLD = "gold"
SUGGESTIONS = "suggestions"
SUGGESTION_SOURCE = "import"


@dataclass
class Checked:
    source: str
    external_id: str
    canonical: Canonical
    title: str
    meta: dict[str, Any]
    spans: list[dict[str, Any]]
    relations: list[dict[str, Any]]
    article_id: int | None = None  # once known: the existing article's, or the new one's
    typed_relations: int = 0  # relations without a type that got the only one their ends allow


# ---------------------------------------------------------------------------------------------
# Checks that need no database.


def _given_id(record: Record) -> str | None:
    """The record's own id, checked and stripped; None when the file gives none (the id is
    then derived from the text, ``_derived_id``)."""
    external_id = record.external_id
    if isinstance(external_id, int) and not isinstance(external_id, bool):
        external_id = str(external_id)
    if external_id is None:
        return None
    if not isinstance(external_id, str) or not external_id.strip():
        raise Invalid.one("id", "required", 'every article needs an "id" (a non-empty string)')
    external_id = external_id.strip()
    if len(external_id) > MAX_ID_LENGTH:
        raise Invalid.one("id", "too_long", f"the id is longer than {MAX_ID_LENGTH} characters")
    if "\x00" in external_id:
        raise Invalid.one("id", "nul_character", "the id contains a NUL character")
    if _SURROGATE.search(external_id):
        raise Invalid.one("id", "lone_surrogate", f"the id contains {_LONE}")
    return external_id


def _derived_id(sha256: str) -> str:
    return f"text-{sha256[:16]}"


def _article_id_of(record: Record) -> str | None:
    """The article id ``_check_record`` will give ``record``, or None when it will refuse it:
    what the existing articles are looked up by before the records are checked."""
    try:
        given = _given_id(record)
        if given is not None:
            return given
        check_article_text(record.raw_text)
        return _derived_id(text_sha256(canonical_text(record.raw_text)))
    except (Invalid, TypeError):
        return None


def _check_record(
    record: Record, schema: dict, *, require_attrs: bool = True, infer_attrs: bool = False
) -> Checked:
    """Check one record against the text rules and the schema (no database). With
    ``require_attrs`` false, spans may lack required attributes (an import: such a span is
    *incomplete*, and each cleaned span says which it lacks in ``missing``). With
    ``infer_attrs``, a span without a ``quote_type`` gets the one its quotation marks say
    (``labels.interop.quotations``), and ``inferred`` true.

    A problem is reported once: a relation (or a span-valued attribute) that names a span
    which has a problem of its own is not reported again."""
    problems: list[Problem] = []
    external_id = _given_id(record)
    if not isinstance(record.raw_text, str):
        raise Invalid.one("text", "required", '"text" must be a string')
    check_article_text(record.raw_text)
    title = record.title if record.title is not None else ""
    if not isinstance(title, str) or len(title) > MAX_TITLE_LENGTH or "\x00" in title:
        raise Invalid.one(
            "title", "invalid", f'"title" must be text of at most {MAX_TITLE_LENGTH} characters'
        )
    if _SURROGATE.search(title):
        raise Invalid.one("title", "lone_surrogate", f'"title" contains {_LONE}')
    if not isinstance(record.meta, dict):
        raise Invalid.one("meta", "invalid_type", '"meta" must be a JSON object')
    if _has_nul(record.meta):
        raise Invalid.one("meta", "nul_character", '"meta" contains a NUL character')
    try:  # what the readers refuse already, for the records made in code (seeds, commands)
        jsonio.check(record.meta, jsonio.MAX_DEPTH - 1)
    except Invalid as exc:
        raise exc.prefixed("meta") from None
    canonical = canonicalize(record.raw_text)
    if external_id is None:
        external_id = _derived_id(canonical.sha256)
    if not isinstance(record.spans, list):
        raise Invalid.one("spans", "invalid_type", '"spans" must be a list')
    if not isinstance(record.relations, list):
        raise Invalid.one("relations", "invalid_type", '"relations" must be a list')
    spans: list[dict[str, Any]] = []
    ids: dict[str, dict[str, Any]] = {}
    failed: set[str] = set()  # ids of the spans that have a problem
    positions: dict[tuple[str, int, int], str] = {}
    for index, span in enumerate(record.spans):
        where = record.span_where[index] if record.span_where else f"spans[{index}]"
        try:
            cleaned = _check_span(span, index, canonical, schema, ids, require_attrs, infer_attrs)
        except Invalid as exc:
            problems.extend(exc.prefixed(where).problems)
            if isinstance(span, dict) and isinstance(span.get("id"), str | int):
                failed.add(str(span["id"]))
            continue
        key = (cleaned["label"], cleaned["start"], cleaned["end"])
        if key in positions:
            problems.append(
                Problem(
                    where,
                    "duplicate",
                    f"the same {key[0]} span [{key[1]}, {key[2]}) is already {positions[key]}",
                )
            )
            continue
        positions[key] = where
        spans.append(cleaned)
    relations: list[dict[str, Any]] = []
    typed = 0
    for index, rel in enumerate(record.relations):
        where = record.relation_where[index] if record.relation_where else f"relations[{index}]"
        try:
            relations.append(_check_relation(rel, schema, ids, failed))
            typed += rel.get("label") is None
        except _RefersToFailedSpan:
            continue  # the span's own problem is reported; the record fails with it
        except Invalid as exc:
            problems.extend(exc.prefixed(where).problems)
    if problems:
        raise Invalid(problems)
    return Checked(
        record.source,
        external_id,
        canonical,
        title.strip(),
        record.meta,
        spans,
        relations,
        typed_relations=typed,
    )


def _check_span(
    span: Any,
    index: int,
    canonical: Canonical,
    schema: dict,
    ids: dict,
    require_attrs: bool = True,
    infer_attrs: bool = False,
) -> dict[str, Any]:
    if not isinstance(span, dict):
        raise Invalid.one("", "invalid_type", "each span must be a JSON object")
    start, end = _offset(span, "start"), _offset(span, "end")
    if not 0 <= start < end <= canonical.raw_length:
        raise Invalid.one(
            "end" if start >= 0 else "start",
            "out_of_range",
            f"[{start}, {end}) is not a non-empty range inside the text (length {canonical.raw_length})",
        )
    cstart, cend = canonical.map_span(start, end)
    given = span.get("text")
    if given is not None and not isinstance(given, str):
        raise Invalid.one("text", "invalid_type", "text must be a string")
    if given is not None:
        given = canonical_text(given) if given else given
    try:
        check_span_offsets(canonical.text, cstart, cend, given)
    except Invalid as exc:
        if span.get("utf16_hint") and _matches_as_utf16(canonical.text, start, end, given):
            raise Invalid.one(
                "text",
                "utf16_offsets",
                f"the offsets [{start}, {end}) count UTF-16 code units (as Label Studio "
                "before 1.6 did), not characters; re-export from a current Label Studio",
            ) from exc
        raise
    label = span.get("label")
    if not isinstance(label, str):
        raise Invalid.one("label", "required", 'each span needs a "label"')
    attrs = span.get("attrs") or {}
    inferred = False
    if infer_attrs and isinstance(attrs, dict):
        attrs, inferred = _inferred_quote_type(schema, label, attrs, canonical.text, cstart, cend)
    attrs = schema_mod.check_span(schema, label, attrs, require=require_attrs)
    span_id = span.get("id", f"#{index}")
    if isinstance(span_id, int) and not isinstance(span_id, bool):
        span_id = str(span_id)
    if not isinstance(span_id, str):
        raise Invalid.one("id", "invalid_type", "a span id must be a string or an integer")
    if span_id in ids:
        raise Invalid.one("id", "duplicate", f"the span id {span_id!r} is used twice")
    cleaned = {
        "id": span_id,
        "label": label,
        "start": cstart,
        "end": cend,
        "text": canonical.text[cstart:cend],
        "attrs": attrs,
        "provenance": span.get("provenance") if span.get("provenance") in _PROVENANCES else "",
        "missing": schema_mod.missing_attributes(schema, label, attrs),
        "inferred": inferred,
    }
    ids[span_id] = cleaned
    return cleaned


QUOTE_TYPE = "quote_type"


def _inferred_quote_type(
    schema: dict, label: str, attrs: dict, text: str, start: int, end: int
) -> tuple[dict, bool]:
    """``attrs`` with the ``quote_type`` the span's quotation marks say, when its label has a
    ``quote_type`` choice that offers it and the span gives none; and whether it was added."""
    if attrs.get(QUOTE_TYPE) not in (None, ""):
        return attrs, False
    definition = next(
        (a for a in schema_mod.span_attributes(schema, label) if a["name"] == QUOTE_TYPE), None
    )
    if definition is None or definition.get("type") != "choice":
        return attrs, False
    value = infer_quote_type(text, start, end)
    if value not in definition.get("choices", []):
        return attrs, False
    return {**attrs, QUOTE_TYPE: value}, True


def _offset(span: dict, name: str) -> int:
    value = span.get(name)
    if isinstance(value, bool) or not isinstance(value, int):
        raise Invalid.one(name, "invalid_type", f"{name} must be an integer offset")
    return value


def _has_nul(value: Any) -> bool:
    """Whether a NUL character (which PostgreSQL cannot store in text or jsonb) hides anywhere in
    a JSON value, keys included. Iterative: a record's nesting is bounded by the readers
    (``jsonio.MAX_DEPTH``), but not that of every caller's."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return True
        elif isinstance(item, dict):
            if any(isinstance(k, str) and "\x00" in k for k in item):
                return True
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


_SURROGATE = re.compile("[\ud800-\udfff]")
_LONE = "a lone surrogate (a \\ud800-\\udfff escape without its pair), which cannot be stored"


def _matches_as_utf16(text: str, start: int, end: int, given: str | None) -> bool:
    if not given:
        return False
    units = text.encode("utf-16-le")
    return units[2 * start : 2 * end].decode("utf-16-le", errors="replace") == given


def _provenances() -> set[str]:
    from labels.models import Provenance

    return set(Provenance.values)


_PROVENANCES = _provenances()


class _RefersToFailedSpan(Exception):
    """A relation names a span whose own problem is already reported."""


def _check_relation(rel: Any, schema: dict, ids: dict, failed: set[str]) -> dict[str, Any]:
    if not isinstance(rel, dict):
        raise Invalid.one("", "invalid_type", "each relation must be a JSON object")
    ends = {}
    for key in ("from", "to"):
        value = rel.get(key)
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if value in failed:
            raise _RefersToFailedSpan
        if value not in ids:
            raise Invalid.one(
                key, "unknown_span", f"{key!r} names no span of this record ({value!r})"
            )
        ends[key] = ids[value]
    label = rel.get("label")
    if label is None and rel.get("untyped"):
        label = _only_relation_type(schema, ends["from"]["label"], ends["to"]["label"])
    if not isinstance(label, str):
        raise Invalid.one("label", "required", 'each relation needs a "label"')
    attrs = schema_mod.check_relation(
        schema, label, ends["from"]["label"], ends["to"]["label"], rel.get("attrs") or {}
    )
    for attribute in schema_mod.span_ref_attributes(schema, label):
        if attrs.get(attribute["name"]) not in (None, ""):
            ref = str(attrs[attribute["name"]])
            if ref in failed:
                raise _RefersToFailedSpan
            if ref not in ids:
                raise Invalid.one(
                    f"attrs.{attribute['name']}",
                    "unknown_span",
                    f"names no span of this record ({ref!r})",
                )
    if ends["from"]["id"] == ends["to"]["id"]:
        raise Invalid.one("to", "self_relation", "a relation needs two different spans")
    return {"label": label, "from": ends["from"]["id"], "to": ends["to"]["id"], "attrs": attrs}


def _only_relation_type(schema: dict, from_label: str, to_label: str) -> str:
    """The one relation type of ``schema`` that goes from ``from_label`` to ``to_label``, for a
    relation that the file gives no type (Label Studio without a ``<Relations>`` tag); an
    ``Invalid`` naming the candidates when there are several or none."""
    fits = [
        r["name"]
        for r in schema.get("relations", [])
        if from_label in r.get("from", []) and to_label in r.get("to", [])
    ]
    if len(fits) == 1:
        return fits[0]
    if fits:
        raise Invalid.one(
            "label",
            "ambiguous",
            f"the relation has no label, and a {from_label} can be linked to a {to_label} by "
            f"{' or '.join(fits)}: label the relations in the other tool, or drop them",
        )
    raise Invalid.one(
        "label",
        "required",
        f"the relation has no label, and no relation type of this project goes from a "
        f"{from_label} to a {to_label}",
    )


@dataclass
class ImportReport:
    created: int = 0
    unchanged: int = 0
    layers_added: int = 0
    spans: int = 0
    relations: int = 0
    skipped: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    written: bool = False
    # (label, attribute) -> how many of the written spans lack that required attribute.
    incomplete: dict[tuple[str, str], int] = field(default_factory=dict)
    inferred: int = 0  # quote_type values filled in from the quotation marks
    inferred_types: dict[str, int] = field(default_factory=dict)  # of them: value -> count
    typed_relations: int = 0  # relations without a type given the only one that fits

    def count_spans(self, spans: list[dict[str, Any]]) -> None:
        """Count the incomplete and the inferred among spans that are being written."""
        for span in spans:
            for name in span.get("missing", ()):
                key = (span["label"], name)
                self.incomplete[key] = self.incomplete.get(key, 0) + 1
            if span.get("inferred"):
                self.inferred += 1
                value = span["attrs"][QUOTE_TYPE]
                self.inferred_types[value] = self.inferred_types.get(value, 0) + 1

    def incomplete_lines(self) -> list[str]:
        """“312 Quote spans need quote_type”, one line per label and attribute, in the order
        they were met."""
        return [
            f"{n:,} {label} span{'' if n == 1 else 's'} need{'s' if n == 1 else ''} {name}"
            for (label, name), n in self.incomplete.items()
        ]

    def as_dict(self) -> dict[str, Any]:
        return {
            "created": self.created,
            "unchanged": self.unchanged,
            "layers_added": self.layers_added,
            "spans": self.spans,
            "relations": self.relations,
            "skipped": self.skipped,
            "notes": self.notes,
            "errors": self.errors,
            "written": self.written,
            "incomplete": [
                {"label": label, "attribute": name, "spans": n, "message": line}
                for ((label, name), n), line in zip(
                    self.incomplete.items(), self.incomplete_lines(), strict=True
                )
            ],
            "inferred": self.inferred,
        }
