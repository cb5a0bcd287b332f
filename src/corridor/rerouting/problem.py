"""The re-routing problem of one exporter-year: the LP's arrays and the capacity rules.

`RerouteProblem` is built from a `Network` and the `YearInputs` of `corridor.scenario.apply`
(what the scenario does); it knows nothing of change types. It holds the arrays of the LP of
`corridor.solve` (routes, nodes, tail and head, costs, baseline, origins and sinks, supply) and
the capacity rules, each in one place:

(a) `scale_capacity`: a known capacity is scaled by the period's capacity factor; an unknown
    one is open, closed at factor 0, and otherwise the baseline flow scaled by the factor;
(b) `capacity_left`: the capacity left for the exporter is the whole capacity in force minus
    the other exporters' flows, within the exporter's allocation.

The baseline (the flows before the scenario, the other exporters' flows and the monthly
pattern): when the package's observations table has figures of the exporter in the year
(`has_observations`), it is the reconciliation's (`corridor.reconciliation.reconcile`); else
the flows table's, as observed. ``RerouteProblem.baseline_kind`` says which.

`corridor.rerouting.reroute`, `corridor.risk`, `corridor.interdependence` and the benchmarks
build on it.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from typing import Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from corridor.exceptions import NoFlowsError
from corridor.metrics import Dependence, dependence
from corridor.network import Network
from corridor.reconciliation import Reconciliation, has_observations, reconcile
from corridor.scenario.apply import YearInputs
from corridor.solve import TOL, RerouteModel, Solution
from corridor.units import DAYS_PER_YEAR

Array = npt.NDArray[np.float64]
Interval = tuple[date | None, date | None, float]
BaselineKind = Literal["reconciled", "observed"]


def reconciled_baseline(
    n: Network, exporter: str, year: int, commodity: str
) -> Reconciliation | None:
    """Return the year's reconciliation when it makes the baseline (`has_observations`)."""
    if not has_observations(n, exporter, year, commodity):
        return None
    rec = reconcile(n, year=year, commodity=commodity)
    return rec if exporter in set(rec.flows["exporter"]) else None


def annual_rates(rec: Reconciliation) -> pd.DataFrame:
    """Return the reconciled flows of every exporter as annual rates (exporter, route, volume)."""
    days = (date(rec.year + 1, 1, 1) - date(rec.year, 1, 1)).days
    f = rec.flows.groupby(["exporter", "route"], as_index=False)["volume"].sum()
    return f.assign(volume=f["volume"] * DAYS_PER_YEAR / days)


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
        """Length in years (of `DAYS_PER_YEAR` days), to turn a rate in Mt/year into Mt."""
        return self.days / DAYS_PER_YEAR


@dataclass(frozen=True)
class CapSource:
    """Where a capacity in force comes from: a source id and the data's note, or the scenario.

    ``source`` is "" when the scenario set the capacity; ``note`` then says so.
    """

    source: str
    note: str


def day_factor(intervals: list[Interval], p: Period) -> float:
    """Return the average over the period's days of the lowest factor in force each day.

    Examples
    --------
    >>> p = Period("2024-06", date(2024, 6, 1), date(2024, 7, 1))
    >>> day_factor([(date(2024, 6, 16), None, 0.0)], p)   # closed for the last 15 of 30 days
    0.5
    """
    if not intervals:
        return 1.0
    f = np.ones(p.days)
    for start, end, factor in intervals:
        a = 0 if start is None else max((start - p.start).days, 0)
        b = p.days if end is None else min((end - p.start).days, p.days)
        if a < b:
            f[a:b] = np.minimum(f[a:b], factor)
    return float(f.mean())


