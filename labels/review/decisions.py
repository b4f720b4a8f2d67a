"""Review and adjudication: from the annotators' submitted layers to the article's gold layer.

The annotators' spans of an article are grouped into *candidates*: spans of the same label that
the agreement matcher pairs across annotators (identical offsets, or a character IoU of at
least 0.5 — ``labels.agreement.match_overlap``) form one candidate; within it, spans with the
same label, offsets and attributes form one *version*. A candidate is

* ``unanimous`` — one version, marked by every annotator who submitted (two or more of them),
* ``majority`` — its leading version was marked by more than half of them,
* ``minority`` — anything else (one annotator only, or an even split); these and the majority
  ones whose annotators did not all agree are the *disputed* candidates the reviewer steps
  through.

Relations of the layers are grouped the same way, by label and the candidates at their ends.

The reviewer's decisions live in the gold annotation (``is_gold=True``, created by the first
review action) and in ``ReviewRejection`` rows. A candidate is *accepted* when a gold span of its
label overlaps one of its versions (IoU ≥ 0.5, one gold span per candidate), *rejected* when all
its annotator spans were rejected, and *open* otherwise. Every gold write goes through
``labels.annotation.spans`` (lock, version check → 409, text and schema checks, history).

Provenance of a gold span (stored on the span, with ``agreed_by``: the annotators whose version
is exactly the gold span):

* ``unanimous`` — every annotator who submitted (at least two) marked exactly this,
* ``majority`` — more than half of them did,
* ``adjudicated`` — the reviewer chose a version fewer than half marked, or changed it so that
  it no longer is what a majority marked,
* ``reviewer`` — the reviewer added it and it resolves no candidate.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from labels import schema as schema_mod
from labels.agreement.measures import SpanRec, iou
from labels.annotation import relations as relations_mod
from labels.annotation import spans as spans_mod
from labels.annotation import versions as versions_mod
from labels.errors import Invalid
from labels.models import (
    FINISHED,
    Annotation,
    AnnotationStatus,
    Article,
    HistoryAction,
    Provenance,
    Relation,
    ReviewRejection,
    Span,
)
from labels.review.merge import (
    ACCEPTED,
    COMMENT_MAX_LENGTH,
    IOU_THRESHOLD,
    MAJORITY,
    OPEN,
    UNANIMOUS,
    Candidate,
    RelationCandidate,
    RelationVersion,
    attrs_key,
    content_key,
    provenance_for,
)
from labels.review.state import ReviewState, _int, load_review

# ---------------------------------------------------------------------------------------------
# Writes. Each runs in one transaction holding the gold annotation's row lock, checks the
# client's version of the gold layer first (Stale → 409) and returns the gold annotation.


def _locked_gold(article: Article, user) -> Annotation:
    """The article's gold annotation, locked FOR UPDATE; created (version 1, ``reviewer``
    ``user``) when this is the first review action. Creation is serialised on the article row so
    two reviewers starting at once get one gold layer and the second one a version conflict."""
    existing = Annotation.objects.filter(article=article, is_gold=True).values_list("pk", flat=True)
    gold_id = existing.first()
    if gold_id is None:
        Article.objects.select_for_update().filter(pk=article.pk).values_list("pk").first()
        gold_id = existing.first()
        if gold_id is None:
            gold_id = Annotation.objects.create(
                article=article,
                is_gold=True,
                reviewer=user,
                status=AnnotationStatus.DRAFT,
                schema_version=article.project.schema_version,
            ).pk
    gold = versions_mod.locked(gold_id)
    gold.article = article
    return gold


def _begin(article: Article, user, version: object) -> tuple[Annotation, ReviewState]:
    """The locked gold annotation (which the writes change) and the review as it stands under
    the lock (whose ``gold`` is a second, read-only instance carrying the spans)."""
    gold = _locked_gold(article, user)
    versions_mod.check_version(gold, version)
    return gold, load_review(article)


def _record_rejection(gold: Annotation, user, object_id, what: str, annotators) -> None:
    """A rejection that takes nothing out of gold still changes the review, so gold's version:
    its history says who rejected what and whose it was."""
    after = {"rejected": what, "marked by": ", ".join(annotators)}
    versions_mod.bump_and_record(
        gold, user, HistoryAction.REJECTED, _int(object_id, "id"), after=after
    )


def _clear_rejections(gold: Annotation, *, spans=(), relations=()) -> None:
    ReviewRejection.objects.filter(gold=gold).filter(
        Q(span_id__in=list(spans)) | Q(relation_id__in=list(relations))
    ).delete()


def _merged(base: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    data = dict(base)
    for name in ("label", "start", "end", "attrs"):
        if name in changes:
            data[name] = changes[name]
    if "start" in changes or "end" in changes:
        data["text"] = changes.get("text")
    return data


def _accept(gold, user, state: ReviewState, candidate: Candidate, data: dict) -> Span:
    cleaned = spans_mod.check_span(gold, data)
    key = content_key(cleaned["label"], cleaned["start"], cleaned["end"], cleaned["attrs"])
    provenance, agreed = provenance_for(key, candidate, state.n_layers)
    payload = cleaned | {"provenance": provenance, "agreed_by": agreed}
    if candidate.gold_span is not None:
        result = spans_mod.do_update_span(
            gold, user, candidate.gold_span, payload, version=gold.version
        )
    else:
        result = spans_mod.do_add_span(gold, user, payload, version=gold.version)
    candidate.gold_span, candidate.status = result.obj.pk, ACCEPTED
    _clear_rejections(gold, spans=candidate.span_ids)
    return result.obj


def do_accept(
    article: Article, user, span_id: object, *, version: object, changes: dict | None = None
) -> Annotation:
    """Make the gold span of the candidate holding annotator span ``span_id`` that span's
    version, with ``changes`` (label, start/end with text, attrs) applied. Replaces the
    candidate's gold span if it was already accepted."""
    with transaction.atomic():
        gold, state = _begin(article, user, version)
        candidate, chosen = state.candidate_of_span(span_id)
        base = {
            "label": chosen.label,
            "start": chosen.start,
            "end": chosen.end,
            "text": chosen.text,
            "attrs": chosen.attrs,
        }
        _accept(gold, user, state, candidate, _merged(base, changes or {}))
        return gold


