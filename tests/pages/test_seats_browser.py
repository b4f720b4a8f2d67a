"""Seats in headless Chromium: staff look without taking a seat and take one only with "Annotate
it myself"; an analyst opens articles from the list (and is told why not); Next with an open
draft says so; the cap on open drafts is set in Settings and holds; the link dialog's cue."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from playwright.sync_api import expect

from labels.annotation import queue
from labels.models import Annotation, Project, Relation, Role
from tests.support.review_helpers import span_data, submit_layer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def pair(make_project, manager, reviewer, annotator, annotator2):
    """Two analysts per article: mara manages, rita reviews, ana and ben annotate."""
    return make_project(
        "pair",
        name="Pair desk",
        annotators_per_article=2,
        members={
            manager: Role.MANAGER,
            reviewer: Role.REVIEWER,
            annotator: Role.ANNOTATOR,
            annotator2: Role.ANNOTATOR,
        },
    )


def open_from_list(page, live_server, project, title: str) -> None:
    page.goto(f"{live_server.url}/projects/{project.slug}/")
    page.locator("table.articles").get_by_role("link", name=title, exact=True).click()


def test_staff_who_open_an_article_take_no_seat_and_ana_and_assign_still_can(
    new_page, live_server, pair, manager, reviewer, annotator, annotator2, make_article
):
    article = make_article(pair, "The Kremlin said “no” on Monday.", title="Kremlin says no")
    for user in (manager, reviewer):
        page = new_page(user)
        open_from_list(page, live_server, pair, "Kremlin says no")
        page.wait_for_url(f"{live_server.url}/articles/{article.pk}/annotate/")
        expect(page.get_by_role("heading", name="Read only")).to_be_visible()
        expect(page.locator("[data-article-text]")).to_have_text(article.text)
        expect(page.get_by_text("Nobody has started it yet.")).to_be_visible()
        expect(page.locator("[data-ws]")).to_have_count(0)
        assert page.problems == []
    assert not Annotation.objects.filter(article=article).exists()

    ana = new_page(annotator)
    open_from_list(ana, live_server, pair, "Kremlin says no")
    ana.wait_for_selector("[data-ws][data-ready]")

    mara = new_page(manager)
    mara.goto(f"{live_server.url}/projects/{pair.slug}/")
    mara.select_option("#assign-article", label="Kremlin says no")
    mara.select_option("#assign-user", value=annotator2.username)
    mara.get_by_role("button", name="Assign").click()
    expect(mara.locator(".messages")).to_contain_text("Kremlin says no is assigned to ben.")
    assert set(
        Annotation.objects.filter(article=article).values_list("annotator__username", flat=True)
    ) == {"ana", "ben"}

    # Now that both seats are taken, the read-only view says so and offers no button.
    mara.goto(f"{live_server.url}/articles/{article.pk}/annotate/")
    expect(mara.locator(".view-only")).to_contain_text("2 of 2 analysts are on it")
    expect(mara.locator("[data-layers] li")).to_have_count(2)
    expect(mara.get_by_role("button", name="Annotate it myself")).to_have_count(0)


def test_annotate_it_myself_takes_a_seat_and_opens_the_workspace(
    new_page, live_server, pair, reviewer, make_article
):
    article = make_article(pair, "The Kremlin said “no” on Monday.", title="Kremlin says no")
    page = new_page(reviewer)
    page.goto(f"{live_server.url}/articles/{article.pk}/annotate/")
    assert not Annotation.objects.filter(article=article).exists()

    page.get_by_role("button", name="Annotate it myself").click()

    page.wait_for_selector("[data-ws][data-ready]")
    expect(page.locator("[data-text]")).to_have_text(article.text)
    mine = Annotation.objects.get(article=article, annotator=reviewer)
    assert mine.status == "draft" and mine.lease_expires_at is not None
    page.reload()  # now she has a layer: the workspace again, still one seat
    page.wait_for_selector("[data-ws][data-ready]")
    assert Annotation.objects.filter(article=article).count() == 1


def test_an_analyst_opens_articles_from_the_list_and_is_told_why_one_is_closed(
    new_page, live_server, pair, annotator, annotator2, make_user, make_article
):
    carl = make_user("carl")
    pair.memberships.create(user=carl, role=Role.ANNOTATOR)
    full = make_article(pair, title="Taken by two")
    done = make_article(pair, title="Finished by me")
    free = make_article(pair, "Minsk said “later”.", title="Free one")
    queue.do_get_or_create_own(full, annotator2)
    queue.do_get_or_create_own(full, carl)
    finished = queue.do_get_or_create_own(done, annotator)
    finished.status = "submitted"
    finished.lease_expires_at = None
    finished.save(update_fields=["status", "lease_expires_at"])

    page = new_page(annotator)
    page.goto(f"{live_server.url}/projects/{pair.slug}/")
    table = page.locator("table.articles")
    expect(table.get_by_role("link", name="Taken by two")).to_have_count(0)
    row = table.locator("tr", has_text="Taken by two")
    expect(row.locator("[data-closed-why]")).to_have_text("2 of 2 analysts are on it")

    table.get_by_role("link", name="Finished by me").click()
    page.wait_for_selector("[data-ws][data-ready]")
    expect(page.locator("[data-alert-text]")).to_contain_text("This article is submitted")

    open_from_list(page, live_server, pair, "Free one")
    page.wait_for_url(f"{live_server.url}/articles/{free.pk}/annotate/")
    page.wait_for_selector("[data-ws][data-ready]")
    assert Annotation.objects.get(article=free, annotator=annotator).status == "draft"
    assert not Annotation.objects.filter(article=full, annotator=annotator).exists()


def test_next_with_an_open_draft_says_so_with_a_link_to_it(
    new_page, live_server, pair, annotator, make_article
):
    article = make_article(pair, "Minsk said “later”.", title="My open draft")
    make_article(pair, title="Still waiting")
    page = new_page(annotator)
    page.goto(f"{live_server.url}/articles/{article.pk}/annotate/")
    page.wait_for_selector("[data-ws][data-ready]")

    page.get_by_role("button", name="Next article").click()

    page.wait_for_url(f"{live_server.url}/projects/{pair.slug}/")
    message = page.locator(".messages")
    expect(message).to_contain_text("You have an open draft: My open draft.")
    assert Annotation.objects.filter(annotator=annotator).count() == 1
    message.get_by_role("link", name="My open draft").click()
    page.wait_for_url(f"{live_server.url}/articles/{article.pk}/annotate/")
    page.wait_for_selector("[data-ws][data-ready]")


def test_a_manager_sets_open_drafts_per_analyst_and_the_list_and_the_page_hold_to_it(
    new_page, live_server, pair, manager, annotator, make_article
):
    first = make_article(pair, title="First")
    second = make_article(pair, title="Second")
    mara = new_page(manager)
    mara.goto(f"{live_server.url}/projects/{pair.slug}/settings/")
    field = mara.get_by_label("Open drafts per analyst")
    expect(field).to_have_value("3")
    field.fill("0")
    mara.get_by_role("button", name="Save").click()
    expect(mara.get_by_text("An analyst may hold at least 1 open draft.")).to_be_visible()
    assert Project.objects.get(pk=pair.pk).max_open_drafts == 3
    mara.get_by_label("Open drafts per analyst").fill("1")
    mara.get_by_role("button", name="Save").click()
    expect(mara.locator(".messages")).to_contain_text("Settings saved.")
    assert Project.objects.get(pk=pair.pk).max_open_drafts == 1

    ana = new_page(annotator)
    open_from_list(ana, live_server, pair, "First")
    ana.wait_for_selector("[data-ws][data-ready]")
    ana.goto(f"{live_server.url}/projects/{pair.slug}/")
    expect(ana.locator("[data-draft-cap]")).to_contain_text("You hold 1 open draft")
    row = ana.locator("table.articles tr", has_text="Second")
    expect(row.locator("[data-closed-why]")).to_have_text("Finish one of your open drafts first")

    ana.goto(f"{live_server.url}/articles/{second.pk}/annotate/")  # a typed or old link
    expect(ana.locator("[data-refusal]")).to_contain_text("You already have 1 open draft")
    ana.locator(".full-notice").get_by_role("link", name="First").click()
    ana.wait_for_url(f"{live_server.url}/articles/{first.pk}/annotate/")
    assert list(
        Annotation.objects.filter(annotator=annotator).values_list("article", flat=True)
    ) == [first.pk]


# --- The link dialog's cue (issue 13, point 9) ---------------------------------------------------

CUE_TEXT = "“Interference is unacceptable,” the Kremlin said. Macron said nothing about it."


@contextmanager
def saving(page) -> Iterator[None]:
    """After the block, wait until the server has confirmed a new version (as in
    test_workspace_browser.saving)."""
    before = page.locator("[data-save-state]").get_attribute("data-version")
    yield
    page.locator(f'[data-save-state][data-state=saved]:not([data-version="{before}"])').wait_for()


def test_the_cue_defaults_to_the_one_next_to_the_pair_shows_its_context_and_enter_links(
    new_page, live_server, pair, annotator, make_article
):
    article = make_article(pair, CUE_TEXT, title="Kremlin")
    marks = [
        span_data("Quote", "Interference is unacceptable", CUE_TEXT),
        span_data("Source", "the Kremlin", CUE_TEXT),
        span_data("Cue", "Macron said", CUE_TEXT),  # further from the pair, but first in a list
        span_data("Cue", "said", CUE_TEXT),  # the Kremlin's "said": the first "said" in the text
    ]
    marks[2] = {**marks[2], "start": marks[2]["start"] + 7, "text": "said"}
    annotation = submit_layer(article, annotator, marks, submit=False)
    quote, _, far_cue, near_cue = annotation.created_spans

    page = new_page(annotator)
    page.goto(f"{live_server.url}/articles/{article.pk}/annotate/")
    page.wait_for_selector("[data-ws][data-ready]")
    page.focus("[data-doc]")
    page.keyboard.press("Tab")  # the Quote, first in the text
    expect(page.locator("[data-editor] .editor-head")).to_contain_text("Quote")
    page.keyboard.press("l")
    page.keyboard.press("Enter")  # the Source
    dialog = page.locator("dialog[data-dialog=relation]")
    expect(dialog).to_be_visible()

    cue = dialog.locator("select[data-relation-attr=cue]")
    expect(cue.locator("option:checked")).to_have_text(
        "said — …unacceptable,” the Kremlin said. (line 1)"
    )
    expect(cue.locator("option")).to_have_text(
        [
            "—",
            "said — …unacceptable,” the Kremlin said. (line 1)",
            "said — …the Kremlin said. Macron said nothing about it. (line 1)",
        ]
    )
    cue.focus()
    with saving(page):
        page.keyboard.press("Enter")  # from the select: links
    expect(dialog).to_be_hidden()
    expect(page.locator("[data-relation-list] .relation")).to_have_count(1)
    relation = Relation.objects.get(annotation=annotation)
    assert (relation.label, relation.source_id, relation.attrs) == (
        "attributed_to",
        quote.pk,
        {"cue": near_cue.pk},
    )
    assert far_cue.pk != near_cue.pk
    assert page.problems == []
