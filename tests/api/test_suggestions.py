"""The suggestions API: what I am offered on my annotation, accepting (one, a relation, all),
rejecting, who may do what, the HTTP suggester's failures as managers see them, the project's
suggester settings and check, the export, and the evaluation command on the seed gold."""

from __future__ import annotations

import io
import json
import uuid

import pytest
from django.core.management import CommandError, call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from labels.annotation import queue, spans, versions
from labels.interop.exporting import prepare_export
from labels.interop.importing import do_import
from labels.models import (
    AnnotationStatus,
    HistoryEvent,
    Origin,
    RejectedSuggestion,
    Relation,
    Role,
    Span,
    Suggesters,
    SuggestionSet,
)
from labels.suggestions import actions, combine, proposals
from tests.support.api import errors_of
from tests.support.paths import ROOT
from tests.support.suggester_server import span

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("fresh_suggester_caches", "suggester_settings"),
]

TEXT = "The Kremlin said “we are ready to talk” on Monday."
QUOTE, CUE, SOURCE = "Quote:18:38", "Cue:12:16", "Source:0:11"


@pytest.fixture
def article(project, make_article):
    return make_article(project, TEXT, external_id="kremlin-1")


@pytest.fixture
def mine(article, annotator):
    return queue.do_get_or_create_own(article, annotator)


@pytest.fixture
def theirs(article, annotator2):
    return queue.do_get_or_create_own(article, annotator2)


def url(article):
    return f"/api/v1/articles/{article.pk}/suggestions/"


def action(annotation, name):
    return f"/api/v1/annotations/{annotation.pk}/suggestions/{name}/"


def keys(body):
    return [s["key"] for s in body["spans"]]


def version(annotation):
    annotation.refresh_from_db()
    return annotation.version


# --- GET ---------------------------------------------------------------------------------------


def test_annotator_gets_suggestions_for_their_annotation(api, article, mine, annotator):
    response = api(annotator).get(url(article))
    assert response.status_code == 200
    body = response.json()
    assert (body["annotation"], body["version"]) == (mine.pk, mine.version)
    assert keys(body) == [SOURCE, CUE, QUOTE]
    assert body["spans"][2] == {
        "key": QUOTE,
        "label": "Quote",
        "start": 18,
        "end": 38,
        "text": "we are ready to talk",
        "attrs": {"quote_type": "direct"},
        "confidence": 0.85,
        "rule": "quote:curly",
        "source": "builtin",
        "sources": ["builtin"],
    }
    assert body["relations"] == [
        {
            "label": "attributed_to",
            "from": QUOTE,
            "to": SOURCE,
            "attrs": {"cue": CUE},
            "confidence": 0.75,
            "rule": "relation:cue",
            "source": "builtin",
            "from_span": None,
            "to_span": None,
        }
    ]
    assert "problems" not in body


def test_no_annotation_of_mine_is_404(api, article, annotator, reviewer):
    assert api(annotator).get(url(article)).status_code == 404
    assert api(reviewer).get(url(article)).status_code == 404


def test_outsider_and_anonymous_get_nothing(api, article, mine, outsider, other_project):
    assert api(outsider).get(url(article)).status_code == 404
    assert api().get(url(article)).status_code == 401


def test_get_query_count(
    api, project, article, mine, annotator, make_article, django_assert_num_queries
):
    spans.do_add_span(
        mine,
        annotator,
        {"label": "Cue", "start": 12, "end": 16, "text": "said"},
        version=mine.version,
    )
    RejectedSuggestion.objects.create(annotation=mine, label="Source", start=0, end=11)
    SuggestionSet.objects.create(
        article=article, source="import", spans=[{"id": "x", **span(TEXT, "Monday", "Claim")}]
    )
    client = api(annotator)
    client.get(url(article))  # the built-in result is cached from here on
    # 1 session, 2 user, 3 article+project, 4 membership, 5 my annotation, 6 its spans,
    # 7 its relations, 8 my rejections, 9 the article's imported suggestion sets.
    with django_assert_num_queries(9):
        response = client.get(url(article))
    assert keys(response.json()) == [QUOTE, "Claim:43:49"]
    # More text, more suggestions: the same queries.
    longer = make_article(project, " ".join([TEXT] * 40), external_id="long")
    queue.do_get_or_create_own(longer, annotator)
    client.get(url(longer))
    # And 10 the speaker registry, as Sources are suggested here (it is empty, so no linked
    # Sources are read).
    with django_assert_num_queries(10):
        assert len(client.get(url(longer)).json()["spans"]) == 120


