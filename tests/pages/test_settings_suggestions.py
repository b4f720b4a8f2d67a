"""Settings → Suggestions: a manager chooses the suggesters and the model server's URL with the
same checks as the API; nobody else may."""

from __future__ import annotations

import pytest

from labels.models import Project


@pytest.fixture
def desk(make_project, manager, reviewer, annotator):
    return make_project(members={manager: "manager", reviewer: "reviewer", annotator: "annotator"})


def url(desk, tail=""):
    return f"/projects/{desk.slug}/settings/suggestions/{tail}"


def stored(desk):
    project = Project.objects.get(pk=desk.pk)
    return project.suggesters, project.suggester_url


def field_block(html: str, marker: str, end: str = "</p>") -> str:
    return html[html.index(marker) :].split(end)[0]


def test_the_page_shows_the_current_settings_and_is_reached_from_settings(client, desk, manager):
    client.force_login(manager)
    general = client.get(f"/projects/{desk.slug}/settings/").content.decode()
    assert f'href="{url(desk)}"' in general
    html = client.get(url(desk)).content.decode()
    radio = field_block(html, 'value="both"', ">")
    assert "checked" in radio
    assert "checked" not in field_block(html, 'value="none"', ">")


def test_a_manager_saves_the_suggesters_and_the_url(client, desk, manager):
    client.force_login(manager)
    response = client.post(
        url(desk), {"suggesters": "http", "suggester_url": " https://model.example.org/suggest "}
    )
    assert response.status_code == 302
    assert stored(desk) == ("http", "https://model.example.org/suggest")
    assert "Settings saved." in client.get(url(desk)).content.decode()


@pytest.mark.parametrize(
    "data, marker, message",
    [
        (
            {"suggesters": "both", "suggester_url": "ftp://model.example.org/"},
            'id="id_suggester_url"',
            "must start with http:// or https://",
        ),
        (
            {"suggesters": "both", "suggester_url": "http://user:pw@model.example.org/"},
            'id="id_suggester_url"',
            "Credentials in the URL are not supported.",
        ),
        (
            {"suggesters": "both", "suggester_url": "http://169.254.169.254/"},
            'id="id_suggester_url"',
            "Refused:",
        ),
        (
            {"suggesters": "http", "suggester_url": ""},
            "<legend>Suggesters</legend>",
            "Give the model server URL to use the HTTP model server only.",
        ),
        (
            {"suggesters": "everything", "suggester_url": ""},
            "<legend>Suggesters</legend>",
            "Select a valid choice.",
        ),
    ],
)
def test_bad_input_is_shown_next_to_its_field_and_nothing_is_written(
    client, desk, manager, data, marker, message
):
    client.force_login(manager)
    before = stored(desk)
    response = client.post(url(desk), data)
    assert response.status_code == 400
    html = response.content.decode()
    end = "</fieldset>" if marker.startswith("<legend>") else "</p>"
    assert message in field_block(html, marker, end)
    assert stored(desk) == before


def test_emptying_the_url_of_an_http_only_project_is_refused_at_the_url(client, desk, manager):
    desk.suggesters, desk.suggester_url = "http", "https://model.example.org/"
    desk.save()
    client.force_login(manager)
    response = client.post(url(desk), {"suggesters": "http", "suggester_url": ""})
    assert response.status_code == 400
    assert "Give the model server URL" in field_block(
        response.content.decode(), 'id="id_suggester_url"'
    )
    assert stored(desk) == ("http", "https://model.example.org/")


@pytest.mark.usefixtures("fresh_suggester_caches", "suggester_settings")
def test_test_the_model_server_calls_it_and_says_how_it_went(
    client, desk, manager, suggester_server
):
    desk.suggester_url = suggester_server.url
    desk.save()
    client.force_login(manager)
    html = client.get(url(desk)).content.decode()
    assert "Test the model server" in html

    response = client.post(url(desk, "check/"))

    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-suggester-check="ok"' in html
    assert "The model server answered" in html


@pytest.mark.usefixtures("fresh_suggester_caches", "suggester_settings")
def test_a_model_server_that_is_down_is_reported(client, desk, manager):
    desk.suggester_url = "http://127.0.0.1:9/"  # the discard port: nothing listens
    desk.save()
    client.force_login(manager)
    response = client.post(url(desk, "check/"))
    assert response.status_code == 200
    assert 'data-suggester-check="failed"' in response.content.decode()


@pytest.mark.parametrize("who", ["reviewer", "annotator"])
def test_other_roles_get_403_and_outsiders_404(client, desk, who, request, outsider):
    data = {"suggesters": "none", "suggester_url": ""}
    client.force_login(request.getfixturevalue(who))
    assert client.get(url(desk)).status_code == 403
    assert client.post(url(desk), data).status_code == 403
    assert client.post(url(desk, "check/")).status_code == 403
    client.force_login(outsider)
    assert client.get(url(desk)).status_code == 404
    assert client.post(url(desk), data).status_code == 404
    assert client.post(url(desk, "check/")).status_code == 404
    assert stored(desk) == ("both", "")