def capacity_left(whole: Array, others: Array, allocation: Array) -> Array:
    """Return the capacity left for an exporter: whole minus others' flows, within its allocation.

    ``inf`` stands for an unknown capacity or allocation.

    Examples
    --------
    >>> capacity_left(np.array([80.0, np.inf]), np.array([15.0, 3.0]), np.array([np.inf, 8.0]))
    array([65.,  8.])
    """
    return np.asarray(np.minimum(np.maximum(whole - others, 0.0), allocation))


def scale_capacity(base: Array, factors: Array, baseline: Array) -> Array:
    """Return capacities under capacity factors; an unknown (``inf``) capacity follows rule (a).

    Unknown capacity: open at factor 1, closed at factor 0, else the baseline flow scaled (open
    when the route had no baseline flow).

    Examples
    --------
    >>> scale_capacity(np.array([10.0, np.inf, np.inf, np.inf]), np.array([0.5, 1, 0, 0.5]),
    ...                np.array([8.0, 8.0, 8.0, 8.0]))
    array([ 5., inf,  0.,  4.])
    """
    unknown = np.isinf(base)
    cap = factors * np.where(unknown, 0.0, base)
    scaled = np.where(baseline > 0, factors * baseline, np.inf)
    f = factors[unknown]
    cap[unknown] = np.where(f >= 1, np.inf, np.where(f <= 0, 0.0, scaled[unknown]))
    return np.asarray(cap)


