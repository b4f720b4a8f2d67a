"""Analysts' accepted and rejected suggestions as training signal (train_suggester --feedback),
and the acceptance rate of each suggester and rule on Settings → Suggestions. Trained on the
hand-written seed articles (never on the corpus), two epochs, seconds."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from labels.annotation.queue import do_get_or_create_own
from labels.interop.importing import do_import
from labels.models import AnnotationStatus, RejectedSuggestion, Role
from labels.suggestions import actions, combine
from labels.suggestions.feedback import acceptance_rates
from labels.suggestions.split import is_held_out
from labels.suggestions.training import do_train_project_model
from tests.support.paths import ROOT

#: The rules propose the quotation as a direct Quote; the analyst says it is none (a title).
TITLE = (
    "The council published its report on Monday. Its title, “We will rebuild the harbour "
    "together,” was chosen by a vote of the residents, the mayor said."
)


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
def seed_gold(make_project, manager, annotator, annotator2, model_storage):
    project = make_project(
        "seed-gold",
        members={manager: Role.MANAGER, annotator: Role.ANNOTATOR, annotator2: Role.ANNOTATOR},
    )
    project.suggesters = "builtin"
    project.save(update_fields=["suggesters"])
    with (ROOT / "seeds" / "gold.jsonl").open("rb") as handle:
        do_import(project, [("gold.jsonl", handle)], fmt="native", layer="gold")
    return project


def _external_id() -> str:
    """An article id in the training part (not held out)."""
    return next(f"title-{n}" for n in range(100) if not is_held_out(f"title-{n}"))


def _reject_the_title(project, make_article, analyst):
    """The analyst opens the article (an unfinished draft) and rejects the rules' Quote."""
    article = make_article(project, TITLE, external_id=_external_id())
    layer = do_get_or_create_own(article, analyst)
    current = combine.suggestions_for(article, layer)
    quote = next(s for s in current["spans"] if s["label"] == "Quote" and "harbour" in s["text"])
    assert actions.do_reject_suggestion(
        layer, quote["label"], quote["start"], quote["end"], current
    )
    return article, quote


def _proposes(model, quote) -> bool:
    return any(
        s.label == "Quote" and s.start < quote["end"] and quote["start"] < s.end
        for s in model.suggest(TITLE).spans
    )


def test_rejected_suggestions_are_trained_as_negatives(seed_gold, make_article, annotator):
    _, quote = _reject_the_title(seed_gold, make_article, annotator)
    row = RejectedSuggestion.objects.get()
    # The rejection keeps who proposed it, for the acceptance rates below.
    assert (row.source, row.rule) == ("builtin", quote["rule"]) and row.rule

    plain = do_train_project_model(seed_gold, curve=False)
    assert plain.meta["training"]["feedback"] is None
    assert _proposes(plain.model, quote)  # the rules' feature alone carries it

    taught = do_train_project_model(seed_gold, feedback=True, curve=False)
    assert taught.meta["training"]["feedback"] == {
        "accepted": 0,
        "rejected": 1,
        "partial_articles": 1,
    }
    assert taught.meta["training"]["include_submitted"] is True
    assert not _proposes(taught.model, quote)


def test_accepted_suggestions_of_unfinished_work_are_positives(seed_gold, make_article, annotator):
    article = make_article(seed_gold, TITLE, external_id=_external_id())
    layer = do_get_or_create_own(article, annotator)
    current = combine.suggestions_for(article, layer)
    cue = next(s for s in current["spans"] if s["label"] == "Cue")
    actions.do_accept_suggestion(layer, annotator, current, cue["key"], version=layer.version)
    stored = do_train_project_model(seed_gold, feedback=True, curve=False)
    assert stored.meta["training"]["feedback"] == {
        "accepted": 1,
        "rejected": 0,
        "partial_articles": 1,
    }


def test_a_rejection_that_another_analyst_accepted_is_no_negative(
    seed_gold, make_article, annotator, annotator2
):
    article, quote = _reject_the_title(seed_gold, make_article, annotator)
    other = do_get_or_create_own(article, annotator2)
    current = combine.suggestions_for(article, other)
    actions.do_accept_suggestion(other, annotator2, current, quote["key"], version=other.version)
    stored = do_train_project_model(seed_gold, feedback=True, curve=False)
    assert stored.meta["training"]["feedback"]["accepted"] == 1
    assert stored.meta["training"]["feedback"]["rejected"] == 0


def test_a_submitted_layer_with_rejections_teaches_them_as_negatives(
    seed_gold, make_article, annotator
):
    article, _ = _reject_the_title(seed_gold, make_article, annotator)
    article.annotations.filter(annotator=annotator).update(status=AnnotationStatus.SUBMITTED)
    stored = do_train_project_model(seed_gold, feedback=True, curve=False)
    fb = stored.meta["training"]["feedback"]
    assert fb == {"accepted": 0, "rejected": 1, "partial_articles": 0}
    assert stored.meta["training"]["articles"] == 5  # the 4 gold ones and the submitted layer


def test_train_suggester_feedback_flag(seed_gold, make_article, annotator):
    _reject_the_title(seed_gold, make_article, annotator)
    out = io.StringIO()
    call_command(
        "train_suggester",
        project="seed-gold",
        feedback=True,
        epochs=1,
        no_curve=True,
        stdout=out,
        verbosity=0,
    )
    assert "1 rejected suggestion(s)" in out.getvalue()


