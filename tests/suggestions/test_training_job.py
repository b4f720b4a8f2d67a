"""Train in Settings → Suggestions: a background job with progress, that a retry after a dead
worker completes, and the newest model's held-out figures on the page. Only managers."""

from __future__ import annotations

import pytest

from labels.interop.importing import do_import
from labels.jobs import work
from labels.models import Job, JobKind, JobState, Role
from labels.suggestions.training import model_versions
from tests.support.paths import ROOT


@pytest.fixture
def model_storage(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "suggester_models": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "models")},
        },
    }


@pytest.fixture
def seeded(make_project, manager, reviewer, annotator, outsider, model_storage):
    project = make_project(
        "seed-gold",
        members={manager: Role.MANAGER, reviewer: Role.REVIEWER, annotator: Role.ANNOTATOR},
    )
    with (ROOT / "seeds" / "gold.jsonl").open("rb") as handle:
        do_import(project, [("gold.jsonl", handle)], fmt="native", layer="gold")
    return project


URL = "/projects/seed-gold/settings/suggestions/"


def test_only_managers_start_a_training(client, seeded, reviewer, annotator, outsider):
    for user, status in ((annotator, 403), (reviewer, 403), (outsider, 404)):
        client.force_login(user)
        assert client.post(URL + "train/").status_code == status
        assert client.get(URL).status_code == status
    assert not Job.objects.filter(kind=JobKind.TRAIN).exists()


def test_train_queues_one_job_at_a_time(client, seeded, manager):
    client.force_login(manager)
    response = client.post(URL + "train/", {"include_submitted": "on"}, follow=True)
    (job,) = Job.objects.filter(project=seeded, kind=JobKind.TRAIN)
    assert job.state == JobState.QUEUED
    assert job.params == {"include_submitted": True, "feedback": False}
    html = response.content.decode()
    assert "Training started" in html and f"/jobs/{job.pk}/" in html
    again = client.post(URL + "train/", follow=True).content.decode()
    assert "already queued or running" in again
    assert Job.objects.filter(project=seeded, kind=JobKind.TRAIN).count() == 1


@pytest.mark.django_db(transaction=True)
def test_training_job_reports_progress_survives_a_dead_worker_and_shows_figures(
    client, seeded, manager
):
    client.force_login(manager)
    assert "data-model-evaluation" not in client.get(URL).content.decode()
    client.post(URL + "train/")
    job = Job.objects.get(kind=JobKind.TRAIN)
    # A worker claimed it and died: the stalled-job recovery puts it back in the queue.
    Job.objects.filter(pk=job.pk).update(state=JobState.RUNNING, attempts=1, progress=0.4)
    assert work.note_requeued(job.pk, max_attempts=3)
    work.run(job.pk)
    job.refresh_from_db()
    assert job.state == JobState.SUCCEEDED, job.error
    assert (job.attempts, job.progress) == (2, 1.0)
    assert job.message == "Trained on 4 articles"
    assert job.result == {"model": model_versions("seed-gold")[-1], "articles": 4}
    html = client.get(URL).content.decode()
    section = html[html.index("data-model-evaluation") :]
    assert "on 4 articles" in section and "2 held-out articles" in section
    for label in ("Quote", "Source", "Cue", "attributed_to"):
        assert f"<td>{label}</td>" in section
    assert "data-learning-curve" in section


@pytest.mark.django_db(transaction=True)
def test_training_without_gold_fails_with_a_reason(client, make_project, manager, model_storage):
    make_project("empty", members={manager: Role.MANAGER})
    client.force_login(manager)
    client.post("/projects/empty/settings/suggestions/train/")
    job = Job.objects.get(kind=JobKind.TRAIN)
    work.run(job.pk)
    job.refresh_from_db()
    assert job.state == JobState.FAILED
    assert "no reviewed gold" in job.error
    assert model_versions("empty") == []
