"""Members and roles: add, remove, invite; the last manager stays."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from labels.errors import Invalid
from labels.models import Membership, Project, Role

if TYPE_CHECKING:
    from django.contrib.auth.models import User


@transaction.atomic
def do_add_member(project: Project, user: User, role: str) -> Membership:
    """Add ``user`` with ``role``, or change the role of an existing member. A project keeps at
    least one manager: demoting the last one is refused."""
    if role not in Role.values:
        raise Invalid.one(
            "role", "invalid_choice", f"Role must be one of {', '.join(Role.values)}."
        )
    if role != Role.MANAGER:
        _check_not_last_manager(project, user, "role")
    membership, _ = Membership.objects.update_or_create(
        project=project, user=user, defaults={"role": role}
    )
    return membership


@transaction.atomic
def do_remove_member(project: Project, user: User) -> None:
    """Remove ``user`` from the project (their annotations stay). Never the last manager."""
    _check_not_last_manager(project, user, "username")
    deleted, _ = Membership.objects.filter(project=project, user=user).delete()
    if not deleted:
        raise Invalid.one("username", "not_a_member", f"{user} is not a member of this project.")


def _check_not_last_manager(project: Project, user: User, field: str) -> None:
    """Locks the project's manager memberships (FOR UPDATE) so that two concurrent changes
    cannot each remove one of the last two managers."""
    managers = list(
        Membership.objects.select_for_update()
        .filter(project=project, role=Role.MANAGER)
        .values_list("user_id", flat=True)
    )
    if managers == [user.pk]:
        raise Invalid.one(
            field,
            "last_manager",
            f"{user} is the project's only manager; make someone else manager first.",
        )


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
            assert role is not None  # refused above
            do_add_member(project, user, role)
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
