"""The project settings pages (managers only). Today: General.

The project's cap on open drafts per analyst (``max_open_drafts``) joins this form when the
queue enforces it (issue 13, point 4); until then it would be a setting that does nothing."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.views.decorators.http import require_http_methods

from labels.models import Project
from labels.pages.settings_shell import manager_project, render_section
from labels.projects.projects import do_update_project


class GeneralForm(forms.ModelForm):
    """The project's own settings; Django's form shows each error next to its field."""

    class Meta:
        model = Project
        fields = [
            "name",
            "description",
            "annotators_per_article",
            "blind",
            "lease_minutes",
        ]
        labels = {
            "annotators_per_article": "Annotators per article",
            "blind": "Blind annotation",
            "lease_minutes": "Lease minutes",
        }
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def clean_annotators_per_article(self):
        value = self.cleaned_data["annotators_per_article"]
        if not 1 <= value <= 100:
            raise forms.ValidationError("Choose between 1 and 100 analysts per article.")
        return value

    def clean_lease_minutes(self):
        value = self.cleaned_data["lease_minutes"]
        if value is not None and value < 1:
            raise forms.ValidationError(
                "A lease lasts at least 1 minute; leave it empty for the server's default."
            )
        return value


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def general(request, slug: str):
    project, _ = manager_project(request, slug)
    form = GeneralForm(request.POST or None, instance=Project.objects.get(pk=project.pk))
    if request.method == "POST" and form.is_valid():
        changes = {name: form.cleaned_data[name] for name in form.changed_data}
        do_update_project(project, changes)
        messages.success(request, "Settings saved." if changes else "Nothing changed.")
        return redirect("settings_general", slug=slug)
    return render_section(
        request,
        "labels/settings/general.html",
        project,
        "settings_general",
        {"form": form},
        status=400 if form.is_bound else 200,
    )
