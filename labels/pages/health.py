"""``/healthz``: is this app server able to serve? For load balancers and process supervisors.

No authentication and no session: it answers 200 ``{"status": "ok", "database": "ok"}`` when a
``SELECT 1`` on the default database succeeds, else 503 ``{"status": "error", "database":
"unavailable"}``. The database's own message (host, port, role) goes to the server log, never to
the caller, who may be anyone. The connection
attempt is bounded by ``DATABASE_CONNECT_TIMEOUT`` (settings), so a dead database is reported in
seconds rather than hanging the probe.
"""

from __future__ import annotations

import logging

from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)


@never_cache
@require_safe
def healthz(request):
    # A connection the database has closed since (restart, failover) is replaced before this
    # query: CONN_HEALTH_CHECKS is on for every database (settings).
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        # Closed so that the next request starts from a fresh connection.
        connection.close()
        logger.error("healthz: the database is unavailable: %s", exc)
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})
