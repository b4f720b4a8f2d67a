"""What every project settings page shares: managers only, and the section navigation.

Each section is its own page (``/projects/<slug>/settings/…``) so that a form's errors, a
reload and a link all land on the section they belong to.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from labels import access
from labels.models import Membership, Project, Role

# (URL name, heading); the order of the navigation. Schema, Members, Guidelines and
# Suggestions join it as they are built (issue 14).
SECTIONS = [
    ("settings_general", "General"),
    ("settings_schema", "Schema"),
    ("settings_members", "Members"),
    ("settings_guidelines", "Guidelines"),
    ("settings_suggestions", "Suggestions"),
]


def manager_project(request: HttpRequest, slug: str) -> tuple[Project, Membership]:
    """The project ``slug`` for its manager: 404 to outsiders, 403 to other roles."""
    return access.access_project(request.user, slug, roles=(Role.MANAGER,))


def render_section(
    request: HttpRequest,
    template: str,
    project: Project,
    section: str,
    context: dict[str, Any] | None = None,
    *,
    status: int = 200,
) -> HttpResponse:
    """Render a settings section; ``template`` extends ``labels/settings/base.html``."""
    return render(
        request,
        template,
        {
            "project": project,
            "settings_sections": SECTIONS,
            "settings_section": section,
            **(context or {}),
        },
        status=status,
    )
