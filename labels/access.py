"""Who may see and change what. Every view, API endpoint and command goes through here.

``access_*`` functions fetch an object *with* the permission check: a user who is not a member of
the object's project gets Http404 (the object's existence is not revealed); a member whose role
does not allow the action gets PermissionDenied (403).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from rest_framework.authtoken.models import Token

from labels import rawsql
from labels.errors import Unauthenticated
from labels.models import Annotation, AnnotationStatus, Article, Job, Membership, Project, Role

# --- Access ------------------------------------------------------------------------------------


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
    membership = Membership.objects.filter(user=user, project=project).order_by().first()
    if membership is not None:
        membership.project = project  # the caller's object: no query to read it again
    return membership


def _require_role(membership: Membership, roles: Iterable[str]) -> None:
    roles = tuple(roles)
    if membership.role not in roles:
        names = " or ".join(r for r in roles)
        raise PermissionDenied(f"This needs the {names} role in this project.")


def _as_id(value: int | str, what: str) -> int:
    """``value`` as an object id; Http404 ("No such {what}.") when it is not a whole number."""
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404(f"No such {what}.") from None


def _valid_id_or_zero(value: int | str) -> int:
    """``value`` as an object id, or 0 (which no row has) when it cannot be one."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return 0
    return number if 0 < number < 2**63 else 0


def _requested_id(user, value: int | str, what: str) -> int:
    """``_as_id``, and Http404 as well for an anonymous caller: neither finds anything."""
    if not user.is_authenticated:
        raise Http404(f"No such {what}.")
    return _as_id(value, what)


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


def member_of(project: Project, username: str) -> Membership:
    """``username``'s membership of ``project`` (with its user); Http404 when they are none."""
    membership = (
        Membership.objects.filter(project=project, user__username=username)
        .select_related("user")
        .first()
    )
    if membership is None:
        raise Http404("No such member.")
    return membership


def access_article(
    user, article_id: int | str, roles: Iterable[str] = ALL_ROLES
) -> tuple[Article, Membership]:
    article_id = _requested_id(user, article_id, "article")
    article = Article.objects.select_related("project").filter(pk=article_id).first()
    if article is None:
        raise Http404("No such article.")
    membership = membership_of(user, article.project)
    if membership is None:
        raise Http404("No such article.")
    _require_role(membership, roles)
    return article, membership


def own_annotation(article: Article, user) -> Annotation | None:
    """``user``'s own layer of ``article`` (never gold), if they have started one."""
    return Annotation.objects.filter(article=article, annotator=user, is_gold=False).first()


def can_read_annotation(user, membership: Membership, annotation: Annotation) -> bool:
    """Who may read a layer. Managers and reviewers: every layer. Annotators: their own; in an
    open (not blind) project also the other analysts' layers, and gold once it is reviewed.
    ``readable_layers`` is the same rule as a queryset filter, ``readable_layers_sql`` as SQL;
    keep the three together."""
    if membership.role in STAFF_ROLES:
        return True
    if annotation.is_gold:
        return not annotation.article.project.blind and annotation.status == "reviewed"
    if annotation.annotator_id == user.pk:
        return True
    return not annotation.article.project.blind


def readable_layers(
    layers: QuerySet[Annotation], user, membership: Membership
) -> QuerySet[Annotation]:
    """``can_read_annotation`` as a filter over layers of ``membership``'s project."""
    if membership.role in STAFF_ROLES:
        return layers
    if membership.project.blind:
        return layers.filter(annotator=user, is_gold=False)
    return layers.filter(Q(is_gold=False) | Q(is_gold=True, status=AnnotationStatus.REVIEWED))


def readable_layers_sql(layer: str, member: str, user_id: int) -> tuple[str, list]:
    """``readable_layers`` as an SQL condition, for hand-written queries (labels.rawsql says
    why): ``layer`` is the alias of the annotation row, ``member`` an expression with the
    member's role and the project's ``blind`` flag as ``{member}.role``/``{member}.blind``."""
    staff = ", ".join(f"'{role}'" for role in STAFF_ROLES)
    return (
        f"({member}.role IN ({staff}) "
        f"OR ({member}.blind AND {layer}.annotator_id = %s AND NOT {layer}.is_gold) "
        f"OR (NOT {member}.blind AND (NOT {layer}.is_gold "
        f"OR {layer}.status = '{AnnotationStatus.REVIEWED.value}')))",
        [user_id],
    )


