"""Authentication of the API: session (CSRF enforced on writes) for the browser, tokens that a
user creates and revokes for scripts."""

from __future__ import annotations

import pytest
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from labels.api.auth import issue_token, token_digest
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

TOKEN = "/api/v1/auth/token/"


def test_a_user_creates_uses_and_revokes_a_token(api, project, annotator):
    session = api(annotator)
    assert session.get(TOKEN).json() == {"exists": False, "created": None}
    response = session.post(TOKEN)
    assert response.status_code == 201
    key = response.json()["key"]
    assert session.get(TOKEN).json()["exists"] is True
    assert "key" not in session.get(TOKEN).json()

    script = APIClient()
    script.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    listed = script.get("/api/v1/projects/")
    assert listed.status_code == 200 and listed.json()["results"][0]["slug"] == "desk"

    assert session.delete(TOKEN).status_code == 204
    assert not Token.objects.filter(user=annotator).exists()
    refused = script.get("/api/v1/projects/")
    assert refused.status_code == 401
    assert refused.json()["errors"][0]["code"] == "authentication_failed"


def test_creating_a_token_again_replaces_the_old_one(api, annotator):
    session = api(annotator)
    first = session.post(TOKEN).json()["key"]
    second = session.post(TOKEN).json()["key"]
    assert first != second
    # Only the digest of the key is stored: a copy of the database holds no usable key.
    stored = list(Token.objects.filter(user=annotator).values_list("key", flat=True))
    assert stored == [token_digest(second)] and second not in stored
    script = APIClient()
    script.credentials(HTTP_AUTHORIZATION=f"Token {first}")
    assert script.get("/api/v1/projects/").status_code == 401


def test_token_endpoints_need_authentication(api):
    assert api().get(TOKEN).status_code == 401
    assert api().post(TOKEN).status_code == 401


def test_token_writes_need_no_csrf_token(project, manager):
    key, _ = issue_token(manager)
    client = Client(enforce_csrf_checks=True)
    response = client.patch(
        "/api/v1/projects/desk/",
        {"name": "By script"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {key}",
    )
    assert response.status_code == 200


def test_session_writes_without_a_csrf_token_are_refused(project, manager):
    client = Client(enforce_csrf_checks=True)
    assert client.login(username=manager.username, password=PASSWORD)
    response = client.patch(
        "/api/v1/projects/desk/", {"name": "Forged"}, content_type="application/json"
    )
    assert response.status_code == 403
    assert "CSRF" in response.json()["errors"][0]["message"]
    response = client.post(TOKEN)
    assert response.status_code == 403
    assert not Token.objects.exists()
    project.refresh_from_db()
    assert project.name == "Belarus desk"


def test_session_writes_with_the_csrf_token_pass(project, manager):
    client = Client(enforce_csrf_checks=True)
    assert client.login(username=manager.username, password=PASSWORD)
    client.get("/")  # sets the csrftoken cookie, as the pages do
    csrf = client.cookies["csrftoken"].value
    response = client.patch(
        "/api/v1/projects/desk/",
        {"name": "Renamed"},
        content_type="application/json",
        HTTP_X_CSRFTOKEN=csrf,
    )
    assert response.status_code == 200
    project.refresh_from_db()
    assert project.name == "Renamed"
    # Reads need no CSRF token.
    assert client.get("/api/v1/projects/").status_code == 200


def test_a_key_is_never_stored_and_its_digest_does_not_authenticate(api, annotator):
    key = api(annotator).post(TOKEN).json()["key"]
    (stored,) = Token.objects.filter(user=annotator).values_list("key", flat=True)
    assert stored != key and stored == token_digest(key)
    script = APIClient()
    script.credentials(HTTP_AUTHORIZATION=f"Token {stored}")  # what a database copy would give
    assert script.get("/api/v1/projects/").status_code == 401
    script.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert script.get("/api/v1/projects/").status_code == 200


def test_tokens_issued_before_hashing_keep_working_after_the_migration(annotator):
    """Migration 0011 replaces each stored key by its digest; the key its owner holds works."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module("labels.migrations.0011_api_tokens_stored_as_digests")
    legacy = Token.objects.create(user=annotator, key="a" * 40)  # stored in plain, as before
    migration.hash_existing_keys(apps, None)
    assert list(Token.objects.values_list("key", flat=True)) == [token_digest("a" * 40)]
    assert Token.objects.get().created == legacy.created
    script = APIClient()
    script.credentials(HTTP_AUTHORIZATION=f"Token {'a' * 40}")
    assert script.get("/api/v1/projects/").status_code == 200
