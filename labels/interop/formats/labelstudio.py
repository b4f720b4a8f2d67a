"""Label Studio JSON: reader (tasks with annotations, UTF-16 offsets) and writer."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from typing import IO, Any

from labels import jsonio
from labels.errors import Invalid
from labels.interop.reading import DEFAULT_OPTIONS, Note, ReadOptions, Record, described
from labels.interop.records import Context
from labels.interop.streams import ExportRecord, _coalesce, attribute_kinds


def write_labelstudio(records: Iterable[ExportRecord], context: Context) -> Iterator[bytes]:
    """A JSON array of Label Studio tasks, one per article, streamed element by element; each of
    the article's exported layers is one entry of ``annotations`` (the task's ``meta.layers`` names
    them in the same order; the gold one has ``ground_truth: true``)."""
    schema_attrs = attribute_kinds(context.schemas)

    def tasks():
        current: list[ExportRecord] = []
        for record in records:
            if current and current[0]["id"] != record["id"]:
                yield _labelstudio_task(current, schema_attrs)
                current = []
            current.append(record)
        if current:
            yield _labelstudio_task(current, schema_attrs)

    def pieces():
        yield b"["
        first = True
        for task in tasks():
            yield (b"\n" if first else b",\n") + jsonio.dumps_line(task)[:-1]
            first = False
        yield b"\n]\n"

    return _coalesce(pieces())


def _labelstudio_task(records: list[ExportRecord], kinds: dict[tuple[str, str], str]) -> dict:
    first = records[0]
    annotations = []
    for record in records:
        result = []
        missing = {i["span"]: i["missing"] for i in record["incomplete"]}
        for span in record["spans"]:
            region = {"start": span["start"], "end": span["end"], "text": span["text"]}
            entry = {
                "id": span["id"],
                "from_name": "label",
                "to_name": "text",
                "type": "labels",
                "value": {**region, "labels": [span["label"]]},
            }
            if span["id"] in missing:
                # A region's meta text is the note Label Studio shows with the region.
                entry["meta"] = {"text": [f"needs {', '.join(missing[span['id']])}"]}
            result.append(entry)
            for name, value in span["attrs"].items():
                kind = kinds.get((span["label"], name))
                if kind == "choice":
                    value_key, entry_type = "choices", "choices"
                elif kind == "text":
                    value_key, entry_type = "text", "textarea"
                else:
                    continue  # booleans and span references have no Label Studio region form
                result.append(
                    {
                        "id": span["id"],
                        "from_name": name,
                        "to_name": "text",
                        "type": entry_type,
                        "value": {**region, value_key: [value]},
                    }
                )
        for rel in record["relations"]:
            result.append(
                {
                    "from_id": rel["from"],
                    "to_id": rel["to"],
                    "type": "relation",
                    "direction": "right",
                    "labels": [rel["label"]],
                }
            )
        annotations.append(
            {
                "result": result,
                "ground_truth": record["layer"] == "gold",
                "was_cancelled": False,
            }
        )
    data = {"text": first["text"], "id": first["id"], "title": first["title"]}
    # Label Studio shows every data field and keeps them on export: the article's metadata.
    data.update((k, v) for k, v in first["meta"].items() if k not in data)
    meta = {"layers": [r["layer"] for r in records], "split": first["split"]}
    return {"data": data, "annotations": annotations, "meta": meta}


#: The ``"id"`` a task begins with: ``{"id": 12`` or ``{"id": "a-12"``.
_LEADING_ID = re.compile(r'\{\s*"id"\s*:\s*(-?\d{1,30}|"[^"\\\n]{1,100}")\s*[,}]')


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
    decoder = jsonio.raw_decoder()
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
    # Nesting is counted on the whole text before anything is parsed; the task that is too
    # deep, if one is, stops the file where it starts.
    level = 1 if elements_end else 0
    deep_at = None
    if jsonio.depth_exceeds(text, jsonio.MAX_DEPTH + level):
        deep_at = jsonio.too_deep_at(text, jsonio.MAX_DEPTH, level)
    index = 0
    while pos < len(text):
        if elements_end and text[pos] == elements_end and index == 0:
            pos += 1
            break
        if deep_at is not None and pos >= deep_at:
            yield f"{at(pos)}: {jsonio.too_deep().problems[0].message}"
            return
        try:
            value, end = decoder.raw_decode(text, pos)
        except json.JSONDecodeError as exc:
            # Name the broken task as the other errors do, by the id it begins with if it
            # begins with one (Label Studio writes "id" first) and where it starts.
            task = None
            leading = _LEADING_ID.match(text, pos)
            if leading:
                try:
                    task = {"id": json.loads(leading.group(1))}
                except ValueError:  # 0123: not a JSON number; name the task by position
                    pass
            yield (
                f"{at(exc.pos)}: not valid JSON ({exc.msg} at column {exc.colno}) in the task "
                f"that starts on line {at(pos).rpartition(':')[2]} ({_task_named(task, index)})"
            )
            return
        try:
            jsonio.check(value, jsonio.MAX_DEPTH)
        except Invalid as exc:
            yield f"{at(pos)}: {described(exc.problems[0])}"
        else:
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

    - Text: ``data.text``, else the longest string field of ``data`` other than ``id`` and
      ``title`` (a task ``{"title", "body"}`` is its body). Id: ``data.id`` (the id the
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
      are directed). A relation without labels (a project without a ``<Relations>`` tag) gets
      the one relation type of the schema that fits its ends, and is refused when several do.
    - Which results: the task's one annotation that is not cancelled; of several, the one
      marked ``ground_truth`` (Label Studio's reviewed one; the others are noted, not imported),
      and without one they are refused (a layer holds one analyst's work); with ``prefer_predictions`` (the suggestions layer) its
      predictions, merged. A task with neither imports as an article without spans.
    """
    ignored: dict[str, int] = {}
    unused_predictions = 0
    not_ground_truth = 0
    for index, item in enumerate(_json_array(name, stream)):
        if isinstance(item, str):
            yield item
            continue
        where, task = item
        where_task = f"{where} ({_task_named(task, index)})"
        if not isinstance(task, dict):
            yield f"{where_task}: each task must be a JSON object"
            continue
        data = task.get("data")
        if not isinstance(data, dict):
            yield f'{where_task}: the task has no "data" object'
            continue
        text_key = "text" if "text" in data else None
        if text_key is None:
            candidates = [
                k for k, v in data.items() if isinstance(v, str) and k not in ("id", "title")
            ]
            text_key = max(candidates, key=lambda k: len(data[k]), default=None)
        if text_key is None:
            yield f'{where_task}: "data" has no text (no "text" field and no string field)'
            continue
        external_id = data.get("id", task.get("id"))
        meta = {k: v for k, v in data.items() if k not in (text_key, "id", "title")}
        title = data.get("title", "") if isinstance(data.get("title", ""), str) else ""
        if not options.prefer_predictions and task.get("predictions"):
            unused_predictions += 1
        try:
            results, results_where, others = _labelstudio_results(task, options.prefer_predictions)
        except ValueError as exc:
            yield f"{where_task}: {exc}"
            continue
        not_ground_truth += others
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
    if not_ground_truth:
        yield Note(
            f"{name}: {not_ground_truth} annotation(s) beside a task's ground truth were not "
            "imported; export them one annotator at a time to import them into analysts' layers"
        )
    if ignored:
        kinds = ", ".join(f"{n} of type {kind!r}" for kind, n in sorted(ignored.items()))
        yield Note(
            f"{name}: results not imported: {kinds} (only labels, relation and per-region "
            "choices/textarea results are)"
        )


