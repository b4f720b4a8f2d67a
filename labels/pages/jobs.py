"""A background job's page: its state and progress (live, static/js/jobs.js), then its file, its
import report or its error. Who may see it: ``access.access_job``."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe

from labels import access
from labels.jobs import runs
from labels.models import JobKind
from labels.pages import errors as page_errors


@login_required
@require_safe
def job_page(request, job_id: int):
    job, membership = access.access_job(request.user, job_id)
    report = job.result if job.kind == JobKind.IMPORT else None
    return render(
        request,
        "labels/job.html",
        {"job": job, "project": job.project, "membership": membership, "report": report},
    )


@login_required
@require_POST
def cancel_job(request, job_id: int):
    """Cancel a queued or running job (``runs.do_cancel``), then show it again."""
    job, _ = access.access_job(request.user, job_id)
    try:
        runs.do_cancel(job)
    except page_errors.DOMAIN_ERRORS as exc:
        messages.error(request, " ".join(page_errors.answer(exc)[1]))
    return redirect("job", job_id=job.pk)