def require_role(membership: Membership, roles: Iterable[str]) -> None:
    """PermissionDenied (403) unless the member has one of ``roles``."""
    _require_role(membership, roles)


def can_write_annotation(user, membership: Membership, annotation: Annotation) -> bool:
    if annotation.is_gold:
        return membership.role in STAFF_ROLES
    return annotation.annotator_id == user.pk


def access_annotation(
    user,
    annotation_id: int | str,
    *,
    write: bool = False,
    lock: bool = False,
    token: str | None = None,
) -> tuple[Annotation, Membership]:
    """Fetch an annotation the user may read (or, with ``write``, change).

    With ``lock`` the row is locked ``FOR UPDATE`` (the caller must be inside a transaction);
    every write to spans and relations locks its annotation so versions advance one at a time.

    ``token`` is the digest of an API key that the authentication took on trust
    (``labels.api.auth.DeferredToken``): the same statement checks it, before anything else —
    ``Unauthenticated`` when it is revoked or its user inactive — and reads the user afresh,
    as ``membership.user`` (not with ``lock``).
    """
    if token is None:
        annotation_id = _requested_id(user, annotation_id, "annotation")
        if not 0 < annotation_id < 2**63:  # no such id; PostgreSQL would refuse it as a bigint
            raise Http404("No such annotation.")
    else:  # an id that is none is found by no row, after the token has been checked
        assert not lock, "a deferred token is checked by the unlocked read"
        annotation_id = _valid_id_or_zero(annotation_id)
    annotation, membership = _annotation_with_membership(
        user, annotation_id, lock=lock, token=token
    )
    if annotation is None or membership is None:
        raise Http404("No such annotation.")
    if not can_read_annotation(user, membership, annotation):
        # Another annotator's work in a blind project: do not reveal that it exists.
        raise Http404("No such annotation.")
    if write and not can_write_annotation(user, membership, annotation):
        raise PermissionDenied("You can only change your own annotation.")
    return annotation, membership


def _annotation_with_membership(
    user, annotation_id: int, *, lock: bool, token: str | None = None
) -> tuple[Annotation | None, Membership | None]:
    """The annotation with its article and project, and the caller's membership of that project,
    in one query (every span write and annotation read starts here; labels.rawsql says why it is
    SQL). With ``lock`` the annotation row, and only it, is locked ``FOR UPDATE``. With
    ``token`` (``access_annotation`` says what it is) the query starts from the token and its
    active user, so that a revoked key finds no row at all."""
    layer = (
        f"{rawsql.table(Annotation)} a "
        f"JOIN {rawsql.table(Article)} r ON r.id = a.article_id "
        f"JOIN {rawsql.table(Project)} p ON p.id = r.project_id"
    )
    columns = (
        f"{rawsql.select_list(Annotation, 'a')}, {rawsql.select_list(Article, 'r')}, "
        f"{rawsql.select_list(Project, 'p')}, m.id, m.role"
    )
    if token is None:
        sql = (
            f"SELECT {columns} FROM {layer} "
            f"LEFT JOIN {rawsql.table(Membership)} m ON m.project_id = p.id AND m.user_id = %s "
            "WHERE a.id = %s" + (" FOR UPDATE OF a" if lock else "")
        )
        params = [user.pk, annotation_id]
    else:
        User = get_user_model()
        sql = (
            f"SELECT {rawsql.select_list(User, 'u')}, a.id IS NOT NULL, {columns} "
            f"FROM {rawsql.table(Token)} t "
            f"JOIN {rawsql.table(User)} u ON u.id = t.user_id AND u.is_active "
            f"LEFT JOIN ({layer}) ON a.id = %s "
            f"LEFT JOIN {rawsql.table(Membership)} m ON m.project_id = p.id AND m.user_id = u.id "
            "WHERE t.key = %s"
        )
        params = [annotation_id, token]
    with rawsql.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if token is not None:
        if row is None:
            raise Unauthenticated(token)
        (user,), (found, *row) = rawsql.split_row(row, User)
        if not found:
            return None, None
    if row is None:
        return None, None
    (annotation, article, project), (membership_id, role) = rawsql.split_row(
        row, Annotation, Article, Project
    )
    article.project = project
    annotation.article = article
    if membership_id is None:
        return annotation, None
    return annotation, Membership(pk=membership_id, project=project, user=user, role=role)


