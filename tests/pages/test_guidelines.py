"""Settings → Guidelines: managers write them with a preview, each save is a version with a date,
and an analyst who has not read the new version sees a notice in the workspace until they do."""

from __future__ import annotations

import pytest

from labels.models import Membership, Project

pytestmark = pytest.mark.django_db


def _url(project, tail=""):
    return f"/projects/{project.slug}/settings/guidelines/{tail}"


def _save(client, project, text, based_on=None, **extra):
    if based_on is None:
        based_on = Project.objects.get(pk=project.pk).guidelines_version
    return client.post(_url(project), {"guidelines": text, "based_on": based_on, **extra})


def test_manager_saves_guidelines_and_each_change_is_a_new_dated_version(client, project, manager):
    client.force_login(manager)
    page = client.get(_url(project)).content.decode()
    assert "Not saved from this page yet." in page
    assert (
        f'href="{_url(project)}"'
        in client.get(f"/projects/{project.slug}/settings/").content.decode()
    )

    response = _save(client, project, "# Rules\r\n\r\nMark **quotes**.")
    assert response.status_code == 302 and response["Location"] == _url(project)
    project.refresh_from_db()
    assert project.guidelines == "# Rules\n\nMark **quotes**."  # line endings as LF
    assert project.guidelines_version == 1 and project.guidelines_updated_at is not None
    page = client.get(_url(project)).content.decode()
    assert "Guidelines saved as version 1." in page
    assert "Version 1, saved " in page
    assert "<h1>Rules</h1>" in page  # the preview of what is saved

    # The same text again is not a new version; a change is.
    first_saved = project.guidelines_updated_at
    _save(client, project, "# Rules\n\nMark **quotes**.")
    project.refresh_from_db()
    assert project.guidelines_version == 1 and project.guidelines_updated_at == first_saved
    _save(client, project, "# Rules\n\nMark **quotes** and sources.")
    project.refresh_from_db()
    assert project.guidelines_version == 2 and project.guidelines_updated_at > first_saved


def test_save_over_someone_elses_newer_version_is_refused_and_keeps_the_text(
    client, project, manager
):
    client.force_login(manager)
    _save(client, project, "Theirs.")  # version 1, saved "in another tab"
    response = _save(client, project, "Mine, typed into a page that showed version 0.", based_on=0)
    assert response.status_code == 409
    page = response.content.decode()
    assert "Someone saved version 1 of the guidelines" in page
    assert "Mine, typed into a page that showed version 0." in page  # still in the textarea
    project.refresh_from_db()
    assert project.guidelines == "Theirs." and project.guidelines_version == 1


def test_too_long_guidelines_are_refused_next_to_the_field(client, project, manager):
    client.force_login(manager)
    response = _save(client, project, "x" * 200_001)
    assert response.status_code == 400
    assert "the limit is 200,000" in response.content.decode()
    project.refresh_from_db()
    assert project.guidelines_version == 0 and project.guidelines == ""


def test_preview_button_without_javascript_renders_and_saves_nothing(client, project, manager):
    client.force_login(manager)
    response = _save(client, project, "## Draft rule", action="preview")
    assert response.status_code == 200
    assert "<h2>Draft rule</h2>" in response.content.decode()
    project.refresh_from_db()
    assert project.guidelines == "" and project.guidelines_version == 0


def test_live_preview_is_the_analysts_sanitised_rendering(client, project, manager):
    client.force_login(manager)
    response = client.post(
        _url(project, "preview/"),
        {"guidelines": "**Bold** <script>alert(1)</script> [x](javascript:alert(1))"},
    )
    assert response.status_code == 200
    html = response.json()["html"]
    assert "<strong>Bold</strong>" in html
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "href" not in html
    too_long = client.post(_url(project, "preview/"), {"guidelines": "x" * 200_001})
    assert too_long.status_code == 400
    assert too_long.json()["errors"][0]["field"] == "guidelines"
    assert client.get(_url(project, "preview/")).status_code == 405


@pytest.mark.parametrize(
    "persona, status", [("reviewer", 403), ("annotator", 403), ("outsider", 404)]
)
def test_only_managers_write_or_preview_guidelines(client, project, request, persona, status):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(_url(project)).status_code == status
    assert _save(client, project, "Hijacked.").status_code == status
    assert client.post(_url(project, "preview/"), {"guidelines": "x"}).status_code == status
    project.refresh_from_db()
    assert project.guidelines == "" and project.guidelines_version == 0


def _annotate(client, make_article, project):
    article = make_article(project, "Putin said talks would go on.", title="Talks")
    return lambda: client.get(f"/articles/{article.pk}/annotate/").content.decode()


def test_analyst_sees_the_notice_until_they_open_the_new_version(
    client, project, manager, annotator, make_article
):
    annotate = _annotate(client, make_article, project)
    client.force_login(annotator)
    assert "data-guidelines-notice" not in annotate()  # never saved: nothing changed

    client.force_login(manager)
    _save(client, project, "# Rules v1")
    project.refresh_from_db()
    client.force_login(annotator)
    page = annotate()
    assert "data-guidelines-notice" in page
    assert f"The guidelines changed on {project.guidelines_updated_at:%-d %B %Y}" in page
    assert 'data-version="1"' in page

    seen = client.post(f"/projects/{project.slug}/guidelines/seen/", {"version": "1"})
    assert seen.status_code == 204
    assert "data-guidelines-notice" not in annotate()

    # A new save brings the notice back.
    client.force_login(manager)
    _save(client, project, "# Rules v2")
    client.force_login(annotator)
    assert 'data-version="2"' in annotate()


def test_seen_is_never_beyond_the_current_version_nor_back_to_an_older_one(
    client, project, manager, annotator
):
    client.force_login(manager)
    _save(client, project, "One.")
    _save(client, project, "Two.")  # version 2
    client.force_login(annotator)
    url = f"/projects/{project.slug}/guidelines/seen/"
    membership = Membership.objects.get(project=project, user=annotator)

    assert client.post(url, {"version": "99"}).status_code == 204
    membership.refresh_from_db()
    assert membership.guidelines_seen_version == 2
    assert client.post(url, {"version": "1"}).status_code == 204
    membership.refresh_from_db()
    assert membership.guidelines_seen_version == 2

    for bad in ("", "two", "-1"):
        response = client.post(url, {"version": bad})
        assert response.status_code == 400 and response.json()["errors"][0]["field"] == "version"


def test_outsider_cannot_record_having_read_a_projects_guidelines(client, project, outsider):
    client.force_login(outsider)
    assert (
        client.post(f"/projects/{project.slug}/guidelines/seen/", {"version": "1"}).status_code
        == 404
    )
    assert client.get(f"/projects/{project.slug}/guidelines/seen/").status_code == 405


def test_guidelines_changed_through_the_api_are_a_new_version_too(api, project, manager):
    response = api(manager).patch(
        f"/api/v1/projects/{project.slug}/", {"guidelines": "# From a script"}, format="json"
    )
    assert response.status_code == 200, response.json()
    project.refresh_from_db()
    assert project.guidelines == "# From a script" and project.guidelines_version == 1
    too_long = api(manager).patch(
        f"/api/v1/projects/{project.slug}/", {"guidelines": "x" * 200_001}, format="json"
    )
    assert too_long.status_code == 400
    assert too_long.json()["errors"][0]["field"] == "guidelines"
    project.refresh_from_db()
    assert project.guidelines_version == 1
