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


# --- A key remembered by the process, checked by the request's own statement ------------------
# The span save and starting an annotation take a key this process has seen before on trust
# and check it in their first statement (labels.api.auth.DeferredToken); revocation must still
# take effect on the very next request.

SPAN_TEXT = "The minister said “we are ready” on Monday."


@pytest.fixture
def keyed(project, make_article, annotator):
    """An annotator's started annotation and a script client with their API key, which has
    saved once already (so the process knows the key)."""
    from labels.annotation import queue

    mine = queue.do_get_or_create_own(make_article(project, SPAN_TEXT), annotator)
    key, _ = issue_token(annotator)
    script = APIClient()
    script.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    saved = script.post(f"/api/v1/annotations/{mine.pk}/spans/", _span(mine.version, "said"))
    assert saved.status_code == 201, saved.content
    return mine, script, key


def _span(version: int, text: str) -> dict:
    start = SPAN_TEXT.index(text)
    return {
        "version": version,
        "label": "Cue",
        "start": start,
        "end": start + len(text),
        "text": text,
    }


def _save(script, mine, text="Monday"):
    mine.refresh_from_db()
    return script.post(f"/api/v1/annotations/{mine.pk}/spans/", _span(mine.version, text))


def _refused(response) -> bool:
    return (
        response.status_code == 401
        and response["WWW-Authenticate"] == "Token"
        and response.json()["errors"][0]["code"] == "authentication_failed"
    )


def test_a_deleted_key_is_refused_by_the_next_save(keyed, api, annotator):
    mine, script, _ = keyed
    assert api(annotator).delete(TOKEN).status_code == 204
    assert _refused(_save(script, mine))
    assert _refused(script.post(f"/api/v1/articles/{mine.article_id}/annotation/"))
    mine.refresh_from_db()
    assert mine.version == 2 and mine.spans.count() == 1  # nothing written


def test_a_deleted_key_is_refused_by_the_next_edit_and_delete(keyed, api, annotator):
    mine, script, _ = keyed
    span = mine.spans.get()
    url = f"/api/v1/annotations/{mine.pk}/spans/{span.pk}/"
    edit = {"version": 2, "label": "Claim"}
    assert script.patch(url, edit, format="json").status_code == 200  # the key is known now
    api(annotator).delete(TOKEN)
    assert _refused(script.patch(url, edit | {"version": 3}, format="json"))
    assert _refused(script.delete(url, {"version": 3}, format="json"))
    submit = f"/api/v1/annotations/{mine.pk}/submit/"
    assert _refused(script.post(submit, {"version": 3}, format="json"))
    mine.refresh_from_db()
    assert mine.version == 3 and mine.spans.get().label == "Claim"  # nothing written


def test_a_replaced_key_is_refused_and_the_new_one_saves(keyed, annotator):
    mine, script, _ = keyed
    new_key, _ = issue_token(annotator)
    assert _refused(_save(script, mine))
    script.credentials(HTTP_AUTHORIZATION=f"Token {new_key}")
    assert _save(script, mine).status_code == 201


def test_a_deactivated_user_is_refused_by_the_next_save(keyed, annotator):
    mine, script, _ = keyed
    annotator.is_active = False
    annotator.save(update_fields=["is_active"])
    assert _refused(_save(script, mine))
    assert _refused(script.post(f"/api/v1/articles/{mine.article_id}/annotation/"))
    assert mine.spans.count() == 1


def test_a_member_removed_from_the_project_no_longer_finds_the_annotation(keyed, annotator):
    from labels.models import Membership

    mine, script, _ = keyed
    Membership.objects.filter(user=annotator).delete()
    assert _save(script, mine).status_code == 404
    assert script.post(f"/api/v1/articles/{mine.article_id}/annotation/").status_code == 404
    assert mine.spans.count() == 1


def test_a_revoked_key_is_refused_before_the_annotation_is_looked_for(keyed, api, annotator):
    """An unknown annotation id answers 401, not 404, to a revoked key: nothing is revealed."""
    mine, script, _ = keyed
    api(annotator).delete(TOKEN)
    missing = script.post("/api/v1/annotations/999999999/spans/", _span(1, "said"))
    assert _refused(missing)


def test_reading_my_annotation_with_a_deleted_key_is_refused(keyed, api, annotator):
    mine, script, _ = keyed
    url = f"/api/v1/articles/{mine.article_id}/annotation/"
    assert script.get(url).status_code == 200
    api(annotator).delete(TOKEN)
    assert _refused(script.get(url))
