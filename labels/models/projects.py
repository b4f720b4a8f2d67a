"""Projects, their schema versions and members."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q

from labels.models.common import unique, valid_choice

if TYPE_CHECKING:
    from django.contrib.auth.models import User


class Role(models.TextChoices):
    MANAGER = "manager", "Manager"
    REVIEWER = "reviewer", "Reviewer"
    ANNOTATOR = "annotator", "Annotator"


class Suggesters(models.TextChoices):
    """Which automatic suggesters a project uses (labels/suggestions/). "both" without a
    suggester_url is the built-in one alone."""

    BUILTIN = "builtin", "Built-in rules only"
    HTTP = "http", "HTTP model server only"
    BOTH = "both", "Built-in rules and the HTTP model server"
    NONE = "none", "No automatic suggestions"


class Project(models.Model):
    slug = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    guidelines = models.TextField(blank=True, help_text="Annotation guidelines in Markdown.")
    schema = models.JSONField(help_text="Label schema (see labels/schema.py).")
    schema_version = models.PositiveIntegerField(default=1)
    annotators_per_article = models.PositiveSmallIntegerField(
        default=2, help_text="How many analysts annotate each article before review."
    )
    blind = models.BooleanField(
        default=True, help_text="Annotators see only their own work (recommended)."
    )
    suggester_url = models.URLField(
        blank=True,
        help_text="Optional HTTP model server that proposes spans (see docs/suggestions.md).",
    )
    lease_minutes = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="How long an analyst's unsubmitted draft keeps its seat; empty: the server's "
        "default (ANNOTATOR_LEASE_MINUTES).",
    )
    max_open_drafts = models.PositiveSmallIntegerField(
        default=3,
        help_text="How many leased drafts one analyst may hold at once, so that nobody starves "
        "the queue for the others (manager assignments do not count).",
    )
    guidelines_version = models.PositiveIntegerField(
        default=0, help_text="Goes up by one each time the guidelines are saved."
    )
    guidelines_updated_at = models.DateTimeField(null=True, blank=True)
    suggesters = models.CharField(
        max_length=10,
        choices=Suggesters.choices,
        default=Suggesters.BOTH,
        help_text="Which automatic suggesters propose spans; imported suggestions always show.",
    )
    suggester_model = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Also suggest with the newest model trained on this project (this one, or one "
        "that shares its model); empty for none.",
    )
    shares_suggester_model = models.BooleanField(
        default=False,
        help_text="Managers of other projects may use this project's trained models.",
    )
    next_by_uncertainty = models.BooleanField(
        default=False,
        help_text="Next hands out first the unstarted articles where the newest trained model is "
        "least sure, so that the gold teaches it fastest; otherwise in import order.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    members: models.ManyToManyField[User, Membership] = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Membership", related_name="projects"
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(annotators_per_article__gte=1),
                name="labels_project_annotators_per_article_gte_1",
            ),
            models.CheckConstraint(
                condition=Q(lease_minutes__isnull=True) | Q(lease_minutes__gte=1),
                name="labels_project_lease_minutes_gte_1",
            ),
            models.CheckConstraint(
                condition=Q(max_open_drafts__gte=1), name="labels_project_max_open_drafts_gte_1"
            ),
            valid_choice("project", "suggesters", Suggesters),
        ]

    def __str__(self) -> str:
        return self.name


class SchemaVersion(models.Model):
    """Every schema a project has had; annotations name the version they were made under."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="schema_versions")
    version = models.PositiveIntegerField()
    schema = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["project", "version"]
        constraints = [unique("schemaversion", "project", "version")]

    def __str__(self) -> str:
        return f"{self.project.slug} v{self.version}"


class Membership(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=20, choices=Role.choices)
    guidelines_seen_version = models.PositiveIntegerField(
        default=0, help_text="The guidelines version this member last opened."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["project", "user__username"]
        constraints = [
            unique("membership", "project", "user"),
            valid_choice("membership", "role", Role),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.role}) in {self.project}"
