"""Job files in S3-compatible object storage, configured by environment as docs/deploy.md says
(django-storages' S3Storage), against a real S3 endpoint on loopback (moto's server): the worker
stores the export there, nothing lands on local disk, the API downloads it from there, and the
clean-up removes it there."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import timedelta

import boto3
import httpx
import pytest
from django.utils import timezone

from labels.jobs import work
from labels.models import Job
from tests.support.review_helpers import TEXT, span_data, submit_layer
from tests.support.servers import base_env, free_port
from tests.support.workers import FAST_RECOVERY, Worker, wait_for
from tests.support.workers import test_database_url as database_url

pytestmark = [pytest.mark.server, pytest.mark.django_db(transaction=True)]

BUCKET = "annotator-jobs"
CREDENTIALS = {"access_key": "test-key", "secret_key": "test-secret", "region_name": "us-east-1"}


@pytest.fixture(scope="module")
def s3_endpoint():
    """moto's S3 server on a free loopback port, with an empty bucket."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"

    def answering():
        try:
            return httpx.get(url, timeout=2).status_code
        except httpx.TransportError:
            assert process.poll() is None, "moto's server exited"
            return None

    try:
        wait_for(answering, lambda status: status is not None, timeout=60, what="moto's server")
        client = boto3.client(
            "s3",
            endpoint_url=url,
            aws_access_key_id=CREDENTIALS["access_key"],
            aws_secret_access_key=CREDENTIALS["secret_key"],
            region_name=CREDENTIALS["region_name"],
        )
        client.create_bucket(Bucket=BUCKET)
        yield url, client
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_export_job_files_go_to_object_storage_and_back(
    api, settings, project, make_article, annotator, manager, s3_endpoint, tmp_path
):
    url, s3 = s3_endpoint
    options = {"bucket_name": BUCKET, "endpoint_url": url, **CREDENTIALS}
    # This process (the API) and the worker are configured alike: the worker by environment.
    settings.STORAGES = {
        **settings.STORAGES,
        "jobs": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options},
    }
    env = base_env(
        DATABASE_URL=database_url(),
        ANNOTATOR_VAR_DIR=str(tmp_path / "var"),
        ANNOTATOR_JOB_STORAGE_BACKEND="storages.backends.s3.S3Storage",
        ANNOTATOR_JOB_STORAGE_OPTIONS=json.dumps(options),
        **FAST_RECOVERY,
    )
    for n in range(3):
        submit_layer(
            make_article(project, TEXT, title=f"T{n}"),
            annotator,
            [span_data("Source", "Macron")],
            [],
        )
    client = api(manager)

    with Worker(env, log=tmp_path / "worker.log") as worker:
        started = client.post(
            "/api/v1/projects/desk/exports/", {"layer": "annotators"}, format="json"
        )
        assert started.status_code == 202, started.content
        job = wait_for(
            lambda: client.get(f"/api/v1/jobs/{started.json()['id']}/").json(),
            lambda j: j["state"] in ("succeeded", "failed"),
            workers=[worker],
        )
    assert job["state"] == "succeeded", job

    stored = Job.objects.get(pk=job["id"]).file
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET)["Contents"]]
    assert keys == [stored] and stored.startswith(f"jobs/{job['id']}/")
    assert not (tmp_path / "var" / "jobs").exists()  # nothing on the worker's disk

    download = client.get(f"/api/v1/jobs/{job['id']}/download/")
    assert download.status_code == 200
    streamed = client.get("/api/v1/projects/desk/export/?layer=annotators")
    body = b"".join(download.streaming_content)
    assert body.splitlines() == b"".join(streamed.streaming_content).splitlines()
    assert len(body.splitlines()) == 3

    # The retention clean-up removes the object from the bucket.
    assert work.remove_old_results(now=timezone.now() + timedelta(days=400)) == 1
    assert s3.list_objects_v2(Bucket=BUCKET).get("KeyCount") == 0
