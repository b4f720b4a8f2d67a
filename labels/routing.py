"""Which database a read goes to.

Only exports are sent to the read replica (``DATABASE_REPLICA_URL``): they are long, read-only
scans of submitted work, and a replica a few seconds behind is fine for them. Everything an
analyst reads back after writing stays on the primary.
"""

from __future__ import annotations

from django.conf import settings


def export_database_alias() -> str:
    """``"replica"`` when a read replica is configured, else ``"default"``."""
    return "replica" if "replica" in settings.DATABASES else "default"
