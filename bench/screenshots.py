"""Screenshots of the annotation workspace for docs/workspace.md.

Serves the app from a throwaway database (as bench/workspace_bench.py does), gives the demo
analyst the seed article's reference annotation as a draft, and photographs the page in
headless Chromium at 1280×800:

- docs/screenshots/annotate.png — the workspace with a Quote selected;
- docs/screenshots/annotate-overlaps.png — nested and overlapping spans, one of them selected;
- docs/screenshots/annotate-relations.png — every relation drawn as an arc (``r``), one
  hovered in the list;
- docs/screenshots/annotate-suggestions.png — a fresh article with its ghost suggestions, one
  selected with ``h`` and two accepted with ``a``.

Run: .venv/bin/python bench/screenshots.py
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from workspace_bench import logged_in_page, throwaway_site  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
PASSWORD = "screenshot-password-not-secret"
SUGGESTIONS_ARTICLE = "eu-gas-price-cap-2022-09-14.txt"


def seed():
    from django.contrib.auth import get_user_model

    from labels.interop.importing import do_import
    from labels.models import Annotation, AnnotationStatus, Role, Span
    from labels.projects.members import do_add_member
    from labels.projects.projects import do_create_project

    user = get_user_model().objects.create_user("ana", password=PASSWORD, first_name="Ana")
    project = do_create_project(
        slug="belarus-desk",
        name="Belarus desk",
        guidelines=(ROOT / "seeds" / "guidelines.md").read_text("utf-8"),
    )
    do_add_member(project, user, Role.ANNOTATOR)
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


def suggestions_article(project):
    from labels.interop.importing import do_import

    path = ROOT / "seeds" / "articles" / SUGGESTIONS_ARTICLE
    do_import(project, [(path.name, io.BytesIO(path.read_bytes()))], fmt="text")
    return project.articles.get(external_id=path.stem)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with throwaway_site("screenshots") as url:
        article = seed()
        # Before Playwright starts: ORM calls made inside its greenlet would open a database
        # session that the teardown cannot close.
        fresh = suggestions_article(article.project)
        with logged_in_page(url, "ana", PASSWORD) as page:
            page.goto(f"{url}/articles/{article.pk}/annotate/")
            page.wait_for_selector("[data-ws][data-ready]")
            page.locator("[data-suggestions]:not([data-state=loading])").wait_for()

            # A Quote selected from the list: its attributes in the editor, its links drawn.
            page.locator(".span-item", has_text="principled position").first.click()
            page.mouse.move(5, 5)
            page.wait_for_timeout(200)
            page.screenshot(path=str(OUT / "annotate.png"))

            # Nested and overlapping spans: the second paragraph's Quote holds a Stance, and
            # the first paragraph's Quote and Stance cover the same words.
            page.locator(".span-item").filter(has_text="Stance").filter(
                has_text="“all attempts to interfere"
            ).first.click()
            page.mouse.move(5, 5)
            page.wait_for_timeout(200)
            doc = page.locator("[data-doc]").bounding_box()
            page.screenshot(
                path=str(OUT / "annotate-overlaps.png"),
                clip={"x": doc["x"], "y": doc["y"], "width": doc["width"], "height": 440},
            )

            # The relation view: every arc, one relation hovered in the list.
            page.keyboard.press("Escape")
            page.focus("[data-doc]")
            page.keyboard.press("r")
            page.locator("[data-relation-list] .relation").nth(3).hover()
            page.wait_for_timeout(200)
            page.screenshot(path=str(OUT / "annotate-relations.png"))
            problems = page.evaluate(
                "document.querySelectorAll('[data-alert]:not([hidden])').length"
            )
            assert problems == 0, "the page shows an alert"

            # Suggestions: a second seed article, not yet annotated, with its ghosts.
            page.goto(f"{url}/articles/{fresh.pk}/annotate/")
            page.locator("[data-suggestions][data-state=loaded]").wait_for()
            page.focus("[data-doc]")
            page.keyboard.press("h")
            page.keyboard.press("a")
            page.keyboard.press("a")
            page.locator("[data-save-state][data-state=saved]").wait_for()
            page.mouse.move(5, 5)
            page.wait_for_timeout(300)
            page.screenshot(path=str(OUT / "annotate-suggestions.png"))
    names = ("annotate.png", "annotate-overlaps.png", "annotate-relations.png")
    for name in (*names, "annotate-suggestions.png"):
        print(OUT / name)


if __name__ == "__main__":
    main()
