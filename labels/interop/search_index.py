"""The articles' full-text search index (``ArticleSearch``), built after an import has answered.

Computing ``to_tsvector`` for 10,000 articles of 3,000 characters costs PostgreSQL about 3 s:
most of an import's time when it was part of the import (docs/performance.md). An import now
stores the articles only; a background job (``labels.jobs.tasks.index_search``) calls
``do_index_pending``, which indexes them in batches, each its own transaction:

- idempotent: a batch takes the articles that have no row yet, and a row that appeared
  meanwhile is left as it is (``ON CONFLICT DO NOTHING``), so two runs never fail or duplicate;
- it survives its worker: a killed worker's job is run again (``labels.jobs.stalled``), and the
  batches committed before stay, so the new run carries on with the rest;
- until it is done, search finds the articles already indexed, and the article list says how
  many are still waiting (``ArticleSearch.pending``).

An article created one at a time (``importing.do_create_article``) is indexed at once, in its
own transaction (``do_index_now``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from django.db import connection, transaction

from labels.models import Article, ArticleSearch

#: Articles per transaction: about 0.15 s of PostgreSQL's time for articles of 3,000 characters,
#: so that a worker stopped at any moment loses little, and each commit frees the rows' locks.
BATCH = 500

# The expression of ``Article.search_vector()``, as Django compiles it (a test holds them equal).
_VECTOR = "to_tsvector('simple'::regconfig, COALESCE(a.title, '') || ' ' || COALESCE(a.text, ''))"
_INSERT = (
    f"INSERT INTO {ArticleSearch._meta.db_table} (article_id, vector) "
    f"SELECT a.id, {_VECTOR} FROM {Article._meta.db_table} a "
)
_NOT_INDEXED = (
    f"NOT EXISTS (SELECT FROM {ArticleSearch._meta.db_table} s WHERE s.article_id = a.id)"
)


def do_index_now(article_ids: Sequence[int]) -> None:
    """Index the articles ``article_ids`` in the caller's transaction (one statement)."""
    if not article_ids:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            _INSERT + "WHERE a.id = ANY(%s) ON CONFLICT (article_id) DO NOTHING",
            [list(article_ids)],
        )


def do_index_pending(
    project_id: int | None = None,
    *,
    batch: int | None = None,
    limit: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Index the articles of ``project_id`` (of every project when None) that search does not
    find yet, ``batch`` articles per transaction (``BATCH``), until none is left or about ``limit`` have
    been indexed; returns how many were indexed. Must not run inside a transaction (each
    batch commits). ``progress(indexed so far)`` is told after each batch."""
    if connection.in_atomic_block:
        raise RuntimeError("do_index_pending commits batch by batch: call it outside atomic().")
    where, params = ("a.project_id = %s AND ", [project_id]) if project_id is not None else ("", [])
    statement = (
        _INSERT
        + f"WHERE {where}{_NOT_INDEXED} ORDER BY a.id LIMIT %s ON CONFLICT (article_id) DO NOTHING"
    )
    done = 0
    while True:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement, [*params, batch or BATCH])
            written = cursor.rowcount
        if written <= 0:
            # Nothing left, or what was left was indexed by someone else meanwhile.
            return done
        done += written
        if progress is not None:
            progress(done)
        if limit is not None and done >= limit:
            return done


def projects_with_pending() -> list[int]:
    """The ids of the projects that have articles search does not find yet."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT DISTINCT a.project_id FROM {Article._meta.db_table} a WHERE {_NOT_INDEXED} "
            "ORDER BY 1"
        )
        return [row[0] for row in cursor.fetchall()]
