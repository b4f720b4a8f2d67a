"""Configuration errors as Django system checks: a bad setting stops ``manage.py check``,
``runserver`` and the WSGI application at start (``annotator.wsgi`` runs the checks tagged
``annotator``), not a request later.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.core.checks import Error, Tags, register

TAG = "annotator"


@register(TAG, Tags.security)
def check_suggester_networks(app_configs=None, **kwargs) -> list[Error]:
    """labels.E001: every entry of ANNOTATOR_SUGGESTER_ALLOWED_NETWORKS is a network."""
    errors = []
    for entry in settings.ANNOTATOR_SUGGESTER_ALLOWED_NETWORKS:
        try:
            ipaddress.ip_network(entry, strict=False)
        except ValueError:
            errors.append(
                Error(
                    f"ANNOTATOR_SUGGESTER_ALLOWED_NETWORKS: {entry!r} is not a network.",
                    hint="Give networks in CIDR form, comma-separated, e.g. 10.1.0.0/16,::1/128.",
                    id="labels.E001",
                )
            )
    return errors


@register(TAG)
def check_positive_settings(app_configs=None, **kwargs) -> list[Error]:
    """labels.E002: the durations and sizes the app divides its work by are positive."""
    names = (
        "ANNOTATOR_LEASE_MINUTES",
        "ANNOTATOR_SUGGESTER_TIMEOUT_MS",
        "ANNOTATOR_MAX_IMPORT_BYTES",
        "ANNOTATOR_AGREEMENT_INLINE_LAYERS",
    )
    return [
        Error(
            f"{name} must be a positive number (it is {getattr(settings, name)!r}).",
            id="labels.E002",
        )
        for name in names
        if not getattr(settings, name) > 0
    ]
