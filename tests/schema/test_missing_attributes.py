"""``missing_attributes``: the one definition of an incomplete span."""

import pytest

from labels.schema import default_schema, missing_attributes

SCHEMA = default_schema()


@pytest.mark.parametrize(
    ("label", "attrs", "missing"),
    [
        ("Quote", {}, ["quote_type"]),
        ("Quote", None, ["quote_type"]),
        ("Quote", {"quote_type": None}, ["quote_type"]),
        ("Quote", {"quote_type": "  "}, ["quote_type"]),
        ("Quote", {"quote_type": "direct"}, []),
        ("Stance", {"target": "the bill"}, ["polarity"]),
        ("Stance", {"polarity": "favor"}, []),
        ("Source", {}, []),  # source_type is optional
        ("Cue", {}, []),
        ("Nonesuch", {}, []),
    ],
)
def test_missing_attributes_names_the_required_ones_without_a_value(label, attrs, missing):
    assert missing_attributes(SCHEMA, label, attrs) == missing


def test_false_is_a_value_of_a_required_boolean():
    schema = {
        "span_labels": [
            {"name": "X", "attributes": [{"name": "flag", "type": "boolean", "required": True}]}
        ]
    }
    assert missing_attributes(schema, "X", {"flag": False}) == []
    assert missing_attributes(schema, "X", {}) == ["flag"]
