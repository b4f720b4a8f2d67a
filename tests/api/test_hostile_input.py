"""What an outsider (or a broken client) sends never gets a 500: too deep, too large, lone
surrogates, NUL characters, numbers the database or the export cannot carry, a time-zone offset
PostgreSQL cannot store. Each is a 4xx naming the field and the reason, and nothing is written."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from labels.annotation import queue
from labels.models import Article, Membership, Project, SchemaVersion, Span
from tests.support.api import errors_of

pytestmark = pytest.mark.django_db

TEXT = "The minister said “we are ready” on Monday."
DEEP = 100_000


@pytest.fixture
def mine(project, make_article, annotator):
    return queue.do_get_or_create_own(make_article(project, TEXT), annotator)


def span_json(version: int, attrs: str) -> bytes:
    start = TEXT.index("said")
    head = {"version": version, "start": start, "end": start + 4, "text": "said", "label": "Cue"}
    return (json.dumps(head)[:-1] + f', "attrs": {attrs}}}').encode()


def nested(levels: int, leaf: str = "1") -> str:
    return '{"a": ' * levels + leaf + "}" * levels


def post_json(client, url: str, body: bytes, method: str = "post"):
    return getattr(client, method)(url, body, content_type="application/json")


def the_error(response) -> dict:
    (error,) = response.json()["errors"]
    assert error["message"]
    return error


# --- 3. deeply nested JSON ---------------------------------------------------------------------


def test_a_span_with_attrs_nested_100000_deep_is_a_400_too_deep(api, mine, annotator):
    response = post_json(
        api(annotator), f"/api/v1/annotations/{mine.pk}/spans/", span_json(1, nested(DEEP))
    )
    assert response.status_code == 400, response.content[:300]
    assert errors_of(response) == {("body", "too_deep")}
    assert not Span.objects.exists()


def test_a_project_schema_nested_100000_deep_is_a_400_too_deep(api, project, manager):
    before = (project.schema, SchemaVersion.objects.count())
    body = ('{"schema": ' + "[" * DEEP + "]" * DEEP + "}").encode()
    response = post_json(api(manager), "/api/v1/projects/desk/", body, method="patch")
    assert response.status_code == 400, response.content[:300]
    assert errors_of(response) == {("body", "too_deep")}
    project.refresh_from_db()
    assert (project.schema, SchemaVersion.objects.count()) == before


def test_nesting_up_to_the_limit_is_parsed_and_one_more_level_is_not(api, project, manager):
    client = api(manager)
    # The body is level 1; 63 lists in it make 64 levels.
    fits = ('{"schema": ' + "[" * 63 + "]" * 63 + "}").encode()
    response = post_json(client, "/api/v1/projects/desk/", fits, method="patch")
    assert response.status_code == 400
    assert ("body", "too_deep") not in errors_of(response)  # parsed; the schema check answers
    deeper = ('{"schema": ' + "[" * 64 + "]" * 64 + "}").encode()
    response = post_json(client, "/api/v1/projects/desk/", deeper, method="patch")
    assert errors_of(response) == {("body", "too_deep")}


LAYER_WRITES = [
    ("post", "spans/"),
    ("patch", "spans/1/"),
    ("delete", "spans/1/"),
    ("post", "relations/"),
    ("patch", "relations/1/"),
    ("post", "submit/"),
    ("post", "skip/"),
    ("post", "history/1/restore/"),
    ("post", "return/"),
    ("post", "suggestions/accept/"),
    ("post", "suggestions/accept-relation/"),
    ("post", "suggestions/accept-all/"),
    ("post", "suggestions/reject/"),
]


@pytest.mark.parametrize(("method", "route"), LAYER_WRITES)
def test_an_outsider_gets_404_for_a_hostile_body_to_another_projects_layer(
    api, mine, outsider, other_project, monkeypatch, method, route
):
    """The access check comes before the body is parsed: an outsider learns nothing, and the
    server spends nothing on their body."""
    from rest_framework.request import Request

    def no_parsing(*args, **kwargs):
        raise AssertionError("the body was parsed before the access check")

    monkeypatch.setattr(Request, "_parse", no_parsing)
    url = f"/api/v1/annotations/{mine.pk}/{route}"
    for body in (span_json(1, nested(DEEP)), span_json(1, '{"\\ud800": 1}')):
        response = post_json(api(outsider), url, body, method=method)
        assert response.status_code == 404, response.content[:300]
        assert errors_of(response) == {("", "not_found")}
    assert not Span.objects.exists()


def test_an_outsider_gets_404_for_a_hostile_body_to_another_project(api, project, outsider):
    deep = ('{"schema": ' + "[" * DEEP + "]" * DEEP + "}").encode()
    for method, url in (
        ("patch", "/api/v1/projects/desk/"),
        ("post", "/api/v1/projects/desk/members/"),
        ("post", "/api/v1/projects/desk/articles/"),
    ):
        response = post_json(api(outsider), url, deep, method=method)
        assert response.status_code == 404, (url, response.content[:300])
    assert not Article.objects.exists()


def browser(user):
    """A client as the browser is: logged in by session, CSRF checks enforced, with the token
    in the header as static/js/api.js sends it."""
    from django.middleware.csrf import _get_new_csrf_string, _mask_cipher_secret
    from rest_framework.test import APIClient

    client = APIClient(enforce_csrf_checks=True)
    client.force_login(user)
    secret = _get_new_csrf_string()
    client.cookies["csrftoken"] = secret
    client.credentials(HTTP_X_CSRFTOKEN=_mask_cipher_secret(secret))
    return client


def test_a_browser_session_does_not_parse_the_body_before_the_access_check_either(
    mine, outsider, annotator, other_project, monkeypatch
):
    """DRF's session authentication checks CSRF before the view; its check must not read a
    JSON body: the outsider gets the same 404 with a hostile body as with a harmless one."""
    deep = span_json(1, nested(DEEP))
    url = f"/api/v1/annotations/{mine.pk}/spans/"
    response = post_json(browser(outsider), url, deep)
    assert response.status_code == 404, response.content[:300]
    own = browser(annotator)
    assert errors_of(post_json(own, url, deep)) == {("body", "too_deep")}
    own.credentials()  # no token: CSRF is still enforced
    response = post_json(own, url, span_json(1, "{}"))
    assert response.status_code == 403 and "CSRF" in response.json()["errors"][0]["message"]
    assert not Span.objects.exists()


# --- 4. lone surrogates ------------------------------------------------------------------------


def test_a_lone_surrogate_as_an_attribute_key_is_a_400_naming_attrs(api, mine, annotator):
    response = post_json(
        api(annotator),
        f"/api/v1/annotations/{mine.pk}/spans/",
        span_json(1, '{"\\ud800": "x"}'),
    )
    assert response.status_code == 400, response.content
    assert errors_of(response) == {("attrs", "lone_surrogate")}
    assert not Span.objects.exists()


def test_a_lone_surrogate_as_a_member_role_is_a_400_naming_role(api, project, manager):
    before = Membership.objects.count()
    response = post_json(
        api(manager),
        "/api/v1/projects/desk/members/",
        b'{"username": "otto", "role": "\\udc00"}',
    )
    assert response.status_code == 400, response.content
    assert errors_of(response) == {("role", "lone_surrogate")}
    assert Membership.objects.count() == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (b'{"id": "a\\ud800", "text": "Fine."}', "id"),
        (b'{"id": "a", "title": "\\udfff", "text": "Fine."}', "title"),
        (b'{"id": "a", "text": "Fine.", "meta": {"source": ["ok", "\\ud83d"]}}', "meta.source[1]"),
        (b'{"id": "a", "text": "Fine.", "meta": {"\\ud83d": 1}}', "meta"),
    ],
)
def test_a_lone_surrogate_in_an_article_is_a_400_naming_the_field(
    api, project, manager, body, field
):
    response = post_json(api(manager), "/api/v1/projects/desk/articles/", body)
    assert response.status_code == 400, response.content
    assert errors_of(response) == {(field, "lone_surrogate")}
    assert not Article.objects.exists()


# --- 5. NUL in a member name in the URL ----------------------------------------------------------


def test_a_nul_character_in_a_member_name_in_the_url_is_a_400(api, project, manager):
    before = Membership.objects.count()
    response = api(manager).delete("/api/v1/projects/desk/members/a%00b/")
    assert response.status_code == 400, response.content
    assert errors_of(response) == {("username", "nul_character")}
    assert Membership.objects.count() == before


def test_an_outsider_gets_404_for_a_nul_member_name(api, project, outsider):
    response = api(outsider).delete("/api/v1/projects/desk/members/a%00b/")
    assert response.status_code == 404


# --- 6. a time-zone offset PostgreSQL cannot store ----------------------------------------------


@pytest.mark.parametrize("since", ["2026-01-01T00:00:00+16:00", "2026-01-01T00:00:00-23:59"])
def test_an_export_since_with_an_offset_postgresql_cannot_store_is_a_400(
    api, project, manager, since
):
    response = api(manager).get("/api/v1/projects/desk/export/", {"since": since})
    assert response.status_code == 400, response.content[:300]
    assert errors_of(response) == {("since", "invalid")}


def test_an_export_since_with_the_largest_real_offset_is_fine(api, project, manager):
    response = api(manager).get(
        "/api/v1/projects/desk/export/", {"since": "2026-01-01T00:00:00+14:00"}
    )
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b""


# --- 7. numbers and nesting in meta: POST articles/ ------------------------------------------------


@pytest.mark.parametrize(
    ("meta", "field", "code"),
    [
        ('{"score": NaN}', "meta.score", "not_finite"),
        ('{"score": -Infinity}', "meta.score", "not_finite"),
        ('{"score": 1e400}', "meta.score", "not_finite"),
        ('{"n": ' + "9" * 4301 + "}", "meta.n", "number_too_large"),
        ('{"n": 1' + "0" * 399 + "}", "meta.n", "number_too_large"),
        ('{"n": [1, 100000000000000000000000000000]}', "meta.n[1]", "number_too_large"),
        ('{"n": 18446744073709551616}', "meta.n", "number_too_large"),
        ('{"n": -9223372036854775809}', "meta.n", "number_too_large"),
        (nested(600), "body", "too_deep"),
    ],
)
def test_meta_the_export_could_not_carry_is_a_400_naming_it(
    api, project, manager, meta, field, code
):
    body = ('{"id": "a", "text": "Fine.", "meta": ' + meta + "}").encode()
    response = post_json(api(manager), "/api/v1/projects/desk/articles/", body)
    assert response.status_code == 400, response.content[:300]
    assert errors_of(response) == {(field, code)}
    assert not Article.objects.exists()


def test_64_bit_integers_and_finite_floats_in_meta_are_kept_exactly(api, project, manager):
    meta = {"big": 2**64 - 1, "small": -(2**63), "digits": 1234567890123456789, "ratio": 0.1}
    body = json.dumps({"id": "a", "text": "Fine.", "meta": meta}).encode()
    response = post_json(api(manager), "/api/v1/projects/desk/articles/", body)
    assert response.status_code == 201, response.content
    assert Article.objects.get().meta == meta


# --- 7. the same through the import endpoint, with and without partial --------------------------


IMPORTS = "/api/v1/projects/desk/imports/"

BAD_META_LINES = [
    ('{"id": "nan", "text": "One.", "meta": {"x": NaN}}', "meta.x", "not a finite number"),
    ('{"id": "inf", "text": "Two.", "meta": {"x": Infinity}}', "meta.x", "not a finite number"),
    ('{"id": "big", "text": "Three.", "meta": {"x": ' + "7" * 4301 + "}}", "meta.x", "4301 digits"),
    ('{"id": "deep", "text": "Four.", "meta": ' + nested(600) + "}", "", "nested deeper than 64"),
]


def import_lines(client, *lines: str, partial: bool = False):
    content = ("\n".join(lines) + "\n").encode()
    return client.post(
        IMPORTS,
        {"file": SimpleUploadedFile("bad.jsonl", content), "format": "native", "partial": partial},
        format="multipart",
    )


@pytest.mark.parametrize(("line", "field", "reason"), BAD_META_LINES)
def test_an_import_with_meta_the_export_could_not_carry_is_a_400_naming_the_line(
    api, project, manager, line, field, reason
):
    response = import_lines(api(manager), '{"id": "ok", "text": "Fine."}', line)
    assert response.status_code == 400, response.content[:300]
    (error,) = response.json()["errors"]
    assert (error["field"], error["code"]) == ("file", "invalid_record")
    assert error["message"].startswith(f"bad.jsonl:2: {field + ': ' if field else ''}")
    assert reason in error["message"]
    assert not Article.objects.exists()


def test_a_partial_import_leaves_out_exactly_the_lines_the_export_could_not_carry(
    api, project, manager
):
    lines = ['{"id": "ok", "text": "Fine."}', *(line for line, _, _ in BAD_META_LINES)]
    response = import_lines(api(manager), *lines, partial=True)
    assert response.status_code == 200, response.content[:300]
    report = response.json()
    assert report["created"] == 1 and report["written"] is True
    assert [e.split(":")[1] for e in report["errors"]] == ["2", "3", "4", "5"]
    assert list(Article.objects.values_list("external_id", flat=True)) == ["ok"]


# --- 10. bodies over the size limits --------------------------------------------------------------


def test_a_json_body_over_the_limit_is_a_413_before_it_is_parsed(
    api, mine, annotator, settings, monkeypatch
):
    from labels import jsonio

    def no_parsing(*args, **kwargs):
        raise AssertionError("the oversized body was parsed")

    monkeypatch.setattr(jsonio, "loads", no_parsing)
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    body = span_json(1, json.dumps({"note": "x" * 20_000}))
    response = post_json(api(annotator), f"/api/v1/annotations/{mine.pk}/spans/", body)
    assert response.status_code == 413, response.content[:300]
    assert errors_of(response) == {("body", "too_large")}
    assert "10 KB" in the_error(response)["message"]
    assert not Span.objects.exists()


def test_a_json_body_over_the_limit_from_an_outsider_is_a_413_too(api, mine, outsider, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    body = span_json(1, json.dumps({"note": "x" * 20_000}))
    response = post_json(api(outsider), f"/api/v1/annotations/{mine.pk}/spans/", body)
    assert response.status_code == 413
    assert errors_of(response) == {("body", "too_large")}


def test_an_upload_over_the_import_limit_is_a_413_before_it_is_read(
    api, project, manager, settings, monkeypatch
):
    from django.http import multipartparser

    def no_reading(*args, **kwargs):
        raise AssertionError("the oversized upload was read")

    monkeypatch.setattr(multipartparser.MultiPartParser, "parse", no_reading)
    settings.ANNOTATOR_MAX_IMPORT_BYTES = 1000
    content = (json.dumps({"id": "a", "text": "x" * 200_000}) + "\n").encode()
    response = api(manager).post(
        IMPORTS,
        {"file": SimpleUploadedFile("big.jsonl", content), "format": "native"},
        format="multipart",
    )
    assert response.status_code == 413, response.content[:300]
    assert errors_of(response) == {("file", "too_large")}
    assert "limited to" in the_error(response)["message"]
    assert not Article.objects.exists()
    assert Project.objects.get(slug="desk").articles.count() == 0
