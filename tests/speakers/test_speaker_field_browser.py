"""The workspace's Speaker field and span list in Chromium: a linked speaker is never shown as
its raw id — "…" while the registry is on its way, the name once it arrives, also in a field
that had the focus meanwhile; and the type-ahead shows every speaker an alias names, with kind
and description, for the analyst to choose from with the keyboard alone (Enter alone never
picks one of them). Screenshot: /tmp/S19/speaker-typeahead-two-matches.png."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.db import transaction
from playwright.sync_api import expect

from labels.annotation import spans, versions
from labels.models import Annotation, Span
from tests.pages.test_workspace_browser import open_workspace, saving
from tests.support.review_helpers import span_data

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/S19")
REGISTRY = re.compile(r"/api/v1/projects/[^/]+/speakers/(\?.*)?$")


def _source(talks, annotator, **attrs):
    layer, _ = Annotation.objects.get_or_create(article=talks, annotator=annotator, is_gold=False)
    with transaction.atomic():
        locked = versions.locked(layer.pk)
        spans.do_add_span(
            locked, annotator, span_data("Source", "Macron", **attrs), version=locked.version
        )
    return layer


def _to_speaker_field(page):
    page.focus("[data-doc]")
    page.keyboard.press("Escape")
    page.keyboard.press("Tab")  # the Source
    page.keyboard.press("a")  # source_type
    page.keyboard.press("Tab")  # the Speaker field
    field = page.locator("[data-editor] input[data-kind=speaker]")
    expect(field).to_be_focused()
    return field


def test_a_linked_speaker_shows_no_id_while_the_registry_loads_then_its_name(
    new_page, live_server, project, talks, annotator, make_speaker
):
    macron = make_speaker(project, "Emmanuel Macron", aliases=["Macron"])
    _source(talks, annotator, speaker=macron.pk)
    page = new_page(annotator)
    held = []  # the registry's request, answered when the test says so
    page.route(REGISTRY, lambda route: held.append(route))
    open_workspace(page, live_server, talks)
    row = page.locator("[data-span-list] .span-item")
    expect(row).to_contain_text("speaker: …")
    field = _to_speaker_field(page)
    expect(field).to_have_value("")
    expect(field).to_have_attribute("placeholder", "Loading speakers…")
    assert not re.search(rf"#\s*{macron.pk}\b", page.inner_text("[data-ws]"))
    assert held, "the page did not ask for the registry"

    for route in held:
        route.continue_()
    expect(row).to_contain_text("speaker: Emmanuel Macron")
    # The field had the focus when the names arrived, untouched: it shows the name too.
    expect(field).to_have_value("Emmanuel Macron")
    expect(field).to_be_focused()
    assert not re.search(rf"#\s*{macron.pk}\b", page.inner_text("[data-ws]"))
    assert not page.problems


def test_text_typed_before_the_registry_arrives_is_listed_when_it_does(
    new_page, live_server, project, talks, annotator, make_speaker
):
    make_speaker(project, "Emmanuel Macron", aliases=["Macron"])
    make_speaker(project, "Brigitte Macron", aliases=["Macron"])
    _source(talks, annotator)
    page = new_page(annotator)
    held = []  # the registry's request, answered when the test says so
    page.route(REGISTRY, lambda route: held.append(route))
    open_workspace(page, live_server, talks)
    _to_speaker_field(page)
    page.keyboard.type("Macron")
    listbox = page.get_by_role("listbox", name="Speakers")
    expect(listbox).to_be_hidden()  # nothing to list yet
    assert held, "the page did not ask for the registry"

    for route in held:
        route.continue_()
    options = listbox.get_by_role("option")
    expect(options).to_have_count(2)
    expect(options.nth(0)).to_contain_text("Brigitte Macron")
    expect(page.locator("[role=option][aria-selected=true]")).to_have_count(0)
    assert not page.problems


def test_an_alias_of_two_speakers_lists_both_and_the_keyboard_chooses(
    new_page, live_server, project, talks, annotator, make_speaker
):
    emmanuel = make_speaker(
        project,
        "Emmanuel Macron",
        aliases=["Macron"],
        description="President of France",
        wikidata_id="Q3052772",
    )
    make_speaker(
        project, "Brigitte Macron", aliases=["Macron"], description="Wife of Emmanuel Macron"
    )
    make_speaker(project, "Élysée Palace", kind="government", aliases=["the Élysée"])
    layer = _source(talks, annotator)
    page = new_page(annotator, viewport={"width": 1440, "height": 900})
    open_workspace(page, live_server, talks)
    field = _to_speaker_field(page)
    page.keyboard.type("Macron")

    options = page.get_by_role("listbox", name="Speakers").get_by_role("option")
    expect(options).to_have_count(2)
    expect(options.nth(0)).to_contain_text("Brigitte Macron")
    expect(options.nth(0)).to_contain_text("Wife of Emmanuel Macron")
    expect(options.nth(1)).to_contain_text("Emmanuel Macron")
    expect(options.nth(1)).to_contain_text("person · President of France · Q3052772")
    expect(page.locator("[role=option][aria-selected=true]")).to_have_count(0)

    # Enter alone does not pick one of them: the hint asks the analyst to choose.
    page.keyboard.press("Enter")
    expect(page.locator("[data-editor] .field .hint")).to_contain_text(
        "“Macron” names 2 speakers: choose one in the list"
    )
    assert "speaker" not in Span.objects.get(annotation=layer).attrs

    page.keyboard.press("ArrowDown")
    expect(options.nth(0)).to_have_attribute("aria-selected", "true")
    page.keyboard.press("ArrowDown")
    expect(options.nth(1)).to_have_attribute("aria-selected", "true")
    expect(field).to_have_attribute("aria-activedescendant", options.nth(1).get_attribute("id"))
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "speaker-typeahead-two-matches.png"))
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowUp")  # round to the last one again
    expect(options.nth(1)).to_have_attribute("aria-selected", "true")
    with saving(page):
        page.keyboard.press("Enter")
    assert Span.objects.get(annotation=layer).attrs["speaker"] == emmanuel.pk
    expect(page.locator("[data-span-list] .span-item")).to_contain_text("speaker: Emmanuel Macron")

    # Esc closes the list and leaves the field where it is, the span still selected.
    field = page.locator("[data-editor] input[data-kind=speaker]")
    field.focus()
    page.keyboard.type("ely")
    expect(options).to_have_count(1)
    expect(options.first).to_contain_text("Élysée Palace")
    page.keyboard.press("Escape")
    expect(page.get_by_role("listbox", name="Speakers")).to_be_hidden()
    expect(field).to_be_focused()
    assert "Source" in page.inner_text("[data-editor] .editor-head")
    assert not page.problems
