"""The project page's Export form: "Download now" checks every field first (so that a mistake is
shown next to its field), then streams the same bytes as the API; without JavaScript a bad field
is a page naming it, never the API's raw JSON."""

from __future__ import annotations

import pytest

from tests.support.review_helpers import TEXT, span_data, submit_layer

pytestmark = pytest.mark.django_db


@pytest.fixture
def exported(project, make_article, annotator):
    article = make_article(project, TEXT, title="Talks")
    submit_layer(article, annotator, [span_data("Source", "Macron")], [])
    return project


def test_project_page_form_goes_to_the_pages_export(client, exported, manager):
    client.force_login(manager)
    page = client.get(f"/projects/{exported.slug}/").content.decode()
    assert f'action="/projects/{exported.slug}/export/"' in page
    assert f'data-check-url="/projects/{exported.slug}/export/check/"' in page


def test_check_names_each_bad_field_and_reads_no_annotation(
    client, exported, manager, django_assert_max_num_queries
):
    client.force_login(manager)
    url = f"/projects/{exported.slug}/export/check/"
    ok = client.get(url, {"format": "conll", "layer": "annotators", "lang": "en"})
    assert ok.status_code == 204
    bad = client.get(url, {"format": "conll", "lang": "qq", "split": "nonsense"})
    assert bad.status_code == 400
    fields = {e["field"]: e["message"] for e in bad.json()["errors"]}
    assert set(fields) == {"split"}, fields
    # The tokenizer is loaded only once every parameter is well-formed.
    tokenizer = client.get(url, {"format": "conll", "lang": "qq"})
    assert tokenizer.status_code == 400
    assert tokenizer.json()["errors"][0]["field"] == "lang"
    assert "“qq” is not a language code spaCy knows" in tokenizer.json()["errors"][0]["message"]
    # Session, user, membership and project, the schema versions: no annotation is read.
    with django_assert_max_num_queries(6):
        assert client.get(url, {"layer": "annotators"}).status_code == 204


def test_download_streams_the_same_bytes_as_the_api(client, exported, manager, api):
    client.force_login(manager)
    response = client.get(f"/projects/{exported.slug}/export/", {"layer": "annotators"})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="desk-annotators-')
    body = b"".join(response.streaming_content)
    streamed = api(manager).get(f"/api/v1/projects/{exported.slug}/export/?layer=annotators")
    assert body == b"".join(streamed.streaming_content) and b"Macron" in body


def test_without_javascript_a_bad_field_is_a_page_naming_it(client, exported, manager):
    client.force_login(manager)
    response = client.get(f"/projects/{exported.slug}/export/", {"format": "conll", "lang": "qq"})
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert "Nothing was exported" in page
    assert "<strong>Tokenizer language</strong>: “qq” is not a language code spaCy knows" in page
    assert '{"errors"' not in page


@pytest.mark.parametrize("persona, status", [("annotator", 403), ("outsider", 404)])
def test_only_staff_export(client, exported, request, persona, status):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(f"/projects/{exported.slug}/export/").status_code == status
    assert client.get(f"/projects/{exported.slug}/export/check/").status_code == status
    bad = client.get(f"/projects/{exported.slug}/export/", {"lang": "qq", "format": "conll"})
    assert bad.status_code == status


def test_reviewer_exports_too(client, exported, reviewer):
    client.force_login(reviewer)
    assert client.get(f"/projects/{exported.slug}/export/check/").status_code == 204
