"""Spans of one annotation: add, change, delete, restore — checked, versioned, recorded.

All writes follow one pattern: lock the annotation row (``SELECT … FOR UPDATE``), compare the
client's version with the stored one (``Stale`` → HTTP 409 when they differ), check the input
against the text and the project schema, write, raise the version by one and append a history
event — all in one transaction. A span created with a ``client_id`` the annotation already holds
is returned as is instead of being stored twice, so a client may retry a save whose answer it
never received.
"""

from __future__ import annotations

import copy
import json
import threading
import uuid
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

from django.db.models import Q

from labels import rawsql
from labels import schema as schema_mod
from labels.annotation.versions import (
    RELATION_SNAPSHOT,
    Result,
    bump_and_record,
    check_open,
    check_version,
    insert_and_record,
    lock_cte,
    relation_snapshot,
    span_snapshot,
    via_marker,
)
from labels.errors import Closed, Invalid, Stale
from labels.models import (
    Annotation,
    HistoryAction,
    HistoryEvent,
    Origin,
    Provenance,
    Relation,
    ReviewRejection,
    Span,
)
from labels.speakers import links
from labels.text import check_span_offsets


def _delete_rows(*, spans: list[int], relations: list[int]) -> None:
    """Delete these spans and relations (all those touching the spans among them) with the
    review's rejections of either — what the ORM's cascade deletes, in one statement instead of
    its six. The caller found the rows in the annotation it holds locked."""
    sql = (
        f"WITH j AS (DELETE FROM {rawsql.table(ReviewRejection)} "
        "  WHERE span_id = ANY(%s) OR relation_id = ANY(%s)), "
        f"r AS (DELETE FROM {rawsql.table(Relation)} WHERE id = ANY(%s)) "
        f"DELETE FROM {rawsql.table(Span)} WHERE id = ANY(%s)"
    )
    with rawsql.cursor() as cursor:
        cursor.execute(sql, [spans, relations, relations, spans])


def check_span(annotation: Annotation, data: dict[str, Any]) -> dict[str, Any]:
    """Validate one span's fields against the article text and the schema; return them cleaned."""
    text = annotation.article.text
    start, end = data.get("start"), data.get("end")
    check_span_offsets(text, start, end, data.get("text"))
    label = data.get("label")
    if not isinstance(label, str) or not label:
        raise Invalid.one("label", "required", "Choose a label.")
    # An analyst marks first and classifies next, so a draft may leave a required attribute
    # empty for a while; submitting insists on it (check_complete). Gold is always complete.
    attrs = schema_mod.check_span(
        annotation.article.project.schema,
        label,
        data.get("attrs") or {},
        require=annotation.is_gold,
    )
    attrs = links.check_links(
        annotation.article.project, annotation.article.project.schema, label, attrs
    )
    return {"label": label, "start": start, "end": end, "text": text[start:end], "attrs": attrs}


def _client_id(value: object) -> uuid.UUID | None:
    if value in (None, ""):
        return None
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise Invalid.one("client_id", "invalid", "client_id must be a UUID.") from None


def do_add_span(
    annotation: Annotation,
    actor,
    data: dict[str, Any],
    *,
    version: object,
    origin: str = Origin.MANUAL,
    origin_detail: dict | None = None,
    via: str = "",
) -> Result:
    """Add a span. Expects ``annotation`` locked FOR UPDATE by the caller's transaction.
    ``via`` "undo"/"redo": the workspace undoes a delete (or redoes a create), which the history
    event says."""
    marker = via_marker(via)
    client_id = _client_id(data.get("client_id"))
    # A save retried with its client_id gets the span the first attempt stored, whatever the
    # version or state now. That lookup is made only when it can matter — the checks refuse
    # the save, or the insert finds the client_id taken — so that a first save costs one
    # statement fewer (its insert refuses a taken client_id itself).
    try:
        check_version(annotation, version)
        check_open(annotation)
        cleaned = check_span(annotation, data)
        if origin not in Origin.values:
            raise Invalid.one("origin", "invalid_choice", "Unknown origin.")
    except (Invalid, Stale, Closed):
        existing = _span_by_client_id(annotation, client_id)
        if existing is not None:
            return Result(annotation, existing, created=False)
        raise
    span = Span(
        annotation=annotation,
        client_id=client_id,
        origin=origin,
        origin_detail=origin_detail or {},
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        provenance=data.get("provenance", "") if annotation.is_gold else "",
        agreed_by=data.get("agreed_by", []) if annotation.is_gold else [],
        **cleaned,
    )
    if not _insert_span(annotation, actor, span, event_after=marker):
        existing = _span_by_client_id(annotation, client_id)
        if existing is not None:
            return Result(annotation, existing, created=False)
        _refuse_duplicate(cleaned)
    return Result(annotation, span)


