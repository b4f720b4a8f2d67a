"""brat standoff: ``.txt``/``.ann`` pairs and ``annotation.conf`` in a zip archive (writer)."""

from __future__ import annotations

import hashlib
import re
import zipfile
from collections.abc import Iterable, Iterator

from labels.errors import ExportError
from labels.interop.records import Context
from labels.interop.streams import (
    ExportRecord,
    _coalesce,
    _Sink,
    _zip_entry,
    attribute_kinds,
    one_line,
    span_refs,
)

_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]")


def _file_stem(external_id: str) -> str:
    """A file name for an article id: the id itself when it is plain, else a cleaned form with
    a short hash of the id, so two different ids never share a file."""
    cleaned = _SAFE_NAME.sub("_", external_id)[:100]
    if cleaned == external_id and not external_id.startswith("."):
        return external_id
    return f"{cleaned.lstrip('.')}-{hashlib.sha256(external_id.encode()).hexdigest()[:8]}"


def _brat_name(name: str) -> str:
    return re.sub(r"\s", "_", name)


def _brat_conf(context: Context) -> str:
    schema = context.schemas[0]
    lines = ["[entities]", *(_brat_name(label) for label in context.labels), "", "[relations]"]
    for relation in schema.get("relations", []):
        lines.append(
            f"{_brat_name(relation['name'])}\tArg1:{'|'.join(map(_brat_name, relation['from']))},"
            f" Arg2:{'|'.join(map(_brat_name, relation['to']))}"
        )
    lines += ["<OVERLAP>\tArg1:<ENTITY>, Arg2:<ENTITY>, <OVL-TYPE>:<ANY>", "", "[events]", ""]
    lines.append("[attributes]")
    attributes: dict[str, dict[str, list[str]]] = {}
    for label in schema.get("span_labels", []):
        for attribute in label.get("attributes", []):
            if attribute["type"] not in ("choice", "boolean"):
                continue
            entry = attributes.setdefault(_brat_name(attribute["name"]), {"args": [], "values": []})
            entry["args"].append(_brat_name(label["name"]))
            for choice in attribute.get("choices", []):
                if _brat_name(choice) not in entry["values"]:
                    entry["values"].append(_brat_name(choice))
    for name, entry in attributes.items():
        line = f"{name}\tArg:{'|'.join(entry['args'])}"
        if entry["values"]:
            line += f", Value:{'|'.join(entry['values'])}"
        lines.append(line)
    return "\n".join(lines) + "\n"


def _brat_fragments(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """A span as brat fragments: brat keeps a text-bound annotation on one line, so a span that
    crosses line breaks becomes the pieces between them."""
    fragments = []
    at = start
    for piece in text[start:end].split("\n"):
        if piece:
            fragments.append((at, at + len(piece)))
        at += len(piece) + 1
    return fragments or [(start, end)]


def brat_ann(record: ExportRecord, kinds: dict[tuple[str, str], str], context: Context) -> str:
    """The .ann file of one record (see docs/export.md for what maps to what)."""
    text = record["text"]
    lines: list[str] = []
    t_ids: dict[str, str] = {}
    attribute_n = note_n = 0
    for n, span in enumerate(record["spans"], start=1):
        t_id = f"T{n}"
        t_ids[span["id"]] = t_id
        fragments = _brat_fragments(text, span["start"], span["end"])
        shown = " ".join(text[s:e] for s, e in fragments)
        if "".join(text[s:e] for s, e in fragments) != span["text"].replace("\n", ""):
            raise ExportError(f"Article {record['id']!r}: brat fragments of {span['id']} differ.")
        where = ";".join(f"{s} {e}" for s, e in fragments)
        lines.append(f"{t_id}\t{_brat_name(span['label'])} {where}\t{one_line(shown)}")
    for span in record["spans"]:
        t_id = t_ids[span["id"]]
        for name, value in span["attrs"].items():
            kind = kinds.get((span["label"], name))
            if kind == "choice":
                attribute_n += 1
                lines.append(f"A{attribute_n}\t{_brat_name(name)} {t_id} {_brat_name(value)}")
            elif kind == "boolean":
                if value:
                    attribute_n += 1
                    lines.append(f"A{attribute_n}\t{_brat_name(name)} {t_id}")
            else:
                note_n += 1
                noted = span_refs(
                    {name: value}, context.span_refs_by_label.get(span["label"]), t_ids
                )
                lines.append(
                    f"#{note_n}\tAnnotatorNotes {t_id}\t{name}={one_line(str(noted[name]))}"
                )
    for n, rel in enumerate(record["relations"], start=1):
        r_id = f"R{n}"
        lines.append(
            f"{r_id}\t{_brat_name(rel['label'])} Arg1:{t_ids[rel['from']]} Arg2:{t_ids[rel['to']]}"
        )
        noted = span_refs(rel["attrs"], context.span_refs_by_relation.get(rel["label"]), t_ids)
        for name, value in noted.items():
            note_n += 1
            lines.append(f"#{note_n}\tAnnotatorNotes {r_id}\t{name}={one_line(str(value))}")
    return "\n".join(lines) + ("\n" if lines else "")


def write_brat(records: Iterable[ExportRecord], context: Context) -> Iterator[bytes]:
    """A zip of brat standoff: ``annotation.conf`` at the top, then per record
    ``[<split>/]<layer>/<id>.txt`` and ``.ann``."""
    kinds = attribute_kinds(context.schemas)

    def archive():
        sink = _Sink()
        with zipfile.ZipFile(sink, "w") as zf:
            zf.writestr(_zip_entry("annotation.conf", context), _brat_conf(context))
            yield sink.drain()
            for record in records:
                folder = f"{record['split']}/" if record["split"] else ""
                stem = f"{folder}{_file_stem(record['layer'])}/{_file_stem(record['id'])}"
                zf.writestr(_zip_entry(f"{stem}.txt", context), record["text"].encode())
                zf.writestr(
                    _zip_entry(f"{stem}.ann", context), brat_ann(record, kinds, context).encode()
                )
                yield sink.drain()
        yield sink.drain()

    return _coalesce(archive())
