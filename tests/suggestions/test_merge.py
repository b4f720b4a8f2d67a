"""Near-duplicate suggestions of different suggesters are shown as one (labels.suggestions.combine):
a table of pairs, and the merge seen through suggestions_for with a real HTTP suggester."""

from __future__ import annotations

import pytest

from labels.annotation import queue
from labels.models import Suggesters
from labels.suggestions import combine
from tests.support.suggester_server import span


def item(label, start, end, source, confidence=None):
    return {
        "key": f"{label}:{start}:{end}",
        "label": label,
        "start": start,
        "end": end,
        "confidence": confidence,
        "source": source,
    }


# (first, second, kept keys with their sources, aliases); first has priority over second.
CASES = [
    pytest.param(
        item("Quote", 0, 100, "http", 0.6),
        item("Quote", 0, 90, "builtin", 0.9),
        {"Quote:0:90": ["builtin", "http"]},
        {"Quote:0:100": "Quote:0:90"},
        id="iou-0.9-better-score-wins",
    ),
    pytest.param(
        item("Quote", 0, 100, "http", 0.95),
        item("Quote", 1, 99, "builtin", 0.9),
        {"Quote:0:100": ["http", "builtin"]},
        {"Quote:1:99": "Quote:0:100"},
        id="iou-0.98-first-scores-higher",
    ),
    pytest.param(
        item("Quote", 0, 100, "http", 0.5),
        item("Quote", 0, 80, "builtin", 0.9),
        {"Quote:0:80": ["builtin", "http"]},
        {"Quote:0:100": "Quote:0:80"},
        id="iou-exactly-0.8-merges",
    ),
    pytest.param(
        item("Quote", 0, 100, "http", 0.5),
        item("Quote", 0, 79, "builtin", 0.9),
        {"Quote:0:100": ["http"], "Quote:0:79": ["builtin"]},
        {},
        id="iou-0.79-stays-two",
    ),
    pytest.param(
        item("Quote", 0, 100, "http", 0.5),
        item("Claim", 0, 100, "builtin", 0.9),
        {"Quote:0:100": ["http"], "Claim:0:100": ["builtin"]},
        {},
        id="other-label-stays",
    ),
    pytest.param(
        item("Quote", 0, 100, "builtin", 0.5),
        item("Quote", 2, 100, "builtin", 0.9),
        {"Quote:0:100": ["builtin"], "Quote:2:100": ["builtin"]},
        {},
        id="same-suggester-keeps-both",
    ),
    pytest.param(
        item("Quote", 0, 100, "http"),
        item("Quote", 0, 95, "builtin", 0.9),
        {"Quote:0:100": ["http", "builtin"]},
        {"Quote:0:95": "Quote:0:100"},
        id="no-confidence-priority-wins",
    ),
    pytest.param(
        item("Quote", 0, 100, "http", 0.7),
        item("Quote", 3, 98, "builtin", 0.7),
        {"Quote:0:100": ["http", "builtin"]},
        {"Quote:3:98": "Quote:0:100"},
        id="tie-priority-wins",
    ),
    pytest.param(
        item("Quote", 0, 100, "http", 0.1),
        item("Quote", 0, 100, "builtin", 0.9),
        {"Quote:0:100": ["http", "builtin"]},
        {},
        id="same-key-first-to-propose-wins",
    ),
    pytest.param(
        item("Cue", 10, 14, "http", 0.5),
        item("Cue", 11, 14, "builtin", 0.9),
        {"Cue:10:14": ["http"], "Cue:11:14": ["builtin"]},
        {},
        id="short-spans-iou-0.75-stay-two",
    ),
    pytest.param(
        item("Quote", 0, 10, "http", 0.5),
        item("Quote", 10, 20, "builtin", 0.9),
        {"Quote:0:10": ["http"], "Quote:10:20": ["builtin"]},
        {},
        id="touching-do-not-overlap",
    ),
]


@pytest.mark.parametrize(("first", "second", "kept", "aliases"), CASES)
def test_near_duplicates_of_different_suggesters_merge(first, second, kept, aliases):
    merged, renamed = combine.merge_near_duplicates([first, second])
    assert {m["key"]: m["sources"] for m in merged} == kept
    assert renamed == aliases


def test_three_suggesters_on_one_quote_leave_one_with_every_source():
    merged, renamed = combine.merge_near_duplicates(
        [
            item("Quote", 0, 100, "import", 0.4),
            item("Quote", 0, 98, "http", 0.8),
            item("Quote", 1, 100, "builtin", 0.6),
        ]
    )
    assert [(m["key"], m["sources"]) for m in merged] == [
        ("Quote:0:98", ["http", "import", "builtin"])
    ]
    assert renamed == {"Quote:0:100": "Quote:0:98", "Quote:1:100": "Quote:0:98"}


def test_merging_keeps_the_order_and_scales_to_a_long_article():
    first = [item("Quote", i * 100, i * 100 + 50, "http", 0.5) for i in range(3000)]
    second = [item("Quote", i * 100 + 1, i * 100 + 50, "builtin", 0.9) for i in range(3000)]
    merged, renamed = combine.merge_near_duplicates(first + second)
    assert [m["start"] for m in merged] == [i * 100 + 1 for i in range(3000)]
    assert len(renamed) == 3000


TEXT = "The Kremlin said “we are ready to talk” on Monday."


@pytest.mark.django_db
@pytest.mark.usefixtures("fresh_suggester_caches", "suggester_settings")
def test_suggestions_for_shows_one_quote_and_links_the_one_kept(
    project, make_article, annotator, suggester_server
):
    article = make_article(project, TEXT, external_id="kremlin-merge")
    annotation = queue.do_get_or_create_own(article, annotator)
    # The model takes the quotation marks too (17:39); the built-in rule takes what is inside
    # (18:38, IoU 20/22). The model is surer, so its quote stays, and the built-in relation
    # (Quote:18:38 → Source) now names it.
    suggester_server.answer(
        {"spans": [span(TEXT, "“we are ready to talk”", "Quote", confidence=0.99)]}
    )
    project.suggesters, project.suggester_url = Suggesters.BOTH, suggester_server.url
    project.save()
    found = combine.suggestions_for(article, annotation)
    quotes = [s for s in found["spans"] if s["label"] == "Quote"]
    assert [(q["key"], q["sources"]) for q in quotes] == [("Quote:17:39", ["http", "builtin"])]
    assert [(r["label"], r["from"], r["to"], r["attrs"]) for r in found["relations"]] == [
        ("attributed_to", "Quote:17:39", "Source:0:11", {"cue": "Cue:12:16"})
    ]
