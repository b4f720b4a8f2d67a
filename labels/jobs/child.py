"""An import job's work in a short-lived child process, so that the job worker keeps its size.

An import of 10,000 articles builds millions of small Python objects; once it is over, the
freed memory stays in the worker's heap (arenas pinned by a few long-lived objects), and even
``gc`` + ``malloc_trim`` left a worker at 100–180 MB instead of its ~95 MB. So the worker
claims the job as for any other kind (``work._claim``), then a child process opens its own
database connections, reads the stored upload, imports and records the outcome on the job row
exactly as the worker would (``work.run_claimed_import``: progress through its own connection,
cancellation, the report, the succeeded or failed mark), and exits; its memory goes with it.

The child is forked from a fork server (multiprocessing's ``forkserver``): a clean process,
started when the worker starts (``start_fork_server``), that has set Django up once and forks
a copy of itself per import. Never a fork of the worker itself, whose threads and open
connections a fork would copy. A fresh interpreter per import (``spawn``) took 1.4 s to import
and set up Django before the import began; a fork of the set-up server starts in milliseconds.
The server stays at its size (it runs nothing); it costs one more process of ~80 MB beside the
worker.

- The worker closes its connection before the child starts (nothing of it is used while it
  waits), and the child closes its own before it exits.
- A child killed (out of memory, SIGKILL) leaves nothing: its transaction dies with its
  connection, so the import is all or nothing as before; the worker then fails the job with
  the reason, the upload is removed, and the worker takes its next job.
- A worker killed while its child runs: the child notices that the worker is gone (the pipe
  multiprocessing keeps to its parent closes), exits without committing, and the dead worker's
  job is retried by another worker as before (``labels.jobs.stalled``). The fork server goes
  with the worker too. SIGINT and SIGTERM (a terminal's Ctrl-C,
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

#: What the fork server imports, once, before it forks children: Django set up.
PRELOAD = "labels.jobs.preload"


def _context():
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([PRELOAD])
    return context


def start_fork_server() -> None:
    """Start the fork server now (the worker does it when it starts), so that the first import
    does not wait for it to set Django up."""
    from multiprocessing import forkserver

    _context()
    forkserver.ensure_running()


def run_import(job_id: int, target: str) -> int:
    """Run the claimed import job ``job_id`` in a child process and wait for it; the child's
    exit code (0 when it recorded the job's outcome itself; negative: killed by that signal).

    ``target`` is the dotted path of the function the child calls with ``job_id`` once Django
    is set up (the worker's ``work.run_claimed_import``): named, not passed, because the child
    must not import models before ``django.setup()``, and so that this module does not import
    the worker's."""
    process = _context().Process(
        target=_child_main,
        args=(
            job_id,
            target,
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


def _child_main(job_id: int, target: str, database: str, jobs_storage: dict) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    threading.Thread(target=_exit_without_parent, daemon=True).start()

    import django
    from django.conf import settings
    from django.core.files.storage import StorageHandler, storages
    from django.db import connections

    django.setup()  # done in the fork server already (PRELOAD); nothing to do then
    # The worker's database and jobs storage (a test's, when they differ from the settings'),
    # set before anything connects or opens a storage.
    settings.DATABASES["default"]["NAME"] = database
    connections["default"].settings_dict["NAME"] = database
    settings.STORAGES = {**settings.STORAGES, "jobs": jobs_storage}
    # The storages as if never opened (they read settings.STORAGES when first used).
    vars(storages).clear()
    vars(storages).update(vars(StorageHandler()))

    from django.utils.module_loading import import_string

    try:
        import_string(target)(job_id)
    finally:
        connections.close_all()


def _exit_without_parent() -> None:
    """In the child: exit at once, committing nothing, when the worker is gone (its job is
    then another worker's retry). The worker holds the other end of this pipe until it has
    waited for the child, so the pipe ends only when the worker does."""
    from multiprocessing.connection import wait

    parent = multiprocessing.parent_process()
    if parent is None:
        return
    wait([parent.sentinel])
    os._exit(70)
