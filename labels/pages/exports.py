"""The project page's Export form (managers and reviewers): "Download now" streams the dataset.

The form asks ``export/check/`` first (every parameter checked, and the tokenizer loaded, by
``exporting.prepare_export`` — nothing is read from the annotations), so that a bad field is
shown next to it in the page; then the browser downloads ``export/``, with its own progress.
Without JavaScript the form goes to ``export/`` directly, which answers a bad field with a page
naming it instead of the API's JSON.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from labels import access
from labels.errors import Invalid
from labels.interop import exporting

# The form's field labels, for the page that lists problems without JavaScript.
FIELD_LABELS = {
    "format": "Format",
    "layer": "Layer",
    "status": "Status",
    "labels": "Labels",
    "since": "Changed since",
    "split": "Split",
    "lang": "Tokenizer language",
}


def _prepare(request, slug: str):
    project, _ = access.access_project(request.user, slug, roles=access.STAFF_ROLES)
    params = {name: request.GET.getlist(name) for name in request.GET}
    return project, exporting.prepare_export(project, params)


@login_required
@require_safe
def export_check(request, slug: str):
    """204 if ``export/`` with these parameters would stream; else 400 with the API's errors
    (``{"errors": [{field, code, message}]}``)."""
    try:
        _prepare(request, slug)
    except Invalid as exc:
        return JsonResponse({"errors": [p.as_dict() for p in exc.problems]}, status=400)
    return HttpResponse(status=204)


@login_required
@require_safe
def export_download(request, slug: str):
    """The dataset as a download, streamed as the database yields it (as the API's export)."""
    try:
        project, prepared = _prepare(request, slug)
    except Invalid as exc:
        project, _ = access.access_project(request.user, slug, roles=access.STAFF_ROLES)
        problems = [(FIELD_LABELS.get(p.field, p.field), p.message) for p in exc.problems]
        return render(
            request,
            "labels/export_problems.html",
            {"project": project, "problems": problems},
            status=400,
        )
    response = StreamingHttpResponse(iter(prepared), content_type=prepared.content_type)
    response["Content-Disposition"] = f'attachment; filename="{prepared.filename}"'
    response["Cache-Control"] = "no-store"
    response["X-Accel-Buffering"] = "no"  # a buffering proxy (nginx) passes the stream on
    return response
