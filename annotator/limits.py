"""Request bodies over their size limit, refused by ``Content-Length`` before anything reads them.

Without this, an upload over the import limit arrives whole (Django's CSRF check reads a form
before any view runs) before it is refused, and a JSON body of any size is read. The limits:

- a multipart upload (the import endpoint and the import form): ``ANNOTATOR_MAX_IMPORT_BYTES``
  plus ``FORM_ALLOWANCE`` for the form's other fields and the multipart framing;
- any other body: ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (10 MB), which Django itself applies only to
  bodies it reads (forms, ``request.body``), not to the stream DRF's parsers read.

The answer is 413, in the API's error shape under ``/api/`` (``labels.api.errors``) and as a
page's plain message elsewhere (``labels.pages.errors``). It comes before authentication and
the access check, so it says nothing about the URL's object. A body sent without
``Content-Length`` (chunked) is read by Django as empty; the API's JSON parser
(``labels.api.parsers``) still caps what it reads.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from labels.api.errors import too_large_response
from labels.api.parsers import content_length
from labels.errors import TooLarge
from labels.pages.errors import plain_answer

FORM_ALLOWANCE = 64 * 1024


def refusal(request: HttpRequest) -> TooLarge | None:
    """Why the request's body is too large to be read, or None."""
    size = content_length(request.META)
    if request.META.get("CONTENT_TYPE", "").lower().startswith("multipart/form-data"):
        limit = settings.ANNOTATOR_MAX_IMPORT_BYTES
        return TooLarge.upload(size, limit) if size > limit + FORM_ALLOWANCE else None
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return TooLarge.body(size, limit) if limit is not None and size > limit else None


class BodySizeLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        refused = refusal(request)
        if refused is None:
            return self.get_response(request)
        if request.path_info.startswith("/api/"):
            return too_large_response(refused)
        return plain_answer(refused)
