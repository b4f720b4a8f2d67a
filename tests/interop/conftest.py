"""Fixtures of the interop tests (export and formats)."""

from __future__ import annotations

import pytest

from labels.annotation import spans as spans_mod
from labels.models import Annotation, AnnotationStatus, Article
from tests.support.exports import TEXT_3, annotator_record, gold_record, load, second_article


@pytest.fixture
def desk(project, annotator, annotator2):
    """Gold and two analysts' layers, plus a draft and a skipped annotation that the default
    export leaves out."""
    load(project, "gold", gold_record(), second_article())
    load(project, annotator.username, annotator_record(), second_article("indirect"))
    # ben found nothing to mark in afp-1 and submitted an empty layer.
    Annotation.objects.create(
        article=Article.objects.get(external_id="afp-1"),
        annotator=annotator2,
        status=AnnotationStatus.SUBMITTED,
    )
    third = Article.objects.create(
        project=project, external_id="fr-3", text=TEXT_3, text_sha256="x" * 64
    )
    draft = Annotation.objects.create(article=third, annotator=annotator2)
    spans_mod.do_add_span(
        draft,
        annotator2,
        {"start": 24, "end": 31, "text": "Reuters", "label": "Source"},
        version=draft.version,
    )
    Annotation.objects.create(
        article=third, annotator=annotator, status=AnnotationStatus.SKIPPED, skip_reason="French"
    )
    return project
