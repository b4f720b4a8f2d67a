"""API representations. Fields are listed explicitly; everything the server sets is read-only.

Input serializers check only types and shapes; the domain checks (offsets against the text,
labels against the project schema, versions) run in ``labels.spans`` for every client alike.
"""

from __future__ import annotations

from rest_framework import serializers

from labels.errors import Invalid
from labels.models import Annotation, Article, Relation, Span, Suggesters
from labels.spans import span_snapshot
from labels.suggesters import check_suggester_url


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
        ordered = {}
        for name, field in fields.items():
            if name == "to":
                ordered["from"] = source
            ordered[name] = field
        return ordered


class ArticleBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Article
        fields = ["id", "external_id", "title", "meta", "text_sha256"]
        read_only_fields = fields


class AnnotationSerializer(serializers.ModelSerializer):
    """An annotation with its spans and relations. Expects ``spans`` and ``relations``
    prefetched (one query each)."""

    layer = serializers.CharField(source="layer_name", read_only=True)
    article = serializers.IntegerField(source="article_id", read_only=True)
    spans = SpanSerializer(many=True, read_only=True)
    relations = RelationSerializer(many=True, read_only=True)
    reviewer = serializers.SlugRelatedField(slug_field="username", read_only=True)

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


# The same representations as plain functions, for the hot endpoints (a span save, an
# annotation read): instantiating a ModelSerializer costs more CPU there than the database does.
# The serializers above stay the documented contract; tests/test_api_payloads.py checks that
# both give the same output.

_DATETIME = serializers.DateTimeField()


def datetime_data(value) -> str | None:
    return None if value is None else _DATETIME.to_representation(value)


def span_data(span: Span) -> dict:
    return span_snapshot(span) | {
        "agreed_by": span.agreed_by,
        "client_id": None if span.client_id is None else str(span.client_id),
    }


def annotation_data(
    annotation: Annotation, *, layer: str, reviewer: str | None, spans: list, relations: list
) -> dict:
    """AnnotationSerializer's output; ``spans`` and ``relations`` already represented."""
    return {
        "id": annotation.pk,
        "article": annotation.article_id,
        "layer": layer,
        "is_gold": annotation.is_gold,
        "status": annotation.status,
        "version": annotation.version,
        "schema_version": annotation.schema_version,
        "skip_reason": annotation.skip_reason,
        "review_comment": annotation.review_comment,
        "reviewer": reviewer,
        "lease_expires_at": datetime_data(annotation.lease_expires_at),
        "created_at": datetime_data(annotation.created_at),
        "updated_at": datetime_data(annotation.updated_at),
        "submitted_at": datetime_data(annotation.submitted_at),
        "spans": spans,
        "relations": relations,
    }


class VersionedSerializer(serializers.Serializer):
    version = serializers.IntegerField(
        min_value=1, help_text="The annotation version this change is based on."
    )


class SpanCreateSerializer(VersionedSerializer):
    start = serializers.IntegerField(min_value=0, help_text="Code-point offset, inclusive.")
    end = serializers.IntegerField(min_value=1, help_text="Code-point offset, exclusive.")
    text = serializers.CharField(
        trim_whitespace=False, help_text="Must equal the article text at [start, end)."
    )
    label = serializers.CharField(max_length=50)
    attrs = serializers.DictField(required=False, default=dict)
    client_id = serializers.UUIDField(
        required=False, allow_null=True, help_text="Makes a retried create idempotent."
    )


class SpanUpdateSerializer(VersionedSerializer):
    start = serializers.IntegerField(min_value=0, required=False)
    end = serializers.IntegerField(min_value=1, required=False)
    text = serializers.CharField(trim_whitespace=False, required=False)
    label = serializers.CharField(max_length=50, required=False)
    attrs = serializers.DictField(required=False)

    def validate(self, data):
        if ("start" in data or "end" in data) and "text" not in data:
            raise serializers.ValidationError({"text": "Send the span text with new boundaries."})
        return data


class RelationUpdateSerializer(VersionedSerializer):
    attrs = serializers.DictField(
        help_text="The relation's attributes, all of them (a span-valued one takes a span id); "
        "its type and ends do not change."
    )


class RelationCreateSerializer(VersionedSerializer):
    label = serializers.CharField(max_length=50)
    attrs = serializers.DictField(required=False, default=dict)
    client_id = serializers.UUIDField(required=False, allow_null=True)

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = serializers.IntegerField(
            help_text="Id of the span the relation starts at."
        )
        fields["to"] = serializers.IntegerField(help_text="Id of the span the relation points to.")
        return fields


class SkipSerializer(VersionedSerializer):
    reason = serializers.CharField(max_length=2000, help_text="Why the article is skipped.")


class WriteResultSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    span = SpanSerializer(required=False)
    relation = RelationSerializer(required=False)


# --- Projects, members, articles, imports, tokens ------------------------------------------


class StrictCharField(serializers.CharField):
    """A CharField that refuses numbers and booleans instead of turning them into text."""

    default_error_messages = {"invalid": "Must be a string, not {kind}."}

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid", kind=type(data).__name__)
        return super().to_internal_value(data)


class ErrorItemSerializer(serializers.Serializer):
    field = serializers.CharField(help_text="The part of the request the error is about.")
    code = serializers.CharField(help_text="A stable machine-readable code.")
    message = serializers.CharField()


class ErrorSerializer(serializers.Serializer):
    """Every error answer: 400, 401, 403, 404, 409 (409 adds ``current_version``)."""

    errors = ErrorItemSerializer(many=True)


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


