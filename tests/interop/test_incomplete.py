"""Moving in from other tools is never blocked by attributes they do not have: spans without a
required attribute import as *incomplete*, the report counts them, ``infer_attrs`` fills
``quote_type`` from the quotation marks; and one bad span is reported once, not again by the
relations that name it."""

import io
import json

import pytest
from django.core.management import call_command

from labels.errors import ImportFailed
from labels.interop.importing import do_import
from labels.interop.reading import ReadOptions
from labels.models import Annotation, Article, Span
from tests.support.imports import jsonl

pytestmark = pytest.mark.django_db

TEXT = "The minister said “we are ready” on Monday. He called it “a turning point” for all."


def quote(start, end, **extra):
    return {"label": "Quote", "start": start, "end": end, "text": TEXT[start:end], **extra}


def record(external_id="a1", spans=(), relations=()):
    return {"id": external_id, "text": TEXT, "spans": list(spans), "relations": list(relations)}


DIRECT = quote(TEXT.index("we are"), TEXT.index("” on"), id="q1")  # inside its marks
MIXED = quote(TEXT.index("He called"), TEXT.index(" for all"), id="q2")
SOURCE = {"id": "s1", "label": "Source", "start": 0, "end": 12, "text": "The minister"}
STANCE = {"id": "t1", "label": "Stance", "start": 44, "end": 74, "text": TEXT[44:74]}


def test_spans_without_a_required_attribute_import_into_gold_as_incomplete(project):
    report = do_import(
        project,
        [("in.jsonl", jsonl(record(spans=[DIRECT, MIXED, SOURCE, STANCE]), record("a2")))],
        layer="gold",
    )
    gold = Annotation.objects.get(article__external_id="a1", is_gold=True)
    assert {(s.label, s.start, s.end, s.text): s.attrs for s in gold.spans.all()} == {
        ("Quote", DIRECT["start"], DIRECT["end"], "we are ready"): {},
        ("Quote", MIXED["start"], MIXED["end"], MIXED["text"]): {},
        ("Source", 0, 12, "The minister"): {},
        ("Stance", 44, 74, TEXT[44:74]): {},
    }
    assert report.as_dict()["incomplete"] == [
        {
            "label": "Quote",
            "attribute": "quote_type",
            "spans": 2,
            "message": "2 Quote spans need quote_type",
        },
        {
            "label": "Stance",
            "attribute": "polarity",
            "spans": 1,
            "message": "1 Stance span needs polarity",
        },
    ]
    assert "2 Quote spans need quote_type" in report.notes
    assert "1 Stance span needs polarity" in report.notes


def test_the_report_counts_hundreds_of_incomplete_spans_and_only_the_written_ones(project):
    records = [record(f"a{i}", spans=[DIRECT, MIXED]) for i in range(156)]
    report = do_import(project, [("in.jsonl", jsonl(*records))], layer="gold")
    assert report.incomplete_lines() == ["312 Quote spans need quote_type"]
    # Imported again: the gold layers are there, the spans are skipped and not counted.
    again = do_import(project, [("in.jsonl", jsonl(*records))], layer="gold")
    assert again.incomplete == {} and len(again.skipped) == 156
    assert not any("need" in note for note in again.notes)


def test_infer_attrs_fills_quote_type_from_the_quotation_marks(project):
    plain = quote(0, 42, id="q3")  # "The minister said …" holds a quotation: mixed
    given = quote(TEXT.index("a turning"), TEXT.index("” for"), attrs={"quote_type": "indirect"})
    report = do_import(
        project,
        [("in.jsonl", jsonl(record(spans=[DIRECT, plain, given, STANCE])))],
        layer="gold",
        options=ReadOptions(infer_attrs=True),
    )
    by_start = {s.start: s.attrs for s in Span.objects.filter(label="Quote")}
    assert by_start == {
        DIRECT["start"]: {"quote_type": "direct"},
        0: {"quote_type": "mixed"},
        given["start"]: {"quote_type": "indirect"},  # a value in the file is kept
    }
    assert report.inferred == 2
    assert report.incomplete == {("Stance", "polarity"): 1}  # only quote_type is inferred
    assert "quote_type inferred from the quotation marks for 2 spans (1 direct, 1 mixed)." in (
        report.notes
    )


