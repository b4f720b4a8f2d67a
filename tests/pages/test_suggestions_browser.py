"""Suggestions in the workspace, in headless Chromium: ghost spans drawn and listed, accepted
and rejected from the keyboard, and what the server then holds. (That suggestions never reach
the export unless accepted is tested in tests/api/test_suggestions.py.)"""

from __future__ import annotations

import io

import pytest
from playwright.sync_api import expect

from labels.interop.importing import do_import
from labels.models import Article, Origin, RejectedSuggestion
from tests.pages.test_workspace_browser import (
    SEED,
    mark,
    my_annotation,
    open_workspace,
    saving,
    wait_saved,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def seed_article(project):
    do_import(project, [(SEED.name, io.BytesIO(SEED.read_bytes()))], fmt="text")
    return Article.objects.get(project=project)


def open_with_suggestions(page, live_server, article) -> list[str]:
    """Open the workspace, wait for the suggestions, and return their keys in text order."""
    open_workspace(page, live_server, article)
    page.locator("[data-suggestions][data-state=loaded]").wait_for()
    return page.locator("[data-suggestion-list] [data-suggestion]").evaluate_all(
        "items => items.map((item) => item.dataset.suggestion.slice(2))"
    )


def spans_of(annotation) -> set[tuple[str, int, int, str]]:
    return {(s.label, s.start, s.end, s.origin) for s in annotation.spans.all()}


def key_tuple(key: str, origin: str) -> tuple[str, int, int, str]:
    label, start, end = key.rsplit(":", 2)
    return (label, int(start), int(end), origin)


def test_annotator_accepts_two_suggestions_and_rejects_one_from_the_keyboard(
    new_page, live_server, seed_article, annotator
):
    page = new_page(annotator)
    keys = open_with_suggestions(page, live_server, seed_article)
    assert len(keys) >= 4, keys
    version = my_annotation(seed_article, annotator).version
    assert {k.split(":")[0] for k in keys} >= {"Quote", "Cue", "Source"}

    # Ghosts: drawn in the text as dashed, unfilled boxes with their label, and hollow bars.
    ghost_bar = page.locator(f'.bar.ghost[data-key="s:{keys[0]}"]').first
    expect_style = ghost_bar.evaluate(
        "bar => { const s = getComputedStyle(bar); return [s.borderTopStyle, s.backgroundImage, s.backgroundColor]; }"
    )
    assert expect_style == ["dashed", "none", "rgba(0, 0, 0, 0)"]
    box_style = page.locator(".ghost-box").first.evaluate(
        "box => { const s = getComputedStyle(box); return [s.outlineStyle, s.backgroundColor, s.pointerEvents]; }"
    )
    assert box_style == ["dashed", "rgba(0, 0, 0, 0)", "none"]
    labels = page.locator(".ghost-label").all_inner_texts()
    assert len(labels) == len(keys) and keys[0].split(":")[0] in labels
    assert page.locator(".bar:not(.ghost)").count() == 0  # nothing is a span yet
    first = page.locator("[data-suggestion-list] .suggestion-item").first.inner_text()
    assert "%" in first  # the confidence; the excerpt and the rule too
    assert page.locator("[data-span-count]").inner_text() == "0"

    # h selects the first suggestion; a accepts it and moves on; a again; x rejects the third.
    page.focus("[data-doc]")
    page.keyboard.press("h")
    page.locator(f'[data-suggestion-list] .row.selected [data-suggestion="s:{keys[0]}"]').wait_for()
    page.keyboard.press("a")
    page.locator(f'[data-suggestion-list] .row.selected [data-suggestion="s:{keys[1]}"]').wait_for()
    page.keyboard.press("a")
    page.locator(f'[data-suggestion-list] .row.selected [data-suggestion="s:{keys[2]}"]').wait_for()
    with page.expect_response(lambda r: r.url.endswith("/suggestions/reject/")) as rejected:
        page.keyboard.press("x")
    assert rejected.value.status == 201
    wait_saved(page, version=version + 2)  # one per accept; a rejection is not an edit
    page.locator(f'.bar.ghost[data-key="s:{keys[2]}"]').wait_for(state="detached")
    page.locator(f'.bar.ghost[data-key="s:{keys[1]}"]').wait_for(state="detached")
    assert page.locator("[data-span-count]").inner_text() == "2"
    assert page.locator("[data-suggestion-count]").inner_text() == str(len(keys) - 3)

    annotation = my_annotation(seed_article, annotator)
    accepted = {key_tuple(k, Origin.SUGGESTED) for k in keys[:2]}
    assert spans_of(annotation) == accepted
    assert annotation.version == version + 2  # one per accept; a rejection is not an edit
    label, start, end = keys[2].rsplit(":", 2)
    assert RejectedSuggestion.objects.filter(
        annotation=annotation, label=label, start=int(start), end=int(end)
    ).exists()

    # After a reload: the accepted ones are real spans, the rejected one is gone for good.
    shown = open_with_suggestions(page, live_server, seed_article)
    assert shown == keys[3:]
    for key in keys[:2]:
        label, start, end = key.rsplit(":", 2)
        assert page.locator(".bar:not(.ghost)").count() >= 2
        item = page.locator("[data-span-list] .span-item").filter(has_text=label)
        assert item.count() >= 1
    assert page.locator(f'[data-key="s:{keys[2]}"]').count() == 0
    assert page.problems == []


def test_clicking_a_ghost_selects_it_and_mouse_selections_still_mark_spans(
    new_page, live_server, seed_article, annotator
):
    page = new_page(annotator)
    keys = open_with_suggestions(page, live_server, seed_article)
    quote = next(k for k in keys if k.startswith("Quote:"))
    _, start, end = quote.rsplit(":", 2)
    start, end = int(start), int(end)

    # A click on the ghost's bar selects it; the list follows.
    page.locator(f'.bar.ghost[data-key="s:{quote}"]').first.click()
    page.locator(f'[data-suggestion-list] .row.selected [data-suggestion="s:{quote}"]').wait_for()
    assert "a accepts" in page.locator("[data-message]").inner_text()

    # Dragging over the ghost's words still selects text, and a label key marks a span by hand
    # (a Claim on part of the quote: not a suggestion, so the ghost stays).
    text = seed_article.text
    part = start + text[start:end].index(" ", (end - start) // 2)  # ends before a space
    mark(page, text, start, part, "4")
    annotation = my_annotation(seed_article, annotator)
    assert spans_of(annotation) == {("Claim", start, part, Origin.MANUAL)}
    assert page.locator(f'.bar.ghost[data-key="s:{quote}"]').count() >= 1

    # Shift+A accepts everything left: the spans and the suggested links between them.
    page.focus("[data-doc]")
    with saving(page):
        page.keyboard.press("Shift+A")
    page.locator("[data-suggestion-count]", has_text="0").wait_for()
    annotation.refresh_from_db()
    suggested = {s for s in spans_of(annotation) if s[3] == Origin.SUGGESTED}
    assert suggested == {key_tuple(k, Origin.SUGGESTED) for k in keys}
    assert annotation.relations.count() >= 1
    assert page.locator("[data-relation-count]").inner_text() == str(annotation.relations.count())
    assert page.locator(".bar.ghost").count() == 0
    assert page.problems == []


def test_after_submit_the_page_is_read_only_without_ghosts_and_next_is_focused(
    new_page, live_server, seed_article, annotator
):
    page = new_page(annotator)
    keys = open_with_suggestions(page, live_server, seed_article)
    assert keys and page.locator(".bar.ghost").count() >= 1
    page.get_by_role("button", name="Submit").click()
    next_button = page.locator("[data-alert]").get_by_role("button", name="Next article (n)")
    next_button.wait_for()
    assert my_annotation(seed_article, annotator).status == "submitted"

    expect(page.locator(".bar.ghost")).to_have_count(0)
    assert page.locator("[data-suggestion-list] [data-suggestion]").count() == 0
    assert page.locator("[data-suggestions]").get_attribute("data-state") == "off"
    message = page.locator("[data-message]")
    assert "Submitted" in message.inner_text()
    assert "success" in message.get_attribute("class").split()
    expect(next_button).to_be_focused()
    assert page.locator(".label-btn").first.is_disabled()
    assert page.problems == []
