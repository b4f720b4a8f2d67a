"""Helpers of the import tests: the sample files under tests/data/imports/, JSON lines in memory,
and what an imported article holds.

The sample files are written from each tool's documented export format; their texts put spans
after an emoji (an astral character: one code point, two UTF-16 units) and across CRLF line
breaks."""

from __future__ import annotations

import io
import json

from labels.interop.importing import do_import
from labels.models import Annotation, Span
from tests.support.paths import IMPORT_SAMPLES as DATA


def jsonl(*records) -> io.BytesIO:
    return io.BytesIO("\n".join(json.dumps(r, ensure_ascii=False) for r in records).encode())


def run(project, name, fmt, **kwargs):
    with open(DATA / name, "rb") as stream:
        return do_import(project, [(name, stream)], fmt=fmt, **kwargs)


def spans_of(article, **layer):
    annotation = Annotation.objects.get(article=article, **layer)
    return {(s.label, s.text, tuple(sorted(s.attrs.items()))) for s in annotation.spans.all()}


def assert_offsets_hold(article):
    for span in Span.objects.filter(annotation__article=article):
        assert article.text[span.start : span.end] == span.text
