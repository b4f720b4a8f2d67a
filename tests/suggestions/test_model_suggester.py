"""A trained model among a project's suggesters: its own, or one another project shares; the
choice in Settings → Suggestions, and what analysts are then offered."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from labels.annotation import queue
from labels.interop.importing import do_import
from labels.models import Project, Role
from labels.suggestions import combine
from tests.support.paths import ROOT

TEXT = "The mayor said the budget would pass. “We will win,” the governor said on Tuesday."


@pytest.fixture(autouse=True)
def model_storage(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "suggester_models": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "models")},
        },
    }


@pytest.fixture
def trained(make_project, make_user):
    """A project with the seeds' gold and a model trained on it; its manager is "gill"."""
    gill = make_user("gill")
    project = make_project("seed-gold", members={gill: Role.MANAGER})
    with (ROOT / "seeds" / "gold.jsonl").open("rb") as handle:
        do_import(project, [("gold.jsonl", handle)], fmt="native", layer="gold")
    call_command(
        "train_suggester",
        project="seed-gold",
        epochs=3,
        no_curve=True,
        verbosity=0,
        stdout=io.StringIO(),
    )
    return project


def offered(project, annotator):
    from labels.interop.importing import do_create_article

    n = project.articles.count()
    article = do_create_article(project, external_id=f"new-{n}", raw_text=TEXT)
    mine = queue.do_get_or_create_own(article, annotator)
    return combine.suggestions_for(article, mine)


def settings_url(project):
    return f"/projects/{project.slug}/settings/suggestions/"


def save(client, project, **fields):
    data = {"suggesters": "builtin", "suggester_url": "", **fields}
    return client.post(settings_url(project), data)


def test_a_project_suggests_with_its_own_model(client, trained, make_user):
    ana = make_user("ana")
    from labels.projects.members import do_add_member

    do_add_member(trained, ana, Role.ANNOTATOR)
    before = offered(trained, ana)
    assert {s["source"] for s in before["spans"]} == {"builtin"}
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="gill"))
    assert save(client, trained, suggester_model=str(trained.pk)).status_code == 302
    trained.refresh_from_db()
    assert trained.suggester_model_id == trained.pk
    body = offered(trained, ana)
    spans = body["spans"]
    assert any("model" in s["sources"] for s in spans)
    for s in spans:
        assert TEXT[s["start"] : s["end"]] == s["text"]
    assert len({s["key"] for s in spans}) == len(spans), "one suggestion per span"
    assert body["problems"] == []


def test_another_projects_model_only_when_it_is_shared(
    client, trained, project, manager, annotator
):
    client.force_login(manager)
    html = client.get(settings_url(project)).content.decode()
    assert "Seed-Gold" not in html, "an unshared project is not even named"
    response = save(client, project, suggester_model=str(trained.pk))
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    Project.objects.filter(pk=trained.pk).update(shares_suggester_model=True)
    assert "Seed-Gold (shared)" in client.get(settings_url(project)).content.decode()
    assert save(client, project, suggester_model=str(trained.pk)).status_code == 302
    project.refresh_from_db()
    assert any("model" in s["sources"] for s in offered(project, annotator)["spans"])
    # Sharing withdrawn: the model is no longer used, and the reason is reported.
    Project.objects.filter(pk=trained.pk).update(shares_suggester_model=False)
    project.refresh_from_db()
    body = offered(project, annotator)
    assert all("model" not in s["sources"] for s in body["spans"])
    assert [p["code"] for p in body["problems"]] == ["not_shared"]


def test_a_manager_shares_the_projects_models(client, project, manager, reviewer):
    client.force_login(reviewer)
    assert save(client, project, shares_suggester_model="on").status_code == 403
    client.force_login(manager)
    assert save(client, project, shares_suggester_model="on").status_code == 302
    project.refresh_from_db()
    assert project.shares_suggester_model is True


def test_a_chosen_project_without_a_model_reports_it(client, project, manager, annotator):
    client.force_login(manager)
    assert save(client, project, suggester_model=str(project.pk)).status_code == 302
    project.refresh_from_db()
    body = offered(project, annotator)
    assert {s["source"] for s in body["spans"]} == {"builtin"}
    assert [p["code"] for p in body["problems"]] == ["no_model"]
