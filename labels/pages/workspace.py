"""The analysts' pages: home, a project's page, Next, a manager's assignment, and the
workspace. Each view checks access, calls one domain function and renders."""

from __future__ import annotations

from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from labels import access
from labels.annotation import queue
from labels.annotation.reads import annotation_payload
from labels.errors import Invalid, TooManyDrafts
from labels.jobs import indexing, runs
from labels.models import Annotation, ArticleState, Role
from labels.pages import errors as page_errors
from labels.projects.guidelines import guidelines_unread, render_guidelines
from labels.projects.progress import progress_bar, state_counts
from labels.schema import RESERVED_HOTKEYS
from labels.text import check_name, check_search


@login_required
@require_safe
def home(request):
    memberships = list(access.user_projects(request.user))
    counts = state_counts(m.project_id for m in memberships)
    rows = []
    for m in memberships:
        c = counts[m.project_id]
        bar, summary = progress_bar(c)
        rows.append(
            {
                "project": m.project,
                "role": m.role,
                "role_label": Role(m.role).label,
                "total": sum(c.values()),
                "bar": bar,
                "summary": summary,
                **c,
            }
        )
    return render(request, "labels/home.html", {"rows": rows})


DONE_SHOWN = 20  # the analyst's finished articles listed on the project page, newest first
JOBS_SHOWN = 10  # the latest background jobs on the project page (staff)


@login_required
@require_safe
def project_page(request, slug: str):
    project, membership = access.access_project(request.user, slug)
    articles = project.articles.with_state().with_search_indexed().order_by("id")
    try:
        search = check_search(request.GET.get("q", ""), field="q")
    except Invalid as exc:
        messages.error(request, exc.problems[0].message)
        search = ""
    if search:
        articles = articles.search(search).order_by("-rank", "id")
    state = request.GET.get("state", "")
    if state in ArticleState.values:
        articles = articles.filter(state=state)
    is_staff_role = membership.role in access.STAFF_ROLES
    if not is_staff_role:  # an analyst is told why a row cannot be opened (no query per row)
        articles = queue.with_seats(articles)
    page = Paginator(
        articles.only("id", "external_id", "title", "meta", "project_id"), 50
    ).get_page(request.GET.get("page"))
    mine = {
        a.article_id: a
        for a in Annotation.objects.filter(
            annotator=request.user, article__in=[x.pk for x in page.object_list]
        )
    }
    drafts = list(queue.open_drafts(project, request.user))
    at_cap = sum(1 for d in drafts if queue.is_leased(d)) >= project.max_open_drafts
    for article in page.object_list:
        article.my_annotation = mine.get(article.pk)
        article.state_label = ArticleState(article.state).label
        article.closed_because = (
            ""
            if is_staff_role or article.my_annotation
            else _why_closed(project, article.seats, at_cap)
        )
    counts = state_counts([project.pk])[project.pk]
    bar, summary = progress_bar(counts)
    search_pending = indexing.search_index_pending(project)  # after an import, until indexed
    done = queue.finished_work(project, request.user)
    done_page = list(done[:DONE_SHOWN])
    done_total = len(done_page) if len(done_page) < DONE_SHOWN else done.count()
    members = (
        list(project.memberships.select_related("user").order_by("user__username"))
        if membership.role == Role.MANAGER
        else []
    )
    # Staff start jobs (exports, imports, recomputes); a manager sees everyone's.
    jobs = (
        list(runs.visible_jobs(project, request.user, membership)[:JOBS_SHOWN])
        if membership.role in access.STAFF_ROLES
        else []
    )
    return render(
        request,
        "labels/project.html",
        {
            "project": project,
            "membership": membership,
            "is_staff_role": is_staff_role,
            "at_cap": at_cap and not is_staff_role,
            "page": page,
            "search": search,
            "state": state,
            "filters_query": f"q={quote(search)}&state={state}&",  # kept by the pager's links
            "states": ArticleState.choices,
            "bar": bar,
            "summary": summary,
            "counts": counts,
            "drafts": drafts,
            "done": done_page,
            "done_total": done_total,
            "members": members,
            "jobs": jobs,
            "import_job_mb": settings.ANNOTATOR_IMPORT_JOB_BYTES // 1_048_576,
            "import_job_records": settings.ANNOTATOR_IMPORT_JOB_RECORDS,
            "search_pending": search_pending,
        },
    )


def _why_closed(project, seats: int, at_cap: bool) -> str:
    """Why an analyst without a layer of an article cannot start it; "" when they can."""
    wanted = project.annotators_per_article
    if seats >= wanted:
        return f"{seats} of {wanted} analyst{'s' if wanted != 1 else ''} {'is' if seats == 1 else 'are'} on it"
    if at_cap:
        return "Finish one of your open drafts first"
    return ""


