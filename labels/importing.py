"""Importing articles (and their annotations) from files: one path for the command, the API and
the upload form.

Every record of every file is checked: text (no NUL, not empty), id, offsets (mapped from the
raw text onto the canonical text), labels and attributes against the project schema, relations.
Problems are reported as ``file:line: reason``, in the order of the files. The import is one
transaction: unless the caller asks for a partial import, one problem rolls it back and nothing
is written, and a crash half-way leaves nothing behind either. (Inside that transaction the
articles are sent to PostgreSQL while the next records are being checked, which halves the
time of a large import; see ``_check_and_write_articles``.)

Re-importing an id never duplicates an article: with the same text, spans for a layer the article
does not have yet are added (so a second annotator's layer can come later); spans for a layer it
already has are reported and skipped. A different text under the same id is an error.

The formats' readers are in ``labels.import_formats``. Spans go to the layer the caller names:
``gold``, an annotator's username (a submitted annotation), or ``suggestions`` — one
``SuggestionSet`` (source "import") per article, shown to analysts as proposals, where required
attributes may be missing. Labels that are not in the project's schema are errors naming the
label and the line, never dropped.
"""

from __future__ import annotations

import gc
import json
import re
from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import IO, Any

import orjson
import psycopg
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, ProgrammingError, connection, transaction
from django.utils import timezone
from psycopg import sql

from labels import schema as schema_mod
from labels.errors import Invalid, Problem
from labels.import_formats import (
    IMPORT_FORMATS,
    READERS,
    Note,
    ReadOptions,
    Record,
    read_native,
    read_text,
)
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
    SuggestionSet,
)
from labels.text import (
    Canonical,
    canonical_text,
    canonicalize,
    check_article_text,
    check_span_offsets,
    text_sha256,
)

__all__ = [
    "IMPORT_FORMATS",
    "GOLD",
    "SUGGESTIONS",
    "ImportConflict",
    "ImportFailed",
    "ImportReport",
    "ReadOptions",
    "check_upload_size",
    "do_create_article",
    "do_import",
    "read_native",
    "read_text",
]

MAX_ID_LENGTH = 200
MAX_TITLE_LENGTH = 500
GOLD = "gold"
SUGGESTIONS = "suggestions"
SUGGESTION_SOURCE = "import"


@dataclass
class Checked:
    source: str
    external_id: str
    canonical: Canonical
    title: str
    meta: dict[str, Any]
    spans: list[dict[str, Any]]
    relations: list[dict[str, Any]]
    article_id: int | None = None  # once known: the existing article's, or the new one's


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


class ImportConflict(IntegrityError):
    """The database refused the import because of a change that came in while it ran (an
    article with one of its ids created, or one it adds a layer to deleted). Nothing was
    written; importing again sees the change."""


# ---------------------------------------------------------------------------------------------
# Checks that need no database.


def _given_id(record: Record) -> str | None:
    """The record's own id, checked and stripped; None when the file gives none (the id is
    then derived from the text, ``_derived_id``)."""
    external_id = record.external_id
    if isinstance(external_id, int) and not isinstance(external_id, bool):
        external_id = str(external_id)
    if external_id is None:
        return None
    if not isinstance(external_id, str) or not external_id.strip():
        raise Invalid.one("id", "required", 'every article needs an "id" (a non-empty string)')
    external_id = external_id.strip()
    if len(external_id) > MAX_ID_LENGTH:
        raise Invalid.one("id", "too_long", f"the id is longer than {MAX_ID_LENGTH} characters")
    if "\x00" in external_id:
        raise Invalid.one("id", "nul_character", "the id contains a NUL character")
    return external_id


def _derived_id(sha256: str) -> str:
    return f"text-{sha256[:16]}"


def _article_id_of(record: Record) -> str | None:
    """The article id ``_check_record`` will give ``record``, or None when it will refuse it:
    what the existing articles are looked up by before the records are checked."""
    try:
        given = _given_id(record)
        if given is not None:
            return given
        check_article_text(record.raw_text)
        return _derived_id(text_sha256(canonical_text(record.raw_text)))
    except (Invalid, TypeError):
        return None


