"""The span write kernel (labels.annotation.spans, relations, versions): the span-write path, the
one the load test hammers: how many queries a save costs, and that folding the retry and
duplicate checks into one query kept their meaning; and what deleting a span takes with it."""

import uuid

import pytest
from django.db import transaction

from labels.annotation import queue, spans, versions
from labels.annotation import relations as relations_mod
from labels.models import Annotation, Span

pytestmark = pytest.mark.django_db

TEXT = "The minister said “we are ready” on Monday."


@pytest.fixture
def mine(project, make_article, annotator):
    return queue.do_get_or_create_own(make_article(project, TEXT), annotator)


def _body(version, client_id=None, text="said", label="Cue"):
    start = TEXT.index(text)
    body = {"version": version, "start": start, "end": start + len(text), "text": text}
    body["label"] = label
    if client_id:
        body["client_id"] = client_id
    return body


def _token_client(user):
    from rest_framework.test import APIClient

    from labels.api.auth import issue_token

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {issue_token(user)[0]}")
    return client


def _said(span) -> dict:
    """The fields of the Cue "said" that both the answer and the history event carry."""
    return {
        "id": span.pk,
        "label": "Cue",
        "start": span.start,
        "end": span.end,
        "text": "said",
        "attrs": {},
        "origin": "manual",
        "provenance": "",
    }


def test_a_save_costs_four_queries(api, mine, annotator, django_assert_num_queries):
    client = api(annotator)
    # 1 session, 2 user, 3 the annotation with article, project and my membership (no lock, no
    # transaction), 4 one statement, its own transaction: lock the annotation if its version,
    # status and project are still those read, INSERT the span unless one is at this place or
    # has this client_id, UPDATE the version, INSERT the history event. The client_id is looked
    # up only when that statement, or a check before it, refuses the save.
    with django_assert_num_queries(4):
        response = client.post(
            f"/api/v1/annotations/{mine.pk}/spans/", _body(mine.version, str(uuid.uuid4()))
        )
    assert response.status_code == 201
    # The next save of the same layer: 1 session, 2 user, 3 the one statement, which checks
    # my membership and that the layer and its project are as this process left them.
    body = _body(response.json()["version"], str(uuid.uuid4()), text="Monday")
    with django_assert_num_queries(3):
        response = client.post(f"/api/v1/annotations/{mine.pk}/spans/", body)
    assert response.status_code == 201


def test_a_script_saves_in_one_statement_once_its_key_and_layer_are_known(
    mine, annotator, django_assert_num_queries
):
    client = _token_client(annotator)
    # A key this process has not seen: 1 the token with its user, 2 the annotation with my
    # membership, 3 the lock-check-insert-version-history statement.
    with django_assert_num_queries(3):
        response = client.post(f"/api/v1/annotations/{mine.pk}/spans/", _body(mine.version))
    assert response.status_code == 201, response.content
    span = Span.objects.get(annotation=mine)
    assert response.json() == {
        "version": mine.version + 1,
        "span": _said(span) | {"agreed_by": [], "client_id": None},
    }
    # The key and the layer are known now: one statement, which checks the key, my right to
    # change the layer and that nothing changed since, then writes. No client_id: no retry
    # lookup.
    body = _body(mine.version + 1, text="Monday")
    with django_assert_num_queries(1):
        response = client.post(f"/api/v1/annotations/{mine.pk}/spans/", body)
    assert response.status_code == 201, response.content
    assert response.json()["version"] == mine.version + 2
    assert Span.objects.filter(annotation=mine).count() == 2
    assert [e.annotation_version for e in mine.history.order_by("id")] == [2, 3]


def test_the_one_statement_save_writes_span_version_and_history(api, mine, annotator):
    before = mine.updated_at
    cid = str(uuid.uuid4())
    response = api(annotator).post(
        f"/api/v1/annotations/{mine.pk}/spans/", _body(mine.version, cid)
    )
    assert response.status_code == 201
    span = Span.objects.get(annotation=mine)
    assert str(span.client_id) == cid and span.created_by == annotator
    assert span.created_at is not None and span.updated_at is not None
    mine.refresh_from_db()
    assert mine.version == response.json()["version"] == 2
    assert mine.updated_at > before
    event = mine.history.get()
    assert event.action == "span_created" and event.actor == annotator
    assert event.object_id == span.pk and event.annotation_version == 2
    assert event.after == _said(span)


