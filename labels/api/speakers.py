"""The speaker registry in the JSON API, under ``/api/v1/projects/{slug}/speakers/``.

Every member lists the registry and adds a speaker (an analyst does while annotating); managers
and reviewers change and delete speakers, merge two, undo a merge and import (403 for an
analyst). Anyone who is not a member gets 404. Domain rules in ``labels.speakers.registry``.

- ``GET speakers/`` (``?q=`` filters by name or alias) · ``POST speakers/`` a speaker
- ``GET|PATCH|DELETE speakers/{id}/`` · ``GET speakers/{id}/quotes/`` who said what
- ``POST speakers/merge/`` ``{"speaker": id, "into": id}`` → the kept speaker and the event
- ``GET speakers/history/`` · ``POST speakers/history/{event_id}/undo/`` undo a merge
- ``GET speakers/export/?format=jsonl|csv`` · ``POST speakers/import/`` a JSONL or CSV file
"""

from __future__ import annotations

from django.http import StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from labels import access
from labels.errors import Invalid
from labels.models import Speaker, SpeakerEvent
from labels.speakers import quotes as quotes_mod
from labels.speakers import registry, resolve, transfer


class SpeakerSerializer(serializers.ModelSerializer):
    class Meta:
        model = Speaker
        fields = ["id", "name", "kind", "aliases", "wikidata_id", "description", "merged_into"]
        read_only_fields = fields


class SpeakerEventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.username", default=None, read_only=True)

    class Meta:
        model = SpeakerEvent
        fields = ["id", "at", "actor", "action", "speaker_id", "before", "after", "undone"]
        read_only_fields = fields


def _project(request, slug, *, staff=False):
    roles = access.STAFF_ROLES if staff else access.ALL_ROLES
    return access.access_project(request.user, slug, roles=roles)


class SpeakerListView(APIView):
    @extend_schema(summary="The project's speakers", responses=SpeakerSerializer(many=True))
    def get(self, request, slug: str):
        project, _ = _project(request, slug)
        speakers = registry.speakers_of(project)
        query = request.query_params.get("q", "").strip()
        if query:
            speakers = transfer.matching(speakers, query)
        return Response({"results": SpeakerSerializer(speakers, many=True).data})

    @extend_schema(
        summary="Add a speaker (any member)",
        request=OpenApiTypes.OBJECT,
        responses={201: SpeakerSerializer},
    )
    def post(self, request, slug: str):
        project, _ = _project(request, slug)
        speaker = registry.do_create_speaker(project, request.user, request.data)
        return Response(SpeakerSerializer(speaker).data, status=status.HTTP_201_CREATED)


class SpeakerDetailView(APIView):
    @extend_schema(summary="One speaker", responses=SpeakerSerializer)
    def get(self, request, slug: str, speaker_id: int):
        project, membership = _project(request, slug)
        speaker = registry.access_speaker(request.user, project, membership, speaker_id)
        return Response(SpeakerSerializer(speaker).data)

    @extend_schema(
        summary="Change a speaker (managers, reviewers)",
        request=OpenApiTypes.OBJECT,
        responses=SpeakerSerializer,
    )
    def patch(self, request, slug: str, speaker_id: int):
        project, membership = _project(request, slug)
        speaker = registry.access_speaker(request.user, project, membership, speaker_id, edit=True)
        speaker = registry.do_update_speaker(project, request.user, speaker, request.data)
        return Response(SpeakerSerializer(speaker).data)

    @extend_schema(
        summary="Delete a speaker nobody links to (managers, reviewers)",
        request=None,
        responses={204: None},
    )
    def delete(self, request, slug: str, speaker_id: int):
        project, membership = _project(request, slug)
        speaker = registry.access_speaker(request.user, project, membership, speaker_id, edit=True)
        registry.do_delete_speaker(project, request.user, speaker)
        return Response(status=status.HTTP_204_NO_CONTENT)


