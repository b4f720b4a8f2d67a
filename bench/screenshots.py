"""Screenshots for docs/workspace.md and docs/review.md, at 1440×900 (a laptop) and 390×844 (a
phone).

Serves the app from a throwaway database (as bench/workspace_bench.py does), gives the demo
analyst the seed article's reference annotation as a draft, has two analysts submit another
seed article for review, and photographs the pages in headless Chromium:

- docs/screenshots/annotate.png — the workspace with a Quote selected (1440);
- docs/screenshots/annotate-overlaps.png — nested and overlapping spans, one of them selected;
- docs/screenshots/annotate-relations.png — every relation drawn as an arc (``r``), one
  hovered in the list;
- docs/screenshots/annotate-suggestions.png — a fresh article with its ghost suggestions, one
  selected with ``h`` and two accepted with ``a``;
- docs/screenshots/annotate-phone.png — the workspace on a phone (390): the text, the label
  bar and the panel, a span selected;
- docs/screenshots/review.png and review-phone.png — the review page with one disagreement
  selected, at 1440 and on a phone (its panel a drawer at the bottom).

Run: .venv/bin/python bench/screenshots.py
"""

from __future__ import annotations

import io
import json
import sys
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from workspace_bench import throwaway_site  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
PASSWORD = "screenshot-password-not-secret"
SUGGESTIONS_ARTICLE = "eu-gas-price-cap-2022-09-14.txt"
REVIEW_ARTICLE = 2  # the line of seeds/gold.jsonl the two analysts submit for review
DESKTOP = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}


def seed():
    from django.contrib.auth import get_user_model

    from labels.interop.importing import do_import
    from labels.models import Annotation, AnnotationStatus, Role, Span
    from labels.projects.members import do_add_member
    from labels.projects.projects import do_create_project

    users = get_user_model().objects
    user = users.create_user("ana", password=PASSWORD, first_name="Ana")
    project = do_create_project(
        slug="belarus-desk",
        name="Belarus desk",
        guidelines=(ROOT / "seeds" / "guidelines.md").read_text("utf-8"),
    )
    do_add_member(project, user, Role.ANNOTATOR)
    do_add_member(project, users.create_user("ben", password=PASSWORD), Role.ANNOTATOR)
    do_add_member(project, users.create_user("rita", password=PASSWORD), Role.REVIEWER)
    gold = (ROOT / "seeds" / "gold.jsonl").read_text("utf-8").splitlines()[0]
    do_import(project, [("gold.jsonl", io.BytesIO(gold.encode()))], fmt="native", layer="ana")
    annotation = Annotation.objects.get(annotator=user)
    annotation.status = AnnotationStatus.DRAFT  # imported layers arrive submitted
    annotation.save(update_fields=["status"])
    # One more level of nesting for the overlap picture: a Claim inside the Stance inside the
    # second paragraph's Quote.
    text = annotation.article.text
    start = text.index("external pressure on legitimate authorities")
    end = start + len("external pressure on legitimate authorities")
    Span.objects.create(
        annotation=annotation,
        label="Claim",
        start=start,
        end=end,
        text=text[start:end],
        attrs={"checkworthy": "no"},
    )
    return annotation.article


def review_article(project):
    """A seed article both analysts submitted: ana as in the reference layer, ben with two
    spans left out and one attribute read otherwise — agreement and disagreements to review."""
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from labels.annotation import versions
    from labels.interop.importing import do_create_article
    from labels.models import Annotation

    record = json.loads(
        (ROOT / "seeds" / "gold.jsonl").read_text("utf-8").splitlines()[REVIEW_ARTICLE]
    )
    article = do_create_article(
        project, external_id=record["id"], raw_text=record["text"], title=record["title"]
    )
    users = get_user_model().objects
    ben_drops = {s["id"] for s in record["spans"][3:5]}
    changed = next(s["id"] for s in record["spans"] if s["label"] == "Quote")
    for name in ("ana", "ben"):
        user = users.get(username=name)
        created = Annotation.objects.create(article=article, annotator=user)
        with transaction.atomic():
            annotation = versions.locked(created.pk)
            add_layer(annotation, user, record, name == "ben" and (ben_drops, changed))
    return article


def add_layer(annotation, user, record, differ) -> None:
    """``record``'s spans and relations in ``annotation``, submitted; with ``differ`` (ids of
    spans to leave out, id of a Quote to read otherwise) one analyst's own reading."""
    from labels.annotation import relations, spans, versions
    from labels.models import AnnotationStatus

    drops, changed = differ or (set(), None)
    ids = {}
    for s in record["spans"]:
        if s["id"] in drops:
            continue
        attrs = dict(s["attrs"])
        if s["id"] == changed:
            attrs["quote_type"] = "direct" if attrs.get("quote_type") != "direct" else "mixed"
        data = {k: s[k] for k in ("label", "start", "end", "text")} | {"attrs": attrs}
        ids[s["id"]] = spans.do_add_span(annotation, user, data, version=annotation.version).obj.pk
    for r in record["relations"]:
        if r["from"] in ids and r["to"] in ids:
            attrs = {k: ids[v] for k, v in r["attrs"].items() if k == "cue" and v in ids}
            data = {"label": r["label"], "from": ids[r["from"]], "to": ids[r["to"]], "attrs": attrs}
            relations.do_add_relation(annotation, user, data, version=annotation.version)
    versions.do_set_status(annotation, user, AnnotationStatus.SUBMITTED, version=annotation.version)


