"""Every domain exception, in one module: ``Invalid`` (bad input, with its problems), and the
refusals that are not about the input (``Stale``, ``Closed``, ``ArticleFull``, ``TooManyDrafts``,
``TooLarge``, the import's and the export's), and ``refusal``: the one table of the HTTP status
and the problems each of them is answered with. ``labels.api.errors`` (JSON) and
``labels.pages.errors`` (messages for people) both answer from it, so a page and the API never
disagree on a status.

``Invalid`` is the one error type that every check in the domain raises.

Each problem names the field (or the file line) it is about, a stable machine code and a message
written for the person who sent the data. The API turns it into
``{"errors": [{"field": …, "code": …, "message": …}]}`` with status 400; commands print it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

from django.db import IntegrityError

if TYPE_CHECKING:
    from labels.interop.checking import ImportReport


@dataclass(frozen=True)
class Problem:
    field: str
    code: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


class Invalid(Exception):
    """Input that breaks a rule of the domain. Carries one or more problems."""

    def __init__(self, problems: list[Problem] | Problem):
        if isinstance(problems, Problem):
            problems = [problems]
        self.problems: list[Problem] = list(problems)
        super().__init__("; ".join(f"{p.field}: {p.message}" for p in self.problems))

    @classmethod
    def one(cls, field: str, code: str, message: str) -> Invalid:
        return cls(Problem(field, code, message))

    def prefixed(self, prefix: str) -> Invalid:
        """The same problems with their field names put under ``prefix`` (``spans[3].start``)."""
        return Invalid(
            [
                Problem(f"{prefix}.{p.field}" if p.field else prefix, p.code, p.message)
                for p in self.problems
            ]
        )


class ArticleFull(Invalid):
    """Every seat on the article is taken (HTTP 409 on the API and on the pages alike)."""


class TooManyDrafts(Invalid):
    """The user already holds the project's ``max_open_drafts`` leased drafts (HTTP 409):
    they finish one before taking another seat."""


class Unauthenticated(Exception):
    """The API key a request came with was found revoked (or its user deactivated) by the
    statement that checked it in the view (``labels.api.auth.DeferredToken``): HTTP 401."""


class Stale(Exception):
    """The client's version of the annotation is not the stored one (HTTP 409)."""

    def __init__(self, current: int, given: object):
        self.current = current
        self.given = given
        super().__init__(
            f"This annotation was changed elsewhere (you have version {given}, the server has "
            f"{current}). Reload to see the latest version."
        )


class Closed(Exception):
    """The annotation no longer accepts changes (submitted, skipped or reviewed)."""


class ImportFailed(Exception):
    """The input has errors and nothing was written. ``report.errors`` lists them."""

    def __init__(self, report: ImportReport):
        self.report = report
        super().__init__("\n".join(report.errors))


class ImportConflict(IntegrityError):
    """The database refused the import because of a change that came in while it ran (an
    article with one of its ids created, or one it adds a layer to deleted). Nothing was
    written; importing again sees the change."""


class TooLarge(Exception):
    """A request body or an upload over its size limit (HTTP 413 on the API and the pages),
    refused by its ``Content-Length`` before it is read. ``problem`` names the part (``body``
    or ``file``), with the code ``too_large``."""

    def __init__(self, field: str, message: str):
        self.problem = Problem(field, "too_large", message)
        super().__init__(message)

    @classmethod
    def body(cls, size: int, limit: int) -> TooLarge:
        return cls(
            "body",
            f"The request body is {_amount(size)}; request bodies are limited to {_amount(limit)}.",
        )

    @classmethod
    def upload(cls, size: int, limit: int) -> TooLarge:
        return cls(
            "file",
            f"The upload is {_amount(size)}; imports are limited to {_amount(limit)}. Split "
            "the file into smaller ones.",
        )


def _amount(size: int) -> str:
    if size >= 1_048_576:
        return f"{size / 1_048_576:.1f} MB".replace(".0 MB", " MB")
    return f"{size / 1024:.0f} KB"


class ExportError(Exception):
    """The stored data breaks an invariant the export guarantees (a span whose text is not the
    article's text at its offsets). Raised instead of writing a wrong line."""


#: The domain exceptions ``refusal`` answers (what a view catches around a domain call).
REFUSALS = (Invalid, Stale, Closed, ImportConflict, ImportFailed, TooLarge)


def refusal(exc: Exception) -> tuple[int, list[Problem]]:
    """The HTTP status and the problems a domain exception is answered with: 400 bad input,
    409 a stale version, a closed annotation, an article whose seats are taken, a user at their
    cap of open drafts, or an import that met a concurrent change, 413 a body over its size
    limit."""
    if isinstance(exc, TooLarge):
        return 413, [exc.problem]
    if isinstance(exc, (ArticleFull, TooManyDrafts)):
        return 409, exc.problems
    if isinstance(exc, Invalid):
        return 400, exc.problems
    if isinstance(exc, ImportFailed):
        return 400, [Problem("file", "invalid_record", line) for line in exc.report.errors]
    if isinstance(exc, ImportConflict):
        return 409, [Problem("file", "conflict", str(exc))]
    if isinstance(exc, Stale):
        return 409, [Problem("version", "stale_version", str(exc))]
    if isinstance(exc, Closed):
        return 409, [Problem("status", "closed", str(exc))]
    raise TypeError(f"not a domain exception: {exc!r}")