# --- The HTTP suggester through the API ------------------------------------------------------


def use_http(project, server_url, mode=Suggesters.BOTH):
    project.suggester_url = server_url
    project.suggesters = mode
    project.save()


@pytest.fixture
def manager_layer(article, manager):
    return queue.do_get_or_create_own(article, manager)


@pytest.mark.parametrize(
    ("answer", "status", "delay", "code"),
    [
        (b"not json at all", 200, 0, "not_json"),
        ({"detail": "internal error"}, 500, 0, "bad_status"),
        ({"spans": []}, 200, 1.5, "timeout"),
        (
            {"spans": [{"label": "Claim", "start": 40, "end": 400, "text": "x"}]},
            200,
            0,
            "invalid_item",
        ),
        ({"spans": [span(TEXT, "Monday", "Weekday")]}, 200, 0, "invalid_item"),
    ],
)
def test_http_failures_keep_the_page_working_and_managers_see_them(
    api,
    project,
    article,
    mine,
    manager_layer,
    annotator,
    manager,
    suggester_server,
    answer,
    status,
    delay,
    code,
):
    suggester_server.answer(answer, status=status)
    suggester_server.delay = delay
    use_http(project, suggester_server.url)
    as_annotator = api(annotator).get(url(article))
    assert as_annotator.status_code == 200
    assert keys(as_annotator.json()) == [SOURCE, CUE, QUOTE]
    assert "problems" not in as_annotator.json()
    as_manager = api(manager).get(url(article))
    assert as_manager.status_code == 200
    assert keys(as_manager.json()) == [SOURCE, CUE, QUOTE]
    assert [(p["source"], p["code"]) for p in as_manager.json()["problems"]] == [("http", code)]


def test_http_suggestions_show_and_accept_with_their_origin(
    api, project, article, mine, annotator, manager, manager_layer, suggester_server
):
    suggester_server.answer(
        {"spans": [span(TEXT, "ready to talk", "Claim", confidence=0.55, rule="claims-v2")]}
    )
    use_http(project, suggester_server.url, Suggesters.HTTP)
    assert keys(api(manager).get(url(article)).json()) == ["Claim:25:38"]
    assert api(manager).get(url(article)).json()["problems"] == []
    response = api(annotator).post(
        action(mine, "accept"), {"key": "Claim:25:38", "version": mine.version}, format="json"
    )
    assert response.status_code == 201
    created = Span.objects.get(pk=response.json()["span"]["id"])
    assert created.origin_detail == {"rule": "claims-v2", "confidence": 0.55, "source": "http"}


# --- Accept ------------------------------------------------------------------------------------


def test_accept_creates_a_suggested_span(api, article, mine, annotator):
    client = api(annotator)
    response = client.post(
        action(mine, "accept"), {"key": QUOTE, "version": mine.version}, format="json"
    )
    assert response.status_code == 201
    body = response.json()
    assert body["version"] == mine.version + 1
    assert body["span"] | {"id": 0} == {
        "id": 0,
        "label": "Quote",
        "start": 18,
        "end": 38,
        "text": "we are ready to talk",
        "attrs": {"quote_type": "direct"},
        "origin": "suggested",
        "provenance": "",
        "agreed_by": [],
        "client_id": None,
    }
    span_row = Span.objects.get(annotation=mine)
    assert span_row.origin == Origin.SUGGESTED
    assert span_row.origin_detail == {
        "rule": "quote:curly",
        "confidence": 0.85,
        "source": "builtin",
    }
    assert HistoryEvent.objects.filter(annotation=mine, object_id=span_row.pk).count() == 1
    # It is a span now, no longer a suggestion.
    assert QUOTE not in keys(client.get(url(article)).json())