def _check_record(record: Record, schema: dict, *, require_attrs: bool = True) -> Checked:
    """Check one record against the text rules and the schema (no database). With
    ``require_attrs`` false, spans may lack required attributes (the suggestions layer)."""
    problems: list[Problem] = []
    external_id = _given_id(record)
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
    if _has_nul(record.meta):
        raise Invalid.one("meta", "nul_character", '"meta" contains a NUL character')
    canonical = canonicalize(record.raw_text)
    if external_id is None:
        external_id = _derived_id(canonical.sha256)
    if not isinstance(record.spans, list):
        raise Invalid.one("spans", "invalid_type", '"spans" must be a list')
    if not isinstance(record.relations, list):
        raise Invalid.one("relations", "invalid_type", '"relations" must be a list')
    spans: list[dict[str, Any]] = []
    ids: dict[str, dict[str, Any]] = {}
    positions: dict[tuple[str, int, int], str] = {}
    for index, span in enumerate(record.spans):
        where = record.span_where[index] if record.span_where else f"spans[{index}]"
        try:
            cleaned = _check_span(span, index, canonical, schema, ids, require_attrs)
        except Invalid as exc:
            problems.extend(exc.prefixed(where).problems)
            continue
        key = (cleaned["label"], cleaned["start"], cleaned["end"])
        if key in positions:
            problems.append(
                Problem(
                    where,
                    "duplicate",
                    f"the same {key[0]} span [{key[1]}, {key[2]}) is already {positions[key]}",
                )
            )
            continue
        positions[key] = where
        spans.append(cleaned)
    relations: list[dict[str, Any]] = []
    for index, rel in enumerate(record.relations):
        where = record.relation_where[index] if record.relation_where else f"relations[{index}]"
        try:
            relations.append(_check_relation(rel, schema, ids))
        except Invalid as exc:
            problems.extend(exc.prefixed(where).problems)
    if problems:
        raise Invalid(problems)
    return Checked(
        record.source, external_id, canonical, title.strip(), record.meta, spans, relations
    )


