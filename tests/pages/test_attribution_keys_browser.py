"""A suggested attribution in the workspace, in headless Chromium: shown as one unit, accepted
whole with one key (Enter) in one request, or part by part; accepting a thousand suggestions at
once in one request and one redraw; near-duplicates of two suggesters shown as one."""

from __future__ import annotations

import io
import time

import pytest
from playwright.sync_api import expect

from labels.annotation import queue
from labels.interop.importing import do_create_article, do_import
from labels.models import Article, Origin, Relation, Span, Suggesters, SuggestionSet
from labels.suggestions import combine
from tests.pages.test_workspace_browser import SEED, my_annotation, open_workspace, wait_saved

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def seed_article(project):
    do_import(project, [(SEED.name, io.BytesIO(SEED.read_bytes()))], fmt="text")
    return Article.objects.get(project=project)


def open_with_suggestions(page, live_server, article) -> None:
    open_workspace(page, live_server, article)
    page.locator("[data-suggestions][data-state=loaded]").wait_for()


def an_attribution(article, annotator) -> dict:
    """A suggested attributed_to whose quote, source and cue are all suggestions."""
    annotation = queue.do_get_or_create_own(article, annotator)
    found = combine.suggestions_for(article, annotation)
    shown = {s["key"] for s in found["spans"]}
    return next(
        r
        for r in found["relations"]
        if r["label"] == "attributed_to" and {r["from"], r["to"], r["attrs"].get("cue")} <= shown
    )


def ghost(page, key: str):
    return page.locator(f'.bar.ghost[data-key="s:{key}"]').first


def grouped(page) -> set[str]:
    """The suggestions the page shows as one unit with the selected or pointed-at one."""
    keys = page.locator(".bar.ghost.ghost-group").evaluate_all(
        "bars => bars.map((bar) => bar.dataset.key.slice(2))"
    )
    return set(keys)


def test_one_key_accepts_a_whole_attribution_in_one_request(
    new_page, live_server, seed_article, annotator
):
    rel = an_attribution(seed_article, annotator)
    quote, source, cue = rel["from"], rel["to"], rel["attrs"]["cue"]
    page = new_page(annotator)
    open_with_suggestions(page, live_server, seed_article)
    version = my_annotation(seed_article, annotator).version

    # Pointing at any part shows all three as one, in the text and in the list.
    ghost(page, cue).hover()
    assert grouped(page) == {quote, source, cue}
    in_group = page.locator("[data-suggestion-list] .row.in-group [data-suggestion]").evaluate_all(
        "items => items.map((item) => item.dataset.suggestion.slice(2))"
    )
    assert set(in_group) == {quote, source, cue}
    page.mouse.move(1, 1)
    page.locator("[data-suggestion-list] .row.in-group").first.wait_for(state="detached")

    # Selecting the source says what Enter does; Enter takes the three and the link, in one
    # request.
    ghost(page, source).click()
    assert grouped(page) == {quote, source, cue}
    message = page.locator("[data-message]").inner_text()
    assert "Enter accepts it whole" in message and "Cue" in message and "Quote" in message
    accepts = []
    page.on(
        "request",
        lambda r: "/suggestions/accept" in r.url and accepts.append(r.url.rsplit("/", 2)[-2]),
    )
    page.focus("[data-doc]")
    page.keyboard.press("Enter")
    wait_saved(page, version=version + 4)  # three spans and the link, one version each
    assert accepts == ["accept-all"]

    annotation = my_annotation(seed_article, annotator)
    spans = {f"{s.label}:{s.start}:{s.end}": s for s in Span.objects.filter(annotation=annotation)}
    assert set(spans) == {quote, source, cue}
    assert {s.origin for s in spans.values()} == {Origin.SUGGESTED}
    relation = Relation.objects.get(annotation=annotation)
    assert (relation.label, relation.source_id, relation.target_id, relation.attrs) == (
        "attributed_to",
        spans[quote].pk,
        spans[source].pk,
        {"cue": spans[cue].pk},
    )
    # What the analyst sees: three spans, no ghost left of them, the link in the panel.
    for key in (quote, source, cue):
        expect(page.locator(f'.bar.ghost[data-key="s:{key}"]')).to_have_count(0)
    expect(page.locator("[data-span-count]")).to_have_text("3")
    expect(page.locator("[data-relation-list] li.relation")).to_have_count(1)
    assert "attributed_to" in page.locator("[data-relation-list]").inner_text()
    assert page.problems == []


