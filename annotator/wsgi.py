"""WSGI entry point (gunicorn annotator.wsgi).

gunicorn runs no system checks of its own, so the application runs the project's configuration
checks (``labels.checks``) before it serves anything: a bad setting stops the worker at start.
Then it loads the URLconf, and with it every view: Django does that lazily, in a worker's first
request, which made that request (an export's first byte, a save) about half a second slower —
in every new worker, and again after each recycle (``max_requests``).
"""

import os

from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "annotator.settings")

application = get_wsgi_application()


def _check_configuration() -> None:
    from django.core import checks

    from labels.checks import TAG

    serious = [m for m in checks.run_checks(tags=[TAG]) if m.is_serious()]
    if serious:
        raise ImproperlyConfigured("\n".join(str(m) for m in serious))


_check_configuration()


def _load_urls() -> None:
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 — imports ROOT_URLCONF and the views it names


_load_urls()
