"""Suggesters: where proposed spans come from, checked and combined for one annotation.

Three suggesters share one shape (``Proposals``: spans, relations between them, problems):

- ``BuiltinSuggester`` — the rules of ``labels.suggest``; results are kept in a small
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

What an analyst does with them (accept, reject) is in ``labels.suggestion_actions``.

The suggester URL is a server-side request to an address a project manager chose. Only
managers set it; it must be http(s) without credentials; the addresses its host resolves to are
checked on every call, the connection goes to the checked address, redirects are not followed.
Link-local, multicast, unspecified and cloud-metadata addresses (169.254.169.254 and friends)
are always refused; loopback and private ones unless an administrator allows their network
(``ANNOTATOR_SUGGESTER_ALLOWED_NETWORKS``).
"""

from __future__ import annotations

import hashlib
import http.client
import ipaddress
import json
import logging
import math
import socket
import ssl
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from labels import schema as schema_mod
from labels.errors import Invalid
from labels.models import (
    Annotation,
    Article,
    Project,
    RejectedSuggestion,
    Relation,
    Span,
    Suggesters,
    SuggestionSet,
)
from labels.suggest import Suggestions, suggest
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


def span_ref_names(schema: dict, relation: str) -> set[str]:
    return {
        a["name"] for a in schema_mod.relation_attributes(schema, relation) if a["type"] == "span"
    }


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


# --- The HTTP suggester ------------------------------------------------------------------------

# Addresses a suggester URL may never reach, whatever a manager types or an administrator
# allows: cloud metadata services (AWS, GCP, Azure, OpenStack at 169.254.169.254, AWS IPv6,
# Alibaba, Azure's wire server) and the other link-local ones.
_METADATA = [
    ipaddress.ip_network(n)
    for n in (
        "169.254.0.0/16",
        "fe80::/10",
        "fd00:ec2::254/128",
        "100.100.100.200/32",
        "168.63.129.16/32",
    )
]
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


def allowed_networks() -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    """``settings.ANNOTATOR_SUGGESTER_ALLOWED_NETWORKS``: the loopback and private networks an
    administrator lets suggesters reach."""
    networks = []
    for entry in settings.ANNOTATOR_SUGGESTER_ALLOWED_NETWORKS:
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            raise ImproperlyConfigured(
                f"ANNOTATOR_SUGGESTER_ALLOWED_NETWORKS: {entry!r} is not a network (a CIDR "
                "such as 10.1.0.0/16)."
            ) from None
    return networks


def refused_address(address: str) -> str | None:
    """Why ``address`` (an IP) may not be contacted, or None when it may: link-local, metadata,
    multicast and unspecified addresses never; loopback and private ones only inside
    ``allowed_networks()``; public ones always."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        elif ip in _NAT64:
            ip = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if any(ip in network for network in _METADATA if network.version == ip.version):
        return f"{ip} is a link-local or cloud-metadata address"
    if ip.is_multicast or ip.is_unspecified or (ip.is_reserved and not ip.is_private):
        return f"{ip} is not a unicast address"
    if ip.is_global:
        return None
    if any(ip in network for network in allowed_networks() if network.version == ip.version):
        return None
    return (
        f"{ip} is a loopback or private address; an administrator can allow its network "
        "with ANNOTATOR_SUGGESTER_ALLOWED_NETWORKS"
    )


def check_suggester_url(url: str) -> str:
    """The URL as stored, or Invalid (field ``suggester_url``). A literal IP is checked here; a
    host name is checked each time it is resolved (``HttpSuggester``)."""
    url = url.strip()
    if not url:
        return ""

    def bad(message: str) -> Invalid:
        return Invalid.one("suggester_url", "invalid", message)

    if len(url) > 200:
        raise bad("The suggester URL can be at most 200 characters.")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise bad(f"This is not a valid URL: {exc}.") from None
    if parts.scheme not in ("http", "https"):
        raise bad("The suggester URL must start with http:// or https://.")
    if not parts.hostname:
        raise bad("The suggester URL needs a host name.")
    if parts.username is not None or parts.password is not None:
        raise bad("Credentials in the URL are not supported.")
    if port == 0:
        raise bad("The port must be between 1 and 65535.")
    try:
        reason = refused_address(parts.hostname)
    except ValueError:
        reason = None  # a host name: checked when it is resolved
    if reason:
        raise Invalid.one("suggester_url", "refused_address", f"Refused: {reason}.")
    return url


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to an address checked beforehand, whatever the host name resolves to now."""

    def __init__(self, host: str, port: int, address: str, timeout: float):
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, address: str, timeout: float):
        self._tls = ssl.create_default_context()
        super().__init__(host, port, timeout=timeout, context=self._tls)
        self._address = address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._tls.wrap_socket(sock, server_hostname=self.host)


class Unreachable(Exception):
    def __init__(self, code: str, message: str):
        self.code = code
        super().__init__(message)


@dataclass
class HttpResult:
    proposals: Proposals
    status: int | None = None
    latency_ms: int = 0


