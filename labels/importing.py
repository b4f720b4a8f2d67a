"""Importing articles (and their annotations) from files: one path for the command, the API and
the upload form.

Every record of every file is read and checked before anything is written: text (no NUL, not
empty), id, offsets (mapped from the raw text onto the canonical text), labels and attributes
against the project schema, relations. Problems are reported as ``file:line: reason``. Unless the
caller asks for a partial import, one problem means nothing is written; the write itself is one
transaction, so a crash half-way leaves nothing behind either.

Re-importing an id never duplicates an article: with the same text, spans for a layer the article
does not have yet are added (so a second annotator's layer can come later); spans for a layer it
already has are reported and skipped. A different text under the same id is an error.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from labels import schema as schema_mod
from labels.errors import Invalid, Problem
from labels.models import (
    Annotation,
    AnnotationStatus,
    Article,
    HistoryAction,
    HistoryEvent,
    Membership,
    Origin,
    Project,
    Relation,
    Role,
    Span,
)
from labels.text import Canonical, canonicalize, check_article_text, check_span_offsets

MAX_ID_LENGTH = 200
MAX_TITLE_LENGTH = 500
GOLD = "gold"

_DATE_LINE = re.compile(r"\A\s*date\s+(\d{4}-\d{2}-\d{2})[ \t]*\n?[ \t]*")


@dataclass
class Record:
    """One article as read from a file, before any check against the database."""

    source: str  # "file:line" for messages
    external_id: Any
    raw_text: Any
    title: Any = ""
    meta: Any = field(default_factory=dict)
    spans: list[dict[str, Any]] = field(default_factory=list)
    relations: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Checked:
    source: str
    external_id: str
    canonical: Canonical
    title: str
    meta: dict[str, Any]
    spans: list[dict[str, Any]]
    relations: list[dict[str, Any]]


@dataclass
class ImportReport:
    created: int = 0
    unchanged: int = 0
    layers_added: int = 0
    spans: int = 0
    relations: int = 0
    skipped: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    written: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "created": self.created,
            "unchanged": self.unchanged,
            "layers_added": self.layers_added,
            "spans": self.spans,
            "relations": self.relations,
            "skipped": self.skipped,
            "notes": self.notes,
            "errors": self.errors,
            "written": self.written,
        }


class ImportFailed(Exception):
    """The input has errors and nothing was written. ``report.errors`` lists them."""

    def __init__(self, report: ImportReport):
        self.report = report
        super().__init__("\n".join(report.errors))


# ---------------------------------------------------------------------------------------------
# Readers: turn a file into Records (or problems with their line numbers).


def read_native(name: str, stream: IO[bytes]) -> Iterator[Record | str]:
    """Native JSONL (DESIGN.md §5): one JSON object per line with ``id``, ``text`` and optional
    ``title``, ``meta``, ``spans``, ``relations``. Blank lines are ignored."""
    for number, raw_line in enumerate(stream, start=1):
        where = f"{name}:{number}"
        try:
            line = raw_line.decode("utf-8") if isinstance(raw_line, bytes) else raw_line
        except UnicodeDecodeError as exc:
            yield f"{where}: not valid UTF-8 ({exc.reason} at byte {exc.start})"
            continue
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            yield f"{where}: not valid JSON ({exc.msg} at column {exc.colno})"
            continue
        if not isinstance(obj, dict):
            yield f"{where}: each line must be a JSON object"
            continue
        meta = obj.get("meta", {})
        title = obj.get("title", "")
        if title == "" and isinstance(meta, dict) and isinstance(meta.get("title"), str):
            title = meta["title"]
        yield Record(
            source=where,
            external_id=obj.get("id"),
            raw_text=obj.get("text"),
            title=title,
            meta=meta,
            spans=obj.get("spans") or [],
            relations=obj.get("relations") or [],
        )


def read_text(name: str, stream: IO[bytes]) -> Iterator[Record | str]:
    """Plain text: the whole file is one article whose id is the file name without extension.
    A first line ``date YYYY-MM-DD`` becomes ``meta.published`` and is not part of the text."""
    data = stream.read()
    try:
        text = data.decode("utf-8-sig") if isinstance(data, bytes) else data
    except UnicodeDecodeError as exc:
        yield f"{name}:1: not valid UTF-8 ({exc.reason} at byte {exc.start})"
        return
    meta: dict[str, Any] = {}
    match = _DATE_LINE.match(text)
    if match:
        meta["published"] = match.group(1)
        text = text[match.end() :]
    yield Record(
        source=f"{name}:1",
        external_id=Path(name).stem,
        raw_text=text.strip(),
        meta=meta,
    )


READERS = {"native": read_native, "text": read_text}


# ---------------------------------------------------------------------------------------------
# Checks that need no database.


def _check_record(record: Record, schema: dict) -> Checked:
    problems: list[Problem] = []
    external_id = record.external_id
    if isinstance(external_id, int) and not isinstance(external_id, bool):
        external_id = str(external_id)
    if not isinstance(external_id, str) or not external_id.strip():
        raise Invalid.one("id", "required", 'every article needs an "id" (a non-empty string)')
    if len(external_id) > MAX_ID_LENGTH:
        raise Invalid.one("id", "too_long", f"the id is longer than {MAX_ID_LENGTH} characters")
    if "\x00" in external_id:
        raise Invalid.one("id", "nul_character", "the id contains a NUL character")
    if not isinstance(record.raw_text, str):
        raise Invalid.one("text", "required", '"text" must be a string')
    check_article_text(record.raw_text)
    title = record.title if record.title is not None else ""
    if not isinstance(title, str) or len(title) > MAX_TITLE_LENGTH or "\x00" in title:
        raise Invalid.one(
            "title", "invalid", f'"title" must be text of at most {MAX_TITLE_LENGTH} characters'
        )
    if not isinstance(record.meta, dict):
        raise Invalid.one("meta", "invalid_type", '"meta" must be a JSON object')
    if "\x00" in json.dumps(record.meta):
        raise Invalid.one("meta", "nul_character", '"meta" contains a NUL character')
    canonical = canonicalize(record.raw_text)
    if not isinstance(record.spans, list):
        raise Invalid.one("spans", "invalid_type", '"spans" must be a list')
    if not isinstance(record.relations, list):
        raise Invalid.one("relations", "invalid_type", '"relations" must be a list')
    spans: list[dict[str, Any]] = []
    ids: dict[str, dict[str, Any]] = {}
    positions: dict[tuple[str, int, int], int] = {}
    for index, span in enumerate(record.spans):
        try:
            cleaned = _check_span(span, index, canonical, schema, ids)
        except Invalid as exc:
            problems.extend(exc.prefixed(f"spans[{index}]").problems)
            continue
        key = (cleaned["label"], cleaned["start"], cleaned["end"])
        if key in positions:
            problems.append(
                Problem(
                    f"spans[{index}]",
                    "duplicate",
                    f"the same {key[0]} span [{key[1]}, {key[2]}) is already spans[{positions[key]}]",
                )
            )
            continue
        positions[key] = index
        spans.append(cleaned)
    relations: list[dict[str, Any]] = []
    for index, rel in enumerate(record.relations):
        try:
            relations.append(_check_relation(rel, schema, ids))
        except Invalid as exc:
            problems.extend(exc.prefixed(f"relations[{index}]").problems)
    if problems:
        raise Invalid(problems)
    return Checked(
        record.source, external_id, canonical, title.strip(), record.meta, spans, relations
    )


def _check_span(
    span: Any, index: int, canonical: Canonical, schema: dict, ids: dict
) -> dict[str, Any]:
    if not isinstance(span, dict):
        raise Invalid.one("", "invalid_type", "each span must be a JSON object")
    start, end = span.get("start"), span.get("end")
    for name, value in (("start", start), ("end", end)):
        if isinstance(value, bool) or not isinstance(value, int):
            raise Invalid.one(name, "invalid_type", f"{name} must be an integer offset")
    if not 0 <= start < end <= canonical.raw_length:
        raise Invalid.one(
            "end" if start >= 0 else "start",
            "out_of_range",
            f"[{start}, {end}) is not a non-empty range inside the text (length {canonical.raw_length})",
        )
    cstart, cend = canonical.map_span(start, end)
    given = span.get("text")
    if given is not None and not isinstance(given, str):
        raise Invalid.one("text", "invalid_type", "text must be a string")
    if given is not None:
        given = canonicalize(given).text if given else given
    check_span_offsets(canonical.text, cstart, cend, given)
    label = span.get("label")
    if not isinstance(label, str):
        raise Invalid.one("label", "required", 'each span needs a "label"')
    attrs = schema_mod.check_span(schema, label, span.get("attrs") or {})
    span_id = span.get("id", f"#{index}")
    if isinstance(span_id, int) and not isinstance(span_id, bool):
        span_id = str(span_id)
    if not isinstance(span_id, str):
        raise Invalid.one("id", "invalid_type", "a span id must be a string or an integer")
    if span_id in ids:
        raise Invalid.one("id", "duplicate", f"the span id {span_id!r} is used twice")
    cleaned = {
        "id": span_id,
        "label": label,
        "start": cstart,
        "end": cend,
        "text": canonical.text[cstart:cend],
        "attrs": attrs,
        "provenance": span.get("provenance") if span.get("provenance") in _PROVENANCES else "",
    }
    ids[span_id] = cleaned
    return cleaned


def _provenances() -> set[str]:
    from labels.models import Provenance

    return set(Provenance.values)


_PROVENANCES = _provenances()


def _check_relation(rel: Any, schema: dict, ids: dict) -> dict[str, Any]:
    if not isinstance(rel, dict):
        raise Invalid.one("", "invalid_type", "each relation must be a JSON object")
    ends = {}
    for key in ("from", "to"):
        value = rel.get(key)
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if value not in ids:
            raise Invalid.one(
                key, "unknown_span", f"{key!r} names no span of this record ({value!r})"
            )
        ends[key] = ids[value]
    label = rel.get("label")
    if not isinstance(label, str):
        raise Invalid.one("label", "required", 'each relation needs a "label"')
    attrs = schema_mod.check_relation(
        schema, label, ends["from"]["label"], ends["to"]["label"], rel.get("attrs") or {}
    )
    for attribute in schema_mod.relation_attributes(schema, label):
        if attribute["type"] == "span" and attrs.get(attribute["name"]) not in (None, ""):
            ref = str(attrs[attribute["name"]])
            if ref not in ids:
                raise Invalid.one(
                    f"attrs.{attribute['name']}",
                    "unknown_span",
                    f"names no span of this record ({ref!r})",
                )
    if ends["from"]["id"] == ends["to"]["id"]:
        raise Invalid.one("to", "self_relation", "a relation needs two different spans")
    return {"label": label, "from": ends["from"]["id"], "to": ends["to"]["id"], "attrs": attrs}


# ---------------------------------------------------------------------------------------------
# The import itself.


def _resolve_layer(project: Project, layer: str | None, report: ImportReport):
    """Returns (is_gold, user or None). A user who is not a member becomes an annotator."""
    if layer in (None, ""):
        return None
    if layer == GOLD:
        return (True, None)
    user = get_user_model().objects.filter(username=layer).first()
    if user is None:
        raise Invalid.one(
            "layer", "unknown_user", f"no user named {layer!r}; create the account first"
        )
    if not Membership.objects.filter(project=project, user=user).exists():
        report.notes.append(f"{layer} was not a member of {project.slug}; added as annotator.")
    return (False, user)


def do_import(
    project: Project,
    files: Iterable[tuple[str, IO[bytes]]],
    *,
    fmt: str = "native",
    layer: str | None = None,
    partial: bool = False,
    actor=None,
) -> ImportReport:
    """Import ``files`` (name, binary stream) into ``project``. See the module docstring.

    Raises ImportFailed (nothing written) when any record is bad and ``partial`` is false.
    """
    report = ImportReport()
    if fmt not in READERS:
        raise Invalid.one("format", "invalid_choice", f"format must be one of {', '.join(READERS)}")
    resolved = _resolve_layer(project, layer, report)
    schema = project.schema
    checked: list[Checked] = []
    seen: dict[str, str] = {}
    for name, stream in files:
        for item in READERS[fmt](name, stream):
            if isinstance(item, str):
                report.errors.append(item)
                continue
            try:
                record = _check_record(item, schema)
            except Invalid as exc:
                report.errors.extend(
                    f"{item.source}: {p.field + ': ' if p.field else ''}{p.message}"
                    for p in exc.problems
                )
                continue
            if record.external_id in seen:
                report.errors.append(
                    f"{record.source}: the id {record.external_id!r} already appears at {seen[record.external_id]}"
                )
                continue
            seen[record.external_id] = record.source
            checked.append(record)
    existing = _existing_articles(project, [r.external_id for r in checked])
    good: list[Checked] = []
    for record in checked:
        article = existing.get(record.external_id)
        if article is not None and article.text_sha256 != record.canonical.sha256:
            report.errors.append(
                f"{record.source}: an article with id {record.external_id!r} already exists with a different text"
            )
            continue
        good.append(record)
    if report.errors and not partial:
        raise ImportFailed(report)
    if not good:
        return report
    with transaction.atomic():
        _write(project, good, existing, resolved, report, actor)
    report.written = True
    return report


def _existing_articles(project: Project, external_ids: list[str]) -> dict[str, Article]:
    found: dict[str, Article] = {}
    for chunk_start in range(0, len(external_ids), 5000):
        chunk = external_ids[chunk_start : chunk_start + 5000]
        for article in Article.objects.filter(project=project, external_id__in=chunk).only(
            "id", "external_id", "text_sha256"
        ):
            found[article.external_id] = article
    return found


def _write(project, records, existing, resolved, report: ImportReport, actor) -> None:
    new_articles = [
        Article(
            project=project,
            external_id=r.external_id,
            title=r.title,
            text=r.canonical.text,
            text_sha256=r.canonical.sha256,
            meta=r.meta,
        )
        for r in records
        if r.external_id not in existing
    ]
    # An article created by a concurrent import in the meantime makes this bulk insert hit
    # labels_article_unique_external_id, which rolls the whole import back: never a duplicate.
    Article.objects.bulk_create(new_articles, batch_size=2000)
    report.created = len(new_articles)
    report.unchanged = len(records) - len(new_articles)
    articles = {a.external_id: a for a in new_articles} | existing
    if resolved is None:
        return
    is_gold, user = resolved
    if user is not None:
        Membership.objects.get_or_create(
            project=project, user=user, defaults={"role": Role.ANNOTATOR}
        )
    with_spans = [r for r in records if r.spans]
    layer_filter = {"is_gold": True} if is_gold else {"annotator": user, "is_gold": False}
    has_layer = set(
        Annotation.objects.filter(
            article__in=[articles[r.external_id] for r in with_spans], **layer_filter
        )
        .exclude(spans__isnull=True)
        .values_list("article__external_id", flat=True)
    )
    layer_name = GOLD if is_gold else user.username
    now = timezone.now()
    to_fill: list[tuple[Checked, Annotation]] = []
    drafts = {
        a.article_id: a
        for a in Annotation.objects.filter(
            article__in=[articles[r.external_id] for r in with_spans], **layer_filter
        )
    }
    new_annotations = []
    for record in with_spans:
        if record.external_id in has_layer:
            report.skipped.append(
                f"{record.source}: {record.external_id!r} already has a {layer_name} layer; its spans were skipped"
            )
            continue
        article = articles[record.external_id]
        annotation = drafts.get(article.pk)
        if annotation is None:
            annotation = Annotation(
                article=article,
                is_gold=is_gold,
                annotator=user,
                status=AnnotationStatus.REVIEWED if is_gold else AnnotationStatus.SUBMITTED,
                schema_version=project.schema_version,
                submitted_at=now,
            )
            new_annotations.append(annotation)
        to_fill.append((record, annotation))
    Annotation.objects.bulk_create(new_annotations, batch_size=2000)
    for _record, annotation in to_fill:
        if annotation.pk and annotation not in new_annotations:
            annotation.status = AnnotationStatus.REVIEWED if is_gold else AnnotationStatus.SUBMITTED
            annotation.submitted_at = now
            annotation.lease_expires_at = None
            annotation.version += 1
            annotation.save(
                update_fields=[
                    "status",
                    "submitted_at",
                    "lease_expires_at",
                    "version",
                    "updated_at",
                ]
            )
    span_rows: list[Span] = []
    keys: list[tuple[int, str]] = []
    for record, annotation in to_fill:
        for s in record.spans:
            span_rows.append(
                Span(
                    annotation=annotation,
                    label=s["label"],
                    start=s["start"],
                    end=s["end"],
                    text=s["text"],
                    attrs=s["attrs"],
                    origin=Origin.IMPORTED,
                    provenance=s["provenance"] if is_gold else "",
                )
            )
            keys.append((annotation.pk, s["id"]))
    Span.objects.bulk_create(span_rows, batch_size=5000)
    span_ids = {key: span.pk for key, span in zip(keys, span_rows, strict=True)}
    relation_rows: list[Relation] = []
    for record, annotation in to_fill:
        for rel in record.relations:
            attrs = dict(rel["attrs"])
            for attribute in schema_mod.relation_attributes(project.schema, rel["label"]):
                if attribute["type"] == "span" and attrs.get(attribute["name"]) not in (None, ""):
                    attrs[attribute["name"]] = span_ids[
                        (annotation.pk, str(attrs[attribute["name"]]))
                    ]
            relation_rows.append(
                Relation(
                    annotation=annotation,
                    label=rel["label"],
                    source_id=span_ids[(annotation.pk, rel["from"])],
                    target_id=span_ids[(annotation.pk, rel["to"])],
                    attrs=attrs,
                )
            )
    Relation.objects.bulk_create(relation_rows, batch_size=5000)
    HistoryEvent.objects.bulk_create(
        [
            HistoryEvent(
                annotation=annotation,
                actor=actor if getattr(actor, "is_authenticated", False) else None,
                action=HistoryAction.IMPORTED,
                annotation_version=annotation.version,
                after={
                    "spans": len(record.spans),
                    "relations": len(record.relations),
                    "source": record.source,
                },
            )
            for record, annotation in to_fill
        ],
        batch_size=5000,
    )
    report.layers_added = len(to_fill)
    report.spans = len(span_rows)
    report.relations = len(relation_rows)


def do_create_article(
    project: Project, *, external_id: str, raw_text: str, title: str = "", meta=None
) -> Article:
    """Create one article from raw text (canonicalised here). Used by tests and the admin."""
    record = _check_record(
        Record("article", external_id, raw_text, title, meta or {}), project.schema
    )
    return Article.objects.create(
        project=project,
        external_id=record.external_id,
        title=record.title,
        text=record.canonical.text,
        text_sha256=record.canonical.sha256,
        meta=record.meta,
    )
