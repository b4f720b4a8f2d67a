"""The registry through the API and its rules: who may do what, checked fields, links checked
on every span write, merges that keep every link and can be undone, the history."""

from __future__ import annotations

import pytest

from labels.models import HistoryAction, HistoryEvent, Span, Speaker, SpeakerAction, SpeakerEvent
from labels.speakers import registry
from tests.support.review_helpers import span_data

pytestmark = pytest.mark.django_db


def base(project):
    return f"/api/v1/projects/{project.slug}/speakers/"


def fields_of(response):
    return {e["field"] for e in response.json()["errors"]}


# --- Who may do what ----------------------------------------------------------------------------


def test_an_analyst_lists_and_adds_speakers(api, project, annotator, make_speaker):
    make_speaker(project, "AFP", kind="news_agency")
    client = api(annotator)
    assert [s["name"] for s in client.get(base(project)).json()["results"]] == ["AFP"]
    response = client.post(
        base(project), {"name": "Vladimir Putin", "aliases": ["Poutine"]}, format="json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["aliases"] == ["Poutine"]
    event = SpeakerEvent.objects.get(action=SpeakerAction.CREATED)
    assert event.actor == annotator and event.after["name"] == "Vladimir Putin"


def test_an_analyst_may_not_change_merge_or_delete(api, project, annotator, make_speaker):
    a, b = make_speaker(project, "Putin"), make_speaker(project, "Vladimir Putin")
    client = api(annotator)
    assert client.patch(f"{base(project)}{a.pk}/", {"name": "X"}, format="json").status_code == 403
    assert client.delete(f"{base(project)}{a.pk}/").status_code == 403
    merge = client.post(f"{base(project)}merge/", {"speaker": a.pk, "into": b.pk}, format="json")
    assert merge.status_code == 403
    assert client.get(f"/projects/{project.slug}/speakers/").status_code == 403
    assert Speaker.objects.active().count() == 2


def test_an_outsider_gets_404_for_everything(api, project, outsider, other_project, make_speaker):
    a = make_speaker(project, "Putin")
    client = api(outsider)
    assert client.get(base(project)).status_code == 404
    assert client.post(base(project), {"name": "X"}, format="json").status_code == 404
    assert client.get(f"{base(project)}{a.pk}/").status_code == 404
    # Nor through their own project: the speaker is another project's.
    assert client.get(f"{base(other_project)}{a.pk}/").status_code == 404
    assert (
        client.patch(f"{base(other_project)}{a.pk}/", {"name": "X"}, format="json").status_code
        == 404
    )


def test_a_reviewer_changes_aliases(api, project, reviewer, make_speaker):
    a = make_speaker(project, "Emmanuel Macron")
    response = api(reviewer).patch(
        f"{base(project)}{a.pk}/", {"aliases": ["Mácron", "macron", " Macron "]}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["aliases"] == ["Mácron", "macron"]
    event = SpeakerEvent.objects.get(action=SpeakerAction.UPDATED)
    assert event.before["aliases"] == [] and event.after["aliases"] == ["Mácron", "macron"]


# --- Checked fields -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body, field",
    [
        ({"name": ""}, "name"),
        ({"name": "X", "kind": "robot"}, "kind"),
        ({"name": "X", "wikidata_id": "7747"}, "wikidata_id"),
        ({"name": "X", "wikidata_id": "Q07"}, "wikidata_id"),
        ({"name": "X", "wikidata_id": "Q12x"}, "wikidata_id"),
        ({"name": "X", "aliases": [3]}, "aliases[0]"),
        ({"name": "X" * 201}, "name"),
        ({"name": "X", "colour": "red"}, "colour"),
    ],
)
def test_bad_fields_are_400_naming_the_field(api, project, manager, body, field):
    response = api(manager).post(base(project), body, format="json")
    assert response.status_code == 400
    assert field in fields_of(response)
    assert not Speaker.objects.exists()


def test_a_wikidata_id_is_taken_in_either_case_of_q(api, project, manager):
    response = api(manager).post(
        base(project), {"name": "Putin", "wikidata_id": "q7747"}, format="json"
    )
    assert response.json()["wikidata_id"] == "Q7747"


def test_names_and_wikidata_ids_are_unique_in_a_project(api, project, manager, make_speaker):
    make_speaker(project, "Vladimir Putin", wikidata_id="Q7747")
    client = api(manager)
    assert "name" in fields_of(
        client.post(base(project), {"name": "vladimir putin"}, format="json")
    )
    clash = client.post(base(project), {"name": "V. Putin", "wikidata_id": "Q7747"}, format="json")
    assert clash.status_code == 400 and "wikidata_id" in fields_of(clash)


def test_the_list_runs_the_same_queries_for_many_speakers(
    api, project, annotator, make_speaker, django_assert_num_queries
):
    for n in range(30):
        make_speaker(project, f"Speaker {n}", aliases=[f"S{n}"])
    client = api(annotator)
    client.get(base(project))
    # 1 session, 2 user, 3 membership with project, 4 the speakers.
    with django_assert_num_queries(4):
        assert len(client.get(base(project)).json()["results"]) == 30


# --- Links on spans -----------------------------------------------------------------------------


def test_a_source_links_to_a_speaker_through_the_span_api(
    api, project, talks, annotator, make_speaker
):
    macron = make_speaker(project, "Emmanuel Macron")
    client = api(annotator)
    layer = client.post(f"/api/v1/articles/{talks.pk}/annotation/").json()
    data = span_data("Source", "Macron", speaker=macron.pk) | {"version": layer["version"]}
    response = client.post(f"/api/v1/annotations/{layer['id']}/spans/", data, format="json")
    assert response.status_code == 201, response.content
    assert Span.objects.get(label="Source").attrs["speaker"] == macron.pk


def test_a_link_to_another_projects_speaker_is_refused(
    api, project, talks, annotator, other_project, make_speaker
):
    foreign = make_speaker(other_project, "Emmanuel Macron")
    client = api(annotator)
    layer = client.post(f"/api/v1/articles/{talks.pk}/annotation/").json()
    data = span_data("Source", "Macron", speaker=foreign.pk) | {"version": layer["version"]}
    response = client.post(f"/api/v1/annotations/{layer['id']}/spans/", data, format="json")
    assert response.status_code == 400
    assert "attrs.speaker" in fields_of(response)
    assert not Span.objects.exists()


# --- Merges -------------------------------------------------------------------------------------


def test_a_merge_moves_every_link_and_is_undone(api, project, reviewer, linked_layer, make_speaker):
    macron = linked_layer.speaker
    kept = make_speaker(project, "President Macron", aliases=["Manu"], wikidata_id="Q3052772")
    source = linked_layer.created_spans[1]
    # A second layer linked to Macron, and a Source linked to the kept speaker already.
    other = Span.objects.create(
        annotation=linked_layer,
        label="Source",
        start=35,
        end=40,
        text="Putin",
        attrs={"speaker": kept.pk},
    )
    client = api(reviewer)
    response = client.post(
        f"{base(project)}merge/", {"speaker": macron.pk, "into": kept.pk}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["moved"] == 1
    source.refresh_from_db()
    assert source.attrs["speaker"] == kept.pk
    kept.refresh_from_db()
    assert kept.aliases == ["Manu", "Emmanuel Macron", "Macron"]
    assert [s["name"] for s in client.get(base(project)).json()["results"]] == ["President Macron"]
    # The merged speaker's quotes are the kept one's.
    quotes = client.get(f"{base(project)}{kept.pk}/quotes/").json()["results"]
    assert [q["quote"]["text"] for q in quotes] == ["the talks would go on"]
    # A client that still links to the merged id gets the kept speaker.
    macron.refresh_from_db()
    assert macron.merged_into == kept

    event = SpeakerEvent.objects.get(action=SpeakerAction.MERGED)
    undo = client.post(f"{base(project)}history/{event.pk}/undo/")
    assert undo.status_code == 200, undo.content
    source.refresh_from_db()
    other.refresh_from_db()
    kept.refresh_from_db()
    macron.refresh_from_db()
    assert source.attrs["speaker"] == macron.pk
    assert other.attrs["speaker"] == kept.pk  # never moved, stays
    assert kept.aliases == ["Manu"] and macron.merged_into is None
    assert SpeakerEvent.objects.get(pk=event.pk).undone
    assert SpeakerEvent.objects.filter(action=SpeakerAction.MERGE_UNDONE).count() == 1
    # The layer's history says both moves, with the speaker before and after.
    moves = HistoryEvent.objects.filter(
        annotation=linked_layer, action=HistoryAction.SPAN_UPDATED, object_id=source.pk
    ).order_by("id")
    assert [
        (e.after["via"], e.before["attrs"]["speaker"], e.after["attrs"]["speaker"]) for e in moves
    ] == [
        ("speaker merge", macron.pk, kept.pk),
        ("merge undone", kept.pk, macron.pk),
    ]
    again = client.post(f"{base(project)}history/{event.pk}/undo/")
    assert again.status_code == 400


def test_a_link_written_to_a_merged_speaker_lands_on_the_kept_one(
    api, project, talks, annotator, reviewer, make_speaker
):
    old, kept = make_speaker(project, "Macron"), make_speaker(project, "Emmanuel Macron")
    registry.do_merge_speakers(project, reviewer, old, kept)
    client = api(annotator)
    layer = client.post(f"/api/v1/articles/{talks.pk}/annotation/").json()
    data = span_data("Source", "Macron", speaker=old.pk) | {"version": layer["version"]}
    assert (
        client.post(f"/api/v1/annotations/{layer['id']}/spans/", data, format="json").status_code
        == 201
    )
    assert Span.objects.get(label="Source").attrs["speaker"] == kept.pk


def test_merging_a_speaker_into_itself_is_400(api, project, reviewer, make_speaker):
    a = make_speaker(project, "Putin")
    response = api(reviewer).post(
        f"{base(project)}merge/", {"speaker": a.pk, "into": a.pk}, format="json"
    )
    assert response.status_code == 400


def test_a_linked_speaker_is_not_deleted(api, project, reviewer, linked_layer):
    response = api(reviewer).delete(f"{base(project)}{linked_layer.speaker.pk}/")
    assert response.status_code == 400
    assert "merge" in response.json()["errors"][0]["message"]
    assert Speaker.objects.filter(pk=linked_layer.speaker.pk).exists()


def test_an_unlinked_speaker_is_deleted_and_the_history_keeps_it(
    api, project, reviewer, make_speaker
):
    a = make_speaker(project, "Nobody")
    assert api(reviewer).delete(f"{base(project)}{a.pk}/").status_code == 204
    assert not Speaker.objects.exists()
    assert SpeakerEvent.objects.get(action=SpeakerAction.DELETED).before["name"] == "Nobody"


# --- Import and export of the registry -----------------------------------------------------------


def test_the_registry_round_trips_as_jsonl_and_csv(
    api, project, other_project, manager, outsider, make_speaker
):
    make_speaker(project, "Vladimir Putin", aliases=["Poutine", "Путин"], wikidata_id="Q7747")
    make_speaker(project, "AFP", kind="news_agency", description="Agence, France")
    for fmt in ("jsonl", "csv"):
        response = api(manager).get(f"{base(project)}export/?format={fmt}")
        assert response.status_code == 200
        data = b"".join(response.streaming_content)
        from django.core.files.uploadedfile import SimpleUploadedFile

        upload = SimpleUploadedFile(f"registry.{fmt}", data)
        imported = api(outsider).post(
            f"{base(other_project)}import/", {"file": upload}, format="multipart"
        )
        assert imported.status_code == 200, imported.content
        rows = {
            s.name: (s.kind, s.aliases, s.wikidata_id, s.description)
            for s in Speaker.objects.filter(project=other_project)
        }
        assert rows == {
            "Vladimir Putin": ("person", ["Poutine", "Путин"], "Q7747", ""),
            "AFP": ("news_agency", [], "", "Agence, France"),
        }
    # Imported twice (JSONL, then CSV): matched, not doubled.
    assert Speaker.objects.filter(project=other_project).count() == 2


def test_an_import_with_a_bad_line_imports_nothing(api, project, manager):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = b'{"name": "Putin", "wikidata_id": "Q7747"}\n{"name": "AFP", "wikidata_id": "nope"}\n'
    response = api(manager).post(
        f"{base(project)}import/", {"file": SimpleUploadedFile("r.jsonl", data)}, format="multipart"
    )
    assert response.status_code == 400
    assert "Line 2" in response.json()["errors"][0]["message"]
    assert not Speaker.objects.exists()


def test_who_said_what_runs_the_same_queries_for_many_quotes(
    api, project, reviewer, linked_layer, make_article, annotator2, django_assert_num_queries
):
    from labels.annotation import relations as relations_mod
    from labels.annotation import versions
    from tests.support.review_helpers import TEXT, submit_layer

    speaker = linked_layer.speaker
    for n in range(5):
        article = make_article(project, TEXT, external_id=f"more-{n}")
        layer = submit_layer(
            article,
            annotator2,
            [
                span_data("Quote", "the talks would go on", quote_type="direct"),
                span_data("Source", "Macron", speaker=speaker.pk),
                span_data("Cue", "said"),
            ],
            submit=False,
        )
        quote, source, cue = layer.created_spans
        from django.db import transaction

        with transaction.atomic():
            locked = versions.locked(layer.pk)
            relations_mod.do_add_relation(
                locked,
                annotator2,
                {
                    "label": "attributed_to",
                    "from": quote.pk,
                    "to": source.pk,
                    "attrs": {"cue": cue.pk},
                },
                version=locked.version,
            )
    client = api(reviewer)
    url = f"{base(project)}{speaker.pk}/quotes/"
    client.get(url)
    # 1 session, 2 user, 3 membership with project, 4 the speaker, 5 the attributions with
    # their spans, layers, articles and annotators, 6 their cues, 7 their speakers.
    with django_assert_num_queries(7):
        results = client.get(url).json()["results"]
    assert len(results) == 6 and {r["cue"]["text"] for r in results} == {"said"}


def test_a_speaker_id_sent_as_text_is_stored_as_a_number(
    api, project, talks, annotator, make_speaker
):
    macron = make_speaker(project, "Emmanuel Macron")
    client = api(annotator)
    layer = client.post(f"/api/v1/articles/{talks.pk}/annotation/").json()
    data = span_data("Source", "Macron") | {
        "attrs": {"speaker": str(macron.pk)},
        "version": layer["version"],
    }
    assert (
        client.post(f"/api/v1/annotations/{layer['id']}/spans/", data, format="json").status_code
        == 201
    )
    assert Span.objects.get(label="Source").attrs["speaker"] == macron.pk
    bad = span_data("Source", "Putin") | {
        "attrs": {"speaker": "Putin"},
        "version": layer["version"] + 1,
    }
    response = client.post(f"/api/v1/annotations/{layer['id']}/spans/", bad, format="json")
    assert response.status_code == 400 and "attrs.speaker" in fields_of(response)