def test_accept_by_label_and_offsets_with_attributes(api, article, mine, annotator):
    response = api(annotator).post(
        action(mine, "accept"),
        {
            "label": "Quote",
            "start": 18,
            "end": 38,
            "attrs": {"quote_type": "mixed"},
            "version": mine.version,
        },
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["span"]["attrs"] == {"quote_type": "mixed"}


def test_accept_retried_with_the_same_client_id_is_one_span(api, article, mine, annotator):
    client = api(annotator)
    payload = {"key": CUE, "version": mine.version, "client_id": str(uuid.uuid4())}
    first = client.post(action(mine, "accept"), payload, format="json")
    again = client.post(action(mine, "accept"), payload, format="json")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["span"]["id"] == again.json()["span"]["id"]
    assert Span.objects.filter(annotation=mine).count() == 1


def test_accept_with_a_stale_version_is_409(api, article, mine, annotator):
    client = api(annotator)
    client.post(action(mine, "accept"), {"key": CUE, "version": mine.version}, format="json")
    response = client.post(
        action(mine, "accept"), {"key": QUOTE, "version": mine.version}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["current_version"] == mine.version + 1


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ({"key": "Quote:0:3"}, {("key", "not_suggested")}),
        ({"key": "Quote-18-38"}, {("key", "invalid")}),
        ({"label": "Quote"}, {("start", "required"), ("end", "required")}),
        ({}, {("label", "required"), ("start", "required"), ("end", "required")}),
        ({"key": QUOTE, "attrs": {"quote_type": "sung"}}, {("attrs.quote_type", "invalid_choice")}),
        ({"key": QUOTE, "attrs": "direct"}, {("attrs", "not_a_dict")}),
        ({"key": QUOTE, "client_id": "nope"}, {("client_id", "invalid")}),
    ],
)
def test_bad_accepts_are_400_naming_the_field(api, article, mine, annotator, payload, expected):
    response = api(annotator).post(
        action(mine, "accept"), {"version": mine.version, **payload}, format="json"
    )
    assert response.status_code == 400
    assert errors_of(response) == expected
    assert not Span.objects.filter(annotation=mine).exists()


def test_accept_without_version_is_400(api, article, mine, annotator):
    response = api(annotator).post(action(mine, "accept"), {"key": QUOTE}, format="json")
    assert (response.status_code, errors_of(response)) == (400, {("version", "required")})


def test_accept_on_a_submitted_annotation_is_409(api, article, mine, annotator):
    versions.do_set_status(mine, annotator, AnnotationStatus.SUBMITTED, version=mine.version)
    response = api(annotator).post(
        action(mine, "accept"), {"key": QUOTE, "version": version(mine)}, format="json"
    )
    assert (response.status_code, errors_of(response)) == (409, {("status", "closed")})


# --- Who may write -----------------------------------------------------------------------------


WRITES = [
    ("accept", {"key": QUOTE}),
    ("accept-all", {}),
    ("reject", {"key": QUOTE}),
    ("accept-relation", {"label": "attributed_to", "from": QUOTE, "to": SOURCE}),
]


@pytest.mark.parametrize(("name", "payload"), WRITES)
def test_nobody_writes_into_another_analysts_annotation(
    api, project, article, theirs, annotator, outsider, reviewer, name, payload
):
    body = {"version": theirs.version, **payload}
    # Blind project: another analyst's annotation does not exist for me.
    assert api(annotator).post(action(theirs, name), body, format="json").status_code == 404
    assert api(outsider).post(action(theirs, name), body, format="json").status_code == 404
    # Staff see it, but it is not theirs.
    assert api(reviewer).post(action(theirs, name), body, format="json").status_code == 403
    # Open project: annotators see each other's work, still may not change it.
    project.blind = False
    project.save()
    assert api(annotator).post(action(theirs, name), body, format="json").status_code == 403
    assert not Span.objects.filter(annotation=theirs).exists()
    assert not RejectedSuggestion.objects.filter(annotation=theirs).exists()


