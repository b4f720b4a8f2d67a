"""Training a project's suggester on its gold, evaluating it honestly, storing it, loading it.

``do_train_project_model`` reads the project's reviewed gold (and, if asked, its analysts'
finished layers of articles without gold, and with ``feedback`` the suggestions analysts
accepted and rejected: ``project_articles``), holds out the articles whose id hash falls in the
held-out part (``labels.suggestions.split``), trains ``labels.suggestions.learned`` on the rest,
and evaluates on the held-out part — per label precision / recall / F1, exact and overlap, the
``attributed_to`` F1, and a learning curve — for the model alone and combined with the rules.

Models are versioned files in the ``suggester_models`` storage (``STORAGES`` in settings):
``<project slug>/<UTC time>.npz`` beside ``<UTC time>.json`` holding the training data's size,
the settings, the date and the evaluation. The newest is the project's current model.

A new model also measures how unsure it is about each unstarted article of the projects that
suggest with it (``do_store_uncertainty``, ``ArticleUncertainty``): **Next** hands those out
most-uncertain first where ``Project.next_by_uncertainty`` is on.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db.models import Exists, OuterRef, Prefetch, Q

from labels.models import (
    Annotation,
    Article,
    ArticleUncertainty,
    Origin,
    Project,
    RejectedSuggestion,
    Relation,
    Span,
)
from labels.suggestions import learned
from labels.suggestions.evaluation import evaluate, relation_scores
from labels.suggestions.rules.engine import suggest
from labels.suggestions.rules.results import SuggestedRelation, Suggestion, Suggestions
from labels.suggestions.split import is_held_out

#: Fractions of the training articles the learning curve is measured at (the last is all).
CURVE = (0.25, 0.5, 1.0)


def _storage():
    return storages["suggester_models"]


@dataclass(frozen=True)
class StoredModel:
    name: str  # "<slug>/<stamp>"
    meta: dict[str, Any]
    model: learned.Model


# ---------------------------------------------------------------------------------------------
# Reading the gold


@dataclass
class Feedback:
    """What analysts' accepted and rejected suggestions added to a training set."""

    accepted: int = 0  # accepted suggestions among the positives
    rejected: int = 0  # rejected suggestions trained as negatives
    partial_articles: int = 0  # articles taught by feedback alone (no finished layer)

    def as_dict(self) -> dict[str, int]:
        return {
            "accepted": self.accepted,
            "rejected": self.rejected,
            "partial_articles": self.partial_articles,
        }


def project_articles(
    project: Project,
    include_submitted: bool = False,
    feedback: Feedback | None = None,
) -> list[tuple[str, learned.Article]]:
    """``(article id, article)`` of every gold layer of the project; with
    ``include_submitted``, also every finished analyst layer of an article without gold.

    With ``feedback`` (filled in with what was used), the analysts' accepted and rejected
    suggestions count too: a suggestion any analyst of the article rejected that is not a span
    of the layer is a negative (``learned.Article.negatives``), and an article with neither gold
    nor a finished layer is taught by its accepted suggestions (positives) and rejections alone
    (``learned.Article.partial``). Implies ``include_submitted``. Three queries, or five."""
    include_submitted = include_submitted or feedback is not None
    spans = Prefetch(
        "spans", queryset=Span.objects.only("annotation_id", "label", "start", "end", "origin")
    )
    relations = Prefetch(
        "relations",
        queryset=Relation.objects.only("annotation_id", "label", "source_id", "target_id", "attrs"),
    )
    layers = (
        Annotation.objects.filter(article__project=project)
        .select_related("article")
        .prefetch_related(spans, relations)
        .order_by("article_id", "-is_gold", "pk")
    )
    if include_submitted:
        layers = layers.filter(is_gold=True) | layers.of_annotators().finished()
    else:
        layers = layers.gold()
    rejected: dict[int, set[tuple[str, int, int]]] = {}
    if feedback is not None:
        for article_id, label, start, end in RejectedSuggestion.objects.filter(
            annotation__article__project=project, annotation__is_gold=False
        ).values_list("annotation__article_id", "label", "start", "end"):
            rejected.setdefault(article_id, set()).add((label, start, end))
    out: list[tuple[str, learned.Article]] = []
    taught: set[int] = set()
    for layer in layers:
        if layer.article_id in taught:
            continue  # one layer per article: the gold, else the first finished one
        taught.add(layer.article_id)
        held = {(s.label, s.start, s.end) for s in layer.spans.all()}
        negatives = sorted(rejected.get(layer.article_id, set()) - held)
        if feedback is not None and not is_held_out(layer.article.external_id):
            feedback.accepted += sum(
                s.origin == Origin.SUGGESTED for s in layer.spans.all() if not layer.is_gold
            )
            feedback.rejected += len(negatives)
        out.append(
            (
                layer.article.external_id,
                learned.Article(
                    layer.article.text,
                    [
                        {"id": str(s.pk), "label": s.label, "start": s.start, "end": s.end}
                        for s in layer.spans.all()
                    ],
                    [
                        {
                            "label": r.label,
                            "from": str(r.source_id),
                            "to": str(r.target_id),
                            "attrs": r.attrs,
                        }
                        for r in layer.relations.all()
                    ],
                    negatives,
                ),
            )
        )
    if feedback is not None:
        out += _feedback_only(project, taught, rejected, feedback)
    return out


