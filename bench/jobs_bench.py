"""Background export jobs as a client sees them (labels/jobs/, ``POST …/exports/``).

Usage:
    .venv/bin/python bench/jobs_bench.py [--articles 10000] [--runs 3] [--million]
                                         [--no-throughput] [--json PATH]

Everything runs as in a deployment, on this machine: a private PostgreSQL cluster on a
temporary directory (``tests/support/servers.py``, as the scale-out test uses; never the shared
one under var/), gunicorn with the repository's gunicorn.conf.py and production settings
(``DEBUG=0``) on a loopback port, and real ``manage.py worker`` processes
(``tests/support/workers.py``) sharing a jobs folder. The cluster and folder are removed at the
end, whatever happens.

Seeding: ``--articles`` articles of ~3,000 characters with 10 spans each (``bench/export_bench``'s
generator) go into the gold layer of a project: some through ``manage.py import_articles`` as
the scale-out test does, the rest as SQL copies of them (``export_bench.grow_project``: 1,000
imported and copied 9 times for 10,000 articles, 10,000 and 9 copies for 100,000, about a minute
and a half), then ``VACUUM ANALYZE``.

1. One export job (native, gold) of the project: from the POST (202) to the first poll that reads
   ``succeeded`` (polling ``GET /api/v1/jobs/{id}/`` every 0.1 s, ``tests.support.workers.
   wait_for``), then the download of ``result.download`` to its last byte; ``--runs`` times on a
   worker warmed up by a one-article export, the median reported. The job's own timestamps give
   the wait for a worker and the run on the worker. The worker's peak RSS (the worker process and
   its children, polled every 20 ms with psutil, and the kernel's high-water mark VmHWM) is taken
   over the runs. With ``--million``, the same for a second project of 10 × ``--articles``
   articles (1,000,000 spans by default; ``--million-articles`` to change it), on a fresh
   worker, once.
2. Unless ``--no-throughput``: ten export jobs of the first project POSTed at once, the wall time
   until the client has seen all ten succeeded, first with one worker, then with two; and the
   ratio.

Targets (at the default size): 100,000 spans under 5 s from the POST to the file complete;
1,000,000 under 40 s with the worker under 200 MB. Figures go to stdout as a markdown table (and
to --json PATH); wall times on a shared 2-core machine depend on what else runs, hence the load
averages.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
import psutil  # noqa: E402

from bench.export_bench import write_jsonl  # noqa: E402
from tests.support.servers import (  # noqa: E402
    AppServer,
    manage,
    private_directory,
    seed,
    start_cluster,
)
from tests.support.workers import Worker, job_env, wait_for  # noqa: E402

SLUG = "bench"
MILLION_SLUG = "bench-1m"
WARM_SLUG = "warm"
PARAMS = {"format": "native", "layer": "gold"}
SPANS_PER_ARTICLE = 10
#: Articles imported through ``import_articles`` (at least; a tenth of a bigger project, at most
#: 10,000); the rest are SQL copies of them: about 1 s per 1,000 articles copied, against some
#: 1.2 s per 1,000 imported.
IMPORTED = 1000
IMPORTED_MAX = 10_000
TARGET_100K_S = 5.0
TARGET_1M_S = 40.0
TARGET_1M_RSS_MB = 200.0
FINAL = ("succeeded", "failed", "cancelled")


# --- seeding ----------------------------------------------------------------------------------


def _base_size(articles: int) -> int:
    """How many articles to import so that copies of them make exactly ``articles``."""
    if articles <= IMPORTED:
        return articles
    for base in range(min(IMPORTED_MAX, max(IMPORTED, articles // 10)), 99, -1):
        if articles % base == 0:
            return base
    return articles  # an awkward number: import them all


def seed_project(env: dict, cluster, slug: str, articles: int, folder: Path) -> float:
    """``articles`` articles of 10 gold spans in ``slug``; returns the seconds it took."""
    started = time.perf_counter()
    base = _base_size(articles)
    data = folder / f"{slug}.jsonl"
    write_jsonl(data, 0, base)
    manage(env, "import_articles", str(data), "--project", slug, "--layer", "gold", timeout=3600)
    data.unlink()
    copies = articles // base - 1
    if copies:
        script = (
            "from bench.export_bench import grow_project\n"
            "from labels.models import Project\n"
            f"grow_project(Project.objects.get(slug={slug!r}), {copies})\n"
        )
        manage(env, "shell", "-c", script, timeout=24 * 3600)
    with cluster.connect(autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
        count = conn.execute(
            "SELECT count(*) FROM labels_span s JOIN labels_annotation a ON a.id = s.annotation_id "
            "JOIN labels_article r ON r.id = a.article_id JOIN labels_project p "
            "ON p.id = r.project_id WHERE p.slug = %s",
            [slug],
        ).fetchone()[0]
    assert count == articles * SPANS_PER_ARTICLE, f"{slug}: {count} spans, not {articles * 10}"
    return time.perf_counter() - started


# --- workers ----------------------------------------------------------------------------------


class RssSampler:
    """Polls each worker's resident memory (the process and its children) in a thread."""

    def __init__(self, workers: list[Worker], interval: float = 0.02):
        self.workers = workers
        self.interval = interval
        self.peak = {w.name: 0 for w in workers}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    @staticmethod
    def tree_rss(pid: int) -> int:
        try:
            process = psutil.Process(pid)
            tree = [process, *process.children(recursive=True)]
        except psutil.Error:
            return 0
        total = 0
        for p in tree:
            try:
                total += p.memory_info().rss
            except psutil.Error:
                pass
        return total

    def _run(self) -> None:
        while not self._stop.is_set():
            for w in self.workers:
                self.peak[w.name] = max(self.peak[w.name], self.tree_rss(w.pid))
            self._stop.wait(self.interval)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def high_water_mb(pid: int) -> float | None:
    """The kernel's peak RSS of the process (VmHWM, Linux), in MB."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def wait_registered(cluster, count: int, timeout: float = 60) -> None:
    """Until ``count`` workers are registered in procrastinate's table (listening)."""
    deadline = time.monotonic() + timeout
    while True:
        with cluster.connect() as conn:
            n = conn.execute("SELECT count(*) FROM procrastinate_workers").fetchone()[0]
        if n >= count:
            return
        if time.monotonic() > deadline:
            raise TimeoutError(f"{n} of {count} workers registered after {timeout} s")
        time.sleep(0.1)


