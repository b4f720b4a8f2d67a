"""The project page in Chromium after an import, before and after its search index is built:
the status line and each row's "indexing" badge are visible, and go once it is built."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from labels.interop import search_index
from labels.jobs import indexing
from tests.support.imports import jsonl

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_page_says_the_search_index_is_building_until_it_is(
    new_page, live_server, project, manager, tmp_path
):
    records = [{"id": f"h{i}", "text": f"Heron sighted at the lake, day {i}."} for i in range(3)]
    indexing.do_import(project, [("h.jsonl", jsonl(*records))])
    page = new_page(manager)
    page.goto(f"{live_server.url}/projects/{project.slug}/?q=heron")
    status = page.locator("[data-search-index]")
    expect(status).to_be_visible()
    expect(status).to_contain_text("Search index: building… (3 articles not searchable yet)")
    expect(status).to_contain_text("these results may be incomplete")
    page.screenshot(path=tmp_path / "building.png", full_page=True)

    search_index.do_index_pending(project.pk)
    page.reload()
    expect(page.locator("[data-search-index]")).to_have_count(0)
    expect(page.locator("table.articles tbody tr")).to_have_count(3)
    expect(page.locator("[data-indexing]")).to_have_count(0)

    page.goto(f"{live_server.url}/projects/{project.slug}/")
    assert page.problems == []


def test_each_row_waiting_for_the_index_carries_a_badge(
    new_page, live_server, project, manager, tmp_path
):
    indexing.do_import(project, [("h.jsonl", jsonl({"id": "h1", "text": "Heron."}))])
    page = new_page(manager)
    page.goto(f"{live_server.url}/projects/{project.slug}/")
    badge = page.locator("table.articles [data-indexing]")
    expect(badge).to_have_count(1)
    expect(badge).to_be_visible()
    expect(badge).to_have_text("indexing")
    page.locator("table.articles").screenshot(path=tmp_path / "badge.png")
