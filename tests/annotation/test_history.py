"""The history of an annotation: who sees it, how it reads, restoring a deleted span from it, and
that history rows go only with their article or project."""

import os
from contextlib import contextmanager

import pytest
from django.contrib.auth import get_user_model
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from labels.annotation import relations as relations_mod
from labels.annotation import spans, versions
from labels.models import (
    Annotation,
    AnnotationStatus,
    Article,
    HistoryAction,
    HistoryEvent,
    Project,
    Relation,
    Span,
)
from labels.projects import projects

pytestmark = pytest.mark.django_db

TEXT = "The minister said “we are ready” on Monday, according to AFP."


def _locked(annotation):
    return versions.locked(annotation.pk)


@pytest.fixture
def worked(project, make_article, annotator):
    """An annotator's draft in which a quote was created, relabelled and deleted, with a source
    and a relation that went with the quote."""
    article = make_article(project, TEXT)
    annotation = Annotation.objects.create(article=article, annotator=annotator)
    with transaction.atomic():
        a = _locked(annotation)
        quote = spans.do_add_span(
            a,
            annotator,
            {
                "label": "Quote",
                "start": 19,
                "end": 31,
                "text": "we are ready",
                "attrs": {"quote_type": "direct"},
            },
            version=a.version,
        ).obj
    with transaction.atomic():
        a = _locked(annotation)
        source = spans.do_add_span(
            a,
            annotator,
            {
                "label": "Source",
                "start": 57,
                "end": 60,
                "text": "AFP",
                "attrs": {"source_type": "news_agency"},
            },
            version=a.version,
        ).obj
    with transaction.atomic():
        a = _locked(annotation)
        spans.do_update_span(
            a, annotator, quote.pk, {"attrs": {"quote_type": "indirect"}}, version=a.version
        )
    with transaction.atomic():
        a = _locked(annotation)
        relations_mod.do_add_relation(
            a,
            annotator,
            {"label": "attributed_to", "from": quote.pk, "to": source.pk},
            version=a.version,
        )
    with transaction.atomic():
        a = _locked(annotation)
        spans.do_delete_span(a, annotator, quote.pk, version=a.version)
    annotation.refresh_from_db()
    return annotation


def _deleted_event(annotation):
    return HistoryEvent.objects.get(annotation=annotation, action=HistoryAction.SPAN_DELETED)


# --- The database keeps history append-only ------------------------------------------------------


def test_history_delete_outside_a_purge_is_refused(worked):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        HistoryEvent.objects.filter(annotation=worked).delete()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        Article.objects.filter(pk=worked.article_id).delete()
    assert HistoryEvent.objects.filter(annotation=worked).count() == 5


def test_no_setting_allows_an_update_of_history(worked):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL annotator.history_purge = 'on'")
        HistoryEvent.objects.filter(annotation=worked).update(action="imported")
    assert not HistoryEvent.objects.filter(annotation=worked, action="imported").exists()


@contextmanager
def as_the_application_role():
    """The connection as a least-privilege role made as docs/deploy.md makes ``annotator_app``:
    data privileges on every table and sequence, owner of nothing, not a superuser."""
    role = f"annotator_app_test_{os.getpid()}"
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {role} NOSUPERUSER NOCREATEDB NOCREATEROLE")
        cursor.execute(
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}"
        )
        cursor.execute(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}")
        cursor.execute(f"SET ROLE {role}")
        try:
            yield cursor
        finally:
            cursor.execute("RESET ROLE")


def test_the_application_role_cannot_delete_history_with_the_purge_setting(worked):
    """The escape hatch of the first trigger: any role could SET LOCAL the purge setting."""
    with as_the_application_role() as cursor:
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            cursor.execute("SET LOCAL annotator.history_purge = 'on'")
            cursor.execute("DELETE FROM labels_historyevent WHERE annotation_id = %s", [worked.pk])
    assert HistoryEvent.objects.filter(annotation=worked).count() == 5


def test_the_purge_function_cannot_erase_the_history_of_work_that_stays(worked):
    with as_the_application_role() as cursor:
        with pytest.raises(DatabaseError, match="deleted but the annotation was not"):
            with transaction.atomic():
                cursor.execute("SELECT labels_purge_history(%s)", [[worked.article_id]])
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # what COMMIT would check
    assert HistoryEvent.objects.filter(annotation=worked).count() == 5


