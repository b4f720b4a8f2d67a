"""The annotation-core endpoints (spans, relations, submit, the annotation itself) by role, and
their answers to bad input: always a 400 naming the field, a 409 for a stale version."""

from __future__ import annotations

import pytest

from labels.annotation import queue
from labels.models import Span

pytestmark = pytest.mark.django_db

TEXT = "😀 The minister said “we are ready” on Monday."


@pytest.fixture
def article(project, make_article):
    return make_article(project, TEXT)


@pytest.fixture
def mine(article, annotator):
    return queue.do_get_or_create_own(article, annotator)


def span_body(version, text="said", label="Cue", **extra):
    start = TEXT.index(text)
    return {
        "version": version,
        "start": start,
        "end": start + len(text),
        "text": text,
        "label": label,
        **extra,
    }


def errors_of(response):
    return {(e["field"], e["code"]) for e in response.json()["errors"]}


def test_annotator_adds_a_span_to_their_own_annotation(api, mine, annotator):
    response = api(annotator).post(
        f"/api/v1/annotations/{mine.pk}/spans/", span_body(mine.version), format="json"
    )
    assert response.status_code == 201, response.json()
    assert response.json()["version"] == mine.version + 1
    span = Span.objects.get(annotation=mine)
    # Code points: the emoji before it counts once.
    assert (span.start, span.text) == (TEXT.index("said"), "said")


def test_other_annotator_in_a_blind_project_gets_404(api, mine, annotator2):
    client = api(annotator2)
    assert client.get(f"/api/v1/annotations/{mine.pk}/").status_code == 404
    response = client.post(
        f"/api/v1/annotations/{mine.pk}/spans/", span_body(mine.version), format="json"
    )
    assert response.status_code == 404
    assert not Span.objects.exists()


@pytest.mark.parametrize("who", ["reviewer", "manager"])
def test_staff_read_an_analysts_annotation_but_cannot_write_it(api, mine, request, who):
    client = api(request.getfixturevalue(who))
    assert client.get(f"/api/v1/annotations/{mine.pk}/").status_code == 200
    response = client.post(
        f"/api/v1/annotations/{mine.pk}/spans/", span_body(mine.version), format="json"
    )
    assert response.status_code == 403
    assert not Span.objects.exists()


def test_outsider_gets_404_everywhere(api, mine, article, outsider, other_project):
    client = api(outsider)
    assert client.get(f"/api/v1/annotations/{mine.pk}/").status_code == 404
    assert client.get(f"/api/v1/articles/{article.pk}/annotation/").status_code == 404
    assert (
        client.post(
            f"/api/v1/annotations/{mine.pk}/submit/", {"version": 1}, format="json"
        ).status_code
        == 404
    )
    assert client.post("/api/v1/projects/desk/next/").status_code == 404


@pytest.mark.parametrize(
    ("change", "field", "code"),
    [
        ({"start": "zero"}, "start", "invalid"),
        ({"start": 0, "end": 999}, "end", "out_of_range"),
        ({"label": "Person"}, "label", "unknown_label"),
        ({"text": "sa\x00d"}, "text", "null_characters_not_allowed"),
        ({"text": "told"}, "text", "text_mismatch"),
        ({"attrs": ["direct"]}, "attrs", "not_a_dict"),
        ({"version": "one"}, "version", "invalid"),
    ],
)
def test_bad_span_input_is_a_400_naming_the_field(api, mine, annotator, change, field, code):
    body = span_body(mine.version) | change
    response = api(annotator).post(f"/api/v1/annotations/{mine.pk}/spans/", body, format="json")
    assert response.status_code == 400, response.json()
    assert (field, code) in errors_of(response)
    assert all(e["message"] for e in response.json()["errors"])
    assert not Span.objects.exists()


def test_malformed_json_is_a_400(api, mine, annotator):
    response = api(annotator).post(
        f"/api/v1/annotations/{mine.pk}/spans/",
        b'{"version": 1, "start":',
        content_type="application/json",
    )
    assert response.status_code == 400
    assert errors_of(response) == {("body", "parse_error")}


def test_a_stale_version_is_a_409_with_the_current_version(api, mine, annotator):
    client = api(annotator)
    assert (
        client.post(
            f"/api/v1/annotations/{mine.pk}/spans/", span_body(mine.version), format="json"
        ).status_code
        == 201
    )
    response = client.post(
        f"/api/v1/annotations/{mine.pk}/spans/",
        span_body(mine.version, "The minister", "Source"),
        format="json",
    )
    assert response.status_code == 409
    assert response.json()["current_version"] == mine.version + 1
    assert errors_of(response) == {("version", "stale_version")}


