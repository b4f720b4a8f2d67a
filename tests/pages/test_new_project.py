"""New project in the browser's form: staff create one and manage it; bad input writes nothing."""

from __future__ import annotations

import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from labels.models import Membership, Project, SchemaVersion
from labels.schema import default_schema

URL = "/projects/new/"


@pytest.fixture
def staff(make_user):
    return make_user("stella", is_staff=True)


def _form(**changes):
    data = {
        "name": "Election desk",
        "slug": "election-desk",
        "description": "",
        "schema": "news",
        "annotators_per_article": "2",
        "blind": "on",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def _schema_file(content, name="schema.json"):
    raw = content if isinstance(content, bytes) else json.dumps(content).encode()
    return SimpleUploadedFile(name, raw, content_type="application/json")


def test_staff_see_new_project_on_the_home_page_and_others_do_not(client, staff, annotator):
    client.force_login(staff)
    assert f'href="{URL}"' in client.get("/").content.decode()
    client.force_login(annotator)
    assert f'href="{URL}"' not in client.get("/").content.decode()


def test_creating_lands_on_the_project_page_with_the_creator_as_manager(client, staff):
    client.force_login(staff)
    assert client.get(URL).status_code == 200

    response = client.post(URL, _form(annotators_per_article="3", blind=None))

    assert response.status_code == 302
    assert response["Location"] == "/projects/election-desk/"
    project = Project.objects.get(slug="election-desk")
    assert (project.name, project.annotators_per_article, project.blind) == (
        "Election desk",
        3,
        False,
    )
    assert project.schema == default_schema()
    assert SchemaVersion.objects.filter(project=project, version=1).exists()
    assert Membership.objects.get(project=project).user == staff
    assert Membership.objects.get(project=project).role == "manager"
    page = client.get(response["Location"]).content.decode()
    assert "Election desk is ready." in page
    assert 'href="/projects/election-desk/settings/"' in page


def test_an_empty_slug_is_made_from_the_name(client, staff):
    client.force_login(staff)
    response = client.post(URL, _form(name="Économie — Minsk 2026", slug=""))
    assert response.status_code == 302
    assert Project.objects.filter(slug="economie-minsk-2026").exists()


def test_the_empty_schema_has_one_label_to_build_on(client, staff):
    client.force_login(staff)
    client.post(URL, _form(schema="empty"))
    schema = Project.objects.get(slug="election-desk").schema
    assert [label["name"] for label in schema["span_labels"]] == ["Label"]
    assert schema["relations"] == []


def test_an_uploaded_schema_is_checked_and_stored(client, staff):
    client.force_login(staff)
    schema = {
        "id": "events",
        "version": 1,
        "span_labels": [{"name": "Event", "color": "#AA0000", "hotkey": "6"}],
    }
    response = client.post(URL, _form(schema="upload", schema_file=_schema_file(schema)))
    assert response.status_code == 302
    stored = Project.objects.get(slug="election-desk").schema
    assert stored["span_labels"][0]["name"] == "Event"
    assert stored["span_labels"][0]["color"] == "#aa0000"  # normalised by check_schema


@pytest.mark.parametrize(
    "changes, field_id, message",
    [
        ({"slug": "Not a slug!"}, "id_slug", "Use only lower-case letters"),
        ({"slug": "Desk"}, "id_slug", "Use lower-case letters"),
        ({"slug": "new"}, "id_slug", "is the address of this page"),
        ({"name": ""}, "id_name", "This field is required."),
        ({"name": "Мінск", "slug": ""}, "id_slug", "the name has no letters or digits"),
        ({"annotators_per_article": "0"}, "id_annotators_per_article", "between 1 and 100"),
        ({"schema": "upload"}, "id_schema_file", "Choose the JSON file with the schema."),
    ],
)
def test_bad_input_is_shown_next_to_its_field_and_nothing_is_written(
    client, staff, changes, field_id, message
):
    client.force_login(staff)
    response = client.post(URL, _form(**changes))
    assert response.status_code == 400
    html = response.content.decode()
    # The message follows the field's own input, inside the same field block.
    field_block = html[html.index(f'id="{field_id}"') :].split("</p>")[0]
    assert message in field_block
    assert not Project.objects.exists()
    assert not Membership.objects.exists()


def test_the_page_opens_on_the_first_field_to_correct(client, staff, make_project):
    client.force_login(staff)
    autofocused = re.compile(r"<(?:input|textarea)[^>]*\bautofocus\b[^>]*>")
    fresh = autofocused.findall(client.get(URL).content.decode())
    assert len(fresh) == 1 and 'id="id_name"' in fresh[0]
    make_project("election-desk")
    refused = autofocused.findall(client.post(URL, _form()).content.decode())
    assert len(refused) == 1 and 'id="id_slug"' in refused[0]


def test_a_duplicate_slug_is_refused_next_to_the_slug(client, staff, make_project):
    make_project("election-desk", name="The other desk")
    client.force_login(staff)
    response = client.post(URL, _form())
    assert response.status_code == 400
    html = response.content.decode()
    field_block = html[html.index('id="id_slug"') :].split("</p>")[0]
    assert "A project with the slug &#x27;election-desk&#x27; already exists." in field_block
    assert Project.objects.get().name == "The other desk"
    assert not Membership.objects.filter(user=staff).exists()


@pytest.mark.parametrize(
    "content, message",
    [
        (b"{not json", "The file is not JSON: Expecting property name"),
        (b"\xff\xfe\x00", "The file is not UTF-8 text."),
        (b"[1, 2]", "A schema must be a JSON object"),
    ],
)
def test_a_file_that_is_no_schema_is_refused_next_to_the_file(client, staff, content, message):
    client.force_login(staff)
    response = client.post(URL, _form(schema="upload", schema_file=_schema_file(content)))
    assert response.status_code == 400
    field_block = response.content.decode().split('id="id_schema_file"')[1].split("</p>")[0]
    assert message in field_block
    assert not Project.objects.exists()


def test_every_schema_problem_is_shown_next_to_the_file(client, staff):
    client.force_login(staff)
    schema = {
        "id": "events",
        "version": 1,
        "span_labels": [
            {"name": "Event", "color": "red", "hotkey": "6"},
            {"name": "Place", "color": "#00aa00", "hotkey": "6"},
        ],
    }
    response = client.post(URL, _form(schema="upload", schema_file=_schema_file(schema)))
    assert response.status_code == 400
    field_block = response.content.decode().split('id="id_schema_file"')[1].split("</p>")[0]
    assert "span_labels[0].color:" in field_block
    assert "span_labels[1].hotkey:" in field_block
    assert not Project.objects.exists()


def test_the_api_cannot_take_the_slug_of_this_page_either(api, staff):
    response = api(staff).post("/api/v1/projects/", {"slug": "new", "name": "New"}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "slug"
    assert not Project.objects.exists()


@pytest.mark.parametrize("who", ["manager", "reviewer", "annotator", "outsider"])
def test_users_who_are_not_staff_get_403(client, who, request, project, other_project):
    client.force_login(request.getfixturevalue(who))
    assert client.get(URL).status_code == 403
    assert client.post(URL, _form()).status_code == 403
    assert not Project.objects.filter(slug="election-desk").exists()


def test_anonymous_users_are_sent_to_log_in(client, db):
    response = client.post(URL, _form())
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
    assert not Project.objects.exists()


def test_the_home_page_tells_a_manager_who_is_not_staff_who_creates_projects(
    client, project, manager
):
    client.force_login(manager)
    page = client.get("/").content.decode()
    assert "New projects are created by the server's staff" in page
    assert 'href="/projects/new/"' not in page
