"""Review rules: candidates from the annotators' layers, provenance, and writes to gold."""

from __future__ import annotations

import pytest

from labels.annotation import queue, spans, versions
from labels.errors import Invalid, Stale
from labels.models import (
    Annotation,
    AnnotationStatus,
    Article,
    ArticleState,
    HistoryAction,
    HistoryEvent,
    Provenance,
    ReviewRejection,
    Role,
)
from labels.review import decisions, merge
from labels.review import state as state_mod
from labels.review.merge import (
    LayerSpan,
    build_candidates,
    classify,
    content_key,
    match_gold,
    provenance_for,
)
from tests.support.review_helpers import TEXT, at, span_data, submit_layer


def ls(id, who, label, start, end, **attrs):
    return LayerSpan(id, who, label, start, end, TEXT[start:end], attrs)


# --- pure rules --------------------------------------------------------------------------------


def test_identical_spans_of_all_annotators_make_one_unanimous_candidate():
    (c,) = build_candidates([ls(1, "ana", "Quote", 0, 10), ls(2, "ben", "Quote", 0, 10)], 2)
    assert c.agreement == "unanimous" and not c.disputed
    assert [(v.annotators, v.spans) for v in c.versions] == [(["ana", "ben"], [1, 2])]


def test_near_matches_are_one_disputed_candidate_with_a_version_each():
    # IoU of [0,10) and [0,12) is 10/12 ≥ 0.5.
    (c,) = build_candidates([ls(1, "ana", "Quote", 0, 10), ls(2, "ben", "Quote", 0, 12)], 2)
    assert c.agreement == "minority" and c.disputed
    assert sorted(v.annotators[0] for v in c.versions) == ["ana", "ben"]


def test_same_offsets_with_different_attributes_are_disputed():
    spans = [
        ls(1, "ana", "Quote", 0, 10, quote_type="direct"),
        ls(2, "ben", "Quote", 0, 10, quote_type="indirect"),
    ]
    (c,) = build_candidates(spans, 2)
    assert len(c.versions) == 2 and c.disputed


def test_unset_attributes_count_as_absent():
    spans = [ls(1, "ana", "Source", 0, 6, source_type=None), ls(2, "ben", "Source", 0, 6)]
    (c,) = build_candidates(spans, 2)
    assert c.agreement == "unanimous"


def test_low_overlap_and_other_labels_stay_separate_candidates():
    # IoU of [0,10) and [8,20) is 2/20; a Claim on the Quote's offsets is another candidate.
    spans = [
        ls(1, "ana", "Quote", 0, 10),
        ls(2, "ben", "Quote", 8, 20),
        ls(3, "ben", "Claim", 0, 10),
    ]
    candidates = build_candidates(spans, 2)
    assert [(c.label, c.start, c.end) for c in candidates] == [
        ("Claim", 0, 10),
        ("Quote", 0, 10),
        ("Quote", 8, 20),
    ]
    assert all(c.agreement == "minority" for c in candidates)


def test_two_of_three_identical_is_a_majority_even_with_a_dissenting_version():
    spans = [
        ls(1, "ana", "Quote", 0, 10),
        ls(2, "ben", "Quote", 0, 10),
        ls(3, "carl", "Quote", 1, 10),
    ]
    (c,) = build_candidates(spans, 3)
    assert c.agreement == "majority" and c.disputed
    assert c.versions[0].annotators == ["ana", "ben"]


def test_classify_needs_two_annotators_for_agreement():
    assert classify([1], 1) == "minority"
    assert classify([2], 2) == "unanimous"
    assert classify([2], 3) == "majority"
    assert classify([2, 2], 4) == "minority"  # an even split is no majority


def test_provenance_rules():
    spans = [
        ls(1, "ana", "Quote", 0, 10),
        ls(2, "ben", "Quote", 0, 10),
        ls(3, "carl", "Quote", 1, 10),
    ]
    (majority,) = build_candidates(spans, 3)
    (unanimous,) = build_candidates(spans[:2], 2)
    (split,) = build_candidates([spans[0], spans[2]], 2)
    key = content_key("Quote", 0, 10, {})
    assert provenance_for(key, unanimous, 2) == (Provenance.UNANIMOUS, ["ana", "ben"])
    assert provenance_for(key, majority, 3) == (Provenance.MAJORITY, ["ana", "ben"])
    assert provenance_for(content_key("Quote", 1, 10, {}), majority, 3) == (
        Provenance.ADJUDICATED,
        ["carl"],
    )
    assert provenance_for(key, split, 2) == (Provenance.ADJUDICATED, ["ana"])
    # Edited so that nobody marked exactly this:
    assert provenance_for(content_key("Quote", 0, 9, {}), unanimous, 2) == (
        Provenance.ADJUDICATED,
        [],
    )
    assert provenance_for(key, None, 2) == (Provenance.REVIEWER, [])
    # A single annotator's span is never unanimous.
    (alone,) = build_candidates(spans[:1], 1)
    assert provenance_for(key, alone, 1) == (Provenance.ADJUDICATED, ["ana"])


