"""What a manager is told when the tokenizer language of a token export cannot be used: in
words, which language it is and what to do, never the name of a Python exception."""

from __future__ import annotations

import importlib.util
import pkgutil
import re
from pathlib import Path

import pytest
import spacy.lang

from labels.errors import Invalid
from labels.interop.tokens import load_tokenizer, unavailable_reason

DOCS = Path(__file__).resolve().parents[2] / "docs" / "export.md"


def _message(lang: str) -> str:
    with pytest.raises(Invalid) as caught:
        load_tokenizer(lang)
    (problem,) = caught.value.problems
    assert (problem.field, problem.code) == ("lang", "unsupported")
    return problem.message


def test_an_unknown_code_is_named_and_the_usual_codes_offered():
    message = _message("qq")
    assert message.startswith("“qq” is not a language code spaCy knows.")
    assert "en (English)" in message and "xx for any language" in message
    assert "Error" not in message  # no exception class (it said "(ImportError)")


def test_a_language_whose_spacy_extra_is_missing_says_how_to_add_it():
    # Japanese needs spaCy's "ja" extra (SudachiPy), which this project does not install.
    assert importlib.util.find_spec("sudachipy") is None
    assert _message("ja") == (
        "The Japanese tokenizer (“ja”) needs a package that is not installed on this server. "
        'Whoever runs the server can add it with pip install "spacy[ja]"; until then, use xx, '
        "which suits any language."
    )


def test_a_language_that_needs_a_package_spacy_has_no_extra_for_passes_on_its_words():
    # Vietnamese needs pyvi, which this project does not install and spaCy has no extra for.
    assert importlib.util.find_spec("pyvi") is None
    message = _message("vi")
    assert message.startswith(
        "The Vietnamese tokenizer (“vi”) needs a package that is not installed on this server. "
        "spaCy says: Pyvi not installed."
    )
    assert message.endswith(
        "Ask whoever runs the server to install it; until then, use xx, which suits any language."
    )
    assert "ImportError" not in message


def test_a_two_word_language_name_reads_as_words():
    reason = unavailable_reason("nn", ValueError("broken"))
    assert reason.startswith("spaCy could not load the Norwegian Nynorsk tokenizer (“nn”): broken.")
    assert reason.endswith("until then, use xx, which suits any language.")


def test_the_export_guide_lists_every_code_the_message_sends_people_to():
    listed = set(re.findall(r"\b[a-z]{2,3}\b", DOCS.read_text(encoding="utf-8")))
    codes = {m.name for m in pkgutil.iter_modules(spacy.lang.__path__) if m.ispkg}
    assert codes - listed == set()
