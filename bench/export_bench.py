"""Import, export and API benchmarks (issue 4), on a database of their own.

Usage:
    .venv/bin/python bench/export_bench.py [--articles 10000] [--big 100000]
                                           [--formats native,hf,...] [--no-api] [--profile-import]

What it does, in a fresh database ``bench_export_<pid>`` created on the embedded server (or on
the server of DATABASE_URL) and dropped at the end, whatever happens:

1. Generates ``--articles`` articles of about 3,000 characters with 10 spans each (3 Quote /
   Source / Cue triples joined by attributed_to relations with a cue, and a Claim; a third of
   the quotes come right after an emoji) as a native JSONL file, and imports it into the gold
   layer with ``labels.interop.importing.do_import`` (timed in this process), then builds the
   search index as the background task does after an import (timed apart).
2. Exports native in this process to /dev/null (time to the first chunk, total, CPU), then runs
   ``manage.py export_annotations`` for each format in a child process writing to /dev/null and
   reads that child's wall time, CPU time and peak RSS (``os.wait4``). CPU times are given
   because wall times on a shared 2-core machine depend on what else runs.
3. With ``--big``, copies the imported articles in SQL (with their annotations, spans and
   relations) until the project holds that many, and measures the native export's time and the
   exporting process's peak memory again.
4. Unless ``--no-api``: starts gunicorn (gunicorn.conf.py with 3 workers, production settings,
   DEBUG=0) on a free loopback port, connected as the least-privilege role of docs/deploy.md
   (bench/approle.py; migrations and data were written as the owner), and, as a client with a
   token and one keep-alive connection: 300 sequential single-span saves as the workspace sends
   them (with a client_id); 200 reads of an article, of an annotation, and of "an article and
   its annotations" (the two GETs a script makes, summed); spans one by one into 30 fresh
   articles, starting each annotation and submitting it (spans per second of wall time); the
   native export over HTTP (time to first byte, total). With ``--http-import N`` it also
   imports N articles over HTTP into empty projects, without and then with their spans, with a
   ``manage.py worker`` (same role) for the files that become jobs: time to the answer, until
   the job is done, and until the article list says the search index (built after the import,
   in the background) is complete; the RSS of the web and job workers before and after.

Figures go to stdout (and --json PATH); docs/performance.md quotes them.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import uuid
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.approle import create_app_role, drop_app_role  # noqa: E402

PYTHON = sys.executable
MANAGE = str(ROOT / "manage.py")
SLUG = "bench"
FORMATS = ["native", "spacy", "hf", "prodigy", "doccano", "labelstudio", "brat", "conll"]

# --- data -------------------------------------------------------------------------------------

FILLER = (
    "officials in the capital met on Tuesday to discuss the budget and the new border rules "
    "while opposition leaders gathered outside parliament and analysts expected further talks "
    "about energy prices transport strikes and the coming regional elections across the country "
).split()
SOURCES = ["The minister", "A spokesman", "Maria Kovalenko", "the Kremlin", "AFP", "Reuters"]
CUES = ["said", "told reporters", "according to", "stated", "quoted by"]
EMOJI = ["😀", "🇺🇦", "👍🏿", "👨‍💻", "🔥"]


def sentence(rng: random.Random, words: int) -> str:
    text = " ".join(rng.choice(FILLER) for _ in range(words))
    return text[0].upper() + text[1:] + "."


def make_article(rng: random.Random, external_id: str) -> dict:
    """An article of ~3,000 characters with 10 spans and 3 relations, offsets into its text."""
    parts: list[str] = []
    spans: list[dict] = []
    relations: list[dict] = []
    length = 0

    def add(piece: str) -> int:
        nonlocal length
        start = length
        parts.append(piece)
        length += len(piece)
        return start

    def mark(sid: str, label: str, start: int, text: str, attrs: dict) -> None:
        spans.append(
            {"id": sid, "label": label, "start": start, "end": start + len(text), "text": text}
            | {"attrs": attrs}
        )

    add(sentence(rng, 12) + " ")
    for n in range(3):
        add(sentence(rng, rng.randint(20, 35)) + "\n\n")
        if n == 1:
            add(rng.choice(EMOJI) + " ")
        source, cue = rng.choice(SOURCES), rng.choice(CUES)
        quote = sentence(rng, rng.randint(8, 14))[:-1]
        mark(f"s{n}", "Source", add(source), source, {"source_type": "person"})
        add(" ")
        mark(f"c{n}", "Cue", add(cue), cue, {})
        add(" “")
        mark(f"q{n}", "Quote", add(quote), quote, {"quote_type": "direct"})
        add("”. ")
        relations.append(
            {"label": "attributed_to", "from": f"q{n}", "to": f"s{n}", "attrs": {"cue": f"c{n}"}}
        )
    claim = sentence(rng, 12)
    mark("k", "Claim", add(claim), claim, {"checkworthy": "yes"})
    add(" ")
    while length < 3000:
        add(sentence(rng, rng.randint(15, 30)) + " ")
    return {
        "id": external_id,
        "title": f"Article {external_id}",
        "meta": {"source": "bench", "published": "2026-01-01"},
        "text": "".join(parts).rstrip(),
        "spans": spans,
        "relations": relations,
    }


def write_jsonl(path: Path, first: int, count: int) -> None:
    rng = random.Random(first)
    with path.open("w", encoding="utf-8") as out:
        for i in range(first, first + count):
            out.write(json.dumps(make_article(rng, f"bench-{i:06d}"), ensure_ascii=False) + "\n")


# --- database ---------------------------------------------------------------------------------


def create_database() -> tuple[str, str, Callable[[], None]]:
    """A new database; returns (DATABASE_URL, name, drop)."""
    import psycopg
    from psycopg import sql

    name = f"bench_export_{os.getpid()}"
    given = os.environ.get("DATABASE_URL")
    if given:
        parsed = urllib.parse.urlparse(given)
        admin = parsed._replace(path="/postgres").geturl()
        url = parsed._replace(path=f"/{name}").geturl()
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        connect = {"conninfo": admin}
    else:
        from annotator.embedded import server

        var = Path(os.environ.get("ANNOTATOR_VAR_DIR", ROOT / "var"))
        socket_dir = server.ensure_running(var / "pgdata", name)
        url = f"postgres://postgres@{urllib.parse.quote(str(socket_dir), safe='')}/{name}"
        connect = {"host": str(socket_dir), "user": "postgres", "dbname": "postgres"}

    def drop() -> None:
        with psycopg.connect(**connect, autocommit=True) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )

    return url, name, drop


# --- measurements -----------------------------------------------------------------------------


def child_env() -> dict:
    return dict(os.environ)


def launcher() -> None:
    """Child mode: run the commands read from stdin, answer with their wall time and peak RSS.

    Started before this script imports Django or spaCy: Linux keeps the peak RSS of a process
    across exec, and a child forked from a large process would report the parent's size."""
    for line in sys.stdin:
        job = json.loads(line)
        started = time.perf_counter()
        process = subprocess.Popen(job["args"], stdout=subprocess.DEVNULL, env=job["env"], cwd=ROOT)
        _, status, usage = os.wait4(process.pid, 0)
        answer = {
            "returncode": os.waitstatus_to_exitcode(status),
            "wall_s": time.perf_counter() - started,
            "peak_rss_mb": usage.ru_maxrss / 1024,
            "cpu_s": usage.ru_utime + usage.ru_stime,
        }
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()