def test_the_application_role_deletes_articles_and_projects_with_their_history(
    worked, make_project, make_article
):
    other = make_project("other")
    other_article = make_article(other, TEXT)
    other_layer = Annotation.objects.create(article=other_article, annotator=worked.annotator)
    HistoryEvent.objects.create(
        annotation=other_layer, action="span_created", object_id=1, annotation_version=1, after={}
    )
    with as_the_application_role() as cursor:
        projects.do_delete_article(worked.article)
        projects.do_delete_project(other)
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the deferred check passes
    assert not Article.objects.filter(pk__in=[worked.article_id, other_article.pk]).exists()
    assert not HistoryEvent.objects.filter(annotation__in=[worked.pk, other_layer.pk]).exists()


def test_the_purge_ends_with_its_block_even_inside_a_longer_transaction(worked, make_article):
    other = Annotation.objects.create(
        article=make_article(worked.article.project, TEXT), annotator=worked.annotator
    )
    HistoryEvent.objects.create(
        annotation=other, action="span_created", object_id=1, annotation_version=1, after={}
    )
    with transaction.atomic():
        projects.do_delete_article(worked.article)
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            HistoryEvent.objects.filter(annotation=other).delete()
    assert HistoryEvent.objects.filter(annotation=other).count() == 1
    assert not Article.objects.filter(pk=worked.article_id).exists()


def test_deleting_an_article_removes_its_history(worked):
    article_id = worked.article_id
    projects.do_delete_article(worked.article)
    assert not Article.objects.filter(pk=article_id).exists()
    assert not HistoryEvent.objects.filter(annotation_id=worked.pk).exists()
    assert not Span.objects.filter(annotation_id=worked.pk).exists()


def test_deleting_a_project_with_history_works(worked, other_project, make_article):
    kept = make_article(other_project, TEXT)
    projects.do_delete_project(worked.article.project)
    assert not Project.objects.filter(slug="desk").exists()
    assert not HistoryEvent.objects.filter(annotation_id=worked.pk).exists()
    assert Article.objects.filter(pk=kept.pk).exists()


