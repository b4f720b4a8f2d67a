"""Annotator's data: projects, members, articles, annotations (layers), spans, relations, history.

Offsets are Unicode code points, half-open ``[start, end)``, into ``Article.text``, which is stored
canonical (LF, NFC) and never changes after import. PostgreSQL enforces every invariant it can.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import models
from django.db.models import Case, Count, Exists, F, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce, Now


class Role(models.TextChoices):
    MANAGER = "manager", "Manager"
    REVIEWER = "reviewer", "Reviewer"
    ANNOTATOR = "annotator", "Annotator"


class Suggesters(models.TextChoices):
    """Which automatic suggesters a project uses (labels/suggesters.py). "both" without a
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
    suggesters = models.CharField(
        max_length=10,
        choices=Suggesters.choices,
        default=Suggesters.BOTH,
        help_text="Which automatic suggesters propose spans; imported suggestions always show.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    members = models.ManyToManyField(
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
                condition=Q(suggesters__in=Suggesters.values),
                name="labels_project_suggesters_valid",
            ),
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
        constraints = [
            models.UniqueConstraint(
                fields=["project", "version"], name="labels_schemaversion_unique_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.project.slug} v{self.version}"


class Membership(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["project", "user__username"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "user"], name="labels_membership_unique_user"
            ),
            models.CheckConstraint(
                condition=Q(role__in=Role.values), name="labels_membership_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.role}) in {self.project}"


class ArticleState(models.TextChoices):
    NEW = "new", "New"
    IN_PROGRESS = "in_progress", "In progress"
    SUBMITTED = "submitted", "Submitted"
    REVIEWED = "reviewed", "Reviewed"


class ArticleQuerySet(models.QuerySet):
    def with_state(self):
        """Annotate ``annotators_done`` and ``state``: reviewed (gold marked reviewed),
        submitted (enough annotators submitted), in_progress (someone started), or new.
        Computed in the query, never stored, so it cannot drift from the annotations."""
        layers = Annotation.objects.filter(article=OuterRef("pk"), is_gold=False)
        done = (
            layers.filter(status__in=[AnnotationStatus.SUBMITTED, AnnotationStatus.REVIEWED])
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
    article detail). tests/test_models.py holds the two to the same answers."""
    layers = list(layers)
    done = sum(
        1
        for is_gold, status in layers
        if not is_gold and status in (AnnotationStatus.SUBMITTED, AnnotationStatus.REVIEWED)
    )
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
            models.UniqueConstraint(
                fields=["project", "external_id"], name="labels_article_unique_external_id"
            ),
            models.CheckConstraint(condition=~Q(text=""), name="labels_article_text_not_empty"),
        ]
        indexes = [
            # Full-text search of the article list: the query must use the same expression,
            # ``Article.search_vector()``, for PostgreSQL to use this index.
            GinIndex(SearchVector("title", "text", config="simple"), name="labels_article_search"),
        ]

    def __str__(self) -> str:
        return self.title or self.external_id

    @staticmethod
    def search_vector() -> SearchVector:
        """The indexed full-text expression (config 'simple': no stemming, any language)."""
        return SearchVector("title", "text", config="simple")


class AnnotationStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    SKIPPED = "skipped", "Skipped"
    REVIEWED = "reviewed", "Reviewed"


class AnnotationQuerySet(models.QuerySet):
    def gold(self):
        return self.filter(is_gold=True)

    def of_annotators(self):
        return self.filter(is_gold=False)

    def holding_a_seat(self):
        """Annotations that count against ``annotators_per_article``: submitted or reviewed work,
        explicit assignments, and drafts whose lease has not expired."""
        return self.filter(is_gold=False).filter(
            Q(status__in=[AnnotationStatus.SUBMITTED, AnnotationStatus.REVIEWED])
            | Q(status=AnnotationStatus.DRAFT, assigned_by__isnull=False)
            | Q(status=AnnotationStatus.DRAFT, lease_expires_at__gt=Now())
        )


class Annotation(models.Model):
    """One layer of one article: an annotator's work, or the reviewed gold version."""

    # Neither key has an index of its own: labels_annotation_by_article (article, status) and
    # labels_annotation_by_user (annotator, status) serve (every index slows an import).
    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="annotations", db_index=False
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
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Set when a manager assigned the article; such drafts never expire.",
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
            models.CheckConstraint(
                condition=Q(status__in=AnnotationStatus.values),
                name="labels_annotation_status_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["annotator", "status"], name="labels_annotation_by_user"),
            models.Index(fields=["article", "status"], name="labels_annotation_by_article"),
        ]

    def __str__(self) -> str:
        return f"{self.article} — {self.layer_name}"

    @property
    def layer_name(self) -> str:
        return "gold" if self.is_gold else self.annotator.username


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
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,  # labels_span_by_creator, partial: imported spans have none
    )
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
            models.UniqueConstraint(
                fields=["annotation", "client_id"],
                condition=Q(client_id__isnull=False),
                name="labels_span_unique_client_id",
            ),
            # One span per label and place. Ordered by position so that the same index also
            # serves "an annotation's spans in text order" (no index of its own for that).
            models.UniqueConstraint(
                fields=["annotation", "start", "end", "label"], name="labels_span_unique_position"
            ),
        ]
        indexes = [
            models.Index(
                fields=["created_by"],
                condition=Q(created_by__isnull=False),
                name="labels_span_by_creator",
            ),
        ]

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
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,  # labels_relation_by_creator, partial: imported relations have none
    )
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
            models.UniqueConstraint(
                fields=["annotation", "client_id"],
                condition=Q(client_id__isnull=False),
                name="labels_relation_unique_client_id",
            ),
        ]
        indexes = [
            models.Index(
                fields=["created_by"],
                condition=Q(created_by__isnull=False),
                name="labels_relation_by_creator",
            )
        ]

    def __str__(self) -> str:
        return f"{self.label}: {self.source_id} → {self.target_id}"


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

    The database refuses UPDATE on this table, and DELETE unless the transaction has declared a
    purge (see the migration ``history_append_only`` and ``labels.history.purging``): only deleting
    a whole article or project removes its history.
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
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["article", "source"]
        constraints = [
            models.UniqueConstraint(
                fields=["article", "source"], name="labels_suggestionset_unique_source"
            )
        ]

    def __str__(self) -> str:
        return f"{self.source} suggestions for {self.article}"


class ReviewRejection(models.Model):
    """A reviewer's decision that an annotator's span or relation stays out of the gold layer.

    A review candidate (labels/review.py) is rejected when every annotator span (or relation) in
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
            models.UniqueConstraint(
                fields=["gold", "span"],
                condition=Q(span__isnull=False),
                name="labels_reviewrejection_unique_span",
            ),
            models.UniqueConstraint(
                fields=["gold", "relation"],
                condition=Q(relation__isnull=False),
                name="labels_reviewrejection_unique_relation",
            ),
        ]

    def __str__(self) -> str:
        what = f"span {self.span_id}" if self.span_id else f"relation {self.relation_id}"
        return f"rejected {what} for {self.gold}"


class AgreementSnapshot(models.Model):
    """The agreement figures of a project as last computed (labels/dashboard.py).

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
