"""Dataset export: the shared records, filters, split, the command and the API. (Each format's
writer is tested in tests/interop/formats/; the ``desk`` fixture is in tests/interop/conftest.py.)"""

from __future__ import annotations

import io
import json
import re
import zipfile
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.http import StreamingHttpResponse
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from labels.errors import ExportError, Invalid
from labels.interop.exporting import check_export_params, parse_split, prepare_export
from labels.interop.records import iter_records, split_of
from labels.models import Annotation, Article, Span
from tests.support.exports import TEXT_1, by_layer, canon, export_bytes, native

pytestmark = pytest.mark.django_db


# --- records --------------------------------------------------------------------------------


def test_gold_record_has_the_designed_shape(desk):
    records = native(desk)
    assert [(r["id"], r["layer"]) for r in records] == [("afp-1", "gold"), ("reuters-2", "gold")]
    record = records[0]
    assert list(record) == [
        "schema",
        "id",
        "project",
        "title",
        "text",
        "meta",
        "offsets",
        "layer",
        "annotation",
        "spans",
        "relations",
        "incomplete",
        "split",
    ]
    assert record["incomplete"] == []
    assert record["schema"] == {"id": "news-attribution", "version": 1}
    assert record["project"] == "desk"
    assert record["title"] == "Responses"
    assert record["meta"] == {"published": "2020-10-01", "source": "AFP", "title": "Responses"}
    assert record["text"] == canon(TEXT_1)
    assert record["offsets"]["unit"] == "codepoint"
    assert record["offsets"]["normalization"] == "NFC,LF"
    assert len(record["offsets"]["text_sha256"]) == 64
    assert record["annotation"]["annotators"] == ["ana", "ben"]
    assert record["annotation"]["status"] == "reviewed"
    assert record["annotation"]["updated_at"].endswith("Z")
    assert record["split"] is None


def test_spans_after_emoji_and_crlf_index_the_canonical_text(desk):
    record = native(desk)[0]
    text = record["text"]
    for s in record["spans"]:
        assert text[s["start"] : s["end"]] == s["text"]
    quote2 = next(s for s in record["spans"] if s["text"].startswith("Europe"))
    assert quote2["text"] == "Europe must\nact now"
    borrell = next(s for s in record["spans"] if "Borrell" in s["text"])
    assert borrell["text"] == "José Borrell"
    assert borrell["end"] - borrell["start"] == len("José Borrell")
    assert [s["id"] for s in record["spans"]] == [f"s{i}" for i in range(1, 8)]
    assert {s["provenance"] for s in record["spans"]} == {""}
    assert all(s["origin"] == "imported" for s in record["spans"])


def test_relation_ends_and_the_cue_attribute_name_exported_span_ids(desk):
    record = native(desk)[0]
    ids = {s["id"]: s for s in record["spans"]}
    attribution = record["relations"][0]
    assert attribution["id"] == "r1"
    assert ids[attribution["from"]]["text"] == "we will respond"
    assert ids[attribution["to"]]["text"] == "The spokesman"
    assert ids[attribution["attrs"]["cue"]]["text"] == "said"
    assert [r["id"] for r in record["relations"]] == ["r1", "r2", "r3"]


def test_drafts_and_skipped_are_left_out_unless_asked_for(desk):
    everything = native(desk, layer="all")
    assert ("fr-3", "ben") not in by_layer(everything)
    assert ("fr-3", "ana") not in by_layer(everything)
    asked = by_layer(native(desk, layer="annotators", status="draft,skipped"))
    assert set(asked) == {("fr-3", "ben"), ("fr-3", "ana")}
    assert asked[("fr-3", "ben")]["spans"][0]["text"] == "Reuters"
    assert asked[("fr-3", "ana")]["annotation"]["status"] == "skipped"


def test_layer_filter_and_order_gold_first_then_analysts(desk):
    layers = [(r["id"], r["layer"]) for r in native(desk, layer="all")]
    assert layers == [
        ("afp-1", "gold"),
        ("afp-1", "ana"),
        ("afp-1", "ben"),
        ("reuters-2", "gold"),
        ("reuters-2", "ana"),
    ]
    annotators = by_layer(native(desk, layer="annotators"))
    assert set(annotators) == {("afp-1", "ana"), ("afp-1", "ben"), ("reuters-2", "ana")}
    assert annotators[("afp-1", "ana")]["annotation"]["annotators"] == ["ana"]
    assert annotators[("afp-1", "ben")]["spans"] == []


