"""Agreement figures, checked against numbers worked out by hand and against ``krippendorff``.

No database: ``labels.agreement`` works on plain records.
"""

from __future__ import annotations

import json
import random
from collections import Counter

import krippendorff
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from labels.agreement.measures import (
    MISSING,
    ArticleLayers,
    Layer,
    RelRec,
    SpanRec,
    _TokenIndex,
    cohen_kappa,
    f1,
    iou,
    match_exact,
    match_overlap,
    nominal_alpha,
    tokenize,
)
from labels.agreement.metrics import compare_to_gold, compute_agreement
from tests.support.paths import UNICODE_SAMPLES

LABELS = ["QUOTE", "SOURCE", "CUE"]
NaN = np.nan
SAMPLES = UNICODE_SAMPLES

#       0         1         2         3         4         5
#       0123456789012345678901234567890123456789012345678901
TEXT = "Macron said no. Putin agreed that talks would go on."


def span(id: str, label: str, start: int, end: int, **attrs: object) -> SpanRec:
    return SpanRec(id, label, start, end, attrs)


def article(article_id: str, *layers: Layer, text: str = TEXT) -> ArticleLayers:
    return ArticleLayers(article_id, text, layers)


def package_alpha(matrix: list[list[float]]) -> float:
    return float(krippendorff.alpha(reliability_data=matrix, level_of_measurement="nominal"))


def units_of(matrix: list[list[float]]) -> Counter[tuple[float, ...]]:
    """A coder × unit matrix as ``nominal_alpha`` reads it: value multisets per unit."""
    return Counter(
        tuple(sorted(v for v in column if not np.isnan(v))) for column in zip(*matrix, strict=True)
    )


# --- building blocks -------------------------------------------------------------------------


def test_f1_is_none_when_neither_side_has_anything():
    assert f1(0, 0, 0) is None
    assert f1(0, 1, 0) == 0.0
    assert f1(3, 1, 1) == pytest.approx(6 / 8)


def test_iou_is_intersection_over_union_of_characters():
    assert iou(span("a", "Q", 0, 10), span("b", "Q", 5, 15)) == pytest.approx(5 / 15)
    assert iou(span("a", "Q", 0, 10), span("b", "Q", 10, 20)) == 0.0  # half-open: touching
    assert iou(span("a", "Q", 0, 10), span("b", "Q", 0, 10)) == 1.0


def test_exact_matching_needs_same_label_start_and_end_and_is_one_to_one():
    a = [span("a1", "QUOTE", 0, 5), span("a2", "QUOTE", 0, 5), span("a3", "CUE", 7, 11)]
    b = [span("b1", "QUOTE", 0, 5), span("b2", "SOURCE", 7, 11), span("b3", "CUE", 7, 12)]
    assert [(x.id, y.id) for x, y in match_exact(a, b)] == [("a1", "b1")]


def test_overlap_matching_is_greedy_by_descending_iou():
    # IoU(a1, b1) = 8/10, IoU(a2, b1) = 6/10: b1 goes to a1 even though a2 comes first.
    a = [span("a2", "QUOTE", 4, 12), span("a1", "QUOTE", 0, 10)]
    b = [span("b1", "QUOTE", 2, 10)]
    assert [(x.id, y.id) for x, y in match_overlap(a, b)] == [("a1", "b1")]


def test_overlap_matching_stays_within_a_label():
    assert match_overlap([span("a", "QUOTE", 0, 10)], [span("b", "CUE", 0, 10)]) == []


@pytest.mark.parametrize(
    ("b_end", "matched"),
    [
        (11, False),  # IoU 5/11 ≈ 0.455, just below 0.5
        (10, True),  # IoU 5/10 = 0.5 exactly: the threshold is inclusive
        (9, True),  # IoU 5/9 ≈ 0.556, just above
    ],
)
def test_iou_threshold_is_inclusive(b_end, matched):
    pairs = match_overlap([span("a", "QUOTE", 0, 5)], [span("b", "QUOTE", 0, b_end)], 0.5)
    assert bool(pairs) is matched