class Launcher:
    def __init__(self):
        self.process = subprocess.Popen(
            [PYTHON, __file__, "--launcher"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )

    def run(self, args: list[str]) -> tuple[float, float, float]:
        """Run ``manage.py`` with ``args``, stdout to /dev/null; (wall s, peak RSS MB, CPU s)."""
        job = {"args": [PYTHON, MANAGE, *args], "env": child_env()}
        self.process.stdin.write(json.dumps(job) + "\n")
        self.process.stdin.flush()
        answer = json.loads(self.process.stdout.readline())
        if answer["returncode"] != 0:
            raise SystemExit(f"manage.py {' '.join(args)} failed ({answer['returncode']})")
        return answer["wall_s"], round(answer["peak_rss_mb"], 1), answer["cpu_s"]

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait(timeout=30)


def export_in_process(project, fmt: str) -> tuple[float, float, int, float]:
    """(seconds to the first chunk, total seconds, bytes, CPU seconds of this process) of one
    export to /dev/null."""
    from labels.interop.exporting import prepare_export

    cpu = time.process_time()
    started = time.perf_counter()
    first = None
    size = 0
    with open(os.devnull, "wb") as sink:
        for chunk in prepare_export(project, {"format": fmt}):
            if first is None:
                first = time.perf_counter() - started
            sink.write(chunk)
            size += len(chunk)
    return first or 0.0, time.perf_counter() - started, size, time.process_time() - cpu


def do_import_file(project, path: Path, profile: bool = False) -> tuple[float, float]:
    """(wall seconds, CPU seconds of this process) of importing ``path`` into gold."""
    from labels.interop.importing import do_import

    cpu = time.process_time()
    started = time.perf_counter()
    with path.open("rb") as handle:
        if profile:
            import cProfile
            import pstats

            profiler = cProfile.Profile()
            profiler.enable()
        report = do_import(project, [(path.name, handle)], layer="gold")
        if profile:
            profiler.disable()
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
    elapsed = time.perf_counter() - started
    assert report.written and not report.errors, report.errors[:5]
    return elapsed, time.process_time() - cpu


def percentiles(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)

    def at(p: float) -> float:
        index = max(0, min(len(ordered) - 1, int(round(p / 100 * len(ordered) + 0.5)) - 1))
        return ordered[index] * 1000

    return {"p50": at(50), "p95": at(95), "p99": at(99), "n": len(ordered)}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Client:
    """One keep-alive connection, as a script using requests.Session would have."""

    def __init__(self, port: int, token: str):
        self.port = port
        self.headers = {"Authorization": f"Token {token}", "Accept": "application/json"}
        self.conn: http.client.HTTPConnection | None = None

    def request(self, method: str, path: str, body=None) -> tuple[int, bytes, float]:
        payload = json.dumps(body).encode() if body is not None else None
        headers = dict(self.headers)
        if payload is not None:
            headers["Content-Type"] = "application/json"
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            started = time.perf_counter()
            try:
                self.conn.request(method, path, body=payload, headers=headers)
                response = self.conn.getresponse()
                data = response.read()
            except (http.client.HTTPException, OSError):
                self.conn.close()
                self.conn = None
                if attempt == 2:
                    raise
                continue
            elapsed = time.perf_counter() - started
            if response.getheader("Connection", "").lower() == "close":
                self.conn.close()
                self.conn = None
            return response.status, data, elapsed
        raise AssertionError("unreachable")


def _cpu_per_request(before, after, n: int) -> dict:
    # A backend that appeared in between started during the measurement: all its CPU counts.
    db = sum(cpu - before[1].get(pid, 0.0) for pid, cpu in after[1].items())
    return {"app_cpu_ms": (after[0] - before[0]) / n * 1000, "db_cpu_ms": db / n * 1000}


def calibrate() -> float:
    """Milliseconds for sum(range(10**6)), best of 5: about 12–15 ms on a current desktop core;
    on a shared VM it shows how slow a CPU-second is while the figures were taken."""
    best = float("inf")
    for _ in range(5):
        started = time.perf_counter()
        sum(range(10**6))
        best = min(best, time.perf_counter() - started)
    return best * 1000


def _start_server(env: dict, port: int, workers: int = 3) -> subprocess.Popen:
    """gunicorn with the project's gunicorn.conf.py (the draining threaded worker, its threads,
    max_requests), as docs/deploy.md runs it."""
    return subprocess.Popen(
        [PYTHON, "-m", "gunicorn", "-c", "gunicorn.conf.py"],
        env=env
        | {
            "GUNICORN_BIND": f"127.0.0.1:{port}",
            "GUNICORN_WORKERS": str(workers),
            "GUNICORN_ACCESS_LOG": "off",
            "GUNICORN_LOG_LEVEL": "warning",
        },
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _stop(process: subprocess.Popen | None) -> None:
    if process is not None and process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def _save_body(start: int, word: str, version: int) -> dict:
    """A span save as the workspace sends it: with a fresh client_id."""
    return {
        "start": start,
        "end": start + len(word),
        "text": word,
        "label": "Cue",
        "version": version,
        "client_id": str(uuid.uuid4()),
    }


def _multipart(fields: dict[str, str], path: Path) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        )
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{path.name}"\r\n'
        "Content-Type: application/x-ndjson\r\n\r\n"
    )
    body = (
        "".join(parts).encode()
        + head.encode()
        + path.read_bytes()
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return body, f"multipart/form-data; boundary={boundary}"


def _rss_mb(pids) -> dict[int, float]:
    import psutil

    out = {}
    for pid in pids:
        try:
            out[pid] = round(psutil.Process(pid).memory_info().rss / 2**20, 1)
        except psutil.Error:
            pass
    return out


def _web_workers(gunicorn_pid: int) -> list[int]:
    import psutil

    return [p.pid for p in psutil.Process(gunicorn_pid).children()]


def _wait_for_worker(owner_url: str, worker: subprocess.Popen) -> None:
    """Until the worker has written its first heartbeat: it is up and listening to the queue,
    so the imports' jobs are not timed with the worker's start."""
    import psycopg

    deadline = time.time() + 60
    with psycopg.connect(owner_url, autocommit=True) as conn:
        while not conn.execute("SELECT 1 FROM procrastinate_workers").fetchone():
            if worker.poll() is not None or time.time() > deadline:
                raise SystemExit("the job worker did not start")
            time.sleep(0.1)


def _http_import(
    port: int, token: str, slug: str, path: Path, gunicorn_pid: int, worker_pid: int
) -> dict:
    """POST the file to the project's import endpoint as a manager's script would, and follow
    the job when the answer is one (202): time to the answer, until the import is done (the
    articles are listed), and until the article list says the search index is complete (the
    background task that follows every import); the resident memory of the gunicorn workers
    and of the job worker before and after (RSS, psutil)."""
    web_before = _rss_mb(_web_workers(gunicorn_pid))
    worker_before = _rss_mb([worker_pid])
    body, content_type = _multipart({"format": "native", "layer": "gold"}, path)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1800)
    headers = {"Authorization": f"Token {token}", "Content-Type": content_type}
    started = time.perf_counter()
    conn.request("POST", f"/api/v1/projects/{slug}/imports/", body=body, headers=headers)
    response = conn.getresponse()
    raw = response.read()
    answered = time.perf_counter() - started
    if response.status not in (200, 202):
        raise SystemExit(f"import of {path.name} answered {response.status}: {raw[:500]!r}")
    answer = json.loads(raw)
    done = answered
    if response.status == 202:
        client = Client(port, token)
        while True:  # the job's own state is the signal; polled as a client would
            status, raw, _ = client.request("GET", f"/api/v1/jobs/{answer['id']}/")
            job = json.loads(raw)
            if job["state"] in ("succeeded", "failed", "cancelled"):
                break
            time.sleep(0.05)
        done = time.perf_counter() - started
        if job["state"] != "succeeded":
            raise SystemExit(f"import job of {path.name} {job['state']}: {job['error']}")
    client = Client(port, token)
    while True:  # the list's own word, polled as a client would
        status, raw, _ = client.request("GET", f"/api/v1/projects/{slug}/articles/")
        listing = json.loads(raw)
        if listing["search_index"]["complete"]:
            break
        time.sleep(0.05)
    indexed = time.perf_counter() - started
    conn.close()
    return {
        "answered_s": answered,
        "done_s": done,
        "search_indexed_s": indexed,
        "articles": listing["count"],
        "bytes": len(body),
        "status": response.status,
        "web_rss_mb_before": web_before,
        "web_rss_mb_after": _rss_mb(_web_workers(gunicorn_pid)),
        "worker_rss_mb_before": worker_before,
        "worker_rss_mb_after": _rss_mb([worker_pid]),
    }


