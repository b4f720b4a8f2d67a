"""Settings → Schema: the editor's review says what a change does to the annotations made so far;
saving renames spans, deletes only with consent, versions the schema and records the history."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from labels.annotation import spans as spans_mod
from labels.annotation import versions
from labels.errors import Invalid
from labels.models import (
    HistoryAction,
    HistoryEvent,
    Project,
    RejectedSuggestion,
    Relation,
    SchemaVersion,
    Span,
    SuggestionSet,
)
from labels.projects.schema_editing import schema_token
from labels.schema import default_schema, missing_attributes
from tests.support.review_helpers import TEXT, span_data, submit_layer

pytestmark = pytest.mark.django_db


def url(project) -> str:
    return f"/projects/{project.slug}/settings/schema/"


def names(schema) -> dict:
    return {
        "span_labels": [x["name"] for x in schema["span_labels"]],
        "relations": [x["name"] for x in schema["relations"]],
    }


def post(client, project, schema, *, action="save", was=None, **extra):
    body = {"action": action, "schema": schema, "was": was or names(project.schema)} | extra
    return client.post(url(project), json.dumps(body), content_type="application/json")


def label(schema, name) -> dict:
    return next(x for x in schema["span_labels"] if x["name"] == name)


def annotate(project, make_article, users, *, articles=1) -> None:
    """Each user's layer of each article: a Quote said by a Source, and a Claim attributed to it."""
    for _ in range(articles):
        article = make_article(project, TEXT)
        for user in users:
            submit_layer(
                article,
                user,
                [
                    span_data("Quote", "the talks would go on", quote_type="indirect"),
                    span_data("Source", "Macron"),
                    span_data("Claim", "Putin disagreed"),
                    span_data("Stance", "disagreed", polarity="against", target="talks"),
                ],
                [("attributed_to", 0, 1), ("attributed_to", 2, 1)],
                submit=user.username == "ana",
            )


def without_claim(schema) -> dict:
    """``schema`` without the Claim label, and without Claim in the relations' ends."""
    schema["span_labels"] = [x for x in schema["span_labels"] if x["name"] != "Claim"]
    for relation in schema["relations"]:
        relation["from"] = [n for n in relation["from"] if n != "Claim"]
        relation["to"] = [n for n in relation["to"] if n != "Claim"]
    return schema


def renamed_quote(schema) -> dict:
    label(schema, "Quote")["name"] = "Citation"
    for relation in schema["relations"]:
        for end in ("from", "to"):
            relation[end] = ["Citation" if n == "Quote" else n for n in relation[end]]
    return schema


@pytest.fixture
def annotated(project, make_article, annotator, annotator2):
    annotate(project, make_article, [annotator, annotator2])
    return project


def test_the_page_shows_the_schema_its_version_and_the_editor(client, project, manager):
    client.force_login(manager)
    html = client.get(url(project)).content.decode()
    assert "Schema version <strong data-schema-version>1</strong>" in html
    assert 'id="schema-editor-data"' in html and "js/settings/schema_editor.js" in html
    assert f'href="{url(project)}"' in html  # the section is in the settings navigation


def test_review_says_what_the_change_does_and_writes_nothing(client, annotated, manager):
    client.force_login(manager)
    schema = renamed_quote(without_claim(default_schema()))
    label(schema, "Source")["attributes"].append(
        {"name": "verified", "type": "choice", "required": True, "choices": ["yes", "no"]}
    )
    was = names(annotated.schema)
    was["span_labels"].remove("Claim")

    response = post(client, annotated, schema, action="preview", was=was)

    assert response.status_code == 200, response.json()
    answer = response.json()
    messages = [e["message"] for e in answer["effects"]]
    assert "Renames Quote → Citation on 2 spans." in messages
    removal = next(e for e in answer["effects"] if e["code"] == "remove_label")
    assert removal["message"].startswith(
        "Removes the label Claim: 2 spans and 2 relations to or from them would be deleted."
    )
    assert removal["consent"] == "label:Claim"
    assert (
        "New required attribute verified on Source spans: 2 existing Source spans will be marked"
        " incomplete (they stay valid; submitting asks for the value)." in messages
    )
    assert "Creates schema version 2; annotations made so far keep naming version 1." in messages
    assert answer["version"] == 2
    project = Project.objects.get(pk=annotated.pk)
    assert project.schema_version == 1 and label(project.schema, "Quote")
    assert Span.objects.filter(label="Quote").count() == 2


