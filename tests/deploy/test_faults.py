"""Faults: PostgreSQL restarting under a client that keeps saving spans, and an import or export
killed half-way. Everything runs against a private cluster on a temporary directory, through
real processes (gunicorn, manage.py)."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field

import httpx
import pytest

from tests.support.servers import ROOT, AppServer, Cluster, private_cluster, seed

pytestmark = pytest.mark.server

WORDS = 400
TEXT = " ".join(f"w{n:03d}" for n in range(WORDS))  # every word is 4 characters + a space


@pytest.fixture(scope="module")
def cluster() -> Cluster:
    with private_cluster("faults") as cluster:
        yield cluster


@pytest.fixture(scope="module")
def seeded(cluster) -> dict[str, dict]:
    """Every project of this module, created in one manage.py run."""
    return seed(
        cluster.env(),
        *[
            {"slug": f"restart-{mode}", "users": {"ana": "annotator"}, "articles": [TEXT]}
            for mode in ("embedded", "database_url")
        ],
        {"slug": "killed-import"},
        {"slug": "exported"},
    )


@dataclass
class Saver:
    """Saves Cue spans one after another the way the browser's save queue does: each span has a
    client_id chosen once; a save that fails (no answer, 5xx) is retried with the same
    client_id until the server acknowledges it; a 409 reloads the version first."""

    base_url: str
    token: str
    annotation_id: int
    version: int
    acked: dict[str, int] = field(default_factory=dict)  # client_id → span id
    errors: list[str] = field(default_factory=list)
    failed_attempts: int = 0
    ack_times: list[float] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)
    in_flight: str | None = None

    def run(self) -> None:
        headers = {"Authorization": f"Token {self.token}"}
        with httpx.Client(base_url=self.base_url, headers=headers, timeout=5) as client:
            for n in range(WORDS):
                if self.stop.is_set():
                    return
                client_id = str(uuid.uuid4())
                self.in_flight = client_id
                body = {
                    "label": "Cue",
                    "start": 5 * n,
                    "end": 5 * n + 4,
                    "text": f"w{n:03d}",
                    "client_id": client_id,
                }
                while not self.stop.is_set():
                    try:
                        response = client.post(
                            f"/api/v1/annotations/{self.annotation_id}/spans/",
                            json=body | {"version": self.version},
                        )
                    except httpx.TransportError:
                        self.failed_attempts += 1
                        time.sleep(0.1)
                        continue
                    if response.status_code in (200, 201):
                        data = response.json()
                        self.version = data["version"]
                        self.acked[client_id] = data["span"]["id"]
                        self.ack_times.append(time.monotonic())
                        self.in_flight = None
                        break
                    if response.status_code == 409:
                        fresh = client.get(f"/api/v1/annotations/{self.annotation_id}/")
                        if fresh.status_code == 200:
                            self.version = fresh.json()["version"]
                        continue
                    if response.status_code >= 500:
                        self.failed_attempts += 1
                        time.sleep(0.1)
                        continue
                    self.errors.append(f"{response.status_code}: {response.text[:300]}")
                    return


def _start_annotation(base_url: str, token: str, article_id: int) -> dict:
    response = httpx.post(
        f"{base_url}/api/v1/articles/{article_id}/annotation/",
        headers={"Authorization": f"Token {token}"},
        timeout=10,
    )
    assert response.status_code == 200, response.text
    return response.json()


def _wait_for(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.01)


def _check_stored_once(cluster: Cluster, saver: Saver) -> None:
    with cluster.connect() as conn:
        rows = conn.execute(
            "SELECT client_id::text, id FROM labels_span WHERE annotation_id = %s",
            [saver.annotation_id],
        ).fetchall()
        version = conn.execute(
            "SELECT version FROM labels_annotation WHERE id = %s", [saver.annotation_id]
        ).fetchone()[0]
        created_events = conn.execute(
            "SELECT count(*) FROM labels_historyevent WHERE annotation_id = %s "
            "AND action = 'span_created'",
            [saver.annotation_id],
        ).fetchone()[0]
    stored = {client_id: span_id for client_id, span_id in rows}
    assert len(stored) == len(rows)  # one row per client_id
    for client_id, span_id in saver.acked.items():
        assert stored.get(client_id) == span_id, f"acknowledged span {client_id} is missing"
    # Anything stored but never acknowledged can only be the save in flight when we stopped.
    assert set(stored) - set(saver.acked) <= {saver.in_flight}
    # Every span was written exactly once: one version step and one history event each.
    assert version == 1 + len(rows)
    assert created_events == len(rows)


@pytest.mark.parametrize("mode", ["embedded", "database_url"])
def test_saves_survive_a_postgresql_restart(cluster, seeded, tmp_path, mode):
    """embedded: the app's own backend finds the server stopped and starts it again.
    database_url: the server is down for a few seconds (as during a managed failover) and the
    app reconnects once it is back."""
    ids = seeded[f"restart-{mode}"]
    token = ids["tokens"]["ana"]
    env = cluster.embedded_env() if mode == "embedded" else cluster.env()
    with AppServer(env, workers=1, threads=4, log=tmp_path / "gunicorn.log") as app:
        annotation = _start_annotation(app.url, token, ids["articles"][0])
        saver = Saver(app.url, token, annotation["id"], annotation["version"])
        thread = threading.Thread(target=saver.run, daemon=True)
        thread.start()
        try:
            _wait_for(lambda: len(saver.acked) >= 25, 20, "the first saves")
            before = len(saver.acked)
            cluster.stop()
            stopped_at = time.monotonic()
            if mode == "database_url":
                # Saves go on landing while the server shuts down (a fast save is a few ms; a
                # shutdown takes longer): count from the moment it is down. The one save whose
                # answer was on its way back may still be acknowledged.
                down = len(saver.acked)
                try:
                    time.sleep(3)
                    assert len(saver.acked) <= down + 1  # nothing lands while it is down
                finally:
                    cluster.start()  # also when the check fails: the next tests need the server
            back_at = time.monotonic()
            _wait_for(lambda: len(saver.acked) >= before + 25, 25, "saves after the restart")
            first_ack_after = min((t for t in saver.ack_times if t >= back_at), default=back_at)
            assert saver.failed_attempts > 0 or mode == "embedded"
            health = httpx.get(f"{app.url}/healthz", timeout=10)
            assert health.status_code == 200, health.text
            assert health.json() == {"status": "ok", "database": "ok"}
        finally:
            saver.stop.set()
            thread.join(timeout=10)
        assert not saver.errors, saver.errors
        if mode == "embedded":
            # The app restarts the server itself, possibly before stop() has even returned: the
            # client-side outage is the longest wait between two acknowledged saves.
            gaps = [b - a for a, b in zip(saver.ack_times, saver.ack_times[1:], strict=False)]
            assert max(gaps) < 10, max(gaps)
        else:
            # The app answered again well within 10 s of the database being back.
            assert first_ack_after - back_at < 10, (stopped_at, back_at, first_ack_after)
    _check_stored_once(cluster, saver)


# --- Imports and exports interrupted --------------------------------------------------------------


def _article_count(cluster: Cluster, slug: str) -> int:
    with cluster.connect() as conn:
        return conn.execute(
            "SELECT count(*) FROM labels_article a JOIN labels_project p ON p.id = a.project_id "
            "WHERE p.slug = %s",
            [slug],
        ).fetchone()[0]


def _backend_running(cluster: Cluster, query_prefix: str) -> int | None:
    with cluster.connect() as conn:
        row = conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE query LIKE %s AND pid <> pg_backend_pid()",
            [query_prefix + "%"],
        ).fetchone()
    return row[0] if row else None


def test_an_import_killed_half_way_leaves_no_article(cluster, seeded, tmp_path):
    path = tmp_path / "big.jsonl"
    with path.open("w") as out:
        for n in range(4_000):
            text = f"Article {n}. {TEXT}"
            cue = {"label": "Cue", "start": 0, "end": 7, "text": "Article"}
            out.write(json.dumps({"id": f"big-{n}", "text": text, "spans": [cue]}) + "\n")
    # The import writes its articles, then looks at and writes spans. Holding a lock on the span
    # table stops it right in between, with its articles written inside its open transaction:
    # that is where the crash comes, whatever the speed of the machine.
    with cluster.connect() as blocker:
        blocker.execute("LOCK TABLE labels_span IN ACCESS EXCLUSIVE MODE")
        process = subprocess.Popen(
            [
                sys.executable,
                "manage.py",
                "import_articles",
                "--project",
                "killed-import",
                "--layer",
                "gold",
                str(path),
            ],
            cwd=ROOT,
            env=cluster.env(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        try:
            _wait_for(
                lambda: process.poll() is not None or _blocked_by(cluster, blocker) is not None,
                90,
                "the import to reach its spans",
            )
            writer = _blocked_by(cluster, blocker)
            assert writer is not None, process.stderr.read().decode()
            process.send_signal(signal.SIGKILL)
            assert process.wait(timeout=10) == -signal.SIGKILL
        finally:
            if process.poll() is None:
                process.kill()
        blocker.rollback()
    # PostgreSQL rolls the open transaction back once it notices the client is gone.
    _wait_for(lambda: not _pid_alive(cluster, writer), 30, "the import's backend to end")
    assert _article_count(cluster, "killed-import") == 0


def _blocked_by(cluster: Cluster, blocker) -> int | None:
    """The backend waiting for a lock that ``blocker``'s connection holds, if any."""
    with cluster.connect() as conn:
        row = conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE %s = ANY(pg_blocking_pids(pid))",
            [blocker.info.backend_pid],
        ).fetchone()
    return row[0] if row else None


