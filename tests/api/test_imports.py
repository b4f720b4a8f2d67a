"""POST /api/v1/projects/{slug}/imports/: managers only, the report as JSON, errors by line."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from labels.models import Annotation, Article, Span, SuggestionSet
from tests.support.paths import IMPORT_SAMPLES as DATA

pytestmark = pytest.mark.django_db

IMPORTS = "/api/v1/projects/desk/imports/"


def upload(name: str, content: bytes | None = None):
    return SimpleUploadedFile(name, content if content is not None else (DATA / name).read_bytes())


def counts():
    return (Article.objects.count(), Annotation.objects.count(), Span.objects.count())


def test_manager_imports_doccano_into_gold_and_gets_the_report(api, project, manager):
    response = api(manager).post(
        IMPORTS,
        {"file": upload("doccano_relations.jsonl"), "format": "doccano", "layer": "gold"},
        format="multipart",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["created"], body["spans"], body["relations"], body["written"]) == (2, 5, 2, True)
    assert Annotation.objects.filter(is_gold=True).count() == 2


def test_import_with_errors_is_a_400_naming_lines_and_changes_nothing(api, project, manager):
    before = counts()
    response = api(manager).post(
        IMPORTS,
        {"file": upload("doccano_unknown_label.jsonl"), "format": "doccano", "layer": "gold"},
        format="multipart",
    )
    assert response.status_code == 400
    (error,) = response.json()["errors"]
    assert error["field"] == "file" and error["code"] == "invalid_record"
    assert (
        error["message"].startswith("doccano_unknown_label.jsonl:2:")
        and "PERSON" in error["message"]
    )
    assert response.json()["report"]["written"] is False
    assert counts() == before


def test_partial_import_through_the_api(api, project, manager):
    response = api(manager).post(
        IMPORTS,
        {
            "file": upload("doccano_unknown_label.jsonl"),
            "format": "doccano",
            "layer": "gold",
            "partial": "true",
        },
        format="multipart",
    )
    assert response.status_code == 200
    assert response.json()["created"] == 1 and len(response.json()["errors"]) == 1


def test_csv_columns_and_suggestions_layer_through_the_api(api, project, manager):
    client = api(manager)
    response = client.post(
        IMPORTS,
        {
            "file": upload("articles.csv"),
            "format": "csv",
            "text_column": "body",
            "id_column": "article_id",
            "title_column": "headline",
        },
        format="multipart",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["created"] == 2
    response = client.post(
        IMPORTS,
        {
            "file": upload("labelstudio_export.json"),
            "format": "labelstudio",
            "layer": "suggestions",
        },
        format="multipart",
    )
    assert response.status_code == 200
    assert SuggestionSet.objects.count() == 2


@pytest.mark.parametrize("who", ["reviewer", "annotator"])
def test_only_managers_import(api, project, request, who):
    response = api(request.getfixturevalue(who)).post(
        IMPORTS, {"file": upload("articles.csv"), "format": "csv"}, format="multipart"
    )
    assert response.status_code == 403
    assert Article.objects.count() == 0


def test_outsider_gets_404(api, project, outsider):
    response = api(outsider).post(
        IMPORTS, {"file": upload("articles.csv"), "format": "csv"}, format="multipart"
    )
    assert response.status_code == 404
    assert Article.objects.count() == 0


@pytest.mark.parametrize(
    ("data", "field", "code"),
    [
        ({"format": "native"}, "file", "required"),
        ({"format": "xml", "file": "x"}, "format", "invalid_choice"),
        ({"format": "native", "layer": "nobody", "file": "x"}, "layer", "unknown_user"),
    ],
)
def test_bad_import_parameters_are_400(api, project, manager, data, field, code):
    if data.get("file") == "x":
        data["file"] = upload("a.jsonl", json.dumps({"id": "a", "text": "Fine."}).encode())
    response = api(manager).post(IMPORTS, data, format="multipart")
    assert response.status_code == 400
    assert (field, code) in {(e["field"], e["code"]) for e in response.json()["errors"]}
    assert Article.objects.count() == 0


def test_json_body_is_refused_with_a_clear_400(api, project, manager):
    response = api(manager).post(IMPORTS, {"format": "native"}, format="json")
    assert response.status_code == 415
    assert response.json()["errors"][0]["code"] == "unsupported_media_type"


def test_file_over_the_size_limit_is_a_413_like_a_body_refused_by_its_length(
    api, project, manager, settings
):
    """Within the body limit (the multipart allowance) but over the import limit: the same 413
    and message as an upload whose Content-Length is refused before it is read."""
    settings.ANNOTATOR_MAX_IMPORT_BYTES = 100
    content = (json.dumps({"id": "a", "text": "x" * 200}) + "\n").encode()
    response = api(manager).post(
        IMPORTS, {"file": upload("big.jsonl", content)}, format="multipart"
    )
    assert response.status_code == 413
    (error,) = response.json()["errors"]
    assert (error["field"], error["code"]) == ("file", "too_large")
    assert "limited to" in error["message"]
    assert Article.objects.count() == 0


def test_not_utf8_and_not_json_are_line_numbered_errors(api, project, manager):
    content = b'{"id": "a", "text": "fine"}\n\xff\xfe broken\n{"id": "b", "text": \n'
    response = api(manager).post(
        IMPORTS, {"file": upload("bad.jsonl", content)}, format="multipart"
    )
    assert response.status_code == 400
    messages = [e["message"] for e in response.json()["errors"]]
    assert messages[0].startswith("bad.jsonl:2: not valid UTF-8")
    assert messages[1].startswith("bad.jsonl:3: not valid JSON")
    assert Article.objects.count() == 0


def test_an_import_a_concurrent_change_refuses_is_a_409_and_writes_nothing(
    api, project, manager, monkeypatch
):
    """As if another import had created the article between this one's lookup of existing ids
    and its write: the database refuses, the answer says so, and nothing stays."""

    line = json.dumps({"id": "a1", "text": "The minister said so."}).encode()
    client = api(manager)
    body = {"file": upload("a.jsonl", line), "format": "native"}
    assert client.post(IMPORTS, body, format="multipart").status_code == 200
    before = counts()
    from labels.interop import importing

    monkeypatch.setattr(importing, "_existing_articles", lambda project, ids: {})
    body = {"file": upload("b.jsonl", line), "format": "native"}
    response = client.post(IMPORTS, body, format="multipart")
    assert response.status_code == 409, response.content
    (error,) = response.json()["errors"]
    assert (error["field"], error["code"]) == ("file", "conflict")
    assert "nothing was written" in error["message"]
    assert counts() == before
