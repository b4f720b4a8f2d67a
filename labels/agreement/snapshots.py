"""Stored agreement snapshots: fingerprint, refresh, the current one, and tables for people."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Max, Q, Sum
from django.utils import timezone

from labels.agreement.loader import _reviewed_gold, _submitted_layers, compute, inline_layer_limit
from labels.models import AgreementSnapshot, Annotation, Article, ArticleState, Project


def fingerprint(project: Project) -> tuple[str, int]:
    """A summary that changes whenever the work agreement is computed from changes (a layer
    submitted, sent back or re-submitted, gold reviewed or edited, the schema changed), and the
    number of submitted annotator layers. One aggregate query."""
    figures = Annotation.objects.filter(
        _submitted_layers() | _reviewed_gold(), article__project=project
    ).aggregate(
        layers=Count("pk", filter=Q(is_gold=False)),
        gold=Count("pk", filter=Q(is_gold=True)),
        versions=Sum("version"),
        last=Max("updated_at"),
    )
    last = figures["last"].isoformat() if figures["last"] else "-"
    summary = (
        f"s{project.schema_version}:l{figures['layers']}:g{figures['gold']}:"
        f"v{figures['versions'] or 0}:{last}"
    )
    return summary, figures["layers"]


def refresh(project: Project, current: str | None = None) -> AgreementSnapshot:
    """Compute the project's agreement now and store it as its snapshot."""
    current = current or fingerprint(project)[0]
    began = time.perf_counter()
    data = compute(project)
    snapshot, _ = AgreementSnapshot.objects.update_or_create(
        project=project,
        defaults={
            "computed_at": timezone.now(),
            "fingerprint": current,
            "duration_ms": round((time.perf_counter() - began) * 1000),
            "data": data,
        },
    )
    return snapshot


@dataclass
class Current:
    """The snapshot to show (None before the first computation) and whether it still matches
    the project's work."""

    snapshot: AgreementSnapshot | None
    fresh: bool
    layers: int


def current_snapshot(project: Project, *, inline_limit: int | None = None) -> Current:
    """The project's agreement snapshot, recomputed first if it is out of date and the project
    has at most ``inline_limit`` submitted layers (``ANNOTATOR_AGREEMENT_INLINE_LAYERS``)."""
    limit = inline_layer_limit() if inline_limit is None else inline_limit
    summary, layers = fingerprint(project)
    snapshot = AgreementSnapshot.objects.filter(project=project).first()
    if snapshot is not None and snapshot.fingerprint == summary:
        return Current(snapshot, True, layers)
    if layers <= limit:
        return Current(refresh(project, summary), True, layers)
    return Current(snapshot, False, layers)


def snapshot_payload(current: Current) -> dict[str, Any]:
    snapshot = current.snapshot
    return {
        "computed_at": snapshot.computed_at if snapshot else None,
        "up_to_date": current.fresh,
        "submitted_layers": current.layers,
        "duration_ms": snapshot.duration_ms if snapshot else None,
        **(snapshot.data if snapshot else {"labels": [], "agreement": None, "gold": None}),
    }


LOWEST_ARTICLES = 20


def fmt(value: float | None, digits: int = 3) -> str:
    """An agreement figure for people: three decimals, or an em dash when it is undefined."""
    return "—" if value is None else f"{value:.{digits}f}"


CHART_METRICS = [("exact_f1", "exact F1"), ("overlap_f1", "overlap F1"), ("alpha", "α")]


def agreement_tables(data: dict[str, Any] | None) -> dict[str, Any] | None:
    """The snapshot's figures as table rows (already formatted) and bar-chart geometry."""
    if not data or not data.get("agreement"):
        return None
    report = data["agreement"]
    labels = []
    for name in data["labels"]:
        figures = report["labels"].get(name, {})
        labels.append(
            {
                "label": name,
                "spans": figures.get("support", {}).get("spans", 0),
                **{key: fmt(figures.get(key)) for key, _ in CHART_METRICS},
                "kappa": [(attr, fmt(k)) for attr, k in (figures.get("kappa") or {}).items()],
            }
        )
    overall = report["overall"]
    pairs = [
        {
            "pair": key,
            "names": key.replace("|", " – "),
            "articles": figures["articles"],
            **{k: fmt(figures.get(k)) for k in ("exact_f1", "overlap_f1", "alpha", "relation_f1")},
        }
        for key, figures in report["pairs"].items()
    ]
    bar_height, gap, group = 8, 2, 3 * 10 + 12
    chart = []
    for i, name in enumerate(data["labels"]):
        figures = report["labels"].get(name, {})
        bars = []
        for j, (key, title) in enumerate(CHART_METRICS):
            value = figures.get(key)
            bars.append(
                {
                    "metric": key,
                    "title": f"{name} {title}: {fmt(value)}",
                    "y": i * group + j * (bar_height + gap),
                    "width": round(max(0.0, min(1.0, value or 0.0)) * 300, 1),
                    "value": fmt(value),
                }
            )
        chart.append({"label": name, "y": i * group + bar_height + gap, "bars": bars})
    gold = data.get("gold") or {}
    gold_rows = [
        {
            "annotator": name,
            "articles": figures["articles"],
            "precision": fmt(figures["overlap"]["precision"]),
            "recall": fmt(figures["overlap"]["recall"]),
            "f1": fmt(figures["overlap"]["f1"]),
            "exact_f1": fmt(figures["exact"]["f1"]),
        }
        for name, figures in (gold.get("annotators") or {}).items()
    ]
    return {
        "labels": labels,
        "overall": {k: fmt(overall.get(k)) for k in ("exact_f1", "overlap_f1", "alpha")}
        | {"relation_f1": fmt(overall.get("relation_f1"))},
        "pairs": pairs,
        "chart": chart,
        "chart_height": max(1, len(chart)) * group,
        "gold": gold_rows,
        "threshold": report.get("iou_threshold"),
        # Snapshots taken before the speaker registry have no "speakers".
        "speakers": {
            part: {
                "matched": (report.get("speakers") or {}).get(part, {}).get("matched", 0),
                "agreement": fmt((report.get("speakers") or {}).get(part, {}).get("agreement")),
            }
            for part in ("sources", "attributions")
        },
    }


def lowest_agreement(data: dict[str, Any] | None, limit: int = LOWEST_ARTICLES) -> list[dict]:
    """The articles with the lowest agreement score in the snapshot (mean overlap F1 over their
    annotator pairs), lowest first, with their current state. One query."""
    if not data or not data.get("agreement"):
        return []
    scored = sorted(
        (score, int(article_id))
        for article_id, score in data["agreement"]["articles"].items()
        if score is not None
    )[:limit]
    if not scored:
        return []
    articles = {
        a.pk: a
        for a in Article.objects.filter(pk__in=[pk for _, pk in scored])
        .with_state()
        .only("id", "external_id", "title", "project_id")
    }
    return [
        {
            "article": articles[pk],
            "score": fmt(score),
            "state": articles[pk].state,
            "state_label": ArticleState(articles[pk].state).label,
        }
        for score, pk in scored
        if pk in articles
    ]
