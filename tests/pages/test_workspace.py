"""The pages of labels.pages.workspace: the project list and project page (who sees what, and how
many queries it costs), the annotate page, the project page's assign form and the analyst's
"Done" list. (Assigning through the API and the draft/submit rule for required attributes are in
tests/api/test_annotations.py.)"""

from __future__ import annotations

import json

import pytest
from django.db import transaction
from django.urls import reverse

from labels.annotation import queue, spans, versions
from labels.models import Annotation, AnnotationStatus, Role

pytestmark = pytest.mark.django_db


def workspace_data(response) -> dict:
    """The JSON the page hands to annotate.js (json_script)."""
    html = response.content.decode()
    start = html.index('<script id="workspace-data" type="application/json">')
    start = html.index(">", start) + 1
    return json.loads(html[start : html.index("</script>", start)])


# --- the annotate page ---------------------------------------------------------------------


def test_member_opens_article_and_gets_own_draft_with_text_schema_and_guidelines(
    client, project, annotator, make_article
):
    project.guidelines = "Mark **quotes**. <script>alert(1)</script>"
    project.save()
    article = make_article(project, "He said “no”.")
    client.force_login(annotator)
    response = client.get(reverse("annotate", args=[article.pk]))
    assert response.status_code == 200
    annotation = Annotation.objects.get(article=article, annotator=annotator)
    assert annotation.status == AnnotationStatus.DRAFT and annotation.lease_expires_at
    data = workspace_data(response)
    assert data["article"]["text"] == article.text
    assert data["annotation"]["id"] == annotation.pk
    assert data["annotation"]["version"] == annotation.version
    assert [label["hotkey"] for label in data["labels"]] == ["1", "2", "3", "4", "5"]
    assert "?" in data["reserved_hotkeys"]
    html = response.content.decode()
    assert "<strong>quotes</strong>" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert html.count("<script") == 2  # the json_script data and the one module entry


def test_opening_again_resumes_the_same_annotation(client, project, annotator, make_article):
    article = make_article(project)
    client.force_login(annotator)
    client.get(reverse("annotate", args=[article.pk]))
    client.get(reverse("annotate", args=[article.pk]))
    assert Annotation.objects.filter(article=article, annotator=annotator).count() == 1


def test_reviewer_and_manager_get_their_own_layer_when_they_ask_for_it(
    client, project, reviewer, manager, make_article
):
    article = make_article(project)
    for user in (reviewer, manager):
        client.force_login(user)
        url = reverse("annotate", args=[article.pk])
        assert client.post(url)["Location"] == url
        response = client.get(url)
        assert response.status_code == 200
        assert workspace_data(response)["annotation"]["layer"] == user.username


def test_outsider_gets_404_and_anonymous_is_sent_to_log_in(
    client, project, outsider, other_project, make_article
):
    article = make_article(project)
    client.force_login(outsider)
    assert client.get(reverse("annotate", args=[article.pk])).status_code == 404
    assert not Annotation.objects.filter(article=article).exists()
    client.logout()
    response = client.get(reverse("annotate", args=[article.pk]))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_full_article_answers_409_with_an_explanation_and_takes_no_seat(
    client, make_project, annotator, annotator2, make_article
):
    project = make_project(
        "solo",
        annotators_per_article=1,
        members={annotator: Role.ANNOTATOR, annotator2: Role.ANNOTATOR},
    )
    article = make_article(project)
    queue.do_get_or_create_own(article, annotator2)
    client.force_login(annotator)
    response = client.get(reverse("annotate", args=[article.pk]))
    assert response.status_code == 409
    assert "every place on this one is taken" in response.content.decode()
    assert not Annotation.objects.filter(article=article, annotator=annotator).exists()


def test_submitted_annotation_opens_read_only(client, project, annotator, make_article):
    article = make_article(project)
    annotation = queue.do_get_or_create_own(article, annotator)
    versions.do_set_status(annotation, annotator, AnnotationStatus.SUBMITTED, version=1)
    client.force_login(annotator)
    response = client.get(reverse("annotate", args=[article.pk]))
    assert response.status_code == 200
    assert workspace_data(response)["annotation"]["status"] == "submitted"


