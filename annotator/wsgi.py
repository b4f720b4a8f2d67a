"""WSGI entry point (gunicorn annotator.wsgi).

gunicorn runs no system checks of its own, so the application runs the project's configuration
checks (``labels.checks``) before it serves anything: a bad setting stops the worker at start.
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
