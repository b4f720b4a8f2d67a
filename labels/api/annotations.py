"""An analyst's annotation in the JSON API: my annotation, its spans and relations, submit,
skip, the next article, and a manager's assignment. Views parse, call one domain function,
and answer.

Writes to an annotation lock its row, so concurrent saves are serialised and versions advance
one at a time; a stale version answers 409 (see labels.api.errors). The body is parsed inside
``writing``, after the access check: a body sent to a layer the caller may not read or change is
never parsed (404 or 403, whatever it holds). The span save parses first only a body sent to a
layer the caller saved to a moment ago, and answers a bad one after the access check as well.
"""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import APIException
from rest_framework.response import Response
from rest_framework.views import APIView

from labels import access
from labels.annotation import queue, spans
from labels.annotation import relations as relations_mod
from labels.annotation import versions as versions_mod
from labels.annotation.reads import layer_json, own_layer_json, span_data
from labels.api import auth
from labels.api.auth import ChecksTokenItself
from labels.api.base import WRITE_RESPONSES, parse, raw_json, writing, written
from labels.api.inputs import (
    AssignSerializer,
    RelationCreateSerializer,
    RelationUpdateSerializer,
    SkipSerializer,
    SpanCreateSerializer,
    SpanUpdateSerializer,
    VersionedSerializer,
    ViaSerializer,
    parse_span_create,
)
from labels.api.outputs import (
    AnnotationSerializer,
    AssignmentSerializer,
    RelationSerializer,
    WriteResultSerializer,
)
from labels.errors import Invalid, Problem, TooLarge
from labels.models import Annotation, AnnotationStatus, Membership, Role


class MyAnnotationView(ChecksTokenItself, APIView):
    """The requesting user's own annotation of an article."""

    checks_token_itself = ("GET", "POST")

    @extend_schema(responses=AnnotationSerializer, summary="My annotation of this article")
    def get(self, request, article_id: int):
        layer = own_layer_json(request.user, article_id, token=auth.deferred_digest(request))
        if layer is None:
            raise Http404("You have not started this article.")
        return raw_json(layer)

    @extend_schema(
        request=None, responses=AnnotationSerializer, summary="Start (or resume) my annotation"
    )
    def post(self, request, article_id: int):
        # Resuming — the common case — is the one statement of own_layer_json (which checks a
        # key taken on trust, labels.api.auth); starting is one statement more, which takes
        # the queue's locks and checks (seats, the cap on drafts), and the read of the new
        # layer. When it can start nothing, do_get_or_create_own's checks say why.
        layer = own_layer_json(request.user, article_id, token=auth.deferred_digest(request))
        if layer is None:
            annotation = queue.start_own(int(article_id), request.user)
            if annotation is None:
                article, _ = access.access_article(request.user, article_id)
                annotation = queue.do_get_or_create_own(article, request.user)
            layer = layer_json(annotation.pk)
        return raw_json(layer)


class AnnotationView(APIView):
    @extend_schema(
        responses=AnnotationSerializer, summary="An annotation with its spans and relations"
    )
    def get(self, request, annotation_id: int):
        annotation, _ = access.access_annotation(request.user, annotation_id)
        return raw_json(layer_json(annotation.pk))


_DELETE = extend_schema(request=VersionedSerializer, responses=WriteResultSerializer)


def _delete(request, annotation_id: int, do_delete, object_id: int) -> Response:
    """DELETE of a span or a relation (``do_delete``): the body carries only the version."""
    with writing(request.user, annotation_id) as annotation:
        data = parse(VersionedSerializer, request.data)
        via = parse(ViaSerializer, request.data)["via"]
        result = do_delete(annotation, request.user, object_id, version=data["version"], via=via)
    return written(result)


