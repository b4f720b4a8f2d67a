"""The files of jobs — export results and the uploads of background imports — through Django's
storage API (``STORAGES["jobs"]``: a folder under var/ by default, or S3-compatible object
storage that every app server and worker reaches; docs/deploy.md).

A file goes into the storage only once it is complete (written to a local temporary file
first), under ``jobs/<job id>/…``; the job points at it only once it is there.
"""

from __future__ import annotations

from typing import IO

from django.core.files import File
from django.core.files.storage import Storage, storages


def storage() -> Storage:
    return storages["jobs"]


def folder(job_id: int) -> str:
    return f"jobs/{job_id}"


def save(job_id: int, part: str, name: str, content: IO[bytes]) -> str:
    """Store ``content`` as ``jobs/<job id>/<part>/<name>``; the stored name. Each attempt of a
    job writes its own ``part``, so an attempt that lost a race never touches the file of the
    one that won."""
    return storage().save(f"{folder(job_id)}/{part}/{name}", File(content, name=name))


def open_file(path: str) -> IO[bytes]:
    return storage().open(path, "rb")


def delete(path: str) -> None:
    if path:
        storage().delete(path)


def delete_folder(job_id: int) -> None:
    """Every file of the job (results of all its attempts, its upload)."""
    store = storage()
    pending = [folder(job_id)]
    while pending:
        path = pending.pop()
        try:
            directories, names = store.listdir(path)
        except FileNotFoundError:
            continue
        for name in names:
            store.delete(f"{path}/{name}")
        pending.extend(f"{path}/{d}" for d in directories)
