"""Input plumbing of the importers: decoding lines, JSON lines, the records readers yield.

Every JSON line is read by ``labels.jsonio.loads``, whose rules (nesting, numbers the export can
carry, no lone surrogates) make a line a problem of the file (``file:line: meta.x: …``)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from labels import jsonio
from labels.errors import Invalid, Problem

_DATE_LINE = re.compile(r"\A\s*date\s+(\d{4}-\d{2}-\d{2})[ \t]*\n?[ \t]*")


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
    # Native lines: the registry entries the spans' speaker ids refer to (labels.speakers.imports).
    speakers: Any = None


@dataclass(frozen=True)
class Note:
    message: str


@dataclass(frozen=True)
class ReadOptions:
    """Per-format options. CSV columns left as None default to ``text``, ``id`` (or ids from
    the text when there is no such column) and ``title`` (when there is one).
    ``prefer_predictions``: Label Studio predictions rather than annotations (the suggestions
    layer). ``infer_attrs``: fill a span's missing ``quote_type`` from its quotation marks
    (``labels.interop.quotations``)."""

    text_column: str | None = None
    id_column: str | None = None
    title_column: str | None = None
    prefer_predictions: bool = False
    infer_attrs: bool = False


DEFAULT_OPTIONS = ReadOptions()


def described(problem: Problem) -> str:
    """A problem as an import reports it after ``file:line: ``."""
    return f"{problem.field}: {problem.message}" if problem.field else problem.message


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
            obj = jsonio.loads(line)
        except json.JSONDecodeError as exc:
            yield f"{where}: not valid JSON ({exc.msg} at column {exc.colno})"
            continue
        except Invalid as exc:  # jsonio's rules: nesting, numbers, lone surrogates
            yield f"{where}: {described(exc.problems[0])}"
            continue
        if not isinstance(obj, dict):
            yield f"{where}: each line must be a JSON object"
            continue
        yield where, obj