def test_a_rename_renames_the_spans_of_every_layer_and_records_it(client, annotated, manager):
    client.force_login(manager)
    quotes = {s.pk: s.annotation_id for s in Span.objects.filter(label="Quote")}
    some_layer = Span.objects.filter(label="Quote").first().annotation
    proposed = {"id": "p1", "label": "Quote", "start": 0, "end": 6, "text": "Macron", "attrs": {}}
    SuggestionSet.objects.create(
        article=some_layer.article,
        source="import",
        spans=[proposed, {**proposed, "id": "p2", "label": "Source"}],
    )
    RejectedSuggestion.objects.create(annotation=some_layer, label="Quote", start=0, end=6)
    before = {a: v for a, v in Span.objects.values_list("annotation_id", "annotation__version")}

    response = post(
        client, annotated, renamed_quote(default_schema()), base=schema_token(annotated)
    )

    assert response.status_code == 200, response.json()
    project = Project.objects.get(pk=annotated.pk)
    assert project.schema_version == 2
    assert SchemaVersion.objects.get(project=project, version=2).schema == project.schema
    assert [x["name"] for x in project.schema["span_labels"]][0] == "Citation"
    assert set(Span.objects.filter(label="Citation").values_list("pk", flat=True)) == set(quotes)
    assert not Span.objects.filter(label="Quote").exists()
    events = HistoryEvent.objects.filter(action=HistoryAction.SPAN_UPDATED, object_id__in=quotes)
    assert {(e.object_id, e.before["label"], e.after["label"], e.actor) for e in events} == {
        (pk, "Quote", "Citation", manager) for pk in quotes
    }
    # Each layer went up one version, and its event carries that version.
    for event in events:
        assert event.annotation_version == before[event.annotation_id] + 1
        assert event.annotation.version == event.annotation_version
    # The relations still join what the renamed schema allows.
    assert Relation.objects.filter(source__label="Citation").count() == 2
    # Suggestions not yet accepted, and the rejections of them, follow the rename.
    assert [x["label"] for x in SuggestionSet.objects.get().spans] == ["Citation", "Source"]
    assert RejectedSuggestion.objects.get().label == "Citation"
    assert "Schema saved" in client.get(url(project)).content.decode()
    # The layer's history page shows the rename as a change of label.
    history = client.get(f"/annotations/{some_layer.pk}/history/").content.decode()
    assert "Quote" in history and "Citation" in history


def test_removing_a_label_that_has_spans_is_refused_with_the_count(client, annotated, manager):
    client.force_login(manager)
    was = names(annotated.schema)
    was["span_labels"].remove("Claim")

    response = post(client, annotated, without_claim(default_schema()), was=was)

    assert response.status_code == 400
    (error,) = response.json()["errors"]
    assert error["code"] == "consent_required"
    assert "2 spans and 2 relations" in error["message"]
    project = Project.objects.get(pk=annotated.pk)
    assert project.schema_version == 1 and label(project.schema, "Claim")
    assert Span.objects.filter(label="Claim").count() == 2
    assert SchemaVersion.objects.filter(project=project).count() == 1


def test_delete_them_deletes_the_spans_and_their_relations_with_history(client, annotated, manager):
    client.force_login(manager)
    claims = list(Span.objects.filter(label="Claim").values_list("pk", flat=True))
    relations = set(Relation.objects.filter(source_id__in=claims).values_list("pk", "source_id"))
    was = names(annotated.schema)
    was["span_labels"].remove("Claim")

    response = post(
        client, annotated, without_claim(default_schema()), was=was, consent=["label:Claim"]
    )

    assert response.status_code == 200, response.json()
    assert not Span.objects.filter(label="Claim").exists()
    assert not Relation.objects.filter(pk__in=[pk for pk, _ in relations]).exists()
    assert Span.objects.filter(label="Quote").count() == 2  # the rest stays
    assert Relation.objects.filter(source__label="Quote").count() == 2
    events = HistoryEvent.objects.filter(action=HistoryAction.SPAN_DELETED)
    assert {e.object_id for e in events} == set(claims)
    assert {(r["id"], r["from"]) for e in events for r in e.before["relations"]} == relations
    assert all(e.before["label"] == "Claim" and e.actor == manager for e in events)


def test_a_new_required_attribute_marks_spans_incomplete_and_fails_nothing(
    client, annotated, manager, annotator2
):
    client.force_login(manager)
    schema = default_schema()
    label(schema, "Source")["attributes"].append(
        {"name": "verified", "type": "choice", "required": True, "choices": ["yes", "no"]}
    )

    response = post(client, annotated, schema)

    assert response.status_code == 200, response.json()
    project = Project.objects.get(pk=annotated.pk)
    sources = list(Span.objects.filter(label="Source"))
    assert len(sources) == 2
    assert all(
        missing_attributes(project.schema, s.label, s.attrs) == ["verified"] for s in sources
    )
    # Ben's draft still takes spans and changes, and asks for the value only on submit.
    bens = (
        sources[0].annotation
        if sources[0].annotation.annotator == annotator2
        else sources[1].annotation
    )
    draft = versions.locked(bens.pk)
    spans_mod.do_add_span(draft, annotator2, span_data("Cue", "said"), version=draft.version)
    with pytest.raises(Invalid) as refused:
        versions.do_set_status(draft, annotator2, "submitted", version=draft.version)
    assert [p.field.rsplit(".", 1)[-1] for p in refused.value.problems] == ["verified"]
    client.force_login(annotator2)
    assert client.get(f"/articles/{bens.article_id}/annotate/").status_code == 200


