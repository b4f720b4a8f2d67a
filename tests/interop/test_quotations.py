"""``infer_quote_type``: direct, mixed or indirect from the quotation marks, table-driven.

Each case marks the span with ``[`` and ``]`` inside its text; the text around the span counts
(a span may be the inside of a quotation whose marks stand just outside it)."""

import pytest

from labels.interop.quotations import infer_quote_type


def infer(marked: str) -> str:
    start, end = marked.index("["), marked.index("]")
    text = marked[:start] + marked[start + 1 : end] + marked[end + 1 :]
    return infer_quote_type(text, start, end - 1)


DIRECT = [
    "[“We will win.”]",  # English, with its marks
    "He said: “[We will win].”",  # without them, the marks just outside
    "“[We will win],” he said.",  # the comma inside the closing mark
    "[“We will win”].",
    '["We will win"]',  # typewriter double quotes
    "['No way']",  # typewriter single quotes
    "[‘I don’t know’]",  # the apostrophe in don’t closes nothing
    "[''We will,''] he said.",  # NYT archive: two apostrophes
    "''[We will],'' he said.",
    "[«Nous ne céderons pas»]",  # French, no space
    "« [Nous ne céderons pas] », a-t-il dit",  # French, with no-break spaces
    "[»Det er slut«]",  # Danish
    "[„Wir schaffen das“]",  # German
    "„[Wir schaffen das]“, sagte sie",
    "[„Nie ustąpimy”]",  # Polish
    "[‚Nein‘]",  # German single
    "[‹Non›]",
    "[「わかりました」]",  # Japanese
    "[『好』]",
    "  [ “Spaces around”  ]  ",
]

MIXED = [
    "[He called the plan “dead on arrival”]",
    "[Il a dit « non » hier]",
    "[She said the talks were ''very productive'' and would go on]",
    "[Der Minister sagte, er werde „nicht nachgeben“]",
    "[“We will win,” he said]",
    "[“a” and “b”]",  # two quotations are not one
    "[They spoke of a 'managed decline' of the town]",
    "[他说「明天」会更好]",
]

INDIRECT = [
    "[The minister said the talks had failed]",
    "[He said they don’t know]",  # an apostrophe is no quotation
    "[Jones' aides said it's over]",
    "[He said the '90s were rough]",
    '[They said 5" of rain fell]',  # inches
    "He said [the talks failed] on “Monday”",  # quotation marks elsewhere in the text
    "“Yes,” [he said]",  # after a quotation, not inside it
    "[“Unclosed quotation goes on]",
]


@pytest.mark.parametrize("marked", DIRECT)
def test_a_span_that_is_one_quotation_is_direct(marked):
    assert infer(marked) == "direct"


@pytest.mark.parametrize("marked", MIXED)
def test_a_span_that_contains_a_quotation_is_mixed(marked):
    assert infer(marked) == "mixed"


@pytest.mark.parametrize("marked", INDIRECT)
def test_a_span_without_a_quotation_is_indirect(marked):
    assert infer(marked) == "indirect"
