"""Real processes for the fault and deployment tests: a private PostgreSQL cluster on a temporary
directory (never the shared one under var/), gunicorn app servers on loopback ports, and
``manage.py`` runs against that cluster. Each module that uses them starts its own cluster."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from annotator.embedded import server
from tests.support.paths import ROOT

# Settings-related variables of the caller that must not leak into the child processes.
_SCRUB = ("DATABASE_URL", "ANNOTATOR_VAR_DIR", "DJANGO_SETTINGS_MODULE", "SECRET_KEY")


def base_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _SCRUB}
    env.update(
        DEBUG="0",
        SECRET_KEY="test-only-" + "k" * 50,
        HTTPS="0",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        AXES_ENABLED="0",
        PYTHONUNBUFFERED="1",
        STATIC_MANIFEST="0",
    )
    env.update(extra)
    return env


@dataclass
class Cluster:
    """A private PostgreSQL on ``data_dir`` with a migrated database ``annotator``."""

    data_dir: Path
    socket_dir: Path

    @property
    def var_dir(self) -> Path:
        return self.data_dir.parent

    def url(self, database: str = "annotator") -> str:
        return f"postgres://postgres@/{database}?host={self.socket_dir}"

    def env(self, **extra: str) -> dict[str, str]:
        """Environment of an app process reaching this cluster through DATABASE_URL."""
        return base_env(DATABASE_URL=self.url(), **extra)

    def embedded_env(self, **extra: str) -> dict[str, str]:
        """Environment of an app process whose embedded backend manages this cluster itself
        (and starts it again when it finds it stopped)."""
        return base_env(ANNOTATOR_VAR_DIR=str(self.var_dir), **extra)

    def connect(self, database: str = "annotator", **kwargs):
        import psycopg

        return psycopg.connect(
            host=str(self.socket_dir),
            user="postgres",
            dbname=database,
            connect_timeout=5,
            **kwargs,
        )

    def stop(self) -> None:
        server.stop(self.data_dir)

    def start(self) -> None:
        server.forget(self.data_dir)
        self.socket_dir = server.ensure_running(self.data_dir, "annotator")


@contextmanager
def private_directory(name: str):
    """A directory for a private cluster, removed afterwards. Not under pytest's temporary
    tree: when the tests run as root, PostgreSQL runs as another user that must be able to
    reach the data directory, and pytest makes its directories private to the current user."""
    path = Path(tempfile.mkdtemp(prefix=f"annotator-{name}-"))
    path.chmod(0o755)
    try:
        yield path / "var"
    finally:
        shutil.rmtree(path, ignore_errors=True)


def start_cluster(var_dir: Path) -> Cluster:
    data_dir = var_dir / "pgdata"
    socket_dir = server.ensure_running(data_dir, "annotator")
    cluster = Cluster(data_dir, socket_dir)
    manage(cluster.env(), "migrate", "--noinput", "-v0")
    return cluster


@contextmanager
def private_cluster(name: str):
    """A migrated private cluster on a private directory, stopped and removed afterwards."""
    with private_directory(name) as var_dir:
        cluster = start_cluster(var_dir)
        try:
            yield cluster
        finally:
            cluster.stop()


def manage(env: dict[str, str], *args: str, timeout: float = 120) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert result.returncode == 0, f"manage.py {' '.join(args)}:\n{result.stdout}\n{result.stderr}"
    return result.stdout


SEED = """
import json
from django.contrib.auth import get_user_model
from labels.api.auth import issue_token
from labels.interop.importing import do_create_article
from labels.projects.members import do_add_member
from labels.projects.projects import do_create_project

result = {{}}
for spec in json.loads({specs!r}):
    project = do_create_project(
        slug=spec["slug"], name=spec["slug"], annotators_per_article=spec.get("per_article", 1)
    )
    out = result[project.slug] = {{"articles": [], "tokens": {{}}, "users": {{}}}}
    for username, role in spec.get("users", {{}}).items():
        # Usernames carry the project slug, so that one cluster holds several seeded projects.
        user = get_user_model().objects.create_user(
            f"{{username}}.{{project.slug}}", password="pw-" + username * 3
        )
        do_add_member(project, user, role)
        out["tokens"][username] = issue_token(user)[0]
        out["users"][username] = user.pk
    for n, text in enumerate(spec.get("articles", [])):
        out["articles"].append(
            do_create_article(project, external_id=f"a{{n}}", raw_text=text, title=f"A{{n}}").pk
        )
print(json.dumps(result))
"""


def seed(env: dict[str, str], *specs: dict) -> dict[str, dict]:
    """Create projects ``{"slug", "users": {name: role}, "articles": [text], "per_article"}``
    in one process; return, per slug, the article ids and each member's id and API token."""
    out = manage(env, "shell", "-c", SEED.format(specs=json.dumps(list(specs))))
    return json.loads(out.strip().splitlines()[-1])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class AppServer:
    """gunicorn with the repository's gunicorn.conf.py on a free loopback port."""

    def __init__(self, env: dict[str, str], *, workers: int = 2, threads: int = 4, log=None):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log
        env = env | {
            "GUNICORN_BIND": f"127.0.0.1:{self.port}",
            "GUNICORN_WORKERS": str(workers),
            "GUNICORN_THREADS": str(threads),
            "GUNICORN_ACCESS_LOG": "off",
            "GUNICORN_LOG_LEVEL": "warning",
        }
        self._log = open(log, "wb") if log else subprocess.DEVNULL  # noqa: SIM115
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py"],
            cwd=ROOT,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_ready(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise TimeoutError(f"gunicorn on {self.url} not ready after {timeout} s")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=5)
        if self._log is not subprocess.DEVNULL:
            self._log.close()

    def __enter__(self) -> AppServer:
        self.wait_ready()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()
