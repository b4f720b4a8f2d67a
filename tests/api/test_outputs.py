"""The hot endpoints answer with plain dicts built from hand-written SQL (labels.rawsql); the DRF
serializers stay the documented contract. These tests hold the two to the same output."""

from __future__ import annotations

import json
import uuid

import pytest
from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone

from labels.annotation import relations as relations_mod
from labels.annotation import spans
from labels.annotation.reads import annotation_payload, span_data
from labels.api.outputs import AnnotationSerializer, SpanSerializer
from labels.models import Annotation, AnnotationStatus, Relation, Span

pytestmark = pytest.mark.django_db

TEXT = "😀 The minister said “we are ready” on Monday, according to AFP."


def _locked(annotation):
    return (
        Annotation.objects.select_for_update()
        .select_related("article__project")
        .get(pk=annotation.pk)
    )


def _add(annotation, actor, label, text, attrs, **extra):
    start = TEXT.index(text)
    with transaction.atomic():
        a = _locked(annotation)
        data = {"label": label, "start": start, "end": start + len(text), "text": text}
        return spans.do_add_span(a, actor, data | {"attrs": attrs} | extra, version=a.version).obj


@pytest.fixture
def gold(project, make_article, reviewer):
    """A reviewed gold layer with attributes, provenance, client ids and a relation."""
    annotation = Annotation.objects.create(article=make_article(project, TEXT), is_gold=True)
    quote = _add(
        annotation,
        reviewer,
        "Quote",
        "we are ready",
        {"quote_type": "direct"},
        provenance="reviewer",
        agreed_by=["ana", "ben"],
        client_id=str(uuid.uuid4()),
    )
    source = _add(annotation, reviewer, "Source", "AFP", {"source_type": "news_agency"})
    with transaction.atomic():
        a = _locked(annotation)
        relations_mod.do_add_relation(
            a,
            reviewer,
            {"label": "attributed_to", "from": quote.pk, "to": source.pk},
            version=a.version,
        )
    Annotation.objects.filter(pk=annotation.pk).update(
        status=AnnotationStatus.REVIEWED, reviewer=reviewer, submitted_at=timezone.now()
    )
    return Annotation.objects.get(pk=annotation.pk)


def _documented(annotation: Annotation) -> dict:
    loaded = (
        Annotation.objects.select_related("reviewer", "annotator")
        .prefetch_related(
            Prefetch("spans", queryset=Span.objects.order_by("start", "end", "id")),
            Prefetch("relations", queryset=Relation.objects.order_by("id")),
        )
        .get(pk=annotation.pk)
    )
    return json.loads(json.dumps(AnnotationSerializer(loaded).data))


def test_the_annotation_payload_is_what_the_serializer_documents(gold):
    payload = annotation_payload(gold)
    assert payload["reviewer"] == "rita" and payload["layer"] == "gold"
    assert len(payload["spans"]) == 2 and len(payload["relations"]) == 1
    assert payload == _documented(gold)


def test_an_analysts_draft_payload_matches_too(project, make_article, annotator):
    from labels.annotation import queue

    mine = queue.do_get_or_create_own(make_article(project, TEXT), annotator)
    _add(mine, annotator, "Cue", "said", {})
    mine.refresh_from_db()
    payload = annotation_payload(mine)
    assert payload["layer"] == "ana" and payload["reviewer"] is None
    assert payload == _documented(mine)


def test_span_data_is_the_span_serializer(gold):
    for span in Span.objects.filter(annotation=gold):
        assert span_data(span) == json.loads(json.dumps(SpanSerializer(span).data))


def test_the_annotation_read_costs_four_queries(api, gold, reviewer, django_assert_num_queries):
    client = api(reviewer)
    # 1 session, 2 user, 3 the annotation with article, project and my membership,
    # 4 the annotation as JSON, with names, spans and relations, built by PostgreSQL.
    with django_assert_num_queries(4):
        response = client.get(f"/api/v1/annotations/{gold.pk}/")
    assert response.status_code == 200
    assert response.json() == _documented(gold)
