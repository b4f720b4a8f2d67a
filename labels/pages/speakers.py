"""The Speakers page of a project: the registry, who said what, merges and their undo.

Managers and reviewers only (403 for an analyst, 404 for a non-member); analysts add speakers
from the workspace through the API. Every form posts to a view that calls one function of
``labels.speakers.registry`` and comes back here with a message.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from labels import access
from labels.errors import Invalid
from labels.models import Role, SpeakerKind
from labels.pages import errors as page_errors
from labels.projects.schema_editing import do_change_schema, schema_token
from labels.speakers import links, registry, transfer
from labels.speakers import quotes as quotes_mod


def _staff(request, slug: str):
    return access.access_project(request.user, slug, roles=access.STAFF_ROLES)


def _back(slug: str, speaker_id: int | None = None):
    url = reverse("speakers", args=[slug])
    return redirect(f"{url}?speaker={speaker_id}" if speaker_id else url)


def _refused(request, exc: Exception) -> None:
    messages.error(request, " ".join(page_errors.answer(exc)[1]))


@login_required
@require_safe
def speakers_page(request, slug: str):
    project, membership = _staff(request, slug)
    speakers = list(registry.speakers_of(project))
    query = request.GET.get("q", "").strip()
    shown = transfer.matching(registry.speakers_of(project), query) if query else speakers
    selected = None
    quotes: list = []
    chosen = request.GET.get("speaker")
    if chosen:
        selected = registry.access_speaker(request.user, project, membership, chosen)
        if selected.merged_into_id is not None:
            return _back(slug, selected.merged_into_id)
        quotes = quotes_mod.quotes_of(project, selected)
    events = list(registry.events_of(project)[:30])
    return render(
        request,
        "labels/speakers.html",
        {
            "project": project,
            "membership": membership,
            "speakers": speakers,
            "shown": shown,
            "query": query,
            "selected": selected,
            "quotes": quotes,
            "events": events,
            "kinds": SpeakerKind.choices,
            "speaker_gap": links.speaker_gap(project.schema),
            "schema_base": schema_token(project),
        },
    )


def _form_data(request) -> dict:
    return {
        key: request.POST.get(key, "")
        for key in ("name", "kind", "aliases", "wikidata_id", "description")
        if key in request.POST
    }


@login_required
@require_POST
def speaker_add(request, slug: str):
    project, _ = _staff(request, slug)
    try:
        speaker = registry.do_create_speaker(project, request.user, _form_data(request))
    except page_errors.DOMAIN_ERRORS as exc:
        _refused(request, exc)
        return _back(slug)
    messages.success(request, f"Added “{speaker.name}”.")
    return _back(slug, speaker.pk)


@login_required
@require_POST
def speaker_edit(request, slug: str, speaker_id: int):
    project, membership = _staff(request, slug)
    speaker = registry.access_speaker(request.user, project, membership, speaker_id, edit=True)
    try:
        registry.do_update_speaker(project, request.user, speaker, _form_data(request))
    except page_errors.DOMAIN_ERRORS as exc:
        _refused(request, exc)
    else:
        messages.success(request, f"Saved “{speaker.name}”.")
    return _back(slug, speaker_id)


@login_required
@require_POST
def speaker_delete(request, slug: str, speaker_id: int):
    project, membership = _staff(request, slug)
    speaker = registry.access_speaker(request.user, project, membership, speaker_id, edit=True)
    try:
        registry.do_delete_speaker(project, request.user, speaker)
    except page_errors.DOMAIN_ERRORS as exc:
        _refused(request, exc)
        return _back(slug, speaker_id)
    messages.success(request, f"Deleted “{speaker.name}”.")
    return _back(slug)


@login_required
@require_POST
def speaker_merge(request, slug: str):
    project, membership = _staff(request, slug)
    try:
        merged_id, into_id = request.POST.get("speaker", ""), request.POST.get("into", "")
        if not merged_id.isdigit() or not into_id.isdigit():
            raise Invalid.one("into", "required", "Choose the two speakers to merge.")
        merged = registry.access_speaker(request.user, project, membership, merged_id)
        into = registry.access_speaker(request.user, project, membership, into_id)
        merge = registry.do_merge_speakers(project, request.user, merged, into)
    except page_errors.DOMAIN_ERRORS as exc:
        _refused(request, exc)
        return _back(slug, int(merged_id) if merged_id.isdigit() else None)
    links = f"{merge.moved} link{'s' if merge.moved != 1 else ''}"
    messages.success(
        request,
        f"Merged “{merge.merged.name}” into “{merge.kept.name}”; {links} moved. "
        "Undo it under Recent changes.",
    )
    return _back(slug, merge.kept.pk)


@login_required
@require_POST
def speaker_undo(request, slug: str, event_id: int):
    project, _ = _staff(request, slug)
    try:
        speaker = registry.do_undo_merge(project, request.user, event_id)
    except page_errors.DOMAIN_ERRORS as exc:
        _refused(request, exc)
        return _back(slug)
    messages.success(request, f"Undid the merge: “{speaker.name}” is back with its links.")
    return _back(slug, speaker.pk)


@login_required
@require_safe
def speaker_export(request, slug: str):
    project, _ = _staff(request, slug)
    try:
        fmt = transfer.check_format(request.GET.get("format", "jsonl"))
    except Invalid as exc:
        return page_errors.plain_answer(exc)
    response = StreamingHttpResponse(
        transfer.export_registry(project, fmt), content_type=transfer.CONTENT_TYPES[fmt]
    )
    response["Content-Disposition"] = f'attachment; filename="{project.slug}-speakers.{fmt}"'
    return response


@login_required
@require_POST
def speaker_import(request, slug: str) -> HttpResponse:
    project, _ = _staff(request, slug)
    upload = request.FILES.get("file")
    try:
        if upload is None:
            raise Invalid.one("file", "required", "Choose a JSONL or CSV file of speakers.")
        report = transfer.do_import_registry(
            project, request.user, upload.name or "", upload.read()
        )
    except page_errors.DOMAIN_ERRORS as exc:
        _refused(request, exc)
    else:
        messages.success(
            request,
            f"Imported the registry: {report['created']} added, {report['updated']} updated.",
        )
    return _back(slug)


#: Where the Add-it button of a schema without a speaker attribute comes back to.
_ADD_ATTRIBUTE_BACK = {"speakers": "speakers", "schema": "settings_schema"}


@login_required
@require_POST
def speaker_attribute_add(request, slug: str):
    """Give the Source of a schema made before speakers its ``speaker`` attribute (managers
    only): an ordinary schema change, versioned once annotations exist, refused if the schema
    changed since the page showed the button (``base``)."""
    project, _ = access.access_project(request.user, slug, roles=(Role.MANAGER,))
    back = reverse(_ADD_ATTRIBUTE_BACK.get(request.POST.get("back", ""), "speakers"), args=[slug])
    gap = links.speaker_gap(project.schema)
    if gap is None:
        messages.info(request, "The schema's Source already has a speaker attribute.")
        return redirect(back)
    try:
        schema = links.with_speaker_attribute(project.schema, gap)
        saved = do_change_schema(
            project, schema, base=request.POST.get("base", ""), actor=request.user
        )
    except page_errors.DOMAIN_ERRORS as exc:
        _refused(request, exc)
        return redirect(back)
    messages.success(
        request,
        f"Added the speaker attribute to {gap.label}: this is schema version"
        f" {saved.schema_version}. Analysts can now link each {gap.label} to a speaker.",
    )
    return redirect(back)
