"""Imported once by the import jobs' fork server (``labels.jobs.child``) before it forks any
child: Django set up and the import's modules loaded, so that a child starts at once."""

import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "annotator.settings")
django.setup()

import labels.interop.importing  # noqa: E402, F401
import labels.jobs.work  # noqa: E402, F401