def try_add_span_at_once(
    annotation: Annotation, actor, data: dict[str, Any], *, version: object, via: str = ""
) -> Result | None:
    """``do_add_span`` for the analyst's save, as one statement in its own transaction: the
    annotation, read without a lock by the caller (``access.access_annotation``), is checked
    here, and the statement locks its row, checks again that its version, its status and its
    project (schema, lease) are still the ones read, and inserts the span, raises the version
    and appends the history event. None, with nothing written, whenever that is not the whole
    answer — a check refuses, another save came first, a duplicate — and the caller then
    makes the save in ``do_add_span``'s way, which answers exactly. A retried save (its
    ``client_id`` already stored) is answered with the stored span, as ``do_add_span`` does."""
    try:
        marker = via_marker(via)
        client_id = _client_id(data.get("client_id"))
    except Invalid:
        return None
    try:
        check_version(annotation, version)
        check_open(annotation)
        cleaned = check_span(annotation, data)
    except (Invalid, Stale, Closed):
        return _retried(annotation, client_id)
    span = _new_span(annotation, actor, data, cleaned)
    if not _insert_span(annotation, actor, span, event_after=marker, unlocked=True):
        return _retried(annotation, client_id)
    remember(actor, annotation)
    return Result(annotation, span)


#: (user id, annotation id) → the annotation, with its article and project, as this process
#: last read or wrote it for that user: what ``try_add_span_from_memory`` checks a save
#: against before its one statement checks it all again. Bounded (article texts are in it).
_remembered: OrderedDict[tuple[int, int], Annotation] = OrderedDict()
_REMEMBERED_MAX = 256


_remembering = threading.Lock()  # the threads of a gthread worker share the memory


def remember(user, annotation: Annotation) -> None:
    """Keep ``annotation`` (with its article and project), as it now stands in the database
    after ``user``'s save, for their next save."""
    key = (user.pk, annotation.pk)
    with _remembering:
        _remembered[key] = copy.copy(annotation)
        _remembered.move_to_end(key)
        while len(_remembered) > _REMEMBERED_MAX:
            _remembered.popitem(last=False)


def _forget(key: tuple[int, int]) -> None:
    with _remembering:
        _remembered.pop(key, None)


def remembers(user, annotation_id: int) -> bool:
    """Whether ``try_add_span_from_memory`` has ``user``'s annotation ``annotation_id`` to
    check a save against (they saved to it a moment ago, in this process)."""
    return (user.pk, annotation_id) in _remembered


def try_add_span_from_memory(
    user,
    annotation_id: int,
    data: dict[str, Any],
    *,
    version: object,
    via: str = "",
    token: str | None = None,
) -> Result | None:
    """The analyst's next save in ONE statement: checked in Python against the annotation
    ``remember`` kept, then written by ``_insert_span``'s unlocked statement, which also checks
    that the annotation, its project and ``user``'s right to change it (and ``token``, the API
    key the request came with, when the authentication took it on trust) are still as they
    were. None, with nothing written and the memory forgotten, for anything else — no memory,
    a check that refuses, any change since — and the caller takes the way that reads first:
    a refusal is always answered from what the database holds, after the access check."""
    key = (user.pk, annotation_id)
    kept = _remembered.get(key)
    if kept is None:
        return None
    annotation = copy.copy(kept)
    try:
        marker = via_marker(via)
        _client_id(data.get("client_id"))
        check_version(annotation, version)
        check_open(annotation)
        cleaned = check_span(annotation, data)
    except (Invalid, Stale, Closed):
        _forget(key)
        return None
    span = _new_span(annotation, user, data, cleaned)
    if not _insert_span(annotation, user, span, event_after=marker, unlocked=True, token=token):
        _forget(key)
        return None
    remember(user, annotation)
    return Result(annotation, span)


def _new_span(annotation: Annotation, actor, data: dict[str, Any], cleaned: dict) -> Span:
    return Span(
        annotation=annotation,
        client_id=_client_id(data.get("client_id")),
        origin=Origin.MANUAL,
        origin_detail={},
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        provenance=data.get("provenance", "") if annotation.is_gold else "",
        agreed_by=data.get("agreed_by", []) if annotation.is_gold else [],
        **cleaned,
    )