# --- the client -------------------------------------------------------------------------------


class Client:
    def __init__(self, server: AppServer, token: str):
        self.server = server
        self.http = httpx.Client(
            base_url=server.url, headers={"Authorization": f"Token {token}"}, timeout=120
        )

    def start(self, slug: str) -> dict:
        response = self.http.post(f"/api/v1/projects/{slug}/exports/", json=PARAMS)
        assert response.status_code == 202, response.text
        return response.json()

    def job(self, job_id: int) -> dict:
        response = self.http.get(f"/api/v1/jobs/{job_id}/")
        assert response.status_code == 200, response.text
        return response.json()

    def download(self, job: dict) -> tuple[int, int]:
        """(bytes, lines) of the job's file, read to its last byte."""
        size = lines = 0
        with self.http.stream("GET", job["result"]["download"]) as response:
            assert response.status_code == 200, response.status_code
            for chunk in response.iter_bytes(1 << 20):
                size += len(chunk)
                lines += chunk.count(b"\n")
        return size, lines

    def close(self) -> None:
        self.http.close()


def _seconds(job: dict, start: str, end: str) -> float:
    return (datetime.fromisoformat(job[end]) - datetime.fromisoformat(job[start])).total_seconds()


def warm_up(client: Client, workers: list[Worker]) -> None:
    """One-article exports until every worker has run one (imports and caches warm)."""
    pids = {str(w.pid) for w in workers}
    for _ in range(10):
        jobs = [client.start(WARM_SLUG) for _ in workers]
        done = [
            wait_for(
                lambda j=j: client.job(j["id"]), lambda j: j["state"] in FINAL, workers=workers
            )
            for j in jobs
        ]
        assert all(j["state"] == "succeeded" for j in done), done
        pids -= {j["worker"].rsplit(":", 1)[1] for j in done}
        if not pids:
            return
    raise RuntimeError("not every worker took a warm-up job")