def suggestions_article(project):
    from labels.interop.importing import do_import

    path = ROOT / "seeds" / "articles" / SUGGESTIONS_ARTICLE
    do_import(project, [(path.name, io.BytesIO(path.read_bytes()))], fmt="text")
    return project.articles.get(external_id=path.stem)


@contextmanager
def browser():
    from playwright.sync_api import sync_playwright

    from tests.conftest import CHROMIUM, CHROMIUM_ARGS

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield instance
        finally:
            instance.close()


def logged_in(instance, url: str, username: str, viewport: dict, **options):
    page = instance.new_context(viewport=viewport, **options).new_page()
    page.goto(f"{url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{url}/")
    return page


def settle(page) -> None:
    """The pointer out of the way, and a moment for hover styles and scrolling to finish."""
    page.mouse.move(5, 5)
    page.wait_for_timeout(250)


def workspace(instance, url, article, fresh) -> None:
    page = logged_in(instance, url, "ana", DESKTOP)
    page.goto(f"{url}/articles/{article.pk}/annotate/")
    page.wait_for_selector("[data-ws][data-ready]")
    page.locator("[data-suggestions]:not([data-state=loading])").wait_for()

    # A Quote selected from the list: its attributes in the editor, its links drawn.
    page.locator(".span-item", has_text="principled position").first.click()
    settle(page)
    page.screenshot(path=str(OUT / "annotate.png"))

    # Nested and overlapping spans: the second paragraph's Quote holds a Stance, and the first
    # paragraph's Quote and Stance cover the same words.
    page.locator(".span-item").filter(has_text="Stance").filter(
        has_text="“all attempts to interfere"
    ).first.click()
    settle(page)
    doc = page.locator("[data-doc]").bounding_box()
    page.screenshot(
        path=str(OUT / "annotate-overlaps.png"),
        clip={"x": doc["x"], "y": doc["y"], "width": doc["width"], "height": 480},
    )

    # The relation view: every arc, one relation hovered in the list.
    page.keyboard.press("Escape")
    page.focus("[data-doc]")
    page.keyboard.press("r")
    page.locator("[data-relation-list] .relation").nth(3).hover()
    page.wait_for_timeout(250)
    page.screenshot(path=str(OUT / "annotate-relations.png"))
    problems = page.evaluate("document.querySelectorAll('[data-alert]:not([hidden])').length")
    assert problems == 0, "the page shows an alert"

    # Suggestions: a second seed article, not yet annotated, with its ghosts.
    page.goto(f"{url}/articles/{fresh.pk}/annotate/")
    page.locator("[data-suggestions][data-state=loaded]").wait_for()
    page.focus("[data-doc]")
    page.keyboard.press("h")
    page.keyboard.press("a")
    page.keyboard.press("a")
    page.locator("[data-save-state][data-state=saved]").wait_for()
    settle(page)
    page.screenshot(path=str(OUT / "annotate-suggestions.png"))

    # On a phone: the text, the label bar, the panel; a span selected from the list.
    phone = logged_in(instance, url, "ana", PHONE, has_touch=True, is_mobile=True)
    phone.goto(f"{url}/articles/{article.pk}/annotate/")
    phone.wait_for_selector("[data-ws][data-ready]")
    phone.locator("[data-suggestions]:not([data-state=loading])").wait_for()
    phone.locator(".span-item", has_text="the Kremlin").first.tap()
    phone.locator(".ws-panel").evaluate("e => { e.scrollTop = 0; }")
    phone.wait_for_timeout(250)
    phone.screenshot(path=str(OUT / "annotate-phone.png"))


def review(instance, url, article) -> None:
    for name, viewport, options in [
        ("review.png", DESKTOP, {}),
        ("review-phone.png", PHONE, {"has_touch": True, "is_mobile": True}),
    ]:
        page = logged_in(instance, url, "rita", viewport, **options)
        page.goto(f"{url}/articles/{article.pk}/review/")
        page.wait_for_selector('[data-hook="text"][data-version]')
        page.keyboard.press("j")  # the first disagreement
        page.locator('[data-hook="detail"] .detail').wait_for()
        if viewport is DESKTOP:
            page.evaluate("scrollTo(0, 0)")  # the disagreement is near the top: show the heading
        settle(page)
        page.screenshot(path=str(OUT / name))


NAMES = (
    "annotate.png",
    "annotate-overlaps.png",
    "annotate-relations.png",
    "annotate-suggestions.png",
    "annotate-phone.png",
    "review.png",
    "review-phone.png",
)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with throwaway_site("screenshots") as url:
        article = seed()
        # Before Playwright starts: ORM calls made inside its greenlet would open a database
        # session that the teardown cannot close.
        fresh = suggestions_article(article.project)
        reviewed = review_article(article.project)
        with browser() as instance:
            workspace(instance, url, article, fresh)
            review(instance, url, reviewed)
    for name in NAMES:
        print(OUT / name)


if __name__ == "__main__":
    main()
