"""Settings → Schema in headless Chromium: a manager adds a label with a hotkey and a required
attribute, reviews and saves it; an analyst then marks a span of it with that key."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from labels.annotation import queue
from labels.models import Annotation, Project, SchemaVersion, Span
from tests.pages.test_workspace_browser import drag_select, open_workspace, saving
from tests.support.review_helpers import TEXT

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_manager_adds_event_with_hotkey_6_and_an_analyst_marks_one(
    new_page, live_server, project, manager, annotator, make_article
):
    article = make_article(project, TEXT)
    queue.do_get_or_create_own(article, annotator)  # an annotation exists: a save is a version

    page = new_page(manager)
    page.goto(f"{live_server.url}/projects/{project.slug}/settings/schema/")
    page.get_by_role("button", name="Add span label").click()
    # The new row's name has the focus: the editor is driven from the keyboard.
    page.keyboard.type("Event")
    row = page.locator("li.se-row").filter(has=page.locator("h4", has_text=re.compile("^Event$")))
    row.get_by_label("Colour").fill("#0f766e")
    row.get_by_label("Hotkey").fill("6")
    row.get_by_role("button", name="Add attribute to Event").click()
    page.keyboard.type("event_type")
    row.get_by_label("Choices").fill("protest\nstrike\nelection")
    row.get_by_label("Required").check()
    # Reordering from the keyboard: the moved row's button keeps the focus.
    row.get_by_role("button", name="Move Event up").focus()
    page.keyboard.press("Enter")
    expect(page.locator("li.se-row h4").nth(4)).to_have_text("Event")
    expect(page.get_by_role("button", name="Move Event up")).to_be_focused()

    page.get_by_role("button", name="Review change").click()
    review = page.locator("[data-review]")
    expect(review).to_contain_text("Adds the span label Event.")
    expect(review).to_contain_text("Creates schema version 2")
    review.get_by_role("button", name="Save").click()
    expect(page.locator(".messages")).to_contain_text("Schema saved: this is schema version 2.")
    assert not page.problems

    project = Project.objects.get(pk=project.pk)
    assert project.schema_version == 2
    stored = SchemaVersion.objects.get(project=project, version=2).schema
    assert [x["name"] for x in stored["span_labels"]][4:] == ["Event", "Stance"]
    event = next(x for x in stored["span_labels"] if x["name"] == "Event")
    assert (event["color"], event["hotkey"]) == ("#0f766e", "6")
    assert event["attributes"] == [
        {
            "name": "event_type",
            "type": "choice",
            "required": True,
            "choices": ["protest", "strike", "election"],
        }
    ]

    analyst = new_page(annotator)
    open_workspace(analyst, live_server, article)
    start = TEXT.index("the talks would go on")
    drag_select(analyst, TEXT, start, start + len("the talks would go on"))
    with saving(analyst):
        analyst.keyboard.press("6")
    layer = Annotation.objects.get(article=article, annotator=annotator)
    (span,) = Span.objects.filter(annotation=layer)
    assert (span.label, span.text, span.attrs) == ("Event", "the talks would go on", {})
    assert not analyst.problems


def test_a_clashing_hotkey_is_shown_next_to_its_field_and_nothing_is_saved(
    new_page, live_server, project, manager
):
    page = new_page(manager)
    page.goto(f"{live_server.url}/projects/{project.slug}/settings/schema/")
    page.get_by_role("button", name="Add span label").click()
    page.keyboard.type("Event")
    row = page.locator("li.se-row").filter(has=page.locator("h4", has_text=re.compile("^Event$")))
    row.get_by_label("Hotkey").fill("1")

    page.get_by_role("button", name="Review change").click()

    hotkey = row.get_by_label("Hotkey")
    expect(hotkey).to_have_attribute("aria-invalid", "true")
    expect(hotkey).to_be_focused()
    expect(row.locator("[data-error-for$='.hotkey']")).to_have_text(
        "The hotkey “1” is already used by Quote."
    )
    expect(page.locator("[data-review]")).to_be_hidden()
    assert Project.objects.get(pk=project.pk).schema["span_labels"][-1]["name"] == "Stance"
