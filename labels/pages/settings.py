"""The project settings pages (managers only): General, Members, Suggestions."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.views.decorators.http import require_http_methods

from labels.pages.settings_shell import manager_project, render_section


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def general(request, slug: str):
    project, _ = manager_project(request, slug)
    return render_section(request, "labels/settings/general.html", project, "settings_general")


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def members(request, slug: str):
    project, _ = manager_project(request, slug)
    return render_section(request, "labels/settings/members.html", project, "settings_members")


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def suggestions(request, slug: str):
    project, _ = manager_project(request, slug)
    return render_section(
        request, "labels/settings/suggestions.html", project, "settings_suggestions"
    )