def test_a_refused_duplicate_changes_nothing(api, mine, annotator):
    client = api(annotator)
    version = client.post(f"/api/v1/annotations/{mine.pk}/spans/", _body(mine.version)).json()[
        "version"
    ]
    again = client.post(f"/api/v1/annotations/{mine.pk}/spans/", _body(version))
    assert again.status_code == 400
    mine.refresh_from_db()
    assert mine.version == version
    assert mine.history.count() == 1 and Span.objects.filter(annotation=mine).count() == 1
    # The same client, with the version it has, goes on saving.
    other = client.post(f"/api/v1/annotations/{mine.pk}/spans/", _body(version, text="Monday"))
    assert other.status_code == 201


def test_a_retried_save_is_answered_from_the_first_in_four_queries(
    api, mine, annotator, django_assert_num_queries
):
    client = api(annotator)
    body = _body(mine.version, str(uuid.uuid4()))
    first = client.post(f"/api/v1/annotations/{mine.pk}/spans/", body)
    assert first.status_code == 201
    # The answer was lost; the client sends the same save again, with the version it had.
    # session, user, the annotation (its version is not the one sent: no write is tried), the
    # span by client_id. No transaction: a stored span is the answer whatever happens next.
    with django_assert_num_queries(4):
        again = client.post(f"/api/v1/annotations/{mine.pk}/spans/", body)
    assert again.status_code == 200
    assert again.json()["span"]["id"] == first.json()["span"]["id"]
    assert again.json()["version"] == first.json()["version"]
    assert Span.objects.filter(annotation=mine).count() == 1


def test_a_retry_sent_with_the_reloaded_version_gets_the_stored_span(api, mine, annotator):
    """The answer was lost and the client, told 409, took the current version and sent the
    same save again: the version matches now, and the span that is stored is the answer."""
    client = api(annotator)
    body = _body(mine.version, str(uuid.uuid4()))
    first = client.post(f"/api/v1/annotations/{mine.pk}/spans/", body)
    assert first.status_code == 201
    again = client.post(
        f"/api/v1/annotations/{mine.pk}/spans/", body | {"version": first.json()["version"]}
    )
    assert again.status_code == 200, again.content
    assert again.json() == first.json()
    # Also when the retry names another place: a client_id stands for one save, once.
    moved = body | {"version": first.json()["version"], "text": "Monday"}
    moved["start"] = mine.article.text.index("Monday")
    moved["end"] = moved["start"] + len("Monday")
    assert client.post(f"/api/v1/annotations/{mine.pk}/spans/", moved).json() == first.json()
    mine.refresh_from_db()
    assert mine.version == first.json()["version"] and mine.history.count() == 1
    assert Span.objects.filter(annotation=mine).count() == 1


@pytest.mark.parametrize("second_client_id", [True, False])
def test_a_second_span_at_the_same_place_is_refused(api, mine, annotator, second_client_id):
    client = api(annotator)
    first = client.post(f"/api/v1/annotations/{mine.pk}/spans/", _body(mine.version, "a" * 32))
    version = first.json()["version"]
    cid = str(uuid.uuid4()) if second_client_id else None
    response = client.post(f"/api/v1/annotations/{mine.pk}/spans/", _body(version, cid))
    assert response.status_code == 400
    assert response.json()["errors"][0] == {
        "field": "start",
        "code": "duplicate",
        "message": "There is already a Cue span on exactly this text.",
    }
    other_label = client.post(
        f"/api/v1/annotations/{mine.pk}/spans/", _body(version, str(uuid.uuid4()), label="Claim")
    )
    assert other_label.status_code == 201  # another label on the same text is no duplicate


def test_a_stale_version_with_a_new_client_id_is_409(api, mine, annotator):
    client = api(annotator)
    client.post(f"/api/v1/annotations/{mine.pk}/spans/", _body(mine.version, str(uuid.uuid4())))
    response = client.post(
        f"/api/v1/annotations/{mine.pk}/spans/",
        _body(mine.version, str(uuid.uuid4()), text="Monday"),
    )
    assert response.status_code == 409


def test_the_membership_comes_with_the_annotation(mine, annotator, reviewer, outsider):
    from django.http import Http404

    from labels import access

    annotation, membership = access.access_annotation(annotator, mine.pk)
    assert membership.role == "annotator" and membership.user == annotator
    assert membership.project == mine.article.project
    _, staff = access.access_annotation(reviewer, mine.pk)
    assert staff.role == "reviewer"
    with pytest.raises(Http404):
        access.access_annotation(outsider, mine.pk)