def _retried(annotation: Annotation, client_id: uuid.UUID | None) -> Result | None:
    """The answer to a save whose ``client_id`` an earlier save stored — that span, and the
    annotation as read — or None. A stored span stays what it is, so no lock is needed."""
    existing = _span_by_client_id(annotation, client_id)
    return None if existing is None else Result(annotation, existing, created=False)


def _span_by_client_id(annotation: Annotation, client_id: uuid.UUID | None) -> Span | None:
    """The span an earlier save with this ``client_id`` stored, if any (a retry)."""
    if client_id is None:
        return None
    with rawsql.cursor() as cursor:
        cursor.execute(
            f"SELECT {rawsql.select_list(Span, 's')} FROM {rawsql.table(Span)} s "
            "WHERE s.annotation_id = %s AND s.client_id = %s",
            [annotation.pk, client_id],
        )
        row = cursor.fetchone()
    return None if row is None else rawsql.from_row(Span, row)


def _insert_span(
    annotation: Annotation,
    actor,
    span: Span,
    *,
    action: str = HistoryAction.SPAN_CREATED,
    event_before: dict | None = None,
    event_after: dict | None = None,
    unlocked: bool = False,
    token: str | None = None,
) -> bool:
    """Store ``span`` unless the annotation already has one with its label and offsets, and with
    it raise the annotation's version and append the history event — one statement, the hottest
    write of the product (labels.rawsql says why it is SQL), and the only way a span is added
    (``action`` is ``span_restored`` for a restore). False, and nothing written, for a
    duplicate, or when the annotation already has a span with ``span.client_id``. Expects
    ``annotation`` locked, so no other save can slip in between — or, ``unlocked``, as it was
    read (or remembered, ``try_add_span_from_memory``): then the statement locks its row
    itself (``lock_cte``, with ``token``) and writes nothing (False) unless the annotation,
    its project and ``actor``'s right to change it are still as read."""
    spans = rawsql.table(Span)
    written = insert_and_record(
        annotation,
        actor,
        span,
        span_snapshot(span) | (event_after or {}),  # the snapshot, and the via marker
        action,
        event_before=event_before,
        unless=(
            f"EXISTS (SELECT 1 FROM {spans} WHERE annotation_id = %s AND label = %s "
            '  AND start = %s AND "end" = %s) '
            f"OR EXISTS (SELECT 1 FROM {spans} WHERE annotation_id = %s AND client_id = %s)"
        ),
        unless_params=[
            annotation.pk,
            span.label,
            span.start,
            span.end,
            annotation.pk,
            span.client_id,
        ],
        lock=lock_cte(annotation, actor, token) if unlocked else None,
    )
    return written


def _check_not_duplicate(
    annotation: Annotation, cleaned: dict, excluding: int | None = None
) -> None:
    same = Span.objects.filter(
        annotation=annotation, label=cleaned["label"], start=cleaned["start"], end=cleaned["end"]
    )
    if excluding is not None:
        same = same.exclude(pk=excluding)
    if same.exists():
        _refuse_duplicate(cleaned)


def _refuse_duplicate(cleaned: dict) -> None:
    raise Invalid.one(
        "start",
        "duplicate",
        f"There is already a {cleaned['label']} span on exactly this text.",
    )


def _get_span(annotation: Annotation, span_id) -> Span:
    try:
        return Span.objects.get(annotation=annotation, pk=int(span_id))
    except (Span.DoesNotExist, TypeError, ValueError):
        raise Invalid.one("span", "not_found", "No such span in this annotation.") from None


def do_update_span(
    annotation: Annotation,
    actor,
    span_id,
    changes: dict[str, Any],
    *,
    version: object,
    via: str = "",
) -> Result:
    """Change a span's label, boundaries or attributes (any subset)."""
    marker = via_marker(via)
    check_version(annotation, version)
    check_open(annotation)
    span = _get_span(annotation, span_id)
    before = span_snapshot(span)
    cleaned = check_span(annotation, _merged(span, changes))
    _check_not_duplicate(annotation, cleaned, excluding=span.pk)
    if cleaned["label"] != span.label:
        _check_relations_still_allowed(annotation, span, cleaned["label"])
    edited = any(getattr(span, field) != value for field, value in cleaned.items())
    for field, value in cleaned.items():
        setattr(span, field, value)
    if annotation.is_gold:
        if "provenance" in changes:
            span.provenance = changes["provenance"]
        elif edited and span.provenance in (Provenance.UNANIMOUS, Provenance.MAJORITY):
            # Changed after it was accepted, by a caller that does not work provenance out
            # (labels.review does): the span is the reviewer's decision now.
            span.provenance = Provenance.ADJUDICATED
        if "agreed_by" in changes:
            span.agreed_by = changes["agreed_by"]
    span.save()
    bump_and_record(
        annotation,
        actor,
        HistoryAction.SPAN_UPDATED,
        span.pk,
        before,
        span_snapshot(span) | marker,
    )
    return Result(annotation, span, created=False)