@login_required
@require_POST
def assign_article(request, slug: str):
    """A manager's form on the project page: give one article to one member."""
    project, _ = access.access_project(request.user, slug, roles=(Role.MANAGER,))
    try:
        username = check_name(request.POST.get("username", ""), field="username")
    except Invalid as exc:  # no browser sends one: a short answer, not the project page
        return page_errors.plain_answer(exc)
    article_id = _int_or_none(request.POST.get("article"))
    article = None if article_id is None else project.articles.filter(pk=article_id).first()
    membership = project.memberships.filter(user__username=username).select_related("user").first()
    if article is None or membership is None:
        messages.error(request, "Choose an article of this project and one of its members.")
        return redirect("project", slug=slug)
    try:
        queue.do_assign(article, membership.user, request.user)
    except page_errors.DOMAIN_ERRORS as exc:
        messages.error(request, page_errors.answer(exc)[1][0])
    else:
        messages.success(request, f"{article} is assigned to {membership.user.username}.")
    return redirect("project", slug=slug)


def _int_or_none(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@login_required
@require_POST
def next_article(request, slug: str):
    """**Next**: a new article, or, while the user has an open draft, the project page saying so
    with a link to it (they finish or skip it first; Next never silently reopens it)."""
    project, _ = access.access_project(request.user, slug)
    annotation, resumed = queue.do_next(project, request.user)
    if annotation is None:
        messages.info(request, "Nothing left to annotate in this project for now. Thank you!")
        return redirect("project", slug=slug)
    if resumed:
        messages.warning(
            request,
            format_html(
                'You have an open draft: <a href="{}">{}</a>. Submit or skip it to get a new '
                "article.",
                reverse("annotate", args=[annotation.article_id]),
                str(annotation.article),
            ),
        )
        return redirect("project", slug=slug)
    return redirect("annotate", article_id=annotation.article_id)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def annotate(request, article_id: int):
    """The annotation workspace: the user's own layer of the article (any member may open it).

    An analyst opening an article starts their draft (when a seat is free). A manager or
    reviewer only looks: without a layer of their own they get the article read-only and take no
    seat, until they press "Annotate it myself" (a POST here), which takes one like anyone's.
    """
    article, membership = access.access_article(request.user, article_id)
    project = article.project
    looking = request.method != "POST" and membership.role in access.STAFF_ROLES
    try:
        if looking:
            annotation = access.own_annotation(article, request.user)
            if annotation is None:
                return _read_only(request, article, membership)
        else:
            annotation = queue.do_get_or_create_own(article, request.user)
    except page_errors.DOMAIN_ERRORS as exc:
        code, reasons = page_errors.answer(exc)
        return render(
            request,
            "labels/article_full.html",
            {
                "article": article,
                "project": project,
                "reason": reasons[0],
                "too_many_drafts": isinstance(exc, TooManyDrafts),
                "drafts": (
                    list(queue.leased_drafts(project, request.user))
                    if isinstance(exc, TooManyDrafts)
                    else []
                ),
            },
            status=code,
        )
    if request.method == "POST":
        return redirect("annotate", article_id=article.pk)
    labels = [
        {**label, "pattern": i % 5} for i, label in enumerate(project.schema.get("span_labels", []))
    ]
    workspace = {
        "article": {
            "id": article.pk,
            "external_id": article.external_id,
            "title": article.title,
            "text": article.text,
        },
        "project": {"slug": project.slug, "name": project.name},
        "schema": project.schema,
        "labels": labels,
        "annotation": annotation_payload(annotation),
        "reserved_hotkeys": list(RESERVED_HOTKEYS),
    }
    return render(
        request,
        "labels/annotate.html",
        {
            "article": article,
            "project": project,
            "membership": membership,
            "annotation": annotation,
            "labels": labels,
            "guidelines": render_guidelines(project.guidelines),
            "guidelines_unread": guidelines_unread(project, membership),
            "workspace": workspace,
        },
    )


def _read_only(request, article, membership):
    """A manager's or reviewer's look at an article they have no layer of: its text, who is on
    it, links to review it, and "Annotate it myself" while a seat is free."""
    project = article.project
    layers = list(
        article.annotations.filter(is_gold=False).select_related("annotator").order_by("created_at")
    )
    for layer in layers:
        layer.holds_seat = queue.holds_a_seat(layer)
    seated = sum(1 for layer in layers if layer.holds_seat)
    state = project.articles.with_state().filter(pk=article.pk).values_list("state", flat=True)
    return render(
        request,
        "labels/article_view.html",
        {
            "article": article,
            "project": project,
            "membership": membership,
            "layers": layers,
            "seated": seated,
            "has_room": seated < project.annotators_per_article,
            "state": ArticleState(state.first() or ArticleState.NEW),
            "lease_minutes": project.lease_minutes or settings.ANNOTATOR_LEASE_MINUTES,
        },
    )
