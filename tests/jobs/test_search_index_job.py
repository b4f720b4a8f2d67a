"""The search index of an import's articles, built by a real worker after the import has
answered (``labels.jobs.tasks.index_search``), and carried on by another worker when the first
is killed half-way."""

from __future__ import annotations

import psycopg
import pytest

from labels.jobs import indexing
from labels.models import Article, ArticleSearch
from tests.jobs.test_jobs_api import _upload
from tests.support import workers
from tests.support.imports import jsonl
from tests.support.workers import Worker, wait_for

pytestmark = [pytest.mark.server, pytest.mark.django_db(transaction=True)]


def _records(n: int) -> list[dict]:
    return [{"id": f"k{i:04}", "text": f"Kingfishers and heron number {i}."} for i in range(n)]


def _index(client, slug: str, **params) -> dict:
    return client.get(f"/api/v1/projects/{slug}/articles/", params).json()


def test_after_an_api_import_the_worker_builds_the_index_and_search_finds_them(
    api, project, manager, worker
):
    client = api(manager)
    response = client.post(
        f"/api/v1/projects/{project.slug}/imports/",
        {"file": _upload("k.jsonl", jsonl(*_records(30)).getvalue()), "format": "native"},
        format="multipart",
    )
    assert response.status_code == 200, response.content
    assert response.json()["created"] == 30
    done = wait_for(
        lambda: _index(client, project.slug, search="kingfishers"),
        lambda body: body["search_index"]["complete"],
        what="the search index",
        workers=[worker],
    )
    assert done["count"] == 30 and all(a["search_indexed"] for a in done["results"])


def test_a_worker_killed_while_indexing_leaves_its_batches_and_another_finishes(
    project, worker_env, tmp_path
):
    """600 articles are two batches of 500. The test holds one article of the second batch
    (an uncommitted row of its own), so the first worker commits the first batch and then
    waits; it is killed there, its batch is rolled back, and the second worker — once the first
    one's heartbeat has stopped — runs the task again and indexes the other 100."""
    indexing.do_import(project, [("k.jsonl", jsonl(*_records(600)))])
    held = Article.objects.filter(project=project).order_by("id")[550]
    with psycopg.connect(workers.test_database_url()) as blocker:
        blocker.execute(
            "INSERT INTO labels_articlesearch (article_id, vector) VALUES (%s, ''::tsvector)",
            [held.pk],
        )
        with Worker(worker_env, name="doomed", log=tmp_path / "doomed.log") as doomed:
            wait_for(
                lambda: ArticleSearch.pending(project),
                lambda pending: pending == 100,
                what="the first batch",
                workers=[doomed],
            )
            doomed.kill()
        blocker.rollback()
    assert ArticleSearch.pending(project) == 100
    with Worker(worker_env, name="survivor", log=tmp_path / "survivor.log") as survivor:
        wait_for(
            lambda: ArticleSearch.pending(project),
            lambda pending: pending == 0,
            what="the rest of the index",
            workers=[survivor],
        )
    assert Article.objects.filter(project=project).search("heron").count() == 600
