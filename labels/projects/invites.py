"""Inviting someone to a project by e-mail address: the account, the one-time link, the mail.

The invitee's username is their e-mail address (what they will remember at the login form); the
account has no usable password until they choose one at the link (``members.password_set_link``,
Django's password-reset token: valid for ``PASSWORD_RESET_TIMEOUT``, once).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email

from labels.errors import Invalid
from labels.models import Project, Role
from labels.projects.members import do_invite_user, password_set_link

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# The login form's username field holds at most this many characters (Django's User model).
USERNAME_MAX_LENGTH = 150


@dataclass(frozen=True)
class Invitation:
    user: User
    role: str
    link: str
    mailed: bool

    @property
    def role_label(self) -> str:
        return Role(self.role).label.lower()


def check_invite_email(email: str) -> str:
    """The address as the account will hold it, or ``Invalid`` on field ``email``: not an
    address, too long to log in with, or already used by an account."""
    email = email.strip()
    if not email:
        raise Invalid.one("email", "required", "Give the e-mail address of the person to invite.")
    try:
        validate_email(email)
    except ValidationError:
        raise Invalid.one("email", "invalid", f"{email!r} is not an e-mail address.") from None
    if len(email) > USERNAME_MAX_LENGTH:
        raise Invalid.one(
            "email",
            "too_long",
            f"An address used to log in can be at most {USERNAME_MAX_LENGTH} characters.",
        )
    users = get_user_model().objects
    if users.filter(email__iexact=email).exists() or users.filter(username__iexact=email).exists():
        raise Invalid.one(
            "email",
            "exists",
            "An account already uses this e-mail address; add that person by their username "
            "under Add member instead.",
        )
    return email


def do_invite_by_email(project: Project, email: str, role: str, base_url: str) -> Invitation:
    """Create the account ``email`` (also its username) as ``role`` in ``project``, and mail
    the one-time link when e-mail is configured (``ANNOTATOR_SENDS_EMAIL``). The account and
    membership are written in one transaction (``members.do_invite_user``); the mail is sent
    after it, and a failure to send it leaves the link to be passed on by hand."""
    if role not in Role.values:
        raise Invalid.one("role", "invalid_choice", "Choose manager, reviewer or annotator.")
    email = check_invite_email(email)
    user = do_invite_user(username=email, email=email, project=project, role=role)
    link = password_set_link(user, base_url)
    mailed = False
    if settings.ANNOTATOR_SENDS_EMAIL:
        mailed = _send(project, user, role, link)
    return Invitation(user=user, role=role, link=link, mailed=mailed)


def _send(project: Project, user: User, role: str, link: str) -> bool:
    days = settings.PASSWORD_RESET_TIMEOUT / 86400
    body = (
        f"You have been invited to the annotation project “{project.name}” as "
        f"{Role(role).label.lower()}.\n\n"
        f"Choose your password here (the link works once, for {days:g} days):\n{link}\n\n"
        f"Then log in with the username {user.username}.\n"
    )
    try:
        send_mail(
            f"Your invitation to {project.name}",
            body,
            None,  # DEFAULT_FROM_EMAIL
            [user.email],
        )
    except OSError:  # smtplib's errors are OSErrors: the page shows the link instead
        return False
    return True