def test_removing_an_attribute_with_values_needs_consent_then_drops_them(
    client, annotated, manager
):
    client.force_login(manager)
    schema = default_schema()
    label(schema, "Stance")["attributes"] = [
        a for a in label(schema, "Stance")["attributes"] if a["name"] != "target"
    ]

    refused = post(client, annotated, schema)
    assert refused.status_code == 400
    (error,) = refused.json()["errors"]
    assert error["field"] == "span_labels[4].attributes"
    assert "the value on 2 spans would be deleted" in error["message"]
    assert all("target" in s.attrs for s in Span.objects.filter(label="Stance"))

    (effect, _version) = post(client, annotated, schema, action="preview").json()["effects"]
    assert effect["consent"] == "span-attribute:Stance.target:removed"
    response = post(client, annotated, schema, consent=[effect["consent"]])

    assert response.status_code == 200, response.json()
    assert all(s.attrs == {"polarity": "against"} for s in Span.objects.filter(label="Stance"))
    events = HistoryEvent.objects.filter(action=HistoryAction.SPAN_UPDATED)
    assert {(e.before["attrs"].get("target"), "target" in e.after["attrs"]) for e in events} == {
        ("talks", False)
    }


def _hotkey_clash(schema):
    label(schema, "Claim")["hotkey"] = "1"
    return "span_labels[3].hotkey", "already used by Quote"


def _bad_colour(schema):
    label(schema, "Quote")["color"] = "#12"
    return "span_labels[0].color", "is not a colour"


def _duplicate_label(schema):
    schema["span_labels"].append({"name": "quote", "color": "#123456", "hotkey": "7"})
    return "span_labels[5].name", "two span labels named “quote”"


def _reserved_hotkey(schema):
    label(schema, "Cue")["hotkey"] = "a"
    return "span_labels[2].hotkey", "kept for the annotation screen"


def _unknown_end(schema):
    schema["relations"][0]["to"] = ["Nobody"]
    return "relations[0].to[0]", "no span label named"


@pytest.mark.parametrize("action", ["preview", "save"])
@pytest.mark.parametrize(
    "spoil", [_hotkey_clash, _bad_colour, _duplicate_label, _reserved_hotkey, _unknown_end]
)
def test_bad_input_is_a_400_naming_the_field_and_nothing_is_written(
    client, annotated, manager, spoil, action
):
    client.force_login(manager)
    schema = default_schema()
    field, message = spoil(schema)

    response = post(client, annotated, schema, action=action)

    assert response.status_code == 400
    errors = response.json()["errors"]
    assert [e["field"] for e in errors] == [field]
    assert message in errors[0]["message"]
    project = Project.objects.get(pk=annotated.pk)
    assert project.schema == default_schema() and project.schema_version == 1
    assert SchemaVersion.objects.filter(project=project).count() == 1


def test_a_save_over_a_newer_schema_is_refused(client, annotated, manager):
    client.force_login(manager)
    token = schema_token(annotated)
    schema = default_schema()
    label(schema, "Quote")["description"] = "Someone else's edit"
    assert post(client, annotated, schema).status_code == 200

    response = post(client, annotated, renamed_quote(default_schema()), base=token)

    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "stale_schema"
    assert Span.objects.filter(label="Quote").count() == 2


