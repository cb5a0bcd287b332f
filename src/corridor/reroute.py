"""What-if runs: apply a scenario (and dated events) to the baseline, period by period.

`reroute` turns a `Scenario` into periods (years, or months), works out each route's and
node's capacity for the exporter in each period (capacities in force, minus other exporters'
flows, times the day-weighted capacity factor of events and scenario changes), solves the LP
of `corridor.solve` warm from period to period, and returns a `Result`: flows, stranded and
re-routed volume, revenue at risk, shares before and after, binding limits with their marginal
value, ties, and for a target the ladder of limits that stop it. `replay` runs a year's dated
events month by month and sets the modelled loss beside the losses reported in the sources.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

import numpy as np
import pandas as pd

from corridor import units
from corridor.exceptions import CorridorError
from corridor.metrics import YearMetrics, compute, latest_year
from corridor.network import Network
from corridor.scenario import (
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
from corridor.schema import tables
from corridor.solve import TOL, RerouteModel, Solution

DAYS_PER_YEAR = 365.25


@dataclass(frozen=True)
class Period:
    """A span of days [start, end) inside one calendar year."""

    label: str
    start: date
    end: date

    @property
    def year(self) -> int:
        """Calendar year of the period."""
        return self.start.year

    @property
    def days(self) -> int:
        """Number of days in the period."""
        return (self.end - self.start).days

    @property
    def length(self) -> float:
        """Length in years (365.25 days), to turn a rate in Mt/year into Mt."""
        return self.days / DAYS_PER_YEAR


def periods_of(s: Scenario, n: Network, exporter: str) -> list[Period]:
    """Return the periods of a scenario: whole years, or months (clipped to start/end)."""
    if s.start is not None and s.end is not None:
        out, d = [], date(s.start.year, s.start.month, 1)
        while d < s.end:
            nxt = date(d.year + d.month // 12, d.month % 12 + 1, 1)
            a, b = max(d, s.start), min(nxt, s.end)
            out.append(Period(f"{d.year}-{d.month:02d}", a, b))
            d = nxt
        return out
    years = s.years or [latest_year(n, exporter)]
    if not s.monthly:
        return [Period(str(y), date(y, 1, 1), date(y + 1, 1, 1)) for y in years]
    return [
        Period(f"{y}-{m:02d}", date(y, m, 1), date(y + m // 12, m % 12 + 1, 1))
        for y in years
        for m in range(1, 13)
    ]


def _day_factor(intervals: list[tuple[date | None, date | None, float]], p: Period) -> float:
    """Average over the period's days of the lowest factor in force each day (1 when none)."""
    if not intervals:
        return 1.0
    f = np.ones(p.days)
    for start, end, factor in intervals:
        a = 0 if start is None else max((start - p.start).days, 0)
        b = p.days if end is None else min((end - p.start).days, p.days)
        if a < b:
            f[a:b] = np.minimum(f[a:b], factor)
    return float(f.mean())