def do_reject(article: Article, user, span_id: object, *, version: object) -> Annotation:
    """Keep the candidate holding annotator span ``span_id`` out of gold (removing its gold
    span, and the gold relations touching it, if it had been accepted)."""
    with transaction.atomic():
        gold, state = _begin(article, user, version)
        candidate, chosen = state.candidate_of_span(span_id)
        ReviewRejection.objects.bulk_create(
            [ReviewRejection(gold=gold, span_id=s, rejected_by=user) for s in candidate.span_ids],
            ignore_conflicts=True,
        )
        if candidate.gold_span is not None:
            spans_mod.do_delete_span(gold, user, candidate.gold_span, version=gold.version)
        else:
            what = f"{chosen.label} “{chosen.text}” [{chosen.start}, {chosen.end})"
            _record_rejection(gold, user, span_id, what, candidate.annotators)
        return gold


def _relation_payload(
    state: ReviewState, candidate: RelationCandidate, version: RelationVersion
) -> dict:
    ends = {}
    for side, key in (("from", candidate.source), ("to", candidate.target)):
        end = state.candidate(key)
        assert end is not None, "relation candidates are built from the candidates' spans"
        if end.gold_span is None:
            raise Invalid.one(
                side,
                "not_accepted",
                f"Accept the {end.label} span “{end.versions[0].text[:60]}” first.",
            )
        ends[side] = end.gold_span
    attrs = dict(version.attrs)
    for name in schema_mod.span_ref_names(state.article.project.schema, candidate.label):
        ref = attrs.get(name)
        if ref in (None, ""):
            continue
        end = state.candidate(ref)
        if end is None:
            raise Invalid.one(
                f"attrs.{name}", "not_found", f"{name} names no span of this article."
            )
        if end.gold_span is None:
            raise Invalid.one(
                f"attrs.{name}",
                "not_accepted",
                f"Accept the {end.label} span “{end.versions[0].text[:60]}” named by {name} first.",
            )
        attrs[name] = end.gold_span
    return {"label": candidate.label, **ends, "attrs": attrs}


