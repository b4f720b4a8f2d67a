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

The formats' readers are in ``labels.interop.formats``. Spans go to the layer the caller names:
``gold``, an annotator's username (a submitted annotation), or ``suggestions`` — one
``SuggestionSet`` (source "import") per article, shown to analysts as proposals. Labels that are
not in the project's schema are errors naming the label and the line, never dropped.

A span that lacks a required attribute of its label is imported in every layer, *incomplete*
(other tools have no ``quote_type``): the report counts them per label and attribute, and
``ReadOptions.infer_attrs`` fills ``quote_type`` from the quotation marks first.
"""

from __future__ import annotations

import ctypes
import dataclasses
import functools
import gc
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from typing import IO

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from labels.errors import ImportConflict, ImportFailed, Invalid, TooLarge
from labels.interop import search_index
from labels.interop.bulk import (
    _check_and_write_articles,
    _LayerWriter,
    _references_locked_in_bulk,
)
from labels.interop.checking import (
    GOLD,
    SUGGESTION_SOURCE,
    SUGGESTIONS,
    ImportReport,
    _article_id_of,
    _check_record,
)
from labels.interop.formats.registry import IMPORT_FORMATS, READERS
from labels.interop.reading import Note, ReadOptions, Record
from labels.models import Article, Membership, Project, SuggestionSet
from labels.speakers.imports import do_map_imported

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


def check_import_layer(project: Project, layer: str | None) -> None:
    """``Invalid`` naming ``layer`` when it is no layer of ``project`` (what ``do_import`` would
    refuse), for a background import that checks before it queues."""
    _resolve_layer(project, layer, ImportReport())


def check_upload_size(size: int | None) -> None:
    """Refuse an upload larger than ``settings.ANNOTATOR_MAX_IMPORT_BYTES`` with ``TooLarge``
    (413), as ``annotator.limits`` does when ``Content-Length`` already says so."""
    limit = settings.ANNOTATOR_MAX_IMPORT_BYTES
    if size is not None and size > limit:
        raise TooLarge.upload(size, limit)


def do_import(
    project: Project,
    files: Iterable[tuple[str, IO[bytes]]],
    *,
    fmt: str = "native",
    layer: str | None = None,
    partial: bool = False,
    actor=None,
    options: ReadOptions | None = None,
    progress: Callable[[float, str], None] | None = None,
) -> ImportReport:
    """Import ``files`` (name, binary stream) into ``project``. See the module docstring.

    ``progress(fraction, message)``, when given, is told as each stage ends (read, checked and
    written, layer written): a background import's progress bar. It may raise to stop
    the import, which then writes nothing.

    ``layer``: where the files' spans go — ``gold``, ``suggestions`` (a SuggestionSet per
    article) or an annotator's username; None imports the articles
    only. Raises Invalid for a bad format or layer, ImportFailed (nothing written) when any
    record is bad and ``partial`` is false, and ImportConflict (nothing written) when a
    concurrent change made the database refuse it. The write is one transaction.

    The new articles are not indexed for search here: the caller queues that once the import
    has committed (``labels.jobs.runs.queue_search_index``; ``interop.search_index``).
    """
    with _import_memory() as size:
        try:
            return _import(project, files, fmt, layer, partial, actor, options, progress, size)
        except IntegrityError as exc:
            raise ImportConflict(
                "Something in the project changed while this import ran, so nothing was "
                f"written; import the file again. ({str(exc).strip()})"
            ) from exc


#: An import of at least this many records gives its memory back to the system when it ends.
LARGE_IMPORT_RECORDS = 1000


@contextmanager
def _import_memory():
    """An import builds millions of small objects (records, spans, rows) that all live until
    it ends: the cyclic garbage collector would walk them again and again, for a tenth of the
    import's CPU, and could free none of them, so it is paused (reference counting still frees
    the rest). Once a large import is over (``size["records"]``, set by the import, at least
    ``LARGE_IMPORT_RECORDS``), its memory is handed back to the system: without that, the web
    worker or job worker that ran a 10,000-article import stayed at 250–350 MB instead of
    its ~95 MB, the C library keeping the freed heap for reuse (docs/performance.md)."""
    size = {"records": 0}
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield size
    finally:
        if enabled:
            gc.enable()
        if size["records"] >= LARGE_IMPORT_RECORDS:
            release_memory()


def release_memory() -> None:
    """Collect garbage, then have glibc return the free parts of its heaps (every thread's
    arena) to the system: ``malloc_trim(0)``. Elsewhere than glibc, only the collection."""
    gc.collect()
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@functools.cache
def _malloc_trim():
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return None
    return getattr(libc, "malloc_trim", None)


def _import(
    project, files, fmt, layer, partial, actor, options, progress, size: dict
) -> ImportReport:
    report = ImportReport()
    tell = progress or (lambda fraction, message: None)
    if fmt not in READERS:
        raise Invalid.one(
            "format", "invalid_choice", f"format must be one of {', '.join(IMPORT_FORMATS)}"
        )
    options = options or ReadOptions()
    resolved = _resolve_layer(project, layer, report)
    if resolved == SUGGESTIONS and not options.prefer_predictions:
        options = dataclasses.replace(options, prefer_predictions=True)
    # Records, and the readers' problems (strings) in their place so that errors keep the
    # order of the file.
    raw: list[Record | str | None] = []
    for name, stream in files:
        for item in READERS[fmt](name, stream, options):
            if isinstance(item, Note):
                report.notes.append(item.message)
            else:
                raw.append(item)
    size["records"] = len(raw)
    tell(0.3, f"Read {_plural(len(raw), 'record')}")
    wanted = {i for r in raw if isinstance(r, Record) and (i := _article_id_of(r)) is not None}
    existing = _existing_articles(project, list(wanted))
    with transaction.atomic():
        do_map_imported(project, actor, raw)
        now = timezone.now()
        layer = None
        if resolved is not None and resolved != SUGGESTIONS:
            with connection.cursor() as django_cursor:
                layer = _LayerWriter(
                    django_cursor.cursor, project, resolved, existing, raw, actor, now
                )
        with _references_locked_in_bulk(project, existing, layer):
            good = _check_and_write_articles(
                project, raw, existing, resolved, partial, report, layer, now, options.infer_attrs
            )
            if report.errors and not partial:
                raise ImportFailed(report)  # rolls back the articles written meanwhile
            if not good:
                # A partial import of nothing but bad records: not even the layer's membership.
                transaction.set_rollback(True)
                return report
            tell(0.6, f"Checked; {_plural(len(good), 'article')} written")
            if layer is not None:
                layer.write(report)
                tell(
                    0.85,
                    f"{_plural(report.spans, 'span')} and {_plural(report.relations, 'relation')} written",
                )
        if resolved == SUGGESTIONS:
            _write_suggestions(good, {r.external_id: r.article_id for r in good}, report, actor)
    _note_incomplete(report, suggestions=resolved == SUGGESTIONS)
    report.written = True
    return report


def _note_incomplete(report: ImportReport, *, suggestions: bool) -> None:
    """The report's notes say how many spans lack what (“312 Quote spans need quote_type”) and
    how many quote types were inferred: the command, the page, the job and the API all show
    notes."""
    if report.typed_relations:
        report.notes.append(
            f"{_plural(report.typed_relations, 'relation')} without a label got the one "
            "relation type of this project that goes between the labels of their ends."
        )
    if report.inferred:
        report.notes.append(
            f"quote_type inferred from the quotation marks for {_plural(report.inferred, 'span')}"
            f" ({', '.join(f'{n:,} {value}' for value, n in sorted(report.inferred_types.items()))})."
        )
    if report.incomplete:
        report.notes.extend(report.incomplete_lines())
        if suggestions:
            report.notes.append(
                "An analyst sets what a suggestion lacks when accepting it (the workspace asks)."
            )
            return
        report.notes.append(
            "Incomplete spans are imported as they are: the workspace and the review page show "
            "what each needs, Submit and Mark reviewed ask for it, and the export lists them."
        )


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


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
        report.count_spans(record.spans)
        report.typed_relations += record.typed_relations
    SuggestionSet.objects.bulk_create(rows, batch_size=2000)
    report.layers_added = len(rows)


def do_create_article(
    project: Project, *, external_id: str, raw_text: str, title: str = "", meta=None
) -> Article:
    """Create one article from raw text (canonicalised here), indexed for search at once: the
    API's article create, the seeds and the tests."""
    record = _check_record(
        Record("article", external_id, raw_text, title, meta or {}), project.schema
    )
    with transaction.atomic():
        article = Article.objects.create(
            project=project,
            external_id=record.external_id,
            title=record.title,
            text=record.canonical.text,
            text_sha256=record.canonical.sha256,
            meta=record.meta,
        )
        search_index.do_index_now([article.pk])
    return article


def _existing_articles(project: Project, external_ids: list[str]) -> dict[str, Article]:
    found: dict[str, Article] = {}
    for chunk_start in range(0, len(external_ids), 5000):
        chunk = external_ids[chunk_start : chunk_start + 5000]
        for article in Article.objects.filter(project=project, external_id__in=chunk).only(
            "id", "external_id", "text_sha256"
        ):
            found[article.external_id] = article
    return found
