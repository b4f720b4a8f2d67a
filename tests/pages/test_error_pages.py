"""A refused or missing page is a page of the application, not a bare "403 Forbidden": it says
why in the words the check used, and leads back to the user's projects (issue 14: a reviewer who
follows a link to Settings is no more at a dead end than a manager at /admin/)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_a_reviewer_at_settings_is_told_why_and_led_back(client, project, reviewer):
    client.force_login(reviewer)
    response = client.get(f"/projects/{project.slug}/settings/members/")
    assert response.status_code == 403
    page = response.content.decode()
    assert "You may not open this page" in page
    assert "This needs the manager role in this project." in page
    assert 'href="/"' in page and 'href="/help/"' in page
    assert 'class="topbar"' in page  # the application's layout, with the user menu


def test_an_analyst_at_new_project_is_told_who_creates_projects(client, annotator):
    client.force_login(annotator)
    page = client.get("/projects/new/").content.decode()
    assert "Only staff users create projects; ask an administrator." in page


def test_a_missing_page_is_a_page_of_the_application_that_reveals_nothing(
    client, project, outsider
):
    client.force_login(outsider)
    response = client.get(f"/projects/{project.slug}/settings/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "Page not found" in page and 'href="/"' in page
    assert project.name not in page and project.slug not in page


def test_an_anonymous_visitor_gets_the_plain_404_without_the_user_menu(client, db):
    page = client.get("/healthz/nowhere").content.decode()
    assert "Page not found" in page and 'href="/help/"' not in page
