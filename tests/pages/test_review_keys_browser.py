"""The review page's text and keys in headless Chromium: spans underlined in their label's
colour with agreement as a marker, two labels on the same words as two underlines, relations
decided from the keyboard, a key sheet that says where the workspace differs, and the version
that accepting a disputed span takes by default."""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from playwright.sync_api import expect

from labels.models import Annotation, Relation, ReviewRejection, Role, Span
from labels.projects.members import do_add_member
from tests.support.pixels import decode_png, hex_rgb
from tests.support.review_helpers import TEXT, span_data, submit_layer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

QUOTE = "the talks would go on"


def colour_of(project, label: str) -> tuple[int, int, int]:
    labels = project.schema["span_labels"]
    return hex_rgb(next(each["color"] for each in labels if each["name"] == label))


def open_review(page, live_server, article) -> None:
    page.goto(f"{live_server.url}/articles/{article.pk}/review/")
    page.wait_for_selector('[data-hook="text"][data-version]')


@contextmanager
def gold_write(page) -> Iterator[None]:
    """After the block, wait until the page shows the review at a newer gold version."""
    before = page.locator('[data-hook="text"]').get_attribute("data-version")
    yield
    page.locator(f'[data-hook="text"][data-version]:not([data-version="{before}"])').wait_for()


def gold(article) -> Annotation:
    return Annotation.objects.get(article=article, is_gold=True)


def segment(page, fragment: str):
    """The run of the text that reads ``fragment`` exactly."""
    exactly = re.compile(f"^{re.escape(fragment)}$")
    return page.locator('[data-hook="text"] .seg.mark').filter(has_text=exactly)


def colours_under(page, locator) -> list[tuple[int, int, int]]:
    """The pixels of a 1px column under the middle of ``locator``'s first line, top to bottom,
    from its text to the next line: where its underlines show."""
    box = locator.evaluate(
        """(e) => {
            const r = e.getClientRects()[0];
            return {x: r.left + r.width / 2, top: r.top + r.height / 2, bottom: r.bottom + 20};
        }"""
    )
    clip = {"x": math.floor(box["x"]), "y": math.floor(box["top"]), "width": 1, "height": 30}
    return [row[0] for row in decode_png(page.screenshot(clip=clip))]


def near(a, b, tolerance: float = 40) -> bool:
    return math.dist(a, b) <= tolerance


def test_spans_are_underlined_in_their_labels_colour_and_agreement_is_a_marker(
    new_page, live_server, project, make_article, annotator, annotator2, reviewer
):
    article = make_article(project, TEXT, title="Talks")
    quote = span_data("Quote", QUOTE, quote_type="indirect")
    stance = span_data("Stance", QUOTE, polarity="against")  # the same words, another label
    source = span_data("Source", "Macron", source_type="person")
    submit_layer(
        article,
        annotator,
        [quote, stance, source, span_data("Cue", "said"), span_data("Claim", "Putin disagreed")],
    )
    submit_layer(
        article, annotator2, [quote, stance, source, span_data("Claim", "Putin disagreed, the")]
    )
    page = new_page(reviewer, viewport={"width": 1440, "height": 900})
    open_review(page, live_server, article)

    # Quote and Stance on the same words: two underlines, each in its label's colour.
    both = segment(page, QUOTE)
    expect(both).to_have_count(1)
    column = colours_under(page, both)
    quote_rows = [i for i, p in enumerate(column) if near(p, colour_of(project, "Quote"))]
    stance_rows = [i for i, p in enumerate(column) if near(p, colour_of(project, "Stance"))]
    assert quote_rows and stance_rows, column
    assert set(quote_rows).isdisjoint(stance_rows)

    # Colour is the label's whatever the agreement: the Cue only ana marked, the disputed
    # Claim and the agreed Source are each in their own label's colour...
    for fragment, label in [
        ("said", "Cue"),
        ("Putin disagreed, the", "Claim"),
        ("Macron", "Source"),
    ]:
        column = colours_under(page, segment(page, fragment).first)
        assert any(near(p, colour_of(project, label), 30) for p in column), (fragment, column)
    # ...and the agreement is a marker before the span: none where all agree.
    marker = "e => getComputedStyle(e, '::before').content"
    assert segment(page, "said").first.evaluate(marker) == '"1"'
    assert segment(page, "Putin disagreed, the").first.evaluate(marker) == '"≠"'
    assert segment(page, "Macron").first.evaluate(marker) in ("none", "normal")
    assert segment(page, QUOTE).evaluate(marker) in ("none", "normal")
    legend = page.locator('[data-hook="legend"]').inner_text()
    for words in ("Quote", "Stance", "Cue", "disputed", "one annotator", "all agree"):
        assert words in legend
    assert page.problems == []


