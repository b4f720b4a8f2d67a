"""The review page in Chromium shows a speaker disagreement as it shows an attribute one: two
analysts who link one Source to different speakers give two versions of it, each naming its
speaker (never its raw id), and accepting one takes that speaker into gold."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from labels.models import Span
from tests.support.review_helpers import span_data, submit_layer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_versions_that_differ_by_speaker_name_both_speakers(
    new_page, live_server, project, talks, annotator, annotator2, reviewer, make_speaker
):
    emmanuel = make_speaker(project, "Emmanuel Macron")
    jean = make_speaker(project, "Jean Macron")
    ana = submit_layer(talks, annotator, [span_data("Source", "Macron", speaker=emmanuel.pk)])
    submit_layer(talks, annotator2, [span_data("Source", "Macron", speaker=jean.pk)])

    page = new_page(reviewer, viewport={"width": 1440, "height": 900})
    page.goto(f"{live_server.url}/articles/{talks.pk}/review/#span-{ana.created_spans[0].pk}")
    detail = page.locator("[data-hook=detail]")
    versions = detail.locator(".versions li.version")
    expect(versions).to_have_count(2)
    expect(versions.filter(has_text=annotator.username)).to_contain_text("speaker: Emmanuel Macron")
    expect(versions.filter(has_text=annotator2.username)).to_contain_text("speaker: Jean Macron")
    for pk in (emmanuel.pk, jean.pk):
        assert not re.search(rf"speaker: {pk}\b", detail.inner_text())

    versions.filter(has_text=annotator2.username).get_by_role("button").click()
    expect(page.locator("[data-hook=status]")).to_have_text("Accepted.")
    gold = Span.objects.get(annotation__is_gold=True, label="Source")
    assert gold.attrs["speaker"] == jean.pk
    assert not page.problems
