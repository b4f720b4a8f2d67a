"""The project settings pages (managers only). Today: General: name, description, analysts per
article, blind annotation, lease minutes, and open drafts per analyst (``max_open_drafts``, the
cap ``labels.annotation.queue`` enforces wherever an analyst takes a seat)."""

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

    max_open_drafts = forms.IntegerField(
        label="Open drafts per analyst",
        min_value=1,
        max_value=1000,
        help_text="How many articles one analyst may have started and not yet submitted or "
        "skipped, so that nobody keeps articles from the others. Articles a manager assigns "
        "and those a reviewer sends back do not count.",
        error_messages={
            "min_value": "An analyst may hold at least 1 open draft.",
            "max_value": "Choose at most 1000 open drafts per analyst.",
        },
    )

    class Meta:
        model = Project
        fields = [
            "name",
            "description",
            "annotators_per_article",
            "blind",
            "lease_minutes",
            "max_open_drafts",
        ]
        labels = {
            "annotators_per_article": "Annotators per article",
            "blind": "Blind annotation",
            "lease_minutes": "Lease minutes",
        }
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}
        # The same words for -3 as for 0 (the database's own minimum says "greater than or
        # equal to 0", which is not the rule).
        error_messages = {
            "name": {"required": "Give the project a name."},
            "annotators_per_article": {
                "min_value": "Choose between 1 and 100 analysts per article.",
                "required": "Choose between 1 and 100 analysts per article.",
            },
            "lease_minutes": {
                "min_value": "A lease lasts at least 1 minute; leave it empty for the server's "
                "default.",
            },
        }

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