def test_a_save_renews_the_lease_of_a_leased_draft(api, mine, annotator):
    from datetime import timedelta

    from django.utils import timezone

    soon = timezone.now() + timedelta(seconds=30)
    mine.lease_expires_at = soon
    mine.save(update_fields=["lease_expires_at"])
    response = api(annotator).post(f"/api/v1/annotations/{mine.pk}/spans/", _body(mine.version))
    assert response.status_code == 201
    mine.refresh_from_db()
    assert mine.lease_expires_at > soon + timedelta(minutes=1)


def test_the_save_statements_are_prepared_and_can_be_turned_off(mine, annotator, settings):
    from django.db import connection
    from rest_framework.test import APIClient

    from labels.api.auth import issue_token

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {issue_token(annotator)[0]}")

    def prepared_saves() -> int:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_prepared_statements "
                """WHERE statement LIKE 'WITH %%INSERT INTO "labels_span"%%'"""
            )
            return cursor.fetchone()[0]

    version = mine.version
    for text in ("said", "Monday"):
        response = client.post(f"/api/v1/annotations/{mine.pk}/spans/", _body(version, text=text))
        assert response.status_code == 201
        version = response.json()["version"]
    assert prepared_saves() >= 1

    settings.DATABASE_PREPARED_STATEMENTS = False  # behind an old PgBouncer
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")  # psycopg forgets its prepared statements too
    response = client.post(
        f"/api/v1/annotations/{mine.pk}/spans/", _body(version, text="ready", label="Claim")
    )
    assert response.status_code == 201
    assert prepared_saves() == 0


def test_an_edit_and_a_delete_cost_a_fixed_few_queries(mine, annotator, django_assert_num_queries):
    """Relabelling a linked span and deleting it: the queries do not grow with the relations,
    the version goes up by one each time and the history has both events."""
    from labels.models import HistoryAction, HistoryEvent, Relation

    client = _token_client(annotator)
    base = f"/api/v1/annotations/{mine.pk}"
    quote = client.post(f"{base}/spans/", _body(mine.version, text="we are ready", label="Quote"))
    version = quote.json()["version"]
    quote_id = quote.json()["span"]["id"]
    source = client.post(f"{base}/spans/", _body(version, text="The minister", label="Source"))
    version = source.json()["version"]
    cue = client.post(f"{base}/spans/", _body(version))
    version = cue.json()["version"]
    linked = client.post(
        f"{base}/relations/",
        {
            "version": version,
            "label": "attributed_to",
            "from": quote_id,
            "to": source.json()["span"]["id"],
            "attrs": {"cue": cue.json()["span"]["id"]},
        },
        format="json",
    )
    version = linked.json()["version"]
    # 1 the annotation with article, project and membership, checking the key taken on trust
    # (no lock, no transaction), 2 the span with the relations touching it (for the new
    # label), 3 one statement: lock the annotation if it is still as read, UPDATE the span
    # unless another holds its place, raise the version, append the history event.
    with django_assert_num_queries(3):
        edited = client.patch(
            f"{base}/spans/{quote_id}/",
            {"version": version, "label": "Claim", "attrs": {"checkworthy": "yes"}},
            format="json",
        )
    assert edited.status_code == 200, edited.content  # attributed_to may start at a Claim
    version = edited.json()["version"]
    # 1 the annotation (and the key), 2 the span, the relations touching it and those naming
    # it as their cue, 3 one statement: lock, DELETE span, relations and rejections, drop the
    # references, raise the version, append the history event.
    with django_assert_num_queries(3):
        deleted = client.delete(f"{base}/spans/{quote_id}/", {"version": version}, format="json")
    assert deleted.status_code == 200, deleted.content
    mine.refresh_from_db()
    assert mine.version == version + 1 == deleted.json()["version"]
    assert not Relation.objects.filter(annotation=mine).exists()
    event = HistoryEvent.objects.filter(annotation=mine).latest("id")
    assert (event.action, event.annotation_version, event.object_id) == (
        HistoryAction.SPAN_DELETED,
        mine.version,
        quote_id,
    )
    assert [r["label"] for r in event.before["relations"]] == ["attributed_to"]