def one_export(client: Client, slug: str, articles: int, worker: Worker, timeout: float) -> dict:
    started = time.perf_counter()
    job = client.start(slug)
    posted = time.perf_counter()
    job = wait_for(
        lambda: client.job(job["id"]),
        lambda j: j["state"] in FINAL,
        timeout=timeout,
        what=f"export job {job['id']}",
        workers=[worker],
    )
    succeeded = time.perf_counter()
    assert job["state"] == "succeeded", job
    size, lines = client.download(job)
    complete = time.perf_counter()
    assert size == job["result"]["bytes"], (size, job["result"])
    assert lines == articles, f"{lines} lines in the file, not {articles}"
    return {
        "post_s": posted - started,
        "to_succeeded_s": succeeded - started,
        "download_s": complete - succeeded,
        "to_file_s": complete - started,
        "queued_s": _seconds(job, "created_at", "started_at"),
        "ran_s": _seconds(job, "started_at", "finished_at"),
        "bytes": size,
        "records": job["result"]["records"],
    }


def export_runs(
    client: Client, cluster, env: dict, logs: Path, name: str, slug: str, articles: int, runs: int
) -> dict:
    """``runs`` exports of ``slug`` on a fresh, warmed-up worker; medians and the worker's peak."""
    timeout = max(600.0, articles * 0.05)
    with Worker(env, name=name, log=logs / f"{name}.log") as worker:
        wait_registered(cluster, 1)
        warm_up(client, [worker])
        idle = RssSampler.tree_rss(worker.pid)
        with RssSampler([worker]) as sampler:
            results = [one_export(client, slug, articles, worker, timeout) for _ in range(runs)]
        hwm = high_water_mb(worker.pid)
    out = {
        key: statistics.median(r[key] for r in results)
        for key in ("to_succeeded_s", "download_s", "to_file_s", "queued_s", "ran_s")
    }
    out |= {
        "runs": results,
        "bytes": results[0]["bytes"],
        "idle_rss_mb": idle / 2**20,
        "peak_rss_mb": sampler.peak[name] / 2**20,
        "vmhwm_mb": hwm,
    }
    return out


def throughput(
    client: Client, cluster, env: dict, logs: Path, count: int, articles: int, jobs: int
) -> dict:
    """Seconds from POSTing ``jobs`` exports at once until all have been seen succeeded, on
    ``count`` workers; and how many jobs each worker ran."""
    names = [f"throughput{count}-{n}" for n in range(count)]
    workers = [Worker(env, name=name, log=logs / f"{name}.log") for name in names]
    try:
        wait_registered(cluster, count)
        warm_up(client, workers)
        with RssSampler(workers) as sampler:
            started = time.perf_counter()
            with ThreadPoolExecutor(jobs) as pool:
                posted = list(pool.map(lambda _: client.start(SLUG), range(jobs)))
            pending = sorted(j["id"] for j in posted)
            finished: dict[int, dict] = {}

            def read() -> int:
                # The oldest unfinished job, and the next ones once it has ended: one cheap
                # request per poll while a job runs, all jobs seen as soon as they end.
                while pending:
                    job = client.job(pending[0])
                    if job["state"] not in FINAL:
                        break
                    finished[pending.pop(0)] = job
                return len(pending)

            wait_for(
                read,
                lambda left: left == 0,
                timeout=max(1800.0, jobs * articles * 0.05),
                what=f"{jobs} export jobs",
                workers=workers,
            )
            wall = time.perf_counter() - started
    finally:
        for w in workers:
            w.stop()
    done = list(finished.values())
    assert all(j["state"] == "succeeded" and j["attempts"] == 1 for j in done), done
    by_worker: dict[str, int] = {}
    for j in done:
        by_worker[j["worker"]] = by_worker.get(j["worker"], 0) + 1
    first = min(datetime.fromisoformat(j["created_at"]) for j in done)
    last = max(datetime.fromisoformat(j["finished_at"]) for j in done)
    return {
        "wall_s": wall,
        "server_span_s": (last - first).total_seconds(),
        "jobs_per_worker": sorted(by_worker.values(), reverse=True),
        "peak_rss_mb": max(sampler.peak.values()) / 2**20,
    }


# --- report -----------------------------------------------------------------------------------


