"""The annotation-core endpoints (spans, relations, submit, the annotation itself, assigning an
article) by role, and their answers to bad input: always a 400 naming the field, a 409 for a
stale version; and the draft/submit rule for required attributes."""

from __future__ import annotations

import pytest

from labels.annotation import queue
from labels.models import Annotation, AnnotationStatus, Role, Span
from tests.support.api import errors_of

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
    # 1 session, 2 user, 3 annotation with article, project and my membership, 4 one
    # statement: the annotation as JSON with its spans and relations, built by PostgreSQL.
    with django_assert_num_queries(4):
        response = client.get(f"/api/v1/annotations/{mine.pk}/")
    assert [s["text"] for s in response.json()["spans"]] == ["said"]
    assert response.json() == _as_serialized(mine)


def _as_serialized(annotation) -> dict:
    """The annotation as AnnotationSerializer writes it (the documented contract)."""
    import json

    from rest_framework.renderers import JSONRenderer

    from labels.api.outputs import AnnotationSerializer

    annotation = Annotation.objects.select_related("annotator", "reviewer").get(pk=annotation.pk)
    return json.loads(JSONRenderer().render(AnnotationSerializer(annotation).data))


def test_starting_an_annotation_answers_the_serializers_json(
    api, article, annotator, django_assert_num_queries
):
    client = api(annotator)
    started = client.post(f"/api/v1/articles/{article.pk}/annotation/")
    assert started.status_code == 200 and started["Content-Type"] == "application/json"
    mine = Annotation.objects.get(article=article, annotator=annotator)
    assert started.json() == _as_serialized(mine)
    for body in (
        span_body(1, "😀", "Claim", attrs={"checkworthy": "yes"}, client_id="0" * 31 + "1"),
        span_body(2, "“we are ready”", "Quote", attrs={"quote_type": "direct"}),
        span_body(3, "The minister", "Source"),
    ):
        response = client.post(f"/api/v1/annotations/{mine.pk}/spans/", body, format="json")
        assert response.status_code == 201, response.content
    quote, source = Span.objects.filter(annotation=mine, label__in=["Quote", "Source"]).order_by(
        "label"
    )
    relation = {"version": 4, "label": "attributed_to", "from": quote.pk, "to": source.pk}
    response = client.post(f"/api/v1/annotations/{mine.pk}/relations/", relation, format="json")
    assert response.status_code == 201, response.content
    # Resuming: 1 session, 2 user, 3 one statement: the article, my membership of its project,
    # and my layer of it as JSON with its spans and relations.
    with django_assert_num_queries(3):
        resumed = client.post(f"/api/v1/articles/{article.pk}/annotation/")
    assert resumed.json() == _as_serialized(mine)
    assert [s["text"] for s in resumed.json()["spans"]] == ["😀", "The minister", "“we are ready”"]
    assert client.get(f"/api/v1/articles/{article.pk}/annotation/").json() == resumed.json()


def test_my_annotation_of_an_article_i_have_not_started_is_404(api, article, annotator):
    response = api(annotator).get(f"/api/v1/articles/{article.pk}/annotation/")
    assert response.status_code == 404
    assert not Annotation.objects.exists()


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


# --- required attributes: optional in a draft, required to submit ------------------------------