def test_deleting_a_span_takes_its_relations_and_the_reviews_rejections_of_them(
    mine, annotator, reviewer
):
    """What the ORM's cascade did, the one-statement delete does: the span's relations go, and
    so do the review's rejections of the span and of those relations (their foreign keys are
    checked here at once, not at a COMMIT the test never reaches)."""
    from django.db import connection, transaction

    from labels.annotation import relations as relations_mod
    from labels.annotation import spans, versions
    from labels.models import Annotation, Relation, ReviewRejection

    gold = Annotation.objects.create(article=mine.article, is_gold=True)
    quote = Span.objects.create(annotation=mine, label="Quote", start=19, end=31, text=TEXT[19:31])
    source = Span.objects.create(annotation=mine, label="Source", start=0, end=12, text=TEXT[:12])
    kept = Span.objects.create(annotation=mine, label="Cue", start=13, end=17, text="said")
    link = Relation.objects.create(
        annotation=mine, label="attributed_to", source=quote, target=source
    )
    for rejected in ({"span": quote}, {"relation": link}, {"span": kept}):
        ReviewRejection.objects.create(gold=gold, rejected_by=reviewer, **rejected)
    with transaction.atomic():
        locked = versions.locked(mine.pk)
        spans.do_delete_span(locked, annotator, source.pk, version=locked.version)
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    assert not Relation.objects.filter(pk=link.pk).exists()
    assert set(Span.objects.filter(annotation=mine).values_list("pk", flat=True)) == {
        quote.pk,
        kept.pk,
    }
    assert list(ReviewRejection.objects.values_list("span_id", "relation_id")) == [
        (quote.pk, None),
        (kept.pk, None),
    ]
    with transaction.atomic():
        locked = versions.locked(mine.pk)
        spans.do_delete_span(locked, annotator, quote.pk, version=locked.version)
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    assert list(ReviewRejection.objects.values_list("span_id", flat=True)) == [kept.pk]
    # A relation alone, with the review's rejection of it.
    quote = Span.objects.create(annotation=mine, label="Quote", start=19, end=31, text=TEXT[19:31])
    source = Span.objects.create(annotation=mine, label="Source", start=0, end=12, text=TEXT[:12])
    link = Relation.objects.create(
        annotation=mine, label="attributed_to", source=quote, target=source
    )
    ReviewRejection.objects.create(gold=gold, rejected_by=reviewer, relation=link)
    with transaction.atomic():
        locked = versions.locked(mine.pk)
        relations_mod.do_delete_relation(locked, annotator, link.pk, version=locked.version)
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    assert not Relation.objects.exists()
    assert Span.objects.filter(annotation=mine).count() == 3
    assert list(ReviewRejection.objects.values_list("span_id", "relation_id")) == [(kept.pk, None)]


def test_deleting_a_cue_removes_it_from_the_relations_that_named_it(
    project, make_article, annotator
):
    article = make_article(project, "Putin said “no”.")
    annotation = Annotation.objects.create(article=article, annotator=annotator)
    with transaction.atomic():
        annotation = versions.locked(annotation.pk)
        quote = spans.do_add_span(
            annotation,
            annotator,
            {
                "label": "Quote",
                "start": 12,
                "end": 14,
                "text": "no",
                "attrs": {"quote_type": "direct"},
            },
            version=annotation.version,
        ).obj
        source = spans.do_add_span(
            annotation,
            annotator,
            {"label": "Source", "start": 0, "end": 5, "text": "Putin"},
            version=annotation.version,
        ).obj
        cue = spans.do_add_span(
            annotation,
            annotator,
            {"label": "Cue", "start": 6, "end": 10, "text": "said"},
            version=annotation.version,
        ).obj
        relation = relations_mod.do_add_relation(
            annotation,
            annotator,
            {"label": "attributed_to", "from": quote.pk, "to": source.pk, "attrs": {"cue": cue.pk}},
            version=annotation.version,
        ).obj
        assert relation.attrs == {"cue": cue.pk}
        spans.do_delete_span(annotation, annotator, cue.pk, version=annotation.version)
    relation.refresh_from_db()
    assert relation.attrs == {}


# --- Edit and delete through the API: two reads and one statement, or the locked way --------


