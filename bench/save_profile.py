"""CPU per span save in this process (issue 18, point 2): the request path without the network.

Usage:
    .venv/bin/python bench/save_profile.py [--saves 2000] [--runs 3] [--profile]

Creates a database of its own on the embedded server (or on the server of DATABASE_URL; dropped
at the end, whatever happens), production settings (DEBUG=0), an analyst with an API key and an
annotation of a long article, then sends ``--saves`` single-span saves as the workspace sends
them (a fresh client_id each, the version of the previous answer) through Django's test client:
every middleware, URL resolving, DRF and the database, but no gunicorn and no socket. Each run
is timed with ``time.process_time`` (this process's CPU only; PostgreSQL's is not counted) and
the median of the runs is printed. ``--profile`` profiles one more run with cProfile and prints
the 35 functions with the most cumulative time.

To compare with an older commit, run the same file from an export of it, e.g.
``git archive HEAD~1 | tar -x -C /tmp/old && cp bench/save_profile.py /tmp/old/bench/`` and
``ANNOTATOR_VAR_DIR=$PWD/var .venv/bin/python /tmp/old/bench/save_profile.py``.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import statistics
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(1, str(Path(__file__).resolve().parent))
os.environ.setdefault("ANNOTATOR_VAR_DIR", str(ROOT / "var"))

WORD = "minister"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--saves", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument(
        "--only", default="", help="with --profile: list only functions whose path has this text"
    )
    args = parser.parse_args()

    from export_bench import create_database

    url, name, drop = create_database()
    os.environ.update(
        {
            "DATABASE_URL": url,
            "DEBUG": "0",
            "SECRET_KEY": "bench-" + "k" * 50,
            "ALLOWED_HOSTS": "testserver",
            "HTTPS": "0",
            "DJANGO_SETTINGS_MODULE": "annotator.settings",
        }
    )
    try:
        import django

        django.setup()
        from django.contrib.auth import get_user_model
        from django.core.management import call_command
        from django.test import Client

        from labels.api.auth import issue_token
        from labels.interop.importing import do_create_article
        from labels.projects import members
        from labels.projects.projects import do_create_project

        call_command("migrate", verbosity=0)
        user = get_user_model().objects.create_user(username="ana", password="x" * 20)
        project = do_create_project(slug="bench-save", name="Save bench")
        members.do_add_member(project, user, "annotator")
        total = args.saves * (args.runs + (1 if args.profile else 0)) + 21
        article = do_create_article(
            project, external_id="long", raw_text=" ".join([WORD] * total) + "."
        )
        key, _ = issue_token(user)
        client = Client(HTTP_AUTHORIZATION=f"Token {key}")
        started = client.post(f"/api/v1/articles/{article.pk}/annotation/")
        assert started.status_code == 200, started.content
        annotation = started.json()
        url = f"/api/v1/annotations/{annotation['id']}/spans/"
        state = {"version": annotation["version"], "next": 0}

        def save() -> None:
            start = state["next"] * (len(WORD) + 1)
            body = {
                "start": start,
                "end": start + len(WORD),
                "text": WORD,
                "label": "Cue",
                "version": state["version"],
                "client_id": str(uuid.uuid4()),
            }
            response = client.post(url, json.dumps(body), content_type="application/json")
            assert response.status_code == 201, response.content
            state["version"] = response.json()["version"]
            state["next"] += 1

        for _ in range(20):  # warm: the process remembers the layer and the key
            save()
        per_save = []
        for run in range(args.runs):
            cpu = time.process_time()
            wall = time.perf_counter()
            for _ in range(args.saves):
                save()
            cpu_ms = (time.process_time() - cpu) * 1000 / args.saves
            wall_ms = (time.perf_counter() - wall) * 1000 / args.saves
            per_save.append(cpu_ms)
            print(f"run {run + 1}: {cpu_ms:.3f} ms CPU per save, {wall_ms:.3f} ms wall")
        print(f"median of {args.runs}: {statistics.median(per_save):.3f} ms CPU per save")
        if args.profile:
            profiler = cProfile.Profile()
            profiler.enable()
            for _ in range(args.saves):
                save()
            profiler.disable()
            stats = pstats.Stats(profiler).sort_stats("cumulative")
            stats.print_stats(*([args.only] if args.only else []), 35)
    finally:
        from django.db import connections

        connections.close_all()
        drop()


if __name__ == "__main__":
    main()
