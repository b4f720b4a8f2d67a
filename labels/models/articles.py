"""Articles: canonical text (LF, NFC), metadata, state, and their full-text search index."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import (
    SearchQuery,
    SearchRank,
    SearchVector,
    SearchVectorField,
)
from django.db import models
from django.db.models import Case, Count, Exists, F, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce

from labels.models.annotations import FINISHED, Annotation, AnnotationStatus
from labels.models.common import unique
from labels.models.projects import Project


class ArticleState(models.TextChoices):
    NEW = "new", "New"
    IN_PROGRESS = "in_progress", "In progress"
    SUBMITTED = "submitted", "Submitted"
    REVIEWED = "reviewed", "Reviewed"


class ArticleQuerySet(models.QuerySet):
    def search(self, words: str):
        """Full-text search of title and text (web-search syntax: words, "a phrase", -word),
        ranked, through the GIN index of ``ArticleSearch``. The one search of articles, for the
        API and the project page alike. Only indexed articles are found: after an import, the
        rest until its background indexing is done (``ArticleSearch.pending``)."""
        query = SearchQuery(words, search_type="websearch", config="simple")
        return self.filter(search_index__vector=query).annotate(
            rank=SearchRank(F("search_index__vector"), query)
        )

    def with_search_indexed(self):
        """Annotate ``search_indexed``: whether search already finds the article."""
        return self.annotate(
            search_indexed=Exists(ArticleSearch.objects.filter(article=OuterRef("pk")))
        )

    def with_state(self):
        """Annotate ``annotators_done`` and ``state``: reviewed (gold marked reviewed),
        submitted (enough annotators submitted), in_progress (someone started), or new.
        Computed in the query, never stored, so it cannot drift from the annotations."""
        layers = Annotation.objects.filter(article=OuterRef("pk"), is_gold=False)
        done = (
            layers.filter(status__in=FINISHED)
            .order_by()
            .values("article")
            .annotate(n=Count("pk"))
            .values("n")
        )
        gold_reviewed = Annotation.objects.filter(
            article=OuterRef("pk"), is_gold=True, status=AnnotationStatus.REVIEWED
        )
        return self.annotate(
            annotators_done=Coalesce(Subquery(done, output_field=models.IntegerField()), 0)
        ).annotate(
            state=Case(
                When(Exists(gold_reviewed), then=Value(ArticleState.REVIEWED)),
                When(
                    annotators_done__gte=F("project__annotators_per_article"),
                    then=Value(ArticleState.SUBMITTED),
                ),
                When(
                    Exists(layers.exclude(status=AnnotationStatus.SKIPPED)),
                    then=Value(ArticleState.IN_PROGRESS),
                ),
                default=Value(ArticleState.NEW),
                output_field=models.CharField(),
            )
        )


def article_state(
    layers: Iterable[tuple[bool, str]], annotators_per_article: int
) -> tuple[str, int]:
    """``(state, annotators_done)`` of one article from its layers' ``(is_gold, status)``: the
    rule of ``ArticleQuerySet.with_state`` for an article whose layers are loaded anyway (the
    article detail). tests/models/test_constraints.py holds the two to the same answers."""
    layers = list(layers)
    done = sum(1 for is_gold, status in layers if not is_gold and status in FINISHED)
    if any(is_gold and status == AnnotationStatus.REVIEWED for is_gold, status in layers):
        return ArticleState.REVIEWED, done
    if done >= annotators_per_article:
        return ArticleState.SUBMITTED, done
    if any(not is_gold and status != AnnotationStatus.SKIPPED for is_gold, status in layers):
        return ArticleState.IN_PROGRESS, done
    return ArticleState.NEW, done


class Article(models.Model):
    # No index of its own: labels_article_unique_external_id (project, external_id) serves.
    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="articles", db_index=False
    )
    external_id = models.CharField(
        max_length=200, help_text="The article's id in the imported data; unique per project."
    )
    title = models.CharField(max_length=500, blank=True)
    text = models.TextField(help_text="Canonical text (LF line endings, NFC). Never changes.")
    text_sha256 = models.CharField(max_length=64)
    meta = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["project", "id"]
        constraints = [
            unique("article", "project", "external_id"),
            models.CheckConstraint(condition=~Q(text=""), name="labels_article_text_not_empty"),
        ]

    def __str__(self) -> str:
        return self.title or self.external_id

    @staticmethod
    def search_vector() -> SearchVector:
        """The indexed full-text expression (config 'simple': no stemming, any language)."""
        return SearchVector("title", "text", config="simple")


class ArticleSearch(models.Model):
    """An article's full-text vector, in a table of its own so that an import stores articles
    without computing it (``to_tsvector`` was most of PostgreSQL's time in an import,
    docs/performance.md): ``labels.interop.search_index`` fills it in the background, in
    batches, and an article without a row is one search does not find yet. Insert-only: the
    article rows are never rewritten to add it."""

    article = models.OneToOneField(
        Article, primary_key=True, on_delete=models.CASCADE, related_name="search_index"
    )
    vector = SearchVectorField()

    class Meta:
        indexes = [GinIndex(fields=["vector"], name="labels_articlesearch_vector")]

    def __str__(self) -> str:
        return f"search index of article {self.article_id}"

    @staticmethod
    def pending(project) -> int:
        """How many of ``project``'s articles search does not find yet (0 when indexed)."""
        return (
            Article.objects.filter(project=project)
            .filter(~Exists(ArticleSearch.objects.filter(article=OuterRef("pk"))))
            .count()
        )
