"""Helpers of the export tests: the records the desk is loaded from, and the export read back."""

from __future__ import annotations

import json
import unicodedata

from labels.interop.exporting import prepare_export
from labels.interop.importing import do_import
from tests.support.imports import jsonl

# Raw texts as a newsroom system would send them: CRLF line ends, a decomposed "é" (NFC makes
# it one code point), emoji, a flag, a ZWJ sequence. Spans are given on the raw text.
TEXT_1 = (
    "😀 The spokesman said “we will respond” on Tuesday.\r\n"
    "Jose\u0301 Borrell 🇺🇦 told AFP: «Europe must\r\nact now»."
)
TEXT_2 = "👨‍💻 The engineer said “it compiles”, according to 👍🏿 Reuters."
TEXT_3 = "Il a dit « non », selon Reuters."


def canon(raw: str) -> str:
    return unicodedata.normalize("NFC", raw.replace("\r\n", "\n"))


def span(sid, raw, label, needle, attrs=None, occurrence=0):
    start = -1
    for _ in range(occurrence + 1):
        start = raw.index(needle, start + 1)
    return {
        "id": sid,
        "label": label,
        "start": start,
        "end": start + len(needle),
        "text": needle,
        "attrs": attrs or {},
    }


def gold_record():
    return {
        "id": "afp-1",
        "title": "Responses",
        "meta": {"published": "2020-10-01", "source": "AFP"},
        "text": TEXT_1,
        "spans": [
            span("q", TEXT_1, "Quote", "we will respond", {"quote_type": "direct"}),
            span("s", TEXT_1, "Source", "The spokesman", {"source_type": "person"}),
            span("c", TEXT_1, "Cue", "said"),
            span("q2", TEXT_1, "Quote", "Europe must\r\nact now", {"quote_type": "direct"}),
            span("s2", TEXT_1, "Source", "Jose\u0301 Borrell", {"source_type": "government"}),
            span("cl", TEXT_1, "Claim", "will respond", {"checkworthy": "yes"}),
            span(
                "st",
                TEXT_1,
                "Stance",
                "must\r\nact",
                {"polarity": "favor", "target": "acting now"},
            ),
        ],
        "relations": [
            {"label": "attributed_to", "from": "q", "to": "s", "attrs": {"cue": "c"}},
            {"label": "attributed_to", "from": "q2", "to": "s2", "attrs": {}},
            {"label": "toward", "from": "st", "to": "cl", "attrs": {}},
        ],
    }


def annotator_record():
    return {
        "id": "afp-1",
        "text": TEXT_1,
        "spans": [
            span("q", TEXT_1, "Quote", "we will respond", {"quote_type": "indirect"}),
            span("s", TEXT_1, "Source", "spokesman"),
        ],
        "relations": [{"label": "attributed_to", "from": "q", "to": "s"}],
    }


def second_article(layer_quote_type="direct"):
    return {
        "id": "reuters-2",
        "text": TEXT_2,
        "spans": [
            span("q", TEXT_2, "Quote", "it compiles", {"quote_type": layer_quote_type}),
            span("c", TEXT_2, "Cue", "according to"),
            span("s", TEXT_2, "Source", "Reuters", {"source_type": "news_agency"}),
            span("e", TEXT_2, "Source", "The engineer", {"source_type": "person"}),
        ],
        "relations": [{"label": "relayed_by", "from": "q", "to": "s"}],
    }


def load(project, layer, *records):
    report = do_import(project, [("in.jsonl", jsonl(*records))], layer=layer)
    assert not report.errors, report.errors
    return report


def export_bytes(project, **params) -> bytes:
    return b"".join(prepare_export(project, params))


def native(project, **params) -> list[dict]:
    data = export_bytes(project, format="native", **params).decode()
    return [json.loads(line) for line in data.splitlines()]


def by_layer(records):
    return {(r["id"], r["layer"]): r for r in records}


def normalized(records) -> dict:
    """Records without ids, timestamps and statuses: spans by (label, start, end), relations by
    their ends, span-valued attributes resolved to the span they name."""
    out = {}
    for r in records:
        key_of = {s["id"]: (s["label"], s["start"], s["end"]) for s in r["spans"]}
        out[(r["id"], r["layer"])] = {
            "text": r["text"],
            "title": r["title"],
            "meta": r["meta"],
            "spans": sorted(
                (
                    s["label"],
                    s["start"],
                    s["end"],
                    s["text"],
                    json.dumps(s["attrs"], sort_keys=True),
                    s.get("provenance", ""),
                )
                for s in r["spans"]
            ),
            "relations": sorted(
                (
                    rel["label"],
                    key_of[rel["from"]],
                    key_of[rel["to"]],
                    {k: key_of.get(v, v) for k, v in rel["attrs"].items()},
                )
                for rel in r["relations"]
            ),
        }
    return out