def _merged(span: Span, changes: dict[str, Any]) -> dict[str, Any]:
    """The span's fields with the edit's ``changes`` (any subset) applied, to be checked; new
    boundaries must come with their text."""
    merged = {
        "label": changes.get("label", span.label),
        "start": changes.get("start", span.start),
        "end": changes.get("end", span.end),
        "attrs": changes.get("attrs", span.attrs),
    }
    if "start" in changes or "end" in changes:
        merged["text"] = changes.get("text")
    return merged


def _check_relations_still_allowed(annotation: Annotation, span: Span, new_label: str) -> None:
    touching = Relation.objects.filter(Q(source=span) | Q(target=span), annotation=annotation)
    _check_relations_allow(
        annotation,
        span.pk,
        new_label,
        touching.values_list("label", "source_id", "source__label", "target__label", "attrs"),
    )


def _check_relations_allow(annotation: Annotation, span_id: int, new_label: str, rows) -> None:
    """Whether the relations touching the span (``rows``: label, source id, the labels of
    source and target, attrs) still fit the schema once the span is relabelled ``new_label``."""
    schema = annotation.article.project.schema
    for label, source_id, source_label, target_label, attrs in rows:
        if source_id == span_id:
            source_label = new_label
        else:
            target_label = new_label
        schema_mod.check_relation(schema, label, source_label, target_label, attrs)


def try_update_span_at_once(
    annotation: Annotation, actor, span_id, changes: dict[str, Any], *, version: object, via=""
) -> Result | None:
    """``do_update_span`` for an analyst's edit of their draft, in two statements and no
    transaction of its own: the span and the relations touching it read, the edit checked here,
    then one statement (``lock_cte``) that writes it only if the annotation is still as
    ``access.access_annotation`` read it (unlocked) and no other span holds the new place. None,
    with nothing written, whenever that is not the whole answer — a check refuses, another
    write came first, gold (whose provenance ``do_update_span`` works out) — and the caller
    then makes the edit in ``do_update_span``'s way, which answers exactly."""
    if annotation.is_gold:
        return None
    try:
        marker = via_marker(via)
        check_version(annotation, version)
        check_open(annotation)
    except (Invalid, Stale, Closed):
        return None
    found = _span_and_relations(annotation, span_id)
    if found is None:
        return None
    span, touching, _ = found
    before = span_snapshot(span)
    try:
        cleaned = check_span(annotation, _merged(span, changes))
        if cleaned["label"] != span.label:
            rows = [
                (r["label"], r["from"], r["from_label"], r["to_label"], r["attrs"])
                for r in touching
            ]
            _check_relations_allow(annotation, span.pk, cleaned["label"], rows)
    except Invalid:
        return None
    for field, value in cleaned.items():
        setattr(span, field, value)
    if not _write_span_update(annotation, actor, span, before, marker):
        return None
    return Result(annotation, span, created=False)


