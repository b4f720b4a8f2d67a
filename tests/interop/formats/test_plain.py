"""labels.interop.formats.plain: plain text (the date line) and CSV (columns, line-numbered errors,
long fields), through ``do_import`` and the ``import_articles`` command."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from labels.errors import ImportFailed
from labels.interop.importing import do_import
from labels.interop.reading import ReadOptions
from labels.models import Article
from tests.support.imports import run
from tests.support.paths import IMPORT_SAMPLES as DATA

pytestmark = pytest.mark.django_db


# --- plain text ----------------------------------------------------------------------------


def test_plain_text_takes_the_date_line_as_published(project, tmp_path):
    path = tmp_path / "putin-macron.txt"
    path.write_text(
        " date 2020-10-01 Russian President Vladimir Putin told his counterpart.\r\n\r\nMore.\r\n"
    )
    call_command(
        "import_articles", str(path), project=project.slug, format="text", stdout=io.StringIO()
    )
    article = Article.objects.get(external_id="putin-macron")
    assert article.meta == {"published": "2020-10-01"}
    assert article.text == "Russian President Vladimir Putin told his counterpart.\n\nMore."


# --- CSV -------------------------------------------------------------------------------------


def test_csv_with_chosen_columns_keeps_other_columns_as_meta(project):
    report = run(
        project,
        "articles.csv",
        "csv",
        options=ReadOptions(text_column="body", id_column="article_id", title_column="headline"),
    )
    assert report.created == 2 and not report.errors
    first = Article.objects.get(project=project, external_id="csv-1")
    assert first.title == "Putin on Monday"
    assert first.text.startswith("😀 Putin said")
    assert first.meta == {"source": "AFP", "published": "2020-10-01"}
    second = Article.objects.get(project=project, external_id="csv-2")
    # A quoted field across CRLF line breaks, canonicalised to LF.
    assert second.text == "Macron told AFP:\n“Nothing is decided.”\nThe talks go on."
    assert second.title == "Macron, AFP"


def test_csv_errors_name_the_line_and_the_columns(project):
    data = b'id,text\nok-1,Fine text.\nbad-1,\nok-2,"Line one\r\nline two"\nbad-2,x,extra\n'
    with pytest.raises(ImportFailed) as failed:
        do_import(project, [("in.csv", io.BytesIO(data))], fmt="csv")
    errors = failed.value.report.errors
    assert errors[0].startswith("in.csv:3: text:")
    assert errors[1].startswith("in.csv:6: the row has 3 field(s)")
    assert Article.objects.count() == 0
    with pytest.raises(ImportFailed) as failed:
        do_import(
            project,
            [("in.csv", io.BytesIO(data))],
            fmt="csv",
            options=ReadOptions(text_column="body"),
        )
    assert failed.value.report.errors == [
        "in.csv:1: there is no text column 'body'; the columns are 'id', 'text'"
    ]


def test_csv_without_an_id_column_derives_stable_ids_and_never_duplicates(project):
    data = b"text,source\nThe minister said so.,AFP\n"
    report = do_import(project, [("in.csv", io.BytesIO(data))], fmt="csv")
    assert report.created == 1 and any("no 'id' column" in n for n in report.notes)
    article = Article.objects.get()
    assert article.external_id.startswith("text-") and article.meta == {"source": "AFP"}
    again = do_import(project, [("in.csv", io.BytesIO(data))], fmt="csv")
    assert again.created == 0 and again.unchanged == 1
    assert Article.objects.count() == 1


def test_csv_reads_long_texts_beyond_the_csv_modules_default_field_limit(project):
    text = "Word " * 40_000
    data = ("id,text\nlong," + text.strip() + "\n").encode()
    assert do_import(project, [("in.csv", io.BytesIO(data))], fmt="csv").created == 1


def test_command_imports_csv_with_column_options(project, capsys):
    call_command(
        "import_articles",
        "--project",
        "desk",
        "--format",
        "csv",
        "--text-column",
        "body",
        "--id-column",
        "article_id",
        "--title-column",
        "headline",
        str(DATA / "articles.csv"),
    )
    assert "2 article(s) created" in capsys.readouterr().out
    assert Article.objects.filter(project=project).count() == 2