@dataclass
class Result:
    """Outcome of a what-if run; volumes in Mt/year unless a column says Mt or USD."""

    scenario: Scenario
    exporter: str
    periods: pd.DataFrame
    flows: pd.DataFrame
    stranded: pd.DataFrame
    shares: pd.DataFrame
    binding: pd.DataFrame
    ties: pd.DataFrame
    ladder: pd.DataFrame
    notes: list[str] = field(default_factory=list)

    @property
    def total(self) -> dict[str, Any]:
        """Totals over all periods: stranded volume (Mt), revenue at risk (USD), days."""
        p = self.periods
        money = p["revenue_at_risk"]
        return {
            "days": int(p["days"].sum()),
            "stranded": float(p["stranded"].sum()),
            "rerouted": float((p["rerouted_rate"] * p["days"] / DAYS_PER_YEAR).sum()),
            # no price for the commodity: the money is unknown, not zero
            "revenue_at_risk": float("nan") if money.isna().any() else float(money.sum()),
        }

    def to_dict(self) -> dict[str, Any]:
        """Return the result as JSON-ready data: per period and in total."""

        def r6(x: Any) -> Any:
            return None if x is None or (isinstance(x, float) and math.isnan(x)) else round(x, 6)

        out_periods = []
        for label, p in self.periods.iterrows():
            f = self.flows.loc[label] if label in self.flows.index.get_level_values(0) else None
            s = (
                self.stranded.loc[label]
                if label in self.stranded.index.get_level_values(0)
                else None
            )
            sh = self.shares.loc[label] if label in self.shares.index.get_level_values(0) else None
            b = self.binding[self.binding["period"] == label]
            t = self.ties[self.ties["period"] == label]
            shares: dict[str, Any] = {"baseline": {}, "scenario": {}}
            if sh is not None:
                for (kind, key), row in sh.iterrows():
                    for which in ("baseline", "scenario"):
                        shares[which].setdefault(kind, {})[key] = r6(float(row[which]))
            out_periods.append(
                {
                    "period": label,
                    "start": p["start"].isoformat(),
                    "end": p["end"].isoformat(),
                    "status": p["status"],
                    "baseline": {} if f is None else {k: r6(v) for k, v in f["baseline"].items()},
                    "scenario": {} if f is None else {k: r6(v) for k, v in f["scenario"].items()},
                    "unit": units.CANONICAL_RATE,
                    "rerouted": {"value": r6(p["rerouted_rate"]), "unit": units.CANONICAL_RATE},
                    "stranded": {
                        "value": r6(p["stranded"]),
                        "unit": "Mt",
                        "rate": r6(p["stranded_rate"]),
                        "per_origin": {}
                        if s is None
                        else {k: r6(v) for k, v in s["volume"].items()},
                    },
                    "revenue_at_risk": {
                        "value": r6(p["revenue_at_risk"]),
                        "unit": "USD",
                        "price": r6(p["price"]),
                        "price_unit": "USD/t",
                    },
                    "shares": shares,
                    "binding": [
                        {
                            k: (r6(v) if isinstance(v, float) else v)
                            for k, v in row.items()
                            if k != "period"
                        }
                        for row in b.to_dict("records")
                    ],
                    "ties": {
                        row["country"]: [r6(row["min_share"]), r6(row["max_share"])]
                        for row in t.to_dict("records")
                    },
                }
            )
        total = self.total
        return {
            "scenario": self.scenario.name,
            "description": self.scenario.description,
            "exporter": self.exporter,
            "periods": out_periods,
            "total": {
                "days": total["days"],
                "stranded": {"value": r6(total["stranded"]), "unit": "Mt"},
                "rerouted": {"value": r6(total["rerouted"]), "unit": "Mt"},
                "revenue_at_risk": {"value": r6(total["revenue_at_risk"]), "unit": "USD"},
            },
            "ladder": [
                {k: (r6(v) if isinstance(v, float) else v) for k, v in row.items()}
                for row in self.ladder.to_dict("records")
            ],
            "notes": self.notes,
        }