def test_draft_takes_a_quote_without_quote_type_but_submit_names_it(
    client, project, annotator, make_article
):
    article = make_article(project, "He said “no”.")
    annotation = queue.do_get_or_create_own(article, annotator)
    client.force_login(annotator)
    start = article.text.index("no")
    response = client.post(
        f"/api/v1/annotations/{annotation.pk}/spans/",
        {"version": 1, "start": start, "end": start + 2, "text": "no", "label": "Quote"},
        content_type="application/json",
    )
    assert response.status_code == 201
    span_id = response.json()["span"]["id"]
    response = client.post(
        f"/api/v1/annotations/{annotation.pk}/submit/",
        {"version": 2},
        content_type="application/json",
    )
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["field"] == f"spans.{span_id}.attrs.quote_type"
    assert error["code"] == "required"
    assert "Quote “no”" in error["message"]
    annotation.refresh_from_db()
    assert annotation.status == AnnotationStatus.DRAFT and annotation.version == 2

    client.patch(
        f"/api/v1/annotations/{annotation.pk}/spans/{span_id}/",
        {"version": 2, "attrs": {"quote_type": "direct"}},
        content_type="application/json",
    )
    response = client.post(
        f"/api/v1/annotations/{annotation.pk}/submit/",
        {"version": 3},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json()["status"] == "submitted"


def test_wrong_attribute_value_is_still_refused_in_a_draft(
    client, project, annotator, make_article
):
    article = make_article(project, "He said “no”.")
    annotation = queue.do_get_or_create_own(article, annotator)
    client.force_login(annotator)
    start = article.text.index("no")
    response = client.post(
        f"/api/v1/annotations/{annotation.pk}/spans/",
        {
            "version": 1,
            "start": start,
            "end": start + 2,
            "text": "no",
            "label": "Quote",
            "attrs": {"quote_type": "shouted"},
        },
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "attrs.quote_type"
    assert not annotation.spans.exists()


# --- assigning ---------------------------------------------------------------------------------


def assign(client, article, **body):
    return client.post(
        f"/api/v1/articles/{article.pk}/assign/", body, content_type="application/json"
    )


def test_manager_assigns_an_article_to_a_member(client, project, manager, annotator, make_article):
    article = make_article(project)
    client.force_login(manager)
    response = assign(client, article, username=annotator.username)
    assert response.status_code == 201
    body = response.json()
    annotation = Annotation.objects.get(article=article, annotator=annotator)
    assert body == {
        "id": annotation.pk,
        "article": article.pk,
        "username": "ana",
        "status": "draft",
        "assigned_by": "mara",
        "version": 1,
    }
    assert annotation.assigned_by == manager
    assert annotation in queue.open_drafts(project, annotator)
    # Assigning again is harmless and says so with 200.
    assert assign(client, article, username=annotator.username).status_code == 200
    assert Annotation.objects.filter(article=article, annotator=annotator).count() == 1


def test_assigning_marks_an_existing_leased_draft_as_assigned(
    client, project, manager, annotator, make_article
):
    article = make_article(project)
    draft = queue.do_get_or_create_own(article, annotator)
    client.force_login(manager)
    assert assign(client, article, username="ana").status_code == 200
    draft.refresh_from_db()
    assert draft.assigned_by == manager


def test_annotator_may_not_assign_and_outsider_sees_nothing(
    client, project, annotator, reviewer, outsider, other_project, make_article
):
    article = make_article(project)
    for user in (annotator, reviewer):
        client.force_login(user)
        response = assign(client, article, username=annotator.username)
        assert response.status_code == 403
        assert response.json()["errors"][0]["code"] == "permission_denied"
    client.force_login(outsider)
    assert assign(client, article, username=annotator.username).status_code == 404
    assert not Annotation.objects.filter(article=article).exists()


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({}, "required"),
        ({"username": ""}, "blank"),
        ({"username": "nobody"}, "not_member"),
        ({"username": "otto"}, "not_member"),  # a user, but of another project
    ],
)
def test_assign_refuses_bad_usernames_with_400(
    client, project, manager, outsider, make_article, body, code
):
    article = make_article(project)
    client.force_login(manager)
    response = assign(client, article, **body)
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert (error["field"], error["code"]) == ("username", code)
    assert not Annotation.objects.filter(article=article).exists()


def test_assign_refuses_a_full_article_unless_forced(
    client, make_project, manager, annotator, annotator2, make_article
):
    project = make_project(
        "solo",
        annotators_per_article=1,
        members={manager: Role.MANAGER, annotator: Role.ANNOTATOR, annotator2: Role.ANNOTATOR},
    )
    article = make_article(project)
    queue.do_get_or_create_own(article, annotator2)
    client.force_login(manager)
    response = assign(client, article, username="ana")
    assert response.status_code == 409  # a conflict with the article's state, as on the page
    assert response.json()["errors"][0]["field"] == "username"
    assert response.json()["errors"][0]["code"] == "article_full"
    assert assign(client, article, username="ana", force=True).status_code == 201


def test_starting_an_annotation_costs_three_statements(
    api, article, annotator, django_assert_num_queries
):
    from rest_framework.test import APIClient

    from labels.api.auth import issue_token

    script = APIClient()
    script.credentials(HTTP_AUTHORIZATION=f"Token {issue_token(annotator)[0]}")
    url = f"/api/v1/articles/{article.pk}/annotation/"
    assert script.get(url).status_code == 404  # not started; the process knows the key now
    # 1 the key checked, with my membership of the article's project and my layer of it (none
    # yet), 2 labels_start_annotation: my membership and the article locked, the seats and my
    # drafts counted, the draft inserted, 3 the new layer as JSON.
    with django_assert_num_queries(3):
        started = script.post(url)
    assert started.status_code == 200, started.content
    mine = Annotation.objects.get(article=article, annotator=annotator)
    assert started.json() == _as_serialized(mine)
    # Resuming, with the key: one statement.
    with django_assert_num_queries(1):
        resumed = script.post(url)
    assert resumed.json() == started.json()
