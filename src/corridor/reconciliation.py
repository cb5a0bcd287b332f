r"""Reconciliation: every sourced figure of a year fitted into monthly path flows, with intervals.

`reconcile` takes the observations of one year and one commodity (``n.observations``: flows,
totals, part-year and all-shipper figures, ranges, bounds, aggregates such as
``bypassing:RUS``) and finds the per-path, per-month flows of every exporter that fit them best
within the capacities in force. Observations that cannot all hold are reported as `Conflict`
records, never averaged silently. Every figure then comes as an `Estimate`: the best-fit value
and the lowest and highest values consistent with every observation's band.

Notes
-----
Sets: exporters :math:`e` (those with an observation in the year); their paths :math:`p`
(every corridor of ``Network.corridors`` and each of its prefixes: a path may end where the
data stops; an exporter observed on a route its origins cannot reach, such as Russian shippers
on ``cpc``, which starts in Kazakhstan, also gets the corridors starting with that route, from
its from-node); months :math:`m` with :math:`d_m` days of a year of :math:`D` days; countries
:math:`X` named by a ``crossing:``/``bypassing:`` selector and :math:`C` by a ``to:`` selector;
observations :math:`o` with band :math:`[\\ell_o, h_o]` (`evidence.band` on the amounts).

Variables (all :math:`\\ge 0`, Mt in the month): path flow :math:`y_{epm}`; its year
:math:`Y_{ep}`; smoothing deviations :math:`\\delta^\\pm_{epm}`; unattributed exports
:math:`u_{em}` (on no route of the package); the part :math:`w_{eXm}` of the unknown mass that
crosses :math:`X`; the part :math:`v_{eCm}` delivered to :math:`C`; misfits :math:`s^\\pm_o`;
other shippers' volume :math:`o_{rm}` on each route :math:`r` a throughput or a capacity
observation covers (shippers the package does not model: it counts in those observations and
in the capacity rows of all shippers, nowhere else, so a whole-pipeline throughput says nothing
about one exporter's share unless shipper-specific observations do); distances
:math:`\\mu^\\pm_o` of each observation from the middle of its band.

A path crosses :math:`X` (*yes*) when :math:`X` is one of its transit countries, does not
(*no*) when its destination is known, and is *unknown* otherwise (its onward leg is not in the
data); likewise it delivers to :math:`C` (yes / no / unknown). With
:math:`M_{eXm} = u_{em} + \\sum_{p\\ \\mathrm{unknown\\ for}\\ X} y_{epm}`::

    (1)  min  Σ_o W_o (s⁺_o + s⁻_o) + ε Σ (δ⁺ + δ⁻) + ε Σ (u + o) + 2ε Σ_{p unnamed} y
              + 4ε Σ_o WEIGHT[conf_o] (μ⁺_o + μ⁻_o)
    (2)  Y_ep − Σ_m y_epm = 0                                        every path
    (3)  y_epm − (d_m / D) Y_ep − δ⁺_epm + δ⁻_epm = 0                  smoothing
    (4)  w_eXm − M_eXm ≤ 0;   Σ_C v_eCm − M_eCm ≤ 0                   the unknown mass
    (5)  Σ_e Σ_{p ∋ r} y_epm + o_rm ≤ c_r d_m / 365.25                 capacity in force
         (and per exporter, without o, for an allocation; for a node: the routes leaving it)
    (6)  ℓ_o ≤ E_o(y, u, w, v, o) + s⁻_o − s⁺_o ≤ h_o                   every observation
    (6b) E_all,e − s⁺ ≤ h_prod + h_imports − ℓ_runs                     supply, soft
    (6c) E_o − μ⁺_o + μ⁻_o = (ℓ_o + h_o) / 2                           finite bands

with :math:`W_o = \\mathrm{WEIGHT[conf]} / \\max(|\\mathrm{mid}_o|, 0.01)` and a small ε.
:math:`E_o` is the observation's scope summed over its exporter (or all exporters and the other
shippers :math:`o` for a throughput or a capacity) and over the months, month :math:`m` weighted by
the share of its days inside the observation's period. The scope's expression in a month: ``all`` =
:math:`\\sum_p y + u`; a route = the flow of the paths using it (``r1|r2``: the sum of those routes'
flows; ``via:r`` the same; ``node:v``: the routes leaving v); ``crossing:X`` = :math:`\\sum_{yes} y
+ w`; ``bypassing:X`` = :math:`\\sum_{no} y + M - w`; ``to:C`` = :math:`\\sum_{yes} y + v`. An
observation that spans two calendar years is used in both years' LPs, each with its expression over
that year's months and its band scaled by that year's share of its days.

(6b): for an exporter with a production observation in the year, exports ≤ production +
imports − refinery runs (domestic crude use is at least the refinery runs; stock changes are
ignored): one soft row per production observation, over its period, with the production band's
high end, the highest imports high (0 without an imports figure of the year) and the lowest
refinery runs low (0 without one; a figure of another period counts pro rata to the days).
Its misfit is weighted like the production figure's and a conflict names all those rows.
(6c) makes the best fit prefer the middle of each band (a weight above the tie-breaks on u and
unnamed paths, far below any misfit); the even monthly spread of (3) stays as a tie-break.

Phase 2: the misfits are bounded by their optimum, :math:`0 \\le s^\\pm_o \\le s^{\\pm *}_o`
(conflicting bands widened just enough); every figure's interval is the min and the max of its
expression over that set, on the same HiGHS model with only the objective changed (warm
re-solves). Rows (2)-(3), (6c) and the columns Y, δ, μ are deleted from the model first: they
hold for any y, so the set of figures' values is the same and each re-solve is about three times
smaller. A share :math:`N(x)/T(x)` (T: the exporter's total exports) is a linear-fractional
program; the Charnes–Cooper transform :math:`z = t x`, :math:`t \\ge 0`::

    (7)  min / max  N(z)   s.t.   T(z) = 1,   a_i z − b_i t ≤ 0 (each row a_i x ≤ b_i of (2)–(6)),
         z_j − ū_j t ≤ 0 (each finite column bound)

keeps it an LP (one more model per year and commodity, built on the first share asked; the
row T(z) = 1 is rewritten for each exporter).

A figure's *value* is taken from the best-fit flows, the unknown mass attributed in proportion
to the known (so an unknown is never counted as "not crossing"), and clamped into its interval.

Examples
--------
>>> rec = reconcile(corridor.load_package(), year=2025)
>>> e = rec.estimate("share:crossing:RUS", "KAZ")
>>> e.unit, e.low <= e.value <= e.high
('share', True)
"""

from __future__ import annotations

import calendar
import math
import threading
import weakref
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import highspy
import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import sparse  # type: ignore[import-untyped]

from corridor.display import Displayable
from corridor.evidence import PLACE_SCOPES, WEIGHT, Period, Scope, band, parse_scope
from corridor.exceptions import (
    InvalidArgumentError,
    NoFlowsError,
    Problem,
    SolverError,
    UnknownError,
)
from corridor.network import Network
from corridor.solve import new_highs
from corridor.units import DAYS_PER_YEAR

