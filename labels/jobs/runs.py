"""Starting, listing and cancelling jobs: what the API, the pages and the commands call.

A job row and its queue entry are written in one transaction (procrastinate's Django connector
defers on Django's connection), so a job is never queued without its row or the reverse.
Parameters are checked here, by the same functions as the streamed export and the import, so a
bad one is the same 4xx before anything is queued.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from procrastinate.contrib.django import app

from labels.errors import Closed
from labels.interop import exporting, importing
from labels.jobs import files, tasks
from labels.models import ACTIVE_STATES, Job, JobKind, JobState, Membership, Project, Role


def _start(project: Project, user, kind: str, params: dict[str, Any], **fields: Any) -> Job:
    with transaction.atomic():
        job = Job.objects.create(
            project=project,
            created_by=user if getattr(user, "is_authenticated", False) else None,
            kind=kind,
            params=params,
            message="Waiting for a worker",
            **fields,
        )
        job.queue_id = tasks.run_job.defer(job_id=job.pk)
        job.save(update_fields=["queue_id"])
    return job


def do_start_export(project: Project, user, params: Mapping[str, Any]) -> Job:
    """Queue an export of ``project`` with the streamed export's parameters (``format``,
    ``layer``, ``status``, ``labels``, ``since``, ``split``, ``lang``); ``Invalid`` names a bad
    one, as ``GET …/export/`` does. The export is prepared as the streamed one is (its
    tokenizer loaded for a token format, nothing read from the annotations), so that a language
    spaCy lacks is a 400 now rather than a job that fails in the worker."""
    exporting.prepare_export(project, params)
    return _start(project, user, JobKind.EXPORT, dict(params))


def runs_in_background(upload, asked: bool) -> bool:
    """An import runs as a job when asked to, when its file is over ANNOTATOR_IMPORT_JOB_MB, or
    when it has more than ANNOTATOR_IMPORT_JOB_RECORDS lines (a JSONL or CSV file's records):
    a web worker that imports many records itself stays larger afterwards (the freed heap is
    not given back), while a job's import runs in a child process of the worker that takes its
    memory with it when it exits (``labels.jobs.child``)."""
    if asked or (upload.size or 0) > settings.ANNOTATOR_IMPORT_JOB_BYTES:
        return True
    return _more_lines_than(upload, settings.ANNOTATOR_IMPORT_JOB_RECORDS)


def _more_lines_than(upload, limit: int) -> bool:
    """Whether ``upload`` (an uploaded file, read in chunks, not parsed) has more than ``limit``
    lines; it is left at its start."""
    lines = 0
    last = b"\n"
    try:
        for chunk in upload.chunks():
            lines += chunk.count(b"\n")
            last = chunk[-1:] or last
            if lines > limit:
                return True
    finally:
        upload.seek(0)
    return lines + (last != b"\n") > limit


def import_params(data: Mapping[str, Any]) -> dict[str, Any]:
    """An import form's or request's options as a job keeps them (a blank text is None)."""

    def text(name: str) -> str | None:
        return (data.get(name) or "").strip() or None

    return {
        "format": data["format"],
        "layer": text("layer"),
        "partial": bool(data["partial"]),
        "infer_attrs": bool(data.get("infer_attrs")),
        "text_column": text("text_column"),
        "id_column": text("id_column"),
        "title_column": text("title_column"),
    }


def do_start_import(project: Project, user, upload, params: dict[str, Any]) -> Job:
    """Store ``upload`` in the jobs storage and queue its import with ``params`` (format, layer,
    partial, CSV columns) — the arguments of ``importing.do_import``, which checks them when it
    runs. The upload is removed when the job ends."""
    importing.check_import_layer(project, params.get("layer"))
    name = upload.name or "upload"
    with transaction.atomic():
        job = Job.objects.create(
            project=project,
            created_by=user if getattr(user, "is_authenticated", False) else None,
            kind=JobKind.IMPORT,
            params={**params, "filename": name, "bytes": upload.size},
            message="Waiting for a worker",
        )
        upload.seek(0)
        job.upload = files.save(job.pk, "upload", name.rsplit("/", 1)[-1], upload)
        job.queue_id = tasks.run_job.defer(job_id=job.pk)
        job.save(update_fields=["upload", "queue_id"])
    return job


def do_start_agreement(project: Project, user) -> Job:
    """Queue a recompute of ``project``'s agreement (``agreement.snapshots.refresh``)."""
    return _start(project, user, JobKind.AGREEMENT, {})


def do_start_training(
    project: Project, user, *, include_submitted: bool = False, feedback: bool = False
) -> Job:
    """Queue the training of ``project``'s suggester on its gold
    (``suggestions.training.do_train_project_model``); one at a time per project (``Closed``,
    a 409, while one is queued or running)."""
    if Job.objects.filter(project=project, kind=JobKind.TRAIN, state__in=ACTIVE_STATES).exists():
        raise Closed("A training of this project's suggester is already queued or running.")
    params = {"include_submitted": bool(include_submitted), "feedback": bool(feedback)}
    return _start(project, user, JobKind.TRAIN, params)


def do_cancel(job: Job) -> Job:
    """Cancel a queued or running job (``Closed``, a 409, once it has ended). A queued job never
    starts; a running one stops at its next progress update (``labels.jobs.progress``) and
    leaves nothing behind. Locks the job row."""
    with transaction.atomic():
        locked = Job.objects.select_for_update().get(pk=job.pk)
        if locked.state not in ACTIVE_STATES:
            raise Closed(f"The job has already {locked.state}; there is nothing to cancel.")
        locked.state = JobState.CANCELLED
        locked.message = "Cancelled"
        locked.finished_at = timezone.now()
        locked.save(update_fields=["state", "message", "finished_at"])
        if locked.queue_id is not None:
            # A queued entry is cancelled; a running one is asked to abort.
            app.job_manager.cancel_job_by_id(locked.queue_id, abort=True)
    if locked.upload:
        files.delete(locked.upload)
        Job.objects.filter(pk=job.pk).update(upload="")
    for field in ("state", "message", "finished_at"):
        setattr(job, field, getattr(locked, field))
    return job


def visible_jobs(project: Project, user, membership: Membership) -> QuerySet[Job]:
    """The jobs of ``project`` the member sees, newest first: a manager all of them, anyone
    else their own (``access.access_job`` is the same rule for one job)."""
    jobs = Job.objects.filter(project=project).select_related("project", "created_by")
    if membership.role != Role.MANAGER:
        jobs = jobs.filter(created_by=user)
    return jobs.order_by("-created_at", "-id")


def active_agreement_job(project: Project) -> Job | None:
    return (
        Job.objects.filter(project=project, kind=JobKind.AGREEMENT, state__in=ACTIVE_STATES)
        .order_by("-id")
        .first()
    )
