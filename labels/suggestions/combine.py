"""Combining every suggester's proposals for one article: one proposal per span."""

from __future__ import annotations

from typing import Any

from labels.models import (
    Annotation,
    Article,
    Project,
    RejectedSuggestion,
    Relation,
    Span,
    Suggesters,
    SuggestionSet,
)
from labels.suggestions.http import http_suggester
from labels.suggestions.proposals import (
    HTTP,
    BuiltinSuggester,
    ImportedSuggester,
    _problem,
    logger,
    suggestion_key,
)

# --- Combining them ------------------------------------------------------------------------------


def _suggesters(project: Project, sets: list[SuggestionSet]) -> tuple[list, list[dict]]:
    """In priority order (the first to propose a key wins): imported, HTTP, built-in."""
    found: list = [ImportedSuggester(sets)] if sets else []
    problems = []
    mode = project.suggesters
    if mode in (Suggesters.HTTP, Suggesters.BOTH) and project.suggester_url:
        found.append(http_suggester(project))
    elif mode == Suggesters.HTTP:
        problems.append(
            _problem(
                HTTP, "not_configured", "The project uses the HTTP suggester, but no URL is set."
            )
        )
    if mode in (Suggesters.BUILTIN, Suggesters.BOTH):
        found.append(BuiltinSuggester())
    return found, problems


def suggestions_for(article: Article, annotation: Annotation) -> dict[str, Any]:
    """The suggestions to show on ``annotation`` (a layer of ``article``).

    ``{"spans": [...], "relations": [...], "problems": [...]}``: spans minus those equal (label,
    start, end) to a span of the annotation or rejected by its analyst; relations whose two ends
    are each a suggestion shown or a span of the annotation (``from_span``/``to_span`` give the
    span id, else null), minus those the annotation already holds. Four queries.
    """
    project = article.project
    schema = project.schema
    existing = {
        suggestion_key(label, start, end): pk
        for pk, label, start, end in Span.objects.filter(annotation=annotation).values_list(
            "pk", "label", "start", "end"
        )
    }
    linked = set(
        Relation.objects.filter(annotation=annotation).values_list(
            "label", "source_id", "target_id"
        )
    )
    rejected = {
        suggestion_key(*row)
        for row in RejectedSuggestion.objects.filter(annotation=annotation).values_list(
            "label", "start", "end"
        )
    }
    sets = list(SuggestionSet.objects.filter(article=article).order_by("source"))
    suggesters, problems = _suggesters(project, sets)
    shown: dict[str, dict] = {}
    relations: dict[tuple, dict] = {}
    for suggester in suggesters:
        try:
            part = suggester.propose(article, schema)
        except Exception as exc:  # suggestions never block annotation
            logger.exception("%s suggester failed on article %s", suggester.source, article.pk)
            problems.append(_problem(suggester.source, "error", f"The suggester failed: {exc!r}."))
            continue
        problems += part.problems
        for item in part.spans:
            if item["key"] not in existing and item["key"] not in rejected:
                shown.setdefault(item["key"], item)
        for rel in part.relations:
            relations.setdefault((rel["label"], rel["from"], rel["to"]), rel)
    out_relations = []
    for (label, source, target), rel in relations.items():
        ends = [key if key in shown else None for key in (source, target)]
        ids = [existing.get(key) for key in (source, target)]
        if any(end is None and pk is None for end, pk in zip(ends, ids, strict=True)):
            continue
        if ids[0] is not None and ids[1] is not None and (label, ids[0], ids[1]) in linked:
            continue
        out_relations.append({**rel, "from_span": ids[0], "to_span": ids[1]})
    spans = sorted(shown.values(), key=lambda s: (s["start"], s["end"], s["label"]))
    return {"spans": spans, "relations": out_relations, "problems": problems}
