"""The history of an annotation in the JSON API.

``GET /api/v1/annotations/{id}/history/`` — newest first, paginated (``?page=``); each event has
who, when, what (the raw ``before``/``after`` snapshots and readable ``changes``), and for a
deleted span whether it can still be restored.
``POST /api/v1/annotations/{id}/history/{event_id}/restore/`` ``{"version": n}`` — managers and
reviewers bring a deleted span back (409 when the version is stale or the layer is closed).
Access as in ``labels.annotation.history.access_history``.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from labels import access
from labels.annotation import history
from labels.api.inputs import VersionedSerializer
from labels.api.outputs import HistoryEventSerializer, SpanSerializer, WriteResultSerializer


@extend_schema_view(get=extend_schema(summary="The annotation's history, newest first"))
class HistoryListView(generics.ListAPIView):
    serializer_class = HistoryEventSerializer

    def get_queryset(self):
        self.annotation, _ = access.access_history(self.request.user, self.kwargs["annotation_id"])
        return history.events_of(self.annotation)

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        assert page is not None  # DEFAULT_PAGINATION_CLASS paginates every list
        views = history.present(self.annotation, page)
        return self.get_paginated_response(HistoryEventSerializer(views, many=True).data)


class HistoryRestoreView(APIView):
    @extend_schema(
        summary="Restore the span deleted by this history event (managers, reviewers)",
        request=VersionedSerializer,
        responses={201: WriteResultSerializer},
    )
    def post(self, request, annotation_id: int, event_id: int):
        # The access check before the body is parsed (a non-member's body never is); the
        # restore checks it again, with the row locked.
        access.access_history(request.user, annotation_id, restore=True)
        serializer = VersionedSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        result = history.do_restore_from_history(
            request.user, annotation_id, event_id, version=serializer.validated_data["version"]
        )
        return Response(
            {"version": result.annotation.version, "span": SpanSerializer(result.obj).data},
            status=status.HTTP_201_CREATED,
        )