class SpeakerQuotesView(APIView):
    @extend_schema(
        summary="Who said what: the attributions of a speaker across articles",
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request, slug: str, speaker_id: int):
        project, membership = _project(request, slug, staff=True)
        speaker = registry.access_speaker(request.user, project, membership, speaker_id)
        items = quotes_mod.quotes_of(project, speaker)
        return Response({"results": [quotes_mod.quote_record(item) for item in items]})


def _id(data, field: str) -> int:
    value = data.get(field) if hasattr(data, "get") else None
    if isinstance(value, bool) or not isinstance(value, int | str) or not str(value).isdigit():
        raise Invalid.one(field, "required", f"Name the speaker by its id in “{field}”.")
    return int(value)


class SpeakerMergeView(APIView):
    @extend_schema(
        summary="Merge a speaker into another (managers, reviewers)",
        request=OpenApiTypes.OBJECT,
        responses=OpenApiTypes.OBJECT,
    )
    def post(self, request, slug: str):
        project, membership = _project(request, slug, staff=True)
        merged_id, into_id = _id(request.data, "speaker"), _id(request.data, "into")
        merged = registry.access_speaker(request.user, project, membership, merged_id)
        into = registry.access_speaker(request.user, project, membership, into_id)
        merge = registry.do_merge_speakers(project, request.user, merged, into)
        return Response(
            {
                "speaker": SpeakerSerializer(merge.kept).data,
                "moved": merge.moved,
                "event": merge.event.pk,
            }
        )


class SpeakerHistoryView(APIView):
    @extend_schema(
        summary="The registry's history, newest first (managers, reviewers)",
        responses=SpeakerEventSerializer(many=True),
    )
    def get(self, request, slug: str):
        project, _ = _project(request, slug, staff=True)
        events = registry.events_of(project)[:200]
        return Response({"results": SpeakerEventSerializer(events, many=True).data})


class SpeakerUndoView(APIView):
    @extend_schema(
        summary="Undo a merge (managers, reviewers)", request=None, responses=SpeakerSerializer
    )
    def post(self, request, slug: str, event_id: int):
        project, _ = _project(request, slug, staff=True)
        speaker = registry.do_undo_merge(project, request.user, event_id)
        return Response(SpeakerSerializer(speaker).data)


class _FormatIsTheFilesFormat(DefaultContentNegotiation):
    """DRF reads ``?format=`` as a renderer name; here it names the file's format (as on the
    dataset export), and DRF itself renders only errors, as JSON."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class SpeakerExportView(APIView):
    content_negotiation_class = _FormatIsTheFilesFormat

    @extend_schema(
        summary="The registry as JSONL or CSV (?format=jsonl|csv)", responses=OpenApiTypes.STR
    )
    def get(self, request, slug: str):
        project, _ = _project(request, slug)
        fmt = transfer.check_format(request.query_params.get("format", "jsonl"))
        response = StreamingHttpResponse(
            transfer.export_registry(project, fmt), content_type=transfer.CONTENT_TYPES[fmt]
        )
        response["Content-Disposition"] = f'attachment; filename="{project.slug}-speakers.{fmt}"'
        return response


class SpeakerImportView(APIView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        summary="Import speakers from a JSONL or CSV file (managers, reviewers)",
        request={"multipart/form-data": OpenApiTypes.OBJECT},
        responses=OpenApiTypes.OBJECT,
    )
    def post(self, request, slug: str):
        project, _ = _project(request, slug, staff=True)
        upload = request.FILES.get("file")
        if upload is None:
            raise Invalid.one("file", "required", "Choose a JSONL or CSV file of speakers.")
        report = transfer.do_import_registry(project, request.user, upload.name, upload.read())
        return Response(report, status=status.HTTP_200_OK)


class LayerSpeakerGuessesView(APIView):
    @extend_schema(
        summary="The speaker suggested for each unlinked Source of a layer",
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request, annotation_id: int):
        annotation, _ = access.access_annotation(request.user, annotation_id)
        return Response({"results": resolve.layer_guesses(annotation)})
