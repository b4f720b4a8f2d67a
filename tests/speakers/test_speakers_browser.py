"""Issue 19's acceptance in headless Chromium: an analyst links a Source to a speaker with the
keyboard only; a reviewer merges two speakers on the Speakers page, sees the merged speaker's
quotes, and undoes the merge. Screenshots of the page at 1440 and 390 px go to tmp_path."""

from __future__ import annotations

import pytest
from django.db import transaction
from playwright.sync_api import expect

from labels.annotation import spans, versions
from labels.models import Annotation, Span, Speaker
from tests.pages.test_workspace_browser import open_workspace, saving
from tests.support.review_helpers import span_data

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_analyst_links_a_source_to_a_speaker_with_the_keyboard(
    new_page, live_server, project, talks, annotator, make_speaker
):
    putin = make_speaker(project, "Vladimir Putin", aliases=["Poutine"])
    layer, _ = Annotation.objects.get_or_create(article=talks, annotator=annotator, is_gold=False)
    with transaction.atomic():
        locked = versions.locked(layer.pk)
        spans.do_add_span(locked, annotator, span_data("Source", "Putin"), version=locked.version)

    page = new_page(annotator)
    open_workspace(page, live_server, talks)
    page.focus("[data-doc]")
    page.keyboard.press("Escape")
    page.keyboard.press("Tab")  # the first span: the Source
    assert "Source" in page.inner_text("[data-editor] .editor-head")
    page.keyboard.press("a")  # its first field, source_type
    page.keyboard.press("Tab")  # on to the Speaker field
    field = page.locator("[data-editor] input[data-kind=speaker]")
    expect(field).to_be_focused()
    # The type-ahead lists the speaker an alias names, highlighted when it is the only one.
    page.keyboard.type("poutine")
    option = page.get_by_role("option", name="Vladimir Putin")
    expect(option).to_have_attribute("aria-selected", "true")
    with saving(page):
        page.keyboard.press("Enter")
    source = Span.objects.get(annotation=layer, label="Source")
    assert source.attrs["speaker"] == putin.pk
    expect(page.locator("[data-editor] input[data-kind=speaker]")).to_have_value("Vladimir Putin")

    # A name the registry does not know: the first Enter says so, the second adds it.
    box = page.locator("[data-editor] input[data-kind=speaker]")
    box.focus()
    box.fill("Dmitry Peskov")
    page.keyboard.press("Enter")
    expect(
        page.locator("[data-editor] .field .hint").filter(has_text="press Enter again")
    ).to_be_visible()
    with saving(page):
        page.keyboard.press("Enter")
    peskov = Speaker.objects.get(project=project, name="Dmitry Peskov")
    source.refresh_from_db()
    assert source.attrs["speaker"] == peskov.pk
    assert not page.problems


def test_a_reviewer_merges_two_speakers_and_sees_the_quotes_then_undoes_it(
    new_page, live_server, project, reviewer, linked_layer, make_speaker, tmp_path
):
    short = linked_layer.speaker
    short.name = "Macron"
    short.aliases = []
    short.save()
    make_speaker(
        project, "Emmanuel Macron", wikidata_id="Q3052772", description="President of France"
    )
    make_speaker(project, "AFP", kind="news_agency")

    page = new_page(reviewer, viewport={"width": 1440, "height": 900})
    page.goto(f"{live_server.url}/projects/{project.slug}/")
    page.get_by_role("link", name="Speakers").click()
    page.get_by_role("link", name="Macron", exact=True).click()
    quotes = page.locator("[data-speaker-quotes] tbody tr")
    expect(quotes).to_have_count(1)
    page.select_option("#merge-into", label="Emmanuel Macron")
    page.get_by_role("button", name="Merge", exact=True).click()
    expect(page.locator("h2#speaker-detail-title")).to_have_text("Emmanuel Macron")
    expect(
        page.get_by_text("Merged “Macron” into “Emmanuel Macron”; 1 link moved.")
    ).to_be_visible()
    expect(quotes).to_have_count(1)
    assert "the talks would go on" in quotes.first.inner_text()
    assert "said" in quotes.first.inner_text() and "Talks" in quotes.first.inner_text()
    page.screenshot(path=str(tmp_path / "speakers-1440.png"), full_page=True)
    assert Span.objects.get(pk=linked_layer.created_spans[1].pk).attrs["speaker"] != short.pk

    page.get_by_role("button", name="Undo merge").click()
    expect(page.get_by_text("Undid the merge")).to_be_visible()
    expect(page.locator("h2#speaker-detail-title")).to_have_text("Macron")
    expect(quotes).to_have_count(1)
    assert Span.objects.get(pk=linked_layer.created_spans[1].pk).attrs["speaker"] == short.pk

    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(tmp_path / "speakers-390.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
    # Who said what on a phone: every cell in sight, named, none scrolled out of the table.
    row = quotes.first
    row.scroll_into_view_if_needed()
    for text in ("Macron", "said", "Talks", "2020-10-01"):
        expect(row.get_by_text(text, exact=True)).to_be_in_viewport()
    assert page.evaluate(
        """[...document.querySelectorAll("[data-speaker-quotes] td")].every(
            (td) => td.getBoundingClientRect().right <= innerWidth)"""
    )
    labels = row.locator("td[data-label]").evaluate_all(
        "(tds) => tds.map((td) => getComputedStyle(td, '::before').content)"
    )
    assert labels[1:4] == ['"Source: "', '"Cue: "', '"Article: "']
    assert not page.problems


def test_enter_in_an_empty_speaker_field_takes_the_suggested_speaker(
    new_page, live_server, project, talks, annotator, make_speaker
):
    kremlin = make_speaker(project, "the Kremlin", kind="government")
    layer, _ = Annotation.objects.get_or_create(article=talks, annotator=annotator, is_gold=False)
    with transaction.atomic():
        locked = versions.locked(layer.pk)
        spans.do_add_span(
            locked, annotator, span_data("Source", "the Kremlin"), version=locked.version
        )

    page = new_page(annotator)
    open_workspace(page, live_server, talks)
    page.focus("[data-doc]")
    page.keyboard.press("Escape")
    page.keyboard.press("Tab")
    page.keyboard.press("a")
    page.keyboard.press("Tab")
    field = page.locator("[data-editor] input[data-kind=speaker]")
    expect(field).to_be_focused()
    expect(field).to_have_attribute("placeholder", "Suggested: the Kremlin")
    hint = page.locator("[data-editor] .field:has(input[data-kind=speaker]) .hint")
    expect(hint).to_contain_text("Suggested: the Kremlin (95%) — Enter takes it")
    # Typed text is no longer the suggestion: the hint stops promising it; emptied, it is back.
    page.keyboard.type("Pes")
    expect(hint).not_to_contain_text("Enter takes it")
    for _ in "Pes":
        page.keyboard.press("Backspace")
    expect(hint).to_contain_text("Suggested: the Kremlin (95%) — Enter takes it")
    with saving(page):
        page.keyboard.press("Enter")
    assert Span.objects.get(annotation=layer).attrs["speaker"] == kremlin.pk
    expect(page.locator("[data-span-list] .span-item")).to_contain_text("speaker: the Kremlin")
    assert not page.problems
