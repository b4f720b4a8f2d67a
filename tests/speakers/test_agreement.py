"""Agreement reports how often two analysts link matched Sources, and matched attributions, to
the same speaker."""

from __future__ import annotations

import pytest

from labels.agreement.measures import ArticleLayers, Layer, RelRec, SpanRec
from labels.agreement.metrics import compute_agreement

TEXT = "Macron said the talks would go on. Putin disagreed, the Kremlin said."


def layer(annotator, speakers, *, attributed=True):
    """A Quote attributed to the Source "Macron" and a Source "Putin", linked to `speakers`."""
    spans = [
        SpanRec("q", "Quote", 12, 33, {"quote_type": "indirect"}),
        SpanRec("m", "Source", 0, 6, {"speaker": speakers[0]} if speakers[0] else {}),
        SpanRec("p", "Source", 35, 40, {"speaker": speakers[1]} if speakers[1] else {}),
    ]
    relations = [RelRec("attributed_to", "q", "m")] if attributed else []
    return Layer(annotator, spans, relations)


def report(*layers):
    return compute_agreement([ArticleLayers("a1", TEXT, list(layers))], ["Quote", "Source"])


def test_speaker_agreement_on_matched_sources_and_attributions():
    speakers = report(layer("ana", (1, 2)), layer("ben", (1, 3)))["speakers"]
    assert speakers["sources"] == {"matched": 2, "agreed": 1, "agreement": 0.5}
    assert speakers["attributions"] == {"matched": 1, "agreed": 1, "agreement": 1.0}


def test_an_attribution_to_different_speakers_disagrees():
    speakers = report(layer("ana", (1, None)), layer("ben", (4, None)))["speakers"]
    assert speakers["sources"] == {"matched": 1, "agreed": 0, "agreement": 0.0}
    assert speakers["attributions"] == {"matched": 1, "agreed": 0, "agreement": 0.0}


def test_without_links_there_is_nothing_to_agree_on():
    speakers = report(layer("ana", (None, None)), layer("ben", (None, None), attributed=False))[
        "speakers"
    ]
    assert speakers["sources"]["agreement"] is None
    assert speakers["attributions"] == {"matched": 0, "agreed": 0, "agreement": None}


@pytest.mark.django_db
def test_the_dashboard_shows_speaker_agreement(
    client, project, talks, annotator, annotator2, reviewer, make_speaker
):
    from labels.agreement import snapshots
    from tests.support.review_helpers import span_data, submit_layer

    a, b = make_speaker(project, "Emmanuel Macron"), make_speaker(project, "Vladimir Putin")
    submit_layer(
        talks,
        annotator,
        [span_data("Source", "Macron", speaker=a.pk), span_data("Source", "Putin", speaker=b.pk)],
    )
    submit_layer(
        talks,
        annotator2,
        [span_data("Source", "Macron", speaker=a.pk), span_data("Source", "Putin", speaker=a.pk)],
    )
    snapshots.current_snapshot(project)
    client.force_login(reviewer)
    body = client.get(f"/projects/{project.slug}/dashboard/").content.decode()
    assert 'data-metric="speaker_sources">0.500</strong> (2)' in body
