"""Suggestions in the JSON API: what is suggested on my annotation, and accepting or rejecting it.

- ``GET  articles/{id}/suggestions/`` — suggestions for the caller's own annotation of the
  article (404 when they have none); ``problems`` only for the project's managers.
- ``POST annotations/{id}/suggestions/accept/`` ``{key | label+start+end, attrs?, version,
  client_id?}`` → a span with origin "suggested" (same version/409 rules as any span).
- ``POST annotations/{id}/suggestions/accept-relation/`` ``{label, from, to, version,
  client_id?}`` (ends as keys, both already spans) → the suggested relation.
- ``POST annotations/{id}/suggestions/accept-all/`` ``{version, min_confidence?}``.
- ``POST annotations/{id}/suggestions/reject/`` ``{key | label+start+end}``: idempotent, does not
  change the annotation's version.
- ``GET  projects/{slug}/suggester/check/`` — managers: call the HTTP suggester on a tiny text.

Writes are allowed on the caller's own annotation only (``access_annotation(write=True)``) and
never on the gold layer. The suggestions are computed before the annotation row is locked
(an HTTP suggester may take seconds), then the write runs locked, as in ``labels.api``.
docs/suggestions.md has the request and response shapes.
"""

from __future__ import annotations

from django.db import transaction
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from labels import access, suggesters
from labels import suggestion_actions as actions
from labels.errors import Invalid
from labels.models import Annotation, Role
from labels.serializers import (
    RelationSerializer,
    SpanSerializer,
    VersionedSerializer,
    WriteResultSerializer,
)

# --- Requests ------------------------------------------------------------------------------------


class SuggestionRefSerializer(serializers.Serializer):
    """A suggestion named by its key, or by label, start and end."""

    key = serializers.CharField(required=False, max_length=200, help_text='"<label>:<start>:<end>"')
    label = serializers.CharField(required=False, max_length=50)
    start = serializers.IntegerField(required=False, min_value=0)
    end = serializers.IntegerField(required=False, min_value=1)

    def validate(self, data):
        if "key" in data:
            try:
                data["label"], data["start"], data["end"] = suggesters.parse_key(data["key"])
            except Invalid as exc:
                raise serializers.ValidationError(
                    {"key": exc.problems[0].message}, code="invalid"
                ) from None
        else:
            missing = [name for name in ("label", "start", "end") if name not in data]
            if missing:
                raise serializers.ValidationError(
                    {
                        name: "Name the suggestion by key, or by label, start and end."
                        for name in missing
                    },
                    code="required",
                )
            data["key"] = suggesters.suggestion_key(data["label"], data["start"], data["end"])
        return data


class SuggestionAcceptSerializer(SuggestionRefSerializer, VersionedSerializer):
    attrs = serializers.DictField(
        required=False, default=dict, help_text="Merged over the suggested attributes."
    )
    client_id = serializers.UUIDField(
        required=False, allow_null=True, help_text="Makes a retried accept idempotent."
    )


class SuggestionAcceptRelationSerializer(VersionedSerializer):
    label = serializers.CharField(max_length=50)
    client_id = serializers.UUIDField(required=False, allow_null=True)

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = serializers.CharField(max_length=200, help_text="Key of the from span.")
        fields["to"] = serializers.CharField(max_length=200, help_text="Key of the to span.")
        return fields


class SuggestionAcceptAllSerializer(VersionedSerializer):
    min_confidence = serializers.FloatField(
        required=False, allow_null=True, min_value=0, max_value=1
    )


# --- Responses (for the OpenAPI schema) ------------------------------------------------------


class SuggestedSpanSerializer(serializers.Serializer):
    key = serializers.CharField(help_text='"<label>:<start>:<end>"; names the suggestion.')
    label = serializers.CharField()
    start = serializers.IntegerField(help_text="Code-point offset, inclusive.")
    end = serializers.IntegerField(help_text="Code-point offset, exclusive.")
    text = serializers.CharField()
    attrs = serializers.DictField()
    confidence = serializers.FloatField(allow_null=True)
    rule = serializers.CharField(help_text="What proposed it, e.g. quote:curly or http.")
    source = serializers.ChoiceField(
        choices=[suggesters.BUILTIN, suggesters.HTTP, suggesters.IMPORT]
    )


class SuggestedRelationSerializer(serializers.Serializer):
    label = serializers.CharField()
    from_span = serializers.IntegerField(
        allow_null=True, help_text="Id of the from span once it is a span, else null."
    )
    to_span = serializers.IntegerField(allow_null=True)
    attrs = serializers.DictField(help_text="Span-valued attributes (cue) hold keys.")
    confidence = serializers.FloatField(allow_null=True)
    rule = serializers.CharField()
    source = serializers.CharField()

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = serializers.CharField(help_text="Key of the from span.")
        fields["to"] = serializers.CharField(help_text="Key of the to span.")
        return fields


class SuggesterProblemSerializer(serializers.Serializer):
    source = serializers.CharField()
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
    errors = serializers.ListField(child=serializers.DictField())


class SkippedRelationSerializer(serializers.Serializer):
    label = serializers.CharField()
    errors = serializers.ListField(child=serializers.DictField())

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
    label = serializers.CharField()
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