def _accept_relation(gold, user, state, candidate: RelationCandidate, version) -> None:
    payload = _relation_payload(state, candidate, version)
    if candidate.gold_relation is not None:
        existing = next(r for r in state.gold.relations.all() if r.pk == candidate.gold_relation)
        if attrs_key(existing.attrs) == attrs_key(payload["attrs"]):
            return
        relations_mod.do_delete_relation(gold, user, existing.pk, version=gold.version)
    result = relations_mod.do_add_relation(gold, user, payload, version=gold.version)
    candidate.gold_relation, candidate.status = result.obj.pk, ACCEPTED
    _clear_rejections(gold, relations=candidate.relation_ids)


def do_accept_relation(article: Article, user, relation_id: object, *, version: object):
    """Copy the annotator relation ``relation_id`` (its version of the relation candidate) into
    gold, between the gold spans of the candidates at its ends, which must be accepted."""
    with transaction.atomic():
        gold, state = _begin(article, user, version)
        candidate, chosen = state.relation_candidate_of(relation_id)
        _accept_relation(gold, user, state, candidate, chosen)
        return gold


def do_reject_relation(article: Article, user, relation_id: object, *, version: object):
    with transaction.atomic():
        gold, state = _begin(article, user, version)
        candidate, _ = state.relation_candidate_of(relation_id)
        ReviewRejection.objects.bulk_create(
            [
                ReviewRejection(gold=gold, relation_id=r, rejected_by=user)
                for r in candidate.relation_ids
            ],
            ignore_conflicts=True,
        )
        if candidate.gold_relation is not None:
            relations_mod.do_delete_relation(
                gold, user, candidate.gold_relation, version=gold.version
            )
        else:
            ends = [state.candidate(key) for key in (candidate.source, candidate.target)]
            what = f"{candidate.label}: " + " → ".join(
                f"{end.label} “{end.versions[0].text}”" if end else "?" for end in ends
            )
            annotators = sorted({a for v in candidate.versions for a in v.annotators})
            _record_rejection(gold, user, relation_id, what, annotators)
        return gold


@dataclass
class AcceptedAgreed:
    gold: Annotation
    spans: int
    relations: int


def do_accept_agreed(article: Article, user, *, version: object) -> AcceptedAgreed:
    """Accept every open unanimous or majority candidate as its leading version, then every open
    unanimous or majority relation whose ends are in gold. Disputed minority candidates, and
    candidates the reviewer already decided, are left alone."""
    with transaction.atomic():
        gold, state = _begin(article, user, version)
        n_spans = n_relations = 0
        for c in state.candidates:
            if c.status == OPEN and c.agreement in (UNANIMOUS, MAJORITY):
                v = c.versions[0]
                data = {"label": v.label, "start": v.start, "end": v.end, "text": v.text}
                _accept(gold, user, state, c, data | {"attrs": v.attrs})
                n_spans += 1
        for rc in state.relation_candidates:
            if rc.status != OPEN or rc.agreement not in (UNANIMOUS, MAJORITY):
                continue
            try:
                _accept_relation(gold, user, state, rc, rc.versions[0])
            except Invalid:
                continue  # an end is not in gold: the reviewer decides it
            n_relations += 1
        return AcceptedAgreed(gold, n_spans, n_relations)


