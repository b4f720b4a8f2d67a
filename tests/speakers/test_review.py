"""The review page's data shows speaker disagreements as it shows attribute ones: two analysts
who link one Source to different speakers give two versions of it, disputed."""

from __future__ import annotations

import pytest

from tests.support.review_helpers import span_data, submit_layer

pytestmark = pytest.mark.django_db


def candidates(api, reviewer, article):
    return api(reviewer).get(f"/api/v1/articles/{article.pk}/review/").json()["candidates"]


def test_different_speakers_are_two_disputed_versions(
    api, project, talks, annotator, annotator2, reviewer, make_speaker
):
    a, b = make_speaker(project, "Emmanuel Macron"), make_speaker(project, "Jean Macron")
    submit_layer(talks, annotator, [span_data("Source", "Macron", speaker=a.pk)])
    submit_layer(talks, annotator2, [span_data("Source", "Macron", speaker=b.pk)])
    [source] = candidates(api, reviewer, talks)
    assert source["disputed"] is True
    assert sorted(v["attrs"]["speaker"] for v in source["versions"]) == sorted([a.pk, b.pk])


def test_the_same_speaker_is_one_agreed_version(
    api, project, talks, annotator, annotator2, reviewer, make_speaker
):
    a = make_speaker(project, "Emmanuel Macron")
    submit_layer(talks, annotator, [span_data("Source", "Macron", speaker=a.pk)])
    submit_layer(talks, annotator2, [span_data("Source", "Macron", speaker=a.pk)])
    [source] = candidates(api, reviewer, talks)
    assert source["disputed"] is False and len(source["versions"]) == 1


def test_accepting_a_version_takes_its_speaker_into_gold(
    api, project, talks, annotator, annotator2, reviewer, make_speaker
):
    from labels.models import Span

    a, b = make_speaker(project, "Emmanuel Macron"), make_speaker(project, "Jean Macron")
    submit_layer(talks, annotator, [span_data("Source", "Macron", speaker=a.pk)])
    submit_layer(talks, annotator2, [span_data("Source", "Macron", speaker=b.pk)])
    client = api(reviewer)
    review = client.get(f"/api/v1/articles/{talks.pk}/review/").json()
    bens = next(v for v in review["candidates"][0]["versions"] if v["attrs"]["speaker"] == b.pk)
    response = client.post(
        f"/api/v1/articles/{talks.pk}/review/accept/",
        {"span": bens["spans"][0], "version": review["version"]},
        format="json",
    )
    assert response.status_code in (200, 201), response.content
    gold = Span.objects.get(annotation__is_gold=True)
    assert gold.attrs["speaker"] == b.pk
