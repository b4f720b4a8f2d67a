"""Shared fixtures: a project with one member of each role, an outsider, and factories.

Factories are fixtures that return functions (``make_project(...)``), as in django-allauth's
tests; nothing depends on primary-key values.
"""

from __future__ import annotations

import os

import pytest

# Helpers under tests/support/ that assert: rewritten like test modules, for pytest's messages.
pytest.register_assert_rewrite("tests.support.exports", "tests.support.imports")

PASSWORD = "correct-horse-battery-staple"


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """Each test run gets its own test database, so two runs on one server never collide."""
    from django.conf import settings

    for db in settings.DATABASES.values():
        db.setdefault("TEST", {})["NAME"] = f"test_{db['NAME']}_{os.getpid()}"


@pytest.fixture(scope="session", autouse=True)
def fast_password_hashing():
    """Hashing with PBKDF2's production cost takes ~0.4 s per user; tests don't need it."""
    from django.test import override_settings

    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture
def make_user(db):
    from django.contrib.auth import get_user_model

    def make(username: str, **extra):
        return get_user_model().objects.create_user(
            username=username, password=PASSWORD, email=f"{username}@example.org", **extra
        )

    return make


@pytest.fixture
def make_project(db):
    from labels.projects import members as members_mod
    from labels.projects import projects

    def make(slug: str = "desk", *, members: dict | None = None, **fields):
        project = projects.do_create_project(
            slug=slug, name=fields.pop("name", slug.title()), **fields
        )
        for user, role in (members or {}).items():
            members_mod.do_add_member(project, user, role)
        return project

    return make


@pytest.fixture
def make_article(db):
    from labels.interop.importing import do_create_article

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
    from labels.models import Role

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
    return make_project("elsewhere", name="Elsewhere", members={outsider: "manager"})


# --- Browser tests -------------------------------------------------------------------------
# Playwright drives Debian's Chromium (installed by `make test` when missing); it never
# downloads a browser of its own.

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; Django's ORM calls made by the
    # test itself (fixtures, assertions) are still synchronous and safe.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        yield instance
        instance.close()


@pytest.fixture
def new_page(browser, live_server):
    """``new_page(user)`` → a Playwright page of a fresh context, logged in as ``user`` through the
    real login form. Console errors and failed requests are collected on ``page.problems``."""
    contexts = []

    def make(user=None, *, viewport=None, **context_options):
        # context_options: Playwright's, e.g. has_touch=True, is_mobile=True for a phone.
        context = browser.new_context(
            viewport=viewport or {"width": 1280, "height": 800}, **context_options
        )
        contexts.append(context)
        page = context.new_page()
        page.problems = []
        page.on("console", lambda msg: msg.type == "error" and page.problems.append(msg.text))
        page.on("pageerror", lambda exc: page.problems.append(str(exc)))
        page.set_default_timeout(10_000)
        if user is not None:
            page.goto(f"{live_server.url}/login/")
            page.fill("#id_username", user.username)
            page.fill("#id_password", PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_url(f"{live_server.url}/")
        return page

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def api(db):
    """``api(user)`` → a DRF test client logged in as ``user`` through the session (as the
    browser is; CSRF checks off as in Django's test client), or anonymous with no user."""
    from rest_framework.test import APIClient

    def make(user=None):
        client = APIClient()
        if user is not None:
            client.force_login(user)
        return client

    return make


# --- Suggesters --------------------------------------------------------------------------------
# The suggestion tests (tests/api/test_suggestions.py, tests/suggestions/) use the last two
# through ``pytest.mark.usefixtures`` on every test of the module.


@pytest.fixture
def suggester_server():
    """A real HTTP model server on 127.0.0.1 (tests/support/suggester_server.py)."""
    from tests.support import suggester_server as suggester_server_mod

    with suggester_server_mod.running() as server:
        yield server


@pytest.fixture
def fresh_suggester_caches():
    """Built-in and HTTP results are cached per process; every test starts without them."""
    from labels.suggestions import proposals

    proposals.clear_caches()
    yield
    proposals.clear_caches()


@pytest.fixture
def suggester_settings(settings):
    """A short deadline, and the test server's loopback network allowed (refused by default)."""
    settings.ANNOTATOR_SUGGESTER_TIMEOUT_MS = 300
    settings.ANNOTATOR_SUGGESTER_ALLOWED_NETWORKS = ["127.0.0.0/8", "::1/128"]