def _feedback_only(
    project: Project,
    taught: set[int],
    rejected: dict[int, set[tuple[str, int, int]]],
    feedback: Feedback,
) -> list[tuple[str, learned.Article]]:
    """Articles without gold or a finished layer, taught by the suggestions analysts accepted
    (in their unfinished layers) and rejected. Where analysts disagree about a place, the
    acceptance wins (its tokens are not trained toward O). None of the held-out part: there is
    no layer to measure against."""
    accepted: dict[int, set[tuple[str, int, int]]] = {}
    for article_id, label, start, end in (
        Span.objects.filter(
            annotation__article__project=project,
            annotation__is_gold=False,
            origin=Origin.SUGGESTED,
        )
        .exclude(annotation__article_id__in=taught)
        .values_list("annotation__article_id", "label", "start", "end")
    ):
        accepted.setdefault(article_id, set()).add((label, start, end))
    wanted = (set(accepted) | set(rejected)) - taught
    if not wanted:
        return []
    out = []
    for article in Article.objects.filter(pk__in=wanted).only("pk", "external_id", "text"):
        if is_held_out(article.external_id):
            continue
        positives = sorted(accepted.get(article.pk, set()))
        negatives = sorted(rejected.get(article.pk, set()) - set(positives))
        feedback.accepted += len(positives)
        feedback.rejected += len(negatives)
        feedback.partial_articles += 1
        out.append(
            (
                article.external_id,
                learned.Article(
                    article.text,
                    [
                        {"id": f"a{n}", "label": label, "start": a, "end": b}
                        for n, (label, a, b) in enumerate(positives)
                    ],
                    [],
                    negatives,
                    partial=True,
                ),
            )
        )
    out.sort(key=lambda pair: pair[0])
    return out


# ---------------------------------------------------------------------------------------------
# Combining with the rules


#: A rule's proposal is added to the model's only from this confidence up (docs/suggestions.md,
#: "A learned suggester": adding every rule proposal cost precision more than it gained).
RULE_CONFIDENCE = 0.9


