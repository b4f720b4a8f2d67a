"""A real HTTP model server on 127.0.0.1 for the suggester tests: a ThreadingHTTPServer on an
ephemeral port, in a thread, whose answer each test sets (``server.answer(...)``). Test modules wrap ``running()`` in a
fixture, and clear ``labels.suggestions.proposals``' caches around each test."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Reply = tuple[int, Any, dict[str, str]]  # status, body (JSON-able, or bytes sent as is), headers


class SuggesterServer:
    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.delay = 0.0
        self._reply: Callable[[dict], Reply] = lambda payload: (
            200,
            {"spans": [], "relations": []},
            {},
        )
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 — the stdlib's name
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                payload = json.loads(body)
                outer.requests.append(
                    {
                        "path": self.path,
                        "content_type": self.headers.get("Content-Type"),
                        "json": payload,
                    }
                )
                if outer.delay:
                    time.sleep(outer.delay)
                status, answer, headers = outer._reply(payload)
                data = answer if isinstance(answer, bytes) else json.dumps(answer).encode()
                try:
                    self.send_response(status)
                    for name, value in {"Content-Type": "application/json", **headers}.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (the timeout test)

            def log_message(self, format, *args) -> None:  # noqa: A002 — quiet
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}/suggest"

    def answer(self, body: Any, status: int = 200, headers: dict | None = None) -> None:
        """Answer every request with ``body`` (JSON-able, or raw bytes)."""
        self._reply = lambda payload: (status, body, headers or {})

    def answer_with(self, fn: Callable[[dict], Any]) -> None:
        """Answer with ``fn(request JSON)``, status 200."""
        self._reply = lambda payload: (200, fn(payload), {})


@contextmanager
def running() -> Iterator[SuggesterServer]:
    server = SuggesterServer()
    server.thread.start()
    try:
        yield server
    finally:
        server.httpd.shutdown()
        server.httpd.server_close()


def span(text: str, part: str, label: str, **extra) -> dict[str, Any]:
    """A native span for ``part`` (its first occurrence in ``text``)."""
    start = text.index(part)
    return {"label": label, "start": start, "end": start + len(part), "text": part, **extra}
