"""A real Label Studio 1.x JSON export and a real doccano 1.8 JSONL export of the same 120
articles import as gold with every span at its exact code-point offsets.

The files (tests/data/imports/labelstudio_120.json, doccano_120_relations.jsonl,
doccano_120_labels.jsonl) are written by tests/data/imports/make_tool_exports.py, in the
shapes the tools' own code writes:

- Label Studio: the task format of its docs (https://labelstud.io/guide/task_format: tasks with
  ``data``, ``annotations[].result[]``, each result with ``value``, ``id``, ``from_name``,
  ``to_name``, ``type``, ``origin``; the annotation's ``was_cancelled``, ``ground_truth``,
  ``completed_by``, …); a relation is serialised as ``{from_id, to_id, type: "relation",
  direction, labels}`` (the front-end's ``LSSerializedRelation``). Text offsets are code
  points, not JavaScript's UTF-16 length: HumanSignal/label-studio
  ``web/libs/editor/tests/integration/e2e/ner/emoji.cy.ts`` ("Should calculate offsets by code
  points in text": after an emoji, ``start`` 21 for the word at code point 21), the fix of
  label-studio PR #1559 / label-studio-frontend PR #308 ("store code points instead of js
  length", issues #1008 and #1347).
- doccano: ``backend/data_export/models.py`` (``ExportedExample.to_dict`` → ``{"id", "data",
  **meta}``; ``ExportedSpan.to_dict`` → ``{"id", "label", "start_offset", "end_offset"}``,
  ``to_tuple`` → ``(start_offset, end_offset, label)``; ``ExportedRelation.to_dict`` →
  ``{"id", "from_id", "to_id", "type"}``), ``backend/data_export/pipeline/factories.py`` (a
  sequence-labelling project with ``use_relation`` writes ``entities`` and ``relations`` as
  dicts, otherwise ``label`` as sorted tuples; ``data`` is renamed ``text``; ``Comments`` from
  ``pipeline/comments.py``), ``pipeline/writers.py`` (pandas ``to_json(orient="records",
  lines=True, force_ascii=False)``: compact, ``/`` escaped). Offsets are Python code points
  (doccano PR #108, "Correct emoji length calculation": ``[7, 8]`` for the emoji itself).
"""

from __future__ import annotations

import importlib.util
import sys
from collections import Counter

import pytest

from labels.models import Annotation, Relation, Span
from tests.support.imports import run
from tests.support.paths import IMPORT_SAMPLES

pytestmark = pytest.mark.django_db


