"""Learning order: a new model measures how unsure it is about each unstarted article, and with
the project's setting on, Next hands out the least sure first (off: import order). Seats and
leases are the same either way. Trained on the hand-written seed articles, one epoch."""

from __future__ import annotations

import pytest

from labels.annotation.queue import do_next
from labels.interop.importing import do_import
from labels.models import ArticleUncertainty, Role
from labels.suggestions.training import do_train_project_model
from tests.support.paths import ROOT

#: Plain reporting the rules and model find at once, then text with no attribution cue at all.
TEXTS = [
    "The river rose by a metre overnight and the bridge was closed to traffic until noon.",
    "“We are ready to talk,” the minister said on Monday. The mayor told reporters that the "
    "budget would pass. According to the council, 300 jobs are at risk, officials said.",
    "Rain. Wind. Then sun, and the market stalls opened again along the quay at ten.",
]


@pytest.fixture
def model_storage(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "suggester_models": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "models")},
        },
    }


@pytest.fixture
def queue(make_project, make_article, manager, annotator, annotator2, model_storage):
    """A project with the seeds' gold, three unstarted articles, and a model trained on it."""
    project = make_project(
        "order",
        members={manager: Role.MANAGER, annotator: Role.ANNOTATOR, annotator2: Role.ANNOTATOR},
    )
    with (ROOT / "seeds" / "gold.jsonl").open("rb") as handle:
        do_import(project, [("gold.jsonl", handle)], fmt="native", layer="gold")
    unstarted = [make_article(project, text, external_id=f"u{n}") for n, text in enumerate(TEXTS)]
    stored = do_train_project_model(project, settings=None, curve=False)
    return project, unstarted, stored


def test_training_stores_the_uncertainty_of_each_unstarted_article(queue):
    project, unstarted, stored = queue
    rows = {u.article_id: u for u in ArticleUncertainty.objects.all()}
    # Only the unstarted articles are measured (the gold ones have a layer), by this model.
    assert set(rows) == {a.pk for a in unstarted}
    assert {u.model for u in rows.values()} == {stored.name}
    assert all(0 < u.value <= 1 for u in rows.values())
    assert len({u.value for u in rows.values()}) == 3


def test_next_hands_out_the_least_sure_article_first_when_asked(queue, annotator, annotator2):
    project, unstarted, _ = queue
    by_doubt = [u.article_id for u in ArticleUncertainty.objects.order_by("-value", "article_id")]
    assert by_doubt != [a.pk for a in unstarted]  # else the test would prove nothing
    project.next_by_uncertainty = True
    project.save(update_fields=["next_by_uncertainty"])
    first = do_next(project, annotator).annotation
    assert first.article_id == by_doubt[0]
    # Seats and leases as always: the same analyst resumes their draft …
    assert do_next(project, annotator).annotation.pk == first.pk
    # … and the next analyst is offered the same article while it has a free seat (two per
    # article), not the second least sure.
    assert do_next(project, annotator2).annotation.article_id == by_doubt[0]


def test_next_keeps_import_order_when_the_setting_is_off(queue, annotator):
    project, unstarted, _ = queue
    assert not project.next_by_uncertainty
    # The gold articles have no seats taken (gold is no analyst's), so import order starts there.
    first = do_next(project, annotator).annotation
    assert first.article_id == min(project.articles.values_list("pk", flat=True))


def test_articles_the_model_has_not_measured_come_after_the_measured_ones(queue, annotator):
    project, unstarted, _ = queue
    ArticleUncertainty.objects.filter(article__in=unstarted[1:]).delete()
    project.next_by_uncertainty = True
    project.save(update_fields=["next_by_uncertainty"])
    assert do_next(project, annotator).annotation.article_id == unstarted[0].pk


def test_a_shared_model_measures_the_projects_that_suggest_with_it(
    queue, make_project, make_article, manager
):
    project, _, _ = queue
    project.shares_suggester_model = True
    project.save(update_fields=["shares_suggester_model"])
    user = make_project("user-desk", members={manager: Role.MANAGER})
    user.suggester_model = project
    user.save(update_fields=["suggester_model"])
    bystander = make_project("bystander", members={manager: Role.MANAGER})
    theirs = make_article(user, TEXTS[1], external_id="t1")
    other = make_article(bystander, TEXTS[1], external_id="b1")
    stored = do_train_project_model(project, curve=False)
    assert ArticleUncertainty.objects.get(article=theirs).model == stored.name
    assert not ArticleUncertainty.objects.filter(article=other).exists()
    # Once the model stops being shared, a new one no longer measures that project.
    project.shares_suggester_model = False
    project.save(update_fields=["shares_suggester_model"])
    newer = do_train_project_model(project, curve=False)
    assert ArticleUncertainty.objects.get(article=theirs).model == stored.name != newer.name
