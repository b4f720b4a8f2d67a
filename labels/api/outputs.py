"""Response serializers: what the API answers (the OpenAPI contract)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from labels.models import Annotation, Article, Relation, Span
from labels.suggestions import model_suggester, proposals

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# A declared field named like an attribute of DRF's Field or Serializer (label, source, errors)
# shadows nothing: SerializerMetaclass takes declared fields off the class. The stubs see a class
# attribute, hence the `type: ignore[assignment]` on those fields.


class SpanSerializer(serializers.ModelSerializer):
    class Meta:
        model = Span
        fields = [
            "id",
            "label",
            "start",
            "end",
            "text",
            "attrs",
            "origin",
            "provenance",
            "agreed_by",
            "client_id",
        ]
        read_only_fields = fields


class RelationSerializer(serializers.ModelSerializer):
    to = serializers.IntegerField(source="target_id", read_only=True)

    class Meta:
        model = Relation
        # "from" is a Python keyword, so it is added in get_fields, not declared here.
        fields = ["id", "label", "to", "attrs", "client_id"]
        read_only_fields = ["id", "label", "attrs", "client_id"]

    def get_fields(self):
        fields = super().get_fields()
        source = serializers.IntegerField(source="source_id", read_only=True)
        ordered: dict[str, serializers.Field] = {}
        for name, field in fields.items():
            if name == "to":
                ordered["from"] = source
            ordered[name] = field
        return ordered


class AnnotationSerializer(serializers.ModelSerializer):
    """An annotation with its spans and relations. Expects ``spans`` and ``relations``
    prefetched (one query each)."""

    layer = serializers.CharField(source="layer_name", read_only=True)
    article = serializers.IntegerField(source="article_id", read_only=True)
    spans = SpanSerializer(many=True, read_only=True)
    relations = RelationSerializer(many=True, read_only=True)
    reviewer: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username", read_only=True
    )

    class Meta:
        model = Annotation
        fields = [
            "id",
            "article",
            "layer",
            "is_gold",
            "status",
            "version",
            "schema_version",
            "skip_reason",
            "review_comment",
            "reviewer",
            "lease_expires_at",
            "created_at",
            "updated_at",
            "submitted_at",
            "spans",
            "relations",
        ]
        read_only_fields = fields


class WriteResultSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    span = SpanSerializer(required=False)
    relation = RelationSerializer(required=False)


class ErrorItemSerializer(serializers.Serializer):
    field = serializers.CharField(help_text="The part of the request the error is about.")
    code = serializers.CharField(help_text="A stable machine-readable code.")
    message = serializers.CharField()


class ErrorSerializer(serializers.Serializer):
    """Every error answer: 400, 401, 403, 404, 409 (409 adds ``current_version``)."""

    errors = ErrorItemSerializer(many=True)  # type: ignore[assignment]  # a declared field (see top)


class ProjectSerializer(serializers.Serializer):
    """A project as one of its members sees it, with that member's role. Built from a
    Membership with its project (``access.user_projects``)."""

    slug = serializers.SlugField(source="project.slug", read_only=True)
    name = serializers.CharField(source="project.name", read_only=True)
    description = serializers.CharField(source="project.description", read_only=True)
    annotators_per_article = serializers.IntegerField(
        source="project.annotators_per_article", read_only=True
    )
    blind = serializers.BooleanField(source="project.blind", read_only=True)
    schema_version = serializers.IntegerField(source="project.schema_version", read_only=True)
    role = serializers.CharField(read_only=True, help_text="manager, reviewer or annotator")
    created_at = serializers.DateTimeField(source="project.created_at", read_only=True)


class ModelChoiceSerializer(serializers.Serializer):
    """A project whose trained models a project may suggest with."""

    project = serializers.SlugField(help_text="Its slug: the value of suggester_model.")
    name = serializers.CharField()
    own = serializers.BooleanField(help_text="This project's own models.")
    usable = serializers.BooleanField(
        help_text="False for the model in use whose project no longer shares it: it proposes "
        "nothing until shared again or replaced."
    )
    in_use = serializers.BooleanField(help_text="The one suggester_model names.")
    latest = serializers.CharField(
        allow_null=True, help_text="Its newest model version; null before any training."
    )
    trained_at = serializers.DateTimeField(allow_null=True)


class ProjectDetailSerializer(ProjectSerializer):
    guidelines = serializers.CharField(source="project.guidelines", read_only=True)
    schema = serializers.JSONField(source="project.schema", read_only=True)
    updated_at = serializers.DateTimeField(source="project.updated_at", read_only=True)
    suggesters = serializers.CharField(
        source="project.suggesters", read_only=True, help_text="builtin, http, both or none"
    )
    suggester_url = serializers.SerializerMethodField(help_text="Managers only; null for others.")
    suggester_model = serializers.SerializerMethodField(
        help_text="Managers only: the slug of the project whose newest trained model also "
        "suggests (this one, or one of models), or null for none; null for others."
    )
    shares_suggester_model = serializers.BooleanField(
        source="project.shares_suggester_model",
        read_only=True,
        help_text="Other projects' managers may use this project's trained models.",
    )
    next_by_uncertainty = serializers.BooleanField(
        source="project.next_by_uncertainty",
        read_only=True,
        help_text="Next hands out first the unstarted articles the trained model is least sure "
        "about.",
    )
    models = serializers.SerializerMethodField(
        help_text="Managers only: the models the project may suggest with (its own first, then "
        "those other projects share); null for others."
    )

    def get_suggester_url(self, membership) -> str | None:
        return membership.project.suggester_url if membership.role == "manager" else None

    def _models(self, membership) -> list[dict] | None:
        if membership.role != "manager":
            return None
        cache = self.__dict__.setdefault("_model_cache", {})
        if membership.pk not in cache:
            cache[membership.pk] = model_suggester.available_models(membership.project)
        return cache[membership.pk]

    def get_suggester_model(self, membership) -> str | None:
        choices = self._models(membership)
        return next((m["project"] for m in choices or [] if m["in_use"]), None)

    @extend_schema_field(ModelChoiceSerializer(many=True, allow_null=True))
    def get_models(self, membership) -> Any:
        choices = self._models(membership)
        return None if choices is None else ModelChoiceSerializer(choices, many=True).data


class MemberSerializer(serializers.Serializer):
    username = serializers.CharField(source="user.username", read_only=True)
    name = serializers.CharField(source="user.get_full_name", read_only=True)
    role = serializers.CharField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)


class ArticleListSerializer(serializers.ModelSerializer):
    """Expects ``Article.objects.with_state()`` (``state`` and ``annotators_done``) and, in
    the list, ``with_search_indexed()``."""

    state = serializers.CharField(read_only=True)
    annotators_done = serializers.IntegerField(read_only=True)
    search_indexed = serializers.BooleanField(
        read_only=True,
        help_text="False while the article waits for the search index built after its import: "
        "search does not find it yet.",
    )

    class Meta:
        model = Article
        fields = ["id", "external_id", "title", "meta", "state", "annotators_done"]
        fields += ["search_indexed", "created_at"]
        read_only_fields = fields


class LayerSummarySerializer(serializers.ModelSerializer):
    """Expects ``span_count``/``relation_count`` annotations and the annotator selected."""

    layer = serializers.CharField(source="layer_name", read_only=True)
    spans = serializers.IntegerField(source="span_count", read_only=True)
    relations = serializers.IntegerField(source="relation_count", read_only=True)

    class Meta:
        model = Annotation
        fields = ["id", "layer", "status", "version", "spans", "relations", "updated_at"]
        read_only_fields = fields


class ArticleDetailSerializer(ArticleListSerializer):
    layers = LayerSummarySerializer(
        many=True,
        read_only=True,
        allow_null=True,
        help_text="Managers and reviewers: every layer of the article; null for annotators.",
    )
    search_indexed = None  # type: ignore[assignment]  # the list's alone (DRF drops it)

    class Meta(ArticleListSerializer.Meta):
        fields = [f for f in ArticleListSerializer.Meta.fields if f != "search_indexed"]
        fields += ["text", "text_sha256", "layers"]
        read_only_fields = fields


class ImportIncompleteSerializer(serializers.Serializer):
    label = serializers.CharField()  # type: ignore[assignment]  # a declared field (see top)
    attribute = serializers.CharField()
    spans = serializers.IntegerField()
    message = serializers.CharField()


class ImportReportSerializer(serializers.Serializer):
    created = serializers.IntegerField(help_text="Articles created.")
    unchanged = serializers.IntegerField(help_text="Articles already present with the same text.")
    layers_added = serializers.IntegerField()
    spans = serializers.IntegerField()
    relations = serializers.IntegerField()
    skipped = serializers.ListField(child=serializers.CharField())
    notes = serializers.ListField(child=serializers.CharField())
    errors = serializers.ListField(  # type: ignore[assignment]  # a declared field (see top)
        child=serializers.CharField(), help_text="`file:line: reason` (partial imports)."
    )
    written = serializers.BooleanField()
    incomplete = ImportIncompleteSerializer(
        many=True,
        help_text="Written spans that lack a required attribute, per label and attribute; each "
        "message (“312 Quote spans need quote_type”) is among the notes too.",
    )
    inferred = serializers.IntegerField(help_text="quote_type values inferred (infer_attrs).")


class ImportErrorSerializer(ErrorSerializer):
    report = ImportReportSerializer()


class TokenSerializer(serializers.Serializer):
    key = serializers.CharField(
        read_only=True, help_text="Send it as `Authorization: Token <key>`; shown only once."
    )
    created = serializers.DateTimeField(read_only=True)


class TokenStatusSerializer(serializers.Serializer):
    exists = serializers.BooleanField()
    created = serializers.DateTimeField(allow_null=True)


class AssignmentSerializer(serializers.ModelSerializer):
    """An analyst's annotation of an article, as an assignment."""

    article = serializers.IntegerField(source="article_id", read_only=True)
    username: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        source="annotator", slug_field="username", read_only=True
    )
    assigned_by: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username", read_only=True
    )

    class Meta:
        model = Annotation
        fields = ["id", "article", "username", "status", "assigned_by", "version"]
        read_only_fields = fields


