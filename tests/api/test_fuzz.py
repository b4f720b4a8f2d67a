"""Fuzzing the whole API from its OpenAPI schema with schemathesis, with valid and with invalid
data (positive and negative generation): no request may get a 5xx.

Requests go through the WSGI application in-process, authenticated as the project's manager by
token (so no CSRF token is needed). The project is seeded with articles, an annotation with two
spans and a relation, so that paths with ids can resolve: for each generated request a
hypothesis-drawn flag decides whether the path's ids are replaced with the seeded ones (to reach
the handlers' input checks) or left as generated (random, often absurd ids: 404, never 500).
Bounded by ``max_examples`` per operation so that the file runs in well under three minutes.
"""

from __future__ import annotations

import functools
import json

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token
from schemathesis import DataGenerationMethod
from schemathesis.checks import not_a_server_error

from labels.annotation import queue, relations, spans
from labels.api.auth import token_digest

pytestmark = pytest.mark.fuzz

KEY = "f" * 40  # the manager's API token in this test database
MAX_EXAMPLES = 10


@pytest.fixture
def seeded(project, manager, annotator, make_article):
    article = make_article(project, "😀 The minister said “we are ready” on Monday.")
    make_article(project, "Second article, nothing said.")
    annotation = queue.do_get_or_create_own(article, manager)
    text = article.text
    start = text.index("“we are ready”")
    quote = spans.do_add_span(
        annotation,
        manager,
        {
            "start": start,
            "end": start + 14,
            "text": "“we are ready”",
            "label": "Quote",
            "attrs": {"quote_type": "direct"},
        },
        version=annotation.version,
    ).obj
    start = text.index("The minister")
    source = spans.do_add_span(
        annotation,
        manager,
        {"start": start, "end": start + 12, "text": "The minister", "label": "Source"},
        version=annotation.version,
    ).obj
    relation = relations.do_add_relation(
        annotation,
        manager,
        {"label": "attributed_to", "from": quote.pk, "to": source.pk},
        version=annotation.version,
    ).obj
    return {
        "slug": project.slug,
        "article_id": article.pk,
        "annotation_id": annotation.pk,
        "span_id": source.pk,
        "relation_id": relation.pk,
        "username": annotator.username,
        "event_id": annotation.history.order_by("id").first().pk,
    }


@functools.cache
def _raw_schema() -> dict:
    """/api/schema/ as served, fetched once: generating it takes longer than the requests of
    one operation."""
    from django.test import Client

    response = Client().get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    return json.loads(response.content)


@pytest.fixture
def api_schema(seeded, manager):
    from annotator.wsgi import application

    # As Django's test client does: a finished request must not close the connection that
    # holds the test's transaction.
    raw = _raw_schema()  # before disconnecting: Django's test client reconnects the handler
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    # Positive examples follow the schema (reaching the handlers' own checks); negative ones
    # break it on purpose (wrong types, missing required fields, out-of-range values).
    yield schemathesis.from_dict(
        raw, app=application, data_generation_methods=DataGenerationMethod.all()
    )
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


schema = schemathesis.from_pytest_fixture("api_schema")


@schema.parametrize()
@schema.given(use_seeded_ids=st.booleans())
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_no_request_gets_a_server_error(case, use_seeded_ids, seeded, manager):
    # A fuzzed POST or DELETE on /auth/token/ replaces or revokes the token: put it back.
    token = Token.objects.filter(user=manager).first()
    if token is None or token.key != token_digest(KEY):
        Token.objects.filter(user=manager).delete()
        Token.objects.create(user=manager, key=token_digest(KEY))
    if use_seeded_ids and case.path_parameters:
        for name in case.path_parameters:
            if name in seeded:
                case.path_parameters[name] = seeded[name]
    response = case.call_wsgi(headers={"Authorization": f"Token {KEY}"})
    case.validate_response(response, checks=(not_a_server_error,))
