"""Readers of import files: each turns one file into ``Record``s, one per article, in the shape
of the native format, without touching the database. ``labels.importing`` checks and writes them.

A reader yields a ``Record``, a ``str`` (a problem, already prefixed ``file:line: ``, that stops
that record) or a ``Note`` (something worth telling that is not a problem). Line numbers are
those of the file as given, counting from 1; for a JSON array (Label Studio) they are the lines
where each task starts.

Offsets in every format are Unicode code points into the text *as given* (``Record.raw_text``);
``labels.importing`` maps them onto the canonical text (LF, NFC).

- ``native``: JSONL, DESIGN.md §5.
- ``text``: one article per file, its id the file name without extension.
- ``csv``: RFC 4180 with a header row; the text, id and title columns are chosen by name, every
  other column goes into ``meta``.
- ``doccano``: doccano's JSONL, sequence labelling (``"label": [[start, end, "LABEL"], …]``) or
  with relations (``"entities": [{id, start_offset, end_offset, label}]``, ``"relations":
  [{id, from_id, to_id, type}]``). doccano is written in Python and counts offsets in code
  points (``len(str)``), as we do.
- ``labelstudio``: Label Studio's JSON export, an array of tasks (see ``read_labelstudio``).

Records without an id (doccano and Label Studio files often have none, CSV may not) get one from
their text: ``text-`` and the first 16 hex digits of the sha256 of the canonical text, so
importing the same file twice still never duplicates an article.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import orjson

IMPORT_FORMATS = ("native", "text", "csv", "doccano", "labelstudio")

_DATE_LINE = re.compile(r"\A\s*date\s+(\d{4}-\d{2}-\d{2})[ \t]*\n?[ \t]*")
# Fields of a doccano line that are not article metadata.
_DOCCANO_KEYS = ("id", "text", "label", "entities", "relations", "Comments", "comments")


@dataclass
class Record:
    """One article as read from a file, before any check against the schema or the database.

    ``external_id`` None means "derive it from the text". ``span_where``/``relation_where``, when
    given, name each span/relation as the file does (``entities[2]``) for messages.
    """

    source: str  # "file:line" for messages
    external_id: Any
    raw_text: Any
    title: Any = ""
    meta: Any = field(default_factory=dict)
    spans: Any = field(default_factory=list)
    relations: Any = field(default_factory=list)
    span_where: list[str] | None = None
    relation_where: list[str] | None = None


@dataclass(frozen=True)
class Note:
    message: str


@dataclass(frozen=True)
class ReadOptions:
    """Per-format options. CSV columns left as None default to ``text``, ``id`` (or ids from
    the text when there is no such column) and ``title`` (when there is one).
    ``prefer_predictions``: Label Studio predictions rather than annotations (the suggestions
    layer)."""

    text_column: str | None = None
    id_column: str | None = None
    title_column: str | None = None
    prefer_predictions: bool = False


DEFAULT_OPTIONS = ReadOptions()


def _decode_lines(name: str, stream: IO[bytes]) -> Iterator[tuple[str, str | None, str | None]]:
    """(where, line, problem) for each line of a UTF-8 file; a BOM on the first line is dropped."""
    for number, raw_line in enumerate(stream, start=1):
        where = f"{name}:{number}"
        try:
            line = raw_line.decode("utf-8") if isinstance(raw_line, bytes) else raw_line
        except UnicodeDecodeError as exc:
            yield where, None, f"{where}: not valid UTF-8 ({exc.reason} at byte {exc.start})"
            continue
        if number == 1:
            line = line.removeprefix("\ufeff")
        yield where, line, None


def _loads(line: str) -> Any:
    """``json.loads``, through orjson (several times faster on a large file) whenever orjson
    accepts the line; what it refuses (integers beyond 64 bits, NaN, lone surrogates, bad
    JSON) goes to ``json.loads``, which gives the same objects or the error message."""
    try:
        return orjson.loads(line)
    except orjson.JSONDecodeError:
        return json.loads(line)


def _json_lines(name: str, stream: IO[bytes]) -> Iterator[tuple[str, Any] | str]:
    """(where, object) for each non-blank line of a JSONL file, or a problem string."""
    for where, line, problem in _decode_lines(name, stream):
        if problem:
            yield problem
            continue
        assert line is not None
        if not line.strip():
            continue
        try:
            obj = _loads(line)
        except json.JSONDecodeError as exc:
            yield f"{where}: not valid JSON ({exc.msg} at column {exc.colno})"
            continue
        except RecursionError:
            yield f"{where}: the JSON is nested too deeply"
            continue
        if not isinstance(obj, dict):
            yield f"{where}: each line must be a JSON object"
            continue
        yield where, obj


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
        )


def read_text(
    name: str, stream: IO[bytes], options: ReadOptions = DEFAULT_OPTIONS
) -> Iterator[Record | str]:
    """Plain text: the whole file is one article whose id is the file name without extension.
    A first line ``date YYYY-MM-DD`` becomes ``meta.published`` and is not part of the text."""
    data = stream.read()
    try:
        text = data.decode("utf-8-sig") if isinstance(data, bytes) else data
    except UnicodeDecodeError as exc:
        yield f"{name}:1: not valid UTF-8 ({exc.reason} at byte {exc.start})"
        return
    meta: dict[str, Any] = {}
    match = _DATE_LINE.match(text)
    if match:
        meta["published"] = match.group(1)
        text = text[match.end() :]
    yield Record(
        source=f"{name}:1",
        external_id=Path(name).stem,
        raw_text=text.strip(),
        meta=meta,
    )


def read_csv(
    name: str, stream: IO[bytes], options: ReadOptions = DEFAULT_OPTIONS
) -> Iterator[Record | str | Note]:
    """CSV (RFC 4180, read by the ``csv`` module): a header row, then one article per row.
    Quoted fields may hold line breaks and commas; a row's line is the line it starts on."""
    # Article texts are longer than the csv module's default field limit (128 KiB); the upload
    # size limit bounds them instead.
    csv.field_size_limit(max(csv.field_size_limit(), 2**31 - 1))
    text_stream = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
    try:
        yield from _csv_records(name, csv.reader(text_stream), options)
    finally:
        text_stream.detach()  # the caller owns (and closes) the binary stream


