"""The queue's tasks (procrastinate; ``PROCRASTINATE_IMPORT_PATHS`` names this module).

One task runs every kind of job, by id: the job row says what to do, so the queue holds
nothing but the id, and a retried task finds the job as it was left. A periodic task removes
old result files.
"""

from __future__ import annotations

from procrastinate.contrib.django import app

from labels.jobs import work

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