def _three_spans(api, mine, annotator):
    """Quote, Source and Cue saved through the API, and the Quote attributed to the Source with
    the Cue: the client, the version and the three span ids."""
    client = api(annotator)
    base = f"/api/v1/annotations/{mine.pk}"
    version, ids = mine.version, {}
    for text, label in (("we are ready", "Quote"), ("The minister", "Source"), ("said", "Cue")):
        saved = client.post(f"{base}/spans/", _body(version, text=text, label=label))
        assert saved.status_code == 201, saved.content
        version, ids[label] = saved.json()["version"], saved.json()["span"]["id"]
    linked = client.post(
        f"{base}/relations/",
        {
            "version": version,
            "label": "attributed_to",
            "from": ids["Quote"],
            "to": ids["Source"],
            "attrs": {"cue": ids["Cue"]},
        },
        format="json",
    )
    assert linked.status_code == 201, linked.content
    return client, linked.json()["version"], ids


def test_a_link_is_one_statement_after_the_reads_and_refusals_take_the_locked_way(
    mine, annotator, django_assert_num_queries
):
    """Linking: 1 the annotation (and the key), 2 the spans it names with whether the link or
    its client_id exists, 3 one statement: lock if unchanged, INSERT the relation, raise the
    version, append the history event. A retry, a duplicate, a stale version, a cue of the
    wrong label are answered as before."""
    from labels.models import HistoryAction, HistoryEvent, Relation

    client = _token_client(annotator)
    base = f"/api/v1/annotations/{mine.pk}"
    version, ids = mine.version, {}
    for text, label in (("we are ready", "Quote"), ("The minister", "Source"), ("said", "Cue")):
        saved = client.post(f"{base}/spans/", _body(version, text=text, label=label))
        version, ids[label] = saved.json()["version"], saved.json()["span"]["id"]
    link = {
        "label": "attributed_to",
        "from": ids["Quote"],
        "to": ids["Source"],
        "attrs": {"cue": ids["Cue"]},
        "client_id": str(uuid.uuid4()),
    }
    with django_assert_num_queries(3):
        linked = client.post(f"{base}/relations/", link | {"version": version}, format="json")
    assert linked.status_code == 201, linked.content
    relation = Relation.objects.get(annotation=mine)
    assert linked.json()["relation"]["id"] == relation.pk
    assert (relation.source_id, relation.target_id, relation.attrs) == (
        ids["Quote"],
        ids["Source"],
        {"cue": ids["Cue"]},
    )
    mine.refresh_from_db()
    assert mine.version == version + 1 == linked.json()["version"]
    event = HistoryEvent.objects.filter(annotation=mine).latest("id")
    assert (event.action, event.object_id, event.after["id"], event.annotation_version) == (
        HistoryAction.RELATION_CREATED,
        relation.pk,
        relation.pk,
        mine.version,
    )
    retried = client.post(f"{base}/relations/", link | {"version": version}, format="json")
    assert retried.status_code == 200 and retried.json()["relation"]["id"] == relation.pk
    version += 1
    refused = [
        (link | {"client_id": None}, 400, "to"),  # the same link again
        (link | {"client_id": None, "from": ids["Source"], "to": ids["Quote"]}, 400, None),
        (link | {"client_id": None, "attrs": {"cue": ids["Quote"]}}, 400, "attrs.cue"),
        (link | {"client_id": None, "to": ids["Quote"]}, 400, "to"),  # a span to itself
        (link | {"client_id": None, "to": 999_999_999}, 400, "to"),
    ]
    for body, status, field in refused:
        answer = client.post(f"{base}/relations/", body | {"version": version}, format="json")
        assert answer.status_code == status, (body, answer.content)
        if field:
            assert answer.json()["errors"][0]["field"] == field, answer.content
    stale = client.post(
        f"{base}/relations/", link | {"client_id": None, "version": version - 1}, format="json"
    )
    assert stale.status_code == 409
    mine.refresh_from_db()
    assert mine.version == version and Relation.objects.filter(annotation=mine).count() == 1


def test_an_edit_moves_the_span_and_records_before_and_after(api, mine, annotator):
    from labels.models import HistoryAction, HistoryEvent

    client, version, ids = _three_spans(api, mine, annotator)
    start = TEXT.index("Monday")
    edited = client.patch(
        f"/api/v1/annotations/{mine.pk}/spans/{ids['Cue']}/",
        {"version": version, "start": start, "end": start + 6, "text": "Monday", "via": "undo"},
        format="json",
    )
    assert edited.status_code == 200, edited.content
    assert edited.json()["version"] == version + 1
    assert edited.json()["span"] | {"id": ids["Cue"]} == edited.json()["span"]
    span = Span.objects.get(pk=ids["Cue"])
    assert (span.start, span.end, span.text) == (start, start + 6, "Monday")
    mine.refresh_from_db()
    assert mine.version == version + 1
    event = HistoryEvent.objects.filter(annotation=mine).latest("id")
    assert (event.action, event.object_id, event.annotation_version) == (
        HistoryAction.SPAN_UPDATED,
        span.pk,
        mine.version,
    )
    assert event.before["text"] == "said"
    assert event.after == {**event.after, "text": "Monday", "start": start, "via": "undo"}


