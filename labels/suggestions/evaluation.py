"""Evaluating suggestions against gold, per label."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from labels.agreement.measures import ArticleLayers, Layer, SpanRec, f1
from labels.agreement.metrics import compare_to_gold

if TYPE_CHECKING:  # pragma: no cover
    pass
from labels.suggestions.rules.engine import suggest
from labels.suggestions.rules.results import Suggestions
from labels.suggestions.rules.tokens import _schema_view

# ---------------------------------------------------------------------------------------------
# Evaluation against gold spans


Predictor = Callable[[str], Suggestions]


def evaluate(
    pairs: Iterable[tuple[str, list[dict[str, Any]]]],
    schema: dict[str, Any] | None = None,
    predict: Predictor | None = None,
) -> dict[str, dict[str, dict[str, float | None]]]:
    """Precision, recall and F1 of ``suggest`` against gold spans, per label.

    Scored as an annotator against gold by ``labels.agreement.compare_to_gold``, so the
    matching is the agreement report's: ``exact`` needs equal label, start and end;
    ``overlap`` pairs spans of a label one to one, greedily by character IoU >= 0.5. Only the
    labels the suggester can produce (Quote, Source, Cue) that the schema defines are reported.
    A figure is ``None`` when its denominator is zero. ``predict`` (text → ``Suggestions``)
    replaces the rules, to score a trained model the same way.
    """
    view = _schema_view(schema)
    labels = [label for label in ("Quote", "Source", "Cue") if label in view.span_attrs]
    articles: list[ArticleLayers] = []
    gold: dict[str, Layer] = {}
    for n, (text, gold_spans) in enumerate(pairs):
        article_id = str(n)
        result = predict(text) if predict is not None else suggest(text, schema)
        predicted = [SpanRec(s.id, s.label, s.start, s.end) for s in result.spans]
        reference = [
            SpanRec(str(span.get("id", k)), span["label"], span["start"], span["end"])
            for k, span in enumerate(gold_spans)
        ]
        articles.append(ArticleLayers(article_id, text, [Layer("suggester", predicted)]))
        gold[article_id] = Layer("gold", reference)
    report = compare_to_gold(articles, gold, labels)
    return {label: report["labels"][label] for label in labels}


def _ratio(num: int, den: int) -> float | None:
    return num / den if den else None


def relation_scores(
    triples: Iterable[tuple[str, list[dict[str, Any]], list[dict[str, Any]]]],
    schema: dict[str, Any] | None = None,
    label: str = "attributed_to",
    predict: Predictor | None = None,
) -> dict[str, float | None]:
    """Precision, recall and F1 of the suggested ``label`` relations against gold ones.

    ``triples`` are ``(text, gold spans, gold relations)`` with relations in the native form
    (``{"label", "from", "to"}`` naming span ids). A suggested relation is right when both of
    its ends have the gold relation's ends' labels and offsets (exact); pairs are matched one
    to one. The cue attribute is not compared.
    """
    tp = fp = fn = 0
    for text, gold_spans, gold_relations in triples:
        by_id = {str(s["id"]): (s["label"], s["start"], s["end"]) for s in gold_spans}
        gold = [
            (by_id[str(r["from"])], by_id[str(r["to"])])
            for r in gold_relations
            if r["label"] == label and str(r["from"]) in by_id and str(r["to"]) in by_id
        ]
        result = predict(text) if predict is not None else suggest(text, schema)
        spans = {s.id: (s.label, s.start, s.end) for s in result.spans}
        predicted = [
            (spans[r.source], spans[r.target]) for r in result.relations if r.label == label
        ]
        remaining = list(gold)
        for pair in predicted:
            if pair in remaining:
                remaining.remove(pair)
                tp += 1
            else:
                fp += 1
        fn += len(remaining)
    precision, recall = _ratio(tp, tp + fp), _ratio(tp, tp + fn)
    return {"precision": precision, "recall": recall, "f1": f1(tp, fp, fn)}
