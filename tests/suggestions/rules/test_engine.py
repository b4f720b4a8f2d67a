"""The rule-based suggester: quotation marks, cues, sources, relations, schema limits, offsets.

Pure functions, no database: ``pytest tests/suggestions/rules/test_engine.py -p no:django``.
"""

from __future__ import annotations

import copy
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labels.suggestions.evaluation import evaluate
from labels.suggestions.rules.engine import suggest
from labels.suggestions.rules.results import MAX_QUOTE_CHARS
from tests.support.paths import ROOT

NBSP, NNBSP = "\u00a0", "\u202f"


@pytest.fixture(autouse=True)
def fast_password_hashing():
    """Overrides the suite-wide fixture of that name: it configures Django, which these
    database-free tests neither need nor have under ``-p no:django``."""


def spans(text, label, schema=None):
    return [s for s in suggest(text, schema).spans if s.label == label]


def texts(text, label, schema=None):
    return [s.text for s in spans(text, label, schema)]


def relations(text, label, schema=None):
    """(from text, to text) pairs of one relation label."""
    result = suggest(text, schema)
    by_id = {s.id: s for s in result.spans}
    return [
        (by_id[r.source].text, by_id[r.target].text) for r in result.relations if r.label == label
    ]


def the_schema():
    from labels.schema import default_schema

    return default_schema()


# ---------------------------------------------------------------------------------------------
# Quotation marks


@pytest.mark.parametrize(
    ("text", "quote"),
    [
        ("“We are ready to talk,” the minister said.", "We are ready to talk"),
        ('"We are ready to talk," the minister said.', "We are ready to talk"),
        (f"«{NBSP}Nous sommes prêts{NBSP}», a déclaré le ministre.", "Nous sommes prêts"),
        (f"«{NNBSP}Nous sommes prêts{NNBSP}», a déclaré le ministre.", "Nous sommes prêts"),
        ("«Мы готовы к диалогу», — заявил министр.", "Мы готовы к диалогу"),
        ("„Wir sind bereit“, sagte der Minister.", "Wir sind bereit"),
        ("‚Wir sind bereit‘, sagte der Minister.", "Wir sind bereit"),
        ("»Wir sind bereit«, sagte der Minister.", "Wir sind bereit"),
        ("‘We are ready to talk,’ the minister said.", "We are ready to talk"),
        ("「我们准备好了」，部长说。", "我们准备好了"),
        ("『我们准备好了』，部长说。", "我们准备好了"),
    ],
)
def test_finds_the_content_of_each_quotation_style(text, quote):
    assert texts(text, "Quote") == [quote]


def test_direct_quote_span_excludes_the_marks_and_the_trailing_comma():
    text = "“We are ready,” he said."
    (quote,) = spans(text, "Quote")
    assert (quote.start, quote.end) == (1, 13)
    assert quote.attrs == {"quote_type": "direct"}


def test_direct_quote_keeps_its_final_full_stop():
    assert texts("He said: “We stay.”", "Quote") == ["We stay."]


def test_split_quote_gives_two_quotes_attributed_to_the_same_speaker():
    text = "“We are ready,” he said, “to talk.”"
    assert texts(text, "Quote") == ["We are ready", "to talk."]
    assert relations(text, "attributed_to") == [("We are ready", "he"), ("to talk.", "he")]


def test_nested_quotation_gives_only_the_outer_quote():
    text = "“He told me, ‘just enjoy it,’ and I did,” she said."
    assert texts(text, "Quote") == ["He told me, ‘just enjoy it,’ and I did"]


def test_nested_german_and_russian_quotations_give_the_outer_quote():
    assert texts("„Das ist ‚nicht akzeptabel‘“, sagte sie.", "Quote") == [
        "Das ist ‚nicht akzeptabel‘"
    ]
    assert texts("«Власти говорили, что „тушить дорого“», — заявила она.", "Quote") == [
        "Власти говорили, что „тушить дорого“"
    ]


