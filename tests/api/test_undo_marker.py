"""The workspace's undo and redo in the API and the history: a change sent with
``"via": "undo"`` (or ``"redo"``) is an ordinary, versioned change whose history event says so."""

from __future__ import annotations

import pytest

from labels.models import Annotation, HistoryAction, HistoryEvent

pytestmark = pytest.mark.django_db

TEXT = "Putin told Macron it was “unacceptable”."


@pytest.fixture
def draft(api, project, annotator, make_article):
    """Ana's draft of an article, her API client, and its base URL."""
    article = make_article(project, TEXT)
    client = api(annotator)
    payload = client.post(f"/api/v1/articles/{article.pk}/annotation/").json()
    return client, f"/api/v1/annotations/{payload['id']}/", payload["id"]


def version_of(annotation_id: int) -> int:
    return Annotation.objects.get(pk=annotation_id).version


def add_span(client, base, version, words, label="Source", **extra):
    start = TEXT.index(words)
    body = {"version": version, "label": label, "start": start, "end": start + len(words)}
    return client.post(f"{base}spans/", body | {"text": words} | extra, format="json")


def last_event(annotation_id: int) -> HistoryEvent:
    return HistoryEvent.objects.filter(annotation_id=annotation_id).latest("id")


def test_changes_marked_as_undo_or_redo_say_so_in_their_history_events(draft):
    client, base, annotation_id = draft
    answer = add_span(client, base, version_of(annotation_id), "Putin", via="undo")
    assert answer.status_code == 201, answer.content
    putin = answer.json()["span"]["id"]
    event = last_event(annotation_id)
    assert (event.action, event.after["via"], event.after["text"]) == (
        HistoryAction.SPAN_CREATED,
        "undo",
        "Putin",
    )
    quote = add_span(client, base, version_of(annotation_id), "“unacceptable”", label="Quote")
    quote_id = quote.json()["span"]["id"]
    assert "via" not in last_event(annotation_id).after  # an ordinary change is not marked

    answer = client.patch(
        f"{base}spans/{quote_id}/",
        {"version": version_of(annotation_id), "attrs": {"quote_type": "direct"}, "via": "redo"},
        format="json",
    )
    assert answer.status_code == 200, answer.content
    assert last_event(annotation_id).after["via"] == "redo"

    answer = client.post(
        f"{base}relations/",
        {
            "version": version_of(annotation_id),
            "label": "attributed_to",
            "from": quote_id,
            "to": putin,
            "via": "undo",
        },
        format="json",
    )
    assert answer.status_code == 201, answer.content
    relation = answer.json()["relation"]["id"]
    assert last_event(annotation_id).after["via"] == "undo"
    answer = client.patch(
        f"{base}relations/{relation}/",
        {"version": version_of(annotation_id), "attrs": {}, "via": "undo"},
        format="json",
    )
    assert answer.status_code == 200, answer.content
    assert last_event(annotation_id).after["via"] == "undo"
    answer = client.delete(
        f"{base}relations/{relation}/",
        {"version": version_of(annotation_id), "via": "redo"},
        format="json",
    )
    assert answer.status_code == 200, answer.content
    assert last_event(annotation_id).after == {"via": "redo"}
    answer = client.delete(
        f"{base}spans/{putin}/",
        {"version": version_of(annotation_id), "via": "undo"},
        format="json",
    )
    assert answer.status_code == 200, answer.content
    event = last_event(annotation_id)
    assert (event.action, event.after, event.before["text"]) == (
        HistoryAction.SPAN_DELETED,
        {"via": "undo"},
        "Putin",
    )


def test_the_history_page_marks_the_undo(draft, annotator):
    from django.test import Client

    client, base, annotation_id = draft
    add_span(client, base, version_of(annotation_id), "Macron", via="undo")
    add_span(client, base, version_of(annotation_id), "Putin")
    browser = Client()
    browser.force_login(annotator)
    page = browser.get(f"/annotations/{annotation_id}/history/").content.decode()
    assert page.count('data-via="undo"') == 1
    assert "(undo)" in page


@pytest.mark.parametrize("via", ["undone", 3, ["undo"]])
def test_a_bad_via_is_refused_naming_the_field_and_nothing_is_written(draft, via):
    client, base, annotation_id = draft
    before = version_of(annotation_id)
    answer = add_span(client, base, before, "Putin", via=via)
    assert answer.status_code == 400
    assert [e["field"] for e in answer.json()["errors"]] == ["via"]
    assert version_of(annotation_id) == before
    assert not HistoryEvent.objects.filter(annotation_id=annotation_id).exists()
