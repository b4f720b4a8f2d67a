"""The hostile requests of tests/api/test_hostile_input.py, again through a real gunicorn with
production settings (DEBUG=0, forwarded headers, AXES_PROXY_COUNT=1): each is a 4xx with the
error shape, none a 500 or a broken connection, and nothing is written."""

from __future__ import annotations

import json

import httpx
import pytest

from tests.support.servers import AppServer, private_cluster, seed

pytestmark = pytest.mark.server

TEXT = "The minister said we are ready on Monday."


@pytest.fixture(scope="module")
def server():
    with private_cluster("hostile") as cluster:
        seeded = seed(
            cluster.env(),
            {
                "slug": "desk",
                "users": {"mara": "manager", "ana": "annotator"},
                "articles": [TEXT],
            },
        )["desk"]
        env = cluster.env(AXES_ENABLED="1", AXES_PROXY_COUNT="1")
        with AppServer(env, workers=1, threads=2) as app:
            yield app, seeded, cluster


def _client(app, seeded, who: str) -> httpx.Client:
    return httpx.Client(
        base_url=app.url,
        timeout=60,
        headers={
            "Authorization": f"Token {seeded['tokens'][who]}",
            "X-Forwarded-For": "203.0.113.9",
        },
    )


def _rows(cluster) -> tuple[int, ...]:
    with cluster.connect() as conn:
        return tuple(
            conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in (
                "labels_article",
                "labels_span",
                "labels_historyevent",
                "labels_membership",
            )
        )


def _refused(response: httpx.Response, status: int, field: str | None = None) -> None:
    assert response.status_code == status, (response.status_code, response.text[:300])
    errors = response.json()["errors"]
    assert errors and all(e["message"] for e in errors)
    if field is not None:
        assert errors[0]["field"].split(".")[0].split(":")[0] in (field, "file", "body"), errors


def test_hostile_bodies_and_parameters_are_refused_through_gunicorn(server):
    app, seeded, cluster = server
    before = _rows(cluster)
    with _client(app, seeded, "ana") as ana, _client(app, seeded, "mara") as mara:
        article = seeded["articles"][0]
        annotation = ana.post(f"/api/v1/articles/{article}/annotation/").json()
        spans = f"/api/v1/annotations/{annotation['id']}/spans/"
        deep = '{"version": 1, "start": 0, "end": 3, "text": "The", "label": "Cue", "attrs": '
        deep += '{"a": ' * 100_000 + "1" + "}" * 100_000 + "}"
        _refused(ana.post(spans, content=deep, headers={"Content-Type": "application/json"}), 400)
        surrogate = '{"id": "x1", "text": "A text.", "title": "\\ud800"}'
        _refused(
            mara.post(
                "/api/v1/projects/desk/articles/",
                content=surrogate,
                headers={"Content-Type": "application/json"},
            ),
            400,
            "title",
        )
        missing = mara.delete("/api/v1/projects/desk/members/a%00b/")
        assert missing.status_code in (400, 404) and missing.json()["errors"]
        _refused(
            mara.get("/api/v1/projects/desk/export/", params={"since": "2020-01-01T00:00+16:00"}),
            400,
            "since",
        )
        for meta in ('{"n": NaN}', '{"n": ' + "9" * 400 + "}", '{"a": ' * 600 + "1" + "}" * 600):
            line = '{"id": "m1", "text": "A text.", "meta": ' + meta + "}"
            upload = mara.post(
                "/api/v1/projects/desk/imports/",
                files={"file": ("in.jsonl", line.encode())},
                data={"format": "native"},
            )
            _refused(upload, 400)
    assert _rows(cluster) == before
    # The export still streams every record, whole.
    with _client(app, seeded, "mara") as mara:
        export = mara.get("/api/v1/projects/desk/export/")
        assert export.status_code == 200
        assert all(json.loads(line) for line in export.text.splitlines())
