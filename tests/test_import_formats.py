"""Import formats: native, text, CSV, doccano, Label Studio — through the one service
``do_import`` and the ``import_articles`` command. The sample files under tests/data/imports/ are
written from each tool's documented export format; their texts put spans after an emoji (an
astral character: one code point, two UTF-16 units) and across CRLF line breaks."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from labels.errors import ImportFailed
from labels.interop.importing import do_import
from labels.interop.reading import ReadOptions
from labels.models import Annotation, Article, HistoryEvent, Relation, Span, SuggestionSet

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data" / "imports"


def run(project, name, fmt, **kwargs):
    with open(DATA / name, "rb") as stream:
        return do_import(project, [(name, stream)], fmt=fmt, **kwargs)


def counts():
    return (
        Article.objects.count(),
        Annotation.objects.count(),
        Span.objects.count(),
        Relation.objects.count(),
        SuggestionSet.objects.count(),
        HistoryEvent.objects.count(),
    )


def spans_of(article, **layer):
    annotation = Annotation.objects.get(article=article, **layer)
    return {(s.label, s.text, tuple(sorted(s.attrs.items()))) for s in annotation.spans.all()}


def assert_offsets_hold(article):
    for span in Span.objects.filter(annotation__article=article):
        assert article.text[span.start : span.end] == span.text


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


# --- doccano ---------------------------------------------------------------------------------


def test_doccano_label_triples_after_an_emoji_and_across_crlf(project, annotator):
    report = run(project, "doccano_labels.jsonl", "doccano", layer="ana")
    assert report.created == 2 and report.spans == 4 and not report.errors
    first = Article.objects.get(external_id="101")
    assert spans_of(first, annotator=annotator) == {("Source", "Putin", ()), ("Cue", "said", ())}
    second = Article.objects.get(external_id="102")
    assert spans_of(second, annotator=annotator) == {("Source", "AFP", ()), ("Cue", "told", ())}
    assert_offsets_hold(first)
    assert_offsets_hold(second)


def test_doccano_entities_and_relations_into_gold(project):
    report = run(project, "doccano_relations.jsonl", "doccano", layer="gold")
    assert (report.created, report.spans, report.relations) == (2, 5, 2)
    article = Article.objects.get(external_id="202")
    gold = Annotation.objects.get(article=article, is_gold=True)
    assert gold.status == "reviewed"
    quote = gold.spans.get(label="Quote")
    # The quote starts after a CRLF that became LF: one code point earlier than in the file.
    assert quote.text == "“Nothing is decided.”" and quote.attrs == {"quote_type": "direct"}
    relation = gold.relations.get()
    assert (relation.label, relation.source_id, relation.target.text) == (
        "attributed_to",
        quote.pk,
        "AFP",
    )
    assert_offsets_hold(article)


def test_unknown_label_is_reported_with_line_and_name_and_nothing_is_written(project):
    before = counts()
    with pytest.raises(ImportFailed) as failed:
        run(project, "doccano_unknown_label.jsonl", "doccano", layer="gold")
    (error,) = failed.value.report.errors
    assert error.startswith("doccano_unknown_label.jsonl:2: label[0].label:")
    assert "PERSON" in error
    assert counts() == before


def test_partial_imports_the_good_records_and_reports_the_bad(project):
    report = run(project, "doccano_unknown_label.jsonl", "doccano", layer="gold", partial=True)
    assert report.written and report.created == 1 and report.spans == 1
    assert len(report.errors) == 1 and "PERSON" in report.errors[0]
    assert list(Article.objects.values_list("external_id", flat=True)) == ["301"]


def test_doccano_offsets_out_of_range_and_classification_labels_are_errors(project):
    lines = [
        {"id": 1, "text": "Short text.", "label": [[0, 99, "Cue"]]},
        {"id": 2, "text": "Short text.", "label": ["positive"]},
        {
            "id": 3,
            "text": "Short text.",
            "entities": [{"id": 1, "start_offset": "0", "end_offset": 5, "label": "Cue"}],
        },
    ]
    data = "\n".join(json.dumps(line) for line in lines).encode()
    with pytest.raises(ImportFailed) as failed:
        do_import(project, [("d.jsonl", io.BytesIO(data))], fmt="doccano", layer="gold")
    errors = failed.value.report.errors
    assert errors[0].startswith("d.jsonl:1: label[0].end:") and "(length 11)" in errors[0]
    assert errors[1].startswith("d.jsonl:2: label[0] must be a [start, end, label] triple")
    assert errors[2].startswith("d.jsonl:3: entities[0].start: start must be an integer")
    assert Article.objects.count() == 0


# --- Label Studio ----------------------------------------------------------------------------


def test_labelstudio_annotations_with_per_region_choices_and_relations(project, annotator):
    report = run(project, "labelstudio_export.json", "labelstudio", layer="ana")
    assert report.created == 2 and report.spans == 3 and report.relations == 1
    assert any("predictions of 1 task(s) were not imported" in n for n in report.notes)
    article = Article.objects.get(external_id="1")
    assert article.title == "Putin on Monday" and article.meta == {"published": "2020-10-01"}
    assert spans_of(article, annotator=annotator) == {
        ("Quote", "“we are ready”", (("quote_type", "direct"),)),
        ("Source", "Putin", ()),
        ("Cue", "said", ()),
    }
    relation = Relation.objects.get()
    assert (relation.source.label, relation.target.label) == ("Quote", "Source")
    assert_offsets_hold(article)
    # Task 2 has only a cancelled annotation: the article, without a layer.
    assert not Annotation.objects.filter(article__external_id="2").exists()


def test_labelstudio_predictions_go_to_the_suggestions_layer(project):
    report = run(project, "labelstudio_export.json", "labelstudio", layer="suggestions")
    assert report.layers_added == 2 and not report.errors
    assert not Annotation.objects.exists()
    suggestions = SuggestionSet.objects.get(article__external_id="2", source="import")
    article = suggestions.article
    # Required attributes may be missing in suggestions: the analyst sets them on accepting.
    assert {(s["label"], s["text"]) for s in suggestions.spans} == {
        ("Quote", "“Nothing is decided.”"),
        ("Source", "AFP"),
    }
    for span in suggestions.spans:
        assert article.text[span["start"] : span["end"]] == span["text"]
    # direction "left": from p2 (Source) to p1 (Quote) read backwards is Quote → Source.
    (relation,) = suggestions.relations
    by_id = {s["id"]: s["label"] for s in suggestions.spans}
    assert (by_id[relation["from"]], relation["label"], by_id[relation["to"]]) == (
        "Quote",
        "attributed_to",
        "Source",
    )
    again = run(project, "labelstudio_export.json", "labelstudio", layer="suggestions")
    assert again.layers_added == 0 and len(again.skipped) == 2
    assert SuggestionSet.objects.count() == 2


def test_labelstudio_utf16_offsets_are_reported_as_such(project):
    text = "😀 Putin said so."
    tasks = [
        {
            "id": 7,
            "data": {"text": text},
            "annotations": [
                {
                    "result": [
                        {
                            "id": "r",
                            "type": "labels",
                            "from_name": "label",
                            "to_name": "text",
                            "value": {"start": 3, "end": 8, "text": "Putin", "labels": ["Source"]},
                        }
                    ]
                }
            ],
        }
    ]
    with pytest.raises(ImportFailed) as failed:
        do_import(
            project,
            [("ls.json", io.BytesIO(json.dumps(tasks).encode()))],
            fmt="labelstudio",
            layer="gold",
        )
    (error,) = failed.value.report.errors
    assert error.startswith("ls.json:1 (task 1): annotations[0].result[0].text:")
    assert "UTF-16" in error


def test_labelstudio_json_errors_name_the_line(project):
    data = (
        b'[\n  {"id": 1, "data": {"text": "Fine."}},\n  {"id": 2, "data": {"text": "Broken."}\n]\n'
    )
    with pytest.raises(ImportFailed) as failed:
        do_import(project, [("ls.json", io.BytesIO(data))], fmt="labelstudio")
    assert failed.value.report.errors[-1].startswith("ls.json:4: not valid JSON")
    assert Article.objects.count() == 0


def test_labelstudio_several_annotations_and_unknown_relation_labels_are_errors(project):
    region = {
        "id": "a",
        "type": "labels",
        "value": {"start": 0, "end": 5, "text": "Putin", "labels": ["Source"]},
    }
    region2 = {
        "id": "b",
        "type": "labels",
        "value": {"start": 6, "end": 10, "text": "said", "labels": ["Cue"]},
    }
    tasks = [
        {
            "id": 1,
            "data": {"text": "Putin said."},
            "annotations": [{"result": [region]}, {"result": [region]}],
        },
        {
            "id": 2,
            "data": {"text": "Putin said."},
            "annotations": [
                {
                    "result": [
                        region,
                        region2,
                        {
                            "type": "relation",
                            "from_id": "b",
                            "to_id": "a",
                            "direction": "right",
                            "labels": ["spoken_by"],
                        },
                    ]
                }
            ],
        },
    ]
    with pytest.raises(ImportFailed) as failed:
        do_import(
            project,
            [("ls.json", io.BytesIO(json.dumps(tasks, indent=1).encode()))],
            fmt="labelstudio",
            layer="gold",
        )
    first, second = failed.value.report.errors
    assert "(task 1): the task has 2 annotations" in first
    assert "(task 2): annotations[0].result[2].label:" in second and "spoken_by" in second


# --- native and text -------------------------------------------------------------------------


def test_native_round_trip_shape_with_astral_offsets_and_reimport_never_duplicates(
    project, annotator
):
    text = "🇧🇾 Lukashenko said “no”.\r\nThe end."
    quote = text.index("“no”")
    line = {
        "id": "n-1",
        "text": text,
        "meta": {"title": "Minsk"},
        "spans": [
            {
                "id": "s1",
                "label": "Quote",
                "start": quote,
                "end": quote + 4,
                "text": "“no”",
                "attrs": {"quote_type": "direct"},
            },
            {"id": "s2", "label": "Source", "start": 3, "end": 13, "text": "Lukashenko"},
        ],
        "relations": [{"id": "r1", "label": "attributed_to", "from": "s1", "to": "s2"}],
    }
    data = (json.dumps(line, ensure_ascii=False) + "\n").encode()
    report = do_import(project, [("n.jsonl", io.BytesIO(data))], fmt="native", layer="ben")
    assert (report.created, report.spans, report.relations) == (1, 2, 1)
    article = Article.objects.get()
    assert article.title == "Minsk" and "\r" not in article.text
    assert_offsets_hold(article)
    again = do_import(project, [("n.jsonl", io.BytesIO(data))], fmt="native", layer="ben")
    assert again.created == 0 and len(again.skipped) == 1
    assert Article.objects.count() == 1 and Span.objects.count() == 2


def test_native_nul_in_text_and_meta_are_errors(project):
    data = (
        json.dumps({"id": "a", "text": "bad\u0000text"})
        + "\n"
        + json.dumps({"id": "b", "text": "ok", "meta": {"x": "\u0000"}})
        + "\n"
    ).encode()
    with pytest.raises(ImportFailed) as failed:
        do_import(project, [("n.jsonl", io.BytesIO(data))])
    first, second = failed.value.report.errors
    assert first.startswith("n.jsonl:1: text:") and "NUL" in first
    assert second.startswith("n.jsonl:2: meta:") and "NUL" in second


def test_spans_without_a_layer_are_not_silently_dropped(project):
    data = (
        json.dumps(
            {"id": "a", "text": "He said.", "spans": [{"label": "Cue", "start": 3, "end": 7}]}
        )
        + "\n"
    ).encode()
    report = do_import(project, [("n.jsonl", io.BytesIO(data))])
    assert report.created == 1 and any("1 span(s)" in n for n in report.notes)


# --- the command -----------------------------------------------------------------------------


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


def test_command_with_errors_changes_nothing_and_names_the_line(project):
    before = counts()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command(
            "import_articles",
            "--project",
            "desk",
            "--format",
            "doccano",
            "--layer",
            "gold",
            str(DATA / "doccano_unknown_label.jsonl"),
        )
    assert counts() == before


def test_command_partial_and_labelstudio_suggestions(project, capsys):
    with pytest.raises(CommandError, match="left out"):
        call_command(
            "import_articles",
            "--project",
            "desk",
            "--format",
            "doccano",
            "--layer",
            "gold",
            "--partial",
            str(DATA / "doccano_unknown_label.jsonl"),
        )
    assert Article.objects.count() == 1
    call_command(
        "import_articles",
        "--project",
        "desk",
        "--format",
        "labelstudio",
        "--layer",
        "suggestions",
        str(DATA / "labelstudio_export.json"),
    )
    assert SuggestionSet.objects.count() == 2
