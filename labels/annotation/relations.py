"""Relations between spans of one annotation: add, change attributes, delete.

Callers hold the annotation locked (``versions.locked``) and pass the client's version; the
relation's label pair and attributes are checked against the project schema.
"""

from __future__ import annotations

from typing import Any

from labels import rawsql
from labels import schema as schema_mod
from labels.annotation.spans import _client_id, _delete_rows
from labels.annotation.versions import (
    Result,
    bump_and_record,
    check_open,
    check_version,
    insert_and_record,
    lock_cte,
    relation_snapshot,
    via_marker,
)
from labels.errors import Closed, Invalid, Stale
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


def try_add_relation_at_once(
    annotation: Annotation, actor, data: dict[str, Any], *, version: object, via: str = ""
) -> Result | None:
    """``do_add_relation`` for an analyst's link in their draft, in two statements and no
    transaction of its own: the spans it names (its ends, its cue) read with whether the link
    or its ``client_id`` exists already, the link checked here, then one statement
    (``versions.insert_and_record``) that writes it only if the annotation is still as
    ``access.access_annotation`` read it. None, with nothing written, whenever that is not the
    whole answer — a check refuses, a retry, a duplicate, another write came first — and the
    caller then links in ``do_add_relation``'s way, which answers exactly."""
    try:
        marker = via_marker(via)
        client_id = _client_id(data.get("client_id"))
        check_version(annotation, version)
        check_open(annotation)
    except (Invalid, Stale, Closed):
        return None
    label, attrs = data.get("label"), data.get("attrs") or {}
    schema = annotation.article.project.schema
    if not isinstance(label, str) or not label or not isinstance(attrs, dict):
        return None
    refs = [a["name"] for a in schema_mod.span_ref_attributes(schema, label)]
    given = [data.get("from"), data.get("to")] + [attrs[r] for r in refs if attrs.get(r)]
    named = [i for i in given if isinstance(i, int) and not isinstance(i, bool) and 0 < i < 2**63]
    if len(named) != len(given):
        return None  # an id that is none: do_add_relation says which
    source_id, target_id = named[0], named[1]
    labels, taken = _named_spans(annotation, label, named, client_id)
    if taken or source_id == target_id or source_id not in labels or target_id not in labels:
        return None
    try:
        cleaned = schema_mod.check_relation(
            schema, label, labels[source_id], labels[target_id], attrs
        )
    except Invalid:
        return None
    for attribute in schema_mod.span_ref_attributes(schema, label):
        ref = cleaned.get(attribute["name"])
        if ref in (None, ""):
            continue
        allowed = attribute.get("labels") or []
        if ref not in labels or (allowed and labels[ref] not in allowed):
            return None
    relation = Relation(
        annotation=annotation,
        label=label,
        source_id=source_id,
        target_id=target_id,
        attrs=cleaned,
        client_id=client_id,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    relations = rawsql.table(Relation)
    written = insert_and_record(
        annotation,
        actor,
        relation,
        relation_snapshot(relation) | marker,
        HistoryAction.RELATION_CREATED,
        unless=(
            f"EXISTS (SELECT 1 FROM {relations} WHERE annotation_id = %s AND label = %s "
            "  AND source_id = %s AND target_id = %s) "
            f"OR EXISTS (SELECT 1 FROM {relations} WHERE annotation_id = %s AND client_id = %s)"
        ),
        unless_params=[annotation.pk, label, source_id, target_id, annotation.pk, client_id],
        lock=lock_cte(annotation, actor),
    )
    return Result(annotation, relation) if written else None


def _named_spans(
    annotation: Annotation, label: str, ids: list[int], client_id
) -> tuple[dict[int, str], bool]:
    """The labels of the spans ``ids`` of ``annotation`` (those it has), and whether a link
    ``label`` between the first two, or one with ``client_id``, exists already: one query."""
    relations = rawsql.table(Relation)
    sql = (
        f"SELECT s.id, s.label, EXISTS (SELECT 1 FROM {relations} x "
        "  WHERE x.annotation_id = %s AND ((x.label = %s AND x.source_id = %s "
        "  AND x.target_id = %s) OR x.client_id = %s)) "
        f"FROM (SELECT 1) one LEFT JOIN {rawsql.table(Span)} s "
        "  ON s.annotation_id = %s AND s.id = ANY(%s)"
    )
    params = [annotation.pk, label, ids[0], ids[1], client_id, annotation.pk, ids]
    with rawsql.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return {pk: span_label for pk, span_label, _ in rows if pk is not None}, rows[0][2]


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