Array = npt.NDArray[np.float64]
INF = highspy.kHighsInf
MONTHS = 12
#: An interval narrower than this is "pinned": absolute for shares, relative for volumes.
PIN_WIDTH: dict[str, float] = {"share": 0.02, "volume": 0.02}
#: Misfit (Mt) above which an observation is in conflict.
CONFLICT_TOL = 1e-6
#: Weight of the tie-breaks of (1): far below any misfit weight.
EPSILON = 1e-6
#: Dual value above which a row binds.
DUAL_TOL = 1e-9
#: Weight per Mt (times `WEIGHT` of the row's confidence) of an observation's distance from the
#: middle of its band: above the tie-breaks on u and unnamed paths, far below any misfit.
MID_WEIGHT = 4 * EPSILON
#: Measures that bound an exporter's exports through its supply (never fitted on their own).
SUPPLY_BOUND_MEASURES = ("production", "imports", "refinery_runs")

ROUTE_SCOPES = ("route", "routes", "via", "node")
SCOPES_BY_MEASURE: dict[str, tuple[str, ...]] = {
    "flow": ("route", "routes", "node", "via", "crossing", "bypassing", "to", "all"),
    "exports": ("all", "crossing", "bypassing", "to", "via"),
    "throughput": ("route", "routes", "node", "via"),
    "capacity": ("route", "routes", "node", "via"),
}


# -- result types -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Estimate(Displayable):
    """A figure as the best-fit value and the interval every observation's band allows.

    ``pinned``: the interval is narrower than `PIN_WIDTH`; ``binding``: observations whose
    constraint binds at the min or the max; ``pinned_by``: observations whose expression shares
    paths with the figure.
    """

    value: float
    low: float
    high: float
    unit: str
    pinned: bool
    binding: tuple[str, ...] = ()
    pinned_by: tuple[str, ...] = ()

    def __str__(self) -> str:
        if self.unit == "share":
            return f"{100 * self.value:.1f} % ({100 * self.low:.1f}–{100 * self.high:.1f})"
        return f"{self.value:.2f} ({self.low:.2f}–{self.high:.2f}) {self.unit}"


@dataclass(frozen=True)
class Conflict:
    """Observations whose bands cannot all hold: the one that misses and those on the other side.

    ``amount`` is the misfit of the first observation, in the commodity's amount unit (Mt).
    """

    ids: tuple[str, ...]
    amount: float
    unit: str
    note: str


@dataclass(frozen=True, eq=False)
class Explanation(Displayable):
    """Why a figure has its value: the observations that pin it, those that bind, conflicts."""

    figure: str
    exporter: str
    year: int
    estimate: Estimate
    observations: pd.DataFrame
    binding: tuple[str, ...]
    conflicts: tuple[Conflict, ...]


# -- the LP layout ------------------------------------------------------------------------------


@dataclass
class _Path:
    routes: tuple[str, ...]
    transit: frozenset[str]
    destination: str | None
    chokepoints: frozenset[str]
    operators: frozenset[str]


@dataclass
class _Obs:
    id: str
    row: int
    lo: float
    hi: float
    weight: float
    cols: npt.NDArray[np.int64]
    slack: tuple[int, int]
    #: The rows a conflict names (default: the observation itself).
    names: tuple[str, ...] = ()
    #: The expression E_o (without the misfits), for the preference for mid-band values.
    coef: dict[int, float] = field(default_factory=dict)


@dataclass
class _LP:
    """Columns, rows and the matrix of (1)–(6), built incrementally."""

    lower: list[float] = field(default_factory=list)
    upper: list[float] = field(default_factory=list)
    cost: list[float] = field(default_factory=list)
    row_lo: list[float] = field(default_factory=list)
    row_hi: list[float] = field(default_factory=list)
    rows: list[Any] = field(default_factory=list)
    cols: list[Any] = field(default_factory=list)
    vals: list[Any] = field(default_factory=list)

    def add_cols(self, k: int, cost: float = 0.0, upper: float = INF) -> int:
        start = len(self.cost)
        self.lower += [0.0] * k
        self.upper += [upper] * k
        self.cost += [cost] * k
        return start

    def add_row(self, coef: dict[int, float], lo: float, hi: float) -> int:
        i = len(self.row_lo)
        self.row_lo.append(lo)
        self.row_hi.append(hi)
        self.rows.append(np.full(len(coef), i, np.int64))
        self.cols.append(np.fromiter(coef.keys(), np.int64, len(coef)))
        self.vals.append(np.fromiter(coef.values(), np.float64, len(coef)))
        return i

    def add_rows(self, r: Any, c: Any, v: Any, lo: Array, hi: Array) -> None:
        """Add len(lo) rows given by triplets whose row indices count from 0."""
        base = len(self.row_lo)
        self.rows.append(np.asarray(r, np.int64) + base)
        self.cols.append(np.asarray(c, np.int64))
        self.vals.append(np.asarray(v, np.float64))
        self.row_lo += list(lo)
        self.row_hi += list(hi)

    def matrix(self) -> sparse.csc_matrix:
        shape = (len(self.row_lo), len(self.cost))
        if not self.rows:
            return sparse.csc_matrix(shape)
        r, c, v = (np.concatenate(x) for x in (self.rows, self.cols, self.vals))
        return sparse.csc_matrix((v, (r, c)), shape=shape)


def _pass(
    h: highspy.Highs,
    a: sparse.csc_matrix,
    cost: Array,
    col: tuple[Array, Array],
    row: tuple[Array, Array],
) -> None:
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = a.shape[1], a.shape[0]
    lp.col_cost_ = cost
    lp.col_lower_, lp.col_upper_ = col
    lp.row_lower_, lp.row_upper_ = row
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = a.indptr.astype(np.int32)
    lp.a_matrix_.index_ = a.indices.astype(np.int32)
    lp.a_matrix_.value_ = a.data.astype(np.float64)
    h.passModel(lp)


def _month_days(year: int) -> Array:
    return np.array([calendar.monthrange(year, m)[1] for m in range(1, 13)], np.float64)


def _month_weights(period: Period, year: int) -> Array:
    """Share of each month's days inside the period (uniform flow within a month)."""
    out = np.zeros(MONTHS)
    for m in range(MONTHS):
        first = date(year, m + 1, 1)
        after = date(year + 1, 1, 1) if m == 11 else date(year, m + 2, 1)
        out[m] = period.overlap(first, after) / (after - first).days
    return out


class _Graph:
    """The routes as plain dicts, so that describing many paths needs no pandas per step.

    The corridors are `Network.corridor_routes`; a path's transit countries, chokepoints and
    operators follow `Network.describe_path`.
    """

    def __init__(self, n: Network) -> None:
        self.n = n
        r = n.routes
        self.head = dict(zip(r.index, r["to_node"], strict=True))
        self.countries = {k: n.route_countries(k) for k in r.index}
        self.chokepoints = dict(zip(r.index, r["chokepoints"], strict=True))
        self.operator = dict(zip(r.index, r["operator"], strict=True))

    def path(self, exporter: str, routes: tuple[str, ...]) -> _Path:
        end = self.head[routes[-1]]
        dest = self.n.destination_country(exporter, end)
        drop = {exporter, dest or ""}
        countries = (c for k in routes for c in self.countries[k])
        return _Path(
            routes=routes,
            transit=frozenset(c for c in countries if c not in drop),
            destination=dest,
            chokepoints=frozenset(c for k in routes for c in self.chokepoints[k]),
            operators=frozenset(o for k in routes if (o := self.operator[k])),
        )


