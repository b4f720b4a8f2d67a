"""What analysts did with the suggestions: how often each suggester's rule was accepted or
rejected in a project (Settings → Suggestions). Accepted suggestions are spans with origin
"suggested" (``origin_detail`` names the source and rule); rejected ones are
``RejectedSuggestion`` rows, which keep the same two names. ``labels.suggestions.training``
learns from both (``project_articles`` with ``feedback``)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, F, IntegerField, Value
from django.db.models.fields.json import KT

from labels.models import Origin, Project, RejectedSuggestion, Span


def acceptance_rates(project: Project) -> list[dict[str, Any]]:
    """``{"source", "rule", "accepted", "rejected", "rate"}`` per suggester and rule of the
    project's analyst layers, most decided first; ``rate`` is accepted / (accepted + rejected).
    One query (a UNION ALL of the two groupings)."""
    accepted = (
        Span.objects.filter(
            annotation__article__project=project,
            annotation__is_gold=False,
            origin=Origin.SUGGESTED,
        )
        .order_by()
        .values(src=KT("origin_detail__source"), rl=KT("origin_detail__rule"))
        .annotate(yes=Count("pk"), no=Value(0, output_field=IntegerField()))
    )
    rejected = (
        RejectedSuggestion.objects.filter(
            annotation__article__project=project, annotation__is_gold=False
        )
        .order_by()
        .values(src=F("source"), rl=F("rule"))
        .annotate(yes=Value(0, output_field=IntegerField()), no=Count("pk"))
    )
    counts: dict[tuple[str, str], list[int]] = {}
    for row in accepted.union(rejected, all=True):
        key = (row["src"] or "", row["rl"] or "")
        both = counts.setdefault(key, [0, 0])
        both[0] += row["yes"]
        both[1] += row["no"]
    ordered = sorted(counts.items(), key=lambda kv: (-sum(kv[1]), kv[0]))
    return [
        {
            "source": source,
            "rule": rule,
            "accepted": yes,
            "rejected": no,
            "rate": yes / (yes + no) if yes + no else None,
        }
        for (source, rule), (yes, no) in ordered
    ]
