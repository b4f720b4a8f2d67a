"""``manage.py worker``: a job worker (procrastinate's, under these settings) — it needs only
DATABASE_URL (or the embedded database of ``make run``); start any number, on any machines.

Besides running jobs it requeues the jobs of dead workers (``labels.jobs.stalled``). SIGINT or
SIGTERM stops it after the job at hand (a second one at once).
"""

from __future__ import annotations

import asyncio
import contextlib

from django.conf import settings
from django.core.management.base import BaseCommand

from labels.jobs import child, stalled
from labels.jobs.tasks import QUEUE


class Command(BaseCommand):
    help = "Run a background-job worker (exports, imports, agreement) until stopped."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--concurrency", type=int, default=1, help="Jobs run at once (default 1)."
        )
        parser.add_argument("--name", default=None, help="The worker's name in the logs.")

    def handle(self, *args, concurrency: int, name: str | None, **options) -> None:
        from procrastinate.contrib.django import app
        from procrastinate.contrib.django.django_connector import DjangoConnector

        # The Django connector defers jobs inside the app's transactions; a worker needs its
        # own asynchronous connections (and LISTEN/NOTIFY) to the same database.
        connector = app.connector
        assert isinstance(connector, DjangoConnector)
        # Imports run in children of a fork server that has set Django up (labels.jobs.child):
        # started now, it is ready by the first import.
        child.start_fork_server()
        with app.replace_connector(connector.get_worker_connector()) as worker_app:
            asyncio.run(_run(worker_app, concurrency, name))


async def _run(app, concurrency: int, name: str | None) -> None:
    async with app.open_async():
        watcher = asyncio.create_task(stalled.watch(app))
        try:
            await app.run_worker_async(
                queues=[QUEUE],
                name=name,
                concurrency=concurrency,
                update_heartbeat_interval=settings.ANNOTATOR_WORKER_HEARTBEAT_SECONDS,
                stalled_worker_timeout=settings.ANNOTATOR_WORKER_STALLED_SECONDS,
                # Our Job rows keep the history; the queue keeps only what is unfinished or failed.
                delete_jobs="successful",
            )
        finally:
            watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watcher