class _Year:
    """Everything about one exporter-year that does not change between its periods."""

    def __init__(self, n: Network, s: Scenario, exporter: str, year: int) -> None:
        self.n, self.s, self.exporter, self.year = n, s, exporter, year
        self.commodity = s.commodity or n.meta.commodity
        self.notes: list[str] = []
        routes = n.routes.loc[
            n.commodity_routes(self.commodity),
            ["from_node", "to_node", "operator", "transit", "chokepoints", "name", "mode"],
        ].copy()
        self.added = [c for c in s.changes if isinstance(c, AddRoute)]
        for c in self.added:
            routes.loc[c.id] = {
                "from_node": c.from_node,
                "to_node": c.to_node,
                "operator": c.operator,
                "transit": tuple(c.transit),
                "chokepoints": tuple(c.chokepoints),
                "name": c.name or c.id,
                "mode": c.mode,
            }
        self.routes = routes
        self.route_ids = list(routes.index)
        self.node_ids = list(n.nodes.index)
        index = {v: i for i, v in enumerate(self.node_ids)}
        f = n.flows[n.flows["year"] == year]
        mine = f[(f["exporter"] == exporter) & f["route"].isin(self.route_ids)]
        self.baseline = np.array(
            [float(mine.loc[mine["route"] == r, "volume"].sum()) for r in self.route_ids]
        )
        others = f[f["exporter"] != exporter].groupby("route")["volume"].sum()
        self.others = np.array([float(others.get(r, 0.0)) for r in self.route_ids])
        inflow, outflow = np.zeros(len(index)), np.zeros(len(index))
        tail = np.array([index[routes.at[r, "from_node"]] for r in self.route_ids])
        head = np.array([index[routes.at[r, "to_node"]] for r in self.route_ids])
        np.add.at(outflow, tail, self.baseline)
        np.add.at(inflow, head, self.baseline)
        injection = np.maximum(outflow - inflow, 0.0)
        supply_nodes = {index[c.node] for c in s.changes if isinstance(c, SupplyChange)}
        origins = sorted(set(np.flatnonzero(injection > TOL)) | supply_nodes)
        if not len(mine) and not supply_nodes:
            msg = (
                f"no flows of {exporter} in {year} to re-route; give supply changes "
                "(type: supply) for a free allocation, or pick a year with flows: "
                f"{', '.join(map(str, n.years_with_flows(exporter))) or 'none'}"
            )
            raise CorridorError(msg)
        self.mode: Literal["reroute", "free"] = "reroute" if len(mine) else "free"
        kinds, countries = n.nodes["kind"], n.nodes["country"]
        # delivering means leaving the exporter's country: its own markets are not sinks
        open_ends = {
            index[v]
            for v in self.node_ids
            if countries[v] != exporter
            and (kinds[v] in ("market", "refinery") or kinds[v] == "border")
        }
        residual = set(np.flatnonzero(inflow - outflow > TOL))
        has_exit = set(tail)
        dead_ends = {index[routes.at[a.id, "to_node"]] for a in self.added} - has_exit
        sinks = sorted((open_ends | residual | dead_ends) - set(origins))
        self.supply = np.array([injection[v] for v in origins])
        for change in s.changes:
            if isinstance(change, SupplyChange):
                delta = units.to_canonical_rate(change.change, change.unit)
                self.supply[origins.index(index[change.node])] += delta
        self.supply = np.maximum(self.supply, 0.0)
        self.supply_change = float(self.supply.sum() - injection[np.array(origins, int)].sum())
        self.origin_ids = [self.node_ids[v] for v in origins]
        self.tail, self.head = tail, head
        self.cost = self._costs()
        self.whole, self.alloc, self.cap_sources = self._route_caps()
        self.cap_node_ids, self.node_whole, self.node_alloc = self._node_caps()
        self.targets = [c for c in s.changes if isinstance(c, Target)]
        self.target_idx = np.array([self.route_ids.index(c.route) for c in self.targets], int)
        self.model = RerouteModel(
            tail=tail,
            head=head,
            n_nodes=len(index),
            origins=np.array(origins, int),
            sinks=np.array(sinks, int),
            cost=self.cost,
            cap_nodes=np.array([index[v] for v in self.cap_node_ids], int),
            target_routes=self.target_idx,
            mode=self.mode,
        )

    def _in_force(self, df: pd.DataFrame, key: str, ident: str, who: str) -> pd.Series | None:
        rows = df[(df[key] == ident) & (df["exporter"] == who) & (df["year"] <= self.year)]
        return None if rows.empty else rows.sort_values("year").iloc[-1]

    def _costs(self) -> np.ndarray:
        c = self.n.costs
        out = []
        for r in self.route_ids:
            rows = c[(c["route"] == r) & (c["year"] <= self.year)]
            out.append(float(rows.sort_values("year")["cost"].iloc[-1]) if len(rows) else 0.0)
        for a in self.added:
            out[self.route_ids.index(a.id)] = units.convert(a.cost, a.cost_unit, "USD/t")
        return np.array(out)

    def _route_caps(self) -> tuple[np.ndarray, np.ndarray, dict[tuple[str, str], str]]:
        caps = self.n.capacities
        whole, alloc = np.full(len(self.route_ids), np.inf), np.full(len(self.route_ids), np.inf)
        where: dict[tuple[str, str], str] = {}
        for i, r in enumerate(self.route_ids):
            for who, arr in (("", whole), (self.exporter, alloc)):
                row = self._in_force(caps, "route", r, who)
                if row is not None:
                    arr[i] = row["capacity"]
                    where[(r, who)] = f"{row['source']}: {row['note']}"[:200]
        for c in self.s.changes:
            if isinstance(c, SetCapacity) and c.route is not None:
                i = self.route_ids.index(c.route)
                value = units.to_canonical_rate(c.value, c.unit, self._bpt(c.grade))
                (alloc if c.exporter else whole)[i] = value
                where[(c.route, c.exporter or "")] = f"scenario {self.s.name}"
        for a in self.added:
            whole[self.route_ids.index(a.id)] = units.to_canonical_rate(a.capacity, a.unit)
            where[(a.id, "")] = f"scenario {self.s.name}"
        return whole, alloc, where

    def _node_caps(self) -> tuple[list[str], np.ndarray, np.ndarray]:
        caps = self.n.capacities
        # port and terminal limits in the data belong to the package's own commodity
        in_data = (
            {v for v in caps["node"] if v} if self.commodity == self.n.meta.commodity else set()
        )
        ids = sorted(
            in_data | {c.node for c in self.s.changes if isinstance(c, SetCapacity) and c.node}
        )
        whole, alloc = np.full(len(ids), np.inf), np.full(len(ids), np.inf)
        for i, v in enumerate(ids):
            for who, arr in (("", whole), (self.exporter, alloc)):
                row = self._in_force(caps, "node", v, who)
                if row is not None:
                    arr[i] = row["capacity"]
                    self.cap_sources[(v, who)] = f"{row['source']}: {row['note']}"[:200]
        for c in self.s.changes:
            if isinstance(c, SetCapacity) and c.node is not None:
                i = ids.index(c.node)
                value = units.to_canonical_rate(c.value, c.unit, self._bpt(c.grade))
                (alloc if c.exporter else whole)[i] = value
                self.cap_sources[(c.node, c.exporter or "")] = f"scenario {self.s.name}"
        return ids, whole, alloc

    def _bpt(self, grade: str | None) -> float | None:
        return None if grade is None else float(self.n.grades.at[grade, "barrels_per_tonne"])

    def factors(self, p: Period) -> np.ndarray:
        """Day-weighted capacity factor of each route in a period (events + scenario)."""
        intervals: dict[str, list[tuple[date | None, date | None, float]]] = defaultdict(list)
        if self.s.apply_events:
            for e in self.n.events.itertuples():
                if e.exporter not in ("", self.exporter) or math.isnan(e.capacity_factor):
                    continue
                end = None if pd.isna(e.end) else e.end.date()
                intervals[e.route].append((e.start.date(), end, float(e.capacity_factor)))
        for c in self.s.changes:
            if isinstance(c, CapacityFactor) and c.exporter in (None, self.exporter):
                intervals[c.route].append((c.start, c.end, c.factor))
            elif isinstance(c, CloseCountry):
                for r in self.route_ids:
                    if c.country in self.countries(r):
                        intervals[r].append((c.start, c.end, 0.0))
            elif isinstance(c, CloseOperator):
                for r in self.route_ids:
                    if self.routes.at[r, "operator"] == c.operator:
                        intervals[r].append((c.start, c.end, 0.0))
            elif isinstance(c, Ban | Measure):
                ban = self.ban_of(c)
                if ban.exporter == self.exporter and ban.commodity == self.commodity:
                    for r in self.banned_routes(ban):
                        intervals[r].append((ban.start, ban.end, 0.0))
        return np.array([_day_factor(intervals.get(r, []), p) for r in self.route_ids])

    def ban_of(self, c: Ban | Measure) -> Ban:
        """A ban as written, or the one a measure id stands for (dates may be overridden)."""
        if isinstance(c, Ban):
            return c
        m = self.n.measures.loc[c.id]
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

    def banned_routes(self, ban: Ban) -> list[str]:
        """Routes a ban closes: the commodity's legs into the importer (and across it unless
        transit is exempt).
        """
        countries = self.n.nodes["country"]
        out = []
        for r in self.route_ids:
            if ban.modes and self.routes.at[r, "mode"] not in ban.modes:
                continue
            into = countries[self.routes.at[r, "to_node"]] == ban.importer
            across = ban.importer in self.routes.at[r, "transit"]
            if into or (across and not ban.transit_exempt):
                out.append(r)
        return out

    def countries(self, r: str) -> tuple[str, ...]:
        """Countries a route (package or added) touches."""
        row = self.routes.loc[r]
        ends = [
            self.n.nodes.at[row["from_node"], "country"],
            self.n.nodes.at[row["to_node"], "country"],
        ]
        return tuple(dict.fromkeys([c for c in ends if c] + list(row["transit"])))

    def route_caps(self, p: Period) -> np.ndarray:
        """Capacity left for the exporter on each route in a period (inf where unknown)."""
        f = self.factors(p)
        base = np.minimum(np.maximum(self.whole - self.others, 0.0), self.alloc)
        cap = f * np.where(np.isinf(base), 0.0, base)
        unknown = np.isinf(base)
        # unknown capacity: open when untouched, closed at factor 0, else the baseline scaled
        scaled = np.where(self.baseline > 0, f * self.baseline, np.inf)
        cap[unknown] = np.where(
            f[unknown] >= 1, np.inf, np.where(f[unknown] <= 0, 0.0, scaled[unknown])
        )
        return cap

    def node_caps(self) -> np.ndarray:
        """Throughput left for the exporter at each capacitated node."""
        others = np.zeros(len(self.cap_node_ids))
        for i, v in enumerate(self.cap_node_ids):
            others[i] = self.others[self.tail == self.node_ids.index(v)].sum()
        return np.asarray(np.minimum(np.maximum(self.node_whole - others, 0.0), self.node_alloc))

    def target_rates(self) -> np.ndarray:
        """Target flow of each target route, Mt/year."""
        return np.array([units.to_canonical_rate(c.value, c.unit) for c in self.targets])

    def solve(
        self, p: Period, route_cap: np.ndarray | None = None, node_cap: np.ndarray | None = None
    ) -> Solution:
        """Solve the period's LP, optionally with changed capacities."""
        return self.model.solve(
            supply=self.supply,
            route_cap=self.route_caps(p) if route_cap is None else route_cap,
            baseline=self.baseline,
            node_cap=self.node_caps() if node_cap is None else node_cap,
            target=self.target_rates(),
        )

    def price(self) -> tuple[float, str]:
        """Price in USD/t for the year, and where it comes from."""
        for c in self.s.changes:
            if isinstance(c, PriceChange):
                grade = c.grade or next(
                    (g for g in self.n.prices["grade"] if g), next(iter(self.n.grades.index), None)
                )
                return units.price_per_tonne(c.value, c.unit, self._bpt(grade)), "scenario"
        p = self.n.prices
        pr = p[(p["year"] == self.year) & (p["commodity"] == self.commodity)]
        if pr.empty:
            return float("nan"), "no price for the year"
        return float(pr["price"].iloc[0]), str(pr["source"].iloc[0])