def verdict(value: float, target: float, unit: str, applies: bool) -> str:
    if not applies:
        return f"< {target:g} {unit} (n/a: scaled down)"
    return f"< {target:g} {unit} {'✅' if value < target else '❌'}"


def report(results: dict) -> str:
    articles = results["articles"]
    spans = articles * SPANS_PER_ARTICLE
    full = articles == 10_000
    lines = [
        f"## Export jobs — {results['date']}",
        "",
        f"Machine: `{results['machine']}`, {results['cpus']} CPUs, {results['system']}; "
        f"load average {_load(results['load_start'])} at the start, "
        f"{_load(results['load_end'])} at the end. gunicorn {results['app_workers']} workers × "
        f"{results['app_threads']} threads (DEBUG=0), private PostgreSQL cluster, "
        f"`manage.py worker` processes; client polls every 0.1 s. Seeding took "
        f"{results['seed_s']:.0f} s.",
        "",
        "| Measure | Figure | Target |",
        "|---|---|---|",
    ]

    def export_rows(label: str, r: dict, target_s: float, applies: bool, rss_target=None) -> None:
        runs = ", ".join(f"{x['to_file_s']:.2f}" for x in r["runs"])
        lines.extend(
            [
                f"| {label}: POST → `succeeded` | {r['to_succeeded_s']:.2f} s | |",
                f"| {label}: download ({r['bytes'] / 1e6:.0f} MB) | {r['download_s']:.2f} s | |",
                f"| {label}: **POST → file complete** (runs: {runs}) | **{r['to_file_s']:.2f} s** "
                f"| {verdict(r['to_file_s'], target_s, 's', applies)} |",
                f"| {label}: on the job — waiting for a worker / running | "
                f"{r['queued_s']:.2f} s / {r['ran_s']:.2f} s | |",
                f"| {label}: worker RSS idle → peak (process + children; VmHWM) | "
                f"{r['idle_rss_mb']:.0f} → **{r['peak_rss_mb']:.0f} MB** "
                f"({r['vmhwm_mb']:.0f} MB) | "
                + (verdict(r["peak_rss_mb"], rss_target, "MB", applies) if rss_target else "")
                + " |",
            ]
        )

    n_runs = len(results["export"]["runs"])
    export_rows(
        f"1 job, {spans:,} spans (median of {n_runs})", results["export"], TARGET_100K_S, full
    )
    if "million" in results:
        m = results["million"]
        export_rows(
            f"1 job, {m['articles'] * SPANS_PER_ARTICLE:,} spans",
            m,
            TARGET_1M_S,
            m["articles"] == 100_000,
            TARGET_1M_RSS_MB,
        )
    if "throughput" in results:
        t = results["throughput"]
        for count in ("1", "2"):
            r = t[count]
            lines.append(
                f"| {t['jobs']} concurrent jobs of {spans:,} spans, {count} worker"
                f"{'s' if count != '1' else ''}: all succeeded | **{r['wall_s']:.2f} s** "
                f"(jobs' own span {r['server_span_s']:.2f} s; per worker "
                f"{'/'.join(map(str, r['jobs_per_worker']))}; peak RSS "
                f"{r['peak_rss_mb']:.0f} MB) | |"
            )
        lines.append(f"| Throughput, 2 workers vs 1 | **{t['ratio']:.2f}×** | |")
    return "\n".join(lines)


def _load(load) -> str:
    return " / ".join(f"{x:.2f}" for x in load)


