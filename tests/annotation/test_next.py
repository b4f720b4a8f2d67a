"""Next in one statement (labels_next_annotation, migration 0021): which open draft comes back
first, when an expired lease is renewed, what an outsider and a revoked key get, and what it
costs."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.http import Http404
from django.utils import timezone
from rest_framework.test import APIClient

from labels.annotation import queue
from labels.api.auth import issue_token
from labels.models import Annotation, AnnotationStatus, Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def pair(make_project, manager, reviewer, annotator, annotator2):
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


def _expire(annotation: Annotation) -> None:
    Annotation.objects.filter(pk=annotation.pk).update(
        lease_expires_at=timezone.now() - timedelta(minutes=1)
    )


def test_open_drafts_come_back_first_returned_then_assigned_then_leased(
    pair, annotator, manager, make_article
):
    leased, assigned, returned, waiting = (make_article(pair, title=t) for t in "ABCD")
    own = queue.start_own(leased.pk, annotator)
    mine = queue.do_assign(assigned, annotator, manager)
    back = queue.start_own(returned.pk, annotator)
    Annotation.objects.filter(pk=back.pk).update(review_comment="Mark the whole claim.")

    answer = queue.do_next(pair, annotator)
    assert (answer.annotation.pk, answer.resumed) == (back.pk, True)
    Annotation.objects.filter(pk=back.pk).update(status=AnnotationStatus.SUBMITTED)
    assert queue.do_next(pair, annotator).annotation.pk == mine.pk
    Annotation.objects.filter(pk=mine.pk).update(status=AnnotationStatus.SUBMITTED)
    assert queue.do_next(pair, annotator) == (own, True)
    Annotation.objects.filter(pk=own.pk).update(status=AnnotationStatus.SUBMITTED)
    created = queue.do_next(pair, annotator)
    assert created.resumed is False and created.annotation.article_id == waiting.pk
    assert created.annotation.lease_expires_at > timezone.now() + timedelta(minutes=1)
    assert Annotation.objects.filter(annotator=annotator).count() == 4


def test_an_expired_draft_is_renewed_while_its_article_has_room(pair, annotator, make_article):
    article = make_article(pair)
    make_article(pair, title="Another")
    draft = queue.start_own(article.pk, annotator)
    _expire(draft)

    again = queue.do_next(pair, annotator)

    assert (again.annotation.pk, again.resumed) == (draft.pk, True)
    stored = Annotation.objects.get(pk=draft.pk)
    assert stored.lease_expires_at > timezone.now() + timedelta(minutes=1)
    assert stored.lease_expires_at == again.annotation.lease_expires_at
    assert stored.updated_at > draft.updated_at
    assert Annotation.objects.filter(annotator=annotator).count() == 1


def test_an_expired_draft_whose_seat_was_taken_gives_way_to_a_new_article(
    pair, annotator, annotator2, manager, make_user, make_article
):
    article, other = make_article(pair, title="Full"), make_article(pair, title="Free")
    draft = queue.start_own(article.pk, annotator)
    _expire(draft)
    carl = make_user("carl")
    pair.memberships.create(user=carl, role=Role.ANNOTATOR)
    queue.start_own(article.pk, annotator2)
    queue.start_own(article.pk, carl)  # the expired lease left a seat: carl took it

    answer = queue.do_next(pair, annotator)

    assert answer.resumed is False and answer.annotation.article_id == other.pk
    assert Annotation.objects.get(pk=draft.pk).lease_expires_at < timezone.now()


def test_next_for_someone_outside_the_project_writes_nothing(pair, make_user, make_article):
    make_article(pair)
    with pytest.raises(Http404):
        queue.do_next(pair, make_user("otto"))
    assert not Annotation.objects.exists()


def test_next_through_the_api_is_two_statements_with_a_known_key(
    pair, annotator, make_article, django_assert_num_queries
):
    first, second = make_article(pair), make_article(pair)
    key, token = issue_token(annotator)
    script = APIClient()
    script.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    started = script.post("/api/v1/projects/pair/next/")  # the process learns the key
    assert started.status_code == 200 and started.json()["article"] == first.pk
    Annotation.objects.filter(pk=started.json()["id"]).update(status=AnnotationStatus.SUBMITTED)
    # 1 labels_next_annotation: the key, the membership, the queue's locks and counts, the new
    # draft; 2 the layer as JSON.
    with django_assert_num_queries(2):
        answer = script.post("/api/v1/projects/pair/next/")
    assert answer.status_code == 200
    mine = Annotation.objects.get(pk=answer.json()["id"])
    assert (mine.article_id, mine.annotator, mine.status) == (
        second.pk,
        annotator,
        AnnotationStatus.DRAFT,
    )
    assert answer.json() == _as_serialized(mine)
    Annotation.objects.filter(pk=mine.pk).update(status=AnnotationStatus.SUBMITTED)
    assert script.post("/api/v1/projects/pair/next/").status_code == 204  # nothing left

    token.delete()  # revoked in any process: refused by the very next request
    make_article(pair)
    refused = script.post("/api/v1/projects/pair/next/")
    assert refused.status_code == 401
    assert Annotation.objects.filter(annotator=annotator).count() == 2


def test_next_through_the_api_for_an_outsider_is_404_and_writes_nothing(
    pair, make_user, make_article
):
    make_article(pair)
    key, _ = issue_token(make_user("otto"))
    script = APIClient()
    script.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    for _ in range(2):  # the key unknown to the process, then known
        assert script.post("/api/v1/projects/pair/next/").status_code == 404
        assert script.post("/api/v1/projects/nowhere/next/").status_code == 404
    assert not Annotation.objects.exists()


def _as_serialized(annotation) -> dict:
    """The annotation as AnnotationSerializer writes it (the documented contract)."""
    import json

    from rest_framework.renderers import JSONRenderer

    from labels.api.outputs import AnnotationSerializer

    return json.loads(JSONRenderer().render(AnnotationSerializer(annotation).data))
