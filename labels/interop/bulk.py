"""The PostgreSQL bulk path of the import: ``COPY``, id blocks, bulk key checks.

The one sanctioned bypass of the write kernel (``labels.annotation``): an import writes many
layers at once, so it inserts rows itself, inside the import's transaction, and records the
history the kernel would have recorded.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from contextlib import contextmanager

import psycopg
from django.contrib.auth import get_user_model
from django.db import IntegrityError, ProgrammingError, connection, transaction
from psycopg import sql

from labels import jsonio
from labels import schema as schema_mod
from labels.errors import Invalid
from labels.interop.checking import GOLD, Checked, ImportReport, _check_record
from labels.interop.reading import Record
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


@contextmanager
def _references_locked_in_bulk(project, existing: dict, layer: _LayerWriter | None):
    """Checks the foreign keys of the rows the import COPYs with one statement per parent
    table, instead of PostgreSQL's one query per row and key (190,000 for 10,000 articles with
    their spans: a seventh of PostgreSQL's time in an import, docs/performance.md).

    Inside, ``session_replication_role`` is ``replica`` for the transaction: PostgreSQL fires
    no row triggers, so neither its foreign-key checks. What they would check holds anyway:

    - rows that refer to rows of this import (an annotation to its new article, a span to its
      annotation, a relation to its spans, a history event to its annotation) are made with
      the ids they refer to, in this transaction, and a relation's ends are spans of its own
      annotation (``_check_relation``);
    - rows that refer to rows from before (the project, the layer's user, the actor, articles
      that already existed) are locked here ``FOR KEY SHARE``, as the checks would have locked
      them, so none can be deleted before the import commits; one that is already gone raises
      IntegrityError, as the check would have;
    - the drafts that get the spans are updated (so locked) before their spans are written.

    Unique and CHECK constraints are not triggers and still hold every row. When the role may
    not change the setting (PostgreSQL allows superusers, or roles granted ``SET`` on it), the
    row-by-row checks run as before. The setting goes back to what it was before anything else
    writes; on an error, or a rollback asked for, the transaction and with it the setting are
    rolled back."""
    try:
        # A savepoint: a refusal must not abort the import's transaction.
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('session_replication_role')")
            (previous,) = cursor.fetchone()
            cursor.execute("SET LOCAL session_replication_role = replica")
    except ProgrammingError as exc:
        if not isinstance(exc.__cause__, psycopg.errors.InsufficientPrivilege):
            raise
        yield
        return
    users = (
        set() if layer is None else {i for i in (layer.user_id, layer.actor_id) if i is not None}
    )
    articles = [] if layer is None else sorted(article.pk for article in existing.values())
    with connection.cursor() as cursor:
        for table, ids in (
            (Project._meta.db_table, [project.pk]),
            (get_user_model()._meta.db_table, sorted(users)),
            (Article._meta.db_table, articles),
        ):
            if not ids:
                continue
            cursor.execute(
                f"SELECT id FROM {connection.ops.quote_name(table)} WHERE id = ANY(%s) "
                "ORDER BY id FOR KEY SHARE",
                [ids],
            )
            gone = set(ids) - {row[0] for row in cursor.fetchall()}
            if gone:
                raise IntegrityError(
                    f"{table} {', '.join(map(str, sorted(gone)))} was deleted while the import "
                    "ran; nothing was written."
                )
    yield
    if not transaction.get_rollback():
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('session_replication_role', %s, true)", [previous])


def _check_and_write_articles(
    project,
    raw: list,
    existing: dict,
    resolved,
    partial: bool,
    report: ImportReport,
    layer: _LayerWriter | None,
    now,
    infer_attrs: bool = False,
) -> list[Checked]:
    """Check every record, and COPY each new article as soon as it passes, so that PostgreSQL
    stores it while the next ones are checked here, on the other core (the search index is
    built afterwards, ``interop.search_index``). Once a record fails, rows stop going out unless
    ``partial``; the caller then rolls the transaction back. Returns the good records, each
    with its article's pk in ``article_id``; ``layer`` builds the rows of their spans on the
    way."""
    schema = project.schema
    good: list[Checked] = []
    seen: dict[str, str] = {}
    ignored_spans = 0
    with connection.cursor() as django_cursor:
        cursor = django_cursor.cursor  # psycopg's own cursor, for COPY
        # Enough ids for every record that may be new; the ones left over are never used
        # (sequences have gaps anyway), and none can be taken while the COPY is open.
        fresh = iter(_next_ids(cursor, Article, len(raw) - len(existing)))
        # An article created by a concurrent import in the meantime makes this COPY hit
        # labels_article_unique_external_id, which rolls the whole import back: never a duplicate.
        with _copy_rows(
            cursor,
            Article,
            ["id", "project", "external_id", "title", "text", "text_sha256", "meta", "created_at"],
        ) as copy:
            for index, item in enumerate(raw):
                raw[index] = None  # the checked record replaces it
                if isinstance(item, str):
                    report.errors.append(item)
                    continue
                try:
                    # Spans may lack required attributes: moving in from a tool that has
                    # none is never blocked. They are incomplete (counted in the report), and
                    # Submit and Mark reviewed ask for the values.
                    record = _check_record(
                        item, schema, require_attrs=False, infer_attrs=infer_attrs
                    )
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
                article = existing.get(record.external_id)
                if article is not None:
                    if article.text_sha256 != record.canonical.sha256:
                        report.errors.append(
                            f"{record.source}: an article with id {record.external_id!r} already exists with a different text"
                        )
                        continue
                    record.article_id = article.pk
                else:
                    record.article_id = next(fresh)
                    if partial or not report.errors:
                        copy.write_row(
                            (
                                record.article_id,
                                project.pk,
                                record.external_id,
                                record.title,
                                record.canonical.text,
                                record.canonical.sha256,
                                json.dumps(record.meta),  # as Django writes it (orjson: NaN)
                                now,
                            )
                        )
                if resolved is None:
                    ignored_spans += len(record.spans)
                elif layer is not None and (partial or not report.errors):
                    layer.add(record, report)
                good.append(record)
    if ignored_spans:
        report.notes.append(
            f"{ignored_spans} span(s) in the input were not imported: choose a layer "
            "(gold, suggestions or an annotator) to import them."
        )
    report.created = sum(1 for r in good if r.external_id not in existing)
    report.unchanged = len(good) - report.created
    return good


class _LayerWriter:
    """Puts the records' spans and relations into an annotator's layer or gold.

    Everything that needs the database before the rows can be built is asked first (the
    existing articles that already have the layer, or a draft in it; ids for the new
    annotations and spans), so that ``add`` builds each record's rows while the articles'
    COPY is still being stored, and ``write`` only sends them.
    """

    def __init__(self, cursor, project, resolved, existing: dict, raw: list, actor, now):
        self.is_gold, self.user = resolved
        self.user_id = None if self.user is None else self.user.pk
        self.schema, self.now = project.schema, now
        self.schema_version = project.schema_version
        self.actor_id = actor.pk if getattr(actor, "is_authenticated", False) else None
        self.layer_name = GOLD if self.is_gold else self.user.username
        if self.user is not None:
            Membership.objects.get_or_create(
                project=project, user=self.user, defaults={"role": Role.ANNOTATOR}
            )
        # Only an article that existed before this import can already have the layer or a draft.
        self.has_layer: set[int] = set()
        self.drafts: dict[int, Annotation] = {}
        existed = [a.pk for a in existing.values()]
        if existed:
            layer = (
                {"is_gold": True} if self.is_gold else {"annotator": self.user, "is_gold": False}
            )
            mine = Annotation.objects.filter(article_id__in=existed, **layer)
            self.has_layer = set(
                mine.exclude(spans__isnull=True).values_list("article_id", flat=True)
            )
            self.drafts = {a.article_id: a for a in mine}
        # Enough ids for every record and every span that may come; leftovers are never used.
        records = [r for r in raw if isinstance(r, Record)]
        spans = sum(len(r.spans) for r in records if isinstance(r.spans, list))
        self.fresh_annotations = iter(_next_ids(cursor, Annotation, len(records)))
        self.fresh_spans = iter(_next_ids(cursor, Span, spans))
        self.new_annotations: list[tuple] = []  # rows in _ANNOTATION_COLUMNS' order
        self.updated: list[Annotation] = []
        # Spans and relations as lines of COPY's text format, made here rather than by psycopg
        # in ``write``: ``add`` runs while PostgreSQL is busy with the articles, so this costs
        # no time (formatting 100,000 spans in ``write`` took 0.8 s).
        self.now_text = now.isoformat()
        self.span_rows: list[str] = []
        self.relation_rows: list[str] = []
        self.history_rows: list[tuple] = []

    def add(self, record: Checked, report: ImportReport) -> None:
        if not record.spans:
            return
        if record.article_id in self.has_layer:
            report.skipped.append(
                f"{record.source}: {record.external_id!r} already has a {self.layer_name} layer; its spans were skipped"
            )
            return
        assert record.article_id is not None  # the caller stored or found the article first
        report.count_spans(record.spans)
        report.typed_relations += record.typed_relations
        draft = self.drafts.get(record.article_id)
        status = AnnotationStatus.REVIEWED if self.is_gold else AnnotationStatus.SUBMITTED
        if draft is None:
            # A row, not a model instance: building 10,000 instances took a second.
            annotation_id, version = next(self.fresh_annotations), 1
            self.new_annotations.append(
                (annotation_id, record.article_id, self.is_gold, self.user_id, None, status)
                + (version, self.schema_version, "", "", None, None, self.now, self.now, self.now)
            )
        else:
            draft.status, draft.submitted_at = status, self.now
            draft.lease_expires_at = None
            draft.version += 1
            self.updated.append(draft)
            annotation_id, version = draft.pk, draft.version
        span_ids = {}
        now, gold, origin = self.now_text, self.is_gold, Origin.IMPORTED.value
        lines = self.span_rows
        for s in record.spans:
            span_ids[s["id"]] = pk = next(self.fresh_spans)
            provenance = _escape(s["provenance"]) if gold else ""
            lines.append(
                f"{pk}\t{annotation_id}\t{_escape(s['label'])}\t{s['start']}\t{s['end']}\t"
                f"{_escape(s['text'])}\t{_escape(jsonio.dumps(s['attrs']))}\t{origin}\t{{}}\t"
                f"{provenance}\t[]\t{now}\t{now}\n"
            )
        for rel in record.relations:
            # Span attributes (a quote's ``cue``) name the span's pk.
            attrs = dict(rel["attrs"])
            for attribute in schema_mod.span_ref_attributes(self.schema, rel["label"]):
                if attrs.get(attribute["name"]) not in (None, ""):
                    attrs[attribute["name"]] = span_ids[str(attrs[attribute["name"]])]
            self.relation_rows.append(
                f"{annotation_id}\t{_escape(rel['label'])}\t{span_ids[rel['from']]}\t"
                f"{span_ids[rel['to']]}\t{_escape(jsonio.dumps(attrs))}\t{now}\n"
            )
        summary = {
            "spans": len(record.spans),
            "relations": len(record.relations),
            "source": record.source,
        }
        self.history_rows.append(
            (
                annotation_id,
                self.actor_id,
                self.now,
                HistoryAction.IMPORTED,
                version,
                jsonio.dumps(summary),
            )
        )

    def write(self, report: ImportReport) -> None:
        with connection.cursor() as django_cursor:
            cursor = django_cursor.cursor  # psycopg's own cursor, for COPY
            # Every column given: the database has no defaults of its own (Django keeps them).
            _copy(cursor, Annotation, _ANNOTATION_COLUMNS, self.new_annotations)
        for annotation in self.updated:
            annotation.save(
                update_fields=[
                    "status",
                    "submitted_at",
                    "lease_expires_at",
                    "version",
                    "updated_at",
                ]
            )
        with connection.cursor() as django_cursor:
            cursor = django_cursor.cursor
            _copy_lines(
                cursor,
                Span,
                ["id", "annotation", "label", "start", "end", "text", "attrs", "origin"]
                + ["origin_detail", "provenance", "agreed_by", "created_at", "updated_at"],
                self.span_rows,
            )
            _copy_lines(
                cursor,
                Relation,
                ["annotation", "label", "source", "target", "attrs", "created_at"],
                self.relation_rows,
            )
            _copy(
                cursor,
                HistoryEvent,
                ["annotation", "actor", "at", "action", "annotation_version", "after"],
                self.history_rows,
            )
        report.layers_added = len(self.history_rows)
        report.spans = len(self.span_rows)
        report.relations = len(self.relation_rows)


def _next_ids(cursor, model, count: int) -> list[int]:
    """``count`` ids from the sequence of ``model``'s table. The sequence is named once: with
    ``pg_get_serial_sequence`` in the per-row call, 100,000 ids took 0.7 s instead of 0.06."""
    if not count:
        return []
    with connection.wrap_database_errors:
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [model._meta.db_table])
        (sequence,) = cursor.fetchone()
        cursor.execute(
            "SELECT array_agg(nextval(%s::regclass)) FROM generate_series(1, %s)",
            [sequence, count],
        )
        (ids,) = cursor.fetchone()
    return ids


def _copy(cursor, model, fields: list[str], rows: Iterable[tuple]) -> None:
    """COPY ``rows`` (tuples in the order of ``fields``, model field names) into ``model``'s
    table (see ``_copy_rows``)."""
    with _copy_rows(cursor, model, fields) as copy:
        for row in rows:
            copy.write_row(row)


@contextmanager
def _copy_rows(cursor, model, fields: list[str]):
    """An open COPY into ``model``'s table for rows in the order of ``fields`` (model field
    names), through psycopg's own cursor: no model instances and no per-value preparation by
    Django, which were most of an import's time (docs/performance.md). Columns left out are
    NULL or their database default. Constraints, foreign keys and triggers check every row as
    they do an INSERT's, and the rows belong to the caller's transaction. JSON columns take
    JSON text (``jsonio.dumps``), timestamps aware datetimes. Nothing else may use the connection
    until the block ends."""
    columns = [model._meta.get_field(name).column for name in fields]
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(model._meta.db_table), sql.SQL(", ").join(map(sql.Identifier, columns))
    )
    with connection.wrap_database_errors, cursor.copy(statement) as copy:
        yield copy


_ANNOTATION_COLUMNS = (
    ["id", "article", "is_gold", "annotator", "reviewer", "status", "version"]
    + ["schema_version", "skip_reason", "review_comment", "assigned_by", "lease_expires_at"]
    + ["created_at", "updated_at", "submitted_at"]
)


def _copy_lines(cursor, model, fields: list[str], lines: list[str]) -> None:
    """COPY lines already in COPY's text format (``_escape`` for text values)."""
    with _copy_rows(cursor, model, fields) as copy:
        for start in range(0, len(lines), 2000):
            copy.write("".join(lines[start : start + 2000]))


# COPY's text format gives backslash, newline, carriage return and tab (the column delimiter)
# a special meaning; everything else stands for itself.
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"})


_COPY_SPECIAL = re.compile(r"[\\\n\r\t]")


def _escape(value: str) -> str:
    """``value`` as a text column of a COPY line."""
    return value.translate(_COPY_ESCAPES) if _COPY_SPECIAL.search(value) else value