def api_bench(project, results: dict, database: str, http_import: int = 0) -> None:
    """The API rows of issue 18's table, the way a client sees them: gunicorn with
    gunicorn.conf.py and production settings on loopback, connected as the least-privilege role
    of docs/deploy.md (bench/approle.py), one keep-alive connection per client."""
    from django.contrib.auth import get_user_model

    from labels.api.auth import issue_token
    from labels.interop.importing import do_create_article
    from labels.models import Annotation, Project, Role
    from labels.projects.members import do_add_member
    from labels.projects.projects import do_create_project

    user = get_user_model().objects.create_user("bench-analyst", password="x" * 20)
    do_add_member(project, user, Role.ANNOTATOR)
    token = issue_token(user)[0]
    manager = get_user_model().objects.create_user("bench-manager", password="x" * 20)
    do_add_member(project, manager, Role.MANAGER)
    manager_token = issue_token(manager)[0]
    rng = random.Random(7)
    record = make_article(rng, "api-article")
    article = do_create_article(
        project, external_id="api-article", raw_text=record["text"], title="API"
    )
    words = [(i, w) for i, w in _word_offsets(article.text)]
    # Fresh articles for "spans one by one, starting each annotation".
    fresh = [
        do_create_article(
            project, external_id=f"api-fresh-{n}", raw_text=record["text"], title=f"F{n}"
        )
        for n in range(30)
    ]
    gold = Annotation.objects.filter(article__project=project, is_gold=True).order_by("id").first()
    project.blind = False
    project.save(update_fields=["blind"])
    import_projects = []
    if http_import:
        for slug in ("bench-http-plain", "bench-http-spans"):
            do_create_project(slug=slug, name=slug)
            import_projects.append(slug)
            do_add_member(Project.objects.get(slug=slug), manager, Role.MANAGER)

    from django.db import connections

    connections.close_all()
    owner_url = os.environ["DATABASE_URL"]
    role = f"bench_app_{os.getpid()}"
    port = free_port()
    env = child_env() | {
        "DATABASE_URL": create_app_role(owner_url, role),
        "DEBUG": "0",
        "SECRET_KEY": "bench-" + "k" * 50,
        "ALLOWED_HOSTS": "127.0.0.1",
        "HTTPS": "0",
        "STATIC_MANIFEST": "0",
    }
    gunicorn = _start_server(env, port)
    worker = None
    try:
        client = Client(port, token)
        deadline = time.time() + 30
        while True:
            try:
                status, _, _ = client.request("GET", "/api/v1/projects/")
                if status == 200:
                    break
            except OSError:
                pass
            if time.time() > deadline:
                raise SystemExit("gunicorn did not answer within 30 s")
            time.sleep(0.2)
        status, body, _ = client.request("POST", f"/api/v1/articles/{article.pk}/annotation/")
        assert status == 200, body
        annotation = json.loads(body)
        version, annotation_id = annotation["version"], annotation["id"]
        for _ in range(20):  # warm up every worker
            client.request("GET", f"/api/v1/annotations/{annotation_id}/")
        saves = []
        chosen = rng.sample(words, 300)
        cpu_before = _cpu_seconds(gunicorn.pid, database)
        for start, word in chosen:
            status, body, elapsed = client.request(
                "POST",
                f"/api/v1/annotations/{annotation_id}/spans/",
                _save_body(start, word, version),
            )
            assert status == 201, body
            version = json.loads(body)["version"]
            saves.append(elapsed)
        cpu_after = _cpu_seconds(gunicorn.pid, database)
        results["api_save"] = percentiles(saves) | _cpu_per_request(cpu_before, cpu_after, 300)

        def reads(*paths: str) -> dict:
            """``paths`` read one after the other, 200 times: each sample is their sum."""
            times = []
            before = _cpu_seconds(gunicorn.pid, database)
            for _ in range(200):
                total = 0.0
                for path in paths:
                    status, body, elapsed = client.request("GET", path)
                    assert status == 200, body
                    total += elapsed
                times.append(total)
            after = _cpu_seconds(gunicorn.pid, database)
            n = 200 * len(paths)
            return percentiles(times) | {"bytes": len(body)} | _cpu_per_request(before, after, n)

        results["api_read_article"] = reads(f"/api/v1/projects/{SLUG}/articles/{gold.article_id}/")
        # Annotators may read gold once reviewed in an open project: a 10-span annotation.
        results["api_read_annotation_10_spans"] = reads(f"/api/v1/annotations/{gold.pk}/")
        results["api_read_annotation_300_spans"] = reads(f"/api/v1/annotations/{annotation_id}/")
        # "article + its annotations": what a script reading an article for analysis sends.
        results["api_read_article_and_annotations"] = reads(
            f"/api/v1/projects/{SLUG}/articles/{gold.article_id}/",
            f"/api/v1/articles/{gold.article_id}/annotations/",
        )
        # … or in one request, the article under "article" (?include=article).
        results["api_read_annotations_include_article"] = reads(
            f"/api/v1/articles/{gold.article_id}/annotations/?include=article"
        )

        # Spans one by one from one client, starting each annotation: start, 10 saves, submit.
        started = time.perf_counter()
        spans_saved = 0
        starts = []  # each annotation started: "starting an annotation" of issue 18
        for fresh_article in fresh:
            status, body, elapsed = client.request(
                "POST", f"/api/v1/articles/{fresh_article.pk}/annotation/"
            )
            assert status == 200, body
            starts.append(elapsed)
            layer = json.loads(body)
            version = layer["version"]
            for start, word in rng.sample(words, 10):
                status, body, _ = client.request(
                    "POST",
                    f"/api/v1/annotations/{layer['id']}/spans/",
                    _save_body(start, word, version),
                )
                assert status == 201, body
                version = json.loads(body)["version"]
                spans_saved += 1
            status, body, _ = client.request(
                "POST", f"/api/v1/annotations/{layer['id']}/submit/", {"version": version}
            )
            assert status == 200, body
        elapsed = time.perf_counter() - started
        results["api_spans_one_by_one"] = {
            "spans": spans_saved,
            "annotations": len(fresh),
            "seconds": elapsed,
            "spans_per_second": spans_saved / elapsed,
        }
        results["api_start"] = percentiles(starts)

        # The native export over HTTP, as a manager's script sees it.
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
        started = time.perf_counter()
        conn.request(
            "GET",
            f"/api/v1/projects/{SLUG}/export/?format=native",
            headers={"Authorization": f"Token {manager_token}"},
        )
        response = conn.getresponse()
        assert response.status == 200
        first_line = response.readline()
        ttfb = time.perf_counter() - started
        size = len(first_line)
        while chunk := response.read(1 << 20):
            size += len(chunk)
        results["api_export_native"] = {
            "first_line_s": ttfb,
            "total_s": time.perf_counter() - started,
            "bytes": size,
        }
        conn.close()

        if http_import:
            # Imports over HTTP into empty projects: articles only, then articles with their
            # spans. A file over ANNOTATOR_IMPORT_JOB_MB becomes a job: a worker runs it, as
            # the same role; "done" is when the job says so.
            worker = subprocess.Popen(
                [PYTHON, MANAGE, "worker"],
                env=env,
                cwd=ROOT,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            with tempfile.TemporaryDirectory() as tmp:
                _wait_for_worker(owner_url, worker)  # a running worker, as in production
                with_spans = Path(tmp) / "with-spans.jsonl"
                write_jsonl(with_spans, 500_000, http_import)
                plain = Path(tmp) / "plain.jsonl"
                with with_spans.open(encoding="utf-8") as src, plain.open("w") as out:
                    for line in src:
                        rec = json.loads(line)
                        del rec["spans"], rec["relations"]
                        out.write(json.dumps(rec, ensure_ascii=False) + "\n")
                results["api_import_articles"] = _http_import(
                    port, manager_token, import_projects[0], plain, gunicorn.pid, worker.pid
                )
                results["api_import_articles_and_spans"] = _http_import(
                    port, manager_token, import_projects[1], with_spans, gunicorn.pid, worker.pid
                )
    finally:
        _stop(worker)
        _stop(gunicorn)
        drop_app_role(owner_url, role)


def _columns(cursor, table: str) -> list[str]:
    cursor.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = %s "
        "AND column_name <> 'id' ORDER BY ordinal_position",
        [table],
    )
    return [row[0] for row in cursor.fetchall()]


