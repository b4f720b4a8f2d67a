"""The Speakers page's "who said what" links to one span of the review page (#span-<id>): the
review page selects that span as a click would, scrolls it into view and shows it in the panel,
also when the address's hash changes later; a span the page does not hold is said in its status
line. Screenshot: /tmp/S19/review-hash-selected.png."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.support.review_helpers import TEXT, span_data, submit_layer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Far enough down that the quote starts below the first screen of the review page.
LONG = "".join(f"Paragraph {i} holds nothing of note.\n\n" for i in range(80)) + TEXT
SHOTS = Path("/tmp/S19")


@pytest.fixture
def long_talks(project, make_article, annotator, annotator2, make_speaker):
    article = make_article(project, LONG, title="Long talks", external_id="long-talks")
    macron = make_speaker(project, "Emmanuel Macron", aliases=["Macron"])
    marks = [
        span_data("Quote", "the talks would go on", LONG, quote_type="indirect"),
        span_data("Source", "Macron", LONG, speaker=macron.pk),
        span_data("Cue", "said", LONG),
    ]
    ana = submit_layer(article, annotator, marks, [("attributed_to", 0, 1)])
    # ben's work is a draft: the Speakers page lists it, the review page does not hold it.
    ben = submit_layer(article, annotator2, marks, [("attributed_to", 0, 1)], submit=False)
    return article, macron, ana, ben


def test_a_link_to_a_span_selects_it_and_a_span_not_on_the_page_is_said(
    new_page, live_server, project, reviewer, long_talks
):
    article, macron, ana, ben = long_talks
    page = new_page(reviewer, viewport={"width": 1440, "height": 900})
    page.goto(f"{live_server.url}/projects/{project.slug}/speakers/?speaker={macron.pk}")
    quote, source, _ = ana.created_spans
    page.locator(f"[data-speaker-quotes] a[href$='#span-{quote.pk}']").click()
    page.wait_for_url(f"**/articles/{article.pk}/review/#span-{quote.pk}")

    selected = page.locator("[data-hook=items] li.is-selected")
    expect(selected).to_have_count(1)
    expect(selected.locator(".item-label")).to_have_text("Quote")
    expect(page.locator("[data-hook=detail] .detail h2")).to_contain_text("Quote")
    expect(page.locator("[data-hook=detail] .version-text")).to_have_text("“the talks would go on”")
    mark = page.locator(".review-text .seg.is-selected").first
    expect(mark).to_have_text("the talks would go on")
    expect(mark).to_be_in_viewport()
    expect(page.locator("[data-hook=status]")).to_contain_text("Selected the span the link")
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "review-hash-selected.png"))

    # Another span by a change of the hash alone (no reload): the Source.
    page.evaluate(f"window.location.hash = '#span-{source.pk}'")
    expect(selected.locator(".item-label")).to_have_text("Source")
    expect(page.locator("[data-hook=detail] .detail h2")).to_contain_text("Source")

    # ben's draft Quote is listed on the Speakers page but is not on this one.
    draft_quote = ben.created_spans[0]
    page.evaluate(f"window.location.hash = '#span-{draft_quote.pk}'")
    expect(page.locator("[data-hook=status]")).to_have_text(
        "The span this link points to is not on this page: it was deleted, or the annotation"
        " it belongs to is not submitted yet."
    )
    expect(page.locator("[data-hook=status]")).to_be_in_viewport()
    assert not page.problems
