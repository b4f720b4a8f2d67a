"""Picking spans in the workspace, in headless Chromium: a click takes the innermost span under
the pointer and another click on the same place the next one out; keys act on the span the
panel shows; the hint about missing attributes follows the attribute as soon as it is set."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from labels.interop.importing import do_create_article
from labels.models import Span
from tests.pages.test_workspace_browser import (
    char_box,
    mark,
    my_annotation,
    open_workspace,
    saving,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXT = "Lukashenko said “we will never accept this” on Monday, his office added."
NESTED = [  # outermost first
    ("Quote", "we will never accept this", {"quote_type": "direct"}),
    ("Claim", "never accept this", {}),
    ("Stance", "accept", {"polarity": "against"}),
]


@pytest.fixture
def nested(api, project, annotator):
    """Ana's draft with a Stance inside a Claim inside a Quote, and a Source linked to the
    Quote, made through the API as an earlier session would."""
    article = do_create_article(project, external_id="nested", raw_text=TEXT)
    client = api(annotator)
    payload = client.post(f"/api/v1/articles/{article.pk}/annotation/").json()
    base = f"/api/v1/annotations/{payload['id']}/"
    version = payload["version"]
    ids = {}
    for label, words, attrs in [*NESTED, ("Source", "Lukashenko", {})]:
        start = TEXT.index(words)
        body = {"version": version, "label": label, "start": start, "end": start + len(words)}
        answer = client.post(f"{base}spans/", body | {"text": words, "attrs": attrs}, format="json")
        assert answer.status_code == 201, answer.content
        ids[label], version = answer.json()["span"]["id"], answer.json()["version"]
    body = {"version": version, "label": "attributed_to", "from": ids["Quote"], "to": ids["Source"]}
    answer = client.post(f"{base}relations/", body | {"attrs": {}}, format="json")
    assert answer.status_code == 201, answer.content
    return article


def shown(page) -> str:
    """The label of the span the panel's editor shows."""
    return page.locator("[data-editor] .editor-head .tag-name").inner_text()


def click_on(page, at: int) -> None:
    box = char_box(page, TEXT, at)
    page.mouse.click((box["left"] + box["right"]) / 2, (box["top"] + box["bottom"]) / 2)


def test_a_click_takes_the_innermost_span_and_clicking_again_goes_one_level_out(
    new_page, live_server, nested, annotator
):
    page = new_page(annotator)
    open_workspace(page, live_server, nested)
    inside = TEXT.index("accept") + 2  # under all three
    message = page.locator("[data-message]")

    # The Claim is selected from the list; a click on "accept" still takes the innermost span
    # there, the Stance — not the next one out from the Claim.
    page.locator("[data-span-list] .span-item", has_text="Claim").click()
    assert shown(page) == "Claim"
    click_on(page, inside)
    expect(page.locator("[data-editor] .editor-head .tag-name")).to_have_text("Stance")
    expect(message).to_contain_text("Stance “accept” selected")
    # Again on the same place: one level out each time, then round to the innermost.
    for label in ["Claim", "Quote", "Stance"]:
        click_on(page, inside)
        expect(page.locator("[data-editor] .editor-head .tag-name")).to_have_text(label)
    # Elsewhere, and back: a first click again, so the innermost.
    click_on(page, TEXT.index("Monday"))
    expect(page.locator("[data-editor] .editor-head .tag-name")).to_have_count(0)
    click_on(page, TEXT.index("never"))  # inside the Claim and the Quote only
    expect(page.locator("[data-editor] .editor-head .tag-name")).to_have_text("Claim")
    click_on(page, TEXT.index("never"))
    expect(page.locator("[data-editor] .editor-head .tag-name")).to_have_text("Quote")

    # The key deletes the span the panel shows: the Quote, and only it.
    with saving(page):
        page.keyboard.press("Delete")
    annotation = my_annotation(nested, annotator)
    assert sorted(annotation.spans.values_list("label", flat=True)) == ["Claim", "Source", "Stance"]
    assert page.problems == []


def test_keys_act_on_the_span_the_panel_shows_after_walking_from_a_focused_relation(
    new_page, live_server, nested, annotator
):
    page = new_page(annotator)
    open_workspace(page, live_server, nested)
    annotation = my_annotation(nested, annotator)

    # The relation row has the focus (hovered, its ends lit); j walks to the next span, which
    # the panel then shows — Delete deletes that span, not the relation left behind.
    page.locator("[data-span-list] .span-item", has_text="Source").click()
    page.locator("[data-relation-list] .relation").focus()
    page.keyboard.press("j")
    assert shown(page) == "Quote"
    with saving(page):
        page.keyboard.press("Delete")
    assert not annotation.spans.filter(label="Quote").exists()
    assert shown_count(page) == 3

    # In the span list, j and k carry the focus along, so Enter and Delete stay on that span.
    page.locator("[data-span-list] .span-item", has_text="Source").click()
    page.keyboard.press("j")
    assert shown(page) == "Claim"
    focused = page.evaluate("document.activeElement.closest('[data-key]')?.dataset.key")
    selected = page.locator("[data-span-list] .row.selected").get_attribute("data-key")
    assert focused == selected
    page.keyboard.press("Enter")
    assert shown(page) == "Claim"
    with saving(page):
        page.keyboard.press("x")
    assert sorted(annotation.spans.values_list("label", flat=True)) == ["Source", "Stance"]
    assert page.problems == []


def shown_count(page) -> int:
    return int(page.inner_text("[data-span-count]"))


def test_the_missing_attribute_hint_goes_as_soon_as_the_attribute_is_set(
    new_page, live_server, project, annotator
):
    article = do_create_article(project, external_id="hint", raw_text=TEXT)
    page = new_page(annotator)
    open_workspace(page, live_server, article)
    start = TEXT.index("we will")
    # A new Quote gets its quote_type from its quotation marks; one relabelled from a Claim
    # has none yet.
    mark(page, TEXT, start, start + len(NESTED[0][1]), "4")
    with saving(page):
        page.select_option("#editor-label", "Quote")
    page.focus("[data-doc]")
    message = page.locator("[data-message]")
    item = page.locator("[data-span-list] .span-item", has_text="Quote")
    expect(message).to_contain_text("quote_type")
    expect(item).to_contain_text("needs quote_type")

    page.keyboard.press("a")
    with saving(page):
        page.keyboard.press("Space")  # the first choice: direct
    quote = Span.objects.get(annotation__article=article, label="Quote")
    assert quote.attrs == {"quote_type": "direct"}
    expect(item).not_to_contain_text("needs")
    expect(message).not_to_contain_text("needs")
    expect(message).not_to_contain_text("set its quote_type")
    expect(message).to_contain_text("every required attribute is set")

    # Cleared again (Escape from the field, re-select, clear with the editor): the hint is back.
    page.keyboard.press("Escape")
    item.click()
    expect(message).not_to_contain_text("needs")
    with saving(page):
        page.keyboard.press("z")  # undoing the attribute
    expect(message).to_contain_text("Undone")
    item.click()
    expect(message).to_contain_text("needs quote_type")
    assert page.problems == []