class SpanListView(ChecksTokenItself, APIView):
    checks_token_itself = ("POST",)

    @extend_schema(request=SpanCreateSerializer, responses=WRITE_RESPONSES)
    def post(self, request, annotation_id: int):
        # The analyst's save. The next save of a layer this process has just saved to is one
        # statement, which checks everything again (the API key's too, labels.api.auth);
        # otherwise two and no transaction of its own: the annotation read with the access
        # check (and the key's), then the span written by one statement that locks and checks
        # again. Whatever those cannot answer alone (a 409, a retry, a duplicate, any change
        # since) takes the locked way, which answers it exactly.
        # Only a body sent to a layer the caller saved to a moment ago is parsed before the
        # access check; a bad one is answered after it, as any other.
        token = auth.deferred_digest(request)
        data = via = refused = None
        if spans.remembers(request.user, annotation_id):
            try:
                data, via = parse_span_create(request.data)
            except (APIException, Invalid, TooLarge) as exc:  # raised after the access check
                data, via, refused = None, None, exc
            if data is not None and via is not None:
                result = spans.try_add_span_from_memory(
                    request.user,
                    annotation_id,
                    data,
                    version=data["version"],
                    via=via,
                    token=token,
                )
                if result is not None:
                    return written(result, span=span_data(result.obj))
        annotation, membership = access.access_annotation(
            request.user, annotation_id, write=True, token=token
        )
        request.user = membership.user
        if refused is not None:
            raise refused
        if data is None or via is None:
            data, via = parse_span_create(request.data)
        result = spans.try_add_span_at_once(
            annotation, request.user, data, version=data["version"], via=via
        )
        if result is None:
            with writing(request.user, annotation_id) as annotation:
                result = spans.do_add_span(
                    annotation, request.user, data, version=data["version"], via=via
                )
        return written(result, span=span_data(result.obj))


class SpanDetailView(ChecksTokenItself, APIView):
    checks_token_itself = ("PATCH", "DELETE")

    # An edit or a delete, like the save, is the annotation read with the access check (and
    # the API key's, labels.api.auth), the span read with what the change touches, and one
    # statement that locks and checks again; what those cannot answer alone (a 409, a
    # duplicate, gold's provenance, any change since) takes the locked way.

    @extend_schema(request=SpanUpdateSerializer, responses=WriteResultSerializer)
    def patch(self, request, annotation_id: int, span_id: int):
        annotation = _writable(request, annotation_id)
        data = parse(SpanUpdateSerializer, request.data)
        via = parse(ViaSerializer, request.data)["via"]
        version = data.pop("version")
        result = spans.try_update_span_at_once(
            annotation, request.user, span_id, data, version=version, via=via
        )
        if result is None:
            with writing(request.user, annotation_id) as annotation:
                result = spans.do_update_span(
                    annotation, request.user, span_id, data, version=version, via=via
                )
        return written(result, span=span_data(result.obj))

    @_DELETE
    def delete(self, request, annotation_id: int, span_id: int):
        annotation = _writable(request, annotation_id)
        data = parse(VersionedSerializer, request.data)
        via = parse(ViaSerializer, request.data)["via"]
        result = spans.try_delete_span_at_once(
            annotation, request.user, span_id, version=data["version"], via=via
        )
        if result is None:
            with writing(request.user, annotation_id) as annotation:
                result = spans.do_delete_span(
                    annotation, request.user, span_id, version=data["version"], via=via
                )
        return written(result)


def _writable(request, annotation_id: int) -> Annotation:
    """The annotation the caller may change, read unlocked with the access check (404, 403)
    and the check of a key taken on trust (401); ``request.user`` is then the user as read."""
    annotation, membership = access.access_annotation(
        request.user, annotation_id, write=True, token=auth.deferred_digest(request)
    )
    request.user = membership.user
    return annotation


class RelationListView(ChecksTokenItself, APIView):
    checks_token_itself = ("POST",)

    @extend_schema(request=RelationCreateSerializer, responses={201: WriteResultSerializer})
    def post(self, request, annotation_id: int):
        # Linking, like the span save: the read with the access check, the spans it names,
        # one statement; whatever those cannot answer alone takes the locked way.
        annotation = _writable(request, annotation_id)
        data = parse(RelationCreateSerializer, request.data)
        via = parse(ViaSerializer, request.data)["via"]
        result = relations_mod.try_add_relation_at_once(
            annotation, request.user, data, version=data["version"], via=via
        )
        if result is None:
            with writing(request.user, annotation_id) as annotation:
                result = relations_mod.do_add_relation(
                    annotation, request.user, data, version=data["version"], via=via
                )
        return written(result, relation=RelationSerializer(result.obj).data)


