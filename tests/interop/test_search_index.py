"""The search index built after an import: listed as pending until indexed, batches committed
one by one (a stopped run leaves what it did, the next carries on), idempotent, and queued
once per project by the import. (The real worker running it: tests/jobs/test_search_index_job.py.)
"""

from __future__ import annotations

import pytest
from django.db import connection

from labels.interop import search_index
from labels.jobs import indexing
from labels.models import Article, ArticleSearch
from tests.support.imports import jsonl

pytestmark = pytest.mark.django_db(transaction=True)


def articles_file(n: int, word: str = "zebras", first: int = 0):
    lines = [
        {"id": f"z{i}", "text": f"Article {i} about {word} and elections.", "title": f"Z {i}"}
        for i in range(first, first + n)
    ]
    return [("in.jsonl", jsonl(*lines))]


def listing(client, slug: str, **params) -> dict:
    response = client.get(f"/api/v1/projects/{slug}/articles/", params)
    assert response.status_code == 200, response.content
    return response.json()


def test_after_an_import_the_list_says_indexing_and_search_finds_them_once_indexed(
    api, client, project, annotator
):
    report = indexing.do_import(project, articles_file(5))
    assert "Search finds the 5 new articles once the search index is built" in report.notes[-1]
    body = listing(api(annotator), project.slug)
    assert body["count"] == 5  # listed at once
    assert body["search_index"] == {"complete": False, "pending": 5}
    assert [a["search_indexed"] for a in body["results"]] == [False] * 5
    assert listing(api(annotator), project.slug, search="zebras")["count"] == 0
    client.force_login(annotator)
    page = client.get(f"/projects/{project.slug}/").content.decode()
    assert "Search index: building… (5 articles not searchable yet)" in page
    assert page.count("data-indexing") == 5

    assert search_index.do_index_pending(project.pk) == 5

    body = listing(api(annotator), project.slug, search="zebras")
    assert body["count"] == 5 and body["search_index"] == {"complete": True, "pending": 0}
    assert all(a["search_indexed"] for a in body["results"])
    page = client.get(f"/projects/{project.slug}/", {"q": "zebras"}).content.decode()
    assert "Search index" not in page and "data-indexing" not in page
    assert page.count("/annotate") >= 5


def test_a_stopped_run_keeps_its_batches_and_the_next_run_carries_on(
    api, client, project, annotator
):
    indexing.do_import(project, articles_file(5))
    told = []

    def worker_dies(done: int) -> None:
        told.append(done)
        raise KeyboardInterrupt  # the worker stops right after its first batch committed

    with pytest.raises(KeyboardInterrupt):
        search_index.do_index_pending(project.pk, batch=2, progress=worker_dies)
    assert told == [2] and ArticleSearch.pending(project) == 3
    # Search while indexing finds what is indexed, and says the results may be incomplete.
    body = listing(api(annotator), project.slug, search="zebras")
    assert body["count"] == 2 and body["search_index"] == {"complete": False, "pending": 3}
    client.force_login(annotator)
    page = client.get(f"/projects/{project.slug}/", {"q": "zebras"}).content.decode()
    assert "(3 articles not searchable yet) — these results may be incomplete" in page

    assert search_index.do_index_pending(project.pk, batch=2) == 3
    assert search_index.do_index_pending(project.pk, batch=2) == 0  # nothing twice
    assert ArticleSearch.objects.count() == 5
    assert Article.objects.search("zebras").count() == 5


def test_indexing_one_project_leaves_the_others_pending(project, other_project):
    indexing.do_import(project, articles_file(2))
    indexing.do_import(other_project, articles_file(3))
    assert search_index.projects_with_pending() == sorted([project.pk, other_project.pk])
    assert search_index.do_index_pending(project.pk) == 2
    assert ArticleSearch.pending(project) == 0 and ArticleSearch.pending(other_project) == 3
    assert search_index.do_index_pending() == 3  # the periodic catch-up: every project


def test_it_refuses_to_run_inside_a_transaction(project):
    from django.db import transaction

    with transaction.atomic(), pytest.raises(RuntimeError, match="outside atomic"):
        search_index.do_index_pending(project.pk)


def queued_index_tasks(project) -> list[str]:
    """The states of the queue's index tasks for ``project`` (the queue outlives a test)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT status FROM procrastinate_jobs WHERE task_name = 'labels.index_search' "
            "AND (args->>'project_id')::int = %s ORDER BY id",
            [project.pk],
        )
        return [row[0] for row in cursor.fetchall()]


def test_an_import_queues_one_index_task_per_project_with_it(project):
    indexing.do_import(project, articles_file(2))
    indexing.do_import(project, articles_file(2, first=2))  # one is waiting already
    assert queued_index_tasks(project) == ["todo"]
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM procrastinate_jobs WHERE task_name = 'labels.index_search'")
    indexing.do_import(project, articles_file(2))  # the same articles again: nothing new
    assert queued_index_tasks(project) == []


def test_a_run_indexes_a_share_then_queues_the_rest_so_other_jobs_go_between(project, monkeypatch):
    """One worker runs one job at a time: a project of many articles is indexed a share per
    run, each run queueing the next, so an export queued meanwhile need not wait for all."""
    from labels.jobs import tasks

    monkeypatch.setattr(search_index, "BATCH", 2)
    monkeypatch.setattr(tasks, "INDEX_PER_RUN", 2)
    indexing.do_import(project, articles_file(5))
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM procrastinate_jobs WHERE task_name = 'labels.index_search'")
    tasks.index_search(project_id=project.pk)
    assert ArticleSearch.pending(project) == 3
    assert queued_index_tasks(project) == ["todo"]  # the rest
    tasks.index_search(project_id=project.pk)
    tasks.index_search(project_id=project.pk)  # indexes the last one: nothing more to queue
    assert ArticleSearch.pending(project) == 0


def test_the_periodic_catch_up_queues_a_task_per_project_left_unindexed(project, other_project):
    from labels.interop import importing
    from labels.jobs import tasks

    importing.do_import(project, articles_file(2))  # a path that queues nothing
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM procrastinate_jobs WHERE task_name = 'labels.index_search'")
    tasks.index_unindexed(timestamp=0)
    assert queued_index_tasks(project) == ["todo"] and queued_index_tasks(other_project) == []


def test_the_list_counts_what_is_pending_only_while_a_task_builds_the_index(
    api, project, annotator
):
    """Counting the articles without a vector scans the project's articles (0.3 s at 100,000),
    so the list does it only while an index task is queued or running."""
    from labels.interop import importing

    importing.do_import(project, articles_file(2))  # a path that queues nothing
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM procrastinate_jobs WHERE task_name = 'labels.index_search'")
    assert listing(api(annotator), project.slug)["search_index"] == {
        "complete": True,
        "pending": 0,
    }
    indexing.queue_search_index(project)  # as the periodic catch-up does
    assert listing(api(annotator), project.slug)["search_index"] == {
        "complete": False,
        "pending": 2,
    }
