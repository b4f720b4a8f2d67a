"""The schema editor (static/js/settings/schema_model.js) gives a new label the first of its
DEFAULT_COLOURS that no label has: they start with the default schema's colours, in its order,
so that a label removed and added again gets back the colour the default schema gives it."""

import json
import re
from pathlib import Path

from labels.schema import DEFAULT_SCHEMA

MODEL = Path(__file__).resolve().parents[2] / "static" / "js" / "settings" / "schema_model.js"


def editor_colours() -> list[str]:
    found = re.search(r"export const DEFAULT_COLOURS = (\[[^\]]*\]);", MODEL.read_text())
    assert found, "DEFAULT_COLOURS is no longer a literal list in schema_model.js"
    return json.loads(found.group(1))


def test_the_editor_offers_the_default_schemas_colours_first():
    defaults = [label["color"] for label in DEFAULT_SCHEMA["span_labels"]]
    colours = editor_colours()
    assert colours[: len(defaults)] == defaults
    assert len(set(colours)) == len(colours)