def _network_with(n: Network, y: _Year, flow: np.ndarray, exports: float | None) -> Network:
    """Return a copy of `n` whose exporter-year flows are `flow` (and its added routes)."""
    m = Network(n.meta, {name: getattr(n, name) for name in tables()})
    if y.added:
        extra = y.routes.loc[[a.id for a in y.added]].assign(commodity=n.meta.commodity)
        m.routes = pd.concat([n.routes, extra])
    f = n.flows
    keep = f[
        ~((f["exporter"] == y.exporter) & (f["year"] == y.year) & f["route"].isin(y.route_ids))
    ]
    src = f[(f["exporter"] == y.exporter) & (f["year"] == y.year)].set_index("route")
    new = [
        {
            "exporter": y.exporter,
            "route": r,
            "year": y.year,
            "volume": float(v),
            "value": float(v),
            "unit": units.CANONICAL_RATE,
            "source": src.at[r, "source"] if r in src.index else f"scenario:{y.s.name}",
            "confidence": src.at[r, "confidence"] if r in src.index else "low",
            "basis": "estimate",
        }
        for r, v in zip(y.route_ids, flow, strict=True)
        if v > TOL
    ]
    m.flows = pd.concat([keep, pd.DataFrame(new)], ignore_index=True)
    if exports is not None:
        s = n.supply.copy()
        mask = (
            (s["exporter"] == y.exporter)
            & (s["year"] == y.year)
            & (s["quantity"] == "exports")
            & (s["commodity"] == y.commodity)
        )
        s.loc[mask, "volume"] = exports
        m.supply = s
    return m


