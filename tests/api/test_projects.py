"""The projects and members API: who may list, create, read and change what."""

from __future__ import annotations

import pytest

from labels.models import Membership, Project, Role, SchemaVersion
from labels.schema import default_schema
from tests.support.api import errors_of

pytestmark = pytest.mark.django_db


# --- list -------------------------------------------------------------------------------------


def test_project_list_shows_only_my_projects_with_my_role(
    api, project, other_project, annotator, manager, make_project
):
    make_project("second", members={annotator: Role.REVIEWER})
    response = api(annotator).get("/api/v1/projects/")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert [(p["slug"], p["role"]) for p in body["results"]] == [
        ("desk", "annotator"),
        ("second", "reviewer"),
    ]
    assert "schema" not in body["results"][0]


def test_project_list_needs_authentication(api, project):
    response = api().get("/api/v1/projects/")
    assert response.status_code in (401, 403)
    assert response.json()["errors"][0]["code"] == "not_authenticated"


def test_project_list_query_count(api, annotator, make_project, django_assert_num_queries):
    for n in range(5):
        make_project(f"p{n}", members={annotator: Role.ANNOTATOR})
    client = api(annotator)
    # 1 session, 2 user, 3 count of memberships, 4 memberships joined with their projects.
    with django_assert_num_queries(4):
        response = client.get("/api/v1/projects/")
    assert response.json()["count"] == 5


# --- create -----------------------------------------------------------------------------------