class ProjectDetailSerializer(ProjectSerializer):
    guidelines = serializers.CharField(source="project.guidelines", read_only=True)
    schema = serializers.JSONField(source="project.schema", read_only=True)
    updated_at = serializers.DateTimeField(source="project.updated_at", read_only=True)
    suggesters = serializers.CharField(
        source="project.suggesters", read_only=True, help_text="builtin, http, both or none"
    )
    suggester_url = serializers.SerializerMethodField(help_text="Managers only; null for others.")

    def get_suggester_url(self, membership) -> str | None:
        return membership.project.suggester_url if membership.role == "manager" else None


class ProjectCreateSerializer(serializers.Serializer):
    slug = serializers.SlugField(max_length=60)
    name = StrictCharField(max_length=200)
    description = StrictCharField(required=False, allow_blank=True, default="")
    guidelines = StrictCharField(
        required=False, allow_blank=True, default="", help_text="Markdown."
    )
    annotators_per_article = serializers.IntegerField(
        min_value=1, max_value=100, required=False, default=2
    )
    blind = serializers.BooleanField(required=False, default=True)
    schema = serializers.JSONField(
        required=False, default=None, help_text="The label schema; the default one if absent."
    )


class ProjectUpdateSerializer(serializers.Serializer):
    name = StrictCharField(max_length=200, required=False)
    description = StrictCharField(required=False, allow_blank=True)
    guidelines = StrictCharField(required=False, allow_blank=True, help_text="Markdown.")
    annotators_per_article = serializers.IntegerField(min_value=1, max_value=100, required=False)
    blind = serializers.BooleanField(required=False)
    schema = serializers.JSONField(
        required=False,
        help_text="The new label schema; a new schema version once annotations exist.",
    )
    suggesters = serializers.ChoiceField(
        choices=Suggesters.choices,
        required=False,
        help_text="Which automatic suggesters propose spans (docs/suggestions.md).",
    )
    suggester_url = StrictCharField(
        required=False,
        allow_blank=True,
        max_length=200,
        help_text="HTTP model server called by the server (http or https); blank for none.",
    )

    def validate_suggester_url(self, value: str) -> str:
        try:
            return check_suggester_url(value)
        except Invalid as exc:
            problem = exc.problems[0]
            raise serializers.ValidationError(problem.message, code=problem.code) from None


class MemberSerializer(serializers.Serializer):
    username = serializers.CharField(source="user.username", read_only=True)
    name = serializers.CharField(source="user.get_full_name", read_only=True)
    role = serializers.CharField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)


class MemberWriteSerializer(serializers.Serializer):
    username = StrictCharField(max_length=150)
    role = serializers.ChoiceField(choices=["manager", "reviewer", "annotator"])


class ArticleListSerializer(serializers.ModelSerializer):
    """Expects ``Article.objects.with_state()`` (``state`` and ``annotators_done``)."""

    state = serializers.CharField(read_only=True)
    annotators_done = serializers.IntegerField(read_only=True)

    class Meta:
        model = Article
        fields = ["id", "external_id", "title", "meta", "state", "annotators_done", "created_at"]
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

    class Meta(ArticleListSerializer.Meta):
        fields = [*ArticleListSerializer.Meta.fields, "text", "text_sha256", "layers"]
        read_only_fields = fields


class ArticleCreateSerializer(serializers.Serializer):
    id = StrictCharField(
        max_length=200, help_text="The article's id in your data; unique in the project."
    )
    text = StrictCharField(trim_whitespace=False, help_text="Canonicalised (LF, NFC) when stored.")
    title = StrictCharField(max_length=500, required=False, allow_blank=True, default="")
    meta = serializers.DictField(required=False, default=dict)


class ImportSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="The file to import (UTF-8).")
    format = serializers.ChoiceField(
        choices=["native", "text", "csv", "doccano", "labelstudio"], default="native"
    )
    layer = StrictCharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="Where the file's spans go: gold, suggestions or an annotator's username. "
        "Empty: the articles only.",
    )
    partial = serializers.BooleanField(
        required=False, default=False, help_text="Import the good records, report the bad."
    )
    text_column = StrictCharField(required=False, max_length=200, help_text="CSV only.")
    id_column = StrictCharField(required=False, max_length=200, help_text="CSV only.")
    title_column = StrictCharField(required=False, max_length=200, help_text="CSV only.")


class ImportReportSerializer(serializers.Serializer):
    created = serializers.IntegerField(help_text="Articles created.")
    unchanged = serializers.IntegerField(help_text="Articles already present with the same text.")
    layers_added = serializers.IntegerField()
    spans = serializers.IntegerField()
    relations = serializers.IntegerField()
    skipped = serializers.ListField(child=serializers.CharField())
    notes = serializers.ListField(child=serializers.CharField())
    errors = serializers.ListField(
        child=serializers.CharField(), help_text="`file:line: reason` (partial imports)."
    )
    written = serializers.BooleanField()


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


# --- Assignments -----------------------------------------------------------------------------


class AssignSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150, help_text="A member of the project.")
    force = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Assign even when every seat on the article is taken.",
    )


class AssignmentSerializer(serializers.ModelSerializer):
    """An analyst's annotation of an article, as an assignment."""

    article = serializers.IntegerField(source="article_id", read_only=True)
    username = serializers.SlugRelatedField(
        source="annotator", slug_field="username", read_only=True
    )
    assigned_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = Annotation
        fields = ["id", "article", "username", "status", "assigned_by", "version"]
        read_only_fields = fields
