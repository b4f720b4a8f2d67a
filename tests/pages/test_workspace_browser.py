"""The annotation workspace in headless Chromium: marking spans with the real mouse and the
keyboard, linking, attributes, reloading, Unicode, escaping, and conflicts between two pages."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.test import Client
from playwright.sync_api import expect

from labels.interop.importing import do_create_article, do_import
from labels.models import Annotation, Article, Role, Span
from tests.support.paths import ROOT

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SEED = ROOT / "seeds" / "articles" / "putin-macron-2020-10-01.txt"
SAMPLES = [
    json.loads(line)
    for line in (ROOT / "tests" / "data" / "unicode-samples.jsonl").read_text("utf-8").splitlines()
    if line.strip()
]
QUOTES = [("“", "”"), ("«", "»"), ("「", "」")]


def utf16(text: str, cp: int) -> int:
    """The DOM (UTF-16) index of code point ``cp`` of ``text``."""
    return len(text[:cp].encode("utf-16-le")) // 2


def open_workspace(page, live_server, article) -> None:
    page.goto(f"{live_server.url}/articles/{article.pk}/annotate/")
    page.wait_for_selector("[data-ws][data-ready]")


def drag_select(page, text: str, start: int, end: int) -> None:
    """Select ``text[start:end]`` (code points) by dragging the real mouse over the page's text:
    press inside the first character at its leading edge, release inside the last at its
    trailing edge (right to left inside right-to-left text)."""
    first = (utf16(text, start), utf16(text, start + 1))
    last = (utf16(text, end - 1), utf16(text, end))
    boxes = page.evaluate(
        """([first, last]) => {
            const node = document.querySelector("[data-text]").firstChild;
            const range = document.createRange();
            range.setStart(node, first[0]);
            range.setEnd(node, last[1]);
            const scroller = document.querySelector("[data-doc-scroll]");
            const whole = range.getBoundingClientRect();
            scroller.scrollTop += whole.top - scroller.getBoundingClientRect().top - 80;
            const box = ([a, b]) => {
                range.setStart(node, a);
                range.setEnd(node, b);
                const r = [...range.getClientRects()].find((x) => x.width > 0);
                return {left: r.left, right: r.right, top: r.top, bottom: r.bottom};
            };
            return [box(first), box(last)];
        }""",
        [first, last],
    )
    a, b = boxes
    same_line = abs(a["top"] - b["top"]) < 2
    rtl = same_line and a["left"] > b["left"]
    y1 = (a["top"] + a["bottom"]) / 2
    y2 = (b["top"] + b["bottom"]) / 2
    x1 = a["right"] - 1 if rtl else a["left"] + 1
    x2 = b["left"] + 1 if rtl else b["right"] - 1
    page.mouse.move(x1, y1)
    page.mouse.down()
    page.mouse.move((x1 + x2) / 2, (y1 + y2) / 2, steps=3)
    page.mouse.move(x2, y2, steps=3)
    page.mouse.up()


def char_box(page, text: str, at: int) -> dict:
    """The viewport box of character ``at`` (code points) of the page's text."""
    return page.evaluate(
        """([a, b]) => {
            const range = document.createRange();
            const node = document.querySelector("[data-text]").firstChild;
            range.setStart(node, a);
            range.setEnd(node, b);
            const r = range.getBoundingClientRect();
            return {left: r.left, right: r.right, top: r.top, bottom: r.bottom};
        }""",
        [utf16(text, at), utf16(text, at + 1)],
    )


def mark(page, text: str, start: int, end: int, hotkey: str) -> None:
    drag_select(page, text, start, end)
    with saving(page):
        page.keyboard.press(hotkey)


@contextmanager
def saving(page) -> Iterator[None]:
    """After the block, wait until the server has confirmed what it changed: the indicator says
    saved, at another version than before. "Saved" alone is not enough: it still shows the last
    save while a dialog's close event or a selection change has yet to queue the new one."""
    indicator = page.locator("[data-save-state]")
    before = indicator.get_attribute("data-version")
    assert before is not None, "the workspace is not ready"
    yield
    # A locator wait: wait_for_function would evaluate a string, which the page's CSP forbids.
    page.locator(f'[data-save-state][data-state=saved]:not([data-version="{before}"])').wait_for()


