"""Combining every suggester's proposals for one article: one proposal per span.

Suggesters often find the same thing with slightly different edges (one takes the closing
quotation mark, the other does not). Proposals of *different* suggesters with the same label
that cover nearly the same characters (``MERGE_IOU``) are shown as one: the better-scored one,
listing every suggester that proposed it in ``sources``; relations naming the one left out are
moved to the one kept. Proposals of one suggester are kept as it made them.
"""

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
from labels.schema.lookups import span_ref_names
from labels.speakers.links import speaker_attribute_names
from labels.speakers.resolve import registry_for, suggest_speakers
from labels.suggestions.http import http_suggester
from labels.suggestions.proposals import (
    HTTP,
    BuiltinSuggester,
    ImportedSuggester,
    _problem,
    logger,
    suggestion_key,
)

#: Character intersection over union from which two suggestions count as the same one.
MERGE_IOU = 0.8

# --- Merging near-duplicates ---------------------------------------------------------------------


def char_iou(a: dict, b: dict) -> float:
    """Characters both ``[start, end)`` ranges cover, over the characters either covers."""
    inter = min(a["end"], b["end"]) - max(a["start"], b["start"])
    if inter <= 0:
        return 0.0
    return inter / (max(a["end"], b["end"]) - min(a["start"], b["start"]))


def _wins(a: dict, a_priority: int, b: dict, b_priority: int) -> bool:
    """Whether ``a`` is kept over ``b``: the better-scored one; the suggester with priority
    (lower ``*_priority``) when they tie, when either has no confidence, or when both propose
    exactly the same key (as before merging: the first to propose a key wins)."""
    ca, cb = a["confidence"], b["confidence"]
    if a["key"] != b["key"] and ca is not None and cb is not None and ca != cb:
        return ca > cb
    return a_priority < b_priority


def merge_near_duplicates(items: list[dict]) -> tuple[list[dict], dict[str, str]]:
    """``items`` (spans in suggester priority order, each with a ``source``) with those of
    different sources, the same label and ``char_iou`` ≥ ``MERGE_IOU`` merged into one
    (``_wins`` says which). Returns the kept items (copies, each with ``sources``: every source that
    proposed it, the kept one's first) in their original order, and ``{key left out: key kept}``
    for the relations that named one left out. Items are compared only with those of their
    label still open where they start, so a long article costs little more than a sort."""
    kept: dict[int, dict] = {}  # priority (index in items) → kept item
    aliases: dict[str, str] = {}
    open_by_label: dict[str, list[int]] = {}
    for i in sorted(range(len(items)), key=lambda i: (items[i]["start"], i)):
        item = {**items[i], "sources": [items[i]["source"]]}
        open_ = open_by_label.setdefault(item["label"], [])
        open_[:] = [j for j in open_ if kept[j]["end"] > item["start"]]
        match = next(
            (
                j
                for j in open_
                if item["source"] not in kept[j]["sources"] and char_iou(kept[j], item) >= MERGE_IOU
            ),
            None,
        )
        if match is None:
            kept[i] = item
            open_.append(i)
            continue
        other = kept[match]
        winner, loser = (item, other) if _wins(item, i, other, match) else (other, item)
        winner["sources"] = [winner["source"]] + [
            s for s in other["sources"] + item["sources"] if s != winner["source"]
        ]
        if loser["key"] != winner["key"]:
            aliases[loser["key"]] = winner["key"]
        for old, new in aliases.items():
            if new == loser["key"]:
                aliases[old] = winner["key"]
        if winner is item:  # it takes the place (and the priority) of the one it replaces
            kept[match] = item
    return [kept[i] for i in sorted(kept)], aliases


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
    if project.suggester_model_id is not None and mode != Suggesters.NONE:
        # Before the rules: where both propose the same span, the model's (with the rules'
        # features) is kept.
        from labels.suggestions.model_suggester import ModelSuggester

        found.append(ModelSuggester(project))
    if mode in (Suggesters.BUILTIN, Suggesters.BOTH):
        found.append(BuiltinSuggester())
    return found, problems


def _renamed(rel: dict, aliases: dict[str, str], refs: set[str]) -> dict:
    """``rel`` with its ends and span-valued attributes naming the kept suggestions."""
    if not aliases:
        return rel
    attrs = {n: aliases.get(v, v) if n in refs else v for n, v in rel["attrs"].items()}
    ends = {end: aliases.get(rel[end], rel[end]) for end in ("from", "to")}
    return {**rel, **ends, "attrs": attrs}


def suggestions_for(article: Article, annotation: Annotation) -> dict[str, Any]:
    """The suggestions to show on ``annotation`` (a layer of ``article``).

    ``{"spans": [...], "relations": [...], "problems": [...]}``: spans minus those equal (label,
    start, end) to a span of the annotation or rejected by its analyst; relations whose two ends
    are each a suggestion shown or a span of the annotation (``from_span``/``to_span`` give the
    span id, else null), minus those the annotation already holds. Near-duplicates of different
    suggesters are merged (``merge_near_duplicates``); each span lists its ``sources``. Four
    queries.
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
    proposed: list[dict] = []
    proposed_relations: list[dict] = []
    for suggester in suggesters:
        try:
            part = suggester.propose(article, schema)
        except Exception as exc:  # suggestions never block annotation
            logger.exception("%s suggester failed on article %s", suggester.source, article.pk)
            problems.append(_problem(suggester.source, "error", f"The suggester failed: {exc!r}."))
            continue
        problems += part.problems
        proposed += [s for s in part.spans if s["key"] not in existing and s["key"] not in rejected]
        proposed_relations += part.relations
    merged, aliases = merge_near_duplicates(proposed)
    shown: dict[str, dict] = {}
    for item in merged:
        shown.setdefault(item["key"], item)
    relations: dict[tuple, dict] = {}
    for rel in proposed_relations:
        rel = _renamed(rel, aliases, span_ref_names(schema, rel["label"]))
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
    # Suggested Sources name their speaker (labels.speakers.resolve): one query for the
    # registry when Sources are suggested, one more for the layer's linked Sources when it has
    # speakers.
    if any(speaker_attribute_names(schema, s["label"]) for s in spans):
        registry = registry_for(project)
        if registry:
            sources = [
                {"start": a, "end": b, "text": t, "speaker": attrs.get("speaker")}
                for a, b, t, attrs in Span.objects.filter(
                    annotation=annotation, attrs__has_key="speaker"
                ).values_list("start", "end", "text", "attrs")
            ]
            suggest_speakers(registry, schema, article.text, spans, sources)
    return {"spans": spans, "relations": out_relations, "problems": problems}
