"""The project list and project page: who sees what, and how many queries it costs."""

import pytest
from django.urls import reverse

from labels.models import Annotation

pytestmark = pytest.mark.django_db


def test_anonymous_visitor_is_sent_to_log_in(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_outsider_does_not_see_another_project_on_the_project_list(
    client, project, other_project, outsider
):
    client.force_login(outsider)
    page = client.get(reverse("home")).content.decode()
    assert "Elsewhere" in page
    assert "Belarus desk" not in page


def test_project_list_shows_role_and_progress(client, project, make_article, annotator, annotator2):
    make_article(project)
    article = make_article(project)
    Annotation.objects.create(article=article, annotator=annotator, status="submitted")
    Annotation.objects.create(article=article, annotator=annotator2, status="submitted")
    client.force_login(annotator)
    page = client.get(reverse("home")).content.decode()
    assert "Annotator" in page
    assert "0 reviewed, 1 submitted, 0 in progress, 1 new" in page


def test_outsider_gets_404_for_a_project_page(client, project, outsider):
    client.force_login(outsider)
    assert client.get(reverse("project", args=[project.slug])).status_code == 404
    assert client.post(reverse("next_article", args=[project.slug])).status_code == 404


def test_project_list_queries_do_not_grow_with_projects(
    client, make_project, make_article, annotator, django_assert_num_queries
):
    for n in range(5):
        p = make_project(f"p{n}", members={annotator: "annotator"})
        make_article(p)
    client.force_login(annotator)
    # session, user, memberships with projects, state counts (one grouped query)
    with django_assert_num_queries(4):
        assert client.get(reverse("home")).status_code == 200


def test_project_page_queries_do_not_grow_with_articles(
    client, project, make_article, annotator, django_assert_num_queries
):
    for _ in range(20):
        make_article(project)
    client.force_login(annotator)
    # session, user, membership+project, count for the paginator, the page of articles,
    # my annotations on the page, state counts, my open drafts, my finished work ("Done")
    with django_assert_num_queries(9):
        response = client.get(reverse("project", args=[project.slug]))
    assert response.status_code == 200
    assert response.content.decode().count("article-") >= 20


def test_article_text_and_titles_are_escaped_on_pages(client, project, make_article, annotator):
    make_article(project, "Body", title="<script>alert(1)</script>")
    client.force_login(annotator)
    page = client.get(reverse("project", args=[project.slug])).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
