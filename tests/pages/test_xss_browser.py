"""Stored-XSS payloads in every place user data is shown render as inert text (issue 7).

The workspace's own test covers article text, title and guidelines on the annotate page; this one
puts payloads in titles, text and attribute values and visits the other pages that show them:
project page, review page, history page and dashboard, as a reviewer."""

from __future__ import annotations

import pytest

from labels.models import Annotation
from tests.support.review_helpers import submit_layer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXT_PAYLOAD = (
    '<script>window.__xss = 1</script> said <img src=x onerror="window.__xss = 2"> “yes”.'
)
TITLE_PAYLOAD = '<img src=x onerror="window.__xss = 3">'
ATTR_PAYLOAD = '<img src=x onerror="window.__xss = 4"><script>window.__xss = 5</script>'


def _span(text, fragment, label, **attrs):
    start = text.index(fragment)
    return {
        "label": label,
        "start": start,
        "end": start + len(fragment),
        "text": fragment,
        "attrs": attrs,
    }


@pytest.fixture
def poisoned(project, make_article, annotator, annotator2):
    article = make_article(project, TEXT_PAYLOAD, title=TITLE_PAYLOAD)
    text = article.text
    marks = [
        _span(text, "<script>window.__xss = 1</script>", "Source", source_type="other"),
        _span(text, "yes", "Stance", polarity="favor", target=ATTR_PAYLOAD),
    ]
    first = submit_layer(article, annotator, marks)
    submit_layer(article, annotator2, marks[:1])
    return article, first


def _assert_inert(page):
    assert page.evaluate("window.__xss") is None
    # No element came from the payloads: the only images and scripts are the page's own.
    assert page.locator("main img").count() == 0
    assert page.locator("main script:not([type='application/json'])").count() == 0


def test_payloads_are_shown_as_text_on_every_staff_page(
    new_page, live_server, poisoned, reviewer, project
):
    article, layer = poisoned
    page = new_page(reviewer)

    page.goto(f"{live_server.url}/projects/{project.slug}/")
    assert TITLE_PAYLOAD in page.inner_text("main")
    _assert_inert(page)

    page.goto(f"{live_server.url}/articles/{article.pk}/review/")
    page.wait_for_load_state("networkidle")
    body = page.inner_text("main")
    assert "<script>window.__xss = 1</script>" in body
    _assert_inert(page)

    page.goto(f"{live_server.url}/annotations/{layer.pk}/history/")
    body = page.inner_text("main")
    assert "onerror" in body and "window.__xss = 4" in body  # the attribute value, as text
    _assert_inert(page)

    page.goto(f"{live_server.url}/projects/{project.slug}/dashboard/")
    assert TITLE_PAYLOAD in page.inner_text("main")  # the lowest-agreement list names it
    _assert_inert(page)
    assert page.problems == []


def test_attribute_values_are_text_in_the_annotators_panel(
    new_page, live_server, poisoned, annotator
):
    article, layer = poisoned
    Annotation.objects.filter(pk=layer.pk).update(status="draft")
    page = new_page(annotator)
    page.goto(f"{live_server.url}/articles/{article.pk}/annotate/")
    page.wait_for_selector("[data-span-list]")
    page.wait_for_load_state("networkidle")
    assert "window.__xss = 4" in page.inner_text("[data-span-list]")
    _assert_inert(page)
    assert page.problems == []
