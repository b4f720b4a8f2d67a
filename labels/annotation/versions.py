"""Versions, locks and history: the rules every write to an annotation layer follows.

A write locks the annotation row (``locked``), compares the client's version with the stored
one (``check_version`` → ``Stale``, HTTP 409), refuses closed layers (``check_open`` →
``Closed``), and ends with ``bump_and_record``: the version raised by one and one history event,
in one statement. Status changes (submit, skip, reviewed, returned) go through ``do_set_status``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from labels import rawsql
from labels import schema as schema_mod
from labels.errors import Closed, Invalid, Problem, Stale
from labels.models import Annotation, AnnotationStatus, HistoryAction, HistoryEvent, Relation, Span

#: What a history event keeps of a span and of a relation: each key of the snapshot, and the
#: attribute of the model it is read from.
SPAN_SNAPSHOT = {
    name: name for name in ("id", "label", "start", "end", "text", "attrs", "origin", "provenance")
}
RELATION_SNAPSHOT = {
    "id": "id",
    "label": "label",
    "from": "source_id",
    "to": "target_id",
    "attrs": "attrs",
}


def _snapshot(obj: Span | Relation, fields: dict[str, str]) -> dict[str, Any]:
    return {key: getattr(obj, attribute) for key, attribute in fields.items()}


def span_snapshot(span: Span) -> dict[str, Any]:
    return _snapshot(span, SPAN_SNAPSHOT)


def relation_snapshot(relation: Relation) -> dict[str, Any]:
    return _snapshot(relation, RELATION_SNAPSHOT)


VIA = ("undo", "redo")


def via_marker(via: str) -> dict[str, str]:
    """What a history event's ``after`` holds when the change undid (or redid) an earlier one
    in the workspace — ``{"via": "undo"}`` — so the history says so; ``{}`` otherwise."""
    if not via:
        return {}
    if via not in VIA:
        raise Invalid.one("via", "invalid_choice", "via is “undo”, “redo” or absent.")
    return {"via": via}


@dataclass
class Result:
    annotation: Annotation
    obj: Any = None
    created: bool = True


def check_version(annotation: Annotation, version: object) -> None:
    if isinstance(version, bool) or not isinstance(version, int):
        raise Invalid.one("version", "required", "Send the annotation's version (an integer).")
    if version != annotation.version:
        raise Stale(annotation.version, version)


def check_open(annotation: Annotation) -> None:
    if annotation.is_gold:
        return  # reviewers keep editing gold after marking it reviewed
    if annotation.status != AnnotationStatus.DRAFT:
        raise Closed(
            f"This annotation is {annotation.status}; it can no longer be changed. "
            "Ask a reviewer to send it back if it needs corrections."
        )


def _bumped(annotation: Annotation) -> list[str]:
    """Raise the version in memory (and renew an unassigned draft's lease); the fields to save."""
    annotation.version += 1
    fields = ["version", "updated_at"]
    if not annotation.is_gold and annotation.assigned_by_id is None and annotation.lease_expires_at:
        from labels.annotation.queue import lease_deadline

        annotation.lease_expires_at = lease_deadline(annotation.article.project)
        fields.append("lease_expires_at")
    return fields


def bump_and_record(
    annotation: Annotation,
    actor,
    action: str,
    object_id,
    before=None,
    after=None,
    *,
    fields: Sequence[str] = (),
) -> None:
    """Raise the annotation's version and append the history event of the change, in one
    statement (the writes of a working day; labels.rawsql says why they are SQL). Every write to
    a layer ends here. ``fields`` are other columns of ``annotation`` the caller changed in
    memory (a status change), saved by the same statement. Expects ``annotation`` locked."""
    changed = _bumped(annotation) + [
        name for name in fields if name not in ("version", "updated_at")
    ]
    assignments, update_params = rawsql.update_values(annotation, changed)
    event = history_event(annotation, actor, action, object_id, before, after)
    columns, values, event_params = rawsql.insert_values(event)
    sql = (
        f"WITH a AS (UPDATE {rawsql.table(Annotation)} SET {assignments} WHERE id = %s) "
        f"INSERT INTO {rawsql.table(HistoryEvent)} ({columns}) SELECT {values}"
    )
    with rawsql.cursor() as cursor:
        cursor.execute(sql, update_params + [annotation.pk] + event_params)


def history_event(
    annotation: Annotation, actor, action: str, object_id, before, after
) -> HistoryEvent:
    """The history event of a change that made ``annotation`` its current version: the one
    builder of events (the bulk import writes its own rows with COPY)."""
    return HistoryEvent(
        annotation=annotation,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        object_id=object_id,
        annotation_version=annotation.version,
        before=before,
        after=after,
    )


def do_set_status(
    annotation: Annotation, actor, status: str, *, version: object, reason: str = ""
) -> Annotation:
    """Submit or skip an annotator's draft (``reason`` required for skip)."""
    if annotation.is_gold:
        raise Invalid.one(
            "annotation",
            "not_allowed",
            "The gold layer is not submitted or skipped; mark it reviewed on the review page.",
        )
    check_version(annotation, version)
    if status == AnnotationStatus.SKIPPED and not reason.strip():
        raise Invalid.one("reason", "required", "Say why you skip this article.")
    if status not in (AnnotationStatus.SUBMITTED, AnnotationStatus.SKIPPED):
        raise Invalid.one("status", "invalid_choice", "Only submit or skip.")
    check_open(annotation)
    if status == AnnotationStatus.SUBMITTED:
        check_complete(annotation)
    before = {"status": annotation.status}
    annotation.status = status
    annotation.skip_reason = reason.strip() if status == AnnotationStatus.SKIPPED else ""
    annotation.submitted_at = timezone.now()
    annotation.lease_expires_at = None
    change_status(
        annotation,
        actor,
        before,
        {"status": status, "reason": annotation.skip_reason},
        fields=("status", "skip_reason", "submitted_at", "lease_expires_at"),
    )
    return annotation


def change_status(
    annotation: Annotation, actor, before: dict, after: dict, *, fields: Sequence[str]
) -> None:
    """Save a status change the caller made in memory (``fields``), with the version raised and
    a ``status_changed`` event: submit, skip, mark reviewed, send back, reopen."""
    bump_and_record(
        annotation, actor, HistoryAction.STATUS_CHANGED, annotation.pk, before, after, fields=fields
    )


def locked(annotation_id: int) -> Annotation:
    """The annotation row locked for the rest of the current transaction."""
    assert transaction.get_connection().in_atomic_block, "lock inside transaction.atomic()"
    return (
        Annotation.objects.select_for_update(of=("self",))
        .select_related("article__project")
        .get(pk=annotation_id)
    )


def check_complete(annotation: Annotation) -> None:
    """Refuse to submit while a span lacks a required attribute: one problem per missing value,
    its field ``spans.<span id>.attrs.<name>`` so that a client can point at the span."""
    schema = annotation.article.project.schema
    problems: list[Problem] = []
    for span in Span.objects.filter(annotation=annotation).order_by("start", "end", "id"):
        try:
            schema_mod.check_span(schema, span.label, span.attrs)
        except Invalid as exc:
            shown = span.text if len(span.text) <= 40 else span.text[:39] + "…"
            problems.extend(
                Problem(
                    f"spans.{span.pk}.{p.field}", p.code, f"{span.label} “{shown}”: {p.message}"
                )
                for p in exc.problems
            )
    if problems:
        raise Invalid(problems)
