"""Training a suggester on a project's gold: the command, the stored versions, the held-out
evaluation, and evaluate_suggestions --model. Trained on the hand-written seed articles (never
on the corpus), a few epochs, seconds."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from labels.interop.importing import do_import
from labels.models import Role
from labels.suggestions import learned
from labels.suggestions.split import is_held_out
from labels.suggestions.training import latest_model, model_versions
from tests.support.paths import ROOT

UNSEEN = (
    "“We will not raise taxes,” the governor said on Tuesday. The mayor told reporters that "
    "the budget, which was late, would pass. According to the council, 300 jobs are at risk."
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
    return tmp_path / "models"


@pytest.fixture
def seed_gold(make_project, manager):
    project = make_project("seed-gold", members={manager: Role.MANAGER})
    with (ROOT / "seeds" / "gold.jsonl").open("rb") as handle:
        do_import(project, [("gold.jsonl", handle)], fmt="native", layer="gold")
    return project


def test_train_suggester_stores_a_versioned_model_with_its_evaluation(seed_gold, model_storage):
    out = io.StringIO()
    call_command("train_suggester", project="seed-gold", epochs=2, stdout=out, verbosity=0)
    (name,) = model_versions("seed-gold")
    assert out.getvalue().startswith(f"Stored {name}: trained on 4 article(s)")
    stored = latest_model("seed-gold")
    meta = stored.meta
    ids = [json.loads(line)["id"] for line in (ROOT / "seeds" / "gold.jsonl").open()]
    assert meta["training"]["articles"] == sum(not is_held_out(i) for i in ids) == 4
    assert meta["evaluation"]["held_out_articles"] == 2
    assert meta["settings"] == {
        "approach": learned.FORMAT,
        "epochs": 2,
        "hash_bits": 20,
        "rule_features": True,
        "seed": 17,
    }
    for name_ in ("model", "rules", "model_and_rules"):
        figures = meta["evaluation"][name_]
        assert set(figures["spans"]) == {"Quote", "Source", "Cue"}
        assert set(figures["attributed_to"]) == {"precision", "recall", "f1"}
    # A learning curve: F1 against the number of training articles, ending at all of them.
    assert [p["articles"] for p in meta["evaluation"]["learning_curve"]] == [1, 2, 4]
    # A second training is a new version; the newest is the current one.
    call_command(
        "train_suggester",
        project="seed-gold",
        epochs=1,
        no_curve=True,
        verbosity=0,
        stdout=io.StringIO(),
    )
    assert len(model_versions("seed-gold")) == 2
    assert latest_model("seed-gold").meta["settings"]["epochs"] == 1


def test_a_trained_model_suggests_valid_spans_on_unseen_text(seed_gold, model_storage):
    call_command(
        "train_suggester",
        project="seed-gold",
        epochs=3,
        no_curve=True,
        verbosity=0,
        stdout=io.StringIO(),
    )
    result = latest_model("seed-gold").model.suggest(UNSEEN)
    assert result.spans, "the model proposes something"
    for span in result.spans:
        assert span.label in {"Quote", "Source", "Cue"}
        assert 0 <= span.start < span.end <= len(UNSEEN)
        assert UNSEEN[span.start : span.end] == span.text
    ids = {s.id: s for s in result.spans}
    for rel in result.relations:
        assert (ids[rel.source].label, ids[rel.target].label) == ("Quote", "Source")
        if "cue" in rel.attrs:
            assert ids[rel.attrs["cue"]].label == "Cue"


def test_model_round_trips_through_bytes():
    articles = [
        learned.Article(
            "The mayor said the plan would fail.",
            [
                {"id": "1", "label": "Source", "start": 0, "end": 9},
                {"id": "2", "label": "Cue", "start": 10, "end": 14},
                {"id": "3", "label": "Quote", "start": 15, "end": 34},
            ],
        )
    ]
    model = learned.train(articles, learned.Settings(epochs=3, hash_bits=12))
    again = learned.Model.from_bytes(model.to_bytes())
    text = "The mayor said the plan would fail."
    assert again.suggest(text).as_dict() == model.suggest(text).as_dict()
    assert [(s.label, s.text) for s in again.suggest(text).spans] == [
        ("Source", "The mayor"),
        ("Cue", "said"),
        ("Quote", "the plan would fail"),
    ]


def test_evaluate_suggestions_with_a_model_keeps_the_json_shape(seed_gold, model_storage):
    with pytest.raises(CommandError, match="no trained model"):
        call_command("evaluate_suggestions", project="seed-gold", model="seed-gold")
    call_command(
        "train_suggester",
        project="seed-gold",
        epochs=2,
        no_curve=True,
        verbosity=0,
        stdout=io.StringIO(),
    )
    out = io.StringIO()
    call_command(
        "evaluate_suggestions", project="seed-gold", model="seed-gold", json=True, stdout=out
    )
    scores = json.loads(out.getvalue())
    assert set(scores) == {"Quote", "Source", "Cue"}
    for figures in scores.values():
        assert set(figures) == {"exact", "overlap"}
        for kind in figures.values():
            assert set(kind) == {"precision", "recall", "f1"}
    table = io.StringIO()
    call_command("evaluate_suggestions", project="seed-gold", model="seed-gold", stdout=table)
    assert table.getvalue().startswith("Model seed-gold/")


def test_train_suggester_needs_gold(project, model_storage):
    with pytest.raises(CommandError, match="No project"):
        call_command("train_suggester", project="nope")
    with pytest.raises(CommandError, match="no reviewed gold"):
        call_command("train_suggester", project="desk")
    with pytest.raises(CommandError, match="--epochs"):
        call_command("train_suggester", project="desk", epochs=0)
    assert model_versions("desk") == []
