"""Shared fixtures: a project with one member of each role, an outsider, and factories.

Factories are fixtures that return functions (``make_project(...)``), as in django-allauth's
tests; nothing depends on primary-key values.
"""

from __future__ import annotations

import os

import pytest
from django.contrib.auth import get_user_model

from labels import projects
from labels.models import Role

PASSWORD = "correct-horse-battery-staple"


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """Each test run gets its own test database, so two runs on one server never collide."""
    from django.conf import settings

    for db in settings.DATABASES.values():
        db.setdefault("TEST", {})["NAME"] = f"test_{db['NAME']}_{os.getpid()}"


@pytest.fixture
def make_user(db):
    def make(username: str, **extra):
        return get_user_model().objects.create_user(
            username=username, password=PASSWORD, email=f"{username}@example.org", **extra
        )

    return make


@pytest.fixture
def make_project(db):
    def make(slug: str = "desk", *, members: dict | None = None, **fields):
        project = projects.do_create_project(
            slug=slug, name=fields.pop("name", slug.title()), **fields
        )
        for user, role in (members or {}).items():
            projects.do_add_member(project, user, role)
        return project

    return make


@pytest.fixture
def make_article(db):
    from labels.importing import do_create_article

    counter = {"n": 0}

    def make(project, text: str = "The minister said “we are ready” on Monday.", **fields):
        counter["n"] += 1
        external_id = fields.pop("external_id", f"article-{counter['n']}")
        return do_create_article(project, external_id=external_id, raw_text=text, **fields)

    return make


@pytest.fixture
def manager(make_user):
    return make_user("mara")


@pytest.fixture
def reviewer(make_user):
    return make_user("rita")


@pytest.fixture
def annotator(make_user):
    return make_user("ana")


@pytest.fixture
def annotator2(make_user):
    return make_user("ben")


@pytest.fixture
def outsider(make_user):
    return make_user("otto")


@pytest.fixture
def project(make_project, manager, reviewer, annotator, annotator2):
    return make_project(
        "desk",
        name="Belarus desk",
        members={
            manager: Role.MANAGER,
            reviewer: Role.REVIEWER,
            annotator: Role.ANNOTATOR,
            annotator2: Role.ANNOTATOR,
        },
    )


@pytest.fixture
def other_project(make_project, outsider):
    return make_project("elsewhere", name="Elsewhere", members={outsider: Role.MANAGER})
