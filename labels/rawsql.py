"""Hand-written SQL for the requests an analyst makes all day: saving a span, reading an
annotation or an article, authenticating a token.

Why not the ORM there: on the 2-core machine these targets are measured on, building and
compiling one ORM query costs 1–2 ms of CPU, more than PostgreSQL takes to answer it, and a
span save made eight of them (docs/performance.md, "API latency"). The helpers below keep that
SQL tied to the models so that it cannot drift from them: column lists come from
``Model._meta``, values are prepared by each field exactly as the ORM prepares them (JSON,
UUIDs, ``auto_now``), and rows become model instances through ``Model.from_db`` with the
fields' own converters. The other modules that write SQL by hand (the import's COPY in
``labels.interop.bulk``, the export's chunked reads) say why where they do.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any, cast

import psycopg
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Field, Model


def _db():
    """The real connection object, looked up once per call: every attribute read through
    ``django.db.connection`` goes through a context-local proxy, ~1 ms per request here."""
    return connections[DEFAULT_DB_ALIAS]


class _PreparingCursor(psycopg.Cursor):
    """Server-side binding, and every statement prepared: PostgreSQL parses and plans each hot
    query once per connection instead of on every request (planning the annotation lookup
    alone took 0.6 ms; a span save is ~0.7 ms faster in all)."""

    def execute(self, query, params=None, *, prepare=None, binary=None):
        return super().execute(query, params, prepare=True, binary=binary)


# psycopg prepares nothing while a connection's prepare_threshold is None, which Django sets so
# that PgBouncer in transaction mode keeps working. A threshold no query reaches lets the
# statements of this module, which ask for it, be prepared, and leaves the ORM's queries alone.
_NEVER_BY_COUNT = 2**31


def cursor():
    """A Django cursor (query logging, error wrapping) for the SQL of this module; its
    statements are prepared unless ``DATABASE_PREPARED_STATEMENTS`` is off (PgBouncer before
    1.21 in transaction mode cannot keep them; see docs/deploy.md)."""
    db = _db()
    if not settings.DATABASE_PREPARED_STATEMENTS:
        return db.cursor()
    # What db.cursor() does (health check, connect, thread check), with another cursor class.
    db.close_if_health_check_failed()
    db.ensure_connection()
    db.validate_thread_sharing()
    with db.wrap_database_errors:
        raw = db.connection
        if raw.prepare_threshold is None:
            raw.prepare_threshold = _NEVER_BY_COUNT
        prepared = _PreparingCursor(raw)
    return db.make_debug_cursor(prepared) if db.queries_logged else db.make_cursor(prepared)


def table(model: type[Model]) -> str:
    return _db().ops.quote_name(model._meta.db_table)


@cache
def _columns(model: type[Model]) -> tuple[str, ...]:
    quote = _db().ops.quote_name
    return tuple(quote(f.column) for f in model._meta.concrete_fields)


@cache
def _casts(model: type[Model]) -> dict[str, str]:
    db = _db()
    # Field.cast_db_type exists in Django but not in django-stubs.
    return {f.attname: f.cast_db_type(db) for f in model._meta.concrete_fields}  # type: ignore[attr-defined]


def select_list(model: type[Model], alias: str) -> str:
    """Every concrete column of ``model``, in field order, qualified by ``alias``."""
    return ", ".join(f"{alias}.{column}" for column in _columns(model))


@cache
def _converters(model: type[Model]) -> tuple[tuple[int, tuple], ...]:
    db = _db()
    found = []
    for index, field in enumerate(model._meta.concrete_fields):
        # Field.get_db_converters exists in Django but not in django-stubs.
        converters = tuple(field.get_db_converters(db))  # type: ignore[attr-defined]
        if converters:
            found.append((index, converters))
    return tuple(found)


def width(model: type[Model]) -> int:
    return len(model._meta.concrete_fields)


def from_row(model: type[Model], row: Sequence[Any], start: int = 0):
    """The instance of ``model`` whose columns (``select_list``'s order) start at ``row[start]``."""
    values = list(row[start : start + width(model)])
    converters = _converters(model)
    if converters:
        db = _db()
        for index, functions in converters:
            for convert in functions:
                values[index] = convert(values[index], None, db)
    # Django reads field_names only when some columns are missing; here every one is given.
    return model.from_db(DEFAULT_DB_ALIAS, None, values)  # type: ignore[arg-type]


def split_row(row: Sequence[Any], *models: type[Model]) -> tuple[list, Sequence[Any]]:
    """The instances of ``models`` whose columns (``select_list``'s order, one model after the
    other) start ``row``, and the values after them."""
    instances, at = [], 0
    for model in models:
        instances.append(from_row(model, row, at))
        at += width(model)
    return instances, row[at:]


def insert_values(
    obj: Model, sql: dict[str, tuple[str, list[Any]]] | None = None
) -> tuple[str, str, list[Any]]:
    """``(columns, values, params)`` to INSERT ``obj`` as the ORM would: ``auto_now`` and defaults
    applied, each value prepared by its field and cast to its column's type (so the values may
    stand in an ``INSERT … SELECT``). ``sql`` gives some fields an SQL expression instead, by
    attribute name, with its parameters. The primary key is left to the database unless given
    there."""
    db, sql, casts = _db(), sql or {}, _casts(type(obj))
    columns, values, params = [], [], []
    for field, column in zip(obj._meta.concrete_fields, _columns(type(obj)), strict=True):
        if field.attname in sql:
            expression, extra = sql[field.attname]
            values.append(expression)
            params.extend(extra)
        elif field.primary_key:
            continue
        else:
            values.append(f"%s::{casts[field.attname]}")
            params.append(field.get_db_prep_save(field.pre_save(obj, add=True), db))
        columns.append(column)
    return ", ".join(columns), ", ".join(values), params


def update_values(obj: Model, fields: Sequence[str]) -> tuple[str, list[Any]]:
    """``(assignments, params)`` to UPDATE ``fields`` of ``obj`` as ``save(update_fields=…)``
    would (``auto_now`` fields take the current time, on ``obj`` too)."""
    db, casts = _db(), _casts(type(obj))
    assignments, params = [], []
    for name in fields:
        # update_fields name concrete fields, never relations' reverse sides.
        field = cast("Field[Any, Any]", obj._meta.get_field(name))
        value = field.pre_save(obj, add=False)
        assignments.append(f"{db.ops.quote_name(field.column)} = %s::{casts[field.attname]}")
        params.append(field.get_db_prep_save(value, db))
    return ", ".join(assignments), params
