"""Settings → Suggestions: which automatic suggesters propose spans, and the model server's URL
(managers only). The same checks as ``PATCH /api/v1/projects/{slug}/``: the URL through
``labels.suggestions.http.check_suggester_url``, the pair through ``do_update_project``. *Test the
model server* calls it once on a tiny text and shows how it went."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.html import format_html
from django.views.decorators.http import require_http_methods, require_POST

from labels.errors import Closed, Invalid
from labels.jobs.runs import do_start_training
from labels.models import Project, Suggesters
from labels.pages.settings_shell import manager_project, render_section
from labels.projects.projects import do_update_project
from labels.suggestions.feedback import acceptance_rates
from labels.suggestions.http import check_http_suggester, check_suggester_url
from labels.suggestions.model_suggester import check_suggester_model, model_choices
from labels.suggestions.training import model_meta, model_versions

SECTION = "settings_suggestions"
TEMPLATE = "labels/settings/suggestions.html"


class SuggestionsForm(forms.Form):
    suggesters = forms.ChoiceField(
        label="Suggesters",
        choices=Suggesters.choices,
        widget=forms.RadioSelect,
        help_text="Suggestions imported into the project are always offered, whatever this says.",
    )
    suggester_url = forms.CharField(
        label="Model server URL",
        required=False,
        max_length=200,
        help_text="An HTTP model server that proposes spans: http:// or https://, no credentials "
        "in the URL. Empty for none.",  # with a link to its guide: __init__
    )

    suggester_model = forms.ChoiceField(
        label="Learned model",
        required=False,
        help_text="Also suggest with the newest model trained on this project, or on a project "
        "that shares its models; the rules' proposals are still added where it has none.",
    )
    shares_suggester_model = forms.BooleanField(
        label="Let other projects use this project's trained models",
        required=False,
        help_text="Their managers can then choose them; your articles and gold stay private.",
    )
    next_by_uncertainty = forms.BooleanField(
        label="Next hands out first the articles where the model is least sure",
        required=False,
        help_text="Unstarted articles are measured each time a model is trained (the one this "
        "project suggests with); Next then gives the least sure first, so the gold teaches the "
        "model fastest. Off: in import order. Seats and leases are the same either way.",
    )

    def __init__(self, *args, project: Project, **kwargs):
        self.project = project
        super().__init__(*args, **kwargs)
        self.fields["suggester_url"].help_text = format_html(
            'An HTTP model server that proposes spans (<a href="{}">Help: suggestions</a>): '
            "http:// or https://, no credentials in the URL. Empty for none.",
            reverse("help_page", args=["suggestions"]),
        )
        self.sources = {str(p.pk): p for p in model_choices(project)}
        field = self.fields["suggester_model"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "None")] + [
            (pk, "This project" if p.pk == project.pk else f"{p.name} (shared)")
            for pk, p in self.sources.items()
        ]

    def clean_suggester_model(self):
        value = self.cleaned_data["suggester_model"]
        source = self.sources.get(value) if value else None
        try:
            return check_suggester_model(self.project, source)
        except Invalid as exc:
            raise forms.ValidationError(exc.problems[0].message) from None

    def clean_suggester_url(self):
        try:
            return check_suggester_url(self.cleaned_data["suggester_url"])
        except Invalid as exc:
            raise forms.ValidationError(_for_people(exc.problems[0].message)) from None


def _initial(project: Project) -> dict[str, object]:
    return {
        "suggesters": project.suggesters,
        "suggester_url": project.suggester_url,
        "suggester_model": str(project.suggester_model_id or ""),
        "shares_suggester_model": project.shares_suggester_model,
        "next_by_uncertainty": project.next_by_uncertainty,
    }


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def suggestions(request, slug: str):
    project, _ = manager_project(request, slug)
    project = Project.objects.get(pk=project.pk)
    form = SuggestionsForm(request.POST or None, initial=_initial(project), project=project)
    if request.method == "POST" and form.is_valid():
        changes = {name: form.cleaned_data[name] for name in form.changed_data}
        try:
            do_update_project(project, changes)
        except Invalid as exc:
            for problem in exc.problems:
                field = problem.field if problem.field in form.fields else None
                form.add_error(field, _for_people(problem.message))
        else:
            messages.success(request, "Settings saved." if changes else "Nothing changed.")
            return redirect(SECTION, slug=slug)
    return render_section(
        request,
        TEMPLATE,
        project,
        SECTION,
        {"form": form, "check": None, **_model_context(project)},
        status=400 if form.is_bound else 200,
    )


@login_required
@require_POST
def check(request, slug: str):
    """Call the saved model server once (no cache) and show the result beside the form."""
    project, _ = manager_project(request, slug)
    project = Project.objects.get(pk=project.pk)
    return render_section(
        request,
        TEMPLATE,
        project,
        SECTION,
        {
            "form": SuggestionsForm(initial=_initial(project), project=project),
            "check": check_http_suggester(project),
            **_model_context(project),
        },
    )


@login_required
@require_POST
def train(request, slug: str):
    """Start training the project's suggester on its gold, in the background (Jobs shows its
    progress); the newest model's held-out evaluation is shown on this page."""
    project, _ = manager_project(request, slug)
    try:
        job = do_start_training(
            project,
            request.user,
            include_submitted=request.POST.get("include_submitted") == "on",
            feedback=request.POST.get("feedback") == "on",
        )
    except Closed as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            format_html(
                'Training started: <a href="{}">follow it in Jobs</a>. Its figures appear here '
                "when it is done.",
                reverse("job", args=[job.pk]),
            ),
        )
    return redirect(SECTION, slug=slug)


def _model_context(project: Project) -> dict:
    """The newest model's figures for the page (or ``None``), and the acceptance rate of each
    suggester and rule."""
    rates = acceptance_rates(project)
    versions = model_versions(project.slug)
    if not versions:
        return {"model": None, "rates": rates}
    meta = model_meta(versions[-1])
    ev = meta.get("evaluation", {})
    rows = []
    for name, title in (
        ("rules", "Rules"),
        ("model", "Model"),
        ("model_and_rules", "Model + rules"),
    ):
        figures = ev.get(name)
        if not figures:
            continue
        for label, by_kind in figures["spans"].items():
            rows.append(
                {
                    "suggester": title,
                    "label": label,
                    "exact": by_kind["exact"],
                    "overlap": by_kind["overlap"],
                }
            )
        rows.append(
            {"suggester": title, "label": "attributed_to", "exact": figures["attributed_to"]}
        )
    return {
        "model": {
            "meta": meta,
            "versions": len(versions),
            "rows": rows,
            "curve": ev.get("learning_curve", []),
        },
        "rates": rates,
    }


def _for_people(message: str) -> str:
    """The API's message names its fields; the page names what the form shows."""
    return message.replace(
        'Set suggester_url to use the HTTP suggester ("http").',
        "Give the model server URL to use the HTTP model server only.",
    ).replace("The suggester URL", "The model server URL")
