"""The model a project suggests with, in the API: GET /api/v1/projects/{slug}/ shows it and the
models the project may choose (managers), PATCH sets it (managers; 400 naming the field for a
model the project may not see, 403 other members, 404 outsiders). No training here: stored
versions are listed from the model storage, written by hand."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages

from labels.models import Role

URL = "/api/v1/projects/desk/"


@pytest.fixture(autouse=True)
def model_storage(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "suggester_models": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "models")},
        },
    }


def store_version(slug: str, stamp: str = "20261201T120000000000Z") -> str:
    storage = storages["suggester_models"]
    storage.save(f"{slug}/{stamp}.npz", ContentFile(b"x"))
    storage.save(f"{slug}/{stamp}.json", ContentFile(b"{}"))
    return f"{slug}/{stamp}"


@pytest.fixture
def sharing(make_project, make_user):
    """A project that shares its models (with one version), and one that does not."""
    boss = make_user("boss")
    shared = make_project("shared-desk", name="Shared desk", members={boss: Role.MANAGER})
    shared.shares_suggester_model = True
    shared.save(update_fields=["shares_suggester_model"])
    private = make_project("private-desk", name="Private desk", members={boss: Role.MANAGER})
    store_version("shared-desk")
    store_version("private-desk")
    return shared, private


def test_managers_see_the_model_in_use_and_the_models_to_choose_from(
    api, project, manager, sharing
):
    own = store_version("desk", "20261202T080000000000Z")
    body = api(manager).get(URL).json()
    assert body["suggester_model"] is None
    assert body["shares_suggester_model"] is False and body["next_by_uncertainty"] is False
    assert body["models"] == [
        {
            "project": "desk",
            "name": "Belarus desk",
            "own": True,
            "usable": True,
            "in_use": False,
            "latest": own,
            "trained_at": "2026-12-02T08:00:00Z",
        },
        {
            "project": "shared-desk",
            "name": "Shared desk",
            "own": False,
            "usable": True,
            "in_use": False,
            "latest": "shared-desk/20261201T120000000000Z",
            "trained_at": "2026-12-01T12:00:00Z",
        },
    ]  # never the private desk


def test_a_manager_chooses_a_shared_model(api, project, manager, sharing):
    shared, _ = sharing
    response = api(manager).patch(URL, {"suggester_model": "shared-desk"}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["suggester_model"] == "shared-desk"
    assert [m["project"] for m in response.json()["models"] if m["in_use"]] == ["shared-desk"]
    project.refresh_from_db()
    assert project.suggester_model_id == shared.pk
    response = api(manager).patch(URL, {"suggester_model": None}, format="json")
    assert response.json()["suggester_model"] is None
    project.refresh_from_db()
    assert project.suggester_model_id is None


def test_a_model_in_use_that_is_no_longer_shared_is_shown_unusable(api, project, manager, sharing):
    shared, _ = sharing
    api(manager).patch(URL, {"suggester_model": "shared-desk"}, format="json")
    shared.shares_suggester_model = False
    shared.save(update_fields=["shares_suggester_model"])
    body = api(manager).get(URL).json()
    assert body["suggester_model"] == "shared-desk"
    (row,) = [m for m in body["models"] if m["project"] == "shared-desk"]
    assert row["in_use"] and not row["usable"]


@pytest.mark.parametrize("slug", ["private-desk", "no-such-desk"])
def test_a_model_the_project_may_not_see_is_refused_naming_the_field(
    api, project, manager, sharing, slug
):
    response = api(manager).patch(URL, {"suggester_model": slug}, format="json")
    assert response.status_code == 400
    (error,) = response.json()["errors"]
    assert error["field"] == "suggester_model" and error["code"] == "not_available"
    # The same answer whether the project exists or not: a private project's name stays private.
    assert "Private desk" not in error["message"]
    project.refresh_from_db()
    assert project.suggester_model_id is None


def test_a_manager_turns_on_the_learning_order_and_sharing(api, project, manager):
    response = api(manager).patch(
        URL, {"next_by_uncertainty": True, "shares_suggester_model": True}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["next_by_uncertainty"] is True
    project.refresh_from_db()
    assert project.next_by_uncertainty and project.shares_suggester_model


@pytest.mark.parametrize("who", ["reviewer", "annotator"])
def test_other_members_may_not_choose_and_do_not_see_the_choices(
    api, project, request, sharing, who
):
    client = api(request.getfixturevalue(who))
    for change in ({"suggester_model": "shared-desk"}, {"next_by_uncertainty": True}):
        assert client.patch(URL, change, format="json").status_code == 403
    body = client.get(URL).json()
    assert body["models"] is None and body["suggester_model"] is None
    project.refresh_from_db()
    assert project.suggester_model_id is None and not project.next_by_uncertainty


def test_outsiders_get_404(api, project, outsider, sharing):
    client = api(outsider)
    assert client.patch(URL, {"suggester_model": "desk"}, format="json").status_code == 404
    assert client.get(URL).status_code == 404


def test_project_detail_query_count_for_a_manager(
    api, project, manager, sharing, django_assert_num_queries
):
    client = api(manager)
    # 1 session, 2 user, 3 the membership joined with its project, 4 the projects whose models
    # it may choose (the model versions are read from the storage, not the database).
    with django_assert_num_queries(4):
        assert client.get(URL).status_code == 200
