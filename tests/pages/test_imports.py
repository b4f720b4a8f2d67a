"""The import form on the project page: managers only, the report or the problems shown."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from labels.models import Annotation, Article
from tests.support.paths import IMPORT_SAMPLES as DATA

pytestmark = pytest.mark.django_db


def post(client, name, **fields):
    upload = SimpleUploadedFile(name, (DATA / name).read_bytes())
    return client.post("/projects/desk/import/", {"file": upload, **fields})


def test_manager_sees_the_import_form_others_do_not(client, project, manager, reviewer):
    client.force_login(manager)
    page = client.get("/projects/desk/").content.decode()
    assert 'action="/projects/desk/import/"' in page and 'enctype="multipart/form-data"' in page
    client.force_login(reviewer)
    assert 'action="/projects/desk/import/"' not in client.get("/projects/desk/").content.decode()


def test_manager_imports_and_sees_the_report(client, project, manager):
    client.force_login(manager)
    response = post(client, "doccano_relations.jsonl", format="doccano", layer="gold")
    assert response.status_code == 200
    assert "2 articles created" in response.content.decode()
    assert Annotation.objects.filter(is_gold=True).count() == 2


def test_a_file_with_problems_shows_them_and_imports_nothing(client, project, manager):
    client.force_login(manager)
    response = post(client, "doccano_unknown_label.jsonl", format="doccano", layer="gold")
    assert response.status_code == 400
    page = response.content.decode()
    assert "Nothing was imported" in page
    assert "doccano_unknown_label.jsonl:2:" in page and "PERSON" in page
    assert Article.objects.count() == 0


def test_ticking_partial_imports_the_good_records(client, project, manager):
    client.force_login(manager)
    response = post(
        client, "doccano_unknown_label.jsonl", format="doccano", layer="gold", partial="on"
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Records left out" in page and "PERSON" in page
    assert Article.objects.count() == 1


def test_csv_columns_from_the_form(client, project, manager):
    client.force_login(manager)
    response = post(
        client,
        "articles.csv",
        format="csv",
        text_column="body",
        id_column="article_id",
        title_column="headline",
    )
    assert response.status_code == 200
    assert set(Article.objects.values_list("external_id", flat=True)) == {"csv-1", "csv-2"}


def test_reviewer_gets_403_and_outsider_404(client, project, reviewer, outsider):
    client.force_login(reviewer)
    assert post(client, "articles.csv", format="csv").status_code == 403
    client.force_login(outsider)
    assert post(client, "articles.csv", format="csv").status_code == 404
    assert Article.objects.count() == 0


def test_too_large_a_file_is_refused_clearly(client, project, manager, settings):
    settings.ANNOTATOR_MAX_IMPORT_BYTES = 10
    client.force_login(manager)
    response = post(client, "articles.csv", format="csv")
    assert response.status_code == 413  # as when Content-Length alone says so
    assert "imports are limited to" in response.content.decode()
    assert Article.objects.count() == 0


def test_article_text_is_shown_as_text_not_markup(client, project, manager):
    client.force_login(manager)
    upload = SimpleUploadedFile("x<b>.jsonl", b'{"id": "<script>", "text": "\\u0000"}\n')
    response = client.post("/projects/desk/import/", {"file": upload, "format": "native"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "<script>" not in page and "&lt;b&gt;" in page


# --- what PostgreSQL or the export cannot carry, and uploads over the limit ----------------------

BAD_LINES = [
    ('{"id": "nan", "text": "One.", "meta": {"x": NaN}}', "meta.x: NaN is not a finite number"),
    ('{"id": "big", "text": "Two.", "meta": {"x": ' + "7" * 4301 + "}}", "4301 digits"),
    (
        '{"id": "deep", "text": "Three.", "meta": ' + '{"a": ' * 600 + "1" + "}" * 600 + "}",
        "nested",
    ),
    ('{"id": "s\\ud800", "text": "Four."}', "id: The text contains a lone surrogate"),
]


def upload_lines(client, *lines: str, **fields):
    content = ("\n".join(lines) + "\n").encode()
    upload = SimpleUploadedFile("bad.jsonl", content)
    return client.post("/projects/desk/import/", {"file": upload, "format": "native", **fields})


def test_records_the_export_could_not_carry_are_shown_with_their_lines(client, project, manager):
    client.force_login(manager)
    response = upload_lines(
        client, '{"id": "ok", "text": "Fine."}', *(line for line, _ in BAD_LINES)
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Nothing was imported" in page
    for number, (_, reason) in enumerate(BAD_LINES, start=2):
        assert f"bad.jsonl:{number}:" in page and reason in page
    assert Article.objects.count() == 0


def test_partial_leaves_out_only_what_the_export_could_not_carry(client, project, manager):
    client.force_login(manager)
    response = upload_lines(
        client, '{"id": "ok", "text": "Fine."}', *(line for line, _ in BAD_LINES), partial="on"
    )
    assert response.status_code == 200
    assert "Records left out" in response.content.decode()
    assert list(Article.objects.values_list("external_id", flat=True)) == ["ok"]


def test_an_upload_over_the_limit_is_a_413_before_it_is_read(
    client, project, manager, settings, monkeypatch
):
    from django.http import multipartparser

    def no_reading(*args, **kwargs):
        raise AssertionError("the oversized upload was read")

    monkeypatch.setattr(multipartparser.MultiPartParser, "parse", no_reading)
    settings.ANNOTATOR_MAX_IMPORT_BYTES = 1000
    client.force_login(manager)
    upload = SimpleUploadedFile("big.csv", b"id,text\n" + b"a,long text\n" * 20_000)
    response = client.post("/projects/desk/import/", {"file": upload, "format": "csv"})
    assert response.status_code == 413
    assert "imports are limited to" in response.content.decode()
    assert Article.objects.count() == 0
