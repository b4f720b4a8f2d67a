"""Scale-out, as operators run it: two gunicorn app servers and two ``manage.py worker``
processes on one private PostgreSQL cluster, sharing a jobs folder.

- Ten export jobs started at once through both app servers all succeed, each run once, each
  file with the same lines as the streamed export of the same parameters, and each worker's
  memory stays flat (the export streams from a server-side cursor into the file).
- A worker SIGKILLed in the middle of an export: the other worker retries the job and its file
  is complete.

The project here has ``ARTICLES`` articles of 10 spans each: 100,000 spans by default, the
figure operators asked about (the module takes about 75 s on a 2-core machine);
``JOBS_TEST_ARTICLES=1000`` makes it quick for the inner loop. bench/jobs_bench.py measures
100,000 and 1,000,000 spans (docs/performance.md).
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from bench.export_bench import write_jsonl
from tests.support.servers import AppServer, manage, private_cluster, seed
from tests.support.workers import FAST_RECOVERY, Worker, job_env, wait_for

pytestmark = pytest.mark.server

ARTICLES = int(os.environ.get("JOBS_TEST_ARTICLES", "10000"))
SLUG = "scale"
#: Two parameter sets, alternated over the ten jobs.
PARAMS = [
    {"format": "native", "layer": "gold"},
    {"format": "native", "layer": "gold", "split": "80,10,10", "labels": ["Quote", "Source"]},
]
QUERIES = ["layer=gold", "layer=gold&split=80,10,10&labels=Quote&labels=Source"]
#: How much a worker's peak memory may grow from the end of its first export to the end of the
#: last (flat: the export streams; a worker keeping anything per job would grow), and the
#: most it may use at all.
MAX_GROWTH = 20 * 1024 * 1024
MAX_RSS = 300 * 1024 * 1024


@pytest.fixture(scope="module")
def deployment(tmp_path_factory):
    with private_cluster("jobs") as cluster:
        storage = cluster.var_dir / "jobs"
        storage.mkdir()
        env = job_env(cluster.url(), storage, **FAST_RECOVERY)
        seeded = seed(env, {"slug": SLUG, "users": {"mara": "manager"}})
        data = tmp_path_factory.mktemp("scale") / "articles.jsonl"
        write_jsonl(data, 0, ARTICLES)
        manage(env, "import_articles", str(data), "--project", SLUG, "--layer", "gold", timeout=300)
        token = seeded[SLUG]["tokens"]["mara"]
        logs = tmp_path_factory.mktemp("logs")
        with (
            AppServer(env, log=logs / "app1.log") as one,
            AppServer(env, log=logs / "app2.log") as two,
        ):
            yield {
                "env": env,
                "servers": [one, two],
                "headers": {"Authorization": f"Token {token}"},
                "logs": logs,
                "cluster": cluster,
            }


def _streamed(deployment, query: str) -> list[bytes]:
    server = deployment["servers"][0]
    response = httpx.get(
        f"{server.url}/api/v1/projects/{SLUG}/export/?{query}",
        headers=deployment["headers"],
        timeout=120,
    )
    assert response.status_code == 200
    return response.content.splitlines()


def _job(deployment, server, job_id: int) -> dict:
    response = httpx.get(
        f"{server.url}/api/v1/jobs/{job_id}/", headers=deployment["headers"], timeout=30
    )
    assert response.status_code == 200, response.text
    return response.json()


def _download(deployment, server, job: dict) -> list[bytes]:
    response = httpx.get(job["result"]["download"], headers=deployment["headers"], timeout=120)
    assert response.status_code == 200
    return response.content.splitlines()


def _start(deployment, server, params: dict) -> dict:
    response = httpx.post(
        f"{server.url}/api/v1/projects/{SLUG}/exports/",
        json=params,
        headers=deployment["headers"],
        timeout=30,
    )
    assert response.status_code == 202, response.text
    return response.json()


def _final(job: dict) -> bool:
    return job["state"] in ("succeeded", "failed", "cancelled")


def test_ten_exports_on_two_workers(deployment):
    servers = deployment["servers"]
    expected = [_streamed(deployment, query) for query in QUERIES]
    assert len(expected[0]) == ARTICLES
    logs = deployment["logs"]
    with (
        Worker(deployment["env"], name="w1", log=logs / "w1.log") as w1,
        Worker(deployment["env"], name="w2", log=logs / "w2.log") as w2,
    ):
        with ThreadPoolExecutor(10) as pool:
            started = list(
                pool.map(lambda n: _start(deployment, servers[n % 2], PARAMS[n % 2]), range(10))
            )
        jobs = []
        warm: dict[str, int] = {}
        for n, job in enumerate(started):
            server = servers[(n + 1) % 2]  # read each job through the other app server
            jobs.append(
                wait_for(
                    lambda job=job, server=server: _job(deployment, server, job["id"]),
                    _final,
                    timeout=600,
                    what=f"export job {job['id']}",
                    workers=[w1, w2],
                )
            )
            if n == 3:  # by now each worker has finished at least one export
                warm = {w.name: w.peak_rss for w in (w1, w2)}
        for n, job in enumerate(jobs):
            assert job["state"] == "succeeded", job
            assert job["attempts"] == 1, f"job {job['id']} ran {job['attempts']} times"
            assert _download(deployment, servers[n % 2], job) == expected[n % 2]
        for worker in (w1, w2):
            growth = worker.peak_rss - warm[worker.name]
            assert growth < MAX_GROWTH, f"{worker.name} grew by {growth / 2**20:.0f} MB"
            assert worker.peak_rss < MAX_RSS, f"{worker.name}: {worker.peak_rss / 2**20:.0f} MB"
        # Both workers took part.
        pids = {job["worker"].rsplit(":", 1)[1] for job in jobs}
        assert pids == {str(w1.pid), str(w2.pid)}, pids


def test_a_worker_killed_mid_export_is_replaced_by_the_other(deployment):
    server = deployment["servers"][1]
    logs = deployment["logs"]
    expected = _streamed(deployment, QUERIES[0])
    with Worker(deployment["env"], name="doomed", log=logs / "doomed.log") as doomed:
        job = _start(deployment, server, PARAMS[0])
        wait_for(
            lambda: _job(deployment, server, job["id"]),
            lambda j: j["state"] == "running" and j["progress"] >= 0.05,
            timeout=120,
            what="the export to get going",
            workers=[doomed],
        )
        with Worker(deployment["env"], name="survivor", log=logs / "survivor.log") as survivor:
            doomed.kill()
            assert _job(deployment, server, job["id"])["state"] == "running"
            done = wait_for(
                lambda: _job(deployment, server, job["id"]),
                _final,
                timeout=180,
                what="the retried export",
                workers=[survivor],
            )
    assert done["state"] == "succeeded", done
    assert done["attempts"] == 2
    assert _download(deployment, server, done) == expected