def _span_and_relations(
    annotation: Annotation, span_id, refs: Sequence[tuple[str, str]] = ()
) -> tuple[Span, list[dict[str, Any]], list[dict[str, Any]]] | None:
    """The span ``span_id`` of ``annotation``, the relations touching it (their snapshots, with
    the labels of their two ends) and — ``refs``, (relation label, attribute name) pairs — the
    relations whose span-valued attributes name it (id and attrs): one query. None when the
    annotation has no such span."""
    try:
        span_id = int(span_id)
    except (TypeError, ValueError):
        return None
    if not 0 < span_id < 2**63:
        return None
    spans, relations = rawsql.table(Span), rawsql.table(Relation)
    sql = (
        f"SELECT {rawsql.select_list(Span, 's')}, "
        "(SELECT coalesce(json_agg(json_build_object('id', x.id, 'label', x.label, "
        "  'from', x.source_id, 'to', x.target_id, 'attrs', x.attrs, "
        "  'from_label', f.label, 'to_label', t.label) ORDER BY x.id), '[]')::text "
        f"  FROM {relations} x JOIN {spans} f ON f.id = x.source_id "
        f"  JOIN {spans} t ON t.id = x.target_id "
        "  WHERE x.annotation_id = s.annotation_id AND (x.source_id = s.id OR x.target_id = s.id)), "
        "(SELECT coalesce(json_agg(json_build_object('id', x.id, 'attrs', x.attrs) "
        "  ORDER BY x.id), '[]')::text "
        f"  FROM {relations} x WHERE x.annotation_id = s.annotation_id AND EXISTS ("
        "    SELECT 1 FROM unnest(%s::text[], %s::text[]) k(label, name) "
        "    WHERE k.label = x.label AND x.attrs -> k.name = to_jsonb(s.id))) "
        f"FROM {spans} s WHERE s.id = %s AND s.annotation_id = %s"
    )
    params = [[label for label, _ in refs], [name for _, name in refs], span_id, annotation.pk]
    with rawsql.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return None
    width = rawsql.width(Span)
    span = rawsql.from_row(Span, row)
    return span, json.loads(row[width]), json.loads(row[width + 1])


def _write_span_update(
    annotation: Annotation, actor, span: Span, before: dict[str, Any], marker: dict
) -> bool:
    """Save ``span``'s label, offsets, text and attrs, raise the version and append the history
    event in one statement that locks the annotation (``lock_cte``) — False, with nothing
    written, when it changed since it was read or another span holds the new place."""
    lock = lock_cte(annotation, actor)
    span_set, span_params = rawsql.update_values(
        span, ["label", "start", "end", "text", "attrs", "updated_at"]
    )
    spans = rawsql.table(Span)
    update = (
        f"w AS (UPDATE {spans} SET {span_set} WHERE id = %s AND annotation_id = %s "
        "  AND EXISTS (SELECT 1 FROM l) "
        f"  AND NOT EXISTS (SELECT 1 FROM {spans} d WHERE d.annotation_id = %s AND d.label = %s "
        '    AND d.start = %s AND d."end" = %s AND d.id <> %s) RETURNING id)'
    )
    params = span_params + [span.pk, annotation.pk]
    params += [annotation.pk, span.label, span.start, span.end, span.pk]
    after = span_snapshot(span) | marker
    return bump_and_record(
        annotation,
        actor,
        HistoryAction.SPAN_UPDATED,
        span.pk,
        before,
        after,
        lock=lock,
        writes=(update, params),
    )


def do_delete_span(
    annotation: Annotation, actor, span_id, *, version: object, via: str = ""
) -> Result:
    """Delete a span and the relations that touch it; the history keeps both for restoring."""
    marker = via_marker(via)
    check_version(annotation, version)
    check_open(annotation)
    span = _get_span(annotation, span_id)
    relations = list(
        Relation.objects.filter(annotation=annotation, source=span)
        | Relation.objects.filter(annotation=annotation, target=span)
    )
    before = span_snapshot(span) | {"relations": [relation_snapshot(r) for r in relations]}
    _drop_references_to(annotation, span.pk)
    _delete_rows(spans=[span.pk], relations=[r.pk for r in relations])
    bump_and_record(
        annotation, actor, HistoryAction.SPAN_DELETED, before["id"], before, marker or None
    )
    return Result(annotation, None, created=False)


def try_delete_span_at_once(
    annotation: Annotation, actor, span_id, *, version: object, via: str = ""
) -> Result | None:
    """``do_delete_span`` in two statements and no transaction of its own: the span, the
    relations touching it and those naming it in a span-valued attribute read, then one
    statement (``lock_cte``) that — only if the annotation is still as
    ``access.access_annotation`` read it (unlocked) — deletes the span, its relations and the
    review's rejections of them, drops the references, raises the version and appends the
    history event. None, with nothing written, whenever that is not the whole answer, and the
    caller then deletes in ``do_delete_span``'s way, which answers exactly."""
    try:
        marker = via_marker(via)
        check_version(annotation, version)
        check_open(annotation)
    except (Invalid, Stale, Closed):
        return None
    schema = annotation.article.project.schema
    refs = [
        (relation_type["name"], name)
        for relation_type in schema.get("relations", [])
        for name in schema_mod.span_ref_names(schema, relation_type["name"])
    ]
    found = _span_and_relations(annotation, span_id, refs)
    if found is None:
        return None
    span, touching, naming = found
    relations = [{key: r[key] for key in RELATION_SNAPSHOT} for r in touching]
    before = span_snapshot(span) | {"relations": relations}
    gone = {r["id"] for r in relations}
    names = {name for _, name in refs}
    # Relations that lose an attribute naming the span (those deleted with it aside).
    kept = {
        r["id"]: {k: v for k, v in r["attrs"].items() if not (k in names and v == span.pk)}
        for r in naming
        if r["id"] not in gone
    }
    if not _write_span_delete(annotation, actor, span, sorted(gone), kept, before, marker):
        return None
    return Result(annotation, None, created=False)


