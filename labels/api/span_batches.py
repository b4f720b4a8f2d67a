"""Many spans of one annotation deleted in one request (labels.annotation.span_batches): the
workspace's undo of an accept-all sends this instead of a DELETE per span."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.views import APIView

from labels.annotation import span_batches
from labels.api.base import parse, writing, written
from labels.api.inputs import SpanBatchDeleteSerializer, ViaSerializer


class SpanBatchDeleteResultSerializer(serializers.Serializer):
    version = serializers.IntegerField(help_text="The annotation's version after the deletions.")
    deleted = serializers.ListField(child=serializers.IntegerField(), help_text="Span ids.")
    relations = serializers.ListField(
        child=serializers.IntegerField(), help_text="Ids of the relations deleted with them."
    )


class SpanBatchDeleteView(APIView):
    @extend_schema(
        request=SpanBatchDeleteSerializer,
        responses=SpanBatchDeleteResultSerializer,
        summary="Delete several spans at once (all or nothing)",
    )
    def post(self, request, annotation_id: int):
        with writing(request.user, annotation_id) as annotation:
            data = parse(SpanBatchDeleteSerializer, request.data)
            via = parse(ViaSerializer, request.data)["via"]
            result = span_batches.do_delete_spans(
                annotation, request.user, data["ids"], version=data["version"], via=via
            )
        return written(result, deleted=data["ids"], relations=result.obj)
