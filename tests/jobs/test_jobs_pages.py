"""The pages' side of jobs with a real worker: the import form's background import ends in its
report on the job page, and the dashboard's Recompute updates the figures."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from labels.models import AgreementSnapshot, Article, Job
from tests.support.review_helpers import TEXT, span_data, submit_layer
from tests.support.workers import wait_for

pytestmark = [pytest.mark.server, pytest.mark.django_db(transaction=True)]


def _ended(job_id: int) -> Job:
    return wait_for(
        lambda: Job.objects.get(pk=job_id),
        lambda job: job.state in ("succeeded", "failed", "cancelled"),
    )


def test_import_form_in_the_background_shows_the_report(client, project, manager, worker):
    client.force_login(manager)
    upload = SimpleUploadedFile("a.jsonl", b'{"id": "p1", "text": "The minister said so."}\n')
    response = client.post(
        f"/projects/{project.slug}/import/",
        {"file": upload, "format": "native", "layer": "", "background": "on"},
    )
    assert response.status_code == 302
    job = Job.objects.get(kind="import")
    assert response["Location"] == f"/jobs/{job.pk}/"
    assert _ended(job.pk).state == "succeeded"
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert "Import report" in page and "1 article created" in page
    assert Article.objects.filter(external_id="p1").exists()
    # The project page lists it.
    assert f'data-job="{job.pk}"' in client.get(f"/projects/{project.slug}/").content.decode()


def test_dashboard_recompute_updates_the_figures(
    client, project, make_article, annotator, annotator2, reviewer, worker, settings
):
    settings.ANNOTATOR_AGREEMENT_INLINE_LAYERS = 0
    article = make_article(project, TEXT)
    for who in (annotator, annotator2):
        submit_layer(article, who, [span_data("Source", "Macron")], [])
    client.force_login(reviewer)
    assert "Recompute now" in client.get(f"/projects/{project.slug}/dashboard/").content.decode()
    client.post(f"/projects/{project.slug}/dashboard/agreement/")
    job = Job.objects.get(kind="agreement")
    assert _ended(job.pk).state == "succeeded"
    assert AgreementSnapshot.objects.filter(project=project).exists()
    html = client.get(f"/projects/{project.slug}/dashboard/").content.decode()
    assert "Recompute now" not in html and "out of date" not in html and "Computed" in html