def _csv_records(name: str, reader, options: ReadOptions) -> Iterator[Record | str | Note]:
    try:
        header = next(reader, None)
    except (csv.Error, UnicodeDecodeError) as exc:
        yield f"{name}:1: {_csv_problem(exc)}"
        return
    if not header:
        yield f"{name}:1: the file is empty; a CSV import needs a header row naming its columns"
        return
    columns = [c.strip() for c in header]
    shown = ", ".join(repr(c) for c in columns)

    def column(chosen: str | None, default: str, what: str, required: bool) -> int | None | str:
        wanted = chosen if chosen is not None else default
        if wanted in columns:
            return columns.index(wanted)
        if chosen is None and not required:
            return None
        return f"{name}:1: there is no {what} column {wanted!r}; the columns are {shown}"

    text_at = column(options.text_column, "text", "text", True)
    id_at = column(options.id_column, "id", "id", False)
    title_at = column(options.title_column, "title", "title", False)
    for found in (text_at, id_at, title_at):
        if isinstance(found, str):
            yield found
            return
    assert isinstance(text_at, int)
    used = {i for i in (text_at, id_at, title_at) if isinstance(i, int)}
    if id_at is None:
        yield Note(
            f"{name}: there is no 'id' column; each article's id is made from its text "
            "(choose an id column to keep your own ids)"
        )
    while True:
        line = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except (csv.Error, UnicodeDecodeError) as exc:
            yield f"{name}:{line}: {_csv_problem(exc)}"
            return
        where = f"{name}:{line}"
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(columns):
            yield (
                f"{where}: the row has {len(row)} field(s) but the header has {len(columns)}; "
                "quote fields that contain commas or line breaks"
            )
            continue
        yield Record(
            source=where,
            external_id=row[id_at] if isinstance(id_at, int) else None,
            raw_text=row[text_at],
            title=row[title_at] if isinstance(title_at, int) else "",
            meta={columns[i]: row[i] for i in range(len(columns)) if i not in used and columns[i]},
        )


