"""The HTTP model-server suggester, with its SSRF guard."""

from __future__ import annotations

import http.client
import ipaddress
import json
import socket
import ssl
import time
from dataclasses import dataclass
from typing import Any, cast
from urllib.parse import urlsplit

from django.conf import settings

from labels.errors import Invalid
from labels.models import Article, Project
from labels.suggestions.proposals import (
    CHECK_TEXT,
    HTTP,
    MAX_RESPONSE_BYTES,
    BadAnswer,
    Proposals,
    _fingerprint,
    _http_cache,
    _http_failures,
    _problem,
    check_native,
    logger,
)

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
# 6to4 (2002::/16) embeds an IPv4 address, which decides; site-local (fec0::/10, deprecated by
# RFC 3879) is private by its definition, although Python's ipaddress calls it neither.
_6TO4 = ipaddress.ip_network("2002::/16")
_SITE_LOCAL = ipaddress.ip_network("fec0::/10")


def allowed_networks() -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    """``settings.ANNOTATOR_SUGGESTER_ALLOWED_NETWORKS``: the loopback and private networks an
    administrator lets suggesters reach."""
    # labels.checks (E001) refuses a malformed entry at start, so every entry parses here.
    return [
        ipaddress.ip_network(entry, strict=False)
        for entry in settings.ANNOTATOR_SUGGESTER_ALLOWED_NETWORKS
    ]


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
        elif ip in _6TO4:
            ip = ipaddress.IPv4Address((int(ip) >> 80) & 0xFFFFFFFF)
        elif ip in _SITE_LOCAL and not any(
            ip in network for network in allowed_networks() if network.version == 6
        ):
            return (
                f"{ip} is a site-local (private) address; an administrator can allow its network "
                "with ANNOTATOR_SUGGESTER_ALLOWED_NETWORKS"
            )
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
            # The socket's own words (errno, addresses) would turn this check into a port
            # scanner's oracle; a few plain reasons are enough to fix a configuration.
            raise Unreachable(
                "unreachable", f"could not be reached: {_plain_reason(exc)}"
            ) from None
        finally:
            if connection is not None:
                connection.close()

    @staticmethod
    def _resolve(host: str, port: int) -> str:
        """The first address of ``host``; refused if ANY of its addresses is refused, so a name
        cannot mix a metadata address in with an allowed one."""
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        # Only IPv4 and IPv6 answer a stream lookup; their socket addresses start with a string.
        addresses = [cast(str, info[4][0]) for info in infos]
        for address in addresses:
            reason = refused_address(address)
            if reason:
                raise Unreachable("refused_address", f"was refused: {reason}")
        if not addresses:
            raise Unreachable("unreachable", f"could not be reached: {host} has no address")
        return addresses[0]


def _plain_reason(exc: BaseException) -> str:
    """What went wrong with a connection, in one of a few plain phrases."""
    if isinstance(exc, socket.gaierror):
        return "its host name does not resolve"
    if isinstance(exc, ssl.SSLError):
        return "the TLS handshake failed"
    if isinstance(exc, ConnectionResetError | BrokenPipeError | http.client.HTTPException):
        return "the connection broke off before an HTTP answer"
    return "no connection could be made"


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
