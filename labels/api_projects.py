"""The project-level JSON API under /api/v1/: projects, members, articles, annotations of an
article, imports, and the caller's API token. (Spans, relations and the queue are in
``labels.api``.) Views parse, check access through ``labels.access``, call one domain function
and answer; every list is paginated (``?page=``, 50 a page).

Who may do what (403 for a member without the role, 404 for anyone who is not a member):

- projects: any user lists the projects they belong to; a staff user (``is_staff``) creates a
  project and becomes its manager; managers change it.
- members: every member reads the list; managers add, change and remove members, and a project
  always keeps one manager.
- articles: every member lists and reads them (``layers`` only for managers and reviewers);
  managers create and import.
- annotations of an article: managers and reviewers see every layer; annotators see their own
  and, in open projects, the other annotators' (and gold once reviewed) — ``access.
  can_read_annotation``.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.postgres.search import SearchQuery, SearchRank
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Prefetch, Q
from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.authtoken.models import Token
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from labels import access, importing, projects, rawsql, suggesters
from labels.api_errors import error_response
from labels.errors import Invalid
from labels.models import (
    Annotation,
    AnnotationStatus,
    Article,
    ArticleState,
    Membership,
    Relation,
    Role,
    Span,
    article_state,
)
from labels.serializers import (
    AnnotationSerializer,
    ArticleCreateSerializer,
    ArticleDetailSerializer,
    ArticleListSerializer,
    ErrorSerializer,
    ImportErrorSerializer,
    ImportReportSerializer,
    ImportSerializer,
    MemberSerializer,
    MemberWriteSerializer,
    ProjectCreateSerializer,
    ProjectDetailSerializer,
    ProjectSerializer,
    ProjectUpdateSerializer,
    TokenSerializer,
    TokenStatusSerializer,
    datetime_data,
)

ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description="Bad input; each error names the field."),
    403: OpenApiResponse(ErrorSerializer, description="A member without the needed role."),
    404: OpenApiResponse(ErrorSerializer, description="Not a member, or no such object."),
}
READ_ERRORS = {code: ERRORS[code] for code in (400, 404)}

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


def _parse(serializer_class, data, **kwargs):
    serializer = serializer_class(data=data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


# --- Projects ----------------------------------------------------------------------------------


class ProjectListView(generics.ListAPIView):
    serializer_class = ProjectSerializer

    def get_queryset(self):
        return access.user_projects(self.request.user)

    @extend_schema(
        summary="The projects I belong to, with my role",
        responses={200: ProjectSerializer(many=True)},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Create a project (staff users); its creator becomes its manager",
        request=ProjectCreateSerializer,
        responses={201: ProjectDetailSerializer, **ERRORS},
    )
    def post(self, request):
        if not request.user.is_staff:
            raise PermissionDenied("Only staff users create projects; ask an administrator.")
        data = _parse(ProjectCreateSerializer, request.data)
        with transaction.atomic():
            try:
                project = projects.do_create_project(**data)
            except IntegrityError:
                raise Invalid.one(
                    "slug", "duplicate", f"A project with the slug {data['slug']!r} exists."
                ) from None
            membership = projects.do_add_member(project, request.user, Role.MANAGER)
        return Response(ProjectDetailSerializer(membership).data, status=status.HTTP_201_CREATED)


class ProjectDetailView(APIView):
    @extend_schema(summary="A project", responses={200: ProjectDetailSerializer, **READ_ERRORS})
    def get(self, request, slug: str):
        _, membership = access.access_project(request.user, slug)
        return Response(ProjectDetailSerializer(membership).data)

    @extend_schema(
        summary="Change a project (managers); a new schema is versioned",
        request=ProjectUpdateSerializer,
        responses={200: ProjectDetailSerializer, **ERRORS},
    )
    def patch(self, request, slug: str):
        project, membership = access.access_project(request.user, slug, roles=[Role.MANAGER])
        data = _parse(ProjectUpdateSerializer, request.data)
        suggesters.check_suggester_settings(project, data)
        with transaction.atomic():
            if "schema" in data:
                try:
                    project = projects.do_change_schema(project, data.pop("schema"))
                except Invalid as exc:
                    raise exc.prefixed("schema") from None
            for name, value in data.items():
                setattr(project, name, value)
            if data:
                project.save(update_fields=[*data, "updated_at"])
        membership.project = project
        return Response(ProjectDetailSerializer(membership).data)


# --- Members -----------------------------------------------------------------------------------


class MemberListView(generics.ListAPIView):
    serializer_class = MemberSerializer

    def get_queryset(self):
        project, _ = access.access_project(self.request.user, self.kwargs["slug"])
        return (
            Membership.objects.filter(project=project)
            .select_related("user")
            .order_by("user__username")
        )

    @extend_schema(summary="The project's members", responses={200: MemberSerializer(many=True)})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Add a member, or change a member's role (managers)",
        request=MemberWriteSerializer,
        responses={200: MemberSerializer, 201: MemberSerializer, **ERRORS},
    )
    def post(self, request, slug: str):
        project, _ = access.access_project(request.user, slug, roles=[Role.MANAGER])
        data = _parse(MemberWriteSerializer, request.data)
        user = get_user_model().objects.filter(username=data["username"]).first()
        if user is None:
            raise Invalid.one("username", "unknown_user", f"No user named {data['username']!r}.")
        existed = Membership.objects.filter(project=project, user=user).exists()
        membership = projects.do_add_member(project, user, data["role"])
        return Response(
            MemberSerializer(membership).data,
            status=status.HTTP_200_OK if existed else status.HTTP_201_CREATED,
        )


class MemberDetailView(APIView):
    @extend_schema(
        summary="Remove a member (managers); never the last manager",
        request=None,
        responses={204: None, **ERRORS},
    )
    def delete(self, request, slug: str, username: str):
        project, _ = access.access_project(request.user, slug, roles=[Role.MANAGER])
        membership = (
            Membership.objects.filter(project=project, user__username=username)
            .select_related("user")
            .first()
        )
        if membership is None:
            raise Http404("No such member.")
        projects.do_remove_member(project, membership.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Articles ----------------------------------------------------------------------------------


class ArticleListView(generics.ListAPIView):
    serializer_class = ArticleListSerializer

    def get_queryset(self):
        project, _ = access.access_project(self.request.user, self.kwargs["slug"])
        params = self.request.query_params
        articles = Article.objects.filter(project=project).with_state()
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
        search = params.get("search", "").strip()
        if "\x00" in search:
            raise Invalid.one("search", "nul_character", "The search contains a NUL character.")
        if search:
            query = SearchQuery(search, search_type="websearch", config="simple")
            # The same expression as the GIN index labels_article_search, so it is used.
            articles = (
                articles.alias(vector=Article.search_vector())
                .filter(vector=query)
                .annotate(rank=SearchRank(Article.search_vector(), query))
            )
            if not ordering:
                return articles.order_by("-rank", "id")
        return articles.order_by(*ARTICLE_ORDERINGS.get(ordering or "id"))

    @extend_schema(
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
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Create one article (managers)",
        request=ArticleCreateSerializer,
        responses={201: ArticleDetailSerializer, **ERRORS},
    )
    def post(self, request, slug: str):
        project, _ = access.access_project(request.user, slug, roles=[Role.MANAGER])
        data = _parse(ArticleCreateSerializer, request.data)
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


def article_detail(article: Article, membership) -> dict:
    """ArticleDetailSerializer's output in one more hand-written query (labels.rawsql says why):
    the article's layers, from which its state is worked out (``models.article_state``); staff
    see the layers too."""
    users = rawsql.table(get_user_model())
    with rawsql.cursor() as cursor:
        cursor.execute(
            "SELECT a.id, a.is_gold, a.status, a.version, a.updated_at, u.username, "
            f"(SELECT count(*) FROM {rawsql.table(Span)} s WHERE s.annotation_id = a.id), "
            f"(SELECT count(*) FROM {rawsql.table(Relation)} x WHERE x.annotation_id = a.id) "
            f"FROM {rawsql.table(Annotation)} a LEFT JOIN {users} u ON u.id = a.annotator_id "
            "WHERE a.article_id = %s ORDER BY a.is_gold DESC, u.username",
            [article.pk],
        )
        rows = cursor.fetchall()
    state, done = article_state(
        ((is_gold, status) for _, is_gold, status, *_ in rows),
        article.project.annotators_per_article,
    )
    layers = None
    if membership.role in access.STAFF_ROLES:
        layers = [
            {
                "id": pk,
                "layer": "gold" if is_gold else username,
                "status": status_,
                "version": version,
                "spans": span_count,
                "relations": relation_count,
                "updated_at": datetime_data(updated_at),
            }
            for pk, is_gold, status_, version, updated_at, username, span_count, relation_count in rows
        ]
    return {
        "id": article.pk,
        "external_id": article.external_id,
        "title": article.title,
        "meta": article.meta,
        "state": state,
        "annotators_done": done,
        "created_at": datetime_data(article.created_at),
        "text": article.text,
        "text_sha256": article.text_sha256,
        "layers": layers,
    }


class ArticleAnnotationListView(generics.ListAPIView):
    serializer_class = AnnotationSerializer

    def get_queryset(self):
        user = self.request.user
        article, membership = access.access_article(user, self.kwargs["article_id"])
        layers = Annotation.objects.filter(article=article)
        if membership.role not in access.STAFF_ROLES:
            # access.can_read_annotation, as a filter: own work; in open projects the others'
            # and gold once reviewed.
            if article.project.blind:
                layers = layers.filter(annotator=user, is_gold=False)
            else:
                layers = layers.filter(
                    Q(is_gold=False) | Q(is_gold=True, status=AnnotationStatus.REVIEWED)
                )
        return (
            layers.select_related("annotator", "reviewer")
            .prefetch_related(
                Prefetch("spans", queryset=Span.objects.order_by("start", "end", "id")),
                Prefetch("relations", queryset=Relation.objects.order_by("id")),
            )
            .order_by("-is_gold", "annotator__username")
        )

    @extend_schema(
        summary="The article's annotations (layers) I may see, with spans and relations",
        responses={200: AnnotationSerializer(many=True), **READ_ERRORS},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


# --- Imports -----------------------------------------------------------------------------------


class ImportView(APIView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        summary="Import a file (managers): all or nothing unless partial",
        request={"multipart/form-data": ImportSerializer},
        responses={
            200: ImportReportSerializer,
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
        project, _ = access.access_project(request.user, slug, roles=[Role.MANAGER])
        data = _parse(ImportSerializer, request.data)
        upload = data["file"]
        importing.check_upload_size(upload.size)
        options = importing.ReadOptions(
            text_column=data.get("text_column") or None,
            id_column=data.get("id_column") or None,
            title_column=data.get("title_column") or None,
        )
        try:
            report = importing.do_import(
                project,
                [(upload.name or "upload", upload.file)],
                fmt=data["format"],
                layer=data["layer"] or None,
                partial=data["partial"],
                actor=request.user,
                options=options,
            )
        except importing.ImportConflict as exc:
            return error_response(409, "file", "conflict", str(exc))
        except importing.ImportFailed as exc:
            return Response(
                {
                    "errors": [
                        {"field": "file", "code": "invalid_record", "message": line}
                        for line in exc.report.errors
                    ],
                    "report": exc.report.as_dict(),
                },
                status=status.HTTP_400_BAD_REQUEST,
            )
        return Response(report.as_dict())


# --- API tokens --------------------------------------------------------------------------------


class TokenView(APIView):
    """The caller's API token, for scripts: ``Authorization: Token <key>``."""

    @extend_schema(summary="Whether I have an API token", responses=TokenStatusSerializer)
    def get(self, request):
        token = Token.objects.filter(user=request.user).first()
        return Response({"exists": token is not None, "created": token.created if token else None})

    @extend_schema(
        summary="Create my API token, replacing any previous one",
        request=None,
        responses={201: TokenSerializer},
    )
    def post(self, request):
        with transaction.atomic():
            Token.objects.filter(user=request.user).delete()
            token = Token.objects.create(user=request.user)
        return Response(TokenSerializer(token).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="Revoke my API token", request=None, responses={204: None})
    def delete(self, request):
        Token.objects.filter(user=request.user).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)