def test_relations_are_decided_from_the_keyboard_and_the_sheet_says_where_keys_differ(
    new_page, live_server, project, make_article, annotator, annotator2, reviewer
):
    article = make_article(project, TEXT, title="Talks")
    marks = [
        span_data("Quote", QUOTE, quote_type="indirect"),
        span_data("Source", "Macron", source_type="person"),
        span_data("Claim", "Putin disagreed"),
        span_data("Source", "the Kremlin", source_type="government"),
    ]
    ana = submit_layer(
        article, annotator, marks, [("attributed_to", 0, 1), ("attributed_to", 2, 3)]
    )
    ben = submit_layer(article, annotator2, marks, [("attributed_to", 0, 1), ("relayed_by", 0, 3)])
    page = new_page(reviewer, viewport={"width": 1440, "height": 900})
    open_review(page, live_server, article)

    with gold_write(page):
        page.keyboard.press("Shift+A")  # every span, and the relation both drew
    assert Relation.objects.filter(annotation=gold(article)).count() == 1

    # ] selects the next relation still to decide; its ends are marked in the text.
    page.keyboard.press("]")
    chosen = page.locator('[data-hook="relations"] li.is-selected')
    expect(chosen).to_have_count(1)
    first = chosen.inner_text()
    assert "open" in first
    assert page.locator('[data-hook="text"] .seg.is-selected').count() >= 2
    with gold_write(page):
        page.keyboard.press("a")
    accepted = "relayed_by" if "relayed_by" in first else "attributed_to"
    in_gold = Relation.objects.filter(annotation=gold(article)).values_list("label", flat=True)
    assert sorted(in_gold) == sorted(["attributed_to", accepted])

    page.keyboard.press("]")
    expect(chosen).to_have_count(1)
    second = chosen.inner_text()
    assert second != first and "open" in second
    with gold_write(page):
        page.keyboard.press("x")
    assert Relation.objects.filter(annotation=gold(article)).count() == 2
    other = ben if accepted == "attributed_to" else ana
    rejected = Relation.objects.filter(annotation=other).exclude(
        label="attributed_to", target__text="Macron"
    )
    assert ReviewRejection.objects.filter(gold=gold(article), relation__in=rejected).exists()
    assert "rejected" in page.locator('[data-hook="relations"]').inner_text()

    # The key sheet lists the relation keys and says which keys the workspace uses otherwise.
    page.keyboard.press("Escape")
    page.keyboard.press("?")
    sheet = page.locator('[data-hook="help"]')
    expect(sheet).to_be_visible()
    text = sheet.inner_text()
    assert "] / [" in text and "relation" in text
    assert "workspace: n is Next article" in text
    assert "r shows all arcs" in text
    assert "workspace: next / previous span" in text  # j / k
    assert page.problems == []


def test_accepting_a_disputed_span_takes_the_majority_then_the_more_complete_version(
    new_page, live_server, project, make_article, make_user, annotator, annotator2, reviewer
):
    cleo = make_user("cleo")
    do_add_member(project, cleo, Role.ANNOTATOR)
    project.annotators_per_article = 3
    project.save(update_fields=["annotators_per_article"])
    article = make_article(project, TEXT, title="Talks")
    # ben and cleo disagree on the Source, one against one: the version with its attribute set
    # wins, although ben's was marked first. On the Stance ana and ben agree against cleo's
    # fuller one: the majority wins.
    submit_layer(
        article,
        annotator2,
        [span_data("Source", "Macron"), span_data("Stance", QUOTE, polarity="against")],
    )
    submit_layer(
        article,
        cleo,
        [
            span_data("Source", "Macron", source_type="person"),
            span_data("Stance", QUOTE, polarity="against", target="the talks"),
        ],
    )
    submit_layer(article, annotator, [span_data("Stance", QUOTE, polarity="against")])
    page = new_page(reviewer, viewport={"width": 1440, "height": 900})
    open_review(page, live_server, article)

    for label in ("Source", "Stance"):
        row = page.locator("[data-hook=items] li", has=page.locator(".item-label", has_text=label))
        row.click()
        expect(page.locator('[data-hook="detail"] .version.is-chosen')).to_have_count(1)
        with gold_write(page):
            page.keyboard.press("a")
    spans = {s.label: s.attrs for s in Span.objects.filter(annotation=gold(article))}
    assert spans == {"Source": {"source_type": "person"}, "Stance": {"polarity": "against"}}
