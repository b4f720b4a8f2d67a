"""The review page in headless Chromium: two analysts' layers, the reviewer's keyboard, and the
gold export that results."""

from __future__ import annotations

import json

import pytest

from tests.support.review_helpers import TEXT, span_data, submit_layer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def article(project, make_article, annotator, annotator2):
    article = make_article(project, TEXT, title="Talks")
    quote = span_data("Quote", "the talks would go on", quote_type="indirect")
    source = span_data("Source", "Macron", source_type="person")
    submit_layer(
        article,
        annotator,
        [quote, source, span_data("Cue", "said"), span_data("Claim", "Putin disagreed")],
        [("attributed_to", 0, 1)],
    )
    submit_layer(
        article,
        annotator2,
        [quote, source, span_data("Claim", "Putin disagreed, the Kremlin")],
        [("attributed_to", 0, 1)],
    )
    return article


def wait_version(page, version: int) -> None:
    page.wait_for_selector(f'[data-hook="text"][data-version="{version}"]')


def item(page, label: str):
    return page.locator("[data-hook=items] li", has=page.locator(".item-label", has_text=label))


def test_reviewer_builds_gold_from_two_layers(new_page, live_server, article, reviewer):
    page = new_page(reviewer)
    page.goto(f"{live_server.url}/articles/{article.pk}/review/")
    wait_version(page, 1)

    # Agreed and disputed spans, and who marked them, in words.
    assert "Agreed by all: ana, ben" in item(page, "Quote").inner_text()
    assert "Agreed by all: ana, ben" in item(page, "Source").inner_text()
    assert "Only ana" in item(page, "Cue").inner_text()
    assert "Disputed: ben vs ana" in item(page, "Claim").inner_text()
    # Agreement is a marker at the start of a span (none where all agree).
    assert page.locator(".review-text .seg[data-agreement=single]").count() == 1  # the Cue
    assert page.locator(".review-text .seg[data-agreement=disputed]").count() == 1  # the Claim
    # The counts name the disagreements by the same badges: a lone Cue is not "disputed".
    assert page.locator("[data-hook=counts]").inner_text() == (
        "4 open · 0 accepted · 0 rejected · 2 disagreements (1 disputed, 1 one annotator)"
    )

    # Accept everything agreed: the Quote, the Source and the relation between them.
    page.keyboard.press("Shift+A")
    wait_version(page, 4)
    assert "accepted" in item(page, "Quote").inner_text()
    assert page.locator("[data-hook=counts]").inner_text().startswith("2 open · 2 accepted")

    # j: the first disagreement is ana's lone Cue; reject it.
    page.keyboard.press("j")
    assert "Only ana" in page.locator("[data-hook=detail]").inner_text()
    page.keyboard.press("r")
    wait_version(page, 5)
    assert "rejected" in item(page, "Cue").inner_text()

    # j again: the disputed Claim; v picks ana's version, a accepts it.
    page.keyboard.press("j")
    assert page.locator("[data-hook=detail] h2").inner_text().startswith("Claim")
    page.keyboard.press("v")
    assert "ana" in page.locator(".version.is-chosen").inner_text()
    page.keyboard.press("a")
    wait_version(page, 6)
    assert "marked by ana" in page.locator("[data-hook=detail]").inner_text()

    # Select the Quote and move its start past "the " with the arrow key.
    item(page, "Quote").click()
    for _ in range(4):
        page.keyboard.press("ArrowRight")
    wait_version(page, 7)
    detail = page.locator("[data-hook=detail]").inner_text()
    assert "“talks would go on”" in detail and "adjudicated" in detail

    page.keyboard.press("Shift+M")
    wait_version(page, 8)
    assert "Marked reviewed" in page.locator("[data-hook=notice]").inner_text()

    export = page.request.get(
        f"{live_server.url}/api/v1/projects/{article.project.slug}/export/?format=native&layer=gold"
    )
    assert export.ok, export.text()
    (record,) = [json.loads(line) for line in export.text().splitlines() if line.strip()]
    spans = sorted((s["label"], s["text"], s["provenance"]) for s in record["spans"])
    assert spans == [
        ("Claim", "Putin disagreed", "adjudicated"),
        ("Quote", "talks would go on", "adjudicated"),
        ("Source", "Macron", "unanimous"),
    ]
    (relation,) = record["relations"]
    assert relation["label"] == "attributed_to"
    assert record["annotation"]["reviewer"] == "rita"
    assert page.problems == []


def test_reviewer_sends_work_back_with_a_comment(
    new_page, live_server, article, reviewer, annotator
):
    page = new_page(reviewer)
    page.goto(f"{live_server.url}/articles/{article.pk}/review/")
    wait_version(page, 1)
    page.locator("[data-layer=ana] [data-action=return]").click()
    page.fill("#return-comment", "The Claim runs to the end of the sentence.")
    page.get_by_role("button", name="Send back", exact=True).click()
    page.wait_for_selector("[data-layer=ana] .badge.status-draft")
    assert page.problems == []

    analyst = new_page(annotator)
    analyst.goto(f"{live_server.url}/projects/{article.project.slug}/")
    queue = analyst.locator("ul.queue").inner_text()
    assert "sent back" in queue and "The Claim runs to the end of the sentence." in queue


def test_reviewer_sets_the_cue_of_a_gold_relation(new_page, live_server, article, reviewer):
    """A gold relation's attributes are controls in the gold relations list: choosing the Cue
    saves it (and the analysts' layers stay as they were)."""
    from labels.models import Annotation, Relation

    page = new_page(reviewer)
    page.goto(f"{live_server.url}/articles/{article.pk}/review/")
    wait_version(page, 1)
    page.keyboard.press("Shift+A")  # the Quote, the Source and the link between them
    wait_version(page, 4)
    page.keyboard.press("j")  # ana's lone Cue: accept it
    page.keyboard.press("a")
    wait_version(page, 5)
    cue = page.locator(".gold-relations select[data-gold-relation-attr=cue]")
    assert cue.locator("option:checked").inner_text() == "—"
    cue.select_option(label="Cue “said”")
    wait_version(page, 6)
    gold = Annotation.objects.get(article=article, is_gold=True)
    relation = Relation.objects.get(annotation=gold)
    assert relation.attrs == {"cue": gold.spans.get(label="Cue").pk}
    assert (
        page.locator(
            ".gold-relations select[data-gold-relation-attr=cue] option:checked"
        ).inner_text()
        == "Cue “said”"
    )
    assert page.locator("[data-hook=status]").inner_text() == "Changed the attributed_to link."
    assert all(r.attrs == {} for r in Relation.objects.exclude(annotation=gold))
    assert page.problems == []
