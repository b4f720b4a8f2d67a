"""The review page of an article (reviewers and managers): the page, its data and its script;
the decisions go through the review API. The view checks access, then renders.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe

from labels import access


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
        "user": request.user.username,
    }
    return render(
        request,
        "labels/review.html",
        {"article": article, "project": project, "membership": membership, "config": config},
    )
