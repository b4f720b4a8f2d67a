"""The Speakers page: staff only, its forms call the registry and come back with what happened;
article text and names are shown as text."""

from __future__ import annotations

import pytest

from labels.models import Speaker, SpeakerEvent

pytestmark = pytest.mark.django_db


def url(project, tail=""):
    return f"/projects/{project.slug}/speakers/{tail}"


def test_analysts_get_403_and_outsiders_404(client, project, annotator, outsider):
    client.force_login(annotator)
    assert client.get(url(project)).status_code == 403
    assert client.post(url(project, "add/"), {"name": "X"}).status_code == 403
    client.force_login(outsider)
    assert client.get(url(project)).status_code == 404
    assert not Speaker.objects.exists()


def test_a_reviewer_adds_edits_and_deletes_a_speaker(client, project, reviewer):
    client.force_login(reviewer)
    added = client.post(
        url(project, "add/"),
        {
            "name": "Vladimir Putin",
            "kind": "person",
            "aliases": "Poutine\nPutin",
            "wikidata_id": "Q7747",
        },
        follow=True,
    )
    speaker = Speaker.objects.get()
    assert speaker.aliases == ["Poutine", "Putin"] and speaker.wikidata_id == "Q7747"
    assert "Added “Vladimir Putin”." in added.content.decode()
    client.post(
        url(project, f"{speaker.pk}/edit/"), {"aliases": "Poutine", "description": "President"}
    )
    speaker.refresh_from_db()
    assert speaker.aliases == ["Poutine"] and speaker.description == "President"
    page = client.post(url(project, f"{speaker.pk}/delete/"), follow=True).content.decode()
    assert "Deleted “Vladimir Putin”." in page
    assert [e.action for e in SpeakerEvent.objects.order_by("id")] == [
        "speaker_created",
        "speaker_updated",
        "speaker_deleted",
    ]


def test_a_bad_wikidata_id_is_said_and_nothing_is_added(client, project, manager):
    client.force_login(manager)
    page = client.post(url(project, "add/"), {"name": "Putin", "wikidata_id": "7747"}, follow=True)
    assert "is not a Wikidata id" in page.content.decode()
    assert not Speaker.objects.exists()


def test_names_are_shown_as_text(client, project, manager, make_speaker):
    make_speaker(project, "<script>alert(1)</script>", aliases=["<b>x</b>"])
    client.force_login(manager)
    body = client.get(url(project)).content.decode()
    assert "<script>alert(1)</script>" not in body and "&lt;script&gt;" in body
    assert "<b>x</b>" not in body


def test_the_page_searches_names_and_aliases(client, project, manager, make_speaker):
    make_speaker(project, "Vladimir Putin", aliases=["Poutine"])
    make_speaker(project, "AFP")
    client.force_login(manager)
    body = client.get(url(project) + "?q=pout").content.decode()
    assert "Vladimir Putin" in body and ">AFP<" not in body


def test_the_page_runs_the_same_queries_for_many_speakers(
    client, project, manager, make_speaker, django_assert_num_queries
):
    for n in range(20):
        make_speaker(project, f"Speaker {n}", aliases=[f"S{n}"])
    client.force_login(manager)
    client.get(url(project))
    # 1 session, 2 user, 3 membership with project, 4 the speakers, 5 the recent changes.
    with django_assert_num_queries(5):
        assert client.get(url(project)).status_code == 200
