"""The HTML pages and the API answer the same domain refusal with the same status and run the
same search: both translate ``labels.errors`` through one function each (``labels.api.errors``,
``labels.pages.errors``) and both search through ``Article.objects.search``."""

from __future__ import annotations

import json

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from labels.annotation import queue
from labels.interop import importing
from labels.models import Article, HistoryEvent, Role, Span


def _upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def test_the_upload_page_answers_a_concurrent_import_with_a_409_message_and_writes_nothing(
    client, project, manager, monkeypatch
):
    """As if another import had created the article between this one's lookup of existing ids
    and its write: the API answers 409 'conflict'; the upload page used to answer 500."""
    line = json.dumps({"id": "a1", "text": "The minister said so."}).encode()
    client.force_login(manager)
    url = reverse("import_upload", args=[project.slug])
    first = client.post(url, {"file": _upload("a.jsonl", line), "format": "native"})
    assert first.status_code == 200
    before = (Article.objects.count(), Span.objects.count(), HistoryEvent.objects.count())
    monkeypatch.setattr(importing, "_existing_articles", lambda project, ids: {})

    response = client.post(url, {"file": _upload("b.jsonl", line), "format": "native"})

    assert response.status_code == 409
    page = response.content.decode()
    assert "changed while this import ran" in page and "nothing was written" in page
    assert (Article.objects.count(), Span.objects.count(), HistoryEvent.objects.count()) == before


def test_the_project_page_searches_with_the_full_text_query_of_the_api(
    client, api, project, annotator, make_article
):
    """Web-search syntax and word matching, as in the API: the page used to match substrings
    of the whole text (``icontains``), so "mini" found "minister" and "-Kyiv" found nothing."""
    minsk = make_article(project, title="Minsk talks", text="The minister met envoys in Minsk.")
    kyiv = make_article(project, title="Kyiv talks", text="The minister met envoys in Kyiv.")
    make_article(project, title="Weather", text="Rain all week.")
    client.force_login(annotator)

    def on_page(q: str) -> set[str]:
        response = client.get(reverse("project", args=[project.slug]), {"q": q})
        assert response.status_code == 200
        return {a.title for a in response.context["page"].object_list}

    def in_api(q: str) -> set[str]:
        response = api(annotator).get(f"/api/v1/projects/{project.slug}/articles/", {"search": q})
        assert response.status_code == 200
        return {a["title"] for a in response.json()["results"]}

    for q, expected in [
        ("minister", {minsk.title, kyiv.title}),
        ("minister -Kyiv", {minsk.title}),
        ('"envoys in Kyiv"', {kyiv.title}),
        ("mini", set()),
    ]:
        assert on_page(q) == in_api(q) == expected, q


def test_the_project_page_refuses_a_nul_in_the_search_with_a_message_not_a_500(
    client, project, annotator, make_article
):
    make_article(project, title="Minsk talks")
    client.force_login(annotator)
    response = client.get(reverse("project", args=[project.slug]), {"q": "a\x00b"})
    assert response.status_code == 200
    assert "NUL character" in response.content.decode()


def test_a_full_article_is_a_409_on_the_page_and_in_the_api(
    client, api, make_project, manager, annotator, annotator2, make_article
):
    project = make_project(
        "solo",
        annotators_per_article=1,
        members={manager: Role.MANAGER, annotator: Role.ANNOTATOR, annotator2: Role.ANNOTATOR},
    )
    article = make_article(project)
    queue.do_get_or_create_own(article, annotator2)

    client.force_login(annotator)
    page = client.get(reverse("annotate", args=[article.pk]))
    started = api(annotator).post(f"/api/v1/articles/{article.pk}/annotation/")
    assigned = api(manager).post(
        f"/api/v1/articles/{article.pk}/assign/", {"username": annotator.username}, format="json"
    )

    assert page.status_code == started.status_code == assigned.status_code == 409
    assert started.json()["errors"][0]["code"] == "article_full"
    assert (assigned.json()["errors"][0]["field"], assigned.json()["errors"][0]["code"]) == (
        "username",
        "article_full",
    )
    assert not article.annotations.filter(annotator=annotator).exists()
