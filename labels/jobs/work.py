"""What a worker does with a job: claim it, run its kind, record the outcome.

Idempotence, so that a worker killed at any instant (SIGKILL, a machine lost) leaves nothing
half-visible and the retried job completes:

- ``_claim`` moves the job to running only from queued or running (a retry after a dead
  worker), so a finished or cancelled job is never run again;
- an export is written to a local temporary file, stored under the job's folder when it is
  complete, and the job marked succeeded with its file in one conditional update; a retry
  replaces the stored file of the attempt that died;
- an import (``interop.importing.do_import``), the queueing of its search index
  (``indexing.do_import``) and the succeeded mark are one transaction, so the articles appear
  together with the report, or not at all; it runs in a short-lived child process
  (``labels.jobs.child``), so that the worker gives the import's memory back: a child killed
  half-way writes nothing and fails the job with the reason;
- an agreement recompute stores its snapshot and the mark in one transaction.

A failure of the work itself (a bad file, a schema that lost the exported label) ends the job
as failed with the reason; only a dead worker's jobs are retried (``labels.jobs.stalled``).
"""

from __future__ import annotations

import logging
import os
import socket
import tempfile
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from labels.agreement import snapshots
from labels.errors import ImportFailed, Invalid
from labels.interop import exporting, reading
from labels.jobs import child, files, indexing
from labels.jobs.progress import Cancelled, Reporter
from labels.models import Job, JobKind, JobState
from labels.suggestions import training

logger = logging.getLogger(__name__)


def run(job_id: int) -> None:
    job = _claim(job_id)
    if job is None:
        return  # cancelled, finished, or gone
    try:
        if job.kind == JobKind.IMPORT:
            # In a child process that records the outcome itself (``labels.jobs.child``).
            code = child.run_import(job.pk, f"{__name__}.run_claimed_import")
            if code != 0:
                _fail(job, child.stopped_message(code))
        else:
            _run_claimed(job)
    finally:
        if job.kind == JobKind.IMPORT:
            _drop_upload_when_final(job.pk)


def run_claimed_import(job_id: int) -> None:
    """In an import's child process: run the job the worker claimed, unless it was cancelled
    before the child began."""
    job = (
        Job.objects.select_related("project", "created_by")
        .filter(pk=job_id, kind=JobKind.IMPORT, state=JobState.RUNNING)
        .first()
    )
    if job is not None:
        _run_claimed(job)
    _drop_upload_when_final(job_id)  # at once, as the worker did (and does again, after)


def _run_claimed(job: Job) -> None:
    runner = {
        JobKind.EXPORT: _export,
        JobKind.IMPORT: _import,
        JobKind.AGREEMENT: _agreement,
        JobKind.TRAIN: _train,
    }
    reporter = Reporter(job)
    try:
        with reporter:
            runner[JobKind(job.kind)](job, reporter)
    except Cancelled:
        logger.info("Job %s was cancelled while it ran.", job.pk)
        progress, message = reporter.written
        Job.objects.filter(pk=job.pk, state=JobState.CANCELLED).update(
            progress=progress, message=f"Cancelled while running ({message[:150]})"
        )
    except ImportFailed as exc:
        _fail(job, str(exc), result=exc.report.as_dict())
    except Invalid as exc:
        _fail(job, "; ".join(f"{p.field}: {p.message}" for p in exc.problems))
    except Exception as exc:
        logger.exception("Job %s (%s) failed.", job.pk, job.kind)
        _fail(job, f"{type(exc).__name__}: {exc}"[:2000])


def _claim(job_id: int) -> Job | None:
    with transaction.atomic():
        job = (
            Job.objects.select_for_update(of=("self",))
            .select_related("project", "created_by")
            .filter(pk=job_id, state__in=(JobState.QUEUED, JobState.RUNNING))
            .first()
        )
        if job is None:
            return None
        job.state = JobState.RUNNING
        job.attempts += 1
        job.progress = 0.0
        job.message = "Started" if job.attempts == 1 else f"Started again (attempt {job.attempts})"
        job.started_at = job.started_at or timezone.now()
        job.worker = f"{socket.gethostname()}:{os.getpid()}"
        job.save(update_fields=["state", "attempts", "progress", "message", "started_at", "worker"])
    return job


def _finish(job: Job, **fields: Any) -> bool:
    """Mark the running ``job`` succeeded with ``fields``; False when it was cancelled
    meanwhile (then nothing changes)."""
    return bool(
        Job.objects.filter(pk=job.pk, state=JobState.RUNNING).update(
            state=JobState.SUCCEEDED,
            progress=1.0,
            finished_at=timezone.now(),
            **fields,
        )
    )


def _fail(job: Job, error: str, result: Any = None) -> None:
    Job.objects.filter(pk=job.pk, state=JobState.RUNNING).update(
        state=JobState.FAILED,
        error=error,
        result=result,
        message="Failed",
        finished_at=timezone.now(),
    )


# ---------------------------------------------------------------------------------------------
# The kinds


