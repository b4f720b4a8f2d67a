"""HTML pages. Each view checks access, calls one domain function and renders."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from labels import access, queue
from labels.models import Annotation, ArticleState, Role
from labels.progress import progress_bar, state_counts


@login_required
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


@login_required
def project_page(request, slug: str):
    project, membership = access.access_project(request.user, slug)
    articles = project.articles.with_state().order_by("id")
    search = request.GET.get("q", "").strip()
    if search:
        articles = articles.filter(
            Q(title__icontains=search)
            | Q(external_id__icontains=search)
            | Q(text__icontains=search)
        )
    state = request.GET.get("state", "")
    if state in ArticleState.values:
        articles = articles.filter(state=state)
    page = Paginator(
        articles.only("id", "external_id", "title", "meta", "project_id"), 50
    ).get_page(request.GET.get("page"))
    mine = {
        a.article_id: a
        for a in Annotation.objects.filter(
            annotator=request.user, article__in=[x.pk for x in page.object_list]
        )
    }
    for article in page.object_list:
        article.my_annotation = mine.get(article.pk)
        article.state_label = ArticleState(article.state).label
    counts = state_counts([project.pk])[project.pk]
    bar, summary = progress_bar(counts)
    drafts = list(queue.open_drafts(project, request.user))
    return render(
        request,
        "labels/project.html",
        {
            "project": project,
            "membership": membership,
            "is_staff_role": membership.role in access.STAFF_ROLES,
            "page": page,
            "search": search,
            "state": state,
            "states": ArticleState.choices,
            "bar": bar,
            "summary": summary,
            "counts": counts,
            "drafts": drafts,
        },
    )


@login_required
@require_POST
def next_article(request, slug: str):
    project, _ = access.access_project(request.user, slug)
    annotation = queue.do_next_article(project, request.user)
    if annotation is None:
        messages.info(request, "Nothing left to annotate in this project for now. Thank you!")
        return redirect("project", slug=slug)
    return redirect("annotate", article_id=annotation.article_id)


@login_required
def annotate(request, article_id: int):
    article, membership = access.access_article(request.user, article_id)
    return render(
        request,
        "labels/annotate.html",
        {"article": article, "project": article.project, "membership": membership},
    )