def test_labels_filter_keeps_relations_between_kept_spans_and_drops_dangling_cues(desk):
    record = native(desk, labels="Quote,Source")[0]
    assert {s["label"] for s in record["spans"]} == {"Quote", "Source"}
    assert [s["id"] for s in record["spans"]] == [f"s{i}" for i in range(1, 5)]
    assert [r["label"] for r in record["relations"]] == ["attributed_to", "attributed_to"]
    assert record["relations"][0]["attrs"] == {}  # its cue was a Cue span, filtered out
    spans = {s["id"] for s in record["spans"]}
    assert all(r["from"] in spans and r["to"] in spans for r in record["relations"])


def test_since_filter_uses_the_annotations_last_change(desk):
    old = timezone.now() - timedelta(days=30)
    Annotation.objects.filter(article__external_id="afp-1").update(updated_at=old)
    since = (timezone.now() - timedelta(days=1)).isoformat()
    assert [r["id"] for r in native(desk, since=since)] == ["reuters-2"]
    assert len(native(desk, since=(old - timedelta(days=1)).date().isoformat())) == 2


def test_split_is_deterministic_and_follows_the_ratios():
    bounds = parse_split("80,10,10")
    parts = [split_of("desk", f"article-{i}", bounds) for i in range(20_000)]
    assert parts == [split_of("desk", f"article-{i}", bounds) for i in range(20_000)]
    for name, share in (("train", 0.8), ("dev", 0.1), ("test", 0.1)):
        assert abs(parts.count(name) / len(parts) - share) < 0.01
    two = parse_split("3,1")
    assert {split_of("desk", f"a{i}", two) for i in range(200)} == {"train", "test"}
    assert {split_of("desk", f"a{i}", parse_split("0,0,1")) for i in range(50)} == {"test"}


def test_split_field_is_the_same_for_every_layer_and_every_export(desk):
    first = native(desk, layer="all", split="50,25,25")
    second = native(desk, layer="all", split="50,25,25")
    assert first == second
    for record in first:
        assert record["split"] == split_of("desk", record["id"], parse_split("50,25,25"))


@pytest.mark.parametrize(
    "params, field",
    [
        ({"format": "xml"}, "format"),
        ({"layer": "mine"}, "layer"),
        ({"status": "done"}, "status"),
        ({"labels": "Quote,Speaker"}, "labels"),
        ({"since": "last week"}, "since"),
        ({"split": "80,20,x"}, "split"),
        ({"split": "1,2,3,4"}, "split"),
        ({"split": "-1,2"}, "split"),
        ({"split": "0,0"}, "split"),
        ({"lang": "english"}, "lang"),
        ({"page": "2"}, "page"),
        ({"format": ["native", "hf"]}, "format"),
    ],
)
def test_bad_parameters_are_refused_naming_the_parameter(project, params, field):
    with pytest.raises(Invalid) as caught:
        check_export_params(project, params)
    assert [p.field for p in caught.value.problems] == [field]


def test_a_language_spacy_cannot_load_is_refused_before_streaming(project):
    with pytest.raises(Invalid) as caught:
        prepare_export(project, {"format": "hf", "lang": "qq"})
    assert caught.value.problems[0].field == "lang"


def test_a_corrupted_span_stops_the_export_naming_article_and_span(desk):
    quote = Span.objects.get(
        annotation__is_gold=True, annotation__article__external_id="reuters-2", label="Quote"
    )
    with connection.cursor() as cursor:
        cursor.execute("UPDATE labels_span SET text = %s WHERE id = %s", ["it compile", quote.pk])
    for fmt in ("native", "brat", "conll"):
        with pytest.raises(ExportError) as caught:
            export_bytes(desk, format=fmt)
        assert "'reuters-2'" in str(caught.value)
        assert f"span {quote.pk}" in str(caught.value)


def test_queries_per_chunk_do_not_grow_with_the_articles(project, annotator):
    def make(n, start):
        articles = Article.objects.bulk_create(
            [
                Article(
                    project=project,
                    external_id=f"bulk-{start + i}",
                    text="Ana said “yes”.",
                    text_sha256="x" * 64,
                )
                for i in range(n)
            ]
        )
        golds = Annotation.objects.bulk_create(
            [Annotation(article=a, is_gold=True, status="reviewed") for a in articles]
            + [Annotation(article=a, annotator=annotator, status="submitted") for a in articles]
        )
        Span.objects.bulk_create(
            [Span(annotation=g, label="Source", start=0, end=3, text="Ana") for g in golds]
        )

    def count(chunk_size):
        options = check_export_params(project, {"layer": "all"})
        with CaptureQueriesContext(connection) as ctx:
            records = list(iter_records(project, options, chunk_size=chunk_size))
        return len(records), len(ctx.captured_queries)

    make(10, 0)
    # One chunk: SchemaVersion, the article cursor, then annotations, spans, relations and
    # the analysts behind gold.
    assert count(100) == (20, 6)
    make(40, 10)
    assert count(100) == (100, 6)
    # Chunks of 10 articles: the same four queries per chunk, 5 chunks.
    assert count(10) == (100, 2 + 4 * 5)


