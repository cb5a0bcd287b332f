"""Errors raised by Corridor.

One hierarchy; the CLI and the web API each map these classes to an exit code or an HTTP
status in one table (``corridor.cli.EXIT_CODES``, ``corridor.web.app.HTTP_STATUS``)::

    CorridorError                  base class of every error Corridor raises on purpose
    ├── UnitError                  a unit string pint cannot parse, or of the wrong dimension
    ├── UnknownError               an unknown route/node/country/exporter/year/scenario/…
    │                              (also a KeyError); carries ``kind``, ``value``, ``known``
    ├── InvalidArgumentError       an argument of the right kind but a bad value (also a
    │                              ValueError): a negative sample count, a bad date …
    ├── NoFlowsError               no observed flows to compute or re-route from
    ├── ProblemsError              input with one or more problems, all listed in ``problems``
    │   ├── PackageValidationError a data package
    │   └── ScenarioError          a scenario file
    ├── ClaimsError                an article cannot be read (too large, not text)
    ├── SolverError                the LP ended in a state other than optimal
    ├── RunStoreError              the run store cannot be opened, or a run is missing
    └── MissingExtraError          a command needs an optional extra that is not installed
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from dataclasses import dataclass
from types import ModuleType


class CorridorError(Exception):
    """Base class of every error Corridor raises on purpose."""


class UnitError(CorridorError, ValueError):
    """Raised when a unit string cannot be parsed or has the wrong dimension."""


class UnknownError(CorridorError, KeyError):
    """Raised when a name is not known: a route, node, country, exporter, year, scenario.

    Parameters
    ----------
    kind : str
        What was looked up (``"route"``, ``"exporter"``, ``"year"`` …).
    value : object
        The value that was not found.
    known : iterable of object
        The values that would have been accepted (listed in the message, at most 30).
    hint : str, optional
        One more sentence for the user.
    message : str, optional
        The whole message, where the default wording does not read well.

    Examples
    --------
    >>> err = UnknownError("exporter", "XYZ", ["KAZ", "RUS"])
    >>> str(err)
    "unknown exporter 'XYZ'; known: KAZ, RUS"
    >>> err.known
    ('KAZ', 'RUS')
    """

    def __init__(
        self,
        kind: str,
        value: object,
        known: Iterable[object],
        hint: str = "",
        *,
        message: str = "",
    ) -> None:
        self.kind, self.value, self.known = kind, value, tuple(known)
        shown = ", ".join(str(k) for k in self.known[:30])
        more = f" and {len(self.known) - 30} more" if len(self.known) > 30 else ""
        message = message or f"unknown {kind} {value!r}; known: {shown or '(none)'}{more}"
        self.message = f"{message}. {hint}" if hint else message
        super().__init__(self.message)

    def __str__(self) -> str:
        # KeyError.__str__ quotes its argument; show the message as written.
        return self.message


class InvalidArgumentError(CorridorError, ValueError):
    """Raised when an argument has a value outside what the function accepts."""


class NoFlowsError(CorridorError):
    """Raised when there are no observed flows of an exporter in a year to work from."""

    def __init__(self, exporter: str, year: int, hint: str = "") -> None:
        self.exporter, self.year = exporter, year
        message = f"no observed flows of {exporter} in {year}"
        super().__init__(f"{message}; {hint}" if hint else message)


@dataclass(frozen=True)
class Problem:
    """One problem found in an input: where it is, the bad value, what was expected."""

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


class ProblemsError(CorridorError):
    """Raised when an input has one or more problems; `problems` lists them all."""

    #: What the input is called in the message ("data package", "scenario").
    what = "input"

    def __init__(self, name: str, problems: list[Problem]) -> None:
        self.name, self.problems = name, problems
        lines = "\n".join(f"  - {p}" for p in problems)
        count = len(problems)
        super().__init__(f"{self.what} {name} has {count} problem{'s' * (count != 1)}:\n{lines}")


class PackageValidationError(ProblemsError):
    """Raised when a data package has one or more problems; `problems` lists them all."""

    what = "data package"

    @property
    def package(self) -> str:
        """The package's folder or name."""
        return self.name


class ScenarioError(ProblemsError):
    """Raised when a scenario file is not valid; `problems` lists every problem."""

    what = "scenario"

    @property
    def file(self) -> str:
        """The scenario's file or name."""
        return self.name


class ClaimsError(CorridorError):
    """Raised when an article cannot be read (too large, not text)."""


class SolverError(CorridorError):
    """Raised when the LP ends in a state other than optimal where an optimum is needed."""


class RunStoreError(CorridorError):
    """Raised when the run store cannot be opened or a stored run is missing or damaged."""


class MissingExtraError(CorridorError):
    """Raised when a command needs an optional extra (`pip install 'corridor[NAME]'`)."""


def require(module: str, extra: str, purpose: str) -> ModuleType:
    """Import and return `module`, or raise `MissingExtraError` naming the extra to install.

    The runtime set that `make run` installs is kept small; the web server, HTML articles, PNG
    export and Dask come as extras (``web``, ``claims``, ``png``, ``dask``).

    Examples
    --------
    >>> require("json", "web", "the dashboard").__name__
    'json'
    >>> try:
    ...     require("no_such_module_here", "web", "the dashboard")
    ... except MissingExtraError as exc:
    ...     print(exc)
    the dashboard needs the 'web' extra (no_such_module_here is not installed): pip install ...
    """
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        msg = (
            f"{purpose} needs the '{extra}' extra ({module} is not installed): "
            f"pip install 'corridor[{extra}]'"
        )
        raise MissingExtraError(msg) from exc
