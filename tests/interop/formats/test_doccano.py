"""labels.interop.formats.doccano: reading (label triples, entities and relations, line-numbered
errors, through ``do_import`` and the ``import_articles`` command) and writing (entities that
index the text and import back)."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from labels.errors import ImportFailed
from labels.interop.importing import do_import
from labels.models import Annotation, Article, HistoryEvent, Relation, Span, SuggestionSet
from tests.support.exports import export_bytes, native, normalized
from tests.support.imports import assert_offsets_hold, run, spans_of
from tests.support.paths import IMPORT_SAMPLES as DATA

pytestmark = pytest.mark.django_db


def counts():
    return (
        Article.objects.count(),
        Annotation.objects.count(),
        Span.objects.count(),
        Relation.objects.count(),
        SuggestionSet.objects.count(),
        HistoryEvent.objects.count(),
    )


# --- reading ---------------------------------------------------------------------------------


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


def test_doccano_lines_that_name_the_text_data_import_too(project):
    """doccano's exports of late 2021 wrote ``{"id", "data", "label"}`` (doccano #1522)."""
    line = {"id": 10, "data": "🎉 Ana said no.", "label": [[2, 5, "Source"]], "source": "wire"}
    do_import(
        project,
        [("old.jsonl", io.BytesIO(json.dumps(line, ensure_ascii=False).encode()))],
        fmt="doccano",
        layer="gold",
    )
    article = Article.objects.get()
    assert (article.external_id, article.text, article.meta) == (
        "10",
        line["data"],
        {"source": "wire"},
    )
    assert Span.objects.get().text == "Ana"


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


# --- writing ---------------------------------------------------------------------------------


def test_doccano_entities_index_the_text_and_import_back(desk, make_project, manager):
    rows = [json.loads(x) for x in export_bytes(desk, format="doccano").decode().splitlines()]
    entity_ids = []
    for row in rows:
        ids = {e["id"]: e for e in row["entities"]}
        entity_ids.extend(ids)
        for e in row["entities"]:
            assert row["text"][e["start_offset"] : e["end_offset"]]
        for rel in row["relations"]:
            assert rel["from_id"] in ids and rel["to_id"] in ids
    assert len(entity_ids) == len(set(entity_ids))  # unique through the file
    cue = rows[0]["relations"][0]["attrs"]["cue"]
    assert next(e for e in rows[0]["entities"] if e["id"] == cue)["label"] == "Cue"
    copy = make_project("copy", members={manager: "manager"})
    report = do_import(
        copy,
        [("d.jsonl", io.BytesIO(export_bytes(desk, format="doccano")))],
        fmt="doccano",
        layer="gold",
    )
    assert not report.errors
    assert normalized(native(copy)) == normalized(native(desk))
