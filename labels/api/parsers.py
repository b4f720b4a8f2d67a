"""The API's JSON parser (``REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"]``): the rules of
``labels.jsonio.loads`` for every request body, and a size cap.

DRF parses a body on the first use of ``request.data``, which every view makes after its access
check: a body sent to someone else's object is never read. The body is refused by its
``Content-Length`` before it is read when it is larger than ``DATA_UPLOAD_MAX_MEMORY_SIZE``
(413; the middleware ``annotator.limits`` refuses it earlier still), and never more than that
is read. Nesting deeper than ``jsonio.MAX_DEPTH`` is a 400 ``body``/``too_deep`` found before
any parser runs; a number or a string the rules refuse is a 400 naming its place in the body
(``attrs.score``).
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from rest_framework import parsers
from rest_framework.exceptions import ParseError

from labels import jsonio
from labels.errors import Invalid, Problem, TooLarge


def content_length(meta: dict[str, Any]) -> int:
    """The request's ``Content-Length`` (0 when absent or not a number, as Django reads it)."""
    try:
        return max(int(meta.get("CONTENT_LENGTH") or 0), 0)
    except (TypeError, ValueError):
        return 0


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None) -> Any:
        parser_context = parser_context or {}
        request = parser_context.get("request")
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is not None and request is not None:
            size = content_length(request.META)
            if size > limit:
                raise TooLarge.body(size, limit)
        data = stream.read() if limit is None else stream.read(limit + 1)
        if limit is not None and len(data) > limit:
            raise TooLarge.body(len(data), limit)
        encoding = (parser_context.get("encoding") or settings.DEFAULT_CHARSET).lower()
        try:
            text: str | bytes = data if encoding in ("utf-8", "utf8") else data.decode(encoding)
            return jsonio.loads(text)
        except (json.JSONDecodeError, UnicodeDecodeError, LookupError) as exc:
            raise ParseError(f"JSON parse error - {exc}") from None
        except Invalid as exc:
            problems = [Problem(p.field or "body", p.code, p.message) for p in exc.problems]
            raise Invalid(problems) from None
