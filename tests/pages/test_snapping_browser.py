"""Span boundaries in the workspace, in headless Chromium: a drag snaps to whole words (in every
script of tests/data/unicode-samples.jsonl), Alt+drag keeps the exact characters, and the
selected span's start and end move by a word or a character from the keyboard — what the page
shows and what the database holds."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from labels.interop.importing import do_create_article
from labels.models import Span
from tests.pages.test_workspace_browser import (
    SAMPLES,
    drag_select,
    my_annotation,
    open_workspace,
    saving,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BY_ID = {s["id"]: s["text"] for s in SAMPLES}


def the_span(article, annotator) -> Span:
    return Span.objects.get(annotation=my_annotation(article, annotator))


def selected_text(page) -> str:
    return page.evaluate("() => getSelection().toString()")


@pytest.mark.parametrize(
    ("sample", "drag_from", "drag_to", "expected"),
    [
        # Inside "spokesman" to inside "respond": both words whole; the quotation mark before
        # "we" is inside the drag, so it stays.
        ("sample-astral", ("spokesman", 3), ("respond", 2), "spokesman said “we will respond"),
        # Chinese: the dictionary's words (欢迎, 对话), not the whole run of characters.
        ("sample-cjk", ("迎", 0), ("对", 0), "欢迎对话"),
        # From inside the flag (two code points) to inside "soldier".
        ("sample-flag-and-skin-tone", ("🇺🇦", 0), ("soldier", 1), "🇺🇦 A soldier"),
        # A base letter with its combining accent is part of the word.
        ("sample-combining-mark", ("José", 1), ("Borrell", 3), "José Borrell"),
        # Right-to-left: logical order, whole words.
        ("sample-rtl", ("الوزير", 2), ("الوزير", 3), "الوزير"),
    ],
)
def test_a_drag_that_ends_inside_a_word_takes_the_whole_word(
    new_page, live_server, project, annotator, sample, drag_from, drag_to, expected
):
    text = BY_ID[sample]
    article = do_create_article(project, external_id=sample, raw_text=text)
    text = article.text
    page = new_page(annotator)
    open_workspace(page, live_server, article)
    start = text.index(drag_from[0]) + drag_from[1]
    end = text.index(drag_to[0]) + drag_to[1] + 1  # through that character
    drag_select(page, text, start, end)
    # What the analyst sees selected is already the whole words.
    assert selected_text(page) == expected
    with saving(page):
        page.keyboard.press("4")  # Claim
    span = the_span(article, annotator)
    assert span.text == expected == text[span.start : span.end]
    expect(page.locator("[data-span-list] .span-item")).to_contain_text(expected[:20])


def test_alt_drag_selects_exactly_the_characters(new_page, live_server, project, annotator):
    article = do_create_article(project, external_id="alt", raw_text=BY_ID["sample-astral"])
    text = article.text
    page = new_page(annotator)
    open_workspace(page, live_server, article)
    start = text.index("spokesman") + 3
    end = text.index("respond") + 3
    page.keyboard.down("Alt")
    drag_select(page, text, start, end)
    page.keyboard.up("Alt")
    assert selected_text(page) == text[start:end] == "kesman said “we will res"
    with saving(page):
        page.keyboard.press("4")
    span = the_span(article, annotator)
    assert (span.start, span.end, span.text) == (start, end, text[start:end])


def test_a_selected_spans_boundaries_move_by_a_word_or_a_character(
    new_page, live_server, project, annotator
):
    article = do_create_article(project, external_id="nudge", raw_text=BY_ID["sample-astral"])
    text = article.text  # 😀 The spokesman said “we will respond” on Tuesday.
    page = new_page(annotator)
    open_workspace(page, live_server, article)
    start = text.index("we will")
    drag_select(page, text, start, start + len("we will"))
    with saving(page):
        page.keyboard.press("1")  # Quote, selected once marked
    expect(page.locator("[data-span-list] .row.selected")).to_contain_text("we will")
    page.focus("[data-doc]")

    def press(keys: str, expected: str) -> None:
        with saving(page):
            page.keyboard.press(keys)
        span = the_span(article, annotator)
        assert span.text == expected == text[span.start : span.end]
        # The page shows it: the span's row and its underline at the new place.
        expect(page.locator("[data-span-list] .row.selected")).to_contain_text(expected[-12:])
        bar = page.locator(".bar:not(.ghost)").first.bounding_box()
        last = page.evaluate(
            """([a, b]) => {
                const range = document.createRange();
                const node = document.querySelector("[data-text]").firstChild;
                range.setStart(node, a); range.setEnd(node, b);
                const rects = [...range.getClientRects()];
                return rects[rects.length - 1].right;
            }""",
            [
                len(text[: span.start].encode("utf-16-le")) // 2,
                len(text[: span.end].encode("utf-16-le")) // 2,
            ],
        )
        assert abs(bar["x"] + bar["width"] - last) < 3, (bar, last)

    press("Alt+Shift+ArrowRight", "we will respond")  # the end, a word right
    press("Alt+Control+Shift+ArrowRight", "we will respond”")  # the end, one character
    press("Alt+ArrowLeft", "said “we will respond”")  # the start, a word left
    press("Alt+ArrowRight", "we will respond”")  # and back: the next word's start
    press("Alt+Control+ArrowLeft", "“we will respond”")  # the start, one character
    annotation = my_annotation(article, annotator)
    assert annotation.spans.count() == 1
    assert annotation.history.filter(action="span_updated").count() == 5
    assert page.problems == []


def test_a_boundary_in_chinese_moves_by_a_dictionary_word(
    new_page, live_server, project, annotator
):
    article = do_create_article(project, external_id="cjk", raw_text=BY_ID["sample-cjk"])
    text = article.text  # 发言人说「我们欢迎对话」。
    page = new_page(annotator)
    open_workspace(page, live_server, article)
    start = text.index("我们")
    drag_select(page, text, start, start + 2)
    with saving(page):
        page.keyboard.press("1")
    page.focus("[data-doc]")
    with saving(page):
        page.keyboard.press("Alt+Shift+ArrowRight")
    assert the_span(article, annotator).text == "我们欢迎"
    with saving(page):
        page.keyboard.press("Alt+Control+Shift+ArrowLeft")
    assert the_span(article, annotator).text == "我们欢"
    assert page.problems == []
