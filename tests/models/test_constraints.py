"""Invariants that PostgreSQL itself enforces, whatever code path writes."""

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction

from labels.models import Annotation, AnnotationStatus, HistoryEvent, Relation, Span

pytestmark = pytest.mark.django_db


@pytest.fixture
def annotation(project, make_article, annotator):
    article = make_article(project, "The minister said “we are ready” on Monday.")
    return Annotation.objects.create(article=article, annotator=annotator)


def _span(annotation, **fields):
    values = {"label": "Quote", "start": 19, "end": 31, "text": "we are ready"} | fields
    return Span.objects.create(annotation=annotation, **values)


def test_database_refuses_span_with_start_not_before_end(annotation):
    with pytest.raises(IntegrityError, match="labels_span_start_lt_end"), transaction.atomic():
        _span(annotation, start=10, end=10, text="x")


def test_database_refuses_span_ending_before_it_starts(annotation):
    with pytest.raises(IntegrityError, match="labels_span_start_lt_end"), transaction.atomic():
        _span(annotation, start=12, end=5, text="x")


def test_database_refuses_negative_start(annotation):
    with connection.cursor() as cursor, pytest.raises(IntegrityError), transaction.atomic():
        cursor.execute(
            'INSERT INTO labels_span (annotation_id, label, start, "end", text, attrs, origin, '
            "origin_detail, provenance, agreed_by, created_at, updated_at) "
            "VALUES (%s, 'Quote', -1, 3, 'abc', '{}', 'manual', '{}', '', '[]', now(), now())",
            [annotation.pk],
        )


def test_database_refuses_second_annotation_of_one_annotator(annotation):
    with (
        pytest.raises(IntegrityError, match="labels_annotation_unique_annotator"),
        transaction.atomic(),
    ):
        Annotation.objects.create(article=annotation.article, annotator=annotation.annotator)


def test_database_refuses_second_gold_layer(annotation):
    Annotation.objects.create(article=annotation.article, is_gold=True)
    with pytest.raises(IntegrityError, match="labels_annotation_unique_gold"), transaction.atomic():
        Annotation.objects.create(article=annotation.article, is_gold=True)


def test_database_refuses_gold_layer_with_annotator(annotation, annotator2):
    with (
        pytest.raises(IntegrityError, match="labels_annotation_gold_xor_annotator"),
        transaction.atomic(),
    ):
        Annotation.objects.create(article=annotation.article, is_gold=True, annotator=annotator2)


def test_database_refuses_relation_between_spans_of_different_annotations(annotation, annotator2):
    other = Annotation.objects.create(article=annotation.article, annotator=annotator2)
    quote = _span(annotation)
    source = _span(other, label="Source", start=0, end=12, text="The minister")
    with (
        pytest.raises(IntegrityError, match="labels_relation_target_same_annotation"),
        transaction.atomic(),
    ):
        Relation.objects.create(
            annotation=annotation, label="attributed_to", source=quote, target=source
        )


def test_database_refuses_unknown_status(annotation):
    annotation.status = "finished"
    with (
        pytest.raises(IntegrityError, match="labels_annotation_status_valid"),
        transaction.atomic(),
    ):
        annotation.save()


def test_history_rows_cannot_be_updated_or_deleted(annotation):
    event = HistoryEvent.objects.create(
        annotation=annotation, action="span_created", object_id=1, annotation_version=1, after={}
    )
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        HistoryEvent.objects.filter(pk=event.pk).update(action="span_deleted")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        HistoryEvent.objects.filter(pk=event.pk).delete()
    assert HistoryEvent.objects.get(pk=event.pk).action == "span_created"


def test_article_state_follows_the_annotations(project, make_article, annotator, annotator2):
    article = make_article(project)

    def state():
        return type(article).objects.with_state().get(pk=article.pk).state

    assert state() == "new"
    first = Annotation.objects.create(article=article, annotator=annotator)
    assert state() == "in_progress"
    first.status = AnnotationStatus.SUBMITTED
    first.save()
    assert state() == "in_progress"  # two annotators needed
    Annotation.objects.create(
        article=article, annotator=annotator2, status=AnnotationStatus.SUBMITTED
    )
    assert state() == "submitted"
    Annotation.objects.create(article=article, is_gold=True, status=AnnotationStatus.REVIEWED)
    assert state() == "reviewed"


def test_article_state_of_loaded_layers_agrees_with_with_state(project, make_article, make_user):
    """models.article_state (the article detail) and with_state (lists, filters) are one rule:
    every mix of up to two analysts' statuses and a gold layer gives the same answer."""
    import itertools

    from labels.models import Article, article_state

    statuses = [None, *AnnotationStatus.values]
    analysts = [make_user(f"analyst{i}") for i in range(2)]
    combos = list(itertools.product(statuses, statuses, [None, "draft", "reviewed"]))
    for n, (first, second, gold) in enumerate(combos):
        article = make_article(project, external_id=f"combo-{n}")
        for analyst, status in zip(analysts, (first, second), strict=True):
            if status is not None:
                Annotation.objects.create(article=article, annotator=analyst, status=status)
        if gold is not None:
            Annotation.objects.create(article=article, is_gold=True, status=gold)
    seen = set()
    for article in Article.objects.with_state().filter(external_id__startswith="combo-"):
        layers = Annotation.objects.filter(article=article).values_list("is_gold", "status")
        expected = (article.state, article.annotators_done)
        assert article_state(layers, project.annotators_per_article) == expected, article
        seen.add(article.state)
    assert seen == {"new", "in_progress", "submitted", "reviewed"}


def test_articles_up_to_a_page_are_stored_uncompressed(project, make_article):
    """Migration 0008: no compression (a tenth of an import's time) below a full page; a long
    article is still compressed."""
    from django.db import connection

    short = make_article(project, "word " * 600)  # 3,000 characters
    long = make_article(project, "word " * 6000)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, pg_column_compression(text) FROM labels_article WHERE id IN (%s, %s)",
            [short.pk, long.pk],
        )
        compression = dict(cursor.fetchall())
    assert compression == {short.pk: None, long.pk: "pglz"}
