"""Relation F1 of the suggester and the held-out split, on hand-made cases (no database)."""

from __future__ import annotations

import pytest

from labels.suggestions.evaluation import relation_scores
from labels.suggestions.split import HELD_OUT_EVERY, is_held_out


@pytest.fixture(autouse=True)
def fast_password_hashing():
    """Overrides the suite-wide fixture (it configures Django, which these tests do not need)."""


TEXT = "“We will win,” the mayor said. The council said the budget was late."


def _span(sid, label, fragment, text=TEXT, nth=0):
    start = -1
    for _ in range(nth + 1):
        start = text.index(fragment, start + 1)
    return {"id": sid, "label": label, "start": start, "end": start + len(fragment)}


def test_relation_scores_count_both_ends_exactly():
    spans = [
        _span("q1", "Quote", "We will win"),
        _span("s1", "Source", "the mayor"),
        _span("q2", "Quote", "the budget was late"),
        _span("s2", "Source", "The council"),
        _span("q3", "Quote", "We will win,"),  # an end the rules do not propose
    ]
    relations = [
        {"label": "attributed_to", "from": "q1", "to": "s1"},
        {"label": "attributed_to", "from": "q2", "to": "s2"},
        {"label": "attributed_to", "from": "q3", "to": "s2"},
    ]
    scores = relation_scores([(TEXT, spans, relations)])
    # The rules propose the first two exactly (2 TP, 0 FP) and cannot find the third (1 FN).
    assert scores == {"precision": 1.0, "recall": pytest.approx(2 / 3), "f1": pytest.approx(0.8)}


def test_relation_scores_without_gold_or_suggestions_are_none():
    assert relation_scores([("No attribution here at all.", [], [])]) == {
        "precision": None,
        "recall": None,
        "f1": None,
    }


def test_held_out_part_is_deterministic_and_about_one_in_five():
    ids = [f"article-{n}" for n in range(2000)]
    held = [i for i in ids if is_held_out(i)]
    assert held == [i for i in ids if is_held_out(i)]
    assert abs(len(held) / len(ids) - 1 / HELD_OUT_EVERY) < 0.03
    # Fixed by the id alone: this value must never change, or old evaluations would mix.
    assert [n for n in range(30) if is_held_out(f"article-{n}")] == [13, 19, 20, 23]
