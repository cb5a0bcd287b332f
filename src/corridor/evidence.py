"""Evidence: the words of an observation — its scope, its period and its band.

An *observation* is one sourced figure of any shape (the ``observations`` table; the flows and
supply tables are special cases of it). This module holds the three small languages every
observation is written in, and the one rule that turns a figure into a band:

- **scope**: what a figure is measured over. ``all`` (all of an exporter's exports), a route id
  (``cpc``), a sum of routes (``cpc|atyrau-samara``), a node (``node:aktau``: the volume leaving
  it), or a selector over the exporter's paths: ``crossing:RUS`` (paths that touch Russia's
  territory or ports), ``bypassing:RUS`` (paths that do not), ``to:DEU`` (paths delivering to
  Germany), ``via:cpc`` (paths using the CPC pipeline); and ``chokepoint:turkish-straits``: all
  shippers' traffic through a chokepoint (a throughput, not about any exporter's paths).
- **period**: a start and an end given as partial dates, both inclusive: ``2023`` is the year,
  ``2024-01`` to ``2024-10`` is January–October, ``2022-03-22`` to ``2022-04-15`` a span of days.
  Internally a period is ``[start, end)`` in days (`Period`).
- **band**: the values an observation allows. A range (``low``/``high``) or a bound (only one of
  them) is taken as written. A point ``value`` holds within a tolerance set by the row's
  confidence (`TOLERANCE`): sources round, and a figure of medium confidence is not exact to the
  tonne. These tolerances are modelling assumptions, stated here once, not data.

Examples
--------
>>> parse_scope("crossing:RUS")
Scope(kind='crossing', targets=('RUS',))
>>> parse_scope("cpc|atyrau-samara").routes
('cpc', 'atyrau-samara')
>>> p = parse_period("2024-01", "2024-10")
>>> p.start, p.end, p.days
(datetime.date(2024, 1, 1), datetime.date(2024, 11, 1), 305)
>>> band(50.0, None, None, "medium")
(48.5, 51.5)
>>> band(None, 1.2, 1.5, "low")
(1.2, 1.5)
"""

from __future__ import annotations

import calendar
import math
import re
from dataclasses import dataclass
from datetime import date
from typing import Literal

from corridor.exceptions import InvalidArgumentError

ScopeKind = Literal[
    "all", "route", "routes", "node", "crossing", "bypassing", "to", "via", "chokepoint"
]

#: Selector kinds written ``kind:target``, and what their target is.
SELECTORS: dict[str, str] = {
    "node": "node",
    "crossing": "country",
    "bypassing": "country",
    "to": "country",
    "via": "route",
    "chokepoint": "chokepoint",
}

#: Scope kinds that are not about an exporter's paths: all shippers' traffic through a place
#: that no route of the network ends at (a strait). The reconciliation and the claims leave them
#: to `corridor.chokepoints`.
PLACE_SCOPES = frozenset({"chokepoint"})

#: Relative half-width of the band around a point value, by the row's confidence.
TOLERANCE: dict[str, float] = {"high": 0.01, "medium": 0.03, "low": 0.10}

#: Weight of a unit of relative misfit in the reconciliation, by the row's confidence.
WEIGHT: dict[str, float] = {"high": 4.0, "medium": 2.0, "low": 1.0}

_ID = re.compile(r"[a-z0-9][a-z0-9.-]*")
_ISO3 = re.compile(r"[A-Z]{3}")
_PARTIAL = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")


@dataclass(frozen=True)
class Scope:
    """What an observation is measured over (see the module docstring)."""

    kind: ScopeKind
    targets: tuple[str, ...] = ()

    @property
    def routes(self) -> tuple[str, ...]:
        """The route ids the scope names directly (a route, a sum of routes, ``via:``)."""
        return self.targets if self.kind in ("route", "routes", "via") else ()

    def __str__(self) -> str:
        if self.kind == "all":
            return "all"
        if self.kind in ("route", "routes"):
            return "|".join(self.targets)
        return f"{self.kind}:{self.targets[0]}"


