"""The project dashboard page, and refreshing its agreement figures."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe

from labels import access
from labels.jobs import runs
from labels.projects import dashboard


@login_required
@require_safe
def dashboard_page(request, slug: str):
    project, membership = access.access_project(request.user, slug, roles=access.STAFF_ROLES)
    context = dashboard.build(project)
    return render(
        request,
        "labels/dashboard.html",
        {
            "project": project,
            "membership": membership,
            "recompute_job": runs.active_agreement_job(project),
            **context,
        },
    )


@login_required
@require_POST
def refresh_agreement(request, slug: str):
    """Start a background recompute of the project's agreement (one at a time: while one is
    queued or running, the dashboard follows that one); the dashboard shows its progress and
    its figures once it ends."""
    project, _ = access.access_project(request.user, slug, roles=access.STAFF_ROLES)
    if runs.active_agreement_job(project) is None:
        runs.do_start_agreement(project, request.user)
        messages.success(request, "Agreement is being recomputed; the figures follow when done.")
    return redirect("dashboard", slug=slug)