def test_suggestions_do_not_go_into_the_gold_layer(api, article, reviewer):
    from labels.models import Annotation

    gold = Annotation.objects.create(article=article, is_gold=True)
    response = api(reviewer).post(
        action(gold, "accept"), {"key": QUOTE, "version": gold.version}, format="json"
    )
    assert (response.status_code, errors_of(response)) == (400, {("annotation", "not_allowed")})


# --- Reject ------------------------------------------------------------------------------------


def test_reject_hides_it_for_that_analyst_only(api, article, mine, theirs, annotator, annotator2):
    client = api(annotator)
    before = version(mine)
    response = client.post(action(mine, "reject"), {"key": QUOTE}, format="json")
    assert response.status_code == 201
    assert response.json() == {
        "key": QUOTE,
        "label": "Quote",
        "start": 18,
        "end": 38,
        "version": before,
    }
    assert version(mine) == before  # a rejection does not make other saves stale
    assert keys(client.get(url(article)).json()) == [SOURCE, CUE]
    # The relation needed the quote: gone for me too.
    assert client.get(url(article)).json()["relations"] == []
    # Ben still sees it.
    assert keys(api(annotator2).get(url(article)).json()) == [SOURCE, CUE, QUOTE]
    # Rejecting again changes nothing, by key or by label and offsets.
    again = client.post(
        action(mine, "reject"), {"label": "Quote", "start": 18, "end": 38}, format="json"
    )
    assert again.status_code == 200
    assert RejectedSuggestion.objects.filter(annotation=mine).count() == 1


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ({"label": "Quote", "start": 18, "end": 999}, {("end", "out_of_range")}),
        ({"label": "Quote", "start": 20, "end": 20}, {("end", "empty")}),
        ({"label": "Quote", "start": -1, "end": 5}, {("start", "min_value")}),
        ({"label": "Q" * 51, "start": 1, "end": 5}, {("label", "max_length")}),
        ({"start": 1, "end": 5}, {("label", "required")}),
        ({"label": "Weekday", "start": 1, "end": 5}, {("label", "unknown_label")}),
        ({"key": ["Quote"]}, {("key", "invalid")}),
    ],
)
def test_bad_rejects_are_400_naming_the_field(api, article, mine, annotator, payload, expected):
    response = api(annotator).post(action(mine, "reject"), payload, format="json")
    assert response.status_code == 400
    assert errors_of(response) == expected


# --- Accept a relation, accept all -------------------------------------------------------------


def test_accept_relation_once_both_ends_are_spans(api, article, mine, annotator):
    client = api(annotator)
    rel = {"label": "attributed_to", "from": QUOTE, "to": SOURCE}
    early = client.post(
        action(mine, "accept-relation"), {**rel, "version": mine.version}, format="json"
    )
    assert (early.status_code, errors_of(early)) == (400, {("from", "not_accepted")})
    for key in (QUOTE, SOURCE, CUE):
        client.post(action(mine, "accept"), {"key": key, "version": version(mine)}, format="json")
    (suggested,) = client.get(url(article)).json()["relations"]
    quote = Span.objects.get(annotation=mine, label="Quote")
    source = Span.objects.get(annotation=mine, label="Source")
    cue = Span.objects.get(annotation=mine, label="Cue")
    assert (suggested["from_span"], suggested["to_span"]) == (quote.pk, source.pk)
    payload = {**rel, "version": version(mine), "client_id": str(uuid.uuid4())}
    response = client.post(action(mine, "accept-relation"), payload, format="json")
    assert response.status_code == 201
    relation = Relation.objects.get(annotation=mine)
    assert (relation.source_id, relation.target_id, relation.attrs) == (
        quote.pk,
        source.pk,
        {"cue": cue.pk},
    )
    assert response.json()["relation"]["from"] == quote.pk
    assert client.get(url(article)).json()["relations"] == []
    # A retry whose answer was lost: the same relation, not a 400 for "no longer suggested".
    retried = client.post(action(mine, "accept-relation"), payload, format="json")
    assert (retried.status_code, retried.json()["relation"]["id"]) == (200, relation.pk)
    unknown = client.post(
        action(mine, "accept-relation"),
        {"label": "held_by", "from": QUOTE, "to": SOURCE, "version": version(mine)},
        format="json",
    )
    assert (unknown.status_code, errors_of(unknown)) == (400, {("label", "not_suggested")})