def test_gold_spans_resolve_one_candidate_each_by_best_overlap():
    candidates = build_candidates([ls(1, "ana", "Quote", 0, 10), ls(2, "ana", "Quote", 20, 30)], 2)
    gold = [
        merge.GoldSpan(10, "Quote", 1, 10),  # IoU 0.9 with the first
        merge.GoldSpan(11, "Quote", 0, 10),  # IoU 1.0 with the first: wins it
        merge.GoldSpan(12, "Claim", 20, 30),  # another label resolves nothing
    ]
    assert match_gold(candidates, gold) == {11: "s1"}


# --- writes to gold ----------------------------------------------------------------------------


@pytest.fixture
def article(project, make_article):
    return make_article(project, TEXT)


@pytest.fixture
def layers(article, annotator, annotator2):
    """ana and ben: the same Quote and Source, a Cue only ana marked, a Claim with different
    boundaries (IoU ≥ 0.5), and the same attributed_to relation."""
    quote = span_data("Quote", "the talks would go on", quote_type="indirect")
    source = span_data("Source", "Macron", source_type="person")
    ana = submit_layer(
        article,
        annotator,
        [quote, source, span_data("Cue", "said"), span_data("Claim", "Putin disagreed")],
        [("attributed_to", 0, 1)],
    )
    ben = submit_layer(
        article,
        annotator2,
        [quote, source, span_data("Claim", "Putin disagreed, the Kremlin")],
        [("attributed_to", 0, 1)],
    )
    return ana, ben


def candidate(state, label):
    return next(c for c in state.candidates if c.label == label)


def test_review_shows_candidates_of_submitted_layers_only(article, layers, make_user, project):
    carl = make_user("carl")
    spans_ = [span_data("Stance", "disagreed", polarity="against")]
    submit_layer(article, carl, spans_, submit=False)  # carl's draft stays out
    state = state_mod.load_review(article)
    assert state.n_layers == 2
    assert [(c.label, c.agreement) for c in state.candidates] == [
        ("Source", "unanimous"),
        ("Cue", "minority"),
        ("Quote", "unanimous"),
        ("Claim", "minority"),
    ]
    claim = candidate(state, "Claim")
    # One annotator each; the longer version first.
    assert [v.annotators for v in claim.versions] == [["ben"], ["ana"]]
    (rc,) = state.relation_candidates
    assert (rc.label, rc.agreement) == ("attributed_to", "unanimous")
    assert rc.source == candidate(state, "Quote").key
    assert state.gold is None


def test_first_accept_creates_gold_with_reviewer_and_unanimous_provenance(
    article, layers, reviewer
):
    state = state_mod.load_review(article)
    quote = candidate(state, "Quote")
    gold = decisions.do_accept(article, reviewer, quote.versions[0].spans[0], version=1)
    assert gold.is_gold and gold.reviewer == reviewer and gold.status == AnnotationStatus.DRAFT
    assert gold.version == 2
    (span,) = gold.spans.all()
    assert (span.label, span.text, span.provenance, span.agreed_by) == (
        "Quote",
        "the talks would go on",
        Provenance.UNANIMOUS,
        ["ana", "ben"],
    )
    assert span.attrs == {"quote_type": "indirect"}
    event = HistoryEvent.objects.get(annotation=gold)
    assert (event.action, event.actor) == (HistoryAction.SPAN_CREATED, reviewer)
    assert candidate(state_mod.load_review(article), "Quote").status == merge.ACCEPTED


