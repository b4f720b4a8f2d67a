"""GET /api/v1/projects/{slug}/export/ — the dataset, streamed (managers and reviewers).

Every parameter is checked, and the format's tokenizer loaded, before the response starts, so a
bad request is a 400 naming the parameter; after that the body is streamed as the database
yields it (``labels.interop.exporting``). The page's Export form uses the same functions
through ``labels.pages.exports``.
"""

from __future__ import annotations

from django.http import StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.views import APIView

from labels import access
from labels.interop import exporting, records
from labels.interop.formats.registry import WRITERS
from labels.models import AnnotationStatus

_MEDIA_TYPES = sorted({spec.content_type.split(";")[0] for spec in WRITERS.values()})


class _JSONErrorsOnly(DefaultContentNegotiation):
    """DRF reads ``?format=`` as a renderer name; here it names the dataset format, and the
    only thing DRF itself renders is an error, always as JSON."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


def _parameter(name: str, description: str, *, enum=None, many=False) -> OpenApiParameter:
    return OpenApiParameter(
        name,
        OpenApiTypes.STR,
        OpenApiParameter.QUERY,
        description=description,
        enum=enum,
        many=many,
        explode=True if many else None,
    )


class ExportView(APIView):
    content_negotiation_class = _JSONErrorsOnly

    @extend_schema(
        summary="Export the project's annotations (streamed)",
        description="One record per article and layer; see docs/export.md for every format.",
        parameters=[
            _parameter("format", "Dataset format (default native).", enum=list(WRITERS)),
            _parameter(
                "layer",
                "gold (default), annotators, or all.",
                enum=list(records.LAYERS),
            ),
            _parameter(
                "status",
                "Annotation statuses to include (default submitted and reviewed).",
                enum=list(AnnotationStatus.values),
                many=True,
            ),
            _parameter("labels", "Keep only these span labels (comma-separated)."),
            _parameter("since", "Only annotations changed at or after this ISO 8601 time."),
            _parameter("split", "train,dev,test ratios, e.g. 80,10,10 (or train,test)."),
            _parameter("lang", "spaCy language of the tokenizer for token formats (xx)."),
        ],
        responses={
            **{
                (200, media_type): OpenApiResponse(
                    OpenApiTypes.BINARY, description="The dataset, streamed."
                )
                for media_type in _MEDIA_TYPES
            },
            400: OpenApiResponse(description="A bad parameter, named in errors[].field."),
            403: OpenApiResponse(description="A member who is not a manager or reviewer."),
            404: OpenApiResponse(description="Not a member, or no such project."),
        },
    )
    def get(self, request, slug: str):
        project, _ = access.access_project(request.user, slug, roles=access.STAFF_ROLES)
        params = {name: request.query_params.getlist(name) for name in request.query_params}
        prepared = exporting.prepare_export(project, params)
        response = StreamingHttpResponse(iter(prepared), content_type=prepared.content_type)
        response["Content-Disposition"] = f'attachment; filename="{prepared.filename}"'
        response["Cache-Control"] = "no-store"
        # Ask a buffering proxy (nginx) to pass the stream on as it comes.
        response["X-Accel-Buffering"] = "no"
        return response
