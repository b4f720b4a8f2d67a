"""Background jobs (labels/jobs/): start an export or an agreement recompute, read a job, its
file, cancel it, list a project's jobs. A background import is ``POST …/imports/`` with
``background`` (labels/api/imports.py).

Who: a project's staff (manager, reviewer) start exports and recomputes, as they may stream
an export and read agreement; a manager sees and cancels every job of the project, anyone
else only their own (``access.access_job``; someone else's job is a 404).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from labels import access
from labels.api.inputs import ExportJobSerializer
from labels.api.outputs import ErrorSerializer, JobSerializer
from labels.api.projects import ERRORS
from labels.errors import Closed, Invalid
from labels.jobs import files, runs
from labels.models import JobKind, JobState

_CONFLICT = OpenApiResponse(ErrorSerializer, description="The job has already ended.")


def _accepted(request, job) -> Response:
    return Response(
        JobSerializer(job, context={"request": request}).data, status=status.HTTP_202_ACCEPTED
    )


class ExportJobView(APIView):
    @extend_schema(
        summary="Export to a file in the background (managers and reviewers)",
        description="The streamed export's parameters (GET …/export/) as a JSON body; a bad "
        "one is a 400 naming it. The job's result.download is the file once it succeeded.",
        request=ExportJobSerializer,
        responses={202: JobSerializer, **ERRORS},
    )
    def post(self, request, slug: str):
        project, _ = access.access_project(request.user, slug, roles=access.STAFF_ROLES)
        if not isinstance(request.data, dict):
            raise Invalid.one("body", "invalid_type", "The body must be a JSON object.")
        # The export's own checks name each bad parameter, unknown ones included, exactly as the
        # streamed export does; the serializer only documents the body.
        job = runs.do_start_export(project, request.user, dict(request.data))
        return _accepted(request, job)


class AgreementJobView(APIView):
    @extend_schema(
        summary="Recompute the project's agreement in the background (managers and reviewers)",
        request=None,
        responses={202: JobSerializer, 403: ERRORS[403], 404: ERRORS[404]},
    )
    def post(self, request, slug: str):
        project, _ = access.access_project(request.user, slug, roles=access.STAFF_ROLES)
        return _accepted(request, runs.do_start_agreement(project, request.user))


class ProjectJobListView(generics.ListAPIView):
    serializer_class = JobSerializer

    @extend_schema(summary="The project's jobs, newest first (managers: all; others: their own)")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        project, membership = access.access_project(self.request.user, self.kwargs["slug"])
        return runs.visible_jobs(project, self.request.user, membership)


class JobView(APIView):
    @extend_schema(
        summary="A job: state, progress, result", responses={200: JobSerializer, **ERRORS}
    )
    def get(self, request, job_id: int):
        job, _ = access.access_job(request.user, job_id)
        return Response(JobSerializer(job, context={"request": request}).data)

    @extend_schema(
        summary="Cancel a queued or running job",
        responses={200: JobSerializer, 404: ERRORS[404], 409: _CONFLICT},
    )
    def delete(self, request, job_id: int):
        job, _ = access.access_job(request.user, job_id)
        job = runs.do_cancel(job)
        return Response(JobSerializer(job, context={"request": request}).data)


class JobDownloadView(APIView):
    @extend_schema(
        summary="The result file of a succeeded export job (streamed)",
        responses={
            (200, "application/octet-stream"): OpenApiResponse(
                OpenApiTypes.BINARY, description="The file, with a dated name."
            ),
            404: ERRORS[404],
            409: OpenApiResponse(ErrorSerializer, description="The job has no file (yet)."),
        },
    )
    def get(self, request, job_id: int):
        job, membership = access.access_job(request.user, job_id)
        if job.kind == JobKind.EXPORT and membership.role not in access.STAFF_ROLES:
            # As for the streamed export: someone who is no longer staff keeps the job's record
            # but not the data.
            raise PermissionDenied("Only managers and reviewers download exports.")
        if job.state != JobState.SUCCEEDED:
            raise Closed(f"The job is {job.state}; it has no file to download.")
        if not job.file:
            raise Closed("The job's file was removed after its retention period.")
        result = job.result or {}
        response = FileResponse(
            files.open_file(job.file),
            as_attachment=True,
            filename=result.get("filename") or job.file.rsplit("/", 1)[-1],
            content_type=result.get("content_type") or "application/octet-stream",
        )
        response["Cache-Control"] = "no-store"
        return response