def test_a_refused_edit_says_why_and_changes_nothing(api, mine, annotator):
    client, version, ids = _three_spans(api, mine, annotator)
    url = f"/api/v1/annotations/{mine.pk}/spans/"
    said = TEXT.index("said")
    cases = [
        # Stale: the version the client holds is not the stored one.
        ({"version": version - 1, "label": "Claim"}, ids["Quote"], 409, None),
        # Another Cue already holds the place.
        (
            {"version": version, "label": "Cue", "start": said, "end": said + 4, "text": "said"},
            ids["Quote"],
            400,
            "start",
        ),
        # attributed_to may not start at a Source: the Quote's relation forbids the new label.
        ({"version": version, "label": "Source"}, ids["Quote"], 400, None),
        ({"version": version, "end": len(TEXT) + 5, "text": "x"}, ids["Quote"], 400, "end"),
        ({"version": version, "label": "Claim"}, 999_999_999, 400, "span"),
    ]
    for body, span_id, status, field in cases:
        response = client.patch(f"{url}{span_id}/", body, format="json")
        assert response.status_code == status, (body, response.content)
        if field:
            assert response.json()["errors"][0]["field"] == field, response.content
    stale = client.delete(f"{url}{ids['Quote']}/", {"version": version - 1}, format="json")
    assert stale.status_code == 409 and stale.json()["current_version"] == version
    mine.refresh_from_db()
    assert mine.version == version
    assert sorted(Span.objects.filter(annotation=mine).values_list("label", flat=True)) == [
        "Cue",
        "Quote",
        "Source",
    ]


def test_deleting_through_the_api_takes_relations_rejections_and_references(
    api, mine, annotator, reviewer
):
    """The one-statement delete does what do_delete_span does — the relations touching the span
    go with the review's rejections of them, a relation naming it as its cue loses the cue —
    with the foreign keys checked at the statement's end, not at a COMMIT the test never
    reaches."""
    from django.db import connection

    from labels.models import HistoryEvent, Relation, ReviewRejection

    client, version, ids = _three_spans(api, mine, annotator)
    gold = Annotation.objects.create(article=mine.article, is_gold=True)
    link = Relation.objects.get(annotation=mine)
    ReviewRejection.objects.create(gold=gold, rejected_by=reviewer, relation=link)
    ReviewRejection.objects.create(gold=gold, rejected_by=reviewer, span_id=ids["Cue"])
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    url = f"/api/v1/annotations/{mine.pk}/spans/"
    deleted = client.delete(f"{url}{ids['Cue']}/", {"version": version}, format="json")
    assert deleted.status_code == 200, deleted.content
    link.refresh_from_db()
    assert link.attrs == {}  # the cue is gone from the relation, which stays
    assert list(ReviewRejection.objects.values_list("relation_id", flat=True)) == [link.pk]
    event = HistoryEvent.objects.filter(annotation=mine).latest("id")
    assert event.before["relations"] == [] and event.before["text"] == "said"
    deleted = client.delete(
        f"{url}{ids['Source']}/", {"version": version + 1, "via": "redo"}, format="json"
    )
    assert deleted.status_code == 200, deleted.content
    assert not Relation.objects.exists() and not ReviewRejection.objects.exists()
    event = HistoryEvent.objects.filter(annotation=mine).latest("id")
    assert event.after == {"via": "redo"}
    assert event.before["relations"] == [
        {
            "id": link.pk,
            "label": "attributed_to",
            "from": ids["Quote"],
            "to": ids["Source"],
            "attrs": {},
        }
    ]
    mine.refresh_from_db()
    assert mine.version == version + 2 == deleted.json()["version"]
    assert list(Span.objects.filter(annotation=mine).values_list("pk", flat=True)) == [ids["Quote"]]


