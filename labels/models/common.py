"""What several models declare alike: a user who did something to a row (``acting_user``), and
constraints and indexes named by one convention, ``labels_<model>_<what>``.

Each helper builds exactly the object a model would otherwise spell out (same name, fields and
condition), so using one changes nothing in the migrations: ``makemigrations --check`` stays
quiet.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q


def acting_user(**options: Any) -> models.ForeignKey:
    """The user who did something to the row (created it, assigned it): optional, emptied when
    the user is deleted, and no accessor of its own on the user."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        **options,
    )


def created_by_index(model: str) -> models.Index:
    """``labels_<model>_by_creator``: the index of a ``created_by = acting_user(db_index=False)``,
    partial (imported rows have no creator)."""
    return models.Index(
        fields=["created_by"],
        condition=Q(created_by__isnull=False),
        name=f"labels_{model}_by_creator",
    )


def unique(model: str, scope: str, field: str) -> models.UniqueConstraint:
    """``labels_<model>_unique_<field>``: one row per value of ``field`` within ``scope``."""
    return models.UniqueConstraint(fields=[scope, field], name=f"labels_{model}_unique_{field}")


def unique_if_set(model: str, scope: str, field: str) -> models.UniqueConstraint:
    """``unique``, partial: only the rows whose ``field`` is set (empty ones may repeat)."""
    return models.UniqueConstraint(
        fields=[scope, field],
        condition=Q(**{f"{field}__isnull": False}),
        name=f"labels_{model}_unique_{field}",
    )


def valid_choice(model: str, field: str, choices: type[models.Choices]) -> models.CheckConstraint:
    """``labels_<model>_<field>_valid``: the database, too, accepts only ``choices`` there."""
    return models.CheckConstraint(
        condition=Q(**{f"{field}__in": choices.values}), name=f"labels_{model}_{field}_valid"
    )
