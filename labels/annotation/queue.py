"""Handing out articles: leases, explicit assignments, and the analyst's queue.

An article needs ``project.annotators_per_article`` annotations. A *seat* on it is held by a
submitted or reviewed annotation, a manager's assignment, or a draft whose lease has not expired
(``AnnotationQuerySet.holding_a_seat``). ``do_next_article`` locks candidate article rows with
``SELECT … FOR UPDATE SKIP LOCKED`` and counts seats again after taking the lock, in a fresh
statement, so that concurrent requests never seat more analysts than allowed.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Exists, F, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from labels import access
from labels.errors import ArticleFull
from labels.models import Annotation, AnnotationStatus, Article, Project


def lease_deadline(project: Project) -> datetime:
    """When a draft leased now loses its seat: the project's lease minutes, else the server's."""
    minutes = project.lease_minutes or settings.ANNOTATOR_LEASE_MINUTES
    return timezone.now() + timedelta(minutes=minutes)


def open_drafts(project: Project, user):
    """The user's unfinished work in the project: assignments, leases, returned annotations."""
    return (
        Annotation.objects.filter(
            article__project=project, annotator=user, is_gold=False, status=AnnotationStatus.DRAFT
        )
        .select_related("article")
        .order_by("-review_comment", "assigned_by", "created_at")
    )


def finished_work(project: Project, user):
    """The user's submitted, skipped and reviewed annotations in the project, newest first."""
    return (
        Annotation.objects.filter(article__project=project, annotator=user, is_gold=False)
        .exclude(status=AnnotationStatus.DRAFT)
        .select_related("article")
        .order_by(F("submitted_at").desc(nulls_last=True), "-id")
    )


@transaction.atomic
def do_next_article(project: Project, user) -> Annotation | None:
    """The annotation the user should work on next, creating a leased draft if needed.

    Returns their oldest open draft first (renewing its lease if the article still has room);
    otherwise leases a new article. None when nothing is left for this user.
    """
    for draft in open_drafts(project, user).select_for_update(of=("self",)):
        if draft.assigned_by_id or (
            draft.lease_expires_at and draft.lease_expires_at > timezone.now()
        ):
            return draft
        if draft.review_comment or _has_room(project, draft.article_id, excluding=draft.pk):
            draft.lease_expires_at = lease_deadline(project)
            draft.save(update_fields=["lease_expires_at", "updated_at"])
            return draft
    exclude: list[int] = []
    # First pass skips rows other requests hold; when that finds nothing, a second pass waits
    # for them, so that an analyst is never told "nothing left" merely because every remaining
    # article was locked for an instant by someone else's request.
    skip_locked = True
    while True:
        # Each attempt runs in a savepoint: rolling it back releases the lock on an article that
        # turned out to be full, so a request never sits on rows it does not use (two requests
        # waiting on each other's discarded rows would deadlock).
        attempt = transaction.savepoint()
        article_id = _candidate(project, user, exclude, skip_locked=skip_locked)
        if article_id is None:
            transaction.savepoint_rollback(attempt)
            if skip_locked:
                skip_locked = False
                continue
            return None
        # The row is ours now; count again in a new statement, which sees every commit made
        # before the lock was granted.
        if not _has_room(project, article_id):
            transaction.savepoint_rollback(attempt)
            exclude.append(article_id)
            continue
        transaction.savepoint_commit(attempt)
        return Annotation.objects.create(
            article_id=article_id,
            annotator=user,
            status=AnnotationStatus.DRAFT,
            schema_version=project.schema_version,
            lease_expires_at=lease_deadline(project),
        )


def _candidate(project: Project, user, exclude: list[int], *, skip_locked: bool) -> int | None:
    """The first article of the project that this user has not annotated and that has a free
    seat, locked ``FOR UPDATE`` (rows other requests hold are skipped when ``skip_locked``)."""
    seats = (
        Annotation.objects.filter(article=OuterRef("pk"))
        .holding_a_seat()
        .order_by()
        .values("article")
        .annotate(n=Count("pk"))
        .values("n")
    )
    mine = Annotation.objects.filter(article=OuterRef("pk"), annotator=user)
    return (
        Article.objects.filter(project=project)
        .filter(~Exists(mine))
        .annotate(seats=Coalesce(Subquery(seats), 0))
        .filter(seats__lt=project.annotators_per_article)
        .exclude(pk__in=exclude)
        .order_by("pk")
        .select_for_update(of=("self",), skip_locked=skip_locked)
        .values_list("pk", flat=True)
        .first()
    )


def _has_room(project: Project, article_id: int, excluding: int | None = None) -> bool:
    qs = Annotation.objects.filter(article_id=article_id).holding_a_seat()
    if excluding is not None:
        qs = qs.exclude(pk=excluding)
    return qs.count() < project.annotators_per_article


@transaction.atomic
def do_assign(article: Article, user, by, *, force: bool = False) -> Annotation:
    """A manager gives ``article`` to ``user``. Refused when every seat is taken, unless ``force``."""
    Article.objects.select_for_update().get(pk=article.pk)
    existing = access.own_annotation(article, user)
    if existing is not None:
        if existing.status == AnnotationStatus.DRAFT and existing.assigned_by_id is None:
            existing.assigned_by = by
            existing.save(update_fields=["assigned_by", "updated_at"])
        return existing
    if not force and not _has_room(article.project, article.pk):
        raise ArticleFull.one(
            "user",
            "article_full",
            f"{article} already has {article.project.annotators_per_article} annotators.",
        )
    return Annotation.objects.create(
        article=article,
        annotator=user,
        assigned_by=by,
        status=AnnotationStatus.DRAFT,
        schema_version=article.project.schema_version,
    )


def do_get_or_create_own(article: Article, user) -> Annotation:
    """The user's annotation of ``article`` when they open it directly (e.g. from their queue).

    Opening an article does not take a seat beyond the limit: without an existing annotation the
    user gets a leased draft only while the article has room. The same user opening it in several
    tabs at once gets one draft: after the article's lock the check runs again, in a statement
    that sees what the request before committed.
    """
    existing = access.own_annotation(article, user)
    if existing is not None:
        return existing
    with transaction.atomic():
        Article.objects.select_for_update().get(pk=article.pk)
        existing = access.own_annotation(article, user)
        if existing is not None:
            return existing
        if not _has_room(article.project, article.pk):
            raise ArticleFull.one(
                "article", "article_full", "Enough analysts are already working on this article."
            )
        return Annotation.objects.create(
            article=article,
            annotator=user,
            status=AnnotationStatus.DRAFT,
            schema_version=article.project.schema_version,
            lease_expires_at=lease_deadline(article.project),
        )
