"""Suggested Sources name their speaker, and accepting the Source accepts the speaker."""

from __future__ import annotations

import pytest

from labels.annotation import queue
from labels.models import Span

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_suggester_caches")]

TEXT = "The Kremlin said “we are ready to talk” on Monday. It added that Poutine agreed."


@pytest.fixture
def layer(project, make_article, annotator):
    article = make_article(project, TEXT, external_id="kremlin-1")
    return queue.do_get_or_create_own(article, annotator)


def test_a_suggested_source_names_its_speaker_and_accepting_links_it(
    api, project, layer, annotator, make_speaker
):
    kremlin = make_speaker(project, "the Kremlin", kind="government")
    client = api(annotator)
    body = client.get(f"/api/v1/articles/{layer.article_id}/suggestions/").json()
    [source] = [s for s in body["spans"] if s["label"] == "Source" and s["text"] == "The Kremlin"]
    assert source["attrs"]["speaker"] == kremlin.pk
    assert source["speaker_confidence"] == 0.95 and source["speaker_rule"] == "alias"
    response = client.post(
        f"/api/v1/annotations/{layer.pk}/suggestions/accept/",
        {"key": source["key"], "version": layer.version},
        format="json",
    )
    assert response.status_code in (200, 201), response.content
    assert (
        Span.objects.get(annotation=layer, label="Source", start=0).attrs["speaker"] == kremlin.pk
    )


def test_without_a_registry_sources_are_suggested_without_speakers(api, layer, annotator):
    body = api(annotator).get(f"/api/v1/articles/{layer.article_id}/suggestions/").json()
    sources = [s for s in body["spans"] if s["label"] == "Source"]
    assert sources and all("speaker" not in s["attrs"] for s in sources)


def test_a_layers_unlinked_sources_get_a_suggested_speaker(
    api, project, layer, annotator, annotator2, make_speaker
):
    from django.db import transaction

    from labels.annotation import spans, versions

    kremlin = make_speaker(project, "the Kremlin", kind="government")
    with transaction.atomic():
        locked = versions.locked(layer.pk)
        spans.do_add_span(
            locked,
            annotator,
            {"label": "Source", "start": 0, "end": 11, "text": "The Kremlin"},
            version=locked.version,
        )
        locked = versions.locked(layer.pk)
        spans.do_add_span(
            locked,
            annotator,
            {"label": "Source", "start": 51, "end": 53, "text": "It"},
            version=locked.version,
        )
    url = f"/api/v1/annotations/{layer.pk}/speakers/suggested/"
    results = api(annotator).get(url).json()["results"]
    assert [(r["start"], r["speaker"], r["rule"]) for r in results] == [(0, kremlin.pk, "alias")]
    # Another analyst's layer in a blind project is not theirs to read.
    assert api(annotator2).get(url).status_code == 404
