"""Undo and redo in the workspace, in headless Chromium: Ctrl+Z / Ctrl+Shift+Z / Ctrl+Y (and
`u` / `z`) undo and redo the session's actions through the save queue, so the server holds what
the page shows and the history lists the undo; a delete needs no confirmation; a conflict with
another tab is refused as any save is."""

from __future__ import annotations

import io

import pytest
from playwright.sync_api import expect

from labels.interop.importing import do_create_article, do_import
from labels.models import Annotation, Article, HistoryAction, Origin
from tests.pages.test_workspace_browser import (
    SEED,
    mark,
    my_annotation,
    open_workspace,
    saving,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXT = "Putin told Macron that it was “unacceptable”."


def spans_of(annotation: Annotation) -> list[tuple[str, str, dict]]:
    return sorted((s.label, s.text, s.attrs) for s in annotation.spans.all())


def relations_of(annotation: Annotation) -> list[tuple[str, str, str, dict]]:
    return sorted(
        (r.label, r.source.text, r.target.text, r.attrs)
        for r in annotation.relations.select_related("source", "target")
    )


@pytest.fixture
def linked(api, project, annotator):
    """An article whose draft (ana's) holds Quote “unacceptable” (direct) attributed_to Source
    “Putin” with the cue “told”, made through the API as an earlier session would."""
    article = do_create_article(project, external_id="undo", raw_text=TEXT)
    client = api(annotator)
    payload = client.post(f"/api/v1/articles/{article.pk}/annotation/").json()
    base = f"/api/v1/annotations/{payload['id']}/"
    version = payload["version"]
    ids = {}
    for label, words, attrs in [
        ("Quote", "unacceptable", {"quote_type": "direct"}),
        ("Source", "Putin", {}),
        ("Cue", "told", {}),
    ]:
        start = TEXT.index(words)
        body = {"version": version, "label": label, "start": start, "end": start + len(words)}
        answer = client.post(f"{base}spans/", body | {"text": words, "attrs": attrs}, format="json")
        assert answer.status_code == 201, answer.content
        ids[label], version = answer.json()["span"]["id"], answer.json()["version"]
    answer = client.post(
        f"{base}relations/",
        {
            "version": version,
            "label": "attributed_to",
            "from": ids["Quote"],
            "to": ids["Source"],
            "attrs": {"cue": ids["Cue"]},
        },
        format="json",
    )
    assert answer.status_code == 201, answer.content
    return article


def test_undo_of_a_delete_brings_back_the_span_and_its_link_saved_and_in_the_history(
    new_page, live_server, linked, annotator
):
    annotation = my_annotation(linked, annotator)
    page = new_page(annotator)
    open_workspace(page, live_server, linked)
    page.locator("[data-span-list] .span-item", has_text="Quote").click()
    page.focus("[data-doc]")

    # No confirmation: Delete deletes at once, and the message offers the undo.
    with saving(page):
        page.keyboard.press("Delete")
    assert page.locator("dialog[open]").count() == 0
    message = page.locator("[data-message]")
    expect(message).to_contain_text("Deleted Quote “unacceptable”")
    expect(message.get_by_role("button", name="Undo (Ctrl+Z)")).to_be_visible()
    assert spans_of(annotation) == [("Cue", "told", {}), ("Source", "Putin", {})]
    assert relations_of(annotation) == []

    with saving(page):
        page.keyboard.press("Control+z")
    expect(message).to_contain_text("Undone: deleting Quote “unacceptable”")
    expect(page.locator("[data-span-count]")).to_have_text("3")
    expect(page.locator("[data-relation-count]")).to_have_text("1")
    expect(page.locator("[data-editor] .editor-head")).to_contain_text("Quote")  # shown again
    assert "cue: “told”" in page.inner_text("[data-relation-list] .relation")
    assert spans_of(annotation) == [
        ("Cue", "told", {}),
        ("Quote", "unacceptable", {"quote_type": "direct"}),
        ("Source", "Putin", {}),
    ]
    cue = annotation.spans.get(label="Cue")
    assert relations_of(annotation) == [("attributed_to", "unacceptable", "Putin", {"cue": cue.pk})]
    actions = list(annotation.history.order_by("id").values_list("action", flat=True))
    assert actions[-3:] == [
        HistoryAction.SPAN_DELETED,
        HistoryAction.SPAN_CREATED,
        HistoryAction.RELATION_CREATED,
    ]

    # The history page lists the delete and the undo, by this annotator.
    history = page.context.new_page()
    history.goto(f"{live_server.url}/annotations/{annotation.pk}/history/")
    rows = history.locator("table.history tbody tr")
    expect(rows.nth(0)).to_have_attribute("data-action", HistoryAction.RELATION_CREATED)
    expect(rows.nth(1)).to_have_attribute("data-action", HistoryAction.SPAN_CREATED)
    expect(rows.nth(1)).to_contain_text("unacceptable")
    expect(rows.nth(2)).to_have_attribute("data-action", HistoryAction.SPAN_DELETED)
    expect(rows.nth(1)).to_contain_text(annotator.username)
    expect(rows.nth(1)).to_contain_text("Span created (undo)")
    expect(rows.nth(0)).to_contain_text("(undo)")
    expect(rows.nth(2)).not_to_contain_text("(undo)")
    history.close()

    # Redo deletes it again (with its link); `u` undoes once more.
    with saving(page):
        page.keyboard.press("Control+Shift+z")
    expect(message).to_contain_text("Redone: deleting Quote “unacceptable”")
    assert relations_of(annotation) == []
    assert len(spans_of(annotation)) == 2
    page.focus("[data-doc]")
    with saving(page):
        page.keyboard.press("u")
    assert len(relations_of(annotation)) == 1
    assert page.problems == []


def test_every_kind_of_action_is_undone_and_redone_and_a_new_action_clears_redo(
    new_page, live_server, linked, annotator
):
    annotation = my_annotation(linked, annotator)
    page = new_page(annotator)
    open_workspace(page, live_server, linked)
    message = page.locator("[data-message]")
    quote = annotation.spans.get(label="Quote")

    # An attribute: a, then an arrow sets it; Ctrl+Z puts it back, Ctrl+Y sets it again.
    page.locator("[data-span-list] .span-item", has_text="Quote").click()
    page.keyboard.press("a")
    with saving(page):
        page.keyboard.press("ArrowRight")  # direct → indirect
    quote.refresh_from_db()
    assert quote.attrs == {"quote_type": "indirect"}
    with saving(page):
        page.keyboard.press("Control+z")
    expect(message).to_contain_text("Undone: quote_type of Quote “unacceptable”")
    expect(page.locator("[data-editor] input[value=direct]")).to_be_checked()
    quote.refresh_from_db()
    assert quote.attrs == {"quote_type": "direct"}
    with saving(page):
        page.keyboard.press("Control+y")
    quote.refresh_from_db()
    assert quote.attrs == {"quote_type": "indirect"}

    # A new span: undo deletes it on the server, redo marks it again.
    macron = (TEXT.index("Macron"), TEXT.index("Macron") + len("Macron"))
    mark(page, TEXT, *macron, "2")
    assert ("Source", "Macron", {}) in spans_of(annotation)
    with saving(page):
        page.keyboard.press("z")
    assert ("Source", "Macron", {}) not in spans_of(annotation)
    expect(page.locator("[data-span-count]")).to_have_text("3")
    with saving(page):
        page.keyboard.press("Shift+Z")
    assert ("Source", "Macron", {}) in spans_of(annotation)

    # A relabel in the editor's menu.
    page.locator("[data-span-list] .span-item", has_text="Macron").click()
    with saving(page):
        page.locator("[data-editor] select[data-field=label]").select_option("Claim")
    assert ("Claim", "Macron", {}) in spans_of(annotation)
    page.focus("[data-doc]")
    with saving(page):
        page.keyboard.press("Control+z")
    expect(message).to_contain_text("Undone: relabelling Source “Macron” as Claim")
    assert ("Source", "Macron", {}) in spans_of(annotation)
    expect(page.locator("[data-span-list] .span-item", has_text="Macron")).to_contain_text("Source")

    # Deleting the link; undo links again.
    row = page.locator("[data-relation-list] .relation")
    with saving(page):
        row.get_by_role("button", name="Delete relation attributed_to").click()
    assert relations_of(annotation) == []
    page.focus("[data-doc]")
    with saving(page):
        page.keyboard.press("Control+z")
    cue = annotation.spans.get(label="Cue")
    assert relations_of(annotation) == [("attributed_to", "unacceptable", "Putin", {"cue": cue.pk})]

    # A new action after an undo (the link's delete, just undone): nothing is left to redo.
    mark(page, TEXT, TEXT.index("that"), TEXT.index("that") + 4, "4")
    version = Annotation.objects.get(pk=annotation.pk).version
    page.keyboard.press("Control+Shift+z")
    expect(message).to_have_text("Nothing to redo.")
    assert Annotation.objects.get(pk=annotation.pk).version == version
    assert len(relations_of(annotation)) == 1
    assert page.problems == []


def test_accept_all_is_undone_as_one_action(new_page, live_server, project, annotator):
    do_import(project, [(SEED.name, io.BytesIO(SEED.read_bytes()))], fmt="text")
    article = Article.objects.get(project=project)
    page = new_page(annotator)
    open_workspace(page, live_server, article)
    page.locator("[data-suggestions][data-state=loaded]").wait_for()
    suggested = page.locator("[data-suggestion-list] [data-suggestion]").count()
    assert suggested >= 4
    annotation = my_annotation(article, annotator)
    page.focus("[data-doc]")
    with saving(page):
        page.keyboard.press("Shift+A")
    accepted = annotation.spans.filter(origin=Origin.SUGGESTED).count()
    assert accepted >= 4
    expect(page.locator("[data-span-count]")).to_have_text(str(accepted))

    with saving(page):
        page.keyboard.press("Control+z")
    expect(page.locator("[data-message]")).to_contain_text(
        f"Undone: accepting {accepted} suggestions"
    )
    assert annotation.spans.count() == 0
    assert annotation.relations.count() == 0
    expect(page.locator("[data-span-count]")).to_have_text("0")
    assert annotation.history.filter(action=HistoryAction.SPAN_DELETED).count() == accepted
    # The suggestions are offered again, as before the accept.
    expect(page.locator("[data-suggestion-list] [data-suggestion]")).to_have_count(suggested)

    with saving(page):
        page.keyboard.press("Control+Shift+z")
    assert annotation.spans.count() == accepted
    assert page.problems == []


def test_undo_against_a_change_made_in_another_tab_is_refused_as_a_conflict(
    new_page, live_server, linked, annotator
):
    annotation = my_annotation(linked, annotator)
    first = new_page(annotator)
    open_workspace(first, live_server, linked)
    first.locator("[data-span-list] .span-item", has_text="Cue").click()
    first.focus("[data-doc]")
    with saving(first):
        first.keyboard.press("Delete")
    assert ("Cue", "told", {}) not in spans_of(annotation)

    second = first.context.new_page()
    second.set_default_timeout(10_000)
    open_workspace(second, live_server, linked)
    second.locator("[data-span-list] .span-item", has_text="Quote").click()
    second.keyboard.press("a")
    with saving(second):
        second.keyboard.press("ArrowRight")  # direct → indirect, in the other tab

    first.keyboard.press("Control+z")
    alert = first.locator("[data-alert]")
    alert.wait_for(state="visible")
    assert "changed somewhere else" in alert.inner_text()
    expect(first.locator("[data-save-state]")).to_have_attribute("data-state", "conflict")
    assert ("Cue", "told", {}) not in spans_of(annotation)  # nothing overwritten
    assert ("Quote", "unacceptable", {"quote_type": "indirect"}) in spans_of(annotation)
