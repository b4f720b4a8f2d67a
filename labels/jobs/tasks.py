"""The queue's tasks (procrastinate; ``PROCRASTINATE_IMPORT_PATHS`` names this module).

One task runs every kind of job, by id: the job row says what to do, so the queue holds
nothing but the id, and a retried task finds the job as it was left. The search index of a
project's new articles is built by a task of its own, after an import (no job row: the article
list shows its progress); periodic tasks remove old result files and index what a lost task
left unindexed.
"""

from __future__ import annotations

from procrastinate.contrib.django import app

from labels.interop import search_index
from labels.jobs import indexing, work

#: Every job goes to this queue; workers listen to it (``manage.py worker``).
QUEUE = "jobs"


@app.task(name="labels.run_job", queue=QUEUE)
def run_job(job_id: int) -> None:
    work.run(job_id)


@app.periodic(cron="23 * * * *", periodic_id="remove-old-results")
@app.task(name="labels.remove_old_results", queue=QUEUE, queueing_lock="remove-old-results")
def remove_old_results(timestamp: int) -> None:
    """Hourly: the result files of jobs that ended ANNOTATOR_JOB_RETENTION_DAYS ago go."""
    work.remove_old_results()


#: Articles one run of ``index_search`` indexes (about 2 s) before it queues the rest: a worker
#: runs one job at a time, and an export or an import queued meanwhile goes first.
INDEX_PER_RUN = 5000


@app.task(name="labels.index_search", queue=QUEUE)
def index_search(project_id: int) -> None:
    """Index the articles of the project that search does not find yet
    (``interop.search_index.do_index_pending``: batches, idempotent; a run of a dead worker's
    task carries on where it stopped), up to ``INDEX_PER_RUN``, then queue the rest."""
    indexed = search_index.do_index_pending(project_id, limit=INDEX_PER_RUN)
    if indexed >= INDEX_PER_RUN:
        indexing.queue_search_index(project_id)


@app.periodic(cron="*/10 * * * *", periodic_id="index-unindexed-articles")
@app.task(
    name="labels.index_unindexed",
    queue=QUEUE,
    queueing_lock="index-unindexed-articles",
)
def index_unindexed(timestamp: int) -> None:
    """Every ten minutes: the index of articles no queued task will index (imported by a path
    that queues none, or whose task was lost) is queued, one task per project."""
    for project_id in search_index.projects_with_pending():
        indexing.queue_search_index(project_id)
