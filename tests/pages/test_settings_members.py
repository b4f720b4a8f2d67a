"""Settings → Members: a manager adds, invites, changes and removes members in the browser's
forms; a project keeps one manager; nobody else may do any of it."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail

from labels.models import Membership

User = get_user_model()


@pytest.fixture
def desk(make_project, manager, reviewer, annotator):
    return make_project(
        "desk",
        name="Election desk",
        members={manager: "manager", reviewer: "reviewer", annotator: "annotator"},
    )


def url(desk, tail=""):
    return f"/projects/{desk.slug}/settings/members/{tail}"


def roles(desk):
    return dict(Membership.objects.filter(project=desk).values_list("user__username", "role"))


def field_block(html: str, field_id: str) -> str:
    """The HTML of one form field, from its input to the end of its block."""
    return html[html.index(f'id="{field_id}"') :].split("</p>")[0]


def row(html: str, username: str) -> str:
    return html[html.index(f'data-member="{username}"') :].split("</tr>")[0]


# --- The list ----------------------------------------------------------------------------------


def test_the_list_shows_every_member_with_their_role_and_is_reached_from_settings(
    client, desk, manager
):
    client.force_login(manager)
    general = client.get(f"/projects/{desk.slug}/settings/").content.decode()
    assert f'href="{url(desk)}"' in general

    html = client.get(url(desk)).content.decode()

    assert '<option value="reviewer" selected>' in row(html, "rita")
    assert '<option value="annotator" selected>' in row(html, "ana")
    assert '<option value="manager" selected>' in row(html, "mara")


def test_the_list_costs_the_same_queries_for_many_members(
    client, desk, manager, make_user, django_assert_max_num_queries
):
    from labels.projects.members import do_add_member

    client.force_login(manager)
    client.get(url(desk))  # warm the session
    for n in range(30):
        do_add_member(desk, make_user(f"member{n}"), "annotator")
    # session, user, project+membership, the members with their users, messages: no query per row
    with django_assert_max_num_queries(6):
        html = client.get(url(desk)).content.decode()
    assert "member29" in html


def test_the_last_manager_is_marked_and_cannot_be_demoted_or_removed(client, desk, manager):
    client.force_login(manager)
    html = client.get(url(desk)).content.decode()
    mine = row(html, "mara")
    assert "The project's only manager" in mine
    assert "disabled" in mine
    assert "Remove" not in mine and "Leave" not in mine

    # A crafted POST is refused by the domain, and the page says why at the member.
    demote = client.post(url(desk, "mara/role/"), {"role": "annotator"})
    assert demote.status_code == 400
    assert "only manager; make someone else manager first" in row(demote.content.decode(), "mara")
    remove = client.post(url(desk, "mara/remove/"))
    assert remove.status_code == 400
    assert "only manager" in row(remove.content.decode(), "mara")
    assert roles(desk)["mara"] == "manager"


# --- Add member --------------------------------------------------------------------------------


def test_add_member_by_username_with_a_role(client, desk, manager, annotator2):
    client.force_login(manager)
    response = client.post(url(desk), {"add-username": "ben", "add-role": "reviewer"})
    assert response.status_code == 302
    assert roles(desk)["ben"] == "reviewer"
    assert "ben joined the project as reviewer." in client.get(url(desk)).content.decode()


@pytest.mark.parametrize(
    "data, field_id, message",
    [
        ({"add-username": "nobody", "add-role": "annotator"}, "id_add-username", "No account"),
        ({"add-username": "ana", "add-role": "reviewer"}, "id_add-username", "already a member"),
        ({"add-username": "", "add-role": "annotator"}, "id_add-username", "Give the username"),
        ({"add-username": "ben", "add-role": "boss"}, "id_add-role", "Select a valid choice"),
    ],
)
def test_add_member_errors_are_shown_next_to_the_field_and_nothing_is_written(
    client, desk, manager, annotator2, data, field_id, message
):
    client.force_login(manager)
    before = roles(desk)
    response = client.post(url(desk), data)
    assert response.status_code == 400
    assert message in field_block(response.content.decode(), field_id)
    assert roles(desk) == before


# --- Invite ------------------------------------------------------------------------------------


def test_invite_creates_the_account_and_shows_a_link_that_sets_the_password(client, desk, manager):
    client.force_login(manager)
    response = client.post(
        url(desk, "invite/"), {"invite-email": "lena@example.org", "invite-role": "annotator"}
    )

    assert response.status_code == 200
    html = response.content.decode()
    link = re.search(r'id="invite-link" class="mono" value="([^"]+)"', html).group(1)
    assert link.startswith("http://testserver/reset/")
    assert not mail.outbox  # e-mail is not configured: the manager passes the link on
    lena = User.objects.get(username="lena@example.org")
    assert lena.email == "lena@example.org" and not lena.has_usable_password()
    assert roles(desk)["lena@example.org"] == "annotator"
    assert "has not chosen a password yet" in row(html, "lena@example.org")

    # The invitee follows the link in their own browser and chooses a password.
    client.logout()
    form = client.get(link.removeprefix("http://testserver"), follow=True)
    assert form.status_code == 200
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "a-long-new-passphrase", "new_password2": "a-long-new-passphrase"},
    )
    assert done.status_code == 302
    assert client.login(username="lena@example.org", password="a-long-new-passphrase")
    assert "Election desk" in client.get("/").content.decode()


def test_invite_mails_the_link_when_email_is_configured(client, desk, manager, settings):
    settings.ANNOTATOR_SENDS_EMAIL = True
    settings.ANNOTATOR_BASE_URL = "https://annotate.example.org"
    client.force_login(manager)
    response = client.post(
        url(desk, "invite/"), {"invite-email": "lena@example.org", "invite-role": "reviewer"}
    )
    assert response.status_code == 200
    assert "was sent to them by e-mail" in response.content.decode()
    [message] = mail.outbox
    assert message.to == ["lena@example.org"]
    assert "Election desk" in message.subject
    assert "https://annotate.example.org/reset/" in message.body
    assert "as reviewer" in message.body


def test_when_the_mail_cannot_be_sent_the_page_shows_the_link(client, desk, manager, settings):
    settings.ANNOTATOR_SENDS_EMAIL = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    settings.EMAIL_USE_TLS = False
    client.force_login(manager)
    response = client.post(
        url(desk, "invite/"), {"invite-email": "lena@example.org", "invite-role": "annotator"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "the e-mail could not be sent" in html
    assert 'id="invite-link"' in html
    assert roles(desk)["lena@example.org"] == "annotator"


@pytest.mark.parametrize(
    "email, message",
    [
        ("not-an-address", "is not an e-mail address"),
        ("", "Give the e-mail address"),
        ("ANA@example.org", "An account already uses this e-mail address"),
    ],
)
def test_invite_errors_are_shown_next_to_the_field_and_nothing_is_written(
    client, desk, manager, email, message
):
    client.force_login(manager)
    users = User.objects.count()
    response = client.post(
        url(desk, "invite/"), {"invite-email": email, "invite-role": "annotator"}
    )
    assert response.status_code == 400
    assert message in field_block(response.content.decode(), "id_invite-email")
    assert User.objects.count() == users
    assert len(roles(desk)) == 3
    assert not mail.outbox


# --- Change role, remove -----------------------------------------------------------------------


def test_change_a_role(client, desk, manager):
    client.force_login(manager)
    response = client.post(url(desk, "ana/role/"), {"role": "reviewer"})
    assert response.status_code == 302
    assert roles(desk)["ana"] == "reviewer"
    assert "ana is now reviewer." in client.get(url(desk)).content.decode()


def test_a_bad_role_is_refused_at_the_member(client, desk, manager):
    client.force_login(manager)
    response = client.post(url(desk, "ana/role/"), {"role": "owner"})
    assert response.status_code == 400
    assert "Choose manager, reviewer or annotator." in row(response.content.decode(), "ana")
    assert roles(desk)["ana"] == "annotator"


def test_with_a_second_manager_the_first_may_step_down(client, desk, manager):
    client.force_login(manager)
    client.post(url(desk, "rita/role/"), {"role": "manager"})
    response = client.post(url(desk, "mara/role/"), {"role": "annotator"})
    # No longer a manager: back to the project page, which they still see.
    assert response.status_code == 302 and response["Location"] == f"/projects/{desk.slug}/"
    assert roles(desk) == {"mara": "annotator", "rita": "manager", "ana": "annotator"}


def test_remove_a_member_keeps_the_project_for_the_others(client, desk, manager, annotator):
    client.force_login(manager)
    response = client.post(url(desk, "ana/remove/"))
    assert response.status_code == 302
    assert "ana" not in roles(desk)
    assert User.objects.filter(username="ana").exists()
    client.force_login(annotator)
    assert client.get(f"/projects/{desk.slug}/").status_code == 404


def test_a_manager_who_leaves_goes_home(client, desk, manager, reviewer):
    client.force_login(manager)
    client.post(url(desk, "rita/role/"), {"role": "manager"})
    assert "Leave" in row(client.get(url(desk)).content.decode(), "mara")
    response = client.post(url(desk, "mara/remove/"))
    assert response.status_code == 302 and response["Location"] == "/"
    assert roles(desk) == {"rita": "manager", "ana": "annotator"}


def test_an_unknown_member_is_404(client, desk, manager, annotator2):
    client.force_login(manager)
    assert client.post(url(desk, "ben/role/"), {"role": "manager"}).status_code == 404
    assert client.post(url(desk, "ben/remove/")).status_code == 404
    assert "ben" not in roles(desk)


def test_actions_need_post(client, desk, manager):
    client.force_login(manager)
    for tail in ("invite/", "ana/role/", "ana/remove/"):
        assert client.get(url(desk, tail)).status_code == 405
    assert roles(desk)["ana"] == "annotator"


def test_actions_are_csrf_protected(desk, manager):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(manager)
    assert client.post(url(desk, "ana/remove/")).status_code == 403
    assert (
        client.post(url(desk), {"add-username": "rita", "add-role": "manager"}).status_code == 403
    )
    assert roles(desk)["ana"] == "annotator"


# --- Who may ----------------------------------------------------------------------------------

ACTIONS = [
    ("get", "", {}),
    ("post", "", {"add-username": "ben", "add-role": "manager"}),
    ("post", "invite/", {"invite-email": "x@example.org", "invite-role": "manager"}),
    ("post", "ana/role/", {"role": "manager"}),
    ("post", "ana/remove/", {}),
]


@pytest.mark.parametrize("who", ["reviewer", "annotator"])
def test_other_roles_get_403_for_the_page_and_every_action(client, desk, who, request, annotator2):
    client.force_login(request.getfixturevalue(who))
    for method, tail, data in ACTIONS:
        response = getattr(client, method)(url(desk, tail), data)
        assert response.status_code == 403, (method, tail)
    assert roles(desk) == {"mara": "manager", "rita": "reviewer", "ana": "annotator"}
    assert not User.objects.filter(username="x@example.org").exists()


def test_outsiders_get_404_for_the_page_and_every_action(client, desk, outsider, annotator2):
    client.force_login(outsider)
    for method, tail, data in ACTIONS:
        response = getattr(client, method)(url(desk, tail), data)
        assert response.status_code == 404, (method, tail)
    assert roles(desk) == {"mara": "manager", "rita": "reviewer", "ana": "annotator"}
    assert not User.objects.filter(username="x@example.org").exists()