def test_compute_agreement_passes_the_iou_threshold_on():
    a = Layer("ana", [span("a", "QUOTE", 0, 5)])
    b = Layer("ben", [span("b", "QUOTE", 0, 9)])  # IoU 5/9 ≈ 0.556
    assert compute_agreement([article("1", a, b)], LABELS)["overall"]["overlap_f1"] == 1.0
    strict = compute_agreement([article("1", a, b)], LABELS, iou_threshold=0.6)
    assert strict["overall"]["overlap_f1"] == 0.0
    assert strict["iou_threshold"] == 0.6


def test_rejects_a_threshold_outside_zero_to_one():
    with pytest.raises(ValueError):
        match_overlap([], [], 0)


def test_tokenize_gives_code_point_offsets_of_words_and_single_punctuation():
    text = "“We’ll see,” he said. 😀 Ok"
    assert [text[s:e] for s, e in tokenize(text)] == [
        "“",
        "We",
        "’",
        "ll",
        "see",
        ",",
        "”",
        "he",
        "said",
        ".",
        "😀",
        "Ok",
    ]
    assert tokenize("😀 Ok")[1] == (2, 4)  # an astral character is one code point


def _assert_index_agrees_with_tokenize(text: str) -> None:
    tokens = tokenize(text)
    index = _TokenIndex(text)
    assert index.count == len(tokens)
    bounds = [(s, e) for s in range(len(text) + 1) for e in range(s + 1, len(text) + 2)]
    found = index.overlapped([span("x", "Q", s, e) for s, e in bounds])
    for (start, end), (first, stop) in zip(bounds, found, strict=True):
        touched = [i for i, (s, e) in enumerate(tokens) if s < end and e > start]
        assert list(range(first, stop)) == touched, (text, start, end)


def test_token_index_agrees_with_tokenize_on_the_unicode_samples():
    for line in SAMPLES.read_text(encoding="utf-8").splitlines():
        _assert_index_agrees_with_tokenize(json.loads(line)["text"][:40])


@given(st.text(max_size=25))
def test_token_index_agrees_with_tokenize_on_any_text(text):
    _assert_index_agrees_with_tokenize(text)


def test_cohen_kappa_on_a_hand_worked_two_by_two_table():
    #            ben yes  ben no
    # ana yes       20       5     → ana says yes 25/50 = 0.5
    # ana no        10      15       ben says yes 30/50 = 0.6
    # p_o = (20 + 15) / 50 = 0.7;  p_e = 0.5·0.6 + 0.5·0.4 = 0.5;  κ = (0.7 − 0.5) / (1 − 0.5) = 0.4
    table = [("yes", "yes")] * 20 + [("yes", "no")] * 5 + [("no", "yes")] * 10 + [("no", "no")] * 15
    assert cohen_kappa(table) == pytest.approx(0.4)


def test_cohen_kappa_is_none_when_undefined():
    assert cohen_kappa([]) is None
    assert cohen_kappa([("pos", "pos")] * 4) is None  # p_e = 1
    assert cohen_kappa([("pos", "neg"), ("neg", "pos")]) == pytest.approx(-1.0)


# --- Krippendorff's α ------------------------------------------------------------------------

# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section C: 4 coders × 12
# units, values 1–5, some missing. The paper gives α = 0.743 for nominal data.
PUBLISHED = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, NaN, NaN, NaN],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, NaN, 3],
    [NaN, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, NaN],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, NaN],
]


def test_package_reproduces_the_published_nominal_alpha():
    assert round(package_alpha(PUBLISHED), 3) == 0.743


def test_nominal_alpha_equals_the_package_on_the_published_data():
    assert nominal_alpha(units_of(PUBLISHED)) == pytest.approx(package_alpha(PUBLISHED))


def test_nominal_alpha_equals_the_package_on_random_data_with_gaps():
    rng = random.Random(7)
    for _ in range(50):
        coders, units, values = rng.randint(2, 5), rng.randint(2, 30), rng.randint(2, 4)
        matrix = [
            [NaN if rng.random() < 0.2 else float(rng.randrange(values)) for _ in range(units)]
            for _ in range(coders)
        ]
        try:
            expected = package_alpha(matrix)
        except ValueError:  # the package refuses data with one value or no pairable unit
            assert nominal_alpha(units_of(matrix)) is None
            continue
        assert nominal_alpha(units_of(matrix)) == pytest.approx(expected)