def wait_saved(page, version: int | None = None) -> None:
    """Wait until what the page queued while it loaded (a replay) has been saved, or until the
    server has confirmed `version`. Single changes made afterwards are waited for with `saving`."""
    at = "" if version is None else f'[data-version="{version}"]'
    page.locator(f"[data-save-state][data-state=saved]{at}").wait_for()


def my_annotation(article, user) -> Annotation:
    return Annotation.objects.get(article=article, annotator=user, is_gold=False)


def assert_spans_match_text(article, spans) -> None:
    for span in spans:
        assert span["text"] == article.text[span["start"] : span["end"]]


def test_annotator_marks_links_and_classifies_then_finds_it_all_after_reload(
    new_page, live_server, project, annotator
):
    do_import(project, [(SEED.name, io.BytesIO(SEED.read_bytes()))], fmt="text")
    article = Article.objects.get(project=project)
    text = article.text
    quote_start = text.index("“unacceptable”") + 1
    quote = (quote_start, quote_start + len("unacceptable"))
    source_start = text.index("the Kremlin said.")
    source = (source_start, source_start + len("the Kremlin"))
    cue = (source[1] + 1, source[1] + 1 + len("said"))

    page = new_page(annotator)
    page.get_by_role("link", name="Belarus desk").click()
    page.wait_for_url(f"{live_server.url}/projects/{project.slug}/")  # its module runs first
    page.keyboard.press("n")  # Next article
    page.wait_for_url(f"{live_server.url}/articles/{article.pk}/annotate/")
    page.wait_for_selector("[data-ws][data-ready]")

    mark(page, text, *quote, "1")
    mark(page, text, *source, "2")
    mark(page, text, *cue, "3")
    items = page.locator("[data-span-list] .span-item")
    assert items.count() == 3
    assert "quote_type: direct" in items.nth(0).inner_text()  # from its quotation marks

    # Keyboard: Tab through the spans from the text to the Quote, link it to the Source with
    # the Cue as the relation's cue, then set quote_type with the arrow keys.
    page.focus("[data-doc]")
    page.keyboard.press("Escape")  # the Cue just marked is selected; start from nothing
    page.keyboard.press("Tab")
    assert "Quote" in page.inner_text("[data-editor] .editor-head")
    page.keyboard.press("l")
    assert "Source “the Kremlin”" in page.inner_text("[data-message]")
    page.keyboard.press("Enter")
    dialog = page.locator("dialog[data-dialog=relation]")
    dialog.wait_for(state="visible")
    assert dialog.locator("input[name=relation-type]:checked").get_attribute("value") == (
        "attributed_to"
    )
    page.keyboard.press("Tab")  # from the relation type to the cue
    page.keyboard.press("ArrowDown")
    assert "said" in dialog.locator("select[data-relation-attr=cue] option:checked").inner_text()
    page.keyboard.press("Tab")
    with saving(page):
        page.keyboard.press("Enter")
    assert page.locator("[data-relation-list] .relation").count() == 1

    page.keyboard.press("a")
    with saving(page):
        page.keyboard.press("ArrowRight")  # direct → indirect
    with saving(page):
        page.keyboard.press("ArrowRight")  # indirect → mixed
    assert page.locator("[data-editor] input[value=mixed]").is_checked()

    page.reload()
    page.wait_for_selector("[data-ws][data-ready]")
    listed = page.locator("[data-span-list] .span-item").all_inner_texts()
    assert [re.sub(r"\s+", " ", item.split("“")[0]).strip() for item in listed] == [
        "Quote",
        "Source",
        "Cue",
    ]
    assert "quote_type: mixed" in listed[0]
    relation = page.inner_text("[data-relation-list] .relation")
    assert "attributed_to" in relation and "the Kremlin" in relation and "cue: “said”" in relation
    # 1280×800 without horizontal scrolling; `?` lists the keys, Escape closes the list.
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
    page.focus("[data-doc]")
    page.keyboard.press("?")
    keys = page.locator("dialog[data-dialog=shortcuts]")
    keys.wait_for(state="visible")
    assert "Mark the selected text as Quote" in keys.inner_text()
    page.keyboard.press("Escape")
    keys.wait_for(state="hidden")
    assert page.problems == []

    annotation = my_annotation(article, annotator)
    client = Client()
    client.force_login(annotator)
    payload = client.get(f"/api/v1/articles/{article.pk}/annotation/").json()
    assert payload["version"] == annotation.version
    assert_spans_match_text(article, payload["spans"])
    by_label = {s["label"]: s for s in payload["spans"]}
    assert (by_label["Quote"]["start"], by_label["Quote"]["end"]) == quote
    assert (by_label["Source"]["start"], by_label["Source"]["end"]) == source
    assert (by_label["Cue"]["start"], by_label["Cue"]["end"]) == cue
    assert by_label["Quote"]["attrs"] == {"quote_type": "mixed"}
    [rel] = payload["relations"]
    assert (rel["label"], rel["from"], rel["to"]) == (
        "attributed_to",
        by_label["Quote"]["id"],
        by_label["Source"]["id"],
    )
    assert rel["attrs"] == {"cue": by_label["Cue"]["id"]}

    # Its cue can change afterwards: Enter on the relation opens the dialog with the cue chosen,
    # "—" takes it away; the ✎ button puts it back.
    row = page.locator("[data-relation-list] .relation")
    row.focus()
    page.keyboard.press("Enter")
    dialog.wait_for(state="visible")
    assert dialog.locator("h2").inner_text() == "Change the attributed_to link"
    cue_select = dialog.locator("select[data-relation-attr=cue]")
    assert "said" in cue_select.locator("option:checked").inner_text()
    cue_select.select_option("")
    with saving(page):
        dialog.get_by_role("button", name="Save").click()
    relation = annotation.relations.get()
    assert relation.attrs == {}
    assert "cue:" not in row.inner_text()
    row.get_by_role("button", name="Change relation attributed_to").click()
    dialog.wait_for(state="visible")
    assert cue_select.locator("option:checked").inner_text() == "—"  # editing keeps "no cue"
    cue_select.select_option(index=1)  # the one Cue, shown with its context
    assert "said — " in cue_select.locator("option:checked").inner_text()
    page.keyboard.press("Tab")
    with saving(page):
        page.keyboard.press("Enter")
    relation.refresh_from_db()
    assert relation.attrs == {"cue": by_label["Cue"]["id"]}
    assert list(
        annotation.history.filter(action="relation_updated").values_list("after__attrs", flat=True)
    ) == [{}, {"cue": by_label["Cue"]["id"]}]
    page.reload()
    page.wait_for_selector("[data-ws][data-ready]")
    assert "cue: “said”" in page.inner_text("[data-relation-list] .relation")

    # Hovering a relation highlights both ends; its × deletes it, Delete removes a span.
    row.hover()
    assert page.locator("[data-overlay] .tint").count() >= 2
    with saving(page):
        row.get_by_role("button", name="Delete relation attributed_to").click()
    assert not annotation.relations.exists()
    page.locator("[data-span-list] .span-item", has_text="said").click()
    with saving(page):
        page.keyboard.press("Delete")
    assert sorted(annotation.spans.values_list("label", flat=True)) == ["Quote", "Source"]