def _article_and_membership(
    user, where: str, params: list, missing: str
) -> tuple[Article, Membership]:
    """The project, the caller's membership and the article ``params[0]`` of that project
    (LEFT JOINed, so an unknown article of a known project is told apart), for the project
    ``where`` selects, in one query; Http404(``missing``) when there is no such row."""
    sql = (
        f"SELECT {rawsql.select_list(Project, 'p')}, m.id, m.role, r.id, "
        f"{rawsql.select_list(Article, 'r')} "
        f"FROM {rawsql.table(Project)} p "
        f"JOIN {rawsql.table(Membership)} m ON m.project_id = p.id AND m.user_id = %s "
        f"LEFT JOIN {rawsql.table(Article)} r ON r.project_id = p.id AND r.id = %s {where}"
    )
    with rawsql.cursor() as cursor:
        cursor.execute(sql, [user.pk, *params])
        row = cursor.fetchone()
    if row is None:
        raise Http404(missing)
    return _article_of(row, user)


def access_project_article(user, slug: str, article_id: int | str) -> tuple[Article, Membership]:
    """The article ``article_id`` of the project ``slug``, with its project, and the caller's
    membership, in one query (labels.rawsql says why it is SQL): Http404 naming the project
    when the caller is not a member, naming the article when the project has no such one."""
    if not user.is_authenticated:
        raise Http404("No such project.")
    article_id = _as_id(article_id, "article")
    if not 0 < article_id < 2**63:
        article_id = 0  # no article has it; the project may still be unknown (404 for that)
    return _article_and_membership(
        user, "WHERE p.slug = %s", [article_id, slug], "No such project."
    )


def access_article_at_once(user, article_id: int | str) -> tuple[Article, Membership]:
    """``access_article`` (any role) in one query, as ``access_project_article`` does it:
    Http404 ("No such article.") for an unknown article or a caller who is not a member of
    its project."""
    article_id = _requested_id(user, article_id, "article")
    if not 0 < article_id < 2**63:
        raise Http404("No such article.")
    where = f"WHERE p.id = (SELECT project_id FROM {rawsql.table(Article)} WHERE id = %s)"
    return _article_and_membership(user, where, [article_id, article_id], "No such article.")


def _article_of(row, user) -> tuple[Article, Membership]:
    (project,), (membership_id, role, found, *article_columns) = rawsql.split_row(row, Project)
    membership = Membership(pk=membership_id, project=project, user=user, role=role)
    if found is None:
        raise Http404("No such article.")
    (article,), _ = rawsql.split_row(article_columns, Article)
    article.project = project
    return article, membership


def access_history(
    user, annotation_id: int | str, *, restore: bool = False, lock: bool = False
) -> tuple[Annotation, Membership]:
    """The annotation whose history ``user`` may read (with ``restore``: restore from).

    404 for a non-member or a missing annotation; 403 for an annotator asking for another
    annotator's layer (or for gold), or for any annotator asking to restore. With ``lock`` the
    annotation row is locked FOR UPDATE (call inside ``transaction.atomic()``).
    """
    annotation_id = _requested_id(user, annotation_id, "annotation")
    qs = Annotation.objects.select_related("article__project", "annotator")
    if lock:
        qs = qs.select_for_update(of=("self",))
    annotation = qs.filter(pk=annotation_id).first()
    if annotation is None:
        raise Http404("No such annotation.")
    membership = membership_of(user, annotation.article.project)
    if membership is None:
        raise Http404("No such annotation.")
    if membership.role not in STAFF_ROLES:
        if annotation.is_gold or annotation.annotator_id != user.pk:
            raise PermissionDenied("Only managers and reviewers see other layers' history.")
        if restore:
            raise PermissionDenied("Only managers and reviewers restore spans.")
    return annotation, membership


def access_job(user, job_id: int | str) -> tuple[Job, Membership]:
    """A background job (with its project and creator) that ``user`` may see, and may cancel:
    a project's manager sees all its jobs, any other member only their own. 404 for anyone
    else — a non-member, or a member asking for someone else's job — so that a job's existence
    is not revealed. Two queries."""
    job_id = _requested_id(user, job_id, "job")
    if not 0 < job_id < 2**63:
        raise Http404("No such job.")
    job = Job.objects.select_related("project", "created_by").filter(pk=job_id).first()
    if job is None:
        raise Http404("No such job.")
    membership = membership_of(user, job.project)
    if membership is None or (membership.role != Role.MANAGER and job.created_by_id != user.pk):
        raise Http404("No such job.")
    return job, membership