# --- Responses (for the OpenAPI schema) ------------------------------------------------------


class SuggestedSpanSerializer(serializers.Serializer):
    key = serializers.CharField(help_text='"<label>:<start>:<end>"; names the suggestion.')
    label = serializers.CharField()  # type: ignore[assignment]  # a declared field (see top)
    start = serializers.IntegerField(help_text="Code-point offset, inclusive.")
    end = serializers.IntegerField(help_text="Code-point offset, exclusive.")
    text = serializers.CharField()
    attrs = serializers.DictField()
    confidence = serializers.FloatField(allow_null=True)
    rule = serializers.CharField(help_text="What proposed it, e.g. quote:curly or http.")
    source = serializers.ChoiceField(choices=[proposals.BUILTIN, proposals.HTTP, proposals.IMPORT])  # type: ignore[assignment]  # a declared field (see top)
    sources = serializers.ListField(
        child=serializers.CharField(),
        help_text="Every suggester that proposed it (near-duplicates are shown as one).",
    )
    sources = serializers.ListField(
        child=serializers.CharField(),
        help_text="Every suggester that proposed it (near-duplicates are shown as one).",
    )


class SuggestedRelationSerializer(serializers.Serializer):
    label = serializers.CharField()  # type: ignore[assignment]  # a declared field (see top)
    from_span = serializers.IntegerField(
        allow_null=True, help_text="Id of the from span once it is a span, else null."
    )
    to_span = serializers.IntegerField(allow_null=True)
    attrs = serializers.DictField(help_text="Span-valued attributes (cue) hold keys.")
    confidence = serializers.FloatField(allow_null=True)
    rule = serializers.CharField()
    source = serializers.CharField()  # type: ignore[assignment]  # a declared field (see top)

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = serializers.CharField(help_text="Key of the from span.")
        fields["to"] = serializers.CharField(help_text="Key of the to span.")
        return fields