@pytest.mark.parametrize(
    "body", [b"{not json", b'{"action": "drop"}', b"[]", b'{"action": "save", "schema": 3}']
)
def test_a_malformed_request_is_a_400(client, project, manager, body):
    client.force_login(manager)
    response = client.post(url(project), body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["message"]


@pytest.mark.parametrize("who", ["reviewer", "annotator"])
def test_other_roles_get_403_and_outsiders_404(client, annotated, who, request, outsider):
    schema = renamed_quote(default_schema())
    client.force_login(request.getfixturevalue(who))
    assert client.get(url(annotated)).status_code == 403
    assert post(client, annotated, schema).status_code == 403
    client.force_login(outsider)
    assert client.get(url(annotated)).status_code == 404
    assert post(client, annotated, schema).status_code == 404
    assert Span.objects.filter(label="Quote").count() == 2
    assert Project.objects.get(pk=annotated.pk).schema_version == 1


def test_renames_and_removals_take_the_same_queries_for_2_or_20_layers(
    client, make_project, make_article, manager, annotator, annotator2, django_assert_num_queries
):
    client.force_login(manager)
    members = {manager: "manager", annotator: "annotator", annotator2: "annotator"}
    small = make_project("small", members=members)
    large = make_project("large", members=members)
    annotate(small, make_article, [annotator, annotator2], articles=1)
    annotate(large, make_article, [annotator, annotator2], articles=10)
    schema = renamed_quote(without_claim(default_schema()))
    label(schema, "Stance")["attributes"].pop()  # drop target, which every Stance has
    was = names(small.schema)
    was["span_labels"].remove("Claim")
    consent = ["label:Claim", "span-attribute:Stance.target:removed"]

    with CaptureQueriesContext(connection) as small_save:
        response = post(client, small, schema, was=was, consent=consent)
    assert response.status_code == 200, response.json()

    # 18 queries, for 2 layers as for 20: the session, the user, the membership; a savepoint,
    # the project locked; the effects' span counts and relation counts; whether annotations
    # exist; then the layers' versions raised, the cue values naming a deleted span cleared, the
    # Claim spans deleted with their relations and history, the Stance targets dropped, the
    # Quote spans renamed (each statement writing its history), and in the stored suggestions
    # and their rejections; the new schema version, the project saved, the savepoint released.
    assert len(small_save.captured_queries) == 18
    with django_assert_num_queries(18):
        response = post(client, large, schema, was=was, consent=consent)
    assert response.status_code == 200, response.json()
    assert Span.objects.filter(annotation__article__project=large, label="Citation").count() == 20
    assert not Span.objects.filter(annotation__article__project=large, label="Claim").exists()
    assert (
        HistoryEvent.objects.filter(
            annotation__article__project=large, action=HistoryAction.SPAN_DELETED
        ).count()
        == 20
    )


def test_a_renamed_relation_type_takes_its_relations_along(client, annotated, manager):
    client.force_login(manager)
    schema = default_schema()
    schema["relations"][0]["name"] = "said_by"
    relations = set(Relation.objects.filter(label="attributed_to").values_list("pk", flat=True))

    preview = post(client, annotated, schema, action="preview").json()
    assert "Renames the relation type attributed_to → said_by on 4 relations." in [
        e["message"] for e in preview["effects"]
    ]
    response = post(client, annotated, schema)

    assert response.status_code == 200, response.json()
    assert set(Relation.objects.filter(label="said_by").values_list("pk", flat=True)) == relations
    events = HistoryEvent.objects.filter(action=HistoryAction.RELATION_UPDATED)
    assert {(e.object_id, e.before["label"], e.after["label"]) for e in events} == {
        (pk, "attributed_to", "said_by") for pk in relations
    }


def test_the_api_refuses_to_orphan_spans_too(api, annotated, manager):
    """The API's PATCH has no consent to give: removing a label that has spans is refused
    there with the count, under ``schema``, and nothing changes."""
    response = api(manager).patch(
        f"/api/v1/projects/{annotated.slug}/",
        {"schema": without_claim(default_schema()), "name": "Renamed"},
        format="json",
    )

    assert response.status_code == 400
    (error,) = response.json()["errors"]
    assert error["field"].startswith("schema") and "2 spans" in error["message"]
    assert "Delete that work first, or make the change in Settings → Schema" in error["message"]
    project = Project.objects.get(pk=annotated.pk)
    assert project.name == "Belarus desk" and label(project.schema, "Claim")
    assert Span.objects.filter(label="Claim").count() == 2


def test_relations_a_type_may_no_longer_join_are_deleted_only_with_consent(
    client, annotated, manager
):
    client.force_login(manager)
    schema = default_schema()
    schema["relations"][0]["from"] = ["Quote"]  # attributed_to no longer starts at a Claim
    claims = set(
        Relation.objects.filter(label="attributed_to", source__label="Claim").values_list(
            "pk", flat=True
        )
    )

    (effect, _version) = post(client, annotated, schema, action="preview").json()["effects"]
    assert effect["message"] == (
        "attributed_to no longer goes from Claim: 2 relations that do would be deleted."
        " Refused unless you tick “Delete them”."
    )
    assert effect["field"] == "relations[0]"
    assert post(client, annotated, schema).status_code == 400
    assert Relation.objects.filter(pk__in=claims).count() == 2

    response = post(client, annotated, schema, consent=[effect["consent"]])

    assert response.status_code == 200, response.json()
    assert not Relation.objects.filter(pk__in=claims).exists()
    assert Relation.objects.filter(label="attributed_to", source__label="Quote").count() == 2
    events = HistoryEvent.objects.filter(action=HistoryAction.RELATION_DELETED)
    assert {e.object_id for e in events} == claims
