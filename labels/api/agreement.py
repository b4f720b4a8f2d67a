"""A project's agreement figures."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from labels import access
from labels.agreement import snapshots


class AgreementView(APIView):
    @extend_schema(
        responses=OpenApiResponse(description="Agreement figures and when they were computed."),
        summary="Inter-annotator agreement of the project (see docs/agreement.md)",
    )
    def get(self, request, slug: str):
        project, _ = access.access_project(request.user, slug, roles=access.STAFF_ROLES)
        snapshot = snapshots.current_snapshot(project)
        return Response(snapshots.snapshot_payload(snapshot))
