"""The persistent connection's health check (annotator/postgresql/): no round trip while the
connection is alive, and a connection the server dropped is still replaced before a request
uses it."""

from __future__ import annotations

import select

import pytest
from django.db import connection, connections

pytestmark = pytest.mark.django_db


@pytest.fixture
def persistent():
    """A second connection to the test database, as a gunicorn thread holds one between
    requests: health checks on, no transaction open."""
    db = connections.create_connection("default")
    db.settings_dict["CONN_HEALTH_CHECKS"] = True
    db.health_check_enabled = True
    db.ensure_connection()
    yield db
    db.close()


def _last_query_of(pid: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT query FROM pg_stat_activity WHERE pid = %s", [pid])
        return cursor.fetchone()[0]


def _new_request(db) -> None:
    # What Django does when a request starts (django.db.close_old_connections).
    db.health_check_done = False
    db.close_if_unusable_or_obsolete()


def test_a_live_connection_is_checked_without_a_query(persistent):
    with persistent.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid() /* before the request */")
        pid = cursor.fetchone()[0]
    _new_request(persistent)
    with persistent.cursor() as cursor:  # the first query of the request: checks the health
        assert persistent.health_check_done
        # The backend's last statement is still the one before: no "SELECT 1" was sent.
        assert _last_query_of(pid) == "SELECT pg_backend_pid() /* before the request */"
        cursor.execute("SELECT pg_backend_pid()")
        assert cursor.fetchone()[0] == pid  # the same connection, kept


def test_a_connection_the_server_dropped_is_replaced_before_use(persistent):
    with persistent.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
        assert cursor.fetchone()[0]
    # The server closes the socket of the backend it terminated; wait for that signal.
    readable, _, _ = select.select([persistent.connection.pgconn.socket], [], [], 10)
    assert readable
    _new_request(persistent)
    with persistent.cursor() as cursor:  # would raise OperationalError on the dropped connection
        cursor.execute("SELECT pg_backend_pid()")
        assert cursor.fetchone()[0] != pid
