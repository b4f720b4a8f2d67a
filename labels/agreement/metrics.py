"""Agreement of a whole project, pure: per label and annotator pair, from the measures of
``labels.agreement.measures`` — span F1, token-level Krippendorff's α, Cohen's κ, relation F1.

Pure functions over plain records. The caller loads the layers of each article in one streaming
query and passes them in as ``ArticleLayers``; nothing here touches the database, and each entry
point iterates its input exactly once, keeping only counts and one score per article (never
spans or texts) between articles.

Conventions, explained for readers of the report in ``docs/agreement.md``:

* Offsets are Unicode code points, half-open ``[start, end)`` (a Python ``str`` index).
* Only spans whose label is in ``labels`` take part; spans of other labels are ignored.
* Pairwise F1 is ``2·TP / (2·TP + FP + FN)``, symmetric in the two annotators. It is ``None``,
  not 1.0, when neither side has a span: there is nothing to agree on.
* Annotator pairs are named ``"ana|ben"`` with the names in sorted order, and a pair only counts
  the articles both of them submitted.
* Nothing is rounded; the caller formats.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations
from operator import attrgetter
from typing import Any

from labels.agreement.measures import (
    MISSING,
    ArticleLayers,
    Layer,
    RelRec,
    SpanPair,
    SpanRec,
    _check_threshold,
    _kappa_from_table,
    _TokenIndex,
    f1,
    match_exact,
    match_overlap,
    nominal_alpha,
)

# ---------------------------------------------------------------------------------------------
# compute_agreement


@dataclass
class _SpanCounts:
    """TP under both matchings and the number of spans on each side, for one pair and label."""

    exact: int = 0
    overlap: int = 0
    a: int = 0
    b: int = 0

    def add(self, other: _SpanCounts) -> None:
        self.exact += other.exact
        self.overlap += other.overlap
        self.a += other.a
        self.b += other.b

    def exact_f1(self) -> float | None:
        return f1(self.exact, self.a - self.exact, self.b - self.exact)

    def overlap_f1(self) -> float | None:
        return f1(self.overlap, self.a - self.overlap, self.b - self.overlap)


@dataclass
class _Prepared:
    """A layer reduced to what the metrics read: in-scope spans and per-label counts."""

    annotator: str
    spans: list[SpanRec]
    per_label: Counter[str]
    relations: Sequence[RelRec]


def _prepare(
    layers: Sequence[Layer], label_index: Mapping[str, int], article_id: str
) -> list[_Prepared]:
    """The layers in annotator order, keeping only spans of the labels asked for."""
    prepared: list[_Prepared] = []
    for layer in sorted(layers, key=attrgetter("annotator")):
        if prepared and prepared[-1].annotator == layer.annotator:
            raise ValueError(f"article {article_id!r} has two layers by {layer.annotator!r}")
        spans = [s for s in layer.spans if s.label in label_index]
        prepared.append(
            _Prepared(layer.annotator, spans, Counter(s.label for s in spans), layer.relations)
        )
    return prepared


def _category(value: object) -> Hashable:
    """The κ category of an attribute value: itself if scalar, canonical JSON if a list or dict."""
    if value is None:
        return MISSING
    if isinstance(value, str | int | float):
        return value
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)


def _relation_counts(a: _Prepared, b: _Prepared, matched: list[SpanPair]) -> tuple[int, int, int]:
    """TP, A's and B's relations, counting only relations whose two ends are matched spans."""
    b_to_a = {sb.id: sa.id for sa, sb in matched}
    matched_a = set(b_to_a.values())
    ours = Counter(
        (r.label, r.source, r.target)
        for r in a.relations
        if r.source in matched_a and r.target in matched_a
    )
    theirs = Counter(
        (r.label, b_to_a[r.source], b_to_a[r.target])
        for r in b.relations
        if r.source in b_to_a and r.target in b_to_a
    )
    return sum((ours & theirs).values()), sum(ours.values()), sum(theirs.values())


def _labelled_tokens(
    tokens: _TokenIndex, layers: list[_Prepared], label_index: Mapping[str, int]
) -> Counter[tuple[int, ...]]:
    """Tokens counted by what each coder labelled them with, as ``masks → number of tokens``.

    ``masks[c]`` has bit ``label_index[label]`` set when a span of that label by coder ``c``
    overlaps the token. Tokens nobody labelled are left out. Sweeping over span boundaries instead
    of visiting every token keeps the cost per article at O(spans · log spans) beyond tokenising.
    """
    spans = [(coder, span) for coder, layer in enumerate(layers) for span in layer.spans]
    events = []
    for (coder, span), (first, stop) in zip(
        spans, tokens.overlapped([span for _, span in spans]), strict=True
    ):
        if first < stop:
            key = (coder, label_index[span.label])
            events.append((first, 1, key))
            events.append((stop, -1, key))
    events.sort()
    open_spans: dict[tuple[int, int], int] = {}  # (coder, bit) → spans covering the position
    masks = [0] * len(layers)
    labelled: Counter[tuple[int, ...]] = Counter()
    position = 0
    for index, delta, (coder, bit) in events:
        if index > position:
            if any(masks):
                labelled[tuple(masks)] += index - position
            position = index
        covering = open_spans.get((coder, bit), 0) + delta
        open_spans[coder, bit] = covering
        if covering:
            masks[coder] |= 1 << bit
        else:
            masks[coder] &= ~(1 << bit)
    return labelled


#: The attribute a Source's speaker link is in, and the relation an attribution is.
SPEAKER = "speaker"
ATTRIBUTION = "attributed_to"


class _Agreement:
    """Running counts over the articles; ``report`` turns them into figures."""

    def __init__(self, labels: Sequence[str], iou_threshold: float) -> None:
        _check_threshold(iou_threshold)
        self.labels = list(dict.fromkeys(labels))
        self.label_index = {label: i for i, label in enumerate(self.labels)}
        self.threshold = iou_threshold
        self.annotators: set[str] = set()
        self.support: Counter[str] = Counter()
        self.spans: dict[tuple[str, str], _SpanCounts] = defaultdict(_SpanCounts)
        self.relations: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
        self.pair_articles: Counter[str] = Counter()
        self.kappa: dict[str, dict[str, Counter[tuple[Hashable, Hashable]]]] = defaultdict(
            lambda: defaultdict(Counter)
        )
        self.scores: dict[str, float | None] = {}
        # Speaker links (issue 19): [matched, agreed] over matched spans that carry a speaker
        # on either side, and over attributions whose quote and source both matched.
        self.speaker_spans = [0, 0]
        self.speaker_attributions = [0, 0]
        # Tokens as α units (see nominal_alpha): each coder's value is the set of labels on the
        # token, as a bitmask. Only tokens someone labelled are counted here; the rest are added
        # back from the token totals, and per-label values are projected out, in ``report``.
        self.tokens: Counter[int] = Counter()  # coders per article → tokens of those articles
        self.pair_tokens: Counter[str] = Counter()
        self.units: Counter[tuple[int, ...]] = Counter()
        self.pair_units: dict[str, Counter[tuple[int, ...]]] = defaultdict(Counter)

    def add(self, article: ArticleLayers) -> None:
        layers = _prepare(article.layers, self.label_index, article.article_id)
        for layer in layers:
            self.annotators.add(layer.annotator)
            self.support.update(layer.per_label)
        if len(layers) < 2:
            self.scores[article.article_id] = None
            return
        pairs = list(combinations(range(len(layers)), 2))
        pair_f1s = []
        for i, j in pairs:
            score = self._add_pair(layers[i], layers[j])
            if score is not None:
                pair_f1s.append(score)
        self.scores[article.article_id] = sum(pair_f1s) / len(pair_f1s) if pair_f1s else None
        self._add_tokens(article.text, layers, pairs)

    def _add_pair(self, a: _Prepared, b: _Prepared) -> float | None:
        """Count one pair on one article; return its overlap F1 over all labels there."""
        key = f"{a.annotator}|{b.annotator}"
        self.pair_articles[key] += 1
        for label in a.per_label.keys() | b.per_label.keys():
            counts = self.spans[key, label]
            counts.a += a.per_label[label]
            counts.b += b.per_label[label]
        for sa, _ in match_exact(a.spans, b.spans):
            self.spans[key, sa.label].exact += 1
        matched = match_overlap(a.spans, b.spans, self.threshold)
        for sa, sb in matched:
            self.spans[key, sa.label].overlap += 1
            per_attr = self.kappa[sa.label]
            for name in sa.attrs.keys() | sb.attrs.keys():
                per_attr[name][_category(sa.attrs.get(name)), _category(sb.attrs.get(name))] += 1
        self._add_speakers(a, b, matched)
        tp, n_a, n_b = _relation_counts(a, b, matched)
        totals = self.relations[key]
        totals[0] += tp
        totals[1] += n_a
        totals[2] += n_b
        return f1(len(matched), len(a.spans) - len(matched), len(b.spans) - len(matched))

    def _add_speakers(self, a: _Prepared, b: _Prepared, matched: list[SpanPair]) -> None:
        """Count speaker agreement on the matched spans (Sources) and on the attributions
        (``attributed_to`` relations) both layers have between matched spans."""
        speaker_of_a = {sa.id: sa.attrs.get(SPEAKER) for sa, _ in matched}
        speaker_of_b = {sb.id: sb.attrs.get(SPEAKER) for _, sb in matched}
        for sa, sb in matched:
            x, y = sa.attrs.get(SPEAKER), sb.attrs.get(SPEAKER)
            if x is not None or y is not None:
                self.speaker_spans[0] += 1
                self.speaker_spans[1] += x == y
        b_to_a = {sb.id: sa.id for sa, sb in matched}
        theirs = {
            (b_to_a[r.source], b_to_a[r.target]): r.target
            for r in b.relations
            if r.label == ATTRIBUTION and r.source in b_to_a and r.target in b_to_a
        }
        for r in a.relations:
            other = theirs.get((r.source, r.target)) if r.label == ATTRIBUTION else None
            if other is None:
                continue
            x, y = speaker_of_a.get(r.target), speaker_of_b.get(other)
            if x is not None or y is not None:
                self.speaker_attributions[0] += 1
                self.speaker_attributions[1] += x == y

    def _add_tokens(self, text: str, layers: list[_Prepared], pairs: list[tuple[int, int]]) -> None:
        tokens = _TokenIndex(text)
        keys = [f"{layers[i].annotator}|{layers[j].annotator}" for i, j in pairs]
        self.tokens[len(layers)] += tokens.count
        for key in keys:
            self.pair_tokens[key] += tokens.count
        for masks, length in _labelled_tokens(tokens, layers, self.label_index).items():
            self.units[tuple(sorted(masks))] += length
            for key, (i, j) in zip(keys, pairs, strict=True):
                a, b = masks[i], masks[j]
                if a | b:
                    self.pair_units[key][min(a, b), max(a, b)] += length

    def report(self) -> dict[str, Any]:
        by_label: dict[str, _SpanCounts] = defaultdict(_SpanCounts)
        by_pair: dict[str, _SpanCounts] = defaultdict(_SpanCounts)
        overall = _SpanCounts()
        for (key, label), counts in self.spans.items():
            by_label[label].add(counts)
            by_pair[key].add(counts)
            overall.add(counts)
        units = _with_unlabelled(self.units, self.tokens)
        relations_overall = [0, 0, 0]
        for totals in self.relations.values():
            relations_overall = [x + y for x, y in zip(relations_overall, totals, strict=True)]
        return {
            "iou_threshold": self.threshold,
            "annotators": sorted(self.annotators),
            "labels": {
                label: {
                    "exact_f1": by_label[label].exact_f1(),
                    "overlap_f1": by_label[label].overlap_f1(),
                    "alpha": nominal_alpha(_one_label(units, bit)),
                    "support": {"spans": self.support[label]},
                    "kappa": {
                        name: _kappa_from_table(table)
                        for name, table in sorted(self.kappa[label].items())
                    },
                }
                for bit, label in enumerate(self.labels)
            },
            "overall": {
                "exact_f1": overall.exact_f1(),
                "overlap_f1": overall.overlap_f1(),
                "alpha": nominal_alpha(units),
                "relation_f1": _relation_f1(relations_overall),
            },
            "speakers": {
                "sources": _share(self.speaker_spans),
                "attributions": _share(self.speaker_attributions),
            },
            "pairs": {
                key: self._pair_report(key, by_pair[key]) for key in sorted(self.pair_articles)
            },
            "articles": self.scores,
        }

    def _pair_report(self, key: str, counts: _SpanCounts) -> dict[str, Any]:
        units = _with_unlabelled(self.pair_units[key], {2: self.pair_tokens[key]})
        labels = {}
        for bit, label in enumerate(self.labels):
            label_counts = self.spans.get((key, label), _SpanCounts())
            labels[label] = {
                "exact_f1": label_counts.exact_f1(),
                "overlap_f1": label_counts.overlap_f1(),
                "alpha": nominal_alpha(_one_label(units, bit)),
            }
        return {
            "exact_f1": counts.exact_f1(),
            "overlap_f1": counts.overlap_f1(),
            "alpha": nominal_alpha(units),
            "relation_f1": _relation_f1(self.relations[key]),
            "articles": self.pair_articles[key],
            "labels": labels,
        }


def _share(counts: list[int]) -> dict[str, Any]:
    """``{"matched", "agreed", "agreement"}``: how often two analysts linked a matched item to
    the same speaker (None when nothing was matched)."""
    matched, agreed = counts
    return {
        "matched": matched,
        "agreed": agreed,
        "agreement": agreed / matched if matched else None,
    }


def _with_unlabelled(
    labelled: Mapping[tuple[int, ...], int], tokens: Mapping[int, int]
) -> dict[tuple[int, ...], int]:
    """``labelled`` plus the tokens nobody labelled, from the token totals per number of coders."""
    units = dict(labelled)
    for coders, total in tokens.items():
        nobody = (0,) * coders
        units[nobody] = total - sum(n for values, n in labelled.items() if len(values) == coders)
    return units


def _one_label(units: Mapping[tuple[int, ...], int], bit: int) -> Counter[tuple[int, ...]]:
    """Label-set units reduced to one label: each coder's value becomes 1 if it has the label."""
    projected: Counter[tuple[int, ...]] = Counter()
    for masks, count in units.items():
        projected[tuple(sorted(mask >> bit & 1 for mask in masks))] += count
    return projected