def combined(model: learned.Model) -> Callable[[str], Suggestions]:
    """Model and rules together: the model's spans, then each confident rule span
    (``RULE_CONFIDENCE``) that overlaps no model span; the model's links, then the rules'
    links between kept spans (one speaker per quote)."""

    def predict(text: str) -> Suggestions:
        mine = model.suggest(text)
        rules = suggest(text)
        spans: list[Suggestion] = list(mine.spans)
        kept: dict[str, str] = {}
        for s in rules.spans:
            clash = next((m for m in mine.spans if m.start < s.end and s.start < m.end), None)
            if clash is None and s.confidence >= RULE_CONFIDENCE:
                spans.append(s)
                kept[s.id] = s.id
            elif clash is not None and (clash.label, clash.start, clash.end) == (
                s.label,
                s.start,
                s.end,
            ):
                kept[s.id] = clash.id
        relations = list(mine.relations)
        linked = {(r.source, r.target) for r in relations}
        for r in rules.relations:
            src, tgt = kept.get(r.source), kept.get(r.target)
            if src is None or tgt is None or (src, tgt) in linked:
                continue
            if r.label == "attributed_to" and any(x.source == src for x in relations):
                continue  # one speaker per quote: the model's
            attrs = dict(r.attrs)
            if "cue" in attrs:
                attrs["cue"] = kept.get(attrs["cue"], "")
                if not attrs["cue"]:
                    del attrs["cue"]
            relations.append(
                SuggestedRelation(
                    f"r{len(relations) + 1}", r.label, src, tgt, r.confidence, r.rule, attrs
                )
            )
            linked.add((src, tgt))
        spans.sort(key=lambda s: (s.start, -s.end, s.label))
        return Suggestions(spans, relations)

    return predict


# ---------------------------------------------------------------------------------------------
# Training


def evaluation(
    predict: Callable[[str], Suggestions], articles: list[learned.Article]
) -> dict[str, Any]:
    """The spans' figures in ``evaluate_suggestions --json`` shape, and ``attributed_to``."""
    spans = evaluate([(a.text, a.spans) for a in articles], None, predict=predict)
    rel = relation_scores([(a.text, a.spans, a.relations) for a in articles], None, predict=predict)
    return {"spans": spans, "attributed_to": rel}


def do_train_project_model(
    project: Project,
    *,
    include_submitted: bool = False,
    feedback: bool = False,
    settings: learned.Settings | None = None,
    curve: bool = True,
    progress: Callable[[str, float], None] | None = None,
) -> StoredModel:
    """Train, evaluate and store a new model of ``project``, then measure its uncertainty on
    the unstarted articles (``do_store_uncertainty``); raises ``ValueError`` (for the user)
    when there is no gold to learn from. ``feedback``: learn from the analysts' accepted and
    rejected suggestions too (``project_articles``)."""
    settings = settings or learned.Settings()
    report = progress or (lambda step, fraction: None)
    used = Feedback() if feedback else None
    pairs = project_articles(project, include_submitted, used)
    train = [a for aid, a in pairs if not is_held_out(aid)]
    held = [a for aid, a in pairs if is_held_out(aid) and not a.partial]
    if not train:
        raise ValueError(
            f"{project.slug} has no reviewed gold outside the held-out part to learn from."
        )
    fractions = [f for f in CURVE if curve or f == 1.0]
    points = []
    model = None
    for n, fraction in enumerate(fractions):
        subset = train[: max(1, round(len(train) * fraction))]

        def step(epoch: int, done: int, total: int, n: int = n) -> None:
            part = (epoch + done / total) / settings.epochs
            report("training", (n + part) / (len(fractions) + 0.3))

        model = learned.train(subset, settings, step)
        if held and fraction != 1.0:
            figures = evaluation(model.suggest, held)
            points.append({"articles": len(subset), **_f1s(figures)})
    assert model is not None
    report("evaluating", len(fractions) / (len(fractions) + 0.3))
    evaluated: dict[str, Any] = {"held_out_articles": len(held)}
    if held:
        evaluated["model"] = evaluation(model.suggest, held)
        evaluated["model_and_rules"] = evaluation(combined(model), held)
        evaluated["rules"] = evaluation(suggest, held)
        points.append({"articles": len(train), **_f1s(evaluated["model"])})
    evaluated["learning_curve"] = points
    now = datetime.now(UTC)
    meta = {
        "project": project.slug,
        "trained_at": now.isoformat(timespec="seconds"),
        "training": {
            "articles": len(train),
            "characters": sum(len(a.text) for a in train),
            "spans": sum(len(a.spans) for a in train),
            "include_submitted": include_submitted or feedback,
            "feedback": used.as_dict() if used is not None else None,
        },
        "settings": {"approach": learned.FORMAT, **settings.as_dict()},
        "evaluation": evaluated,
    }
    name = f"{project.slug}/{now.strftime('%Y%m%dT%H%M%S%fZ')}"
    storage = _storage()
    storage.save(f"{name}.npz", ContentFile(model.to_bytes()))
    storage.save(f"{name}.json", ContentFile(json.dumps(meta, indent=2).encode("utf-8")))
    stored = StoredModel(name, meta, model)
    report("uncertainty", (len(fractions) + 0.2) / (len(fractions) + 0.3))
    do_store_uncertainty(project, stored)
    report("done", 1.0)
    return stored