def test_every_arc_label_is_readable_when_all_relations_are_drawn(
    new_page, live_server, project, annotator
):
    """The seed article's reference layer has 16 relations, several leaving the same words:
    with every arc drawn (r), no relation's name is printed over another's."""
    gold = (ROOT / "seeds" / "gold.jsonl").read_text("utf-8").splitlines()[0]
    do_import(project, [("gold.jsonl", io.BytesIO(gold.encode()))], layer=annotator.username)
    annotation = Annotation.objects.get(annotator=annotator)
    annotation.status = "draft"
    annotation.save(update_fields=["status"])
    page = new_page(annotator)
    open_workspace(page, live_server, annotation.article)
    page.locator("[data-text]").click(position={"x": 5, "y": 5})
    page.keyboard.press("Escape")
    page.keyboard.press("r")
    labels = page.locator(".arc-label")
    expect(labels).to_have_count(annotation.relations.count())
    boxes = [labels.nth(i).bounding_box() for i in range(labels.count())]
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            apart = (
                a["x"] + a["width"] <= b["x"]
                or b["x"] + b["width"] <= a["x"]
                or a["y"] + a["height"] <= b["y"] + 1
                or b["y"] + b["height"] <= a["y"] + 1
            )
            assert apart, (a, b)


def quoted_part(text: str) -> tuple[int, int]:
    for opening, closing in QUOTES:
        at = text.find(opening)
        if at != -1:
            return at + 1, text.index(closing, at + 1)
    raise AssertionError(f"no quotation marks in {text!r}")


def trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    part = text[start:end]
    return start + len(part) - len(part.lstrip()), end - len(part) + len(part.rstrip())