def test_token_alpha_equals_the_package_on_a_hand_built_matrix():
    # Tokens: Macron said no . Putin agreed that talks would go on .
    ana = Layer("ana", [span("a1", "SOURCE", 0, 6), span("a2", "QUOTE", 12, 14)])
    ben = Layer(
        "ben",
        [span("b1", "SOURCE", 0, 6), span("b2", "QUOTE", 7, 14), span("b3", "SOURCE", 16, 21)],
    )
    result = compute_agreement([article("1", ana, ben)], LABELS)

    quote = [[0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0], [0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0]]
    # By hand: 24 values, three of them 1; one unit ("said") disagrees, giving o₀₁ = o₁₀ = 1.
    # α = 1 − (n − 1)·Σ_{c≠k} o_ck / (n² − Σ n_c²) = 1 − 23·2 / (576 − 441 − 9) = 1 − 46/126
    assert result["labels"]["QUOTE"]["alpha"] == pytest.approx(1 - 46 / 126)
    assert result["labels"]["QUOTE"]["alpha"] == pytest.approx(package_alpha(quote))

    # Label sets as categories: 0 = none, 1 = {QUOTE}, 2 = {SOURCE}.
    sets = [[2, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0], [2, 1, 1, 0, 2, 0, 0, 0, 0, 0, 0, 0]]
    assert result["overall"]["alpha"] == pytest.approx(package_alpha(sets))
    assert result["pairs"]["ana|ben"]["alpha"] == pytest.approx(package_alpha(sets))
    assert result["pairs"]["ana|ben"]["labels"]["QUOTE"]["alpha"] == pytest.approx(
        package_alpha(quote)
    )


def test_a_token_counts_once_however_many_spans_of_a_label_cover_it():
    # ana covers "said no" with two overlapping QUOTE spans; ben with one: full agreement.
    ana = Layer("ana", [span("a1", "QUOTE", 7, 14), span("a2", "QUOTE", 12, 15)])
    ben = Layer("ben", [span("b1", "QUOTE", 7, 15)])
    assert compute_agreement([article("1", ana, ben)], LABELS)["labels"]["QUOTE"]["alpha"] == 1.0


def test_a_span_covers_every_token_it_touches():
    # "aid n" cuts into "said" and "no": both tokens count as labelled.
    ana = Layer("ana", [span("a1", "QUOTE", 8, 13)])
    ben = Layer("ben", [span("b1", "QUOTE", 7, 14)])
    assert compute_agreement([article("1", ana, ben)], LABELS)["labels"]["QUOTE"]["alpha"] == 1.0


def test_alpha_is_none_when_nobody_used_the_label_and_one_when_all_agree():
    ana = Layer("ana", [span("a1", "QUOTE", 7, 14)])
    ben = Layer("ben", [span("b1", "QUOTE", 7, 14)])
    result = compute_agreement([article("1", ana, ben)], LABELS)
    assert result["labels"]["QUOTE"]["alpha"] == 1.0  # identical, with variation
    assert result["labels"]["CUE"]["alpha"] is None  # identical, all zero: undefined


def test_alpha_is_none_with_a_single_annotator():
    result = compute_agreement([article("1", Layer("ana", [span("a", "QUOTE", 0, 6)]))], LABELS)
    assert result["labels"]["QUOTE"]["alpha"] is None
    assert result["overall"]["alpha"] is None


# --- compute_agreement -----------------------------------------------------------------------


def test_identical_annotations_agree_perfectly():
    spans = [
        span("q", "QUOTE", 7, 14, polarity="neg"),
        span("s", "SOURCE", 0, 6, polarity="pos"),
        span("s2", "SOURCE", 16, 21, polarity="neg"),
    ]
    relations = [RelRec("said_by", "q", "s")]
    result = compute_agreement(
        [article("1", Layer("ana", spans, relations), Layer("ben", spans, relations))], LABELS
    )
    for figure in ("exact_f1", "overlap_f1", "alpha", "relation_f1"):
        assert result["overall"][figure] == 1.0
        assert result["pairs"]["ana|ben"][figure] == 1.0
    assert result["labels"]["SOURCE"]["kappa"] == {"polarity": 1.0}
    assert result["labels"]["QUOTE"]["kappa"] == {"polarity": None}  # one value only: p_e = 1
    assert result["labels"]["SOURCE"]["support"] == {"spans": 4}
    assert result["articles"] == {"1": 1.0}


