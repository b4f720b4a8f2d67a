"""A trained model among a project's suggesters (``Project.suggester_model``).

The newest model of the chosen project is used together with the rules
(``training.combined``), if that project is this one or shares its models
(``shares_suggester_model``); otherwise, or when it has no model, nothing is proposed and a
problem says why. Loaded models and their answers are cached per process.

``available_models`` lists what a project may choose (the API's ``models``);
``check_model_source`` checks a choice made by slug (the API's PATCH).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from django.db.models import Q

from labels.errors import Invalid
from labels.models import Article, Project
from labels.suggestions.proposals import (
    _LRU,
    BuiltinSuggester,
    Proposals,
    _fingerprint,
    _problem,
)
from labels.suggestions.training import StoredModel, combined, latest_model, model_versions

logger = logging.getLogger(__name__)

MODEL = "model"

_models = _LRU(4)
_answers = _LRU(64)


def usable_model_source(project: Project) -> Project | None:
    """The project whose models ``project`` may use now, or ``None``."""
    source = project.suggester_model
    if source is None:
        return None
    if source.pk != project.pk and not source.shares_suggester_model:
        return None
    return source


def model_choices(project: Project) -> list[Project]:
    """Projects whose models ``project`` may use: itself and every project sharing its models."""
    return list(
        Project.objects.filter(Q(pk=project.pk) | Q(shares_suggester_model=True))
        .only("pk", "slug", "name")
        .order_by("name", "pk")
    )


def check_suggester_model(project: Project, source: Project | None) -> Project | None:
    """``source`` if ``project`` may suggest with its models, else ``Invalid`` naming
    ``suggester_model``."""
    if source is not None and source.pk != project.pk and not source.shares_suggester_model:
        raise Invalid.one(
            "suggester_model", "not_shared", f"{source.name} does not share its trained models."
        )
    return source


def check_model_source(project: Project, slug: str | None) -> Project | None:
    """The project named ``slug`` if ``project`` may suggest with its models (itself, or one
    that shares them), ``None`` for ``None``; else ``Invalid`` naming ``suggester_model``. A
    project that exists but does not share is refused as if it did not exist: its name is not
    for other projects' managers."""
    if slug is None:
        return None
    source = Project.objects.filter(slug=slug).first()
    if source is None or (source.pk != project.pk and not source.shares_suggester_model):
        raise Invalid.one(
            "suggester_model",
            "not_available",
            f"No project sharing its trained models has the slug {slug!r}: give this project's "
            "slug or one listed in models.",
        )
    return source


def available_models(project: Project) -> list[dict[str, Any]]:
    """The models ``project`` may choose from, its own first: every project that shares its
    models, and the one in use even if it no longer shares (``usable`` false). Each with its
    newest model version (``latest``, ``trained_at``; ``None`` before any training). One
    query, and one listing of the model storage per project."""
    wanted = Q(pk=project.pk) | Q(shares_suggester_model=True)
    if project.suggester_model_id is not None:
        wanted |= Q(pk=project.suggester_model_id)
    out = []
    for other in Project.objects.filter(wanted).only(
        "pk", "slug", "name", "shares_suggester_model"
    ):
        versions = model_versions(other.slug)
        latest = versions[-1] if versions else None
        own = other.pk == project.pk
        out.append(
            {
                "project": other.slug,
                "name": other.name,
                "own": own,
                "usable": own or other.shares_suggester_model,
                "in_use": other.pk == project.suggester_model_id,
                "latest": latest,
                "trained_at": _trained_at(latest),
            }
        )
    out.sort(key=lambda m: (not m["own"], m["name"], m["project"]))
    return out


def _trained_at(name: str | None) -> datetime | None:
    """A version's time, from its name (``<slug>/<UTC time>``)."""
    if name is None:
        return None
    try:
        stamp = datetime.strptime(name.rpartition("/")[2], "%Y%m%dT%H%M%S%fZ")
    except ValueError:
        return None
    return stamp.replace(tzinfo=UTC)


def _load(slug: str) -> StoredModel | None:
    versions = model_versions(slug)
    if not versions:
        return None
    stored = _models.get(versions[-1])
    if stored is None:
        stored = latest_model(slug)
        if stored is not None:
            _models.put(stored.name, stored)
    return stored


class ModelSuggester:
    source = MODEL

    def __init__(self, project: Project):
        self.project = project

    def propose(self, article: Article, schema: dict) -> Proposals:
        source = usable_model_source(self.project)
        if source is None:
            return Proposals(
                problems=[
                    _problem(MODEL, "not_shared", "The chosen model's project no longer shares it.")
                ]
            )
        stored = _load(source.slug)
        if stored is None:
            return Proposals(
                problems=[_problem(MODEL, "no_model", f"{source.name} has no trained model yet.")]
            )
        key = (stored.name, article.text_sha256, _fingerprint(schema))
        result = _answers.get(key)
        if result is None:
            result = combined(stored.model)(article.text)
            _answers.put(key, result)
        proposals = BuiltinSuggester._proposals(result, schema)
        for item in (*proposals.spans, *proposals.relations):
            item["source"] = MODEL
        return proposals