def test_span_rows_that_start_alike_read_differently_and_say_their_line(
    new_page, live_server, project, annotator
):
    """Two long spans with the same first 80 characters: each row shows its end too (without
    cutting the flag in half), and the line it is on."""
    first = (
        "The minister of foreign affairs said on Monday that the talks with all of the "
        "neighbouring countries would resume soon 🇺🇦."
    )
    article = do_create_article(
        project, external_id="alike", raw_text=first + "\nHe added: “no more delays”."
    )
    text = article.text
    page = new_page(annotator)
    open_workspace(page, live_server, article)
    mark(page, text, 0, len(first), "4")  # the whole sentence as a Claim
    mark(page, text, 0, text.index(" soon"), "1")  # up to "resume" as a Quote
    quote = text.index("no more")
    mark(page, text, quote, quote + len("no more delays"), "1")

    rows = page.locator("[data-span-list] .span-item")
    by_text = {rows.nth(i).locator(".excerpt").inner_text(): i for i in range(rows.count())}
    assert len(by_text) == 3  # no two rows read alike
    assert any(t.endswith("resume soon 🇺🇦.”") for t in by_text)
    assert any(t.endswith("would resume”") for t in by_text)
    assert "…" in next(t for t in by_text if t.endswith("would resume”"))
    wheres = rows.locator(".where").all_inner_texts()
    assert sorted(wheres) == ["line 1", "line 1", "line 2"]
    assert page.problems == []


def test_guidelines_open_at_their_top_and_escape_deselects_from_a_text_field(
    new_page, live_server, project, annotator
):
    project.guidelines = "\n\n".join(
        f"## Rule {n}\n\n" + "Mark the whole quote. " * 30 for n in range(30)
    )
    project.save(update_fields=["guidelines"])
    article = do_create_article(project, external_id="esc", raw_text="The EU said it would act.")
    text = article.text
    page = new_page(annotator)
    open_workspace(page, live_server, article)

    # g opens the guidelines at their first rule, however long they are.
    page.focus("[data-doc]")
    page.keyboard.press("g")
    dialog = page.locator("dialog[data-dialog=guidelines]")
    dialog.wait_for(state="visible")
    assert dialog.evaluate("d => d.scrollHeight > d.clientHeight")  # long enough to scroll
    assert dialog.evaluate("d => d.scrollTop") == 0
    page.keyboard.press("Escape")
    dialog.wait_for(state="hidden")

    # A Stance has a free-text target: Escape in that field leaves it and deselects the span.
    mark(page, text, 0, len(text) - 1, "5")
    page.locator("[data-span-list] .span-item", has_text="Stance").click()  # its editor
    target = page.locator("[data-editor] input[type=text]")
    target.wait_for()
    target.focus()
    assert page.locator("[data-span-list] .row.selected").count() == 1
    page.keyboard.press("Escape")
    expect(page.locator("[data-span-list] .row.selected")).to_have_count(0)
    assert page.evaluate("document.activeElement.tagName") != "INPUT"
    assert page.problems == []


@pytest.mark.parametrize("sample", SAMPLES, ids=[s["id"] for s in SAMPLES])
def test_marking_by_mouse_stores_the_exact_text_in_every_script(
    new_page, live_server, project, annotator, sample
):
    """The quoted part as a Quote (after emoji, inside right-to-left text, with NBSP to trim)
    and the whole text as a Claim (emoji and flags at its start, combining marks, CRLF lines
    that became LF, trailing whitespace trimmed)."""
    article = do_create_article(project, external_id=sample["id"], raw_text=sample["text"])
    text = article.text
    page = new_page(annotator)
    open_workspace(page, live_server, article)

    quote = trimmed(text, *quoted_part(text))
    whole = trimmed(text, 0, len(text))
    mark(page, text, *quote, "1")
    mark(page, text, *whole, "4")

    stored = {s.label: s for s in Span.objects.filter(annotation__article=article)}
    assert (stored["Quote"].start, stored["Quote"].end) == quote
    assert (stored["Claim"].start, stored["Claim"].end) == whole
    for span in stored.values():
        assert span.text == text[span.start : span.end]
    shown = page.locator("[data-span-list] .excerpt").all_inner_texts()
    assert len(shown) == 2

    # The Quote is nested in the Claim: each has its own underline to click, and clicking the
    # text selects the innermost span there, then the next one outwards.
    keys = {
        label: page.locator(".span-item", has_text=label).get_attribute("data-key")
        for label in ("Quote", "Claim")
    }
    editor = page.locator("[data-editor] .editor-head")
    for label in ("Quote", "Claim"):
        page.locator(f'[data-overlay] .bar[data-key="{keys[label]}"]').first.click()
        expect(editor).to_contain_text(label)
    page.keyboard.press("Escape")
    for at, label in ((quote[0], "Quote"), (quote[1] - 1, "Claim")):
        box = char_box(page, text, at)
        page.mouse.click((box["left"] + box["right"]) / 2, (box["top"] + box["bottom"]) / 2)
        expect(editor).to_contain_text(label)
    assert page.problems == []


