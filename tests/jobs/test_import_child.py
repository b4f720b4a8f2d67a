"""A background import runs in a short-lived child of the worker (labels.jobs.child): the job
still reports its progress and its result, a killed child fails the job and writes nothing,
and the worker keeps its size after a large import (issue 18, point 6)."""

from __future__ import annotations

import os
import signal

import psutil
import pytest

from labels.models import Article, Job, JobState, Span
from tests.jobs.test_jobs_api import _finished, _native_file, _upload
from tests.support.workers import wait_for

pytestmark = [pytest.mark.server, pytest.mark.django_db(transaction=True)]

#: Articles (each with about ten gold spans) of the large import.
LARGE = 3000


def _large_file(tmp_path, count: int = LARGE) -> bytes:
    from bench.export_bench import write_jsonl

    path = tmp_path / "large.jsonl"
    write_jsonl(path, 0, count)
    return path.read_bytes()


def _fork_servers(worker) -> list[psutil.Process]:
    """The worker's fork servers (labels.jobs.child): its children that run one."""
    children = psutil.Process(worker.pid).children()
    return [p for p in children if "forkserver" in " ".join(p.cmdline())]


def _fork_server(worker) -> psutil.Process:
    (server,) = _fork_servers(worker)
    return server


def _import_child(worker) -> psutil.Process:
    """The running import's process: the fork server's child."""
    (child,) = _fork_server(worker).children()
    return child


def test_the_worker_starts_its_fork_server_set_up_before_any_import(worker):
    """The imports' fork server runs as soon as the worker does, with Django set up in it, so
    that no import waits 1.4 s for a fresh interpreter to import and set up Django."""
    (server,) = wait_for(
        lambda: _fork_servers(worker),
        lambda servers: servers,
        what="a fork server",
        workers=[worker],
    )
    wait_for(
        lambda: {m.path for m in server.memory_maps()},
        lambda paths: any("psycopg" in p or "_psycopg" in p for p in paths),
        timeout=60,
        what="Django set up in the fork server",
        workers=[worker],
    )


def _running_import(client, worker, tmp_path, count: int) -> int:
    """A large import's job, once its file is read and its records are being checked and
    written (uncommitted): progress 0.3 or more."""
    job_id = _start(client, "large.jsonl", _large_file(tmp_path, count))
    wait_for(
        lambda: client.get(f"/api/v1/jobs/{job_id}/").json(),
        lambda job: job["state"] == "running" and job["progress"] >= 0.3,
        timeout=300,
        workers=[worker],
    )
    return job_id


def _start(client, name: str, data: bytes) -> int:
    response = client.post(
        "/api/v1/projects/desk/imports/",
        {"file": _upload(name, data), "background": "true", "layer": "gold"},
        format="multipart",
    )
    assert response.status_code == 202, response.content
    return response.json()["id"]


def test_a_large_import_reports_progress_and_leaves_the_worker_at_its_size(
    api, project, manager, worker, tmp_path
):
    client = api(manager)
    # Warm up: the worker has run an import job (its modules are loaded) before it is measured.
    warm = _finished(client, _start(client, "warm.jsonl", _native_file("w1")), workers=[worker])
    assert warm["state"] == "succeeded", warm
    before = worker.rss()

    job_id = _start(client, "large.jsonl", _large_file(tmp_path))
    seen = []
    job = wait_for(
        lambda: client.get(f"/api/v1/jobs/{job_id}/").json(),
        lambda job: seen.append(job) or job["state"] in ("succeeded", "failed", "cancelled"),
        timeout=300,
        workers=[worker],
    )
    assert job["state"] == "succeeded", job
    assert job["result"]["created"] == LARGE and job["result"]["written"] is True
    assert job["message"] == f"{LARGE:,} articles created, 0 unchanged"
    assert Article.objects.count() == LARGE + 1 and Span.objects.count() == job["result"]["spans"]
    running = [j for j in seen if j["state"] == "running" and 0 < j["progress"] < 1]
    assert running, seen
    after = worker.rss()
    # An import in the worker itself left it 40+ MB larger after 3,000 articles (gc and
    # malloc_trim notwithstanding); in a child, the worker stays within a few MB.
    growth = (after - before) / 2**20
    assert growth < 15, f"the worker grew by {growth:.0f} MB ({before / 2**20:.0f} MB before)"


