"""What keeps one change cheap on a long article, in headless Chromium: a span that comes or
goes redraws only what names it (the suggested links naming its place), not every row of the
page, and still leaves every row right."""

from __future__ import annotations

import pytest

from labels.models import HistoryAction, Relation
from tests.pages.test_suggestions_browser import open_with_suggestions, seed_article  # noqa: F401
from tests.pages.test_workspace_browser import my_annotation, saving

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROWS = "[data-suggestion-relations] .suggested-relation"


def _stored_link(article, user) -> tuple[str, str, str]:
    """The one relation of ``user``'s layer: its label and its ends as suggestion keys."""
    annotation = my_annotation(article, user)
    relation = Relation.objects.get(annotation=annotation)
    ends = {s.pk: f"{s.label}:{s.start}:{s.end}" for s in annotation.spans.all()}
    return relation.label, ends[relation.source_id], ends[relation.target_id]


def _with_suggested_links(new_page, live_server, article, user):
    """The analyst's workspace on ``article`` with its suggestions shown, and the suggested
    links the server offers (in the order the page lists them)."""
    page = new_page(user)
    open_with_suggestions(page, live_server, article)
    offered = page.request.get(f"{live_server.url}/api/v1/articles/{article.pk}/suggestions/")
    return page, offered.json()["relations"]


def test_accepting_the_ends_of_a_suggested_link_redraws_its_row_only_and_the_link_is_taken(
    new_page,
    live_server,
    seed_article,  # noqa: F811
    annotator,
):
    page, offered = _with_suggested_links(new_page, live_server, seed_article, annotator)
    assert page.locator(ROWS).count() == len(offered) >= 3
    first = offered[0]
    named = {first["from"], first["to"], *first.get("attrs", {}).values()}
    apart = next(
        i
        for i, r in enumerate(offered)
        if not named & {r["from"], r["to"], *r.get("attrs", {}).values()}
    )
    # Each row remembers that it was drawn before (an expando a redrawn row lacks).
    page.locator(ROWS).evaluate_all("rows => rows.forEach((row, i) => { row.drawnAs = i; })")
    link = page.locator(ROWS).nth(0).locator("[data-action=accept-relation]")
    assert link.is_disabled()

    for key in (first["from"], first["to"]):  # the link's two ends, accepted alone with a
        page.locator(f'[data-suggestion="s:{key}"]').click()
        page.focus("[data-doc]")
        with saving(page):
            page.keyboard.press("a")

    drawn = page.locator(ROWS).evaluate_all("rows => rows.map((row) => row.drawnAs ?? null)")
    assert drawn[apart] == apart, "a row naming neither span was redrawn"
    assert drawn[0] is None, "the row of the link whose ends were accepted was not redrawn"
    assert page.locator(ROWS).count() == len(offered)
    expected = page.locator(ROWS).nth(0)
    assert link.is_enabled() and link.get_attribute("title") == "Accept this link"
    assert "Accept both ends first" in (
        page.locator(ROWS)
        .nth(apart)
        .locator("[data-action=accept-relation]")
        .get_attribute("title")
        or ""
    )

    with saving(page):
        expected.locator("[data-action=accept-relation]").click()
    assert _stored_link(seed_article, annotator) == (first["label"], first["from"], first["to"])
    assert page.problems == []


def test_undoing_accept_all_deletes_every_span_in_one_request(
    new_page,
    live_server,
    seed_article,  # noqa: F811
    annotator,
):
    page = new_page(annotator)
    offered = len(open_with_suggestions(page, live_server, seed_article))
    page.focus("[data-doc]")
    with saving(page):
        page.keyboard.press("Shift+A")
    annotation = my_annotation(seed_article, annotator)
    accepted = annotation.spans.count()
    assert accepted >= 4 and annotation.relations.exists()
    version = annotation.version

    requests: list[str] = []
    page.on("request", lambda r: "/api/" in r.url and requests.append(f"{r.method} {r.url}"))
    with saving(page):
        page.keyboard.press("Control+z")
    page.locator("[data-message]", has_text=f"Undone: accepting {accepted} suggestions").wait_for()
    changes = [r for r in requests if not r.startswith("GET ")]
    assert len(changes) == 1 and changes[0].startswith("POST ") and "/spans/delete/" in changes[0]
    assert not annotation.spans.exists() and not annotation.relations.exists()
    annotation.refresh_from_db()
    assert annotation.version == version + accepted
    events = annotation.history.filter(annotation_version__gt=version)
    assert events.count() == accepted
    assert {(e.action, (e.after or {}).get("via")) for e in events} == {
        (HistoryAction.SPAN_DELETED, "undo")
    }
    page.locator("[data-span-count]", has_text="0").wait_for()
    page.locator("[data-suggestion-list] [data-suggestion]").nth(offered - 1).wait_for()
    assert page.locator("[data-suggestion-list] [data-suggestion]").count() == offered
    assert page.problems == []


def test_rejecting_a_suggestion_redraws_only_the_rows_naming_it_and_links_still_work(
    new_page,
    live_server,
    seed_article,  # noqa: F811
    annotator,
):
    page, offered = _with_suggested_links(new_page, live_server, seed_article, annotator)

    def names(r):
        return {r["from"], r["to"], *r.get("attrs", {}).values()}

    rejected = offered[0]["from"]
    gone = [i for i, r in enumerate(offered) if rejected in (r["from"], r["to"])]
    touched = [i for i, r in enumerate(offered) if rejected in names(r)]
    # A link after the dropped rows sharing nothing with them: its row moves up, keeps its drawing,
    # and its Link button still takes that link (not the one now at its old place).
    later = next(
        i
        for i, r in enumerate(offered)
        if i > max(gone) and not names(r) & set().union(*(names(offered[j]) for j in touched))
    )
    page.locator(ROWS).evaluate_all("rows => rows.forEach((row, i) => { row.drawnAs = i; })")

    page.locator(f'[data-suggestion="s:{rejected}"]').click()
    page.focus("[data-doc]")
    with page.expect_response(lambda r: r.url.endswith("/suggestions/reject/")) as answer:
        page.keyboard.press("x")
    assert answer.value.status == 201

    kept = [i for i in range(len(offered)) if i not in gone]
    drawn = page.locator(ROWS).evaluate_all("rows => rows.map((row) => row.drawnAs ?? null)")
    assert len(drawn) == len(kept)
    redrawn = [i for i, was in zip(kept, drawn, strict=True) if was is None]
    assert redrawn == [i for i in touched if i not in gone], (
        "rows naming nothing rejected were redrawn"
    )
    assert [was for i, was in zip(kept, drawn, strict=True) if was is not None] == [
        i for i in kept if i not in touched
    ]

    link = offered[later]
    for key in (link["from"], link["to"]):
        page.locator(f'[data-suggestion="s:{key}"]').click()
        page.focus("[data-doc]")
        with saving(page):
            page.keyboard.press("a")
    row = page.locator(ROWS).nth(kept.index(later))
    with saving(page):
        row.locator("[data-action=accept-relation]").click()
    assert _stored_link(seed_article, annotator) == (link["label"], link["from"], link["to"])
    assert page.locator(ROWS).count() == len(kept) - 1
    assert page.problems == []
