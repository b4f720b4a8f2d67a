"""Dashboard and agreement benchmark (issue 5).

Usage:
    DEBUG=1 .venv/bin/python bench/dashboard_bench.py [--articles 10000] [--runs 7]

Works in a database of its own, ``bench_dashboard_<pid>``, created on the embedded PostgreSQL
server (or on the server of DATABASE_URL), migrated, and dropped at the end whatever happens, so
it neither depends on nor disturbs the development data. There it creates a project
(slug ``bench-dashboard``) with bulk inserts: ``--articles``
articles of about 1,500 characters, two submitted layers each from four analysts taking turns,
five spans per layer (100,000 spans for 10,000 articles; the second analyst agrees exactly on
about 60% of them, moves a boundary on 20%, uses another label on 10% and marks something else
on 10%), an attributed_to relation per layer, a history event per layer, and a reviewed gold
layer on every tenth article. Then it times, each as the median of ``--runs``:

* the agreement computation over the whole project (``snapshots.refresh``: the loader and
  ``compute_agreement`` / ``compare_to_gold``),
* the dashboard page (``GET /projects/<slug>/dashboard/`` through Django's test client, logged
  in as a reviewer) with the agreement snapshot up to date, and with it out of date (a project
  this size is above the inline limit, so the page shows the old figures),
* each block of the dashboard on its own.

Figures go to stdout; docs/performance.md ("Dashboard") quotes them.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
import urllib.parse
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "annotator.settings")
os.environ.setdefault("DEBUG", "1")


def create_database() -> tuple[str, Callable[[], None]]:
    """A new, empty database; returns its DATABASE_URL and a function that drops it."""
    import psycopg
    from psycopg import sql

    name = f"bench_dashboard_{os.getpid()}"
    given = os.environ.get("DATABASE_URL")
    if given:
        parsed = urllib.parse.urlparse(given)
        connect = {"conninfo": parsed._replace(path="/postgres").geturl()}
        url = parsed._replace(path=f"/{name}").geturl()
    else:
        from annotator.embedded import server

        var = Path(os.environ.get("ANNOTATOR_VAR_DIR", ROOT / "var"))
        socket_dir = server.ensure_running(var / "pgdata", "postgres")
        connect = {"host": str(socket_dir), "user": "postgres", "dbname": "postgres"}
        url = f"postgres://postgres@{urllib.parse.quote(str(socket_dir), safe='')}/{name}"
    with psycopg.connect(**connect, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))

    def drop() -> None:
        with psycopg.connect(**connect, autocommit=True) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )

    return url, drop


WORDS = (
    "officials in the capital met on Tuesday to discuss the budget and the new border rules while "
    "opposition leaders gathered outside parliament and analysts expected further talks about "
    "energy prices transport strikes and the coming regional elections across the country"
).split()
LABELS = ["Quote", "Source", "Cue", "Claim", "Stance"]
ATTRS = {
    "Quote": {"quote_type": "direct"},
    "Source": {"source_type": "person"},
    "Cue": {},
    "Claim": {"checkworthy": "yes"},
    "Stance": {"polarity": "against"},
}


def make_text(rng: random.Random) -> tuple[str, list[tuple[int, int]]]:
    """About 1,500 characters of words, and the (start, end) of each word."""
    words, bounds, length = [], [], 0
    while length < 1500:
        word = rng.choice(WORDS)
        bounds.append((length, length + len(word)))
        words.append(word)
        length += len(word) + 1
    return " ".join(words) + ".", bounds


def phrase(bounds, rng, first=None):
    i = first if first is not None else rng.randrange(0, len(bounds) - 6)
    n = rng.randint(1, 5)
    return bounds[i][0], bounds[i + n][1], i


def build(slug: str, n_articles: int, rng: random.Random):
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.utils import timezone

    from labels.models import (
        Annotation,
        AnnotationStatus,
        Article,
        HistoryAction,
        HistoryEvent,
        Provenance,
        Relation,
        Role,
        Span,
    )
    from labels.projects.members import do_add_member
    from labels.projects.projects import do_create_project
    from labels.text import text_sha256

    User = get_user_model()
    analysts = [User.objects.create_user(f"analyst{i}") for i in range(4)]
    reviewer = User.objects.create_user("reviewer")
    project = do_create_project(slug=slug, name="Dashboard benchmark")
    for user in analysts:
        do_add_member(project, user, Role.ANNOTATOR)
    do_add_member(project, reviewer, Role.REVIEWER)

    texts = [make_text(rng) for _ in range(n_articles)]
    articles = Article.objects.bulk_create(
        [
            Article(
                project=project,
                external_id=f"bench-{i}",
                title=f"Bench article {i}",
                text=text,
                text_sha256=text_sha256(text),
            )
            for i, (text, _) in enumerate(texts)
        ],
        batch_size=2000,
    )
    now = timezone.now()
    layers = []
    for i, article in enumerate(articles):
        pair = (analysts[i % 4], analysts[(i + 1) % 4])
        for user in pair:
            started = now - timedelta(days=1, minutes=rng.randint(5, 120))
            layers.append(
                Annotation(
                    article=article,
                    annotator=user,
                    status=AnnotationStatus.SUBMITTED,
                    created_at=started,
                    submitted_at=started + timedelta(minutes=rng.randint(3, 40)),
                    version=6,
                )
            )
        if i % 10 == 0:
            layers.append(
                Annotation(
                    article=article,
                    is_gold=True,
                    reviewer=reviewer,
                    status=AnnotationStatus.REVIEWED,
                    submitted_at=now,
                    version=6,
                )
            )
    Annotation.objects.bulk_create(layers, batch_size=5000)
    # auto_now_add overrode created_at: set it back in one statement per analyst pass.
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE labels_annotation SET created_at = submitted_at - (random() * 40 + 3) * "
            "interval '1 minute' WHERE article_id IN (SELECT id FROM labels_article WHERE "
            "project_id = %s) AND NOT is_gold",
            [project.pk],
        )

    by_article: dict[int, list[Annotation]] = {}
    for layer in layers:
        by_article.setdefault(layer.article_id, []).append(layer)
    spans = []
    for article, (text, bounds) in zip(articles, texts, strict=True):
        base = []
        for k in range(5):
            start, end, _ = phrase(bounds, rng)
            base.append((LABELS[k % len(LABELS)], start, end))
        for layer in by_article[article.pk]:
            first = layer.annotator_id == by_article[article.pk][0].annotator_id or layer.is_gold
            for label, start, end in base:
                if not first:
                    roll = rng.random()
                    if roll < 0.2:
                        end = min(len(text) - 1, end + rng.randint(1, 4))
                    elif roll < 0.3:
                        label = rng.choice([x for x in LABELS if x != label])
                    elif roll < 0.4:
                        start, end, _ = phrase(bounds, rng)
                spans.append(
                    Span(
                        annotation=layer,
                        label=label,
                        start=start,
                        end=end,
                        text=text[start:end],
                        attrs=ATTRS[label],
                        provenance=Provenance.UNANIMOUS if layer.is_gold else "",
                    )
                )
    # Within one layer a (label, start, end) must be unique.
    seen, unique = set(), []
    for span in spans:
        key = (span.annotation.pk, span.label, span.start, span.end)
        if key not in seen:
            seen.add(key)
            unique.append(span)
    Span.objects.bulk_create(unique, batch_size=5000)
    first_two: dict[int, list[Span]] = {}
    for span in unique:
        first_two.setdefault(span.annotation.pk, []).append(span)
    relations = []
    for layer_spans in first_two.values():
        quote = next((s for s in layer_spans if s.label == "Quote"), None)
        source = next((s for s in layer_spans if s.label == "Source"), None)
        if quote and source:
            relations.append(
                Relation(
                    annotation_id=quote.annotation.pk,
                    label="attributed_to",
                    source=quote,
                    target=source,
                )
            )
    Relation.objects.bulk_create(relations, batch_size=5000)
    HistoryEvent.objects.bulk_create(
        [
            HistoryEvent(
                annotation=layer,
                actor_id=layer.annotator_id or reviewer.pk,
                action=HistoryAction.IMPORTED,
                annotation_version=layer.version,
                after={"spans": 5, "relations": 1},
            )
            for layer in layers
        ],
        batch_size=5000,
    )
    n_annotator_spans = sum(1 for s in unique if not s.annotation.is_gold)
    return project, reviewer, analysts, n_annotator_spans, len(unique), len(relations)


def median_time(fn, runs: int) -> tuple[float, list[float]]:
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        fn()
        times.append(time.perf_counter() - began)
    return statistics.median(times), times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args()
    url, drop = create_database()
    os.environ["DATABASE_URL"] = url
    try:
        run(args)
    finally:
        from django.db import connections

        connections.close_all()
        drop()
        print("Dropped the benchmark database.")


def run(args) -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from labels.agreement import loader as loader_mod
    from labels.agreement import snapshots
    from labels.models import AgreementSnapshot, Annotation
    from labels.projects import dashboard, progress

    print(
        f"{time.strftime('%Y-%m-%d %H:%M %Z')}, {os.cpu_count()} CPUs, "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    call_command("migrate", verbosity=0)
    slug = "bench-dashboard"
    began = time.perf_counter()
    project, reviewer, _, n_spans, n_all, n_rel = build(
        slug, args.articles, random.Random(args.seed)
    )
    print(
        f"Built {slug}: {args.articles} articles, {2 * args.articles} submitted layers, "
        f"{n_spans} annotator spans ({n_all} with gold), {n_rel} relations "
        f"in {time.perf_counter() - began:.1f} s"
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")

    began = time.perf_counter()
    snapshots.refresh(project)
    print(f"agreement over the project, first computation: {time.perf_counter() - began:.2f} s")

    client = Client(SERVER_NAME="localhost")
    client.force_login(reviewer)
    url = f"/projects/{slug}/dashboard/"

    def get():
        response = client.get(url)
        assert response.status_code == 200, response.status_code

    get()  # warm-up: template compilation, connection
    connection.queries_log.clear()  # DEBUG keeps the last 9,000 queries: make room
    with CaptureQueriesContext(connection) as captured:
        dashboard.build(project)
    page, runs = median_time(get, args.runs)
    print(
        f"dashboard, snapshot up to date: median {page * 1000:.0f} ms  {fmt(runs)}  "
        f"({len(captured)} queries to build it)"
    )
    data = snapshots.current_snapshot(project).snapshot.data
    blocks = {
        "article states": lambda: progress.state_counts([project.pk]),
        "annotators + medians": lambda: dashboard.annotator_rows(project),
        "fingerprint": lambda: snapshots.fingerprint(project),
        "snapshot load": lambda: AgreementSnapshot.objects.get(project=project),
        "recent activity": lambda: dashboard.recent_activity(project),
        "label distribution": lambda: dashboard.label_distribution(project),
        "lowest agreement": lambda: snapshots.lowest_agreement(data),
    }
    for name, fn in blocks.items():
        t, _ = median_time(fn, args.runs)
        print(f"  {name:<22} {t * 1000:7.1f} ms")

    # Newer work: the snapshot is out of date.
    some = Annotation.objects.filter(article__project=project, is_gold=False).first()
    Annotation.objects.filter(pk=some.pk).update(version=some.version + 1)
    if snapshots.current_snapshot(project).fresh:
        print("(small project: the dashboard recomputes agreement inline when it changes)")
    else:
        page, runs = median_time(get, args.runs)
        print(f"dashboard, snapshot out of date: median {page * 1000:.0f} ms  {fmt(runs)}")

    compute, runs = median_time(lambda: snapshots.refresh(project), 3)
    print(f"agreement over the project (refresh): median {compute:.2f} s  {fmt(runs)}")
    began = time.perf_counter()
    loaded = sum(1 for _ in loader_mod.iter_article_layers(project))
    print(f"  of which loading {loaded} articles: {time.perf_counter() - began:.2f} s")
    print(f"load average at the end {os.getloadavg()[0]:.1f}")


def fmt(times: list[float]) -> str:
    return "[" + ", ".join(f"{t * 1000:.0f}" for t in times) + "] ms"


if __name__ == "__main__":
    main()