def test_accept_all_takes_every_span_and_relation(api, article, mine, annotator):
    response = api(annotator).post(
        action(mine, "accept-all"), {"version": mine.version}, format="json"
    )
    assert response.status_code == 200
    body = response.json()
    assert [s["label"] for s in body["spans"]] == ["Source", "Cue", "Quote"]
    assert [r["label"] for r in body["relations"]] == ["attributed_to"]
    assert (body["skipped"], body["skipped_relations"]) == ([], [])
    assert body["version"] == mine.version + 4 == version(mine)
    assert set(Span.objects.filter(annotation=mine).values_list("origin", flat=True)) == {
        Origin.SUGGESTED
    }
    assert Relation.objects.get(annotation=mine).attrs == {
        "cue": Span.objects.get(annotation=mine, label="Cue").pk
    }
    after = api(annotator).get(url(article)).json()
    assert (after["spans"], after["relations"]) == ([], [])


def test_accept_all_above_a_confidence(api, article, mine, annotator):
    response = api(annotator).post(
        action(mine, "accept-all"), {"version": mine.version, "min_confidence": 0.8}, format="json"
    )
    body = response.json()
    # Source (0.7) stays a suggestion, so the relation to it is not created.
    assert [s["label"] for s in body["spans"]] == ["Cue", "Quote"]
    assert body["relations"] == []
    assert keys(api(annotator).get(url(article)).json()) == [SOURCE]


def test_accept_all_skips_and_reports_what_the_checks_refuse(article, mine, annotator):
    current = combine.suggestions_for(article, mine)
    # Between computing the suggestions and taking the lock, the analyst drew the Cue by hand.
    spans.do_add_span(
        mine,
        annotator,
        {"label": "Cue", "start": 12, "end": 16, "text": "said"},
        version=mine.version,
    )
    done = actions.do_accept_all(mine, annotator, current, version=version(mine))
    assert [s.label for s in done.spans] == ["Source", "Quote"]
    assert done.skipped == [
        {
            "key": CUE,
            "errors": [
                {
                    "field": "start",
                    "code": "duplicate",
                    "message": "There is already a Cue span on exactly this text.",
                }
            ],
        }
    ]
    # The relation is still made: its cue is the hand-drawn span.
    assert len(done.relations) == 1
    assert Span.objects.filter(annotation=mine).count() == 3


def test_accept_all_with_a_stale_version_writes_nothing(api, article, mine, annotator):
    response = api(annotator).post(
        action(mine, "accept-all"), {"version": mine.version + 5}, format="json"
    )
    assert response.status_code == 409
    assert not Span.objects.filter(annotation=mine).exists()


@pytest.mark.parametrize(
    ("payload", "field"),
    [({"min_confidence": 2}, "min_confidence"), ({"min_confidence": "high"}, "min_confidence")],
)
def test_bad_accept_all_is_400(api, article, mine, annotator, payload, field):
    response = api(annotator).post(
        action(mine, "accept-all"), {"version": mine.version, **payload}, format="json"
    )
    assert response.status_code == 400
    assert {f for f, _ in errors_of(response)} == {field}


# --- Export ------------------------------------------------------------------------------------


