"""A running job's progress, written where the page and the API read it while the job's own
work is still inside its transaction.

The export reads in one REPEATABLE READ, read-only transaction and the import writes in one
transaction, so progress goes through a second connection of the worker, in autocommit. Each
update is also the job's check for cancellation: the update only applies to a running job, so
when a user cancelled it (``runs.do_cancel``) it matches nothing and ``Cancelled`` stops the
work.
"""

from __future__ import annotations

import time

from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper

from labels.interop.exporting import StopExport
from labels.models import Job, JobState

#: Seconds between two writes of a job's progress (the pages poll about once a second).
INTERVAL = 0.5


class Cancelled(StopExport):
    """The job was cancelled while it ran (a ``StopExport``, so that an export it stops is not
    logged as failed)."""


class Reporter:
    def __init__(self, job: Job):
        self.job_id = job.pk
        self._last = 0.0
        self._connection: BaseDatabaseWrapper | None = None
        #: The last progress and message written (what the user saw before a cancellation).
        self.written: tuple[float, str] = (0.0, "")

    def __enter__(self) -> Reporter:
        return self

    def __exit__(self, *exc) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def update(self, progress: float, message: str, *, force: bool = False) -> None:
        """Record ``progress`` (0–1) and ``message``, at most every ``INTERVAL`` seconds unless
        ``force``; raise ``Cancelled`` when the job is no longer running."""
        now = time.monotonic()
        if not force and now - self._last < INTERVAL:
            return
        self._last = now
        if self._connection is None:
            self._connection = connections.create_connection("default")
        connection = self._connection
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {Job._meta.db_table} SET progress = %s, message = %s "
                "WHERE id = %s AND state = %s",
                [min(1.0, max(0.0, progress)), message[:200], self.job_id, JobState.RUNNING],
            )
            if cursor.rowcount == 0:
                raise Cancelled(self.job_id)
        self.written = (min(1.0, max(0.0, progress)), message[:200])
