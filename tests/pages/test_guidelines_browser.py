"""Guidelines in the browser: the manager writes them with a live preview and saves a version;
the analyst sees "the guidelines changed", reads them, and the notice is gone for good."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from labels.models import Membership, Project

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXT = (
    "# Quotes first\n\nMark **every** quote. <script>window.__xss = 1</script>\n\n"
    '<img src=x onerror="window.__xss = 2"> [click](javascript:window.__xss=3)\n'
)


def test_manager_writes_and_saves_analyst_sees_notice_reads_and_it_is_gone(
    new_page, live_server, project, manager, annotator, make_article
):
    article = make_article(project, "Putin said the talks would go on.", title="Talks")

    page = new_page(manager)
    page.goto(f"{live_server.url}/projects/{project.slug}/settings/")
    page.get_by_role("link", name="Guidelines", exact=True).click()
    expect(page.get_by_role("heading", name="Guidelines", exact=True)).to_be_visible()
    page.locator("[data-guidelines-editor][data-ready]").wait_for()
    editor = page.get_by_label("Guidelines (Markdown)")
    editor.fill(TEXT)
    preview = page.locator("[data-guidelines-preview]")
    # The live preview is the server's sanitised rendering: markup stays text.
    expect(preview.get_by_role("heading", name="Quotes first")).to_be_visible()
    expect(preview).to_contain_text("<script>window.__xss = 1</script>")
    assert preview.locator("strong").inner_text() == "every"
    assert preview.locator("a, img, script").count() == 0
    page.get_by_role("button", name="Save guidelines").click()
    expect(page.locator(".messages")).to_contain_text("Guidelines saved as version 1.")
    expect(page.locator("[data-guidelines-version]")).to_contain_text(
        re.compile(r"Version 1, saved ")
    )
    assert page.evaluate("window.__xss") is None
    assert page.problems == []

    saved = Project.objects.get(pk=project.pk)
    assert saved.guidelines == TEXT and saved.guidelines_version == 1

    analyst = new_page(annotator)
    analyst.goto(f"{live_server.url}/articles/{article.pk}/annotate/")
    expect(analyst.locator("[data-save-state]")).not_to_have_text("Loading…")  # the page is live
    notice = analyst.locator("[data-guidelines-notice]")
    expect(notice).to_contain_text(
        f"The guidelines changed on {saved.guidelines_updated_at:%-d %B %Y} — read them"
    )
    with analyst.expect_response(re.compile(r"/guidelines/seen/$")) as seen:
        notice.get_by_role("button", name="read them").click()
    assert seen.value.status == 204
    dialog = analyst.locator("dialog[data-dialog=guidelines]")
    expect(dialog.get_by_role("heading", name="Quotes first")).to_be_visible()
    expect(notice).to_have_count(0)
    assert analyst.evaluate("window.__xss") is None
    assert Membership.objects.get(project=project, user=annotator).guidelines_seen_version == 1

    analyst.reload()
    expect(analyst.locator("[data-save-state]")).not_to_have_text("Loading…")
    expect(analyst.locator("[data-guidelines-notice]")).to_have_count(0)
    assert analyst.problems == []