def test_disjoint_annotations_score_zero():
    ana = Layer("ana", [span("a", "QUOTE", 0, 6)])
    ben = Layer("ben", [span("b", "QUOTE", 16, 21)])
    result = compute_agreement([article("1", ana, ben)], LABELS)
    assert result["overall"]["exact_f1"] == 0.0
    assert result["overall"]["overlap_f1"] == 0.0
    assert result["labels"]["QUOTE"]["alpha"] < 0
    assert result["articles"] == {"1": 0.0}


def test_overlapping_spans_agree_more_with_overlap_matching():
    ana = Layer("ana", [span("a1", "QUOTE", 10, 30), span("a2", "SOURCE", 0, 8)])
    ben = Layer(
        "ben",
        [span("b1", "QUOTE", 12, 30), span("b2", "SOURCE", 0, 8), span("b3", "QUOTE", 40, 50)],
    )
    result = compute_agreement([article("1", ana, ben, text="x" * 60)], LABELS)
    # Exact: only SOURCE matches. TP 1, FP 1 (ana's QUOTE), FN 2 → 2·1 / (2 + 1 + 2) = 0.4.
    assert result["overall"]["exact_f1"] == pytest.approx(0.4)
    # Overlap: the QUOTEs [10, 30) and [12, 30) have IoU 18/20 = 0.9 and match too.
    # TP 2, FP 0, FN 1 (ben's [40, 50)) → 2·2 / (4 + 0 + 1) = 0.8.
    assert result["overall"]["overlap_f1"] == pytest.approx(0.8)
    # QUOTE alone: exact 0 / (0 + 1 + 2) = 0; overlap TP 1, FN 1 → 2 / 3.
    assert result["labels"]["QUOTE"]["exact_f1"] == 0.0
    assert result["labels"]["QUOTE"]["overlap_f1"] == pytest.approx(2 / 3)


def test_f1_is_none_when_nobody_marked_anything():
    result = compute_agreement([article("1", Layer("ana", []), Layer("ben", []))], LABELS)
    assert result["overall"]["exact_f1"] is None
    assert result["labels"]["QUOTE"]["overlap_f1"] is None
    assert result["pairs"]["ana|ben"]["labels"]["QUOTE"]["exact_f1"] is None
    assert result["articles"] == {"1": None}


def test_an_article_one_annotator_skipped_does_not_count_against_the_pair():
    # Article 2 was done by ana and cy only: ana's span there is no false positive against ben,
    # and ben's tokens in article 2 are missing for α, not "unlabelled".
    first_quote = [span("q", "QUOTE", 7, 14)]
    second = "Talks go on."
    result = compute_agreement(
        [
            article("1", Layer("ana", first_quote), Layer("ben", first_quote), Layer("cy", [])),
            article(
                "2",
                Layer("ana", [span("q", "QUOTE", 0, 5)]),
                Layer("cy", [span("q", "QUOTE", 0, 8)]),
                text=second,
            ),
        ],
        LABELS,
    )
    pair = result["pairs"]["ana|ben"]
    assert pair["articles"] == 1
    assert pair["exact_f1"] == 1.0
    assert pair["alpha"] == 1.0
    assert result["pairs"]["ana|cy"]["articles"] == 2

    # Tokens: article 1 has 12 (Macron said no . Putin …), article 2 has 4 (Talks go on .).
    a1 = [0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0]
    quote = [
        a1 + [1, 0, 0, 0],  # ana
        a1 + [NaN] * 4,  # ben: missing in article 2
        [0] * 12 + [1, 1, 0, 0],  # cy: nothing in article 1, "Talks go" in article 2
    ]
    assert result["labels"]["QUOTE"]["alpha"] == pytest.approx(package_alpha(quote))


def test_a_label_used_by_one_annotator_scores_zero_for_that_label_only():
    quote = span("q", "QUOTE", 7, 14)
    ana = Layer("ana", [quote, span("c", "CUE", 7, 11)])
    ben = Layer("ben", [quote])
    result = compute_agreement([article("1", ana, ben)], LABELS)
    assert result["labels"]["CUE"]["exact_f1"] == 0.0
    assert result["labels"]["CUE"]["overlap_f1"] == 0.0
    assert result["labels"]["QUOTE"]["exact_f1"] == 1.0
    assert result["labels"]["QUOTE"]["alpha"] == 1.0
    assert result["pairs"]["ana|ben"]["labels"]["CUE"]["overlap_f1"] == 0.0
    assert result["pairs"]["ana|ben"]["labels"]["QUOTE"]["overlap_f1"] == 1.0