def _paths(
    g: _Graph, exporter: str, allowed: set[str], entries: tuple[str, ...] = ()
) -> list[_Path]:
    """Every corridor of the exporter on the commodity's routes, and each of its prefixes.

    ``entries``: routes the exporter is observed on; one its origins cannot reach becomes an
    entry point (the corridors starting with it are added).
    """
    corridors = g.n.corridor_routes(exporter)
    reached = {r for c in corridors for r in c}
    for r in entries:
        if r in allowed and r not in reached:
            corridors += g.n.corridor_routes(start=r)
            reached |= {k for c in corridors for k in c}
    seen: dict[tuple[str, ...], None] = {}
    for routes in corridors:
        for k in range(1, len(routes) + 1):
            if routes[k - 1] not in allowed:
                break
            seen.setdefault(tuple(routes[:k]), None)
    return [g.path(exporter, routes) for routes in seen]


def _shipper(value: object) -> str:
    """Return an observation's exporter, "" for all shippers (blank, None or NaN)."""
    return value if isinstance(value, str) else ""


def _crossing_status(p: _Path, country: str) -> str:
    if country in p.transit:
        return "yes"
    return "unknown" if p.destination is None else "no"


def _delivery_status(p: _Path, country: str) -> str:
    if p.destination is None:
        return "unknown"
    return "yes" if p.destination == country else "no"


