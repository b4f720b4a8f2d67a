"""Dataset export: one generator of records, shared by the command, the API and the page.

``prepare_export(project, params)`` checks every parameter (raising ``Invalid`` naming the bad
one, before a single byte is sent) and returns an ``Export``: iterate it for the bytes of the
chosen format (writers in ``labels.export_formats``). Every format is written from the same
records, ``iter_records``: one per article and layer, in DESIGN.md §5's native form.

How the records are read (constant memory, a constant number of queries per chunk):

- Everything runs in one read-only REPEATABLE READ transaction, so an export is one consistent
  snapshot even while analysts keep saving; on the read replica when one is configured
  (``labels.routing.export_database_alias``).
- Articles stream through a server-side cursor (``.iterator(chunk_size=…)``; inside a
  transaction Django declares it without HOLD, so PostgreSQL produces rows as they are fetched
  instead of materialising the whole result first).
- Per chunk of ``CHUNK_SIZE`` articles: one query for their annotations (with annotator and
  reviewer names), one for the spans, one for the relations, and one for the analysts behind
  each gold layer when gold is exported. Rows are read as tuples, never as model instances.

Every span's text is compared with ``text[start:end]`` before its record is handed to a writer;
a mismatch (a corrupted row) raises ``ExportError`` naming the article and the span, so an export
never contains a wrong line. Writers that re-express offsets (tokens, brat fragments) check their
own result again.

The train/dev/test split is a pure function of the project slug and the article's id:
``sha256("slug:external-id")``, its first 8 bytes read as a big-endian integer and divided by
2**64, gives a number in [0, 1) that falls into one of the ratio intervals. The same article
lands in the same part in every export, in every format and for every layer.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import orjson
from django.db import connections, transaction
from django.db.models import Exists, OuterRef, Q, TextField
from django.db.models.functions import Cast
from django.utils import timezone

from labels.errors import Invalid, Problem
from labels.models import (
    Annotation,
    AnnotationStatus,
    Article,
    Project,
    Relation,
    SchemaVersion,
    Span,
)
from labels.routing import export_database_alias

CHUNK_SIZE = 500
LAYERS = ("gold", "annotators", "all")
DEFAULT_STATUSES = (AnnotationStatus.SUBMITTED.value, AnnotationStatus.REVIEWED.value)
SPLIT_NAMES = {2: ("train", "test"), 3: ("train", "dev", "test")}
PARAMETERS = ("format", "layer", "status", "labels", "since", "split", "lang")
DEFAULT_LANG = "xx"
_LANG = re.compile(r"\A[a-z]{2,3}\Z")


class ExportError(Exception):
    """The stored data breaks an invariant the export guarantees (a span whose text is not the
    article's text at its offsets). Raised instead of writing a wrong line."""


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
# Parameters


def _values(params: Mapping[str, Any], name: str, *, commas: bool = True) -> list[str]:
    """All non-empty values of a parameter (given once, repeated, or as a list); with
    ``commas`` a value may itself be a comma-separated list."""
    raw = params.get(name)
    items = raw if isinstance(raw, list | tuple) else ([] if raw is None else [raw])
    out: list[str] = []
    for item in items:
        if not isinstance(item, str):
            raise Invalid.one(name, "invalid_type", f"{name} must be text.")
        parts = item.split(",") if commas else [item]
        out.extend(part.strip() for part in parts if part.strip())
    return out


def _single(params: Mapping[str, Any], name: str, *, commas: bool = True) -> str | None:
    values = _values(params, name, commas=commas)
    if len(values) > 1:
        raise Invalid.one(name, "multiple_values", f"Give {name} once.")
    return values[0] if values else None


def parse_since(value: str) -> datetime:
    """An ISO 8601 date or date-time; without a time zone it is read as UTC."""
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        try:
            parsed = datetime.combine(date.fromisoformat(value), datetime.min.time())
        except ValueError:
            raise Invalid.one(
                "since",
                "invalid",
                f"“{value[:40]}” is not an ISO 8601 date or date-time "
                "(e.g. 2026-11-27 or 2026-11-27T10:00:00Z).",
            ) from None
    if timezone.is_naive(parsed):
        parsed = parsed.replace(tzinfo=UTC)
    return parsed


def parse_split(value: str) -> tuple[tuple[str, float], ...]:
    """``80,10,10`` → train/dev/test, ``90,10`` → train/test; ratios are relative weights."""
    parts = [p.strip() for p in value.split(",")]
    problem = Invalid.one(
        "split",
        "invalid",
        f"“{value[:40]}” is not a split: give two or three non-negative numbers separated by "
        "commas, e.g. 80,10,10 (train, dev, test) or 90,10 (train, test).",
    )
    if len(parts) not in SPLIT_NAMES:
        raise problem
    try:
        weights = [float(p) for p in parts]
    except ValueError:
        raise problem from None
    if any(not (w >= 0) or w == float("inf") for w in weights) or sum(weights) <= 0:
        raise problem
    total = sum(weights)
    bounds, running = [], 0.0
    for name, weight in zip(SPLIT_NAMES[len(weights)], weights, strict=True):
        running += weight
        bounds.append((name, running / total))
    # The last interval always reaches 1, whatever the rounding.
    bounds[-1] = (bounds[-1][0], 1.0)
    return tuple(bounds)


def split_of(project_slug: str, external_id: str, split: Sequence[tuple[str, float]]) -> str:
    """The part an article belongs to; see the module docstring."""
    digest = hashlib.sha256(f"{project_slug}:{external_id}".encode()).digest()
    position = int.from_bytes(digest[:8], "big") / 2**64
    for name, upper in split:
        if position < upper:
            return name
    return split[-1][0]


def all_labels(schemas: list[dict]) -> list[str]:
    """Span label names of every schema version, the current ones first, in schema order."""
    names: dict[str, None] = {}
    for schema in schemas:
        for label in schema.get("span_labels", []):
            names.setdefault(label["name"], None)
    return list(names)


def _project_schemas(project: Project) -> list[dict]:
    older = [
        s
        for s in SchemaVersion.objects.filter(project=project)
        .order_by("-version")
        .values_list("schema", flat=True)
    ]
    return [project.schema, *older]


def check_export_params(project: Project, params: Mapping[str, Any]) -> ExportOptions:
    """Turn request or command parameters into ExportOptions; ``Invalid`` names every bad one.

    ``params`` maps names to a string or a list of strings (a QueryDict's lists): ``format``,
    ``layer``, ``status`` (repeated or comma-separated), ``labels`` (likewise), ``since``,
    ``split``, ``lang``.
    """
    from labels.export_formats import WRITERS

    problems: list[Problem] = []
    unknown = [name for name in params if name not in PARAMETERS]
    for name in unknown:
        problems.append(
            Problem(
                name,
                "unknown_parameter",
                f"“{str(name)[:40]}” is not an export parameter; they are {', '.join(PARAMETERS)}.",
            )
        )
    values: dict[str, Any] = {}

    def attempt(name: str, fn):
        try:
            values[name] = fn()
        except Invalid as exc:
            problems.extend(exc.problems)

    def check_format():
        fmt = _single(params, "format") or "native"
        if fmt not in WRITERS:
            raise Invalid.one(
                "format", "invalid_choice", f"format must be one of {', '.join(WRITERS)}."
            )
        return fmt

    def check_layer():
        layer = _single(params, "layer") or "gold"
        if layer not in LAYERS:
            raise Invalid.one(
                "layer", "invalid_choice", f"layer must be one of {', '.join(LAYERS)}."
            )
        return layer

    def check_status():
        statuses = _values(params, "status")
        bad = [s for s in statuses if s not in AnnotationStatus.values]
        if bad:
            raise Invalid.one(
                "status",
                "invalid_choice",
                f"“{bad[0][:40]}” is not a status; statuses are "
                f"{', '.join(AnnotationStatus.values)}.",
            )
        return tuple(dict.fromkeys(statuses)) or DEFAULT_STATUSES

    schemas = _project_schemas(project)
    known_labels = all_labels(schemas)

    def check_labels():
        labels = _values(params, "labels")
        bad = [label for label in labels if label not in known_labels]
        if bad:
            raise Invalid.one(
                "labels",
                "unknown_label",
                f"“{bad[0][:40]}” is not a span label of this project; the labels are "
                f"{', '.join(known_labels)}.",
            )
        return tuple(dict.fromkeys(labels)) or None

    def check_since():
        value = _single(params, "since")
        return parse_since(value) if value else None

    def check_split():
        value = _single(params, "split", commas=False)
        return parse_split(value) if value else None

    def check_lang():
        value = _single(params, "lang") or DEFAULT_LANG
        if not _LANG.match(value):
            raise Invalid.one(
                "lang", "invalid", "lang must be a spaCy language code such as en, fr or xx."
            )
        return value

    for name, fn in (
        ("format", check_format),
        ("layer", check_layer),
        ("status", check_status),
        ("labels", check_labels),
        ("since", check_since),
        ("split", check_split),
        ("lang", check_lang),
    ):
        attempt(name, fn)
    if problems:
        raise Invalid(problems)
    return ExportOptions(
        format=values["format"],
        layer=values["layer"],
        statuses=values["status"],
        labels=values["labels"],
        since=values["since"],
        split=values["split"],
        lang=values["lang"],
    )


# ---------------------------------------------------------------------------------------------
# Records


def _annotation_filter(options: ExportOptions, prefix: str = "") -> Q:
    """The annotations ``options`` ask for; ``prefix`` reaches them from another model."""
    q = Q(**{f"{prefix}status__in": options.statuses})
    if options.layer == "gold":
        q &= Q(**{f"{prefix}is_gold": True})
    elif options.layer == "annotators":
        q &= Q(**{f"{prefix}is_gold": False})
    if options.since is not None:
        q &= Q(**{f"{prefix}updated_at__gte": options.since})
    return q


def _loads(raw: str | None) -> Any:
    """A JSON column read as text (``Cast``): decoding it here with orjson is several times
    faster than Django's converter, and most attributes are ``{}``."""
    if raw is None:
        return None
    if raw == "{}":
        return {}
    return orjson.loads(raw)


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


def _span_valued(schemas: list[dict]) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """Names of ``span``-typed attributes per span label and per relation type, over every
    schema version: their stored values are span primary keys, exported as span ids."""
    by_label: dict[str, set[str]] = defaultdict(set)
    by_relation: dict[str, set[str]] = defaultdict(set)
    for schema in schemas:
        for label in schema.get("span_labels", []):
            for attribute in label.get("attributes", []):
                if attribute.get("type") == "span":
                    by_label[label["name"]].add(attribute["name"])
        for relation in schema.get("relations", []):
            for attribute in relation.get("attributes", []):
                if attribute.get("type") == "span":
                    by_relation[relation["name"]].add(attribute["name"])
    return by_label, by_relation


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
) -> Iterator[dict[str, Any]]:
    """The native records of ``project`` that match ``options``, ordered by article (import
    order) and, within an article, gold first and then the analysts by username."""
    schemas = schemas if schemas is not None else _project_schemas(project)
    span_refs = _span_valued(schemas)
    # The read replica when one is configured (annotator/settings.py, DATABASE_REPLICA_URL).
    alias = export_database_alias()
    articles = (
        Article.objects.using(alias)
        .filter(project=project)
        .filter(
            Exists(Annotation.objects.filter(_annotation_filter(options), article=OuterRef("pk")))
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
                yield from _chunk_records(project, options, batch, span_refs, alias)
                batch = []
        if batch:
            yield from _chunk_records(project, options, batch, span_refs, alias)


def _chunk_records(
    project: Project,
    options: ExportOptions,
    articles: list[tuple],
    span_refs: tuple[dict[str, set[str]], dict[str, set[str]]],
    alias: str,
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
    ) & _annotation_filter(options, "annotation__")
    annotations = list(
        Annotation.objects.using(alias)
        .filter(chunk, _annotation_filter(options))
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
                status__in=[AnnotationStatus.SUBMITTED, AnnotationStatus.REVIEWED],
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
        meta = _loads(meta_json)
        split = split_of(slug, external_id, options.split) if options.split else None
        if title and "title" not in meta:
            meta = {**meta, "title": title}
        for ann_id, _, is_gold, username, reviewer, status, schema_version, updated in by_article[
            article_id
        ]:
            layer = "gold" if is_gold else username
            ids: dict[int, str] = {}
            spans_out = []
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
                    "attrs": _loads(attrs),
                    "origin": origin,
                }
                if is_gold:
                    out["provenance"] = provenance
                spans_out.append(out)
            if span_refs_by_label:
                for out in spans_out:
                    out["attrs"] = _map_span_refs(
                        out["attrs"], span_refs_by_label.get(out["label"], set()), ids
                    )
            relations_out = []
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
                            _loads(attrs), span_refs_by_relation.get(label, set()), ids
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
                "split": split,
            }


# ---------------------------------------------------------------------------------------------
# A prepared export


@dataclass
class Export:
    """A checked export, ready to stream. Iterating it runs the queries."""

    context: Context
    content_type: str
    filename: str
    _writer: Any
    chunk_size: int = CHUNK_SIZE

    def __iter__(self) -> Iterator[bytes]:
        records = iter_records(
            self.context.project,
            self.context.options,
            chunk_size=self.chunk_size,
            schemas=self.context.schemas,
        )
        with closing(records):
            yield from self._writer(records, self.context)


def prepare_export(project: Project, params: Mapping[str, Any]) -> Export:
    """Check ``params`` (see ``check_export_params``) and load what the format needs (the spaCy
    tokenizer for token formats), so that every problem is reported before streaming starts."""
    from labels.export_formats import WRITERS, load_tokenizer

    options = check_export_params(project, params)
    spec = WRITERS[options.format]
    schemas = _project_schemas(project)
    labels = list(options.labels) if options.labels else all_labels(schemas)
    started = timezone.now()
    by_label, by_relation = _span_valued(schemas)
    context = Context(
        project=project,
        options=options,
        labels=labels,
        schemas=schemas,
        started_at=started,
        tokenizer=load_tokenizer(options.lang) if spec.tokenized else None,
        span_refs_by_label=by_label,
        span_refs_by_relation=by_relation,
    )
    stamp = started.strftime("%Y%m%d-%H%M%S")
    return Export(
        context=context,
        content_type=spec.content_type,
        filename=f"{project.slug}-{options.layer}-{options.format}-{stamp}.{spec.extension}",
        _writer=spec.write,
    )
