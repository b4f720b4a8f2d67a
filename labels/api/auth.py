"""API tokens: how a key is issued, stored (as a digest) and checked on every request."""

from __future__ import annotations

import copy
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions
from rest_framework.authtoken.models import Token

from labels import rawsql
from labels.errors import Unauthenticated


def token_digest(key: str) -> str:
    """What the database keeps of a key: its SHA-256, cut to the 40 characters of DRF's
    ``Token.key`` column (160 bits). A copy of the database holds no usable key."""
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:40]


def issue_token(user) -> tuple[str, Token]:
    """A new API key for ``user``, replacing any previous one: the key, to be shown once, and
    the stored token (whose ``key`` is the digest)."""
    key = secrets.token_hex(20)
    with transaction.atomic():
        Token.objects.filter(user=user).delete()
        token = Token.objects.create(user=user, key=token_digest(key))
    return key, token


#: digest → the user its key was last found to belong to, for the views that check the key in
#: their own first statement (``ChecksTokenItself``); bounded, emptied when full.
_known: dict[str, Any] = {}
_KNOWN_MAX = 10_000


@dataclass(frozen=True)
class DeferredToken:
    """``request.auth`` of a request whose key was taken on trust from the process's memory:
    the view's first statement checks it against the database (``access_annotation(token=…)``)
    before anything else is read or written, so a key deleted or rotated, or a user deactivated,
    in any process is refused by the very next request."""

    digest: str


def deferred_digest(request) -> str | None:
    """The digest the view must check in its first statement; None when the authentication
    has checked the request already (a key looked up in the database, or a session)."""
    auth = request.auth
    return auth.digest if isinstance(auth, DeferredToken) else None


class TokenAuthentication(authentication.TokenAuthentication):
    """DRF's ``Authorization: Token <key>``, with the key looked up by its digest and the token
    and its user read in one hand-written query (labels.rawsql says why). Same answers as DRF's:
    401 for an unknown key or an inactive user.

    Nothing is trusted from memory except by a view that says it checks the key itself
    (``ChecksTokenItself``, the span save and starting an annotation): there a key seen before
    costs no query here, and the view's statement checks it (``DeferredToken``). Every other
    view looks the key up on every request."""

    def authenticate(self, request):
        view = (request.parser_context or {}).get("view")
        self.deferrable = request.method in getattr(view, "checks_token_itself", ())
        return super().authenticate(request)

    def authenticate_credentials(self, key):
        digest = token_digest(key)
        if getattr(self, "deferrable", False):
            known = _known.get(digest)
            if known is not None:
                return copy.copy(known), DeferredToken(digest)
        User = get_user_model()
        with rawsql.cursor() as cursor:
            cursor.execute(
                f"SELECT {rawsql.select_list(User, 'u')} FROM {rawsql.table(Token)} t "
                f"JOIN {rawsql.table(User)} u ON u.id = t.user_id WHERE t.key = %s",
                [digest],
            )
            row = cursor.fetchone()
        if row is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        user = rawsql.from_row(User, row)
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        if getattr(self, "deferrable", False):
            if len(_known) >= _KNOWN_MAX:
                _known.clear()
            _known[digest] = copy.copy(user)
        return user, Token(key=digest, user=user)


class ChecksTokenItself:
    """A view (mixed in before ``APIView``) whose handlers of the methods named in
    ``checks_token_itself`` pass ``deferred_digest(request)`` to their first statement, which
    checks the key. A revoked key found there is answered 401, as the authentication would."""

    checks_token_itself: tuple[str, ...] = ()

    def handle_exception(self, exc):
        if isinstance(exc, Unauthenticated):
            _known.pop(str(exc), None)
            exc = exceptions.AuthenticationFailed(_("Invalid token."))
        return super().handle_exception(exc)  # type: ignore[misc]
