"""Scenarios: named what-ifs in YAML, validated by pydantic and against the network.

A scenario file::

    name: cpc-terminal-outage-2m
    description: The CPC marine terminal stops loading for two months.
    start: 2025-03-01          # a date range (monthly periods) ...
    end: 2025-05-01
    # years: [2025]            # ... or whole years (one period a year)
    changes:
      - type: capacity_factor  # share of capacity left on a route, over a date range
        route: cpc
        factor: 0

Change types: ``capacity_factor`` (route, factor, optional start/end), ``set_capacity`` (route or
node, value, unit, optional exporter for an allocation), ``close_country`` (every route touching
a country), ``close_operator``, ``add_route`` (id, from_node, to_node, mode, capacity, cost,
transit, chokepoints), ``supply`` (change supply at an origin node by a rate), ``target`` (ship at
least a volume on a route, e.g. 20 Mt/year via BTC: the result shows which limits stop it),
``ban`` (a commodity from an exporter into an importer, with dates and a transit exemption),
``measure`` (a sourced ban from the package's measures table, by id) and ``price`` (USD/bbl or
USD/t for the revenue at risk).

Errors name the file, the line, the bad value and the valid options; nothing is run until the
whole file is valid.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from corridor import units
from corridor.exceptions import CorridorError, Problem, ScenarioError, UnitError
from corridor.network import Network


class _Change(BaseModel):
    model_config = ConfigDict(extra="forbid")
    note: str = ""


class CapacityFactor(_Change):
    """Scale a route's capacity over [start, end) (default: the whole scenario)."""

    type: Literal["capacity_factor"]
    route: str
    factor: float = Field(ge=0)
    start: date | None = None
    end: date | None = None
    exporter: str | None = None


class SetCapacity(_Change):
    """Set the capacity (or an exporter's allocation) of a route or a node."""

    type: Literal["set_capacity"]
    route: str | None = None
    node: str | None = None
    exporter: str | None = None
    value: float = Field(ge=0)
    unit: str = "Mt/year"
    grade: str | None = None

    @model_validator(mode="after")
    def _one_asset(self) -> SetCapacity:
        if (self.route is None) == (self.node is None):
            msg = "set exactly one of route and node"
            raise ValueError(msg)
        return self


class CloseCountry(_Change):
    """Close every route that touches a country (ends or transit) over [start, end)."""

    type: Literal["close_country"]
    country: str
    start: date | None = None
    end: date | None = None


class CloseOperator(_Change):
    """Close every route of an operator over [start, end)."""

    type: Literal["close_operator"]
    operator: str
    start: date | None = None
    end: date | None = None


class AddRoute(_Change):
    """Add a new route (a leg) with its capacity, cost and transit countries."""

    type: Literal["add_route"]
    id: str
    name: str = ""
    from_node: str
    to_node: str
    mode: Literal["pipeline", "tanker", "rail", "grid", "road"] = "pipeline"
    capacity: float = Field(ge=0)
    unit: str = "Mt/year"
    cost: float = Field(default=0, ge=0)
    cost_unit: str = "USD/t"
    operator: str = ""
    transit: list[str] = []
    chokepoints: list[str] = []


class SupplyChange(_Change):
    """Change supply at an origin node by a rate (negative to cut)."""

    type: Literal["supply"]
    node: str
    change: float
    unit: str = "Mt/year"


class Target(_Change):
    """Ship at least `value` on a route; what cannot be reached is reported with its limits."""

    type: Literal["target"]
    route: str
    value: float = Field(ge=0)
    unit: str = "Mt/year"


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


class Measure(_Change):
    """Apply a trade measure of the package's ``measures`` table (a sourced ban) by its id."""

    type: Literal["measure"]
    id: str
    start: date | None = None
    end: date | None = None


class PriceChange(_Change):
    """Use this price for the revenue at risk."""

    type: Literal["price"]
    value: float = Field(ge=0)
    unit: Literal["USD/bbl", "USD/t"] = "USD/bbl"
    grade: str | None = None