class _Model:
    """The LP of (1)–(6) for one year and commodity, and its phase-2 re-solves."""

    def __init__(self, n: Network, year: int, commodity: str, obs: pd.DataFrame) -> None:
        self.n, self.year, self.commodity = n, year, commodity
        # one HiGHS instance is re-solved for every interval: one thread at a time (a cached
        # reconciliation is shared by the web server's threads; HiGHS is not thread-safe)
        self._lock = threading.RLock()
        self.days = _month_days(year)
        self.ignored: list[tuple[str, str]] = []
        self.unit = "Mt" if n.unit_of(commodity).startswith("Mt") else n.unit_of(commodity)
        self.obs = self._select(obs)
        self.exporters = sorted({e for e in map(_shipper, self.obs["exporter"]) if e})
        graph, allowed = _Graph(n), set(n.commodity_routes(commodity))
        entries = self._observed_routes()
        self.paths = {e: _paths(graph, e, allowed, entries.get(e, ())) for e in self.exporters}
        self.lp = _LP()
        self._layout()
        self._route_index()
        self._selector_columns()
        self._other_columns(allowed)
        self._capacity_rows()
        self.rows: list[_Obs] = []
        for oid, row in self.obs.iterrows():
            self._observation_row(str(oid), row)
        self._supply_rows()
        self.n_col, self.n_row = len(self.lp.cost), len(self.lp.row_lo)
        self._smoothing_rows()  # last: phase 2 drops them
        self._mid_rows()
        self._solve_fit()

    # ---- selection and layout -----------------------------------------------------------------

    def _select(self, obs: pd.DataFrame) -> pd.DataFrame:
        """Observations of the commodity whose period touches the year.

        A chokepoint's throughput (`PLACE_SCOPES`) is all shippers' traffic through a strait,
        not a figure of any exporter's paths: it is left out, and not listed as ignored.
        """
        first, after = date(self.year, 1, 1), date(self.year + 1, 1, 1)
        keep = []
        for oid, row in obs.iterrows():
            if (row["commodity"] or self.n.meta.commodity) != self.commodity:
                continue
            if _of_a_place(row["scope"]):
                continue
            if Period(row["start"], row["end"]).overlap(first, after) > 0:
                keep.append(oid)
        return obs.loc[keep]

    def _observed_routes(self) -> dict[str, tuple[str, ...]]:
        """Return the routes each exporter is observed on (route, routes, via and node scopes)."""
        out: dict[str, list[str]] = defaultdict(list)
        for who, scope in zip(self.obs["exporter"], self.obs["scope"], strict=True):
            e = _shipper(who)
            try:
                s = parse_scope(str(scope))
            except InvalidArgumentError:
                continue
            if e and s.kind in ROUTE_SCOPES:
                out[e] += self._leaving(s.targets[0]) if s.kind == "node" else list(s.routes)
        return {e: tuple(dict.fromkeys(r)) for e, r in out.items()}

    def _other_columns(self, allowed: set[str]) -> None:
        """Add o[r, m]: other shippers' volume on each route a throughput or capacity covers."""
        self.other: dict[str, int] = {}
        routes: list[str] = []
        for measure, scope in zip(self.obs["measure"], self.obs["scope"], strict=True):
            if measure not in ("throughput", "capacity"):
                continue
            try:
                s = parse_scope(str(scope))
            except InvalidArgumentError:
                continue
            if s.kind in ROUTE_SCOPES:
                routes += self._leaving(s.targets[0]) if s.kind == "node" else list(s.routes)
        for r in dict.fromkeys(routes):
            if r in allowed:
                self.other[r] = self.lp.add_cols(MONTHS, cost=EPSILON)

    def _layout(self) -> None:
        lp = self.lp
        self.path_of: list[tuple[str, int]] = [
            (e, i) for e in self.exporters for i in range(len(self.paths[e]))
        ]
        self.first: dict[str, int] = {}
        g = 0
        for e in self.exporters:
            self.first[e] = g
            g += len(self.paths[e])
        self.n_paths = g
        self.y0 = lp.add_cols(g * MONTHS)
        self.u0 = lp.add_cols(len(self.exporters) * MONTHS, cost=EPSILON)

    def y(self, e: str, i: int, m: int) -> int:
        return self.y0 + (self.first[e] + i) * MONTHS + m

    def u(self, e: str, m: int) -> int:
        return self.u0 + self.exporters.index(e) * MONTHS + m

    def _route_index(self) -> None:
        self.by_route: dict[tuple[str, str], list[int]] = defaultdict(list)
        for e in self.exporters:
            for i, p in enumerate(self.paths[e]):
                for r in p.routes:
                    self.by_route[(e, r)].append(i)

    def _scopes(self) -> list[tuple[list[str], Scope]]:
        """Return the parsed scope of each observation and the exporters it is about."""
        out = []
        for oid, row in self.obs.iterrows():
            who = [_shipper(row["exporter"])] if _shipper(row["exporter"]) else self.exporters
            try:
                out.append((who, parse_scope(str(row["scope"]))))
            except InvalidArgumentError as err:
                self.ignored.append((str(oid), f"scope: {err}"))
        return out

    def _selector_columns(self) -> None:
        """Add the w and v columns of the selectors the observations use, and rows (4)."""
        self.w: dict[tuple[str, str], int] = {}
        self.v: dict[tuple[str, str], int] = {}
        self.named: set[str] = set()
        for who, s in self._scopes():
            kind = s.kind
            if kind in ("crossing", "bypassing", "to"):
                cols = self.w if kind != "to" else self.v
                for e in who:
                    if (e, s.targets[0]) not in cols:
                        cols[(e, s.targets[0])] = self.lp.add_cols(MONTHS)
            elif kind == "node":
                self.named |= set(self._leaving(s.targets[0]))
            else:
                self.named |= set(s.routes)
        self._mass_rows()
        for g, (e, i) in enumerate(self.path_of):
            if not set(self.paths[e][i].routes) & self.named:
                for m in range(MONTHS):
                    self.lp.cost[self.y0 + g * MONTHS + m] = 2 * EPSILON

    def _mass_rows(self) -> None:
        """Rows (4): w within the unknown mass; the v of an exporter together within theirs."""
        for (e, x), c in self.w.items():
            for m in range(MONTHS):
                coef = {c + m: 1.0}
                self._unknown_mass(coef, e, m, lambda p, x=x: _crossing_status(p, x), -1.0)
                self.lp.add_row(coef, -INF, 0.0)
        for e in self.exporters:
            cs = [c for (ee, _), c in self.v.items() if ee == e]
            for m in range(MONTHS) if cs else ():
                coef = {c + m: 1.0 for c in cs}
                self._unknown_mass(coef, e, m, lambda p: _delivery_status(p, ""), -1.0)
                self.lp.add_row(coef, -INF, 0.0)

    def _unknown_mass(
        self, coef: dict[int, float], e: str, m: int, status: Any, sign: float
    ) -> None:
        """Add sign * M_em to coef, M = u + the paths whose status is unknown."""
        coef[self.u(e, m)] = coef.get(self.u(e, m), 0.0) + sign
        for i, p in enumerate(self.paths[e]):
            if status(p) == "unknown":
                coef[self.y(e, i, m)] = coef.get(self.y(e, i, m), 0.0) + sign

    def _leaving(self, node: str) -> list[str]:
        routes = self.n.routes
        return [str(r) for r in routes.index[routes["from_node"] == node]]

    def _smoothing_rows(self) -> None:
        """Rows (2) and (3), with the columns Y and δ: the last rows and columns of the LP."""
        g = self.n_paths
        if not g:
            return
        self.Y0 = self.lp.add_cols(g)
        self.d0 = self.lp.add_cols(2 * g * MONTHS, cost=EPSILON)
        frac = self.days / self.days.sum()
        paths = np.arange(g)
        ycols = self.y0 + paths[:, None] * MONTHS + np.arange(MONTHS)[None, :]
        r2 = np.concatenate([paths, np.repeat(paths, MONTHS)])
        c2 = np.concatenate([self.Y0 + paths, ycols.ravel()])
        v2 = np.concatenate([np.ones(g), -np.ones(g * MONTHS)])
        self.lp.add_rows(r2, c2, v2, np.zeros(g), np.zeros(g))
        k = np.arange(g * MONTHS)
        pm = k // MONTHS
        r3 = np.concatenate([k, k, k, k])
        c3 = np.concatenate([self.y0 + k, self.Y0 + pm, self.d0 + k, self.d0 + g * MONTHS + k])
        v3 = np.concatenate([np.ones(k.size), -frac[k % MONTHS], -np.ones(k.size), np.ones(k.size)])
        self.lp.add_rows(r3, c3, v3, np.zeros(k.size), np.zeros(k.size))

    def _capacity_rows(self) -> None:
        """Rows (5): capacities and allocations in force, scaled to each month's days."""
        caps = self.n.capacities
        if caps.empty:
            return
        for (route, node, who), group in caps.groupby(["route", "node", "exporter"]):
            row = Network.in_force(group, self.year)
            if row is None or pd.isna(row["capacity"]):
                continue
            routes = [str(route)] if route else self._leaving(str(node))
            shippers = [str(who)] if who else self.exporters
            for m in range(MONTHS):
                coef = self.route_expr(shippers, routes, np.eye(MONTHS)[m], others=not who)
                if coef:
                    cap = float(row["capacity"]) * self.days[m] / DAYS_PER_YEAR
                    self.lp.add_row(coef, -INF, cap)

    # ---- expressions --------------------------------------------------------------------------

    def route_expr(
        self, shippers: list[str], routes: list[str], months: Array, *, others: bool = False
    ) -> dict[int, float]:
        """Σ over shippers, routes and months (weighted) of the route flows.

        ``others``: add the other shippers' volume o (all shippers' throughput or capacity).
        """
        coef: dict[int, float] = defaultdict(float)
        for e in shippers:
            for r in routes:
                for i in self.by_route.get((e, r), ()):
                    for m in np.flatnonzero(months):
                        coef[self.y(e, i, int(m))] += months[m]
        for r in routes if others else ():
            if r in self.other:
                for m in np.flatnonzero(months):
                    coef[self.other[r] + int(m)] += months[m]
        return dict(coef)

    def scope_expr(self, e: str, s: Scope, months: Array) -> dict[int, float]:
        """Return the expression of scope `s` for exporter `e` over the weighted months."""
        if s.kind in ROUTE_SCOPES:
            routes = self._leaving(s.targets[0]) if s.kind == "node" else list(s.routes)
            return self.route_expr([e], routes, months)
        coef: dict[int, float] = defaultdict(float)
        for m in np.flatnonzero(months):
            k = months[m]
            for col, c in self._selector_month(e, s, int(m)).items():
                coef[col] += k * c
        return dict(coef)

    def _selector_month(self, e: str, s: Scope, m: int) -> dict[int, float]:
        paths = self.paths[e]
        if s.kind == "all":
            coef = {self.y(e, i, m): 1.0 for i in range(len(paths))}
            coef[self.u(e, m)] = 1.0
            return coef
        x = s.targets[0]
        if s.kind == "to":
            coef = {
                self.y(e, i, m): 1.0 for i, p in enumerate(paths) if _delivery_status(p, x) == "yes"
            }
            coef[self.v[(e, x)] + m] = 1.0
            return coef
        want = "yes" if s.kind == "crossing" else "no"
        coef = {self.y(e, i, m): 1.0 for i, p in enumerate(paths) if _crossing_status(p, x) == want}
        if s.kind == "crossing":
            coef[self.w[(e, x)] + m] = 1.0
        else:
            self._unknown_mass(coef, e, m, lambda p: _crossing_status(p, x), 1.0)
            coef[self.w[(e, x)] + m] = -1.0
        return coef

    # ---- observations -------------------------------------------------------------------------

    def _why_not(self, row: pd.Series, s: Scope) -> str:
        measure = str(row["measure"])
        if measure in SUPPLY_BOUND_MEASURES:
            return f"{measure} bounds exports only with a production figure of the year"
        if measure not in SCOPES_BY_MEASURE:
            return f"{measure} is not an observation of exports or routes"
        if s.kind not in SCOPES_BY_MEASURE[measure]:
            return f"scope {s} is not allowed for measure {measure}"
        known = set(self.n.commodity_routes(self.commodity))
        if s.kind == "node" and s.targets[0] not in self.n.nodes.index:
            return f"unknown node {s.targets[0]!r}"
        if s.kind in ("route", "routes", "via") and not set(s.routes) <= known:
            return f"route(s) {', '.join(sorted(set(s.routes) - known))} not on {self.commodity}"
        return ""

    def _observation_row(self, oid: str, row: pd.Series) -> None:
        try:
            s = parse_scope(str(row["scope"]))
        except InvalidArgumentError:
            return  # already listed by _scopes
        why = self._why_not(row, s)
        if why:
            self.ignored.append((oid, why))
            return
        period = Period(row["start"], row["end"])
        months = _month_weights(period, self.year)
        share = sum(months * self.days) / period.days
        one = _shipper(row["exporter"])
        shippers = [one] if one else self.exporters
        coef: dict[int, float] = defaultdict(float)
        for e in shippers:
            for c, k in self.scope_expr(e, s, months).items():
                coef[c] += k
        if not one and s.kind in ROUTE_SCOPES:
            routes = self._leaving(s.targets[0]) if s.kind == "node" else list(s.routes)
            for c, k in self.route_expr([], routes, months, others=True).items():
                coef[c] += k
        if not coef:
            self.ignored.append(
                (oid, f"no path of {', '.join(shippers) or 'any exporter'} in scope {s}")
            )
            return
        lo, hi = band(row["amount"], row["amount_low"], row["amount_high"], str(row["confidence"]))
        if row["measure"] == "capacity":
            lo = -math.inf
        lo, hi = lo * share, hi * share
        mid = (
            (lo + hi) / 2
            if math.isfinite(lo) and math.isfinite(hi)
            else (hi if math.isfinite(hi) else lo)
        )
        weight = WEIGHT[str(row["confidence"])] / max(abs(mid), 0.01)
        s_minus = self.lp.add_cols(1, weight, INF if math.isfinite(lo) else 0.0)
        s_plus = self.lp.add_cols(1, weight, INF if math.isfinite(hi) else 0.0)
        coef[s_minus], coef[s_plus] = 1.0, -1.0
        r = self.lp.add_row(
            dict(coef), lo if math.isfinite(lo) else -INF, hi if math.isfinite(hi) else INF
        )
        expr = {c: k for c, k in coef.items() if c < s_minus}
        cols = np.fromiter(expr, np.int64, len(expr))
        self.rows.append(_Obs(oid, r, lo, hi, weight, cols, (s_minus, s_plus), (oid,), expr))

    def _supply_rows(self) -> None:
        """Soft rows: exports(all) ≤ production + imports − refinery runs, per production figure.

        Over the production figure's period in the year, with the bands' production high,
        imports high (0 without an imports figure) and runs low (0 without one); a full-year
        imports or runs figure counts pro rata to the production period's days. Stock changes
        are ignored.
        """
        used: set[str] = set()
        for e in self.exporters:
            mine = self.obs[self.obs["exporter"].map(_shipper) == e]
            mine = mine[mine["scope"] == "all"]
            for oid, row in mine[mine["measure"] == "production"].iterrows():
                names = self._supply_row(e, str(oid), row, mine)
                used |= set(names)
        self.ignored = [(i, why) for i, why in self.ignored if i not in used]

    def _annual_band(self, row: pd.Series, high: bool) -> tuple[float, Array]:
        """Return the band end of a row scaled to its part in the year, and its month weights."""
        period = Period(row["start"], row["end"])
        months = _month_weights(period, self.year)
        share = sum(months * self.days) / period.days
        lo, hi = band(row["amount"], row["amount_low"], row["amount_high"], str(row["confidence"]))
        return (hi if high else lo) * share, months

    def _supply_row(self, e: str, oid: str, row: pd.Series, mine: pd.DataFrame) -> tuple[str, ...]:
        prod, months = self._annual_band(row, high=True)
        if not math.isfinite(prod):
            return ()
        cover = float(months @ self.days) / float(self.days.sum())
        bound, names = prod, [oid]
        for measure, high in (("imports", True), ("refinery_runs", False)):
            best: tuple[float, str] | None = None
            for qid, q in mine[mine["measure"] == measure].iterrows():
                amount, qm = self._annual_band(q, high)
                whole = float(qm @ self.days) / float(self.days.sum())
                if not math.isfinite(amount) or whole <= 0:
                    continue
                amount *= cover / whole
                if best is None or (amount > best[0] if high else amount < best[0]):
                    best = (amount, str(qid))
            if best is not None:
                bound += best[0] if high else -best[0]
                names.append(best[1])
        coef = self.scope_expr(e, parse_scope("all"), months)
        weight = WEIGHT[str(row["confidence"])] / max(abs(bound), 0.01)
        s_minus = self.lp.add_cols(1, weight, 0.0)
        s_plus = self.lp.add_cols(1, weight, INF)
        expr = dict(coef)
        coef[s_plus] = -1.0
        r = self.lp.add_row(coef, -INF, bound)
        cols = np.fromiter(expr, np.int64, len(expr))
        note = tuple(names)
        self.rows.append(_Obs(oid, r, -math.inf, bound, weight, cols, (s_minus, s_plus), note))
        return note

    def _mid_rows(self) -> None:
        """Rows E_o − μ⁺ + μ⁻ = mid_o (μ costs `MID_WEIGHT`): prefer mid-band values.

        Added after the smoothing rows, so phase 2 drops them too (they hold for any flows).
        """
        for o in self.rows:
            if not (math.isfinite(o.lo) and math.isfinite(o.hi)) or not o.coef:
                continue
            conf = str(self.obs.at[o.id, "confidence"])
            start = self.lp.add_cols(2, MID_WEIGHT * WEIGHT.get(conf, 1.0))
            coef = {**o.coef, start: -1.0, start + 1: 1.0}
            mid = (o.lo + o.hi) / 2
            self.lp.add_row(coef, mid, mid)

    # ---- solves -------------------------------------------------------------------------------

    def _solve_fit(self) -> None:
        lp = self.lp
        self.a = lp.matrix()
        self.col_lower = np.array(lp.lower)
        self.col_upper = np.array(lp.upper)
        self.row_lower = np.array(lp.row_lo)
        self.row_upper = np.array(lp.row_hi)
        self.cost = np.array(lp.cost)
        #: Rows, columns and nonzeros of the fit LP (1)-(6).
        self.sizes = (self.a.shape[0], self.a.shape[1], self.a.nnz)
        self.h = new_highs()
        _pass(
            self.h,
            self.a,
            self.cost,
            (self.col_lower, self.col_upper),
            (self.row_lower, self.row_upper),
        )
        self.h.run()
        status = self.h.modelStatusToString(self.h.getModelStatus())
        if status not in ("Optimal", "Empty"):
            msg = f"the reconciliation LP of {self.year} ended {status}"
            raise SolverError(msg)
        sol = self.h.getSolution()
        self.x = np.asarray(sol.col_value, np.float64).copy()
        self.x[np.abs(self.x) < 1e-9] = 0.0
        self.duals = np.asarray(sol.row_dual, np.float64).copy()
        self.objective = float(self.h.getInfo().objective_function_value)
        self.fit = float(sum(o.weight * self.misfit(o) for o in self.rows))
        self._phase_two()

    def _phase_two(self) -> None:
        """Bound the misfits by their optimum and drop the smoothing rows and columns.

        Rows (2)-(3) and the columns Y, δ hold for any y (Y and δ are free to follow), so
        dropping them leaves the feasible set of the figures unchanged.
        """
        n_col, n_row = self.n_col, self.n_row
        extra_cols = np.arange(n_col, len(self.cost), dtype=np.int32)
        extra_rows = np.arange(n_row, len(self.row_lower), dtype=np.int32)
        if extra_rows.size:
            self.h.deleteRows(extra_rows.size, extra_rows)
        if extra_cols.size:
            self.h.deleteCols(extra_cols.size, extra_cols)
        self.a = self.a[:n_row, :n_col].tocsc()
        self.x, self.duals = self.x[:n_col], self.duals[:n_row]
        self.cost, self.col_lower = self.cost[:n_col], self.col_lower[:n_col]
        self.col_upper = self.col_upper[:n_col]
        self.row_lower, self.row_upper = self.row_lower[:n_row], self.row_upper[:n_row]
        for o in self.rows:
            for c in o.slack:
                self.col_upper[c] = min(self.col_upper[c], self.x[c])
        every = np.arange(n_col, dtype=np.int32)
        self.h.changeColsBounds(n_col, every, self.col_lower, self.col_upper)
        self.h.changeColsCost(n_col, every, np.zeros(n_col))
        self._cc: highspy.Highs | None = None
        self._supports: dict[str, set[int]] = {}
        self._cc_den = np.zeros(n_col)

    def misfit(self, o: _Obs) -> float:
        """s⁻ + s⁺ of an observation at the best fit (Mt)."""
        return float(self.x[o.slack[0]] + self.x[o.slack[1]])

    def extreme(self, coef: Array, sign: float) -> tuple[float, set[int]]:
        """Min (sign 1) or max (sign -1) of coef·x over the phase-2 set; the binding rows."""
        with self._lock:
            return self._extreme(coef, sign)

    def _extreme(self, coef: Array, sign: float) -> tuple[float, set[int]]:
        n_col = len(coef)
        self.h.changeColsCost(n_col, np.arange(n_col, dtype=np.int32), sign * coef)
        self.h.run()
        status = self.h.modelStatusToString(self.h.getModelStatus())
        if status != "Optimal":
            return (math.inf if sign < 0 else -math.inf), set()
        duals = np.asarray(self.h.getSolution().row_dual)
        value = sign * float(self.h.getInfo().objective_function_value)
        return value, set(np.flatnonzero(np.abs(duals) > DUAL_TOL).tolist())

    def ratio_extreme(self, num: Array, den: Array, sign: float) -> tuple[float, set[int]]:
        """Min or max of num·x / den·x over the phase-2 set, by Charnes–Cooper (7)."""
        with self._lock:
            return self._ratio_extreme(num, den, sign)

    def _ratio_extreme(self, num: Array, den: Array, sign: float) -> tuple[float, set[int]]:
        if self._cc is None:
            self._cc = self._charnes_cooper(den)
            self._cc_den = den.copy()
        h = self._cc
        row = len(self._cc_rows)
        for c in np.flatnonzero((self._cc_den != 0) | (den != 0)):
            if self._cc_den[c] != den[c]:
                h.changeCoeff(row, int(c), float(den[c]))
        self._cc_den = den.copy()
        n_col = len(num) + 1
        h.changeColsCost(n_col, np.arange(n_col, dtype=np.int32), np.append(sign * num, 0.0))
        h.run()
        status = h.modelStatusToString(h.getModelStatus())
        if status != "Optimal":
            return (1.0 if sign < 0 else 0.0), set()
        duals = np.asarray(h.getSolution().row_dual)[:-1]
        bind = {int(self._cc_rows[i]) for i in np.flatnonzero(np.abs(duals) > DUAL_TOL)}
        return sign * float(h.getInfo().objective_function_value), bind

    def _charnes_cooper(self, den: Array) -> highspy.Highs:
        a, n_col = self.a, self.a.shape[1]
        parts, rows_of = [], []
        lo_fin = np.isfinite(self.row_lower) & (self.row_lower > -INF)
        hi_fin = np.isfinite(self.row_upper) & (self.row_upper < INF)
        for keep, bound, sign in ((hi_fin, self.row_upper, 1.0), (lo_fin, self.row_lower, -1.0)):
            idx = np.flatnonzero(keep)
            block = sign * a[idx]
            parts.append(sparse.hstack([block, sparse.csc_matrix(-sign * bound[idx][:, None])]))
            rows_of.append(idx)
        ub = np.flatnonzero(self.col_upper < INF)
        eye = sparse.csr_matrix(
            (np.ones(ub.size), (np.arange(ub.size), ub)), shape=(ub.size, n_col)
        )
        parts.append(sparse.hstack([eye, sparse.csc_matrix(-self.col_upper[ub][:, None])]))
        rows_of.append(np.full(ub.size, -1))
        parts.append(sparse.csr_matrix(np.append(den, 0.0)[None, :]))
        m = sparse.vstack(parts).tocsc()
        n_rows = m.shape[0]
        self._cc_rows = np.concatenate(rows_of)
        lower = np.full(n_rows, -INF)
        upper = np.zeros(n_rows)
        lower[-1] = upper[-1] = 1.0
        h = new_highs()
        cost = np.zeros(n_col + 1)
        _pass(h, m, cost, (np.zeros(n_col + 1), np.full(n_col + 1, INF)), (lower, upper))
        return h

    # ---- figures ------------------------------------------------------------------------------

    def annual(self, e: str, keep: Any) -> Array:
        """Coefficients of the year's flow of the exporter's paths for which keep(p) holds."""
        c = np.zeros(len(self.cost))
        for i, p in enumerate(self.paths[e]):
            k = keep(p)
            if k:
                start = self.y(e, i, 0)
                c[start : start + MONTHS] = float(k)
        return c

    def unknown_mass(self, e: str, status: Any) -> Array:
        """Coefficients of the year's unknown mass: u and the paths of unknown status."""
        c = self.annual(e, lambda p: status(p) == "unknown")
        c[self.u(e, 0) : self.u(e, 0) + MONTHS] = 1.0
        return c

    def block(self, start: int, sign: float = 1.0) -> Array:
        c = np.zeros(len(self.cost))
        c[start : start + MONTHS] = sign
        return c

    def figure(self, e: str, kind: str, target: str) -> tuple[Array, Array, Array, Array]:
        """Return (lo, hi, known part, known whole) coefficient vectors of a volume figure.

        Over the phase-2 set, the figure's min is min lo·x and its max max hi·x; its value is
        lo·x + (hi·x − lo·x) · (known part / known whole) at the best fit.
        """
        if kind in ("crossing", "bypassing"):
            return self._crossing(e, kind, target)
        if kind == "to":
            return self._delivery(e, target)
        keep = {
            "all": lambda p: True,
            "route": lambda p: target in p.routes,
            "via": lambda p: target in p.routes,
            "node": lambda p: sum(r in p.routes for r in self._leaving(target)),
            "chokepoint": lambda p: target in p.chokepoints,
            "operator": lambda p: target in p.operators,
        }[kind]
        c = self.annual(e, keep)
        if kind == "all":
            c[self.u(e, 0) : self.u(e, 0) + MONTHS] = 1.0
        zero = np.zeros(len(self.cost))
        return c, c, zero, zero

    def _crossing(self, e: str, kind: str, x: str) -> tuple[Array, Array, Array, Array]:
        def status(p: _Path) -> str:
            return _crossing_status(p, x)

        yes = self.annual(e, lambda p: status(p) == "yes")
        no = self.annual(e, lambda p: status(p) == "no")
        mass = self.unknown_mass(e, status)
        if (e, x) in self.w:
            w = self.block(self.w[(e, x)])
            c = yes + w if kind == "crossing" else no + mass - w
            return c, c, np.zeros_like(c), np.zeros_like(c)
        part = yes if kind == "crossing" else no
        return part, part + mass, part, yes + no

    def _delivery(self, e: str, target: str) -> tuple[Array, Array, Array, Array]:
        def status(p: _Path) -> str:
            return _delivery_status(p, target)

        yes = self.annual(e, lambda p: status(p) == "yes")
        no = self.annual(e, lambda p: status(p) == "no")
        if (e, target) in self.v:
            c = yes + self.block(self.v[(e, target)])
            return c, c, np.zeros_like(c), np.zeros_like(c)
        hi = yes + self.unknown_mass(e, status)
        for (ee, _), start in self.v.items():
            if ee == e:
                hi -= self.block(start)
        return yes, hi, yes, yes + no

    def value(self, lo: Array, hi: Array, part: Array, whole: Array) -> float:
        """Return the figure at the best fit, the unknown mass shared like the known."""
        low, high = float(lo @ self.x), float(hi @ self.x)
        known = float(whole @ self.x)
        frac = float(part @ self.x) / known if known > 0 else 0.5
        return low + (high - low) * frac

    def ids(self, rows: set[int]) -> tuple[str, ...]:
        by_row = {o.row: o.id for o in self.rows}
        return tuple(sorted(by_row[r] for r in rows if r in by_row))

    def support(self, coef: Array) -> set[int]:
        """Return the paths (as Y columns), u and selector columns an expression touches."""
        out = set()
        for k in np.flatnonzero(coef):
            c = int(k)
            out.add(c - (c - self.y0) % MONTHS)  # y, u, w, v come in blocks of 12
        return out

    def pinning(self, coef: Array) -> tuple[str, ...]:
        """Ids of the observations whose expression shares paths with the figure."""
        s = self.support(coef)
        return tuple(sorted(o.id for o in self.rows if self.obs_support(o) & s))

    def obs_support(self, o: _Obs) -> set[int]:
        """Return `support` of an observation's expression (computed once)."""
        if o.id not in self._supports:
            self._supports[o.id] = {int(c) - (int(c) - self.y0) % MONTHS for c in o.cols}
        return self._supports[o.id]


