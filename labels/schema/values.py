"""Checking a span's or a relation's label and attribute values against the schema."""

from __future__ import annotations

from typing import Any

from labels.errors import Invalid, Problem
from labels.schema.lookups import Schema, label_names, relation_names, relation_type, span_label
from labels.schema.validation import TEXT_DEFAULT_MAX_LENGTH, _describe, _join, _Problems, _show

# ---------------------------------------------------------------------------------------------
# check_span / check_relation


def check_span(
    schema: Schema, label: str, attrs: object, *, require: bool = True
) -> dict[str, Any]:
    """Check a span's label and attributes against a checked schema; return the cleaned attrs.

    Cleaned attrs hold only the attributes that have a value, in schema order; null and blank
    text count as no value, and text is stripped. A ``span`` attribute is only checked to be a
    string or integer id: the caller resolves it and checks the referenced span's label. With
    ``require=False`` a missing required attribute is allowed (suggestions, which the analyst
    completes when accepting them).
    """
    definition = span_label(schema, label)
    if definition is None:
        raise _not_in_schema(label, "unknown_label", "span label", label_names(schema))
    return _check_attrs(definition.get("attributes", []), attrs, f"{label} spans", require)


def check_relation(
    schema: Schema, label: str, from_label: str, to_label: str, attrs: object
) -> dict[str, Any]:
    """Check a relation's type, the labels of its two ends and its attributes against a checked
    schema; return the cleaned attrs (as ``check_span`` does)."""
    definition = relation_type(schema, label)
    if definition is None:
        raise _not_in_schema(label, "unknown_relation", "relation type", relation_names(schema))
    problems = _Problems()
    allowed_from, allowed_to = definition["from"], definition["to"]
    if from_label not in allowed_from or to_label not in allowed_to:
        problems.add(
            "from" if from_label not in allowed_from else "to",
            "pair_not_allowed",
            f"{label} goes from {_join(allowed_from, 'or')} to {_join(allowed_to, 'or')},"
            f" not from {_show(from_label)} to {_show(to_label)}.",
        )
    cleaned: dict[str, Any] = {}
    try:
        cleaned = _check_attrs(definition.get("attributes", []), attrs, f"{label} relations")
    except Invalid as error:
        problems.extend(error.problems)
    if problems:
        raise Invalid(problems)
    return cleaned


def _not_in_schema(label: str, code: str, what: str, names: list[str]) -> Invalid:
    """``label`` is no ``what`` ("span label", "relation type") of the schema, which has
    ``names``."""
    return Invalid.one(
        "label",
        code,
        f"“{_show(label)}” is not a {what} of this project; the {what.split()[-1]}s are"
        f" {_join(names, 'and')}.",
    )


def _check_attrs(
    definitions: list[dict[str, Any]], attrs: object, subject: str, require: bool = True
) -> dict[str, Any]:
    if not isinstance(attrs, dict):
        raise Invalid.one(
            "attrs",
            "not_object",
            f"Attributes must be an object of names and values, not {_describe(attrs)}.",
        )
    by_name = {d["name"]: d for d in definitions}
    problems = _Problems()
    for key in attrs:
        if key not in by_name:
            names = _join(list(by_name), "and")
            has = f"their attributes are {names}" if by_name else "they have no attributes"
            problems.add(
                f"attrs.{key}",
                "unknown_attribute",
                f"{subject} have no attribute “{_show(key)}”; {has}.",
            )
    cleaned: dict[str, Any] = {}
    for definition in definitions:
        name = definition["name"]
        value = attrs.get(name)
        if isinstance(value, str) and definition["type"] in ("text", "span", "speaker"):
            value = value.strip() or None
        if value is None:
            if require and definition.get("required", False):
                choices = definition.get("choices")
                options = f": {_join(choices, 'or')}" if choices else ""
                problems.add(f"attrs.{name}", "required", f"{subject} need a {name}{options}.")
            continue
        problem = _check_value(definition, value, f"attrs.{name}")
        if problem:
            problems.append(problem)
        else:
            cleaned[name] = value
    if problems:
        raise Invalid(problems)
    return cleaned


# What a value of each attribute type must be, as isinstance() checks it and as messages say it
# (a choice's message names the choices). True and false are no text and no span id.
_VALUE_TYPES: dict[str, tuple[tuple[type, ...], str]] = {
    "choice": ((str,), "one of {choices}"),
    "text": ((str,), "text"),
    "boolean": ((bool,), "true or false"),
    "span": ((str, int), "the id of a span in this annotation"),
    # A form's menu sends the id as text; labels.speakers.links makes it a number.
    "speaker": ((int, str), "the id of a speaker of this project"),
}


def _check_value(definition: dict[str, Any], value: object, field: str) -> Problem | None:
    name, kind = definition["name"], definition["type"]
    if kind not in _VALUE_TYPES:
        return None
    types, what = _VALUE_TYPES[kind]
    choices = definition.get("choices", [])
    if not isinstance(value, types) or (isinstance(value, bool) and kind != "boolean"):
        what = what.format(choices=_join(choices, "or"))
        return Problem(field, "invalid_type", f"{name} must be {what}, not {_describe(value)}.")
    if kind == "choice" and value not in choices:
        return Problem(
            field,
            "invalid_choice",
            f"“{_show(value)}” is not a choice for {name}; choose {_join(choices, 'or')}.",
        )
    limit = definition.get("max_length", TEXT_DEFAULT_MAX_LENGTH)
    if kind == "text" and isinstance(value, str) and len(value) > limit:
        return Problem(
            field,
            "too_long",
            f"{name} can be at most {limit} characters; this one has {len(value)}.",
        )
    return None
