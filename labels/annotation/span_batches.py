"""Deleting many spans of one annotation at once — undoing an accept-all of a thousand
suggestions — in a few statements whatever their number, all or nothing.

The history is what deleting them one by one would have written: one ``span_deleted`` event
per span, each at its own version and keeping the relations that went with it, so each can be
restored on its own; the annotation's version rises by the number of spans.
"""

from __future__ import annotations

from django.db.models import Q

from labels import schema as schema_mod
from labels.annotation.spans import _delete_rows
from labels.annotation.versions import (
    Result,
    _bumped,
    check_open,
    check_version,
    history_event,
    relation_snapshot,
    span_snapshot,
    via_marker,
)
from labels.errors import Invalid, Problem
from labels.models import Annotation, HistoryAction, HistoryEvent, Relation

#: The most spans one request deletes; an accept-all of a long article stays well under it.
MAX_SPANS = 5000


def do_delete_spans(
    annotation: Annotation, actor, span_ids: list[int], *, version: object, via: str = ""
) -> Result:
    """Delete the spans ``span_ids`` of ``annotation`` with the relations touching them, and
    drop the span-valued attributes (attributed_to's ``cue``) of other relations naming them —
    as ``spans.do_delete_span`` does for one. Nothing is deleted when one id is not a span of
    this annotation, or is listed twice: the problem names it (``ids.<index>``). ``Result.obj``
    is the list of the relations' ids deleted with them. Expects ``annotation`` locked."""
    marker = via_marker(via)
    check_version(annotation, version)
    check_open(annotation)
    if not span_ids:
        raise Invalid.one("ids", "required", "List the ids of the spans to delete.")
    if len(span_ids) > MAX_SPANS:
        raise Invalid.one(
            "ids", "too_many", f"At most {MAX_SPANS} spans at once; send the rest in another call."
        )
    found = {s.pk: s for s in annotation.spans.filter(pk__in=span_ids)}
    problems, seen = [], set()
    for index, span_id in enumerate(span_ids):
        if span_id in seen:
            problems.append(
                Problem(f"ids.{index}", "duplicate", f"Span {span_id} is listed twice.")
            )
        elif span_id not in found:
            problems.append(
                Problem(
                    f"ids.{index}",
                    "not_found",
                    f"Span {span_id} is not in this annotation (deleted already?); "
                    "nothing was deleted.",
                )
            )
        seen.add(span_id)
    if problems:
        raise Invalid(problems)

    touching = list(
        Relation.objects.filter(
            Q(source_id__in=span_ids) | Q(target_id__in=span_ids), annotation=annotation
        ).order_by("pk")
    )
    _drop_references_to(annotation, span_ids, keep={r.pk for r in touching})
    _delete_rows(spans=span_ids, relations=[r.pk for r in touching])

    # One event per span, in the order given, each keeping the relations it took along (a
    # relation between two of them goes with the first).
    position = {span_id: n for n, span_id in enumerate(span_ids)}
    taken_by: dict[int, list[Relation]] = {}
    for relation in touching:
        ends = [position[e] for e in (relation.source_id, relation.target_id) if e in position]
        taken_by.setdefault(span_ids[min(ends)], []).append(relation)
    events = []
    first = annotation.version
    for n, span_id in enumerate(span_ids, start=1):
        own = taken_by.get(span_id, [])
        before = span_snapshot(found[span_id]) | {"relations": [relation_snapshot(r) for r in own]}
        annotation.version = first + n
        events.append(
            history_event(
                annotation, actor, HistoryAction.SPAN_DELETED, span_id, before, marker or None
            )
        )
    HistoryEvent.objects.bulk_create(events)
    annotation.version = first + len(span_ids) - 1
    annotation.save(update_fields=_bumped(annotation))  # at the last event's version
    return Result(annotation, [r.pk for r in touching], created=False)


def _drop_references_to(annotation: Annotation, span_ids: list[int], *, keep: set[int]) -> None:
    """Relations (other than those in ``keep``, deleted anyway) whose span-valued attribute
    names one of the spans lose that attribute: one query per such attribute of the schema,
    and a write per relation that had one."""
    schema = annotation.article.project.schema
    gone = set(span_ids)
    for relation_type in schema.get("relations", []):
        for name in schema_mod.span_ref_names(schema, relation_type["name"]):
            naming = Relation.objects.filter(
                annotation=annotation,
                label=relation_type["name"],
                **{f"attrs__{name}__in": span_ids},
            ).exclude(pk__in=keep)
            for relation in naming:
                if relation.attrs.get(name) in gone:
                    relation.attrs = {k: v for k, v in relation.attrs.items() if k != name}
                    relation.save(update_fields=["attrs"])
