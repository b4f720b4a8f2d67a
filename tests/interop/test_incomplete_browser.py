"""Imported incomplete spans in headless Chromium: the review page and the workspace say what
each needs, and Mark reviewed asks for it before the gold layer counts as reviewed again."""

from __future__ import annotations

import io
import json
import re

import pytest
from playwright.sync_api import expect

from labels.interop.importing import do_import
from labels.models import Annotation, Article, Span
from tests.support.paths import IMPORT_SAMPLES

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXT = "🙂 The minister said “we are ready” on Monday."


def doccano(doc_id: int) -> io.BytesIO:
    """A doccano 1.8 line: a Quote (no quote_type, doccano has none) and its Source."""
    start = TEXT.index("we are")
    line = {
        "id": doc_id,
        "text": TEXT,
        "entities": [
            {"id": 1, "label": "Quote", "start_offset": start, "end_offset": start + 12},
            {"id": 2, "label": "Source", "start_offset": 2, "end_offset": 14},
        ],
        "relations": [{"id": 1, "from_id": 1, "to_id": 2, "type": "attributed_to"}],
        "Comments": [],
    }
    return io.BytesIO(json.dumps(line, ensure_ascii=False).encode())


def test_reviewer_sees_what_imported_gold_needs_and_mark_reviewed_asks_for_it(
    new_page, live_server, project, reviewer
):
    do_import(project, [("d.jsonl", doccano(1))], fmt="doccano", layer="gold")
    article = Article.objects.get(external_id="1")
    gold = Annotation.objects.get(article=article, is_gold=True)
    page = new_page(reviewer)
    page.goto(f"{live_server.url}/articles/{article.pk}/review/")
    page.wait_for_selector(f'[data-hook="text"][data-version="{gold.version}"]')
    quote = page.locator("[data-hook=items] li", has=page.locator(".item-label", has_text="Quote"))
    source = page.locator(
        "[data-hook=items] li", has=page.locator(".item-label", has_text="Source")
    )
    assert "needs quote_type" in quote.inner_text()
    assert "imported" in quote.inner_text()  # not "added by reviewer"
    notice = page.locator("[data-hook=notice]").inner_text()
    assert "Imported as reviewed gold" in notice and "null" not in notice
    assert "needs" not in source.inner_text()  # source_type is optional

    page.keyboard.press("Shift+M")  # Mark reviewed
    alert = page.locator("[role=alert]", has_text="need a quote_type")
    alert.wait_for()
    assert "Quote “we are ready”" in alert.inner_text()

    quote.click()
    page.select_option("[data-hook=detail] select[data-attr=quote_type]", "direct")
    page.wait_for_selector(f'[data-hook="text"][data-version="{gold.version + 1}"]')
    assert "needs" not in quote.inner_text()
    page.keyboard.press("Shift+M")
    page.wait_for_selector(f'[data-hook="text"][data-version="{gold.version + 2}"]')
    gold.refresh_from_db()
    assert (gold.status, gold.reviewer) == ("reviewed", reviewer)
    assert Span.objects.get(annotation=gold, label="Quote").attrs == {"quote_type": "direct"}
    # The one refused Mark reviewed is the browser's only complaint.
    assert [p for p in page.problems if "status of 400" not in p] == []


def test_analyst_sees_what_an_imported_span_needs_in_the_span_list(
    new_page, live_server, project, annotator
):
    do_import(project, [("d.jsonl", doccano(2))], fmt="doccano", layer=annotator.username)
    article = Article.objects.get(external_id="2")
    page = new_page(annotator)
    page.goto(f"{live_server.url}/articles/{article.pk}/annotate/")
    page.wait_for_selector("[data-ws][data-ready]")
    quote = page.locator("[data-span-list] .span-item", has_text="we are ready")
    assert "needs quote_type" in quote.inner_text()
    source = page.locator("[data-span-list] .span-item", has_text="The minister")
    assert "needs" not in source.inner_text()
    assert page.problems == []


def test_manager_imports_a_doccano_export_in_the_page_and_sees_the_counts(
    new_page, live_server, project, manager
):
    page = new_page(manager)
    page.goto(f"{live_server.url}/projects/{project.slug}/")
    page.locator("section.export summary", has_text="Import").click()
    form = page.locator("[data-import-form]")
    form.locator("input[type=file]").set_input_files(
        str(IMPORT_SAMPLES / "doccano_120_relations.jsonl")
    )
    form.locator("select[name=format]").select_option("doccano")
    form.locator("select[name=layer]").select_option("gold")
    with page.expect_response(re.compile(r"/import/$")) as answered:
        form.get_by_role("button", name="Import").click()
    assert answered.value.status == 200
    result = page.locator("[data-import-area] [data-import-result]")
    expect(result.get_by_role("status")).to_contain_text("120 articles created")
    quotes = Span.objects.filter(annotation__is_gold=True, label="Quote").count()
    expect(result).to_contain_text(f"{quotes} Quote spans need quote_type")
    assert not Span.objects.filter(label="Quote").exclude(attrs={}).exists()

    # The same file into suggestions, quote_type inferred: every Quote gets one.
    page.get_by_label("Infer quote_type").check()
    form.locator("input[type=file]").set_input_files(
        str(IMPORT_SAMPLES / "doccano_120_relations.jsonl")
    )
    form.locator("select[name=format]").select_option("doccano")
    form.locator("select[name=layer]").select_option("suggestions")
    with page.expect_response(re.compile(r"/import/$")) as answered:
        form.get_by_role("button", name="Import").click()
    assert answered.value.status == 200
    expect(result).to_contain_text(f"quote_type inferred from the quotation marks for {quotes}")
    assert page.problems == []