Change = Annotated[
    CapacityFactor
    | SetCapacity
    | CloseCountry
    | CloseOperator
    | AddRoute
    | SupplyChange
    | Target
    | PriceChange
    | Ban
    | Measure,
    Field(discriminator="type"),
]
CHANGE_TYPES = (
    "capacity_factor",
    "set_capacity",
    "close_country",
    "close_operator",
    "add_route",
    "supply",
    "target",
    "price",
    "ban",
    "measure",
)


class Scenario(BaseModel):
    """A named set of changes to apply to the baseline over some years or a date range."""

    model_config = ConfigDict(extra="forbid")
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
        return self

    def check_against(self, n: Network, file: str = "<scenario>", lines: Any = None) -> None:
        """Raise `ScenarioError` for every id, country or unit the network does not know."""
        problems: list[Problem] = []
        routes = list(n.routes.index) + [c.id for c in self.changes if isinstance(c, AddRoute)]
        nodes, operators = list(n.nodes.index), sorted({o for o in n.routes["operator"] if o})
        countries = sorted({c for r in n.routes.index for c in n.route_countries(str(r))})

        def bad(path: tuple[Any, ...], msg: str, value: Any) -> None:
            line = _line_of(lines, path) if lines is not None else None
            problems.append(Problem(file, line, ".".join(map(str, path)), msg, str(value)))

        def known(path: tuple[Any, ...], what: str, value: str | None, options: list[str]) -> None:
            if value is not None and value not in options:
                shown = ", ".join(options[:15]) + (", …" if len(options) > 15 else "")
                bad(path, f"unknown {what} '{value}'; known: {shown}", value)

        for i, c in enumerate(self.changes):
            at = ("changes", i)
            if isinstance(c, CapacityFactor | Target):
                known((*at, "route"), "route", c.route, routes)
            if isinstance(c, SetCapacity):
                known((*at, "route"), "route", c.route, routes)
                known((*at, "node"), "node", c.node, nodes)
            if isinstance(c, SupplyChange):
                known((*at, "node"), "node", c.node, nodes)
            if isinstance(c, PriceChange | SetCapacity):
                known((*at, "grade"), "grade", c.grade, list(n.grades.index))
            commodities = list(dict.fromkeys([n.meta.commodity, *n.commodities.index]))
            if isinstance(c, Ban):
                known((*at, "commodity"), "commodity", c.commodity, commodities)
            if isinstance(c, Measure):
                known((*at, "id"), "measure", c.id, list(n.measures.index))
            if isinstance(c, CloseCountry):
                known((*at, "country"), "country", c.country, countries)
            if isinstance(c, CloseOperator):
                known((*at, "operator"), "operator", c.operator, operators)
            if isinstance(c, AddRoute):
                known((*at, "from_node"), "node", c.from_node, nodes)
                known((*at, "to_node"), "node", c.to_node, nodes)
                if c.id in n.routes.index:
                    bad((*at, "id"), "a route with this id exists already", c.id)
                for j, k in enumerate(c.chokepoints):
                    known((*at, "chokepoints", j), "chokepoint", k, list(n.chokepoints.index))
            for unit_field in ("unit",):
                u = getattr(c, unit_field, None)
                if isinstance(c, PriceChange) or u is None:
                    continue
                try:
                    units.check_rate_unit(u)
                except UnitError as exc:
                    bad((*at, unit_field), str(exc), u)
        if self.commodity is not None:
            commodities = list(dict.fromkeys([n.meta.commodity, *n.commodities.index]))
            known(("commodity",), "commodity", self.commodity, commodities)
        if self.exporter is not None and self.exporter not in set(n.flows["exporter"]):
            bad(
                ("exporter",),
                f"no flows for this exporter; known: {', '.join(sorted(set(n.flows['exporter'])))}",
                self.exporter,
            )
        for j, y in enumerate(self.years or []):
            if y not in n.meta.years:
                bad(
                    ("years", j),
                    f"outside the package's years {n.meta.first_year}–{n.meta.last_year}",
                    y,
                )
        for key in ("start", "end"):
            d = getattr(self, key)
            if d is not None and not (n.meta.first_year <= d.year <= n.meta.last_year + 1):
                bad(
                    (key,), f"outside the package's years {n.meta.first_year}–{n.meta.last_year}", d
                )
        for i, s in enumerate(self.sources):
            known(("sources", i), "source", s, list(n.sources.index))
        if problems:
            raise ScenarioError(file, problems)


