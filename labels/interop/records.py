"""The export's one generator of records: layers read in chunks, one dict per article and layer.

Every writer in ``labels.interop.formats`` consumes these records; the reading goes to the export
database alias (a replica where one is configured).
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Generator, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.db import connections, transaction
from django.db.models import Exists, OuterRef, Q, TextField
from django.db.models.functions import Cast

from labels import jsonio
from labels import schema as schema_mod
from labels.errors import ExportError
from labels.models import (
    FINISHED,
    Annotation,
    Article,
    Project,
    Relation,
    SchemaVersion,
    Span,
)

CHUNK_SIZE = 500
LAYERS = ("gold", "annotators", "all")
DEFAULT_STATUSES = tuple(status.value for status in FINISHED)
SPLIT_NAMES = {2: ("train", "test"), 3: ("train", "dev", "test")}
PARAMETERS = ("format", "layer", "status", "labels", "since", "split", "lang")
DEFAULT_LANG = "xx"
_LANG = re.compile(r"\A[a-z]{2,3}\Z")


@dataclass(frozen=True)
class ExportOptions:
    format: str = "native"
    layer: str = "gold"
    statuses: tuple[str, ...] = DEFAULT_STATUSES
    labels: tuple[str, ...] | None = None
    since: datetime | None = None
    split: tuple[tuple[str, float], ...] | None = None  # (name, upper bound), ascending
    lang: str = DEFAULT_LANG


@dataclass
class Context:
    """What a writer needs besides the records."""

    project: Project
    options: ExportOptions
    labels: list[str]  # span labels, in schema order: the columns of the token formats
    schemas: list[dict]  # every schema version of the project, newest first
    started_at: datetime
    tokenizer: Any = None
    # Span-typed attributes per span label / relation type (their values are span ids).
    span_refs_by_label: dict[str, set[str]] = field(default_factory=dict)
    span_refs_by_relation: dict[str, set[str]] = field(default_factory=dict)
    # Things a format could not express, counted while writing (e.g. "bio_overlap").
    counts: dict[str, int] = field(default_factory=dict)


# ---------------------------------------------------------------------------------------------
# Records


def annotation_filter(options: ExportOptions, prefix: str = "") -> Q:
    """The annotations ``options`` ask for; ``prefix`` reaches them from another model."""
    q = Q(**{f"{prefix}status__in": options.statuses})
    if options.layer == "gold":
        q &= Q(**{f"{prefix}is_gold": True})
    elif options.layer == "annotators":
        q &= Q(**{f"{prefix}is_gold": False})
    if options.since is not None:
        q &= Q(**{f"{prefix}updated_at__gte": options.since})
    return q


def _as_text(column: str) -> Cast:
    return Cast(column, output_field=TextField())


@contextmanager
def _snapshot(alias: str):
    """One read-only REPEATABLE READ transaction on ``alias``, unless the caller already opened
    one (tests, or a caller that wants the export inside its own transaction)."""
    connection = connections[alias]
    if connection.in_atomic_block:
        yield
        return
    with transaction.atomic(using=alias):
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield


def _iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _map_span_refs(attrs: dict, names: set[str], ids: dict[int, str]) -> dict:
    """Span-valued attributes → exported span ids; a reference to a span that is not in the
    record (filtered out by ``labels``, or deleted) is left out."""
    if not names or not attrs:
        return attrs
    mapped = dict(attrs)
    for name in names & attrs.keys():
        try:
            target = ids.get(int(mapped[name]))
        except (TypeError, ValueError):
            target = None
        if target is None:
            del mapped[name]
        else:
            mapped[name] = target
    return mapped


def iter_records(
    project: Project,
    options: ExportOptions,
    *,
    chunk_size: int = CHUNK_SIZE,
    schemas: list[dict] | None = None,
) -> Generator[dict[str, Any], None, None]:
    """The native records of ``project`` that match ``options``, ordered by article (import
    order) and, within an article, gold first and then the analysts by username.

    Each record's ``incomplete`` lists its spans that lack a required attribute of the current
    schema (``{"span": "s3", "label": "Quote", "missing": ["quote_type"]}``): imported from a
    tool that has no such attribute, or made required after they were marked."""
    schemas = schemas if schemas is not None else _project_schemas(project)
    span_refs = schema_mod.span_valued_names(schemas)
    # The read replica when one is configured (annotator/settings.py, DATABASE_REPLICA_URL).
    alias = export_database_alias()
    articles = (
        Article.objects.using(alias)
        .filter(project=project)
        .filter(
            Exists(Annotation.objects.filter(annotation_filter(options), article=OuterRef("pk")))
        )
        .order_by("id")
        .annotate(meta_json=_as_text("meta"))
        .values_list("id", "external_id", "title", "text", "text_sha256", "meta_json")
    )
    with _snapshot(alias):
        batch: list[tuple] = []
        for row in articles.iterator(chunk_size=chunk_size):
            batch.append(row)
            if len(batch) >= chunk_size:
                yield from _chunk_records(project, options, batch, span_refs, alias, schemas[0])
                batch = []
        if batch:
            yield from _chunk_records(project, options, batch, span_refs, alias, schemas[0])


def _chunk_records(
    project: Project,
    options: ExportOptions,
    articles: list[tuple],
    span_refs: tuple[dict[str, set[str]], dict[str, set[str]]],
    alias: str,
    schema: dict,
) -> Iterator[dict[str, Any]]:
    """The records of one chunk of articles (ascending ids). Each query selects by the chunk's
    id range inside the project rather than by a list of ids, which PostgreSQL serves from the
    same indexes and Python does not have to quote."""
    span_refs_by_label, span_refs_by_relation = span_refs
    low, high = articles[0][0], articles[-1][0]
    chunk = Q(article__project_id=project.pk, article__id__range=(low, high))
    via = Q(
        annotation__article__project_id=project.pk,
        annotation__article__id__range=(low, high),
    ) & annotation_filter(options, "annotation__")
    annotations = list(
        Annotation.objects.using(alias)
        .filter(chunk, annotation_filter(options))
        .order_by("article_id", "-is_gold", "annotator__username", "id")
        .values_list(
            "id",
            "article_id",
            "is_gold",
            "annotator__username",
            "reviewer__username",
            "status",
            "schema_version",
            "updated_at",
        )
    )
    spans_of: dict[int, list[tuple]] = defaultdict(list)
    span_rows = Span.objects.using(alias).filter(via)
    if options.labels is not None:
        span_rows = span_rows.filter(label__in=options.labels)
    for span in (
        span_rows.order_by("annotation_id", "start", "end", "id")
        .annotate(attrs_json=_as_text("attrs"))
        .values_list(
            "annotation_id",
            "id",
            "label",
            "start",
            "end",
            "text",
            "attrs_json",
            "origin",
            "provenance",
        )
    ):
        spans_of[span[0]].append(span)
    relations_of: dict[int, list[tuple]] = defaultdict(list)
    for relation in (
        Relation.objects.using(alias)
        .filter(via)
        .order_by("annotation_id", "id")
        .annotate(attrs_json=_as_text("attrs"))
        .values_list("annotation_id", "label", "source_id", "target_id", "attrs_json")
    ):
        relations_of[relation[0]].append(relation)
    analysts_of: dict[int, list[str]] = defaultdict(list)
    if options.layer != "annotators":
        for article_id, username in (
            Annotation.objects.using(alias)
            .filter(
                chunk,
                is_gold=False,
                status__in=FINISHED,
            )
            .order_by("article_id", "annotator__username")
            .values_list("article_id", "annotator__username")
        ):
            analysts_of[article_id].append(username)

    by_article: dict[int, list[tuple]] = defaultdict(list)
    for annotation in annotations:
        by_article[annotation[1]].append(annotation)
    schema_id = project.schema.get("id")
    slug = project.slug
    for article_id, external_id, title, text, sha256, meta_json in articles:
        meta = jsonio.loads_column(meta_json)
        split = split_of(slug, external_id, options.split) if options.split else None
        if title and "title" not in meta:
            meta = {**meta, "title": title}
        for ann_id, _, is_gold, username, reviewer, status, schema_version, updated in by_article[
            article_id
        ]:
            layer = "gold" if is_gold else username
            ids: dict[int, str] = {}
            spans_out = []
            incomplete = []
            for _, span_id, label, start, end, span_text, attrs, origin, provenance in spans_of[
                ann_id
            ]:
                if text[start:end] != span_text:
                    raise ExportError(
                        f"Article {external_id!r} ({layer} layer): span {span_id} ({label} "
                        f"[{start}, {end})) holds the text {span_text[:60]!r}, but the article "
                        f"has {text[start:end][:60]!r} there. Nothing after this point was "
                        "exported; repair the span before exporting again."
                    )
                ids[span_id] = f"s{len(ids) + 1}"
                out = {
                    "id": ids[span_id],
                    "label": label,
                    "start": start,
                    "end": end,
                    "text": span_text,
                    "attrs": jsonio.loads_column(attrs),
                    "origin": origin,
                }
                if is_gold:
                    out["provenance"] = provenance
                spans_out.append(out)
                missing = schema_mod.missing_attributes(schema, label, out["attrs"])
                if missing:
                    incomplete.append({"span": out["id"], "label": label, "missing": missing})
            if span_refs_by_label:
                for out in spans_out:
                    out["attrs"] = _map_span_refs(
                        out["attrs"], span_refs_by_label.get(out["label"], set()), ids
                    )
            relations_out: list[dict[str, Any]] = []
            for _, label, source_id, target_id, attrs in relations_of[ann_id]:
                if source_id not in ids or target_id not in ids:
                    continue  # an end was filtered out by ``labels``
                relations_out.append(
                    {
                        "id": f"r{len(relations_out) + 1}",
                        "label": label,
                        "from": ids[source_id],
                        "to": ids[target_id],
                        "attrs": _map_span_refs(
                            jsonio.loads_column(attrs), span_refs_by_relation.get(label, set()), ids
                        ),
                    }
                )
            yield {
                "schema": {"id": schema_id, "version": schema_version},
                "id": external_id,
                "project": slug,
                "title": title,
                "text": text,
                "meta": meta,
                "offsets": {
                    "unit": "codepoint",
                    "normalization": "NFC,LF",
                    "text_sha256": sha256,
                },
                "layer": layer,
                "annotation": {
                    "annotators": analysts_of.get(article_id, []) if is_gold else [username],
                    "reviewer": reviewer,
                    "status": status,
                    "updated_at": _iso(updated),
                },
                "spans": spans_out,
                "relations": relations_out,
                "incomplete": incomplete,
                "split": split,
            }


def export_database_alias() -> str:
    """``"replica"`` when a read replica is configured, else ``"default"``."""
    return "replica" if "replica" in settings.DATABASES else "default"


def split_of(project_slug: str, external_id: str, split: Sequence[tuple[str, float]]) -> str:
    """The part an article belongs to; see the module docstring."""
    digest = hashlib.sha256(f"{project_slug}:{external_id}".encode()).digest()
    position = int.from_bytes(digest[:8], "big") / 2**64
    for name, upper in split:
        if position < upper:
            return name
    return split[-1][0]


def _project_schemas(project: Project) -> list[dict]:
    older = [
        s
        for s in SchemaVersion.objects.filter(project=project)
        .order_by("-version")
        .values_list("schema", flat=True)
    ]
    return [project.schema, *older]
