"""API tokens: how a key is issued, stored (as a digest) and checked on every request."""

from __future__ import annotations

import hashlib
import secrets

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions
from rest_framework.authtoken.models import Token

from labels import rawsql


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


class TokenAuthentication(authentication.TokenAuthentication):
    """DRF's ``Authorization: Token <key>``, with the key looked up by its digest and the token
    and its user read in one hand-written query (labels.rawsql says why). Same answers as DRF's:
    401 for an unknown key or an inactive user. Nothing is cached, so a revoked token stops
    working at once."""

    def authenticate_credentials(self, key):
        User = get_user_model()
        digest = token_digest(key)
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
        return user, Token(key=digest, user=user)
