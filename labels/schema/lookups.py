"""Reading a schema: label and relation names, a label's attributes, span-valued attributes."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

Schema = dict[str, Any]


# ---------------------------------------------------------------------------------------------
# Accessors. They take a schema that has passed check_schema and never raise.


def label_names(schema: Schema) -> list[str]:
    return [label["name"] for label in schema.get("span_labels", [])]


def relation_names(schema: Schema) -> list[str]:
    return [relation["name"] for relation in schema.get("relations", [])]


def span_label(schema: Schema, name: str) -> dict[str, Any] | None:
    return next((x for x in schema.get("span_labels", []) if x["name"] == name), None)


def relation_type(schema: Schema, name: str) -> dict[str, Any] | None:
    return next((x for x in schema.get("relations", []) if x["name"] == name), None)


def span_attributes(schema: Schema, label: str) -> list[dict[str, Any]]:
    """The attribute definitions of a span label; empty for an unknown label."""
    definition = span_label(schema, label)
    return list(definition.get("attributes", [])) if definition else []


def relation_attributes(schema: Schema, name: str) -> list[dict[str, Any]]:
    """The attribute definitions of a relation type; empty for an unknown type."""
    definition = relation_type(schema, name)
    return list(definition.get("attributes", [])) if definition else []


def missing_attributes(schema: Schema, label: str, attrs: dict[str, Any] | None) -> list[str]:
    """The required attributes of ``label`` that ``attrs`` gives no value (absent, null or
    blank text), in schema order: what makes a span *incomplete*. Such a span may be stored (an
    import from a tool without the attribute, a draft, a schema that made an attribute required
    later) but a layer holding one cannot be submitted or marked reviewed. Empty for an unknown
    label. The one definition of "incomplete", for the import, the export, submit and review."""
    attrs = attrs or {}
    missing = []
    for attribute in span_attributes(schema, label):
        if not attribute.get("required", False):
            continue
        value = attrs.get(attribute["name"])
        if value is None or (isinstance(value, str) and not value.strip()):
            missing.append(attribute["name"])
    return missing


def span_ref_attributes(schema: Schema, relation: str) -> list[dict[str, Any]]:
    """The span-valued attributes of a relation type (attributed_to's ``cue``): their values
    are span ids of the same annotation. The one place that knows what makes one."""
    return [a for a in relation_attributes(schema, relation) if a.get("type") == "span"]


def span_ref_names(schema: Schema, relation: str) -> set[str]:
    return {a["name"] for a in span_ref_attributes(schema, relation)}


def span_valued_names(
    schemas: list[Schema],
) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """Names of span-valued attributes per span label and per relation type, over several
    schema versions (an export spans them all)."""
    by_label: dict[str, set[str]] = defaultdict(set)
    by_relation: dict[str, set[str]] = defaultdict(set)
    for schema in schemas:
        for label in schema.get("span_labels", []):
            by_label[label["name"]].update(
                a["name"] for a in label.get("attributes", []) if a.get("type") == "span"
            )
        for relation in schema.get("relations", []):
            by_relation[relation["name"]].update(span_ref_names(schema, relation["name"]))
    return by_label, by_relation