def _generator():
    spec = importlib.util.spec_from_file_location(
        "make_tool_exports", IMPORT_SAMPLES / "make_tool_exports.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look themselves up there
    spec.loader.exec_module(module)
    return module


GENERATOR = _generator()
ARTICLES = GENERATOR.articles()


def expected_spans(article):
    return {(s.label, s.start, s.end, s.text) for s in article.spans}


def expected_relations(article):
    by_id = {s.id: (s.label, s.start, s.end) for s in article.spans}
    return {(by_id[a], label, by_id[b]) for a, label, b in article.relations}


def gold_of(project):
    """The gold layer: spans and relations by external id, attributes by (id, label, start,
    end); two queries."""
    spans: dict[str, set] = {}
    attrs: dict[str, dict] = {}
    rows = Span.objects.filter(
        annotation__article__project=project, annotation__is_gold=True
    ).values_list("annotation__article__external_id", "label", "start", "end", "text", "attrs")
    for external_id, label, start, end, text, span_attrs in rows:
        spans.setdefault(external_id, set()).add((label, start, end, text))
        attrs[(external_id, label, start, end)] = span_attrs
    relations: dict[str, set] = {}
    for external_id, label, *ends in Relation.objects.filter(
        annotation__article__project=project, annotation__is_gold=True
    ).values_list(
        "annotation__article__external_id",
        "label",
        "source__label",
        "source__start",
        "source__end",
        "target__label",
        "target__start",
        "target__end",
    ):
        relations.setdefault(external_id, set()).add((tuple(ends[:3]), label, tuple(ends[3:])))
    return spans, relations, attrs


def test_the_fixture_files_are_what_the_script_writes():
    for name, write in GENERATOR.FILES.items():
        assert (IMPORT_SAMPLES / name).read_text(encoding="utf-8") == write(ARTICLES), name


def test_the_fixtures_put_astral_characters_before_spans():
    """Otherwise UTF-16 and code-point offsets would agree and the test would prove nothing."""
    after_astral = [
        s for a in ARTICLES for s in a.spans if any(ord(c) > 0xFFFF for c in a.text[: s.start])
    ]
    assert len(after_astral) > 400
    labels = {s.label for a in ARTICLES for s in a.spans}
    assert labels == {"Quote", "Source", "Claim", "Stance"}


SPANS = sum(len(a.spans) for a in ARTICLES)
RELATIONS = sum(len(a.relations) for a in ARTICLES)
QUOTES = sum(1 for a in ARTICLES for s in a.spans if s.label == "Quote")
STANCES = sum(1 for a in ARTICLES for s in a.spans if s.label == "Stance")
STANCES_WITHOUT_POLARITY = sum(
    1 for a in ARTICLES for s in a.spans if s.label == "Stance" and not s.polarity
)


@pytest.mark.parametrize(
    ("name", "fmt", "with_relations", "stances_incomplete"),
    [
        ("labelstudio_120.json", "labelstudio", True, STANCES_WITHOUT_POLARITY),
        ("doccano_120_relations.jsonl", "doccano", True, STANCES),
        ("doccano_120_labels.jsonl", "doccano", False, STANCES),
    ],
)
def test_a_tool_export_imports_as_gold_with_every_span_at_its_offsets(
    project, name, fmt, with_relations, stances_incomplete
):
    report = run(project, name, fmt, layer="gold")
    assert report.errors == [] and report.written
    assert (report.created, report.layers_added, report.spans) == (120, 120, SPANS)
    assert report.relations == (RELATIONS if with_relations else 0)
    spans, relations, attrs = gold_of(project)
    for article in ARTICLES:
        external_id = str(article.number)
        assert spans[external_id] == expected_spans(article), external_id
        if with_relations:
            assert relations[external_id] == expected_relations(article), external_id
    assert Annotation.objects.filter(is_gold=True, status="reviewed").count() == 120
    # Neither tool has a quote_type: every Quote is kept, incomplete, and counted.
    assert report.incomplete == {
        ("Quote", "quote_type"): QUOTES,
        ("Stance", "polarity"): stances_incomplete,
    }
    assert f"{QUOTES} Quote spans need quote_type" in report.notes
    if fmt == "labelstudio":  # the per-region choices Label Studio's annotators made
        for article in ARTICLES:
            for s in article.spans:
                if s.polarity:
                    key = (str(article.number), s.label, s.start, s.end)
                    assert attrs[key] == {"polarity": s.polarity}


def test_a_known_span_after_an_emoji_is_at_its_code_point_offset(project):
    """One span checked by hand: article 1 starts "🔴 The minister said: “We will not back
    down”." — the Quote starts at code point 22 (23 in UTF-16 units)."""
    run(project, "labelstudio_120.json", "labelstudio", layer="gold")
    quote = Span.objects.get(annotation__article__external_id="1", label="Quote")
    assert (quote.start, quote.end, quote.text) == (22, 43, "We will not back down")


def expected_quote_type(span) -> str:
    if span.text in GENERATOR.INDIRECT:
        return "indirect"
    if span.text.startswith("described the deal as"):
        return "mixed"
    return "direct"


@pytest.mark.parametrize(
    ("name", "fmt"),
    [("labelstudio_120.json", "labelstudio"), ("doccano_120_relations.jsonl", "doccano")],
)
def test_infer_attrs_gives_every_imported_quote_its_quote_type(project, name, fmt):
    from labels.interop.reading import ReadOptions

    report = run(project, name, fmt, layer="gold", options=ReadOptions(infer_attrs=True))
    assert report.inferred == QUOTES
    assert report.inferred_types == dict(
        Counter(expected_quote_type(s) for a in ARTICLES for s in a.spans if s.label == "Quote")
    )
    assert ("Quote", "quote_type") not in report.incomplete
    _, _, attrs = gold_of(project)
    for article in ARTICLES:
        for s in article.spans:
            if s.label == "Quote":
                got = attrs[(str(article.number), "Quote", s.start, s.end)]["quote_type"]
                assert got == expected_quote_type(s), (article.number, s.text)
