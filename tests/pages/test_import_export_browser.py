"""Import and export in the project page, in Chromium: the upload shows its progress and then
its report (or every `file:line: reason`) in place; a bad export field is shown next to it, and
a good export downloads while the page stays."""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import expect

from labels.models import Article, Job
from tests.support.review_helpers import TEXT, span_data, submit_layer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _jsonl(*records) -> bytes:
    return "".join(
        (r if isinstance(r, str) else json.dumps(r, ensure_ascii=False)) + "\n" for r in records
    ).encode()


def _open(page, live_server, project, section):
    page.goto(f"{live_server.url}/projects/{project.slug}/")
    page.locator("section.export summary", has_text=section).click()
    # The page's module has taken over the forms (else they would post the old way).
    page.locator("[data-export-form][data-ready]").wait_for(state="attached")


def test_upload_shows_progress_then_every_problem_in_the_page(
    new_page, live_server, project, manager
):
    page = new_page(manager)
    _open(page, live_server, project, "Import")
    project_url = page.url
    form = page.locator("[data-import-form]")
    form.locator("input[type=file]").set_input_files(
        {
            "name": "desk.jsonl",
            "mimeType": "application/x-ndjson",
            "buffer": _jsonl(
                {"id": "a1", "text": "Putin said the talks would go on."},
                "{not json",
                {"id": "a3"},
            ),
        }
    )
    with page.expect_response(re.compile(r"/import/$")) as answered:
        form.get_by_role("button", name="Import").click()
    assert answered.value.status == 400
    result = page.locator("[data-import-area] [data-import-result]")
    expect(result.get_by_role("alert")).to_contain_text("Nothing was imported")
    problems = result.locator(".import-problems li")
    expect(problems).to_have_count(2)
    assert problems.nth(0).inner_text().startswith("desk.jsonl:2:")
    assert problems.nth(1).inner_text().startswith("desk.jsonl:3:")
    assert page.url == project_url  # the report came into the page
    assert page.locator("[data-import-status] progress").count() == 1
    assert Article.objects.filter(project=project).count() == 0

    # Fixed, the same form imports and says so in place.
    form.locator("input[type=file]").set_input_files(
        {
            "name": "desk.jsonl",
            "mimeType": "application/x-ndjson",
            "buffer": _jsonl({"id": "a1", "text": "Putin said the talks would go on."}),
        }
    )
    with page.expect_response(re.compile(r"/import/$")) as answered:
        form.get_by_role("button", name="Import").click()
    assert answered.value.status == 200
    expect(page.locator("[data-import-area] [data-import-result]")).to_contain_text(
        "1 article created"
    )
    expect(page.locator("[data-import-status]")).to_be_hidden()  # the report says it all
    assert page.url == project_url
    assert list(Article.objects.filter(project=project).values_list("external_id", flat=True)) == [
        "a1"
    ]
    # Chromium logs the expected 400 answer; nothing else may go wrong.
    assert [p for p in page.problems if "status of 400" not in p] == []


def test_bad_tokenizer_language_is_shown_next_to_its_field_then_the_export_downloads(
    new_page, live_server, project, manager, annotator, make_article
):
    article = make_article(project, TEXT, title="Talks")
    submit_layer(article, annotator, [span_data("Source", "Macron")], [])
    page = new_page(manager)
    _open(page, live_server, project, "Export")
    project_url = page.url
    form = page.locator("[data-export-form]")
    form.locator("select[name=format]").select_option("conll")
    form.locator("select[name=layer]").select_option("annotators")
    lang = form.get_by_label("Tokenizer language")
    lang.fill("qq")
    with page.expect_response(re.compile(r"/export/check/\?")) as checked:
        form.get_by_role("button", name="Download now (streamed)").click()
    assert checked.value.status == 400
    error = form.locator("label", has_text="Tokenizer language").locator("[data-field-error=lang]")
    expect(error).to_contain_text("“qq” is not a language code spaCy knows")
    expect(lang).to_have_attribute("aria-invalid", "true")
    assert page.url == project_url
    assert "errors" not in page.locator("main").inner_text()  # no raw JSON anywhere

    # "Export to a file" is checked the same way before any job starts.
    with page.expect_response(re.compile(r"/export/check/\?")) as checked:
        form.get_by_role("button", name="Export to a file").click()
    assert checked.value.status == 400
    expect(error).to_have_count(1)
    expect(error).to_contain_text("“qq” is not a language code spaCy knows")
    assert not Job.objects.exists()

    lang.fill("en")
    with page.expect_download() as download:
        form.get_by_role("button", name="Download now (streamed)").click()
    assert re.fullmatch(
        r"desk-annotators-conll-\d{8}-\d{6}\.conll", download.value.suggested_filename
    )
    assert "Macron" in open(download.value.path(), encoding="utf-8").read()
    expect(form.locator("[data-field-error]")).to_have_count(0)
    assert page.url == project_url
    # Chromium logs the expected 400 answer; nothing else may go wrong.
    assert [p for p in page.problems if "status of 400" not in p] == []


