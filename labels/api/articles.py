"""Articles of a project: list, search, create, detail, an article's layers."""

from __future__ import annotations

import json
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.http import HttpResponse
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param
from rest_framework.views import APIView

from labels import access
from labels.annotation.reads import article_detail, article_layers_json
from labels.api.base import managing
from labels.api.inputs import (
    ArticleCreateSerializer,
)
from labels.api.outputs import (
    AnnotationSerializer,
    ArticleDetailSerializer,
    ArticleListSerializer,
)
from labels.api.projects import ERRORS, READ_ERRORS
from labels.errors import Invalid
from labels.interop import importing
from labels.jobs import indexing
from labels.models import Annotation, Article, ArticleState, Relation, Span
from labels.text import check_search

# ?ordering= values and what they sort by; anything else is a 400, never an ORM lookup.
ARTICLE_ORDERINGS = {
    "id": ("id",),
    "-id": ("-id",),
    "external_id": ("external_id", "id"),
    "-external_id": ("-external_id", "-id"),
    "title": ("title", "id"),
    "-title": ("-title", "-id"),
    "created_at": ("created_at", "id"),
    "-created_at": ("-created_at", "-id"),
}


# --- Articles ----------------------------------------------------------------------------------


class ArticlePagination(PageNumberPagination):
    """A page of articles with where the project's search index is: ``search_index`` says
    ``complete`` (every article is found by search) or how many are still ``pending``, after
    an import whose articles a background job is indexing; until then a search finds only the
    indexed ones."""

    search_index: dict[str, Any]  # set by the view (``jobs.indexing.search_index_pending``)

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        response.data["search_index"] = self.search_index
        return response

    def get_paginated_response_schema(self, schema):
        paginated = super().get_paginated_response_schema(schema)
        paginated["properties"]["search_index"] = {
            "type": "object",
            "description": "The project's search index: complete, or building after an "
            "import, with the number of articles search does not find yet (a search's "
            "results may then be incomplete).",
            "properties": {
                "complete": {"type": "boolean"},
                "pending": {"type": "integer", "minimum": 0},
            },
            "required": ["complete", "pending"],
        }
        return paginated


@extend_schema_view(
    get=extend_schema(
        summary="The project's articles",
        parameters=[
            OpenApiParameter(
                "state", str, enum=ArticleState.values, description="Only articles in this state."
            ),
            OpenApiParameter(
                "search",
                str,
                description="Full-text search of title and text (web-search syntax: "
                '"a phrase", or, -word); results by relevance unless ordered.',
            ),
            OpenApiParameter("ordering", str, enum=list(ARTICLE_ORDERINGS)),
        ],
        responses={200: ArticleListSerializer(many=True), **READ_ERRORS},
    )
)
class ArticleListView(generics.ListAPIView):
    serializer_class = ArticleListSerializer
    pagination_class = ArticlePagination

    def get_queryset(self):
        project, _ = access.access_project(self.request.user, self.kwargs["slug"])
        pending = indexing.search_index_pending(project)
        assert isinstance(self.paginator, ArticlePagination)
        self.paginator.search_index = {"complete": pending == 0, "pending": pending}
        params = self.request.query_params
        articles = Article.objects.filter(project=project).with_state().with_search_indexed()
        state = params.get("state", "")
        if state:
            if state not in ArticleState.values:
                raise Invalid.one(
                    "state",
                    "invalid_choice",
                    f"state must be one of {', '.join(ArticleState.values)}.",
                )
            articles = articles.filter(state=state)
        ordering = params.get("ordering", "")
        if ordering and ordering not in ARTICLE_ORDERINGS:
            raise Invalid.one(
                "ordering",
                "invalid_choice",
                f"ordering must be one of {', '.join(ARTICLE_ORDERINGS)}.",
            )
        search = check_search(params.get("search", ""), field="search")
        if search:
            articles = articles.search(search)
            if not ordering:
                return articles.order_by("-rank", "id")
        return articles.order_by(*ARTICLE_ORDERINGS.get(ordering or "id"))

    @extend_schema(
        summary="Create one article (managers)",
        request=ArticleCreateSerializer,
        responses={201: ArticleDetailSerializer, **ERRORS},
    )
    def post(self, request, slug: str):
        project, _, data = managing(request, slug, ArticleCreateSerializer)
        if Article.objects.filter(project=project, external_id=data["id"].strip()).exists():
            raise Invalid.one("id", "duplicate", f"An article with id {data['id']!r} exists.")
        try:
            with transaction.atomic():
                article = importing.do_create_article(
                    project,
                    external_id=data["id"],
                    raw_text=data["text"],
                    title=data["title"],
                    meta=data["meta"],
                )
        except IntegrityError:
            raise Invalid.one(
                "id", "duplicate", f"An article with id {data['id']!r} exists."
            ) from None
        article = Article.objects.with_state().get(pk=article.pk)
        article.layers = []
        return Response(ArticleDetailSerializer(article).data, status=status.HTTP_201_CREATED)