def _csv_problem(exc: Exception) -> str:
    if isinstance(exc, UnicodeDecodeError):
        return f"not valid UTF-8 ({exc.reason} at byte {exc.start})"
    return f"not valid CSV ({exc})"


def read_doccano(
    name: str, stream: IO[bytes], options: ReadOptions = DEFAULT_OPTIONS
) -> Iterator[Record | str]:
    """doccano JSONL, either form (see the module docstring). An entity may carry an ``attrs``
    object (not part of doccano's format; our doccano export writes it) with attribute values."""
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
            for index, entity in enumerate(entities):
                span_where.append(f"entities[{index}]")
                if not isinstance(entity, dict):
                    spans.append(entity)
                    continue
                spans.append(
                    {
                        "id": entity.get("id", f"#{index}"),
                        "start": entity.get("start_offset"),
                        "end": entity.get("end_offset"),
                        "label": entity.get("label"),
                        "attrs": entity.get("attrs") or {},
                    }
                )
            raw_relations = obj.get("relations") or []
            if not isinstance(raw_relations, list):
                problem = '"relations" must be a list'
                raw_relations = []
            for index, rel in enumerate(raw_relations):
                relation_where.append(f"relations[{index}]")
                if not isinstance(rel, dict):
                    relations.append(rel)
                    continue
                relations.append(
                    {
                        "from": rel.get("from_id"),
                        "to": rel.get("to_id"),
                        "label": rel.get("type"),
                        "attrs": rel.get("attrs") or {},
                    }
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
        meta = {k: v for k, v in obj.items() if k not in _DOCCANO_KEYS}
        title = meta.pop("title", "") if isinstance(meta.get("title"), str) else ""
        yield Record(
            source=where,
            external_id=obj.get("id"),
            raw_text=obj.get("text"),
            title=title,
            meta=meta,
            spans=spans,
            relations=relations,
            span_where=span_where,
            relation_where=relation_where,
        )


def _json_array(name: str, stream: IO[bytes]) -> Iterator[tuple[str, Any] | str]:
    """(where, element) for each element of a top-level JSON array (or a single object), with
    the line each element starts on; a syntax error stops the file."""
    data = stream.read()
    try:
        text = data.decode("utf-8-sig") if isinstance(data, bytes) else data
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        yield f"{name}:{line}: not valid UTF-8 ({exc.reason} at byte {exc.start})"
        return
    decoder = json.JSONDecoder()
    ws = " \t\n\r"

    def skip(pos: int) -> int:
        while pos < len(text) and text[pos] in ws:
            pos += 1
        return pos

    def at(pos: int) -> str:
        return f"{name}:{text.count(chr(10), 0, pos) + 1}"

    pos = skip(0)
    if pos == len(text):
        yield f"{name}:1: the file is empty; expected a JSON array of tasks"
        return
    if text[pos] == "{":
        elements_end = None
    elif text[pos] == "[":
        elements_end = "]"
        pos = skip(pos + 1)
    else:
        yield f"{at(pos)}: expected a JSON array of tasks"
        return
    index = 0
    while pos < len(text):
        if elements_end and text[pos] == elements_end and index == 0:
            pos += 1
            break
        try:
            value, end = decoder.raw_decode(text, pos)
        except json.JSONDecodeError as exc:
            yield f"{at(exc.pos)}: not valid JSON ({exc.msg})"
            return
        except RecursionError:
            yield f"{at(pos)}: the JSON is nested too deeply"
            return
        yield at(pos), value
        index += 1
        pos = skip(end)
        if elements_end is None:
            break
        if pos < len(text) and text[pos] == ",":
            pos = skip(pos + 1)
            continue
        if pos < len(text) and text[pos] == elements_end:
            pos += 1
            break
        yield f"{at(pos)}: not valid JSON (expected ',' or ']' after task {index})"
        return
    else:
        if elements_end:
            yield f"{at(pos)}: not valid JSON (the array is not closed)"
            return
    if skip(pos) != len(text):
        yield f"{at(skip(pos))}: not valid JSON (extra data after the tasks)"


def read_labelstudio(
    name: str, stream: IO[bytes], options: ReadOptions = DEFAULT_OPTIONS
) -> Iterator[Record | str | Note]:
    """Label Studio's JSON export: an array of tasks ``{"id", "data": {"text": …},
    "annotations": [{"result": […], "was_cancelled"}], "predictions": [{"result": […]}]}``.

    - Text: ``data.text``, else the first string field of ``data``. Id: ``data.id`` (the id the
      article had when it was imported into Label Studio), else the task ``id``. ``data.title``
      becomes the title, other ``data`` fields ``meta``.
    - Spans: results of type ``labels``, ``value: {start, end, text, labels: [..]}``, one span per
      label. Label Studio (1.6 and later) stores text offsets in code points: the front-end was
      changed to "store code points instead of js length" (label-studio PR #1559 and
      label-studio-frontend PR #308, fixing issues #1008 and #1347, where emoji shifted every
      later offset by one UTF-16 unit). ``value.text`` is checked against our text, and a
      mismatch that UTF-16 offsets would explain says so.
    - Attributes: per-region ``choices`` (one choice) and ``textarea`` results carrying the same
      ``id`` as the region, their ``from_name`` naming the attribute.
    - Relations: results of type ``relation`` ``{from_id, to_id, direction, labels: [..]}``, one
      relation per label; ``direction: "left"`` reverses it, ``"bi"`` is refused (relations here
      are directed).
    - Which results: the task's one annotation that is not cancelled (several are refused: a
      layer holds one analyst's work); with ``prefer_predictions`` (the suggestions layer) its
      predictions, merged. A task with neither imports as an article without spans.
    """
    ignored: dict[str, int] = {}
    unused_predictions = 0
    for index, item in enumerate(_json_array(name, stream)):
        if isinstance(item, str):
            yield item
            continue
        where, task = item
        where_task = f"{where} (task {index + 1})"
        if not isinstance(task, dict):
            yield f"{where_task}: each task must be a JSON object"
            continue
        data = task.get("data")
        if not isinstance(data, dict):
            yield f'{where_task}: the task has no "data" object'
            continue
        text_key = "text" if "text" in data else None
        if text_key is None:
            text_key = next((k for k, v in data.items() if isinstance(v, str) and k != "id"), None)
        if text_key is None:
            yield f'{where_task}: "data" has no text (no "text" field and no string field)'
            continue
        external_id = data.get("id", task.get("id"))
        meta = {k: v for k, v in data.items() if k not in (text_key, "id", "title")}
        title = data.get("title", "") if isinstance(data.get("title", ""), str) else ""
        if not options.prefer_predictions and task.get("predictions"):
            unused_predictions += 1
        try:
            results, results_where = _labelstudio_results(task, options.prefer_predictions)
        except ValueError as exc:
            yield f"{where_task}: {exc}"
            continue
        try:
            spans, span_where, relations, relation_where = _labelstudio_regions(
                results, results_where, ignored
            )
        except ValueError as exc:
            yield f"{where_task}: {exc}"
            continue
        yield Record(
            source=where_task,
            external_id=external_id,
            raw_text=data[text_key],
            title=title,
            meta=meta,
            spans=spans,
            relations=relations,
            span_where=span_where,
            relation_where=relation_where,
        )
    if unused_predictions:
        yield Note(
            f"{name}: the predictions of {unused_predictions} task(s) were not imported; "
            "import the file into the suggestions layer to offer them to the analysts"
        )
    if ignored:
        kinds = ", ".join(f"{n} of type {kind!r}" for kind, n in sorted(ignored.items()))
        yield Note(
            f"{name}: results not imported: {kinds} (only labels, relation and per-region "
            "choices/textarea results are)"
        )


def _labelstudio_results(task: dict, prefer_predictions: bool) -> tuple[list, list[str]]:
    def collect(key: str, skip_cancelled: bool) -> list[tuple[int, dict]]:
        entries = task.get(key) or []
        if not isinstance(entries, list):
            raise ValueError(f'"{key}" must be a list')
        found = []
        for i, entry in enumerate(entries):
            if not isinstance(entry, dict):
                raise ValueError(f"{key}[{i}] must be an object")
            if skip_cancelled and entry.get("was_cancelled"):
                continue
            found.append((i, entry))
        return found

    annotations = collect("annotations", True)
    predictions = collect("predictions", False)
    if prefer_predictions and predictions:
        chosen, key = predictions, "predictions"
    elif annotations:
        if len(annotations) > 1:
            raise ValueError(
                f"the task has {len(annotations)} annotations; a layer holds one analyst's "
                "work, so export and import them one annotator at a time"
            )
        chosen, key = annotations, "annotations"
    else:
        return [], []
    results: list = []
    where: list[str] = []
    for i, entry in chosen:
        result = entry.get("result") or []
        if not isinstance(result, list):
            raise ValueError(f"{key}[{i}].result must be a list")
        for j, r in enumerate(result):
            results.append(r)
            where.append(f"{key}[{i}].result[{j}]")
    return results, where


def _labelstudio_regions(results: list, where: list[str], ignored: dict[str, int]):
    spans: list[dict] = []
    span_where: list[str] = []
    relations: list[dict] = []
    relation_where: list[str] = []
    region_labels: dict[str, list[str]] = {}
    attributes: dict[str, dict[str, Any]] = {}
    for r, w in zip(results, where, strict=True):
        if not isinstance(r, dict) or not isinstance(r.get("value", {}), dict):
            raise ValueError(f"{w} must be an object with a value object")
        kind = r.get("type")
        value = r.get("value") or {}
        if kind in ("choices", "textarea") and r.get("id") is not None:
            values = value.get("choices" if kind == "choices" else "text")
            if not isinstance(values, list) or len(values) != 1:
                raise ValueError(
                    f"{w}: {r.get('from_name')!r} must hold exactly one value to become an "
                    "attribute"
                )
            attributes.setdefault(str(r["id"]), {})[str(r.get("from_name"))] = values[0]
        elif kind not in ("labels", "relation"):
            ignored[str(kind)] = ignored.get(str(kind), 0) + 1
    for r, w in zip(results, where, strict=True):
        value = r.get("value") or {}
        if r.get("type") != "labels":
            continue
        labels = value.get("labels")
        if not isinstance(labels, list) or not labels:
            raise ValueError(f"{w}: value.labels must be a non-empty list of label names")
        region = r.get("id")
        region = str(region) if region is not None else w
        region_labels[region] = [str(label) for label in labels]
        for k, label in enumerate(labels):
            spans.append(
                {
                    "id": region if k == 0 else f"{region}/{label}",
                    "start": value.get("start"),
                    "end": value.get("end"),
                    "text": value.get("text"),
                    "label": label,
                    "attrs": attributes.get(region, {}),
                    "utf16_hint": True,
                }
            )
            span_where.append(w if len(labels) == 1 else f"{w}.value.labels[{k}]")
    for r, w in zip(results, where, strict=True):
        if r.get("type") != "relation":
            continue
        ends = []
        for key in ("from_id", "to_id"):
            region = r.get(key)
            region = str(region) if region is not None else None
            if region in region_labels and len(region_labels[region]) > 1:
                raise ValueError(
                    f"{w}: {key} {region!r} is a region with several labels; a relation must "
                    "link regions with one label each"
                )
            ends.append(region)
        direction = r.get("direction", "right")
        if direction == "bi":
            raise ValueError(f"{w}: relations here are directed; a 'bi' relation cannot be kept")
        if direction == "left":
            ends.reverse()
        labels = r.get("labels")
        if not isinstance(labels, list) or not labels:
            raise ValueError(
                f"{w}: the relation has no label; give it one of the project's relation types"
            )
        for label in labels:
            relations.append({"from": ends[0], "to": ends[1], "label": label, "attrs": {}})
            relation_where.append(w)
    return spans, span_where, relations, relation_where


READERS = {
    "native": read_native,
    "text": read_text,
    "csv": read_csv,
    "doccano": read_doccano,
    "labelstudio": read_labelstudio,
}
