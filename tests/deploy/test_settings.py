"""Settings come from the environment and fail loudly; DATABASE_URL bypasses the embedded server;
the production configuration passes Django's deployment checks."""

import os
import secrets
import subprocess
import sys

import psycopg
import pytest

from annotator.embedded import server
from tests.support.paths import ROOT
from tests.support.servers import private_directory

pytestmark = pytest.mark.server

# What a real deployment would not have: the test session's own settings, and the flag the
# browser fixture sets for Playwright (check --deploy rightly refuses it).
UNSET = ("DEBUG", "SECRET_KEY", "DATABASE_URL", "ALLOWED_HOSTS", "DJANGO_ALLOW_ASYNC_UNSAFE")


def run(args, **env):
    base = {k: v for k, v in os.environ.items() if k not in UNSET}
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=base | env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def production_env(**extra):
    return {
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "annotator.example.org",
    } | extra


def test_secret_key_is_required_outside_debug():
    result = run(["manage.py", "check"], DEBUG="0")
    assert result.returncode != 0
    assert "The environment variable SECRET_KEY must be set." in result.stderr


def test_a_malformed_boolean_is_refused_by_name():
    result = run(["manage.py", "check"], DEBUG="maybe")
    assert result.returncode != 0
    assert "DEBUG must be one of" in result.stderr


def test_debug_is_off_unless_asked():
    result = run(
        ["-c", "import annotator.settings as s; print(s.DEBUG, s.ALLOWED_HOSTS)"],
        SECRET_KEY="x" * 50,
    )
    assert result.stdout.strip() == "False []"


def test_check_deploy_is_clean_with_production_settings():
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], **production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_database_url_is_used_and_no_embedded_server_is_started(tmp_path):
    with private_directory("other") as other_var:
        _check_database_url_bypasses_the_embedded_server(tmp_path, other_var / "pgdata")


def _check_database_url_bypasses_the_embedded_server(tmp_path, other):
    socket_dir = server.ensure_running(other, "elsewhere")
    try:
        var_dir = tmp_path / "var"
        result = run(
            ["manage.py", "migrate", "--noinput"],
            DEBUG="1",
            ANNOTATOR_VAR_DIR=str(var_dir),
            DATABASE_URL=f"postgres://postgres@/elsewhere?host={socket_dir}",
        )
        assert result.returncode == 0, result.stderr
        assert not (var_dir / "pgdata").exists()
        with psycopg.connect(host=str(socket_dir), user="postgres", dbname="elsewhere") as conn:
            assert conn.execute("SELECT count(*) FROM labels_project").fetchone()[0] == 0
    finally:
        server.stop(other)


@pytest.mark.parametrize("url", ["sqlite:///db.sqlite3", "mysql://u:p@localhost/db"])
def test_database_url_must_be_postgresql(url):
    result = run(["manage.py", "check"], DEBUG="1", DATABASE_URL=url)
    assert result.returncode != 0
    assert "DATABASE_URL must point at PostgreSQL" in result.stderr
