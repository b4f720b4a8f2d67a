"""An import, then the building of its articles' search index queued in the same transaction
(``tasks.index_search``): the one way the API, the pages, the command and the import job
import. By the task's name, so that ``work`` need not import the tasks module that imports it.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from procrastinate.contrib.django import app
from procrastinate.exceptions import AlreadyEnqueued

from labels.interop import importing
from labels.interop.checking import ImportReport
from labels.models import Project


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
    lock = f"search-index-{project_id}"
    try:
        with transaction.atomic():  # a savepoint: a refusal must not end the caller's
            app.configure_task("labels.index_search", queueing_lock=lock, lock=lock).defer(
                project_id=project_id
            )
    except AlreadyEnqueued:
        pass  # the waiting task will index these articles too