# --- command --------------------------------------------------------------------------------


def test_command_writes_the_file_atomically(desk, tmp_path):
    out = tmp_path / "gold.jsonl"
    call_command("export_annotations", "--project", "desk", "-o", str(out), "--split", "80,10,10")
    lines = out.read_text(encoding="utf-8").splitlines()
    assert [json.loads(x)["id"] for x in lines] == ["afp-1", "reuters-2"]
    assert list(tmp_path.iterdir()) == [out]


def test_command_writes_to_stdout_for_piping(desk):
    buffer = io.BytesIO()
    stdout = io.TextIOWrapper(buffer, encoding="utf-8")
    call_command("export_annotations", "--project", "desk", "--format", "conll", stdout=stdout)
    stdout.flush()
    assert buffer.getvalue().decode().startswith("# id = afp-1\n")


def test_command_leaves_no_file_when_the_export_fails(desk, tmp_path):
    Span.objects.filter(label="Cue").update(text="say")
    out = tmp_path / "gold.jsonl"
    with pytest.raises(CommandError, match="afp-1"):
        call_command("export_annotations", "--project", "desk", "-o", str(out))
    assert list(tmp_path.iterdir()) == []


def test_command_reports_bad_parameters(desk):
    with pytest.raises(CommandError, match="split"):
        call_command("export_annotations", "--project", "desk", "--split", "a,b")
    with pytest.raises(CommandError, match="No project"):
        call_command("export_annotations", "--project", "nope")


# --- API and page ---------------------------------------------------------------------------


def url(slug="desk", **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return f"/api/v1/projects/{slug}/export/" + (f"?{query}" if query else "")


@pytest.mark.parametrize("who", ["manager", "reviewer"])
def test_managers_and_reviewers_download_a_stream(api, desk, request, who):
    response = api(request.getfixturevalue(who)).get(url(format="native", layer="all"))
    assert response.status_code == 200
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "application/x-ndjson; charset=utf-8"
    assert re.fullmatch(
        r'attachment; filename="desk-all-native-\d{8}-\d{6}\.jsonl"',
        response["Content-Disposition"],
    )
    body = b"".join(response.streaming_content).decode()
    assert len(body.splitlines()) == 5


def test_api_streams_zip_formats(api, desk, manager):
    response = api(manager).get(url(format="brat"))
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert "gold/afp-1.ann" in archive.namelist()


def test_annotators_get_403_and_outsiders_404(api, desk, annotator, outsider, other_project):
    assert api(annotator).get(url()).status_code == 403
    assert api(outsider).get(url()).status_code == 404
    assert api(outsider).get(url("nope")).status_code == 404
    assert api().get(url()).status_code in (401, 403)


def test_bad_parameters_are_400_before_streaming(api, desk, manager):
    response = api(manager).get(url(format="native", split="80,x", status="done"))
    assert response.status_code == 400
    assert not isinstance(response, StreamingHttpResponse)
    assert {e["field"] for e in response.json()["errors"]} == {"split", "status"}


def test_project_page_offers_the_export_form_to_staff_only(client, desk, manager, annotator):
    client.force_login(manager)
    page = client.get("/projects/desk/").content.decode()
    assert 'action="/projects/desk/export/"' in page  # the page's download (errors in the page)
    client.force_login(annotator)
    page = client.get("/projects/desk/").content.decode()
    assert "/export/" not in page


# --- numbers, and a failure half-way: never a clean, shorter export -------------------------


BOUNDARY_META = {"big": 2**64 - 1, "small": -(2**63), "huge": 1.5e300, "tiny": 5e-324, "r": 0.1}


def test_the_numbers_an_import_accepts_come_back_exactly_in_every_json_format(project):
    from tests.support.exports import gold_record, load

    load(project, "gold", gold_record() | {"meta": BOUNDARY_META})
    (record,) = native(project)
    assert record["meta"] == BOUNDARY_META | {"title": "Responses"}
    (row,) = [json.loads(line) for line in export_bytes(project, format="doccano").splitlines()]
    assert {k: row[k] for k in BOUNDARY_META} == BOUNDARY_META
    (task,) = json.loads(export_bytes(project, format="labelstudio"))
    assert {k: task["data"][k] for k in BOUNDARY_META} == BOUNDARY_META


def test_a_long_integer_stored_before_the_import_rules_is_exported_exactly(desk):
    """A meta holding a 400-digit integer (accepted by imports before they refused it) stopped
    the native, doccano and brat exports at its article, without a word."""
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE labels_article SET meta = %s::jsonb WHERE external_id = 'afp-1'",
            ['{"n": 1' + "0" * 399 + "}"],
        )
    records = native(desk)
    assert [r["id"] for r in records] == ["afp-1", "reuters-2"]
    assert records[0]["meta"]["n"] == 10**399
    rows = [json.loads(line) for line in export_bytes(desk, format="doccano").splitlines()]
    assert [r["id"] for r in rows] == ["afp-1", "reuters-2"] and rows[0]["n"] == 10**399
    archive = zipfile.ZipFile(io.BytesIO(export_bytes(desk, format="brat")))
    assert {"gold/afp-1.ann", "gold/reuters-2.ann"} <= set(archive.namelist())


