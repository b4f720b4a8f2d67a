"""New project, in the browser: the page behind the home page's *New project* button.

Who may create a project is what the API says (``labels/api/projects.py``): staff users; the
creator becomes its manager. The schema is the default news-attribution one, a nearly empty one
to build in Settings → Schema, or a JSON file checked by ``check_schema`` with every problem
shown under the file field. Bad input answers 400 with the form and writes nothing.
"""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.validators import validate_slug
from django.db import IntegrityError, transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import slugify
from django.views.decorators.http import require_http_methods

from labels import jsonio
from labels.errors import Invalid
from labels.models import Project, Role
from labels.projects.members import do_add_member
from labels.projects.projects import RESERVED_SLUGS, do_create_project
from labels.schema import check_schema, default_schema

SCHEMA_MAX_BYTES = 1024 * 1024

NEWS, EMPTY, UPLOAD = "news", "empty", "upload"

# "Empty": a schema needs one span label (check_schema), so one to rename in Settings → Schema.
EMPTY_SCHEMA: dict[str, Any] = {
    "id": "custom",
    "version": 1,
    "allow_overlap": True,
    "span_labels": [{"name": "Label", "color": "#2563eb", "hotkey": "1"}],
    "relations": [],
}


class NewProjectForm(forms.Form):
    name = forms.CharField(label="Name", max_length=200)
    slug = forms.CharField(
        label="Slug",
        max_length=60,
        required=False,
        help_text="The project's address, /projects/<slug>/: lower-case letters, digits, hyphens "
        "and underscores. Filled in from the name; it cannot be changed later.",
    )
    description = forms.CharField(
        label="Description", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    schema = forms.ChoiceField(
        label="Schema",
        choices=[(NEWS, "News attribution"), (EMPTY, "Empty"), (UPLOAD, "Upload JSON")],
        initial=NEWS,
        widget=forms.RadioSelect,
    )
    schema_file = forms.FileField(
        label="Schema file",
        required=False,
        help_text="A schema as JSON; only with Upload JSON.",  # linked to its guide below
    )
    annotators_per_article = forms.IntegerField(
        label="Annotators per article",
        initial=2,
        help_text="How many analysts annotate each article before review.",
    )
    blind = forms.BooleanField(
        label="Blind annotation",
        required=False,
        initial=True,
        help_text="Annotators see only their own work (recommended).",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].widget.attrs.update(autofocus=True, **{"data-slug-source": ""})
        self.fields["slug"].widget.attrs.update(
            {"data-slug-target": "", "autocomplete": "off", "spellcheck": "false"}
        )
        self.fields["schema_file"].widget.attrs["accept"] = ".json,application/json"
        self.fields["schema_file"].help_text = format_html(
            'A schema as JSON (<a href="{}">Help: the schema</a>); only with Upload JSON.',
            reverse("help_page", args=["schema"]),
        )
        self.fields["annotators_per_article"].widget.attrs.update(min=1, max=100)

    def clean_annotators_per_article(self):
        value = self.cleaned_data["annotators_per_article"]
        if not 1 <= value <= 100:
            raise forms.ValidationError("Choose between 1 and 100 analysts per article.")
        return value

    def clean(self):
        super().clean()
        data = self.cleaned_data
        if "name" in data and not data.get("slug"):
            data["slug"] = slugify(data["name"])[:60].rstrip("-_")
            if not data["slug"]:
                self.add_error(
                    "slug", "Give a slug: the name has no letters or digits to make one from."
                )
        if data.get("slug"):
            self._check_slug(data["slug"])
        choice = data.get("schema")
        if choice == NEWS:
            data["schema_json"] = default_schema()
        elif choice == EMPTY:
            data["schema_json"] = EMPTY_SCHEMA
        elif choice == UPLOAD:
            data["schema_json"] = self._uploaded_schema(data.get("schema_file"))
        return data

    def _check_slug(self, slug: str) -> None:
        try:
            validate_slug(slug)
        except forms.ValidationError:
            self.add_error("slug", "Use only lower-case letters, digits, hyphens and underscores.")
            return
        if slug != slug.lower():
            self.add_error("slug", "Use lower-case letters; addresses are easier to share.")
        elif slug in RESERVED_SLUGS:
            self.add_error("slug", f"{slug!r} is the address of this page; choose another slug.")
        elif Project.objects.filter(slug=slug).exists():
            self.add_error("slug", f"A project with the slug {slug!r} already exists.")

    def _uploaded_schema(self, upload) -> Any:
        if upload is None:
            self.add_error("schema_file", "Choose the JSON file with the schema.")
            return None
        if upload.size > SCHEMA_MAX_BYTES:
            self.add_error("schema_file", "A schema file can be at most 1 MB.")
            return None
        raw = upload.read()
        try:
            text = raw.decode("utf-8-sig")
            schema = jsonio.loads(text)
        except UnicodeDecodeError:
            self.add_error("schema_file", "The file is not UTF-8 text.")
            return None
        except json.JSONDecodeError as exc:
            self.add_error(
                "schema_file",
                f"The file is not JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}.",
            )
            return None
        except Invalid as exc:
            self._add_schema_problems(exc)
            return None
        try:
            return check_schema(schema)
        except Invalid as exc:
            self._add_schema_problems(exc)
            return None

    def focus_first_error(self) -> None:
        """The page opens on the first field to correct, not on Name (screen readers say it)."""
        first = next((name for name in self.fields if name in self.errors), None)
        if first is not None and first != "schema":  # radios: the fieldset says it, not a control
            self.fields["name"].widget.attrs.pop("autofocus", None)
            self.fields[first].widget.attrs["autofocus"] = True

    def _add_schema_problems(self, exc: Invalid) -> None:
        for problem in exc.problems:
            where = f"{problem.field}: " if problem.field else ""
            self.add_error("schema_file", f"{where}{problem.message}")


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def project_new(request):
    if not request.user.is_staff:
        raise PermissionDenied("Only staff users create projects; ask an administrator.")
    form = NewProjectForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                project = do_create_project(
                    slug=data["slug"],
                    name=data["name"],
                    description=data["description"],
                    schema=data["schema_json"],
                    annotators_per_article=data["annotators_per_article"],
                    blind=data["blind"],
                )
                do_add_member(project, request.user, Role.MANAGER)
        except IntegrityError:  # the same slug, created a moment ago by someone else
            form.add_error("slug", f"A project with the slug {data['slug']!r} already exists.")
        except Invalid as exc:
            for problem in exc.problems:
                field = problem.field if problem.field in form.fields else None
                form.add_error(field, problem.message)
        else:
            messages.success(
                request,
                f"{project.name} is ready. Import articles below, and add members in Settings.",
            )
            return redirect("project", slug=project.slug)
    form.focus_first_error()
    return render(
        request,
        "labels/project_new.html",
        {"form": form},
        status=400 if form.is_bound else 200,
    )
