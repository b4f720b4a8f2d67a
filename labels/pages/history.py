"""The history page of an annotation, and restoring a deleted span from it.

Access as in ``labels.annotation.history.access_history``: managers and reviewers of the project see every
layer's history and may restore; an annotator sees their own layer's history, read-only.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe

from labels import access
from labels import access as access_mod
from labels.annotation import history
from labels.pages import errors as page_errors

EVENTS_PER_PAGE = 100


@login_required
@require_safe
def history_page(request, annotation_id: int):
    annotation, membership = access_mod.access_history(request.user, annotation_id)
    page = Paginator(history.events_of(annotation), EVENTS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "labels/history.html",
        {
            "annotation": annotation,
            "article": annotation.article,
            "project": annotation.article.project,
            "membership": membership,
            "can_restore": membership.role in access.STAFF_ROLES,
            "page": page,
            "events": history.present(annotation, page.object_list),
        },
    )


@login_required
@require_POST
def restore_span(request, annotation_id: int, event_id: int):
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = None
    try:
        result = history.do_restore_from_history(
            request.user, annotation_id, event_id, version=version
        )
    except page_errors.DOMAIN_ERRORS as exc:
        messages.error(request, "; ".join(page_errors.answer(exc)[1]))
    else:
        span = result.obj
        messages.success(request, f"Restored the {span.label} span “{history.excerpt(span.text)}”.")
    return redirect("annotation_history", annotation_id=annotation_id)
