"""The manager's console in headless Chromium (issue 14): a staff user creates a project with
New project, adds an existing analyst and invites a new one in Settings → Members, and the
invitee sets a password through the link and finds the project. The database holds what the
pages showed."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from labels.models import Membership, Project

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_staff_manager_creates_a_project_adds_ana_and_invites_a_newcomer(
    new_page, live_server, make_user, annotator
):
    staff = make_user("stella", is_staff=True)
    page = new_page(staff)

    # New project: the slug follows the name as it is typed.
    page.get_by_role("link", name="New project").click()
    page.get_by_label("Name").press_sequentially("Élection desk 2026")
    expect(page.get_by_label("Slug")).to_have_value("election-desk-2026")
    expect(page.get_by_label("News attribution")).to_be_checked()
    expect(page.get_by_label("Schema file")).to_be_hidden()
    page.get_by_label("Annotators per article").fill("3")
    page.get_by_role("button", name="Create project").click()

    page.wait_for_url(f"{live_server.url}/projects/election-desk-2026/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Élection desk 2026")
    expect(page.get_by_role("status")).to_contain_text("Élection desk 2026 is ready.")
    project = Project.objects.get(slug="election-desk-2026")
    assert (project.name, project.annotators_per_article, project.blind) == (
        "Élection desk 2026",
        3,
        True,
    )
    assert Membership.objects.get(project=project, user=staff).role == "manager"

    # Settings → Members: add ana as annotator.
    page.get_by_role("link", name="Settings", exact=True).click()
    page.get_by_role("navigation", name="Settings sections").get_by_role(
        "link", name="Members"
    ).click()
    page.wait_for_url(f"{live_server.url}/projects/election-desk-2026/settings/members/")
    expect(page.locator("[data-member=stella]")).to_contain_text("The project's only manager")
    add = page.locator("[data-form=add-member]")
    add.get_by_label("Username").fill("ana")
    add.get_by_label("Role").select_option(label="Annotator")
    add.get_by_role("button", name="Add member").click()
    expect(page.get_by_role("status")).to_contain_text("ana joined the project as annotator.")
    expect(page.locator("[data-member=ana] select")).to_have_value("annotator")
    assert Membership.objects.get(project=project, user=annotator).role == "annotator"

    # Invite a newcomer by e-mail: the page shows the one-time link.
    invite = page.locator("[data-form=invite]")
    invite.get_by_label("E-mail").fill("lena@example.org")
    invite.get_by_label("Role").select_option(label="Reviewer")
    invite.get_by_role("button", name="Invite").click()
    link_field = page.get_by_label("One-time password link")
    expect(link_field).to_have_value(re.compile(rf"^{re.escape(live_server.url)}/reset/"))
    link = link_field.input_value()
    expect(page.locator("[data-member='lena@example.org']")).to_contain_text(
        "has not chosen a password yet"
    )
    lena = get_user_model().objects.get(username="lena@example.org")
    assert not lena.has_usable_password()
    assert Membership.objects.get(project=project, user=lena).role == "reviewer"
    assert page.problems == []

    # The newcomer, in a browser of their own: the link, a password, the project.
    guest = new_page()
    guest.goto(link)
    expect(guest.get_by_role("heading", name="Choose a password")).to_be_visible()
    guest.get_by_label("New password").fill("a-long-new-passphrase")
    guest.get_by_label("The same password again").fill("a-long-new-passphrase")
    guest.get_by_role("button", name="Set my password").click()
    expect(guest.get_by_role("heading", name="Your password is set")).to_be_visible()
    guest.get_by_role("main").get_by_role("link", name="Log in").click()
    guest.fill("#id_username", "lena@example.org")
    guest.fill("#id_password", "a-long-new-passphrase")
    guest.get_by_role("main").get_by_role("button", name="Log in").click()
    guest.wait_for_url(f"{live_server.url}/")
    row = guest.locator("table.projects tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Élection desk 2026")
    expect(row).to_contain_text("Reviewer")
    lena.refresh_from_db()
    assert lena.has_usable_password()
    assert guest.problems == []

    # The link worked once.
    again = new_page()
    again.goto(link)
    expect(again.get_by_role("alert")).to_contain_text("has been used already or has expired")