def test_markup_in_article_title_and_guidelines_is_shown_as_text_and_never_runs(
    new_page, live_server, make_project, annotator
):
    payload = (
        "Before <script>window.__xss = 1</script> then "
        '<img src=x onerror="window.__xss = 2"> and Tom &amp; Jerry said “fine”.'
    )
    project = make_project(
        "xss",
        members={annotator: Role.ANNOTATOR},
        guidelines=(
            "# Rules <script>window.__xss = 3</script>\n\n"
            "[click me](javascript:window.__xss=4) <img src=x onerror=window.__xss=5>"
        ),
    )
    article = do_create_article(
        project, external_id="xss", raw_text=payload, title='<img src=x onerror="window.__xss=6">'
    )
    page = new_page(annotator)
    open_workspace(page, live_server, article)

    shown = page.inner_text("[data-text]")
    assert "<script>window.__xss = 1</script>" in shown
    assert '<img src=x onerror="window.__xss = 2">' in shown
    assert "Tom &amp; Jerry" in shown
    assert page.inner_text("h1.ws-title") == '<img src=x onerror="window.__xss=6">'
    assert page.locator("main img, main script:not([type='application/json'])").count() == 0

    start = article.text.index("<img")
    end = article.text.index(">", start) + 1
    mark(page, article.text, start, end, "1")
    assert '“<img src=x onerror="window.__xss = 2">”' in page.inner_text("[data-span-list]")

    page.keyboard.press("g")
    guidelines = page.locator("dialog[data-dialog=guidelines]")
    guidelines.wait_for(state="visible")
    assert "<script>window.__xss = 3</script>" in guidelines.inner_text()
    assert "onerror=window.__xss=5" in guidelines.inner_text()
    assert guidelines.locator("a").count() == 0  # the javascript: link stays text
    page.keyboard.press("Escape")

    assert page.evaluate("window.__xss") is None
    assert page.problems == []


def test_second_page_gets_a_conflict_and_after_reload_loses_nothing(
    new_page, live_server, project, annotator
):
    article = do_create_article(
        project, external_id="two-tabs", raw_text="Putin told Macron that it was “unacceptable”."
    )
    text = article.text
    first = new_page(annotator)
    open_workspace(first, live_server, article)
    second = first.context.new_page()
    second.set_default_timeout(10_000)
    open_workspace(second, live_server, article)

    putin = (0, len("Putin"))
    macron = (text.index("Macron"), text.index("Macron") + len("Macron"))
    mark(first, text, *putin, "2")

    drag_select(second, text, *macron)
    second.keyboard.press("2")
    alert = second.locator("[data-alert]")
    alert.wait_for(state="visible")
    assert "changed somewhere else" in alert.inner_text()
    assert second.locator("[data-save-state]").get_attribute("data-state") == "conflict"
    annotation = my_annotation(article, annotator)
    assert [s.text for s in annotation.spans.all()] == ["Putin"]  # nothing overwritten

    alert.get_by_role("button", name="Reload").click()
    second.wait_for_selector("[data-ws][data-ready]")
    wait_saved(second)
    assert second.locator("[data-span-list] .span-item").count() == 2
    assert "re-applied" in second.inner_text("[data-message]")
    stored = sorted((s.start, s.end, s.text) for s in annotation.spans.all())
    assert stored == [(*putin, "Putin"), (*macron, "Macron")]
    assert annotation.history.filter(action="span_created").count() == 2
    assert first.problems == []


