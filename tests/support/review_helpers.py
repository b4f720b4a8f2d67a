"""Building submitted annotations for review tests through the same functions the API calls."""

from __future__ import annotations

from django.db import transaction

from labels.annotation import relations as relations_mod
from labels.annotation import spans, versions
from labels.models import Annotation, AnnotationStatus

#        0         1         2         3         4         5         6         7
#        0123456789012345678901234567890123456789012345678901234567890123456789012345678
TEXT = "Macron said the talks would go on. Putin disagreed, the Kremlin said on Monday."


def at(fragment: str, text: str = TEXT) -> tuple[int, int]:
    start = text.index(fragment)
    return start, start + len(fragment)


def span_data(label: str, fragment: str, text: str = TEXT, **attrs) -> dict:
    start, end = at(fragment, text)
    return {"label": label, "start": start, "end": end, "text": fragment, "attrs": attrs}


def submit_layer(article, user, marks, relations=(), *, submit: bool = True) -> Annotation:
    """``user``'s annotation of ``article`` holding ``marks`` (span_data dicts) and
    ``relations`` ((label, index of source mark, index of target mark)), then submitted."""
    annotation, _ = Annotation.objects.get_or_create(article=article, annotator=user, is_gold=False)
    created = []
    with transaction.atomic():
        annotation = versions.locked(annotation.pk)
        for mark in marks:
            created.append(
                spans.do_add_span(annotation, user, mark, version=annotation.version).obj
            )
        for label, source, target in relations:
            relations_mod.do_add_relation(
                annotation,
                user,
                {"label": label, "from": created[source].pk, "to": created[target].pk},
                version=annotation.version,
            )
        if submit:
            versions.do_set_status(
                annotation, user, AnnotationStatus.SUBMITTED, version=annotation.version
            )
    annotation.refresh_from_db()
    annotation.created_spans = created
    return annotation
