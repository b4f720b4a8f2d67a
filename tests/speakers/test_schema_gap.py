"""Projects made before speakers: their Source has no ``speaker`` attribute. No migration adds
it behind the managers' backs; the Speakers page and Settings → Schema say so, and a manager
adds it in one click, as an ordinary versioned schema change (403 for other members, 404 for
outsiders)."""

from __future__ import annotations

import copy

import pytest

from labels.models import Annotation, Project, SchemaVersion
from labels.projects.schema_editing import schema_token
from labels.schema import DEFAULT_SCHEMA
from labels.speakers.links import SpeakerGap, speaker_gap, with_speaker_attribute

pytestmark = pytest.mark.django_db

BANNER = "has no Speaker attribute"


def old_schema():
    """The default schema as it was before speakers: Source has only source_type."""
    schema = copy.deepcopy(DEFAULT_SCHEMA)
    source = next(x for x in schema["span_labels"] if x["name"] == "Source")
    source["attributes"] = [a for a in source["attributes"] if a["type"] != "speaker"]
    return schema


@pytest.fixture
def old_project(project, make_article):
    """The desk with the old schema and an article annotated under it."""
    Project.objects.filter(pk=project.pk).update(schema=old_schema())
    SchemaVersion.objects.filter(project=project).update(schema=old_schema())
    project.refresh_from_db()
    article = make_article(project, external_id="a1")
    Annotation.objects.create(article=article, annotator=None, is_gold=True)
    return project


def source_attributes(schema):
    return [
        a["name"]
        for a in next(x for x in schema["span_labels"] if x["name"] == "Source")["attributes"]
    ]


def test_the_gap_is_the_source_without_a_speaker_attribute():
    assert speaker_gap(DEFAULT_SCHEMA) is None
    assert speaker_gap(old_schema()) == SpeakerGap("Source")
    fixed = with_speaker_attribute(old_schema(), SpeakerGap("Source"))
    assert source_attributes(fixed) == ["source_type", "speaker"]
    assert speaker_gap(fixed) is None
    # A Source renamed: the label attributed_to points at is the one that needs it.
    renamed = copy.deepcopy(old_schema())
    for label in renamed["span_labels"]:
        if label["name"] == "Source":
            label["name"] = "Quelle"
    for relation in renamed["relations"]:
        relation["to"] = ["Quelle" if x == "Source" else x for x in relation["to"]]
        relation["from"] = ["Quelle" if x == "Source" else x for x in relation["from"]]
    assert speaker_gap(renamed) == SpeakerGap("Quelle")
    # An attribute already called speaker, of another type, is said, not overwritten.
    clash = old_schema()
    next(x for x in clash["span_labels"] if x["name"] == "Source")["attributes"].append(
        {"name": "speaker", "type": "text", "required": False}
    )
    assert speaker_gap(clash) == SpeakerGap("Source", "text")


def test_the_manager_sees_the_banner_on_both_pages(client, old_project, manager):
    client.force_login(manager)
    for path in ("speakers/", "settings/schema/"):
        page = client.get(f"/projects/{old_project.slug}/{path}").content.decode()
        assert BANNER in page and "Add it" in page, path


def test_a_reviewer_is_told_who_can_add_it_and_may_not(client, old_project, reviewer):
    client.force_login(reviewer)
    page = client.get(f"/projects/{old_project.slug}/speakers/").content.decode()
    assert BANNER in page and "Add it</button>" not in page
    answer = client.post(
        f"/projects/{old_project.slug}/speakers/attribute/", {"base": schema_token(old_project)}
    )
    assert answer.status_code == 403
    old_project.refresh_from_db()
    assert "speaker" not in source_attributes(old_project.schema)


def test_analysts_get_403_and_outsiders_404(client, old_project, annotator, outsider):
    base = schema_token(old_project)
    for user, status in ((annotator, 403), (outsider, 404)):
        client.force_login(user)
        path = f"/projects/{old_project.slug}/speakers/attribute/"
        assert client.post(path, {"base": base}).status_code == status
    old_project.refresh_from_db()
    assert "speaker" not in source_attributes(old_project.schema)


def test_add_it_makes_a_new_schema_version_and_the_banner_goes(client, old_project, manager):
    client.force_login(manager)
    before = old_project.schema_version
    page = client.post(
        f"/projects/{old_project.slug}/speakers/attribute/",
        {"base": schema_token(old_project), "back": "schema"},
        follow=True,
    )
    assert page.redirect_chain[-1][0] == f"/projects/{old_project.slug}/settings/schema/"
    html = page.content.decode()
    assert f"Added the speaker attribute to Source: this is schema version {before + 1}." in html
    assert BANNER not in html
    old_project.refresh_from_db()
    assert old_project.schema_version == before + 1
    assert source_attributes(old_project.schema) == ["source_type", "speaker"]
    recorded = SchemaVersion.objects.get(project=old_project, version=before + 1)
    assert source_attributes(recorded.schema) == ["source_type", "speaker"]
    # The version annotations were made under is kept as it was.
    kept = SchemaVersion.objects.get(project=old_project, version=before)
    assert source_attributes(kept.schema) == ["source_type"]


def test_a_page_older_than_the_schema_changes_nothing(client, old_project, manager):
    client.force_login(manager)
    page = client.post(
        f"/projects/{old_project.slug}/speakers/attribute/", {"base": "1-stale"}, follow=True
    )
    assert "Someone changed this schema since you opened the page" in page.content.decode()
    old_project.refresh_from_db()
    assert "speaker" not in source_attributes(old_project.schema)
