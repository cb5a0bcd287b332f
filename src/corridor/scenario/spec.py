"""The scenario specification: pydantic change types and the `Scenario` that holds them.

Each change type declares what it refers to in the network (`Reference`: a route, a node, a
country, a measure, a unit …) in its ``references`` method; `Scenario.check_against` checks
every declaration with one loop. What a change *does* lives in `corridor.scenario.apply`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any, Literal, get_args

import pycountry
import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

from corridor import units
from corridor.exceptions import Problem, ScenarioError, UnitError
from corridor.network import Network

#: Kinds of reference a change can make; ``new_route`` must *not* exist yet, ``rate_unit`` must
#: be a unit of a rate.
ReferenceKind = Literal[
    "route",
    "node",
    "grade",
    "commodity",
    "measure",
    "country",
    "operator",
    "chokepoint",
    "new_route",
    "rate_unit",
    "iso3",
]

#: The largest magnitude of any number in a scenario, in its unit: 1e9 bbl/day is about
#: 50,000 Mt/year, twenty times the world's crude exports, so every real figure fits in any
#: unit; larger numbers (1e308) would only wreck the LP's scaling.
MAX_MAGNITUDE = 1e9
#: A finite number of at most `MAX_MAGNITUDE` (negative allowed: a supply cut).
Amount = Annotated[float, Field(allow_inf_nan=False, ge=-MAX_MAGNITUDE, le=MAX_MAGNITUDE)]
#: A finite number in [0, `MAX_MAGNITUDE`]: a capacity, cost, target or price.
NonNegative = Annotated[float, Field(allow_inf_nan=False, ge=0, le=MAX_MAGNITUDE)]
#: A share of capacity left: a finite number in [0, 1].
Share = Annotated[float, Field(allow_inf_nan=False, ge=0, le=1)]


@dataclass(frozen=True)
class Reference:
    """One thing a change refers to: its kind, the value given and the field that holds it."""

    kind: ReferenceKind
    value: str | None
    field: tuple[str | int, ...]


class _Change(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
    note: str = ""

    def references(self) -> list[Reference]:
        """Return what this change refers to in the network (checked by `check_against`)."""
        return []

    @model_validator(mode="after")
    def _end_after_start(self) -> _Change:
        start, end = getattr(self, "start", None), getattr(self, "end", None)
        if start is not None and end is not None and end <= start:
            msg = f"end {end} must be after start {start} (end is exclusive)"
            raise ValueError(msg)
        return self


class CapacityFactor(_Change):
    """Scale a route's capacity over [start, end) (default: the whole scenario)."""

    type: Literal["capacity_factor"]
    route: str
    factor: Share
    start: date | None = None
    end: date | None = None
    exporter: str | None = None

    def references(self) -> list[Reference]:
        """Return the route."""
        return [Reference("route", self.route, ("route",))]


class SetCapacity(_Change):
    """Set the capacity (or an exporter's allocation) of a route or a node."""

    type: Literal["set_capacity"]
    route: str | None = None
    node: str | None = None
    exporter: str | None = None
    value: NonNegative
    unit: str = units.CANONICAL_RATE
    grade: str | None = None

    @model_validator(mode="after")
    def _one_asset(self) -> SetCapacity:
        if (self.route is None) == (self.node is None):
            msg = "set exactly one of route and node"
            raise ValueError(msg)
        return self

    def references(self) -> list[Reference]:
        """Return the route or node, the grade and the unit."""
        return [
            Reference("route", self.route, ("route",)),
            Reference("node", self.node, ("node",)),
            Reference("grade", self.grade, ("grade",)),
            Reference("rate_unit", self.unit, ("unit",)),
        ]


class CloseCountry(_Change):
    """Close every route that touches a country (ends or transit) over [start, end)."""

    type: Literal["close_country"]
    country: str
    start: date | None = None
    end: date | None = None

    def references(self) -> list[Reference]:
        """Return the country."""
        return [Reference("country", self.country, ("country",))]


class CloseOperator(_Change):
    """Close every route of an operator over [start, end)."""

    type: Literal["close_operator"]
    operator: str
    start: date | None = None
    end: date | None = None

    def references(self) -> list[Reference]:
        """Return the operator."""
        return [Reference("operator", self.operator, ("operator",))]


class AddRoute(_Change):
    """Add a new route (a leg) with its capacity, cost and transit countries."""

    type: Literal["add_route"]
    id: str
    name: str = ""
    from_node: str
    to_node: str
    mode: Literal["pipeline", "tanker", "rail", "grid", "road"] = "pipeline"
    capacity: NonNegative
    unit: str = units.CANONICAL_RATE
    cost: NonNegative = 0
    cost_unit: str = "USD/t"
    operator: str = ""
    transit: list[str] = []
    chokepoints: list[str] = []

    @model_validator(mode="after")
    def _two_ends(self) -> AddRoute:
        if self.from_node == self.to_node:
            msg = f"a route joins two nodes: from_node and to_node are both '{self.to_node}'"
            raise ValueError(msg)
        return self

    def references(self) -> list[Reference]:
        """Return its nodes, (new) id, transit countries, chokepoints and rate unit.

        Its ``cost_unit`` is checked with the scenario's own fields (`_scenario_problems`).
        """
        return [
            Reference("node", self.from_node, ("from_node",)),
            Reference("node", self.to_node, ("to_node",)),
            Reference("new_route", self.id, ("id",)),
            *(Reference("iso3", c, ("transit", j)) for j, c in enumerate(self.transit)),
            *(
                Reference("chokepoint", k, ("chokepoints", j))
                for j, k in enumerate(self.chokepoints)
            ),
            Reference("rate_unit", self.unit, ("unit",)),
        ]


