"""Factories of the speaker tests: speakers of the desk, and a layer with linked Sources."""

from __future__ import annotations

import pytest

from labels.models import Speaker
from tests.support.review_helpers import TEXT, span_data, submit_layer


@pytest.fixture
def make_speaker(db):
    def make(project, name: str, **fields):
        return Speaker.objects.create(project=project, name=name, **fields)

    return make


@pytest.fixture
def talks(project, make_article):
    return make_article(
        project, TEXT, title="Talks", external_id="talks", meta={"published": "2020-10-01"}
    )


@pytest.fixture
def linked_layer(talks, annotator, make_speaker, project):
    """ana's layer of the talks: "Macron said the talks would go on" attributed to the Source
    "Macron" (linked to the speaker Macron) with the cue "said"."""
    macron = make_speaker(project, "Emmanuel Macron", aliases=["Macron"])
    layer = submit_layer(
        talks,
        annotator,
        [
            span_data("Quote", "the talks would go on", quote_type="indirect"),
            span_data("Source", "Macron", speaker=macron.pk),
            span_data("Cue", "said"),
        ],
        submit=False,
    )
    from django.db import transaction

    from labels.annotation import relations, versions

    quote, source, cue = layer.created_spans
    with transaction.atomic():
        locked = versions.locked(layer.pk)
        relations.do_add_relation(
            locked,
            annotator,
            {"label": "attributed_to", "from": quote.pk, "to": source.pk, "attrs": {"cue": cue.pk}},
            version=locked.version,
        )
    layer.refresh_from_db()
    layer.speaker = macron
    layer.created_spans = [quote, source, cue]
    return layer