def test_unmatched_opening_mark_stops_at_the_end_of_its_paragraph():
    text = (
        "He said “we will win and left.\n\nThe next paragraph has “its own quote, "
        "which is long enough to be a quote”."
    )
    quotes = spans(text, "Quote")
    assert all("\n\n" not in q.text for q in quotes)
    assert "its own quote, which is long enough to be a quote" in [q.text for q in quotes]
    assert all("next paragraph" not in q.text for q in quotes)


def test_opening_mark_further_than_the_bound_from_its_closer_proposes_nothing():
    text = "“" + "word " * (MAX_QUOTE_CHARS // 5 + 10) + "end”"
    assert spans(text, "Quote") == []


@pytest.mark.parametrize(
    "text",
    [
        "They don’t know what Russia’s plan is.",
        "Music of the ’90s is back in the players’ lounge.",
        "It’s the ministers’ call, isn’t it?",
    ],
)
def test_apostrophes_are_not_quotation_marks(text):
    assert spans(text, "Quote") == []


def test_single_quotes_around_speech_with_apostrophes_inside():
    assert texts("‘We don’t know yet,’ she said.", "Quote") == ["We don’t know yet"]


def test_quote_containing_apostrophes_is_whole():
    text = "“We don’t want to send a signal that Europe’s market is closed,” said Katrin Oberle."
    assert texts(text, "Quote") == ["We don’t want to send a signal that Europe’s market is closed"]


def test_scare_quotes_inside_reported_speech_make_a_mixed_quote():
    text = "Putin told Macron that interference is “unacceptable” in Belarus, the Kremlin said."
    (quote,) = spans(text, "Quote")
    assert quote.attrs["quote_type"] == "mixed"
    assert quote.text.startswith("interference is “unacceptable”")


def test_quoted_name_is_not_a_quote():
    text = "«Мы не открываем окна», — сказала агентству «Интерфакс» местная жительница."
    assert texts(text, "Quote") == ["Мы не открываем окна"]


def test_indirect_speech_is_an_indirect_quote():
    text = "The Czech Republic said it would convene another meeting in October."
    (quote,) = spans(text, "Quote")
    assert quote.text == "it would convene another meeting in October"
    assert quote.attrs == {"quote_type": "indirect"}


def test_according_to_makes_the_clause_an_indirect_quote():
    text = "Outage reports peaked at 1.2 million, according to the website Downdetector."
    assert texts(text, "Quote") == ["Outage reports peaked at 1.2 million"]
    assert texts(text, "Source") == ["the website Downdetector"]


# ---------------------------------------------------------------------------------------------
# Cues


@pytest.mark.parametrize(
    ("text", "cue"),
    [
        ("“Yes,” the minister said.", "said"),
        ("The minister says talks will go on.", "says"),
        ("The minister told reporters talks will go on.", "told"),
        ("Ministers have added that talks will go on.", "added"),
        ("The spokesman insisted that talks will go on.", "insisted"),
        ("The ministry denied that talks had stopped.", "denied"),
        ("Talks will go on, according to diplomats.", "according to"),
        ("“Yes,” the ministry said, quoted by AFP.", "quoted by"),
        ("The leaders called for a ceasefire.", "called for"),
        ("Prices rose, Reuters reported, citing data.", "citing"),
        ("The union warned that strikes would follow.", "warned"),
        ("« Oui », a déclaré le ministre.", "a déclaré"),
        ("« Oui », ont affirmé les syndicats.", "ont affirmé"),
        ("« Oui », a-t-elle ajouté.", "a-t-elle ajouté"),
        ("La CGT affirme que la grève continue.", "affirme"),
        ("Selon le ministère, la grève continue.", "Selon"),
        ("Le syndicat a estimé que la réforme était injuste.", "a estimé"),
        ("„Ja“, sagte der Minister.", "sagte"),
        ("„Ja“, sagt der Minister.", "sagt"),
        ("„Ja“, erklärte die Ministerin.", "erklärte"),
        ("„Ja“, betonte er.", "betonte"),
        ("Laut dem Ministerium sind die Gespräche beendet.", "Laut"),
        ("Die Gespräche seien beendet, so Roth.", "so"),
        ("Das teilte das Unternehmen am Donnerstag mit.", "teilte"),
        ("Das Ministerium kündigte an, die Hilfen zu erhöhen.", "kündigte an"),
        ("«Sí», dijo el ministro.", "dijo"),
        ("«Sí», afirmó la ministra.", "afirmó"),
        ("«Sí», declararon los sindicatos.", "declararon"),
        ("Según el ministerio, la huelga sigue.", "Según"),
        ("El gobierno aseguró que no habrá cambios.", "aseguró"),
        ("«Да», — сказал министр.", "сказал"),
        ("«Да», — сказала министр.", "сказала"),
        ("«Да», — заявили в министерстве.", "заявили"),
        ("По словам министра, переговоры продолжатся.", "По словам"),
        ("Об этом сообщило министерство.", "сообщило"),
        ("Министр отметил, что переговоры продолжатся.", "отметил"),
    ],
)
def test_finds_reporting_cues_in_each_language_with_inflections(text, cue):
    assert cue in texts(text, "Cue")


def test_cues_match_case_insensitively_on_word_boundaries():
    assert texts("ACCORDING TO AFP, talks go on.", "Cue") == ["ACCORDING TO"]
    assert texts("The unsaid truth and the sayings of old.", "Cue") == []


@pytest.mark.parametrize(
    "text",
    [
        "Betriebsbedingte Kündigungen wolle man so weit wie möglich vermeiden.",
        "More than 80 dead have been confirmed in the conflict.",
        "Officials were asked to leave.",
    ],
)
def test_words_that_look_like_cues_but_report_nothing(text):
    assert texts(text, "Cue") == []


def test_cue_inside_a_quotation_belongs_to_the_quote():
    text = "“The leaders called on both sides to stop,” said the presidency."
    assert texts(text, "Cue") == ["said"]


# ---------------------------------------------------------------------------------------------
# Sources


@pytest.mark.parametrize(
    ("text", "source"),
    [
        ("“We will win,” said Svetlana Tikhanovskaya.", "Svetlana Tikhanovskaya"),
        ("Talks will resume, according to AFP.", "AFP"),
        ("“It is unacceptable,” the presidency said, quoted by AFP.", "AFP"),
        ("“It is unacceptable,” said the Russian presidency.", "the Russian presidency"),
        ("«Да», — заявил журналистам глава штаба Николай Егоров.", "глава штаба Николай Егоров"),
        ("« Oui », a déclaré à l’AFP la ministre, Claire Vasseur, à Paris.", "Claire Vasseur"),
        (
            "„Ja“, sagte Vorstandschef Martin Kessler bei der Vorstellung.",
            "Vorstandschef Martin Kessler",
        ),
    ],
)
def test_finds_the_source_after_the_cue(text, source):
    assert source in texts(text, "Source")


@pytest.mark.parametrize(
    ("text", "source"),
    [
        ("Interference is unacceptable, the Kremlin said.", "the Kremlin"),
        ("Putin told Macron that interference is unacceptable.", "Putin"),
        ("“We are ready,” he said.", "he"),
        (
            "Russian President Vladimir Putin told Macron that it is over.",
            "Russian President Vladimir Putin",
        ),
        (
            "The Czech Republic, which holds the presidency, said it would act.",
            "The Czech Republic",
        ),
        ("Eventually the company first acknowledged that it had failed.", "the company"),
    ],
)
def test_finds_the_source_before_the_cue(text, source):
    assert source in texts(text, "Source")


def test_days_of_the_week_are_skipped_around_the_source():
    text = "Пожары усилились, сообщило во вторник региональное управление."
    assert texts(text, "Source") == ["региональное управление"]
    text = "During the visit, the French president on Tuesday asked for a ceasefire."
    assert texts(text, "Source") == ["the French president"]


def test_french_inverted_pronoun_is_the_source():
    text = "« Le gouvernement doit retirer ce texte », a-t-elle ajouté."
    assert texts(text, "Source") == ["elle"]
    assert relations(text, "attributed_to") == [("Le gouvernement doit retirer ce texte", "elle")]


@pytest.mark.parametrize(
    ("text", "source", "source_type"),
    [
        ("Talks will resume, according to AFP.", "AFP", "news_agency"),
        ("Talks will resume, Reuters reported.", "Reuters", "news_agency"),
        ("Talks will resume, the Kremlin said.", "the Kremlin", "government"),
        ("Talks will resume, the ministry said.", "the ministry", "government"),
        ("“Yes,” he said.", "he", "person"),
        ("“Yes,” said Svetlana Tikhanovskaya.", "Svetlana Tikhanovskaya", "person"),
        ("Talks will resume, the company said.", "the company", "organization"),
    ],
)
def test_guesses_the_source_type_when_obvious(text, source, source_type):
    (found,) = [s for s in spans(text, "Source") if s.text == source]
    assert found.attrs == {"source_type": source_type}


# ---------------------------------------------------------------------------------------------
# Relations


def test_quoted_by_relays_the_quote():
    text = "“All attempts are unacceptable,” the Russian presidency said, quoted by AFP."
    assert relations(text, "attributed_to") == [
        ("All attempts are unacceptable", "the Russian presidency")
    ]
    assert relations(text, "relayed_by") == [("All attempts are unacceptable", "AFP")]


def test_citing_attributes_to_the_cited_source_and_relays_by_the_reporter():
    text = "Prices rose by 200 percent, Reuters reported, citing trading data."
    assert relations(text, "attributed_to") == [("Prices rose by 200 percent", "trading data")]
    assert relations(text, "relayed_by") == [("Prices rose by 200 percent", "Reuters")]


def test_each_quote_goes_to_the_source_of_its_own_cue():
    text = (
        "“Time is running out,” Czech minister Pavel Sýkora said. "
        "“We don’t want a cap,” said Katrin Oberle, a German official."
    )
    assert relations(text, "attributed_to") == [
        ("Time is running out", "Czech minister Pavel Sýkora"),
        ("We don’t want a cap", "Katrin Oberle"),
    ]


def test_attributed_to_carries_the_cue_span():
    result = suggest("“Yes,” the minister said.")
    (rel,) = result.relations
    cue = next(s for s in result.spans if s.id == rel.attrs["cue"])
    assert (cue.label, cue.text) == ("Cue", "said")


def test_quoted_sentence_without_a_cue_continues_the_previous_speaker():
    text = "“Time is running out,” the minister said. “Families cannot wait.”"
    assert relations(text, "attributed_to") == [
        ("Time is running out", "the minister"),
        ("Families cannot wait.", "the minister"),
    ]


def test_closing_attribution_after_a_reported_clause_is_a_relay():
    text = "Putin told Macron that the talks must go on, the Kremlin said."
    assert relations(text, "attributed_to") == [("the talks must go on", "Putin")]
    assert relations(text, "relayed_by") == [("the talks must go on", "the Kremlin")]


# ---------------------------------------------------------------------------------------------
# Offsets, ids, output


def test_offsets_are_code_points_after_an_emoji():
    text = "🛠️ 🇺🇦 👨‍💻 The company wrote: “We’re working on a fix.”"
    (quote,) = spans(text, "Quote")
    assert quote.start == text.index("We’re")
    assert text[quote.start : quote.end] == quote.text == "We’re working on a fix."


def test_every_span_text_matches_its_offsets_on_the_seeds_and_unicode_samples():
    samples = [
        json.loads(line)["text"] for line in (ROOT / "tests/data/unicode-samples.jsonl").open()
    ]
    seeds = [json.loads(line)["text"] for line in (ROOT / "seeds/gold.jsonl").open()]
    for text in samples + seeds:
        for s in suggest(text).spans:
            assert 0 <= s.start < s.end <= len(text)
            assert text[s.start : s.end] == s.text


def test_ids_are_stable_and_in_text_order():
    text = "“Yes,” the minister said. Talks resume, according to AFP."
    first, second = suggest(text), suggest(text)
    assert first == second
    assert [s.id for s in first.spans] == [f"g{n}" for n in range(1, len(first.spans) + 1)]
    assert [s.start for s in first.spans] == sorted(s.start for s in first.spans)


def test_as_dict_is_json():
    result = suggest("“Yes,” the minister said, quoted by AFP.")
    data = json.loads(json.dumps(result.as_dict()))
    assert {s["label"] for s in data["spans"]} == {"Quote", "Cue", "Source"}
    assert {"id", "label", "start", "end", "text", "attrs", "confidence", "rule"} <= set(
        data["spans"][0]
    )
    assert {"id", "label", "source", "target", "confidence", "rule"} <= set(data["relations"][0])
    assert all(0 < s["confidence"] <= 1 for s in data["spans"])


@pytest.mark.fuzz
@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from([*"ab C.,:\n “”\"«»„‚‘’「」'😀", NBSP, " said ", " selon "])).map(
        "".join
    )
)
def test_any_text_gives_valid_spans_and_no_quote_across_a_blank_line(text):
    result = suggest(text)
    ids = {s.id for s in result.spans}
    for s in result.spans:
        assert 0 <= s.start < s.end <= len(text)
        assert text[s.start : s.end] == s.text
        if s.label == "Quote" and s.attrs.get("quote_type") == "direct":
            assert "\n\n" not in s.text
    assert all(r.source in ids and r.target in ids for r in result.relations)