def test_choosing_one_disputed_version_is_adjudicated_and_names_its_annotator(
    article, layers, reviewer
):
    state = state_mod.load_review(article)
    claim = candidate(state, "Claim")
    anas = next(v for v in claim.versions if v.annotators == ["ana"])
    gold = decisions.do_accept(article, reviewer, anas.spans[0], version=1)
    (span,) = gold.spans.all()
    assert (span.text, span.provenance, span.agreed_by) == (
        "Putin disagreed",
        Provenance.ADJUDICATED,
        ["ana"],
    )
    # Choosing ben's version instead replaces the gold span rather than adding one.
    bens = next(v for v in claim.versions if v.annotators == ["ben"])
    gold = decisions.do_accept(article, reviewer, bens.spans[0], version=gold.version)
    (span,) = gold.spans.all()
    assert (span.text, span.agreed_by) == ("Putin disagreed, the Kremlin", ["ben"])


def test_accepting_with_a_new_boundary_is_adjudicated_by_nobody(article, layers, reviewer):
    quote = candidate(state_mod.load_review(article), "Quote")
    start, end = at("talks would go on")
    gold = decisions.do_accept(
        article,
        reviewer,
        quote.versions[0].spans[0],
        version=1,
        changes={"start": start, "end": end, "text": "talks would go on"},
    )
    (span,) = gold.spans.all()
    assert (span.start, span.provenance, span.agreed_by) == (start, Provenance.ADJUDICATED, [])
    assert candidate(state_mod.load_review(article), "Quote").status == merge.ACCEPTED


def test_editing_a_gold_span_works_provenance_out_again(article, layers, reviewer):
    quote = candidate(state_mod.load_review(article), "Quote")
    gold = decisions.do_accept(article, reviewer, quote.versions[0].spans[0], version=1)
    span = gold.spans.get()
    start, end = at("the talks would go")
    decisions.do_edit_gold_span(
        article, reviewer, span.pk, {"end": end, "text": "the talks would go"}, version=2
    )
    span.refresh_from_db()
    assert (span.end, span.provenance, span.agreed_by) == (end, Provenance.ADJUDICATED, [])
    _, end = at("the talks would go on")
    decisions.do_edit_gold_span(
        article, reviewer, span.pk, {"end": end, "text": "the talks would go on"}, version=3
    )
    span.refresh_from_db()
    assert (span.provenance, span.agreed_by) == (Provenance.UNANIMOUS, ["ana", "ben"])


def test_reject_keeps_a_candidate_out_and_removes_its_gold_span(article, layers, reviewer):
    cue = candidate(state_mod.load_review(article), "Cue")
    gold = decisions.do_accept(article, reviewer, cue.span_ids[0], version=1)
    assert gold.spans.count() == 1
    gold = decisions.do_reject(article, reviewer, cue.span_ids[0], version=gold.version)
    assert gold.spans.count() == 0
    assert candidate(state_mod.load_review(article), "Cue").status == merge.REJECTED
    # Rejecting something not in gold still raises the version, so other tabs notice.
    claim = candidate(state_mod.load_review(article), "Claim")
    before = gold.version
    gold = decisions.do_reject(article, reviewer, claim.span_ids[0], version=before)
    assert gold.version == before + 1
    assert ReviewRejection.objects.filter(gold=gold).count() == 3  # 1 Cue + 2 Claim spans
    # Accepting after all clears the rejection.
    decisions.do_accept(article, reviewer, claim.span_ids[0], version=gold.version)
    assert candidate(state_mod.load_review(article), "Claim").status == merge.ACCEPTED
    assert ReviewRejection.objects.filter(gold=gold).count() == 1


def test_stale_version_is_refused(article, layers, reviewer, manager):
    quote = candidate(state_mod.load_review(article), "Quote")
    decisions.do_accept(article, reviewer, quote.span_ids[0], version=1)
    source = candidate(state_mod.load_review(article), "Source")
    with pytest.raises(Stale):
        decisions.do_accept(article, manager, source.span_ids[0], version=1)


def test_accept_agreed_takes_unanimous_spans_and_their_relations_only(article, layers, reviewer):
    result = decisions.do_accept_agreed(article, reviewer, version=1)
    assert (result.spans, result.relations) == (2, 1)
    gold = result.gold
    assert sorted((s.label, s.provenance) for s in gold.spans.all()) == [
        ("Quote", Provenance.UNANIMOUS),
        ("Source", Provenance.UNANIMOUS),
    ]
    (relation,) = gold.relations.all()
    assert (relation.label, relation.source.label, relation.target.label) == (
        "attributed_to",
        "Quote",
        "Source",
    )
    state = state_mod.load_review(article)
    assert state.open_counts() == (2, 0)  # the Cue and the Claim wait for the reviewer