def _copy(cursor, table: str, alias: str, replace: dict[str, str], rest: str, params) -> None:
    columns = _columns(cursor, table)
    exprs = [replace.get(c, f'{alias}."{c}"') for c in columns]
    names = ", ".join(f'"{c}"' for c in columns)
    cursor.execute(f"INSERT INTO {table} ({names}) SELECT {', '.join(exprs)} {rest}", params)


def grow_project(project, copies: int) -> None:
    """Copy the project's original articles ``copies`` times in SQL, with their annotations,
    spans and relations (cue attributes re-pointed at the copied Cue spans). Much faster than
    importing, and the export is what is measured at that size."""
    from django.db import connection, transaction

    pid = project.pk
    same_article = (
        "JOIN labels_article oa ON oa.id = {o}.article_id "
        "JOIN labels_article na ON na.project_id = oa.project_id "
        "AND na.external_id = oa.external_id || %s"
    )
    for k in range(1, copies + 1):
        suffix = f"~{k}"
        with transaction.atomic(), connection.cursor() as cursor:
            _copy(
                cursor,
                "labels_article",
                "a",
                {"external_id": "a.external_id || %s"},
                "FROM labels_article a WHERE a.project_id = %s AND a.external_id NOT LIKE '%%~%%'",
                [suffix, pid],
            )
            _copy(
                cursor,
                "labels_annotation",
                "o",
                {"article_id": "na.id"},
                "FROM labels_annotation o "
                + same_article.format(o="o")
                + " WHERE oa.project_id = %s AND oa.external_id NOT LIKE '%%~%%'",
                [suffix, pid],
            )
            new_annotation = (
                "JOIN labels_annotation oan ON oan.id = {o}.annotation_id "
                + same_article.format(o="oan")
                + " JOIN labels_annotation nan ON nan.article_id = na.id "
                "AND nan.is_gold = oan.is_gold "
                "AND nan.annotator_id IS NOT DISTINCT FROM oan.annotator_id"
            )
            _copy(
                cursor,
                "labels_span",
                "o",
                {"annotation_id": "nan.id"},
                "FROM labels_span o "
                + new_annotation.format(o="o")
                + " WHERE oa.project_id = %s AND oa.external_id NOT LIKE '%%~%%'",
                [suffix, pid],
            )

            def twin(old: str, new: str) -> str:
                return (
                    f"JOIN labels_span {new} ON {new}.annotation_id = nan.id "
                    f"AND {new}.label = {old}.label AND {new}.start = {old}.start "
                    f'AND {new}."end" = {old}."end"'
                )

            _copy(
                cursor,
                "labels_relation",
                "o",
                {
                    "annotation_id": "nan.id",
                    "source_id": "ns.id",
                    "target_id": "nt.id",
                    "attrs": "CASE WHEN nc.id IS NULL THEN o.attrs "
                    "ELSE jsonb_set(o.attrs, '{cue}', to_jsonb(nc.id)) END",
                },
                "FROM labels_relation o "
                + new_annotation.format(o="o")
                + " JOIN labels_span s ON s.id = o.source_id "
                "JOIN labels_span t ON t.id = o.target_id "
                + twin("s", "ns")
                + " "
                + twin("t", "nt")
                + " LEFT JOIN labels_span c ON c.id = (o.attrs->>'cue')::bigint "
                "LEFT JOIN labels_span nc ON nc.annotation_id = nan.id AND nc.label = c.label "
                'AND nc.start = c.start AND nc."end" = c."end" '
                "WHERE oa.project_id = %s AND oa.external_id NOT LIKE '%%~%%'",
                [suffix, pid],
            )
        print(f"  copy {k}/{copies} done")