def test_an_edit_or_delete_after_a_change_made_elsewhere_writes_nothing(api, mine, annotator):
    """Between the unlocked read and the statement another write came: the statement finds
    the annotation changed and writes nothing, and the annotation read is as it was."""
    from django.db.models import F

    from labels import access

    _, version, ids = _three_spans(api, mine, annotator)
    annotation, _ = access.access_annotation(annotator, mine.pk, write=True)
    Annotation.objects.filter(pk=mine.pk).update(version=F("version") + 1)  # another server
    assert (
        spans.try_update_span_at_once(
            annotation, annotator, ids["Quote"], {"label": "Claim"}, version=version
        )
        is None
    )
    assert spans.try_delete_span_at_once(annotation, annotator, ids["Cue"], version=version) is None
    link = {"label": "relayed_by", "from": ids["Quote"], "to": ids["Source"]}
    assert (
        relations_mod.try_add_relation_at_once(annotation, annotator, link, version=version) is None
    )
    assert annotation.version == version
    assert Span.objects.get(pk=ids["Quote"]).label == "Quote"
    assert Span.objects.filter(annotation=mine).count() == 3
    mine.refresh_from_db()
    assert mine.version == version + 1
    # Read afresh, the same changes are written: it was the change since the read that refused.
    annotation, _ = access.access_annotation(annotator, mine.pk, write=True)
    assert relations_mod.try_add_relation_at_once(annotation, annotator, link, version=version + 1)
    assert spans.try_delete_span_at_once(annotation, annotator, ids["Cue"], version=version + 2)
    assert spans.try_update_span_at_once(
        annotation, annotator, ids["Quote"], {"label": "Claim"}, version=version + 3
    )
    assert Span.objects.get(pk=ids["Quote"]).label == "Claim"


def test_a_reviewers_edit_of_gold_keeps_working_out_provenance(api, mine, reviewer):
    """Gold takes the locked way: a span accepted unanimously and then changed is the
    reviewer's decision."""
    from labels.models import Provenance

    gold = Annotation.objects.create(article=mine.article, is_gold=True)
    said = TEXT.index("said")
    span = Span.objects.create(
        annotation=gold,
        label="Cue",
        start=said,
        end=said + 4,
        text="said",
        provenance=Provenance.UNANIMOUS,
    )
    monday = TEXT.index("Monday")
    edited = api(reviewer).patch(
        f"/api/v1/annotations/{gold.pk}/spans/{span.pk}/",
        {"version": gold.version, "start": monday, "end": monday + 6, "text": "Monday"},
        format="json",
    )
    assert edited.status_code == 200, edited.content
    span.refresh_from_db()
    assert (span.text, span.provenance) == ("Monday", Provenance.ADJUDICATED)


def test_submit_and_skip_are_one_statement_after_the_reads(
    api, mine, annotator, project, make_article, django_assert_num_queries
):
    """Submit: 1 the annotation (and the key), 2 its spans for the required attributes, 3 one
    statement: lock the annotation if it is still as read, set the status, raise the version,
    append the history event; 4 the layer as JSON for the answer. Skip reads no spans."""
    from labels.models import HistoryAction, HistoryEvent

    client = _token_client(annotator)
    saved = client.post(f"/api/v1/annotations/{mine.pk}/spans/", _body(mine.version))
    version = saved.json()["version"]
    with django_assert_num_queries(4):
        submitted = client.post(
            f"/api/v1/annotations/{mine.pk}/submit/", {"version": version}, format="json"
        )
    assert submitted.status_code == 200, submitted.content
    answer = submitted.json()
    assert (answer["status"], answer["version"], answer["lease_expires_at"]) == (
        "submitted",
        version + 1,
        None,
    )
    assert [span["text"] for span in answer["spans"]] == ["said"]
    mine.refresh_from_db()
    assert (mine.status, mine.version) == ("submitted", version + 1)
    assert answer["submitted_at"].startswith(mine.submitted_at.strftime("%Y-%m-%dT%H:%M:%S"))
    event = HistoryEvent.objects.filter(annotation=mine).latest("id")
    assert (event.action, event.before, event.after, event.annotation_version) == (
        HistoryAction.STATUS_CHANGED,
        {"status": "draft"},
        {"status": "submitted", "reason": ""},
        version + 1,
    )
    again = client.post(
        f"/api/v1/annotations/{mine.pk}/submit/", {"version": version + 1}, format="json"
    )
    assert again.status_code == 409, again.content  # closed: the locked way says so

    other = queue.do_get_or_create_own(make_article(project, TEXT), annotator)
    url = f"/api/v1/annotations/{other.pk}/skip/"
    assert (
        client.post(url, {"version": other.version, "reason": " "}, format="json").json()["errors"][
            0
        ]["field"]
        == "reason"
    )
    with django_assert_num_queries(3):
        skipped = client.post(
            url, {"version": other.version, "reason": "Not about politics"}, format="json"
        )
    assert skipped.status_code == 200, skipped.content
    assert (skipped.json()["status"], skipped.json()["skip_reason"]) == (
        "skipped",
        "Not about politics",
    )


