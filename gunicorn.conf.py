"""gunicorn settings for Annotator: ``gunicorn -c gunicorn.conf.py`` (see docs/deploy.md).

Everything can be changed through the environment, so one file serves a laptop, a single server
and a fleet of app servers behind a load balancer.

- Workers: GUNICORN_WORKERS (default 2 × CPUs + 1, at most 12), each with GUNICORN_THREADS
  threads (default 4) of gunicorn's threaded worker: a streamed export occupies one thread, not
  a whole worker, and the worker keeps answering its arbiter's heartbeat meanwhile. The class is
  ``annotator.gunicorn_worker.DrainingThreadWorker``, gunicorn's ``gthread`` made to finish
  every connection it accepted when it stops (recycled, ``kill -HUP``, SIGTERM); the stock
  ``gthread`` drops them (GUNICORN_WORKER_CLASS chooses another class).
- GUNICORN_MAX_REQUESTS (default 5000, 0 = never): a worker is replaced after that many requests
  (plus up to 10 % jitter), so that memory a request left behind is given back.
- GUNICORN_BIND (default 127.0.0.1:8000; a proxy in front terminates TLS).
- GUNICORN_TIMEOUT: seconds a worker may stay silent before it is restarted (default 60).
- GUNICORN_ACCESS_LOG: "-" for stdout (default), a path, or "off".
- FORWARDED_ALLOW_IPS: addresses of the proxies whose X-Forwarded-* headers are trusted.

``preload_app`` stays off: each worker opens its own database connections after the fork, and a
deploy can reload workers one by one (``kill -HUP``) without restarting the arbiter.
"""

import multiprocessing
import os


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


wsgi_app = "annotator.wsgi:application"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = _int("GUNICORN_WORKERS", min(2 * multiprocessing.cpu_count() + 1, 12))
worker_class = os.environ.get(
    "GUNICORN_WORKER_CLASS", "annotator.gunicorn_worker.DrainingThreadWorker"
)
threads = _int("GUNICORN_THREADS", 4)
timeout = _int("GUNICORN_TIMEOUT", 60)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = _int("GUNICORN_KEEPALIVE", 5)
# Recycle workers now and then so that a slow leak (or the peak of one big request) never stays:
# safe with the draining worker, which answers every connection it accepted before it exits.
max_requests = _int("GUNICORN_MAX_REQUESTS", 5000)
max_requests_jitter = max_requests // 10
preload_app = False
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")

_access_log = os.environ.get("GUNICORN_ACCESS_LOG", "-")
accesslog = None if _access_log.lower() in ("", "off", "none") else _access_log
errorlog = os.environ.get("GUNICORN_ERROR_LOG", "-")
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# Client address (the proxy's X-Forwarded-For first), user, request, status, bytes, duration.
access_log_format = '%({x-forwarded-for}i)s %(h)s %(u)s %(t)s "%(r)s" %(s)s %(B)s %(M)sms "%(a)s"'
