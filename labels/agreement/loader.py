"""Agreement of a project, from the database: the loader that feeds ``labels.agreement`` and the
per-project snapshot that the dashboard, the API and ``manage.py agreement`` share.

The loader reads a project in one pass whatever its size: a fixed handful of queries (layers,
spans, relations, article texts), each streamed through a server-side cursor in chunks and
merged by article id in Python, so memory holds one article at a time.

Agreement over a whole project takes seconds on a large one (see docs/performance.md), too long
for every dashboard view, so the figures are kept in ``AgreementSnapshot`` together with a
fingerprint of the work they were computed from. The dashboard recomputes them inline when the
fingerprint changed and the project is small (``ANNOTATOR_AGREEMENT_INLINE_LAYERS`` submitted
layers or fewer); otherwise it shows the last snapshot, says when it was computed and that newer
work exists, and offers to recompute (as does ``manage.py agreement``).
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import groupby
from operator import itemgetter
from typing import Any

from django.conf import settings
from django.db.models import Exists, OuterRef, Q

from labels import schema as schema_mod
from labels.agreement.measures import ArticleLayers, Layer, RelRec, SpanRec
from labels.agreement.metrics import compare_to_gold
from labels.agreement.metrics import compute_agreement as _compute_agreement
from labels.models import FINISHED, Annotation, AnnotationStatus, Article, Project, Relation, Span

IOU_THRESHOLD = 0.5
CHUNK_SIZE = 5000


def inline_layer_limit() -> int:
    return settings.ANNOTATOR_AGREEMENT_INLINE_LAYERS


def _submitted_layers(prefix: str = "") -> Q:
    """Annotator layers that count: submitted (or reviewed) work, never drafts or skips."""
    return Q(**{f"{prefix}is_gold": False, f"{prefix}status__in": FINISHED})


def _reviewed_gold(prefix: str = "") -> Q:
    return Q(**{f"{prefix}is_gold": True, f"{prefix}status": AnnotationStatus.REVIEWED})


class _Groups:
    """Rows of one stream, sorted by article id (their first column), handed out per article."""

    def __init__(self, rows):
        self._groups = groupby(rows, key=itemgetter(0))
        self._advance()

    def _advance(self) -> None:
        try:
            self.key, group = next(self._groups)
            self.rows = list(group)
        except StopIteration:
            self.key, self.rows = None, []

    def take(self, article_id: int) -> list[tuple]:
        while self.key is not None and self.key < article_id:
            self._advance()
        if self.key != article_id:
            return []
        rows = self.rows
        self._advance()
        return rows


def _layers(layer_rows, span_rows, relation_rows) -> list[tuple[bool, Layer]]:
    spans: dict[int, list[SpanRec]] = {row[1]: [] for row in layer_rows}
    for _, annotation_id, span_id, label, start, end, attrs in span_rows:
        spans[annotation_id].append(SpanRec(str(span_id), label, start, end, attrs or {}))
    relations: dict[int, list[RelRec]] = {row[1]: [] for row in layer_rows}
    for _, annotation_id, label, source, target in relation_rows:
        relations[annotation_id].append(RelRec(label, str(source), str(target)))
    return [
        (is_gold, Layer("gold" if is_gold else username, spans[pk], relations[pk]))
        for _, pk, is_gold, username in layer_rows
    ]


def _stream(
    project: Project, layers: Q, *, with_text: bool, with_relations: bool
) -> Iterator[tuple[int, str, list[tuple[bool, Layer]]]]:
    """``(article id, text, [(is_gold, layer)])`` for each article holding a layer in
    ``layers`` (a filter on Annotation), in article id order."""
    annotations = Annotation.objects.filter(layers, article__project=project)
    layer_rows = (
        annotations.order_by("article_id", "id")
        .values_list("article_id", "id", "is_gold", "annotator__username")
        .iterator(chunk_size=CHUNK_SIZE)
    )
    in_layers = Q(annotation__in=annotations.values("pk"))
    spans = _Groups(
        Span.objects.filter(in_layers)
        .order_by("annotation__article_id", "annotation_id", "id")
        .values_list(
            "annotation__article_id", "annotation_id", "id", "label", "start", "end", "attrs"
        )
        .iterator(chunk_size=CHUNK_SIZE)
    )
    relations = _Groups(
        Relation.objects.filter(in_layers)
        .order_by("annotation__article_id", "annotation_id", "id")
        .values_list("annotation__article_id", "annotation_id", "label", "source_id", "target_id")
        .iterator(chunk_size=CHUNK_SIZE)
        if with_relations
        else iter(())
    )
    texts = _Groups(
        Article.objects.filter(project=project)
        .filter(Exists(annotations.filter(article=OuterRef("pk"))))
        .order_by("id")
        .values_list("id", "text")
        .iterator(chunk_size=CHUNK_SIZE // 10)
        if with_text
        else iter(())
    )
    for article_id, group in groupby(layer_rows, key=itemgetter(0)):
        rows = list(group)
        text_rows = texts.take(article_id)
        yield (
            article_id,
            text_rows[0][1] if text_rows else "",
            _layers(rows, spans.take(article_id), relations.take(article_id)),
        )


def iter_article_layers(project: Project) -> Iterator[ArticleLayers]:
    """Every article of ``project`` with a submitted layer, as ``compute_agreement`` reads it:
    its submitted annotator layers (spans and relations) and its text."""
    for article_id, text, layers in _stream(
        project, _submitted_layers(), with_text=True, with_relations=True
    ):
        yield ArticleLayers(str(article_id), text, [layer for _, layer in layers])


def iter_gold_comparison(project: Project) -> tuple[Iterator[ArticleLayers], dict[str, Layer]]:
    """The articles whose gold layer is reviewed, with their submitted layers, and the mapping
    ``compare_to_gold`` looks their gold layer up in.

    The mapping is filled as the articles are read and holds only the current article's gold
    layer: ``compare_to_gold`` looks an article up right after receiving it, so the whole gold
    layer of a project never sits in memory.
    """
    gold: dict[str, Layer] = {}
    with_gold = Exists(Annotation.objects.filter(_reviewed_gold(), article=OuterRef("article_id")))
    annotations = (_submitted_layers() | _reviewed_gold()) & Q(with_gold)

    def articles() -> Iterator[ArticleLayers]:
        for article_id, _, layers in _stream(
            project, annotations, with_text=False, with_relations=False
        ):
            gold.clear()
            key = str(article_id)
            for is_gold, layer in layers:
                if is_gold:
                    gold[key] = layer
            yield ArticleLayers(key, "", [layer for is_gold, layer in layers if not is_gold])

    return articles(), gold


def compute(project: Project) -> dict[str, Any]:
    """The agreement report of ``project`` (``compute_agreement``) and its annotators against
    reviewed gold (``compare_to_gold``), over the labels of its current schema."""
    labels = schema_mod.label_names(project.schema)
    agreement = _compute_agreement(
        iter_article_layers(project), labels, iou_threshold=IOU_THRESHOLD
    )
    articles, gold = iter_gold_comparison(project)
    return {
        "labels": labels,
        "agreement": agreement,
        "gold": compare_to_gold(articles, gold, labels, iou_threshold=IOU_THRESHOLD),
    }
