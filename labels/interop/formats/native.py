"""The native JSONL format (DESIGN.md §5): reader and writer."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import IO

from labels import jsonio
from labels.interop.reading import DEFAULT_OPTIONS, ReadOptions, Record, _json_lines
from labels.interop.records import Context
from labels.interop.streams import ExportRecord, _coalesce
from labels.speakers.transfer import RegistryLookup

# ---------------------------------------------------------------------------------------------
# Line formats


def write_native(records: Iterable[ExportRecord], context: Context) -> Iterator[bytes]:
    """One line per record; a record whose spans link to speakers lists those registry
    entries under ``speakers`` (``{"id", "name", "kind", "aliases", "wikidata_id",
    "description"}``), so the file says who its speaker ids are."""
    lookup = RegistryLookup(context.project)
    return _coalesce(jsonio.dumps_line(_with_speakers(r, lookup)) for r in records)


def _with_speakers(record: ExportRecord, lookup: RegistryLookup) -> ExportRecord:
    ids = sorted(
        {
            value
            for span in record.get("spans", [])
            for key, value in span.get("attrs", {}).items()
            if key == "speaker" and isinstance(value, int)
        }
    )
    entries = [e for e in (lookup.entry(i) for i in ids) if e is not None]
    return {**record, "speakers": entries} if entries else record


def read_native(
    name: str, stream: IO[bytes], options: ReadOptions = DEFAULT_OPTIONS
) -> Iterator[Record | str]:
    """Native JSONL (DESIGN.md §5): one JSON object per line with ``id``, ``text`` and optional
    ``title``, ``meta``, ``spans``, ``relations``. Blank lines are ignored."""
    for item in _json_lines(name, stream):
        if isinstance(item, str):
            yield item
            continue
        where, obj = item
        meta = obj.get("meta", {})
        title = obj.get("title", "")
        if title == "" and isinstance(meta, dict) and isinstance(meta.get("title"), str):
            title = meta["title"]
        yield Record(
            source=where,
            external_id=obj.get("id", ""),
            raw_text=obj.get("text"),
            title=title,
            meta=meta,
            spans=obj.get("spans") or [],
            relations=obj.get("relations") or [],
            speakers=obj.get("speakers"),
        )
