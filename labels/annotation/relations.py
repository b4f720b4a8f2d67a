"""Relations between spans of one annotation: add, change attributes, delete.

Callers hold the annotation locked (``versions.locked``) and pass the client's version; the
relation's label pair and attributes are checked against the project schema.
"""

from __future__ import annotations

from typing import Any

from labels import schema as schema_mod
from labels.annotation.spans import _client_id, _delete_rows
from labels.annotation.versions import (
    Result,
    bump_and_record,
    check_open,
    check_version,
    relation_snapshot,
    via_marker,
)
from labels.errors import Invalid
from labels.models import Annotation, HistoryAction, Relation, Span


def do_add_relation(
    annotation: Annotation, actor, data: dict[str, Any], *, version: object, via: str = ""
) -> Result:
    """Link two spans. ``via`` "undo"/"redo" (the workspace's undo) is noted in the history."""
    marker = via_marker(via)
    client_id = _client_id(data.get("client_id"))
    if client_id is not None:
        existing = Relation.objects.filter(annotation=annotation, client_id=client_id).first()
        if existing is not None:
            return Result(annotation, existing, created=False)
    check_version(annotation, version)
    check_open(annotation)
    label = data.get("label")
    if not isinstance(label, str) or not label:
        raise Invalid.one("label", "required", "Choose a relation type.")
    source = _get_span_field(annotation, data.get("from"), "from")
    target = _get_span_field(annotation, data.get("to"), "to")
    if source.pk == target.pk:
        raise Invalid.one("to", "self_relation", "A relation needs two different spans.")
    schema = annotation.article.project.schema
    attrs = schema_mod.check_relation(
        schema, label, source.label, target.label, data.get("attrs") or {}
    )
    _check_span_refs(annotation, schema, label, attrs)
    if Relation.objects.filter(
        annotation=annotation, label=label, source=source, target=target
    ).exists():
        raise Invalid.one("to", "duplicate", f"These two spans are already linked by {label}.")
    relation = Relation.objects.create(
        annotation=annotation,
        label=label,
        source=source,
        target=target,
        attrs=attrs,
        client_id=client_id,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    bump_and_record(
        annotation,
        actor,
        HistoryAction.RELATION_CREATED,
        relation.pk,
        after=relation_snapshot(relation) | marker,
    )
    return Result(annotation, relation)


def _get_span_field(annotation: Annotation, span_id, field: str) -> Span:
    try:
        return Span.objects.get(annotation=annotation, pk=int(span_id))
    except (Span.DoesNotExist, TypeError, ValueError):
        raise Invalid.one(field, "not_found", "No such span in this annotation.") from None


def _check_span_refs(annotation: Annotation, schema: dict, label: str, attrs: dict) -> None:
    """Attributes of type ``span`` (e.g. attributed_to's ``cue``) must name a span of this
    annotation with one of the allowed labels."""
    for attribute in schema_mod.span_ref_attributes(schema, label):
        if attrs.get(attribute["name"]) in (None, ""):
            continue
        ref = _get_span_field(annotation, attrs[attribute["name"]], f"attrs.{attribute['name']}")
        allowed = attribute.get("labels") or []
        if allowed and ref.label not in allowed:
            raise Invalid.one(
                f"attrs.{attribute['name']}",
                "invalid_label",
                f"{attribute['name']} must point at a {' or '.join(allowed)} span, not a {ref.label}.",
            )
        attrs[attribute["name"]] = ref.pk


def do_update_relation(
    annotation: Annotation, actor, relation_id, attrs: object, *, version: object, via: str = ""
) -> Result:
    """Change a relation's attributes (attributed_to's ``cue``); its type and ends stay — to
    change those, delete it and link again."""
    marker = via_marker(via)
    check_version(annotation, version)
    check_open(annotation)
    relation = _get_relation(annotation, relation_id)
    schema = annotation.article.project.schema
    cleaned = schema_mod.check_relation(
        schema, relation.label, relation.source.label, relation.target.label, attrs or {}
    )
    _check_span_refs(annotation, schema, relation.label, cleaned)
    before = relation_snapshot(relation)
    relation.attrs = cleaned
    relation.save(update_fields=["attrs"])
    bump_and_record(
        annotation,
        actor,
        HistoryAction.RELATION_UPDATED,
        relation.pk,
        before,
        relation_snapshot(relation) | marker,
    )
    return Result(annotation, relation, created=False)


def _get_relation(annotation: Annotation, relation_id) -> Relation:
    try:
        return Relation.objects.select_related("source", "target").get(
            annotation=annotation, pk=int(relation_id)
        )
    except (Relation.DoesNotExist, TypeError, ValueError):
        raise Invalid.one("relation", "not_found", "No such relation in this annotation.") from None


def do_delete_relation(
    annotation: Annotation, actor, relation_id, *, version: object, via: str = ""
) -> Result:
    marker = via_marker(via)
    check_version(annotation, version)
    check_open(annotation)
    relation = _get_relation(annotation, relation_id)
    before = relation_snapshot(relation)
    _delete_rows(spans=[], relations=[relation.pk])
    bump_and_record(
        annotation, actor, HistoryAction.RELATION_DELETED, before["id"], before, marker or None
    )
    return Result(annotation, None, created=False)
