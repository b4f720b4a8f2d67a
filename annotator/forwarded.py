"""The client's address behind trusted proxies, for login throttling (django-axes).

Behind a reverse proxy every request comes from the proxy's address (``REMOTE_ADDR``), so
throttling by address would lock every user out together. Each proxy appends the address it
received the request from to ``X-Forwarded-For`` (nginx's ``$proxy_add_x_forwarded_for``,
Caddy's ``reverse_proxy``), so with N trusted proxies (``AXES_PROXY_COUNT`` in the environment,
``ANNOTATOR_TRUSTED_PROXIES`` in the settings) the client is the N-th address from the right. Anything further left was written by the client and is not
trusted: a forged ``X-Forwarded-For: <victim's address>`` changes nothing.

Why not django-ipware, which axes uses when it is installed: python-ipware counts proxies as
entries of the header *besides* the client, so with the usual one proxy (a header holding only
the client) ``proxy_count=1`` resolves to no address at all, and axes would again put every
client in one bucket. ``labels.checks`` (E003) verifies at start that axes resolves the address.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str | None:
    """The address the outermost trusted proxy received the request from, or ``REMOTE_ADDR``
    when no proxy is trusted or the header holds fewer addresses than trusted proxies."""
    trusted = getattr(settings, "ANNOTATOR_TRUSTED_PROXIES", 0)
    remote = request.META.get("REMOTE_ADDR")
    if trusted <= 0:
        return remote
    forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [a for a in forwarded if a]
    if len(forwarded) < trusted:
        return remote
    return forwarded[-trusted]