def _task_named(task: Any, index: int) -> str:
    """How an error names a task: by the ``id`` Label Studio gave it, which the analyst can
    look up there, with its position in the file (``task id 1234, item 5``); by its position
    alone when it has no id."""
    task_id = task.get("id") if isinstance(task, dict) else None
    if isinstance(task_id, bool) or not isinstance(task_id, int | str) or task_id == "":
        return f"item {index + 1}, no task id"
    shown = str(task_id)
    if len(shown) > 40:
        shown = shown[:39] + "…"
    return f"task id {shown}, item {index + 1}"


def _labelstudio_results(task: dict, prefer_predictions: bool) -> tuple[list, list[str], int]:
    """The results to import, where each stands, and how many annotations were left out
    because another one of the task is its ground truth."""

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
    left_out = 0
    if len(annotations) > 1:
        truth = [(i, a) for i, a in annotations if a.get("ground_truth") is True]
        if len(truth) == 1:
            left_out = len(annotations) - 1
            annotations = truth
    if prefer_predictions and predictions:
        chosen, key = predictions, "predictions"
        left_out = 0
    elif annotations:
        if len(annotations) > 1:
            raise ValueError(
                f"the task has {len(annotations)} annotations and none is its only ground "
                "truth; a layer holds one analyst's work, so export and import them one "
                "annotator at a time"
            )
        chosen, key = annotations, "annotations"
    else:
        return [], [], 0
    results: list = []
    where: list[str] = []
    for i, entry in chosen:
        result = entry.get("result") or []
        if not isinstance(result, list):
            raise ValueError(f"{key}[{i}].result must be a list")
        for j, r in enumerate(result):
            results.append(r)
            where.append(f"{key}[{i}].result[{j}]")
    return results, where, left_out


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
        if labels in (None, []):
            # A project without a <Relations> tag draws relations without labels: the check
            # gives each the one relation type its ends allow, or says why it cannot.
            relations.append({"from": ends[0], "to": ends[1], "label": None, "untyped": True})
            relation_where.append(w)
            continue
        if not isinstance(labels, list):
            raise ValueError(f"{w}: the relation's labels must be a list of relation types")
        for label in labels:
            relations.append({"from": ends[0], "to": ends[1], "label": label, "attrs": {}})
            relation_where.append(w)
    return spans, span_where, relations, relation_where
