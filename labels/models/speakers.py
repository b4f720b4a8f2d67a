"""The speaker registry: who said it, one row per person or body a project's Sources refer to.

A Source span links to a speaker through its ``speaker`` attribute (a schema attribute of type
``speaker``): ``span.attrs["speaker"]`` holds the speaker's id. A merge keeps the merged speaker
as a row (``merged_into`` set, its links moved to the survivor) so that it can be undone from
the registry's history, ``SpeakerEvent``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower

from labels.models.common import acting_user, valid_choice

#: The form of a Wikidata item id (checked for form only; nothing is looked up).
WIKIDATA_ID_PATTERN = r"^Q[1-9][0-9]*$"


class SpeakerKind(models.TextChoices):
    PERSON = "person", "Person"
    ORGANIZATION = "organization", "Organization"
    GOVERNMENT = "government", "Government"
    NEWS_AGENCY = "news_agency", "News agency"
    OTHER = "other", "Other"


class SpeakerQuerySet(models.QuerySet):
    def active(self):
        """Speakers that have not been merged into another one."""
        return self.filter(merged_into__isnull=True)


class Speaker(models.Model):
    project = models.ForeignKey("labels.Project", on_delete=models.CASCADE, related_name="speakers")
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=SpeakerKind.choices, default=SpeakerKind.PERSON)
    aliases = models.JSONField(
        default=list, blank=True, help_text="Other names the texts use for this speaker."
    )
    wikidata_id = models.CharField(
        max_length=20, blank=True, help_text="A Wikidata item id such as Q7747; optional."
    )
    description = models.TextField(blank=True)
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged",
        help_text="Set when this speaker was merged into another one; its links moved there.",
    )
    created_by = acting_user()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SpeakerQuerySet.as_manager()

    class Meta:
        ordering = ["project", "name", "id"]
        constraints = [
            models.UniqueConstraint(
                models.F("project"),
                Lower("name"),
                condition=Q(merged_into__isnull=True),
                name="labels_speaker_unique_name",
            ),
            models.UniqueConstraint(
                fields=["project", "wikidata_id"],
                condition=~Q(wikidata_id="") & Q(merged_into__isnull=True),
                name="labels_speaker_unique_wikidata_id",
            ),
            models.CheckConstraint(
                condition=Q(wikidata_id="") | Q(wikidata_id__regex=WIKIDATA_ID_PATTERN),
                name="labels_speaker_wikidata_id_form",
            ),
            models.CheckConstraint(condition=~Q(name=""), name="labels_speaker_name_not_empty"),
            models.CheckConstraint(
                condition=~Q(merged_into=models.F("id")), name="labels_speaker_not_merged_into_self"
            ),
            valid_choice("speaker", "kind", SpeakerKind),
        ]

    def __str__(self) -> str:
        return self.name


class SpeakerAction(models.TextChoices):
    CREATED = "speaker_created", "Speaker added"
    UPDATED = "speaker_updated", "Speaker changed"
    DELETED = "speaker_deleted", "Speaker deleted"
    MERGED = "speaker_merged", "Speakers merged"
    MERGE_UNDONE = "speaker_merge_undone", "Merge undone"
    IMPORTED = "speakers_imported", "Speakers imported"


class SpeakerEvent(models.Model):
    """The registry's history: every edit, merge and import, who did it and when.

    ``speaker_id`` is a plain number (a deleted speaker's events stay). A merge's ``after``
    holds ``{"into": id, "spans": [ids of the spans whose link moved], "aliases_before": [...]}``
    so that undoing it puts back exactly what it changed.
    """

    project = models.ForeignKey(
        "labels.Project", on_delete=models.CASCADE, related_name="speaker_events", db_index=False
    )
    speaker_id = models.BigIntegerField(null=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)
    action = models.CharField(max_length=30, choices=SpeakerAction.choices)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    undone = models.BooleanField(default=False, help_text="A merge that has been undone.")

    class Meta:
        ordering = ["project", "-id"]
        indexes = [models.Index(fields=["project", "id"], name="labels_speakerevent_by_project")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.speaker_id}"