class ArticleDetailView(APIView):
    @extend_schema(
        summary="An article with its text (and, for staff, a summary of its layers)",
        responses={200: ArticleDetailSerializer, **READ_ERRORS},
    )
    def get(self, request, slug: str, article_id: int):
        article, membership = access.access_project_article(request.user, slug, article_id)
        return Response(article_detail(article, membership))


INCLUDES = ("article",)


@extend_schema_view(
    get=extend_schema(
        summary="The article's annotations (layers) I may see, with spans and relations",
        description=(
            "With `include=article` the answer also holds the article itself, under "
            '`"article"`, exactly as `GET /projects/{slug}/articles/{id}/` gives it (its text '
            "included): what a script reading an article for analysis needs, in one request."
        ),
        parameters=[
            OpenApiParameter(
                "include",
                str,
                description='article: also the article, with its text, under "article".',
                enum=list(INCLUDES),
            )
        ],
        responses={200: AnnotationSerializer(many=True), **READ_ERRORS},
    )
)
class ArticleAnnotationListView(generics.ListAPIView):
    serializer_class = AnnotationSerializer

    def get(self, request, *args, **kwargs):
        """The first page — every page but for an article with more than 50 layers — straight
        from PostgreSQL (``reads.article_layers_json``: the access check and the JSON in one
        statement, not parsed here); later pages through the serializer below. Both give
        the same JSON (tests/api/test_articles.py compares them)."""
        include = request.query_params.get("include", "")
        if include not in ("", *INCLUDES):
            raise Invalid.one(
                "include", "invalid_choice", f"include must be one of {', '.join(INCLUDES)}."
            )
        paginator = self.paginator
        assert isinstance(paginator, PageNumberPagination)
        if request.query_params.get(paginator.page_query_param, "1") != "1":
            response = super().get(request, *args, **kwargs)
            if include:
                response.data = {"article": self._article(), **response.data}
            return response
        size = paginator.get_page_size(request) or 0
        count, results = article_layers_json(request.user, kwargs["article_id"], size)
        following = None
        if count > size:
            following = replace_query_param(
                request.build_absolute_uri(), paginator.page_query_param, 2
            )
        # The article after the layers' statement, which has answered 404 to a non-member.
        article = b'"article":' + JSONRenderer().render(self._article()) + b"," if include else b""
        body = f'"count":{count},"next":{json.dumps(following)},"previous":null,"results":'
        return HttpResponse(
            b"".join((b"{", article, body.encode(), results.encode(), b"}")),
            content_type="application/json",
        )

    def _article(self) -> dict:
        user, article_id = self.request.user, self.kwargs["article_id"]
        article, membership = access.access_article_at_once(user, article_id)
        return article_detail(article, membership)

    def get_queryset(self):
        user = self.request.user
        article, membership = access.access_article(user, self.kwargs["article_id"])
        layers = access.readable_layers(
            Annotation.objects.filter(article=article), user, membership
        )
        return (
            layers.select_related("annotator", "reviewer")
            .prefetch_related(
                Prefetch("spans", queryset=Span.objects.order_by("start", "end", "id")),
                Prefetch("relations", queryset=Relation.objects.order_by("id")),
            )
            .order_by("-is_gold", "annotator__username")
        )
