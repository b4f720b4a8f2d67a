"""The log-in flow and the project list in a real browser."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_logging_in_shows_my_projects_with_role(
    new_page, live_server, project, annotator, other_project
):
    page = new_page(annotator)
    rows = page.locator("table.projects tbody tr")
    assert rows.count() == 1
    assert "Belarus desk" in rows.first.inner_text()
    assert "Annotator" in rows.first.inner_text()
    assert "Elsewhere" not in page.content()
    assert page.problems == []


def test_wrong_password_is_refused_with_a_message(new_page, live_server, annotator):
    page = new_page()
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", annotator.username)
    page.fill("#id_password", "not-the-password")
    page.click("button[type=submit]")
    assert (
        page.get_by_role("alert").inner_text().startswith("Your username and password didn't match")
    )
