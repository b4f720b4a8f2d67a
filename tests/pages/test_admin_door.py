"""/admin/ is no dead end for a project's manager who is not the server's staff (issue 14): the
application says that a manager's pages are in the project's Settings and links to them, while
staff still reach Django's admin."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from labels.models import Role
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def _door(client, url="/admin/"):
    return client.get(url, follow=True)


def test_a_manager_who_is_not_staff_is_sent_to_the_settings_of_the_projects_they_manage(
    client, project, manager, make_project
):
    make_project("watch", name="Watch desk", members={manager: Role.REVIEWER})
    client.force_login(manager)

    response = _door(client, "/admin/labels/project/")

    assert response.status_code == 403
    page = response.content.decode()
    assert "The admin site is for the server's administrators" in page
    assert f'href="/projects/{project.slug}/settings/"' in page
    # Only the projects they manage: a reviewer's project has no Settings for them.
    assert 'href="/projects/watch/settings/"' not in page
    # No admin log-in form that would refuse them again.
    assert 'name="password"' not in page


def test_a_member_who_manages_nothing_is_sent_home(client, project, annotator):
    client.force_login(annotator)
    page = _door(client).content.decode()
    assert "You manage no project." in page
    assert 'href="/"' in page and "/settings/" not in page


def test_staff_still_reach_the_admin(client, make_user):
    staff = make_user("stella", is_staff=True, is_superuser=True)
    client.force_login(staff)
    response = _door(client)
    assert response.status_code == 200
    assert response.redirect_chain == []
    assert "Site administration" in response.content.decode()
    # Signed in already: the admin's own log-in sends staff on to its index, as before.
    assert client.get("/admin/login/").headers["Location"] == "/admin/"


def test_the_admin_log_in_form_tells_a_manager_where_to_log_in(client, db):
    page = _door(client).content.decode()
    assert 'name="password"' in page
    assert "Managing a project? Log in to" in page and 'href="/login/"' in page


def test_staff_log_in_through_the_admin_form(client, make_user):
    make_user("stella", is_staff=True, is_superuser=True)
    response = client.post(
        "/admin/login/?next=/admin/", {"username": "stella", "password": PASSWORD}
    )
    assert response.status_code == 302 and response.headers["Location"] == "/admin/"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_in_the_browser_a_manager_goes_from_admin_to_the_projects_settings(
    new_page, live_server, project, manager
):
    page = new_page(manager)
    # The door answers 403 (the admin refuses them) with a page that says where to go.
    assert page.goto(f"{live_server.url}/admin/").status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "The admin site is for the server's administrators"
    )
    page.get_by_role("listitem").filter(has_text=project.name).get_by_role(
        "link", name="Settings"
    ).click()
    page.wait_for_url(f"{live_server.url}/projects/{project.slug}/settings/")
    expect(page.get_by_role("heading", name="General")).to_be_visible()