def test_a_bad_span_is_reported_once_not_again_by_the_relations_naming_it(project):
    """The relation names ``s1``, which is in the file but whose text does not match: the
    import used to add "relations[0].from: 'from' names no span ('s1')"."""
    bad_source = SOURCE | {"text": "The ministry"}
    relation = {"label": "attributed_to", "from": "q1", "to": "s1"}
    held_by = {"label": "held_by", "from": "t1", "to": "s1"}
    with pytest.raises(ImportFailed) as failure:
        do_import(
            project,
            [
                (
                    "in.jsonl",
                    jsonl(
                        record(spans=[DIRECT, bad_source, STANCE], relations=[relation, held_by])
                    ),
                )
            ],
            layer="gold",
        )
    errors = failure.value.report.errors
    assert len(errors) == 1, errors
    assert errors[0].startswith("in.jsonl:1: spans[1].text: ")
    assert "names no span" not in errors[0]
    assert Article.objects.count() == 0


def test_a_relation_naming_a_span_that_is_not_in_the_file_is_still_reported(project):
    relation = {"label": "attributed_to", "from": "q1", "to": "nowhere"}
    with pytest.raises(ImportFailed) as failure:
        do_import(
            project,
            [("in.jsonl", jsonl(record(spans=[DIRECT], relations=[relation])))],
            layer="gold",
        )
    assert failure.value.report.errors == [
        "in.jsonl:1: relations[0].to: 'to' names no span of this record ('nowhere')"
    ]


def test_the_command_prints_the_counts_and_infers_with_infer_attrs(project, tmp_path):
    path = tmp_path / "in.jsonl"
    path.write_text(json.dumps(record(spans=[DIRECT, STANCE])) + "\n", encoding="utf-8")
    out = io.StringIO()
    call_command(
        "import_articles",
        str(path),
        project=project.slug,
        layer="gold",
        infer_attrs=True,
        stdout=out,
    )
    printed = out.getvalue()
    assert "1 Stance span needs polarity" in printed
    assert "quote_type inferred from the quotation marks for 1 span (1 direct)." in printed
    assert Span.objects.get(label="Quote").attrs == {"quote_type": "direct"}


def test_mark_reviewed_asks_for_what_an_imported_gold_span_lacks(project, reviewer):
    from labels.errors import Invalid
    from labels.review import decisions

    do_import(project, [("in.jsonl", jsonl(record(spans=[DIRECT, SOURCE])))], layer="gold")
    article = Article.objects.get(external_id="a1")
    gold = Annotation.objects.get(article=article, is_gold=True)
    quote_span = gold.spans.get(label="Quote")
    with pytest.raises(Invalid) as refused:
        decisions.do_mark_reviewed(article, reviewer, version=gold.version)
    (problem,) = refused.value.problems
    assert problem.field == f"spans.{quote_span.pk}.attrs.quote_type"
    assert problem.message == (
        "Quote “we are ready”: Quote spans need a quote_type: direct, indirect or mixed."
    )
    gold.refresh_from_db()
    assert gold.reviewer is None  # nothing changed
    decisions.do_edit_gold_span(
        article, reviewer, quote_span.pk, {"attrs": {"quote_type": "direct"}}, version=gold.version
    )
    gold.refresh_from_db()
    marked = decisions.do_mark_reviewed(article, reviewer, version=gold.version)
    assert (marked.status, marked.reviewer) == ("reviewed", reviewer)


def test_submit_asks_for_what_an_imported_span_lacks(project, annotator):
    """An analyst's imported layer is submitted; reopened as a draft, Submit asks again."""
    from labels.annotation.versions import check_complete
    from labels.errors import Invalid

    do_import(project, [("in.jsonl", jsonl(record(spans=[DIRECT])))], layer=annotator.username)
    layer = Annotation.objects.get(annotator=annotator)
    with pytest.raises(Invalid) as refused:
        check_complete(layer)
    assert [p.code for p in refused.value.problems] == ["required"]


def test_native_doccano_and_labelstudio_exports_say_which_spans_are_incomplete(
    project, make_project
):
    from labels.interop.exporting import prepare_export

    do_import(
        project,
        [("in.jsonl", jsonl(record(spans=[SOURCE, DIRECT, STANCE]), record("a2", spans=[SOURCE])))],
        layer="gold",
    )
    prepared = prepare_export(project, {"format": "native"})
    records = [json.loads(line) for line in b"".join(prepared).decode().splitlines()]
    first, second = records
    ids = {s["label"]: s["id"] for s in first["spans"]}
    assert first["incomplete"] == [
        {"span": ids["Quote"], "label": "Quote", "missing": ["quote_type"]},
        {"span": ids["Stance"], "label": "Stance", "missing": ["polarity"]},
    ]
    assert second["incomplete"] == []
    assert prepared.context.counts["incomplete"] == 2
    # doccano's entities and Label Studio's regions say what they lack too, and are counted.
    doccano = prepare_export(project, {"format": "doccano"})
    lines = [json.loads(line) for line in b"".join(doccano).decode().splitlines()]
    assert {e["label"]: e.get("missing") for e in lines[0]["entities"]} == {
        "Source": None,
        "Quote": ["quote_type"],
        "Stance": ["polarity"],
    }
    assert doccano.context.counts["incomplete"] == 2
    labelstudio = prepare_export(project, {"format": "labelstudio"})
    tasks = json.loads(b"".join(labelstudio))
    regions = [r for r in tasks[0]["annotations"][0]["result"] if r["type"] == "labels"]
    assert {r["value"]["labels"][0]: r.get("meta") for r in regions} == {
        "Source": None,
        "Quote": {"text": ["needs quote_type"]},
        "Stance": {"text": ["needs polarity"]},
    }
    # Label Studio's own file imports back, the spans still incomplete.
    again = make_project("again")
    report = do_import(
        again,
        [("ls.json", io.BytesIO(b"".join(prepare_export(project, {"format": "labelstudio"}))))],
        fmt="labelstudio",
        layer="gold",
    )
    assert report.incomplete == {("Quote", "quote_type"): 1, ("Stance", "polarity"): 1}


