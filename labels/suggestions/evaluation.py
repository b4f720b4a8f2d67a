"""Evaluating suggestions against gold, per label."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from labels.agreement.measures import ArticleLayers, Layer, SpanRec
from labels.agreement.metrics import compare_to_gold

if TYPE_CHECKING:  # pragma: no cover
    pass
from labels.suggestions.rules.engine import suggest
from labels.suggestions.rules.tokens import _schema_view

# ---------------------------------------------------------------------------------------------
# Evaluation against gold spans


def evaluate(
    pairs: Iterable[tuple[str, list[dict[str, Any]]]], schema: dict[str, Any] | None = None
) -> dict[str, dict[str, dict[str, float | None]]]:
    """Precision, recall and F1 of ``suggest`` against gold spans, per label.

    Scored as an annotator against gold by ``labels.agreement.compare_to_gold``, so the
    matching is the agreement report's: ``exact`` needs equal label, start and end;
    ``overlap`` pairs spans of a label one to one, greedily by character IoU >= 0.5. Only the
    labels the suggester can produce (Quote, Source, Cue) that the schema defines are reported.
    A figure is ``None`` when its denominator is zero.
    """
    view = _schema_view(schema)
    labels = [label for label in ("Quote", "Source", "Cue") if label in view.span_attrs]
    articles: list[ArticleLayers] = []
    gold: dict[str, Layer] = {}
    for n, (text, gold_spans) in enumerate(pairs):
        article_id = str(n)
        predicted = [SpanRec(s.id, s.label, s.start, s.end) for s in suggest(text, schema).spans]
        reference = [
            SpanRec(str(span.get("id", k)), span["label"], span["start"], span["end"])
            for k, span in enumerate(gold_spans)
        ]
        articles.append(ArticleLayers(article_id, text, [Layer("suggester", predicted)]))
        gold[article_id] = Layer("gold", reference)
    report = compare_to_gold(articles, gold, labels)
    return {label: report["labels"][label] for label in labels}