# -- the public result --------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Reconciliation(Displayable):
    """Best-fit monthly flows of one year and commodity, conflicts, and figures with intervals.

    ``flows``: exporter, route, month (1–12), volume [Mt in the month]; ``unattributed``:
    exporter, month, volume [Mt in the month] on no route of the package.
    """

    year: int
    commodity: str
    flows: pd.DataFrame
    unattributed: pd.DataFrame
    conflicts: list[Conflict]
    observations_used: list[str]
    observations_ignored: list[tuple[str, str]]
    model: _Model = field(repr=False, compare=False)
    observations: pd.DataFrame = field(repr=False, compare=False)
    _cache: dict[tuple[str, str], Estimate] = field(default_factory=dict, repr=False, compare=False)

    @property
    def misfit(self) -> float:
        """Return the weighted misfit of the best fit: Σ_o W_o (s⁺_o + s⁻_o) of (1)."""
        return float(self.model.fit)

    def _check(self, exporter: str) -> None:
        if exporter not in self.model.exporters:
            hint = "no observation of that exporter in the year"
            raise NoFlowsError(exporter, self.year, hint)

    def route_flows(self, exporter: str) -> pd.DataFrame:
        """Annual route volumes [Mt/year] as a flows-table-shaped frame (source 'reconciled')."""
        self._check(exporter)
        f = self.flows[self.flows["exporter"] == exporter]
        per_year = DAYS_PER_YEAR / float(self.model.days.sum())
        vol = f.groupby("route", sort=True)["volume"].sum() * per_year
        named = self.model.named
        return pd.DataFrame(
            {
                "route": vol.index.to_numpy(),
                "volume": vol.to_numpy(),
                "source": "reconciled",
                "confidence": ["medium" if r in named else "low" for r in vol.index],
                "basis": "estimate",
            }
        )

    def estimate(self, figure: str, exporter: str) -> Estimate:
        """Return a figure of an exporter in the year with its interval.

        Figures: ``total``; ``volume:KIND:TARGET`` or ``share:KIND:TARGET`` (of the exporter's
        total exports) with KIND one of crossing, bypassing, via, to, route, node, chokepoint,
        operator. Volumes are in Mt/year.
        """
        self._check(exporter)
        key = (figure, exporter)
        if key not in self._cache:
            self._cache[key] = self._estimate(figure, exporter)
        return self._cache[key]

    def _estimate(self, figure: str, exporter: str) -> Estimate:
        measure, kind, target = parse_figure(figure)
        m = self.model
        check_target(m.n, kind, target)
        lo, hi, part, whole = m.figure(exporter, kind, target)
        value = m.value(lo, hi, part, whole)
        low, bind_lo = m.extreme(lo, 1.0)
        high, bind_hi = m.extreme(hi, -1.0)
        pinned_by = m.pinning(lo + hi)
        if measure == "share":
            total = m.figure(exporter, "all", "")[0]
            denominator = float(total @ m.x)
            value = value / denominator if denominator > 0 else math.nan
            low, bind_lo = m.ratio_extreme(lo, total, 1.0)
            high, bind_hi = m.ratio_extreme(hi, total, -1.0)
            pinned = high - low <= PIN_WIDTH["share"]
            unit = "share"
        else:
            per_year = DAYS_PER_YEAR / float(m.days.sum())
            value, low, high = value * per_year, low * per_year, high * per_year
            pinned = high - low <= PIN_WIDTH["volume"] * abs(value)
            unit = f"{m.unit}/year"
        low, high = sorted((max(low, 0.0) + 0.0, max(high, 0.0) + 0.0))  # no -0.0
        value = min(max(value, low), high) if not math.isnan(value) else low
        binding = m.ids(bind_lo | bind_hi)
        return Estimate(value, low, high, unit, bool(pinned), binding, pinned_by)

    def explain(self, figure: str, exporter: str) -> Explanation:
        """Return the observations behind a figure: those pinning it, binding it, in conflict."""
        est = self.estimate(figure, exporter)
        ids = list(est.pinned_by)
        rows = {o.id: o for o in self.model.rows}
        obs = self.observations.loc[ids].copy() if ids else self.observations.iloc[:0].copy()
        obs["band_low"] = [rows[i].lo for i in ids]
        obs["band_high"] = [rows[i].hi for i in ids]
        obs["binding"] = [i in est.binding for i in ids]
        touching = tuple(c for c in self.conflicts if set(c.ids) & set(ids))
        return Explanation(figure, exporter, self.year, est, obs, est.binding, touching)


