"""Settings → Schema: the schema editor (managers only).

``GET`` renders the page; the editor (``static/js/settings/schema_editor.js``) builds the rows
from the schema in the page and sends the whole edited schema back as JSON:

    {"action": "preview" | "save", "schema": {...}, "was": {"span_labels": [...],
     "relations": [...]}, "consent": ["label:Claim", ...], "base": "<schema token>"}

``preview`` answers what the change would do (``{"effects": [...], "version": n}``), ``save``
does it; both answer 400 ``{"errors": [{field, code, message}]}`` naming the field of every
problem (``span_labels[2].hotkey``), and then nothing is written.
"""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from labels import jsonio
from labels.errors import Invalid, Problem, refusal
from labels.pages.errors import DOMAIN_ERRORS
from labels.pages.settings_shell import manager_project, render_section
from labels.projects.schema_editing import (
    check_schema_change,
    do_change_schema,
    schema_token,
    stored_counts,
)
from labels.schema import ATTRIBUTE_TYPES, RESERVED_HOTKEYS
from labels.speakers import links

ACTIONS = ("preview", "save")


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def schema_page(request: HttpRequest, slug: str):
    project, membership = manager_project(request, slug)
    if request.method == "POST":
        return _post(request, project)
    span_counts, relation_counts = stored_counts(project)
    editor = {
        "schema": project.schema,
        "version": project.schema_version,
        "base": schema_token(project),
        "url": reverse("settings_schema", args=[project.slug]),
        "span_counts": span_counts,
        "relation_counts": relation_counts,
        "reserved_hotkeys": list(RESERVED_HOTKEYS),
        "attribute_types": list(ATTRIBUTE_TYPES),
    }
    return render_section(
        request,
        "labels/settings/schema.html",
        project,
        "settings_schema",
        {
            "editor": editor,
            # A schema made before speakers: the banner that adds Source's speaker attribute.
            "speaker_gap": links.speaker_gap(project.schema),
            "schema_base": editor["base"],
            "membership": membership,
        },
    )


def _errors(status: int, problems: list[Problem]) -> JsonResponse:
    return JsonResponse({"errors": [p.as_dict() for p in problems]}, status=status)


def _post(request: HttpRequest, project) -> JsonResponse:
    try:
        body = jsonio.loads(request.body)
    except json.JSONDecodeError:
        return _errors(
            400, [Problem("", "not_json", "The editor sent something that is not JSON.")]
        )
    except Invalid as exc:
        return _errors(400, exc.problems)
    if not isinstance(body, dict) or body.get("action") not in ACTIONS:
        return _errors(
            400, [Problem("action", "invalid_choice", "Say whether to preview or to save.")]
        )
    options = {"was": body.get("was"), "base": body.get("base")}
    try:
        if body["action"] == "preview":
            change = check_schema_change(project, body.get("schema"), **options)
            return JsonResponse(
                {
                    "changed": change.changed,
                    "version": change.version,
                    "effects": [e.as_dict() for e in change.effects],
                }
            )
        saved = do_change_schema(
            project,
            body.get("schema"),
            consent=body.get("consent") or [],
            actor=request.user,
            **options,
        )
    except DOMAIN_ERRORS as exc:
        status, problems = refusal(exc)
        return _errors(status, problems)
    messages.success(request, f"Schema saved: this is schema version {saved.schema_version}.")
    return JsonResponse(
        {
            "saved": True,
            "version": saved.schema_version,
            "location": reverse("settings_schema", args=[project.slug]),
        }
    )
