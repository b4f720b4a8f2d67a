"""The project's guidelines editor (Settings → Guidelines, managers only)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.views.decorators.http import require_http_methods

from labels.pages.settings_shell import manager_project, render_section


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def guidelines(request, slug: str):
    project, _ = manager_project(request, slug)
    return render_section(
        request, "labels/settings/guidelines.html", project, "settings_guidelines"
    )
