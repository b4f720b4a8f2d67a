"""Security measures that hold whatever page or endpoint is added: the Content-Security-Policy on
every HTML page, templates without inline script or style, login throttling, invitations
instead of sign-up, and list endpoints that ignore query parameters they do not know."""

import re
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from labels.annotation import spans, versions
from labels.models import Annotation, HistoryEvent, Membership
from tests.conftest import PASSWORD
from tests.support.paths import ROOT

TEMPLATES = ROOT / "labels" / "templates"


# --- Content-Security-Policy -----------------------------------------------------------------


def _check_csp(response, url):
    policy = response.get("Content-Security-Policy")
    assert policy, f"{url} has no Content-Security-Policy header"
    directives = dict(
        (part.strip().split(" ", 1) + [""])[:2] for part in policy.split(";") if part.strip()
    )
    assert directives.get("script-src") == "'self'", (url, policy)
    assert directives.get("style-src") == "'self'", (url, policy)
    assert directives.get("default-src") == "'self'", (url, policy)
    assert directives.get("object-src") == "'none'", (url, policy)
    assert directives.get("frame-ancestors") == "'none'", (url, policy)
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy, (url, policy)
    assert "http:" not in policy and "https:" not in policy and "*" not in policy, (url, policy)


@pytest.fixture
def site(project, make_article, annotator, manager):
    """One of everything a page URL can name."""
    article = make_article(project)
    annotation = Annotation.objects.create(article=article, annotator=annotator)
    with transaction.atomic():
        locked = versions.locked(annotation.pk)
        spans.do_add_span(
            locked,
            annotator,
            {"label": "Cue", "start": 13, "end": 17, "text": "said"},
            version=locked.version,
        )
    event = HistoryEvent.objects.filter(annotation=annotation).first()
    return {
        "slug": project.slug,
        "article_id": article.pk,
        "annotation_id": annotation.pk,
        "event_id": event.pk,
        "span_id": annotation.spans.first().pk,
        "uidb64": "MQ",
        "token": "set-password",
    }


