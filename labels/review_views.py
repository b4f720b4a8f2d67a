"""Pages for reviewers and managers: an article's review, and the project dashboard.

Kept apart from ``labels.views`` (the analysts' pages) so that each set of pages changes for its
own reasons. Each view checks access, calls one domain function and renders.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from labels import access, agreement_db, dashboard


@login_required
@require_safe
def review_page(request, article_id: int):
    """The review of one article; the page loads everything else from the review API."""
    article, membership = access.access_article(request.user, article_id, roles=access.STAFF_ROLES)
    project = article.project
    config = {
        "article": article.pk,
        "review_url": reverse("api-review", args=[article.pk]),
        "project_url": reverse("project", args=[project.slug]),
        "dashboard_url": reverse("dashboard", args=[project.slug]),
        "csrf_token": get_token(request),
        "user": request.user.username,
    }
    return render(
        request,
        "labels/review.html",
        {"article": article, "project": project, "membership": membership, "config": config},
    )


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
    snapshot = agreement_db.refresh(project)
    messages.success(request, f"Agreement recomputed in {snapshot.duration_ms / 1000:.1f} s.")
    return redirect("dashboard", slug=slug)
