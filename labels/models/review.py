"""Review bookkeeping: rejected candidates, and stored agreement snapshots."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from labels.models.annotations import Annotation, Relation, Span
from labels.models.common import unique_if_set
from labels.models.projects import Project


class ReviewRejection(models.Model):
    """A reviewer's decision that an annotator's span or relation stays out of the gold layer.

    A review candidate (labels/review/) is rejected when every annotator span (or relation) in
    it has a row here for the article's gold annotation; a span submitted later joins the
    candidate unrejected, so the reviewer sees it again.
    """

    gold = models.ForeignKey(Annotation, on_delete=models.CASCADE, related_name="rejections")
    span = models.ForeignKey(
        Span, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    relation = models.ForeignKey(
        Relation, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    rejected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["gold", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(span__isnull=False, relation__isnull=True)
                | Q(span__isnull=True, relation__isnull=False),
                name="labels_reviewrejection_span_xor_relation",
            ),
            unique_if_set("reviewrejection", "gold", "span"),
            unique_if_set("reviewrejection", "gold", "relation"),
        ]

    def __str__(self) -> str:
        what = f"span {self.span_id}" if self.span_id else f"relation {self.relation_id}"
        return f"rejected {what} for {self.gold}"


class AgreementSnapshot(models.Model):
    """The agreement figures of a project as last computed (labels/projects/dashboard.py).

    Agreement over a whole project reads every submitted layer, which is too slow to redo on
    every dashboard view of a large project; the dashboard shows this snapshot with its
    ``computed_at`` and recomputes it when ``fingerprint`` no longer matches the project's
    submitted work (inline for small projects, on demand or by ``manage.py agreement`` for
    large ones).
    """

    project = models.OneToOneField(
        Project, on_delete=models.CASCADE, related_name="agreement_snapshot"
    )
    computed_at = models.DateTimeField()
    fingerprint = models.CharField(
        max_length=200, help_text="Summary of the submitted layers the figures were computed from."
    )
    duration_ms = models.PositiveIntegerField(default=0)
    data = models.JSONField(help_text="compute_agreement and compare_to_gold reports.")

    def __str__(self) -> str:
        return f"agreement of {self.project} at {self.computed_at:%Y-%m-%d %H:%M}"
