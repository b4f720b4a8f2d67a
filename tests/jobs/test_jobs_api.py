"""Background jobs through the API, run by a real ``manage.py worker`` on the test database:
exports to a file, imports of an upload, agreement recomputes, cancellation, the list, and
who sees what."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from django.utils import timezone

from labels.jobs import files, runs, work
from labels.models import AgreementSnapshot, Article, Job, JobState, Membership, Role
from tests.support.review_helpers import TEXT, span_data, submit_layer
from tests.support.workers import wait_for

pytestmark = [pytest.mark.server, pytest.mark.django_db(transaction=True)]


def test_a_running_export_cancelled_stops_and_leaves_no_file(
    api, project, manager, worker, tmp_path, job_storage
):
    """A long export (80,000 spans) is cancelled once its progress shows it running: the worker
    stops at its next progress update, stores no file, and takes the next job."""
    from bench.export_bench import write_jsonl
    from labels.interop.importing import do_import

    data = tmp_path / "many.jsonl"
    write_jsonl(data, 0, 8000)
    with data.open("rb") as upload:
        do_import(project, [(data.name, upload)], layer="gold")
    client = api(manager)
    started = client.post("/api/v1/projects/desk/exports/", {"layer": "gold"}, format="json")
    job_id = started.json()["id"]
    running = wait_for(
        lambda: client.get(f"/api/v1/jobs/{job_id}/").json(),
        lambda job: job["state"] != "queued" and job["message"].startswith("Exported"),
        workers=[worker],
    )
    assert running["state"] == "running" and 0 < running["progress"] < 1, running
    cancelled = client.delete(f"/api/v1/jobs/{job_id}/")
    assert cancelled.status_code == 200, cancelled.content

    after = client.post(
        "/api/v1/projects/desk/exports/", {"layer": "gold", "labels": ["Cue"]}, format="json"
    )
    assert _finished(client, after.json()["id"], workers=[worker])["state"] == "succeeded"
    job = Job.objects.get(pk=job_id)
    assert job.state == JobState.CANCELLED and job.file == "" and job.attempts == 1
    assert not [p for p in (job_storage / "jobs" / str(job_id)).rglob("*") if p.is_file()]
    assert client.get(f"/api/v1/jobs/{job_id}/download/").status_code == 409
    # It stopped part-way, at a progress update, rather than running to its end.
    assert job.message.startswith("Cancelled while running (Exported ") and job.progress < 1


@pytest.fixture
def annotated(project, make_article, annotator, annotator2):
    for n in range(6):
        article = make_article(project, TEXT, title=f"Talks {n}")
        for who in (annotator, annotator2):
            submit_layer(article, who, [span_data("Source", "Macron")], [])
    return project


def _finished(client, job_id, **kwargs):
    return wait_for(
        lambda: client.get(f"/api/v1/jobs/{job_id}/").json(),
        lambda job: job["state"] in ("succeeded", "failed", "cancelled"),
        **kwargs,
    )


def _body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_export_job_file_is_the_streamed_export(api, annotated, manager, worker):
    client = api(manager)
    params = {"format": "native", "layer": "annotators", "status": ["submitted"]}
    started = client.post("/api/v1/projects/desk/exports/", params, format="json")
    assert started.status_code == 202, started.content
    assert started.json()["state"] == "queued" and started.json()["kind"] == "export"

    job = _finished(client, started.json()["id"], workers=[worker])
    assert job["state"] == "succeeded", job
    assert job["progress"] == 1.0 and job["attempts"] == 1
    assert job["started_at"] and job["finished_at"]
    assert job["result"]["records"] == 12
    download = job["result"]["download"]
    assert download.endswith(f"/api/v1/jobs/{job['id']}/download/")

    response = client.get(f"/api/v1/jobs/{job['id']}/download/")
    assert response.status_code == 200
    assert re.fullmatch(
        r'attachment; filename="desk-annotators-native-\d{8}-\d{6}\.jsonl"',
        response["Content-Disposition"],
    )
    streamed = client.get("/api/v1/projects/desk/export/?layer=annotators&status=submitted")
    assert _body(response).splitlines() == _body(streamed).splitlines()


def test_bad_export_parameters_are_the_streamed_exports_400(api, project, manager, job_storage):
    client = api(manager)
    response = client.post(
        "/api/v1/projects/desk/exports/", {"format": "pdf", "split": "x"}, format="json"
    )
    assert response.status_code == 400
    assert {e["field"] for e in response.json()["errors"]} == {"format", "split"}
    unknown = client.post("/api/v1/projects/desk/exports/", {"colour": "red"}, format="json")
    assert unknown.json()["errors"][0]["field"] == "colour"
    assert not Job.objects.exists()


def test_export_job_with_a_tokenizer_language_spacy_lacks_is_a_400_naming_lang(
    api, project, manager, job_storage
):
    """The streamed export and the page check the tokenizer before anything starts; a job is
    checked the same way, instead of being queued and failing in the worker."""
    client = api(manager)
    response = client.post(
        "/api/v1/projects/desk/exports/", {"format": "conll", "lang": "qq"}, format="json"
    )
    assert response.status_code == 400, response.content
    errors = response.json()["errors"]
    assert [(e["field"], e["code"]) for e in errors] == [("lang", "unsupported")]
    streamed = client.get("/api/v1/projects/desk/export/?format=conll&lang=qq")
    assert streamed.status_code == 400
    assert streamed.json()["errors"] == errors  # the same answer as the streamed export
    assert not Job.objects.exists()
    # A format without tokens does not load a tokenizer, as the streamed export does not.
    native = client.post(
        "/api/v1/projects/desk/exports/", {"format": "native", "lang": "qq"}, format="json"
    )
    assert native.status_code == 202, native.content


def test_annotator_cannot_start_an_export_job(api, project, annotator, job_storage):
    response = api(annotator).post("/api/v1/projects/desk/exports/", {}, format="json")
    assert response.status_code == 403


def _native_file(*ids: str) -> bytes:
    return b"".join(
        json.dumps({"id": i, "text": f"Article {i}: the minister said so."}).encode() + b"\n"
        for i in ids
    )


def _upload(name: str, data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def test_background_import_result_is_the_report(api, project, manager, worker):
    client = api(manager)
    response = client.post(
        "/api/v1/projects/desk/imports/",
        {"file": _upload("a.jsonl", _native_file("x1", "x2")), "background": "true"},
        format="multipart",
    )
    assert response.status_code == 202, response.content
    job = _finished(client, response.json()["id"], workers=[worker])
    assert job["state"] == "succeeded", job
    assert job["result"]["created"] == 2 and job["result"]["written"] is True
    assert set(Article.objects.values_list("external_id", flat=True)) == {"x1", "x2"}
    # The upload is gone once the job ended.
    assert Job.objects.get(pk=job["id"]).upload == ""


def test_import_over_the_size_setting_is_a_job(api, project, manager, worker, settings):
    settings.ANNOTATOR_IMPORT_JOB_BYTES = 10
    client = api(manager)
    response = client.post(
        "/api/v1/projects/desk/imports/",
        {"file": _upload("a.jsonl", _native_file("big"))},
        format="multipart",
    )
    assert response.status_code == 202
    assert _finished(client, response.json()["id"], workers=[worker])["state"] == "succeeded"
    # Under the setting, the same answer as before: the report at once.
    settings.ANNOTATOR_IMPORT_JOB_BYTES = 10_000
    small = client.post(
        "/api/v1/projects/desk/imports/",
        {"file": _upload("b.jsonl", _native_file("small"))},
        format="multipart",
    )
    assert small.status_code == 200 and small.json()["created"] == 1


def test_failed_background_import_writes_nothing_and_reports(api, project, manager, worker):
    client = api(manager)
    data = _native_file("ok") + b'{"id": "bad", "text": ""}\n'
    response = client.post(
        "/api/v1/projects/desk/imports/",
        {"file": _upload("a.jsonl", data), "background": "true"},
        format="multipart",
    )
    job = _finished(client, response.json()["id"], workers=[worker])
    assert job["state"] == "failed"
    assert job["result"]["written"] is False and job["result"]["errors"]
    assert "a.jsonl:2" in job["error"]
    assert not Article.objects.exists()


def test_background_import_checks_the_layer_before_queueing(api, project, manager, job_storage):
    response = api(manager).post(
        "/api/v1/projects/desk/imports/",
        {"file": _upload("a.jsonl", _native_file("x")), "background": "true", "layer": "nobody"},
        format="multipart",
    )
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "layer"
    assert not Job.objects.exists()


def test_agreement_recompute_job_stores_the_snapshot(api, annotated, reviewer, worker):
    client = api(reviewer)
    response = client.post("/api/v1/projects/desk/agreement/recompute/")
    assert response.status_code == 202
    job = _finished(client, response.json()["id"], workers=[worker])
    assert job["state"] == "succeeded", job
    snapshot = AgreementSnapshot.objects.get(project=annotated)
    assert job["result"]["duration_ms"] == snapshot.duration_ms


def test_a_cancelled_queued_job_never_runs(api, annotated, manager, worker_env, tmp_path):
    from tests.support.workers import Worker

    client = api(manager)
    first = client.post("/api/v1/projects/desk/exports/", {}, format="json").json()
    cancelled = client.delete(f"/api/v1/jobs/{first['id']}/")
    assert cancelled.status_code == 200 and cancelled.json()["state"] == "cancelled"
    assert client.delete(f"/api/v1/jobs/{first['id']}/").status_code == 409
    second = client.post("/api/v1/projects/desk/exports/", {}, format="json").json()
    with Worker(worker_env, log=tmp_path / "w.log") as worker:
        assert _finished(client, second["id"], workers=[worker])["state"] == "succeeded"
    job = Job.objects.get(pk=first["id"])
    assert job.state == JobState.CANCELLED and job.attempts == 0 and job.file == ""
    assert client.get(f"/api/v1/jobs/{first['id']}/download/").status_code == 409


def test_jobs_list_managers_see_all_others_their_own(
    api, project, manager, reviewer, job_storage, django_assert_num_queries
):
    mine = runs.do_start_export(project, reviewer, {})
    runs.do_start_export(project, manager, {})
    runs.do_start_agreement(project, manager)
    client = api(manager)
    with django_assert_num_queries(5):
        # session; user; the membership with its project; the page's count; the page of jobs
        # with their projects and creators in one query
        listed = client.get("/api/v1/projects/desk/jobs/")
    assert listed.json()["count"] == 3
    theirs = api(reviewer).get("/api/v1/projects/desk/jobs/").json()
    assert [job["id"] for job in theirs["results"]] == [mine.pk]


def test_job_detail_query_count(api, project, manager, job_storage, django_assert_num_queries):
    job = runs.do_start_export(project, manager, {})
    client = api(manager)
    with django_assert_num_queries(4):
        # session; user; the job with its project and creator; the caller's membership
        assert client.get(f"/api/v1/jobs/{job.pk}/").status_code == 200


def test_who_sees_a_job(api, project, other_project, manager, reviewer, annotator, outsider):
    job = runs.do_start_export(project, manager, {})
    for user, status in ((outsider, 404), (annotator, 404), (reviewer, 404), (manager, 200)):
        client = api(user)
        assert client.get(f"/api/v1/jobs/{job.pk}/").status_code == status, user
        if status == 404:
            assert client.get(f"/api/v1/jobs/{job.pk}/download/").status_code == 404
            assert client.delete(f"/api/v1/jobs/{job.pk}/").status_code == 404
    assert api(outsider).get("/api/v1/projects/desk/jobs/").status_code == 404
    assert api().get(f"/api/v1/jobs/{job.pk}/").status_code in (401, 403)


def test_an_export_starter_who_is_no_longer_staff_cannot_download_it(api, project, reviewer):
    job = runs.do_start_export(project, reviewer, {})
    Membership.objects.filter(project=project, user=reviewer).update(role=Role.ANNOTATOR)
    client = api(reviewer)
    assert client.get(f"/api/v1/jobs/{job.pk}/").status_code == 200  # their own job's record
    assert client.get(f"/api/v1/jobs/{job.pk}/download/").status_code == 403


def test_old_results_are_removed(project, manager, job_storage):
    from io import BytesIO

    job = Job.objects.create(project=project, created_by=manager, kind="export", state="succeeded")
    job.file = files.save(job.pk, "attempt-1", "old.jsonl", BytesIO(b"{}\n"))
    job.finished_at = timezone.now() - timedelta(days=8)
    job.save()
    recent = Job.objects.create(project=project, kind="export", state="succeeded")
    recent.file = files.save(recent.pk, "attempt-1", "new.jsonl", BytesIO(b"{}\n"))
    recent.finished_at = timezone.now() - timedelta(days=1)
    recent.save()
    assert work.remove_old_results() == 1
    job.refresh_from_db()
    assert job.file == "" and not (job_storage / f"jobs/{job.pk}/attempt-1/old.jsonl").exists()
    assert (job_storage / recent.file).exists()
