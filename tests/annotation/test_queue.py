"""Handing out articles under contention: real threads, real database connections."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from labels.annotation import queue
from labels.models import Annotation, Role

pytestmark = pytest.mark.django_db(transaction=True)


def test_twenty_analysts_asking_at_once_never_seat_more_than_two_per_article(
    make_project, make_user, make_article
):
    users = [make_user(f"analyst{i:02}") for i in range(20)]
    project = make_project(
        "rush", annotators_per_article=2, members={u: Role.ANNOTATOR for u in users}
    )
    articles = [make_article(project, f"Article number {i} said “hello”.") for i in range(7)]
    start = threading.Barrier(len(users))
    results: dict[str, int | None] = {}
    errors: list[BaseException] = []

    def ask(user):
        try:
            start.wait(timeout=30)  # everyone asks at the same moment
            annotation = queue.do_next_article(project, user)
            results[user.username] = annotation.article_id if annotation else None
        except BaseException as exc:  # reported below, with the thread's traceback lost
            errors.append(exc)
        finally:
            connection.close()  # each thread had its own connection

    threads = [threading.Thread(target=ask, args=(u,)) for u in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert len(results) == 20
    per_article = Counter(a for a in results.values() if a is not None)
    # 7 articles × 2 seats = 14 analysts served, 6 told there is nothing left.
    assert max(per_article.values()) == 2
    assert sum(per_article.values()) == 14
    assert list(results.values()).count(None) == 6
    for article in articles:
        assert Annotation.objects.filter(article=article).holding_a_seat().count() == 2
    # Nothing was created beyond what was handed out: one draft per served analyst.
    assert Annotation.objects.count() == 14
    assert set(Annotation.objects.values_list("annotator__username", flat=True)) == {
        name for name, article in results.items() if article is not None
    }


def test_one_analyst_opening_a_new_article_in_six_tabs_at_once_gets_one_draft(
    make_project, make_user, make_article
):
    """Six concurrent opens of the workspace page by one analyst: every one is the page (no
    500 from the unique (article, annotator) constraint) and they all show the same draft."""
    ana = make_user("ana")
    project = make_project("tabs", annotators_per_article=2, members={ana: Role.ANNOTATOR})
    article = make_article(project, "The minister said “no”.")
    url = reverse("annotate", args=[article.pk])
    start = threading.Barrier(6)
    answers: list[int] = []
    errors: list[BaseException] = []

    def open_tab():
        try:
            client = Client()
            client.force_login(ana)
            start.wait(timeout=30)
            answers.append(client.get(url).status_code)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=open_tab) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert answers == [200] * 6
    assert Annotation.objects.filter(article=article, annotator=ana).count() == 1


def test_ten_analysts_starting_one_article_at_once_through_the_api_take_its_two_seats(
    make_project, make_user, make_article
):
    """Starting is one statement (labels_start_annotation, migration 0020): the seats it counts
    after its locks see every draft committed before them, so no article gets a third."""
    from rest_framework.test import APIClient

    users = [make_user(f"analyst{i:02}") for i in range(10)]
    project = make_project(
        "rush", annotators_per_article=2, members={u: Role.ANNOTATOR for u in users}
    )
    article = make_article(project, "The minister said “no”.")
    start = threading.Barrier(len(users))
    answers: dict[str, tuple[int, str]] = {}
    errors: list[BaseException] = []

    def open_it(user):
        try:
            client = APIClient()
            client.force_login(user)
            start.wait(timeout=30)
            response = client.post(f"/api/v1/articles/{article.pk}/annotation/")
            code = response.json()["errors"][0]["code"] if response.status_code != 200 else ""
            answers[user.username] = (response.status_code, code)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=open_it, args=(u,)) for u in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert sorted(answers.values()) == [(200, "")] * 2 + [(409, "article_full")] * 8
    started = Annotation.objects.filter(article=article)
    assert started.count() == 2 and started.holding_a_seat().count() == 2
    assert set(started.values_list("annotator__username", flat=True)) == {
        name for name, (status, _) in answers.items() if status == 200
    }


def _waiting_on_a_lock(timeout: float = 30) -> None:
    """Return once some other backend of this database waits for a lock (the request under
    test has reached the row the test holds)."""
    import time

    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
            )
            if cursor.fetchone()[0]:
                return
    raise AssertionError("no request came to wait for the lock")


def _next_in_a_thread(project, user) -> tuple[threading.Thread, dict]:
    outcome: dict = {}

    def ask():
        try:
            outcome["annotation"] = queue.do_next_article(project, user)
        except BaseException as exc:
            outcome["error"] = exc
        finally:
            connection.close()

    thread = threading.Thread(target=ask)
    thread.start()
    return thread, outcome


@pytest.mark.parametrize("holder_commits", [False, True])
def test_next_waits_for_the_last_article_another_request_holds(
    make_project, make_user, make_article, holder_commits
):
    """The first pass skips locked rows; when that finds nothing, the second waits for them.
    When the holder rolls back, the waiting analyst gets the article; when the holder took its
    last seat, the seats are counted again after the lock and the answer is "nothing left"."""
    from django.db import transaction

    ana, ben = make_user("ana"), make_user("ben")
    project = make_project(
        "last", annotators_per_article=1, members={ana: Role.ANNOTATOR, ben: Role.ANNOTATOR}
    )
    article = make_article(project, "The minister said “no”.")
    thread = None
    try:
        with transaction.atomic():
            # Another request holds the article's row and takes its only seat.
            held = queue.do_next_article(project, ben)
            assert held.article_id == article.pk
            thread, outcome = _next_in_a_thread(project, ana)
            _waiting_on_a_lock()
            if not holder_commits:
                transaction.set_rollback(True)
    finally:
        if thread is not None:
            thread.join(timeout=60)

    assert "error" not in outcome
    if holder_commits:
        assert outcome["annotation"] is None
        assert list(Annotation.objects.values_list("annotator__username", flat=True)) == ["ben"]
    else:
        assert outcome["annotation"].article_id == article.pk
        assert list(Annotation.objects.values_list("annotator__username", flat=True)) == ["ana"]