def _relation_f1(totals: Sequence[int]) -> float | None:
    tp, n_a, n_b = totals
    return f1(tp, n_a - tp, n_b - tp)


def compute_agreement(
    articles: Iterable[ArticleLayers], labels: Sequence[str], *, iou_threshold: float = 0.5
) -> dict[str, Any]:
    """Agreement between annotators, per label, per annotator pair and per article.

    Reads ``articles`` once. Returns a JSON-serialisable dict::

        {"labels": {LABEL: {"exact_f1", "overlap_f1", "alpha", "support": {"spans": n},
                            "kappa": {ATTR: κ}}},
         "overall": {"exact_f1", "overlap_f1", "alpha", "relation_f1"},
         "speakers": {"sources": {"matched", "agreed", "agreement"}, "attributions": {…}},
         "pairs": {"ana|ben": {"exact_f1", "overlap_f1", "alpha", "relation_f1", "articles": n,
                               "labels": {LABEL: {"exact_f1", "overlap_f1", "alpha"}}}},
         "articles": {ARTICLE_ID: mean overlap F1 over pairs, or None},
         "annotators": [name, ...], "iou_threshold": t}

    F1 figures are micro-averaged: TP, FP and FN are summed over the articles a pair shares (and
    over pairs, for per-label and overall figures) before dividing. Any figure is ``None`` when it
    is undefined (see ``docs/agreement.md``). Raises ``ValueError`` if an article has two layers
    by the same annotator.
    """
    agreement = _Agreement(labels, iou_threshold)
    for article in articles:
        agreement.add(article)
    return agreement.report()