def _page_routes(resolver=None, prefix=""):
    """Every URL pattern outside /api/ and /admin/, as (route, pattern)."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if route.startswith(("api/", "admin/")):
            continue
        if isinstance(entry, URLResolver):
            yield from _page_routes(entry, route)
        elif isinstance(entry, URLPattern):
            yield route


def _fill(route: str, values: dict) -> str:
    def value(match):
        name = match.group(2)
        return str(values.get(name, 1))

    return "/" + re.sub(r"<(?:(\w+):)?(\w+)>", value, route)


FIXED_PAGES = ["/login/", "/", "/admin/login/", "/api/docs/", "/healthz"]


def test_every_html_page_carries_the_policy(client, site, manager):
    client.force_login(manager)
    urls = FIXED_PAGES + [_fill(route, site) for route in _page_routes()]
    html_pages = 0
    for url in sorted(set(urls)):
        response = client.get(url)
        assert response.status_code < 500, url
        if response.get("Content-Type", "").startswith("text/html"):
            html_pages += 1
        _check_csp(response, url)
    # login, home, admin login, docs, project, annotate, history, review, dashboard at least
    assert html_pages >= 9


@pytest.mark.parametrize("url", ["/login/", "/admin/login/", "/api/docs/"])
def test_anonymous_pages_carry_the_policy(client, db, url):
    response = client.get(url)
    assert response.status_code == 200
    _check_csp(response, url)


def test_no_view_loosens_the_policy():
    for path in (ROOT / "labels").rglob("*.py"):
        source = path.read_text()
        for name in ("csp_exempt", "csp_update", "csp_replace", "unsafe-inline", "unsafe-eval"):
            assert name not in source, f"{path.relative_to(ROOT)} uses {name}"


def test_api_docs_load_swagger_from_our_own_static_files(client, db):
    html = client.get("/api/docs/").content.decode()
    sources = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', html)
    assert sources
    assert all(s.startswith("/") and not s.startswith("//") for s in sources), sources


# --- Templates -------------------------------------------------------------------------------

SCRIPT_WITH_CODE = re.compile(r"<script\b[^>]*>(.*?)</script\s*>", re.I | re.S)
TAG = re.compile(r"<[a-zA-Z][^<>]*>", re.S)
EVENT_HANDLER = re.compile(r"\son[a-z]+\s*=", re.I)
STYLE_ATTR = re.compile(r"\sstyle\s*=", re.I)


COMMENTS = re.compile(r"{%\s*comment\s*%}.*?{%\s*endcomment\s*%}|{#.*?#}", re.S)


def _templates():
    found = sorted(TEMPLATES.rglob("*.html"))
    assert len(found) >= 5
    return found


def _source(path: Path) -> str:
    """The template without its Django comments (which may well mention what they avoid)."""
    return COMMENTS.sub("", path.read_text())


def test_templates_have_no_inline_script_handlers_or_styles():
    problems = []
    for path in _templates():
        source = _source(path)
        name = path.relative_to(ROOT)
        for match in SCRIPT_WITH_CODE.finditer(source):
            if match.group(1).strip():
                problems.append(f"{name}: inline <script> code")
        if re.search(r"<style\b", source, re.I):
            problems.append(f"{name}: <style> element")
        if re.search(r"javascript:", source, re.I):
            problems.append(f"{name}: javascript: URL")
        for tag in TAG.findall(source):
            if EVENT_HANDLER.search(tag):
                problems.append(f"{name}: event handler attribute in {tag[:60]!r}")
            if STYLE_ATTR.search(tag):
                problems.append(f"{name}: style attribute in {tag[:60]!r}")
    assert not problems, "\n".join(problems)


def test_templates_do_not_mark_user_text_safe():
    problems = []
    for path in _templates():
        source = _source(path)
        for match in re.finditer(r"\|\s*safe\b|{%\s*autoescape\s+off", source):
            problems.append(f"{path.relative_to(ROOT)}: {match.group(0)}")
    assert not problems, "\n".join(problems)


def test_the_scan_finds_what_it_looks_for():
    bad = [
        '<script type="module">import "x";</script>',
        '<button onclick="go()">',
        '<div class="x" style="color: red">',
        "<a href='#'\n   onmouseover='x()'>",
    ]
    assert SCRIPT_WITH_CODE.search(bad[0]).group(1).strip()
    assert EVENT_HANDLER.search(TAG.findall(bad[1])[0])
    assert STYLE_ATTR.search(TAG.findall(bad[2])[0])
    assert EVENT_HANDLER.search(TAG.findall(bad[3])[0])
    assert not EVENT_HANDLER.search('<input data-one="1" name="done">')
    assert "<style>" not in COMMENTS.sub("", "{% comment %}no <style>{% endcomment %}{# <style> #}")


# --- Login throttling ------------------------------------------------------------------------


@pytest.fixture
def throttled(settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    settings.AXES_COOLOFF_TIME = 0.25  # hours
    return settings


def _login(client, username, password):
    return client.post("/login/", {"username": username, "password": password})


def test_login_is_locked_after_the_failure_limit(client, throttled, annotator):
    for _ in range(throttled.AXES_FAILURE_LIMIT - 1):
        response = _login(client, "ana", "wrong")
        assert response.status_code == 200
        assert b"didn't match" in response.content
    locked = _login(client, "ana", "wrong")
    assert locked.status_code in (403, 429)
    text = locked.content.decode()
    assert "Too many failed log-ins" in text
    assert "After 3 failed attempts" in text
    assert "for\n    15 minutes" in text or "for 15 minutes" in " ".join(text.split())
    _check_csp(locked, "/login/ (locked)")
    # The right password is refused too while the lock lasts.
    right = _login(client, "ana", PASSWORD)
    assert right.status_code in (403, 429)
    assert "_auth_user_id" not in client.session
    assert client.get("/").status_code == 302


def test_the_lock_is_per_username_and_address(client, throttled, annotator, annotator2):
    for _ in range(throttled.AXES_FAILURE_LIMIT):
        _login(client, "ana", "wrong")
    response = _login(client, "ben", PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(annotator2.pk)


def test_a_success_before_the_limit_resets_the_count(client, throttled, annotator):
    for _ in range(throttled.AXES_FAILURE_LIMIT - 1):
        _login(client, "ana", "wrong")
    assert _login(client, "ana", PASSWORD).status_code == 302
    client.post("/logout/")
    for _ in range(throttled.AXES_FAILURE_LIMIT - 1):
        assert _login(client, "ana", "wrong").status_code == 200
    assert _login(client, "ana", PASSWORD).status_code == 302


@pytest.mark.server
def test_throttling_is_on_by_default_in_production():
    import subprocess
    import sys

    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import annotator.settings as s; print(s.AXES_ENABLED, s.AXES_FAILURE_LIMIT)",
        ],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "SECRET_KEY": "x" * 50, "DEBUG": "0"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.split() == ["True", "5"], result.stderr


def test_password_validators_refuse_weak_passwords(settings):
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    for weak in ["short", "12345678901", "password123"]:
        with pytest.raises(ValidationError):
            validate_password(weak)


# --- Invitations -----------------------------------------------------------------------------


def test_there_is_no_sign_up_page(client, db):
    for url in ("/signup/", "/register/", "/accounts/signup/", "/accounts/register/"):
        assert client.get(url).status_code == 404


def _invite(*args):
    from io import StringIO

    out, err = StringIO(), StringIO()
    call_command("invite_user", *args, stdout=out, stderr=err)
    return out.getvalue().strip(), err.getvalue()


def test_an_invited_user_sets_a_password_once_through_the_link(client, project):
    link, note = _invite(
        "nina",
        "--email",
        "nina@example.org",
        "--project",
        "desk",
        "--role",
        "annotator",
        "--base-url",
        "https://annotator.example.org",
    )
    assert "nina" in note and "annotator" in note
    assert link.startswith("https://annotator.example.org/reset/")
    user = get_user_model().objects.get(username="nina")
    assert not user.has_usable_password()
    assert Membership.objects.get(user=user, project=project).role == "annotator"
    path = link.removeprefix("https://annotator.example.org")

    form_page = client.get(path, follow=True)
    assert form_page.status_code == 200
    assert b"Choose a password" in form_page.content
    _check_csp(form_page, "password set page")
    set_url = form_page.redirect_chain[-1][0]
    weak = client.post(set_url, {"new_password1": "nina", "new_password2": "nina"})
    assert weak.status_code == 200  # the validators refuse it
    assert not get_user_model().objects.get(username="nina").has_usable_password()
    done = client.post(
        set_url,
        {"new_password1": "quiet-harbour-lantern-7", "new_password2": "quiet-harbour-lantern-7"},
    )
    assert done.status_code == 302
    assert done["Location"] == reverse("password_reset_complete")
    assert client.get(done["Location"]).status_code == 200
    assert _login(client, "nina", "quiet-harbour-lantern-7").status_code == 302
    # One time only.
    client.post("/logout/")
    again = client.get(path, follow=True)
    assert b"has been used already or has expired" in again.content


def test_inviting_an_existing_username_is_refused(project, annotator):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="exists"):
        _invite("ANA")


def test_invite_into_an_unknown_project_is_refused(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No project"):
        _invite("nina", "--project", "nowhere", "--role", "annotator")
    assert not get_user_model().objects.filter(username="nina").exists()


def test_invite_into_a_project_needs_a_role(project):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="role"):
        _invite("nina", "--project", "desk")
    assert not get_user_model().objects.filter(username="nina").exists()


# --- Filters: an allow-list, never user-supplied ORM lookups ---------------------------------

ORM_PROBES = {
    "annotations__annotator__password__startswith": "x",
    "members__password__startswith": "pbkdf2",
    "user__password__regex": "^md5",
    "project__memberships__user__is_superuser": "true",
    "text__icontains": "minister",
    "id__in": "1",
}


def _list_urls(site):
    return [
        "/api/v1/projects/",
        f"/api/v1/projects/{site['slug']}/members/",
        f"/api/v1/projects/{site['slug']}/articles/",
        f"/api/v1/articles/{site['article_id']}/annotations/",
        f"/api/v1/annotations/{site['annotation_id']}/history/",
    ]


def test_list_endpoints_ignore_unknown_query_parameters(api, site, manager, make_article, project):
    make_article(project, "Another text altogether.")
    client = api(manager)
    for url in _list_urls(site):
        baseline = client.get(url)
        assert baseline.status_code == 200, url
        for name, value in ORM_PROBES.items():
            probed = client.get(url, {name: value})
            if probed.status_code == 400:
                # Refusing an unknown parameter by name is as good as ignoring it.
                assert probed.json()["errors"][0]["field"] == name, url
                continue
            assert probed.status_code == 200, (url, name)
            assert probed.json() == baseline.json(), (url, name)


@pytest.mark.parametrize(
    "path",
    ["/static/css/app.css", "/static/drf_spectacular_sidecar/swagger-ui-dist/oauth2-redirect.html"],
)
def test_static_files_carry_the_security_headers_of_the_pages(client, settings, path):
    """WhiteNoise answers static files before the rest of the middleware runs; the CSP and
    X-Frame-Options middleware stand before it so that its answers (Swagger UI's
    oauth2-redirect.html, an HTML page with inline script) carry them too."""
    settings.WHITENOISE_USE_FINDERS = True  # serve from the apps' folders, as `make run` does
    settings.WHITENOISE_AUTOREFRESH = True
    response = client.get(path)
    assert response.status_code == 200
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("cookie", ["0\x00\x80\x80\x80", "abcdefgh\x00", "ABCDEFGH'; --"])
@pytest.mark.parametrize("url", ["/", "/api/v1/jobs/null/", "/no-such-page/"])
def test_a_session_cookie_django_never_issued_is_no_session_not_a_server_error(
    cookie, url, manager, settings
):
    # Through the WSGI handler as a browser would send it (the test client's cookie jar would
    # quote it); with a NUL byte PostgreSQL refused the session lookup and every page was a 500.
    from django.core.wsgi import get_wsgi_application
    from werkzeug.test import Client as WsgiClient

    settings.DEBUG_PROPAGATE_EXCEPTIONS = True
    client = WsgiClient(get_wsgi_application())
    client.set_cookie("sessionid", cookie, domain="localhost")
    response = client.get(url, headers={"Host": "localhost"})
    assert response.status_code in (302, 404)
