"""Dataset export: the parameters checked, and the prepared export of one format, shared by the
command, the API and the page; the records come from ``labels.interop.records``.

``prepare_export(project, params)`` checks every parameter (raising ``Invalid`` naming the bad
one, before a single byte is sent) and returns an ``Export``: iterate it for the bytes of the
chosen format (writers in ``labels.interop.formats``). Every format is written from the same
records, ``iter_records``: one per article and layer, in DESIGN.md §5's native form.

How the records are read (constant memory, a constant number of queries per chunk):

- Everything runs in one read-only REPEATABLE READ transaction, so an export is one consistent
  snapshot even while analysts keep saving; on the read replica when one is configured
  (``labels.interop.records.export_database_alias``).
- Articles stream through a server-side cursor (``.iterator(chunk_size=…)``; inside a
  transaction Django declares it without HOLD, so PostgreSQL produces rows as they are fetched
  instead of materialising the whole result first).
- Per chunk of ``CHUNK_SIZE`` articles: one query for their annotations (with annotator and
  reviewer names), one for the spans, one for the relations, and one for the analysts behind
  each gold layer when gold is exported. Rows are read as tuples, never as model instances.

Every span's text is compared with ``text[start:end]`` before its record is handed to a writer;
a mismatch (a corrupted row) raises ``ExportError`` naming the article and the span, so an export
never contains a wrong line. Writers that re-express offsets (tokens, brat fragments) check their
own result again. A failure once streaming has started never looks like a complete export
(``Export.__iter__``: an error line for the JSON-lines formats, then the transfer is aborted).

The train/dev/test split is a pure function of the project slug and the article's id:
``sha256("slug:external-id")``, its first 8 bytes read as a big-endian integer and divided by
2**64, gives a number in [0, 1) that falls into one of the ratio intervals. The same article
lands in the same part in every export, in every format and for every layer.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.utils import timezone

from labels import jsonio
from labels import schema as schema_mod
from labels.errors import ExportError, Invalid, Problem
from labels.interop.records import (
    _LANG,
    CHUNK_SIZE,
    DEFAULT_LANG,
    DEFAULT_STATUSES,
    LAYERS,
    PARAMETERS,
    SPLIT_NAMES,
    Context,
    ExportOptions,
    _project_schemas,
    annotation_filter,
    iter_records,
)
from labels.models import Annotation, AnnotationStatus, Project

logger = logging.getLogger(__name__)

#: The content type of the formats written as JSON lines (their failure ends with an error line).
LINE_DELIMITED = "application/x-ndjson"

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


def _one_of(params: Mapping[str, Any], name: str, choices: Collection[str], default: str) -> str:
    """The value of ``name`` given once (``default`` when it is not), one of ``choices``."""
    value = _single(params, name) or default
    if value not in choices:
        raise Invalid.one(name, "invalid_choice", f"{name} must be one of {', '.join(choices)}.")
    return value


def _some_of(
    params: Mapping[str, Any], name: str, known: Collection[str], code: str, one: str, all_of: str
) -> tuple[str, ...]:
    """The values of ``name`` (``_values``) without repeats, each one of ``known``; the first
    that is not is reported as “…” is not ``one``; ``all_of`` are ``known``."""
    values = _values(params, name)
    bad = [value for value in values if value not in known]
    if bad:
        raise Invalid.one(
            name, code, f"“{bad[0][:40]}” is not {one}; {all_of} are {', '.join(known)}."
        )
    return tuple(dict.fromkeys(values))


# PostgreSQL stores offsets up to 15:59; real time zones run from -12:00 to +14:00.
MAX_UTC_OFFSET = timedelta(hours=15, minutes=59)


def parse_since(value: str) -> datetime:
    """An ISO 8601 date or date-time; without a time zone it is read as UTC. An offset beyond
    what PostgreSQL stores (±15:59) is refused, as no time zone has one."""
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
    offset = parsed.utcoffset()
    if offset is not None and abs(offset) > MAX_UTC_OFFSET:
        minutes = int(abs(offset).total_seconds()) // 60
        shown = f"{'-' if offset < timedelta(0) else '+'}{minutes // 60:02}:{minutes % 60:02}"
        raise Invalid.one(
            "since",
            "invalid",
            f"“{value[:40]}” has the time-zone offset {shown}, which no time zone has (they "
            "run from -12:00 to +14:00); give the time in UTC (…Z) or with its zone's offset.",
        )
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


def all_labels(schemas: list[dict]) -> list[str]:
    """Span label names of every schema version, the current ones first, in schema order."""
    names: dict[str, None] = {}
    for schema in schemas:
        for label in schema.get("span_labels", []):
            names.setdefault(label["name"], None)
    return list(names)


def check_export_params(project: Project, params: Mapping[str, Any]) -> ExportOptions:
    """Turn request or command parameters into ExportOptions; ``Invalid`` names every bad one.

    ``params`` maps names to a string or a list of strings (a QueryDict's lists): ``format``,
    ``layer``, ``status`` (repeated or comma-separated), ``labels`` (likewise), ``since``,
    ``split``, ``lang``.
    """
    from labels.interop.formats.registry import WRITERS

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
        return _one_of(params, "format", WRITERS, "native")

    def check_layer():
        return _one_of(params, "layer", LAYERS, "gold")

    def check_status():
        statuses = AnnotationStatus.values
        return (
            _some_of(params, "status", statuses, "invalid_choice", "a status", "statuses")
            or DEFAULT_STATUSES
        )

    schemas = _project_schemas(project)
    known_labels = all_labels(schemas)

    def check_labels():
        what = "a span label of this project"
        return _some_of(params, "labels", known_labels, "unknown_label", what, "the labels") or None

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
# A prepared export


@dataclass
class Export:
    """A checked export, ready to stream. Iterating it runs the queries."""

    context: Context
    content_type: str
    filename: str
    _writer: Any
    chunk_size: int = CHUNK_SIZE
    #: Called with each record as it is handed to the writer (a background export's progress;
    #: it raises ``StopExport`` to stop the export).
    observe: Callable[[dict[str, Any]], None] | None = None

    def count_records(self) -> int:
        """How many records the export will have: one per annotation it selects. One query."""
        options = self.context.options
        return (
            Annotation.objects.filter(article__project=self.context.project)
            .filter(annotation_filter(options))
            .count()
        )

    def __iter__(self) -> Iterator[bytes]:
        """The bytes of the export. A failure once bytes have gone out (the response is a 200
        already) is logged and never looks like a complete export: a JSON-lines format ends
        with a last line ``{"error": {"code": "export_failed", "message": …}}``, and then, in
        every format, the exception goes on, so the server aborts the transfer (no last chunk
        of a chunked response; a client reports an incomplete body)."""
        records = iter_records(
            self.context.project,
            self.context.options,
            chunk_size=self.chunk_size,
            schemas=self.context.schemas,
        )
        try:
            with closing(records):
                observed = _counted(records, self.context)
                if self.observe is not None:
                    observed = _observed(observed, self.observe)
                yield from self._writer(observed, self.context)
        except StopExport:
            raise  # asked for by whoever reads it: not a failure, and nobody is left to tell
        except Exception as exc:
            options = self.context.options
            logger.exception(
                "The %s export of %s (layer %s) failed part-way; the client was told.",
                options.format,
                self.context.project.slug,
                options.layer,
            )
            if self.content_type.startswith(LINE_DELIMITED):
                reason = str(exc) if isinstance(exc, ExportError) else "an error on the server"
                message = (
                    f"The export stopped before its end ({reason}); the lines above are not "
                    "all of it. The error is in the server's log."
                )
                yield jsonio.dumps_line({"error": {"code": "export_failed", "message": message}})
            raise


class StopExport(Exception):
    """Raised by an export's ``observe`` to end it on purpose (a cancelled background job):
    passed on as it is, without the failure's log line and error record."""


def _counted(records: Iterable[dict[str, Any]], context: Context) -> Iterator[dict[str, Any]]:
    """The records, counting their incomplete spans in ``context.counts["incomplete"]`` (what
    the command reports once the export ends: formats other than native have no place for
    the list)."""
    for record in records:
        if record["incomplete"]:
            context.counts["incomplete"] = context.counts.get("incomplete", 0) + len(
                record["incomplete"]
            )
        yield record


def _observed(
    records: Iterable[dict[str, Any]], observe: Callable[[dict[str, Any]], None]
) -> Iterator[dict[str, Any]]:
    for record in records:
        observe(record)
        yield record


def prepare_export(project: Project, params: Mapping[str, Any]) -> Export:
    """Check ``params`` (see ``check_export_params``) and load what the format needs (the spaCy
    tokenizer for token formats), so that every problem is reported before streaming starts."""
    from labels.interop.formats.registry import WRITERS
    from labels.interop.tokens import load_tokenizer

    options = check_export_params(project, params)
    spec = WRITERS[options.format]
    schemas = _project_schemas(project)
    labels = list(options.labels) if options.labels else all_labels(schemas)
    started = timezone.now()
    by_label, by_relation = schema_mod.span_valued_names(schemas)
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