def test_a_submit_after_a_change_made_elsewhere_writes_nothing(api, mine, annotator):
    from django.db.models import F

    from labels import access
    from labels.models import AnnotationStatus

    annotation, _ = access.access_annotation(annotator, mine.pk, write=True)
    Annotation.objects.filter(pk=mine.pk).update(version=F("version") + 1)  # another server
    assert (
        versions.try_set_status_at_once(
            annotation, annotator, AnnotationStatus.SUBMITTED, version=annotation.version
        )
        is None
    )
    assert (annotation.status, annotation.version) == ("draft", mine.version)
    stale = api(annotator).post(
        f"/api/v1/annotations/{mine.pk}/submit/", {"version": mine.version}, format="json"
    )
    assert stale.status_code == 409 and stale.json()["current_version"] == mine.version + 1
    mine.refresh_from_db()
    assert mine.status == "draft"


# --- The next save from memory: whatever changed since is seen by the statement -----------------


def _saved_once(api, mine, annotator):
    client = api(annotator)
    response = client.post(f"/api/v1/annotations/{mine.pk}/spans/", _body(mine.version))
    assert response.status_code == 201
    return client, response.json()["version"]


def test_a_save_after_a_change_made_elsewhere_is_refused_with_the_stored_version(
    api, mine, annotator
):
    from django.db.models import F

    client, version = _saved_once(api, mine, annotator)
    Annotation.objects.filter(pk=mine.pk).update(version=F("version") + 1)  # another server
    response = client.post(f"/api/v1/annotations/{mine.pk}/spans/", _body(version, text="Monday"))
    assert response.status_code == 409
    assert response.json()["current_version"] == version + 1
    assert Span.objects.filter(annotation=mine).count() == 1


def test_a_save_after_the_project_changed_reads_it_again(api, project, mine, annotator):
    from datetime import timedelta

    from django.utils import timezone

    client, version = _saved_once(api, mine, annotator)
    project.lease_minutes = 600
    project.save(update_fields=["lease_minutes", "updated_at"])
    response = client.post(f"/api/v1/annotations/{mine.pk}/spans/", _body(version, text="Monday"))
    assert response.status_code == 201
    mine.refresh_from_db()
    assert mine.lease_expires_at > timezone.now() + timedelta(minutes=590)


def test_a_save_after_a_manager_assigned_the_draft_does_not_renew_its_lease(
    api, mine, annotator, manager
):
    client, version = _saved_once(api, mine, annotator)
    queue.do_assign(mine.article, annotator, manager)  # changes the row, not its version
    mine.refresh_from_db()
    lease = mine.lease_expires_at
    response = client.post(f"/api/v1/annotations/{mine.pk}/spans/", _body(version, text="Monday"))
    assert response.status_code == 201
    mine.refresh_from_db()
    assert mine.assigned_by == manager and mine.lease_expires_at == lease


def test_a_member_removed_since_the_last_save_gets_404_whatever_the_body(
    api, project, mine, annotator
):
    client, version = _saved_once(api, mine, annotator)
    project.memberships.filter(user=annotator).delete()
    for body in (_body(version, text="Monday"), {"version": "x"}, {}):
        response = client.post(f"/api/v1/annotations/{mine.pk}/spans/", body, format="json")
        assert response.status_code == 404, body
    assert Span.objects.filter(annotation=mine).count() == 1


def test_a_bad_body_to_a_remembered_layer_is_answered_as_any_other(api, mine, annotator):
    client, version = _saved_once(api, mine, annotator)
    bad = client.post(
        f"/api/v1/annotations/{mine.pk}/spans/",
        b'{"version": ',
        content_type="application/json",
    )
    assert bad.status_code == 400
    wrong = client.post(
        f"/api/v1/annotations/{mine.pk}/spans/", _body(version, text="said") | {"end": 1}
    )
    assert wrong.status_code == 400 and wrong.json()["errors"][0]["field"] == "end"
    assert (
        client.post(
            f"/api/v1/annotations/{mine.pk}/spans/", _body(version, text="Monday")
        ).status_code
        == 201
    )
