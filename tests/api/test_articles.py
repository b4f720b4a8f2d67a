"""The articles API: list with state, full-text search and ordering; detail; create; and the
annotations (layers) of an article, by role."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

import pytest
from django.db import connection
from django.db.models import Count, Prefetch
from rest_framework.renderers import JSONRenderer

from labels import access
from labels.annotation import queue, spans
from labels.annotation import relations as relations_mod
from labels.annotation.reads import article_layers_json
from labels.api.outputs import AnnotationSerializer
from labels.models import (
    Annotation,
    AnnotationStatus,
    Article,
    ArticleSearch,
    Membership,
    Relation,
    Span,
)
from tests.support.api import errors_of

pytestmark = pytest.mark.django_db

ARTICLES = "/api/v1/projects/desk/articles/"


def add_span(annotation, user, text, label="Cue", attrs=None):
    start = annotation.article.text.index(text)
    annotation.refresh_from_db()
    return spans.do_add_span(
        annotation,
        user,
        {
            "start": start,
            "end": start + len(text),
            "text": text,
            "label": label,
            "attrs": attrs or {},
        },
        version=annotation.version,
    )


@pytest.fixture
def articles(project, make_article):
    return [
        make_article(
            project,
            "The minister said the budget is final.",
            title="Budget",
            external_id="a-budget",
        ),
        make_article(
            project, "Протестующие заявили, что не уйдут.", title="Минск", external_id="b-minsk"
        ),
        make_article(
            project,
            "Le ministre a déclaré que le budget était prêt.",
            title="Budget FR",
            external_id="c-budget-fr",
        ),
    ]


# --- list -------------------------------------------------------------------------------------


def test_every_member_lists_articles_without_text(api, project, articles, annotator):
    response = api(annotator).get(ARTICLES)
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3
    assert [a["external_id"] for a in body["results"]] == ["a-budget", "b-minsk", "c-budget-fr"]
    assert body["results"][0]["state"] == "new"
    assert "text" not in body["results"][0]


def test_outsider_gets_404_for_articles(api, project, articles, outsider, other_project):
    assert api(outsider).get(ARTICLES).status_code == 404
    assert api(outsider).get(f"{ARTICLES}{articles[0].pk}/").status_code == 404
    assert api(outsider).get(f"/api/v1/articles/{articles[0].pk}/annotations/").status_code == 404


def test_article_list_is_paginated(api, project, make_article, annotator):
    for n in range(55):
        make_article(project, f"Article number {n} said nothing.", external_id=f"n{n:03}")
    client = api(annotator)
    first = client.get(ARTICLES).json()
    assert first["count"] == 55 and len(first["results"]) == 50 and first["next"]
    second = client.get(ARTICLES, {"page": 2}).json()
    assert len(second["results"]) == 5 and second["next"] is None
    assert client.get(ARTICLES, {"page": 9}).status_code == 404


def test_article_list_filters_by_state(api, project, articles, annotator, manager):
    annotation = queue.do_get_or_create_own(articles[1], annotator)
    add_span(annotation, annotator, "заявили")
    response = api(manager).get(ARTICLES, {"state": "in_progress"})
    assert [a["external_id"] for a in response.json()["results"]] == ["b-minsk"]
    response = api(manager).get(ARTICLES, {"state": "new"})
    assert {a["external_id"] for a in response.json()["results"]} == {"a-budget", "c-budget-fr"}


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"state": "done"}, "state"),
        ({"ordering": "text"}, "ordering"),
        ({"ordering": "project__name"}, "ordering"),
    ],
)
def test_article_list_refuses_unknown_filters_and_orderings(
    api, project, articles, annotator, params, field
):
    response = api(annotator).get(ARTICLES, params)
    assert response.status_code == 400
    assert errors_of(response) == {(field, "invalid_choice")}


def test_article_list_orders_only_by_the_allow_list(api, project, articles, annotator):
    response = api(annotator).get(ARTICLES, {"ordering": "-title"})
    assert [a["title"] for a in response.json()["results"]] == ["Минск", "Budget FR", "Budget"]


def test_full_text_search_ranks_and_understands_web_search_syntax(
    api, project, articles, annotator
):
    client = api(annotator)
    found = client.get(ARTICLES, {"search": "budget"}).json()["results"]
    assert {a["external_id"] for a in found} == {"a-budget", "c-budget-fr"}
    found = client.get(ARTICLES, {"search": "budget -ministre"}).json()["results"]
    assert [a["external_id"] for a in found] == ["a-budget"]
    found = client.get(ARTICLES, {"search": '"не уйдут"'}).json()["results"]
    assert [a["external_id"] for a in found] == ["b-minsk"]
    assert client.get(ARTICLES, {"search": "nothing-like-this"}).json()["count"] == 0
    # Odd input is a search, never an error.
    assert client.get(ARTICLES, {"search": '" ( & | ! :*'}).status_code == 200


def test_search_folds_case_and_splits_words_in_any_script(api, project, make_article, annotator):
    """The database's locale decides both: upper and lower case beyond ASCII are one word, and
    quotes and dashes of other languages are not letters."""
    make_article(project, "«КИЇВ» — ÉTÉ, mit STRAẞE", title="Headline")
    client = api(annotator)
    for query in ["київ", "été", "КИЇВ", "straße"]:
        found = client.get(ARTICLES, {"search": query}).json()["results"]
        assert [a["title"] for a in found] == ["Headline"], query


def test_search_with_a_nul_character_is_a_400(api, project, articles, annotator):
    response = api(annotator).get(ARTICLES, {"search": "bud\x00get"})
    assert response.status_code == 400
    assert errors_of(response) == {("search", "nul_character")}


def test_search_uses_the_gin_index(project, articles):
    """Search goes through the GIN index of the articles' vectors (checked with the other scans
    off, since three rows would otherwise be read sequentially)."""
    qs = Article.objects.search("budget")
    with connection.cursor() as cursor:
        # Leave PostgreSQL only bitmap scans, which need an index condition: a full scan of
        # another index can otherwise look cheaper on a table this small.
        for scan in ("seqscan", "indexscan", "indexonlyscan"):
            cursor.execute(f"SET LOCAL enable_{scan} = off")
        sql, params = qs.query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "labels_articlesearch_vector" in plan, plan


def test_the_stored_vectors_are_the_expression_of_article_search_vector(project, articles):
    """The index job's SQL computes what Django's ``Article.search_vector()`` does."""
    stored = dict(ArticleSearch.objects.values_list("article_id", "vector"))
    computed = dict(
        Article.objects.filter(project=project)
        .annotate(v=Article.search_vector())
        .values_list("id", "v")
    )
    assert stored == computed and len(stored) == 3


def test_article_list_query_count(api, project, make_article, annotator, django_assert_num_queries):
    for n in range(10):
        make_article(project, f"Article {n}: the minister said so.", external_id=f"q{n}")
    client = api(annotator)
    # 1 session, 2 user, 3 membership+project, 4 is a task building the search index queued or
    # running (no: nothing to count), 5 count, 6 the page (state and search_indexed in SQL).
    with django_assert_num_queries(6):
        response = client.get(ARTICLES, {"search": "minister", "state": "new"})
    assert response.json()["count"] == 10
    assert response.json()["search_index"] == {"complete": True, "pending": 0}


# --- detail -----------------------------------------------------------------------------------


def test_staff_see_a_summary_of_layers_annotators_do_not(
    api, project, articles, annotator, reviewer
):
    annotation = queue.do_get_or_create_own(articles[0], annotator)
    add_span(annotation, annotator, "said")
    body = api(reviewer).get(f"{ARTICLES}{articles[0].pk}/").json()
    assert body["text"] == articles[0].text
    assert [(la["layer"], la["spans"], la["relations"]) for la in body["layers"]] == [("ana", 1, 0)]
    body = api(annotator).get(f"{ARTICLES}{articles[0].pk}/").json()
    assert body["text"] == articles[0].text and body["layers"] is None


def test_article_of_another_project_is_404_even_for_a_member_there(
    api, project, other_project, make_article, outsider, manager
):
    theirs = make_article(other_project, "Elsewhere, someone said something.")
    assert api(manager).get(f"{ARTICLES}{theirs.pk}/").status_code == 404
    assert api(outsider).get(f"/api/v1/projects/elsewhere/articles/{theirs.pk}/").status_code == 200


def test_article_detail_query_count(
    api, project, articles, annotator, reviewer, django_assert_num_queries
):
    annotation = queue.do_get_or_create_own(articles[0], annotator)
    add_span(annotation, annotator, "said")
    client = api(reviewer)
    # 1 session, 2 user, 3 the article with its project and my membership, 4 its layers with
    # their annotators and span/relation counts (the state is worked out from them).
    with django_assert_num_queries(4):
        assert client.get(f"{ARTICLES}{articles[0].pk}/").status_code == 200


@pytest.mark.parametrize("who", ["reviewer", "annotator"])
def test_article_detail_is_what_the_serializer_documents(api, project, articles, request, who):
    import json

    from labels.api.outputs import ArticleDetailSerializer
    from labels.models import Annotation

    queue.do_get_or_create_own(articles[0], request.getfixturevalue("annotator2"))
    annotation = queue.do_get_or_create_own(articles[0], request.getfixturevalue("annotator"))
    add_span(annotation, request.getfixturevalue("annotator"), "said")
    Annotation.objects.create(article=articles[0], is_gold=True)
    user = request.getfixturevalue(who)
    body = api(user).get(f"{ARTICLES}{articles[0].pk}/").json()
    article = Article.objects.with_state().get(pk=articles[0].pk)
    article.layers = (
        list(
            Annotation.objects.filter(article=article)
            .select_related("annotator")
            .annotate(
                span_count=Count("spans", distinct=True),
                relation_count=Count("relations", distinct=True),
            )
            .order_by("-is_gold", "annotator__username")
        )
        if who == "reviewer"
        else None
    )
    assert body == json.loads(json.dumps(ArticleDetailSerializer(article).data))
    assert body["state"] == "in_progress"
    if who == "reviewer":
        assert [la["layer"] for la in body["layers"]] == ["gold", "ana", "ben"]


def test_unknown_project_and_unknown_article_are_told_apart(api, project, articles, annotator):
    client = api(annotator)
    missing = client.get(f"/api/v1/projects/nowhere/articles/{articles[0].pk}/")
    assert missing.status_code == 404 and "project" in missing.json()["errors"][0]["message"]
    for bad in (10**9, 2**70):
        gone = client.get(f"{ARTICLES}{bad}/")
        assert gone.status_code == 404 and "article" in gone.json()["errors"][0]["message"]


# --- create -----------------------------------------------------------------------------------


def test_manager_creates_an_article_canonicalised(api, project, manager):
    response = api(manager).post(
        ARTICLES,
        {
            "id": "new-1",
            "text": "Line one\r\nCafe\u0301 said so.",
            "title": "New",
            "meta": {"source": "AFP"},
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    article = Article.objects.get(project=project, external_id="new-1")
    assert article.text == "Line one\nCafé said so."
    assert response.json()["text"] == article.text and response.json()["state"] == "new"


@pytest.mark.parametrize("who", ["reviewer", "annotator"])
def test_only_managers_create_articles(api, project, request, who):
    response = api(request.getfixturevalue(who)).post(
        ARTICLES, {"id": "x", "text": "Some text."}, format="json"
    )
    assert response.status_code == 403
    assert not Article.objects.filter(external_id="x").exists()


@pytest.mark.parametrize(
    ("payload", "field", "code"),
    [
        ({"id": "x", "text": "nul \x00 here"}, "text", "null_characters_not_allowed"),
        ({"id": "x", "text": "   "}, "text", None),
        ({"id": "x", "text": 5}, "text", None),
        ({"id": "x"}, "text", "required"),
        ({"id": "x", "text": "ok", "meta": "nope"}, "meta", "not_a_dict"),
        ({"id": "x", "text": "ok", "meta": {"k": "nul\x00"}}, "meta", "nul_character"),
        ({"id": "a-budget", "text": "Duplicate id."}, "id", "duplicate"),
    ],
)
def test_article_create_rejects_bad_input(api, project, articles, manager, payload, field, code):
    before = Article.objects.count()
    response = api(manager).post(ARTICLES, payload, format="json")
    assert response.status_code == 400, response.content
    fields = {f for f, _ in errors_of(response)}
    assert field in fields
    if code:
        assert (field, code) in errors_of(response)
    assert Article.objects.count() == before


# --- annotations of an article ---------------------------------------------------------------


@pytest.fixture
def two_layers(project, articles, annotator, annotator2):
    mine = queue.do_get_or_create_own(articles[0], annotator)
    add_span(mine, annotator, "said")
    theirs = queue.do_get_or_create_own(articles[0], annotator2)
    add_span(theirs, annotator2, "minister", label="Source")
    return articles[0]


def layers_seen(api, user, article):
    response = api(user).get(f"/api/v1/articles/{article.pk}/annotations/")
    assert response.status_code == 200, response.content
    return {a["layer"]: [s["text"] for s in a["spans"]] for a in response.json()["results"]}


def test_staff_see_every_layer(api, two_layers, manager, reviewer):
    expected = {"ana": ["said"], "ben": ["minister"]}
    assert layers_seen(api, manager, two_layers) == expected
    assert layers_seen(api, reviewer, two_layers) == expected


def test_annotator_in_a_blind_project_sees_only_their_own_layer(
    api, two_layers, annotator, annotator2
):
    assert layers_seen(api, annotator, two_layers) == {"ana": ["said"]}
    assert layers_seen(api, annotator2, two_layers) == {"ben": ["minister"]}
    # Nor can they fetch the other layer directly.
    other = two_layers.annotations.get(annotator=annotator2)
    assert api(annotator).get(f"/api/v1/annotations/{other.pk}/").status_code == 404


def test_annotator_in_an_open_project_sees_the_others(api, project, two_layers, annotator):
    project.blind = False
    project.save()
    assert layers_seen(api, annotator, two_layers) == {"ana": ["said"], "ben": ["minister"]}


def test_annotations_list_query_count(api, two_layers, reviewer, django_assert_num_queries):
    client = api(reviewer)
    # 1 session, 2 user, 3 one statement: the article, its project and the caller's membership,
    # the readable layers counted and built as JSON with their spans and relations.
    with django_assert_num_queries(3):
        response = client.get(f"/api/v1/articles/{two_layers.pk}/annotations/")
    assert response.json()["count"] == 2


RICH_TEXT = (
    "Міністр 🇧🇾 заявив: «Бюджет остаточний» — 财政部 said “no comment”, \\ "
    'quoting "AFP" 😀 on Monday.'
)


@pytest.fixture
def rich_layers(project, make_article, annotator, annotator2, reviewer):
    """Three layers of one article: two analysts' (one with spans in every corner of Unicode,
    attributes, a client_id and a relation with an attribute; one skipped, with a lease that
    has no microseconds) and a reviewed gold layer with a comment."""
    article = make_article(project, RICH_TEXT)
    mine = queue.do_get_or_create_own(article, annotator)
    quote = add_span(mine, annotator, "«Бюджет остаточний»", "Quote", {"quote_type": "direct"})
    source = add_span(mine, annotator, "Міністр 🇧🇾", "Source", {"source_type": "government"})
    cue = add_span(mine, annotator, "заявив").obj
    add_span(mine, annotator, "财政部", "Claim", {"checkworthy": "yes"})
    mine.refresh_from_db()
    spans.do_add_span(
        mine,
        annotator,
        {"label": "Cue", "start": 0, "end": 7, "text": "Міністр", "client_id": str(uuid.uuid4())},
        version=mine.version,
    )
    mine.refresh_from_db()
    relations_mod.do_add_relation(
        mine,
        annotator,
        {
            "label": "attributed_to",
            "from": quote.obj.pk,
            "to": source.obj.pk,
            "attrs": {"cue": cue.pk},
        },
        version=mine.version,
    )
    theirs = queue.do_get_or_create_own(article, annotator2)
    Annotation.objects.filter(pk=theirs.pk).update(
        status=AnnotationStatus.SKIPPED,
        skip_reason='Not news — “opinion” \\ "quoted"\nline two',
        lease_expires_at=datetime(2026, 12, 3, 8, 30, 0, tzinfo=UTC),
    )
    Annotation.objects.create(
        article=article,
        is_gold=True,
        status=AnnotationStatus.REVIEWED,
        reviewer=reviewer,
        review_comment="Перевірено ✓",
        submitted_at=datetime(2026, 12, 3, 8, 0, 0, 123, tzinfo=UTC),
    )
    return article


def _serialized(article, user) -> list:
    """The layers as the serializer path writes them (the view's page 2 onwards)."""
    membership = Membership.objects.get(project=article.project, user=user)
    layers = access.readable_layers(Annotation.objects.filter(article=article), user, membership)
    layers = (
        layers.select_related("annotator", "reviewer")
        .prefetch_related(
            Prefetch("spans", queryset=Span.objects.order_by("start", "end", "id")),
            Prefetch("relations", queryset=Relation.objects.order_by("id")),
        )
        .order_by("-is_gold", "annotator__username")
    )
    return json.loads(JSONRenderer().render(AnnotationSerializer(layers, many=True).data))


@pytest.mark.parametrize("blind", [True, False])
@pytest.mark.parametrize("who", ["manager", "reviewer", "annotator", "annotator2"])
def test_annotations_list_built_by_postgresql_is_the_serializers_json(
    request, api, project, rich_layers, blind, who
):
    project.blind = blind
    project.save()
    user = request.getfixturevalue(who)
    response = api(user).get(f"/api/v1/articles/{rich_layers.pk}/annotations/")
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/json"
    body = json.loads(response.content)
    expected = _serialized(rich_layers, user)
    assert body == {"count": len(expected), "next": None, "previous": None, "results": expected}
    # The same keys in the same order, all the way down.
    assert json.dumps(body["results"]) == json.dumps(expected)
    assert len(expected) == (3 if who in ("manager", "reviewer") else 1 if blind else 3)


def test_annotations_list_first_page_counts_every_layer(rich_layers, manager):
    count, page = article_layers_json(manager, rich_layers.pk, 2)
    assert count == 3
    assert [layer["layer"] for layer in json.loads(page)] == ["gold", "ana"]


def test_relations_serialise_with_from_and_to(api, project, articles, annotator):
    annotation = queue.do_get_or_create_own(articles[0], annotator)
    quote = add_span(
        annotation,
        annotator,
        "the budget is final",
        label="Quote",
        attrs={"quote_type": "indirect"},
    ).obj
    source = add_span(annotation, annotator, "The minister", label="Source").obj
    annotation.refresh_from_db()
    relations_mod.do_add_relation(
        annotation,
        annotator,
        {"label": "attributed_to", "from": quote.pk, "to": source.pk},
        version=annotation.version,
    )
    result = (
        api(annotator).get(f"/api/v1/articles/{articles[0].pk}/annotations/").json()["results"][0]
    )
    assert result["relations"][0] | {"id": 0} == {
        "id": 0,
        "label": "attributed_to",
        "from": quote.pk,
        "to": source.pk,
        "attrs": {},
        "client_id": None,
    }


@pytest.mark.parametrize("who", ["manager", "annotator", "annotator2"])
def test_include_article_adds_the_article_as_its_detail_gives_it(
    request, api, project, rich_layers, who
):
    """?include=article: the same layers, and the article under "article" exactly as the
    article's own GET gives it (text and state; the layers' summary for staff only)."""
    client = api(request.getfixturevalue(who))
    both = client.get(f"/api/v1/articles/{rich_layers.pk}/annotations/?include=article")
    assert both.status_code == 200, both.content
    body = json.loads(both.content)
    layers = client.get(f"/api/v1/articles/{rich_layers.pk}/annotations/").json()
    detail = client.get(f"{ARTICLES}{rich_layers.pk}/").json()
    assert body == {"article": detail, **layers}
    assert body["article"]["text"] == RICH_TEXT
    assert (body["article"]["layers"] is None) == (who != "manager")


def test_include_article_on_a_later_page_too(api, project, rich_layers, manager, monkeypatch):
    from rest_framework.pagination import PageNumberPagination

    monkeypatch.setattr(PageNumberPagination, "page_size", 2)  # 3 layers: two pages
    client = api(manager)
    url = f"/api/v1/articles/{rich_layers.pk}/annotations/?include=article"
    first, second = client.get(url).json(), client.get(f"{url}&page=2").json()
    assert (
        first["article"] == second["article"] == client.get(f"{ARTICLES}{rich_layers.pk}/").json()
    )
    assert [len(first["results"]), len(second["results"])] == [2, 1]
    assert first["next"] and second["previous"] is not None


def test_include_article_refuses_others_and_outsiders(api, rich_layers, manager, outsider):
    bad = api(manager).get(f"/api/v1/articles/{rich_layers.pk}/annotations/?include=text")
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["field"] == "include"
    url = f"/api/v1/articles/{rich_layers.pk}/annotations/?include=article"
    assert api(outsider).get(url).status_code == 404


def test_include_article_query_count(api, two_layers, reviewer, django_assert_num_queries):
    client = api(reviewer)
    # The list's three (session, user, the layers' one statement), then for "article" the
    # article with its project and the caller's membership, and the article's layers (its state).
    with django_assert_num_queries(5):
        response = client.get(f"/api/v1/articles/{two_layers.pk}/annotations/?include=article")
    assert response.json()["article"]["id"] == two_layers.pk
