"""API representations. Fields are listed explicitly; everything the server sets is read-only.

Input serializers check only types and shapes; the domain checks (offsets against the text,
labels against the project schema, versions) run in ``labels.spans`` for every client alike.
"""

from __future__ import annotations

from rest_framework import serializers

from labels.models import Annotation, Article, Relation, Span


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
        fields = ["id", "label", "from", "to", "attrs", "client_id"]
        read_only_fields = ["id", "label", "attrs", "client_id"]
        extra_kwargs = {}

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = serializers.IntegerField(source="source_id", read_only=True)
        return fields


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
