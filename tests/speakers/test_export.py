"""The quotes export and the speakers in native records: one line per attribution, round-trips
with the native export, and refuses a span whose text is not at its offsets."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command

from labels.errors import ExportError
from labels.interop.exporting import prepare_export
from labels.models import Project, Span, Speaker

pytestmark = pytest.mark.django_db


def lines(project, **params) -> list[dict]:
    data = b"".join(prepare_export(project, params))
    return [json.loads(line) for line in data.decode().splitlines() if line.strip()]


def test_a_quote_line_names_its_speaker_source_cue_and_article(project, linked_layer):
    [line] = lines(project, format="quotes", status="draft", layer="all")
    assert line == {
        "article_id": "talks",
        "date": "2020-10-01",
        "layer": "ana",
        "quote": {"text": "the talks would go on", "start": 12, "end": 33, "label": "Quote"},
        "quote_type": "indirect",
        "speaker": {"id": linked_layer.speaker.pk, "name": "Emmanuel Macron", "wikidata_id": None},
        "source": {"text": "Macron", "start": 0, "end": 6},
        "cue": {"text": "said", "start": 7, "end": 11},
    }


def test_the_quotes_export_round_trips_with_the_native_export(project, linked_layer):
    native = lines(project, format="native", status="draft", layer="all")
    quotes = lines(project, format="quotes", status="draft", layer="all")
    [record] = native
    spans = {s["id"]: s for s in record["spans"]}
    registry = {e["id"]: e for e in record["speakers"]}
    rebuilt = []
    for relation in record["relations"]:
        if relation["label"] != "attributed_to":
            continue
        quote, source = spans[relation["from"]], spans[relation["to"]]
        cue = spans[relation["attrs"]["cue"]]
        speaker = registry[source["attrs"]["speaker"]]
        rebuilt.append(
            (
                record["id"],
                record["layer"],
                quote["start"],
                quote["end"],
                quote["text"],
                source["text"],
                cue["text"],
                speaker["id"],
                speaker["name"],
            )
        )
    assert rebuilt == [
        (
            q["article_id"],
            q["layer"],
            q["quote"]["start"],
            q["quote"]["end"],
            q["quote"]["text"],
            q["source"]["text"],
            q["cue"]["text"],
            q["speaker"]["id"],
            q["speaker"]["name"],
        )
        for q in quotes
    ]
    # Every offset of both files points at its text in the article.
    for q in quotes:
        for part in ("quote", "source", "cue"):
            assert record["text"][q[part]["start"] : q[part]["end"]] == q[part]["text"]
    assert registry[linked_layer.speaker.pk]["name"] == "Emmanuel Macron"


def test_a_record_without_links_has_no_speakers(project, talks, annotator):
    from tests.support.review_helpers import span_data, submit_layer

    submit_layer(talks, annotator, [span_data("Source", "Macron")], submit=False)
    [record] = lines(project, format="native", status="draft", layer="all")
    assert "speakers" not in record


def test_a_source_without_a_speaker_gives_a_null_speaker(project, linked_layer):
    Span.objects.filter(label="Source").update(attrs={})
    [line] = lines(project, format="quotes", status="draft", layer="all")
    assert line["speaker"] is None


def test_a_quote_whose_text_is_not_at_its_offsets_stops_the_export(project, linked_layer):
    from labels.interop.formats.quotes import quote_lines
    from labels.speakers.transfer import RegistryLookup

    [record] = lines(project, format="native", status="draft", layer="all")
    quote = next(s for s in record["spans"] if s["label"] == "Quote")
    quote["text"] = "the talks would stop"
    with pytest.raises(ExportError, match="not the article's text"):
        list(quote_lines(record, RegistryLookup(project)))


def test_seed_demo_links_putins_quotes_and_the_page_shows_them(client):
    call_command("seed_demo", stdout=io.StringIO())
    project = Project.objects.get(slug="seed-gold")
    putin = Speaker.objects.get(project=project, name="Vladimir Putin")
    assert putin.wikidata_id == "Q7747" and putin.aliases == ["Poutine"]
    linked = Span.objects.filter(annotation__article__project=project, attrs__speaker=putin.pk)
    assert [s.text for s in linked] == ["Russian President Vladimir Putin"]
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="rita"))
    page = client.get(f"/projects/{project.slug}/speakers/?speaker={putin.pk}")
    assert page.status_code == 200
    body = page.content.decode()
    assert "Who said what" in body and "(1)" in body
    assert "attempts to interfere in the affairs of a sovereign country" in body


def test_a_native_export_imports_into_another_project_with_its_speakers(
    project, other_project, linked_layer, outsider
):
    data = b"".join(
        prepare_export(project, {"format": "native", "status": "draft", "layer": "all"})
    )
    from labels.interop.importing import do_import

    report = do_import(
        other_project,
        [("talks.jsonl", io.BytesIO(data))],
        fmt="native",
        layer="gold",
        actor=outsider,
    )
    assert not report.errors
    [speaker] = Speaker.objects.filter(project=other_project)
    assert speaker.name == "Emmanuel Macron" and speaker.pk != linked_layer.speaker.pk
    source = Span.objects.get(annotation__article__project=other_project, label="Source")
    assert source.attrs["speaker"] == speaker.pk
    # Imported again: matched by name, not added twice.
    do_import(
        other_project,
        [("talks.jsonl", io.BytesIO(data))],
        fmt="native",
        layer="gold",
        actor=outsider,
    )
    assert Speaker.objects.filter(project=other_project).count() == 1


def test_an_imported_link_to_an_unknown_speaker_is_refused(other_project, outsider):
    from labels.errors import ImportFailed
    from labels.interop.importing import do_import

    line = {
        "id": "a1",
        "text": "Macron said so.",
        "spans": [
            {
                "id": "s1",
                "label": "Source",
                "start": 0,
                "end": 6,
                "text": "Macron",
                "attrs": {"speaker": 99999},
            }
        ],
    }
    with pytest.raises(ImportFailed) as failed:
        do_import(
            other_project,
            [("x.jsonl", io.BytesIO(json.dumps(line).encode()))],
            fmt="native",
            layer="gold",
        )
    assert "speaker 99999" in "\n".join(failed.value.report.errors)
    assert not Span.objects.exists() and not Speaker.objects.exists()


def test_an_imported_speaker_that_is_no_id_is_refused(other_project):
    from labels.errors import ImportFailed
    from labels.interop.importing import do_import

    line = {
        "id": "a1",
        "text": "Macron said so.",
        "spans": [
            {
                "id": "s1",
                "label": "Source",
                "start": 0,
                "end": 6,
                "text": "Macron",
                "attrs": {"speaker": "Macron"},
            }
        ],
    }
    with pytest.raises(ImportFailed) as failed:
        do_import(
            other_project,
            [("x.jsonl", io.BytesIO(json.dumps(line).encode()))],
            fmt="native",
            layer="gold",
        )
    assert "must be a speaker's id" in "\n".join(failed.value.report.errors)
    assert not Span.objects.exists()
