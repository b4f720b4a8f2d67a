"""An import, then the building of its articles' search index queued in the same transaction
(``tasks.index_search``): the one way the API, the pages, the command and the import job
import. By the task's name, so that ``work`` need not import the tasks module that imports it.
"""

from __future__ import annotations

from typing import Any

from django.db import connection, transaction
from procrastinate.contrib.django import app
from procrastinate.exceptions import AlreadyEnqueued

from labels.interop import importing
from labels.interop.checking import ImportReport
from labels.models import ArticleSearch, Project


def do_import(project: Project, files, **options: Any) -> ImportReport:
    """``importing.do_import(project, files, **options)``, and, when it created articles, the
    queueing of their search index, in one transaction: the articles are listed as soon as it
    returns, and search finds them once a worker has indexed them."""
    with transaction.atomic():
        report = importing.do_import(project, files, **options)
        if report.written and report.created:
            queue_search_index(project)
            report.notes.append(
                f"Search finds the {report.created:,} new article"
                f"{'' if report.created == 1 else 's'} once the search index is built, in the "
                "background: the article list shows its progress."
            )
    return report


def queue_search_index(project: Project | int) -> None:
    """Queue the building of the search index of ``project`` (or the project of that id) for
    the articles an import just wrote. Called in the import's transaction, the task is queued
    with it, or not at all. At most one waits per project (the waiting one indexes whatever is
    pending when it runs), and one runs at a time."""
    project_id = project if isinstance(project, int) else project.pk
    lock = _lock(project_id)
    try:
        with transaction.atomic():  # a savepoint: a refusal must not end the caller's
            app.configure_task("labels.index_search", queueing_lock=lock, lock=lock).defer(
                project_id=project_id
            )
    except AlreadyEnqueued:
        pass  # the waiting task will index these articles too


def _lock(project_id: int) -> str:
    return f"search-index-{project_id}"


def search_index_pending(project: Project) -> int:
    """How many of ``project``'s articles search does not find yet, while a task that builds
    its index is queued or running; 0 when none is (one indexed lookup in the queue). Counting
    the articles without a vector costs a scan of the project's articles (0.3 s at 100,000,
    far too much for every page of the list), so it is done only while there is something to
    wait for. Articles left without a vector and no task (written by a path that queues none)
    count once the periodic catch-up has queued theirs."""
    lock = _lock(project.pk)
    with connection.cursor() as cursor:
        # The queue's partial unique indexes: lock among running jobs, queueing_lock among
        # waiting ones.
        cursor.execute(
            "SELECT EXISTS (SELECT FROM procrastinate_jobs WHERE lock = %s AND status = 'doing')"
            " OR EXISTS (SELECT FROM procrastinate_jobs WHERE queueing_lock = %s "
            "AND status = 'todo')",
            [lock, lock],
        )
        (active,) = cursor.fetchone()
    return ArticleSearch.pending(project) if active else 0
