"""Settings → Guidelines (managers write them, with a live preview) and the analysts' record of
having read them (which turns off the workspace's "the guidelines changed" notice)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.utils import formats, timezone
from django.views.decorators.http import require_http_methods, require_POST

from labels import access
from labels.errors import Invalid
from labels.models import Project
from labels.pages.settings_shell import manager_project, render_section
from labels.projects.guidelines import (
    GuidelinesChanged,
    check_guidelines,
    do_mark_guidelines_seen,
    do_save_guidelines,
    render_guidelines,
)


class GuidelinesForm(forms.Form):
    guidelines = forms.CharField(
        label="Guidelines (Markdown)",
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 24, "spellcheck": "true"}),
        help_text="Headings (#), lists (-), **bold**, *italic*, links and tables. HTML is shown "
        "as text.",
    )
    # The version the editor started from: a save over someone else's newer one is refused.
    based_on = forms.IntegerField(min_value=0, widget=forms.HiddenInput)

    def clean_guidelines(self):
        try:
            return check_guidelines(self.cleaned_data["guidelines"])
        except Invalid as exc:
            raise forms.ValidationError(exc.problems[0].message) from None


def _when(moment) -> str:
    return formats.date_format(timezone.localtime(moment), "j F Y, H:i")


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def guidelines(request, slug: str):
    project, _ = manager_project(request, slug)
    project = Project.objects.get(pk=project.pk)
    initial = {"guidelines": project.guidelines, "based_on": project.guidelines_version}
    form = GuidelinesForm(request.POST or None, initial=initial)
    status = 200
    preview_text = project.guidelines
    if request.method == "POST":
        status = 400
        if form.is_valid():
            preview_text = form.cleaned_data["guidelines"]
            if request.POST.get("action") == "preview":  # the Preview button, without JavaScript
                status = 200
            else:
                try:
                    changed = do_save_guidelines(
                        project, preview_text, based_on=form.cleaned_data["based_on"]
                    )
                except GuidelinesChanged as exc:
                    current = exc.project
                    form.add_error(
                        "guidelines",
                        f"Someone saved version {current.guidelines_version} of the guidelines "
                        f"({_when(current.guidelines_updated_at)}) while you were editing. Your "
                        "text is still below: copy it, reload the page to see theirs, then "
                        "merge the two and save.",
                    )
                    status = 409
                else:
                    messages.success(
                        request,
                        f"Guidelines saved as version {project.guidelines_version}."
                        if changed
                        else "Nothing changed.",
                    )
                    return redirect("settings_guidelines", slug=slug)
        else:
            preview_text = request.POST.get("guidelines", "")[:200_000]
    return render_section(
        request,
        "labels/settings/guidelines.html",
        project,
        "settings_guidelines",
        {
            "form": form,
            "preview": render_guidelines(preview_text),
            "saved_at": _when(project.guidelines_updated_at)
            if project.guidelines_updated_at
            else "",
        },
        status=status,
    )


@login_required
@require_POST
def preview(request, slug: str):
    """The editor's live preview: ``guidelines`` (form field) rendered as analysts will see it.
    JSON ``{"html": …}``, or 400 with the API's error shape."""
    manager_project(request, slug)
    try:
        text = check_guidelines(request.POST.get("guidelines", ""))
    except Invalid as exc:
        return JsonResponse({"errors": [p.as_dict() for p in exc.problems]}, status=400)
    return JsonResponse({"html": str(render_guidelines(text))})


@login_required
@require_POST
def seen(request, slug: str):
    """A member opened the guidelines as of ``version`` (form field, the version their page
    showed): the workspace stops saying they changed. 204; 400 names the field."""
    _, membership = access.access_project(request.user, slug)
    try:
        version = int(request.POST.get("version", ""))
        if version < 0:
            raise ValueError
    except ValueError:
        return JsonResponse(
            {
                "errors": [
                    {
                        "field": "version",
                        "code": "invalid",
                        "message": "Send the guidelines version the page showed (a whole number).",
                    }
                ]
            },
            status=400,
        )
    do_mark_guidelines_seen(membership, version)
    return HttpResponse(status=204)