FIGURE_KINDS = ("crossing", "bypassing", "via", "to", "route", "node", "chokepoint", "operator")


def parse_figure(figure: str) -> tuple[str, str, str]:
    """Return (measure, kind, target) of a figure string such as ``share:crossing:RUS``."""
    if figure == "total":
        return "volume", "all", ""
    measure, _, rest = figure.partition(":")
    kind, _, target = rest.partition(":")
    if measure not in ("share", "volume") or kind not in FIGURE_KINDS or not target:
        msg = (
            f"figure {figure!r}: expected 'total', or 'share:KIND:TARGET' or "
            f"'volume:KIND:TARGET' with KIND one of {', '.join(FIGURE_KINDS)}"
        )
        raise InvalidArgumentError(msg)
    return measure, kind, target


def check_target(n: Network, kind: str, target: str) -> None:
    """Raise UnknownError if a figure's route, node, country, chokepoint or operator is unknown."""
    if kind in ("via", "route"):
        n.check_route(target)
    elif kind == "node":
        n.check_node(target)
    elif kind in ("crossing", "bypassing", "to"):
        n.check_country(target)
    elif kind in ("chokepoint", "operator"):
        known = n.chokepoints.index if kind == "chokepoint" else n.routes["operator"].unique()
        if target not in set(known):
            raise UnknownError(kind, target, sorted(str(k) for k in known if k))