def _check_span(
    span: Any,
    index: int,
    canonical: Canonical,
    schema: dict,
    ids: dict,
    require_attrs: bool = True,
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
        given = canonical_text(given) if given else given
    try:
        check_span_offsets(canonical.text, cstart, cend, given)
    except Invalid as exc:
        if span.get("utf16_hint") and _matches_as_utf16(canonical.text, start, end, given):
            raise Invalid.one(
                "text",
                "utf16_offsets",
                f"the offsets [{start}, {end}) count UTF-16 code units (as Label Studio "
                "before 1.6 did), not characters; re-export from a current Label Studio",
            ) from exc
        raise
    label = span.get("label")
    if not isinstance(label, str):
        raise Invalid.one("label", "required", 'each span needs a "label"')
    attrs = schema_mod.check_span(schema, label, span.get("attrs") or {}, require=require_attrs)
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


def _has_nul(value: Any) -> bool:
    """Whether a NUL character (which PostgreSQL cannot store in text or jsonb) hides anywhere in
    a JSON value, keys included."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


def _matches_as_utf16(text: str, start: int, end: int, given: str | None) -> bool:
    if not given:
        return False
    units = text.encode("utf-16-le")
    return units[2 * start : 2 * end].decode("utf-16-le", errors="replace") == given


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
    """None (articles only), SUGGESTIONS, or (is_gold, user or None). A user who is not a
    member becomes an annotator."""
    if layer in (None, ""):
        return None
    if not isinstance(layer, str):
        raise Invalid.one("layer", "invalid_type", "layer must be gold, suggestions or a username")
    if layer == GOLD:
        return (True, None)
    if layer == SUGGESTIONS:
        return SUGGESTIONS
    user = get_user_model().objects.filter(username=layer).first()
    if user is None:
        raise Invalid.one(
            "layer",
            "unknown_user",
            f"no user named {layer!r}; the layer is gold, suggestions or an annotator's username",
        )
    if not Membership.objects.filter(project=project, user=user).exists():
        report.notes.append(f"{layer} was not a member of {project.slug}; added as annotator.")
    return (False, user)


def check_upload_size(size: int | None, field: str = "file") -> None:
    """Refuse an upload larger than ``settings.ANNOTATOR_MAX_IMPORT_BYTES``."""
    limit = settings.ANNOTATOR_MAX_IMPORT_BYTES
    if size is not None and size > limit:
        raise Invalid.one(
            field,
            "too_large",
            f"The file is {size / 1_048_576:.1f} MB; imports are limited to "
            f"{limit / 1_048_576:.0f} MB. Split it into smaller files.",
        )


def do_import(
    project: Project,
    files: Iterable[tuple[str, IO[bytes]]],
    *,
    fmt: str = "native",
    layer: str | None = None,
    partial: bool = False,
    actor=None,
    options: ReadOptions | None = None,
) -> ImportReport:
    """Import ``files`` (name, binary stream) into ``project``. See the module docstring.

    ``layer``: where the files' spans go — ``gold``, ``suggestions`` (a SuggestionSet per
    article, attributes may be incomplete) or an annotator's username; None imports the articles
    only. Raises Invalid for a bad format or layer, ImportFailed (nothing written) when any
    record is bad and ``partial`` is false, and ImportConflict (nothing written) when a
    concurrent change made the database refuse it. The write is one transaction.
    """
    with _no_cyclic_gc():
        try:
            return _import(project, files, fmt, layer, partial, actor, options)
        except IntegrityError as exc:
            raise ImportConflict(
                "Something in the project changed while this import ran, so nothing was "
                f"written; import the file again. ({str(exc).strip()})"
            ) from exc


@contextmanager
def _no_cyclic_gc():
    """An import builds millions of small objects (records, spans, rows) that all live until
    it ends: the cyclic garbage collector would walk them again and again, for a tenth of the
    import's CPU, and could free none of them. Reference counting still frees the rest."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _import(project, files, fmt, layer, partial, actor, options) -> ImportReport:
    report = ImportReport()
    if fmt not in READERS:
        raise Invalid.one("format", "invalid_choice", f"format must be one of {', '.join(IMPORT_FORMATS)}")
    options = options or ReadOptions()
    resolved = _resolve_layer(project, layer, report)
    if resolved == SUGGESTIONS and not options.prefer_predictions:
        options = ReadOptions(
            text_column=options.text_column,
            id_column=options.id_column,
            title_column=options.title_column,
            prefer_predictions=True,
        )
    # Records, and the readers' problems (strings) in their place so that errors keep the
    # order of the file.
    raw: list[Record | str | None] = []
    for name, stream in files:
        for item in READERS[fmt](name, stream, options):
            if isinstance(item, Note):
                report.notes.append(item.message)
            else:
                raw.append(item)
    wanted = {_article_id_of(r) for r in raw if isinstance(r, Record)} - {None}
    existing = _existing_articles(project, list(wanted))
    with transaction.atomic():
        _defer_search_index_merge()
        now = timezone.now()
        layer = None
        if resolved is not None and resolved != SUGGESTIONS:
            with connection.cursor() as django_cursor:
                layer = _LayerWriter(
                    django_cursor.cursor, project, resolved, existing, raw, actor, now
                )
        with _references_locked_in_bulk(project, existing, layer):
            good = _check_and_write_articles(
                project, raw, existing, resolved, partial, report, layer, now
            )
            if report.errors and not partial:
                raise ImportFailed(report)  # rolls back the articles written meanwhile
            if not good:
                # A partial import of nothing but bad records: not even the layer's membership.
                transaction.set_rollback(True)
                return report
            if layer is not None:
                layer.write(report)
        if resolved == SUGGESTIONS:
            _write_suggestions(good, {r.external_id: r.article_id for r in good}, report, actor)
        _merge_search_index()
    report.written = True
    return report


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
    users = set() if layer is None else {layer.user_id, layer.actor_id} - {None}
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


# The articles' full-text index (GIN) takes new rows into a pending list, which PostgreSQL merges
# into the index whenever the list passes gin_pending_list_limit (4 MB), in batches of work_mem
# (4 MB): for 10,000 articles, dozens of small merges. An import lets the list grow and merges
# it once, before committing, with room to sort it in memory: 0.25 s instead of about 1.2 s,
# and the index is whole again when the import is visible.
SEARCH_INDEX = "labels_article_search"