def _write_span_delete(
    annotation: Annotation,
    actor,
    span: Span,
    relations: list[int],
    kept: dict[int, dict],
    before: dict[str, Any],
    marker: dict,
) -> bool:
    """``try_delete_span_at_once``'s statement: False, with nothing written, when the
    annotation changed since it was read."""
    relation_table = rawsql.table(Relation)
    delete = (
        f"w AS (DELETE FROM {rawsql.table(Span)} WHERE id = %s AND annotation_id = %s "
        "  AND EXISTS (SELECT 1 FROM l) RETURNING id), "
        f"x AS (UPDATE {relation_table} SET attrs = %s::jsonb -> id::text "
        "  WHERE id = ANY(%s) AND EXISTS (SELECT 1 FROM w)), "
        f"j AS (DELETE FROM {rawsql.table(ReviewRejection)} "
        "  WHERE (span_id = %s OR relation_id = ANY(%s)) AND EXISTS (SELECT 1 FROM w)), "
        f"r AS (DELETE FROM {relation_table} WHERE id = ANY(%s) AND EXISTS (SELECT 1 FROM w))"
    )
    params: list[Any] = [span.pk, annotation.pk]
    params += [json.dumps({str(k): v for k, v in kept.items()}), list(kept)]
    params += [span.pk, relations, relations]
    return bump_and_record(
        annotation,
        actor,
        HistoryAction.SPAN_DELETED,
        span.pk,
        before,
        marker or None,
        lock=lock_cte(annotation, actor),
        writes=(delete, params),
    )


def _drop_references_to(annotation: Annotation, span_id: int) -> None:
    """Relations whose span-valued attribute (attributed_to's ``cue``) names the span being
    deleted lose that attribute, so no relation ever points at a span that is gone."""
    schema = annotation.article.project.schema
    for relation_type in schema.get("relations", []):
        for name in schema_mod.span_ref_names(schema, relation_type["name"]):
            for relation in Relation.objects.filter(
                annotation=annotation, label=relation_type["name"], **{f"attrs__{name}": span_id}
            ):
                relation.attrs = {k: v for k, v in relation.attrs.items() if k != name}
                relation.save(update_fields=["attrs"])


def do_restore_span(
    annotation: Annotation, actor, event: HistoryEvent, *, version: object
) -> Result:
    """Bring back a deleted span (and those of its relations whose other end still exists)."""
    if event.annotation_id != annotation.pk or event.action != HistoryAction.SPAN_DELETED:
        raise Invalid.one(
            "event", "not_restorable", "Only a deleted span of this annotation can be restored."
        )
    check_version(annotation, version)
    check_open(annotation)
    before = event.before or {}
    data = {k: before[k] for k in ("label", "start", "end", "text", "attrs")}
    cleaned = check_span(annotation, data)
    span = Span(
        annotation=annotation,
        origin=before.get("origin", Origin.MANUAL),
        provenance=before.get("provenance", ""),
        created_by=actor,
        **cleaned,
    )
    if not _insert_span(
        annotation,
        actor,
        span,
        action=HistoryAction.SPAN_RESTORED,
        event_before={"restored_from_event": event.pk},
    ):
        _refuse_duplicate(cleaned)
    old_id = before["id"]
    for rel in before.get("relations", []):
        other = rel["to"] if rel["from"] == old_id else rel["from"]
        if not Span.objects.filter(annotation=annotation, pk=other).exists():
            continue
        Relation.objects.create(
            annotation=annotation,
            label=rel["label"],
            source_id=span.pk if rel["from"] == old_id else other,
            target_id=span.pk if rel["to"] == old_id else other,
            attrs=rel.get("attrs") or {},
            created_by=actor,
        )
    return Result(annotation, span)
