"""labels.interop.formats.labelstudio: reading Label Studio JSON (per-region choices, relations,
predictions into the suggestions layer, UTF-16 offsets, line-numbered errors; through
``do_import`` and the ``import_articles`` command) and writing it (one task per article, which
imports back)."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from labels.errors import ImportFailed
from labels.interop.importing import do_import
from labels.models import Annotation, Article, Relation, SuggestionSet
from tests.support.exports import export_bytes, native, normalized
from tests.support.imports import assert_offsets_hold, run, spans_of
from tests.support.paths import IMPORT_SAMPLES as DATA

pytestmark = pytest.mark.django_db


# --- reading ---------------------------------------------------------------------------------


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
    assert error.startswith("ls.json:1 (task id 7, item 1): annotations[0].result[0].text:")
    assert "UTF-16" in error


def test_labelstudio_errors_name_a_task_by_its_id_and_its_place_in_the_file(project):
    # The analyst finds a task in Label Studio by its id; the position alone (item 3) would
    # have them count tasks in the file.
    tasks = [
        {"id": 17, "data": {"text": "Fine."}},
        {"id": 1234, "data": {"body": 5}},
        {"data": {"text": "No id."}, "annotations": "not a list"},
    ]
    data = json.dumps(tasks, indent=1).encode()
    with pytest.raises(ImportFailed) as failed:
        do_import(project, [("ls.json", io.BytesIO(data))], fmt="labelstudio")
    with_id, without_id = failed.value.report.errors
    assert with_id.startswith("ls.json:8 (task id 1234, item 2): ")
    assert '"data" has no text' in with_id
    assert without_id.startswith("ls.json:14 (item 3, no task id): ")
    assert Article.objects.count() == 0


def test_labelstudio_json_errors_name_the_line(project):
    data = (
        b'[\n  {"id": 1, "data": {"text": "Fine."}},\n  {"id": 2, "data": {"text": "Broken."}\n]\n'
    )
    with pytest.raises(ImportFailed) as failed:
        do_import(project, [("ls.json", io.BytesIO(data))], fmt="labelstudio")
    assert failed.value.report.errors[-1] == (
        "ls.json:4: not valid JSON (Expecting ',' delimiter at column 1) in the task that "
        "starts on line 3 (task id 2, item 2)"
    )
    assert Article.objects.count() == 0
    no_id = b'[{"data": {"text": "Broken"}'
    with pytest.raises(ImportFailed) as failed:
        do_import(project, [("ls.json", io.BytesIO(no_id))], fmt="labelstudio")
    assert failed.value.report.errors[-1].endswith(
        "in the task that starts on line 1 (item 1, no task id)"
    )


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
    assert "(task id 1, item 1): the task has 2 annotations" in first
    assert (
        "(task id 2, item 2): annotations[0].result[2].label:" in second and "spoken_by" in second
    )


def _ls_import(project, tasks):
    return do_import(
        project,
        [("ls.json", io.BytesIO(json.dumps(tasks, ensure_ascii=False).encode()))],
        fmt="labelstudio",
        layer="gold",
    )


def _region(rid, start, end, text, label):
    value = {"start": start, "end": end, "text": text, "labels": [label]}
    return {"id": rid, "from_name": "label", "to_name": "text", "type": "labels", "value": value}


def test_of_several_annotations_the_ground_truth_one_is_imported(project):
    """A Label Studio project with overlap has several annotations per task; the reviewed one
    is marked ``ground_truth``."""
    text = "🙂 Putin said."
    tasks = [
        {
            "id": 1,
            "data": {"text": text},
            "annotations": [
                {"id": 1, "result": [_region("a", 2, 7, "Putin", "Claim")], "ground_truth": False},
                {"id": 2, "result": [_region("b", 2, 7, "Putin", "Source")], "ground_truth": True},
                {"id": 3, "result": [], "was_cancelled": True, "ground_truth": False},
            ],
        }
    ]
    report = _ls_import(project, tasks)
    gold = Annotation.objects.get(is_gold=True)
    assert [(s.label, s.start, s.end) for s in gold.spans.all()] == [("Source", 2, 7)]
    assert any("1 annotation(s) beside a task's ground truth" in n for n in report.notes)


def test_the_text_of_a_task_without_data_text_is_its_longest_field_not_its_title(project):
    body = "👍 The minister said it again."
    tasks = [
        {
            "id": 4,
            "data": {"title": "A short title", "body": body},
            "annotations": [{"result": [_region("a", 2, 14, "The minister", "Source")]}],
        }
    ]
    _ls_import(project, tasks)
    article = Article.objects.get()
    assert (article.text, article.title, article.meta) == (body, "A short title", {})
    assert Annotation.objects.get(is_gold=True).spans.get().text == "The minister"


def test_a_relation_without_labels_gets_the_one_type_its_ends_allow(project):
    """Label Studio draws relations without labels when the project has no <Relations> tag.
    Stance → Claim can only be toward; Quote → Source is attributed_to or relayed_by."""
    text = "🙂 Ana opposes the plan."
    unlabeled = {"type": "relation", "from_id": "st", "to_id": "cl", "direction": "right"}
    tasks = [
        {
            "id": 1,
            "data": {"text": text},
            "annotations": [
                {
                    "result": [
                        _region("st", 6, 13, "opposes", "Stance"),
                        _region("cl", 14, 22, "the plan", "Claim"),
                        unlabeled | {"labels": []},
                    ]
                }
            ],
        }
    ]
    report = _ls_import(project, tasks)
    relation = Relation.objects.get()
    assert (relation.label, relation.source.label, relation.target.label) == (
        "toward",
        "Stance",
        "Claim",
    )
    assert "1 relation without a label got the one relation type" in " ".join(report.notes)

    tasks[0]["id"] = 2
    tasks[0]["data"]["text"] = "🙂 Ana said “no”."
    tasks[0]["annotations"][0]["result"] = [
        _region("src", 2, 5, "Ana", "Source"),
        _region("q", 12, 14, "no", "Quote"),
        {"type": "relation", "from_id": "q", "to_id": "src", "direction": "right"},
    ]
    with pytest.raises(ImportFailed) as failed:
        _ls_import(project, tasks)
    (error,) = failed.value.report.errors
    assert error.startswith("ls.json:1 (task id 2, item 1): annotations[0].result[2].label: ")
    assert "attributed_to or relayed_by" in error


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


# --- writing ---------------------------------------------------------------------------------


def test_labelstudio_json_is_one_task_per_article_and_imports_back(desk, make_project, manager):
    tasks = json.loads(export_bytes(desk, format="labelstudio", layer="all"))
    assert [t["data"]["id"] for t in tasks] == ["afp-1", "reuters-2"]
    assert tasks[0]["meta"]["layers"] == ["gold", "ana", "ben"]
    assert tasks[0]["data"]["published"] == "2020-10-01"
    assert [a["ground_truth"] for a in tasks[0]["annotations"]] == [True, False, False]
    for task in tasks:
        for annotation in task["annotations"]:
            regions = {r["id"]: r for r in annotation["result"] if r["type"] == "labels"}
            for r in regions.values():
                v = r["value"]
                assert task["data"]["text"][v["start"] : v["end"]] == v["text"]
            for r in annotation["result"]:
                if r["type"] == "relation":
                    assert r["from_id"] in regions and r["to_id"] in regions
                if r["type"] == "choices":
                    assert r["id"] in regions
    gold_only = export_bytes(desk, format="labelstudio")
    copy = make_project("copy", members={manager: "manager"})
    report = do_import(copy, [("ls.json", io.BytesIO(gold_only))], fmt="labelstudio", layer="gold")
    assert not report.errors
    # Label Studio has no place for the cue of a relation; everything else comes back.
    original = normalized(native(desk))
    for record in original.values():
        record["relations"] = [(label, a, b, {}) for label, a, b, _ in record["relations"]]
    assert normalized(native(copy)) == original