# ---------------------------------------------------------------------------------------------
# Uncertainty: the learning order of Next


def uncertainty_targets(project: Project) -> list[Project]:
    """The projects whose articles a new model of ``project`` measures: those suggesting with
    its models (itself, or one it shares them with), and itself when it suggests with none."""
    out = []
    for other in Project.objects.filter(
        Q(pk=project.pk) | Q(suggester_model=project)
    ).select_related("suggester_model"):
        source = other.suggester_model
        if source is not None and source.pk != other.pk and not source.shares_suggester_model:
            source = None
        if (source is None and other.pk == project.pk) or (
            source is not None and source.pk == project.pk
        ):
            out.append(other)
    return out


def do_store_uncertainty(project: Project, stored: StoredModel, batch: int = 200) -> int:
    """Store ``stored``'s uncertainty (``learned.Model.uncertainty``) on every unstarted article
    (no layer at all) of ``uncertainty_targets(project)``, replacing what an older model
    measured; the number of articles measured. Each batch is one upsert; no lock is held
    while the model reads."""
    count = 0
    for target in uncertainty_targets(project):
        unstarted = (
            Article.objects.filter(project=target)
            .filter(~Exists(Annotation.objects.filter(article=OuterRef("pk"))))
            .only("pk", "text")
            .order_by("pk")
        )
        rows: list[ArticleUncertainty] = []
        for article in unstarted.iterator(chunk_size=batch):
            value = min(1.0, max(0.0, stored.model.uncertainty(article.text)))
            rows.append(ArticleUncertainty(article=article, value=value, model=stored.name))
            if len(rows) >= batch:
                count += _upsert(rows)
                rows = []
        count += _upsert(rows)
    return count


def _upsert(rows: list[ArticleUncertainty]) -> int:
    ArticleUncertainty.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["article"],
        update_fields=["value", "model", "computed_at"],
    )
    return len(rows)


def _f1s(figures: dict[str, Any]) -> dict[str, float | None]:
    out: dict[str, float | None] = {
        label: by_kind["overlap"]["f1"] for label, by_kind in figures["spans"].items()
    }
    out["attributed_to"] = figures["attributed_to"]["f1"]
    return out


# ---------------------------------------------------------------------------------------------
# Loading


def model_versions(slug: str) -> list[str]:
    """Names of the stored models of project ``slug``, oldest first."""
    storage = _storage()
    try:
        _, files = storage.listdir(slug)
    except FileNotFoundError:
        return []
    stamps = sorted(
        f[: -len(".json")] for f in files if f.endswith(".json") and f"{f[:-5]}.npz" in files
    )
    return [f"{slug}/{s}" for s in stamps]


def model_meta(name: str) -> dict[str, Any]:
    with _storage().open(f"{name}.json", "rb") as f:
        return json.loads(f.read().decode("utf-8"))


def latest_model(slug: str) -> StoredModel | None:
    """The newest stored model of project ``slug``, or ``None``."""
    versions = model_versions(slug)
    if not versions:
        return None
    name = versions[-1]
    with _storage().open(f"{name}.npz", "rb") as f:
        model = learned.Model.from_bytes(f.read())
    return StoredModel(name, model_meta(name), model)
