"""The annotate page, assigning articles (API and project-page form), the analyst's "Done" list,
and the draft/submit rule for required attributes."""

from __future__ import annotations

import json

import pytest
from django.db import transaction
from django.urls import reverse

from labels.annotation import queue, spans, versions
from labels.annotation import relations as relations_mod
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


def test_reviewer_and_manager_get_their_own_layer(client, project, reviewer, manager, make_article):
    article = make_article(project)
    for user in (reviewer, manager):
        client.force_login(user)
        response = client.get(reverse("annotate", args=[article.pk]))
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
    # session, user, article + project, membership, SAVEPOINT, my annotation, RELEASE (the
    # get-or-create runs atomically), then annotation_payload: the annotation with annotator
    # and reviewer, its spans, its relations.
    with django_assert_num_queries(10):
        response = client.get(reverse("annotate", args=[article.pk]))
    assert response.status_code == 200
    assert len(workspace_data(response)["annotation"]["spans"]) == 1


# --- required attributes: optional in a draft, required to submit ------------------------------


def test_draft_takes_a_quote_without_quote_type_but_submit_names_it(
    client, project, annotator, make_article
):
    article = make_article(project, "He said “no”.")
    annotation = queue.do_get_or_create_own(article, annotator)
    client.force_login(annotator)
    start = article.text.index("no")
    response = client.post(
        f"/api/v1/annotations/{annotation.pk}/spans/",
        {"version": 1, "start": start, "end": start + 2, "text": "no", "label": "Quote"},
        content_type="application/json",
    )
    assert response.status_code == 201
    span_id = response.json()["span"]["id"]
    response = client.post(
        f"/api/v1/annotations/{annotation.pk}/submit/",
        {"version": 2},
        content_type="application/json",
    )
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["field"] == f"spans.{span_id}.attrs.quote_type"
    assert error["code"] == "required"
    assert "Quote “no”" in error["message"]
    annotation.refresh_from_db()
    assert annotation.status == AnnotationStatus.DRAFT and annotation.version == 2

    client.patch(
        f"/api/v1/annotations/{annotation.pk}/spans/{span_id}/",
        {"version": 2, "attrs": {"quote_type": "direct"}},
        content_type="application/json",
    )
    response = client.post(
        f"/api/v1/annotations/{annotation.pk}/submit/",
        {"version": 3},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json()["status"] == "submitted"


def test_wrong_attribute_value_is_still_refused_in_a_draft(
    client, project, annotator, make_article
):
    article = make_article(project, "He said “no”.")
    annotation = queue.do_get_or_create_own(article, annotator)
    client.force_login(annotator)
    start = article.text.index("no")
    response = client.post(
        f"/api/v1/annotations/{annotation.pk}/spans/",
        {
            "version": 1,
            "start": start,
            "end": start + 2,
            "text": "no",
            "label": "Quote",
            "attrs": {"quote_type": "shouted"},
        },
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "attrs.quote_type"
    assert not annotation.spans.exists()


# --- assigning ---------------------------------------------------------------------------------


def assign(client, article, **body):
    return client.post(
        f"/api/v1/articles/{article.pk}/assign/", body, content_type="application/json"
    )


def test_manager_assigns_an_article_to_a_member(client, project, manager, annotator, make_article):
    article = make_article(project)
    client.force_login(manager)
    response = assign(client, article, username=annotator.username)
    assert response.status_code == 201
    body = response.json()
    annotation = Annotation.objects.get(article=article, annotator=annotator)
    assert body == {
        "id": annotation.pk,
        "article": article.pk,
        "username": "ana",
        "status": "draft",
        "assigned_by": "mara",
        "version": 1,
    }
    assert annotation.assigned_by == manager
    assert annotation in queue.open_drafts(project, annotator)
    # Assigning again is harmless and says so with 200.
    assert assign(client, article, username=annotator.username).status_code == 200
    assert Annotation.objects.filter(article=article, annotator=annotator).count() == 1


def test_assigning_marks_an_existing_leased_draft_as_assigned(
    client, project, manager, annotator, make_article
):
    article = make_article(project)
    draft = queue.do_get_or_create_own(article, annotator)
    client.force_login(manager)
    assert assign(client, article, username="ana").status_code == 200
    draft.refresh_from_db()
    assert draft.assigned_by == manager


def test_annotator_may_not_assign_and_outsider_sees_nothing(
    client, project, annotator, reviewer, outsider, other_project, make_article
):
    article = make_article(project)
    for user in (annotator, reviewer):
        client.force_login(user)
        response = assign(client, article, username=annotator.username)
        assert response.status_code == 403
        assert response.json()["errors"][0]["code"] == "permission_denied"
    client.force_login(outsider)
    assert assign(client, article, username=annotator.username).status_code == 404
    assert not Annotation.objects.filter(article=article).exists()


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({}, "required"),
        ({"username": ""}, "blank"),
        ({"username": "nobody"}, "not_member"),
        ({"username": "otto"}, "not_member"),  # a user, but of another project
    ],
)
def test_assign_refuses_bad_usernames_with_400(
    client, project, manager, outsider, make_article, body, code
):
    article = make_article(project)
    client.force_login(manager)
    response = assign(client, article, **body)
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert (error["field"], error["code"]) == ("username", code)
    assert not Annotation.objects.filter(article=article).exists()


def test_assign_refuses_a_full_article_unless_forced(
    client, make_project, manager, annotator, annotator2, make_article
):
    project = make_project(
        "solo",
        annotators_per_article=1,
        members={manager: Role.MANAGER, annotator: Role.ANNOTATOR, annotator2: Role.ANNOTATOR},
    )
    article = make_article(project)
    queue.do_get_or_create_own(article, annotator2)
    client.force_login(manager)
    response = assign(client, article, username="ana")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "username"
    assert response.json()["errors"][0]["code"] == "article_full"
    assert assign(client, article, username="ana", force=True).status_code == 201


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


def test_deleting_a_cue_removes_it_from_the_relations_that_named_it(
    project, make_article, annotator
):
    article = make_article(project, "Putin said “no”.")
    annotation = Annotation.objects.create(article=article, annotator=annotator)
    with transaction.atomic():
        annotation = versions.locked(annotation.pk)
        quote = spans.do_add_span(
            annotation,
            annotator,
            {
                "label": "Quote",
                "start": 12,
                "end": 14,
                "text": "no",
                "attrs": {"quote_type": "direct"},
            },
            version=annotation.version,
        ).obj
        source = spans.do_add_span(
            annotation,
            annotator,
            {"label": "Source", "start": 0, "end": 5, "text": "Putin"},
            version=annotation.version,
        ).obj
        cue = spans.do_add_span(
            annotation,
            annotator,
            {"label": "Cue", "start": 6, "end": 10, "text": "said"},
            version=annotation.version,
        ).obj
        relation = relations_mod.do_add_relation(
            annotation,
            annotator,
            {"label": "attributed_to", "from": quote.pk, "to": source.pk, "attrs": {"cue": cue.pk}},
            version=annotation.version,
        ).obj
        assert relation.attrs == {"cue": cue.pk}
        spans.do_delete_span(annotation, annotator, cue.pk, version=annotation.version)
    relation.refresh_from_db()
    assert relation.attrs == {}
