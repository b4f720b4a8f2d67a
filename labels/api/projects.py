"""Projects and their members in the JSON API; the error answers the project-level endpoints
share (articles, imports and tokens have modules of their own beside this one). Views parse, check access through ``labels.access``, call one domain function
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
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from labels import access
from labels.api.base import managing, parse
from labels.api.inputs import (
    MemberWriteSerializer,
    ProjectCreateSerializer,
    ProjectUpdateSerializer,
)
from labels.api.outputs import (
    ErrorSerializer,
    MemberSerializer,
    ProjectDetailSerializer,
    ProjectSerializer,
)
from labels.errors import Invalid
from labels.models import Membership, Role
from labels.projects import members as members_mod
from labels.projects import projects
from labels.suggestions.model_suggester import check_model_source
from labels.text import check_name

ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description="Bad input; each error names the field."),
    403: OpenApiResponse(ErrorSerializer, description="A member without the needed role."),
    404: OpenApiResponse(ErrorSerializer, description="Not a member, or no such object."),
}
READ_ERRORS = {code: ERRORS[code] for code in (400, 404)}


# --- Projects ----------------------------------------------------------------------------------


@extend_schema_view(get=extend_schema(summary="The projects I belong to, with my role"))
class ProjectListView(generics.ListAPIView):
    serializer_class = ProjectSerializer

    def get_queryset(self):
        return access.user_projects(self.request.user)

    @extend_schema(
        summary="Create a project (staff users); its creator becomes its manager",
        request=ProjectCreateSerializer,
        responses={201: ProjectDetailSerializer, **ERRORS},
    )
    def post(self, request):
        if not request.user.is_staff:
            raise PermissionDenied("Only staff users create projects; ask an administrator.")
        data = parse(ProjectCreateSerializer, request.data)
        with transaction.atomic():
            try:
                project = projects.do_create_project(**data)
            except IntegrityError:
                raise Invalid.one(
                    "slug", "duplicate", f"A project with the slug {data['slug']!r} exists."
                ) from None
            membership = members_mod.do_add_member(project, request.user, Role.MANAGER)
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
        project, membership, data = managing(request, slug, ProjectUpdateSerializer)
        if "suggester_model" in data:  # a slug, scoped to what this project may use
            data["suggester_model"] = check_model_source(project, data["suggester_model"])
        membership.project = projects.do_update_project(project, data)
        return Response(ProjectDetailSerializer(membership).data)


# --- Members -----------------------------------------------------------------------------------


@extend_schema_view(get=extend_schema(summary="The project's members"))
class MemberListView(generics.ListAPIView):
    serializer_class = MemberSerializer

    def get_queryset(self):
        project, _ = access.access_project(self.request.user, self.kwargs["slug"])
        return (
            Membership.objects.filter(project=project)
            .select_related("user")
            .order_by("user__username")
        )

    @extend_schema(
        summary="Add a member, or change a member's role (managers)",
        request=MemberWriteSerializer,
        responses={200: MemberSerializer, 201: MemberSerializer, **ERRORS},
    )
    def post(self, request, slug: str):
        project, _, data = managing(request, slug, MemberWriteSerializer)
        user = get_user_model().objects.filter(username=data["username"]).first()
        if user is None:
            raise Invalid.one("username", "unknown_user", f"No user named {data['username']!r}.")
        existed = Membership.objects.filter(project=project, user=user).exists()
        membership = members_mod.do_add_member(project, user, data["role"])
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
        username = check_name(username, field="username")
        membership = access.member_of(project, username)
        members_mod.do_remove_member(project, membership.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
