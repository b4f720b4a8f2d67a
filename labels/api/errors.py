"""One JSON shape for every API error: ``{"errors": [{"field", "code", "message"}]}``.

400 bad input (the field names the part of the request), 401 not logged in, 403 a member without
the role, 404 not a member or no such object, 409 a stale version, a closed annotation, an article
whose seats are taken, or an import that met a concurrent change, 413 a body over its size limit
(``too_large_response`` is that answer for the middleware that refuses it before it is read).
Views raise the domain exceptions of ``labels.errors`` and this handler answers them;
``labels.pages.errors`` is the same translation for the HTML pages.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from labels.errors import REFUSALS, ImportFailed, Stale, TooLarge, refusal


def _flatten(detail, prefix: str = "") -> list[dict[str, str]]:
    """DRF's nested validation errors → a flat list naming each field by its path."""
    out: list[dict[str, str]] = []
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = "" if key in ("non_field_errors", "detail") else str(key)
            out.extend(_flatten(value, f"{prefix}.{name}" if prefix and name else (prefix or name)))
    elif isinstance(detail, list):
        if all(not isinstance(d, (dict, list)) for d in detail):
            for d in detail:
                out.append(
                    {"field": prefix, "code": getattr(d, "code", "invalid"), "message": str(d)}
                )
        else:
            for index, d in enumerate(detail):
                out.extend(_flatten(d, f"{prefix}[{index}]"))
    else:
        out.append(
            {"field": prefix, "code": getattr(detail, "code", "invalid"), "message": str(detail)}
        )
    return out


def error_response(status_code: int, field: str, code: str, message: str, **extra) -> Response:
    return Response(
        {"errors": [{"field": field, "code": code, "message": message}], **extra},
        status=status_code,
    )


def too_large_response(exc: TooLarge) -> JsonResponse:
    """The 413 for a body refused before any view runs (``annotator.limits``)."""
    return JsonResponse({"errors": [exc.problem.as_dict()]}, status=413)


def exception_handler(exc, context):
    if isinstance(exc, REFUSALS):
        status_code, problems = refusal(exc)
        body: dict = {"errors": [p.as_dict() for p in problems]}
        if isinstance(exc, ImportFailed):
            body["report"] = exc.report.as_dict()
        if isinstance(exc, Stale):
            body["current_version"] = exc.current
        return Response(body, status=status_code)
    if isinstance(exc, Http404):
        return error_response(404, "", "not_found", str(exc) or "Not found.")
    if isinstance(exc, PermissionDenied):
        return error_response(
            403, "", "permission_denied", str(exc) or "You do not have permission to do this."
        )
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.data = {"errors": _flatten(exc.detail)}
    elif isinstance(exc, exceptions.ParseError):
        response.data = {
            "errors": [{"field": "body", "code": "parse_error", "message": str(exc.detail)}]
        }
    else:
        detail = getattr(exc, "detail", str(exc))
        code = getattr(detail, "code", None) or getattr(exc, "default_code", "error")
        response.data = {"errors": [{"field": "", "code": str(code), "message": str(detail)}]}
    return response
