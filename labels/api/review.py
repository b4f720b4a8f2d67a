"""The review API under /api/v1/ (reviewers and managers of the article's project).

Every write takes the gold layer's ``version`` (1 before the first review action creates it),
answers 409 when it is stale, and answers with the whole review as it now stands, so the page
simply draws what it gets back. The rules live in ``labels.review``.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from labels import access
from labels.api.base import parse
from labels.api.inputs import (
    AcceptSerializer,
    RejectSerializer,
    RelationCreateSerializer,
    RelationDecisionSerializer,
    RelationUpdateSerializer,
    ReturnSerializer,
    SpanCreateSerializer,
    SpanUpdateSerializer,
    VersionedSerializer,
)
from labels.api.outputs import RelationSerializer, SpanSerializer
from labels.models import FINISHED, Article
from labels.review import decisions, merge, state
from labels.review.state import ReviewState


def _staff_article(request, article_id) -> Article:
    article, _ = access.access_article(request.user, article_id, roles=access.STAFF_ROLES)
    return article


def _answer(article: Article, code: int = status.HTTP_200_OK) -> Response:
    return Response(review_payload(state.load_review(article)), status=code)


_REVIEW = OpenApiResponse(description="The review as it now stands (see GET).")


def _decision(body: Any, summary: str, code: int = status.HTTP_200_OK):
    """A review write as a view method: ``@_decision(BodySerializer, summary)`` over a method
    ``(self, article, user, data, **url ids)`` that makes the one decision. It runs on the
    article (for its project's managers and reviewers: 404/403 otherwise) with the request body
    checked by ``body``; the answer is the review as it then stands, with status ``code``."""

    def decorate(decide):
        @extend_schema(request=body, responses=_REVIEW, summary=summary)
        def handler(self, request, article_id: int, **ids):
            article = _staff_article(request, article_id)
            decide(self, article, request.user, parse(body, request.data), **ids)
            return _answer(article, code)

        return handler

    return decorate


class ReviewView(APIView):
    @extend_schema(
        responses=_REVIEW,
        summary="All submitted layers of an article, the review candidates and the gold layer",
    )
    def get(self, request, article_id: int):
        return _answer(_staff_article(request, article_id))


class AcceptView(APIView):
    @_decision(AcceptSerializer, "Accept a candidate")
    def post(self, article, user, data):
        version, span_id = data.pop("version"), data.pop("span")
        decisions.do_accept(article, user, span_id, version=version, changes=data)


class RejectView(APIView):
    @_decision(RejectSerializer, "Reject a candidate")
    def post(self, article, user, data):
        decisions.do_reject(article, user, data["span"], version=data["version"])


class AcceptRelationView(APIView):
    @_decision(RelationDecisionSerializer, "Accept a relation")
    def post(self, article, user, data):
        decisions.do_accept_relation(article, user, data["relation"], version=data["version"])


class RejectRelationView(APIView):
    @_decision(RelationDecisionSerializer, "Reject a relation")
    def post(self, article, user, data):
        decisions.do_reject_relation(article, user, data["relation"], version=data["version"])


class AcceptAgreedView(APIView):
    @_decision(VersionedSerializer, "Accept every open unanimous or majority span and relation")
    def post(self, article, user, data):
        decisions.do_accept_agreed(article, user, version=data["version"])


class MarkReviewedView(APIView):
    @_decision(VersionedSerializer, "Finish the review of the article")
    def post(self, article, user, data):
        decisions.do_mark_reviewed(article, user, version=data["version"])


class GoldSpanListView(APIView):
    @_decision(SpanCreateSerializer, "Add a span to the gold layer", status.HTTP_201_CREATED)
    def post(self, article, user, data):
        version = data.pop("version")
        decisions.do_add_gold_span(article, user, data, version=version)


class GoldSpanDetailView(APIView):
    @_decision(SpanUpdateSerializer, "Edit a gold span")
    def patch(self, article, user, data, span_id: int):
        version = data.pop("version")
        decisions.do_edit_gold_span(article, user, span_id, data, version=version)

    @_decision(VersionedSerializer, "Delete a gold span")
    def delete(self, article, user, data, span_id: int):
        decisions.do_delete_gold_span(article, user, span_id, version=data["version"])


class GoldRelationListView(APIView):
    @_decision(
        RelationCreateSerializer, "Add a relation between two gold spans", status.HTTP_201_CREATED
    )
    def post(self, article, user, data):
        version = data.pop("version")
        decisions.do_add_gold_relation(article, user, data, version=version)


class GoldRelationDetailView(APIView):
    @_decision(RelationUpdateSerializer, "Change a gold relation's attributes")
    def patch(self, article, user, data, relation_id: int):
        decisions.do_edit_gold_relation(
            article, user, relation_id, data["attrs"], version=data["version"]
        )

    @_decision(VersionedSerializer, "Delete a gold relation")
    def delete(self, article, user, data, relation_id: int):
        decisions.do_delete_gold_relation(article, user, relation_id, version=data["version"])


class ReturnView(APIView):
    @extend_schema(
        request=ReturnSerializer,
        responses=_REVIEW,
        summary="Send an annotation back to its annotator with a comment",
    )
    def post(self, request, annotation_id: int):
        with transaction.atomic():
            annotation, membership = access.access_annotation(
                request.user, annotation_id, lock=True
            )
            access.require_role(membership, access.STAFF_ROLES)
            data = parse(ReturnSerializer, request.data)
            decisions.do_return(annotation, request.user, data["comment"], version=data["version"])
        return _answer(annotation.article)


def _name(user) -> str:
    return user.get_full_name() or user.username


def review_payload(state: ReviewState) -> dict:
    """The review of one article as the page draws it (see docs/review.md)."""
    article, gold = state.article, state.gold
    project = article.project
    gold_data = None
    if gold is not None:
        gold_spans = []
        for span in gold.spans.all():
            data = SpanSerializer(span).data
            data["candidate"] = state.gold_candidate.get(span.pk)
            gold_spans.append(data)
        gold_data = {
            "id": gold.pk,
            "status": gold.status,
            "version": gold.version,
            "reviewer": gold.reviewer.username if gold.reviewer else None,
            "reviewer_name": _name(gold.reviewer) if gold.reviewer else None,
            "updated_at": gold.updated_at,
            "spans": gold_spans,
            "relations": RelationSerializer(gold.relations.all(), many=True).data,
        }
    counts = {merge.OPEN: 0, merge.ACCEPTED: 0, merge.REJECTED: 0}
    for c in state.candidates:
        counts[c.status] += 1
    return {
        "article": {
            "id": article.pk,
            "external_id": article.external_id,
            "title": article.title,
            "text": article.text,
            "meta": article.meta,
        },
        "project": {
            "slug": project.slug,
            "name": project.name,
            "annotators_per_article": project.annotators_per_article,
            "schema": project.schema,
        },
        "submitted": state.n_layers,
        "ready": state.n_layers >= project.annotators_per_article,
        "version": gold.version if gold else 1,
        "gold": gold_data,
        "layers": [
            {
                "id": a.pk,
                "annotator": a.layer_name,  # the annotator's username: these are not gold
                "name": _name(a.annotator),
                "status": a.status,
                "version": a.version,
                "submitted_at": a.submitted_at,
                "skip_reason": a.skip_reason,
                "review_comment": a.review_comment,
                "spans": len(a.spans.all()) if a.status in FINISHED else None,
            }
            for a in state.annotations
        ],
        "candidates": [
            {
                "key": c.key,
                "label": c.label,
                "start": c.start,
                "end": c.end,
                "agreement": c.agreement,
                "disputed": c.disputed,
                "status": c.status,
                "gold_span": c.gold_span,
                "annotators": c.annotators,
                "versions": [
                    {
                        "label": v.label,
                        "start": v.start,
                        "end": v.end,
                        "text": v.text,
                        "attrs": v.attrs,
                        "annotators": v.annotators,
                        "spans": v.spans,
                    }
                    for v in c.versions
                ],
            }
            for c in state.candidates
        ],
        "relation_candidates": [
            {
                "key": c.key,
                "label": c.label,
                "from": c.source,
                "to": c.target,
                "agreement": c.agreement,
                "disputed": c.disputed,
                "status": c.status,
                "gold_relation": c.gold_relation,
                "versions": [
                    {"attrs": v.attrs, "annotators": v.annotators, "relations": v.relations}
                    for v in c.versions
                ],
            }
            for c in state.relation_candidates
        ],
        "counts": counts
        | {
            "disputed": sum(c.disputed for c in state.candidates),
            "by_agreement": _by_agreement(state.candidates),
            "open_relations": sum(c.status == merge.OPEN for c in state.relation_candidates),
        },
    }


#: The review page's badges, in its order: what each candidate's agreement is called.
BADGES = ("all_agree", "majority", "disputed", "one_annotator")


def badge(candidate: merge.Candidate) -> str:
    """The badge of ``candidate`` (docs/review.md): ``all_agree``, ``majority``, ``disputed``
    (the analysts marked it differently, or split evenly) or ``one_annotator``."""
    if candidate.agreement == merge.UNANIMOUS:
        return "all_agree"
    if candidate.agreement == merge.MAJORITY:
        return "majority"
    return "disputed" if len(candidate.versions) > 1 else "one_annotator"


def _by_agreement(candidates) -> dict[str, int]:
    """How many candidates wear each badge; every one but ``all_agree`` is a disagreement
    (``counts.disputed``, which ``j``/``k`` step through)."""
    counts = dict.fromkeys(BADGES, 0)
    for c in candidates:
        counts[badge(c)] += 1
    return counts
