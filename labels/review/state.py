"""The review state of one article, loaded from the database, and its JSON payload."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch

from labels.errors import Invalid
from labels.models import FINISHED, Annotation, Article, Relation, ReviewRejection, Span
from labels.review.merge import (
    ACCEPTED,
    OPEN,
    REJECTED,
    Candidate,
    GoldSpan,
    LayerRelation,
    LayerSpan,
    RelationCandidate,
    Version,
    build_candidates,
    build_relation_candidates,
    match_gold,
)

# ---------------------------------------------------------------------------------------------
# Loading an article's review


@dataclass
class ReviewState:
    article: Article
    annotations: list[Annotation]  # every annotator annotation of the article, drafts included
    layers: list[Annotation]  # the submitted ones, which take part in review
    gold: Annotation | None
    candidates: list[Candidate]
    relation_candidates: list[RelationCandidate]
    gold_candidate: dict[int, str]  # gold span id → key of the candidate it resolves

    @property
    def n_layers(self) -> int:
        return len(self.layers)

    def candidate(self, key: object) -> Candidate | None:
        return next((c for c in self.candidates if c.key == key), None)

    def candidate_of_span(self, span_id: object) -> tuple[Candidate, Version]:
        span_id = _int(span_id, "span")
        for c in self.candidates:
            version = c.version_with(span_id)
            if version is not None:
                return c, version
        raise Invalid.one("span", "not_found", "No annotator span with this id on this article.")

    def relation_candidate_of(self, relation_id: object) -> tuple[RelationCandidate, Any]:
        relation_id = _int(relation_id, "relation")
        for c in self.relation_candidates:
            version = c.version_with(relation_id)
            if version is not None:
                return c, version
        raise Invalid.one(
            "relation", "not_found", "No annotator relation with this id on this article."
        )

    def gold_span(self, span_id: object) -> Span:
        span_id = _int(span_id, "span")
        spans = self.gold.spans.all() if self.gold else []
        found = next((s for s in spans if s.pk == span_id), None)
        if found is None:
            raise Invalid.one("span", "not_found", "No such span in the gold layer.")
        return found

    def open_counts(self) -> tuple[int, int]:
        return (
            sum(c.status == OPEN for c in self.candidates),
            sum(c.status == OPEN for c in self.relation_candidates),
        )


def _int(value: object, name: str) -> int:
    if isinstance(value, bool):
        raise Invalid.one(name, "invalid_type", f"{name} must be an id (an integer).")
    try:
        return int(value)  # type: ignore[call-overload]  # any JSON value: TypeError is caught
    except (TypeError, ValueError):
        raise Invalid.one(name, "invalid_type", f"{name} must be an id (an integer).") from None


def load_review(article: Article) -> ReviewState:
    """Everything the review of ``article`` shows, in four queries: its annotations with their
    users, their spans, their relations, and the gold layer's rejections."""
    annotations = list(
        Annotation.objects.filter(article=article)
        .select_related("annotator", "reviewer")
        .prefetch_related(
            Prefetch("spans", queryset=Span.objects.order_by("start", "end", "id")),
            Prefetch("relations", queryset=Relation.objects.order_by("id")),
        )
        .order_by("is_gold", "annotator__username")
    )
    for a in annotations:
        a.article = article
    gold = next((a for a in annotations if a.is_gold), None)
    own = [a for a in annotations if not a.is_gold]
    layers = [a for a in own if a.status in FINISHED]
    n = len(layers)
    layer_spans = [
        LayerSpan(s.pk, a.annotator.username, s.label, s.start, s.end, s.text, s.attrs)
        for a in layers
        for s in a.spans.all()
    ]
    candidates = build_candidates(layer_spans, n)
    span_candidate = {s: c.key for c in candidates for s in c.span_ids}
    relation_candidates = build_relation_candidates(
        [
            LayerRelation(
                r.pk, a.annotator.username, r.label, r.source_id, r.target_id, dict(r.attrs)
            )
            for a in layers
            for r in a.relations.all()
        ],
        span_candidate,
        n,
        article.project.schema,
    )
    gold_candidate: dict[int, str] = {}
    if gold is not None:
        rejected_spans, rejected_relations = set(), set()
        for span_id, relation_id in ReviewRejection.objects.filter(gold=gold).values_list(
            "span_id", "relation_id"
        ):
            if span_id:
                rejected_spans.add(span_id)
            else:
                rejected_relations.add(relation_id)
        gold_spans = list(gold.spans.all())
        gold_candidate = match_gold(
            candidates, [GoldSpan(s.pk, s.label, s.start, s.end) for s in gold_spans]
        )
        by_candidate = {key: span_id for span_id, key in gold_candidate.items()}
        for c in candidates:
            c.gold_span = by_candidate.get(c.key)
            if c.gold_span is not None:
                c.status = ACCEPTED
            elif set(c.span_ids) <= rejected_spans:
                c.status = REJECTED
        gold_relations = {(r.label, r.source_id, r.target_id): r.pk for r in gold.relations.all()}
        for rc in relation_candidates:
            ends = (by_candidate.get(rc.source), by_candidate.get(rc.target))
            rc.gold_relation = gold_relations.get((rc.label, *ends)) if None not in ends else None
            if rc.gold_relation is not None:
                rc.status = ACCEPTED
            elif set(rc.relation_ids) <= rejected_relations:
                rc.status = REJECTED
    return ReviewState(article, own, layers, gold, candidates, relation_candidates, gold_candidate)
