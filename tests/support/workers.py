"""Job workers as real processes (``manage.py worker``) for the job tests, and the wait for a
job to reach a state: the tests watch the job's own row, never the clock."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import psutil

from tests.support.paths import ROOT
from tests.support.servers import base_env

#: Heartbeat and dead-worker timeout of test workers: a SIGKILLed worker's job is requeued
#: within seconds instead of production's half minute.
FAST_RECOVERY = {"ANNOTATOR_WORKER_HEARTBEAT_SECONDS": "1", "ANNOTATOR_WORKER_STALLED_SECONDS": "5"}


def job_env(database_url: str, storage_dir: Path, **extra: str) -> dict[str, str]:
    """The environment of a worker or app server sharing ``database_url`` and a jobs folder."""
    return base_env(
        DATABASE_URL=database_url,
        ANNOTATOR_JOB_STORAGE_OPTIONS=json.dumps({"location": str(storage_dir)}),
        **extra,
    )


def test_database_url() -> str:
    """DATABASE_URL of the test database this pytest process uses (the embedded server's
    socket, or the server of the caller's DATABASE_URL)."""
    from django.db import connection

    params = connection.get_connection_params()
    user = quote(params.get("user") or "postgres", safe="")
    password = params.get("password")
    credentials = user + (f":{quote(password, safe='')}" if password else "")
    host = params.get("host") or "localhost"
    port = params.get("port") or 5432
    name = connection.settings_dict["NAME"]
    if host.startswith("/"):
        return f"postgres://{credentials}@/{name}?host={quote(host, safe='')}&port={port}"
    return f"postgres://{credentials}@{host}:{port}/{name}"


class Worker:
    """``manage.py worker`` in its own process group."""

    def __init__(self, env: dict[str, str], *, name: str = "worker", log: Path | None = None):
        self.name = name
        self._log = open(log, "wb") if log else subprocess.DEVNULL  # noqa: SIM115
        self.process = subprocess.Popen(
            [sys.executable, "manage.py", "worker", "--name", name],
            cwd=ROOT,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.peak_rss = 0

    @property
    def pid(self) -> int:
        return self.process.pid

    def rss(self) -> int:
        """The worker's resident memory now (bytes); also kept as ``peak_rss``."""
        try:
            rss = psutil.Process(self.pid).memory_info().rss
        except psutil.Error:
            return 0
        self.peak_rss = max(self.peak_rss, rss)
        return rss

    def kill(self) -> None:
        """SIGKILL: the worker gets no chance to finish or report anything."""
        os.killpg(self.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.pid, signal.SIGKILL)
                self.process.wait(timeout=5)
        if self._log is not subprocess.DEVNULL:
            self._log.close()

    def __enter__(self) -> Worker:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def wait_for(read, done, *, timeout: float = 60, what: str = "the job", workers=()):
    """Read ``read()`` until ``done(value)``; fail after ``timeout`` s or when a worker died.
    ``workers`` also get their memory sampled at each read."""
    deadline = time.monotonic() + timeout
    while True:
        value = read()
        for worker in workers:
            worker.rss()
            code = worker.process.poll()
            assert code is None, f"{worker.name} exited with {code}"
        if done(value):
            return value
        assert time.monotonic() < deadline, f"{what} did not finish in {timeout} s: {value}"
        time.sleep(0.1)
