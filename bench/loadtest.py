"""Load test: 50 simulated analysts and one exporting manager against gunicorn, on loopback.

    .venv/bin/python bench/loadtest.py [--duration 60] [--analysts 50] [--workers N]

It creates a fresh database on the embedded PostgreSQL (or uses --database-url's server),
migrates it, seeds a project with articles, analysts and a manager (API tokens), starts gunicorn
(gunicorn.conf.py, DEBUG off) on a free loopback port connected as the least-privilege role of
docs/deploy.md (bench/approle.py; --as-superuser to compare), and runs for --duration seconds:

- each analyst: next article → add spans → edit one → delete one → submit, pausing --think-ms
  (exponentially distributed) between actions, as a fast analyst would; every span carries a
  client_id, a failed save is retried with the same client_id (as the browser's save queue
  does), a 409 reloads the version;
- the manager: exports the project (annotators' layers, native JSONL) again and again.

Then it reports throughput, p50/p95/p99 latency per action and the CPU time per request of
gunicorn and of the PostgreSQL server (ended backends included), and checks the database: every
acknowledged span is stored exactly once (and every acknowledged delete is gone), and no article
has more analysts than annotators_per_article. Every request that failed — no answer, a reset
connection, a 5xx — counts as a failure even when its retry succeeded (a connection the server
closed while idle is noticed before sending, as browsers do, and is not a request). Exit status
1 if any request failed or a check fails. Nothing is sent
anywhere but 127.0.0.1. The database is dropped at the end unless --keep.

--py-spy FILE also samples the gunicorn workers with py-spy (not a dependency of the project:
`.venv/bin/pip install py-spy`) and prints where their Python time goes: by package, by view and
by function. Sampling costs CPU, so take the throughput from a run without it.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import select
import subprocess
import sys
import threading
import time
import uuid
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.approle import create_app_role, drop_app_role  # noqa: E402

WORDS = 240
ARTICLE = " ".join(f"word{n:03d}" for n in range(WORDS))  # every word: 7 characters + a space

SEED = """
import json
from django.contrib.auth import get_user_model
from labels.api.auth import issue_token
from labels.interop.importing import do_create_article
from labels.projects.members import do_add_member
from labels.projects.projects import do_create_project

spec = json.loads({spec!r})
User = get_user_model()
project = do_create_project(
    slug="load", name="Load test", annotators_per_article=spec["per_article"]
)
tokens = {{}}
for n in range(spec["analysts"] + 1):
    name = "manager" if n == spec["analysts"] else f"analyst{{n:02d}}"
    user = User(username=name)
    user.set_unusable_password()  # API tokens only: no password hashing to wait for
    user.save()
    do_add_member(project, user, "manager" if name == "manager" else "annotator")
    tokens[name] = issue_token(user)[0]
for n in range(spec["articles"]):
    do_create_article(project, external_id=f"load-{{n}}", raw_text=spec["text"], title=f"L{{n}}")
