"""What a scenario does to one exporter-year: every change type's meaning, in one place.

`apply_scenario` reads a `Scenario` against a `Network` for one exporter and year and returns
`YearInputs`: the routes in play (the commodity's routes plus the added ones), the capacity and
allocation overrides, the supply changes, the targets, the dated capacity factors of every
route (events, ``capacity_factor``, closed countries and operators, bans and measures) and the
price. `corridor.rerouting.RerouteProblem` turns these into the LP's arrays; nothing there
looks at a change type.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from typing import Literal

import pandas as pd

from corridor import units
from corridor.network import Network
from corridor.scenario.spec import (
    AddRoute,
    Ban,
    CapacityFactor,
    CloseCountry,
    CloseOperator,
    Measure,
    PriceChange,
    Scenario,
    SetCapacity,
    SupplyChange,
    Target,
)

ROUTE_COLUMNS = ["from_node", "to_node", "operator", "transit", "chokepoints", "name", "mode"]


@dataclass(frozen=True)
class CapacityOverride:
    """A capacity set by the scenario: the whole asset's (``exporter == ""``) or an allocation."""

    kind: Literal["route", "node"]
    asset: str
    exporter: str
    capacity: float  # Mt/year


@dataclass(frozen=True)
class FactorInterval:
    """A capacity factor on a route over [start, end) (None: open-ended), and its cause."""

    route: str
    start: date | None
    end: date | None
    factor: float
    cause: str


@dataclass(frozen=True, eq=False)
class YearInputs:
    """A scenario applied to one exporter-year: everything the re-routing problem needs.

    Rates in Mt/year (the commodity's canonical rate), costs and prices in USD/t.
    """

    scenario: str
    exporter: str
    year: int
    commodity: str
    routes: pd.DataFrame  # routes in play, by id: ROUTE_COLUMNS + countries (tuple)
    added: tuple[str, ...]  # ids of the added routes (in `routes`)
    added_capacity: tuple[float, ...]  # whole capacity of each added route
    added_cost: tuple[float, ...]  # cost of each added route
    capacities: tuple[CapacityOverride, ...]
    supply: tuple[tuple[str, float], ...]  # (origin node, change of supply)
    targets: tuple[tuple[str, float], ...]  # (route, target rate)
    intervals: tuple[FactorInterval, ...]
    price: float  # USD/t; NaN when unknown
    price_source: str

    def intervals_of(self, route: str) -> list[tuple[date | None, date | None, float]]:
        """Return the (start, end, factor) intervals that apply to `route`."""
        return [(i.start, i.end, i.factor) for i in self.intervals if i.route == route]


def apply_scenario(s: Scenario, n: Network, *, exporter: str, year: int) -> YearInputs:
    """Apply a scenario to one exporter-year of a network.

    Parameters
    ----------
    s : Scenario
        Checked against `n` (see `Scenario.check_against`).
    n : Network
    exporter : str
    year : int

    Examples
    --------
    >>> n = corridor.load_package()
    >>> s = Scenario(name="cut", years=[2025],
    ...              changes=[{"type": "capacity_factor", "route": "cpc", "factor": 0.5}])
    >>> inputs = apply_scenario(s, n, exporter="KAZ", year=2025)
    >>> [(i.route, i.factor) for i in inputs.intervals]
    [('cpc', 0.5)]
    """
    commodity = s.commodity or n.meta.commodity
    added = [c for c in s.changes if isinstance(c, AddRoute)]
    routes = _routes(n, commodity, added)
    price, price_source = _price(s, n, commodity, year)
    return YearInputs(
        scenario=s.name,
        exporter=exporter,
        year=year,
        commodity=commodity,
        routes=routes,
        added=tuple(a.id for a in added),
        added_capacity=tuple(units.to_canonical_rate(a.capacity, a.unit) for a in added),
        added_cost=tuple(units.convert(a.cost, a.cost_unit, "USD/t") for a in added),
        capacities=tuple(_overrides(s, n, exporter)),
        supply=tuple(
            (c.node, units.to_canonical_rate(c.change, c.unit))
            for c in s.changes
            if isinstance(c, SupplyChange)
        ),
        targets=tuple(
            (c.route, units.to_canonical_rate(c.value, c.unit))
            for c in s.changes
            if isinstance(c, Target)
        ),
        intervals=tuple(_intervals(s, n, routes, exporter, commodity)),
        price=price,
        price_source=price_source,
    )


