"""The import form on the project page (managers): one file, checked whole, then the report."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from labels import access
from labels.errors import ImportFailed
from labels.interop import importing, reading
from labels.interop.formats import registry
from labels.jobs import indexing, runs
from labels.models import Role
from labels.pages import errors as page_errors


class ImportForm(forms.Form):
    file = forms.FileField()
    format = forms.ChoiceField(choices=[(f, f) for f in registry.IMPORT_FORMATS])
    layer = forms.CharField(required=False, max_length=150)
    partial = forms.BooleanField(required=False)
    infer_attrs = forms.BooleanField(required=False)  # "Infer quote_type"
    text_column = forms.CharField(required=False, max_length=200)
    id_column = forms.CharField(required=False, max_length=200)
    title_column = forms.CharField(required=False, max_length=200)
    background = forms.BooleanField(required=False)


@login_required
@require_POST
def import_upload(request, slug: str):
    """Import the uploaded file with ``importing.do_import`` and show the report (200) or the
    problems (400, nothing written unless "import the good records only" was ticked). With
    "run in the background", or a file over ANNOTATOR_IMPORT_JOB_MB, start a job instead and
    show its page, where the report appears when it ends."""
    project, _ = access.access_project(request.user, slug, roles=[Role.MANAGER])
    form = ImportForm(request.POST, request.FILES)
    report = None
    errors: list[str] = []
    code = None
    if not form.is_valid():
        errors = [f"{name}: {message}" for name, msgs in form.errors.items() for message in msgs]
    else:
        data = form.cleaned_data
        upload = data["file"]
        try:
            importing.check_upload_size(upload.size)
            if runs.runs_in_background(upload, data["background"]):
                job = runs.do_start_import(project, request.user, upload, runs.import_params(data))
                return redirect("job", job_id=job.pk)
            report = indexing.do_import(
                project,
                [(upload.name or "upload", upload.file)],
                fmt=data["format"],
                layer=data["layer"].strip() or None,
                partial=data["partial"],
                actor=request.user,
                options=reading.ReadOptions(
                    text_column=data["text_column"].strip() or None,
                    id_column=data["id_column"].strip() or None,
                    title_column=data["title_column"].strip() or None,
                    infer_attrs=data["infer_attrs"],
                ),
            )
            errors = report.errors  # records left out of a partial import
        except page_errors.DOMAIN_ERRORS as exc:
            code, errors = page_errors.answer(exc)
            report = exc.report if isinstance(exc, ImportFailed) else None
    failed = bool(errors) and not (report and report.written)
    return render(
        request,
        "labels/import_result.html",
        {"project": project, "report": report, "errors": errors, "failed": failed},
        status=(code or 400) if failed else 200,
    )
