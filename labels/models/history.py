"""The append-only history of every change to spans, relations and statuses."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from labels.models.annotations import Annotation


class HistoryAction(models.TextChoices):
    SPAN_CREATED = "span_created", "Span created"
    SPAN_UPDATED = "span_updated", "Span updated"
    SPAN_DELETED = "span_deleted", "Span deleted"
    SPAN_RESTORED = "span_restored", "Span restored"
    RELATION_CREATED = "relation_created", "Relation created"
    RELATION_DELETED = "relation_deleted", "Relation deleted"
    RELATION_UPDATED = "relation_updated", "Relation changed"
    STATUS_CHANGED = "status_changed", "Status changed"
    IMPORTED = "imported", "Imported"
    REJECTED = "rejected", "Rejected in review"


class HistoryEvent(models.Model):
    """Append-only record of every change to spans, relations and annotation status.

    The database refuses UPDATE on this table always, and DELETE except through its
    ``labels_purge_history`` function, and only together with the annotations (migrations
    ``0003`` and ``0010``; ``labels.annotation.history.purge_history``): only deleting a whole
    article or project removes its history.
    """

    # No index of its own: labels_history_by_annotation (annotation, id) serves.
    annotation = models.ForeignKey(
        Annotation, on_delete=models.CASCADE, related_name="history", db_index=False
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    action = models.CharField(max_length=30, choices=HistoryAction.choices)
    object_id = models.BigIntegerField(null=True, help_text="Id of the span or relation.")
    annotation_version = models.PositiveIntegerField()
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["annotation", "id"]
        indexes = [models.Index(fields=["annotation", "id"], name="labels_history_by_annotation")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_id}"