def test_the_export_command_says_how_many_spans_are_incomplete(project, tmp_path):
    do_import(project, [("in.jsonl", jsonl(record(spans=[DIRECT, MIXED])))], layer="gold")
    err = io.StringIO()
    call_command(
        "export_annotations", project=project.slug, output=str(tmp_path / "x.jsonl"), stderr=err
    )
    assert "2 span(s) lack a required attribute" in err.getvalue()


# --- the same option and report through the API, the import form and a background job --------


def doccano_line(doc_id=7):
    """A doccano 1.8 line without relations: Quote spans with no quote_type, of course."""
    start = TEXT.index("we are")
    return json.dumps(
        {"id": doc_id, "text": TEXT, "Comments": [], "label": [[start, start + 12, "Quote"]]}
    ).encode()


def test_the_api_takes_infer_attrs_and_reports_incomplete_spans(api, project, manager):
    from django.core.files.uploadedfile import SimpleUploadedFile

    url = f"/api/v1/projects/{project.slug}/imports/"
    first = api(manager).post(
        url,
        {
            "file": SimpleUploadedFile("a.jsonl", doccano_line()),
            "format": "doccano",
            "layer": "gold",
        },
        format="multipart",
    )
    assert first.status_code == 200, first.json()
    assert first.json()["incomplete"] == [
        {
            "label": "Quote",
            "attribute": "quote_type",
            "spans": 1,
            "message": "1 Quote span needs quote_type",
        }
    ]
    assert first.json()["inferred"] == 0
    second = api(manager).post(
        url,
        {
            "file": SimpleUploadedFile("a.jsonl", doccano_line(8)),
            "format": "doccano",
            "layer": "gold",
            "infer_attrs": "true",
        },
        format="multipart",
    )
    assert second.status_code == 200, second.json()
    assert (second.json()["incomplete"], second.json()["inferred"]) == ([], 1)
    assert Span.objects.get(annotation__article__external_id="8").attrs == {"quote_type": "direct"}


def test_the_import_form_has_infer_quote_type_and_shows_the_counts(client, project, manager):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(manager)
    page = client.get(f"/projects/{project.slug}/").content.decode()
    assert 'name="infer_attrs"' in page and "Infer quote_type" in page
    upload = SimpleUploadedFile("a.jsonl", doccano_line())
    shown = client.post(
        f"/projects/{project.slug}/import/", {"file": upload, "format": "doccano", "layer": "gold"}
    )
    assert shown.status_code == 200
    assert "1 Quote span needs quote_type" in shown.content.decode()
    upload = SimpleUploadedFile("a.jsonl", doccano_line(8))
    client.post(
        f"/projects/{project.slug}/import/",
        {"file": upload, "format": "doccano", "layer": "gold", "infer_attrs": "on"},
    )
    assert Span.objects.get(annotation__article__external_id="8").attrs == {"quote_type": "direct"}


def test_a_background_import_keeps_infer_attrs(project, manager):
    from labels.jobs import runs

    assert runs.import_params(
        {"format": "doccano", "layer": "gold", "partial": False, "infer_attrs": True}
    )["infer_attrs"]
    assert not runs.import_params({"format": "doccano", "layer": "gold", "partial": False})[
        "infer_attrs"
    ]


def test_suggestions_lacking_attributes_are_counted_with_what_happens_to_them(project):
    report = do_import(project, [("in.jsonl", jsonl(record(spans=[DIRECT])))], layer="suggestions")
    assert report.notes[-2:] == [
        "1 Quote span needs quote_type",
        "An analyst sets what a suggestion lacks when accepting it (the workspace asks).",
    ]
