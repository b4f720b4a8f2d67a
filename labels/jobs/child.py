"""An import job's work in a short-lived child process, so that the job worker keeps its size.

An import of 10,000 articles builds millions of small Python objects; once it is over, the
freed memory stays in the worker's heap (arenas pinned by a few long-lived objects), and even
``gc`` + ``malloc_trim`` left a worker at 100–180 MB instead of its ~95 MB. So the worker
claims the job as for any other kind (``work._claim``), then a fresh interpreter
(multiprocessing's ``spawn``: no fork of the worker's threads and open connections) opens its
own database connections, reads the stored upload, imports and records the outcome on the
job row exactly as the worker would (``work.run_claimed_import``: progress through its own
connection, cancellation, the report, the succeeded or failed mark), and exits; its memory
goes with it.

- The worker closes its connection before the child starts (nothing of it is used while it
  waits), and the child closes its own before it exits.
- A child killed (out of memory, SIGKILL) leaves nothing: its transaction dies with its
  connection, so the import is all or nothing as before; the worker then fails the job with
  the reason, the upload is removed, and the worker takes its next job.
- A worker killed while its child runs: the child notices that its parent is gone (within
  ``PARENT_POLL`` seconds), exits without committing, and the dead worker's job is retried by
  another worker as before (``labels.jobs.stalled``). SIGINT and SIGTERM (a terminal's Ctrl-C,
  systemd's stop of the whole group) are the worker's to handle: the child ignores them, so a
  worker that stops after the job at hand lets its import finish.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import threading

from django.conf import settings
from django.db import connection

logger = logging.getLogger(__name__)

#: Seconds between the child's checks that its worker is still alive.
PARENT_POLL = 0.5


def run_import(job_id: int, target: str) -> int:
    """Run the claimed import job ``job_id`` in a child process and wait for it; the child's
    exit code (0 when it recorded the job's outcome itself; negative: killed by that signal).

    ``target`` is the dotted path of the function the child calls with ``job_id`` once Django
    is set up (the worker's ``work.run_claimed_import``): named, not passed, because the child
    must not import models before ``django.setup()``, and so that this module does not import
    the worker's."""
    context = multiprocessing.get_context("spawn")
    process = context.Process(
        target=_child_main,
        args=(
            job_id,
            target,
            os.getpid(),
            settings.DATABASES["default"]["NAME"],
            settings.STORAGES["jobs"],
        ),
        name=f"annotator-import-job-{job_id}",
    )
    connection.close()  # the child opens its own; none stays idle here meanwhile
    process.start()
    process.join()
    code = process.exitcode
    process.close()
    if code != 0:
        logger.error("The child process of import job %s ended with exit code %s.", job_id, code)
    return code if code is not None else -1


def stopped_message(code: int) -> str:
    """The job's error when its child ended without recording an outcome."""
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        how = f"was stopped ({name}{', perhaps out of memory' if -code == 9 else ''})"
    else:
        how = f"ended with exit code {code}"
    return (
        f"The import's process {how} before it finished, so nothing was imported. "
        "Start the import again; a very large file may need to be split."
    )


def _child_main(job_id: int, target: str, parent: int, database: str, jobs_storage: dict) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    threading.Thread(target=_exit_without_parent, args=(parent,), daemon=True).start()

    import django
    from django.conf import settings

    # The worker's database and jobs storage (a test's, when they differ from the settings').
    settings.DATABASES["default"]["NAME"] = database
    settings.STORAGES = {**settings.STORAGES, "jobs": jobs_storage}
    django.setup()

    from django.db import connections
    from django.utils.module_loading import import_string

    try:
        import_string(target)(job_id)
    finally:
        connections.close_all()


def _exit_without_parent(parent: int) -> None:
    """In the child: exit at once, committing nothing, when the worker is gone (its job is
    then another worker's retry)."""
    stop = threading.Event()
    while not stop.wait(PARENT_POLL):
        if os.getppid() != parent:
            os._exit(70)
