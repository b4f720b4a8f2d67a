"""/healthz reports the database state, without authentication, and is reachable over plain HTTP
by a load balancer even when every other URL redirects to HTTPS."""

import json
import os
import secrets
import subprocess
import sys
import time

import pytest

from tests.support.paths import ROOT

PROBE = """
import json, django
django.setup()
from django.test import Client
client = Client()
out = {}
for path in ("/healthz", "/login/"):
    response = client.get(path)
    out[path] = {"status": response.status_code, "location": response.get("Location", ""),
                 "body": response.content.decode() if path == "/healthz" else ""}
print(json.dumps(out))
"""


def probe(**env) -> dict:
    base = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "DATABASE_URL")}
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env=base | {"DJANGO_SETTINGS_MODULE": "annotator.settings"} | env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.django_db
def test_healthz_answers_ok_without_logging_in(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(1):  # SELECT 1
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_healthz_refuses_writes(client):
    assert client.post("/healthz").status_code == 405


@pytest.mark.server
def test_healthz_is_503_and_says_only_not_ok_when_the_database_is_unreachable():
    # Port 9 on loopback: nothing listens there, the connection is refused at once.
    started = time.monotonic()
    out = probe(
        DEBUG="1",
        ALLOWED_HOSTS="testserver",
        DATABASE_URL="postgres://postgres@127.0.0.1:9/annotator",
    )
    health = out["/healthz"]
    assert health["status"] == 503
    # Only "not ok" for an anonymous caller: no host, port or error text (a reconnaissance aid).
    assert json.loads(health["body"]) == {"status": "error", "database": "unavailable"}
    assert time.monotonic() - started < 30


@pytest.mark.server
def test_healthz_is_exempt_from_the_https_redirect():
    out = probe(
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="testserver",
        DATABASE_URL="postgres://postgres@127.0.0.1:9/annotator",
    )
    assert out["/login/"]["status"] == 301
    assert out["/login/"]["location"].startswith("https://")
    assert out["/healthz"]["status"] == 503  # answered over HTTP, not redirected