def test_background_import_joins_the_jobs_list_and_the_page_stays(
    new_page, live_server, project, manager
):
    page = new_page(manager)
    _open(page, live_server, project, "Import")
    project_url = page.url
    form = page.locator("[data-import-form]")
    form.locator("input[type=file]").set_input_files(
        {
            "name": "desk.jsonl",
            "mimeType": "application/x-ndjson",
            "buffer": _jsonl({"id": "a1", "text": "Putin said the talks would go on."}),
        }
    )
    form.get_by_label("run in the background").check()
    with page.expect_response(re.compile(r"/api/v1/jobs/\d+/$")) as job:
        form.get_by_role("button", name="Import").click()
    job_id = job.value.json()["id"]
    expect(page.locator(f"[data-job-list] [data-job='{job_id}']")).to_be_visible()
    expect(page.locator("[data-import-said]")).to_have_text(
        "The import runs in the background: follow it under Jobs."
    )
    assert page.url == project_url
    assert page.problems == []


def test_articles_imported_in_the_page_appear_in_its_list_and_counts_with_the_report_kept(
    new_page, live_server, project, manager
):
    page = new_page(manager)
    _open(page, live_server, project, "Import")
    articles = page.locator("[data-region=articles]")
    expect(articles.locator(".empty")).to_have_text("No articles match.")
    expect(page.locator("[data-region=summary]")).to_contain_text("0 new")
    page.evaluate("window.stayedOnThePage = true")  # gone if the page were loaded again
    page.get_by_placeholder("Search title, id or text").fill("Putin")  # typed, not yet sent
    form = page.locator("[data-import-form]")
    form.locator("input[type=file]").set_input_files(
        {
            "name": "desk.jsonl",
            "mimeType": "application/x-ndjson",
            "buffer": _jsonl(
                {"id": "a1", "title": "Talks go on", "text": "Putin said the talks would go on."},
                {"id": "a2", "title": "Talks end", "text": "Macron said the talks had ended."},
            ),
        }
    )
    with page.expect_response(re.compile(r"/import/$")) as answered:
        form.get_by_role("button", name="Import").click()
    assert answered.value.status == 200

    # The list, its counts and the assign form show the new articles...
    rows = articles.locator("table.articles tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0).get_by_role("link", name="Talks go on")).to_be_visible()
    expect(rows.nth(1).get_by_role("link", name="Talks end")).to_be_visible()
    expect(articles.locator(".empty")).to_have_count(0)
    expect(page.locator("[data-region=summary]")).to_contain_text("2 new")
    expect(page.locator("#assign-article option", has_text="Talks end")).to_have_count(1)
    # ...and the import's report is still there, in the same page.
    report = page.locator("[data-import-area] [data-import-result]")
    expect(report.get_by_role("status")).to_have_text(re.compile(r"^2 articles created"))
    expect(report).to_be_visible()
    assert page.evaluate("window.stayedOnThePage") is True
    expect(page.get_by_placeholder("Search title, id or text")).to_have_value("Putin")
    assert page.locator("section.export details").first.get_attribute("open") is not None
    assert page.problems == []


def test_an_article_chosen_in_the_assign_form_stays_chosen_when_an_import_adds_more(
    new_page, live_server, project, manager, make_article
):
    old = make_article(project, TEXT, title="Old talks")
    page = new_page(manager)
    _open(page, live_server, project, "Import")
    page.locator("#assign-article").select_option(str(old.pk))
    form = page.locator("[data-import-form]")
    form.locator("input[type=file]").set_input_files(
        {
            "name": "desk.jsonl",
            "mimeType": "application/x-ndjson",
            "buffer": _jsonl({"id": "a1", "title": "New talks", "text": "Putin said so."}),
        }
    )
    with page.expect_response(re.compile(r"/import/$")) as answered:
        form.get_by_role("button", name="Import").click()
    assert answered.value.status == 200
    expect(page.locator("#assign-article option", has_text="New talks")).to_have_count(1)
    expect(page.locator("#assign-article")).to_have_value(str(old.pk))
    assert page.problems == []
