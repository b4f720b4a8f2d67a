"""Jobs of dead workers go back to the queue.

Every worker writes a heartbeat (procrastinate's ``procrastinate_workers``); a worker killed
with SIGKILL, or whose machine is gone, leaves its job in the queue's ``doing`` state and its
heartbeat ages. Every worker runs ``watch`` beside its own work: each heartbeat interval it asks
the queue for the jobs of workers silent for ``ANNOTATOR_WORKER_STALLED_SECONDS`` and retries
them, so another worker runs them again (``labels.jobs.work`` makes that safe). Two workers may
see the same stalled job; the queue retries it once and refuses the second.
"""

from __future__ import annotations

import asyncio
import logging

from asgiref.sync import sync_to_async
from django.conf import settings
from procrastinate import App, exceptions

from labels.jobs import work
from labels.jobs.tasks import QUEUE

logger = logging.getLogger(__name__)


async def requeue_stalled(app: App) -> list[int]:
    """Retry every stalled job of the jobs queue now; the ids of our jobs that will run again."""
    stalled = await app.job_manager.get_stalled_jobs(
        queue=QUEUE, seconds_since_heartbeat=settings.ANNOTATOR_WORKER_STALLED_SECONDS
    )
    again = []
    for job in stalled:
        assert job.id is not None
        try:
            await app.job_manager.retry_job(job)
        except exceptions.ConnectorException:
            continue  # another worker retried it first
        job_id = job.task_kwargs.get("job_id")
        logger.warning("Job %s (queue job %s) of a dead worker was requeued.", job_id, job.id)
        if isinstance(job_id, int) and await sync_to_async(work.note_requeued)(
            job_id, settings.ANNOTATOR_JOB_MAX_ATTEMPTS
        ):
            again.append(job_id)
    return again


async def watch(app: App) -> None:
    while True:
        await asyncio.sleep(settings.ANNOTATOR_WORKER_HEARTBEAT_SECONDS)
        try:
            await requeue_stalled(app)
        except exceptions.ConnectorException:
            logger.exception("Could not look for stalled jobs; trying again.")
