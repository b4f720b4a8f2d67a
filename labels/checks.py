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
        "ANNOTATOR_IMPORT_JOB_BYTES",
        "ANNOTATOR_IMPORT_JOB_RECORDS",
        "ANNOTATOR_JOB_RETENTION_DAYS",
        "ANNOTATOR_JOB_MAX_ATTEMPTS",
        "ANNOTATOR_WORKER_HEARTBEAT_SECONDS",
        "ANNOTATOR_WORKER_STALLED_SECONDS",
    )
    return [
        Error(
            f"{name} must be a positive number (it is {getattr(settings, name)!r}).",
            id="labels.E002",
        )
        for name in names
        if not getattr(settings, name) > 0
    ]


@register(TAG, Tags.security)
def check_client_address_behind_proxies(app_configs=None, **kwargs) -> list[Error]:
    """labels.E003: with AXES_PROXY_COUNT set, login throttling sees the client's address, not
    the proxy's (else one client's failed logins would lock every user out)."""
    proxies = getattr(settings, "ANNOTATOR_TRUSTED_PROXIES", 0)
    if not proxies or not getattr(settings, "AXES_ENABLED", False):
        return []
    from axes.helpers import get_client_ip_address
    from django.test import RequestFactory

    client, hops = "203.0.113.66", ["192.0.2.10"] * (proxies - 1)
    request = RequestFactory().get(
        "/login/",
        REMOTE_ADDR="192.0.2.1",
        HTTP_X_FORWARDED_FOR=", ".join(["198.51.100.99", client, *hops]),
    )
    seen = get_client_ip_address(request)
    if seen == client:
        return []
    return [
        Error(
            f"AXES_PROXY_COUNT={proxies}, but login throttling would see the address {seen!r} "
            f"for a client at {client} behind {proxies} proxies.",
            hint="Keep AXES_CLIENT_IP_CALLABLE = 'annotator.forwarded.client_address' "
            "(docs/deploy.md, 'Login throttling').",
            id="labels.E003",
        )
    ]
