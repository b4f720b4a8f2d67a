"""The append-only history of an annotation: who may read it, how it reads, restoring from it,
and the one sanctioned way to remove it (deleting a whole article or project).

History rows are never changed: a trigger (migration ``0003_history_append_only``) refuses UPDATE
always, and DELETE except through ``purge_history`` when articles are deleted.

Who sees an annotation's history: the project's managers and reviewers (every layer, with
"Restore" for deleted spans), and an annotator for their own layer, read-only. Another annotator
of the project gets 403, anyone outside the project 404.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.db.models import QuerySet

from labels.access import access_history
from labels.annotation import spans, versions
from labels.errors import Invalid
from labels.models import Annotation, HistoryAction, HistoryEvent, Span

EXCERPT_CHARS = 80


# --- Purging -----------------------------------------------------------------------------------


def purge_history(article_ids: list[int]) -> int:
    """Delete the history of the annotations of these articles, which the caller deletes in the
    same transaction (a deferred trigger refuses the commit otherwise). The database lets only
    its ``labels_purge_history`` function, owned by the tables' owner, delete history rows
    (migration ``0010``), so the application's role can never erase the history of work that
    stays. Returns the number of events deleted."""
    assert transaction.get_connection().in_atomic_block, "purge inside transaction.atomic()"
    with connection.cursor() as cursor:
        cursor.execute("SELECT labels_purge_history(%s)", [list(article_ids)])
        (deleted,) = cursor.fetchone()
    return deleted


def events_of(annotation: Annotation) -> QuerySet[HistoryEvent]:
    """The annotation's history, newest first, with the actors (one query)."""
    return (
        HistoryEvent.objects.filter(annotation=annotation).select_related("actor").order_by("-id")
    )


# --- Reading -----------------------------------------------------------------------------------


@dataclass
class Change:
    """One line of "what changed": ``field`` went from ``before`` to ``after`` (text, '' = none)."""

    field: str
    before: str
    after: str


@dataclass
class EventView:
    event: HistoryEvent
    changes: list[Change] = field(default_factory=list)
    restorable: bool = False
    restored_by: int | None = None  # id of the span_restored event that brought it back
    via: str = ""  # "undo" / "redo": the change undid (or redid) an earlier one in the workspace


def excerpt(text: str) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= EXCERPT_CHARS else text[: EXCERPT_CHARS - 1] + "…"


