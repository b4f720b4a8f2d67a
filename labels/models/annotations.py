"""Annotations (one layer per article and annotator, or gold), spans and relations.

Offsets are Unicode code points, half-open ``[start, end)``, into ``Article.text``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Now

from labels.models.common import acting_user, created_by_index, unique_if_set, valid_choice


class AnnotationStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    SKIPPED = "skipped", "Skipped"
    REVIEWED = "reviewed", "Reviewed"


#: Finished work: an analyst's layer in one of these statuses holds its seat for good and is
#: what review, agreement and the export read. The one list of them.
FINISHED = (AnnotationStatus.SUBMITTED, AnnotationStatus.REVIEWED)


class AnnotationQuerySet(models.QuerySet):
    def gold(self):
        return self.filter(is_gold=True)

    def of_annotators(self):
        return self.filter(is_gold=False)

    def finished(self):
        return self.filter(status__in=FINISHED)

    def holding_a_seat(self):
        """Annotations that count against ``annotators_per_article``: submitted or reviewed work,
        explicit assignments, and drafts whose lease has not expired."""
        return self.filter(is_gold=False).filter(
            Q(status__in=FINISHED)
            | Q(status=AnnotationStatus.DRAFT, assigned_by__isnull=False)
            | Q(status=AnnotationStatus.DRAFT, lease_expires_at__gt=Now())
        )


class Annotation(models.Model):
    """One layer of one article: an annotator's work, or the reviewed gold version."""

    # Neither key has an index of its own: labels_annotation_by_article (article, status) and
    # labels_annotation_by_user (annotator, status) serve (every index slows an import).
    article = models.ForeignKey(
        "labels.Article", on_delete=models.CASCADE, related_name="annotations", db_index=False
    )
    is_gold = models.BooleanField(default=False)
    annotator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        db_index=False,
        related_name="annotations",
        help_text="Whose layer this is; empty for the gold layer.",
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reviewed_annotations",
    )
    status = models.CharField(
        max_length=20, choices=AnnotationStatus.choices, default=AnnotationStatus.DRAFT
    )
    version = models.PositiveIntegerField(
        default=1, help_text="Raised by every change; a write naming an older version is refused."
    )
    schema_version = models.PositiveIntegerField(default=1)
    skip_reason = models.TextField(blank=True)
    review_comment = models.TextField(
        blank=True, help_text="Set when a reviewer sends the annotation back."
    )
    assigned_by = acting_user(
        help_text="Set when a manager assigned the article; such drafts never expire."
    )
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    objects = AnnotationQuerySet.as_manager()

    class Meta:
        ordering = ["article", "is_gold", "annotator__username"]
        constraints = [
            models.UniqueConstraint(
                fields=["article", "annotator"],
                condition=Q(is_gold=False),
                name="labels_annotation_unique_annotator",
            ),
            models.UniqueConstraint(
                fields=["article"], condition=Q(is_gold=True), name="labels_annotation_unique_gold"
            ),
            models.CheckConstraint(
                condition=Q(is_gold=True, annotator__isnull=True)
                | Q(is_gold=False, annotator__isnull=False),
                name="labels_annotation_gold_xor_annotator",
            ),
            valid_choice("annotation", "status", AnnotationStatus),
        ]
        indexes = [
            models.Index(fields=["annotator", "status"], name="labels_annotation_by_user"),
            models.Index(fields=["article", "status"], name="labels_annotation_by_article"),
        ]

    def __str__(self) -> str:
        return f"{self.article} — {self.layer_name}"

    @property
    def layer_name(self) -> str:
        if self.is_gold:
            return "gold"
        # labels_annotation_gold_xor_annotator: a layer that is not gold has an annotator.
        assert self.annotator is not None
        return self.annotator.username


class Origin(models.TextChoices):
    MANUAL = "manual", "Manual"
    SUGGESTED = "suggested", "Accepted suggestion"
    IMPORTED = "imported", "Imported"