def _share_rows(label: str, base: YearMetrics, scen: YearMetrics) -> list[dict[str, Any]]:
    rows = []
    for kind, attr in (
        ("route", "by_route"),
        ("transit_country", "by_transit_country"),
        ("chokepoint", "by_chokepoint"),
    ):
        b, s = getattr(base, attr)["share"], getattr(scen, attr)["share"]
        for key in list(dict.fromkeys([*b.index, *s.index])):
            bv, sv = float(b.get(key, 0.0)), float(s.get(key, 0.0))
            rows.append(
                {
                    "period": label,
                    "kind": kind,
                    "key": key,
                    "baseline": bv,
                    "scenario": sv,
                    "change": sv - bv,
                }
            )
    return rows


def reroute(
    n: Network,
    scenario: Scenario,
    exporter: str | None = None,
    ties: bool = True,
    marginals: bool = True,
) -> Result:
    """Apply a scenario to the baseline and re-route, period by period.

    Parameters
    ----------
    n : Network
    scenario : Scenario
    exporter : str, optional
        Default the scenario's, then the package's exporter.
    ties : bool
        Report the min and max share of each transit country over optimal solutions.
    marginals : bool
        Measure each binding limit's marginal value (one re-solve each).

    Examples
    --------
    >>> n = corridor.load_package()
    >>> s = Scenario(name="cpc-half", years=[2025],
    ...              changes=[{"type": "capacity_factor", "route": "cpc", "factor": 0.5}])
    >>> r = reroute(n, s)
    >>> round(r.total["stranded"], 1), round(r.total["rerouted"], 1)   # Mt over the year
    (7.8, 16.6)
    """
    exporter = exporter or scenario.exporter or n.meta.exporter
    scenario.check_against(n)
    periods = periods_of(scenario, n, exporter)
    years: dict[int, _Year] = {}
    base_metrics: dict[int, YearMetrics] = {}
    period_rows, flow_rows, stranded_rows, share_rows = [], [], [], []
    binding_rows, tie_rows, ladder_rows = [], [], []
    notes: list[str] = []
    for p in periods:
        if p.year not in years:
            years[p.year] = _Year(n, scenario, exporter, p.year)
            base_metrics[p.year] = compute(n, exporter, p.year, scenario.commodity)
            notes += years[p.year].notes
        y, base = years[p.year], base_metrics[p.year]
        sol = y.solve(p)
        price, price_source = y.price()
        stranded_rate = float(sol.stranded.sum()) if sol.is_optimal else float("nan")
        exports = (
            None
            if base.total_exports is None
            else (base.total_exports - stranded_rate + y.supply_change)
        )
        scen_n = _network_with(n, y, sol.flow, exports)
        scen = compute(scen_n, exporter, p.year, scenario.commodity)
        rerouted = _rerouted(base, scen)
        period_rows.append(
            {
                "period": p.label,
                "start": p.start,
                "end": p.end,
                "days": p.days,
                "status": sol.status,
                "stranded_rate": stranded_rate,
                "stranded": stranded_rate * p.length,
                "rerouted_rate": rerouted,
                "price": price,
                "price_source": price_source,
                "revenue_at_risk": stranded_rate * p.length * 1e6 * price,
                **{f"{k}_baseline": v for k, v in _headline(base).items()},
                **{f"{k}_scenario": v for k, v in _headline(scen).items()},
            }
        )
        for r, b, x in zip(y.route_ids, y.baseline, sol.flow, strict=True):
            if b > TOL or x > TOL:
                flow_rows.append(
                    {"period": p.label, "route": r, "baseline": b, "scenario": x, "change": x - b}
                )
        for o, u in zip(y.origin_ids, sol.stranded, strict=True):
            if u > TOL:
                stranded_rows.append(
                    {"period": p.label, "origin": o, "rate": u, "volume": u * p.length}
                )
        share_rows += _share_rows(p.label, base, scen)
        if ties and sol.is_optimal:
            tie_rows += _ties(y, p, sol, scen.denominator)
        binding_rows += _binding(y, p, sol, price, marginals)
        if len(y.targets) and sol.is_optimal:
            ladder_rows += _ladder(y, p, sol)
    idx = ["period", "route"]
    return Result(
        scenario=scenario,
        exporter=exporter,
        periods=pd.DataFrame(period_rows).set_index("period"),
        flows=pd.DataFrame(flow_rows, columns=[*idx, "baseline", "scenario", "change"]).set_index(
            idx
        ),
        stranded=pd.DataFrame(
            stranded_rows, columns=["period", "origin", "rate", "volume"]
        ).set_index(["period", "origin"]),
        shares=pd.DataFrame(
            share_rows, columns=["period", "kind", "key", "baseline", "scenario", "change"]
        ).set_index(["period", "kind", "key"]),
        binding=pd.DataFrame(binding_rows, columns=_BINDING_COLUMNS),
        ties=pd.DataFrame(tie_rows, columns=["period", "country", "min_share", "max_share"]),
        ladder=pd.DataFrame(
            ladder_rows,
            columns=["period", "step", "route", "target", "achieved", "share_crossing", "limits"],
        ),
        notes=list(dict.fromkeys(notes)),
    )