def _reviewer_candidate(
    state: ReviewState, cleaned: dict, excluding: int | None = None
) -> Candidate | None:
    """The candidate a reviewer's own span resolves: an open one, or the one it resolved
    already (``excluding``: the gold span being edited), of its label that it overlaps enough."""
    rec = SpanRec("new", cleaned["label"], cleaned["start"], cleaned["end"])
    current = state.gold_candidate.get(excluding) if excluding is not None else None
    best, best_iou = None, IOU_THRESHOLD
    for c in state.candidates:
        if c.label != cleaned["label"] or (c.status == ACCEPTED and c.key != current):
            continue
        score = max(iou(rec, SpanRec("v", v.label, v.start, v.end)) for v in c.versions)
        if score >= best_iou and (best is None or score > best_iou):
            best, best_iou = c, score
    return best


def do_add_gold_span(article: Article, user, data: dict, *, version: object) -> Span:
    """A span the reviewer marks on the text. It resolves the open candidate of its label that
    it overlaps most (IoU ≥ 0.5), if any; otherwise its provenance is ``reviewer``."""
    with transaction.atomic():
        gold, state = _begin(article, user, version)
        if data.get("client_id"):
            existing = Span.objects.filter(annotation=gold, client_id=data["client_id"]).first()
            if existing is not None:
                return existing
        cleaned = spans_mod.check_span(gold, data)
        candidate = _reviewer_candidate(state, cleaned)
        key = content_key(cleaned["label"], cleaned["start"], cleaned["end"], cleaned["attrs"])
        provenance, agreed = provenance_for(key, candidate, state.n_layers)
        payload = cleaned | {
            "provenance": provenance,
            "agreed_by": agreed,
            "client_id": data.get("client_id"),
        }
        span = spans_mod.do_add_span(gold, user, payload, version=gold.version).obj
        if candidate is not None:
            _clear_rejections(gold, spans=candidate.span_ids)
        return span


def do_edit_gold_span(
    article: Article, user, span_id: object, changes: dict, *, version: object
) -> Span:
    """Change a gold span's label, boundaries or attributes; its provenance and ``agreed_by``
    are worked out again against the candidate it resolves."""
    with transaction.atomic():
        gold, state = _begin(article, user, version)
        span = state.gold_span(span_id)
        base = {"label": span.label, "start": span.start, "end": span.end, "text": span.text}
        cleaned = spans_mod.check_span(gold, _merged(base | {"attrs": span.attrs}, changes))
        candidate = _reviewer_candidate(state, cleaned, excluding=span.pk)
        key = content_key(cleaned["label"], cleaned["start"], cleaned["end"], cleaned["attrs"])
        if candidate is None and span.provenance != Provenance.REVIEWER:
            # Moved away from the candidate it resolved: still the reviewer's decision on it.
            candidate_key = state.gold_candidate.get(span.pk)
            candidate = state.candidate(candidate_key) if candidate_key else None
        provenance, agreed = provenance_for(key, candidate, state.n_layers)
        payload = cleaned | {"provenance": provenance, "agreed_by": agreed}
        return spans_mod.do_update_span(gold, user, span.pk, payload, version=gold.version).obj


def do_delete_gold_span(article: Article, user, span_id: object, *, version: object) -> None:
    """Remove a span from gold; the candidate it resolved is open again (reject it to say no)."""
    with transaction.atomic():
        gold, state = _begin(article, user, version)
        span = state.gold_span(span_id)
        spans_mod.do_delete_span(gold, user, span.pk, version=gold.version)


def do_add_gold_relation(article: Article, user, data: dict, *, version: object) -> Relation:
    with transaction.atomic():
        gold, _ = _begin(article, user, version)
        return relations_mod.do_add_relation(gold, user, data, version=gold.version).obj


def do_edit_gold_relation(
    article: Article, user, relation_id: object, attrs: object, *, version: object
) -> Relation:
    """Change the attributes of a gold relation (its cue); type and ends stay."""
    with transaction.atomic():
        gold, _ = _begin(article, user, version)
        return relations_mod.do_update_relation(
            gold, user, relation_id, attrs, version=gold.version
        ).obj