class HttpSuggester:
    """POST ``{"article": {"id", "text", "meta"}, "schema"}`` to ``url``; ``timeout`` (seconds)
    bounds the whole exchange: resolving, connecting, sending and reading the answer."""

    source = HTTP

    def __init__(self, url: str, timeout: float):
        self.url, self.timeout = url, timeout

    def propose(self, article: Article, schema: dict) -> Proposals:
        cache_key = (self.url, article.text_sha256, _fingerprint(schema))
        cached = _http_cache.get(cache_key) or _http_failures.get(cache_key)
        if cached is not None:
            return cached
        result = self.call(article.external_id, article.text, article.meta, schema)
        if result.status == 200 and not any(
            p["code"] != "invalid_item" for p in result.proposals.problems
        ):
            _http_cache.put(cache_key, result.proposals)
        else:
            _http_failures.put(cache_key, result.proposals)
        return result.proposals

    def call(self, article_id: str, text: str, meta: dict, schema: dict) -> HttpResult:
        """One request; never raises. Failures are ``problems`` (and a logged warning)."""
        body = json.dumps(
            {"article": {"id": article_id, "text": text, "meta": meta}, "schema": schema},
            ensure_ascii=False,
        ).encode("utf-8")
        started = time.monotonic()
        status = None
        try:
            try:
                check_suggester_url(self.url)
            except Invalid as exc:
                message = exc.problems[0].message
                raise Unreachable(
                    exc.problems[0].code,
                    f"URL cannot be used: {message[:1].lower()}{message[1:].rstrip('.')}",
                ) from None
            status, raw = self._post(body, started + self.timeout)
            if 300 <= status < 400:
                raise Unreachable(
                    "bad_status", f"answered HTTP {status}; redirects are not followed"
                )
            if status != 200:
                raise Unreachable("bad_status", f"answered HTTP {status}")
            try:
                data = json.loads(raw.decode("utf-8"))
            except (UnicodeDecodeError, ValueError, RecursionError):
                raise Unreachable("not_json", "answered something that is not JSON") from None
            proposals = check_native(text, schema, data, source=HTTP, rule=HTTP)
        except (Unreachable, BadAnswer) as exc:
            proposals = Proposals(problems=[_problem(HTTP, exc.code, f"The suggester {exc}.")])
        except Exception as exc:  # a model server must never break the page
            logger.exception("HTTP suggester %s failed unexpectedly", self.url)
            proposals = Proposals(
                problems=[_problem(HTTP, "error", f"The suggester call failed: {exc!r}.")]
            )
        latency = round((time.monotonic() - started) * 1000)
        for problem in proposals.problems:
            logger.warning("HTTP suggester %s: %s", self.url, problem["message"])
        return HttpResult(proposals, status, latency)

    def _post(self, body: bytes, deadline: float) -> tuple[int, bytes]:
        parts = urlsplit(self.url)
        host = parts.hostname or ""
        port = parts.port or (443 if parts.scheme == "https" else 80)

        def remaining() -> float:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError
            return left

        connection = None
        try:
            address = self._resolve(host, port)
            cls = _PinnedHTTPSConnection if parts.scheme == "https" else _PinnedHTTPConnection
            connection = cls(host, port, address, timeout=remaining())
            path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
            connection.connect()
            # Kept: once the answer is read the connection hands its socket to the response.
            sock = connection.sock
            sock.settimeout(remaining())
            connection.request(
                "POST",
                path,
                body=body,
                headers={
                    "Content-Type": "application/json; charset=utf-8",
                    "Accept": "application/json",
                    "User-Agent": "annotator-suggester/1",
                },
            )
            response = connection.getresponse()
            chunks, size = [], 0
            while not response.isclosed():  # closed once a known length has been read
                sock.settimeout(remaining())
                chunk = response.read(65536)
                if not chunk:
                    break
                size += len(chunk)
                if size > MAX_RESPONSE_BYTES:
                    raise BadAnswer(
                        "too_large",
                        f"answered more than {MAX_RESPONSE_BYTES // (1024 * 1024)} MB",
                    )
                chunks.append(chunk)
            return response.status, b"".join(chunks)
        except TimeoutError:
            ms = round(self.timeout * 1000)
            raise Unreachable("timeout", f"did not answer within {ms} ms") from None
        except (OSError, http.client.HTTPException) as exc:
            raise Unreachable("unreachable", f"could not be reached: {exc}") from None
        finally:
            if connection is not None:
                connection.close()

    @staticmethod
    def _resolve(host: str, port: int) -> str:
        """The first address of ``host``; refused if ANY of its addresses is refused, so a name
        cannot mix a metadata address in with an allowed one."""
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        addresses = [info[4][0] for info in infos]
        for address in addresses:
            reason = refused_address(address)
            if reason:
                raise Unreachable("refused_address", f"was refused: {reason}")
        if not addresses:
            raise Unreachable("unreachable", f"could not be reached: {host} has no address")
        return addresses[0]


def http_suggester(project: Project) -> HttpSuggester:
    return HttpSuggester(project.suggester_url, settings.ANNOTATOR_SUGGESTER_TIMEOUT_MS / 1000)


