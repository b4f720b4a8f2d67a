"""The project dashboard's figures: annotators, recent activity, label counts."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db.models import Aggregate, Count, DurationField, F, Q

from labels.agreement import snapshots
from labels.agreement.snapshots import agreement_tables, lowest_agreement
from labels.models import (
    FINISHED,
    Annotation,
    AnnotationStatus,
    ArticleState,
    HistoryAction,
    HistoryEvent,
    Membership,
    Project,
    Role,
    Span,
)
from labels.projects.progress import progress_bar, state_counts

RECENT_EVENTS = 15


class Median(Aggregate):
    """PostgreSQL's ``percentile_cont(0.5) WITHIN GROUP (ORDER BY …)`` (works on intervals)."""

    function = "percentile_cont"
    name = "Median"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = DurationField()


def fmt_duration(value: timedelta | None) -> str:
    if value is None:
        return "—"
    seconds = int(value.total_seconds())
    if seconds < 60:
        return f"{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {seconds:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


def _person(first: str, last: str, username: str) -> str:
    full = f"{first} {last}".strip()
    return f"{full} ({username})" if full else username


def annotator_rows(project: Project) -> tuple[list[dict[str, Any]], str]:
    """Per annotator: submitted, skipped, in progress (drafts, of which sent back), and the
    median time from starting an article to submitting it; and the project's median. Three
    queries: the annotator members, the per-annotator aggregate, the project median."""
    finished = Q(status__in=FINISHED, submitted_at__isnull=False)
    took = F("submitted_at") - F("created_at")
    layers = Annotation.objects.filter(article__project=project, is_gold=False)
    figures = {
        row["annotator_id"]: row
        for row in layers.values(
            "annotator_id", "annotator__username", "annotator__first_name", "annotator__last_name"
        )
        .annotate(
            submitted=Count("pk", filter=Q(status__in=FINISHED)),
            skipped=Count("pk", filter=Q(status=AnnotationStatus.SKIPPED)),
            in_progress=Count("pk", filter=Q(status=AnnotationStatus.DRAFT)),
            returned=Count("pk", filter=Q(status=AnnotationStatus.DRAFT) & ~Q(review_comment="")),
            median=Median(took, filter=finished),
        )
        .order_by()
    }
    members = Membership.objects.filter(project=project, role=Role.ANNOTATOR).values(
        "user_id", "user__username", "user__first_name", "user__last_name"
    )
    for m in members:
        figures.setdefault(
            m["user_id"],
            {
                "annotator_id": m["user_id"],
                "annotator__username": m["user__username"],
                "annotator__first_name": m["user__first_name"],
                "annotator__last_name": m["user__last_name"],
                "submitted": 0,
                "skipped": 0,
                "in_progress": 0,
                "returned": 0,
                "median": None,
            },
        )
    rows = [
        {
            "username": row["annotator__username"],
            "name": _person(
                row["annotator__first_name"],
                row["annotator__last_name"],
                row["annotator__username"],
            ),
            "submitted": row["submitted"],
            "skipped": row["skipped"],
            "in_progress": row["in_progress"],
            "returned": row["returned"],
            "median": fmt_duration(row["median"]),
        }
        for row in sorted(figures.values(), key=lambda r: r["annotator__username"])
    ]
    overall = layers.aggregate(median=Median(took, filter=finished))["median"]
    return rows, fmt_duration(overall)


_ACTION_VERBS: dict[str, str] = {
    HistoryAction.SPAN_CREATED: "added",
    HistoryAction.SPAN_UPDATED: "changed",
    HistoryAction.SPAN_DELETED: "deleted",
    HistoryAction.SPAN_RESTORED: "restored",
    HistoryAction.RELATION_CREATED: "linked",
    HistoryAction.RELATION_DELETED: "unlinked",
    HistoryAction.RELATION_UPDATED: "changed",
}


def _describe(event: HistoryEvent) -> str:
    if event.action == HistoryAction.STATUS_CHANGED:
        status = (event.after or {}).get("status", "")
        before = (event.before or {}).get("status", "")
        if status == AnnotationStatus.DRAFT and before != AnnotationStatus.DRAFT:
            return "sent back" if (event.after or {}).get("comment") else "reopened"
        return AnnotationStatus(status).label.lower() if status else "status changed"
    if event.action == HistoryAction.IMPORTED:
        return f"imported {(event.after or {}).get('spans', 0)} spans"
    if event.action == HistoryAction.REJECTED:
        return f"rejected {(event.after or {}).get('rejected', 'a candidate')}"
    snapshot = event.after or event.before or {}
    verb = _ACTION_VERBS.get(event.action, event.get_action_display().lower())
    if event.action in (
        HistoryAction.RELATION_CREATED,
        HistoryAction.RELATION_DELETED,
        HistoryAction.RELATION_UPDATED,
    ):
        return f"{verb} {snapshot.get('label', 'a relation')}"
    text = snapshot.get("text", "")
    text = text if len(text) <= 40 else text[:39] + "…"
    return f"{verb} {snapshot.get('label', 'a span')} “{text}”"


def recent_activity(project: Project, limit: int = RECENT_EVENTS) -> list[dict[str, Any]]:
    """The latest history events of the project, newest first. One query."""
    events = (
        HistoryEvent.objects.filter(annotation__article__project=project)
        .select_related("actor", "annotation__article", "annotation__annotator")
        .order_by("-id")[:limit]
    )
    return [
        {
            "at": e.at,
            "actor": e.actor.username if e.actor else "import",
            "what": _describe(e),
            "layer": e.annotation.layer_name,
            "article": e.annotation.article,
        }
        for e in events
    ]


def label_distribution(project: Project) -> list[dict[str, Any]]:
    """Spans per label in submitted annotator layers and in reviewed gold, with bar widths in
    percent of the largest count. One grouped query."""
    grouped = (
        Span.objects.filter(annotation__article__project=project)
        .filter(
            Q(annotation__is_gold=False, annotation__status__in=FINISHED)
            | Q(annotation__is_gold=True, annotation__status=AnnotationStatus.REVIEWED)
        )
        .values("label")
        .annotate(
            submitted=Count("pk", filter=Q(annotation__is_gold=False)),
            gold=Count("pk", filter=Q(annotation__is_gold=True)),
        )
        .order_by("-submitted", "label")
    )
    rows = list(grouped)
    top = max((r["submitted"] for r in rows), default=0) or 1
    for i, row in enumerate(rows):
        row["width"] = round(100 * row["submitted"] / top, 2)
        row["y"] = i * 22
    return rows


def build(project: Project) -> dict[str, Any]:
    """Everything the dashboard page shows."""
    counts = state_counts([project.pk])[project.pk]
    bar, summary = progress_bar(counts)
    annotators, median = annotator_rows(project)
    current = snapshots.current_snapshot(project)
    data = current.snapshot.data if current.snapshot else None
    return {
        "counts": counts,
        "states": [(s.value, s.label, counts[s.value]) for s in ArticleState],
        "total": sum(counts.values()),
        "bar": bar,
        "summary": summary,
        "annotators": annotators,
        "median": median,
        "activity": recent_activity(project),
        "distribution": label_distribution(project),
        "agreement": agreement_tables(data),
        "snapshot": current.snapshot,
        "snapshot_fresh": current.fresh,
        "lowest": lowest_agreement(data),
    }