def do_delete_gold_relation(
    article: Article, user, relation_id: object, *, version: object
) -> None:
    with transaction.atomic():
        gold, _ = _begin(article, user, version)
        relations_mod.do_delete_relation(gold, user, relation_id, version=gold.version)


def do_mark_reviewed(article: Article, user, *, version: object) -> Annotation:
    """Finish the review: the gold annotation becomes ``reviewed`` (so the article does), with
    ``user`` as its reviewer. Refused while a span or relation candidate is still open, and
    while a gold span lacks a required attribute (an import from a tool without it, or a schema
    that made it required later: ``check_complete``)."""
    with transaction.atomic():
        gold, state = _begin(article, user, version)
        open_spans, open_relations = state.open_counts()
        if open_spans or open_relations:
            parts = [
                f"{n} {what}{'s' if n != 1 else ''}"
                for n, what in ((open_spans, "span"), (open_relations, "relation"))
                if n
            ]
            raise Invalid.one(
                "candidates",
                "undecided",
                f"{' and '.join(parts)} still undecided: accept or reject "
                f"{'it' if open_spans + open_relations == 1 else 'them'} first.",
            )
        versions_mod.check_complete(gold)
        before = {"status": gold.status}
        gold.status = AnnotationStatus.REVIEWED
        gold.reviewer = user
        gold.submitted_at = timezone.now()
        versions_mod.change_status(
            gold,
            user,
            before,
            {"status": gold.status, "reviewer": user.username},
            fields=("status", "reviewer", "submitted_at"),
        )
        return gold


def check_comment(comment: object) -> str:
    if not isinstance(comment, str) or not comment.strip():
        raise Invalid.one(
            "comment", "required", "Say what the annotator should change (a comment)."
        )
    comment = comment.strip()
    if len(comment) > COMMENT_MAX_LENGTH:
        raise Invalid.one(
            "comment",
            "max_length",
            f"Keep the comment under {COMMENT_MAX_LENGTH} characters ({len(comment)} sent).",
        )
    return comment


def do_return(annotation: Annotation, user, comment: object, *, version: object):
    """Send an annotator's finished work back to them as a draft carrying ``comment``.

    Expects ``annotation`` locked FOR UPDATE by the caller's transaction. The draft keeps its
    seat on the article (it counts as assigned, so it never expires) and shows first in the
    annotator's queue with the comment. If the article's gold layer was marked reviewed it is
    reopened: the article is not finished while one of its annotations is being redone.
    """
    if annotation.is_gold:
        raise Invalid.one("annotation", "not_allowed", "The gold layer cannot be sent back.")
    versions_mod.check_version(annotation, version)
    comment = check_comment(comment)
    if annotation.status not in (*FINISHED, AnnotationStatus.SKIPPED):
        raise Invalid.one(
            "status",
            "not_finished",
            f"This annotation is a {annotation.status}; only submitted or skipped work can be "
            "sent back.",
        )
    before = {"status": annotation.status}
    annotation.status = AnnotationStatus.DRAFT
    annotation.review_comment = comment
    annotation.skip_reason = ""
    annotation.submitted_at = None
    annotation.lease_expires_at = None
    if annotation.assigned_by_id is None:
        annotation.assigned_by = user
    versions_mod.change_status(
        annotation,
        user,
        before,
        {"status": annotation.status, "comment": comment},
        fields=(
            "status",
            "review_comment",
            "skip_reason",
            "submitted_at",
            "lease_expires_at",
            "assigned_by",
        ),
    )
    gold = (
        Annotation.objects.select_for_update(of=("self",))
        .filter(article_id=annotation.article_id, is_gold=True, status=AnnotationStatus.REVIEWED)
        .first()
    )
    if gold is not None:
        gold.status = AnnotationStatus.DRAFT
        versions_mod.change_status(
            gold,
            user,
            {"status": AnnotationStatus.REVIEWED},
            {"status": gold.status, "reason": f"{annotation.layer_name}'s annotation sent back"},
            fields=("status",),
        )
    return annotation
