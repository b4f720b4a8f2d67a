"""The manager's console in headless Chromium (issue 14): a staff user creates a project with
New project, adds an existing analyst and invites a new one in Settings → Members, and the
invitee sets a password through the link and finds the project; then the whole acceptance flow
(Schema, Members, Guidelines, a doccano import without quote_type, the analyst's workspace). The
database holds what the pages showed."""

from __future__ import annotations

import json
import re

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from labels.models import Annotation, AnnotationStatus, Article, Membership, Project, Span
from tests.pages.test_workspace_browser import drag_select, open_workspace, saving

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_staff_manager_creates_a_project_adds_ana_and_invites_a_newcomer(
    new_page, live_server, make_user, annotator
):
    staff = make_user("stella", is_staff=True)
    page = new_page(staff)

    # New project: the slug follows the name as it is typed.
    page.get_by_role("link", name="New project").click()
    page.wait_for_url(f"{live_server.url}/projects/new/")  # its module has run: load is after it
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


# Two doccano 1.8 records: Quote spans with no quote_type (doccano has no attributes), and an
# article without spans, which the analyst then annotates herself.
QUOTED = "The minister said “we are ready” on Monday, and the unions said they would strike."
PLAIN = "Thousands marched through Minsk on Sunday before the police arrived."


def _doccano() -> bytes:
    ready = QUOTED.index("we are ready")
    strike = QUOTED.index("they would strike")
    lines = [
        {
            "id": 1,
            "text": QUOTED,
            "Comments": [],
            "label": [
                [ready, ready + len("we are ready"), "Quote"],
                [strike, strike + len("they would strike"), "Quote"],
            ],
        },
        {"id": 2, "text": PLAIN, "Comments": [], "label": []},
    ]
    return "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines).encode()


def _new_project(page, live_server, name: str) -> str:
    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="New project").click()
    page.wait_for_url(f"{live_server.url}/projects/new/")
    page.get_by_label("Name").press_sequentially(name)
    expect(page.get_by_label("Slug")).not_to_have_value("")
    slug = page.get_by_label("Slug").input_value()
    page.get_by_role("button", name="Create project").click()
    page.wait_for_url(f"{live_server.url}/projects/{slug}/")
    return slug


def _settings_section(page, name: str) -> None:
    page.get_by_role("navigation", name="Settings sections").get_by_role(
        "link", name=name, exact=True
    ).click()
    expect(page.get_by_role("heading", name=name, exact=True)).to_be_visible()


