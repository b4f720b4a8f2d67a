"""gunicorn's threaded worker, made to stop without dropping a request (``gunicorn.conf.py``).

gunicorn 23's ``gthread`` worker, when it stops — recycled after ``max_requests``, replaced on
``kill -HUP``, or stopped by SIGTERM — leaves its event loop at once: every connection it had
accepted but not yet read, and every kept-alive connection, is closed by the process exit
without an answer, and a response that started before the stop still says "keep-alive" and is
then closed under the client (gunicorn issue #3038, still open). Under load each recycle drops
requests that the server had taken; a POST that was dropped cannot be safely sent again by a
browser.

:class:`DrainingThreadWorker` stops the way a careful server does:

1. it stops accepting (the listening socket is shared with the other workers, whose accept
   queue keeps every connection not yet taken);
2. it keeps serving every connection it has already accepted: a request that arrives on one is
   answered with ``Connection: close``, so the client knows to go elsewhere for the next one;
3. an idle kept-alive connection is closed only when its keep-alive time runs out, as it would
   have been had the worker not stopped — a stop adds no new way to lose a request;
4. it exits once it holds no connection, or when ``graceful_timeout`` is up.
"""

from __future__ import annotations

import selectors
import time
from concurrent import futures
from functools import partial

from gunicorn.workers.gthread import ThreadWorker  # type: ignore[import-untyped]  # gunicorn ships no types


class DrainingThreadWorker(ThreadWorker):
    def run(self) -> None:
        for listener in self.sockets:
            listener.setblocking(False)
            # The listener's name may be unavailable once a stop has begun: take it now.
            self.poller.register(
                listener, selectors.EVENT_READ, partial(self.accept, listener.getsockname())
            )
        while self.alive:
            self.notify()
            self._serve(timeout=1.0)
            if not self.is_parent_alive():
                break
            self.murder_keepalived()
        self._drain()

    def _serve(self, timeout: float) -> None:
        """One turn of gthread's loop: poll, dispatch, collect finished requests."""
        if self.nr_conns < self.worker_connections:
            for key, _ in self.poller.select(timeout):
                key.data(key.fileobj)
            result = futures.wait(self.futures, timeout=0, return_when=futures.FIRST_COMPLETED)
        else:
            result = futures.wait(
                self.futures, timeout=timeout, return_when=futures.FIRST_COMPLETED
            )
        for done in result.done:
            self.futures.remove(done)

    def _drain(self) -> None:
        with self._lock:
            for listener in self.sockets:
                try:
                    self.poller.unregister(listener)
                except (KeyError, ValueError):
                    pass
        for listener in self.sockets:
            listener.close()
        # Leave a margin before the arbiter's own deadline (it kills at graceful_timeout).
        deadline = time.monotonic() + max(self.cfg.graceful_timeout - 1, 0)
        while (self.futures or self._registered()) and time.monotonic() < deadline:
            self.notify()
            self._serve(timeout=0.2)
            self.murder_keepalived()
        self.tpool.shutdown(wait=False)
        futures.wait(self.futures, timeout=max(deadline - time.monotonic(), 0))
        self.poller.close()

    def _registered(self) -> int:
        with self._lock:
            return len(self.poller.get_map())

    def finish_request(self, fs) -> None:
        # gthread closes a kept-alive connection as soon as the worker is stopping, right after
        # a response that told the client to keep it: the client's next request then finds it
        # closed. Keep it instead, until the client's next request (answered with
        # "Connection: close", since handle_request sees the worker stopping) or the end of
        # its keep-alive time.
        if fs.cancelled():
            self.nr_conns -= 1
            fs.conn.close()
            return
        try:
            keepalive, conn = fs.result()
            if keepalive:
                conn.sock.setblocking(False)
                conn.set_timeout()
                with self._lock:
                    self._keep.append(conn)
                    self.poller.register(
                        conn.sock,
                        selectors.EVENT_READ,
                        partial(self.on_client_socket_readable, conn),
                    )
            else:
                self.nr_conns -= 1
                conn.close()
        except Exception:
            self.nr_conns -= 1
            fs.conn.close()