def test_annotation_detail_query_count(api, mine, annotator, django_assert_num_queries):
    client = api(annotator)
    client.post(f"/api/v1/annotations/{mine.pk}/spans/", span_body(mine.version), format="json")
    # 1 session, 2 user, 3 annotation with article, project and my membership, 4 annotation
    # with annotator and reviewer, 5 spans, 6 relations.
    with django_assert_num_queries(6):
        response = client.get(f"/api/v1/annotations/{mine.pk}/")
    assert [s["text"] for s in response.json()["spans"]] == ["said"]


@pytest.mark.parametrize("action, body", [("submit", {}), ("skip", {"reason": "off topic"})])
def test_the_gold_layer_is_neither_submitted_nor_skipped(
    client, project, make_article, reviewer, action, body
):
    from labels.models import Annotation

    gold = Annotation.objects.create(article=make_article(project), is_gold=True)
    client.force_login(reviewer)
    response = client.post(
        f"/api/v1/annotations/{gold.pk}/{action}/",
        {"version": gold.version, **body},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "annotation"
    gold.refresh_from_db()
    assert gold.status == "draft"


@pytest.fixture
def linked(api, mine, annotator):
    """A Quote attributed_to a Source with the first Cue as its cue, and a second Cue."""
    client = api(annotator)
    base = f"/api/v1/annotations/{mine.pk}"
    ids, version = {}, mine.version
    for text, label, attrs in [
        ("we are ready", "Quote", {"quote_type": "direct"}),
        ("The minister", "Source", {"source_type": "person"}),
        ("said", "Cue", {}),
        ("Monday", "Cue", {}),
    ]:
        body = span_body(version, text, label, attrs=attrs)
        answer = client.post(f"{base}/spans/", body, format="json").json()
        ids[text], version = answer["span"]["id"], answer["version"]
    body = {"version": version, "label": "attributed_to", "from": ids["we are ready"]}
    body |= {"to": ids["The minister"], "attrs": {"cue": ids["said"]}}
    answer = client.post(f"{base}/relations/", body, format="json").json()
    return {"ids": ids, "relation": answer["relation"]["id"], "version": answer["version"]}


def test_a_relations_cue_can_be_changed_and_the_history_says_so(api, mine, annotator, linked):
    from labels.models import HistoryAction, HistoryEvent, Relation

    url = f"/api/v1/annotations/{mine.pk}/relations/{linked['relation']}/"
    monday = linked["ids"]["Monday"]
    response = api(annotator).patch(
        url, {"version": linked["version"], "attrs": {"cue": monday}}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["version"] == linked["version"] + 1
    assert response.json()["relation"]["attrs"] == {"cue": monday}
    assert Relation.objects.get(pk=linked["relation"]).attrs == {"cue": monday}
    event = HistoryEvent.objects.filter(annotation=mine).latest("id")
    assert event.action == HistoryAction.RELATION_UPDATED
    assert (event.before["attrs"], event.after["attrs"]) == (
        {"cue": linked["ids"]["said"]},
        {"cue": monday},
    )
    # And no cue at all: it is optional.
    response = api(annotator).patch(
        url, {"version": linked["version"] + 1, "attrs": {}}, format="json"
    )
    assert response.status_code == 200, response.content
    assert Relation.objects.get(pk=linked["relation"]).attrs == {}


@pytest.mark.parametrize(
    ("attrs", "field", "code"),
    [
        ({"cue": "The minister"}, "attrs.cue", "invalid_label"),
        ({"cue": 10**9}, "attrs.cue", "not_found"),
        ({"tone": "angry"}, "attrs.tone", "unknown_attribute"),
    ],
)
def test_a_bad_relation_change_is_a_400_naming_the_field(
    api, mine, annotator, linked, attrs, field, code
):
    from labels.models import Relation

    if attrs.get("cue") == "The minister":
        attrs = {"cue": linked["ids"]["The minister"]}
    url = f"/api/v1/annotations/{mine.pk}/relations/{linked['relation']}/"
    response = api(annotator).patch(
        url, {"version": linked["version"], "attrs": attrs}, format="json"
    )
    assert response.status_code == 400, response.content
    assert (field, code) in errors_of(response), response.json()
    assert Relation.objects.get(pk=linked["relation"]).attrs == {"cue": linked["ids"]["said"]}


def test_only_the_layers_annotator_changes_its_relations(
    api, mine, linked, annotator2, reviewer, outsider
):
    from labels.models import Relation

    url = f"/api/v1/annotations/{mine.pk}/relations/{linked['relation']}/"
    body = {"version": linked["version"], "attrs": {}}
    assert api(annotator2).patch(url, body, format="json").status_code == 404  # blind project
    assert api(reviewer).patch(url, body, format="json").status_code == 403
    assert api(outsider).patch(url, body, format="json").status_code == 404
    assert Relation.objects.get(pk=linked["relation"]).attrs == {"cue": linked["ids"]["said"]}