def _pid_alive(cluster: Cluster, pid: int | None) -> bool:
    if pid is None:
        return False
    with cluster.connect() as conn:
        return bool(conn.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid]).fetchone())


EXPORTED = 600


@pytest.fixture(scope="module")
def export_project(cluster, seeded, tmp_path_factory):
    """A project whose gold layer (imported) is big enough for an export to take a while."""
    path = tmp_path_factory.mktemp("export") / "gold.jsonl"
    with path.open("w") as out:
        for n in range(EXPORTED):
            spans = [
                {"label": "Cue", "start": 5 * k, "end": 5 * k + 4, "text": f"w{k:03d}"}
                for k in range(0, 40, 5)
            ]
            out.write(json.dumps({"id": f"e-{n}", "text": TEXT, "spans": spans}) + "\n")
    env = cluster.env()
    result = subprocess.run(
        [sys.executable, "manage.py", "import_articles", "--project", "exported"]
        + ["--layer", "gold", str(path)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    return "exported"


def test_an_export_killed_half_way_leaves_no_output_file(cluster, export_project, tmp_path):
    target = tmp_path / "out.jsonl"
    process = subprocess.Popen(
        [sys.executable, "manage.py", "export_annotations", "--project", export_project]
        + ["--format", "conll", "-o", str(target)],
        cwd=ROOT,
        env=cluster.env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:

        def writing() -> bool:
            parts = list(tmp_path.glob(".out.jsonl.*.part"))
            return process.poll() is not None or bool(parts and parts[0].stat().st_size > 0)

        _wait_for(writing, 60, "the export to start writing")
        assert process.poll() is None, "the export finished before it could be interrupted"
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert not target.exists()
    # The hidden .part file stays after a SIGKILL (nothing runs to remove it), but the named
    # file never holds half an export: it appears only by rename once the export is complete.
    assert list(tmp_path.glob(".out.jsonl.*.part"))


def test_the_export_reads_from_the_replica_when_one_is_configured(cluster):
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "from labels.interop.records import export_database_alias; "
        "print(export_database_alias(), sorted(settings.DATABASES))"
    )

    def alias(**extra):
        env = cluster.env(DJANGO_SETTINGS_MODULE="annotator.settings", **extra)
        result = subprocess.run(
            [sys.executable, "-c", code],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 0, result.stderr
        return result.stdout.strip()

    assert alias() == "default ['default']"
    assert alias(DATABASE_REPLICA_URL=cluster.url()) == "replica ['default', 'replica']"
