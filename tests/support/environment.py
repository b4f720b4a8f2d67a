"""Test-run environment: development settings unless the caller chose otherwise.

A pytest plugin (``-p tests.support.environment`` in pyproject.toml), loaded before
pytest-django configures Django, so DEBUG=1 here gives the
suite the development SECRET_KEY and plain-HTTP cookies; pytest-django itself still runs the
tests with settings.DEBUG = False.
"""

import os

os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("AXES_ENABLED", "0")