# ---------------------------------------------------------------------------------------------
# compare_to_gold


def _precision_recall_f1(tp: int, predicted: int, gold: int) -> dict[str, float | None]:
    return {
        "precision": tp / predicted if predicted else None,
        "recall": tp / gold if gold else None,
        "f1": f1(tp, predicted - tp, gold - tp),
    }


def _gold_figures(counts: _SpanCounts) -> dict[str, dict[str, float | None]]:
    # Here side ``a`` is the annotator (predicted) and side ``b`` is gold.
    return {
        "exact": _precision_recall_f1(counts.exact, counts.a, counts.b),
        "overlap": _precision_recall_f1(counts.overlap, counts.a, counts.b),
    }


def compare_to_gold(
    articles: Iterable[ArticleLayers],
    gold: Mapping[str, Layer],
    labels: Sequence[str],
    *,
    iou_threshold: float = 0.5,
) -> dict[str, Any]:
    """Precision, recall and F1 of each annotator against the gold layer, exact and overlap.

    ``gold`` maps article id to its gold layer; articles without one are skipped. Reads
    ``articles`` once. Returns::

        {"annotators": {NAME: {"articles": n, "exact": {"precision", "recall", "f1"},
                               "overlap": {...}, "labels": {LABEL: {"exact": {...},
                                                                    "overlap": {...}}}}},
         "labels": {LABEL: {"exact": {...}, "overlap": {...}}},   # all annotators pooled
         "overall": {"exact": {...}, "overlap": {...}}, "iou_threshold": t}

    Precision is ``None`` when the annotator marked nothing, recall when gold has nothing.
    """
    _check_threshold(iou_threshold)
    label_index = {label: i for i, label in enumerate(dict.fromkeys(labels))}
    cells: dict[tuple[str, str], _SpanCounts] = defaultdict(_SpanCounts)
    articles_seen: Counter[str] = Counter()
    for article in articles:
        gold_layer = gold.get(article.article_id)
        if gold_layer is None:
            continue
        (reference,) = _prepare([gold_layer], label_index, article.article_id)
        for layer in _prepare(article.layers, label_index, article.article_id):
            articles_seen[layer.annotator] += 1
            for label in layer.per_label.keys() | reference.per_label.keys():
                counts = cells[layer.annotator, label]
                counts.a += layer.per_label[label]
                counts.b += reference.per_label[label]
            for span, _ in match_exact(layer.spans, reference.spans):
                cells[layer.annotator, span.label].exact += 1
            for span, _ in match_overlap(layer.spans, reference.spans, iou_threshold):
                cells[layer.annotator, span.label].overlap += 1

    by_annotator: dict[str, _SpanCounts] = defaultdict(_SpanCounts)
    by_label: dict[str, _SpanCounts] = defaultdict(_SpanCounts)
    overall = _SpanCounts()
    for (annotator, label), counts in cells.items():
        by_annotator[annotator].add(counts)
        by_label[label].add(counts)
        overall.add(counts)
    return {
        "iou_threshold": iou_threshold,
        "annotators": {
            annotator: {
                "articles": articles_seen[annotator],
                **_gold_figures(by_annotator[annotator]),
                "labels": {
                    label: _gold_figures(cells.get((annotator, label), _SpanCounts()))
                    for label in label_index
                },
            }
            for annotator in sorted(articles_seen)
        },
        "labels": {label: _gold_figures(by_label[label]) for label in label_index},
        "overall": _gold_figures(overall),
    }