print(json.dumps(tokens))
"""


class Stats:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latency: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, list[str]] = defaultdict(list)
        self.conflicts = 0
        self.retries = 0

    def record(self, action: str, seconds: float) -> None:
        with self.lock:
            self.latency[action].append(seconds)

    def error(self, action: str, message: str) -> None:
        with self.lock:
            self.errors[action].append(message)


class Api:
    """One keep-alive HTTP/1.1 connection to the app server, as a browser tab has."""

    def __init__(self, port: int, token: str, stats: Stats):
        self.port = port
        self.headers = {"Authorization": f"Token {token}", "Content-Type": "application/json"}
        self.stats = stats
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def call(self, action: str, method: str, path: str, body=None) -> tuple[int, object]:
        """One request, never sent twice: a failure (no answer, a reset, a 5xx) is counted as
        one, whether or not the caller then retries it."""
        data = json.dumps(body) if body is not None else None
        if self._closed_by_server():
            # The server closed this kept-alive connection while it was idle (its keepalive
            # time ran out): as a browser or urllib3 does, notice before sending and reconnect.
            self.reconnect()
        started = time.perf_counter()
        try:
            self.conn.request(method, path, body=data, headers=self.headers)
            response = self.conn.getresponse()
            raw = response.read()
        except (OSError, http.client.HTTPException) as exc:
            self.reconnect()
            self.stats.error(action, f"{type(exc).__name__}: {exc}")
            return 0, None
        self.stats.record(action, time.perf_counter() - started)
        if response.status >= 500:
            self.stats.error(action, f"{response.status}: {raw[:200]!r}")
        if response.will_close:
            self.reconnect()
        is_json = response.headers.get_content_type() == "application/json"
        payload = json.loads(raw) if raw and is_json else raw
        return response.status, payload

    def reconnect(self) -> None:
        self.conn.close()
        self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)

    def _closed_by_server(self) -> bool:
        sock = self.conn.sock
        if sock is None:
            return False  # not connected yet: request() connects
        readable, _, _ = select.select([sock], [], [], 0)
        return bool(readable)  # an idle connection is readable only at EOF (or a stray byte)


class Analyst(threading.Thread):
    def __init__(self, port, token, stats, deadline, think, spans_per_article, ledger):
        super().__init__(daemon=True)
        self.api = Api(port, token, stats)
        self.stats = stats
        self.deadline = deadline
        self.think = think
        self.spans_per_article = spans_per_article
        self.ledger = ledger  # shared: client_id → span id (acknowledged), deleted ids
        self.random = random.Random()

    def pause(self) -> None:
        if self.think:
            time.sleep(min(self.random.expovariate(1 / self.think), self.think * 5))

    def run(self) -> None:
        while time.monotonic() < self.deadline:
            status, annotation = self.api.call("next", "POST", "/api/v1/projects/load/next/")
            if status == 204:
                return  # nothing left for this analyst
            if status != 200:
                self.pause()
                continue
            self.work_on(annotation)

    def save(self, action, method, path, body, annotation) -> object | None:
        """Send a versioned write until it is acknowledged (409: reload the version)."""
        for _ in range(50):
            status, payload = self.api.call(
                action, method, path, body | {"version": annotation["version"]}
            )
            if status in (200, 201):
                annotation["version"] = payload["version"]
                return payload
            if status == 409:
                with self.stats.lock:
                    self.stats.conflicts += 1
                annotation["version"] = payload.get("current_version") or annotation["version"]
                continue
            if status == 0 or status >= 500:
                with self.stats.lock:
                    self.stats.retries += 1
                time.sleep(0.05)
                continue
            self.stats.error(action, f"{status}: {str(payload)[:200]}")
            return None
        self.stats.error(action, "gave up after 50 attempts")
        return None

    def work_on(self, annotation: dict) -> None:
        base = f"/api/v1/annotations/{annotation['id']}"
        words = self.random.sample(range(WORDS), self.spans_per_article)
        mine = []
        for word in words:
            if time.monotonic() >= self.deadline:
                return
            self.pause()
            client_id = str(uuid.uuid4())
            start = 8 * word
            body = {
                "label": "Cue",
                "start": start,
                "end": start + 7,
                "text": f"word{word:03d}",
                "client_id": client_id,
            }
            payload = self.save("add_span", "POST", f"{base}/spans/", body, annotation)
            if payload is not None:
                with self.ledger["lock"]:
                    self.ledger["acked"][client_id] = payload["span"]["id"]
                mine.append(payload["span"]["id"])
        if len(mine) >= 2:
            self.pause()
            edit = {"label": "Claim", "attrs": {"checkworthy": "yes"}}
            self.save("edit_span", "PATCH", f"{base}/spans/{mine[0]}/", edit, annotation)
            self.pause()
            if self.save("delete_span", "DELETE", f"{base}/spans/{mine[1]}/", {}, annotation):
                with self.ledger["lock"]:
                    self.ledger["deleted"].add(mine[1])
        self.pause()
        self.save("submit", "POST", f"{base}/submit/", {}, annotation)


class Manager(threading.Thread):
    def __init__(self, port, token, stats, deadline):
        super().__init__(daemon=True)
        self.api = Api(port, token, stats)
        self.deadline = deadline
        self.exports = 0
        self.bytes = 0

    def run(self) -> None:
        while time.monotonic() < self.deadline:
            status, body = self.api.call(
                "export", "GET", "/api/v1/projects/load/export/?format=native&layer=annotators"
            )
            if status == 200:
                self.exports += 1
                self.bytes += len(body) if isinstance(body, bytes) else 0
            self.api.call("article_list", "GET", "/api/v1/projects/load/articles/?page=1")
            time.sleep(1.0)


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def run_manage(env, *args, timeout=300) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if result.returncode:
        raise SystemExit(f"manage.py {args[0]} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=60, help="seconds of load (default 60)")
    parser.add_argument("--analysts", type=int, default=50)
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--per-article", type=int, default=2, help="annotators_per_article")
    parser.add_argument("--spans", type=int, default=8, help="spans added per article")
    parser.add_argument("--think-ms", type=float, default=100, help="mean pause between actions")
    parser.add_argument("--workers", type=int, default=None, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=None, help="gunicorn threads per worker")
    parser.add_argument("--database-url", default=None, help="server to create the database on")
    parser.add_argument(
        "--no-manager", action="store_true", help="analysts only (to measure the write path alone)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument(
        "--as-superuser",
        action="store_true",
        help="serve as the owner (superuser) instead of the least-privilege role",
    )
    parser.add_argument("--json", default=None, help="also write the figures here")
    parser.add_argument(
        "--py-spy",
        default=None,
        metavar="FILE",
        help="sample the gunicorn workers with py-spy (pip install py-spy) during the run, write "
        "the collapsed stacks to FILE and print where their time goes (sampling costs CPU: "
        "take the throughput figures from a run without it)",
    )
    args = parser.parse_args()
    if args.duration > 900:
        parser.error("--duration is limited to 900 s")

    import psycopg
    from psycopg import sql

    database = f"loadtest_{os.getpid()}"
    role = f"loadtest_app_{os.getpid()}"
    if args.database_url:
        from urllib.parse import urlsplit, urlunsplit

        parts = urlsplit(args.database_url)
        admin_url = urlunsplit(parts._replace(path="/postgres"))
        app_url = urlunsplit(parts._replace(path=f"/{database}"))
    else:
        from annotator.embedded import server

        socket_dir = server.ensure_running(ROOT / "var" / "pgdata", "annotator")
        admin_url = f"postgresql://postgres@/postgres?host={socket_dir}"
        app_url = f"postgres://postgres@/{database}?host={socket_dir}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE",)}
    env.update(
        DATABASE_URL=app_url,
        DEBUG="0",
        SECRET_KEY="load-test-only-" + "x" * 40,
        HTTPS="0",
        ALLOWED_HOSTS="127.0.0.1",
        AXES_ENABLED="0",
        STATIC_MANIFEST="0",
        LOG_LEVEL="ERROR",
    )
    app = None
    log_path = ROOT / "var" / f"loadtest-{os.getpid()}.log"
    try:
        t0 = time.monotonic()
        run_manage(env, "migrate", "--noinput", "-v0")
        spec = {
            "analysts": args.analysts,
            "articles": args.articles,
            "per_article": args.per_article,
            "text": ARTICLE,
        }
        tokens = json.loads(
            run_manage(env, "shell", "-c", SEED.format(spec=json.dumps(spec))).splitlines()[-1]
        )
        print(f"database {database} migrated and seeded in {time.monotonic() - t0:.1f} s")

        # The app servers connect as the least-privilege role of docs/deploy.md, as in
        # production; migrations and the seed above ran as the owner.
        served_url = app_url if args.as_superuser else create_app_role(app_url, role)
        port = free_port()
        cpus = os.cpu_count() or 1
        workers = args.workers or 2 * cpus + 1
        threads = args.threads or 4
        app_env = env | {
            "DATABASE_URL": served_url,
            "GUNICORN_BIND": f"127.0.0.1:{port}",
            "GUNICORN_WORKERS": str(workers),
            "GUNICORN_THREADS": str(threads),
            "GUNICORN_ACCESS_LOG": "off",
        }
        log = open(log_path, "wb")  # noqa: SIM115 — closed with the process
        app = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py"],
            cwd=ROOT,
            env=app_env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                c.request("GET", "/healthz")
                if c.getresponse().status == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline or app.poll() is not None:
                raise SystemExit(f"gunicorn did not start; see {log_path}")
            time.sleep(0.2)
        # Warm every worker up (imports, first connection) before measuring.
        warm = Stats()
        for _ in range(workers * threads * 2):
            Api(port, tokens["manager"], warm).call("warmup", "GET", "/api/v1/projects/")
        print(
            f"gunicorn: {workers} workers × {threads} threads on 127.0.0.1:{port}; "
            f"{args.analysts} analysts + 1 manager for {args.duration:.0f} s "
            f"(think {args.think_ms:.0f} ms)"
        )

        stats = Stats()
        ledger = {"lock": threading.Lock(), "acked": {}, "deleted": set()}
        cpu_before = cpu_seconds(app.pid, app_url)
        client_cpu = time.process_time()
        started = time.monotonic()
        deadline = started + args.duration
        actors = [
            Analyst(
                port,
                tokens[f"analyst{n:02d}"],
                stats,
                deadline,
                args.think_ms / 1000,
                args.spans,
                ledger,
            )
            for n in range(args.analysts)
        ]
        manager = Manager(port, tokens["manager"], stats, deadline)
        everyone = actors if args.no_manager else [*actors, manager]
        spy = start_py_spy(app.pid, args.py_spy, args.duration) if args.py_spy else None
        for actor in everyone:
            actor.start()
        for actor in everyone:
            actor.join(timeout=args.duration + 60)
        if spy is not None:
            spy.wait(timeout=120)
            print_profile(Path(args.py_spy))
        elapsed = time.monotonic() - started
        cpu_after = cpu_seconds(app.pid, app_url)
        client_cpu = time.process_time() - client_cpu

        figures = report(stats, elapsed, manager)
        requests = sum(len(v) for v in stats.latency.values())
        cpu = {
            f"{part}_cpu_ms_per_request": cpu_used(cpu_before[part], cpu_after[part])
            / requests
            * 1000
            for part in ("gunicorn", "postgres")
        }
        cpu["client_cpu_ms_per_request"] = client_cpu / requests * 1000
        load = os.getloadavg()
        cpu["load_average_1min_after"] = load[0]
        figures["cpu"] = cpu
        print(
            f"CPU per request: gunicorn {cpu['gunicorn_cpu_ms_per_request']:.1f} ms, PostgreSQL "
            f"server {cpu['postgres_cpu_ms_per_request']:.1f} ms, this load generator "
            f"{cpu['client_cpu_ms_per_request']:.1f} ms; load average {load[0]:.1f} "
            f"on {os.cpu_count()} CPUs (other programs running distort the latencies)"
        )
        problems = check_database(app_url, ledger, args.per_article)
        figures["database_checks"] = problems or "ok"
        figures["settings"] = vars(args) | {"workers": workers, "threads": threads}
        if args.json:
            Path(args.json).write_text(json.dumps(figures, indent=2, default=str))
        if problems:
            print("DATABASE CHECKS FAILED:\n  " + "\n  ".join(problems))
        else:
            print(
                f"database: {len(ledger['acked'])} acknowledged spans each stored once, "
                f"{len(ledger['deleted'])} acknowledged deletes gone, no article over-assigned"
            )
        errors = sum(len(v) for v in stats.errors.values())
        if errors:
            print(f"FAILED REQUESTS: {errors} (each counted, retried or not)")
        return 1 if problems or errors else 0
    finally:
        if app is not None and app.poll() is None:
            app.terminate()
            try:
                app.wait(timeout=30)
            except subprocess.TimeoutExpired:
                app.kill()
        if not args.keep:
            drop_app_role(app_url, role)
            with psycopg.connect(admin_url, autocommit=True) as conn:
                conn.execute(
                    sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                        sql.Identifier(database)
                    )
                )
            log_path.unlink(missing_ok=True)


def start_py_spy(gunicorn_pid: int, output: str, duration: float) -> subprocess.Popen:
    """py-spy sampling every gunicorn process for the run: 100 times a second, the thread that
    holds the GIL (``--gil``), so that a thread waiting for PostgreSQL or for work is not
    counted — the samples are where the workers' Python time goes."""
    spy = Path(sys.executable).with_name("py-spy")
    if not spy.exists():
        raise SystemExit("--py-spy needs py-spy: .venv/bin/pip install py-spy")
    command = [str(spy), "record", "--pid", str(gunicorn_pid), "--subprocesses", "--gil"]
    command += ["--rate", "100"]
    command += ["--duration", str(max(1, int(duration))), "--format", "raw", "--output", output]
    return subprocess.Popen(
        [*command, "--nonblocking"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )


STDLIB_PACKAGES = {"concurrent", "json", "email", "http", "urllib", "encodings", "importlib"}
STDLIB_PACKAGES |= {"logging", "multiprocessing", "collections", "asyncio", "zoneinfo", "re"}


def _where(frame: str) -> str:
    """The file of a py-spy frame ``function (path/file.py:line)``."""
    return frame.rsplit("(", 1)[-1].rsplit(":", 1)[0]


def _package_of(frame: str) -> str:
    where = _where(frame)
    first = where.split("/", 1)[0] if "/" in where else ""
    if not first or first in STDLIB_PACKAGES:
        return "Python's standard library"
    if first in ("labels", "annotator"):
        return "Annotator (labels/, annotator/)"
    return first


def _is_view(frame: str) -> bool:
    function = frame.split(" (", 1)[0]
    method = function.rsplit(".", 1)[-1]
    return _where(frame).startswith("labels/api/") and method in ("get", "post", "patch", "delete")


def profile_summary(path: Path, top: int = 25) -> dict:
    """Where the sampled time went, from py-spy's collapsed stacks (``frame;frame;… count``):
    by package (the innermost frame's), by view (the request's APIView method) and by function,
    inclusive (anywhere on the stack) and self (innermost frame)."""
    inclusive: dict[str, int] = defaultdict(int)
    own: dict[str, int] = defaultdict(int)
    packages: dict[str, int] = defaultdict(int)
    views: dict[str, int] = defaultdict(int)
    total = 0
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        n = int(count)
        total += n
        frames = [
            f for f in stack.split(";") if "(" in f and not f.startswith(("process ", "thread "))
        ]
        names = [f.rsplit(":", 1)[0] + ")" if ":" in f else f for f in frames]
        for name in set(names):
            inclusive[name] += n
        if names:
            own[names[-1]] += n
            packages[_package_of(frames[-1])] += n
        view = next((f for f in frames if _is_view(f)), None)
        views[view.rsplit(":", 1)[0] + ")" if view else "(outside an API view)"] += n

    def ranked(counts: dict[str, int], limit: int) -> list[tuple[str, float]]:
        best = sorted(counts.items(), key=lambda kv: -kv[1])[:limit]
        return [(name, round(100 * n / max(total, 1), 1)) for name, n in best]

    return {
        "samples": total,
        "by_package": ranked(packages, 12),
        "by_view": ranked(views, 12),
        "inclusive": ranked(inclusive, top),
        "self": ranked(own, top),
    }


def print_profile(path: Path) -> None:
    summary = profile_summary(path)
    print(
        f"\npy-spy: {summary['samples']} samples of the gunicorn threads holding the GIL ({path})"
    )
    for part in ("by_package", "by_view", "inclusive", "self"):
        print(f"  {part.replace('_', ' ')}:")
        for name, percent in summary[part]:
            print(f"    {percent:5.1f} %  {name}")
    path.with_suffix(".json").write_text(json.dumps(summary, indent=2))


def cpu_seconds(gunicorn_pid: int, url: str) -> dict[str, dict[int, float]]:
    """CPU seconds used so far by each gunicorn process and by the PostgreSQL server: the cost
    of a request, whatever else the machine is doing.

    PostgreSQL's figure is the postmaster's own time, the time of the backends (and background
    processes) alive now, and — under the key ``-1`` — the time of those that already ended,
    which the kernel adds to the postmaster when it reaps them. So a backend that served a
    connection and exited between two readings is counted, and the reading does not depend on
    what the connecting role may see in pg_stat_activity."""
    import psutil
    import psycopg

    def used(pids) -> dict[int, float]:
        out = {}
        for pid in pids:
            try:
                times = psutil.Process(pid).cpu_times()
            except psutil.Error:
                continue
            out[pid] = times.user + times.system
        return out

    arbiter = psutil.Process(gunicorn_pid)
    with psycopg.connect(url) as conn:  # a backend's parent is the postmaster
        backend = conn.execute("SELECT pg_backend_pid()").fetchone()[0]
        postmaster = psutil.Process(psutil.Process(backend).ppid())
    server = used([postmaster.pid, *(c.pid for c in postmaster.children())])
    ended = postmaster.cpu_times()
    server[-1] = ended.children_user + ended.children_system
    return {
        "gunicorn": used([arbiter.pid, *(c.pid for c in arbiter.children(recursive=True))]),
        "postgres": server,
    }


def cpu_used(before: dict[int, float], after: dict[int, float]) -> float:
    """Seconds between two ``cpu_seconds`` readings. Processes started meanwhile count from 0.
    With the key ``-1`` (PostgreSQL: the ended processes' time) the totals are compared, since a
    process that ended meanwhile is in it; otherwise (gunicorn) a process that ended meanwhile
    is lost, which long-lived workers make rare."""
    if -1 in after:
        return sum(after.values()) - sum(before.values())
    return sum(seconds - before.get(pid, 0.0) for pid, seconds in after.items())


WRITES = ("add_span", "edit_span", "delete_span")


def report(stats: Stats, elapsed: float, manager: Manager) -> dict:
    rows = {}
    print(
        f"\n{'action':<13}{'count':>8}{'per s':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}"
        f"{'max ms':>9}{'errors':>8}"
    )
    for action in ["next", *WRITES, "submit", "export", "article_list"]:
        values = stats.latency.get(action, [])
        row = {
            "count": len(values),
            "per_second": len(values) / elapsed,
            "p50_ms": percentile(values, 50) * 1000,
            "p95_ms": percentile(values, 95) * 1000,
            "p99_ms": percentile(values, 99) * 1000,
            "max_ms": (max(values) if values else float("nan")) * 1000,
            "errors": len(stats.errors.get(action, [])),
        }
        rows[action] = row
        print(
            f"{action:<13}{row['count']:>8}{row['per_second']:>9.1f}{row['p50_ms']:>9.1f}"
            f"{row['p95_ms']:>9.1f}{row['p99_ms']:>9.1f}{row['max_ms']:>9.1f}{row['errors']:>8}"
        )
    writes = [v for a in WRITES for v in stats.latency.get(a, [])]
    summary = {
        "elapsed_s": elapsed,
        "span_writes": len(writes),
        "span_writes_per_second": len(writes) / elapsed,
        "span_write_p50_ms": percentile(writes, 50) * 1000,
        "span_write_p95_ms": percentile(writes, 95) * 1000,
        "span_write_p99_ms": percentile(writes, 99) * 1000,
        "requests_per_second": sum(len(v) for v in stats.latency.values()) / elapsed,
        "errors": sum(len(v) for v in stats.errors.values()),
        "conflicts_409": stats.conflicts,
        "retries": stats.retries,
        "exports": manager.exports,
        "export_bytes_last": manager.bytes // max(manager.exports, 1),
    }
    print(
        f"\nspan writes: {summary['span_writes']} in {elapsed:.1f} s = "
        f"{summary['span_writes_per_second']:.0f}/s, p50 {summary['span_write_p50_ms']:.1f} ms, "
        f"p95 {summary['span_write_p95_ms']:.1f} ms, p99 {summary['span_write_p99_ms']:.1f} ms; "
        f"all requests {summary['requests_per_second']:.0f}/s; errors {summary['errors']}; "
        f"409s {stats.conflicts}; retries {stats.retries}; exports {manager.exports}"
    )
    for action, messages in stats.errors.items():
        for message in messages[:5]:
            print(f"  error in {action}: {message}")
    return {"actions": rows, "summary": summary}


def check_database(url: str, ledger: dict, per_article: int) -> list[str]:
    import psycopg

    problems = []
    expected = {cid: sid for cid, sid in ledger["acked"].items() if sid not in ledger["deleted"]}
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT client_id::text, id FROM labels_span WHERE client_id IS NOT NULL"
        ).fetchall()
        over = conn.execute(
            "SELECT article_id, count(*) FROM labels_annotation WHERE NOT is_gold "
            "AND status <> 'skipped' GROUP BY article_id HAVING count(*) > %s",
            [per_article],
        ).fetchall()
        versions = conn.execute(
            "SELECT count(*) FROM labels_annotation a WHERE NOT is_gold AND a.version <> 1 + "
            "(SELECT count(*) FROM labels_historyevent h WHERE h.annotation_id = a.id)"
        ).fetchone()[0]
    stored: dict[str, list[int]] = defaultdict(list)
    for client_id, span_id in rows:
        stored[client_id].append(span_id)
    for client_id, span_id in expected.items():
        if stored.get(client_id) != [span_id]:
            problems.append(
                f"span {client_id}: acknowledged as {span_id}, stored {stored.get(client_id)}"
            )
    deleted_still_there = [
        sid for ids in stored.values() for sid in ids if sid in ledger["deleted"]
    ]
    if deleted_still_there:
        problems.append(f"{len(deleted_still_there)} acknowledged deletes still stored")
    unacked = set(stored) - set(ledger["acked"])
    if unacked:
        # Only a save in flight when the clock ran out may be stored without an answer.
        problems.append(f"{len(unacked)} spans stored that no client saw acknowledged")
    if over:
        problems.append(f"{len(over)} articles over-assigned, e.g. {over[:3]}")
    if versions:
        problems.append(f"{versions} annotations whose version is not 1 + their history events")
    return problems[:20]


if __name__ == "__main__":
    sys.exit(main())