def test_submit_asks_for_missing_attributes_then_shows_next(
    new_page, live_server, project, annotator
):
    article = do_create_article(project, external_id="submit", raw_text="He said “no”.")
    text = article.text
    page = new_page(annotator)
    open_workspace(page, live_server, article)
    # A new Quote takes its quote_type from its quotation marks; a Stance's polarity has no
    # such rule, so a new Stance is the span that still needs an attribute.
    mark(page, text, 0, 7, "5")
    mark(page, text, text.index("no"), text.index("no") + 2, "1")
    # From the selected span, Shift+→ extends a selection by one character, here the quote mark.
    page.keyboard.press("Shift+ArrowRight")
    with saving(page):
        page.keyboard.press("4")
    claim = Span.objects.get(annotation__article=article, label="Claim")
    assert claim.text == "no”" == text[claim.start : claim.end]
    page.locator(".span-item", has_text="Stance").click()
    page.get_by_role("button", name="Submit").click()
    assert "needs polarity" in page.inner_text("[data-message]")
    assert my_annotation(article, annotator).status == "draft"

    page.keyboard.press("a")
    with saving(page):
        page.keyboard.press("Space")
    page.get_by_role("button", name="Submit").click()
    page.locator("[data-alert]").get_by_role("button", name="Next article (n)").wait_for()
    assert my_annotation(article, annotator).status == "submitted"
    assert page.locator(".label-btn").first.is_disabled()
    page.keyboard.press("n")
    page.wait_for_url(f"{live_server.url}/projects/{project.slug}/")
    assert "Nothing left to annotate" in page.inner_text(".messages")
    assert "submit" in page.inner_text(".queue.done")
    assert page.problems == []


def test_failed_saves_are_retried_and_a_reload_replays_what_never_arrived(
    new_page, live_server, project, annotator
):
    article = do_create_article(
        project, external_id="flaky", raw_text="Putin told Macron that it was “unacceptable”."
    )
    text = article.text
    page = new_page(annotator)
    open_workspace(page, live_server, article)
    spans_url = re.compile(r"/api/v1/annotations/\d+/spans/$")

    # The network drops every save: the span stays on the page, in the queue and in
    # localStorage, and the page says it is offline.
    page.route(spans_url, lambda route: route.abort("internetdisconnected"))
    drag_select(page, text, 0, len("Putin"))
    page.keyboard.press("2")
    page.locator("[data-save-state][data-state=offline]").wait_for()
    assert "kept here" in page.inner_text("[data-save-state]")
    mirrored = page.evaluate(
        "Object.entries(localStorage).filter(([k]) => k.startsWith('annotator:pending:'))"
    )
    assert len(mirrored) == 1 and '"createSpan"' in mirrored[0][1]
    assert not Span.objects.filter(annotation__article=article).exists()

    # A reload before it ever arrived: the new page replays it from localStorage.
    page.unroute(spans_url)
    page.reload()
    page.wait_for_selector("[data-ws][data-ready]")
    wait_saved(page)
    assert [s.text for s in Span.objects.filter(annotation__article=article)] == ["Putin"]

    # A 503 is retried after a short back-off, once, and lands.
    answers = []

    def flaky(route):
        if answers:
            route.continue_()
        else:
            answers.append(503)
            route.fulfill(status=503, content_type="application/json", body="{}")

    page.route(spans_url, flaky)
    start = text.index("Macron")
    drag_select(page, text, start, start + len("Macron"))
    with saving(page):
        page.keyboard.press("2")
    assert answers == [503]
    stored = sorted(s.text for s in Span.objects.filter(annotation__article=article))
    assert stored == ["Macron", "Putin"]
    assert (
        page.evaluate(
            "Object.keys(localStorage).filter(k => k.startsWith('annotator:pending:')).length"
        )
        == 0
    )


def test_skip_needs_a_reason_and_ends_the_work(new_page, live_server, project, annotator):
    article = do_create_article(project, external_id="skip", raw_text="Weather: sunny, 21 °C.")
    page = new_page(annotator)
    open_workspace(page, live_server, article)
    page.get_by_role("button", name="Skip…").click()
    dialog = page.locator("dialog[data-dialog=skip]")
    dialog.get_by_role("button", name="Skip article").click()
    assert dialog.is_visible()  # the reason is required
    dialog.locator("textarea").fill("not news: a weather line")
    dialog.get_by_role("button", name="Skip article").click()
    page.locator("[data-alert]").get_by_role("button", name="Next article (n)").wait_for()
    annotation = my_annotation(article, annotator)
    assert (annotation.status, annotation.skip_reason) == ("skipped", "not news: a weather line")
    assert "skipped" in page.inner_text("[data-alert]")
    assert page.problems == []
