"""The least-privilege application role of docs/deploy.md ("Database roles"), for benchmarks
that must see what production sees: the app servers connect as a role that owns nothing and is
no superuser (so, for one, an import runs PostgreSQL's row-by-row foreign-key checks instead
of the superuser's bulk path), while migrations and seeding ran as the owner.

    url = create_app_role(owner_url, "bench_app_123")   # after migrate and seeding
    ...                                                 # gunicorn / workers with DATABASE_URL=url
    drop_app_role(owner_url, "bench_app_123")           # before the database is dropped
"""

from __future__ import annotations

import urllib.parse


def _with_user(url: str, role: str) -> str:
    parts = urllib.parse.urlsplit(url)
    host = parts.netloc.rpartition("@")[2]
    return urllib.parse.urlunsplit(parts._replace(netloc=f"{role}@{host}"))


def create_app_role(owner_url: str, role: str) -> str:
    """Create ``role`` (LOGIN, no superuser, no ownership) with the grants docs/deploy.md gives
    ``annotator_app`` on the database of ``owner_url``; return the DATABASE_URL that connects
    as it (no password: the embedded server trusts local connections; on another server set
    one in pg_hba's terms and put it in the URL yourself)."""
    import psycopg
    from psycopg import sql

    name = sql.Identifier(role)
    with psycopg.connect(owner_url, autocommit=True) as conn:
        database = conn.execute("SELECT current_database()").fetchone()[0]
        conn.execute(
            sql.SQL("CREATE ROLE {} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE").format(name)
        )
        for statement in (
            "GRANT CONNECT ON DATABASE {db} TO {role}",
            "GRANT USAGE ON SCHEMA public TO {role}",
            "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}",
            "GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}",
        ):
            conn.execute(sql.SQL(statement).format(db=sql.Identifier(database), role=name))
    return _with_user(owner_url, role)


def drop_app_role(owner_url: str, role: str) -> None:
    """Remove ``role`` and its grants (roles belong to the whole server, not the database)."""
    import psycopg
    from psycopg import sql

    with psycopg.connect(owner_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role]).fetchone()
        if exists:
            conn.execute(sql.SQL("DROP OWNED BY {}").format(sql.Identifier(role)))
            conn.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(role)))