def load_scenario(path: str | Path, network: Network | None = None) -> Scenario:
    """Read a scenario YAML file; validate it, and against `network` when given.

    Raises
    ------
    ScenarioError
        With every problem: file, line, field, the bad value and the valid options.
    """
    path = Path(path)
    name = path.name
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        problem = Problem(name, None, None, f"cannot read: {exc.strerror}")
        raise ScenarioError(name, [problem]) from None
    return parse_scenario(text, name, network)


def parse_scenario(text: str, file: str = "<scenario>", network: Network | None = None) -> Scenario:
    """Parse scenario YAML text (see `load_scenario`)."""
    try:
        lines = yaml.compose(text)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise ScenarioError(file, [Problem(file, line, None, f"not valid YAML: {exc}")]) from None
    if not isinstance(data, dict):
        raise ScenarioError(file, [Problem(file, 1, None, "must be a mapping with name, changes")])
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(file, [_problem(file, lines, e) for e in exc.errors()]) from None
    if network is not None:
        scenario.check_against(network, file, lines)
    return scenario


def _problem(file: str, lines: Any, err: Any) -> Problem:
    loc = tuple(err["loc"])
    # pydantic puts the union tag in the location of a tagged change: drop it
    path = tuple(p for p in loc if p not in CHANGE_TYPES)
    msg = err["msg"]
    if err["type"] == "union_tag_invalid":
        msg = f"unknown change type; known: {', '.join(CHANGE_TYPES)}"
    elif err["type"] == "union_tag_not_found":
        msg = f"each change needs a type; known: {', '.join(CHANGE_TYPES)}"
    elif err["type"] == "literal_error":
        msg = f"must be {err['ctx']['expected']}"
    elif err["type"] == "extra_forbidden":
        msg = "unknown field"
    value = err.get("input")
    shown = None if isinstance(value, dict | list) else str(value)
    if err["type"] == "extra_forbidden":
        shown = None
    return Problem(file, _line_of(lines, path), ".".join(map(str, path)) or None, msg, shown)


def _line_of(node: Any, path: tuple[Any, ...]) -> int | None:
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


def package_scenarios(n: Network) -> dict[str, Path]:
    """Return the scenario files shipped with a package (``scenarios/*.yaml``) by name."""
    folder = n.meta.path / "scenarios" if n.meta.path is not None else None
    if folder is None or not folder.is_dir():
        return {}
    out = {}
    for f in sorted(folder.glob("*.y*ml")):
        data = yaml.safe_load(f.read_text(encoding="utf-8"))
        name = data.get("name") if isinstance(data, dict) else None
        out[str(name or f.stem)] = f
    return out


def find_scenario(n: Network, name_or_file: str) -> Scenario:
    """Load a package scenario by name, or a scenario file by path, checked against `n`."""
    known = package_scenarios(n)
    if name_or_file in known:
        return load_scenario(known[name_or_file], n)
    path = Path(name_or_file)
    if path.suffix in (".yaml", ".yml") or path.exists():
        return load_scenario(path, n)
    msg = (
        f"unknown scenario '{name_or_file}'; known: {', '.join(known) or '(none)'}, "
        "or give a path to a YAML file"
    )
    raise CorridorError(msg)


def shift_years(s: Scenario, year: int) -> Scenario:
    """Return the scenario moved to `year`: its years and every change's dates shift with it."""
    if s.start is not None or not s.years or len(s.years) != 1:
        msg = (
            f"scenario {s.name} runs over {'a date range' if s.start else 'several years'}; "
            "--year applies to single-year scenarios only"
        )
        raise CorridorError(msg)
    delta = year - s.years[0]

    def move(d: date | None) -> date | None:
        if d is None:
            return None
        return (
            d.replace(year=d.year + delta)
            if not (d.month == 2 and d.day == 29)
            else date(d.year + delta, 2, 28)
        )

    changes = [
        c.model_copy(update={k: move(getattr(c, k)) for k in ("start", "end") if hasattr(c, k)})
        for c in s.changes
    ]
    return s.model_copy(update={"years": [year], "changes": changes})
