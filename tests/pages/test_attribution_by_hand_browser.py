"""An attribution marked by hand from the keyboard in at most 8 actions (issue 13's figure):
the Quote's quote_type comes from its quotation marks, the Source marked after it is linked to
it with the nearest Cue by one Enter, which then moves to the Source's source_type. And the
keyboard help opens at its top."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from labels.interop.importing import do_create_article
from labels.models import Annotation, Relation, Suggesters
from tests.pages.test_workspace_browser import drag_select, open_workspace

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXT = "The Kremlin said “we are ready to talk” on Monday."


@pytest.mark.parametrize("suggesters", [Suggesters.NONE, Suggesters.BUILTIN])
def test_an_attribution_by_hand_takes_eight_actions_and_saves_whole(
    new_page, live_server, project, annotator, suggesters
):
    # With the built-in suggester too (as bench/workspace_figures.py plays it): its dashed
    # suggestions of the same attribution are in the way of nothing.
    project.suggesters = suggesters
    project.save(update_fields=["suggesters"])
    article = do_create_article(project, external_id="by-hand", raw_text=TEXT)
    page = new_page(annotator)
    open_workspace(page, live_server, article)
    annotation = Annotation.objects.get(article=article, annotator=annotator, is_gold=False)
    version = annotation.version
    message = page.locator("[data-message]")
    actions = []

    def drag(part: str) -> None:
        """One drag from inside its first word to inside its last: it snaps to the words."""
        start = TEXT.index(part)
        drag_select(page, TEXT, start + 1, start + len(part) - 1)
        actions.append(f"drag {part!r}")
        expect(message).to_contain_text(f"“{part}” — press a label key")

    def key(name: str) -> None:
        page.keyboard.press(name)
        actions.append(name)

    drag("we are ready to talk")
    key("1")  # Quote: its quote_type from the marks around it, and said so
    expect(message).to_contain_text("quote_type direct, from its quotation marks")
    editor = page.locator("[data-editor]")
    expect(editor.locator("input[data-attr=quote_type][value=direct]")).to_be_checked()
    drag("said")
    key("3")  # Cue
    expect(editor.locator(".editor-text")).to_have_text("said")
    drag("The Kremlin")
    key("2")  # Source: the link to the Quote is offered, with the cue
    expect(message).to_contain_text(
        "Enter links it to Quote “we are ready to talk” (attributed_to with the cue Cue “said”)"
        ", then choose its source_type"
    )
    key("Enter")  # linked; the source_type field has the focus
    expect(message).to_contain_text("Linked Quote “we are ready to talk” → attributed_to")
    source_type = editor.locator("input[data-attr=source_type]")
    expect(source_type.and_(page.locator(":focus"))).to_have_attribute("value", "")  # on "—"
    key("ArrowRight")  # the first type after "—": person
    expect(source_type.and_(page.locator(":checked"))).to_have_attribute("value", "person")

    assert len(actions) == 8, actions
    # Three spans, the link and the source_type: five changes, one version each.
    page.locator(f'[data-save-state][data-state=saved][data-version="{version + 5}"]').wait_for()
    annotation.refresh_from_db()
    assert annotation.version == version + 5
    spans = {s.label: s for s in annotation.spans.all()}
    assert {label: s.text for label, s in spans.items()} == {
        "Quote": "we are ready to talk",
        "Cue": "said",
        "Source": "The Kremlin",
    }
    assert spans["Quote"].attrs == {"quote_type": "direct"}
    assert spans["Source"].attrs == {"source_type": "person"}
    relation = Relation.objects.get(annotation=annotation)
    assert (relation.label, relation.source_id, relation.target_id) == (
        "attributed_to",
        spans["Quote"].pk,
        spans["Source"].pk,
    )
    assert relation.attrs == {"cue": spans["Cue"].pk}
    assert page.problems == []


def test_keyboard_help_opens_at_its_top(new_page, live_server, project, annotator):
    article = do_create_article(project, external_id="keys", raw_text=TEXT)
    page = new_page(annotator, viewport={"width": 1024, "height": 480})
    open_workspace(page, live_server, article)
    page.focus("[data-doc]")
    page.keyboard.press("?")
    dialog = page.locator("dialog[data-dialog=shortcuts]")
    dialog.wait_for(state="visible")
    assert dialog.evaluate("d => d.scrollHeight > d.clientHeight")  # long enough to scroll
    assert dialog.evaluate("d => d.scrollTop") == 0
    expect(dialog.get_by_role("heading", name="Keyboard shortcuts")).to_be_in_viewport()
    page.keyboard.press("Escape")
    dialog.wait_for(state="hidden")
    assert page.problems == []
