"""Domain exceptions as the HTML pages answer them: a status and messages for people.

Both this module and ``labels.api.errors`` answer from ``labels.errors.refusal``, so a page and
the API give the same status for the same refusal.
"""

from __future__ import annotations

from django.http import HttpResponse

from labels.errors import REFUSALS, refusal

#: What a page catches around a domain call; ``answer`` turns each into a status and messages.
DOMAIN_ERRORS = REFUSALS


def answer(exc: Exception) -> tuple[int, list[str]]:
    """The HTTP status and the messages a page shows for a domain exception."""
    status, problems = refusal(exc)
    return status, [p.message for p in problems]


def plain_answer(exc: Exception) -> HttpResponse:
    """``answer`` as a short plain-text response, for a request no page can be shown for (a
    crafted form, a body refused before any view runs)."""
    status, messages = answer(exc)
    return HttpResponse(
        "\n".join(messages) + "\n", status=status, content_type="text/plain; charset=utf-8"
    )
