"""Suggesters: where proposed spans come from, and how they are checked (the built-in and the
imported ones here, the HTTP one in ``labels.suggestions.http``; ``labels.suggestions.combine``
puts them together for one annotation).

Three suggesters share one shape (``Proposals``: spans, relations between them, problems):

- ``BuiltinSuggester`` — the rules of ``labels.suggestions.rules``; results are kept in a small
  in-process LRU keyed by the article text's sha256 and the schema, so reloading an article
  costs nothing.
- ``HttpSuggester`` — a project's model server (``Project.suggester_url``): ONE POST of
  ``{"article": {"id", "text", "meta"}, "schema": …}`` answered by native ``{"spans",
  "relations"}``. Nothing it answers is trusted: every span is checked against the text and the
  schema, invalid items are dropped and reported. Timeouts, refused connections, non-JSON, error
  statuses and invalid items become ``problems``; they never raise.
- ``ImportedSuggester`` — ``SuggestionSet`` rows (an import into the ``suggestions`` layer).

``suggestions_for(article, annotation)`` combines them (``Project.suggesters`` says which
automatic ones; imported sets always count), minus what the annotation already holds and what
its analyst rejected. A suggestion is named by its ``key``, ``"<label>:<start>:<end>"``;
relations name their ends by key. docs/suggestions.md documents the HTTP contract and the API.

What an analyst does with them (accept, reject) is in ``labels.suggestions.actions``.

The suggester URL is a server-side request to an address a project manager chose. Only
managers set it; it must be http(s) without credentials; the addresses its host resolves to are
checked on every call, the connection goes to the checked address, redirects are not followed.
Link-local, multicast, unspecified and cloud-metadata addresses (169.254.169.254 and friends)
are always refused; loopback and private ones unless an administrator allows their network
(``ANNOTATOR_SUGGESTER_ALLOWED_NETWORKS``).
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from labels import schema as schema_mod
from labels.errors import Invalid
from labels.models import Article, SuggestionSet
from labels.schema.lookups import span_ref_names
from labels.suggestions.rules.engine import suggest
from labels.suggestions.rules.results import Suggestions
from labels.text import check_span_offsets

logger = logging.getLogger(__name__)

BUILTIN, HTTP, IMPORT = "builtin", "http", "import"
#: An answer larger than this is refused whole.
MAX_RESPONSE_BYTES = 5 * 1024 * 1024
#: More spans (or relations) than this in one answer are refused whole.
MAX_ITEMS = 5000
#: Dropped items are reported one by one up to this many, then counted.
MAX_REPORTED = 5
#: How long a good answer of an HTTP suggester is reused for the same text and schema.
HTTP_CACHE_SECONDS = 300
#: How long a failed call (timeout, error status, unusable answer) is remembered instead of retried.
HTTP_FAILURE_CACHE_SECONDS = 30
CHECK_TEXT = "The minister said: “We are ready to talk.”"

# --- Keys ----------------------------------------------------------------------------------------


def suggestion_key(label: str, start: int, end: int) -> str:
    return f"{label}:{start}:{end}"


def parse_key(value: object, field: str = "key") -> tuple[str, int, int]:
    """``"Quote:10:52"`` → ``("Quote", 10, 52)``; Invalid naming ``field`` otherwise."""
    if isinstance(value, str):
        label, _, rest = value.rpartition(":")
        label, _, start = label.rpartition(":")
        if label and start.isdigit() and rest.isdigit():
            return label, int(start), int(rest)
    raise Invalid.one(field, "invalid", 'A suggestion key looks like "<label>:<start>:<end>".')


# --- Proposals and the checks applied to them --------------------------------------------------


@dataclass
class Proposals:
    """Spans ``{"key", "label", "start", "end", "text", "attrs", "confidence", "rule",
    "source"}``, relations ``{"label", "from", "to", "attrs", "confidence", "rule", "source"}``
    (ends and span-valued attributes as keys), and problems ``{"source", "code", "message"}``."""

    spans: list[dict[str, Any]] = field(default_factory=list)
    relations: list[dict[str, Any]] = field(default_factory=list)
    problems: list[dict[str, str]] = field(default_factory=list)


class BadAnswer(Exception):
    """An answer that cannot be used at all (not JSON, wrong shape, too large)."""

    def __init__(self, code: str, message: str):
        self.code = code
        super().__init__(message)


def _problem(source: str, code: str, message: str) -> dict[str, str]:
    return {"source": source, "code": code, "message": message}


def _confidence(value: object) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise Invalid.one("confidence", "invalid_type", "confidence must be a number from 0 to 1.")
    if not 0 <= value <= 1:
        raise Invalid.one("confidence", "out_of_range", "confidence must be from 0 to 1.")
    return float(value)


def _rule(value: object, default: str) -> str:
    return value if isinstance(value, str) and 0 < len(value) <= 100 else default


def _check_span_item(text: str, schema: dict, raw: object, source: str, rule: str) -> dict:
    if not isinstance(raw, dict):
        raise Invalid.one("", "not_object", "A span must be a JSON object.")
    label = raw.get("label")
    if not isinstance(label, str) or not label:
        raise Invalid.one("label", "required", "A span needs a label.")
    if not isinstance(raw.get("text"), str):
        raise Invalid.one(
            "text", "required", "A span needs its text, so that its offsets can be checked."
        )
    start, end = raw.get("start"), raw.get("end")
    check_span_offsets(text, start, end, raw["text"])
    assert isinstance(start, int) and isinstance(end, int)  # check_span_offsets refuses others
    # Required attributes may be missing: the analyst completes them after accepting.
    attrs = schema_mod.check_span(schema, label, raw.get("attrs") or {}, require=False)
    return {
        "key": suggestion_key(label, start, end),
        "label": label,
        "start": start,
        "end": end,
        "text": text[start:end],
        "attrs": attrs,
        "confidence": _confidence(raw.get("confidence")),
        "rule": _rule(raw.get("rule"), rule),
        "source": source,
    }


def _check_relation_item(
    schema: dict, raw: object, keys: dict[str, str], labels: dict[str, str], source: str, rule: str
) -> dict:
    if not isinstance(raw, dict):
        raise Invalid.one("", "not_object", "A relation must be a JSON object.")
    label = raw.get("label")
    if not isinstance(label, str) or not label:
        raise Invalid.one("label", "required", "A relation needs a label.")
    ends = {}
    for end in ("from", "to"):
        ref = raw.get(end)
        if isinstance(ref, bool) or not isinstance(ref, str | int) or str(ref) not in keys:
            raise Invalid.one(end, "not_found", f"{end} must be the id of a valid span above.")
        ends[end] = str(ref)
    if ends["from"] == ends["to"]:
        raise Invalid.one("to", "self_relation", "A relation needs two different spans.")
    attrs = schema_mod.check_relation(
        schema, label, labels[ends["from"]], labels[ends["to"]], raw.get("attrs") or {}
    )
    for name in span_ref_names(schema, label) & attrs.keys():
        if str(attrs[name]) not in keys:
            raise Invalid.one(f"attrs.{name}", "not_found", f"{name} must be the id of a span.")
        attrs[name] = keys[str(attrs[name])]
    return {
        "label": label,
        "from": keys[ends["from"]],
        "to": keys[ends["to"]],
        "attrs": attrs,
        "confidence": _confidence(raw.get("confidence")),
        "rule": _rule(raw.get("rule"), rule),
        "source": source,
    }


def check_native(text: str, schema: dict, data: object, *, source: str, rule: str) -> Proposals:
    """Check a native ``{"spans": [...], "relations": [...]}`` answer against ``text`` (code-point
    offsets, each span's ``text`` must match) and ``schema`` (labels, attributes, relation ends).
    Invalid items are dropped and reported in ``problems``; a duplicate key keeps the first.
    Raises BadAnswer when the whole answer is unusable."""
    if not isinstance(data, dict):
        raise BadAnswer("invalid_answer", "The answer must be a JSON object with spans.")
    spans_in, relations_in = data.get("spans", []), data.get("relations", [])
    for name, items in (("spans", spans_in), ("relations", relations_in)):
        if not isinstance(items, list):
            raise BadAnswer("invalid_answer", f"{name} must be a list.")
        if len(items) > MAX_ITEMS:
            raise BadAnswer("too_large", f"The answer has more than {MAX_ITEMS:,} {name}.")
    out = Proposals()
    dropped: list[str] = []
    keys: dict[str, str] = {}  # the answer's span id → key
    labels: dict[str, str] = {}
    seen: set[str] = set()
    for n, raw in enumerate(spans_in):
        ident = raw.get("id") if isinstance(raw, dict) else None
        try:
            item = _check_span_item(text, schema, raw, source, rule)
            if ident is not None and (isinstance(ident, bool) or not isinstance(ident, str | int)):
                raise Invalid.one("id", "invalid_type", "A span id must be a string or a number.")
            if ident is not None and str(ident) in keys:
                raise Invalid.one("id", "duplicate", f"The span id {ident!r} is used twice.")
        except Invalid as exc:
            dropped.append(f"spans[{n}]: {_describe(exc)}")
            continue
        if ident is not None:
            keys[str(ident)] = item["key"]
            labels[str(ident)] = item["label"]
        if item["key"] not in seen:
            seen.add(item["key"])
            out.spans.append(item)
    for n, raw in enumerate(relations_in):
        try:
            out.relations.append(_check_relation_item(schema, raw, keys, labels, source, rule))
        except Invalid as exc:
            dropped.append(f"relations[{n}]: {_describe(exc)}")
    for message in dropped[:MAX_REPORTED]:
        out.problems.append(_problem(source, "invalid_item", f"Dropped {message}"))
    if len(dropped) > MAX_REPORTED:
        out.problems.append(
            _problem(
                source, "invalid_item", f"… and {len(dropped) - MAX_REPORTED} more items dropped."
            )
        )
    return out


def _describe(exc: Invalid) -> str:
    return "; ".join(f"{p.field}: {p.message}" if p.field else p.message for p in exc.problems)


# --- The built-in suggester ----------------------------------------------------------------------


class _LRU:
    """A small thread-safe LRU with an optional time to live."""

    def __init__(self, size: int, ttl: float | None = None):
        self.size, self.ttl = size, ttl
        self._data: OrderedDict[Any, tuple[float, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Any) -> Any:
        with self._lock:
            hit = self._data.get(key)
            if hit is None or (self.ttl is not None and time.monotonic() - hit[0] > self.ttl):
                return None
            self._data.move_to_end(key)
            return hit[1]

    def put(self, key: Any, value: Any) -> None:
        with self._lock:
            self._data[key] = (time.monotonic(), value)
            self._data.move_to_end(key)
            while len(self._data) > self.size:
                self._data.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._data.clear()


_builtin_cache = _LRU(64)
_http_cache = _LRU(32, ttl=HTTP_CACHE_SECONDS)
# A server that is down would otherwise cost every page load the whole timeout.
_http_failures = _LRU(32, ttl=HTTP_FAILURE_CACHE_SECONDS)


def clear_caches() -> None:
    _builtin_cache.clear()
    _http_cache.clear()
    _http_failures.clear()


def _fingerprint(schema: dict) -> str:
    return hashlib.sha256(json.dumps(schema, sort_keys=True).encode()).hexdigest()


class BuiltinSuggester:
    source = BUILTIN

    def propose(self, article: Article, schema: dict) -> Proposals:
        cache_key = (article.text_sha256, _fingerprint(schema))
        result = _builtin_cache.get(cache_key)
        if result is None:
            result = suggest(article.text, schema)
            _builtin_cache.put(cache_key, result)
        return self._proposals(result, schema)

    @staticmethod
    def _proposals(result: Suggestions, schema: dict) -> Proposals:
        keys = {s.id: suggestion_key(s.label, s.start, s.end) for s in result.spans}
        out = Proposals()
        for s in result.spans:
            out.spans.append(
                {
                    "key": keys[s.id],
                    "label": s.label,
                    "start": s.start,
                    "end": s.end,
                    "text": s.text,
                    "attrs": dict(s.attrs),
                    "confidence": s.confidence,
                    "rule": s.rule,
                    "source": BUILTIN,
                }
            )
        for r in result.relations:
            refs = span_ref_names(schema, r.label)
            attrs = {
                name: keys[value] if name in refs else value
                for name, value in r.attrs.items()
                if name not in refs or value in keys
            }
            out.relations.append(
                {
                    "label": r.label,
                    "from": keys[r.source],
                    "to": keys[r.target],
                    "attrs": attrs,
                    "confidence": r.confidence,
                    "rule": r.rule,
                    "source": BUILTIN,
                }
            )
        return out


# --- Imported suggestions ------------------------------------------------------------------------


class ImportedSuggester:
    """The article's SuggestionSet rows, checked again (the schema may have changed since)."""

    source = IMPORT

    def __init__(self, sets: list[SuggestionSet]):
        self.sets = sets

    def propose(self, article: Article, schema: dict) -> Proposals:
        out = Proposals()
        for row in self.sets:
            rule = IMPORT if row.source == IMPORT else f"{IMPORT}:{row.source}"
            data = {"spans": row.spans, "relations": row.relations}
            try:
                part = check_native(article.text, schema, data, source=IMPORT, rule=rule)
            except BadAnswer as exc:
                part = Proposals(problems=[_problem(IMPORT, exc.code, str(exc))])
            out.spans += part.spans
            out.relations += part.relations
            out.problems += part.problems
        return out
