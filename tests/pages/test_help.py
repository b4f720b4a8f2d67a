"""Help in the app: the user guides in docs/ as pages under /help/, linked from where pages
mention them."""

from __future__ import annotations

import re
import shutil

import pytest

from labels.pages import help as help_mod

pytestmark = pytest.mark.django_db


def _hrefs(html: str) -> list[str]:
    return re.findall(r'href="([^"]*)"', html)


def test_help_needs_a_login(client):
    for url in ("/help/", "/help/workspace/", "/help/screenshots/annotate.png"):
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"], url


def test_index_lists_every_user_guide_with_its_title(client, annotator):
    client.force_login(annotator)
    page = client.get("/help/").content.decode()
    for name in help_mod.GUIDES:
        assert f'href="/help/{name}/"' in page
    assert "The annotation workspace" in page
    assert "Reviewing an article and reading the dashboard" in page
    assert 'href="/api/docs/"' in page


@pytest.mark.parametrize("name", help_mod.GUIDES)
def test_every_guide_renders_and_its_links_lead_to_pages_that_exist(client, annotator, name):
    client.force_login(annotator)
    response = client.get(f"/help/{name}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert '<article class="markdown help-body">' in page
    for href in _hrefs(page):
        # No link to a Markdown file or a relative path that the server would not find.
        assert not href.endswith(".md") and ".md#" not in href, href
        if href.startswith("/help/"):
            target, _, anchor = href.partition("#")
            linked = client.get(target)
            assert linked.status_code == 200, href
            if anchor:
                assert f'id="{anchor}"' in linked.content.decode(), href


def test_links_between_guides_become_help_pages_and_unserved_docs_lose_only_their_link(
    client, annotator
):
    client.force_login(annotator)
    review = client.get("/help/review/").content.decode()
    assert 'href="/help/agreement/"' in review  # [..](agreement.md) in docs/review.md
    # docs/review.md links performance.md, an engineers' page not served here: text stays.
    assert "performance.md" not in " ".join(_hrefs(review))
    workspace = client.get("/help/workspace/").content.decode()
    assert 'src="/help/screenshots/annotate.png"' in workspace
    assert 'href="/help/suggestions/"' in workspace


def test_screenshots_are_served_and_nothing_else_from_docs(client, annotator):
    client.force_login(annotator)
    image = client.get("/help/screenshots/annotate.png")
    assert image.status_code == 200 and image["Content-Type"] == "image/png"
    assert b"".join(image.streaming_content).startswith(b"\x89PNG")
    for url in (
        "/help/screenshots/nope.png",
        "/help/screenshots/..%2Farchitecture.md",
        "/help/screenshots/annotate.PNG",
    ):
        assert client.get(url).status_code == 404, url


@pytest.mark.parametrize("name", ["nope", "architecture", "performance", "deploy", "README"])
def test_unknown_or_unserved_help_page_is_404(client, annotator, name):
    client.force_login(annotator)
    assert client.get(f"/help/{name}/").status_code == 404


def test_markup_in_a_guide_is_text_and_unsafe_links_stay_text(
    client, annotator, tmp_path, monkeypatch
):
    for name in help_mod.GUIDES:
        shutil.copy(help_mod.DOCS_DIR / f"{name}.md", tmp_path)
    (tmp_path / "workspace.md").write_text(
        "# Guide\n\n<script>window.x=1</script>\n\n[bad](javascript:alert(1)) "
        "[gone](../labels/models.py) [ok](review.md#the-queue)\n\n## Twice\n\n## Twice\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(help_mod, "DOCS_DIR", tmp_path)
    client.force_login(annotator)
    page = client.get("/help/workspace/").content.decode()
    assert "<script>window.x=1</script>" not in page
    assert "&lt;script&gt;window.x=1&lt;/script&gt;" in page
    assert "javascript:" not in " ".join(_hrefs(page))
    assert "models.py" not in " ".join(_hrefs(page)) and "gone" in page
    assert 'href="/help/review/#the-queue"' in page
    assert 'id="twice"' in page and 'id="twice-2"' in page


def test_pages_link_the_guides_they_mention(client, project, manager):
    client.force_login(manager)
    project_page = client.get(f"/projects/{project.slug}/").content.decode()
    assert 'href="/help/api/#import-formats"' in project_page
    assert 'href="/help/export/"' in project_page
    assert "docs/api.md" not in project_page and "docs/export.md" not in project_page
    dashboard = client.get(f"/projects/{project.slug}/dashboard/").content.decode()
    assert 'href="/help/agreement/"' in dashboard and "docs/agreement.md" not in dashboard
    # The user menu, on every page.
    assert 'href="/help/"' in dashboard and 'href="/api/docs/"' in dashboard
    api = client.get("/help/api/").content.decode()
    assert 'id="import-formats"' in api


def test_no_page_of_the_managers_console_names_a_guide_as_a_file(client, project, manager):
    """The settings and New project pages link the guides they mention, never 'docs/x.md'."""
    manager.is_staff = True
    manager.save(update_fields=["is_staff"])
    client.force_login(manager)
    pages = {
        url: client.get(url).content.decode()
        for url in [
            "/projects/new/",
            *(
                f"/projects/{project.slug}/settings/{section}"
                for section in ("", "schema/", "members/", "guidelines/", "suggestions/")
            ),
        ]
    }
    for url, page in pages.items():
        assert re.search(r"docs/[a-z-]+\.md", page) is None, url
    assert 'href="/help/schema/"' in pages["/projects/new/"]
    assert 'href="/help/suggestions/"' in pages[f"/projects/{project.slug}/settings/suggestions/"]
