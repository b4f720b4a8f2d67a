"""The pages on a tablet (768 px) and a phone (390 px): the workspace's text reads in lines of
words, its panel sits below the text, a label bar marks a touch selection, and no page scrolls
sideways — a wide table scrolls inside its own box."""

from __future__ import annotations

import io

import pytest

from labels.interop.importing import do_import
from labels.models import Annotation, Article, Span
from tests.support.paths import ROOT
from tests.support.review_helpers import span_data, submit_layer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SEED = ROOT / "seeds" / "articles" / "putin-macron-2020-10-01.txt"
PHONE = {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True}
TABLET = {"viewport": {"width": 768, "height": 1024}, "has_touch": True}


@pytest.fixture
def article(project):
    do_import(project, [(SEED.name, io.BytesIO(SEED.read_bytes()))], fmt="text")
    return Article.objects.get(project=project)


def open_workspace(page, live_server, article) -> None:
    page.goto(f"{live_server.url}/articles/{article.pk}/annotate/")
    page.wait_for_selector("[data-ws][data-ready]")
    # The suggestions section settles last and changes the panel's height: wait for it.
    page.locator("[data-suggestions]:not([data-state=loading])").wait_for()


def page_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def first_line(page) -> dict:
    """Characters on the text's first line and the width they take."""
    return page.evaluate(
        """() => {
            const node = document.querySelector("[data-text]").firstChild;
            const range = document.createRange();
            range.setStart(node, 0);
            range.setEnd(node, 1);
            const top = range.getBoundingClientRect().top;
            let n = 1;
            while (n < node.length) {
                range.setStart(node, n);
                range.setEnd(node, n + 1);
                const r = range.getBoundingClientRect();
                if (r.width > 0 && Math.abs(r.top - top) > 2) break;
                n++;
            }
            range.setStart(node, 0);
            range.setEnd(node, n);
            return {chars: n, width: range.getBoundingClientRect().width};
        }"""
    )


def select_text(page, start: int, end: int) -> None:
    """Select [start, end) of the text (UTF-16; the seed text is ASCII there) as a long press
    and the selection handles do on a touch screen."""
    page.evaluate(
        """([start, end]) => {
            const node = document.querySelector("[data-text]").firstChild;
            const range = document.createRange();
            range.setStart(node, start);
            range.setEnd(node, end);
            range.startContainer.parentElement.scrollIntoView({block: "nearest"});
            getSelection().removeAllRanges();
            getSelection().addRange(range);
        }""",
        [start, end],
    )


def test_phone_reads_the_article_in_lines_and_the_label_bar_marks_a_touch_selection(
    new_page, live_server, article, annotator
):
    page = new_page(annotator, **PHONE)
    open_workspace(page, live_server, article)

    assert page_width(page) <= 390
    text_box = page.locator("[data-text]").bounding_box()
    assert text_box["width"] >= 300, text_box  # not a column one character wide
    line = first_line(page)
    assert line["chars"] >= 25 and line["width"] >= 250, line

    # A label bar: one button per label, big enough for a finger, on screen without scrolling.
    buttons = page.locator(".palette .label-btn")
    assert buttons.count() == 5
    for i in range(buttons.count()):
        box = buttons.nth(i).bounding_box()
        assert box["height"] >= 40, box
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390, box
        assert box["y"] >= 0 and box["y"] + box["height"] <= 844, box

    text = article.text
    start = text.index("the Kremlin said.")
    select_text(page, start, start + len("the Kremlin"))
    indicator = page.locator("[data-save-state]")
    before = indicator.get_attribute("data-version")
    page.locator(".palette .label-btn", has_text="Source").tap()
    page.locator(f'[data-save-state][data-state=saved]:not([data-version="{before}"])').wait_for()

    annotation = Annotation.objects.get(article=article, annotator=annotator)
    assert list(annotation.spans.values_list("label", "start", "end", "text")) == [
        ("Source", start, start + len("the Kremlin"), "the Kremlin")
    ]
    # The new span is selected and its editor is in the panel, on screen.
    editor = page.locator("[data-editor]")
    assert "the Kremlin" in editor.inner_text()
    assert page_width(page) <= 390
    assert page.problems == []


