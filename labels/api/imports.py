"""Imports through the API: a multipart file, a format, a layer."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from labels.api.base import managing
from labels.api.inputs import (
    ImportSerializer,
)
from labels.api.outputs import (
    ImportErrorSerializer,
    ImportReportSerializer,
    JobSerializer,
)
from labels.api.projects import ERRORS
from labels.interop import importing, reading
from labels.jobs import indexing, runs

# --- Imports -----------------------------------------------------------------------------------


class ImportView(APIView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        summary="Import a file (managers): all or nothing unless partial",
        description="A file over ANNOTATOR_IMPORT_JOB_MB (20 MB by default) or with more than "
        "ANNOTATOR_IMPORT_JOB_RECORDS lines (2,000 by default), or any file with "
        "background=true, is imported by a background job: the answer is 202 with the job, "
        "whose result is the import report.",
        request={"multipart/form-data": ImportSerializer},
        responses={
            200: ImportReportSerializer,
            202: JobSerializer,
            400: OpenApiResponse(
                ImportErrorSerializer,
                description="Bad parameters, or records with errors (`file:line: reason`); "
                "nothing was written.",
            ),
            403: ERRORS[403],
            404: ERRORS[404],
        },
    )
    def post(self, request, slug: str):
        project, _, data = managing(request, slug, ImportSerializer)
        upload = data["file"]
        importing.check_upload_size(upload.size)
        if runs.runs_in_background(upload, data["background"]):
            job = runs.do_start_import(project, request.user, upload, runs.import_params(data))
            return Response(
                JobSerializer(job, context={"request": request}).data,
                status=status.HTTP_202_ACCEPTED,
            )
        options = reading.ReadOptions(
            text_column=data.get("text_column") or None,
            id_column=data.get("id_column") or None,
            title_column=data.get("title_column") or None,
            infer_attrs=data["infer_attrs"],
        )
        report = indexing.do_import(
            project,
            [(upload.name or "upload", upload.file)],
            fmt=data["format"],
            layer=data["layer"] or None,
            partial=data["partial"],
            actor=request.user,
            options=options,
        )
        return Response(report.as_dict())