def test_parts_of_an_attribution_are_still_accepted_and_rejected_alone(
    new_page, live_server, seed_article, annotator
):
    rel = an_attribution(seed_article, annotator)
    quote, source, cue = rel["from"], rel["to"], rel["attrs"]["cue"]
    page = new_page(annotator)
    open_with_suggestions(page, live_server, seed_article)
    version = my_annotation(seed_article, annotator).version

    ghost(page, quote).click()
    page.focus("[data-doc]")
    page.keyboard.press("a")  # this part only
    wait_saved(page, version=version + 1)
    ghost(page, cue).click()
    with page.expect_response(lambda r: r.url.endswith("/suggestions/reject/")) as rejected:
        page.keyboard.press("x")
    assert rejected.value.status == 201

    annotation = my_annotation(seed_article, annotator)
    assert {(s.label, f"{s.label}:{s.start}:{s.end}") for s in annotation.spans.all()} == {
        ("Quote", quote)
    }
    assert not Relation.objects.filter(annotation=annotation).exists()
    expect(page.locator(f'.bar.ghost[data-key="s:{source}"]')).to_have_count(1)
    expect(page.locator(f'.bar.ghost[data-key="s:{cue}"]')).to_have_count(0)
    assert page.problems == []


def long_article(project, chars: int = 50_000, spans: int = 1_000):
    """A 50,000-character article with ``spans`` imported suggestions (Claims, one a sentence)."""
    sentences = []
    at = 0
    suggested = []
    i = 0
    while at < chars or len(suggested) < spans:
        sentence = f"Officials in city {i} said the budget grows by {i % 97} percent this year. "
        claim = f"the budget grows by {i % 97} percent"
        start = at + sentence.index(claim)
        if len(suggested) < spans:
            suggested.append(
                {
                    "id": f"c{i}",
                    "label": "Claim",
                    "start": start,
                    "end": start + len(claim),
                    "text": claim,
                    "confidence": 0.9,
                }
            )
        sentences.append(sentence)
        at += len(sentence)
        i += 1
    text = "".join(sentences).strip()
    article = do_create_article(project, external_id="long", raw_text=text)
    SuggestionSet.objects.create(article=article, source="import", spans=suggested)
    return article


def test_accepting_a_thousand_suggestions_is_one_request_and_one_redraw(
    new_page, live_server, project, annotator
):
    project.suggesters = Suggesters.NONE  # only the thousand imported ones
    project.save()
    article = long_article(project)
    page = new_page(annotator, viewport={"width": 1440, "height": 900})
    open_with_suggestions(page, live_server, article)
    expect(page.locator("[data-suggestion-count]")).to_have_text("1000")
    version = my_annotation(article, annotator).version
    calls = []
    page.on("request", lambda r: "/api/" in r.url and calls.append((r.method, r.url)))

    page.focus("[data-doc]")
    began = time.monotonic()
    page.keyboard.press("Shift+A")
    page.locator(f'[data-save-state][data-state=saved][data-version="{version + 1000}"]').wait_for(
        timeout=60_000
    )
    expect(page.locator("[data-span-count]")).to_have_text("1000")
    expect(page.locator("[data-suggestion-count]")).to_have_text("0")
    took = time.monotonic() - began
    # Under a second on an idle machine (bench/workspace_figures.py measures it); the bound here
    # leaves room for a busy test machine, and today's 50 seconds fail it.
    assert took < 5, f"accepting a thousand took {took:.1f} s"
    assert [m for m, _ in calls] == ["POST"], calls  # no reload of the suggestions after
    assert page.locator(".bar:not(.ghost)").count() >= 1000
    assert page.locator(".bar.ghost").count() == 0
    assert Span.objects.filter(annotation=my_annotation(article, annotator)).count() == 1000
    assert page.problems == []


def test_near_duplicates_of_two_suggesters_are_one_ghost(new_page, live_server, project, annotator):
    text = "The Kremlin said “we are ready to talk” on Monday."
    article = do_create_article(project, external_id="kremlin", raw_text=text)
    start = text.index("“")
    # The import takes the quotation marks, the built-in rule what is inside (IoU 20/22).
    SuggestionSet.objects.create(
        article=article,
        source="import",
        spans=[
            {
                "id": "q",
                "label": "Quote",
                "start": start,
                "end": start + 22,
                "text": text[start : start + 22],
                "confidence": 0.99,
                "attrs": {"quote_type": "direct"},
            }
        ],
    )
    page = new_page(annotator)
    open_with_suggestions(page, live_server, article)
    quotes = page.locator('[data-suggestion-list] [data-suggestion^="s:Quote:"]')
    expect(quotes).to_have_count(1)
    assert quotes.get_attribute("data-suggestion") == f"s:Quote:{start}:{start + 22}"
    assert "also builtin" in quotes.inner_text()
    expect(page.locator('.bar.ghost[data-key^="s:Quote:"]')).to_have_count(1)
    assert page.problems == []
