"""Suggestions in the JSON API: what is suggested on my annotation, and accepting or rejecting it.

- ``GET  articles/{id}/suggestions/`` — suggestions for the caller's own annotation of the
  article (404 when they have none); ``problems`` only for the project's managers.
- ``POST annotations/{id}/suggestions/accept/`` ``{key | label+start+end, attrs?, version,
  client_id?}`` → a span with origin "suggested" (same version/409 rules as any span).
- ``POST annotations/{id}/suggestions/accept-relation/`` ``{label, from, to, version,
  client_id?}`` (ends as keys, both already spans) → the suggested relation.
- ``POST annotations/{id}/suggestions/accept-all/`` ``{version, min_confidence?, keys?,
  relations?}``: every suggestion, or only the ``keys`` and ``relations`` named (one
  attribution: its quote, source and cue and the link between them), in one request.
- ``POST annotations/{id}/suggestions/reject/`` ``{key | label+start+end}``: idempotent, does not
  change the annotation's version.
- ``GET  projects/{slug}/suggester/check/`` — managers: call the HTTP suggester on a tiny text.

Writes are allowed on the caller's own annotation only (``access_annotation(write=True)``) and
never on the gold layer. The suggestions are computed before the annotation row is locked
(an HTTP suggester may take seconds), then the write runs locked, as in ``labels.api``.
docs/suggestions.md has the request and response shapes.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from labels import access
from labels.api.base import WRITE_RESPONSES, my_annotation, parse, writing, written
from labels.api.inputs import (
    SuggestionAcceptAllSerializer,
    SuggestionAcceptRelationSerializer,
    SuggestionAcceptSerializer,
    SuggestionRefSerializer,
)
from labels.api.outputs import (
    AcceptAllResultSerializer,
    RejectResultSerializer,
    RelationSerializer,
    SpanSerializer,
    SuggesterCheckSerializer,
    SuggestionsSerializer,
)
from labels.errors import Invalid
from labels.models import Annotation, Role
from labels.suggestions import actions, combine, http


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


@contextmanager
def _writing_with_suggestions(
    request, annotation_id: int, body: Any
) -> Iterator[tuple[Annotation, dict[str, Any], dict[str, Any]]]:
    """``writing`` the caller's own annotation, with the request body checked by ``body`` (once
    the caller may change the annotation) and the suggestions for it as they stood just before:
    they are computed before the row is locked, as an HTTP suggester may take seconds."""
    annotation = _writable(request.user, annotation_id)
    data = parse(body, request.data)
    current = combine.suggestions_for(annotation.article, annotation)
    with writing(request.user, annotation_id) as annotation:
        yield annotation, current, data


def _as_write(data: dict[str, Any]) -> dict[str, Any]:
    """The version the write is based on and the client's id for it, as every write takes them."""
    return {"version": data["version"], "client_id": data.get("client_id")}


# --- Views ---------------------------------------------------------------------------------------


class SuggestionsView(APIView):
    @extend_schema(responses=SuggestionsSerializer, summary="Suggestions for my annotation")
    def get(self, request, article_id: int):
        article, membership, annotation = my_annotation(request.user, article_id)
        found = combine.suggestions_for(article, annotation)
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
        responses=WRITE_RESPONSES,
        summary="Accept a suggestion: it becomes a span with origin “suggested”",
    )
    def post(self, request, annotation_id: int):
        body = SuggestionAcceptSerializer
        with _writing_with_suggestions(request, annotation_id, body) as (annotation, current, data):
            chosen = {"key": data["key"], "attrs": data["attrs"], **_as_write(data)}
            result = actions.do_accept_suggestion(annotation, request.user, current, **chosen)
        return written(result, span=SpanSerializer(result.obj).data)


class AcceptRelationView(APIView):
    @extend_schema(
        request=SuggestionAcceptRelationSerializer,
        responses=WRITE_RESPONSES,
        summary="Accept a suggested relation whose two ends are spans already",
    )
    def post(self, request, annotation_id: int):
        body = SuggestionAcceptRelationSerializer
        with _writing_with_suggestions(request, annotation_id, body) as (annotation, current, data):
            ends = (data["label"], data["from"], data["to"])
            result = actions.do_accept_relation(
                annotation, request.user, current, *ends, **_as_write(data)
            )
        return written(result, relation=RelationSerializer(result.obj).data)


class AcceptAllView(APIView):
    @extend_schema(
        request=SuggestionAcceptAllSerializer,
        responses=AcceptAllResultSerializer,
        summary="Accept every current suggestion (and the relations between them)",
    )
    def post(self, request, annotation_id: int):
        body = SuggestionAcceptAllSerializer
        with _writing_with_suggestions(request, annotation_id, body) as (annotation, current, data):
            done = actions.do_accept_all(
                annotation,
                request.user,
                current,
                version=data["version"],
                min_confidence=data.get("min_confidence"),
                keys=data.get("keys"),
                relations=(
                    None
                    if "relations" not in data
                    else [(r["label"], r["from"], r["to"]) for r in data["relations"]]
                ),
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
        mine = _writable(request.user, annotation_id)
        data = parse(SuggestionRefSerializer, request.data)
        # Which suggester and rule proposed it (kept as training signal); cached answers, as
        # the analyst has just been shown them.
        current = combine.suggestions_for(mine.article, mine)
        with writing(request.user, annotation_id) as annotation:
            created = actions.do_reject_suggestion(
                annotation, data["label"], data["start"], data["end"], current
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
        return Response(http.check_http_suggester(project))
