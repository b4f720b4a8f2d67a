"""What an analyst does with suggestions: accept one (an ordinary span with origin "suggested"
and ``origin_detail`` {rule, confidence, source}), accept a suggested relation, accept all, reject.

Each function takes ``current``, the suggestions shown on the annotation
(``labels.suggestions.proposals.suggestions_for``), computed BEFORE the annotation is locked: an HTTP
suggester may take seconds, and no row lock is held meanwhile. Each expects the annotation locked
FOR UPDATE by the caller's transaction, and writes through ``labels.annotation.spans`` (version check, 409,
history), so the same rules hold as for spans drawn by hand.

Accepting a span never creates relations by itself; a suggested relation is accepted on its own
once both its ends are spans (``do_accept_relation``), or by ``do_accept_all``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from django.db import connection

from labels import jsonio, rawsql
from labels import schema as schema_mod
from labels.annotation import relations as relations_mod
from labels.annotation import spans as spans_mod
from labels.annotation import versions
from labels.errors import Invalid
from labels.models import (
    Annotation,
    HistoryAction,
    HistoryEvent,
    Origin,
    RejectedSuggestion,
    Relation,
    Span,
)
from labels.schema.lookups import span_ref_names
from labels.suggestions.proposals import suggestion_key
from labels.text import check_span_offsets


def _origin_detail(item: dict) -> dict[str, Any]:
    return {"rule": item["rule"], "confidence": item["confidence"], "source": item["source"]}


def _existing_by_client_id(annotation: Annotation, client_id: uuid.UUID | None) -> Span | None:
    if client_id is None:
        return None
    return Span.objects.filter(annotation=annotation, client_id=client_id).first()


def do_accept_suggestion(
    annotation: Annotation,
    actor,
    current: dict[str, Any],
    key: str,
    *,
    version: object,
    attrs: dict | None = None,
    client_id: uuid.UUID | None = None,
) -> versions.Result:
    """Turn the suggestion ``key`` of ``current`` (``suggestions_for``) into a span with origin
    "suggested". ``attrs`` are merged over the suggested ones (null removes one). A retry with
    the same ``client_id`` returns the span already made."""
    existing = _existing_by_client_id(annotation, client_id)
    if existing is not None:
        return versions.Result(annotation, existing, created=False)
    item = next((s for s in current["spans"] if s["key"] == key), None)
    if item is None:
        raise Invalid.one("key", "not_suggested", f"{key} is not among the current suggestions.")
    data = {
        "label": item["label"],
        "start": item["start"],
        "end": item["end"],
        "text": item["text"],
        "attrs": {**item["attrs"], **(attrs or {})},
        "client_id": client_id,
    }
    return spans_mod.do_add_span(
        annotation,
        actor,
        data,
        version=version,
        origin=Origin.SUGGESTED,
        origin_detail=_origin_detail(item),
    )


def _relation_data(rel: dict, span_ids: dict[str, int], schema: dict) -> dict[str, Any]:
    """A suggested relation with its ends and span-valued attributes turned into span ids; a
    span-valued attribute whose span was not accepted is left out."""
    refs = span_ref_names(schema, rel["label"])
    attrs = {}
    for name, value in rel["attrs"].items():
        if name not in refs:
            attrs[name] = value
        elif value in span_ids:
            attrs[name] = span_ids[value]
    return {
        "label": rel["label"],
        "from": span_ids[rel["from"]],
        "to": span_ids[rel["to"]],
        "attrs": attrs,
    }


def do_accept_relation(
    annotation: Annotation,
    actor,
    current: dict[str, Any],
    label: str,
    source: str,
    target: str,
    *,
    version: object,
    client_id: uuid.UUID | None = None,
) -> versions.Result:
    """Create the suggested relation ``label`` from ``source`` to ``target`` (keys), once both
    ends are spans of the annotation. A retry with the same ``client_id`` returns the relation
    already made."""
    if client_id is not None:
        existing = Relation.objects.filter(annotation=annotation, client_id=client_id).first()
        if existing is not None:
            return versions.Result(annotation, existing, created=False)
    rel = next(
        (
            r
            for r in current["relations"]
            if (r["label"], r["from"], r["to"]) == (label, source, target)
        ),
        None,
    )
    if rel is None:
        raise Invalid.one("label", "not_suggested", "This relation is not among the suggestions.")
    span_ids = _span_ids(annotation)
    for end, key in (("from", source), ("to", target)):
        if key not in span_ids:
            raise Invalid.one(end, "not_accepted", f"Accept {key} first; it is not a span yet.")
    data = _relation_data(rel, span_ids, annotation.article.project.schema)
    data["client_id"] = client_id
    return relations_mod.do_add_relation(annotation, actor, data, version=version)


def _span_ids(annotation: Annotation) -> dict[str, int]:
    return {
        suggestion_key(label, start, end): pk
        for pk, label, start, end in Span.objects.filter(annotation=annotation).values_list(
            "pk", "label", "start", "end"
        )
    }


@dataclass
class AcceptAll:
    annotation: Annotation
    spans: list[Span]
    relations: list[Relation]
    skipped: list[dict[str, Any]]
    skipped_relations: list[dict[str, Any]]


def _errors(exc: Invalid) -> list[dict[str, str]]:
    return [p.as_dict() for p in exc.problems]


def do_accept_all(
    annotation: Annotation,
    actor,
    current: dict[str, Any],
    *,
    version: object,
    min_confidence: float | None = None,
    keys: list[str] | None = None,
    relations: list[tuple[str, str, str]] | None = None,
) -> AcceptAll:
    """Accept every suggested span (with ``min_confidence``: every one at least that confident;
    one without a confidence then counts as below it), then every suggested relation whose two
    ends are spans afterwards. With ``keys``, only those suggestions; with ``relations``
    (``(label, from key, to key)``), only those relations — one attribution at once, say. An
    item the checks refuse (or no longer suggested) is skipped and reported; the rest stand.

    Every item is checked first, then written in bulk: one INSERT of the spans, one of the
    relations, one of their history events (one per item, each at its own version, as if
    accepted one by one) and one UPDATE of the annotation, whatever their number — a thousand
    suggestions take one request of a few statements. Expects ``annotation`` locked."""
    versions.check_version(annotation, version)
    versions.check_open(annotation)
    schema = annotation.article.project.schema
    out = AcceptAll(annotation, [], [], [], [])

    def confident(item: dict) -> bool:
        if min_confidence is None:
            return True
        return item["confidence"] is not None and item["confidence"] >= min_confidence

    labels: dict[int, str] = {}
    span_ids: dict[str, int] = {}
    for pk, label, start, end in Span.objects.filter(annotation=annotation).values_list(
        "pk", "label", "start", "end"
    ):
        span_ids[suggestion_key(label, start, end)] = pk
        labels[pk] = label
    wanted = None if keys is None else set(keys)
    if wanted is not None:
        offered = {item["key"] for item in current["spans"]}
        for key in keys or []:
            if key not in offered and key not in span_ids:
                problem = Invalid.one(
                    "key", "not_suggested", f"{key} is not among the current suggestions."
                )
                out.skipped.append({"key": key, "errors": _errors(problem)})
    new_spans: list[Span] = []
    taken: set[str] = set()
    actor_user = actor if getattr(actor, "is_authenticated", False) else None
    for item in current["spans"]:
        if (wanted is not None and item["key"] not in wanted) or not confident(item):
            continue
        try:
            if item["key"] in span_ids or item["key"] in taken:
                spans_mod._refuse_duplicate(item)
            cleaned = spans_mod.check_span(
                annotation,
                {k: item[k] for k in ("label", "start", "end", "text")}
                | {"attrs": dict(item["attrs"])},
            )
        except Invalid as exc:
            out.skipped.append({"key": item["key"], "errors": _errors(exc)})
            continue
        taken.add(item["key"])
        new_spans.append(
            Span(
                annotation=annotation,
                origin=Origin.SUGGESTED,
                origin_detail=_origin_detail(item),
                created_by=actor_user,
                **cleaned,
            )
        )
    _insert_spans(annotation, actor_user, new_spans)
    for new in new_spans:
        span_ids[suggestion_key(new.label, new.start, new.end)] = new.pk
        labels[new.pk] = new.label
    out.spans = new_spans

    chosen = None if relations is None else set(relations)
    linked = set(
        Relation.objects.filter(annotation=annotation).values_list(
            "label", "source_id", "target_id"
        )
    )
    new_relations: list[Relation] = []
    for rel in current["relations"]:
        if chosen is not None and (rel["label"], rel["from"], rel["to"]) not in chosen:
            continue
        if not confident(rel) or rel["from"] not in span_ids or rel["to"] not in span_ids:
            continue
        data = _relation_data(rel, span_ids, schema)
        try:
            attrs = _check_relation(schema, data, labels, linked)
        except Invalid as exc:
            out.skipped_relations.append(
                {
                    "label": rel["label"],
                    "from": rel["from"],
                    "to": rel["to"],
                    "errors": _errors(exc),
                }
            )
            continue
        linked.add((data["label"], data["from"], data["to"]))
        new_relations.append(
            Relation(
                annotation=annotation,
                label=data["label"],
                source_id=data["from"],
                target_id=data["to"],
                attrs=attrs,
                created_by=actor_user,
            )
        )
    Relation.objects.bulk_create(new_relations)
    out.relations = new_relations
    _record_accepted(annotation, actor, new_spans, new_relations)
    return out


def _check_relation(
    schema: dict, data: dict[str, Any], labels: dict[int, str], linked: set[tuple]
) -> dict[str, Any]:
    """``relations_mod.do_add_relation``'s checks on spans known by id → label (no query per
    relation); the cleaned attributes."""
    label, source, target = data["label"], data["from"], data["to"]
    if source == target:
        raise Invalid.one("to", "self_relation", "A relation needs two different spans.")
    attrs = schema_mod.check_relation(schema, label, labels[source], labels[target], data["attrs"])
    for attribute in schema_mod.span_ref_attributes(schema, label):
        ref = attrs.get(attribute["name"])
        if ref in (None, ""):
            continue
        allowed = attribute.get("labels") or []
        if ref not in labels or (allowed and labels[ref] not in allowed):
            raise Invalid.one(
                f"attrs.{attribute['name']}",
                "invalid_label",
                f"{attribute['name']} must point at a {' or '.join(allowed)} span.",
            )
    if (label, source, target) in linked:
        raise Invalid.one("to", "duplicate", f"These two spans are already linked by {label}.")
    return attrs


def _next_ids(model, count: int) -> list[int]:
    """``count`` ids from the sequence of ``model``'s table, in one statement."""
    with rawsql.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [model._meta.db_table, count],
        )
        return [row[0] for row in cursor.fetchall()]