def _frames(m: _Model) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return the route flows and the unattributed exports per exporter and month."""
    flows = []
    for (e, r), idx in sorted(m.by_route.items()):
        for month in range(MONTHS):
            vol = float(sum(m.x[m.y(e, i, month)] for i in idx))
            flows.append((e, r, month + 1, vol))
    unattributed = [
        (e, month + 1, float(m.x[m.u(e, month)])) for e in m.exporters for month in range(MONTHS)
    ]
    return (
        pd.DataFrame(flows, columns=["exporter", "route", "month", "volume"]),
        pd.DataFrame(unattributed, columns=["exporter", "month", "volume"]),
    )


def _conflicts(m: _Model) -> list[Conflict]:
    """Observations missing their band at the best fit, each with the rows on the other side."""
    out: dict[frozenset[str], Conflict] = {}
    supports = {o.id: m.obs_support(o) for o in m.rows}
    tight = [o for o in m.rows if abs(m.duals[o.row]) > DUAL_TOL and m.misfit(o) <= CONFLICT_TOL]
    for o in m.rows:
        amount = m.misfit(o)
        if amount <= CONFLICT_TOL:
            continue
        others = [i for t in tight if supports[t.id] & supports[o.id] for i in t.names or (t.id,)]
        side = "above" if m.x[o.slack[1]] > CONFLICT_TOL else "below"
        mid = o.hi if side == "above" else o.lo
        pct = 100 * amount / abs(mid) if abs(mid) > CONFLICT_TOL else math.inf
        note = (
            f"{o.id} is {amount:.3f} {m.unit} ({pct:.1f} %) {side} its band "
            f"[{o.lo:.3f}, {o.hi:.3f}]" + (f"; against {', '.join(others)}" if others else "")
        )
        ids = tuple(dict.fromkeys((*(o.names or (o.id,)), *others)))
        out.setdefault(frozenset(ids), Conflict(ids, amount, m.unit, note))
    return list(out.values())


#: Per network: the reconciliations by (year, commodity, id of the observations frame).
_CACHE: weakref.WeakKeyDictionary[Network, dict[Any, Any]] = weakref.WeakKeyDictionary()

# -- observations until the package reader builds them ------------------------------------------


def _of_a_place(scope: object) -> bool:
    """Return True for the scope of a chokepoint's throughput (`corridor.evidence.PLACE_SCOPES`)."""
    return str(scope).partition(":")[0] in PLACE_SCOPES and ":" in str(scope)


