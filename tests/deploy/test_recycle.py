"""gunicorn workers replaced under load — recycled after max_requests and reloaded by
``kill -HUP`` — answer every request they accepted: a client that never retries sees no failure.

The clients are careful ones, like a browser or urllib3: a kept-alive connection that the server
closed while it was idle is noticed before a request is sent on it (httpx checks that), so what
remains is the server's own doing. Run against the stock ``gthread`` worker
(GUNICORN_WORKER_CLASS=gthread) this test sees dropped requests on every run."""

from __future__ import annotations

import os
import signal
import threading
import time
import uuid

import httpx
import psutil
import pytest

from tests.support.servers import AppServer, Cluster, private_cluster, seed

pytestmark = pytest.mark.server

CLIENTS = 6
REPLACED = 8  # workers replaced before the clients stop: 4 by the two reloads, the rest recycled
WORDS = 400
TEXT = " ".join(f"w{n:03d}" for n in range(WORDS))  # every word is 4 characters + a space


@pytest.fixture(scope="module")
def cluster() -> Cluster:
    with private_cluster("recycle") as cluster:
        yield cluster


class Client(threading.Thread):
    """One analyst on one keep-alive connection: saves a span, reads the annotation back, and
    again, never retrying anything. Every request that fails is recorded."""

    def __init__(self, base_url: str, token: str, article_id: int, stop: threading.Event):
        super().__init__(daemon=True)
        self.base_url, self.token, self.article_id, self.stop = base_url, token, article_id, stop
        self.requests = 0
        self.failures: list[str] = []
        self.acked: dict[str, int] = {}
        self.annotation_id: int | None = None

    def send(self, client: httpx.Client, method: str, path: str, **kwargs) -> httpx.Response | None:
        self.requests += 1
        try:
            response = client.request(method, path, **kwargs)
        except httpx.TransportError as exc:
            self.failures.append(f"{method} {path}: {type(exc).__name__}: {exc}")
            return None
        if response.status_code not in (200, 201):
            self.failures.append(f"{method} {path}: {response.status_code} {response.text[:200]}")
            return None
        return response

    def run(self) -> None:
        headers = {"Authorization": f"Token {self.token}"}
        with httpx.Client(base_url=self.base_url, headers=headers, timeout=20) as client:
            started = self.send(client, "POST", f"/api/v1/articles/{self.article_id}/annotation/")
            if started is None:
                return
            annotation = started.json()
            self.annotation_id = annotation["id"]
            version = annotation["version"]
            for n in range(WORDS):
                if self.stop.is_set():
                    return
                client_id = str(uuid.uuid4())
                body = {
                    "label": "Cue",
                    "start": 5 * n,
                    "end": 5 * n + 4,
                    "text": f"w{n:03d}",
                    "client_id": client_id,
                    "version": version,
                }
                saved = self.send(
                    client, "POST", f"/api/v1/annotations/{self.annotation_id}/spans/", json=body
                )
                if saved is None:
                    return  # the version is unknown now; the failure is recorded
                version = saved.json()["version"]
                self.acked[client_id] = saved.json()["span"]["id"]
                self.send(client, "GET", f"/api/v1/annotations/{self.annotation_id}/")


def _workers(arbiter: psutil.Process) -> set[int]:
    try:
        return {child.pid for child in arbiter.children()}
    except psutil.Error:
        return set()


def test_recycled_and_reloaded_workers_drop_no_request(cluster, tmp_path):
    ids = seed(
        cluster.env(),
        {
            "slug": "recycle",
            "users": {f"ana{n}": "annotator" for n in range(CLIENTS)},
            "articles": [TEXT] * CLIENTS,
        },
    )["recycle"]
    env = cluster.env(GUNICORN_MAX_REQUESTS="20")
    with AppServer(env, workers=2, threads=4, log=tmp_path / "gunicorn.log") as app:
        arbiter = psutil.Process(app.process.pid)
        stop = threading.Event()
        clients = [
            Client(app.url, ids["tokens"][f"ana{n}"], ids["articles"][n], stop)
            for n in range(CLIENTS)
        ]
        seen = _workers(arbiter)
        for client in clients:
            client.start()
        hups = [time.monotonic() + 1.5, time.monotonic() + 3.0]
        give_up = time.monotonic() + 60
        while (hups or len(seen) < 2 + REPLACED) and time.monotonic() < give_up:
            if hups and time.monotonic() >= hups[0]:
                hups.pop(0)
                os.kill(app.process.pid, signal.SIGHUP)  # a deploy's reload
            seen |= _workers(arbiter)
            time.sleep(0.02)  # sampling the arbiter's children, not waiting for the server
        stop.set()
        for client in clients:
            client.join(timeout=30)
        assert not any(client.is_alive() for client in clients)

    failures = [failure for client in clients for failure in client.failures]
    assert failures == [], failures
    # Workers were replaced many times while the clients kept sending.
    assert len(seen) >= 2 + REPLACED, seen
    assert all(client.acked for client in clients)
    # Every acknowledged save is stored, once.
    with cluster.connect() as conn:
        stored = dict(
            conn.execute(
                "SELECT client_id::text, id FROM labels_span WHERE annotation_id = ANY(%s)",
                [[client.annotation_id for client in clients]],
            ).fetchall()
        )
    acked = {cid: sid for client in clients for cid, sid in client.acked.items()}
    assert stored == acked
