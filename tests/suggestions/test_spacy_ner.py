"""The spaCy entity-recogniser suggester (the second learned approach, compared with the
perceptron by bench/compare_suggesters.py): trained from scratch on the hand-written seed
articles (never on the corpus) with a small network, seconds; no database."""

from __future__ import annotations

import json

import pytest

from bench.compare_suggesters import run
from labels.suggestions import spacy_ner
from labels.suggestions.learned import Article
from labels.suggestions.split import is_held_out
from tests.support.paths import ROOT

UNSEEN = (
    "“We will not raise taxes,” the governor said on Tuesday. The mayor told reporters that "
    "the budget, which was late, would pass. According to the council, 300 jobs are at risk."
)

SMALL = spacy_ner.Settings(epochs=30, width=32, depth=2, hidden=32, batch_words=100)


def _seed_articles() -> tuple[list[Article], list[Article]]:
    train, held = [], []
    for line in (ROOT / "seeds" / "gold.jsonl").open(encoding="utf-8"):
        r = json.loads(line)
        article = Article(r["text"], r["spans"], r.get("relations", []))
        (held if is_held_out(r["id"]) else train).append(article)
    return train, held


@pytest.fixture(scope="module")
def model() -> spacy_ner.Model:
    train, _ = _seed_articles()
    return spacy_ner.train(train, SMALL)


def _assert_valid(result, text: str) -> None:
    for span in result.spans:
        assert span.label in {"Quote", "Source", "Cue"}
        assert 0 <= span.start < span.end <= len(text)
        assert text[span.start : span.end] == span.text
        assert span.text == span.text.strip(), "no span starts or ends on white space"
    ordered = sorted(result.spans, key=lambda s: s.start)
    for a, b in zip(ordered, ordered[1:], strict=False):
        assert a.end <= b.start, "spans do not overlap"
    ids = {s.id: s for s in result.spans}
    assert len(ids) == len(result.spans)
    for rel in result.relations:
        assert (ids[rel.source].label, ids[rel.target].label) == ("Quote", "Source")
        if "cue" in rel.attrs:
            assert ids[rel.attrs["cue"]].label == "Cue"


def test_trained_on_a_few_articles_it_suggests_valid_spans_on_unseen_text(model):
    result = model.suggest(UNSEEN)
    labels = {s.label for s in result.spans}
    assert {"Quote", "Cue"} <= labels, [(s.label, s.text) for s in result.spans]
    _assert_valid(result, UNSEEN)
    quote = next(s for s in result.spans if s.label == "Quote")
    assert "raise taxes" in quote.text
    assert quote.attrs["quote_type"] in {"direct", "mixed", "indirect"}
    assert model.suggest("").spans == [] and model.suggest("  \n ").spans == []


def test_gold_spans_off_token_boundaries_or_overlapping_are_trained_on_without_error():
    text = "The mayor said the plan would fail. Her aide, Ann Lee, said no."
    article = Article(
        text,
        [
            # "he mayor" starts inside a token: widened to "The mayor".
            {"id": "1", "label": "Source", "start": 1, "end": 9},
            {"id": "2", "label": "Cue", "start": 10, "end": 14},
            {"id": "3", "label": "Quote", "start": 15, "end": 34},
            # A Source inside the Quote: the longer span is kept, the other dropped.
            {"id": "4", "label": "Source", "start": 19, "end": 23},
            {"id": "5", "label": "Claim", "start": 36, "end": 44},
        ],
    )
    nlp = spacy_ner._pipeline(SMALL)
    (example,) = spacy_ner.examples(nlp, [article], SMALL)
    assert [(e.label_, e.text) for e in example.reference.ents] == [
        ("Source", "The mayor"),
        ("Cue", "said"),
        ("Quote", "the plan would fail"),
    ]
    # The rules' reading of the same text is the input feature of each token.
    tags = {t.text: t.tag_ for t in example.predicted}
    assert tags["said"] == "B-Cue" and tags["The"] in {"B-Source", "O"}
    quick = spacy_ner.Settings(epochs=2, width=32, depth=2, hidden=32)
    _assert_valid(spacy_ner.train([article], quick).suggest(UNSEEN), UNSEEN)


def test_model_round_trips_through_bytes(model):
    again = spacy_ner.Model.from_bytes(model.to_bytes())
    assert again.settings == model.settings
    assert again.suggest(UNSEEN).as_dict() == model.suggest(UNSEEN).as_dict()
    with pytest.raises(ValueError, match="format"):
        spacy_ner.Model.from_bytes(b"\x00\x00\x00\x02{}" + b"rest")


def test_the_comparison_bench_runs_both_approaches_on_a_small_sample():
    train, held = _seed_articles()
    for approach in ("perceptron", "spacy-ner"):
        result = run(approach, train, held, epochs=2)
        assert result["training"]["articles"] == len(train) == 4
        assert result["held_out_articles"] == len(held) == 2
        for part in ("model", "model_and_rules"):
            figures = result[part]
            assert set(figures["spans"]) == {"Quote", "Source", "Cue"}
            assert set(figures["spans"]["Quote"]) == {"exact", "overlap"}
            assert set(figures["attributed_to"]) == {"precision", "recall", "f1"}
        assert result["suggest_ms"]["median"] >= 0
        assert result["training"]["peak_rss_mb"] > 0
