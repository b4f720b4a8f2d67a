"""Article-state counts per project, computed in one grouped query."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Count

from labels.models import Article, ArticleState

STATE_ORDER = [
    ArticleState.REVIEWED,
    ArticleState.SUBMITTED,
    ArticleState.IN_PROGRESS,
    ArticleState.NEW,
]


def state_counts(project_ids: Iterable[int]) -> dict[int, dict[str, int]]:
    """``{project_id: {state: count}}`` with every state present (zero when none)."""
    counts: dict[int, dict[str, int]] = defaultdict(lambda: {s.value: 0 for s in STATE_ORDER})
    rows = (
        Article.objects.filter(project_id__in=list(project_ids))
        .with_state()
        .values("project_id", "state")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in rows:
        counts[row["project_id"]][row["state"]] = row["n"]
    return counts


def progress_bar(counts: dict[str, int]) -> tuple[list[dict], str]:
    """SVG bar segments (x and width in percent) and a text summary of the same figures."""
    total = sum(counts.values())
    parts, x = [], 0.0
    for state in STATE_ORDER:
        n = counts.get(state.value, 0)
        if total and n:
            width = 100.0 * n / total
            parts.append({"state": state.value, "x": round(x, 3), "width": round(width, 3)})
            x += width
    summary = ", ".join(f"{counts.get(s.value, 0)} {s.label.lower()}" for s in STATE_ORDER)
    return parts, summary