class RerouteProblem:
    """The LP inputs of one exporter-year under a scenario, and its capacities by period.

    Parameters
    ----------
    n : Network
    inputs : YearInputs
        The scenario applied to the exporter-year (`corridor.scenario.apply_scenario`).

    Raises
    ------
    NoFlowsError
        When the exporter has no observed flows in the year and the scenario adds no supply.

    Notes
    -----
    ``baseline_kind`` is ``"reconciled"`` when the baseline comes from the reconciliation
    (``reconciliation`` holds it; ``observed`` is then its route flows, source
    ``reconciled``), else ``"observed"`` (the flows table; ``reconciliation`` is None).

    Examples
    --------
    >>> from corridor.scenario import Scenario, apply_scenario
    >>> n = corridor.load_package()
    >>> inputs = apply_scenario(Scenario(name="base", years=[2025]), n, exporter="KAZ", year=2025)
    >>> problem = RerouteProblem(n, inputs)
    >>> p = Period("2025", date(2025, 1, 1), date(2026, 1, 1))
    >>> bool(problem.solve(p).stranded.sum() < 1e-6)   # baseline in, baseline out
    True
    """

    def __init__(self, n: Network, inputs: YearInputs) -> None:
        self.n, self.inputs = n, inputs
        self.exporter, self.year, self.commodity = inputs.exporter, inputs.year, inputs.commodity
        self.routes = inputs.routes
        self.route_ids: list[str] = [str(r) for r in self.routes.index]
        self.node_ids: list[str] = [str(v) for v in n.nodes.index]
        index = {v: i for i, v in enumerate(self.node_ids)}
        self.tail = np.array([index[v] for v in self.routes["from_node"]], np.int64)
        self.head = np.array([index[v] for v in self.routes["to_node"]], np.int64)
        self.reconciliation = reconciled_baseline(n, self.exporter, self.year, self.commodity)
        self.baseline_kind: BaselineKind = "observed"
        f = n.flows[n.flows["year"] == self.year]
        if self.reconciliation is not None:
            self.baseline_kind = "reconciled"
            f = annual_rates(self.reconciliation)
            f = f[f["volume"] > TOL]
        self.observed = f[(f["exporter"] == self.exporter) & f["route"].isin(self.route_ids)]
        if self.reconciliation is not None:
            mine = self.reconciliation.route_flows(self.exporter)
            self.observed = mine[mine["route"].isin(self.observed["route"])]
        self.baseline = self._per_route(self.observed)
        self._year_flows = f  # every exporter's baseline flows of the year (annual rates)
        self.others = self._per_route(f[f["exporter"] != self.exporter])
        self.monthly = self._monthly_rates()
        self.mode: Literal["reroute", "free"] = "free" if self.observed.empty else "reroute"
        injection = self._injection()
        entering = injection  # where the baseline enters in any month
        for month in self.monthly if self.monthly is not None else []:
            entering = np.maximum(entering, self._injection(month))
        origins = self._origins(index, entering)
        self.origins = np.array(origins, np.int64)
        self.origin_ids = [self.node_ids[v] for v in origins]
        self.sinks = self._sinks(index, origins)
        self.supply = self._supply(index, origins, injection)
        self.supply_change = float(self.supply.sum() - injection[self.origins].sum())
        self.cost = self._costs()
        self.whole, self.allocation, route_sources = self._route_capacities()
        self.cap_node_ids = self._capacitated_nodes()
        self.node_whole, self.node_allocation, node_sources = self._capacities(
            "node", self.cap_node_ids
        )
        self.sources: dict[tuple[str, str, str], CapSource] = {
            **{("route", a, s): v for (a, s), v in route_sources.items()},
            **{("node", a, s): v for (a, s), v in node_sources.items()},
        }
        self.target_idx = np.array([self.route_ids.index(r) for r, _ in inputs.targets], np.int64)
        self._intervals = {r: inputs.intervals_of(r) for r in self.route_ids}

    # --- construction --------------------------------------------------------------------------

    @property
    def _by_scenario(self) -> CapSource:
        return CapSource("", f"set by scenario {self.inputs.scenario}")

    def _added_idx(self) -> list[int]:
        return [self.route_ids.index(a) for a in self.inputs.added]

    def _per_route(self, flows: pd.DataFrame) -> Array:
        """Return the volume of some flows on each route."""
        by_route = flows.groupby("route")["volume"].sum()
        return np.array([float(by_route.get(r, 0.0)) for r in self.route_ids])

    def _monthly_rates(self) -> Array | None:
        """Return the reconciled baseline of each month as rates [Mt/year], (12, routes)."""
        if self.reconciliation is None:
            return None
        rec = self.reconciliation
        f = rec.flows[rec.flows["exporter"] == self.exporter]
        out = np.zeros((12, len(self.route_ids)))
        known = set(self.observed["route"])
        for row in f.itertuples():
            if row.route in known:
                m = int(row.month)
                days = (date(self.year + m // 12, m % 12 + 1, 1) - date(self.year, m, 1)).days
                out[m - 1, self.route_ids.index(str(row.route))] += (
                    float(row.volume) * DAYS_PER_YEAR / days
                )
        return out

    def _months_of(self, p: Period) -> Array:
        """Return the share of the period's days in each month of the year."""
        weights = np.zeros(12)
        for m in range(1, 13):
            first = date(self.year, m, 1)
            after = date(self.year + m // 12, m % 12 + 1, 1)
            weights[m - 1] = max((min(after, p.end) - max(first, p.start)).days, 0)
        return np.asarray(weights / max(float(weights.sum()), 1.0))

    def baseline_at(self, p: Period) -> Array:
        """Return the baseline rate of each route in a period [Mt/year].

        Reconciled: the day-weighted mean of the months' reconciled rates (over a whole year,
        the annual `baseline`); observed: the annual `baseline` in every period.
        """
        if self.monthly is None:
            return self.baseline
        return np.asarray(self._months_of(p) @ self.monthly)

    def supply_at(self, p: Period) -> Array:
        """Return the supply at each origin in a period: the period's baseline's, plus changes."""
        if self.monthly is None:
            return self.supply
        injection = self._injection(self.baseline_at(p))
        supply = injection[self.origins]
        index = {v: i for i, v in enumerate(self.node_ids)}
        origins = [int(v) for v in self.origins]
        for v, delta in self.inputs.supply:
            supply[origins.index(index[v])] += delta
        return np.asarray(np.maximum(supply, 0.0), float)

    def _balance(self, flow: Array | None = None) -> tuple[Array, Array]:
        """Return the inflow and outflow at each node of a flow (default the baseline)."""
        flow = self.baseline if flow is None else flow
        inflow, outflow = np.zeros(len(self.node_ids)), np.zeros(len(self.node_ids))
        np.add.at(outflow, self.tail, flow)
        np.add.at(inflow, self.head, flow)
        return inflow, outflow

    def _injection(self, flow: Array | None = None) -> Array:
        """Return the volume entering a flow (default the baseline) at each node."""
        inflow, outflow = self._balance(flow)
        return np.maximum(outflow - inflow, 0.0)

    def _origins(self, index: dict[str, int], injection: Array) -> list[int]:
        """Return the origins: where the baseline enters, and where the scenario adds supply."""
        supply_nodes = {index[v] for v, _ in self.inputs.supply}
        if self.observed.empty and not supply_nodes:
            years = ", ".join(map(str, self.n.years_with_flows(self.exporter))) or "none"
            hint = (
                "give supply changes (type: supply) for a free allocation, or pick a year "
                f"with flows: {years}"
            )
            raise NoFlowsError(self.exporter, self.year, hint)
        return sorted({int(v) for v in np.flatnonzero(injection > TOL)} | supply_nodes)

    def _sinks(self, index: dict[str, int], origins: list[int]) -> npt.NDArray[np.int64]:
        """Return where the commodity may leave: foreign ends, baseline ends, added dead ends."""
        kinds, countries = self.n.nodes["kind"], self.n.nodes["country"]
        # delivering means leaving the exporter's country: its own markets are not sinks
        open_ends = {
            index[v]
            for v in self.node_ids
            if countries[v] != self.exporter and kinds[v] in ("market", "refinery", "border")
        }
        inflow, outflow = self._balance()
        residual = {int(v) for v in np.flatnonzero(inflow - outflow > TOL)}
        for month in self.monthly if self.monthly is not None else []:
            inflow, outflow = self._balance(month)
            residual |= {int(v) for v in np.flatnonzero(inflow - outflow > TOL)}
        added_ends = {int(self.head[i]) for i in self._added_idx()}
        dead_ends = added_ends - {int(t) for t in self.tail}
        return np.array(sorted((open_ends | residual | dead_ends) - set(origins)), np.int64)

    def _supply(self, index: dict[str, int], origins: list[int], injection: Array) -> Array:
        """Return the supply at each origin: the baseline's plus the scenario's changes."""
        supply = np.array([injection[v] for v in origins], float)
        for v, delta in self.inputs.supply:
            supply[origins.index(index[v])] += delta
        return np.asarray(np.maximum(supply, 0.0), float)

    def _route_capacities(self) -> tuple[Array, Array, dict[tuple[str, str], CapSource]]:
        """Return the routes' capacities in force, with the added routes' own."""
        whole, allocation, where = self._capacities("route", self.route_ids)
        for i, cap in zip(self._added_idx(), self.inputs.added_capacity, strict=True):
            whole[i] = cap
            where[(self.route_ids[i], "")] = self._by_scenario
        return whole, allocation, where

    def _costs(self) -> Array:
        out = np.zeros(len(self.route_ids))
        for i, r in enumerate(self.route_ids):
            row = Network.in_force(self.n.costs, self.year, route=r)
            out[i] = 0.0 if row is None else float(row["cost"])
        for i, c in zip(self._added_idx(), self.inputs.added_cost, strict=True):
            out[i] = c
        return out

    def _capacitated_nodes(self) -> list[str]:
        caps = self.n.capacities
        # port and terminal limits in the data belong to the package's own commodity
        in_data = (
            {str(v) for v in caps["node"] if v}
            if self.commodity == self.n.meta.commodity
            else set()
        )
        scenario = {o.asset for o in self.inputs.capacities if o.kind == "node"}
        return sorted(in_data | scenario)

    def _capacities(
        self, kind: Literal["route", "node"], ids: list[str]
    ) -> tuple[Array, Array, dict[tuple[str, str], CapSource]]:
        """Return the whole capacity and the exporter's allocation in force (inf: unknown)."""
        whole, allocation = np.full(len(ids), np.inf), np.full(len(ids), np.inf)
        where: dict[tuple[str, str], CapSource] = {}
        for i, asset in enumerate(ids):
            for who, arr in (("", whole), (self.exporter, allocation)):
                match = {kind: asset, "exporter": who}
                row = Network.in_force(self.n.capacities, self.year, **match)
                if row is not None:
                    arr[i] = row["capacity"]
                    note = row["note"] if isinstance(row["note"], str) else ""
                    where[(asset, who)] = CapSource(str(row["source"]), note)
        for o in self.inputs.capacities:
            if o.kind == kind and o.asset in ids:
                (allocation if o.exporter else whole)[ids.index(o.asset)] = o.capacity
                where[(o.asset, o.exporter)] = self._by_scenario
        return whole, allocation, where

    @property
    def cap_nodes(self) -> npt.NDArray[np.int64]:
        """Return the node indices of the capacitated nodes (`cap_node_ids`)."""
        return np.array([self.node_ids.index(v) for v in self.cap_node_ids], np.int64)

    @cached_property
    def model(self) -> RerouteModel:
        """The LP (built on first use, then re-solved warm)."""
        return RerouteModel(
            tail=self.tail,
            head=self.head,
            n_nodes=len(self.node_ids),
            origins=self.origins,
            sinks=self.sinks,
            cost=self.cost,
            cap_nodes=self.cap_nodes,
            target_routes=self.target_idx,
            mode=self.mode,
        )

    # --- capacities ----------------------------------------------------------------------------

    def factors(self, p: Period) -> Array:
        """Return the day-weighted capacity factor of each route in a period."""
        return np.array([day_factor(self._intervals[r], p) for r in self.route_ids])

    def route_caps(self, p: Period) -> Array:
        """Return the capacity left for the exporter on each route in a period (inf: open)."""
        base = capacity_left(self.whole, self.others, self.allocation)
        return scale_capacity(base, self.factors(p), self.baseline_at(p))

    def flows_outside(self, exporters: Collection[str]) -> Array:
        """Return the baseline flows on each route of the exporters not in `exporters`.

        The exporter itself is always left out; with no `exporters` this is `others`. Joint
        re-routing (`corridor.rerouting.joint`) holds these flows fixed.
        """
        f = self._year_flows
        return self._per_route(f[~f["exporter"].isin([self.exporter, *exporters])])

    def node_others(self) -> Array:
        """Return the other exporters' flows leaving each capacitated node."""
        return np.array([self.others[self.tail == i].sum() for i in self.cap_nodes], float)

    def node_caps(self) -> Array:
        """Return the throughput left for the exporter at each capacitated node."""
        return capacity_left(self.node_whole, self.node_others(), self.node_allocation)

    def spare_capacity(self) -> Array:
        """Return each route's capacity left for the exporter beyond its baseline flow.

        NaN where the capacity is unknown; never negative.
        """
        left = capacity_left(self.whole, self.others, self.allocation)
        spare = np.maximum(np.where(np.isinf(left), 0.0, left) - self.baseline, 0.0)
        return np.where(np.isinf(left), np.nan, spare)

    def cap_source(self, kind: str, asset: str) -> tuple[str, CapSource | None]:
        """Return the scope of an asset's limit (the exporter, or "") and where it comes from."""
        scope = self.exporter if (kind, asset, self.exporter) in self.sources else ""
        return scope, self.sources.get((kind, asset, scope), self.sources.get((kind, asset, "")))

    # --- the rest ------------------------------------------------------------------------------

    def countries(self, route: str) -> tuple[str, ...]:
        """Return the countries a route (of the package or added) touches."""
        return tuple(self.routes.at[route, "countries"])

    def target_rates(self) -> Array:
        """Return the target flow of each target route, Mt/year."""
        return np.array([rate for _, rate in self.inputs.targets], float)

    @property
    def price(self) -> float:
        """Return the price in USD/t for the year (NaN when unknown)."""
        return self.inputs.price

    def solve(
        self, p: Period, route_cap: Array | None = None, node_cap: Array | None = None
    ) -> Solution:
        """Solve the period's LP, optionally with changed capacities."""
        return self.model.solve(
            supply=self.supply_at(p),
            route_cap=self.route_caps(p) if route_cap is None else route_cap,
            baseline=self.baseline_at(p),
            node_cap=self.node_caps() if node_cap is None else node_cap,
            target=self.target_rates(),
        )

    @property
    def total_exports(self) -> float | None:
        """Return the reconciled total exports [Mt/year] (None for an observed baseline)."""
        if self.reconciliation is None:
            return None
        return float(self.reconciliation.estimate("total", self.exporter).value)

    def exports_at(self, p: Period) -> float | None:
        """Return the reconciled total exports in a period as a rate [Mt/year] (None: observed).

        The exporter's reconciled route flows leaving its origins plus the unattributed
        exports, day-weighted over the period's months.
        """
        rec = self.reconciliation
        if rec is None:
            return None
        weights = self._months_of(p)
        u = rec.unattributed[rec.unattributed["exporter"] == self.exporter]
        days = np.array(
            [
                (date(self.year + m // 12, m % 12 + 1, 1) - date(self.year, m, 1)).days
                for m in range(1, 13)
            ],
            float,
        )
        unattributed = np.zeros(12)
        for row in u.itertuples():
            unattributed[int(row.month) - 1] += float(row.volume)
        rates = unattributed * DAYS_PER_YEAR / days
        routed = float(self._injection(self.baseline_at(p))[self.origins].sum())
        return float(weights @ rates + routed)

    def base_dependence(self, p: Period | None = None) -> Dependence:
        """Return the dependence figures of the baseline (before the scenario) in a period.

        Observed: `corridor.metrics.dependence` of the flows table (the same in every
        period). Reconciled: of the period's reconciled route flows (`baseline_at`; default
        the year's), with the reconciled total exports (`exports_at`).
        """
        if self.reconciliation is None:
            return dependence(
                self.n, exporter=self.exporter, year=self.year, commodity=self.commodity
            )
        p = p or Period(str(self.year), date(self.year, 1, 1), date(self.year + 1, 1, 1))
        return dependence(
            self.n,
            exporter=self.exporter,
            year=self.year,
            commodity=self.commodity,
            flows=self.flow_table(self.baseline_at(p)),
            total_exports=self.exports_at(p),
        )

    @cached_property
    def network(self) -> Network:
        """Return the network with the scenario's added routes (the same one when none)."""
        if not self.inputs.added:
            return self.n
        extra = self.routes.loc[list(self.inputs.added)].drop(columns="countries")
        extra = extra.assign(commodity=self.commodity)
        return self.n.replace(routes=pd.concat([self.n.routes, extra]))

    def flow_table(self, flow: Array) -> pd.DataFrame:
        """Return a flow of the exporter (one value per route) as a table for the metrics.

        Routes with a baseline flow keep its source; the others have none.
        """
        seen = self.observed.drop_duplicates("route").set_index("route")
        keep = [(r, float(v)) for r, v in zip(self.route_ids, flow, strict=True) if v > TOL]
        return pd.DataFrame(
            {
                "route": [r for r, _ in keep],
                "volume": [v for _, v in keep],
                "source": [seen.at[r, "source"] if r in seen.index else "" for r, _ in keep],
                "confidence": [
                    seen.at[r, "confidence"] if r in seen.index else "low" for r, _ in keep
                ],
                "basis": "estimate",
            }
        )
