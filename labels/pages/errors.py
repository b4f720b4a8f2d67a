"""Domain exceptions as the HTML pages answer them: a status and messages for people.

The same translation as ``labels.api.errors`` for the API, so a page and the API give the same
status for the same refusal: 400 bad input, 409 a stale version, a closed annotation, an article
whose seats are taken, or an import that met a concurrent change, 413 a body over its size limit.
"""

from __future__ import annotations

from django.http import HttpResponse

from labels.errors import (
    ArticleFull,
    Closed,
    ImportConflict,
    ImportFailed,
    Invalid,
    Stale,
    TooLarge,
)

#: What a page catches around a domain call; ``answer`` turns each into a status and messages.
DOMAIN_ERRORS = (Invalid, Stale, Closed, ImportConflict, ImportFailed)


def answer(exc: Exception) -> tuple[int, list[str]]:
    """The HTTP status and the messages a page shows for a domain exception."""
    if isinstance(exc, TooLarge):
        return 413, [exc.problem.message]
    if isinstance(exc, ArticleFull):
        return 409, [p.message for p in exc.problems]
    if isinstance(exc, Invalid):
        return 400, [p.message for p in exc.problems]
    if isinstance(exc, ImportFailed):
        return 400, list(exc.report.errors)
    if isinstance(exc, (Stale, Closed, ImportConflict)):
        return 409, [str(exc)]
    raise TypeError(f"not a domain exception: {exc!r}")


def plain_answer(exc: Exception) -> HttpResponse:
    """``answer`` as a short plain-text response, for a request no page can be shown for (a
    crafted form, a body refused before any view runs)."""
    status, messages = answer(exc)
    return HttpResponse(
        "\n".join(messages) + "\n", status=status, content_type="text/plain; charset=utf-8"
    )