class SupplyChange(_Change):
    """Change supply at an origin node by a rate (negative to cut)."""

    type: Literal["supply"]
    node: str
    change: Amount
    unit: str = units.CANONICAL_RATE

    def references(self) -> list[Reference]:
        """Return the node and the unit."""
        return [
            Reference("node", self.node, ("node",)),
            Reference("rate_unit", self.unit, ("unit",)),
        ]


class Target(_Change):
    """Ship at least `value` on a route; what cannot be reached is reported with its limits."""

    type: Literal["target"]
    route: str
    value: NonNegative
    unit: str = units.CANONICAL_RATE

    def references(self) -> list[Reference]:
        """Return the route and the unit."""
        return [
            Reference("route", self.route, ("route",)),
            Reference("rate_unit", self.unit, ("unit",)),
        ]


class Ban(_Change):
    """Ban a commodity from an exporter into an importer over [start, end).

    Closes, for the exporter's volumes, the routes of the commodity that end in the importer;
    with ``transit_exempt`` (the usual case), routes that only cross the importer stay open.
    """

    type: Literal["ban"]
    commodity: str
    exporter: str
    importer: str
    start: date | None = None
    end: date | None = None
    modes: list[str] = []
    transit_exempt: bool = True

    def references(self) -> list[Reference]:
        """Return the commodity and the two countries."""
        return [
            Reference("commodity", self.commodity, ("commodity",)),
            Reference("iso3", self.exporter, ("exporter",)),
            Reference("iso3", self.importer, ("importer",)),
        ]


class Measure(_Change):
    """Apply a trade measure of the package's ``measures`` table (a sourced ban) by its id."""

    type: Literal["measure"]
    id: str
    start: date | None = None
    end: date | None = None

    def references(self) -> list[Reference]:
        """Return the measure."""
        return [Reference("measure", self.id, ("id",))]


class PriceChange(_Change):
    """Use this price for the revenue at risk."""

    type: Literal["price"]
    value: NonNegative
    unit: Literal["USD/bbl", "USD/t"] = "USD/bbl"
    grade: str | None = None

    def references(self) -> list[Reference]:
        """Return the grade."""
        return [Reference("grade", self.grade, ("grade",))]


AnyChange = (
    CapacityFactor
    | SetCapacity
    | CloseCountry
    | CloseOperator
    | AddRoute
    | SupplyChange
    | Target
    | PriceChange
    | Ban
    | Measure
)
Change = Annotated[AnyChange, Field(discriminator="type")]
#: The change types' tags, in the union's order.
CHANGE_TYPES: tuple[str, ...] = tuple(
    get_args(kind.model_fields["type"].annotation)[0] for kind in get_args(AnyChange)
)


