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
    source = models.CharField(
        max_length=50, blank=True, help_text="The suggester that proposed it (builtin, http, …)."
    )
    rule = models.CharField(
        max_length=100, blank=True, help_text="The rule that proposed it; empty when unknown."
    )
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


class ArticleUncertainty(models.Model):
    """How unsure a project's newest trained model is about an article nobody has started
    (``labels.suggestions.training``): 0 sure … 1 unsure. Written when a model is trained;
    **Next** hands out the most uncertain first when the project asks for it
    (``Project.next_by_uncertainty``)."""

    article = models.OneToOneField(
        Article, on_delete=models.CASCADE, primary_key=True, related_name="uncertainty"
    )
    value = models.FloatField()
    model = models.CharField(max_length=200, help_text="The model version that measured it.")
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(value__gte=0) & models.Q(value__lte=1),
                name="labels_articleuncertainty_value_0_to_1",
            )
        ]

    def __str__(self) -> str:
        return f"{self.article}: uncertainty {self.value:.3f}"
