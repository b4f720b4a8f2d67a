"""Handing out articles: leases, explicit assignments, and the analyst's queue.

An article needs ``project.annotators_per_article`` annotations. A *seat* on it is held by a
submitted or reviewed annotation, a manager's assignment, or a draft whose lease has not expired
(``AnnotationQuerySet.holding_a_seat``). ``do_next_article`` locks candidate article rows with
``SELECT … FOR UPDATE SKIP LOCKED`` and counts seats again after taking the lock, in a fresh
statement, so that concurrent requests never seat more analysts than allowed.

One user holds at most ``project.max_open_drafts`` *leased* drafts (manager assignments and drafts
sent back by a reviewer do not count): every function that takes a seat for the user locks
their membership row first, so that two of their requests cannot both pass the count.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import NamedTuple

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import Count, F, OuterRef, Subquery
from django.db.models.functions import Coalesce, Now
from django.http import Http404
from django.utils import timezone

from labels import access, rawsql
from labels.errors import ArticleFull, TooManyDrafts, Unauthenticated
from labels.models import FINISHED, Annotation, AnnotationStatus, Article, Membership, Project


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


def leased_drafts(project: Project, user):
    """The drafts that count against ``project.max_open_drafts``: the user's own, neither
    assigned by a manager nor sent back by a reviewer, whose lease still runs."""
    return open_drafts(project, user).filter(assigned_by__isnull=True, lease_expires_at__gt=Now())


def is_leased(draft: Annotation) -> bool:
    """``leased_drafts`` for one draft already loaded (the project page's queue)."""
    return (
        draft.status == AnnotationStatus.DRAFT
        and draft.assigned_by_id is None
        and draft.lease_expires_at is not None
        and draft.lease_expires_at > timezone.now()
    )


def holds_a_seat(annotation: Annotation) -> bool:
    """``AnnotationQuerySet.holding_a_seat`` for one annotation already loaded."""
    if annotation.is_gold:
        return False
    return annotation.status in FINISHED or (
        annotation.status == AnnotationStatus.DRAFT
        and (annotation.assigned_by_id is not None or is_leased(annotation))
    )


def with_seats(articles):
    """``articles`` annotated with ``seats``: how many seats each has taken (in the same query)."""
    return articles.annotate(seats=Coalesce(Subquery(_seats()), 0))


def _seats():
    """The seats taken on the outer query's article, as a one-value subquery."""
    return (
        Annotation.objects.filter(article=OuterRef("pk"))
        .holding_a_seat()
        .order_by()
        .values("article")
        .annotate(n=Count("pk"))
        .values("n")
    )


def _lock_member(project: Project, user) -> None:
    """Serialise the user's seat-taking in the project (see the module's docstring)."""
    list(Membership.objects.select_for_update().filter(project=project, user=user).order_by())


def _check_draft_cap(project: Project, user) -> None:
    """TooManyDrafts, naming the open drafts, when the user already holds the cap's number."""
    held = list(leased_drafts(project, user))
    if len(held) < project.max_open_drafts:
        return
    titles = "; ".join(str(draft.article) for draft in held)
    raise TooManyDrafts.one(
        "article",
        "too_many_drafts",
        f"You already have {len(held)} open draft{'s' if len(held) != 1 else ''} in this "
        f"project, the most it allows at once: {titles}. Submit or skip one to start another.",
    )


class Next(NamedTuple):
    """``do_next``'s answer: the annotation to work on (None: nothing left), and whether it is
    one of the user's open drafts rather than a new article."""

    annotation: Annotation | None
    resumed: bool


def do_next_article(project: Project, user) -> Annotation | None:
    """``do_next``'s annotation: what the user should work on next."""
    return do_next(project, user).annotation


def do_next(project: Project, user, *, token: str | None = None) -> Next:
    """The annotation the user should work on next, creating a leased draft if needed.

    Returns their oldest open draft first (renewing its lease if the article still has room),
    with ``resumed``; otherwise leases a new article. None when nothing is left for this user.
    A new lease is taken only when the user has no live one (any would have been returned), so
    the cap on open drafts holds here by construction; the membership lock keeps it so against
    the user's concurrent opens of articles from the list.

    One statement, the database function ``labels_next_annotation`` (migration 0021 says how
    it locks and counts). ``token``: the digest of an API key taken on trust
    (``labels.api.auth.DeferredToken``), checked by that statement first: ``Unauthenticated``
    when it is revoked. Http404 when the user is not a member of the project.
    """
    outcome, annotation = next_annotation(project.slug, user, token=token)
    if outcome == "not_member":
        raise Http404("No such project.")
    return Next(annotation, outcome == "resumed")


def next_annotation(slug: str, user, *, token: str | None = None) -> tuple[str, Annotation | None]:
    """``labels_next_annotation``'s answer for project ``slug``: its outcome (``resumed``,
    ``created``, ``none``, ``not_member``) and the annotation, if any."""
    row = Annotation(annotator=user, status=AnnotationStatus.DRAFT)
    with rawsql.cursor() as cursor:
        cursor.execute(
            f"SELECT n.outcome, {rawsql.select_list(Annotation, 'a')} "
            "FROM labels_next_annotation(%s::text, %s::integer, %s::text, %s::jsonb, %s::integer) n "
            "CROSS JOIN LATERAL (SELECT (n.annotation).*) a",
            [slug, user.pk, token, _new_row(row), settings.ANNOTATOR_LEASE_MINUTES],
        )
        outcome, *columns = cursor.fetchone()
    if outcome == "unauthenticated":
        raise Unauthenticated(token)
    annotation = None if columns[0] is None else rawsql.from_row(Annotation, columns)
    return outcome, annotation


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


def start_own(article_id: int, user) -> Annotation | None:
    """``do_get_or_create_own`` in one statement, its own transaction: the user's layer of the
    article, found or, with a free seat and under the cap, created as a leased draft, by the
    database function ``labels_start_annotation`` (migration 0020 says how it locks and counts).
    None, with nothing written, when no layer can be had (no such article, not a member, no
    seat, the cap reached): ``do_get_or_create_own``'s checks then say why."""
    row = Annotation(article_id=article_id, annotator=user, status=AnnotationStatus.DRAFT)
    with rawsql.cursor() as cursor:
        cursor.execute(
            f"SELECT {rawsql.select_list(Annotation, 'a')} "
            "FROM labels_start_annotation(%s::bigint, %s::integer, %s::jsonb, %s::integer) a",
            [
                article_id,
                user.pk,
                _new_row(row),
                settings.ANNOTATOR_LEASE_MINUTES,
            ],
        )
        found = cursor.fetchone()
    return None if found is None else rawsql.from_row(Annotation, found)


def _new_row(row: Annotation) -> str:
    """The columns of a new annotation as the model fills them in (defaults, timestamps), as
    the JSON the database functions take (``p_row``); they set the rest themselves."""
    db = connections[DEFAULT_DB_ALIAS]
    values = {
        field.column: field.get_db_prep_save(field.pre_save(row, add=True), db)
        for field in Annotation._meta.concrete_fields
        if not field.primary_key
    }
    return json.dumps(values, default=_isoformat)


def _isoformat(value: datetime) -> str:
    return value.isoformat()


def do_get_or_create_own(article: Article, user) -> Annotation:
    """The user's annotation of ``article`` when they open it directly (e.g. from their queue).

    Opening an article does not take a seat beyond the limit: without an existing annotation the
    user gets a leased draft only while the article has room (else ArticleFull) and while they
    hold fewer than ``max_open_drafts`` leased drafts (else TooManyDrafts). The same user opening
    it in several tabs at once gets one draft: after the locks (the user's membership, then the
    article) the checks run again, in statements that see what the request before committed.
    """
    started = start_own(article.pk, user)
    if started is not None:
        return started
    # No layer could be had a moment ago: the same locks and checks, in Python, which say why
    # (or start it, if a seat came free in between).
    existing = access.own_annotation(article, user)
    if existing is not None:
        return existing
    with transaction.atomic():
        _lock_member(article.project, user)
        Article.objects.select_for_update().get(pk=article.pk)
        existing = access.own_annotation(article, user)
        if existing is not None:
            return existing
        if not _has_room(article.project, article.pk):
            raise ArticleFull.one(
                "article", "article_full", "Enough analysts are already working on this article."
            )
        _check_draft_cap(article.project, user)
        return Annotation.objects.create(
            article=article,
            annotator=user,
            status=AnnotationStatus.DRAFT,
            schema_version=article.project.schema_version,
            lease_expires_at=lease_deadline(article.project),
        )
