"""Creating projects, changing their schema, and managing who belongs to them."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from labels.errors import Invalid
from labels.models import Annotation, Membership, Project, Role, SchemaVersion
from labels.schema import check_schema, default_schema


@transaction.atomic
def do_create_project(
    *,
    slug: str,
    name: str,
    schema: Any = None,
    description: str = "",
    guidelines: str = "",
    annotators_per_article: int = 2,
    blind: bool = True,
) -> Project:
    """Create a project with a validated schema (the default news-attribution one if none)."""
    if Project.objects.filter(slug=slug).exists():
        raise Invalid.one("slug", "duplicate", f"A project with the slug {slug!r} already exists.")
    if annotators_per_article < 1:
        raise Invalid.one("annotators_per_article", "min_value", "Must be at least 1.")
    cleaned = check_schema(default_schema() if schema is None else schema)
    project = Project.objects.create(
        slug=slug,
        name=name,
        schema=cleaned,
        schema_version=1,
        description=description,
        guidelines=guidelines,
        annotators_per_article=annotators_per_article,
        blind=blind,
    )
    SchemaVersion.objects.create(project=project, version=1, schema=cleaned)
    return project


@transaction.atomic
def do_change_schema(project: Project, schema: Any) -> Project:
    """Replace the schema. Once annotations exist the change becomes a new version, so that every
    annotation keeps naming the schema it was made under; before that, version 1 is rewritten."""
    cleaned = check_schema(schema)
    project = Project.objects.select_for_update().get(pk=project.pk)
    if cleaned == project.schema:
        return project
    if Annotation.objects.filter(article__project=project).exists():
        project.schema_version += 1
        SchemaVersion.objects.create(
            project=project, version=project.schema_version, schema=cleaned
        )
    else:
        SchemaVersion.objects.filter(project=project, version=project.schema_version).update(
            schema=cleaned
        )
    project.schema = cleaned
    project.save(update_fields=["schema", "schema_version", "updated_at"])
    return project


@transaction.atomic
def do_add_member(project: Project, user: AbstractBaseUser, role: str) -> Membership:
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
def do_remove_member(project: Project, user: AbstractBaseUser) -> None:
    """Remove ``user`` from the project (their annotations stay). Never the last manager."""
    _check_not_last_manager(project, user, "username")
    deleted, _ = Membership.objects.filter(project=project, user=user).delete()
    if not deleted:
        raise Invalid.one("username", "not_a_member", f"{user} is not a member of this project.")


def _check_not_last_manager(project: Project, user: AbstractBaseUser, field: str) -> None:
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
