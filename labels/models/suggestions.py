"""Stored suggestions (imported proposals) and the ones an analyst rejected."""

from __future__ import annotations

from django.db import models

from labels.models.annotations import Annotation
from labels.models.articles import Article
from labels.models.common import acting_user, unique


class RejectedSuggestion(models.Model):
    """A suggestion an analyst rejected; it is not offered to them again on that article."""

    annotation = models.ForeignKey(
        Annotation, on_delete=models.CASCADE, related_name="rejected_suggestions"
    )
    label = models.CharField(max_length=50)
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["annotation", "label", "start", "end"],
                name="labels_rejectedsuggestion_unique",
            )
        ]

    def __str__(self) -> str:
        return f"rejected {self.label} [{self.start}, {self.end})"


class SuggestionSet(models.Model):
    """Spans and relations proposed for an article by something other than an analyst: an
    import into the ``suggestions`` layer (``source="import"``) or another pre-annotator.

    Stored as JSON, not as Span rows: suggestions are not anybody's work until an analyst accepts
    one, which creates an ordinary span (origin "suggested"). Offsets follow the same contract
    as spans (code points into ``article.text``). ``spans``: ``[{"id", "label", "start", "end",
    "text", "attrs"}]``; ``relations``: ``[{"label", "from", "to", "attrs"}]`` where from/to are
    span ids of this set. Required attributes may be missing.
    """

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="suggestion_sets")
    source = models.CharField(max_length=50, help_text="Who proposed them, e.g. 'import'.")
    spans = models.JSONField(default=list)
    relations = models.JSONField(default=list)
    detail = models.JSONField(default=dict, blank=True, help_text="e.g. the imported file name.")
    created_by = acting_user()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["article", "source"]
        constraints = [unique("suggestionset", "article", "source")]

    def __str__(self) -> str:
        return f"{self.source} suggestions for {self.article}"