def test_spans_of_labels_not_asked_for_are_ignored():
    ana = Layer("ana", [span("q", "QUOTE", 7, 14), span("x", "RETIRED", 0, 6)])
    ben = Layer("ben", [span("q", "QUOTE", 7, 14)])
    result = compute_agreement([article("1", ana, ben)], LABELS)
    assert result["overall"]["exact_f1"] == 1.0
    assert "RETIRED" not in result["labels"]


def test_figures_are_summed_over_articles_before_dividing():
    # Article 1: 1 of 1 matched. Article 2: ana 3 spans, ben 1, none matched.
    # Micro: TP 1, FP 3, FN 1 → 2 / (2 + 3 + 1) = 1/3 (the mean of per-article F1s would be 0.5).
    a1 = Layer("ana", [span("q", "QUOTE", 0, 6)])
    b1 = Layer("ben", [span("q", "QUOTE", 0, 6)])
    a2 = Layer("ana", [span(f"q{i}", "QUOTE", i * 10, i * 10 + 5) for i in range(3)])
    b2 = Layer("ben", [span("q", "QUOTE", 40, 45)])
    result = compute_agreement([article("1", a1, b1), article("2", a2, b2)], LABELS)
    assert result["overall"]["exact_f1"] == pytest.approx(1 / 3)
    assert result["articles"] == {"1": 1.0, "2": 0.0}


def test_kappa_compares_attributes_of_matched_spans_with_missing_as_its_own_category():
    ana = Layer(
        "ana",
        [
            span("a1", "QUOTE", 0, 6, polarity="pos"),
            span("a2", "QUOTE", 7, 14, polarity="neg"),
            span("a3", "QUOTE", 16, 21, polarity="neg"),
            span("a4", "QUOTE", 40, 45, polarity="neg"),  # unmatched: not counted
        ],
    )
    ben = Layer(
        "ben",
        [
            span("b1", "QUOTE", 0, 6, polarity="pos"),
            span("b2", "QUOTE", 7, 13),
            span("b3", "QUOTE", 16, 21, polarity="neg"),
        ],
    )
    result = compute_agreement([article("1", ana, ben)], LABELS)
    # Pairs: (pos, pos), (neg, ∅), (neg, neg). p_o = 2/3.
    # ana: pos 1, neg 2; ben: pos 1, ∅ 1, neg 1 → p_e = (1·1 + 2·1) / 9 = 1/3.
    # κ = (2/3 − 1/3) / (1 − 1/3) = 0.5
    assert result["labels"]["QUOTE"]["kappa"] == {"polarity": pytest.approx(0.5)}
    assert cohen_kappa([("pos", "pos"), ("neg", MISSING), ("neg", "neg")]) == pytest.approx(0.5)


def _relation_layers(ben_relation: RelRec) -> list[ArticleLayers]:
    ana = Layer(
        "ana",
        [span("Q", "QUOTE", 10, 30), span("S1", "SOURCE", 0, 8), span("S2", "SOURCE", 40, 45)],
        [RelRec("said_by", "Q", "S1")],
    )
    ben = Layer(
        "ben",
        [
            span("q", "QUOTE", 11, 30),  # matches Q (IoU 19/20)
            span("s1", "SOURCE", 0, 8),
            span("s2", "SOURCE", 40, 45),
            span("s3", "SOURCE", 50, 55),  # no counterpart in ana's layer
        ],
        [ben_relation],
    )
    return [article("1", ana, ben, text="x" * 60)]


def test_relations_agree_when_their_ends_are_matched_spans():
    result = compute_agreement(_relation_layers(RelRec("said_by", "q", "s1")), LABELS)
    assert result["overall"]["relation_f1"] == 1.0
    assert result["pairs"]["ana|ben"]["relation_f1"] == 1.0


def test_relations_disagree_when_their_ends_map_to_other_spans_or_the_label_differs():
    to_other_source = compute_agreement(_relation_layers(RelRec("said_by", "q", "s2")), LABELS)
    assert to_other_source["overall"]["relation_f1"] == 0.0
    other_label = compute_agreement(_relation_layers(RelRec("cites", "q", "s1")), LABELS)
    assert other_label["overall"]["relation_f1"] == 0.0