def test_acceptance_rate_per_suggester_and_rule_in_one_query(seed_gold, make_article, annotator):
    article, quote = _reject_the_title(seed_gold, make_article, annotator)
    layer = article.annotations.get(annotator=annotator)
    current = combine.suggestions_for(article, layer)
    accepted = [s for s in current["spans"] if s["label"] == "Cue"][:1]
    actions.do_accept_all(
        layer, annotator, current, version=layer.version, keys=[accepted[0]["key"]]
    )
    with CaptureQueriesContext(connection) as queries:
        rates = acceptance_rates(seed_gold)
    # One query: the accepted spans and the rejections, grouped, in one UNION ALL.
    assert len(queries) == 1, [q["sql"] for q in queries]
    by_rule = {(r["source"], r["rule"]): r for r in rates}
    assert by_rule[("builtin", quote["rule"])]["rejected"] == 1
    cue = by_rule[("builtin", accepted[0]["rule"])]
    assert cue["accepted"] == 1 and cue["rate"] == 1.0
    rejected_only = by_rule[("builtin", quote["rule"])]
    assert rejected_only["accepted"] == 0 and rejected_only["rate"] == 0.0


# --- Settings → Suggestions ---------------------------------------------------------------------

SETTINGS = "/projects/seed-gold/settings/suggestions/"


def test_the_settings_page_shows_each_rules_acceptance_rate(
    client, seed_gold, make_article, manager, annotator
):
    article, quote = _reject_the_title(seed_gold, make_article, annotator)
    layer = article.annotations.get(annotator=annotator)
    current = combine.suggestions_for(article, layer)
    cue = next(s for s in current["spans"] if s["label"] == "Cue")
    actions.do_accept_suggestion(layer, annotator, current, cue["key"], version=layer.version)
    client.force_login(manager)
    html = client.get(SETTINGS).content.decode()
    table = html[html.index("data-acceptance-rates") :]
    table = table[: table.index("</section>")]
    rows = table.split("<tr>")[2:]
    assert any(quote["rule"] in r and "<td>0</td><td>1</td><td>0 %</td>" in r for r in rows)
    assert any(cue["rule"] in r and "<td>1</td><td>0</td><td>100 %</td>" in r for r in rows)


def test_the_train_form_starts_a_training_with_feedback(client, seed_gold, manager):
    from labels.models import Job, JobKind

    client.force_login(manager)
    assert 'name="feedback"' in client.get(SETTINGS).content.decode()
    client.post(SETTINGS + "train/", {"feedback": "on"})
    (job,) = Job.objects.filter(project=seed_gold, kind=JobKind.TRAIN)
    assert job.params == {"include_submitted": False, "feedback": True}


def test_a_manager_turns_on_the_learning_order_on_the_page(client, seed_gold, manager):
    client.force_login(manager)
    data = {"suggesters": "builtin", "suggester_url": "", "next_by_uncertainty": "on"}
    assert client.post(SETTINGS, data).status_code == 302
    seed_gold.refresh_from_db()
    assert seed_gold.next_by_uncertainty
    assert client.post(SETTINGS, {"suggesters": "builtin", "suggester_url": ""}).status_code == 302
    seed_gold.refresh_from_db()
    assert not seed_gold.next_by_uncertainty


def test_a_rejection_outweighs_a_layer_that_marked_the_same_words(
    seed_gold, make_article, annotator
):
    """Two gold articles mark the title as a Quote, one analyst rejected it in the same words:
    the rejection counts ``NEGATIVE_WEIGHT`` (3) times, so it wins over the two."""
    import json

    start = TITLE.index("We will")
    end = TITLE.index(",”")
    quote = {"id": "q", "label": "Quote", "start": start, "end": end, "text": TITLE[start:end]}
    quote["attrs"] = {"quote_type": "direct"}
    lines = [
        json.dumps({"id": f"gold-title-{n}", "text": TITLE, "spans": [quote]})
        for n in range(200)
        if not is_held_out(f"gold-title-{n}")
    ][:2]
    do_import(
        seed_gold,
        [("titles.jsonl", io.BytesIO("\n".join(lines).encode()))],
        fmt="native",
        layer="gold",
    )
    _reject_the_title(seed_gold, make_article, annotator)
    plain = do_train_project_model(seed_gold, curve=False)
    assert _proposes(plain.model, quote)
    taught = do_train_project_model(seed_gold, feedback=True, curve=False)
    assert not _proposes(taught.model, quote)


def test_a_rejection_through_the_api_keeps_its_suggester_and_rule(
    api, seed_gold, make_article, annotator
):
    article = make_article(seed_gold, TITLE, external_id=_external_id())
    client = api(annotator)
    layer = do_get_or_create_own(article, annotator)
    shown = client.get(f"/api/v1/articles/{article.pk}/suggestions/").json()["spans"]
    quote = next(s for s in shown if s["label"] == "Quote")
    response = client.post(
        f"/api/v1/annotations/{layer.pk}/suggestions/reject/", {"key": quote["key"]}, format="json"
    )
    assert response.status_code == 201
    row = RejectedSuggestion.objects.get(annotation=layer)
    assert (row.source, row.rule) == (quote["source"], quote["rule"]) == ("builtin", quote["rule"])