def _cpu_seconds(gunicorn_pid: int, database: str) -> tuple[float, dict[int, float]]:
    """CPU seconds used so far by gunicorn's workers and by the PostgreSQL backends serving
    ``database`` (both on this machine): per-request CPU does not depend on what else runs."""
    import psutil
    from django.db import connection

    app = sum(sum(p.cpu_times()[:2]) for p in psutil.Process(gunicorn_pid).children(recursive=True))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            [database],
        )
        pids = [row[0] for row in cursor.fetchall()]
    db: dict[int, float] = {}
    for pid in pids:
        try:
            db[pid] = sum(psutil.Process(pid).cpu_times()[:2])
        except psutil.Error:
            pass
    return app, db


def _word_offsets(text: str):
    import re

    for match in re.finditer(r"[^\W\d_]{2,}", text):
        yield match.start(), match.group()


# --- main -------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--big", type=int, default=0, help="Also measure at this many articles.")
    parser.add_argument("--formats", default=",".join(FORMATS))
    parser.add_argument("--no-api", action="store_true")
    parser.add_argument(
        "--http-import",
        type=int,
        default=0,
        metavar="N",
        help="Also import N articles over HTTP, without and with spans (10000 for issue 18).",
    )
    parser.add_argument("--profile-import", action="store_true")
    parser.add_argument(
        "--server-side-binding",
        action="store_true",
        help="Experiment: run this process's import with psycopg server-side binding.",
    )
    parser.add_argument("--json", default=None, help="Also write the figures here.")
    parser.add_argument(
        "--keep-db", action="store_true", help="Keep the database (prints its DATABASE_URL)."
    )
    parser.add_argument("--launcher", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.launcher:
        launcher()
        return 0
    runner = Launcher()
    formats = [f for f in args.formats.split(",") if f]

    url, name, drop = create_database()
    os.environ.update(
        {
            "DATABASE_URL": url,
            "DEBUG": "0",
            "SECRET_KEY": "bench-" + "k" * 50,
            "ALLOWED_HOSTS": "127.0.0.1",
            "HTTPS": "0",
            "DJANGO_SETTINGS_MODULE": "annotator.settings",
        }
    )
    results: dict = {
        "articles": args.articles,
        "database": name,
        "date": time.strftime("%Y-%m-%d %H:%M %Z"),
        "cpus": os.cpu_count(),
        "load_before": os.getloadavg(),
        "calibration_ms_before": calibrate(),
    }
    try:
        import django

        django.setup()
        if args.server_side_binding:
            from django.conf import settings

            settings.DATABASES["default"].setdefault("OPTIONS", {})["server_side_binding"] = True
            results["server_side_binding"] = True
        from django.core.management import call_command
        from django.db import connection

        from labels.models import Span
        from labels.projects.projects import do_create_project

        call_command("migrate", verbosity=0)
        project = do_create_project(slug=SLUG, name="Benchmark")
        empty = do_create_project(slug="bench-empty", name="Empty")

        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "bench.jsonl"
            started = time.perf_counter()
            write_jsonl(path, 0, args.articles)
            print(f"generated {args.articles:,} articles in {time.perf_counter() - started:.1f} s")
            results["import_s"], results["import_cpu_s"] = do_import_file(
                project, path, args.profile_import
            )
            spans = Span.objects.filter(annotation__article__project=project).count()
            results["spans"] = spans
            print(
                f"import: {results['import_s']:.2f} s ({results['import_cpu_s']:.2f} s CPU in "
                f"this process) for {args.articles:,} articles, {spans:,} spans"
            )
            # What the background task does once the import has answered.
            from labels.interop.search_index import do_index_pending

            started = time.perf_counter()
            do_index_pending(project.pk)
            results["search_index_s"] = time.perf_counter() - started
            print(
                f"search index of those articles, built afterwards: {results['search_index_s']:.2f} s"
            )

            results["baseline_rss_mb"] = runner.run(
                ["export_annotations", "--project", empty.slug]
            )[1]
            print(f"baseline: export of an empty project peaks at {results['baseline_rss_mb']} MB")
            first, total, size, cpu = export_in_process(project, "native")
            results["export_native_in_process"] = {
                "first_chunk_s": first,
                "total_s": total,
                "cpu_s": cpu,
                "bytes": size,
            }
            print(
                f"native in process: first chunk {first:.3f} s, total {total:.2f} s "
                f"({cpu:.2f} s CPU), {size / 1e6:.1f} MB"
            )
            for fmt in formats:
                wall, rss, cpu = runner.run(
                    ["export_annotations", "--project", SLUG, "--format", fmt]
                )
                results[f"export_{fmt}"] = {
                    "command_wall_s": wall,
                    "cpu_s": cpu,
                    "peak_rss_mb": rss,
                }
                print(
                    f"export {fmt:12} command {wall:7.2f} s wall, {cpu:7.2f} s CPU, "
                    f"peak RSS {rss} MB"
                )

            if args.big > args.articles:
                copies = args.big // args.articles - 1
                started = time.perf_counter()
                grow_project(project, copies)
                done = args.articles * (copies + 1)
                results["big_articles"] = done
                results["big_copy_s"] = time.perf_counter() - started
                with connection.cursor() as cursor:
                    cursor.execute("ANALYZE")
                first, total, size, cpu = export_in_process(project, "native")
                wall, rss, command_cpu = runner.run(["export_annotations", "--project", SLUG])
                results["big_export_native"] = {
                    "first_chunk_s": first,
                    "total_s": total,
                    "cpu_s": cpu,
                    "bytes": size,
                    "command_wall_s": wall,
                    "command_cpu_s": command_cpu,
                    "peak_rss_mb": rss,
                }
                print(
                    f"big: {done:,} articles (copied in SQL in {results['big_copy_s']:.0f} s); "
                    f"native in process: first chunk {first:.3f} s, total {total:.1f} s "
                    f"({cpu:.1f} s CPU), {size / 1e6:.0f} MB | command {wall:.1f} s wall, "
                    f"{command_cpu:.1f} s CPU, peak RSS {rss} MB"
                )

        if not args.no_api:
            api_bench(project, results, name, args.http_import)
            for key in (
                "api_save",
                "api_read_article",
                "api_read_annotation_10_spans",
                "api_read_annotation_300_spans",
                "api_read_article_and_annotations",
                "api_read_annotations_include_article",
            ):
                r = results[key]
                print(
                    f"{key:32} p50 {r['p50']:6.2f} ms  p95 {r['p95']:6.2f} ms  "
                    f"p99 {r['p99']:6.2f} ms  (n={r['n']}); CPU per request: gunicorn "
                    f"{r['app_cpu_ms']:.1f} ms, PostgreSQL {r['db_cpu_ms']:.1f} ms"
                )
            e = results["api_export_native"]
            print(
                f"api export native: first line {e['first_line_s']:.3f} s, total "
                f"{e['total_s']:.2f} s, {e['bytes'] / 1e6:.1f} MB"
            )
            o = results["api_spans_one_by_one"]
            print(
                f"spans one by one, starting each annotation: {o['spans_per_second']:.0f}/s "
                f"({o['spans']} spans in {o['annotations']} annotations, {o['seconds']:.1f} s)"
            )
            r = results["api_start"]
            print(
                f"{'api_start (of those annotations)':32} p50 {r['p50']:6.2f} ms  "
                f"p95 {r['p95']:6.2f} ms  p99 {r['p99']:6.2f} ms  (n={r['n']})"
            )
            for key in ("api_import_articles", "api_import_articles_and_spans"):
                if key in results:
                    i = results[key]
                    print(
                        f"{key:32} answered {i['answered_s']:.2f} s, done {i['done_s']:.2f} s, "
                        f"search index complete {i['search_indexed_s']:.2f} s "
                        f"(HTTP {i['status']}, {i['bytes'] / 1e6:.1f} MB, {i['articles']:,} "
                        f"articles); RSS MB web workers {i['web_rss_mb_before']} → "
                        f"{i['web_rss_mb_after']}, job worker {i['worker_rss_mb_before']} → "
                        f"{i['worker_rss_mb_after']}"
                    )
    finally:
        runner.close()
        results["load_after"] = os.getloadavg()
        results["calibration_ms_after"] = calibrate()
        print(
            f"load average before {results['load_before']}, after {results['load_after']}; "
            f"sum(range(10**6)) took {results['calibration_ms_before']:.0f} ms before, "
            f"{results['calibration_ms_after']:.0f} ms after (12–15 ms on an idle desktop core)"
        )
        from django.db import connections

        connections.close_all()
        if args.keep_db:
            print(f"kept: DATABASE_URL={url}")
        else:
            drop()
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
