"""Accounts are created by the people who run Annotator, never by visitors: there is no sign-up
page. ``do_invite_user`` creates an account without a usable password (and, optionally, its
membership of a project); the invitee chooses a password through a one-time link built with
Django's password-reset token, which stops working once the password is set or after
``PASSWORD_RESET_TIMEOUT`` (three days by default).
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions
from rest_framework.authtoken.models import Token

from labels import projects, rawsql
from labels.errors import Invalid
from labels.models import Project


def do_invite_user(
    *, username: str, email: str = "", project: Project | None = None, role: str | None = None
):
    """Create ``username`` with an unusable password; with ``project``, add them with ``role``.

    Refuses an existing username (add existing users through the project's members instead).
    """
    User = get_user_model()
    username = username.strip()
    if not username:
        raise Invalid.one("username", "required", "Give a username.")
    try:
        User.username_validator(username)
    except ValidationError as exc:
        raise Invalid.one("username", "invalid", " ".join(exc.messages)) from None
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise Invalid.one("email", "invalid", f"{email!r} is not an e-mail address.") from None
    if project is not None and not role:
        raise Invalid.one("role", "required", "Give the role the user has in the project.")
    with transaction.atomic():
        if User.objects.filter(username__iexact=username).exists():
            raise Invalid.one(
                "username",
                "exists",
                f"A user named {username!r} exists; add them to a project as a member instead.",
            )
        user = User(username=username, email=email)
        user.set_unusable_password()
        user.save()
        if project is not None:
            projects.do_add_member(project, user, role)
    return user


def password_set_link(user, base_url: str) -> str:
    """The one-time link at which ``user`` chooses a password (absolute, under ``base_url``)."""
    path = reverse(
        "password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    return base_url.rstrip("/") + path


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