# ---------------------------------------------------------------------------------------------
# Schema


def test_default_schema_labels_only():
    labels = {s.label for s in suggest("“Yes,” the minister said, quoted by AFP.").spans}
    assert labels <= {label["name"] for label in the_schema()["span_labels"]}


def test_suggests_only_the_labels_and_relations_in_the_schema():
    schema = the_schema()
    schema["span_labels"] = [x for x in schema["span_labels"] if x["name"] != "Source"]
    result = suggest("“Yes,” the minister said, quoted by AFP.", schema)
    assert {s.label for s in result.spans} == {"Quote", "Cue"}
    assert result.relations == []


def test_drops_relations_and_attributes_the_schema_does_not_define():
    schema = copy.deepcopy(the_schema())
    schema["relations"] = [
        {**r, "attributes": []} for r in schema["relations"] if r["name"] == "attributed_to"
    ]
    for label in schema["span_labels"]:
        if label["name"] == "Quote":
            label["attributes"][0]["choices"] = ["indirect"]
    result = suggest("“Yes,” the minister said, quoted by AFP.", schema)
    assert {r.label for r in result.relations} == {"attributed_to"}
    assert all(r.attrs == {} for r in result.relations)
    (quote,) = [s for s in result.spans if s.label == "Quote"]
    assert quote.attrs == {}  # "direct" is not a choice of this schema