def test_annotate_page_query_count(
    client, project, annotator, make_article, django_assert_num_queries
):
    article = make_article(project)
    annotation = queue.do_get_or_create_own(article, annotator)
    with transaction.atomic():
        spans.do_add_span(
            versions.locked(annotation.pk),
            annotator,
            {"start": 4, "end": 12, "text": article.text[4:12], "label": "Source"},
            version=1,
        )
    client.force_login(annotator)
    # session, user, article + project, membership, my annotation (found: no lock, no
    # savepoint), then annotation_payload: the annotation with annotator and reviewer, its
    # spans, its relations.
    with django_assert_num_queries(8):
        response = client.get(reverse("annotate", args=[article.pk]))
    assert response.status_code == 200
    assert len(workspace_data(response)["annotation"]["spans"]) == 1


# --- assigning on the project page --------------------------------------------------------------


def test_assign_form_on_the_project_page(client, project, manager, annotator, make_article):
    article = make_article(project, title="Minsk talks")
    client.force_login(manager)
    page = client.get(reverse("project", args=[project.slug])).content.decode()
    assert 'name="username"' in page and ">ana (annotator)<" in page
    response = client.post(
        reverse("assign_article", args=[project.slug]),
        {"article": article.pk, "username": "ana"},
        follow=True,
    )
    assert "Minsk talks is assigned to ana." in response.content.decode()
    assert Annotation.objects.get(article=article, annotator=annotator).assigned_by == manager
    response = client.post(
        reverse("assign_article", args=[project.slug]),
        {"article": "x", "username": "ana"},
        follow=True,
    )
    assert "Choose an article of this project and one of its members." in (
        response.content.decode()
    )


def test_assign_form_is_for_managers_only(client, project, annotator, outsider, make_article):
    article = make_article(project)
    client.force_login(annotator)
    assert (
        'name="username"'
        not in client.get(reverse("project", args=[project.slug])).content.decode()
    )
    url = reverse("assign_article", args=[project.slug])
    assert client.post(url, {"article": article.pk, "username": "ana"}).status_code == 403
    client.force_login(outsider)
    assert client.post(url, {"article": article.pk, "username": "ana"}).status_code == 404
    assert not Annotation.objects.filter(article=article).exists()


def test_a_nul_character_in_the_assign_forms_username_is_a_400(
    client, project, manager, make_article
):
    article = make_article(project)
    client.force_login(manager)
    url = reverse("assign_article", args=[project.slug])
    response = client.post(url, {"article": article.pk, "username": "a\x00na"})
    assert response.status_code == 400
    assert "username contains a NUL character" in response.content.decode()
    assert not Annotation.objects.filter(article=article).exists()
    assert (
        client.post(url, {"article": article.pk, "username": "ana"}).status_code == 302
    )  # still works


# --- what the analyst did ----------------------------------------------------------------------


def test_project_page_lists_done_work_newest_first_and_limited(
    client, project, annotator, annotator2, make_article, settings
):
    finished = []
    for i in range(22):
        article = make_article(project, title=f"Article {i:02}")
        annotation = queue.do_get_or_create_own(article, annotator)
        status = AnnotationStatus.SKIPPED if i == 21 else AnnotationStatus.SUBMITTED
        versions.do_set_status(annotation, annotator, status, version=1, reason="duplicate")
        finished.append(article)
    other = make_article(project, title="Someone else's")
    versions.do_set_status(
        queue.do_get_or_create_own(other, annotator2), annotator2, "submitted", version=1
    )
    client.force_login(annotator)
    html = client.get(reverse("project", args=[project.slug])).content.decode()
    done = html[html.index("<h2>Done") : html.index("</section>", html.index("<h2>Done"))]
    assert "latest 20 of 22" in done
    assert done.index("Article 21") < done.index("Article 20")  # newest first
    assert "Article 01" not in done and "Someone else" not in done
    assert "skipped" in done and "“duplicate”" in done


# --- the project list and the project page ------------------------------------------------------


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
    # my annotations on the page, state counts, is the search index being built (no), my open
    # drafts, my finished work ("Done")
    with django_assert_num_queries(10):
        response = client.get(reverse("project", args=[project.slug]))
    assert response.status_code == 200
    assert response.content.decode().count("article-") >= 20


def test_article_text_and_titles_are_escaped_on_pages(client, project, make_article, annotator):
    make_article(project, "Body", title="<script>alert(1)</script>")
    client.force_login(annotator)
    page = client.get(reverse("project", args=[project.slug])).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
