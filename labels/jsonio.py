"""JSON in and out: fast through orjson, exact through the standard library for what orjson
refuses (integers beyond 64 bits, NaN, lone surrogates, malformed input, for its message).

The one place that chooses between the two encoders, for the importers, the exporters and the
hand-written reads of jsonb columns.
"""

from __future__ import annotations

import json
from typing import Any

import orjson

_standard_compact = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def loads(text: str | bytes) -> Any:
    """``json.loads``, through orjson (several times faster on a large file) whenever orjson
    accepts the input; what it refuses goes to ``json.loads``, which gives the same objects or
    the error message."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)


def loads_column(raw: Any) -> Any:
    """A jsonb column as a hand-written query returns it (Django reads jsonb as text): decoded
    here with orjson, several times faster than Django's converter; most attributes are ``{}``."""
    if raw is None or not isinstance(raw, str | bytes):
        return raw
    if raw == "{}":
        return {}
    return orjson.loads(raw)


def dumps(value: Any) -> str:
    """Compact JSON text, e.g. for a jsonb column written with COPY."""
    try:
        return orjson.dumps(value).decode()
    except orjson.JSONEncodeError:
        return _standard_compact(value)


def dumps_line(value: Any) -> bytes:
    """One JSON line, UTF-8, newline-terminated: what every JSONL exporter writes."""
    try:
        return orjson.dumps(value) + b"\n"
    except orjson.JSONEncodeError:
        return (_standard_compact(value) + "\n").encode()