def has_observations(n: Network, exporter: str, year: int, commodity: str | None = None) -> bool:
    """Return whether Corridor reconciles an exporter's year (the one rule for when it does).

    It does when the package holds an observations table (``observations.csv``: the package
    opts in to evidence of any shape) and the exporter has an observation touching the year —
    its flows and supply rows count, as they are observations too. Metrics, scenarios, replay
    and risk all follow this rule; a package without the table keeps its figures as observed.
    """
    own = n.file_observations()
    if own.empty or all(_of_a_place(s) for s in own["scope"]):
        return False  # a chokepoint's throughput alone reconciles nothing
    commodity = commodity or n.meta.commodity
    o = n.observations
    first, after = date(year, 1, 1), date(year + 1, 1, 1)
    mine = (o["exporter"] == exporter) & (o["commodity"].isin([commodity, ""]))
    touching = (o["start"] < after) & (o["end"] > first)
    return bool((mine & touching).any())


def observations_of(n: Network) -> pd.DataFrame:
    """Return the network's canonical observations frame (`Network.observations`)."""
    return n.observations


# -- entry points -------------------------------------------------------------------------------


def reconcile(
    n: Network,
    *,
    year: int,
    commodity: str | None = None,
    observations: pd.DataFrame | None = None,
) -> Reconciliation:
    """Reconcile every observation of a year and commodity into monthly flows (LP (1)–(6)).

    Parameters
    ----------
    n : Network
    year : int
        One of the package's years.
    commodity : str, optional
        Default the package's commodity.
    observations : DataFrame, optional
        The canonical observations frame (design §2 columns, indexed by id); default
        `observations_of` the network.

    Returns
    -------
    Reconciliation
        Cached per network, year, commodity and observations frame: asking again is free.

    Raises
    ------
    UnknownError
        For a year or commodity the package does not know.
    SolverError
        If HiGHS does not reach an optimum (the LP is always feasible: zero flows fit it).
    """
    n.check_year(year)
    commodity = n.check_commodity(commodity)
    obs = observations_of(n) if observations is None else observations
    cache = _CACHE.setdefault(n, {})
    key = (year, commodity, id(obs))
    if key not in cache:
        m = _Model(n, year, commodity, obs)
        flows, unattributed = _frames(m)
        ignored = {i for i, _ in m.ignored}
        rec = Reconciliation(
            year=year,
            commodity=commodity,
            flows=flows,
            unattributed=unattributed,
            conflicts=_conflicts(m),
            observations_used=[o.id for o in m.rows],
            observations_ignored=[(i, why) for i, why in m.ignored if i in ignored],
            model=m,
            observations=m.obs,
        )
        cache[key] = (obs, rec)  # the frame is kept so that its id is not reused
    return cache[key][1]  # type: ignore[no-any-return]


def reconcile_warnings(n: Network, observations: pd.DataFrame | None = None) -> list[Problem]:
    """Return one warning per conflict of every year and commodity, naming the rows.

    The file and line of each row come from its ``origin`` ("observations.csv line 12").
    """
    obs = observations_of(n) if observations is None else observations
    found = []
    commodities = sorted({str(c) for c in obs["commodity"] if c} or {n.meta.commodity})
    for commodity in commodities:
        for year in n.meta.years:
            for c in reconcile(n, year=year, commodity=commodity, observations=obs).conflicts:
                origin = str(obs.at[c.ids[0], "origin"]) if c.ids[0] in obs.index else ""
                file, _, line = origin.partition(" line ")
                where = "; ".join(f"{i} ({obs.at[i, 'origin']})" for i in c.ids if i in obs.index)
                message = f"{year}: observations in conflict: {c.note} [{where}]"
                found.append(
                    Problem(file or "observations.csv", int(line) if line else None, None, message)
                )
    return found
