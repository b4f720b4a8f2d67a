"""An export job started from the project page in Chromium: its row shows the progress, and the
finished file is one click away. A real worker runs it."""

from __future__ import annotations

import re

import pytest

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