def failing_on_the_second_record(monkeypatch):
    from labels.interop import exporting

    real = exporting.iter_records

    def records(*args, **kwargs):
        source = real(*args, **kwargs)
        yield next(source)
        source.close()
        raise RuntimeError("the replica went away")

    monkeypatch.setattr(exporting, "iter_records", records)


def drain(response) -> tuple[bytes, BaseException | None]:
    """The streamed body as a client reads it: what arrived, and the failure that ended it."""
    received = []
    try:
        for chunk in response.streaming_content:
            received.append(chunk)
    except Exception as exc:
        return b"".join(received), exc
    return b"".join(received), None


@pytest.mark.parametrize("fmt", ["native", "doccano"])
def test_an_exporter_failing_half_way_ends_the_stream_with_an_error_line_and_aborts(
    api, desk, manager, monkeypatch, caplog, fmt
):
    failing_on_the_second_record(monkeypatch)
    response = api(manager).get(url(format=fmt))
    assert response.status_code == 200  # sent before the failure
    body, failure = drain(response)
    lines = [json.loads(line) for line in body.decode().splitlines()]
    assert lines[0]["id"] == "afp-1"
    assert set(lines[-1]) == {"error"} and lines[-1]["error"]["code"] == "export_failed"
    assert "not all of it" in lines[-1]["error"]["message"]
    assert "replica" not in lines[-1]["error"]["message"]  # details stay in the log
    assert len(lines) == 2
    assert isinstance(failure, RuntimeError)  # the transfer is aborted too
    assert "export of desk" in caplog.text and "replica went away" in caplog.text


@pytest.mark.parametrize("fmt", ["brat", "labelstudio"])
def test_an_exporter_failing_half_way_in_other_formats_aborts_the_stream(
    api, desk, manager, monkeypatch, fmt
):
    failing_on_the_second_record(monkeypatch)
    body, failure = drain(api(manager).get(url(format=fmt)))
    assert isinstance(failure, RuntimeError)
    with pytest.raises((zipfile.BadZipFile, ValueError)):
        zipfile.ZipFile(io.BytesIO(body)) if fmt == "brat" else json.loads(body)


def test_an_export_error_names_the_span_in_the_last_line(desk):
    Span.objects.filter(label="Cue", annotation__article__external_id="reuters-2").update(
        text="said"
    )
    received = []
    with pytest.raises(ExportError):
        for chunk in prepare_export(desk, {"format": "native"}):
            received.append(chunk)
    lines = b"".join(received).decode().splitlines()
    assert json.loads(lines[0])["id"] == "afp-1"
    assert "'reuters-2'" in json.loads(lines[-1])["error"]["message"]


@pytest.mark.parametrize(
    "since", ["2026-01-01T00:00:00+16:00", "2026-01-01T00:00:00-16:00", "2026-01-01T00:00+23:59"]
)
def test_since_with_an_offset_postgresql_cannot_store_is_refused(project, since):
    with pytest.raises(Invalid) as caught:
        check_export_params(project, {"since": since})
    assert [(p.field, p.code) for p in caught.value.problems] == [("since", "invalid")]
    assert "offset" in caught.value.problems[0].message


@pytest.mark.parametrize("since", ["2026-01-01T00:00:00+14:00", "2026-01-01T00:00:00-12:00"])
def test_since_with_any_real_offset_is_read(desk, since):
    assert check_export_params(desk, {"since": since}).since is not None
    native(desk, since=since)  # PostgreSQL takes it
