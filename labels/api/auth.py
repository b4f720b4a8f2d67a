"""API tokens: authentication and the token endpoint."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions
from rest_framework.authtoken.models import Token

from labels import rawsql


class TokenAuthentication(authentication.TokenAuthentication):
    """DRF's ``Authorization: Token <key>``, with the token and its user read in one hand-written
    query (labels.rawsql says why). Same answers as DRF's: 401 for an unknown key or an
    inactive user. Nothing is cached, so a revoked token stops working at once."""

    def authenticate_credentials(self, key):
        User = get_user_model()
        if "\x00" in key:  # PostgreSQL text cannot hold NUL; no token has one
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        with rawsql.cursor() as cursor:
            cursor.execute(
                f"SELECT {rawsql.select_list(User, 'u')} FROM {rawsql.table(Token)} t "
                f"JOIN {rawsql.table(User)} u ON u.id = t.user_id WHERE t.key = %s",
                [key],
            )
            row = cursor.fetchone()
        if row is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        user = rawsql.from_row(User, row)
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        return user, Token(key=key, user=user)


# --- API tokens --------------------------------------------------------------------------------
