"""Django's PostgreSQL backend, with a cheaper health check of persistent connections.

With ``CONN_HEALTH_CHECKS`` Django sends ``SELECT 1`` before the first query of every request
that reuses a connection: a round trip, and 13 % of a span save's time. It is there to notice a
connection the server dropped while it sat idle between requests (a restarted server, a
terminated backend, an idle timeout), which would otherwise fail that request. Every one of
those ends with the server closing the socket — and sending a FATAL message first — so an idle
connection that has been dropped has something to read on its socket, and a healthy idle one
has nothing. Looking costs a ``select`` with no wait; only when there is something to read does
the real ``SELECT 1`` run (which also consumes a stray notice, the one harmless thing an idle
connection may receive). What neither notices is a peer that vanished without closing (a
partition): then ``SELECT 1`` would have hung as long as the request's own query does.
"""

from __future__ import annotations

import select

from django.db.backends.postgresql import base


class DatabaseWrapper(base.DatabaseWrapper):
    def close_if_health_check_failed(self) -> None:
        if (
            self.connection is not None
            and self.health_check_enabled  # type: ignore[attr-defined]  # not in django-stubs
            and not self.health_check_done  # type: ignore[has-type]
            and self._idle_and_quiet()
        ):
            self.health_check_done = True
            return
        super().close_if_health_check_failed()

    def _idle_and_quiet(self) -> bool:
        """True when the connection is open, idle, and the server has sent nothing since."""
        connection = self.connection
        if connection.closed or connection.broken:
            return False
        pgconn = connection.pgconn
        if pgconn.status != 0 or pgconn.transaction_status != 0:  # CONNECTION_OK, TRANS_IDLE
            return False
        try:
            readable, _, _ = select.select([pgconn.socket], [], [], 0)
        except (OSError, ValueError):
            return False
        return not readable