# ---------------------------------------------------------------------------------------------
# Evaluation


def test_evaluate_scores_exact_and_overlap_matches():
    text = "“We are ready,” he said."
    gold = [
        {"label": "Quote", "start": 0, "end": 15},  # marks included: overlaps, not exact
        {"label": "Cue", "start": 19, "end": 23},
        {"label": "Source", "start": 30, "end": 35},  # nothing there
    ]
    scores = evaluate([(text, gold)], the_schema())
    assert scores["Quote"]["exact"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0}
    assert scores["Quote"]["overlap"]["f1"] == 1.0
    assert scores["Cue"]["exact"]["f1"] == 1.0
    assert scores["Source"]["overlap"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0}


def test_evaluate_without_gold_or_suggestions_reports_none():
    scores = evaluate([("Nothing to see here.", [])], the_schema())
    assert scores["Quote"]["overlap"] == {"precision": None, "recall": None, "f1": None}


def test_seed_articles_reach_the_tuned_targets():
    """The rules were tuned on these six articles: this guards against regressions only."""
    records = [json.loads(line) for line in (ROOT / "seeds/gold.jsonl").open(encoding="utf-8")]
    scores = evaluate([(r["text"], r["spans"]) for r in records], the_schema())
    assert scores["Quote"]["overlap"]["f1"] >= 0.9
    assert scores["Cue"]["overlap"]["f1"] >= 0.8
    assert scores["Source"]["overlap"]["f1"] >= 0.6
