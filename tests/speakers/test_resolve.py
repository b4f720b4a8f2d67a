"""Which speaker a Source mention means: names and aliases, pronouns and roles by the nearest
compatible earlier speaker, and the seed article of issue 19's acceptance."""

from __future__ import annotations

import json
from pathlib import Path

from django.conf import settings

from labels.speakers.resolve import Speakerish, resolve_mentions

PUTIN, MACRON, KREMLIN, AFP = 1, 2, 3, 4
REGISTRY = [
    Speakerish(PUTIN, "Vladimir Putin", "person", ("Poutine",)),
    Speakerish(MACRON, "Emmanuel Macron", "person", ("Mácron",)),
    Speakerish(KREMLIN, "the Kremlin", "government"),
    Speakerish(AFP, "AFP", "news_agency"),
]


def mentions(text: str, *fragments: str) -> list[dict]:
    out, at = [], 0
    for fragment in fragments:
        start = text.index(fragment, at)
        out.append({"start": start, "end": start + len(fragment), "text": fragment})
        at = start + len(fragment)
    return out


def speakers(text: str, *fragments: str) -> list[int | None]:
    return [
        g.speaker if g else None
        for g in resolve_mentions(text, mentions(text, *fragments), REGISTRY)
    ]


def test_a_pronoun_takes_the_nearest_earlier_person():
    text = "Macron met Putin on Monday. He said the talks were useful."
    assert speakers(text, "He") == [PUTIN]


def test_a_pronoun_skips_speakers_of_another_kind():
    text = "Putin spoke first. The Kremlin then issued a note. He said it was final."
    guesses = resolve_mentions(text, mentions(text, "He"), REGISTRY)
    assert guesses[0].speaker == PUTIN and guesses[0].rule == "pronoun"
    assert guesses[0].confidence < 0.95


def test_a_role_mention_takes_the_nearest_compatible_speaker():
    text = "Vladimir Putin phoned Emmanuel Macron. The French president said he was worried."
    assert speakers(text, "The French president") == [MACRON]


def test_a_government_role_takes_the_nearest_government():
    text = "AFP reported that the Kremlin was silent. Later the Russian presidency said no."
    assert speakers(text, "the Russian presidency") == [KREMLIN]


def test_a_pronoun_with_no_earlier_speaker_is_not_guessed():
    text = "He said it before anyone was named. Putin came later."
    assert speakers(text, "He") == [None]


def test_a_pronoun_follows_a_mention_resolved_before_it():
    text = "The president of Russia, Poutine, arrived. Then he spoke."
    assert speakers(text, "Poutine", "he") == [PUTIN, PUTIN]


def test_a_linked_mention_counts_as_an_antecedent():
    text = "The leader arrived. Then she spoke."
    found = mentions(text, "The leader", "she")
    found[0]["speaker"] = MACRON
    guesses = resolve_mentions(text, found, REGISTRY)
    assert guesses[0] is None  # already linked: nothing to suggest
    assert guesses[1].speaker == MACRON


def test_plurals_and_two_names_are_ambiguous():
    text = "Putin and Macron met. The two presidents said they agreed."
    assert speakers(text, "Putin and Macron", "The two presidents") == [None, None]


def test_a_surname_is_matched_only_when_one_person_has_it():
    registry = [*REGISTRY, Speakerish(9, "Dmitry Putin", "person")]
    text = "Putin said so."
    guesses = resolve_mentions(text, mentions(text, "Putin"), registry)
    assert guesses == [None]
    assert speakers(text, "Putin") == [PUTIN]


def _seed_article():
    seeds = Path(settings.BASE_DIR) / "seeds" / "gold.jsonl"
    for line in seeds.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        if record["id"] == "putin-macron-2020-10-01":
            return record
    raise AssertionError("the seed article is missing")


def test_the_seed_articles_gold_sources_get_the_right_speaker():
    record = _seed_article()
    sources = [s for s in record["spans"] if s["label"] == "Source"]
    guesses = resolve_mentions(record["text"], sources, REGISTRY)
    got = {
        (s["start"], s["text"]): (g.speaker if g else None)
        for s, g in zip(sources, guesses, strict=True)
    }
    expected = {
        "Russian President Vladimir Putin": PUTIN,
        "the Kremlin": KREMLIN,
        "the Russian presidency": KREMLIN,
        "AFP": AFP,
        "the French head of state": MACRON,
        # Not in the registry.
        "the opposition": None,
        "western countries": None,
        # Ambiguous in the text itself: two speakers.
        "Putin and Macron": None,
        "The two presidents": None,
    }
    for (start, text), speaker in got.items():
        assert speaker == expected[text], f"{text} at {start}"
    assert sum(1 for s in got.values() if s is not None) == 8
