"""A real worker process on the test database, and a jobs folder both processes share.

Tests that use ``worker`` run with ``transaction=True``: the worker is another process and
sees only committed rows. It is stopped before the test's tables are emptied.
"""

from __future__ import annotations

import pytest

from tests.support.workers import FAST_RECOVERY, Worker, job_env, test_database_url


@pytest.fixture
def job_storage(settings, tmp_path):
    folder = tmp_path / "jobs"
    folder.mkdir()
    settings.STORAGES = {
        **settings.STORAGES,
        "jobs": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(folder)},
        },
    }
    return folder


@pytest.fixture
def worker_env(transactional_db, job_storage):
    return job_env(test_database_url(), job_storage, **FAST_RECOVERY)


@pytest.fixture
def worker(worker_env, tmp_path):
    with Worker(worker_env, name="test-worker", log=tmp_path / "worker.log") as process:
        yield process
