"""Session authentication (the browser's) whose CSRF check never parses a JSON body.

DRF's ``SessionAuthentication`` checks the CSRF token of every unsafe request of a logged-in user
while it authenticates, before the view, and Django's check reads ``request.POST`` for the form's
``csrfmiddlewaretoken``: on a DRF request that parses the body, whatever its type, before any
access check. A body that is not a form cannot carry that field (its token is the
``X-CSRFToken`` header, all Django's check then reads), so the check runs on Django's request,
whose ``POST`` is empty for such a body without reading it: the body is parsed by the view, after
its access check, and an outsider's is never parsed. Forms (the import's multipart upload) are
checked as DRF does.
"""

from __future__ import annotations

from rest_framework import authentication
from rest_framework.request import is_form_media_type


class SessionAuthentication(authentication.SessionAuthentication):
    def enforce_csrf(self, request):
        if is_form_media_type(request.content_type):
            return super().enforce_csrf(request)
        return super().enforce_csrf(request._request)