def test_relations_touching_an_unmatched_span_are_left_out():
    # ben's relation ends at s3, which ana does not have: only ana's relation counts (an FP).
    result = compute_agreement(_relation_layers(RelRec("said_by", "q", "s3")), LABELS)
    assert result["overall"]["relation_f1"] == 0.0
    no_relations = _relation_layers(RelRec("said_by", "q", "s3"))[0]
    only_ben = article(
        "1", Layer("ana", no_relations.layers[0].spans), no_relations.layers[1], text="x" * 60
    )
    assert compute_agreement([only_ben], LABELS)["overall"]["relation_f1"] is None


def test_articles_are_scored_by_mean_overlap_f1_over_pairs():
    q = span("q", "QUOTE", 7, 14)
    result = compute_agreement(
        [
            # ana|ben 1.0, ana|cy 0.0, ben|cy 0.0 → 1/3
            article("1", Layer("ana", [q]), Layer("ben", [q]), Layer("cy", [])),
            article("2", Layer("ana", [q]), Layer("ben", [q])),
            article("3", Layer("ana", [q])),  # nobody to compare with
        ],
        LABELS,
    )
    assert result["articles"] == {"1": pytest.approx(1 / 3), "2": 1.0, "3": None}
    assert result["annotators"] == ["ana", "ben", "cy"]


def test_reads_the_articles_once():
    q = span("q", "QUOTE", 7, 14)
    stream = (article(str(i), Layer("ana", [q]), Layer("ben", [q])) for i in range(3))
    result = compute_agreement(stream, LABELS)
    assert result["pairs"]["ana|ben"]["articles"] == 3


def test_pairs_are_named_in_sorted_order_whatever_the_layer_order():
    q = span("q", "QUOTE", 7, 14)
    result = compute_agreement([article("1", Layer("ben", [q]), Layer("ana", []))], LABELS)
    assert list(result["pairs"]) == ["ana|ben"]


def test_rejects_two_layers_by_one_annotator():
    with pytest.raises(ValueError, match="two layers by 'ana'"):
        compute_agreement([article("1", Layer("ana", []), Layer("ana", []))], LABELS)


def test_result_is_json_serialisable():
    spans = [span("q", "QUOTE", 7, 14, tags=["a", "b"])]
    result = compute_agreement([article("1", Layer("ana", spans), Layer("ben", spans))], LABELS)
    assert json.loads(json.dumps(result)) == result


# --- compare_to_gold -------------------------------------------------------------------------


def test_gold_precision_and_recall_per_annotator_and_label():
    gold = Layer(
        "gold",
        [span("g1", "QUOTE", 10, 30), span("g2", "SOURCE", 0, 8), span("g3", "SOURCE", 40, 45)],
    )
    ana = Layer(
        "ana",
        [
            span("a1", "QUOTE", 10, 30),  # exact
            span("a2", "SOURCE", 0, 7),  # IoU 7/8: overlap only
            span("a3", "CUE", 31, 35),  # not in gold
        ],
    )
    result = compare_to_gold(
        [article("1", ana, text="x" * 60), article("2", ana, text="x" * 60)],
        {"1": gold},  # article 2 has no gold and is skipped
        LABELS,
    )
    figures = result["annotators"]["ana"]
    assert figures["articles"] == 1
    # Exact: 1 of 3 marked is right, 1 of 3 in gold is found.
    assert figures["exact"] == pytest.approx({"precision": 1 / 3, "recall": 1 / 3, "f1": 1 / 3})
    # Overlap: 2 of 3 both ways.
    assert figures["overlap"] == pytest.approx({"precision": 2 / 3, "recall": 2 / 3, "f1": 2 / 3})
    source = figures["labels"]["SOURCE"]
    assert source["exact"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0}
    # Overlap SOURCE: TP 1, marked 1, gold 2 → P 1, R 1/2, F1 2/3.
    assert source["overlap"] == pytest.approx({"precision": 1.0, "recall": 0.5, "f1": 2 / 3})
    # Nothing to recall for CUE.
    assert figures["labels"]["CUE"]["exact"] == {"precision": 0.0, "recall": None, "f1": 0.0}
    assert result["labels"]["QUOTE"]["exact"] == {"precision": 1.0, "recall": 1.0, "f1": 1.0}
    assert json.loads(json.dumps(result)) == result
