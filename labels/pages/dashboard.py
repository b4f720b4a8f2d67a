"""The project dashboard page, and refreshing its agreement figures."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe

from labels import access
from labels.agreement import snapshots
from labels.projects import dashboard


@login_required
@require_safe
def dashboard_page(request, slug: str):
    project, membership = access.access_project(request.user, slug, roles=access.STAFF_ROLES)
    context = dashboard.build(project)
    return render(
        request,
        "labels/dashboard.html",
        {"project": project, "membership": membership, **context},
    )


@login_required
@require_POST
def refresh_agreement(request, slug: str):
    """Recompute the project's agreement now (it may take a while on a large project)."""
    project, _ = access.access_project(request.user, slug, roles=access.STAFF_ROLES)
    snapshot = snapshots.refresh(project)
    messages.success(request, f"Agreement recomputed in {snapshot.duration_ms / 1000:.1f} s.")
    return redirect("dashboard", slug=slug)