class RelationDetailView(APIView):
    @extend_schema(request=RelationUpdateSerializer, responses=WriteResultSerializer)
    def patch(self, request, annotation_id: int, relation_id: int):
        with writing(request.user, annotation_id) as annotation:
            data = parse(RelationUpdateSerializer, request.data)
            via = parse(ViaSerializer, request.data)["via"]
            result = relations_mod.do_update_relation(
                annotation,
                request.user,
                relation_id,
                data["attrs"],
                version=data["version"],
                via=via,
            )
        return written(result, relation=RelationSerializer(result.obj).data)

    @_DELETE
    def delete(self, request, annotation_id: int, relation_id: int):
        return _delete(request, annotation_id, relations_mod.do_delete_relation, relation_id)


class SubmitView(ChecksTokenItself, APIView):
    checks_token_itself = ("POST",)

    @extend_schema(
        request=VersionedSerializer, responses=AnnotationSerializer, summary="Submit my annotation"
    )
    def post(self, request, annotation_id: int):
        annotation = _writable(request, annotation_id)
        data = parse(VersionedSerializer, request.data)
        return _set_status(request, annotation, AnnotationStatus.SUBMITTED, data["version"])


class SkipView(ChecksTokenItself, APIView):
    checks_token_itself = ("POST",)

    @extend_schema(
        request=SkipSerializer,
        responses=AnnotationSerializer,
        summary="Skip this article, saying why",
    )
    def post(self, request, annotation_id: int):
        annotation = _writable(request, annotation_id)
        data = parse(SkipSerializer, request.data)
        return _set_status(
            request, annotation, AnnotationStatus.SKIPPED, data["version"], data["reason"]
        )


def _set_status(request, annotation: Annotation, status: str, version, reason: str = ""):
    """Submit or skip: one statement that writes if the annotation is still as read, answered
    with the layer built by PostgreSQL; what that cannot answer alone takes the locked way."""
    changed = versions_mod.try_set_status_at_once(
        annotation, request.user, status, version=version, reason=reason
    )
    if changed is None:
        with writing(request.user, annotation.pk) as annotation:
            versions_mod.do_set_status(
                annotation, request.user, status, version=version, reason=reason
            )
    return raw_json(layer_json(annotation.pk))


class NextArticleView(ChecksTokenItself, APIView):
    checks_token_itself = ("POST",)

    @extend_schema(
        request=None,
        responses={200: AnnotationSerializer, 204: None},
        summary="Lease my next article",
    )
    def post(self, request, slug: str):
        # Two statements: labels_next_annotation (the key's check, the membership, the queue's
        # locks and counts, the draft), then the layer as JSON. Not a member: the access
        # check's 404.
        outcome, annotation = queue.next_annotation(
            slug, request.user, token=auth.deferred_digest(request)
        )
        if outcome == "not_member":
            project, _ = access.access_project(request.user, slug)
            annotation = queue.do_next_article(project, request.user)
        if annotation is None:
            return Response(status=status.HTTP_204_NO_CONTENT)
        return raw_json(layer_json(annotation.pk))


class AssignView(APIView):
    """A manager gives an article to a member (labels.annotation.queue.do_assign): the member's draft is
    created, or their existing annotation marked as assigned, and never expires."""

    @extend_schema(
        request=AssignSerializer,
        responses={201: AssignmentSerializer, 200: AssignmentSerializer},
        summary="Assign this article to a member (managers)",
    )
    def post(self, request, article_id: int):
        article, _ = access.access_article(request.user, article_id, roles=(Role.MANAGER,))
        data = parse(AssignSerializer, request.data)
        membership = (
            Membership.objects.filter(project=article.project, user__username=data["username"])
            .select_related("user")
            .first()
        )
        if membership is None:
            raise Invalid.one(
                "username",
                "not_member",
                f"{data['username']} is not a member of this project; add them first.",
            )
        existed = Annotation.objects.filter(
            article=article, annotator=membership.user, is_gold=False
        ).exists()
        try:
            annotation = queue.do_assign(
                article, membership.user, request.user, force=data["force"]
            )
        except Invalid as exc:  # do_assign names the user "user"; this request says "username"
            renamed = [Problem("username", p.code, p.message) for p in exc.problems]
            raise type(exc)(renamed) from None
        annotation = Annotation.objects.select_related("annotator", "assigned_by").get(
            pk=annotation.pk
        )
        return Response(
            AssignmentSerializer(annotation).data,
            status=status.HTTP_200_OK if existed else status.HTTP_201_CREATED,
        )
