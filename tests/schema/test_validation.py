"""labels.schema: the schema check, span and relation checks. Pure functions, no database."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from labels.errors import Invalid
from labels.schema import (
    DEFAULT_SCHEMA,
    RESERVED_HOTKEYS,
    check_relation,
    check_schema,
    check_span,
    default_schema,
    label_names,
    relation_attributes,
    relation_type,
    span_attributes,
    span_label,
)


def problems_of(call: Any, *args: Any) -> dict[str, str]:
    """Run a check that must fail; return {field: code} of its problems."""
    with pytest.raises(Invalid) as caught:
        call(*args)
    return {p.field: p.code for p in caught.value.problems}


def messages_of(call: Any, *args: Any) -> list[str]:
    with pytest.raises(Invalid) as caught:
        call(*args)
    return [p.message for p in caught.value.problems]


def minimal() -> dict[str, Any]:
    return {"id": "mini", "version": 1, "span_labels": [{"name": "Quote", "color": "#2563EB"}]}


@pytest.fixture
def schema() -> dict[str, Any]:
    return default_schema()


# --- the default schema ---------------------------------------------------------------------


def test_default_schema_passes_and_is_already_normalised():
    assert check_schema(DEFAULT_SCHEMA) == DEFAULT_SCHEMA


def test_default_schema_has_the_labels_hotkeys_and_relations_of_the_design():
    assert label_names(DEFAULT_SCHEMA) == ["Quote", "Source", "Cue", "Claim", "Stance"]
    assert [x["hotkey"] for x in DEFAULT_SCHEMA["span_labels"]] == ["1", "2", "3", "4", "5"]
    assert [r["name"] for r in DEFAULT_SCHEMA["relations"]] == [
        "attributed_to",
        "relayed_by",
        "held_by",
        "toward",
    ]
    assert span_attributes(DEFAULT_SCHEMA, "Cue") == []
    assert [a["name"] for a in span_attributes(DEFAULT_SCHEMA, "Stance")] == ["polarity", "target"]
    assert relation_attributes(DEFAULT_SCHEMA, "attributed_to") == [
        {"name": "cue", "type": "span", "required": False, "labels": ["Cue"]}
    ]


def _contrast(color: str, other: str) -> float:
    def luminance(hex_color: str) -> float:
        channels = [int(hex_color[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    high, low = sorted([luminance(color), luminance(other)], reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_default_colours_are_distinct_and_readable_with_dark_or_white_text():
    colors = [x["color"] for x in DEFAULT_SCHEMA["span_labels"]]
    assert len(set(colors)) == len(colors)
    for color in colors:
        assert max(_contrast(color, "#ffffff"), _contrast(color, "#111827")) >= 4.5, color


def test_default_schema_returns_an_independent_copy():
    copied = default_schema()
    copied["span_labels"][0]["attributes"][0]["choices"].append("other")
    assert DEFAULT_SCHEMA["span_labels"][0]["attributes"][0]["choices"] == [
        "direct",
        "indirect",
        "mixed",
    ]


def test_default_hotkeys_avoid_the_reserved_keys():
    assert not {x["hotkey"] for x in DEFAULT_SCHEMA["span_labels"]} & set(RESERVED_HOTKEYS)


# --- check_schema: normalising --------------------------------------------------------------


def test_fills_defaults_and_lowercases_colours():
    raw = minimal()
    raw["span_labels"][0]["attributes"] = [
        {"name": "note", "type": "text"},
        {"name": "ok", "type": "boolean", "required": True},
    ]
    assert check_schema(raw) == {
        "id": "mini",
        "version": 1,
        "allow_overlap": True,
        "span_labels": [
            {
                "name": "Quote",
                "color": "#2563eb",
                "hotkey": None,
                "description": "",
                "attributes": [
                    {"name": "note", "type": "text", "required": False, "max_length": 500},
                    {"name": "ok", "type": "boolean", "required": True},
                ],
            }
        ],
        "relations": [],
    }


def test_does_not_modify_its_input():
    raw = minimal()
    before = copy.deepcopy(raw)
    check_schema(raw)
    assert raw == before


def test_accepts_names_in_other_scripts_and_with_spaces_underscores_and_hyphens():
    raw = minimal()
    raw["span_labels"][0]["name"] = "Äußerung indirekt_2-a"
    assert label_names(check_schema(raw)) == ["Äußerung indirekt_2-a"]


# --- check_schema: the whole document -------------------------------------------------------


@pytest.mark.parametrize("value", [None, [], "schema", 3])
def test_rejects_schema_that_is_not_an_object(value):
    assert problems_of(check_schema, value) == {"": "not_object"}


def test_rejects_unknown_top_level_key():
    raw = minimal() | {"colour_scheme": "dark"}
    assert problems_of(check_schema, raw) == {"colour_scheme": "unknown_key"}


@pytest.mark.parametrize(
    ("value", "code"),
    [
        (None, "required"),
        ("", "blank"),
        ("   ", "blank"),
        (7, "invalid_type"),
        ("a<b", "invalid_characters"),
    ],
)
def test_rejects_missing_or_empty_id(value, code):
    raw = minimal() | {"id": value}
    assert problems_of(check_schema, raw) == {"id": code}


def test_rejects_schema_without_id():
    raw = minimal()
    del raw["id"]
    assert problems_of(check_schema, raw) == {"id": "required"}


@pytest.mark.parametrize("value", [0, -1, 1.5, "1", True, None])
def test_rejects_version_that_is_not_a_positive_whole_number(value):
    raw = minimal() | {"version": value}
    assert problems_of(check_schema, raw) == {"version": "invalid_value"}


def test_rejects_schema_without_version():
    raw = minimal()
    del raw["version"]
    assert problems_of(check_schema, raw) == {"version": "required"}


def test_rejects_allow_overlap_that_is_not_true_or_false():
    assert problems_of(check_schema, minimal() | {"allow_overlap": "yes"}) == {
        "allow_overlap": "invalid_type"
    }


@pytest.mark.parametrize(
    ("value", "code"), [([], "empty"), ({}, "invalid_type"), ("Quote", "invalid_type")]
)
def test_rejects_span_labels_that_are_not_a_non_empty_list(value, code):
    assert problems_of(check_schema, minimal() | {"span_labels": value}) == {"span_labels": code}


def test_rejects_schema_without_span_labels():
    raw = minimal()
    del raw["span_labels"]
    assert problems_of(check_schema, raw) == {"span_labels": "required"}


# --- check_schema: span labels --------------------------------------------------------------


def with_label(**fields: Any) -> dict[str, Any]:
    raw = minimal()
    raw["span_labels"].append({"name": "Source", "color": "#0d9488"} | fields)
    return raw


def test_rejects_span_label_that_is_not_an_object():
    raw = minimal()
    raw["span_labels"].append("Source")
    assert problems_of(check_schema, raw) == {"span_labels[1]": "not_object"}


def test_rejects_unknown_key_in_span_label():
    assert problems_of(check_schema, with_label(colour="#ffffff")) == {
        "span_labels[1].colour": "unknown_key"
    }


def test_rejects_label_without_name():
    raw = minimal()
    raw["span_labels"].append({"color": "#0d9488"})
    assert problems_of(check_schema, raw) == {"span_labels[1].name": "required"}


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("", "blank"),
        (12, "invalid_type"),
        ("x" * 51, "too_long"),
        ("<b>Source</b>", "invalid_characters"),
        ("Source\n", "invalid_characters"),
        ("Sour\x1bce", "invalid_characters"),
        ("Source!", "invalid_characters"),
        ("Source.name", "invalid_characters"),
        (" Source", "invalid_characters"),
    ],
)
def test_rejects_bad_label_name(name, code):
    assert problems_of(check_schema, with_label(name=name)) == {"span_labels[1].name": code}


def test_accepts_label_name_of_exactly_fifty_characters():
    assert check_schema(with_label(name="x" * 50))


def test_name_message_shows_control_characters_spelt_out():
    [message] = messages_of(check_schema, with_label(name="Sour\x1bce"))
    assert "U+001B" in message and "\x1b" not in message


def test_rejects_duplicate_label_name():
    assert problems_of(check_schema, with_label(name="Quote")) == {
        "span_labels[1].name": "duplicate"
    }


def test_rejects_label_names_that_differ_only_in_case():
    assert problems_of(check_schema, with_label(name="QUOTE")) == {
        "span_labels[1].name": "duplicate"
    }


@pytest.mark.parametrize(
    "color", ["2563eb", "#2563e", "#2563ebff", "#25g3eb", "blue", "#2563eb\n", "<b>", 0x2563EB]
)
def test_rejects_colour_not_written_as_hash_and_six_hex_digits(color):
    assert problems_of(check_schema, with_label(color=color)) == {
        "span_labels[1].color": "invalid_color"
    }


def test_rejects_label_without_colour():
    raw = minimal()
    raw["span_labels"].append({"name": "Source"})
    assert problems_of(check_schema, raw) == {"span_labels[1].color": "required"}


@pytest.mark.parametrize(
    ("hotkey", "code"),
    [
        ("12", "invalid_hotkey"),
        ("", "invalid_hotkey"),
        ("\n", "invalid_hotkey"),
        ("\t", "invalid_hotkey"),
        ("<", "invalid_hotkey"),
        (">", "invalid_hotkey"),
        (1, "invalid_type"),
    ],
)
def test_rejects_hotkey_that_is_not_one_printable_key(hotkey, code):
    assert problems_of(check_schema, with_label(hotkey=hotkey)) == {"span_labels[1].hotkey": code}


@pytest.mark.parametrize("hotkey", RESERVED_HOTKEYS)
def test_rejects_reserved_hotkey(hotkey):
    assert problems_of(check_schema, with_label(hotkey=hotkey)) == {
        "span_labels[1].hotkey": "reserved_hotkey"
    }


def test_reserved_hotkeys_are_the_agreed_list():
    assert set(RESERVED_HOTKEYS) == {"?", " ", *"axlnprdghjkuz"}


def test_reserved_hotkey_message_names_space_in_words():
    [message] = messages_of(check_schema, with_label(hotkey=" "))
    assert message.startswith("“space” is kept")


def test_rejects_duplicate_hotkey_and_names_the_label_using_it():
    raw = minimal()
    raw["span_labels"][0]["hotkey"] = "1"
    raw["span_labels"].append({"name": "Source", "color": "#0d9488", "hotkey": "1"})
    assert problems_of(check_schema, raw) == {"span_labels[1].hotkey": "duplicate"}
    assert "Quote" in messages_of(check_schema, raw)[0]


def test_accepts_uppercase_hotkey_of_a_reserved_letter():
    assert check_schema(with_label(hotkey="A"))["span_labels"][1]["hotkey"] == "A"


def test_rejects_description_that_is_not_text():
    assert problems_of(check_schema, with_label(description=["a"])) == {
        "span_labels[1].description": "invalid_type"
    }


# --- check_schema: attributes ---------------------------------------------------------------


def with_attribute(**attribute: Any) -> dict[str, Any]:
    return with_label(attributes=[{"name": "kind", "type": "choice", "choices": ["a"]}, attribute])


AT = "span_labels[1].attributes[1]"


def test_rejects_attributes_that_are_not_a_list():
    assert problems_of(check_schema, with_label(attributes={"name": "kind"})) == {
        "span_labels[1].attributes": "invalid_type"
    }


def test_rejects_attribute_that_is_not_an_object():
    raw = with_label(attributes=["kind"])
    assert problems_of(check_schema, raw) == {"span_labels[1].attributes[0]": "not_object"}


def test_rejects_unknown_attribute_type():
    assert problems_of(check_schema, with_attribute(name="n", type="number")) == {
        f"{AT}.type": "unknown_type"
    }


def test_rejects_attribute_without_type():
    assert problems_of(check_schema, with_attribute(name="n")) == {f"{AT}.type": "required"}


def test_rejects_attribute_without_name():
    assert problems_of(check_schema, with_attribute(type="boolean")) == {f"{AT}.name": "required"}


def test_rejects_duplicate_attribute_names():
    assert problems_of(check_schema, with_attribute(name="Kind", type="boolean")) == {
        f"{AT}.name": "duplicate"
    }


def test_rejects_required_that_is_not_true_or_false():
    assert problems_of(check_schema, with_attribute(name="n", type="boolean", required="no")) == {
        f"{AT}.required": "invalid_type"
    }


@pytest.mark.parametrize(
    ("choices", "field", "code"),
    [
        (None, "choices", "required"),
        ([], "choices", "empty"),
        ("yes,no", "choices", "invalid_type"),
        (["yes", 1], "choices[1]", "invalid_type"),
        (["yes", " "], "choices[1]", "blank"),
        (["yes", "yes"], "choices[1]", "duplicate"),
        (["yes", "Yes"], "choices[1]", "duplicate"),
        (["yes", "n\x00o"], "choices[1]", "invalid_characters"),
        (["yes", "n" * 101], "choices[1]", "too_long"),
    ],
)
def test_rejects_choice_attribute_without_usable_choices(choices, field, code):
    attribute = {"name": "n", "type": "choice"}
    if choices is not None:
        attribute["choices"] = choices
    assert problems_of(check_schema, with_attribute(**attribute)) == {f"{AT}.{field}": code}


def test_rejects_setting_that_belongs_to_another_attribute_type():
    raw = with_attribute(name="n", type="boolean", choices=["yes", "no"])
    assert problems_of(check_schema, raw) == {f"{AT}.choices": "unknown_key"}


@pytest.mark.parametrize("max_length", [0, -5, "100", True, 10_001])
def test_rejects_text_max_length_out_of_range(max_length):
    raw = with_attribute(name="n", type="text", max_length=max_length)
    assert problems_of(check_schema, raw) == {f"{AT}.max_length": "invalid_value"}


def test_rejects_span_attribute_naming_unknown_label():
    raw = with_attribute(name="cue", type="span", labels=["Quote", "Cue"])
    assert problems_of(check_schema, raw) == {f"{AT}.labels[1]": "unknown_label"}


def test_unknown_label_message_suggests_the_label_differing_only_in_case():
    raw = with_attribute(name="cue", type="span", labels=["quote"])
    assert messages_of(check_schema, raw) == [
        "There is no span label named “quote”. Did you mean “Quote”?"
    ]


@pytest.mark.parametrize(
    ("labels", "code"), [(None, "required"), ([], "empty"), ("Quote", "invalid_type")]
)
def test_rejects_span_attribute_without_labels(labels, code):
    attribute = {"name": "cue", "type": "span"}
    if labels is not None:
        attribute["labels"] = labels
    assert problems_of(check_schema, with_attribute(**attribute)) == {f"{AT}.labels": code}


def test_span_attribute_may_refer_to_a_label_defined_later():
    raw = minimal()
    raw["span_labels"][0]["attributes"] = [{"name": "by", "type": "span", "labels": ["Source"]}]
    raw["span_labels"].append({"name": "Source", "color": "#0d9488"})
    assert check_schema(raw)["span_labels"][0]["attributes"][0]["labels"] == ["Source"]


# --- check_schema: relations ----------------------------------------------------------------


def with_relation(**relation: Any) -> dict[str, Any]:
    raw = with_label()
    raw["relations"] = [{"name": "about", "from": ["Quote"], "to": ["Source"]}, relation]
    return raw


def test_rejects_relations_that_are_not_a_list():
    assert problems_of(check_schema, with_label() | {"relations": {}}) == {
        "relations": "invalid_type"
    }


def test_rejects_duplicate_relation_names():
    raw = with_relation(name="about", **{"from": ["Source"], "to": ["Quote"]})
    assert problems_of(check_schema, raw) == {"relations[1].name": "duplicate"}


@pytest.mark.parametrize(
    ("end", "value", "code"),
    [("from", [], "empty"), ("to", [], "empty"), ("to", "Source", "invalid_type")],
)
def test_rejects_relation_with_empty_end(end, value, code):
    relation = {"name": "by", "from": ["Quote"], "to": ["Source"], end: value}
    assert problems_of(check_schema, with_relation(**relation)) == {f"relations[1].{end}": code}


def test_rejects_relation_without_ends():
    assert problems_of(check_schema, with_relation(name="by")) == {
        "relations[1].from": "required",
        "relations[1].to": "required",
    }


def test_rejects_relation_naming_unknown_label():
    raw = with_relation(name="by", **{"from": ["Quote", "Claim"], "to": ["Source"]})
    assert problems_of(check_schema, raw) == {"relations[1].from[1]": "unknown_label"}


def test_rejects_label_listed_twice_in_a_relation_end():
    raw = with_relation(name="by", **{"from": ["Quote"], "to": ["Source", "Source"]})
    assert problems_of(check_schema, raw) == {"relations[1].to[1]": "duplicate"}


def test_rejects_bad_relation_name_and_unknown_relation_key():
    raw = with_relation(name="by<", **{"from": ["Quote"], "to": ["Source"], "directed": True})
    assert problems_of(check_schema, raw) == {
        "relations[1].name": "invalid_characters",
        "relations[1].directed": "unknown_key",
    }


def test_checks_relation_attributes_like_span_attributes():
    raw = with_relation(
        name="by",
        **{"from": ["Quote"], "to": ["Source"]},
        attributes=[{"name": "cue", "type": "span", "labels": ["Cue"]}],
    )
    assert problems_of(check_schema, raw) == {
        "relations[1].attributes[0].labels[0]": "unknown_label"
    }


# --- check_schema: all problems together ----------------------------------------------------


def test_reports_all_problems_together():
    raw = {
        "id": "",
        "version": 0,
        "span_labels": [
            {"name": "Quote", "color": "blue", "hotkey": "a"},
            {"name": "Quote", "color": "#0d9488", "attributes": [{"name": "t", "type": "choice"}]},
        ],
        "relations": [{"name": "r", "from": ["Nope"], "to": []}],
        "extra": 1,
    }
    assert problems_of(check_schema, raw) == {
        "extra": "unknown_key",
        "id": "blank",
        "version": "invalid_value",
        "span_labels[0].color": "invalid_color",
        "span_labels[0].hotkey": "reserved_hotkey",
        "span_labels[1].name": "duplicate",
        "span_labels[1].attributes[0].choices": "required",
        "relations[0].from[0]": "unknown_label",
        "relations[0].to": "empty",
    }


def test_does_not_report_references_when_span_labels_are_unreadable():
    raw = minimal() | {
        "span_labels": "Quote",
        "relations": [{"name": "r", "from": ["Quote"], "to": ["Quote"]}],
    }
    assert problems_of(check_schema, raw) == {"span_labels": "invalid_type"}


# --- accessors ------------------------------------------------------------------------------


def test_accessors_find_labels_and_relations_by_exact_name(schema):
    assert span_label(schema, "Quote")["hotkey"] == "1"
    assert span_label(schema, "quote") is None
    assert relation_type(schema, "toward")["to"] == ["Quote", "Claim", "Source"]
    assert relation_type(schema, "nope") is None
    assert span_attributes(schema, "Nope") == []
    assert relation_attributes(schema, "nope") == []


# --- check_span -----------------------------------------------------------------------------


def test_span_cleans_attributes(schema):
    assert check_span(schema, "Quote", {"quote_type": "direct"}) == {"quote_type": "direct"}
    assert check_span(schema, "Cue", {}) == {}
    assert check_span(schema, "Source", {}) == {}
    assert check_span(schema, "Source", {"source_type": None}) == {}
    assert check_span(schema, "Stance", {"target": "  the bill ", "polarity": "against"}) == {
        "polarity": "against",
        "target": "the bill",
    }
    assert check_span(schema, "Stance", {"polarity": "favor", "target": "   "}) == {
        "polarity": "favor"
    }


def test_span_rejects_unknown_label(schema):
    assert problems_of(check_span, schema, "Person", {}) == {"label": "unknown_label"}
    assert (
        "Quote, Source, Cue, Claim and Stance" in messages_of(check_span, schema, "Person", {})[0]
    )


@pytest.mark.parametrize("attrs", [None, [], "direct"])
def test_span_rejects_attrs_that_are_not_an_object(schema, attrs):
    assert problems_of(check_span, schema, "Quote", attrs) == {"attrs": "not_object"}


def test_span_rejects_unknown_attribute(schema):
    attrs = {"quote_type": "direct", "speaker": "x"}
    assert problems_of(check_span, schema, "Quote", attrs) == {"attrs.speaker": "unknown_attribute"}
    assert messages_of(check_span, schema, "Cue", {"x": 1}) == [
        "Cue spans have no attribute “x”; they have no attributes."
    ]


@pytest.mark.parametrize(
    ("label", "attrs", "field"),
    [
        ("Quote", {"quote_type": 1}, "quote_type"),
        ("Quote", {"quote_type": ["direct"]}, "quote_type"),
        ("Stance", {"polarity": "favor", "target": 3}, "target"),
        ("Stance", {"polarity": True}, "polarity"),
    ],
)
def test_span_rejects_wrong_type(schema, label, attrs, field):
    assert problems_of(check_span, schema, label, attrs) == {f"attrs.{field}": "invalid_type"}


def test_span_rejects_value_not_among_choices(schema):
    assert problems_of(check_span, schema, "Quote", {"quote_type": "Direct"}) == {
        "attrs.quote_type": "invalid_choice"
    }
    assert messages_of(check_span, schema, "Claim", {"checkworthy": "maybe"}) == [
        "“maybe” is not a choice for checkworthy; choose yes or no."
    ]


def test_span_rejects_missing_required_attribute(schema):
    assert problems_of(check_span, schema, "Quote", {}) == {"attrs.quote_type": "required"}
    assert problems_of(check_span, schema, "Quote", {"quote_type": None}) == {
        "attrs.quote_type": "required"
    }


def test_span_rejects_stance_without_polarity(schema):
    assert messages_of(check_span, schema, "Stance", {"target": "the bill"}) == [
        "Stance spans need a polarity: favor, against or neutral."
    ]


def test_span_rejects_text_longer_than_max_length(schema):
    ok = check_span(schema, "Stance", {"polarity": "neutral", "target": "t" * 500})
    assert len(ok["target"]) == 500
    attrs = {"polarity": "neutral", "target": "t" * 501}
    assert problems_of(check_span, schema, "Stance", attrs) == {"attrs.target": "too_long"}


def test_span_checks_boolean_and_span_attributes_by_type_only():
    schema = check_schema(
        with_label(
            attributes=[
                {"name": "verified", "type": "boolean"},
                {"name": "same_as", "type": "span", "labels": ["Source"]},
            ]
        )
    )
    assert check_span(schema, "Source", {"verified": False, "same_as": 17}) == {
        "verified": False,
        "same_as": 17,
    }
    assert check_span(schema, "Source", {"same_as": "s-3"}) == {"same_as": "s-3"}
    assert problems_of(check_span, schema, "Source", {"verified": "yes", "same_as": True}) == {
        "attrs.verified": "invalid_type",
        "attrs.same_as": "invalid_type",
    }


def test_span_reports_all_attribute_problems_together(schema):
    attrs = {"target": 5, "mood": "x"}
    assert problems_of(check_span, schema, "Stance", attrs) == {
        "attrs.mood": "unknown_attribute",
        "attrs.polarity": "required",
        "attrs.target": "invalid_type",
    }


# --- check_relation -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("relation", "from_label", "to_label"),
    [
        ("attributed_to", "Quote", "Source"),
        ("attributed_to", "Claim", "Source"),
        ("relayed_by", "Quote", "Source"),
        ("relayed_by", "Claim", "Source"),
        ("held_by", "Stance", "Source"),
        ("toward", "Stance", "Quote"),
        ("toward", "Stance", "Claim"),
        ("toward", "Stance", "Source"),
    ],
)
def test_relation_allows_the_pairs_of_the_design(schema, relation, from_label, to_label):
    assert check_relation(schema, relation, from_label, to_label, {}) == {}


@pytest.mark.parametrize(
    ("relation", "from_label", "to_label", "field"),
    [
        ("attributed_to", "Cue", "Source", "from"),
        ("attributed_to", "Quote", "Claim", "to"),
        ("relayed_by", "Source", "Quote", "from"),
        ("held_by", "Stance", "Quote", "to"),
        ("toward", "Quote", "Stance", "from"),
        ("toward", "Stance", "Cue", "to"),
    ],
)
def test_relation_rejects_pairs_outside_the_design(schema, relation, from_label, to_label, field):
    assert problems_of(check_relation, schema, relation, from_label, to_label, {}) == {
        field: "pair_not_allowed"
    }


def test_forbidden_pair_message_names_both_labels(schema):
    assert messages_of(check_relation, schema, "attributed_to", "Cue", "Source", {}) == [
        "attributed_to goes from Quote or Claim to Source, not from Cue to Source."
    ]


def test_relation_rejects_unknown_relation(schema):
    assert problems_of(check_relation, schema, "quoted_by", "Quote", "Source", {}) == {
        "label": "unknown_relation"
    }


def test_relation_cleans_cue_attribute(schema):
    assert check_relation(schema, "attributed_to", "Quote", "Source", {"cue": 12}) == {"cue": 12}
    assert check_relation(schema, "attributed_to", "Quote", "Source", {"cue": None}) == {}


def test_relation_reports_pair_and_attribute_problems_together(schema):
    attrs = {"cue": 1.5, "strength": 3}
    assert problems_of(check_relation, schema, "attributed_to", "Stance", "Source", attrs) == {
        "from": "pair_not_allowed",
        "attrs.strength": "unknown_attribute",
        "attrs.cue": "invalid_type",
    }


def test_relation_rejects_attrs_that_are_not_an_object(schema):
    assert problems_of(check_relation, schema, "held_by", "Stance", "Source", None) == {
        "attrs": "not_object"
    }
