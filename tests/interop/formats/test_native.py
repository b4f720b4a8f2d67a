"""labels.interop.formats.native: reading the native JSONL (astral offsets, re-imports, NUL, spans
without a layer) and the round trip: a native export imports into a new project and exports the
same."""

from __future__ import annotations

import io
import json

import pytest

from labels.errors import ImportFailed
from labels.interop.importing import do_import
from labels.models import Article, Span
from tests.support.exports import load, native, normalized
from tests.support.imports import assert_offsets_hold

pytestmark = pytest.mark.django_db


# --- reading ---------------------------------------------------------------------------------


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


# --- round trip ------------------------------------------------------------------------------


def test_native_export_imports_into_a_new_project_and_exports_the_same(desk, make_project, manager):
    first = native(desk, layer="all")
    copy = make_project("desk-copy", members={manager: "manager"})
    for layer in dict.fromkeys(r["layer"] for r in first):
        lines = [r for r in first if r["layer"] == layer]
        load(copy, layer, *lines)
    second = native(copy, layer="all")
    # The importer makes no layer from a record without spans (ben's empty afp-1 layer); every
    # layer with spans comes back the same.
    assert ("afp-1", "ben") not in normalized(second)
    assert normalized(second) == {
        key: value for key, value in normalized(first).items() if value["spans"]
    }
    # Astral characters, CRLF-origin text and the decomposed é all survived.
    assert "🇺🇦" in second[0]["text"] and "\r" not in second[0]["text"]
    assert any(s["text"] == "José Borrell" for s in second[0]["spans"])
    attribution = second[0]["relations"][0]
    assert attribution["attrs"]["cue"] in {s["id"] for s in second[0]["spans"]}
