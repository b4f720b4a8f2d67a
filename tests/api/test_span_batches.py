"""Deleting many spans in one request (POST …/spans/delete/): what the workspace's undo of an
accept-all sends. The same checks as a single DELETE (access, version, open draft), all or
nothing, a history event per span, and a number of queries that does not grow with the spans."""

from __future__ import annotations

import pytest

from labels.annotation import queue
from labels.models import Annotation, HistoryAction, HistoryEvent, Relation, Span
from tests.support.api import errors_of

pytestmark = pytest.mark.django_db

SENTENCE = "The minister said “we are ready” on Monday. "


@pytest.fixture
def article(project, make_article):
    return make_article(project, SENTENCE * 40)


@pytest.fixture
def mine(article, annotator):
    return queue.do_get_or_create_own(article, annotator)


def add_spans(annotation, count: int) -> list[Span]:
    """``count`` sentences' Source, Cue and Quote, as an accept-all would leave them, the Quote
    of each attributed to its Source with the Cue as its cue."""
    text = annotation.article.text
    spans: list[Span] = []
    for n in range(count):
        at = n * len(SENTENCE)
        for label, words, attrs in (
            ("Source", "The minister", {}),
            ("Cue", "said", {}),
            ("Quote", "“we are ready”", {"quote_type": "direct"}),
        ):
            start = at + SENTENCE.index(words)
            assert text[start : start + len(words)] == words
            spans.append(
                Span.objects.create(
                    annotation=annotation,
                    label=label,
                    start=start,
                    end=start + len(words),
                    text=words,
                    attrs=attrs,
                )
            )
        source, cue, quote = spans[-3:]
        Relation.objects.create(
            annotation=annotation,
            label="attributed_to",
            source=quote,
            target=source,
            attrs={"cue": cue.pk},
        )
    return spans


def url(annotation) -> str:
    return f"/api/v1/annotations/{annotation.pk}/spans/delete/"