class SuggesterProblemSerializer(serializers.Serializer):
    source = serializers.CharField()  # type: ignore[assignment]  # a declared field (see top)
    code = serializers.CharField()
    message = serializers.CharField()


class SuggestionsSerializer(serializers.Serializer):
    annotation = serializers.IntegerField()
    version = serializers.IntegerField()
    spans = SuggestedSpanSerializer(many=True)
    relations = SuggestedRelationSerializer(many=True)
    problems = SuggesterProblemSerializer(many=True, required=False, help_text="Managers only.")


class SkippedSerializer(serializers.Serializer):
    key = serializers.CharField()
    errors = serializers.ListField(child=serializers.DictField())  # type: ignore[assignment]  # a declared field (see top)


class SkippedRelationSerializer(serializers.Serializer):
    label = serializers.CharField()  # type: ignore[assignment]  # a declared field (see top)
    errors = serializers.ListField(child=serializers.DictField())  # type: ignore[assignment]  # a declared field (see top)

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = serializers.CharField()
        fields["to"] = serializers.CharField()
        return fields


class AcceptAllResultSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    spans = SpanSerializer(many=True)
    relations = RelationSerializer(many=True)
    skipped = SkippedSerializer(many=True, help_text="Suggested spans the checks refused.")
    skipped_relations = SkippedRelationSerializer(many=True)


class RejectResultSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # a declared field (see top)
    start = serializers.IntegerField()
    end = serializers.IntegerField()
    version = serializers.IntegerField(help_text="Unchanged: a rejection is not an edit.")


class SuggesterCheckSerializer(serializers.Serializer):
    suggesters = serializers.CharField()
    url = serializers.CharField()
    configured = serializers.BooleanField()
    ok = serializers.BooleanField()
    status = serializers.IntegerField(allow_null=True)
    latency_ms = serializers.IntegerField(allow_null=True)
    spans = serializers.IntegerField()
    relations = serializers.IntegerField()
    problems = SuggesterProblemSerializer(many=True)


class ChangeSerializer(serializers.Serializer):
    field = serializers.CharField()
    before = serializers.CharField(allow_blank=True)
    after = serializers.CharField(allow_blank=True)


class HistoryEventSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="event.pk")
    at = serializers.DateTimeField(source="event.at")
    actor = serializers.CharField(source="event.actor.username", default=None, allow_null=True)
    action = serializers.CharField(source="event.action")
    action_label = serializers.CharField(source="event.get_action_display")
    object_id = serializers.IntegerField(source="event.object_id", allow_null=True)
    annotation_version = serializers.IntegerField(source="event.annotation_version")
    before = serializers.JSONField(source="event.before", allow_null=True)
    after = serializers.JSONField(source="event.after", allow_null=True)
    changes = ChangeSerializer(many=True)
    restorable = serializers.BooleanField()
    restored_by = serializers.IntegerField(allow_null=True)


class JobResultSerializer(serializers.Serializer):
    """What a job produced: an export's file (``download`` once it succeeded), an import's
    report (the fields of ImportReport), an agreement recompute's time."""

    download = serializers.URLField(required=False, help_text="The result file (exports).")
    filename = serializers.CharField(required=False)
    bytes = serializers.IntegerField(required=False)
    records = serializers.IntegerField(required=False)
    created = serializers.IntegerField(required=False, help_text="Import: articles created.")
    errors = serializers.ListField(  # type: ignore[assignment]  # a declared field (see top)
        child=serializers.CharField(), required=False, help_text="Import: `file:line: reason`."
    )
    computed_at = serializers.DateTimeField(required=False, help_text="Agreement.")


class JobSerializer(serializers.Serializer):
    """A background job (labels/jobs/). Read with ``select_related("project", "created_by")``."""

    id = serializers.IntegerField()
    project = serializers.CharField(source="project.slug")
    kind = serializers.CharField()
    state = serializers.CharField(
        help_text="queued, running, succeeded, failed or cancelled (final: the last three)."
    )
    progress = serializers.FloatField(help_text="0–1.")
    message = serializers.CharField()
    created_by = serializers.CharField(source="created_by.username", allow_null=True)
    params = serializers.DictField()
    result = serializers.SerializerMethodField()
    error = serializers.CharField()
    attempts = serializers.IntegerField()
    worker = serializers.CharField(help_text="host:pid of the worker of the latest attempt.")
    created_at = serializers.DateTimeField()
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    url = serializers.SerializerMethodField()

    def _absolute(self, path: str) -> str:
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path

    @extend_schema_field(JobResultSerializer(allow_null=True))
    def get_result(self, job) -> dict | None:
        if job.result is None:
            return None
        result = dict(job.result)
        if job.state == "succeeded" and job.file:
            result["download"] = self._absolute(reverse("api-job-download", args=[job.pk]))
        return result

    def get_url(self, job) -> str:
        return self._absolute(reverse("api-job", args=[job.pk]))