def _defer_search_index_merge() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL gin_pending_list_limit = '1GB'")
        cursor.execute("SET LOCAL work_mem = '64MB'")  # for a merge the limit forces anyway


def _merge_search_index() -> None:
    try:
        # A savepoint: without ownership of the index (migrations run by another role),
        # PostgreSQL refuses the merge; the next VACUUM does it then, and the import stands.
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
            cursor.execute("SELECT gin_clean_pending_list(%s::regclass)", [SEARCH_INDEX])
    except ProgrammingError as exc:
        if not isinstance(exc.__cause__, psycopg.errors.InsufficientPrivilege):
            raise


def _check_and_write_articles(
    project,
    raw: list,
    existing: dict,
    resolved,
    partial: bool,
    report: ImportReport,
    layer: _LayerWriter | None,
    now,
) -> list[Checked]:
    """Check every record, and COPY each new article as soon as it passes, so that PostgreSQL
    stores it (and indexes its text for search, most of an import's time) while the next ones
    are checked here, on the other core. Once a record fails, rows stop going out unless
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
                    record = _check_record(item, schema, require_attrs=resolved != SUGGESTIONS)
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


def _existing_articles(project: Project, external_ids: list[str]) -> dict[str, Article]:
    found: dict[str, Article] = {}
    for chunk_start in range(0, len(external_ids), 5000):
        chunk = external_ids[chunk_start : chunk_start + 5000]
        for article in Article.objects.filter(project=project, external_id__in=chunk).only(
            "id", "external_id", "text_sha256"
        ):
            found[article.external_id] = article
    return found


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
                f"{_escape(s['text'])}\t{_escape(_json(s['attrs']))}\t{origin}\t{{}}\t"
                f"{provenance}\t[]\t{now}\t{now}\n"
            )
        for rel in record.relations:
            # Span attributes (a quote's ``cue``) name the span's pk.
            attrs = dict(rel["attrs"])
            for attribute in schema_mod.relation_attributes(self.schema, rel["label"]):
                if attribute["type"] == "span" and attrs.get(attribute["name"]) not in (None, ""):
                    attrs[attribute["name"]] = span_ids[str(attrs[attribute["name"]])]
            self.relation_rows.append(
                f"{annotation_id}\t{_escape(rel['label'])}\t{span_ids[rel['from']]}\t"
                f"{span_ids[rel['to']]}\t{_escape(_json(attrs))}\t{now}\n"
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
                _json(summary),
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
    JSON text (``_json``), timestamps aware datetimes. Nothing else may use the connection
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


def _json(value: Any) -> str:
    """JSON text for a jsonb column; the standard encoder takes what orjson refuses (integers
    beyond 64 bits)."""
    try:
        return orjson.dumps(value).decode()
    except orjson.JSONEncodeError:
        return json.dumps(value)


def _write_suggestions(records, articles, report: ImportReport, actor) -> None:
    """One SuggestionSet (source "import") per article with spans (``articles``: external id ->
    article pk); an article that already has imported suggestions keeps them and the record's
    are reported as skipped."""
    with_spans = [r for r in records if r.spans]
    has_set = set(
        SuggestionSet.objects.filter(
            article_id__in=[articles[r.external_id] for r in with_spans], source=SUGGESTION_SOURCE
        ).values_list("article__external_id", flat=True)
    )
    rows = []
    for record in with_spans:
        if record.external_id in has_set:
            report.skipped.append(
                f"{record.source}: {record.external_id!r} already has imported suggestions; "
                "its spans were skipped"
            )
            continue
        rows.append(
            SuggestionSet(
                article_id=articles[record.external_id],
                source=SUGGESTION_SOURCE,
                spans=[
                    {k: s[k] for k in ("id", "label", "start", "end", "text", "attrs")}
                    for s in record.spans
                ],
                relations=record.relations,
                detail={"source": record.source},
                created_by=actor if getattr(actor, "is_authenticated", False) else None,
            )
        )
        report.spans += len(record.spans)
        report.relations += len(record.relations)
    SuggestionSet.objects.bulk_create(rows, batch_size=2000)
    report.layers_added = len(rows)


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