def parse_scope(text: str) -> Scope:
    """Return the `Scope` a scope string names; raise InvalidArgumentError saying what is wrong.

    Only the grammar is checked here; whether the routes, nodes and countries exist is checked
    against the package by the reader.
    """
    text = text.strip()
    if text == "all":
        return Scope("all")
    if ":" in text:
        kind, _, target = text.partition(":")
        what = SELECTORS.get(kind)
        if what is None:
            msg = f"unknown selector {kind!r}; expected one of {', '.join(SELECTORS)}"
            raise InvalidArgumentError(msg)
        pattern = _ISO3 if what == "country" else _ID
        if not pattern.fullmatch(target):
            shape = "an ISO3 code such as RUS" if what == "country" else f"a {what} id"
            msg = f"{kind}: needs {shape}, got {target!r}"
            raise InvalidArgumentError(msg)
        return Scope(kind, (target,))  # type: ignore[arg-type]
    routes = tuple(r.strip() for r in text.split("|"))
    bad = [r for r in routes if not _ID.fullmatch(r)]
    if bad or not routes:
        msg = (
            "expected 'all', a route id, route ids joined by '|', or a selector such as "
            "crossing:RUS, bypassing:RUS, to:DEU, via:cpc, node:aktau, "
            f"chokepoint:turkish-straits; got {text!r}"
        )
        raise InvalidArgumentError(msg)
    return Scope("route" if len(routes) == 1 else "routes", routes)


@dataclass(frozen=True)
class Period:
    """Days ``[start, end)``: the period an observation covers."""

    start: date
    end: date

    @property
    def days(self) -> int:
        """Number of days covered."""
        return (self.end - self.start).days

    @property
    def years(self) -> range:
        """The calendar years the period touches."""
        last = date.fromordinal(self.end.toordinal() - 1)
        return range(self.start.year, last.year + 1)

    def overlap(self, start: date, end: date) -> int:
        """Return the number of days the period shares with ``[start, end)``."""
        return max(0, (min(self.end, end) - max(self.start, start)).days)


def _bounds(text: str) -> tuple[date, date]:
    """Return the first day and the day after the last of a partial date."""
    m = _PARTIAL.fullmatch(text.strip())
    if m is None:
        msg = f"expected a date as YYYY, YYYY-MM or YYYY-MM-DD, got {text!r}"
        raise InvalidArgumentError(msg)
    year, month, day = int(m[1]), m[2], m[3]
    try:
        if month is None:
            return date(year, 1, 1), date(year + 1, 1, 1)
        mo = int(month)
        if day is None:
            last = calendar.monthrange(year, mo)[1]
            return date(year, mo, 1), date.fromordinal(date(year, mo, last).toordinal() + 1)
        first = date(year, mo, int(day))
    except ValueError:
        msg = f"not a calendar date: {text!r}"
        raise InvalidArgumentError(msg) from None
    return first, date.fromordinal(first.toordinal() + 1)


def parse_period(start: str, end: str | None = None) -> Period:
    """Return the `Period` from `start` to `end` (both partial dates, inclusive).

    Without `end`, the period is `start` itself: a year, a month or a day.
    """
    first, after = _bounds(start)
    if end:
        _, after = _bounds(end)
    if after <= first:
        msg = f"the period ends ({end}) before it starts ({start})"
        raise InvalidArgumentError(msg)
    return Period(first, after)


def _given(x: float | None) -> float | None:
    return None if x is None or math.isnan(x) else float(x)


def band(
    value: float | None, low: float | None, high: float | None, confidence: str
) -> tuple[float, float]:
    """Return the ``(low, high)`` an observation allows (``-inf``/``inf`` for an open side).

    A written range or bound is kept as written; a point value gets the tolerance of its
    confidence (`TOLERANCE`).
    """
    lo, hi, v = _given(low), _given(high), _given(value)
    if lo is not None or hi is not None:
        return (-math.inf if lo is None else lo, math.inf if hi is None else hi)
    if v is None:
        msg = "an observation needs a value, a low, a high, or low and high"
        raise InvalidArgumentError(msg)
    t = TOLERANCE[confidence] * abs(v)
    return v - t, v + t
