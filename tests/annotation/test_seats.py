"""Seats: looking at an article takes none, staff take one only when they ask, an analyst holds
at most the project's number of leased drafts, and the project page says why a row is closed."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from labels.annotation import queue
from labels.models import Annotation, AnnotationStatus, Role


@pytest.fixture
def pair(make_project, manager, reviewer, annotator, annotator2):
    """A project of two analysts per article: mara manages, rita reviews, ana and ben annotate."""
    return make_project(
        "pair",
        annotators_per_article=2,
        members={
            manager: Role.MANAGER,
            reviewer: Role.REVIEWER,
            annotator: Role.ANNOTATOR,
            annotator2: Role.ANNOTATOR,
        },
    )


def test_staff_who_open_an_article_look_at_it_and_take_no_seat(
    client, pair, manager, reviewer, annotator, annotator2, make_article
):
    article = make_article(pair, "The Kremlin said “no” on <b>Monday</b>.", title="Kremlin")
    url = reverse("annotate", args=[article.pk])
    for user in (manager, reviewer):
        client.force_login(user)
        page = client.get(url)
        assert page.status_code == 200
        html = page.content.decode()
        assert "The Kremlin said “no” on &lt;b&gt;Monday&lt;/b&gt;." in html  # text, never HTML
        assert "Annotate it myself" in html
        assert "workspace-data" not in html
    assert not Annotation.objects.filter(article=article).exists()

    client.force_login(annotator)
    assert client.get(url).status_code == 200
    client.force_login(manager)
    assign = client.post(
        reverse("assign_article", args=[pair.slug]),
        {"article": article.pk, "username": annotator2.username},
        follow=True,
    )
    assert f"{article} is assigned to ben." in assign.content.decode()
    assert set(
        Annotation.objects.filter(article=article).values_list("annotator__username", flat=True)
    ) == {"ana", "ben"}


def test_annotate_it_myself_takes_a_seat_by_the_same_rules_as_anyone(
    client, pair, manager, reviewer, annotator, annotator2, make_article
):
    article = make_article(pair)
    url = reverse("annotate", args=[article.pk])
    client.force_login(manager)
    assert client.post(url)["Location"] == url
    mine = Annotation.objects.get(article=article, annotator=manager)
    assert mine.status == AnnotationStatus.DRAFT and mine.lease_expires_at > timezone.now()
    assert "workspace-data" in client.get(url).content.decode()  # her own layer now

    queue.do_get_or_create_own(article, annotator)  # the second and last seat
    client.force_login(reviewer)
    look = client.get(url).content.decode()
    assert "2 of 2 analysts are on it" in look
    assert "Annotate it myself" not in look
    refused = client.post(url)
    assert refused.status_code == 409
    assert "Enough analysts are already working on this article." in refused.content.decode()
    assert not Annotation.objects.filter(article=article, annotator=reviewer).exists()


def test_an_analyst_holds_at_most_the_projects_open_drafts(
    client, api, pair, annotator, manager, make_article
):
    pair.max_open_drafts = 2
    pair.save(update_fields=["max_open_drafts"])
    first, second, third, fourth = (
        make_article(pair, title=f"Article {n}") for n in ("one", "two", "three", "four")
    )
    client.force_login(annotator)
    for article in (first, second):
        assert client.get(reverse("annotate", args=[article.pk])).status_code == 200

    refused = client.get(reverse("annotate", args=[third.pk]))
    assert refused.status_code == 409
    html = refused.content.decode()
    assert "You already have 2 open drafts in this project" in html
    assert f'href="{reverse("annotate", args=[first.pk])}">Article one</a>' in html
    assert f'href="{reverse("annotate", args=[second.pk])}">Article two</a>' in html
    answer = api(annotator).post(f"/api/v1/articles/{third.pk}/annotation/")
    assert answer.status_code == 409
    [problem] = answer.json()["errors"]
    assert problem["code"] == "too_many_drafts"
    assert "Article one; Article two" in problem["message"]
    assert not Annotation.objects.filter(article=third).exists()

    # A manager's assignment does not count, and neither does a draft whose lease ran out.
    queue.do_assign(fourth, annotator, manager)
    Annotation.objects.filter(article=first).update(lease_expires_at=timezone.now() - timedelta(1))
    assert client.get(reverse("annotate", args=[third.pk])).status_code == 200
    assert queue.leased_drafts(pair, annotator).count() == 2


def test_next_with_an_open_draft_says_so_with_a_link_instead_of_reopening_it(
    client, pair, annotator, make_article
):
    article = make_article(pair, title="Open one")
    make_article(pair, title="Waiting")
    client.force_login(annotator)
    client.get(reverse("annotate", args=[article.pk]))

    response = client.post(reverse("next_article", args=[pair.slug]), follow=True)

    assert response.redirect_chain == [(reverse("project", args=[pair.slug]), 302)]
    link = f'<a href="{reverse("annotate", args=[article.pk])}">Open one</a>'
    assert f"You have an open draft: {link}" in response.content.decode()
    assert Annotation.objects.filter(annotator=annotator).count() == 1


def test_next_without_an_open_draft_leases_a_new_article(client, pair, annotator, make_article):
    article = make_article(pair)
    client.force_login(annotator)
    response = client.post(reverse("next_article", args=[pair.slug]))
    assert response["Location"] == reverse("annotate", args=[article.pk])
    assert Annotation.objects.get(annotator=annotator).article == article


def test_one_analyst_opening_many_articles_at_once_gets_no_more_than_the_cap(
    transactional_db, make_project, make_user, make_article
):
    ana = make_user("ana")
    project = make_project("rush", members={ana: Role.ANNOTATOR})
    project.max_open_drafts = 2
    project.save(update_fields=["max_open_drafts"])
    articles = [make_article(project) for _ in range(6)]
    start = threading.Barrier(len(articles))
    outcomes: list[str] = []

    def open_one(article):
        try:
            start.wait(timeout=30)
            queue.do_get_or_create_own(article, ana)
            outcomes.append("draft")
        except Exception as exc:
            outcomes.append(type(exc).__name__)
        finally:
            connection.close()

    threads = [threading.Thread(target=open_one, args=(a,)) for a in articles]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(outcomes) == ["TooManyDrafts"] * 4 + ["draft"] * 2
    assert Annotation.objects.filter(annotator=ana).count() == 2


def test_project_page_tells_an_analyst_which_articles_they_can_open_and_why_not(
    client, pair, annotator, annotator2, manager, make_user, make_article
):
    carl = make_user("carl")
    pair.memberships.create(user=carl, role=Role.ANNOTATOR)
    mine = make_article(pair, title="My draft")
    free = make_article(pair, title="Free")
    full = make_article(pair, title="Full")
    queue.do_get_or_create_own(mine, annotator)
    queue.do_get_or_create_own(full, annotator2)
    queue.do_get_or_create_own(full, carl)
    client.force_login(annotator)

    html = client.get(reverse("project", args=[pair.slug])).content.decode()

    assert f'<a href="{reverse("annotate", args=[mine.pk])}">My draft</a>' in html
    assert f'<a href="{reverse("annotate", args=[free.pk])}">Free</a>' in html
    assert f'href="{reverse("annotate", args=[full.pk])}"' not in html
    assert "2 of 2 analysts are on it" in html

    pair.max_open_drafts = 1
    pair.save(update_fields=["max_open_drafts"])
    html = client.get(reverse("project", args=[pair.slug])).content.decode()
    assert f'href="{reverse("annotate", args=[free.pk])}"' not in html
    assert "Finish one of your open drafts first" in html
    assert "You hold 1 open draft, the most this project allows at once" in html


def test_project_page_queries_do_not_grow_with_taken_seats(
    client, pair, annotator, annotator2, make_user, make_article, django_assert_num_queries
):
    carl = make_user("carl")
    pair.memberships.create(user=carl, role=Role.ANNOTATOR)
    for _ in range(12):
        article = make_article(pair)
        queue.do_assign(article, annotator2, annotator2)
        queue.do_assign(article, carl, annotator2)
    client.force_login(annotator)
    # session, user, membership+project, count for the paginator, the page of articles (with
    # their seats), my annotations on the page, state counts, my open drafts, my finished work,
    # whether the search index is being built (one look at the job queue)
    with django_assert_num_queries(10):
        response = client.get(reverse("project", args=[pair.slug]))
    assert response.content.decode().count("2 of 2 analysts are on it") == 12


def test_starting_in_one_statement_counts_seats_as_holding_a_seat_does(
    pair, manager, annotator, annotator2, make_user, make_article
):
    """labels_start_annotation (migration 0020) counts seats in SQL of its own: submitted work
    and a manager's assignment hold a seat, a draft whose lease ran out holds none, and the
    new draft is what the ORM would have made."""
    carl = make_user("carl")
    pair.memberships.create(user=carl, role=Role.ANNOTATOR)
    article = make_article(pair)
    queue.do_assign(article, annotator2, manager)
    expired = queue.start_own(article.pk, carl)
    Annotation.objects.filter(pk=expired.pk).update(lease_expires_at=timezone.now() - timedelta(1))
    mine = queue.start_own(article.pk, annotator)  # carl's lease ran out: a seat is free
    assert mine is not None and mine.annotator == annotator
    stored = Annotation.objects.get(pk=mine.pk)
    assert (stored.status, stored.version, stored.is_gold, stored.schema_version) == (
        AnnotationStatus.DRAFT,
        1,
        False,
        pair.schema_version,
    )
    assert stored.skip_reason == stored.review_comment == "" and stored.assigned_by is None
    assert stored.lease_expires_at > timezone.now() + timedelta(minutes=1)
    assert stored.created_at == mine.created_at and stored.updated_at == mine.updated_at
    assert queue.start_own(article.pk, annotator).pk == mine.pk  # mine already: the same one
    # Two seats held (ben's assignment, my lease): carl's expired draft is his own again, but
    # nobody new gets one, and neither does a member once the work is submitted.
    outsider = make_user("dana")
    pair.memberships.create(user=outsider, role=Role.ANNOTATOR)
    assert queue.start_own(article.pk, outsider) is None
    Annotation.objects.filter(pk=mine.pk).update(status=AnnotationStatus.SUBMITTED)
    assert queue.start_own(article.pk, outsider) is None
    assert queue.start_own(article.pk, make_user("eve")) is None  # not a member
    assert Annotation.objects.filter(article=article).count() == 3
