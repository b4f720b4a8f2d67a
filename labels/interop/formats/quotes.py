"""The ``quotes`` export: one JSON line per attribution, the dataset speaker-aware models
train on.

An attribution is an ``attributed_to`` relation from a Quote or Claim to a Source. Each line::

    {"article_id", "date", "layer", "quote": {"text", "start", "end", "label"}, "quote_type",
     "speaker": {"id", "name", "wikidata_id"} | null, "source": {"text", "start", "end"},
     "cue": {"text", "start", "end"} | null}

Offsets are code points into the article text of the native export; every text is checked
against them again here (``ExportError`` rather than a wrong line). Speakers are named from the
project's registry, read once (``labels.speakers.transfer.RegistryLookup``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from labels import jsonio
from labels.errors import ExportError
from labels.interop.records import Context
from labels.interop.streams import ExportRecord, _coalesce
from labels.speakers.quotes import ATTRIBUTION
from labels.speakers.transfer import RegistryLookup


def _part(record: ExportRecord, span: dict[str, Any], keys=("text", "start", "end")) -> dict:
    text = record["text"]
    if text[span["start"] : span["end"]] != span["text"]:
        raise ExportError(
            f"Article {record['id']}, span {span['id']}: its text is not the article's text at "
            f"[{span['start']}, {span['end']})."
        )
    return {k: span[k] for k in keys}


def quote_lines(record: ExportRecord, speakers: RegistryLookup) -> Iterator[dict[str, Any]]:
    spans = {s["id"]: s for s in record["spans"]}
    meta = record.get("meta") or {}
    for relation in record["relations"]:
        if relation["label"] != ATTRIBUTION:
            continue
        quote, source = spans.get(relation["from"]), spans.get(relation["to"])
        if quote is None or source is None:
            continue
        cue = spans.get(relation["attrs"].get("cue"))
        speaker = speakers.get(source["attrs"].get("speaker"))
        yield {
            "article_id": record["id"],
            "date": meta.get("published") if isinstance(meta.get("published"), str) else None,
            "layer": record["layer"],
            "quote": _part(record, quote, ("text", "start", "end", "label")),
            "quote_type": quote["attrs"].get("quote_type"),
            "speaker": (
                {"id": speaker.pk, "name": speaker.name, "wikidata_id": speaker.wikidata_id or None}
                if speaker is not None
                else None
            ),
            "source": _part(record, source),
            "cue": _part(record, cue) if cue is not None else None,
        }


def write_quotes(records: Iterable[ExportRecord], context: Context) -> Iterator[bytes]:
    speakers = RegistryLookup(context.project)
    return _coalesce(
        jsonio.dumps_line(line) for record in records for line in quote_lines(record, speakers)
    )