def test_tablet_has_the_panel_below_a_full_width_text(new_page, live_server, article, annotator):
    page = new_page(annotator, **TABLET)
    open_workspace(page, live_server, article)

    assert page_width(page) <= 768
    text_area = page.locator("[data-doc-scroll]").bounding_box()
    panel = page.locator(".ws-panel").bounding_box()
    assert text_area["width"] >= 700, text_area
    assert panel["y"] >= text_area["y"] + text_area["height"] - 1, (text_area, panel)
    assert panel["width"] >= 700 and panel["height"] >= 150, panel
    assert panel["y"] + panel["height"] <= 1024 + 1, panel
    assert first_line(page)["width"] >= 550

    # Marking with the label bar works here too, and the span appears in the panel's list.
    text = article.text
    start = text.index("Emmanuel Macron")
    select_text(page, start, start + len("Emmanuel Macron"))
    before = page.locator("[data-save-state]").get_attribute("data-version")
    page.locator(".palette .label-btn", has_text="Source").tap()
    page.locator(f'[data-save-state][data-state=saved]:not([data-version="{before}"])').wait_for()
    assert Span.objects.filter(label="Source", text="Emmanuel Macron").count() == 1
    assert page.locator("[data-span-list] .span-item", has_text="Emmanuel Macron").is_visible()


def test_no_page_scrolls_sideways_on_a_phone_and_wide_tables_scroll_in_their_box(
    new_page, live_server, project, make_article, manager, annotator, annotator2
):
    project.description = "A long description " * 10
    project.save(update_fields=["description"])
    long_title = "Presidential-administration-spokeswoman-says-talks-will-continue " * 2
    text = "Macron said the talks would go on. Putin disagreed, the Kremlin said on Monday."
    article = make_article(
        project, text, title=long_title, external_id="a-very-long-external-id-" * 3
    )
    layer = submit_layer(
        article,
        annotator,
        [span_data("Quote", "the talks would go on", text, quote_type="indirect")],
    )
    submit_layer(article, annotator2, [span_data("Source", "Macron", text)])

    page = new_page(manager, **PHONE)
    pages = {
        "home": "/",
        "project": f"/projects/{project.slug}/",
        "dashboard": f"/projects/{project.slug}/dashboard/",
        "history": f"/annotations/{layer.pk}/history/",
    }
    for name, path in pages.items():
        response = page.goto(f"{live_server.url}{path}")
        assert response.status == 200, name
        assert page_width(page) <= 390, name
        tables = page.locator("table.table")
        assert tables.count() > 0, name
        for i in range(tables.count()):
            table = tables.nth(i)
            box = table.bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= 390 + 0.5, (name, box)
            # What does not fit scrolls inside the table's own box, so nothing is cut off.
            wide, scrolls = table.evaluate(
                "t => [t.scrollWidth > t.clientWidth + 1, getComputedStyle(t).overflowX]"
            )
            assert not wide or scrolls in ("auto", "scroll"), (name, i)
    assert page.problems == []


def test_review_on_a_phone_keeps_the_selected_spans_decision_on_screen(
    new_page, live_server, project, make_article, annotator, annotator2, reviewer
):
    text = "Macron said the talks would go on. Putin disagreed, the Kremlin said on Monday."
    text += "\n\n" + "Other news of the day followed, at length. " * 60  # longer than a screen
    article = make_article(project, text, title="Talks")
    quote = span_data("Quote", "the talks would go on", text, quote_type="indirect")
    submit_layer(article, annotator, [quote])
    submit_layer(article, annotator2, [span_data("Source", "Macron", text)])
    page = new_page(reviewer, **PHONE)
    page.goto(f"{live_server.url}/articles/{article.pk}/review/")
    page.wait_for_selector('[data-hook="text"][data-version]')
    assert page_width(page) <= 390

    span = page.locator('[data-hook="text"] .seg.mark', has_text="Macron")
    span.tap()
    accept = page.locator('[data-hook="detail"] [data-action=accept]')
    accept.wait_for()
    # The span and what decides it are both in sight: the panel is a drawer over the bottom.
    for box in (accept.bounding_box(), span.bounding_box()):
        assert 0 <= box["y"] and box["y"] + box["height"] <= 844, box
    assert span.bounding_box()["y"] + 10 < accept.bounding_box()["y"]
    before = page.locator('[data-hook="text"]').get_attribute("data-version")
    accept.tap()
    page.locator(f'[data-hook="text"]:not([data-version="{before}"])').wait_for()
    gold = Annotation.objects.get(article=article, is_gold=True)
    assert list(gold.spans.values_list("label", "text")) == [("Source", "Macron")]
    assert page_width(page) <= 390