def _routes(n: Network, commodity: str, added: list[AddRoute]) -> pd.DataFrame:
    routes = n.routes.loc[n.commodity_routes(commodity), ROUTE_COLUMNS].copy()
    for a in added:
        routes.loc[a.id] = {
            "from_node": a.from_node,
            "to_node": a.to_node,
            "operator": a.operator,
            "transit": tuple(a.transit),
            "chokepoints": tuple(a.chokepoints),
            "name": a.name or a.id,
            "mode": a.mode,
        }
    country = n.nodes["country"]
    routes["countries"] = [
        tuple(
            dict.fromkeys(
                [c for c in (country[r.from_node], country[r.to_node]) if c] + list(r.transit)
            )
        )
        for r in routes.itertuples()
    ]
    return routes


def barrels_per_tonne(n: Network, grade: str | None) -> float | None:
    """Return a grade's barrels per tonne (None for no grade)."""
    return None if grade is None else float(n.grades.at[grade, "barrels_per_tonne"])


def _overrides(s: Scenario, n: Network, exporter: str) -> list[CapacityOverride]:
    out = []
    for c in s.changes:
        if isinstance(c, SetCapacity) and (c.exporter or "") in ("", exporter):
            kind: Literal["route", "node"] = "route" if c.route is not None else "node"
            value = units.to_canonical_rate(c.value, c.unit, barrels_per_tonne(n, c.grade))
            out.append(CapacityOverride(kind, str(c.route or c.node), c.exporter or "", value))
    return out


def _intervals(
    s: Scenario, n: Network, routes: pd.DataFrame, exporter: str, commodity: str
) -> list[FactorInterval]:
    out = _event_intervals(n, exporter) if s.apply_events else []
    for c in s.changes:
        if isinstance(c, CapacityFactor) and c.exporter in (None, exporter):
            out.append(FactorInterval(c.route, c.start, c.end, c.factor, "capacity_factor"))
        elif isinstance(c, CloseCountry):
            hit = [r for r in routes.index if c.country in routes.at[r, "countries"]]
            out += [
                FactorInterval(r, c.start, c.end, 0.0, f"close_country {c.country}") for r in hit
            ]
        elif isinstance(c, CloseOperator):
            hit = [r for r in routes.index if routes.at[r, "operator"] == c.operator]
            out += [
                FactorInterval(r, c.start, c.end, 0.0, f"close_operator {c.operator}") for r in hit
            ]
        elif isinstance(c, Ban | Measure):
            out += _ban_intervals(ban_of(c, n), n, routes, exporter, commodity)
    return out


def _event_intervals(n: Network, exporter: str) -> list[FactorInterval]:
    out = []
    for e in n.events.itertuples():
        if e.exporter not in ("", exporter) or math.isnan(e.capacity_factor):
            continue
        end = None if pd.isna(e.end) else e.end.date()
        out.append(
            FactorInterval(
                e.route, e.start.date(), end, float(e.capacity_factor), f"event {e.Index}"
            )
        )
    return out


def ban_of(c: Ban | Measure, n: Network) -> Ban:
    """Return a ban as written, or the one a measure id stands for (dates may be overridden)."""
    if isinstance(c, Ban):
        return c
    m = n.measures.loc[c.id]
    end = None if pd.isna(m["end"]) else m["end"].date()
    return Ban(
        type="ban",
        commodity=str(m["commodity"]),
        exporter=str(m["exporter"]),
        importer=str(m["importer"]),
        start=c.start or m["start"].date(),
        end=c.end or end,
        modes=list(m["modes"]),
        transit_exempt=m["transit_exempt"] == "yes",
    )


def _ban_intervals(
    ban: Ban, n: Network, routes: pd.DataFrame, exporter: str, commodity: str
) -> list[FactorInterval]:
    """Close the legs of the banned commodity into the importer (across it unless exempt)."""
    if ban.exporter != exporter or ban.commodity != commodity:
        return []
    country = n.nodes["country"]
    out = []
    for r in routes.itertuples():
        if ban.modes and r.mode not in ban.modes:
            continue
        into = country[r.to_node] == ban.importer
        across = ban.importer in r.transit
        if into or (across and not ban.transit_exempt):
            out.append(
                FactorInterval(str(r.Index), ban.start, ban.end, 0.0, f"ban into {ban.importer}")
            )
    return out


def _price(s: Scenario, n: Network, commodity: str, year: int) -> tuple[float, str]:
    """Price in USD/t for the year, and where it comes from (the scenario's, else the data's)."""
    for c in s.changes:
        if isinstance(c, PriceChange):
            grade = c.grade or next(
                (g for g in n.prices["grade"] if g), next(iter(n.grades.index), None)
            )
            return units.price_per_tonne(c.value, c.unit, barrels_per_tonne(n, grade)), "scenario"
    p = n.prices
    pr = p[(p["year"] == year) & (p["commodity"] == commodity)]
    if pr.empty:
        return float("nan"), "no price for the year"
    return float(pr["price"].iloc[0]), str(pr["source"].iloc[0])
