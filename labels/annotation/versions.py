"""Versions, locks and history: the rules every write to an annotation layer follows.

A write locks the annotation row (``locked``), compares the client's version with the stored
one (``check_version`` → ``Stale``, HTTP 409), refuses closed layers (``check_open`` →
``Closed``), and ends with ``bump_and_record``: the version raised by one and one history event,
in one statement. Status changes (submit, skip, reviewed, returned) go through ``do_set_status``.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone
from rest_framework.authtoken.models import Token

from labels import rawsql
from labels import schema as schema_mod
from labels.access import STAFF_ROLES
from labels.errors import Closed, Invalid, Problem, Stale
from labels.models import (
    Annotation,
    AnnotationStatus,
    Article,
    HistoryAction,
    HistoryEvent,
    Membership,
    Project,
    Relation,
    Span,
)

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


_AS_READ = ("version", "updated_at", "lease_expires_at")


def as_read(annotation: Annotation) -> dict[str, Any]:
    """The fields of ``annotation`` a write raises in memory before its statement runs."""
    return {name: getattr(annotation, name) for name in _AS_READ}


def restore(annotation: Annotation, read: dict[str, Any]) -> None:
    """Nothing was written: ``annotation`` is again as it was read."""
    for name, value in read.items():
        setattr(annotation, name, value)


def lock_cte(annotation: Annotation, actor, token: str | None = None) -> tuple[str, list[Any]]:
    """``l AS (…)``: the CTE with which one statement locks the annotation row it writes to,
    read without a lock by the caller — and finds no row, so that the statement writes nothing,
    unless the row's version, ``updated_at`` and status, and its project's ``updated_at`` (every
    change to the schema and the lease settings moves it), are still what ``annotation``
    holds, and ``actor`` may still change it (a member: the layer's annotator, or staff for
    gold) — with ``token``, also that this API key is still ``actor``'s and ``actor`` active.
    After waiting for the lock, PostgreSQL checks the row's part again on the row as the other
    write left it, and every write to a layer raises its version or ``updated_at``, so nothing
    written since the read can slip through. Build it before raising the version in memory."""
    staff = ", ".join(f"'{role}'" for role in STAFF_ROLES)
    lock = (
        f"l AS (SELECT a.id FROM {rawsql.table(Annotation)} a WHERE a.id = %s "
        "  AND a.version = %s AND a.updated_at = %s AND (a.is_gold OR a.status = %s) "
        f"  AND EXISTS (SELECT 1 FROM {rawsql.table(Article)} r "
        f"    JOIN {rawsql.table(Project)} p ON p.id = r.project_id "
        f"    JOIN {rawsql.table(Membership)} m ON m.project_id = p.id AND m.user_id = %s "
        "    WHERE r.id = a.article_id AND p.updated_at = %s "
        f"    AND (m.role IN ({staff}) OR (NOT a.is_gold AND a.annotator_id = m.user_id)))"
    )
    params = [
        annotation.pk,
        annotation.version,
        annotation.updated_at,
        AnnotationStatus.DRAFT.value,
        actor.pk,
        annotation.article.project.updated_at,
    ]
    if token is not None:
        users = rawsql.table(get_user_model())
        lock += (
            f"  AND EXISTS (SELECT 1 FROM {rawsql.table(Token)} t "
            f"    JOIN {users} u ON u.id = t.user_id "
            "    WHERE t.key = %s AND t.user_id = %s AND u.is_active)"
        )
        params += [token, actor.pk]
    return lock + " FOR UPDATE OF a)", params


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
    lock: tuple[str, list[Any]] | None = None,
    writes: tuple[str, list[Any]] = ("w AS (SELECT id FROM l)", []),
) -> bool:
    """Raise the annotation's version and append the history event of the change, in one
    statement (the writes of a working day; labels.rawsql says why they are SQL). Every write to
    a layer ends here. ``fields`` are other columns of ``annotation`` the caller changed in
    memory (a status change), saved by the same statement. Expects ``annotation`` locked — or
    ``lock``, the ``lock_cte`` built before the change was made in memory, with ``writes``: the
    change's own CTEs (SQL and parameters), each writing only ``WHERE EXISTS (SELECT 1 FROM
    l)``, one of them ``w`` with ``RETURNING id``. Then nothing is written, False returned and
    the version in memory put back, unless ``w`` wrote (the annotation is still as read, and
    the change's own conditions hold)."""
    read = as_read(annotation)
    changed = _bumped(annotation) + [
        name for name in fields if name not in ("version", "updated_at")
    ]
    assignments, update_params = rawsql.update_values(annotation, changed)
    event = history_event(annotation, actor, action, object_id, before, after)
    columns, values, event_params = rawsql.insert_values(event)
    annotations, events = rawsql.table(Annotation), rawsql.table(HistoryEvent)
    if lock is None:
        sql = (
            f"WITH a AS (UPDATE {annotations} SET {assignments} WHERE id = %s) "
            f"INSERT INTO {events} ({columns}) SELECT {values}"
        )
        with rawsql.cursor() as cursor:
            cursor.execute(sql, update_params + [annotation.pk] + event_params)
        return True
    sql = (
        f"WITH {lock[0]}, {writes[0]}, "
        f"a AS (UPDATE {annotations} SET {assignments} "
        "  WHERE id = %s AND EXISTS (SELECT 1 FROM w)), "
        f"h AS (INSERT INTO {events} ({columns}) SELECT {values} FROM w) "
        "SELECT 1 FROM w"
    )
    params = lock[1] + writes[1] + update_params + [annotation.pk] + event_params
    with rawsql.cursor() as cursor:
        cursor.execute(sql, params)
        written = cursor.fetchone() is not None
    if not written:
        restore(annotation, read)
    return written


def insert_and_record(
    annotation: Annotation,
    actor,
    obj: Span | Relation,
    after: dict[str, Any],
    action: str,
    *,
    event_before: dict | None = None,
    unless: str,
    unless_params: list[Any],
    lock: tuple[str, list[Any]] | None = None,
) -> bool:
    """Insert ``obj`` (a new span or relation of ``annotation``) unless the SQL condition
    ``unless`` holds (a duplicate, a ``client_id`` taken), and with it raise the version and
    append the history event (``after``: its snapshot, whose ``id`` and the event's
    ``object_id`` the database fills in) — one statement. Expects ``annotation`` locked, or
    ``lock``, the ``lock_cte`` built before anything was changed in memory. False, with nothing
    written and ``annotation`` as it was, when ``unless`` holds or the lock finds it changed."""
    read = as_read(annotation)
    lock_sql, lock_params, locked_row = "", [], ""
    if lock is not None:
        lock_sql, lock_params, locked_row = f"{lock[0]}, ", lock[1], "FROM l "
    assignments, update_params = rawsql.update_values(annotation, _bumped(annotation))
    event = history_event(annotation, actor, action, None, event_before, after)
    columns, values, params = rawsql.insert_values(obj, {"id": ("n.id", [])})
    event_columns, event_values, event_params = rawsql.insert_values(
        event,
        {
            "object_id": ("n.id", []),
            "after": (
                "jsonb_set(%s::jsonb, '{id}', to_jsonb(n.id))",
                [HistoryEvent._meta.get_field("after").get_db_prep_save(event.after, connection)],
            ),
        },
    )
    model = type(obj)
    sql = (
        f"WITH {lock_sql}n AS (SELECT nextval(pg_get_serial_sequence("
        f"'{model._meta.db_table}', 'id')) AS id {locked_row}WHERE NOT ({unless})), "
        f"o AS (INSERT INTO {rawsql.table(model)} ({columns}) SELECT {values} FROM n "
        "  RETURNING id), "
        f"a AS (UPDATE {rawsql.table(Annotation)} SET {assignments} "
        "  WHERE id = %s AND EXISTS (SELECT 1 FROM n)), "
        f"h AS (INSERT INTO {rawsql.table(HistoryEvent)} ({event_columns}) "
        f"  SELECT {event_values} FROM n) "
        "SELECT id FROM o"
    )
    all_params = lock_params + unless_params + params + update_params + [annotation.pk]
    with rawsql.cursor() as cursor:
        cursor.execute(sql, all_params + event_params)
        row = cursor.fetchone()
    if row is None:
        restore(annotation, read)
        return False
    obj.pk = row[0]
    obj._state.adding, obj._state.db = False, connection.alias
    return True


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
    _check_status_change(annotation, status, version=version, reason=reason)
    change_status(annotation, actor, *_status_changed(annotation, status, reason))
    return annotation


def try_set_status_at_once(
    annotation: Annotation, actor, status: str, *, version: object, reason: str = ""
) -> Annotation | None:
    """``do_set_status`` with ``annotation`` read unlocked (``access.access_annotation``):
    checked here (submitting reads the spans), then written by one statement that locks the
    row and writes only if it is still as read (``lock_cte``). The annotation as changed; None,
    with nothing written and ``annotation`` as read, whenever that is not the whole answer (a
    check refuses, another write came first), and the caller then takes ``do_set_status``'s
    locked way, which answers exactly."""
    changed = copy.copy(annotation)
    try:
        _check_status_change(changed, status, version=version, reason=reason)
    except (Invalid, Stale, Closed):
        return None
    lock = lock_cte(changed, actor)
    before, after, fields = _status_changed(changed, status, reason)
    written = bump_and_record(
        changed,
        actor,
        HistoryAction.STATUS_CHANGED,
        changed.pk,
        before,
        after,
        fields=fields,
        lock=lock,
    )
    return changed if written else None


def _check_status_change(
    annotation: Annotation, status: str, *, version: object, reason: str
) -> None:
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


def _status_changed(
    annotation: Annotation, status: str, reason: str
) -> tuple[dict, dict, tuple[str, ...]]:
    """Make the submit or skip in memory: the event's before and after, the fields changed."""
    before = {"status": annotation.status}
    annotation.status = status
    annotation.skip_reason = reason.strip() if status == AnnotationStatus.SKIPPED else ""
    annotation.submitted_at = timezone.now()
    annotation.lease_expires_at = None
    after = {"status": status, "reason": annotation.skip_reason}
    return before, after, ("status", "skip_reason", "submitted_at", "lease_expires_at")


def change_status(
    annotation: Annotation, actor, before: dict, after: dict, fields: Sequence[str]
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
