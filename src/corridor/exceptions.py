"""Errors raised by Corridor.

One hierarchy; the CLI turns each into a message and a non-zero exit code::

    CorridorError                  base class of every error Corridor raises on purpose
    ├── UnitError                  a unit string pint cannot parse, or of the wrong dimension
    ├── PackageValidationError     a data package has one or more problems (all are listed)
    ├── ScenarioError              a scenario file has one or more problems (all are listed)
    └── ClaimsError                an article cannot be read (too large, not text)
"""

from __future__ import annotations

from dataclasses import dataclass


class CorridorError(Exception):
    """Base class of every error Corridor raises on purpose."""


class UnitError(CorridorError, ValueError):
    """Raised when a unit string cannot be parsed or has the wrong dimension."""


@dataclass(frozen=True)
class Problem:
    """One problem found in a data package: where it is, the bad value, what was expected."""

    file: str
    line: int | None
    field: str | None
    message: str
    value: str | None = None

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f" line {self.line}"
        if self.field:
            where += f", field {self.field}"
        got = "" if self.value is None else f", got {self.value!r}"
        return f"{where}: {self.message}{got}"


class PackageValidationError(CorridorError):
    """Raised when a data package has one or more problems; `problems` lists them all."""

    def __init__(self, package: str, problems: list[Problem]) -> None:
        self.package = package
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        n = len(problems)
        super().__init__(f"data package {package} has {n} problem{'s' * (n != 1)}:\n{lines}")


class ScenarioError(CorridorError):
    """Raised when a scenario file is not valid; `problems` lists every problem."""

    def __init__(self, file: str, problems: list[Problem]) -> None:
        self.file, self.problems = file, problems
        n = len(problems)
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"scenario {file} has {n} problem{'s' * (n != 1)}:\n{lines}")


class ClaimsError(CorridorError):
    """Raised when an article cannot be read (too large, not text)."""
