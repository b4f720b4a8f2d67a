"""The project page's Import form in Chromium: the CSV column fields only while CSV is the
format (they mean nothing to the other readers), still sent when it is, and the checkbox labels
written as sentences; without JavaScript the fields are there and the form still imports."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from labels.models import Article

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CSV = b"body,ref\nPutin said the talks would go on.,csv-1\n"


def _open_import(page, live_server, project):
    page.goto(f"{live_server.url}/projects/{project.slug}/")
    page.locator("section.export summary", has_text="Import").click()
    return page.locator("[data-import-form]")


def test_csv_columns_show_only_for_csv_and_are_sent_then(new_page, live_server, project, manager):
    page = new_page(manager)
    form = _open_import(page, live_server, project)
    page.locator("[data-import-form][data-ready]").wait_for(state="attached")
    columns = form.locator("fieldset", has_text="CSV columns")
    expect(columns).to_be_hidden()  # native JSONL is the first format
    form.get_by_label("Format").select_option("labelstudio")
    expect(columns).to_be_hidden()
    form.get_by_label("Format").select_option("csv")
    expect(columns).to_be_visible()
    form.locator("input[name=text_column]").fill("body")
    form.locator("input[name=id_column]").fill("ref")
    for name in ("Import the good records only", "Run in the background"):
        expect(form.get_by_text(name, exact=True)).to_be_visible()
    form.locator("input[type=file]").set_input_files(
        {"name": "desk.csv", "mimeType": "text/csv", "buffer": CSV}
    )
    with page.expect_response(re.compile(r"/import/$")) as answered:
        form.get_by_role("button", name="Import").click()
    assert answered.value.status == 200
    expect(page.locator("[data-import-area] [data-import-result]")).to_contain_text(
        "1 article created"
    )
    article = Article.objects.get(project=project)
    assert (article.external_id, article.text) == ("csv-1", "Putin said the talks would go on.")
    form.get_by_label("Format").select_option("native")
    expect(columns).to_be_hidden()
    assert page.problems == []


def test_without_javascript_the_csv_columns_are_there_and_import(
    new_page, live_server, project, manager
):
    page = new_page(manager, java_script_enabled=False)
    form = _open_import(page, live_server, project)
    expect(form.locator("fieldset", has_text="CSV columns")).to_be_visible()
    form.locator("select[name=format]").select_option("csv")
    form.locator("input[name=text_column]").fill("body")
    form.locator("input[name=id_column]").fill("ref")
    form.locator("input[type=file]").set_input_files(
        {"name": "desk.csv", "mimeType": "text/csv", "buffer": CSV}
    )
    form.get_by_role("button", name="Import").click()
    expect(page.get_by_text("1 article created")).to_be_visible()
    assert Article.objects.get(project=project).external_id == "csv-1"