def _rerouted(base: YearMetrics, scen: YearMetrics) -> float:
    """Volume on paths it did not take in the baseline: scenario routed minus what stayed.

    A path's volume *stays* up to the smaller of its baseline and scenario volumes; comparing
    whole paths (not legs) counts a volume once however many legs its new way has.
    """
    before = dict(zip(base.paths["id"], base.paths["volume"], strict=True))
    stayed = sum(
        min(v, before.get(k, 0.0))
        for k, v in zip(scen.paths["id"], scen.paths["volume"], strict=True)
    )
    return float(max(scen.routed - stayed, 0.0))


def _headline(m: YearMetrics) -> dict[str, float]:
    country, route = m.focus_country, m.focus_route
    return {
        "share_crossing": m.share_crossing(country) if country else float("nan"),
        "share_via": m.share_via(route) if route else float("nan"),
        "share_bypassing": m.share_bypassing(country) if country else float("nan"),
        "hhi": m.hhi,
    }


_BINDING_COLUMNS = [
    "period",
    "kind",
    "asset",
    "scope",
    "capacity",
    "flow",
    "stranded_avoided_per_unit",
    "target_gain_per_unit",
    "revenue_per_unit",
    "source",
]


def _binding(
    y: _Year, p: Period, sol: Solution, price: float, marginals: bool
) -> list[dict[str, Any]]:
    """Limits at capacity, with the effect of one more Mt/year of each (one re-solve each)."""
    if not sol.is_optimal:
        return []
    out = []
    rcap, ncap = sol.route_cap, sol.node_cap
    node_flow = np.array([sol.flow[y.tail == y.node_ids.index(v)].sum() for v in y.cap_node_ids])
    candidates: list[tuple[str, int, float, float]] = [
        ("route", i, rcap[i], sol.flow[i])
        for i in range(len(rcap))
        if np.isfinite(rcap[i]) and sol.flow[i] >= rcap[i] - 1e-6
    ] + [
        ("node", i, ncap[i], node_flow[i])
        for i in range(len(ncap))
        if np.isfinite(ncap[i]) and node_flow[i] >= ncap[i] - 1e-6
    ]
    for kind, i, cap, flow in candidates:
        avoided = gain = float("nan")
        if marginals:
            r2, n2 = rcap.copy(), ncap.copy()
            (r2 if kind == "route" else n2)[i] = cap + 1.0
            s2 = y.solve(p, r2, n2)
            if s2.is_optimal:
                avoided = float(sol.stranded.sum() - s2.stranded.sum())
                gain = float(sol.shortfall.sum() - s2.shortfall.sum()) if len(y.targets) else 0.0
            if avoided < 1e-6 and (not len(y.targets) or gain < 1e-6):
                continue  # at capacity but not limiting anything
        asset = y.route_ids[i] if kind == "route" else y.cap_node_ids[i]
        scope = y.exporter if (asset, y.exporter) in y.cap_sources else ""
        out.append(
            {
                "period": p.label,
                "kind": kind,
                "asset": asset,
                "scope": scope or "all shippers",
                "capacity": cap,
                "flow": flow,
                "stranded_avoided_per_unit": avoided,
                "target_gain_per_unit": gain,
                "revenue_per_unit": avoided * p.length * 1e6 * price,
                "source": "closed in this period"
                if cap <= TOL
                else y.cap_sources.get((asset, scope), y.cap_sources.get((asset, ""), "")),
            }
        )
    return out


