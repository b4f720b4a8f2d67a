"""Settings → General: a manager changes the project in the browser's form; nobody else may."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from labels.annotation import queue
from labels.models import Project


@pytest.fixture
def desk(make_project, manager, reviewer, annotator):
    return make_project(members={manager: "manager", reviewer: "reviewer", annotator: "annotator"})


def _form(**changes):
    data = {
        "name": "Desk",
        "description": "",
        "annotators_per_article": "2",
        "blind": "on",
        "lease_minutes": "",
        "max_open_drafts": "3",
    }
    data.update(changes)
    return data


def test_manager_finds_settings_on_the_project_page_and_saves_general(client, desk, manager):
    client.force_login(manager)
    page = client.get(f"/projects/{desk.slug}/").content.decode()
    assert f'href="/projects/{desk.slug}/settings/"' in page

    response = client.post(
        f"/projects/{desk.slug}/settings/",
        _form(
            name="Election desk",
            annotators_per_article="3",
            lease_minutes="15",
            blind="",
            max_open_drafts="1",
        ),
    )

    assert response.status_code == 302
    desk.refresh_from_db()
    assert (
        desk.name,
        desk.annotators_per_article,
        desk.lease_minutes,
        desk.blind,
        desk.max_open_drafts,
    ) == ("Election desk", 3, 15, False, 1)
    assert "Settings saved." in client.get(response["Location"]).content.decode()


def test_a_bad_value_is_shown_next_to_its_field_and_nothing_is_written(client, desk, manager):
    client.force_login(manager)

    response = client.post(
        f"/projects/{desk.slug}/settings/",
        _form(name="Renamed", annotators_per_article="0", lease_minutes="0", max_open_drafts="0"),
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert "Choose between 1 and 100 analysts per article." in html
    assert "A lease lasts at least 1 minute" in html
    assert "An analyst may hold at least 1 open draft." in html
    assert Project.objects.get(pk=desk.pk).name == desk.name
    assert Project.objects.get(pk=desk.pk).max_open_drafts == desk.max_open_drafts


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"name": ""}, "Give the project a name."),
        ({"annotators_per_article": "-1"}, "Choose between 1 and 100 analysts per article."),
        ({"annotators_per_article": ""}, "Choose between 1 and 100 analysts per article."),
        ({"lease_minutes": "-3"}, "A lease lasts at least 1 minute;"),
    ],
)
def test_each_bad_value_is_named_in_the_words_of_its_rule(client, desk, manager, changes, message):
    client.force_login(manager)
    response = client.post(f"/projects/{desk.slug}/settings/", _form(**changes))
    assert response.status_code == 400
    html = response.content.decode()
    assert html.count('class="error"') == 1 and message in html
    assert "greater than or equal to" not in html and "This field is required." not in html
    assert Project.objects.get(pk=desk.pk).name == desk.name


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("-1", "An analyst may hold at least 1 open draft."),
        ("1001", "Choose at most 1000 open drafts per analyst."),
        ("abc", "Enter a whole number."),
        ("", "This field is required."),
    ],
)
def test_open_drafts_per_analyst_must_be_a_whole_number_of_at_least_one(
    client, desk, manager, value, message
):
    client.force_login(manager)
    page = client.get(f"/projects/{desk.slug}/settings/").content.decode()
    assert "Open drafts per analyst" in page

    response = client.post(f"/projects/{desk.slug}/settings/", _form(max_open_drafts=value))

    assert response.status_code == 400
    assert message in response.content.decode()
    assert Project.objects.get(pk=desk.pk).max_open_drafts == 3


def test_the_project_lease_minutes_set_how_long_a_new_draft_keeps_its_seat(
    desk, make_article, annotator
):
    make_article(desk)
    desk.lease_minutes = 10
    desk.save(update_fields=["lease_minutes"])

    draft = queue.do_next_article(desk, annotator)

    left = draft.lease_expires_at - timezone.now()
    assert timedelta(minutes=9) < left <= timedelta(minutes=10)


@pytest.mark.parametrize("who", ["reviewer", "annotator"])
def test_other_roles_get_403_and_outsiders_404(client, desk, who, request, outsider):
    client.force_login(request.getfixturevalue(who))
    assert client.get(f"/projects/{desk.slug}/settings/").status_code == 403
    assert client.post(f"/projects/{desk.slug}/settings/", _form(name="x")).status_code == 403
    assert (
        f"/projects/{desk.slug}/settings/"
        not in client.get(f"/projects/{desk.slug}/").content.decode()
    )
    client.force_login(outsider)
    assert client.get(f"/projects/{desk.slug}/settings/").status_code == 404
    assert Project.objects.get(pk=desk.pk).name == desk.name