class Scenario(BaseModel):
    """A named set of changes to apply to the baseline over some years or a date range."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
    name: str
    description: str = ""
    exporter: str | None = None
    commodity: str | None = None
    years: list[int] | None = None
    start: date | None = None
    end: date | None = None
    monthly: bool = False
    apply_events: bool = False
    sources: list[str] = []
    changes: list[Change] = []

    @model_validator(mode="after")
    def _period(self) -> Scenario:
        if self.start is not None or self.end is not None:
            if self.start is None or self.end is None:
                msg = "give both start and end (end is exclusive)"
                raise ValueError(msg)
            if self.end <= self.start:
                msg = f"end {self.end} must be after start {self.start}"
                raise ValueError(msg)
            if self.years:
                msg = "give either years or start/end, not both"
                raise ValueError(msg)
        self._changes_inside()
        return self

    def _changes_inside(self) -> None:
        """Refuse a dated change wholly outside the scenario's years (it would do nothing).

        A scenario over a date range keeps its changes as given; one over `years` needs each
        dated change to touch one of them (``shift_years`` moves both together).
        """
        if not self.years:
            return
        first, last = date(min(self.years), 1, 1), date(max(self.years) + 1, 1, 1)
        for i, c in enumerate(self.changes):
            start, end = getattr(c, "start", None), getattr(c, "end", None)
            if (start is not None and start >= last) or (end is not None and end <= first):
                msg = (
                    f"change {i} ({c.type}) runs {start or '…'} to {end or '…'}, outside the "
                    f"scenario's years {', '.join(map(str, self.years))}: it would do nothing"
                )
                raise ValueError(msg)

    def check_against(self, n: Network, file: str = "<scenario>", lines: Any = None) -> None:
        """Raise `ScenarioError` for every id, country or unit the network does not know."""
        problems: list[Problem] = []

        def bad(path: tuple[Any, ...], msg: str, value: Any) -> None:
            line = line_of(lines, path) if lines is not None else None
            problems.append(Problem(file, line, ".".join(map(str, path)), msg, str(value)))

        known = _known(n, self)
        for i, change in enumerate(self.changes):
            for ref in change.references():
                msg = _problem_with(ref, n, known)
                if msg:
                    bad(("changes", i, *ref.field), msg, ref.value)
        for path, msg, value in _scenario_problems(self, n, known):
            bad(path, msg, value)
        if problems:
            raise ScenarioError(file, problems)


def _known(n: Network, s: Scenario) -> dict[str, list[str]]:
    """Return the values each kind of reference may take (routes include the added ones)."""
    added = [c.id for c in s.changes if isinstance(c, AddRoute)]
    return {
        "route": [*map(str, n.routes.index), *added],
        "node": list(map(str, n.nodes.index)),
        "grade": list(map(str, n.grades.index)),
        "commodity": list(dict.fromkeys([n.meta.commodity, *map(str, n.commodities.index)])),
        "measure": list(map(str, n.measures.index)),
        "country": sorted({c for r in n.routes.index for c in n.route_countries(str(r))}),
        "operator": sorted({str(o) for o in n.routes["operator"] if o}),
        "chokepoint": list(map(str, n.chokepoints.index)),
        "source": list(map(str, n.sources.index)),
    }


def _unknown(what: str, value: str, options: list[str]) -> str:
    shown = ", ".join(options[:15]) + (", …" if len(options) > 15 else "")
    return f"unknown {what} '{value}'; known: {shown}"


def _unit_problem(check: Callable[[str], object], unit: str) -> str:
    """Return what is wrong with `unit` by `check` (a `corridor.units` checker), or ""."""
    try:
        check(unit)
    except UnitError as exc:
        return str(exc)
    return ""


def _rate_unit_problem(unit: str) -> str:
    return _unit_problem(units.check_rate_unit, unit)


def _price_unit_problem(unit: str) -> str:
    return _unit_problem(units.check_price_unit, unit)


def _iso3_problem(code: str) -> str:
    known = len(code) == 3 and pycountry.countries.get(alpha_3=code) is not None
    return "" if known else "must be an ISO 3166-1 alpha-3 country code (e.g. KAZ, RUS, TUR)"


_SPECIAL: dict[str, Callable[[str, Network], str]] = {
    "new_route": lambda v, n: "a route with this id exists already" if v in n.routes.index else "",
    "rate_unit": lambda v, n: _rate_unit_problem(v),
    "iso3": lambda v, n: _iso3_problem(v),
}


def _problem_with(ref: Reference, n: Network, known: dict[str, list[str]]) -> str:
    """Return what is wrong with one reference, or "" when nothing is."""
    if ref.value is None:
        return ""
    if ref.kind in _SPECIAL:
        return _SPECIAL[ref.kind](ref.value, n)
    options = known[ref.kind]
    return "" if ref.value in options else _unknown(ref.kind, ref.value, options)


def _scenario_problems(
    s: Scenario, n: Network, known: dict[str, list[str]]
) -> list[tuple[tuple[Any, ...], str, Any]]:
    """Problems with the scenario's own fields: commodity, exporter, years, dates, sources."""
    out: list[tuple[tuple[Any, ...], str, Any]] = []
    if s.commodity is not None and s.commodity not in known["commodity"]:
        out.append(
            (("commodity",), _unknown("commodity", s.commodity, known["commodity"]), s.commodity)
        )
    exporters = sorted(set(n.flows["exporter"]))
    if s.exporter is not None and s.exporter not in exporters:
        msg = f"no flows for this exporter; known: {', '.join(exporters)}"
        out.append((("exporter",), msg, s.exporter))
    outside = f"outside the package's years {n.meta.first_year}–{n.meta.last_year}"
    out += [
        (("years", j), outside, y) for j, y in enumerate(s.years or []) if y not in n.meta.years
    ]
    for key in ("start", "end"):
        d = getattr(s, key)
        if d is not None and not (n.meta.first_year <= d.year <= n.meta.last_year + 1):
            out.append(((key,), outside, d))
    out += [
        (("changes", i, "cost_unit"), msg, c.cost_unit)
        for i, c in enumerate(s.changes)
        if isinstance(c, AddRoute) and (msg := _price_unit_problem(c.cost_unit))
    ]
    out += [
        (("sources", i), _unknown("source", x, known["source"]), x)
        for i, x in enumerate(s.sources)
        if x not in known["source"]
    ]
    return out


def line_of(node: Any, path: tuple[Any, ...]) -> int | None:
    """Return the 1-based line of the YAML node at `path` (the deepest one that exists)."""
    line = None if node is None else node.start_mark.line + 1
    for key in path:
        if isinstance(node, yaml.MappingNode):
            match = next((v for k, v in node.value if k.value == key), None)
            if match is None:
                key_node = next((k for k, _ in node.value if k.value == key), None)
                return key_node.start_mark.line + 1 if key_node is not None else line
            node = match
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            node = node.value[key]
        else:
            return line
        line = node.start_mark.line + 1
    return line