def _parse(serializer_class, request):
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _writable(user, annotation_id: int) -> Annotation:
    """The caller's own annotation (403/404 through labels.access), never the gold layer."""
    annotation, _ = access.access_annotation(user, annotation_id, write=True)
    if annotation.is_gold:
        raise Invalid.one(
            "annotation",
            "not_allowed",
            "Suggestions are accepted into an analyst's own annotation, not the gold layer.",
        )
    return annotation


def _locked(user, annotation_id: int) -> Annotation:
    annotation, _ = access.access_annotation(user, annotation_id, write=True, lock=True)
    return annotation


# --- Views ---------------------------------------------------------------------------------------


class SuggestionsView(APIView):
    @extend_schema(responses=SuggestionsSerializer, summary="Suggestions for my annotation")
    def get(self, request, article_id: int):
        article, membership = access.access_article(request.user, article_id)
        annotation = Annotation.objects.filter(
            article=article, annotator=request.user, is_gold=False
        ).first()
        if annotation is None:
            raise Http404("You have not started this article.")
        found = suggesters.suggestions_for(article, annotation)
        body = {
            "annotation": annotation.pk,
            "version": annotation.version,
            "spans": found["spans"],
            "relations": found["relations"],
        }
        if membership.role == Role.MANAGER:
            body["problems"] = found["problems"]
        return Response(body)


class AcceptView(APIView):
    @extend_schema(
        request=SuggestionAcceptSerializer,
        responses={201: WriteResultSerializer, 200: WriteResultSerializer},
        summary="Accept a suggestion: it becomes a span with origin “suggested”",
    )
    def post(self, request, annotation_id: int):
        data = _parse(SuggestionAcceptSerializer, request)
        annotation = _writable(request.user, annotation_id)
        current = suggesters.suggestions_for(annotation.article, annotation)
        with transaction.atomic():
            annotation = _locked(request.user, annotation_id)
            result = actions.do_accept_suggestion(
                annotation,
                request.user,
                current,
                data["key"],
                version=data["version"],
                attrs=data["attrs"],
                client_id=data.get("client_id"),
            )
        return Response(
            {"version": result.annotation.version, "span": SpanSerializer(result.obj).data},
            status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK,
        )


class AcceptRelationView(APIView):
    @extend_schema(
        request=SuggestionAcceptRelationSerializer,
        responses={201: WriteResultSerializer, 200: WriteResultSerializer},
        summary="Accept a suggested relation whose two ends are spans already",
    )
    def post(self, request, annotation_id: int):
        data = _parse(SuggestionAcceptRelationSerializer, request)
        annotation = _writable(request.user, annotation_id)
        current = suggesters.suggestions_for(annotation.article, annotation)
        with transaction.atomic():
            annotation = _locked(request.user, annotation_id)
            result = actions.do_accept_relation(
                annotation,
                request.user,
                current,
                data["label"],
                data["from"],
                data["to"],
                version=data["version"],
                client_id=data.get("client_id"),
            )
        return Response(
            {"version": result.annotation.version, "relation": RelationSerializer(result.obj).data},
            status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK,
        )


class AcceptAllView(APIView):
    @extend_schema(
        request=SuggestionAcceptAllSerializer,
        responses=AcceptAllResultSerializer,
        summary="Accept every current suggestion (and the relations between them)",
    )
    def post(self, request, annotation_id: int):
        data = _parse(SuggestionAcceptAllSerializer, request)
        annotation = _writable(request.user, annotation_id)
        current = suggesters.suggestions_for(annotation.article, annotation)
        with transaction.atomic():
            annotation = _locked(request.user, annotation_id)
            done = actions.do_accept_all(
                annotation,
                request.user,
                current,
                version=data["version"],
                min_confidence=data.get("min_confidence"),
            )
        return Response(
            {
                "version": done.annotation.version,
                "spans": SpanSerializer(done.spans, many=True).data,
                "relations": RelationSerializer(done.relations, many=True).data,
                "skipped": done.skipped,
                "skipped_relations": done.skipped_relations,
            }
        )


class RejectView(APIView):
    @extend_schema(
        request=SuggestionRefSerializer,
        responses={201: RejectResultSerializer, 200: RejectResultSerializer},
        summary="Reject a suggestion: it is not suggested to me again on this article",
    )
    def post(self, request, annotation_id: int):
        data = _parse(SuggestionRefSerializer, request)
        _writable(request.user, annotation_id)
        with transaction.atomic():
            annotation = _locked(request.user, annotation_id)
            created = actions.do_reject_suggestion(
                annotation, data["label"], data["start"], data["end"]
            )
        return Response(
            {
                "key": data["key"],
                "label": data["label"],
                "start": data["start"],
                "end": data["end"],
                "version": annotation.version,
            },
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class SuggesterCheckView(APIView):
    @extend_schema(
        responses=SuggesterCheckSerializer,
        summary="Call the project's HTTP suggester on a tiny text (managers)",
    )
    def get(self, request, slug: str):
        project, _ = access.access_project(request.user, slug, roles=[Role.MANAGER])
        return Response(suggesters.check_http_suggester(project))