def test_suggestions_never_reach_the_export_unless_accepted(
    api, project, article, mine, theirs, annotator, annotator2
):
    SuggestionSet.objects.create(
        article=article, source="import", spans=[{"id": "x", **span(TEXT, "Monday", "Claim")}]
    )
    client = api(annotator2)
    assert keys(client.get(url(article)).json())  # there are suggestions
    client.post(action(theirs, "accept"), {"key": QUOTE, "version": theirs.version}, format="json")
    for annotation, user in ((mine, annotator), (theirs, annotator2)):
        versions.do_set_status(
            annotation, user, AnnotationStatus.SUBMITTED, version=version(annotation)
        )
    data = b"".join(prepare_export(project, {"format": "native", "layer": "annotators"}))
    records = {r["layer"]: r for r in map(json.loads, data.decode().splitlines())}
    assert records["ana"]["spans"] == []
    assert [(s["label"], s["text"]) for s in records["ben"]["spans"]] == [
        ("Quote", "we are ready to talk")
    ]


# --- Project settings and the suggester check --------------------------------------------------

PROJECT = "/api/v1/projects/desk/"
CHECK = "/api/v1/projects/desk/suggester/check/"


def test_manager_sets_the_suggester(api, project, manager, annotator):
    response = api(manager).patch(
        PROJECT,
        {"suggester_url": "http://127.0.0.1:9000/suggest", "suggesters": "http"},
        format="json",
    )
    assert response.status_code == 200
    assert (response.json()["suggester_url"], response.json()["suggesters"]) == (
        "http://127.0.0.1:9000/suggest",
        "http",
    )
    project.refresh_from_db()
    assert (project.suggester_url, project.suggesters) == ("http://127.0.0.1:9000/suggest", "http")
    # Members see which suggesters run, not where the server is.
    seen = api(annotator).get(PROJECT).json()
    assert (seen["suggesters"], seen["suggester_url"]) == ("http", None)


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ({"suggester_url": "http://169.254.169.254/latest/"}, ("suggester_url", "refused_address")),
        ({"suggester_url": "http://[::ffff:a9fe:a9fe]/"}, ("suggester_url", "refused_address")),
        ({"suggester_url": "file:///etc/passwd"}, ("suggester_url", "invalid")),
        ({"suggester_url": 42}, ("suggester_url", "invalid")),
        ({"suggesters": "all"}, ("suggesters", "invalid_choice")),
        ({"suggesters": "http"}, ("suggesters", "required")),
        ({"suggesters": "http", "suggester_url": ""}, ("suggesters", "required")),
    ],
)
def test_bad_suggester_settings_are_400(api, project, manager, payload, expected):
    response = api(manager).patch(PROJECT, payload, format="json")
    assert response.status_code == 400
    assert errors_of(response) == {expected}
    project.refresh_from_db()
    assert (project.suggester_url, project.suggesters) == ("", "both")


def test_clearing_the_url_of_an_http_only_project_is_400(api, project, manager):
    use_http(project, "http://127.0.0.1:9000/", Suggesters.HTTP)
    response = api(manager).patch(PROJECT, {"suggester_url": ""}, format="json")
    assert errors_of(response) == {("suggester_url", "required")}


def test_only_managers_set_the_suggester(api, project, reviewer, outsider, other_project):
    payload = {"suggester_url": "http://127.0.0.1:9000/"}
    assert api(reviewer).patch(PROJECT, payload, format="json").status_code == 403
    assert api(outsider).patch(PROJECT, payload, format="json").status_code == 404
    project.refresh_from_db()
    assert project.suggester_url == ""


def test_check_reports_a_working_suggester(api, project, manager, suggester_server):
    suggester_server.answer({"spans": [span(proposals.CHECK_TEXT, "said", "Cue")]})
    use_http(project, suggester_server.url)
    body = api(manager).get(CHECK).json()
    assert body["ok"] is True and body["configured"] is True
    assert (body["status"], body["spans"], body["relations"], body["problems"]) == (200, 1, 0, [])
    assert 0 <= body["latency_ms"] < 300
    (request,) = suggester_server.requests
    assert request["json"]["article"]["text"] == proposals.CHECK_TEXT