def _ties(y: _Year, p: Period, sol: Solution, denominator: float) -> list[dict[str, Any]]:
    """Min and max share of each transit country over all optimal solutions."""
    groups: dict[str, np.ndarray] = {}
    node_country = y.n.nodes["country"]
    for i, r in enumerate(y.route_ids):
        start = node_country[y.routes.at[r, "from_node"]]
        for c in y.countries(r):
            if c != y.exporter and c != start:
                groups.setdefault(c, np.zeros(0, int))
                groups[c] = np.append(groups[c], i)
    if not groups or not denominator:
        return []
    ranges = y.model.flow_range(sol, groups)
    return [
        {
            "period": p.label,
            "country": c,
            "min_share": lo / denominator,
            "max_share": hi / denominator,
        }
        for c, (lo, hi) in ranges.items()
    ]


def _ladder(y: _Year, p: Period, sol: Solution, max_steps: int = 8) -> list[dict[str, Any]]:
    """Relax the limits that stop a target, step by step, and record what each allows.

    Each step also records the share of exports crossing the package's focus country.
    """
    rows = []
    base = compute(y.n, y.exporter, y.year, y.commodity)
    country = base.focus_country
    rcap, ncap = sol.route_cap.copy(), sol.node_cap.copy()
    current = sol
    for step in range(1, max_steps + 1):
        achieved = current.flow[y.target_idx]
        limits = [b for b in _binding(y, p, current, 0.0, True) if b["target_gain_per_unit"] > 1e-6]
        exports = (
            None
            if base.total_exports is None
            else (base.total_exports - float(current.stranded.sum()) + y.supply_change)
        )
        m = compute(_network_with(y.n, y, current.flow, exports), y.exporter, y.year, y.commodity)
        crossing = m.share_crossing(country) if country else float("nan")
        for k, c in enumerate(y.targets):
            rows.append(
                {
                    "period": p.label,
                    "step": step,
                    "route": c.route,
                    "target": float(y.target_rates()[k]),
                    "achieved": float(achieved[k]),
                    "share_crossing": crossing,
                    "limits": ", ".join(
                        f"{b['asset']} ({b['scope']}, {b['capacity']:.2f})" for b in limits
                    )
                    or "none",
                }
            )
        if current.shortfall.sum() < 1e-6 or not limits:
            break
        for b in limits:
            if b["kind"] == "route":
                rcap[y.route_ids.index(b["asset"])] = np.inf
            else:
                ncap[y.cap_node_ids.index(b["asset"])] = np.inf
        current = y.solve(p, rcap, ncap)
        if not current.is_optimal:
            break
    return rows


