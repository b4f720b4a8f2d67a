"""Who may see and change what. Every view, API endpoint and command goes through here.

``access_*`` functions fetch an object *with* the permission check: a user who is not a member of
the object's project gets Http404 (the object's existence is not revealed); a member whose role
does not allow the action gets PermissionDenied (403).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, QuerySet, Subquery
from django.http import Http404

from labels.models import Annotation, Article, Membership, Project, Role

STAFF_ROLES = (Role.MANAGER, Role.REVIEWER)
ALL_ROLES = (Role.MANAGER, Role.REVIEWER, Role.ANNOTATOR)


def user_projects(user) -> QuerySet[Membership]:
    """The memberships of ``user``, with their projects, for the project list."""
    if not user.is_authenticated:
        return Membership.objects.none()
    return Membership.objects.filter(user=user).select_related("project").order_by("project__name")


def membership_of(user, project: Project) -> Membership | None:
    if not user.is_authenticated:
        return None
    # .order_by(): a lookup by a unique pair needs no ORDER BY (Meta.ordering joins auth_user).
    return Membership.objects.filter(user=user, project=project).order_by().first()


def _require_role(membership: Membership, roles: Iterable[str]) -> None:
    roles = tuple(roles)
    if membership.role not in roles:
        names = " or ".join(r for r in roles)
        raise PermissionDenied(f"This needs the {names} role in this project.")


def access_project(user, slug: str, roles: Iterable[str] = ALL_ROLES) -> tuple[Project, Membership]:
    if not user.is_authenticated:
        raise Http404("No such project.")
    membership = (
        Membership.objects.filter(user=user, project__slug=slug)
        .select_related("project")
        .order_by()
        .first()
    )
    if membership is None:
        raise Http404("No such project.")
    _require_role(membership, roles)
    return membership.project, membership


def access_article(
    user, article_id: int | str, roles: Iterable[str] = ALL_ROLES
) -> tuple[Article, Membership]:
    if not user.is_authenticated:
        raise Http404("No such article.")
    try:
        article_id = int(article_id)
    except (TypeError, ValueError):
        raise Http404("No such article.") from None
    article = Article.objects.select_related("project").filter(pk=article_id).first()
    if article is None:
        raise Http404("No such article.")
    membership = membership_of(user, article.project)
    if membership is None:
        raise Http404("No such article.")
    _require_role(membership, roles)
    return article, membership


def can_read_annotation(user, membership: Membership, annotation: Annotation) -> bool:
    if membership.role in STAFF_ROLES:
        return True
    if annotation.is_gold:
        # Annotators see gold only once the article is reviewed, and only in open projects.
        return not annotation.article.project.blind and annotation.status == "reviewed"
    if annotation.annotator_id == user.pk:
        return True
    return not annotation.article.project.blind


def can_write_annotation(user, membership: Membership, annotation: Annotation) -> bool:
    if annotation.is_gold:
        return membership.role in STAFF_ROLES
    return annotation.annotator_id == user.pk


def access_annotation(
    user, annotation_id: int | str, *, write: bool = False, lock: bool = False
) -> tuple[Annotation, Membership]:
    """Fetch an annotation the user may read (or, with ``write``, change).

    With ``lock`` the row is locked ``FOR UPDATE`` (the caller must be inside a transaction);
    every write to spans and relations locks its annotation so versions advance one at a time.
    """
    if not user.is_authenticated:
        raise Http404("No such annotation.")
    try:
        annotation_id = int(annotation_id)
    except (TypeError, ValueError):
        raise Http404("No such annotation.") from None
    # The caller's membership comes with the annotation, in the same query: every span write
    # starts here, and a query less is a tenth of its cost (docs/performance.md, "Load test").
    mine = Membership.objects.filter(project=OuterRef("article__project"), user=user).order_by()
    qs = Annotation.objects.select_related("article__project").annotate(
        my_membership_id=Subquery(mine.values("pk")[:1]),
        my_role=Subquery(mine.values("role")[:1]),
    )
    if lock:
        qs = qs.select_for_update(of=("self",))
    # .order_by(): by primary key, without Meta.ordering's join to auth_user in the locking query.
    annotation = qs.filter(pk=annotation_id).order_by().first()
    if annotation is None or annotation.my_membership_id is None:
        raise Http404("No such annotation.")
    membership = Membership(
        pk=annotation.my_membership_id,
        project=annotation.article.project,
        user=user,
        role=annotation.my_role,
    )
    if not can_read_annotation(user, membership, annotation):
        # Another annotator's work in a blind project: do not reveal that it exists.
        raise Http404("No such annotation.")
    if write and not can_write_annotation(user, membership, annotation):
        raise PermissionDenied("You can only change your own annotation.")
    return annotation, membership