def test_issue_14_acceptance_from_new_project_to_an_analysts_event_span(
    new_page, live_server, make_user, annotator
):
    staff = make_user("stella", is_staff=True)
    page = new_page(staff)
    slug = _new_project(page, live_server, "Strike watch")
    assert slug == "strike-watch"
    project = Project.objects.get(slug=slug)

    # Settings → Schema: a span label Event, hotkey 6, with a required choice attribute.
    page.get_by_role("link", name="Settings", exact=True).click()
    _settings_section(page, "Schema")
    page.get_by_role("button", name="Add span label").click()
    page.keyboard.type("Event")
    row = page.locator("li.se-row").filter(has=page.locator("h4", has_text=re.compile("^Event$")))
    row.get_by_label("Hotkey").fill("6")
    row.get_by_role("button", name="Add attribute to Event").click()
    page.keyboard.type("event_type")
    row.get_by_label("Choices").fill("protest\nstrike\nelection")
    row.get_by_label("Required").check()
    page.get_by_role("button", name="Review change").click()
    page.locator("[data-review]").get_by_role("button", name="Save").click()
    expect(page.locator(".messages")).to_contain_text("Schema saved")
    project.refresh_from_db()
    event = next(x for x in project.schema["span_labels"] if x["name"] == "Event")
    assert event["hotkey"] == "6"
    assert event["attributes"] == [
        {
            "name": "event_type",
            "type": "choice",
            "required": True,
            "choices": ["protest", "strike", "election"],
        }
    ]

    # Settings → Members: ana as annotator, and a newcomer invited.
    _settings_section(page, "Members")
    add = page.locator("[data-form=add-member]")
    add.get_by_label("Username").fill("ana")
    add.get_by_role("button", name="Add member").click()
    expect(page.locator("[data-member=ana] select")).to_have_value("annotator")
    invite = page.locator("[data-form=invite]")
    invite.get_by_label("E-mail").fill("lena@example.org")
    invite.get_by_role("button", name="Invite").click()
    link = page.get_by_label("One-time password link").input_value()
    assert dict(
        Membership.objects.filter(project=project).values_list("user__username", "role")
    ) == {"stella": "manager", "ana": "annotator", "lena@example.org": "annotator"}

    # Settings → Guidelines: a text, saved as version 1.
    _settings_section(page, "Guidelines")
    page.get_by_label("Guidelines (Markdown)").fill("# Events\n\nMark every **strike**.")
    page.get_by_role("button", name="Save guidelines").click()
    expect(page.locator(".messages")).to_contain_text("Guidelines saved as version 1.")
    project.refresh_from_db()
    assert project.guidelines_version == 1 and "Mark every **strike**." in project.guidelines

    # Import a doccano file whose Quote spans have no quote_type, into ana's layer.
    page.goto(f"{live_server.url}/projects/{slug}/")
    page.locator("section.export summary", has_text="Import").click()
    form = page.locator("[data-import-form]")
    form.locator("input[type=file]").set_input_files(
        {"name": "doccano.jsonl", "mimeType": "application/x-ndjson", "buffer": _doccano()}
    )
    form.get_by_label("Format").select_option("doccano")
    form.get_by_label("Annotations go to").select_option("ana")
    with page.expect_response(re.compile(r"/import/$")) as answered:
        form.get_by_role("button", name="Import").click()
    assert answered.value.status == 200
    result = page.locator("[data-import-area] [data-import-result]")
    expect(result).to_contain_text("2 Quote spans need quote_type")
    quoted = Article.objects.get(project=project, external_id="1")
    imported = Annotation.objects.get(article=quoted, annotator=annotator)
    assert imported.status == AnnotationStatus.SUBMITTED
    assert sorted(imported.spans.values_list("text", "attrs")) == [
        ("they would strike", {}),
        ("we are ready", {}),
    ]
    assert page.problems == []

    # The newcomer's link works: a password, then the project on the home page.
    guest = new_page()
    guest.goto(link)
    guest.get_by_label("New password").fill("a-long-new-passphrase")
    guest.get_by_label("The same password again").fill("a-long-new-passphrase")
    guest.get_by_role("button", name="Set my password").click()
    guest.get_by_role("main").get_by_role("link", name="Log in").click()
    guest.fill("#id_username", "lena@example.org")
    guest.fill("#id_password", "a-long-new-passphrase")
    guest.get_by_role("main").get_by_role("button", name="Log in").click()
    guest.wait_for_url(f"{live_server.url}/")
    expect(guest.locator("table.projects tbody tr")).to_contain_text("Strike watch")

    # ana: the imported article shows which spans need what.
    analyst = new_page(annotator)
    open_workspace(analyst, live_server, quoted)
    items = analyst.locator("[data-span-list] .span-item")
    expect(items).to_have_count(2)
    for i in range(2):
        expect(items.nth(i).locator(".missing")).to_have_text("needs quote_type")
    expect(analyst.locator("[data-guidelines-notice]")).to_be_visible()

    # Next article: the one without spans; a selection and the key 6 make an Event span.
    analyst.goto(f"{live_server.url}/projects/{slug}/")
    analyst.get_by_role("button", name="Next article").click()
    plain = Article.objects.get(project=project, external_id="2")
    analyst.wait_for_url(f"{live_server.url}/articles/{plain.pk}/annotate/")
    analyst.wait_for_selector("[data-ws][data-ready]")
    start = PLAIN.index("Thousands marched")
    drag_select(analyst, PLAIN, start, start + len("Thousands marched"))
    with saving(analyst):
        analyst.keyboard.press("6")
    item = analyst.locator("[data-span-list] .span-item")
    expect(item).to_have_count(1)
    expect(item.locator(".missing")).to_have_text("needs event_type")
    layer = Annotation.objects.get(article=plain, annotator=annotator)
    (span,) = Span.objects.filter(annotation=layer)
    assert (span.label, span.text, span.attrs) == ("Event", "Thousands marched", {})
    assert layer.status == AnnotationStatus.DRAFT
    assert analyst.problems == []
