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

from django.db import transaction

from labels import schema as schema_mod
from labels.annotation import relations as relations_mod
from labels.annotation import spans as spans_mod
from labels.annotation import versions
from labels.errors import Invalid
from labels.models import Annotation, Origin, RejectedSuggestion, Relation, Span
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
) -> AcceptAll:
    """Accept every suggested span (with ``min_confidence``: every one at least that confident;
    one without a confidence then counts as below it), then every suggested relation whose two
    ends are spans afterwards. An item the checks refuse is skipped and reported; the rest
    stand. One transaction, one savepoint per item."""
    versions.check_version(annotation, version)
    versions.check_open(annotation)

    def confident(item: dict) -> bool:
        if min_confidence is None:
            return True
        return item["confidence"] is not None and item["confidence"] >= min_confidence

    out = AcceptAll(annotation, [], [], [], [])
    for item in current["spans"]:
        if not confident(item):
            continue
        try:
            with transaction.atomic():
                result = do_accept_suggestion(
                    annotation, actor, current, item["key"], version=annotation.version
                )
        except Invalid as exc:
            out.skipped.append({"key": item["key"], "errors": _errors(exc)})
            continue
        out.spans.append(result.obj)
    span_ids = _span_ids(annotation)
    schema = annotation.article.project.schema
    for rel in current["relations"]:
        if not confident(rel) or rel["from"] not in span_ids or rel["to"] not in span_ids:
            continue
        try:
            with transaction.atomic():
                result = relations_mod.do_add_relation(
                    annotation,
                    actor,
                    _relation_data(rel, span_ids, schema),
                    version=annotation.version,
                )
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
        out.relations.append(result.obj)
    return out


def do_reject_suggestion(annotation: Annotation, label: str, start: int, end: int) -> bool:
    """Record that the annotation's analyst does not want ``label`` on ``[start, end)``; it is not
    suggested to them again. Idempotent (True when newly recorded). The annotation's version does
    not change: a rejection is not part of the annotation, and must not make other saves stale."""
    versions.check_open(annotation)
    if schema_mod.span_label(annotation.article.project.schema, label) is None:
        raise Invalid.one("label", "unknown_label", f"{label} is not a span label of this project.")
    check_span_offsets(annotation.article.text, start, end, None)
    _, created = RejectedSuggestion.objects.get_or_create(
        annotation=annotation, label=label, start=start, end=end
    )
    return created