def test_a_relation_needs_both_ends_in_gold(article, layers, reviewer):
    state = state_mod.load_review(article)
    (rc,) = state.relation_candidates
    with pytest.raises(Invalid) as err:
        decisions.do_accept_relation(article, reviewer, rc.relation_ids[0], version=1)
    assert err.value.problems[0].field == "from"
    assert err.value.problems[0].code == "not_accepted"


def test_mark_reviewed_waits_for_every_decision(article, layers, reviewer):
    gold = decisions.do_accept_agreed(article, reviewer, version=1).gold
    with pytest.raises(Invalid) as err:
        decisions.do_mark_reviewed(article, reviewer, version=gold.version)
    assert err.value.problems[0].field == "candidates"
    assert "2 spans still undecided" in err.value.problems[0].message
    state = state_mod.load_review(article)
    for label in ("Cue", "Claim"):
        version = state_mod.load_review(article).gold.version
        decisions.do_reject(article, reviewer, candidate(state, label).span_ids[0], version=version)
    gold = decisions.do_mark_reviewed(article, reviewer, version=gold.version + 2)
    assert gold.status == AnnotationStatus.REVIEWED
    assert Article.objects.with_state().get(pk=article.pk).state == ArticleState.REVIEWED


def test_a_reviewer_span_resolves_the_open_candidate_it_overlaps(article, layers, reviewer):
    data = span_data("Claim", "Putin disagreed, the")
    span = decisions.do_add_gold_span(article, reviewer, data, version=1)
    assert (span.provenance, span.agreed_by) == (Provenance.ADJUDICATED, [])
    assert candidate(state_mod.load_review(article), "Claim").status == merge.ACCEPTED
    elsewhere = decisions.do_add_gold_span(
        article, reviewer, span_data("Source", "the Kremlin"), version=2
    )
    assert (elsewhere.provenance, elsewhere.agreed_by) == (Provenance.REVIEWER, [])


def test_generic_edit_of_an_accepted_gold_span_makes_it_adjudicated(article, layers, reviewer):
    from django.db import transaction

    quote = candidate(state_mod.load_review(article), "Quote")
    gold = decisions.do_accept(article, reviewer, quote.span_ids[0], version=1)
    span = gold.spans.get()
    with transaction.atomic():
        locked = versions.locked(gold.pk)
        spans.do_update_span(
            locked, reviewer, span.pk, {"attrs": {"quote_type": "direct"}}, version=2
        )
    span.refresh_from_db()
    assert span.provenance == Provenance.ADJUDICATED


def test_return_sends_work_back_as_a_draft_that_keeps_its_seat(
    article, layers, reviewer, project, make_user
):
    ana, _ = layers
    gold = decisions.do_accept_agreed(article, reviewer, version=1).gold
    decisions.do_reject(
        article,
        reviewer,
        candidate(state_mod.load_review(article), "Cue").span_ids[0],
        version=gold.version,
    )
    decisions.do_reject(
        article,
        reviewer,
        candidate(state_mod.load_review(article), "Claim").span_ids[0],
        version=gold.version + 1,
    )
    decisions.do_mark_reviewed(article, reviewer, version=gold.version + 2)

    from django.db import transaction

    with transaction.atomic():
        locked = versions.locked(ana.pk)
        decisions.do_return(
            locked,
            reviewer,
            "  Mark the Claim to the end of the sentence. ",
            version=locked.version,
        )
    ana.refresh_from_db()
    assert (ana.status, ana.review_comment, ana.submitted_at) == (
        AnnotationStatus.DRAFT,
        "Mark the Claim to the end of the sentence.",
        None,
    )
    assert ana.assigned_by == reviewer
    # The annotator finds it first in their queue, with the comment, and may edit it again.
    assert list(queue.open_drafts(project, ana.annotator)) == [ana]
    assert queue.do_next_article(project, ana.annotator) == ana
    # Nobody else of the project can take the seat meanwhile.
    from labels.projects.members import do_add_member

    carl = make_user("carl")
    do_add_member(project, carl, Role.ANNOTATOR)
    assert queue.do_next_article(project, carl) is None
    # The article is no longer reviewed: its gold layer was reopened.
    gold.refresh_from_db()
    assert gold.status == AnnotationStatus.DRAFT
    assert Article.objects.with_state().get(pk=article.pk).state == ArticleState.IN_PROGRESS
    event = HistoryEvent.objects.filter(annotation=ana).latest("id")
    assert event.after == {"status": "draft", "comment": ana.review_comment}


def _send_back(annotation, reviewer, comment):
    return decisions.do_return(annotation, reviewer, comment, version=annotation.version)