class Provenance(models.TextChoices):
    UNANIMOUS = "unanimous", "Unanimous"
    MAJORITY = "majority", "Majority"
    ADJUDICATED = "adjudicated", "Adjudicated"
    REVIEWER = "reviewer", "Added by reviewer"


class Span(models.Model):
    # No index of its own: labels_span_unique_position (annotation, start, …) serves.
    annotation = models.ForeignKey(
        Annotation, on_delete=models.CASCADE, related_name="spans", db_index=False
    )
    label = models.CharField(max_length=50)
    start = models.PositiveIntegerField(help_text="Code-point offset, inclusive.")
    end = models.PositiveIntegerField(help_text="Code-point offset, exclusive.")
    text = models.TextField(help_text="Must equal article.text[start:end].")
    attrs = models.JSONField(default=dict, blank=True)
    origin = models.CharField(max_length=20, choices=Origin.choices, default=Origin.MANUAL)
    origin_detail = models.JSONField(
        default=dict, blank=True, help_text="Suggestion rule and confidence, or import source."
    )
    client_id = models.UUIDField(
        null=True,
        blank=True,
        help_text="Chosen by the client that created the span, so a retried save is not stored twice.",
    )
    provenance = models.CharField(
        max_length=20, choices=Provenance.choices, blank=True, help_text="Gold layer only."
    )
    agreed_by = models.JSONField(
        default=list, blank=True, help_text="Gold layer: the annotators who marked this span."
    )
    # No index of its own: labels_span_by_creator, partial (imported spans have none).
    created_by = acting_user(db_index=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["annotation", "start", "end", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(start__gte=0), name="labels_span_start_gte_0"),
            models.CheckConstraint(
                condition=Q(start__lt=F("end")), name="labels_span_start_lt_end"
            ),
            models.CheckConstraint(condition=~Q(text=""), name="labels_span_text_not_empty"),
            # Target of the composite foreign keys that keep relations inside one annotation.
            models.UniqueConstraint(
                fields=["annotation", "id"], name="labels_span_unique_annotation_id"
            ),
            # Partial: only spans saved by a client have a client_id (not imported ones).
            unique_if_set("span", "annotation", "client_id"),
            # One span per label and place. Ordered by position so that the same index also
            # serves "an annotation's spans in text order" (no index of its own for that).
            models.UniqueConstraint(
                fields=["annotation", "start", "end", "label"], name="labels_span_unique_position"
            ),
        ]
        indexes = [created_by_index("span")]

    def __str__(self) -> str:
        return f"{self.label} [{self.start}, {self.end})"


class Relation(models.Model):
    """A directed link between two spans of the same annotation (enforced by composite FKs)."""

    # No index of its own: labels_relation_unique (annotation, label, source, target) serves.
    # No foreign key check of its own either: the composite keys below put both ends in this
    # annotation's spans, and a span's annotation exists (its own foreign key).
    annotation = models.ForeignKey(
        Annotation,
        on_delete=models.CASCADE,
        related_name="relations",
        db_index=False,
        db_constraint=False,
    )
    label = models.CharField(max_length=50)
    # The database checks both ends with the composite foreign keys (annotation, source) and
    # (annotation, target) of migration 0002_relation_ends_in_same_annotation, which cascade;
    # a plain foreign key on the span id alone would check each end a second time.
    source = models.ForeignKey(
        Span, on_delete=models.CASCADE, related_name="outgoing", db_constraint=False
    )
    target = models.ForeignKey(
        Span, on_delete=models.CASCADE, related_name="incoming", db_constraint=False
    )
    attrs = models.JSONField(default=dict, blank=True)
    client_id = models.UUIDField(null=True, blank=True)
    # No index of its own: labels_relation_by_creator, partial (imported relations have none).
    created_by = acting_user(db_index=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["annotation", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(source=F("target")), name="labels_relation_not_self"
            ),
            models.UniqueConstraint(
                fields=["annotation", "label", "source", "target"], name="labels_relation_unique"
            ),
            unique_if_set("relation", "annotation", "client_id"),
        ]
        indexes = [created_by_index("relation")]

    def __str__(self) -> str:
        return f"{self.label}: {self.source_id} → {self.target_id}"
