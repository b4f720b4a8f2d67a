"""Refused input ends a command: the domain's ``Invalid`` becomes a ``CommandError``.

(Django takes no command from a module whose name starts with an underscore.)
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.core.management.base import CommandError

from labels.errors import Invalid


@contextmanager
def invalid_as_command_error(separator: str = "; ") -> Iterator[None]:
    """Raise an ``Invalid`` of the block as a ``CommandError``: its problems as ``field:
    message``, joined by ``separator`` (the default makes the message ``str(exc)``)."""
    try:
        yield
    except Invalid as exc:
        raise CommandError(
            separator.join(f"{p.field}: {p.message}" for p in exc.problems)
        ) from None