def check_http_suggester(project: Project) -> dict[str, Any]:
    """Call the project's HTTP suggester on a tiny text (no cache) and say how it went."""
    out: dict[str, Any] = {
        "suggesters": project.suggesters,
        "url": project.suggester_url,
        "configured": bool(project.suggester_url),
        "ok": False,
        "status": None,
        "latency_ms": None,
        "spans": 0,
        "relations": 0,
        "problems": [],
    }
    if not project.suggester_url:
        out["problems"] = [_problem(HTTP, "not_configured", "No suggester URL is set.")]
        return out
    result = http_suggester(project).call("suggester-check", CHECK_TEXT, {}, project.schema)
    out.update(
        ok=result.status == 200 and not result.proposals.problems,
        status=result.status,
        latency_ms=result.latency_ms,
        spans=len(result.proposals.spans),
        relations=len(result.proposals.relations),
        problems=result.proposals.problems,
    )
    return out


def check_suggester_settings(project: Project, changes: dict[str, Any]) -> None:
    """Refuse a project whose suggesters would be "http" with no URL to call."""
    url = changes.get("suggester_url", project.suggester_url)
    mode = changes.get("suggesters", project.suggesters)
    if mode == Suggesters.HTTP and not url:
        field_name = "suggesters" if "suggesters" in changes else "suggester_url"
        raise Invalid.one(
            field_name, "required", 'Set suggester_url to use the HTTP suggester ("http").'
        )


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


# --- Combining them ------------------------------------------------------------------------------


def _suggesters(project: Project, sets: list[SuggestionSet]) -> tuple[list, list[dict]]:
    """In priority order (the first to propose a key wins): imported, HTTP, built-in."""
    found: list = [ImportedSuggester(sets)] if sets else []
    problems = []
    mode = project.suggesters
    if mode in (Suggesters.HTTP, Suggesters.BOTH) and project.suggester_url:
        found.append(http_suggester(project))
    elif mode == Suggesters.HTTP:
        problems.append(
            _problem(
                HTTP, "not_configured", "The project uses the HTTP suggester, but no URL is set."
            )
        )
    if mode in (Suggesters.BUILTIN, Suggesters.BOTH):
        found.append(BuiltinSuggester())
    return found, problems


def suggestions_for(article: Article, annotation: Annotation) -> dict[str, Any]:
    """The suggestions to show on ``annotation`` (a layer of ``article``).

    ``{"spans": [...], "relations": [...], "problems": [...]}``: spans minus those equal (label,
    start, end) to a span of the annotation or rejected by its analyst; relations whose two ends
    are each a suggestion shown or a span of the annotation (``from_span``/``to_span`` give the
    span id, else null), minus those the annotation already holds. Four queries.
    """
    project = article.project
    schema = project.schema
    existing = {
        suggestion_key(label, start, end): pk
        for pk, label, start, end in Span.objects.filter(annotation=annotation).values_list(
            "pk", "label", "start", "end"
        )
    }
    linked = set(
        Relation.objects.filter(annotation=annotation).values_list(
            "label", "source_id", "target_id"
        )
    )
    rejected = {
        suggestion_key(*row)
        for row in RejectedSuggestion.objects.filter(annotation=annotation).values_list(
            "label", "start", "end"
        )
    }
    sets = list(SuggestionSet.objects.filter(article=article).order_by("source"))
    suggesters, problems = _suggesters(project, sets)
    shown: dict[str, dict] = {}
    relations: dict[tuple, dict] = {}
    for suggester in suggesters:
        try:
            part = suggester.propose(article, schema)
        except Exception as exc:  # suggestions never block annotation
            logger.exception("%s suggester failed on article %s", suggester.source, article.pk)
            problems.append(_problem(suggester.source, "error", f"The suggester failed: {exc!r}."))
            continue
        problems += part.problems
        for item in part.spans:
            if item["key"] not in existing and item["key"] not in rejected:
                shown.setdefault(item["key"], item)
        for rel in part.relations:
            relations.setdefault((rel["label"], rel["from"], rel["to"]), rel)
    out_relations = []
    for (label, source, target), rel in relations.items():
        ends = [key if key in shown else None for key in (source, target)]
        ids = [existing.get(key) for key in (source, target)]
        if any(end is None and pk is None for end, pk in zip(ends, ids, strict=True)):
            continue
        if ids[0] is not None and ids[1] is not None and (label, ids[0], ids[1]) in linked:
            continue
        out_relations.append({**rel, "from_span": ids[0], "to_span": ids[1]})
    spans = sorted(shown.values(), key=lambda s: (s["start"], s["end"], s["label"]))
    return {"spans": spans, "relations": out_relations, "problems": problems}


__all__ = [
    "BUILTIN",
    "HTTP",
    "IMPORT",
    "BadAnswer",
    "BuiltinSuggester",
    "HttpSuggester",
    "ImportedSuggester",
    "Proposals",
    "check_http_suggester",
    "check_native",
    "check_suggester_settings",
    "check_suggester_url",
    "clear_caches",
    "parse_key",
    "refused_address",
    "span_ref_names",
    "suggestion_key",
    "suggestions_for",
]