def test_check_reports_a_failing_suggester(api, project, manager, suggester_server):
    suggester_server.answer({"error": "model not loaded"}, status=503)
    use_http(project, suggester_server.url)
    body = api(manager).get(CHECK).json()
    assert (body["ok"], body["status"]) == (False, 503)
    assert [p["code"] for p in body["problems"]] == ["bad_status"]


def test_check_without_a_url_says_so(api, project, manager):
    body = api(manager).get(CHECK).json()
    assert (body["configured"], body["ok"]) == (False, False)
    assert [p["code"] for p in body["problems"]] == ["not_configured"]


def test_check_is_for_managers(api, project, annotator, reviewer, outsider, other_project):
    assert api(annotator).get(CHECK).status_code == 403
    assert api(reviewer).get(CHECK).status_code == 403
    assert api(outsider).get(CHECK).status_code == 404


# --- evaluate_suggestions ------------------------------------------------------------------------


@pytest.fixture
def seed_gold(make_project, manager):
    project = make_project("seed-gold", members={manager: Role.MANAGER})
    with (ROOT / "seeds" / "gold.jsonl").open("rb") as handle:
        do_import(project, [("gold.jsonl", handle)], fmt="native", layer="gold")
    return project


def test_evaluate_suggestions_json_on_the_seed_gold(seed_gold):
    out = io.StringIO()
    call_command("evaluate_suggestions", project="seed-gold", json=True, stdout=out)
    scores = json.loads(out.getvalue())
    assert set(scores) == {"Quote", "Source", "Cue"}
    for figures in scores.values():
        assert set(figures) == {"exact", "overlap"}
        for kind in figures.values():
            assert set(kind) == {"precision", "recall", "f1"}
    assert scores["Quote"]["overlap"]["f1"] >= 0.9
    assert scores["Cue"]["overlap"]["f1"] >= 0.8
    assert scores["Source"]["overlap"]["f1"] >= 0.6


def test_evaluate_suggestions_table(seed_gold):
    out = io.StringIO()
    call_command("evaluate_suggestions", project="seed-gold", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("Built-in suggester against the gold layer of 6 article(s)")
    assert [line.split()[:3] for line in lines[2:]] == [
        [label, count, kind]
        for label, count in (("Quote", "64"), ("Source", "68"), ("Cue", "67"))
        for kind in ("exact", "overlap")
    ]


def test_evaluate_suggestions_needs_a_project_with_gold(project):
    with pytest.raises(CommandError, match="No project"):
        call_command("evaluate_suggestions", project="nope")
    with pytest.raises(CommandError, match="gold layer"):
        call_command("evaluate_suggestions", project="desk")


# --- Any input: never a server error -----------------------------------------------------------

_json = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)
_field_values = {
    "key": st.sampled_from([QUOTE, CUE, "Quote:18:99999999999999999999", "a:b:c", "\x00:1:2"])
    | _json,
    "label": st.sampled_from(["Quote", "Source", "attributed_to", "Q\x00"]) | _json,
    "start": st.integers(-5, 60) | _json,
    "end": st.integers(-5, 60) | _json,
    "version": st.integers(0, 3) | _json,
    "attrs": st.dictionaries(st.sampled_from(["quote_type", "cue", "x"]), _json, max_size=2)
    | _json,
    "client_id": st.sampled_from([str(uuid.UUID(int=1)), "x"]) | _json,
    "min_confidence": st.floats(-1, 2, allow_nan=False) | _json,
    "from": st.sampled_from([QUOTE, SOURCE]) | _json,
    "to": st.sampled_from([QUOTE, SOURCE]) | _json,
}


