"""/api/docs/ renders Swagger UI from this server's static files under the site's CSP."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_api_docs_render_from_our_own_files_without_csp_errors(new_page, live_server, manager):
    page = new_page(manager)
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    response = page.goto(f"{live_server.url}/api/docs/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.wait_for_selector(".swagger-ui .info .title")
    assert "Annotator API" in page.inner_text(".swagger-ui .info .title")
    # The operations come from /api/schema/ and are listed.
    page.wait_for_selector("text=/api/v1/projects/{slug}/imports/")
    assert page.problems == []
    foreign = [url for url in requested if not url.startswith(live_server.url)]
    assert foreign == []
