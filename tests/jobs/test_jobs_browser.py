"""An export job started from the project page in Chromium: its row shows the progress, and the
finished file is one click away. A real worker runs it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.support.review_helpers import TEXT, span_data, submit_layer

pytestmark = [pytest.mark.browser, pytest.mark.server, pytest.mark.django_db(transaction=True)]


def test_export_job_from_the_project_page_ends_in_a_download(
    new_page, live_server, project, manager, annotator, make_article, worker, api
):
    for n in range(3):
        article = make_article(project, TEXT, title=f"Talks {n}")
        submit_layer(article, annotator, [span_data("Source", "Macron")], [])
    page = new_page(manager)
    page.goto(f"{live_server.url}/projects/{project.slug}/")
    page.locator("section.export summary", has_text="Export").click()
    page.select_option("[data-export-form] select[name=layer]", "annotators")
    with page.expect_response(lambda r: r.url.endswith("/exports/")) as started:
        page.get_by_role("button", name="Export to a file").click()
    assert started.value.status == 202
    job_id = started.value.json()["id"]
    row = page.locator(f"[data-job='{job_id}']")
    assert row.locator("progress").count() == 1
    row.and_(page.locator("[data-job-state=succeeded]")).wait_for(timeout=60_000)
    assert row.locator("progress").evaluate("bar => bar.value") == 1
    with page.expect_download() as download:
        row.get_by_role("link", name="Download").click()
    assert re.fullmatch(
        r"desk-annotators-native-\d{8}-\d{6}\.jsonl", download.value.suggested_filename
    )
    lines = open(download.value.path(), "rb").read().splitlines()
    streamed = api(manager).get("/api/v1/projects/desk/export/?layer=annotators")
    assert lines == b"".join(streamed.streaming_content).splitlines() and len(lines) == 3
    assert page.problems == []


def test_a_background_import_that_succeeds_brings_the_article_list_up_to_date(
    new_page, live_server, project, manager, worker
):
    page = new_page(manager)
    page.goto(f"{live_server.url}/projects/{project.slug}/")
    page.locator("section.export summary", has_text="Import").click()
    form = page.locator("[data-import-form][data-ready]")
    expect(page.locator("[data-region=articles] .empty")).to_have_text("No articles match.")
    form.locator("input[type=file]").set_input_files(
        {
            "name": "desk.jsonl",
            "mimeType": "application/x-ndjson",
            "buffer": b'{"id": "a1", "title": "Talks go on", "text": "Putin said so."}\n',
        }
    )
    form.get_by_label("run in the background").check()
    with page.expect_response(re.compile(r"/api/v1/jobs/\d+/$")) as job:
        form.get_by_role("button", name="Import").click()
    row = page.locator(f"[data-job='{job.value.json()['id']}']")
    row.and_(page.locator("[data-job-state=succeeded]")).wait_for(timeout=60_000)
    # The page asks for its list again once the job's row says it succeeded.
    expect(page.get_by_role("link", name="Talks go on")).to_be_visible()
    expect(page.locator("[data-region=summary]")).to_contain_text("1 new")
    expect(page.locator("[data-import-said]")).to_have_text(
        "The import runs in the background: follow it under Jobs."
    )
    assert page.problems == []