@dataclass
class Replay:
    """Modelled monthly losses of a year's events beside the losses the sources report."""

    result: Result
    months: pd.DataFrame
    losses: pd.DataFrame


def replay(n: Network, year: int, exporter: str | None = None) -> Replay:
    """Apply the package's dated events month by month and compare with reported losses.

    The baseline is the year's observed annual flows spread evenly over the months (monthly
    flows are not in the data); events cut capacity by date; the LP re-routes what it can.
    The modelled loss is the stranded volume. Annual flows already contain the year's
    disruptions, so the model applies them on top of their own outcome: the gap between
    modelled and reported loss is a result to read, not an error to hide.
    """
    exporter = exporter or n.meta.exporter
    s = Scenario(
        name=f"replay-{year}",
        description=f"Dated events of {year}, month by month",
        years=[year],
        monthly=True,
        apply_events=True,
    )
    result = reroute(n, s, exporter, ties=False)
    ev = n.events
    rows = []
    for label, p in result.periods.iterrows():
        period = Period(str(label), p["start"], p["end"])
        active = [
            f"{e.Index} ({e.capacity_factor:g})"
            for e in ev.itertuples()
            if not math.isnan(e.capacity_factor)
            and e.exporter in ("", exporter)
            and e.start.date() < period.end
            and (pd.isna(e.end) or e.end.date() > period.start)
        ]
        rerouted = p["rerouted_rate"] * period.length
        rows.append(
            {
                "month": label,
                "events": ", ".join(active),
                "stranded": p["stranded"],
                "rerouted": rerouted,
                "displaced": rerouted + p["stranded"],
                "revenue_at_risk": p["revenue_at_risk"],
            }
        )
    months = pd.DataFrame(rows).set_index("month")
    loss_rows = []
    for loss in n.losses.itertuples():
        a, b = loss.start.date(), loss.end.date()
        if a.year > year or b <= date(year, 1, 1):
            continue
        modelled = displaced = 0.0
        for _, p in result.periods.iterrows():
            overlap = (min(b, p["end"]) - max(a, p["start"])).days
            if overlap > 0:
                modelled += p["stranded_rate"] * overlap / DAYS_PER_YEAR
                displaced += (p["stranded_rate"] + p["rerouted_rate"]) * overlap / DAYS_PER_YEAR
        loss_rows.append(
            {
                "loss": loss.Index,
                "event": loss.event,
                "start": a,
                "end": b,
                "description": loss.description,
                "reported": loss.volume,
                "modelled": modelled,
                "displaced": displaced,
                "gap": modelled - loss.volume,
                "confidence": loss.confidence,
                "source": loss.source,
            }
        )
    return Replay(result, months, pd.DataFrame(loss_rows))
