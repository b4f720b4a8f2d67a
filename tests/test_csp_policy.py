"""The CSP header's text is built once (annotator/csp.py, issue 18) but stays what django-csp
builds: the settings' policy, a changed setting's, a view's update and a page's nonce."""

from __future__ import annotations

from csp.constants import NONCE
from csp.utils import build_policy
from django.http import HttpResponse

from annotator.csp import CSPMiddleware

HEADER = "Content-Security-Policy"


def answer(rf, path="/api/v1/annotations/1/spans/", *, nonce=False, **attributes):
    middleware = CSPMiddleware(lambda request: HttpResponse())
    request = rf.post(path)
    middleware.process_request(request)
    text = str(request.csp_nonce) if nonce else None
    response = HttpResponse(status=201)
    for name, value in attributes.items():
        setattr(response, name, value)
    return middleware.process_response(request, response), text


def test_every_response_gets_the_policy_django_csp_builds(rf):
    for _ in range(3):
        response, _ = answer(rf)
        assert response[HEADER] == build_policy()
    assert "default-src 'self'" in response[HEADER]
    assert "frame-ancestors 'none'" in response[HEADER]


def test_a_changed_setting_is_followed(rf, settings):
    answer(rf)
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"default-src": ["'none'"]}}
    assert answer(rf)[0][HEADER] == "default-src 'none'"
    settings.CONTENT_SECURITY_POLICY_REPORT_ONLY = {"DIRECTIVES": {"img-src": ["'self'"]}}
    response, _ = answer(rf)
    report_only = response["Content-Security-Policy-Report-Only"]
    assert report_only == build_policy(report_only=True) and "img-src 'self'" in report_only


def test_a_views_update_and_a_pages_nonce_are_not_lost(rf, settings):
    answer(rf)
    response, _ = answer(rf, _csp_update={"img-src": ["https://tiles.example.org"]})
    assert "https://tiles.example.org" in response[HEADER]
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"script-src": ["'self'", NONCE]}}
    answer(rf)
    response, nonce = answer(rf, nonce=True)
    assert f"'nonce-{nonce}'" in response[HEADER]
    assert "nonce-" not in answer(rf)[0][HEADER]
    response, _ = answer(rf, _csp_exempt=True)
    assert HEADER not in response