def _export(job: Job, reporter: Reporter) -> None:
    prepared = exporting.prepare_export(job.project, job.params)
    total = max(1, prepared.count_records())
    seen = {"records": 0}

    def observe(record: dict) -> None:
        seen["records"] += 1
        n = seen["records"]
        reporter.update(n / total * 0.98, f"Exported {n:,} of {total:,} records")

    prepared.observe = observe
    reporter.update(0.0, f"Exporting {total:,} records", force=True)
    size = 0
    with tempfile.TemporaryFile(prefix=f"annotator-job-{job.pk}-") as out:
        for chunk in prepared:
            out.write(chunk)
            size += len(chunk)
        out.seek(0)
        reporter.update(0.99, "Storing the file", force=True)
        stored = files.save(job.pk, f"attempt-{job.attempts}", prepared.filename, out)
    result = {
        "filename": prepared.filename,
        "content_type": prepared.content_type,
        "bytes": size,
        "records": seen["records"],
    }
    if not _finish(job, file=stored, result=result, message=f"{seen['records']:,} records"):
        files.delete(stored)  # cancelled at the last moment


def _import(job: Job, reporter: Reporter) -> None:
    params = job.params
    reporter.update(0.05, "Reading and checking the file", force=True)
    with files.open_file(job.upload) as upload, transaction.atomic():
        report = indexing.do_import(
            job.project,
            [(params.get("filename") or "upload", getattr(upload, "file", upload))],
            fmt=params.get("format", "native"),
            layer=params.get("layer") or None,
            partial=bool(params.get("partial")),
            actor=job.created_by,
            progress=lambda fraction, message: reporter.update(
                0.05 + 0.9 * fraction, message, force=True
            ),
            options=reading.ReadOptions(
                text_column=params.get("text_column") or None,
                id_column=params.get("id_column") or None,
                title_column=params.get("title_column") or None,
                infer_attrs=bool(params.get("infer_attrs")),
            ),
        )
        result = report.as_dict()
        message = f"{result['created']:,} articles created, {result['unchanged']:,} unchanged"
        if not _finish(job, result=result, message=message):
            raise Cancelled(job.pk)  # rolls the import back


def _agreement(job: Job, reporter: Reporter) -> None:
    reporter.update(0.05, "Computing agreement", force=True)
    with transaction.atomic():
        snapshot = snapshots.refresh(job.project)
        result = {
            "computed_at": snapshot.computed_at.isoformat(),
            "duration_ms": snapshot.duration_ms,
        }
        message = f"Computed in {snapshot.duration_ms / 1000:.1f} s"
        if not _finish(job, result=result, message=message):
            raise Cancelled(job.pk)


def _train(job: Job, reporter: Reporter) -> None:
    """Train from scratch: a retry after a dead worker trains again (nothing is stored before
    the model is complete; at worst a model stored just before the worker died is followed by
    a newer one)."""
    reporter.update(0.0, "Reading the gold", force=True)

    def progress(step: str, fraction: float) -> None:
        words = {
            "training": "Training",
            "evaluating": "Evaluating on the held-out articles",
            "uncertainty": "Measuring the model's uncertainty on unstarted articles",
        }
        reporter.update(min(0.99, fraction), words.get(step, "Storing the model"))

    try:
        stored = training.do_train_project_model(
            job.project,
            include_submitted=bool(job.params.get("include_submitted")),
            feedback=bool(job.params.get("feedback")),
            progress=progress,
        )
    except ValueError as exc:
        _fail(job, str(exc))
        return
    t = stored.meta["training"]
    _finish(
        job,
        result={"model": stored.name, "articles": t["articles"]},
        message=f"Trained on {t['articles']:,} articles",
    )


def _drop_upload_when_final(job_id: int) -> None:
    """An import's upload is kept for a retry until the job has ended."""
    job = Job.objects.filter(pk=job_id).exclude(upload="").only("state", "upload").first()
    if job is not None and job.state not in (JobState.QUEUED, JobState.RUNNING):
        files.delete(job.upload)
        Job.objects.filter(pk=job_id).update(upload="")


# ---------------------------------------------------------------------------------------------
# Housekeeping


def remove_old_results(now=None) -> int:
    """Delete the files of jobs that ended more than ANNOTATOR_JOB_RETENTION_DAYS ago; the jobs
    stay, marked expired. Returns how many files went."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.ANNOTATOR_JOB_RETENTION_DAYS)
    old = Job.objects.filter(finished_at__lt=cutoff).exclude(file="", upload="")
    removed = 0
    for job_id in old.values_list("id", flat=True).iterator():
        files.delete_folder(job_id)
        removed += 1
    old.update(file="", upload="", message="The result was removed after its retention period")
    return removed


def note_requeued(job_id: int, max_attempts: int) -> bool:
    """After a dead worker's job went back to the queue: the job is queued again, or failed
    when it has run ``max_attempts`` times (a job that kills its worker each time). True
    when it will run again."""
    queued = Job.objects.filter(
        pk=job_id, state=JobState.RUNNING, attempts__lt=max_attempts
    ).update(state=JobState.QUEUED, message="Its worker stopped; waiting for another")
    if not queued:
        Job.objects.filter(pk=job_id, state=JobState.RUNNING).update(
            state=JobState.FAILED,
            error=f"Its worker stopped during each of its {max_attempts} attempts.",
            message="Failed",
            finished_at=timezone.now(),
        )
    return bool(queued)