def _value(value: Any) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (list, tuple)):
        return ", ".join(_value(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_value(v)}" for k, v in sorted(value.items()))
    return str(value)


def _span_fields(snapshot: dict | None) -> dict[str, str]:
    """A span snapshot (``labels.annotation.spans.span_snapshot``) as the readable fields of a change."""
    if not snapshot:
        return {}
    out = {
        "label": _value(snapshot.get("label")),
        "offsets": f"[{snapshot.get('start')}, {snapshot.get('end')})"
        if snapshot.get("start") is not None
        else "",
        "text": excerpt(snapshot.get("text", "")),
    }
    for name, value in sorted((snapshot.get("attrs") or {}).items()):
        out[f"attrs.{name}"] = _value(value)
    if snapshot.get("provenance"):
        out["provenance"] = _value(snapshot["provenance"])
    return out


def _diff(before: dict[str, str], after: dict[str, str]) -> list[Change]:
    names = list(before) + [n for n in after if n not in before]
    return [
        Change(name, before.get(name, ""), after.get(name, ""))
        for name in names
        if before.get(name, "") != after.get(name, "")
    ]


def _span_name(span_id: Any, known: dict[int, dict]) -> str:
    snapshot = known.get(span_id) if isinstance(span_id, int) else None
    if snapshot is None:
        return f"span #{span_id}"
    return f"{snapshot.get('label')} “{excerpt(snapshot.get('text', ''))}”"


def _relation_line(snapshot: dict | None, known: dict[int, dict]) -> str:
    if not snapshot:
        return ""
    line = (
        f"{snapshot.get('label')}: {_span_name(snapshot.get('from'), known)} → "
        f"{_span_name(snapshot.get('to'), known)}"
    )
    attrs = snapshot.get("attrs") or {}
    return f"{line} ({_value(attrs)})" if attrs else line


def describe(event: HistoryEvent, known_spans: dict[int, dict]) -> list[Change]:
    """What ``event`` changed, as readable before → after lines.

    ``known_spans`` maps span ids to snapshots (current spans and those seen in the history),
    so that relations read "attributed_to: Quote “…” → Source “…”" rather than bare ids.
    """
    action = event.action
    if action in (HistoryAction.SPAN_CREATED, HistoryAction.SPAN_RESTORED):
        return _diff({}, _span_fields(event.after))
    if action == HistoryAction.SPAN_UPDATED:
        return _diff(_span_fields(event.before), _span_fields(event.after))
    if action == HistoryAction.SPAN_DELETED:
        changes = _diff(_span_fields(event.before), {})
        for relation in (event.before or {}).get("relations", []):
            changes.append(Change("relation", _relation_line(relation, known_spans), ""))
        return changes
    if action == HistoryAction.RELATION_CREATED:
        return [Change("relation", "", _relation_line(event.after, known_spans))]
    if action == HistoryAction.RELATION_DELETED:
        return [Change("relation", _relation_line(event.before, known_spans), "")]
    if action == HistoryAction.RELATION_UPDATED:
        old, new = (_relation_line(e, known_spans) for e in (event.before, event.after))
        return [Change("relation", old, new)]
    before = {k: _value(v) for k, v in (event.before or {}).items()}
    after = {k: _value(v) for k, v in (event.after or {}).items()}
    return _diff(before, after)


def present(annotation: Annotation, events: Iterable[HistoryEvent]) -> list[EventView]:
    """Events with their readable changes, and for deleted spans whether they can be restored.

    Two queries besides the events themselves: the annotation's current spans (for relation
    names) and the restore events that already brought a deleted span back.
    """
    events = list(events)
    known: dict[int, dict] = {}
    for event in events:
        for snapshot in (event.before, event.after):
            if isinstance(snapshot, dict) and "start" in snapshot and "id" in snapshot:
                known.setdefault(snapshot["id"], snapshot)
    for span in Span.objects.filter(annotation=annotation).only("id", "label", "text"):
        known[span.pk] = {"label": span.label, "text": span.text}
    restored: dict[int, int] = {}
    deleted_ids = [e.pk for e in events if e.action == HistoryAction.SPAN_DELETED]
    if deleted_ids:
        for pk, before in HistoryEvent.objects.filter(
            annotation=annotation, action=HistoryAction.SPAN_RESTORED
        ).values_list("pk", "before"):
            source = (before or {}).get("restored_from_event")
            if source in deleted_ids:
                restored.setdefault(source, pk)
    views = []
    for event in events:
        via = event.after.get("via", "") if isinstance(event.after, dict) else ""
        view = EventView(event, describe(event, known), via=via)
        if event.action == HistoryAction.SPAN_DELETED:
            view.restored_by = restored.get(event.pk)
            view.restorable = view.restored_by is None
        views.append(view)
    return views


# --- Restoring ---------------------------------------------------------------------------------


def do_restore_from_history(user, annotation_id, event_id, *, version: object) -> versions.Result:
    """Restore the span deleted by history event ``event_id``, as ``user`` (manager/reviewer).

    One transaction: the annotation is locked FOR UPDATE, the client's ``version`` compared with
    the stored one (``errors.Stale`` → 409), then ``labels.annotation.spans.do_restore_span`` recreates the
    span and the relations whose other end still exists, and records a ``span_restored`` event.
    """
    with transaction.atomic():
        annotation, _ = access_history(user, annotation_id, restore=True, lock=True)
        try:
            event = HistoryEvent.objects.get(annotation=annotation, pk=int(event_id))
        except (HistoryEvent.DoesNotExist, TypeError, ValueError):
            raise Invalid.one(
                "event", "not_found", "No such history event for this annotation."
            ) from None
        if HistoryEvent.objects.filter(
            annotation=annotation,
            action=HistoryAction.SPAN_RESTORED,
            before__restored_from_event=event.pk,
        ).exists():
            raise Invalid.one("event", "already_restored", "This span was restored already.")
        return spans.do_restore_span(annotation, user, event, version=version)