@pytest.mark.parametrize("name", ["accept", "accept-all", "reject", "accept-relation"])
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(body=st.fixed_dictionaries({}, optional=_field_values))
def test_writes_never_answer_a_server_error(api, article, mine, annotator, name, body):
    response = api(annotator).post(action(mine, name), body, format="json")
    assert response.status_code in (200, 201, 400, 409), response.content
    if response.status_code == 400:
        assert all("field" in e and "code" in e for e in response.json()["errors"])


# --- Accepting a chosen few at once (one attribution) and many at once ----------------------


def test_accept_all_of_named_keys_and_relations_takes_one_attribution(
    api, article, mine, annotator
):
    v0 = mine.version
    body = {
        "version": v0,
        "keys": [QUOTE, SOURCE, CUE],
        "relations": [{"label": "attributed_to", "from": QUOTE, "to": SOURCE}],
    }
    response = api(annotator).post(action(mine, "accept-all"), body, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["version"] == v0 + 4 == version(mine)
    relation = Relation.objects.get(annotation=mine)
    cue = Span.objects.get(annotation=mine, label="Cue")
    assert (relation.source.label, relation.target.label, relation.attrs) == (
        "Quote",
        "Source",
        {"cue": cue.pk},
    )
    # One history event per item, each at its own version, as if accepted one by one.
    events = HistoryEvent.objects.filter(annotation=mine).order_by("id")
    assert [(e.action, e.annotation_version) for e in events] == [
        ("span_created", v0 + 1),
        ("span_created", v0 + 2),
        ("span_created", v0 + 3),
        ("relation_created", v0 + 4),
    ]


def test_accept_all_of_named_keys_leaves_the_others_and_reports_unknown_ones(
    api, article, mine, annotator
):
    body = {"version": mine.version, "keys": [QUOTE, "Quote:0:3"], "relations": []}
    response = api(annotator).post(action(mine, "accept-all"), body, format="json")
    assert response.status_code == 200
    assert [s["label"] for s in response.json()["spans"]] == ["Quote"]
    assert [s["key"] for s in response.json()["skipped"]] == ["Quote:0:3"]
    assert keys(api(annotator).get(url(article)).json()) == [SOURCE, CUE]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"keys": ["Quote"]}, "keys"),
        ({"keys": "Quote:1:2"}, "keys"),
        ({"relations": [{"label": "attributed_to", "from": QUOTE}]}, "relations"),
    ],
)
def test_bad_keys_or_relations_of_accept_all_are_400(api, article, mine, annotator, payload, field):
    response = api(annotator).post(
        action(mine, "accept-all"), {"version": mine.version, **payload}, format="json"
    )
    assert response.status_code == 400
    assert {f.split(".")[0].split("[")[0] for f, _ in errors_of(response)} == {field}
    assert not Span.objects.filter(annotation=mine).exists()


def test_accepting_a_thousand_suggestions_takes_a_constant_number_of_queries(
    api, project, make_article, annotator, django_assert_max_num_queries
):
    text = " ".join(f"w{i:04d}" for i in range(1000))
    article = make_article(project, text, external_id="many")
    annotation = queue.do_get_or_create_own(article, annotator)
    SuggestionSet.objects.create(
        article=article,
        source="import",
        spans=[
            {"id": f"s{i}", **span(text, f"w{i:04d}", "Claim"), "attrs": {}} for i in range(1000)
        ],
    )
    client = api(annotator)
    # session/auth, membership and annotation (twice: access, then locked), the suggestions
    # (spans, relations, rejections, suggestion sets), the spans and relations already there,
    # then one INSERT each of spans and history and one UPDATE of the annotation — not one per
    # suggestion.
    with django_assert_max_num_queries(25):
        response = client.post(
            action(annotation, "accept-all"), {"version": annotation.version}, format="json"
        )
    assert response.status_code == 200
    assert len(response.json()["spans"]) == 1000
    assert Span.objects.filter(annotation=annotation).count() == 1000
    assert version(annotation) == response.json()["version"]
    assert HistoryEvent.objects.filter(annotation=annotation).count() == 1000