def test_deletes_the_spans_with_their_relations_and_a_history_event_each(api, mine, annotator):
    spans = add_spans(mine, 3)
    version = mine.version
    doomed = [s.pk for s in spans[:6]]  # the first two sentences' three spans
    response = api(annotator).post(
        url(mine), {"version": version, "ids": doomed, "via": "undo"}, format="json"
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["version"] == version + 6 == Annotation.objects.get(pk=mine.pk).version
    assert body["deleted"] == doomed
    assert set(Span.objects.filter(annotation=mine).values_list("pk", flat=True)) == {
        s.pk for s in spans[6:]
    }
    assert len(body["relations"]) == 2 and Relation.objects.filter(annotation=mine).count() == 1
    events = list(HistoryEvent.objects.filter(annotation=mine).order_by("annotation_version"))
    assert [(e.action, e.object_id, e.annotation_version) for e in events] == [
        (HistoryAction.SPAN_DELETED, pk, version + n) for n, pk in enumerate(doomed, start=1)
    ]
    assert all(e.after == {"via": "undo"} for e in events)
    # Each event keeps what a restore needs: the span, and the relations that went with it —
    # a relation between two of the spans with the first of them (the Source here).
    assert events[0].before["text"] == "The minister"
    assert [r["id"] for r in events[0].before["relations"]] == [body["relations"][0]]
    assert events[1].before["relations"] == [] and events[2].before["relations"] == []


def test_a_cue_deleted_alone_leaves_its_relation_without_the_cue(api, mine, annotator):
    source, cue, quote = add_spans(mine, 1)
    response = api(annotator).post(
        url(mine), {"version": mine.version, "ids": [cue.pk]}, format="json"
    )
    assert response.status_code == 200, response.content
    relation = Relation.objects.get(annotation=mine)
    assert (relation.source_id, relation.target_id, relation.attrs) == (quote.pk, source.pk, {})
    assert response.json()["relations"] == []


def test_one_id_that_is_not_a_span_of_the_annotation_deletes_nothing_and_is_named(
    api, mine, annotator, make_article, project
):
    spans = add_spans(mine, 2)
    elsewhere = add_spans(queue.do_get_or_create_own(make_article(project, SENTENCE), annotator), 1)
    version = mine.version
    ids = [spans[0].pk, elsewhere[0].pk, spans[1].pk, spans[0].pk]
    response = api(annotator).post(url(mine), {"version": version, "ids": ids}, format="json")
    assert response.status_code == 400
    assert errors_of(response) == {("ids.1", "not_found"), ("ids.3", "duplicate")}
    messages = [e["message"] for e in response.json()["errors"]]
    assert f"Span {elsewhere[0].pk} is not in this annotation" in messages[0]
    assert Span.objects.filter(annotation=mine).count() == 6
    assert Annotation.objects.get(pk=mine.pk).version == version
    assert not HistoryEvent.objects.filter(annotation=mine).exists()


@pytest.mark.parametrize(
    ("body", "field", "code"),
    [
        ({"ids": []}, "ids", "empty"),
        ({"ids": ["x"]}, "ids", "invalid"),
        ({"ids": [2**63]}, "ids", "max_value"),  # no bigint: refused before the database
        ({"ids": [1]}, "version", "required"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(api, mine, annotator, body, field, code):
    body = {"version": mine.version} | body if field != "version" else body
    response = api(annotator).post(url(mine), body, format="json")
    assert response.status_code == 400
    assert (field, code) in {(f.split(".")[0], c) for f, c in errors_of(response)}


def test_a_stale_version_is_a_409_and_deletes_nothing(api, mine, annotator):
    spans = add_spans(mine, 1)
    response = api(annotator).post(
        url(mine), {"version": mine.version + 1, "ids": [spans[0].pk]}, format="json"
    )
    assert response.status_code == 409
    assert errors_of(response) == {("version", "stale_version")}
    assert Span.objects.filter(annotation=mine).count() == 3


def test_an_outsider_gets_404_and_a_reviewer_without_the_layer_403(api, mine, outsider, reviewer):
    spans = add_spans(mine, 1)
    body = {"version": mine.version, "ids": [s.pk for s in spans]}
    assert api(outsider).post(url(mine), body, format="json").status_code == 404
    assert api(reviewer).post(url(mine), body, format="json").status_code == 403
    assert Span.objects.filter(annotation=mine).count() == 3


def test_a_submitted_annotation_refuses(api, mine, annotator):
    spans = add_spans(mine, 1)
    Annotation.objects.filter(pk=mine.pk).update(status="submitted")
    response = api(annotator).post(
        url(mine), {"version": mine.version, "ids": [spans[0].pk]}, format="json"
    )
    assert response.status_code == 409, response.content
    assert Span.objects.filter(annotation=mine).count() == 3


@pytest.mark.parametrize("sentences", [2, 40])
def test_the_queries_do_not_grow_with_the_spans(
    api, mine, annotator, sentences, django_assert_num_queries
):
    spans = add_spans(mine, sentences)
    mine.refresh_from_db()
    client = api(annotator)
    body = {"version": mine.version, "ids": [s.pk for s in spans]}
    # 1 session, 2 user, 3 SAVEPOINT, 4 the annotation locked with its article, project and my
    # membership, 5 the spans, 6 the relations touching them, 7 the relations naming one of them
    # as their cue (none but those: nothing to write), 8 one statement deleting the spans, the
    # relations and the review's rejections, 9 the history events, 10 the annotation's
    # version, 11 RELEASE SAVEPOINT.
    with django_assert_num_queries(11):
        response = client.post(url(mine), body, format="json")
    assert response.status_code == 200, response.content
    assert not Span.objects.filter(annotation=mine).exists()
    assert HistoryEvent.objects.filter(annotation=mine).count() == 3 * sentences