def _insert_spans(annotation: Annotation, actor, spans: list[Span]) -> None:
    """INSERT ``spans`` (unsaved, of ``annotation``, origin "suggested") in one statement, their
    rows as one JSON parameter: a thousand spans are a few milliseconds of the database, where
    preparing each value for Django's bulk_create took most of a second. Sets each ``pk``."""
    if not spans:
        return
    for span, pk in zip(spans, _next_ids(Span, len(spans)), strict=True):
        span.pk = pk
    rows = [
        {
            "id": s.pk,
            "label": s.label,
            "start": s.start,
            "end": s.end,
            "text": s.text,
            "attrs": s.attrs,
            "origin_detail": s.origin_detail,
        }
        for s in spans
    ]
    sql = (
        f'INSERT INTO {rawsql.table(Span)} (id, annotation_id, label, start, "end", text, attrs, '
        "origin, origin_detail, client_id, provenance, agreed_by, created_by_id, created_at, "
        "updated_at) "
        'SELECT r.id, %s, r.label, r.start, r."end", r.text, r.attrs, %s, r.origin_detail, '
        "NULL, '', '[]'::jsonb, %s, now(), now() "
        "FROM jsonb_to_recordset(%s::jsonb) AS r(id bigint, label text, start integer, "
        '"end" integer, text text, attrs jsonb, origin_detail jsonb)'
    )
    with rawsql.cursor() as cursor:
        cursor.execute(
            sql,
            [annotation.pk, Origin.SUGGESTED, getattr(actor, "pk", None), jsonio.dumps(rows)],
        )
    for span in spans:
        span._state.adding, span._state.db = False, connection.alias