def test_return_needs_the_annotation_version(article, layers, reviewer):
    from django.db import transaction

    with pytest.raises(Invalid) as err, transaction.atomic():
        decisions.do_return(versions.locked(layers[0].pk), reviewer, "Look again.", version=None)
    assert (err.value.problems[0].field, err.value.problems[0].code) == ("version", "required")


@pytest.mark.parametrize("comment", ["", "   ", None, "x" * 2001])
def test_return_needs_a_comment(article, layers, reviewer, comment):
    from django.db import transaction

    with pytest.raises(Invalid) as err, transaction.atomic():
        _send_back(versions.locked(layers[0].pk), reviewer, comment)
    assert err.value.problems[0].field == "comment"


def test_only_finished_work_can_be_sent_back(article, layers, reviewer, make_user, project):
    from django.db import transaction

    carl = make_user("carl")
    draft = submit_layer(article, carl, [], submit=False)
    with pytest.raises(Invalid) as err, transaction.atomic():
        _send_back(versions.locked(draft.pk), reviewer, "Please finish.")
    assert err.value.problems[0].field == "status"
    gold = Annotation.objects.create(article=article, is_gold=True)
    with pytest.raises(Invalid), transaction.atomic():
        _send_back(versions.locked(gold.pk), reviewer, "no")


def test_matching_run_by_run_pairs_exactly_as_matching_whole_layers():
    import random

    from labels.agreement.measures import SpanRec, match_overlap
    from labels.review.merge import _overlapping_chunks

    rng = random.Random(7)
    for _ in range(200):
        layers = [
            [
                SpanRec(f"{side}{k}", rng.choice("QS"), start, start + rng.randint(1, 12))
                for k, start in enumerate(rng.sample(range(60), rng.randint(0, 12)))
            ]
            for side in "ab"
        ]
        whole = {(x.id, y.id) for x, y in match_overlap(*layers)}
        chunked = {
            (x.id, y.id) for a, b in _overlapping_chunks(*layers) for x, y in match_overlap(a, b)
        }
        assert chunked == whole


def test_changing_attributes_in_gold_is_adjudicated_until_they_match_again(
    article, layers, reviewer
):
    quote = candidate(state_mod.load_review(article), "Quote")
    gold = decisions.do_accept(article, reviewer, quote.span_ids[0], version=1)
    span = gold.spans.get()
    decisions.do_edit_gold_span(
        article, reviewer, span.pk, {"attrs": {"quote_type": "direct"}}, version=2
    )
    span.refresh_from_db()
    assert (span.attrs, span.provenance, span.agreed_by) == (
        {"quote_type": "direct"},
        Provenance.ADJUDICATED,
        [],
    )
    decisions.do_edit_gold_span(
        article, reviewer, span.pk, {"attrs": {"quote_type": "indirect"}}, version=3
    )
    span.refresh_from_db()
    assert (span.provenance, span.agreed_by) == (Provenance.UNANIMOUS, ["ana", "ben"])
    with pytest.raises(Invalid) as err:
        decisions.do_edit_gold_span(article, reviewer, span.pk, {"attrs": {}}, version=4)
    assert err.value.problems[0].field.endswith("quote_type")  # required in gold


def test_a_rejection_is_in_gold_history_and_keeps_versions_and_events_in_step(
    article, layers, reviewer
):
    """A rejection that takes nothing out of gold still raises its version; the history names
    the reviewer, what was rejected and whose it was, so the version stays one more than the
    events before it (what the load test checks)."""
    state = state_mod.load_review(article)
    claim = candidate(state, "Claim")
    gold = decisions.do_reject(article, reviewer, claim.span_ids[0], version=1)
    (rc,) = state_mod.load_review(article).relation_candidates
    gold = decisions.do_reject_relation(article, reviewer, rc.relation_ids[0], version=gold.version)
    events = list(HistoryEvent.objects.filter(annotation=gold).order_by("id"))
    assert [(e.action, e.actor, e.annotation_version) for e in events] == [
        (HistoryAction.REJECTED, reviewer, 2),
        (HistoryAction.REJECTED, reviewer, 3),
    ]
    version = claim.version_with(claim.span_ids[0])
    assert events[0].after == {
        "rejected": f"Claim “{version.text}” [{version.start}, {version.end})",
        "marked by": ", ".join(claim.annotators),
    }
    assert events[0].object_id == claim.span_ids[0]
    assert events[1].after["rejected"].startswith("attributed_to: Quote “")
    assert gold.version == 1 + len(events)