def test_admin_deletes_a_project_with_history(worked, client):
    admin = get_user_model().objects.create_superuser("root", "root@example.org", "pw-12345-xyz")
    client.force_login(admin)
    project = worked.article.project
    url = reverse("admin:labels_project_delete", args=[project.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert b"Are you sure" in page.content  # not the "you don't have permission" page
    response = client.post(url, {"post": "yes"})
    assert response.status_code == 302
    assert not Project.objects.filter(pk=project.pk).exists()
    assert not HistoryEvent.objects.filter(annotation_id=worked.pk).exists()


def test_spans_relations_and_history_are_read_only_in_the_admin(worked, client):
    """Spans and relations change only through the workspace and the review, which check them
    and record the change in history; the admin shows them and changes nothing."""
    admin = get_user_model().objects.create_superuser("root", "root@example.org", "pw-12345-xyz")
    client.force_login(admin)
    span = Span.objects.filter(annotation=worked).first()
    before = (Span.objects.count(), HistoryEvent.objects.count(), worked.version, span.label)
    change = reverse("admin:labels_span_change", args=[span.pk])
    page = client.get(change)
    assert page.status_code == 200
    assert b'name="_save"' not in page.content  # a view, not a form
    assert client.post(change, {"label": "Claim"}).status_code == 403
    delete = reverse("admin:labels_span_delete", args=[span.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    for model in ("span", "relation", "historyevent"):
        assert client.get(reverse(f"admin:labels_{model}_add")).status_code == 403
    span.refresh_from_db()
    worked.refresh_from_db()
    after = (Span.objects.count(), HistoryEvent.objects.count(), worked.version, span.label)
    assert after == before


def test_admin_bulk_deletes_articles_with_history(worked, client):
    admin = get_user_model().objects.create_superuser("root", "root@example.org", "pw-12345-xyz")
    client.force_login(admin)
    response = client.post(
        reverse("admin:labels_article_changelist"),
        {"action": "delete_selected", "_selected_action": [worked.article_id], "post": "yes"},
    )
    assert response.status_code == 302
    assert not Article.objects.filter(pk=worked.article_id).exists()


# --- The page ------------------------------------------------------------------------------------


def _page(client, user, annotation):
    client.force_login(user)
    return client.get(reverse("annotation_history", args=[annotation.pk]))


def test_manager_sees_who_when_and_what_changed(client, worked, manager):
    response = _page(client, manager, worked)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('data-action="span_created"') == 2
    assert 'data-action="span_updated"' in html
    assert 'data-action="span_deleted"' in html
    assert 'data-action="relation_created"' in html
    assert "ana" in html
    assert "attrs.quote_type" in html and "direct" in html and "indirect" in html
    assert "[19, 31)" in html and "we are ready" in html
    # A relation reads with its spans' labels and text, not bare ids.
    assert "attributed_to: Quote “we are ready” → Source “AFP”" in html
    assert html.count(">Restore</button>") == 1


def test_the_project_page_links_my_annotations_history(client, worked, annotator):
    client.force_login(annotator)
    page = client.get(reverse("project", args=[worked.article.project.slug]))
    assert reverse("annotation_history", args=[worked.pk]) in page.content.decode()


def test_reviewer_sees_the_history_with_restore(client, worked, reviewer):
    response = _page(client, reviewer, worked)
    assert response.status_code == 200
    assert b">Restore</button>" in response.content


def test_annotator_sees_their_own_history_read_only(client, worked, annotator):
    response = _page(client, annotator, worked)
    assert response.status_code == 200
    assert b'data-action="span_deleted"' in response.content
    assert b">Restore</button>" not in response.content


def test_another_annotator_is_refused(client, worked, annotator2):
    assert _page(client, annotator2, worked).status_code == 403


def test_an_outsider_does_not_learn_the_annotation_exists(client, worked, outsider, other_project):
    assert _page(client, outsider, worked).status_code == 404


def test_anonymous_is_sent_to_log_in(client, worked):
    response = client.get(reverse("annotation_history", args=[worked.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_page_queries_do_not_grow_with_events(client, worked, manager, django_assert_num_queries):
    client.force_login(manager)
    url = reverse("annotation_history", args=[worked.pk])
    # session, user, annotation (+article, project, annotator), membership, count, events
    # (+actors), current spans, restore events, messages (none stored: no query)
    with django_assert_num_queries(8):
        client.get(url)
    for n in range(20):
        HistoryEvent.objects.create(
            annotation=worked,
            actor=worked.annotator if n % 2 else None,
            action=HistoryAction.SPAN_DELETED,
            object_id=1000 + n,
            annotation_version=worked.version,
            before={"id": 1000 + n, "label": "Cue", "start": 13, "end": 17, "text": "said"},
        )
    with django_assert_num_queries(8):
        client.get(url)


def test_restore_brings_the_span_and_its_relation_back(client, worked, manager):
    client.force_login(manager)
    event = _deleted_event(worked)
    response = client.post(
        reverse("annotation_history_restore", args=[worked.pk, event.pk]),
        {"version": worked.version},
    )
    assert response.status_code == 302
    quote = Span.objects.get(annotation=worked, label="Quote")
    assert (quote.start, quote.end, quote.attrs) == (19, 31, {"quote_type": "indirect"})
    assert Relation.objects.filter(annotation=worked, source=quote).count() == 1
    restored = HistoryEvent.objects.get(annotation=worked, action=HistoryAction.SPAN_RESTORED)
    assert restored.actor == manager
    assert restored.before == {"restored_from_event": event.pk}
    worked.refresh_from_db()
    assert worked.version == restored.annotation_version
    page = client.get(reverse("annotation_history", args=[worked.pk])).content.decode()
    assert ">Restore</button>" not in page
    assert f'href="#event-{restored.pk}"' in page


def test_restore_with_a_stale_version_changes_nothing(client, worked, manager):
    client.force_login(manager)
    event = _deleted_event(worked)
    response = client.post(
        reverse("annotation_history_restore", args=[worked.pk, event.pk]),
        {"version": worked.version - 1},
        follow=True,
    )
    assert "changed elsewhere" in response.content.decode()
    assert not Span.objects.filter(annotation=worked, label="Quote").exists()


def test_annotator_cannot_restore_through_the_page(client, worked, annotator):
    client.force_login(annotator)
    event = _deleted_event(worked)
    response = client.post(
        reverse("annotation_history_restore", args=[worked.pk, event.pk]),
        {"version": worked.version},
    )
    assert response.status_code == 403
    assert not Span.objects.filter(annotation=worked, label="Quote").exists()


def test_restore_needs_post(client, worked, manager):
    client.force_login(manager)
    event = _deleted_event(worked)
    response = client.get(reverse("annotation_history_restore", args=[worked.pk, event.pk]))
    assert response.status_code == 405


# --- The API -------------------------------------------------------------------------------------


def test_api_lists_history_newest_first_with_readable_changes(
    api, worked, reviewer, django_assert_num_queries
):
    client = api(reviewer)
    # session, user, annotation (+article, project, annotator), membership, count, events
    # (+actors), current spans, restore events
    with django_assert_num_queries(8):
        response = client.get(f"/api/v1/annotations/{worked.pk}/history/")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 5
    actions = [e["action"] for e in body["results"]]
    assert actions == [
        "span_deleted",
        "relation_created",
        "span_updated",
        "span_created",
        "span_created",
    ]
    deleted, _, updated = body["results"][:3]
    assert deleted["actor"] == "ana"
    assert deleted["restorable"] is True
    assert deleted["before"]["text"] == "we are ready"
    assert {"field": "attrs.quote_type", "before": "direct", "after": "indirect"} in updated[
        "changes"
    ]
    assert updated["restorable"] is False


def test_api_history_is_paginated(api, worked, manager):
    response = api(manager).get(f"/api/v1/annotations/{worked.pk}/history/?page=2")
    assert response.status_code == 404  # 5 events, 50 a page


def test_api_restore(api, worked, manager):
    event = _deleted_event(worked)
    response = api(manager).post(
        f"/api/v1/annotations/{worked.pk}/history/{event.pk}/restore/",
        {"version": worked.version},
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["version"] == worked.version + 1
    assert body["span"]["label"] == "Quote"
    again = api(manager).post(
        f"/api/v1/annotations/{worked.pk}/history/{event.pk}/restore/",
        {"version": body["version"]},
    )
    assert again.status_code == 400
    assert again.json()["errors"][0]["field"] == "event"
    assert Span.objects.filter(annotation=worked, label="Quote").count() == 1


def test_api_restore_with_a_stale_version_is_409(api, worked, manager):
    event = _deleted_event(worked)
    response = api(manager).post(
        f"/api/v1/annotations/{worked.pk}/history/{event.pk}/restore/",
        {"version": worked.version - 1},
    )
    assert response.status_code == 409
    assert response.json()["errors"][0]["code"] == "stale_version"


def test_api_restore_of_a_submitted_layer_is_409(api, worked, manager):
    Annotation.objects.filter(pk=worked.pk).update(status=AnnotationStatus.SUBMITTED)
    event = _deleted_event(worked)
    response = api(manager).post(
        f"/api/v1/annotations/{worked.pk}/history/{event.pk}/restore/",
        {"version": worked.version},
    )
    assert response.status_code == 409
    assert response.json()["errors"][0]["code"] == "closed"


def test_api_restore_needs_a_version(api, worked, manager):
    event = _deleted_event(worked)
    response = api(manager).post(f"/api/v1/annotations/{worked.pk}/history/{event.pk}/restore/", {})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "version"


def test_api_restore_of_an_event_that_is_not_a_deletion_is_400(api, worked, manager):
    created = HistoryEvent.objects.filter(
        annotation=worked, action=HistoryAction.SPAN_CREATED
    ).first()
    response = api(manager).post(
        f"/api/v1/annotations/{worked.pk}/history/{created.pk}/restore/",
        {"version": worked.version},
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "event"


def test_api_restore_of_another_annotations_event_is_400(api, worked, manager, make_article):
    other = Annotation.objects.create(
        article=make_article(worked.article.project, TEXT), annotator=worked.annotator
    )
    event = _deleted_event(worked)
    response = api(manager).post(
        f"/api/v1/annotations/{other.pk}/history/{event.pk}/restore/", {"version": other.version}
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "event"


@pytest.mark.parametrize(
    ("who", "read", "restore"),
    [("annotator", 200, 403), ("annotator2", 403, 403), ("outsider", 404, 404)],
)
def test_api_access(api, worked, request, other_project, who, read, restore):
    user = request.getfixturevalue(who)
    client = api(user)
    assert client.get(f"/api/v1/annotations/{worked.pk}/history/").status_code == read
    event = _deleted_event(worked)
    response = client.post(
        f"/api/v1/annotations/{worked.pk}/history/{event.pk}/restore/",
        {"version": worked.version},
    )
    assert response.status_code == restore
    assert not Span.objects.filter(annotation=worked, label="Quote").exists()


def test_api_anonymous_is_refused(api, worked):
    assert api().get(f"/api/v1/annotations/{worked.pk}/history/").status_code in (401, 403)