def _insert_events(events: list[HistoryEvent]) -> None:
    """INSERT the history ``events`` in one statement (as ``_insert_spans``)."""
    rows = [
        {
            "annotation_id": e.annotation_id,
            "actor_id": e.actor_id,
            "action": e.action,
            "object_id": e.object_id,
            "annotation_version": e.annotation_version,
            "before": e.before,
            "after": e.after,
        }
        for e in events
    ]
    sql = (
        f"INSERT INTO {rawsql.table(HistoryEvent)} (annotation_id, actor_id, at, action, "
        "object_id, annotation_version, before, after) "
        "SELECT r.annotation_id, r.actor_id, now(), r.action, r.object_id, "
        "r.annotation_version, r.before, r.after "
        "FROM jsonb_to_recordset(%s::jsonb) AS r(annotation_id bigint, actor_id bigint, "
        "action text, object_id bigint, annotation_version integer, before jsonb, after jsonb)"
    )
    with rawsql.cursor() as cursor:
        cursor.execute(sql, [jsonio.dumps(rows)])


def _record_accepted(
    annotation: Annotation, actor, new_spans: list[Span], new_relations: list[Relation]
) -> None:
    """The history of a bulk accept: one event per span and relation, each raising the version
    by one as a single accept would; then the annotation saved at the last of them."""
    count = len(new_spans) + len(new_relations)
    if not count:
        return
    events = []
    first = annotation.version
    changes = [(HistoryAction.SPAN_CREATED, s.pk, versions.span_snapshot(s)) for s in new_spans]
    changes += [
        (HistoryAction.RELATION_CREATED, r.pk, versions.relation_snapshot(r)) for r in new_relations
    ]
    for n, (action, pk, after) in enumerate(changes, start=1):
        annotation.version = first + n
        events.append(versions.history_event(annotation, actor, action, pk, None, after))
    _insert_events(events)
    annotation.version = first + count - 1
    annotation.save(update_fields=versions._bumped(annotation))


def do_reject_suggestion(
    annotation: Annotation, label: str, start: int, end: int, current: dict | None = None
) -> bool:
    """Record that the annotation's analyst does not want ``label`` on ``[start, end)``; it is not
    suggested to them again. Idempotent (True when newly recorded). The annotation's version does
    not change: a rejection is not part of the annotation, and must not make other saves stale.
    With ``current`` (``suggestions_for``), the suggester and rule that proposed it are kept
    with it, for the acceptance rates and the training (``labels.suggestions.feedback``)."""
    versions.check_open(annotation)
    if schema_mod.span_label(annotation.article.project.schema, label) is None:
        raise Invalid.one("label", "unknown_label", f"{label} is not a span label of this project.")
    check_span_offsets(annotation.article.text, start, end, None)
    key = suggestion_key(label, start, end)
    item = next((s for s in (current or {}).get("spans", []) if s["key"] == key), None)
    _, created = RejectedSuggestion.objects.get_or_create(
        annotation=annotation,
        label=label,
        start=start,
        end=end,
        defaults={"source": item["source"], "rule": item["rule"][:100]} if item else {},
    )
    return created
