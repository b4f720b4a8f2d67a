"""The project's schema editor (Settings → Schema, managers only)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.views.decorators.http import require_http_methods

from labels.pages.settings_shell import manager_project, render_section


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def schema(request, slug: str):
    project, _ = manager_project(request, slug)
    return render_section(request, "labels/settings/schema.html", project, "settings_schema")