def test_a_killed_import_process_fails_the_job_and_writes_nothing(
    api, project, manager, worker, tmp_path
):
    client = api(manager)
    job_id = _running_import(client, worker, tmp_path, 6000)
    child = _import_child(worker)
    os.kill(child.pid, signal.SIGKILL)

    job = _finished(client, job_id, workers=[worker])
    assert job["state"] == "failed", job
    assert "SIGKILL" in job["error"] and "nothing was imported" in job["error"], job["error"]
    assert not Article.objects.exists() and not Span.objects.exists()
    assert Job.objects.get(pk=job_id).upload == ""
    # The worker carries on with its next job.
    after = _finished(client, _start(client, "next.jsonl", _native_file("n1")), workers=[worker])
    assert after["state"] == "succeeded" and after["result"]["created"] == 1
    assert Job.objects.get(pk=job_id).state == JobState.FAILED


def test_an_import_of_more_records_than_the_setting_is_a_job(
    api, project, manager, worker, settings
):
    """A small file of many records goes to the job worker as a large one does: the web
    worker, which would keep the import's memory, only stores it (202 with the job)."""
    settings.ANNOTATOR_IMPORT_JOB_RECORDS = 3
    client = api(manager)
    many = client.post(
        "/api/v1/projects/desk/imports/",
        {"file": _upload("many.jsonl", _native_file("m1", "m2", "m3", "m4"))},
        format="multipart",
    )
    assert many.status_code == 202, many.content
    job = _finished(client, many.json()["id"], workers=[worker])
    assert job["state"] == "succeeded" and job["result"]["created"] == 4, job
    # At the setting (the last line without its newline counts too), the report at once.
    few = _native_file("f1", "f2", "f3").rstrip(b"\n")
    answer = client.post(
        "/api/v1/projects/desk/imports/",
        {"file": _upload("few.jsonl", few)},
        format="multipart",
    )
    assert answer.status_code == 200 and answer.json()["created"] == 3, answer.content
    assert Article.objects.count() == 7


def test_an_import_whose_worker_died_stops_and_runs_again_on_another(
    api, project, manager, worker, worker_env, tmp_path
):
    """The worker alone is SIGKILLed (not its process group): its child notices, stops without
    committing, and the job is retried by another worker, once, all or nothing."""
    from tests.support.workers import Worker

    client = api(manager)
    job_id = _running_import(client, worker, tmp_path, 4000)
    child = _import_child(worker)
    os.kill(worker.pid, signal.SIGKILL)
    worker.process.wait(timeout=10)
    child.wait(timeout=30)  # it exits by itself, its import not committed
    assert not Article.objects.exists()

    with Worker(worker_env, name="second", log=tmp_path / "second.log") as second:
        job = _finished(client, job_id, workers=[second], timeout=300)
    assert job["state"] == "succeeded", job
    assert job["result"]["created"] == 4000 and Article.objects.count() == 4000
    assert Job.objects.get(pk=job_id).attempts == 2


def test_an_import_cancelled_in_its_child_writes_nothing(api, project, manager, worker, tmp_path):
    client = api(manager)
    job_id = _running_import(client, worker, tmp_path, 6000)
    assert client.delete(f"/api/v1/jobs/{job_id}/").status_code == 200
    # The child stops at its next progress update and says where it was.
    job = wait_for(
        lambda: Job.objects.get(pk=job_id),
        lambda job: job.message.startswith("Cancelled while running"),
        workers=[worker],
    )
    assert job.state == JobState.CANCELLED and job.attempts == 1, job.message
    assert not Article.objects.exists() and not Span.objects.exists()
    after = _finished(client, _start(client, "next.jsonl", _native_file("n1")), workers=[worker])
    assert after["state"] == "succeeded" and Article.objects.count() == 1