def test_staff_user_creates_a_project_and_becomes_its_manager(api, make_user):
    boss = make_user("boss", is_staff=True)
    response = api(boss).post(
        "/api/v1/projects/",
        {"slug": "new-desk", "name": "New desk", "annotators_per_article": 3, "blind": False},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["role"] == "manager"
    project = Project.objects.get(slug="new-desk")
    assert project.annotators_per_article == 3 and project.blind is False
    assert project.schema == default_schema() or project.schema["id"] == "news-attribution"
    assert Membership.objects.get(project=project, user=boss).role == Role.MANAGER


def test_non_staff_user_cannot_create_a_project(api, manager, project):
    response = api(manager).post(
        "/api/v1/projects/", {"slug": "mine", "name": "Mine"}, format="json"
    )
    assert response.status_code == 403
    assert not Project.objects.filter(slug="mine").exists()


@pytest.mark.parametrize(
    ("payload", "field", "code"),
    [
        ({"slug": "has space", "name": "X"}, "slug", "invalid"),
        ({"name": "X"}, "slug", "required"),
        (
            {"slug": "x", "name": "X", "annotators_per_article": 0},
            "annotators_per_article",
            "min_value",
        ),
        (
            {"slug": "x", "name": "X", "annotators_per_article": "two"},
            "annotators_per_article",
            "invalid",
        ),
        ({"slug": "x", "name": "X", "schema": {"span_labels": "nope"}}, None, None),
        ({"slug": "desk", "name": "Again"}, "slug", "duplicate"),
    ],
)
def test_project_create_rejects_bad_input_with_400(api, make_user, project, payload, field, code):
    boss = make_user("boss", is_staff=True)
    before = Project.objects.count()
    response = api(boss).post("/api/v1/projects/", payload, format="json")
    assert response.status_code == 400, response.json()
    if field:
        assert (field, code) in errors_of(response)
    else:
        assert all(e["message"] for e in response.json()["errors"])
    assert Project.objects.count() == before


def test_malformed_json_is_a_400_naming_the_body(api, make_user):
    boss = make_user("boss", is_staff=True)
    response = api(boss).post(
        "/api/v1/projects/", b'{"slug": "x",', content_type="application/json"
    )
    assert response.status_code == 400
    assert errors_of(response) == {("body", "parse_error")}


# --- detail and change ------------------------------------------------------------------------


def test_every_member_reads_the_project_with_schema_and_guidelines(api, project, annotator):
    response = api(annotator).get("/api/v1/projects/desk/")
    assert response.status_code == 200
    body = response.json()
    assert body["role"] == "annotator"
    assert body["schema"]["id"] == "news-attribution"
    assert "guidelines" in body


def test_outsider_gets_404_for_another_projects_detail(api, project, outsider, other_project):
    response = api(outsider).get("/api/v1/projects/desk/")
    assert response.status_code == 404
    assert response.json()["errors"][0]["code"] == "not_found"
    assert (
        api(outsider).patch("/api/v1/projects/desk/", {"name": "x"}, format="json").status_code
        == 404
    )


def test_project_detail_query_count(api, project, annotator, django_assert_num_queries):
    client = api(annotator)
    # 1 session, 2 user, 3 the membership joined with its project.
    with django_assert_num_queries(3):
        assert client.get("/api/v1/projects/desk/").status_code == 200


@pytest.mark.parametrize("who", ["reviewer", "annotator"])
def test_only_managers_change_a_project(api, project, request, who):
    response = api(request.getfixturevalue(who)).patch(
        "/api/v1/projects/desk/", {"name": "Renamed"}, format="json"
    )
    assert response.status_code == 403
    assert response.json()["errors"][0]["code"] == "permission_denied"
    project.refresh_from_db()
    assert project.name == "Belarus desk"


def test_manager_changes_fields_and_the_schema_is_versioned_once_annotated(
    api, project, manager, annotator, make_article
):
    from labels.annotation import queue

    article = make_article(project)
    queue.do_get_or_create_own(article, annotator)
    schema = default_schema()
    schema["span_labels"][0]["description"] = "Reported speech (edited)"
    response = api(manager).patch(
        "/api/v1/projects/desk/",
        {"guidelines": "# Read me", "annotators_per_article": 1, "blind": False, "schema": schema},
        format="json",
    )
    assert response.status_code == 200, response.json()
    project.refresh_from_db()
    assert project.guidelines == "# Read me"
    assert project.annotators_per_article == 1 and project.blind is False
    assert project.schema_version == 2
    assert SchemaVersion.objects.filter(project=project).count() == 2
    assert response.json()["schema_version"] == 2


def test_a_bad_schema_is_refused_with_fields_under_schema_and_nothing_changes(
    api, project, manager
):
    schema = default_schema()
    schema["span_labels"][0]["name"] = ""
    response = api(manager).patch(
        "/api/v1/projects/desk/", {"schema": schema, "name": "Renamed"}, format="json"
    )
    assert response.status_code == 400
    assert all(e["field"].startswith("schema.") for e in response.json()["errors"])
    project.refresh_from_db()
    assert project.name == "Belarus desk" and project.schema_version == 1


# --- members ----------------------------------------------------------------------------------


def test_members_list_for_every_member(api, project, annotator):
    response = api(annotator).get("/api/v1/projects/desk/members/")
    assert response.status_code == 200
    assert [(m["username"], m["role"]) for m in response.json()["results"]] == [
        ("ana", "annotator"),
        ("ben", "annotator"),
        ("mara", "manager"),
        ("rita", "reviewer"),
    ]


def test_members_list_query_count(api, project, annotator, django_assert_num_queries):
    client = api(annotator)
    # 1 session, 2 user, 3 membership check, 4 count, 5 members joined with their users.
    with django_assert_num_queries(5):
        assert client.get("/api/v1/projects/desk/members/").status_code == 200


def test_outsider_gets_404_for_members(api, project, outsider):
    assert api(outsider).get("/api/v1/projects/desk/members/").status_code == 404
    response = api(outsider).post(
        "/api/v1/projects/desk/members/", {"username": "otto", "role": "manager"}, format="json"
    )
    assert response.status_code == 404
    assert not Membership.objects.filter(project=project, user__username="otto").exists()


def test_manager_adds_a_member_and_changes_a_role(api, project, manager, outsider, annotator):
    client = api(manager)
    response = client.post(
        "/api/v1/projects/desk/members/", {"username": "otto", "role": "reviewer"}, format="json"
    )
    assert response.status_code == 201
    assert Membership.objects.get(project=project, user=outsider).role == Role.REVIEWER
    response = client.post(
        "/api/v1/projects/desk/members/", {"username": "ana", "role": "reviewer"}, format="json"
    )
    assert response.status_code == 200
    assert Membership.objects.get(project=project, user=annotator).role == Role.REVIEWER


@pytest.mark.parametrize(
    ("payload", "field", "code"),
    [
        ({"username": "nobody", "role": "annotator"}, "username", "unknown_user"),
        ({"username": "otto", "role": "owner"}, "role", "invalid_choice"),
        ({"username": "otto"}, "role", "required"),
        ({"username": ["otto"], "role": "annotator"}, "username", "invalid"),
    ],
)
def test_member_add_rejects_bad_input(api, project, manager, outsider, payload, field, code):
    response = api(manager).post("/api/v1/projects/desk/members/", payload, format="json")
    assert response.status_code == 400
    assert (field, code) in errors_of(response)


@pytest.mark.parametrize("who", ["reviewer", "annotator"])
def test_only_managers_add_or_remove_members(api, project, outsider, annotator2, request, who):
    client = api(request.getfixturevalue(who))
    response = client.post(
        "/api/v1/projects/desk/members/", {"username": "otto", "role": "annotator"}, format="json"
    )
    assert response.status_code == 403
    assert client.delete("/api/v1/projects/desk/members/ben/").status_code == 403
    assert Membership.objects.filter(project=project, user=annotator2).exists()


def test_manager_removes_a_member(api, project, manager, annotator2):
    response = api(manager).delete("/api/v1/projects/desk/members/ben/")
    assert response.status_code == 204
    assert not Membership.objects.filter(project=project, user=annotator2).exists()
    assert api(manager).delete("/api/v1/projects/desk/members/ben/").status_code == 404


def test_the_last_manager_can_neither_leave_nor_be_demoted(api, project, manager, reviewer):
    client = api(manager)
    response = client.delete("/api/v1/projects/desk/members/mara/")
    assert response.status_code == 400
    assert errors_of(response) == {("username", "last_manager")}
    response = client.post(
        "/api/v1/projects/desk/members/", {"username": "mara", "role": "annotator"}, format="json"
    )
    assert response.status_code == 400
    assert errors_of(response) == {("role", "last_manager")}
    assert Membership.objects.get(project=project, user=manager).role == Role.MANAGER
    # With a second manager the first may go.
    client.post(
        "/api/v1/projects/desk/members/", {"username": "rita", "role": "manager"}, format="json"
    )
    assert client.delete("/api/v1/projects/desk/members/mara/").status_code == 204
