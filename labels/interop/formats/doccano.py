"""doccano JSONL: reader (entities, relations) and writer."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from typing import IO, Any

from labels import jsonio
from labels.interop.reading import DEFAULT_OPTIONS, ReadOptions, Record, _json_lines
from labels.interop.records import Context
from labels.interop.streams import ExportRecord, _coalesce, span_refs


def write_doccano(records: Iterable[ExportRecord], context: Context) -> Iterator[bytes]:
    """doccano's JSONL with relations. Entity and relation ids run through the whole file.
    ``attrs`` (not part of doccano's format, ignored by doccano) keeps the attributes, so that
    the file imports back here without loss; a span-valued attribute names an entity id; an
    incomplete span's entity says what it lacks in ``missing`` (ignored by doccano too). The
    article's metadata are top-level fields, as doccano writes them; ``layer`` is added when
    more than the gold layer is exported, ``split`` when a split is asked for."""
    counter = {"entity": 0, "relation": 0}

    def lines():
        for record in records:
            ids: dict[str, int] = {}
            entities = []
            rel_refs = context.span_refs_by_relation
            label_refs = context.span_refs_by_label
            missing = {i["span"]: i["missing"] for i in record["incomplete"]}
            for span in record["spans"]:
                counter["entity"] += 1
                ids[span["id"]] = counter["entity"]
                entities.append(
                    {
                        "id": counter["entity"],
                        "label": span["label"],
                        "start_offset": span["start"],
                        "end_offset": span["end"],
                        "attrs": span["attrs"],
                    }
                )
                if span["id"] in missing:
                    entities[-1]["missing"] = missing[span["id"]]
            for entity, span in zip(entities, record["spans"], strict=True):
                entity["attrs"] = span_refs(span["attrs"], label_refs.get(span["label"]), ids)
            relations = []
            for rel in record["relations"]:
                counter["relation"] += 1
                attrs = span_refs(rel["attrs"], rel_refs.get(rel["label"]), ids)
                relations.append(
                    {
                        "id": counter["relation"],
                        "from_id": ids[rel["from"]],
                        "to_id": ids[rel["to"]],
                        "type": rel["label"],
                        "attrs": attrs,
                    }
                )
            row = {
                "id": record["id"],
                "text": record["text"],
                "entities": entities,
                "relations": relations,
            }
            # doccano keeps any other field as the example's metadata.
            row.update((k, v) for k, v in record["meta"].items() if k not in row)
            if context.options.layer != "gold":
                row["layer"] = record["layer"]
            if record["split"]:
                row["split"] = record["split"]
            yield jsonio.dumps_line(row)

    return _coalesce(lines())


def _doccano_entity(index: int, entity: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": entity.get("id", f"#{index}"),
        "start": entity.get("start_offset"),
        "end": entity.get("end_offset"),
        "label": entity.get("label"),
        "attrs": entity.get("attrs") or {},
    }


def _doccano_relation(index: int, rel: dict[str, Any]) -> dict[str, Any]:
    return {
        "from": rel.get("from_id"),
        "to": rel.get("to_id"),
        "label": rel.get("type"),
        "attrs": rel.get("attrs") or {},
    }


def _doccano_items(
    items: list[Any], name: str, convert: Callable[[int, dict[str, Any]], dict[str, Any]]
) -> tuple[list[Any], list[str]]:
    """The list ``name`` of a doccano line as a record's spans or relations, each object
    ``convert``-ed (anything else is kept, for the record checks to report), and where each
    stands in the line (``entities[2]``)."""
    converted = [
        convert(index, item) if isinstance(item, dict) else item for index, item in enumerate(items)
    ]
    return converted, [f"{name}[{index}]" for index in range(len(items))]


# Fields of a doccano line that are not article metadata.
_DOCCANO_KEYS = ("id", "text", "label", "entities", "relations", "Comments", "comments")


def read_doccano(
    name: str, stream: IO[bytes], options: ReadOptions = DEFAULT_OPTIONS
) -> Iterator[Record | str]:
    """doccano JSONL, either form (see the module docstring). An entity may carry an ``attrs``
    object (not part of doccano's format; our doccano export writes it) with attribute values.
    The text is ``text``, or ``data`` when there is no ``text``: doccano's exports of late
    2021 wrote ``{"id", "data", "label"}`` (doccano issues #1522 and #1605), and its
    ``ExportedExample.to_dict`` still names the text ``data`` before the export renames it."""
    for item in _json_lines(name, stream):
        if isinstance(item, str):
            yield item
            continue
        where, obj = item
        spans: list[Any] = []
        span_where: list[str] = []
        relations: list[Any] = []
        relation_where: list[str] = []
        problem = None
        if "entities" in obj:
            entities = obj["entities"]
            if not isinstance(entities, list):
                problem = '"entities" must be a list'
                entities = []
            spans, span_where = _doccano_items(entities, "entities", _doccano_entity)
            raw_relations = obj.get("relations") or []
            if not isinstance(raw_relations, list):
                problem = '"relations" must be a list'
                raw_relations = []
            relations, relation_where = _doccano_items(
                raw_relations, "relations", _doccano_relation
            )
        elif "label" in obj:
            labels = obj["label"]
            if not isinstance(labels, list):
                problem = '"label" must be a list of [start, end, label] triples'
                labels = []
            for index, triple in enumerate(labels):
                span_where.append(f"label[{index}]")
                if not (isinstance(triple, list) and len(triple) == 3):
                    problem = (
                        f"label[{index}] must be a [start, end, label] triple, not "
                        f"{json.dumps(triple, ensure_ascii=False)[:60]} (document "
                        "classification labels cannot be imported as spans)"
                    )
                    break
                spans.append({"start": triple[0], "end": triple[1], "label": triple[2]})
        if problem:
            yield f"{where}: {problem}"
            continue
        text_key = "text" if "text" in obj else "data"
        meta = {k: v for k, v in obj.items() if k not in _DOCCANO_KEYS and k != text_key}
        title = meta.pop("title", "") if isinstance(meta.get("title"), str) else ""
        yield Record(
            source=where,
            external_id=obj.get("id"),
            raw_text=obj.get(text_key),
            title=title,
            meta=meta,
            spans=spans,
            relations=relations,
            span_where=span_where,
            relation_where=relation_where,
        )
