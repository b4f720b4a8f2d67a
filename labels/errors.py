"""The one error type that every check in the domain raises.

Each problem names the field (or the file line) it is about, a stable machine code and a message
written for the person who sent the data. The API turns it into
``{"errors": [{"field": …, "code": …, "message": …}]}`` with status 400; commands print it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass


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