# --- main -------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--articles", type=int, default=10_000, help="Articles of 10 spans (default 10,000)."
    )
    parser.add_argument("--runs", type=int, default=3, help="Single-job runs (median reported).")
    parser.add_argument(
        "--million",
        action="store_true",
        help="Also one job of 10 × --articles articles (1,000,000 spans by default).",
    )
    parser.add_argument(
        "--million-articles", type=int, default=None, help="Articles of the --million project."
    )
    parser.add_argument("--jobs", type=int, default=10, help="Concurrent jobs (default 10).")
    parser.add_argument("--no-throughput", action="store_true")
    parser.add_argument("--app-workers", type=int, default=2)
    parser.add_argument("--app-threads", type=int, default=4)
    parser.add_argument("--json", default=None, help="Also write the figures here.")
    args = parser.parse_args()
    big = args.million_articles or 10 * args.articles

    results: dict = {
        "date": time.strftime("%Y-%m-%d %H:%M %Z"),
        "machine": platform.machine(),
        "system": f"{platform.system()} {platform.release()}",
        "cpus": os.cpu_count(),
        "load_start": os.getloadavg(),
        "articles": args.articles,
        "app_workers": args.app_workers,
        "app_threads": args.app_threads,
    }
    print(
        f"{results['date']}, {results['machine']}, {results['cpus']} CPUs, load average "
        f"{_load(results['load_start'])}",
        flush=True,
    )
    with private_directory("jobs-bench") as var_dir:
        logs = var_dir.parent / "logs"
        logs.mkdir()
        cluster = start_cluster(var_dir)
        server = client = None
        try:
            storage = var_dir / "jobs"
            storage.mkdir()
            env = job_env(cluster.url(), storage)
            specs = [
                {"slug": SLUG, "users": {"mara": "manager"}},
                {"slug": WARM_SLUG, "articles": ["Warm up."]},
            ]
            if args.million:
                specs.append({"slug": MILLION_SLUG})
            seeded = seed(env, *specs)
            started = time.perf_counter()
            with tempfile.TemporaryDirectory() as tmp:
                print(f"seeding {args.articles:,} articles…", flush=True)
                took = seed_project(env, cluster, SLUG, args.articles, Path(tmp))
                print(f"seeded {args.articles:,} articles in {took:.1f} s", flush=True)
                if args.million:
                    print(f"seeding {big:,} articles (minutes)…", flush=True)
                    took = seed_project(env, cluster, MILLION_SLUG, big, Path(tmp))
                    print(f"seeded {big:,} articles in {took:.1f} s", flush=True)
            results["seed_s"] = time.perf_counter() - started

            # One client, manager of every project.
            manage(
                env,
                "shell",
                "-c",
                "from django.contrib.auth import get_user_model\n"
                "from labels.models import Project, Role\n"
                "from labels.projects.members import do_add_member\n"
                f"user = get_user_model().objects.get(username='mara.{SLUG}')\n"
                f"for slug in {[s['slug'] for s in specs[1:]]!r}:\n"
                "    do_add_member(Project.objects.get(slug=slug), user, Role.MANAGER)\n",
            )
            server = AppServer(
                env, workers=args.app_workers, threads=args.app_threads, log=logs / "app.log"
            )
            server.wait_ready()
            client = Client(server, seeded[SLUG]["tokens"]["mara"])

            r = export_runs(client, cluster, env, logs, "single", SLUG, args.articles, args.runs)
            results["export"] = r
            print(
                f"export of {args.articles * 10:,} spans: POST → succeeded "
                f"{r['to_succeeded_s']:.2f} s, → file {r['to_file_s']:.2f} s, "
                f"peak RSS {r['peak_rss_mb']:.0f} MB",
                flush=True,
            )
            if args.million:
                r = export_runs(client, cluster, env, logs, "million", MILLION_SLUG, big, 1)
                results["million"] = r | {"articles": big}
                print(
                    f"export of {big * 10:,} spans: POST → succeeded {r['to_succeeded_s']:.2f} s,"
                    f" → file {r['to_file_s']:.2f} s, peak RSS {r['peak_rss_mb']:.0f} MB",
                    flush=True,
                )
            if not args.no_throughput:
                t: dict = {"jobs": args.jobs}
                for count in (1, 2):
                    t[str(count)] = throughput(
                        client, cluster, env, logs, count, args.articles, args.jobs
                    )
                    print(
                        f"{args.jobs} jobs on {count} worker(s): {t[str(count)]['wall_s']:.2f} s",
                        flush=True,
                    )
                t["ratio"] = t["1"]["wall_s"] / t["2"]["wall_s"]
                results["throughput"] = t
        except BaseException:
            for log in sorted(logs.glob("*.log")):
                tail = log.read_text(errors="replace").splitlines()[-20:]
                if tail:
                    print(f"--- {log.name} (last lines)", *tail, sep="\n", file=sys.stderr)
            raise
        finally:
            if client is not None:
                client.close()
            if server is not None:
                server.stop()
            cluster.stop()
    results["load_end"] = os.getloadavg()
    print()
    print(report(results))
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
