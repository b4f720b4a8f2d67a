"""The embedded PostgreSQL survives crashes: a killed server or a stale postmaster.pid never
blocks the next start. Each test runs its own server on a temporary data directory."""

import os
import signal
import time

import psycopg
import pytest

from annotator.embedded import server
from tests.support.servers import private_directory

pytestmark = pytest.mark.server


@pytest.fixture
def data_dir():
    with private_directory("embedded") as var_dir:
        path = var_dir / "pgdata"
        yield path
        server.stop(path)


def _query(socket_dir) -> int:
    with psycopg.connect(
        host=str(socket_dir), user="postgres", dbname="annotator", connect_timeout=5
    ) as conn:
        return conn.execute("SELECT 1").fetchone()[0]


def _postmaster_pid(path) -> int:
    return int((path / "postmaster.pid").read_text().splitlines()[0])


def test_starts_creates_the_database_and_reuses_a_running_server(data_dir):
    socket_dir = server.ensure_running(data_dir, "annotator")
    assert _query(socket_dir) == 1
    pid = _postmaster_pid(data_dir)
    server.forget(data_dir)
    assert server.ensure_running(data_dir, "annotator") == socket_dir
    assert _postmaster_pid(data_dir) == pid  # reused, not restarted


def test_starts_again_after_the_server_was_killed(data_dir):
    server.ensure_running(data_dir, "annotator")
    pid = _postmaster_pid(data_dir)
    os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
            time.sleep(0.1)
        except ProcessLookupError:
            break
    assert (data_dir / "postmaster.pid").exists()  # left behind by the crash
    server.forget(data_dir)
    started = time.monotonic()
    socket_dir = server.ensure_running(data_dir, "annotator")
    assert _query(socket_dir) == 1
    assert time.monotonic() - started < 20
    assert _postmaster_pid(data_dir) != pid


def test_a_pidfile_naming_a_live_process_that_is_not_postgres_is_removed(data_dir):
    server.ensure_running(data_dir, "annotator")
    server.stop(data_dir)
    # A crash left a pidfile whose PID now belongs to an unrelated process (here: this one).
    (data_dir / "postmaster.pid").write_text(f"{os.getpid()}\n{data_dir}\n0\n5432\n\n\n\nready\n")
    socket_dir = server.ensure_running(data_dir, "annotator")
    assert _query(socket_dir) == 1
    assert _postmaster_pid(data_dir) != os.getpid()


def test_new_databases_get_the_builtin_locale_and_sort_and_fold_case_as_before(data_dir):
    """template1 is rebuilt with PostgreSQL's builtin C.UTF-8 locale (faster full-text
    indexing), keeping code-point order, Unicode case folding and the C library's LC_CTYPE."""
    socket_dir = server.ensure_running(data_dir, "annotator")
    with psycopg.connect(host=str(socket_dir), user="postgres", dbname="annotator") as conn:
        provider, ctype = conn.execute(
            "SELECT datlocprovider, datctype FROM pg_database WHERE datname = 'annotator'"
        ).fetchone()
        template0_ctype = conn.execute(
            "SELECT datctype FROM pg_database WHERE datname = 'template0'"
        ).fetchone()[0]
        expected = "C.UTF-8" if template0_ctype in ("C", "POSIX") else template0_ctype
        assert (provider, ctype) == ("b", expected)
        # The text-search parser tells letters from punctuation beyond ASCII.
        assert (
            conn.execute("SELECT to_tsvector('simple', '«КИЇВ» word—ÉTÉ')::text").fetchone()[0]
            == "'word':2 'été':3 'київ':1"
        )
        assert conn.execute("SELECT lower('ÄÖÜ КИЇВ ǅ')").fetchone()[0] == "äöü київ ǆ"
        words = ["b", "a", "É", "é", "Z", "ё"]
        ordered = conn.execute(
            "SELECT array_agg(w ORDER BY w) FROM unnest(%s::text[]) w", [words]
        ).fetchone()[0]
        assert ordered == sorted(words)  # code points, as Python sorts
    # Started again on the same cluster: template1 is left as it is.
    server.stop(data_dir)
    server.forget(data_dir)
    socket_dir = server.ensure_running(data_dir, "other")
    with psycopg.connect(host=str(socket_dir), user="postgres", dbname="other") as conn:
        assert conn.execute(
            "SELECT datlocprovider FROM pg_database WHERE datname = 'other'"
        ).fetchone() == ("b",)
