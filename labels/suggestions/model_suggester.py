"""A trained model among a project's suggesters (``Project.suggester_model``).

The newest model of the chosen project is used together with the rules
(``training.combined``), if that project is this one or shares its models
(``shares_suggester_model``); otherwise, or when it has no model, nothing is proposed and a
problem says why. Loaded models and their answers are cached per process.
"""

from __future__ import annotations

import logging

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
    from django.db.models import Q

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
