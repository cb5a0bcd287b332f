"""Monte Carlo disruption risk: sampled outages, re-routed month by month, in parallel.

Each sample draws a year of outages from the package's ``risks`` table — a Poisson process
per asset (start uniform over the year, lognormal duration, a capacity factor while out) or
independent monthly outages — turns them into monthly capacity factors per route (the lowest
factor in force each day, averaged over the month), and re-routes each month with the LP of
`corridor.solve`. It records the stranded volume, the revenue at risk and the share of exports
crossing the package's focus country. The baseline is the `RerouteProblem`'s: reconciled where
the package has observations of the exporter in the year, else the flows table's
(``RiskSummary.baseline`` says which), with the reconciled months' pattern when reconciled.

Speed: samples go through in blocks (`BLOCK`), as arrays: the outages of a block are drawn
and turned into monthly capacity factors at once (`draw_block`, `block_factors`). A month
whose capacities all still admit its no-outage optimum is not solved (cutting capacity only
removes solutions, so that optimum stays optimal). Small LPs keep their optimal bases, as affine
maps from capacities to the solution: where only one route's capacity moved, the bases are laid
out along it and looked up with one binary search (`_Line`); elsewhere the bases that fitted
rows where the same routes moved are tested together (`_Stack`); HiGHS solves only what no basis
fits; local workers pass the bases they find to each other (`Exchange`). Large LPs change only
the outaged routes' bounds. Determinism: sample *i* draws from
``SeedSequence([seed, i // BLOCK])`` at its place in that block, so results do not depend on
how samples are split among chunks and workers, locally (a process pool) or on a Dask cluster.

The contribution of each risk to the P95 loss: for each sample in the worst 5 %, the loss
without that risk's outages (same draws otherwise) gives its marginal loss; marginals are
scaled to add up to the sample's loss, and averaged over the tail.

No lost work: with ``out=``, each finished chunk of samples goes to ``chunks/`` in the run's
folder and ``summary.json`` (``complete: false``, the samples done) is rewritten after it, each
file written under a temporary name and renamed into place, so a killed run loses at most its
chunks in flight and `RiskResult.read` reads the rest. Ctrl-C (and SIGTERM, through
`signals_interrupt`) keeps the finished samples; worker processes die with their parent.

Memory: a run keeps 20 bytes a finished sample (`SampleColumns`: stranded, share, outages);
the statistics are computed from these columns and ``samples.parquet`` is written from them in
row groups (`ROW_GROUP`), so no step holds the whole table unless `RiskResult.samples` is asked
for.
"""

from __future__ import annotations

import ctypes
import io
import json
import math
import multiprocessing
import os
import pickle
import re
import shutil
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any, Literal, Protocol

import fastparquet
import numpy as np
import pandas as pd
from threadpoolctl import ThreadpoolController

from corridor.display import Displayable
from corridor.exceptions import (
    CorridorError,
    InvalidArgumentError,
    RunStoreError,
    SolverError,
    require,
)
from corridor.metrics import latest_year
from corridor.network import Network
from corridor.rerouting.problem import Period, RerouteProblem, scale_capacity
from corridor.scenario import Scenario, Target, apply_scenario
from corridor.solve import TOL, FreeLP, RerouteModel
from corridor.units import DAYS_PER_YEAR, T_PER_MT

QUANTILES = (0.5, 0.9, 0.95, 0.99)


@dataclass(frozen=True)
class RiskSpec:
    """One outage process, with the route indices it hits together."""

    id: str
    name: str
    routes: tuple[int, ...]
    process: str
    frequency: float
    duration: float
    duration_sd: float
    factor: float


@dataclass
class RiskProblem:
    """Everything a worker needs to draw and evaluate samples (picklable arrays)."""

    tail: np.ndarray
    head: np.ndarray
    n_nodes: int
    origins: np.ndarray
    sinks: np.ndarray
    cost: np.ndarray
    mode: str
    supply: np.ndarray
    baseline: np.ndarray
    month_caps: np.ndarray  # (periods, R) capacities before outages (inf: unknown); 12 months
    month_days: np.ndarray  # (periods,) days in each period
    risks: list[RiskSpec]
    price: float  # USD/t
    exports: float | None  # Mt/year that would leave without outages
    entry: np.ndarray  # routes entering the focus country
    cap_nodes: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    node_caps: np.ndarray = field(default_factory=lambda: np.zeros(0))
    route_ids: list[str] = field(default_factory=list)
    label: str = ""
    focus: str | None = None
    baseline_kind: str = "observed"  # "reconciled" or "observed" (see `RerouteProblem`)
    #: (periods, R) and (periods, origins): each month's baseline and supply (reconciled
    #: baselines; None: `baseline` and `supply` in every month)
    month_baseline: np.ndarray | None = None
    month_supply: np.ndarray | None = None

    def model(self) -> RerouteModel:
        """Return a new re-routing LP of this problem's network (`RerouteModel`)."""
        return RerouteModel(
            tail=self.tail,
            head=self.head,
            n_nodes=self.n_nodes,
            origins=self.origins,
            sinks=self.sinks,
            cost=self.cost,
            cap_nodes=self.cap_nodes,
            mode=self.mode,  # type: ignore[arg-type]
        )

    def baseline_of(self, m: int) -> np.ndarray:
        """Return the baseline rates of period m."""
        return self.baseline if self.month_baseline is None else self.month_baseline[m]

    def supply_of(self, m: int) -> np.ndarray:
        """Return the supply at each origin in period m."""
        return self.supply if self.month_supply is None else self.month_supply[m]

    @classmethod
    def from_network(
        cls,
        n: Network,
        scenario: Scenario | None = None,
        exporter: str | None = None,
        year: int | None = None,
    ) -> RiskProblem:
        """Build the problem for an exporter's year (default the latest complete one).

        Raises
        ------
        InvalidArgumentError
            When the scenario has targets (a risk run measures losses, not targets).
        UnknownError
            For an exporter or year the package does not know.
        """
        exporter = n.check_exporter(exporter or n.meta.exporter)
        year = year or (scenario.years[0] if scenario and scenario.years else None)
        year = n.check_year(year or latest_year(n, exporter))
        s = scenario or Scenario(name="risk", years=[year])
        if any(isinstance(c, Target) for c in s.changes):
            msg = "a risk run takes no target changes; drop them from the scenario"
            raise InvalidArgumentError(msg)
        return cls.from_problem(
            RerouteProblem(n, apply_scenario(s, n, exporter=exporter, year=year)),
            label=f"{exporter} {year}" + (f", scenario {s.name}" if scenario else ""),
        )

    @classmethod
    def from_problem(cls, problem: RerouteProblem, label: str = "") -> RiskProblem:
        """Build the risk problem of a re-routing problem's year, month by month."""
        n, year = problem.n, problem.year
        months = [
            Period(f"{year}-{m:02d}", date(year, m, 1), date(year + m // 12, m % 12 + 1, 1))
            for m in range(1, 13)
        ]
        base = problem.base_dependence()
        exports = base.total_exports
        return cls(
            tail=problem.tail,
            head=problem.head,
            n_nodes=len(problem.node_ids),
            origins=problem.origins,
            sinks=problem.sinks,
            cost=problem.cost,
            mode=problem.mode,
            supply=problem.supply,
            baseline=problem.baseline,
            month_caps=np.array([problem.route_caps(p) for p in months]),
            month_days=np.array([p.days for p in months], float),
            risks=risk_specs(n, problem.route_ids, problem.exporter, problem.countries),
            price=problem.price,
            exports=None if exports is None else exports + problem.supply_change,
            entry=_entry_routes(problem, base.focus_country),
            cap_nodes=problem.cap_nodes,
            node_caps=problem.node_caps(),
            route_ids=problem.route_ids,
            focus=base.focus_country,
            label=label or f"{problem.exporter} {year}",
            baseline_kind=problem.baseline_kind,
            month_baseline=None
            if problem.monthly is None
            else np.array([problem.baseline_at(p) for p in months]),
            month_supply=None
            if problem.monthly is None
            else np.array([problem.supply_at(p) for p in months]),
        )


def _entry_routes(problem: RerouteProblem, country: str | None) -> np.ndarray:
    """Routes on which the exporter's oil enters `country` (from a node outside it)."""
    if country is None:
        return np.zeros(0, np.int64)
    node_country = problem.n.nodes["country"]
    return np.array(
        [
            i
            for i, r in enumerate(problem.route_ids)
            if country in problem.countries(r)
            and node_country[problem.routes.at[r, "from_node"]] != country
        ],
        np.int64,
    )


def risk_specs(
    n: Network, route_ids: list[str], exporter: str, countries: Callable[[str], Iterable[str]]
) -> list[RiskSpec]:
    """Return the package's risks that concern `exporter`, with the routes each one hits."""
    index = {r: i for i, r in enumerate(route_ids)}
    out = []
    for rid, r in n.risks.iterrows():
        if r["exporter"] not in ("", exporter):
            continue
        hit = set(r["routes"])
        if r["chokepoint"]:
            hit |= {x for x in route_ids if r["chokepoint"] in n.routes.loc[x, "chokepoints"]}
        if r["country"]:
            hit |= {x for x in route_ids if r["country"] in countries(x)}
        duration = float(r["duration_days"]) if not math.isnan(r["duration_days"]) else 0.0
        sd = float(r["duration_sd_days"]) if not math.isnan(r["duration_sd_days"]) else 0.0
        out.append(
            RiskSpec(
                id=str(rid),
                name=str(r["name"]),
                routes=tuple(sorted(index[x] for x in hit)),
                process=str(r["process"]),
                frequency=float(r["frequency"]),
                duration=duration,
                duration_sd=sd,
                factor=float(r["capacity_factor"]),
            )
        )
    return out


#: Samples that share one random stream: sample i draws from ``SeedSequence([seed, i // BLOCK])``
#: at its place in the block, so its numbers depend on the seed and i only (not on how the
#: samples are split among chunks and workers). Blocks are also the engine's batches.
BLOCK = 16_384


@dataclass(frozen=True)
class Outages:
    """A year of outages for each of `size` samples: one entry per outage.

    Entries are grouped by risk (in the risks' order), then by sample, each risk's outages of a
    sample in the order drawn. ``start`` and ``end`` are days from the start of the year.
    """

    size: int
    sample: np.ndarray  # int64, 0 … size - 1
    risk: np.ndarray  # int64, index into the problem's risks
    start: np.ndarray
    end: np.ndarray

    def counts(self) -> np.ndarray:
        """Return the number of outages of each sample."""
        return np.bincount(self.sample, minlength=self.size)

    def take(self, rows: np.ndarray) -> Outages:
        """Return the outages of samples `rows` (distinct, ascending), numbered 0 … len - 1."""
        new = np.full(self.size, -1, np.int64)
        new[rows] = np.arange(len(rows))
        keep = new[self.sample] >= 0
        return Outages(
            len(rows), new[self.sample[keep]], self.risk[keep], self.start[keep], self.end[keep]
        )

    @classmethod
    def concat(cls, parts: list[Outages]) -> Outages:
        """Return the outages of `parts`' samples one after the other."""
        start = np.cumsum([0] + [x.size for x in parts])
        return cls(
            int(start[-1]),
            np.concatenate(
                [np.zeros(0, np.int64)] + [x.sample + a for x, a in zip(parts, start, strict=False)]
            ),
            np.concatenate([np.zeros(0, np.int64)] + [x.risk for x in parts]),
            np.concatenate([np.zeros(0)] + [x.start for x in parts]),
            np.concatenate([np.zeros(0)] + [x.end for x in parts]),
        )

    def without(self, risk: int) -> Outages:
        """Return these outages less risk `risk`'s (the draws of the others unchanged)."""
        keep = self.risk != risk
        return Outages(
            self.size, self.sample[keep], self.risk[keep], self.start[keep], self.end[keep]
        )

    def of(self, i: int) -> list[tuple[int, float, float]]:
        """Return sample i's outages as (risk index, start day, end day), in draw order."""
        at = np.flatnonzero(self.sample == i)
        return [
            (int(k), float(a), float(b))
            for k, a, b in zip(self.risk[at], self.start[at], self.end[at], strict=True)
        ]


def draw_block(risks: list[RiskSpec], seed: int, block: int, month_days: np.ndarray) -> Outages:
    """Draw a year of outages for each of the `BLOCK` samples of block `block`.

    Per risk, in order: a monthly risk draws one uniform per sample and month (an outage when
    below frequency / 12); a Poisson risk draws a count per sample, then all the block's
    starts (uniform over the year), then all its lognormal durations, in sample order. Always
    a whole block: a run that needs part of one takes what it needs (`Outages.take`).
    """
    rng = np.random.default_rng(np.random.SeedSequence([seed, block]))
    size = BLOCK
    days = float(month_days.sum())
    edges = np.concatenate([[0.0], np.cumsum(month_days)])
    parts: list[tuple[np.ndarray, int, np.ndarray, np.ndarray]] = []
    for k, r in enumerate(risks):
        if r.process == "monthly":
            hit = rng.random((size, len(month_days))) < r.frequency / len(month_days)
            rows, months = np.nonzero(hit)
            parts.append((rows, k, edges[months], edges[months + 1]))
            continue
        counts = rng.poisson(r.frequency, size)
        total = int(counts.sum())
        starts = rng.uniform(0.0, days, total)
        if r.duration_sd > 0:
            sigma2 = math.log1p((r.duration_sd / r.duration) ** 2)
            lengths = rng.lognormal(math.log(r.duration) - sigma2 / 2, math.sqrt(sigma2), total)
        else:
            lengths = np.full(total, r.duration)
        parts.append(
            (np.repeat(np.arange(size), counts), k, starts, np.minimum(starts + lengths, days))
        )
    if not parts:
        empty = np.zeros(0)
        return Outages(size, empty.astype(np.int64), empty.astype(np.int64), empty, empty)
    return Outages(
        size,
        np.concatenate([p[0] for p in parts]).astype(np.int64),
        np.concatenate([np.full(len(p[0]), p[1], np.int64) for p in parts]),
        np.concatenate([p[2] for p in parts]).astype(float),
        np.concatenate([p[3] for p in parts]).astype(float),
    )


def monthly_factors(
    outages: list[tuple[int, float, float]],
    risks: list[RiskSpec],
    month_days: np.ndarray,
    drop: int | None = None,
) -> dict[int, np.ndarray]:
    """Return route → 12 monthly capacity factors (day-weighted; lowest factor each day)."""
    edges = np.concatenate([[0], np.cumsum(month_days)]).astype(int)
    kept = [(k, a, b) for k, a, b in outages if k != drop]
    routes = sorted({r for k, _, _ in kept for r in risks[k].routes})
    if not routes:
        return {}
    row = {r: i for i, r in enumerate(routes)}
    daily = np.ones((len(routes), edges[-1]))  # one row of days per route
    for k, a, b in kept:
        lo, hi = round(a), round(b)  # whole days; unbiased for whole-day lengths
        rows = [row[r] for r in risks[k].routes]
        daily[rows, lo:hi] = np.minimum(daily[rows, lo:hi], risks[k].factor)
    monthly = np.add.reduceat(daily, edges[:-1], axis=1) / month_days
    return {r: monthly[i] for i, r in enumerate(routes)}


@dataclass(frozen=True)
class Factors:
    """Capacity factors of a batch of samples, period by period, for the rows with an outage.

    ``rows[m]`` are the samples (ascending) with some route's factor below 1 in period m, and
    ``values[m]`` their factors of `routes`, one row each (1: not out).
    """

    size: int
    routes: np.ndarray
    rows: list[np.ndarray]
    values: list[np.ndarray]

    @classmethod
    def from_dense(cls, routes: np.ndarray, table: np.ndarray) -> Factors:
        """Return the factors of `table`: (samples, routes, periods), 1 where not out."""
        rows = [np.flatnonzero((table[:, :, m] < 1).any(axis=1)) for m in range(table.shape[2])]
        return cls(len(table), routes, rows, [table[r, :, m] for m, r in enumerate(rows)])

    def dense(self) -> np.ndarray:
        """Return the factors as (samples, routes, periods), 1 where not out."""
        table = np.ones((self.size, len(self.routes), len(self.rows)))
        for m, (r, v) in enumerate(zip(self.rows, self.values, strict=True)):
            table[r, :, m] = v
        return table


def block_factors(out: Outages, risks: list[RiskSpec], month_days: np.ndarray) -> Factors:
    """Return the monthly capacity factors of every sample of `out` (`monthly_factors` of each).

    An outage of whole days [lo, hi) takes (1 - factor) × its days in each month off the
    month's average. Where outages of one sample overlap on a route, the lowest factor in force
    counts: those outages are cut into pieces of constant lowest factor first (`_lowest`).
    """
    n_m = len(month_days)
    edges = np.concatenate([[0], np.cumsum(month_days)]).astype(float)
    lo, hi = np.rint(out.start), np.rint(out.end)  # whole days, as `monthly_factors` rounds
    lengths = np.array([len(r.routes) for r in risks], np.int64)
    flat = np.array([x for r in risks for x in r.routes], np.int64)
    rep = lengths[out.risk] * (hi > lo)  # an outage of no whole day changes nothing
    o = np.repeat(np.arange(len(rep)), rep)
    within = np.arange(len(o)) - np.repeat(np.cumsum(rep) - rep, rep)
    route = flat[(np.cumsum(lengths) - lengths)[out.risk[o]] + within]
    routes = np.unique(route)
    n_r = len(routes)
    if not n_r:
        return Factors(out.size, routes, [np.zeros(0, np.int64)] * n_m, [np.ones((0, 0))] * n_m)
    cell = out.sample[o] * n_r + np.searchsorted(routes, route)
    a, b = lo[o], hi[o]
    level = np.array([r.factor for r in risks])[out.risk[o]]
    order = np.lexsort((a, cell))  # sorted by start, some neighbours overlap
    c, a_, b_ = cell[order], a[order], b[order]
    clash = np.unique(c[1:][(c[1:] == c[:-1]) & (a_[1:] < b_[:-1])])
    if len(clash):
        plain = ~np.isin(cell, clash)
        pieces = _lowest(cell[~plain], a[~plain], b[~plain], level[~plain])
        cell, a, b, level = (
            np.concatenate([x[plain], y]) for x, y in zip((cell, a, b, level), pieces, strict=True)
        )
    days = np.clip(np.minimum(b[:, None], edges[1:]) - np.maximum(a[:, None], edges[:-1]), 0, None)
    piece, month = np.nonzero(days)
    cells = out.size * n_r
    keys, inverse = np.unique(month * cells + cell[piece], return_inverse=True)
    lost = np.bincount(inverse.reshape(-1), days[piece, month] * (1.0 - level[piece]), len(keys))
    month, cell = keys // cells, keys % cells
    factor = 1.0 - lost / month_days[month]
    bounds = np.searchsorted(month, np.arange(n_m + 1))
    rows, values = [], []
    for m in range(n_m):
        part = slice(bounds[m], bounds[m + 1])
        row, at = np.unique(cell[part] // n_r, return_inverse=True)
        v = np.ones((len(row), n_r))
        v[at.reshape(-1), cell[part] % n_r] = factor[part]
        rows.append(row)
        values.append(v)
    return Factors(out.size, routes, rows, values)


def _lowest(
    cell: np.ndarray, lo: np.ndarray, hi: np.ndarray, factor: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Cut overlapping outages into pieces over which the lowest factor in force is constant.

    Returns the pieces as (cell, lo, hi, factor); days with no outage give no piece.
    """
    levels, level = np.unique(factor, return_inverse=True)
    n = len(cell)
    t = np.concatenate([lo, hi])
    order = np.lexsort((t, np.concatenate([cell, cell])))
    t, where = t[order], np.concatenate([cell, cell])[order]
    step = np.zeros((2 * n, len(levels)), np.int64)
    step[np.arange(2 * n), np.tile(level.reshape(-1), 2)[order]] = np.repeat([1, -1], n)[order]
    active = np.cumsum(step, axis=0)[:-1] > 0  # each cell's steps add up to 0 at its end
    lowest = np.where(active, levels, 1.0).min(axis=1)
    keep = (where[1:] == where[:-1]) & (t[1:] > t[:-1]) & (lowest < 1)
    return where[:-1][keep], t[:-1][keep], t[1:][keep], lowest[keep]


_BLAS: list[ThreadpoolController] = []


@contextmanager
def _one_blas_thread() -> Iterator[None]:
    """Run numpy's matrix products on one thread inside the block.

    The engine's products are small (tens of rows); OpenBLAS's threads cost more than they
    save on them, and many times more on a busy machine (measured: 9,100 → 46,700 Kazakhstan
    samples/s with the machine loaded). Process pools run one engine per core instead.
    """
    if not _BLAS:
        _BLAS.append(ThreadpoolController())
    with _BLAS[0].limit(limits=1, user_api="blas"):
        yield


#: LPs with at most this many rows keep their optimal bases (dense factors, see `_Basis`).
REUSE_MAX_ROWS = 400
#: Bases kept per pattern of routes moved, tested together (`_Stack`; the oldest goes first).
MAX_BASES = 64
#: Bases kept per month pattern, and pieces per `_Line` (the oldest goes first).
MAX_LINE_BASES = 4 * MAX_BASES
#: A cached basis fits a capacity vector when its basic values are within bounds to this, Mt/yr.
FIT_TOL = 1e-9
#: Capacity patterns of large LPs remembered (the memo starts again past it).
MAX_MEMO = 100_000
#: Samples × routes × periods of capacity factors evaluated together (32 MB of float64).
_BATCH_CELLS = 4_000_000


@dataclass(eq=False)
class _Basis:
    """An optimal basis of one month pattern, as an affine map from capacities to the solution.

    The LP in HiGHS's form: ``A x - r = 0`` with bounds on the columns x and the row
    activities r. The basic variables (``basic``, indices into x then r) are
    ``z0 + d (caps[upper] - c0)``: ``upper`` are the route columns nonbasic at their upper bound
    (their capacity), every other nonbasic variable sits at a bound that does not change with
    outages. Costs do not change, so the basis stays dual feasible: where the basic values are
    within their bounds (routes' upper bounds the new capacities), it is optimal.
    """

    lo: np.ndarray  # lower bounds of the basic variables
    hi: np.ndarray  # upper bounds (the capacity for basic route columns: `cap_pos`)
    cap_pos: np.ndarray
    cap_cols: np.ndarray
    upper: np.ndarray
    c0: np.ndarray
    z0: np.ndarray
    d: np.ndarray
    out0: np.ndarray  # the output columns (stranded, then entry flows) at `c0`
    out_pos: np.ndarray  # outputs that are basic: where, and their position in `basic`
    out_basic: np.ndarray
    out_up: np.ndarray  # outputs nonbasic at their capacity: where, and which route
    out_route: np.ndarray
    status: bytes = b""  # HiGHS's status of each column and row: which basis this is
    #: its rows of a `_Stack`, once built (False: it never fits a stack's rows)
    part: _StackPart | Literal[False] | None = None

    def fit(self, caps: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Return which capacity rows the basis fits, and their output columns (clipped)."""
        dc = caps[:, self.upper] - self.c0
        finite = np.isfinite(dc).all(axis=1)
        z = self.z0 + np.where(np.isfinite(dc), dc, 0.0) @ self.d.T
        hi = np.repeat(self.hi[None, :], len(caps), axis=0)
        hi[:, self.cap_pos] = caps[:, self.cap_cols]
        ok = finite & (z >= self.lo - FIT_TOL).all(axis=1) & (z <= hi + FIT_TOL).all(axis=1)
        out = np.repeat(self.out0[None, :], len(caps), axis=0)
        out[:, self.out_pos] = z[:, self.out_basic]
        out[:, self.out_up] = caps[:, self.out_route]
        return ok, np.where(np.abs(out) < TOL, 0.0, out)

    def along(self, caps: np.ndarray, r: int) -> tuple[float, float, np.ndarray, np.ndarray] | None:
        """Where the basis fits as route r's capacity moves, the others at `caps`.

        Returns the interval [lo, hi] of r's capacity and the outputs' ``a + b c`` on it, or
        None when it fits nowhere there (or needs a capacity the others do not have).
        """
        rest = self.upper != r
        if not np.isfinite(caps[self.upper[rest]]).all():
            return None
        a = self.z0 + self.d[:, rest] @ (caps[self.upper[rest]] - self.c0[rest])
        b = np.zeros(len(a))
        if not rest.all():
            j = int(np.flatnonzero(~rest)[0])
            a, b = a - self.d[:, j] * self.c0[j], self.d[:, j].copy()
        hi = self.hi.copy()
        hi[self.cap_pos] = caps[self.cap_cols]
        b_hi = b.copy()
        at_r = self.cap_pos[self.cap_cols == r]  # a basic column bounded by r's capacity
        hi[at_r], b_hi[at_r] = 0.0, b_hi[at_r] - 1.0
        lo, up = -np.inf, np.inf
        # a + b c <= hi and lo <= a + b c, each with the fit's tolerance
        for alpha, beta, gamma in ((a, b_hi, hi + FIT_TOL), (-a, -b, FIT_TOL - self.lo)):
            flat = beta == 0
            if (alpha[flat] > gamma[flat]).any():
                return None
            with np.errstate(invalid="ignore"):
                bound = (gamma[~flat] - alpha[~flat]) / beta[~flat]
            up = min(up, float(bound[beta[~flat] > 0].min(initial=np.inf)))
            lo = max(lo, float(bound[beta[~flat] < 0].max(initial=-np.inf)))
        if not lo <= up:
            return None
        out_a, out_b = self.out0.copy(), np.zeros(len(self.out0))
        out_a[self.out_pos], out_b[self.out_pos] = a[self.out_basic], b[self.out_basic]
        out_a[self.out_up] = np.where(self.out_route == r, 0.0, caps[self.out_route])
        out_b[self.out_up] = (self.out_route == r).astype(float)
        return lo, up, out_a, out_b


@dataclass(eq=False)
class _Line:
    """The cached bases of a month pattern along one route's capacity, the others nominal.

    Along one capacity c, a basis is optimal on an interval and its outputs are linear in c:
    ``out = a + b c``. The intervals are kept disjoint and sorted (a piece already covered is
    not added again), so a batch of capacities is looked up with one `np.searchsorted`.
    """

    lo: np.ndarray = field(default_factory=lambda: np.zeros(0))
    hi: np.ndarray = field(default_factory=lambda: np.zeros(0))
    a: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))
    b: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))

    def add(self, lo: float, hi: float, a: np.ndarray, b: np.ndarray) -> None:
        """Add a basis that fits on [lo, hi], its outputs ``a + b c`` there (uncovered parts)."""
        pieces, at = [], lo
        for x, y in zip(self.lo.tolist(), self.hi.tolist(), strict=True):
            if y < at:
                continue
            if x > hi:
                break
            if x > at:
                pieces.append((at, x))
            at = max(at, y)
        if at <= hi:
            pieces.append((at, hi))
        if not pieces or len(self.lo) + len(pieces) > MAX_LINE_BASES:
            return
        lo_ = np.concatenate([self.lo, [p[0] for p in pieces]])
        order = np.argsort(lo_, kind="stable")
        self.lo = lo_[order]
        self.hi = np.concatenate([self.hi, [p[1] for p in pieces]])[order]
        n = len(pieces)
        self.a = np.vstack([self.a.reshape(-1, len(a)), np.repeat(a[None, :], n, axis=0)])[order]
        self.b = np.vstack([self.b.reshape(-1, len(b)), np.repeat(b[None, :], n, axis=0)])[order]

    def lookup(self, c: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Return which capacities a basis covers, and their outputs (clipped as `fit` does)."""
        j = np.searchsorted(self.lo, c, side="right") - 1
        ok = j >= 0
        ok[ok] = c[ok] <= self.hi[j[ok]]
        j, c = j[ok], c[ok]
        out = self.a[j] + self.b[j] * c[:, None]
        return ok, np.where(np.abs(out) < TOL, 0.0, out)


@dataclass(eq=False)
class _StackPart:
    """One basis's rows of a `_Stack`: its basic variables that move with the capacities."""

    d: np.ndarray  # (moving, routes): how each moves with each route's capacity
    z0: np.ndarray  # their values at zero capacities
    lo: np.ndarray  # their bounds, widened by `FIT_TOL`
    hi: np.ndarray
    cap: np.ndarray  # the route whose capacity bounds each (-1: none)
    upper: np.ndarray  # (routes,) 1 where the route's column is nonbasic at its capacity
    kind: np.ndarray  # (outputs,) 0 fixed, 1 a moving basic variable, 2 a capacity
    src: np.ndarray  # which: the variable's row in `d` (kind 1), the route (kind 2)
    out0: np.ndarray


def _stack_part(b: _Basis, n_routes: int) -> _StackPart | None:
    """Return b's rows of a `_Stack` (built once per basis); None where it never fits."""
    if b.part is not None:
        return b.part or None
    moving = (b.d != 0).any(axis=1)
    moving[b.cap_pos] = True
    fixed = ~moving
    if (b.z0[fixed] < b.lo[fixed] - FIT_TOL).any() or (b.z0[fixed] > b.hi[fixed] + FIT_TOL).any():
        b.part = False
        return None
    live = np.flatnonzero(moving) if moving.any() else np.array([0])
    d = np.zeros((len(live), n_routes))
    d[:, b.upper] = b.d[live]
    bound = np.full(len(b.z0), -1)
    bound[b.cap_pos] = b.cap_cols
    upper = np.zeros(n_routes)
    upper[b.upper] = 1.0
    where = np.full(len(b.z0), -1)
    where[live] = np.arange(len(live))
    kind = np.zeros(len(b.out0), np.int64)
    src = np.zeros(len(b.out0), np.int64)
    moves = where[b.out_basic] >= 0  # basic outputs that stay fixed keep `out0`
    kind[b.out_pos[moves]] = 1
    src[b.out_pos[moves]] = where[b.out_basic[moves]]
    kind[b.out_up], src[b.out_up] = 2, b.out_route
    b.part = _StackPart(
        d=d,
        z0=(b.z0 - b.d @ b.c0)[live],
        lo=b.lo[live] - FIT_TOL,
        hi=b.hi[live] + FIT_TOL,
        cap=bound[live],
        upper=upper,
        kind=kind,
        src=src,
        out0=b.out0,
    )
    return b.part


class _Stack:
    """Several cached bases tested together: every row against every basis in one product.

    Only the basic variables that move with the capacities are tested; the others keep the
    value they had where the basis was found (a basis whose fixed values are out of bounds
    never fits and is left out).
    """

    def __init__(self, bases: list[_Basis], n_routes: int) -> None:
        parts = [x for x in (_stack_part(b, n_routes) for b in bases) if x is not None]
        self.size = len(parts)
        self.n_out = len(bases[0].out0)
        sizes = np.array([len(x.z0) for x in parts], np.int64)
        self.offsets = np.cumsum(sizes) - sizes
        self.d = np.vstack([x.d for x in parts]) if parts else np.zeros((0, n_routes))
        self.z0, self.lo, self.hi, cap = (
            np.concatenate([getattr(x, f) for x in parts]) if parts else np.zeros(0)
            for f in ("z0", "lo", "hi", "cap")
        )
        self.upper = np.array([x.upper for x in parts]).reshape(self.size, n_routes)
        self.kind = np.array([x.kind for x in parts], np.int64).reshape(self.size, self.n_out)
        src = np.array([x.src for x in parts], np.int64).reshape(self.size, self.n_out)
        self.src = np.where(self.kind == 1, src + self.offsets[:, None], src)
        self.out0 = np.array([x.out0 for x in parts]).reshape(self.size, self.n_out)
        self.cap_at = np.flatnonzero(cap >= 0)
        self.cap_route = cap[self.cap_at].astype(np.int64)

    def fit(self, caps: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Return which rows some basis fits, and their output columns (clipped as `fit`)."""
        if not self.size:
            return np.zeros(len(caps), bool), np.zeros((0, self.n_out))
        unknown = np.isinf(caps)
        z = np.where(unknown, 0.0, caps) @ self.d.T + self.z0
        hi = np.repeat(self.hi[None, :], len(caps), axis=0)
        hi[:, self.cap_at] = caps[:, self.cap_route] + FIT_TOL
        good = np.logical_and.reduceat((z >= self.lo) & (z <= hi), self.offsets, axis=1)
        good &= (unknown.astype(float) @ self.upper.T) == 0  # a bound at an unknown capacity
        ok = np.asarray(good.any(axis=1))
        first = good[ok].argmax(axis=1)
        rows = np.flatnonzero(ok)[:, None]
        kind, src = self.kind[first], self.src[first]
        out = np.where(
            kind == 1,
            z[rows, np.where(kind == 1, src, 0)],
            np.where(kind == 2, caps[rows, np.where(kind == 2, src, 0)], self.out0[first]),
        )
        return ok, np.where(np.abs(out) < TOL, 0.0, out)


#: A basis one worker found, as `Exchange` passes it: (month pattern, the patterns of routes
#: moved whose rows it fitted, the basis).
_Found = tuple[int, tuple[bytes, ...], _Basis]


class Engine:
    """One worker's model: evaluates samples, month by month, with screening and reuse.

    A month's outcome under outages is, in order: the no-outage optimum when it still fits the
    capacities (screening); else, on small LPs, a cached optimal basis of the month's pattern
    that stays feasible (`_Basis`): looked up along the one route whose capacity moved
    (`_Line`), or among the bases that fitted rows where the same routes moved (`_Stack`), a
    whole batch of samples at once; on large LPs, a memo of capacity patterns; else HiGHS,
    warm, whose basis joins the cache.
    """

    def __init__(self, p: RiskProblem, screen: bool = True) -> None:
        self.p = p
        self.screen = screen
        self.model = p.model()
        self.solves = 0
        self.periods = range(len(p.month_days))
        # periods with the same capacities share memo entries and bases
        rows = [p.month_caps[m].tobytes() + self._pattern(m) for m in self.periods]
        self.same_as = [rows.index(r) for r in rows]
        self.memo_small: dict[tuple[int, bytes, bytes], tuple[float, float]] = {}
        self.reuse = screen and self.model._n_row <= REUSE_MAX_ROWS
        self.bases: dict[int, list[_Basis]] = {}
        self.known: set[tuple[int, bytes]] = set()  # (month pattern, `_Basis.status`) in `bases`
        self.lines: dict[tuple[int, int], _Line] = {}  # (month pattern, route): bases along it
        #: (month pattern, the routes moved): the bases that fitted such rows, last fit first
        self.fitted: dict[tuple[int, bytes], list[_Basis]] = {}
        self.stacks: dict[tuple[int, bytes], _Stack] = {}
        self._a = self.model.matrix() if self.reuse else np.zeros((0, 0))
        self._loaded = -1  # the month pattern whose nominal bounds the model holds
        self._last_basis: _Basis | None = None
        self._lean: tuple[int, FreeLP] | None = None  # month pattern, its lean free LP
        self._drawn: tuple[tuple[int, int], Outages] | None = None  # the last block drawn
        #: where bases found here go to, and others' come from (None: this worker alone)
        self.exchange: Exchange | None = None
        self.risk_routes = len({x for r in p.risks for x in r.routes})
        self.nominal = [self._solve(p.month_caps[m], m) for m in self.periods]
        years = p.month_days / DAYS_PER_YEAR
        #: Stranded Mt over the year with no outage (what the scenario strands by itself).
        self.nominal_loss = float(sum(self.nominal[m][0] * years[m] for m in self.periods))
        crossing = float(sum(self.nominal[m][1] * years[m] for m in self.periods))
        exported = 0.0 if p.exports is None else p.exports * float(years.sum()) - self.nominal_loss
        self.totals = (self.nominal_loss, crossing, exported)

    def _pattern(self, m: int) -> bytes:
        """Return the month's baseline and supply as a memo key (empty: one for every month)."""
        if self.p.month_baseline is None or self.p.month_supply is None:
            return b""
        return bytes(self.p.month_baseline[m].tobytes() + self.p.month_supply[m].tobytes())

    def _solve(self, caps: np.ndarray, m: int) -> tuple[float, float, np.ndarray]:
        """Solve period m with capacities `caps` (HiGHS, warm); keep its basis (small LPs)."""
        sol = self.model.solve(self.p.supply_of(m), caps, self.p.baseline_of(m), self.p.node_caps)
        self.solves += 1
        # the period whose bounds the model holds, every capacity nominal (-1: none)
        self._loaded = self.same_as[m] if np.array_equal(caps, self.p.month_caps[m]) else -1
        if not sol.is_optimal:
            msg = f"the LP ended {sol.status} for a risk sample"
            raise SolverError(msg)
        result = (float(sol.stranded.sum()), float(sol.flow[self.p.entry].sum()))
        if self.reuse:
            self._last_basis = self._keep_basis(m)
        return (*result, sol.flow)

    def _keep_basis(self, m: int) -> _Basis | None:
        """Cache the optimal basis of the last solve (period m's bounds); None if unusable."""
        cols, rows = self.model.basis()
        lp = self.model.lp()
        n_row, n_col = self._a.shape
        n_r = len(self.p.tail)
        status = np.concatenate([cols, rows])
        lo = np.concatenate([np.asarray(lp.col_lower_), np.asarray(lp.row_lower_)])
        hi = np.concatenate([np.asarray(lp.col_upper_), np.asarray(lp.row_upper_)])
        basic = np.flatnonzero(status == 1)
        if len(basic) != n_row or not np.isin(status, (0, 1, 2, 3)).all():
            return None
        z = np.where(status == 0, lo, np.where(status == 2, hi, 0.0))
        z[basic] = 0.0
        if not np.isfinite(z).all():
            return None
        full = np.hstack([self._a, -np.eye(n_row)])
        upper = np.flatnonzero(status[:n_r] == 2)
        try:
            sol = np.linalg.solve(full[:, basic], np.column_stack([-full @ z, -full[:, upper]]))
        except np.linalg.LinAlgError:
            return None
        col_value, row_value = self.model.values()
        if np.abs(sol[:, 0] - np.concatenate([col_value, row_value])[basic]).max() > 1e-6:
            return None  # our factor disagrees with HiGHS: do not trust it
        o = 3 * n_r
        outputs = np.concatenate([np.arange(o, o + len(self.p.origins)), self.p.entry])
        where = np.full(n_col + n_row, -1)
        where[basic] = np.arange(n_row)
        z[basic] = sol[:, 0]
        is_basic = where[outputs] >= 0
        is_up = ~is_basic & (outputs < n_r) & (status[outputs] == 2)
        cap_pos = np.flatnonzero(basic < n_r)
        b = _Basis(
            lo=lo[basic],
            hi=hi[basic],
            cap_pos=cap_pos,
            cap_cols=basic[cap_pos],
            upper=upper,
            c0=hi[upper],
            z0=sol[:, 0],
            d=sol[:, 1:],
            out0=z[outputs],
            out_pos=np.flatnonzero(is_basic),
            out_basic=where[outputs[is_basic]],
            out_up=np.flatnonzero(is_up),
            out_route=outputs[is_up],
            status=status.astype(np.uint8).tobytes(),
        )
        self._keep(self.same_as[m], b)
        return b

    def _keep(self, g: int, b: _Basis) -> bool:
        """Add basis b to month pattern g's bases and lines.

        The oldest goes past `MAX_LINE_BASES`: as many as a line may hold pieces, so that a line
        laid out late has the bases one laid out early would have gathered. Returns False,
        adding nothing, when the pattern has that basis already.
        """
        if (g, b.status) in self.known:
            return False
        self.known.add((g, b.status))
        kept = self.bases.setdefault(g, [])
        kept.insert(0, b)
        if len(kept) > MAX_LINE_BASES:
            self.known.discard((g, kept.pop().status))
        for (h, r), line in self.lines.items():
            if h == g:  # g is the pattern's first month
                self._add_to_line(line, b, g, r)
        return True

    def adopt(self, items: list[_Found] | None = None) -> list[_Found]:
        """Keep the bases other workers found; return those new here.

        `items` as `Exchange.send` sends them; by default, what the other workers sent since the
        last call.
        """
        if items is None:
            items = self.exchange.take() if self.exchange is not None else []
        found = []
        for g, fitted, b in items:
            if self._keep(g, b):  # a basis this worker found too is left out
                for key in fitted:
                    self._remember((g, key), b)
                found.append((g, fitted, b))
        return found

    def _remember(self, key: tuple[int, bytes], b: _Basis) -> None:
        """Add basis b to those that fitted rows of `key` (the oldest goes past `MAX_BASES`)."""
        kept = self.fitted.setdefault(key, [])
        if any(x is b for x in kept):
            return
        kept.insert(0, b)
        del kept[MAX_BASES:]
        self.stacks.pop(key, None)

    def _stack(self, key: tuple[int, bytes]) -> _Stack | None:
        """Return the bases that fitted rows of `key`, stacked (None: none yet)."""
        if key not in self.stacks and self.fitted.get(key):
            self.stacks[key] = _Stack(self.fitted[key], len(self.p.tail))
        return self.stacks.get(key)

    def _line(self, m: int, r: int) -> _Line:
        """Return period m's pattern's bases along route r's capacity (built on first use)."""
        key = (self.same_as[m], r)
        if key not in self.lines:
            self.lines[key] = _Line()
            for b in self.bases.get(key[0], []):
                self._add_to_line(self.lines[key], b, m, r)
        return self.lines[key]

    def _add_to_line(self, line: _Line, b: _Basis, m: int, r: int) -> None:
        found = b.along(self.p.month_caps[m], r)
        if found is not None:
            line.add(*found)

    def route_caps(self, m: int, routes: np.ndarray, factors: np.ndarray) -> np.ndarray:
        """Capacities of `routes` in period m under outage factors (`scale_capacity`)."""
        baseline = self.p.baseline_of(m)[routes]
        return scale_capacity(self.p.month_caps[m, routes], factors, baseline)

    def caps(self, m: int, routes: np.ndarray, factors: np.ndarray) -> np.ndarray:
        """All capacities of period m, with outage factors on `routes`."""
        caps = self.p.month_caps[m].copy()
        caps[routes] = self.route_caps(m, routes, factors)
        return np.asarray(caps)

    def evaluate_many(self, factors: list[dict[int, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
        """Return stranded Mt and share crossing of samples given as `monthly_factors`."""
        out_s: list[np.ndarray] = []
        out_c: list[np.ndarray] = []
        start, n_m = 0, len(self.p.month_days)
        while start < len(factors):
            stop, touched = start, set[int]()
            while stop < len(factors) and (
                stop == start
                or (stop - start) * len(touched | set(factors[stop])) * n_m <= _BATCH_CELLS
            ):
                touched |= set(factors[stop])
                stop += 1
            with _one_blas_thread():
                s, c = self._evaluate_batch(factors[start:stop], sorted(touched))
            out_s.append(s)
            out_c.append(c)
            start = stop
        if not out_s:
            return np.zeros(0), np.zeros(0)
        return np.concatenate(out_s), np.concatenate(out_c)

    def _evaluate_batch(
        self, factors: list[dict[int, np.ndarray]], touched: list[int]
    ) -> tuple[np.ndarray, np.ndarray]:
        routes = np.array(touched, np.int64)
        pos = {r: j for j, r in enumerate(touched)}
        table = np.ones((len(factors), len(routes), len(self.p.month_days)))
        for i, f in enumerate(factors):
            for r, row in f.items():
                table[i, pos[r]] = row
        return self.evaluate_factors(Factors.from_dense(routes, table))

    def evaluate_factors(self, f: Factors) -> tuple[np.ndarray, np.ndarray]:
        """Return stranded Mt and share crossing of samples given as capacity factors."""
        s_tot, c_tot, e_tot = self.totals
        stranded = np.full(f.size, s_tot)
        crossing, exports = np.full(f.size, c_tot), np.full(f.size, e_tot)
        for m in self.periods:
            active, values = f.rows[m], f.values[m]
            if not len(active):
                continue
            hit = values < 1
            sub = self._route_caps_2d(m, f.routes, values)
            s0, c0, x = self.nominal[m]
            if self.screen:  # the period's optimum is still feasible, hence still optimal
                fits = ((sub >= x[f.routes] - TOL) | ~hit).all(axis=1)
                active, sub, hit = active[~fits], sub[~fits], hit[~fits]
            if not len(active):
                continue
            s, c = self._outcomes(m, f.routes, sub, hit)
            years = self.p.month_days[m] / DAYS_PER_YEAR
            stranded[active] += (s - s0) * years
            crossing[active] += (c - c0) * years
            exports[active] -= (s - s0) * years
        with np.errstate(divide="ignore", invalid="ignore"):
            share = np.where(exports > 0, crossing / np.where(exports > 0, exports, 1.0), np.nan)
        return stranded, share

    def _route_caps_2d(self, m: int, routes: np.ndarray, factors: np.ndarray) -> np.ndarray:
        """`route_caps` for a batch: one row of factors per sample (`scale_capacity`'s rule)."""
        base = self.p.month_caps[m, routes]
        baseline = self.p.baseline_of(m)[routes]
        unknown = np.isinf(base)
        cap = factors * np.where(unknown, 0.0, base)
        scaled = np.where(baseline > 0, factors * baseline, np.inf)
        rule = np.where(factors >= 1, np.inf, np.where(factors <= 0, 0.0, scaled))
        return np.where(unknown, rule, cap)

    def _outcomes(
        self, m: int, routes: np.ndarray, sub: np.ndarray, hit: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Return (stranded, crossing) of period m for each row of capacities on `routes`."""
        caps = np.repeat(self.p.month_caps[m][None, :], len(sub), axis=0)
        caps[:, routes] = sub
        if not self.reuse:
            s, c = np.zeros(len(sub)), np.zeros(len(sub))
            for i in range(len(sub)):
                s[i], c[i] = self._solve_small(m, routes[hit[i]], sub[i, hit[i]], caps[i])
            return s, c
        done = np.full((len(sub), 2), np.nan)  # stranded and crossing of each row; nan: to do
        moved = sub != self.p.month_caps[m, routes]
        # rows where one route's capacity moved: looked up along that route
        one = np.flatnonzero(moved.sum(axis=1) == 1)
        which = moved[one].argmax(axis=1)
        for j in np.unique(which):
            rows = one[which == j]
            self._put(done, rows, *self._line(m, int(routes[j])).lookup(sub[rows, j]))
        left = np.flatnonzero(np.isnan(done[:, 0]))
        if len(left):
            wide = np.zeros((len(left), len(self.p.tail)), bool)
            wide[:, routes] = moved[left]
            self._by_pattern(m, caps, left, np.packbits(wide, axis=1), done)
        return done[:, 0], done[:, 1]

    def _put(self, done: np.ndarray, rows: np.ndarray, ok: np.ndarray, out: np.ndarray) -> None:
        """Record the outputs `out` of rows[ok] (stranded and crossing) in `done`."""
        n_o = len(self.p.origins)
        done[rows[ok], 0] = out[:, :n_o].sum(axis=1)
        done[rows[ok], 1] = out[:, n_o:].sum(axis=1)

    def _by_pattern(
        self, m: int, caps: np.ndarray, left: np.ndarray, packed: np.ndarray, done: np.ndarray
    ) -> None:
        """Fill rows `left` from the bases that fitted rows where the same routes moved.

        `packed` holds the routes moved in each row as bits. Each pattern's bases are tested
        together (`_Stack`); HiGHS solves the rows none fits, and the new basis joins them.
        """
        if packed.shape[1] <= 8:  # up to 64 routes: one integer per row sorts faster
            wide = np.zeros((len(packed), 8), np.uint8)
            wide[:, : packed.shape[1]] = packed
            found, inverse = np.unique(wide.view(np.uint64).reshape(-1), return_inverse=True)
            keys = found.view(np.uint8).reshape(-1, 8)
        else:
            keys, inverse = np.unique(packed, axis=0, return_inverse=True)
        pattern = np.full(len(caps), -1)
        pattern[left] = inverse.reshape(-1)
        g = self.same_as[m]
        for k in range(len(keys)):
            stack = self._stack((g, keys[k].tobytes()))
            if stack is not None:
                rows = left[inverse.reshape(-1) == k]
                self._put(done, rows, *stack.fit(caps[rows]))
        adopted = False
        while len(left := left[np.isnan(done[left, 0])]):  # the rows no basis fitted yet
            if self.exchange is not None and not adopted:
                adopted = True  # once a row: bases other workers found meanwhile
                for h, _, other in self.adopt():
                    if h == g:
                        self._spread(other, caps, pattern, keys, done, g)
                continue
            adopted = False
            i = left[0]
            done[i] = self._solve(caps[i], m)[:2]
            b = self._last_basis
            if b is None:
                continue
            key = keys[pattern[i]].tobytes()
            self._remember((g, key), b)
            fitted = self._spread(b, caps, pattern, keys, done, g)
            if self.exchange is not None:
                self.exchange.send((g, (key, *fitted), b))

    def _spread(
        self,
        b: _Basis,
        caps: np.ndarray,
        pattern: np.ndarray,
        keys: np.ndarray,
        done: np.ndarray,
        g: int,
    ) -> list[bytes]:
        """Fill the rows still to do that basis b fits; it joins the patterns it fitted."""
        rows = np.flatnonzero(np.isnan(done[:, 0]) & (pattern >= 0))
        ok, out = b.fit(caps[rows])
        self._put(done, rows, ok, out[ok])
        fitted = [keys[k].tobytes() for k in np.unique(pattern[rows[ok]])]
        for key in fitted:
            self._remember((g, key), b)
        return fitted

    def _solve_small(
        self, m: int, routes: np.ndarray, sub: np.ndarray, caps: np.ndarray
    ) -> tuple[float, float]:
        """Solve period m with `sub` on `routes` (a large LP): memo, else a few bounds changed."""
        key = (self.same_as[m], routes.tobytes(), sub.tobytes())
        hit = self.memo_small.get(key) if self.screen else None
        if hit is not None:
            return hit
        g = self.same_as[m]
        if not self.screen:
            hit = self._solve(caps, m)[:2]
        else:
            if self._loaded != g:  # load the period's bounds, every capacity nominal
                self._solve(self.p.month_caps[m], m)
            lp: RerouteModel | FreeLP = self.model
            if self.p.mode == "free":  # the same LP less its unused columns and rows
                if self._lean is None or self._lean[0] != g:
                    self._lean = (g, FreeLP(self.model, self.p.month_caps[m]))
                lp = self._lean[1]
            sol = lp.resolve_routes(routes, sub, self.p.month_caps[m, routes])
            self.solves += 1
            if not sol.is_optimal:
                msg = f"the LP ended {sol.status} for a risk sample"
                raise SolverError(msg)
            hit = (float(sol.stranded.sum()), float(sol.flow[self.p.entry].sum()))
        if len(self.memo_small) >= MAX_MEMO:
            self.memo_small.clear()  # memory stays bounded on long runs
        self.memo_small[key] = hit
        return hit

    def _block(self, seed: int, block: int) -> Outages:
        """Return block `block`'s outages (the last block drawn is kept)."""
        if self._drawn is None or self._drawn[0] != (seed, block):
            self._drawn = ((seed, block), draw_block(self.p.risks, seed, block, self.p.month_days))
        return self._drawn[1]

    def evaluate_outages(self, out: Outages) -> tuple[np.ndarray, np.ndarray]:
        """Return stranded Mt and share crossing of each sample of `out`."""
        step = max(1, _BATCH_CELLS // max(1, self.risk_routes * len(self.p.month_days)))
        if out.size > step:  # in parts, to bound the factors' memory
            parts = [
                self.evaluate_outages(out.take(np.arange(a, min(a + step, out.size))))
                for a in range(0, out.size, step)
            ]
            return np.concatenate([x[0] for x in parts]), np.concatenate([x[1] for x in parts])
        factors = block_factors(out, self.p.risks, self.p.month_days)
        with _one_blas_thread():
            return self.evaluate_factors(factors)

    def outages(self, seed: int, samples: np.ndarray) -> Outages:
        """Return the outages of `samples` (distinct indices, ascending), numbered 0 … len - 1.

        They are the draws `samples` makes for these samples.
        """
        samples = np.asarray(samples, np.int64)
        parts = []
        for block in np.unique(samples // BLOCK):
            local = samples[samples // BLOCK == block] - block * BLOCK
            parts.append(self._block(seed, int(block)).take(local))
        return Outages.concat(parts)

    def sample(self, seed: int, i: int, drop: int | None = None) -> tuple[float, float, int]:
        """Draw and evaluate sample i: (stranded Mt, share crossing, number of outages drawn)."""
        out = self._block(seed, i // BLOCK).take(np.array([i % BLOCK]))
        s, c = self.evaluate_outages(out if drop is None else out.without(drop))
        return float(np.round(s[0], 9)), float(np.round(c[0], 9)), len(out.sample)

    def samples(self, seed: int, start: int, stop: int) -> np.ndarray:
        """Draw and evaluate samples start … stop - 1: rows of (stranded, share, outages).

        Samples go through a block (`BLOCK`) at a time; stranded volumes and shares are
        rounded to 9 decimals (warm starts from different bases agree to ~1e-12: the same
        numbers on any number of workers).
        """
        rows = []
        for block in range(start // BLOCK, (stop - 1) // BLOCK + 1):
            first, last = max(start, block * BLOCK), min(stop, (block + 1) * BLOCK)
            out = self._block(seed, block)
            if last - first < BLOCK:
                out = out.take(np.arange(first - block * BLOCK, last - block * BLOCK))
            s, c = self.evaluate_outages(out)
            rows.append(np.column_stack([np.round(s, 9), np.round(c, 9), out.counts()]))
        return np.concatenate(rows) if rows else np.zeros((0, 3))


# --- running: local process pool, Dask, or in-process ------------------------------------------

#: The most samples one run may draw (a run holds 20 bytes a sample: 200 MB at 10 million).
MAX_SAMPLES = 10_000_000
#: The largest seed: `SeedSequence` takes any non-negative int; 63 bits keep it an int64.
MAX_SEED = 2**63 - 1
#: The most local worker processes one run may start.
MAX_WORKERS = 256
#: Seconds a Dask scheduler has to answer before the run stops with an error.
SCHEDULER_TIMEOUT = 3
#: The folder of a run's finished chunks, inside the run's folder.
CHUNKS = "chunks"
#: The columns of ``samples.parquet`` and of each chunk.
SAMPLE_COLUMNS = ("sample", "stranded", "revenue_at_risk", "share_crossing", "outages")
CONTRIBUTION_COLUMNS = ("risk", "name", "routes", "contribution", "share")
#: Rows of ``samples.parquet`` written together (one row group; about 10 MB as a table).
ROW_GROUP = 2**18
#: `RiskResult.to_dict` lists the stranded volume of each sample up to this many samples.
STORED_STRANDED = 10_000
#: Bins of the stranded-volume histogram in `RiskResult.to_dict` (the dashboard draws it).
HISTOGRAM_BINS = 60
_PR_SET_PDEATHSIG = 1  # linux/prctl.h
_MAX_SUMMARY_BYTES = 16 * 2**20

#: Local workers of one run share the bases they find up to this many workers (`Exchange`).
SHARE_MAX_WORKERS = 16

_ENGINE: Engine | None = None


class Exchange:
    """Bases passed among the local workers of one run as they are found.

    Each worker appends the bases it finds to its own file in the run's private folder, as
    length-prefixed records, and reads the others' files before it solves (`Engine.adopt`).
    Without it each worker would make every solve of the cache's warm-up itself: the workers
    would repeat each other's warm-up instead of sharing it. The run's own process reads them
    all at the end: its engine has the bases for the P95 contributions. Reading never waits: a
    record not yet whole (or cut short by a worker that ended) is left for later, so no worker
    blocks on another. A basis is optimal wherever it fits, so results do not depend on which
    worker found it.
    """

    def __init__(self, folder: str | Path, me: int, workers: int) -> None:
        """Worker `me` of `workers` (`me` = `workers`: the run's process, which only reads)."""
        self.folder, self.me = Path(folder), me
        self._out = open(self.folder / str(me), "ab") if me < workers else None  # noqa: SIM115
        self._readers: dict[int, Any] = {k: None for k in range(workers) if k != me}
        self._pending: dict[int, bytes] = {k: b"" for k in self._readers}

    def send(self, item: _Found) -> None:
        """Append `item` for the others to read."""
        if self._out is not None:
            data = pickle.dumps(item, protocol=pickle.HIGHEST_PROTOCOL)
            self._out.write(len(data).to_bytes(8, "little") + data)
            self._out.flush()

    def take(self) -> list[_Found]:
        """Return the whole records the others appended since the last call."""
        got = []
        for k in self._readers:
            if self._readers[k] is None:
                try:
                    self._readers[k] = open(self.folder / str(k), "rb")  # noqa: SIM115
                except FileNotFoundError:
                    continue  # that worker has sent nothing yet
            buf = self._pending[k] + self._readers[k].read()
            at = 0
            while at + 8 <= len(buf):
                n = int.from_bytes(buf[at : at + 8], "little")
                if at + 8 + n > len(buf):
                    break  # not whole yet
                # written by this run's own workers, in its private folder
                got.append(pickle.loads(buf[at + 8 : at + 8 + n]))
                at += 8 + n
            self._pending[k] = buf[at:]
        return got

    def close(self) -> None:
        """Close the files this exchange holds open."""
        for f in [self._out, *self._readers.values()]:
            if f is not None:
                f.close()


def _init_worker(problem: RiskProblem, folder: str | None, workers: int, counter: Any) -> None:
    global _ENGINE
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # not the parent's handler, inherited by fork
    die_with_parent()
    _ENGINE = Engine(problem)
    if folder is not None:
        with counter.get_lock():
            me = counter.value
            counter.value += 1
        _ENGINE.exchange = Exchange(folder, me, workers)


def die_with_parent(kernel: bool = True) -> None:
    """Make this worker end when its parent process does, even when the parent is SIGKILLed.

    On Linux the kernel does it (``prctl(PR_SET_PDEATHSIG, SIGKILL)``); elsewhere, when that
    call fails, or with ``kernel=False``, a daemon thread polls the parent's process id. The
    kernel's signal follows the parent *thread* that started the worker: a pool started from a
    short-lived thread (a web server's) must poll instead.
    """
    parent = os.getppid()
    armed = False
    if kernel and sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            armed = libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0) == 0
        except (OSError, AttributeError):
            armed = False
    if armed:
        if os.getppid() != parent:  # the parent died before prctl took effect
            os._exit(1)
        return
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()


def _watch_parent(parent: int, every: float = 0.5) -> None:
    while os.getppid() == parent:
        time.sleep(every)
    os._exit(1)


def _run_chunk(seed: int, start: int, stop: int) -> tuple[int, np.ndarray]:
    assert _ENGINE is not None
    _ENGINE.adopt()
    return start, _ENGINE.samples(seed, start, stop)


_DASK_ENGINES: dict[int, Engine] = {}


def _dask_chunk(
    problem: RiskProblem, key: int, seed: int, start: int, stop: int
) -> tuple[int, np.ndarray]:
    engine = _DASK_ENGINES.get(key)
    if engine is None:
        engine = _DASK_ENGINES[key] = Engine(problem)
    return start, engine.samples(seed, start, stop)


@contextmanager
def signals_interrupt() -> Iterator[list[int]]:
    """Make SIGTERM stop a run as Ctrl-C does, inside the block; yield the signals received.

    SIGINT and SIGTERM raise `KeyboardInterrupt` (which `run_risk` turns into an interrupted
    run that keeps its finished samples); the yielded list records which signal came, so the
    caller can exit with 128 + its number (130 for Ctrl-C, 143 for SIGTERM). Outside the main
    thread, where Python cannot set signal handlers, it changes nothing.
    """
    received: list[int] = []
    if threading.current_thread() is not threading.main_thread():
        yield received
        return

    def handler(signum: int, frame: object) -> None:
        received.append(signum)
        raise KeyboardInterrupt

    old = {s: signal.signal(s, handler) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield received
    finally:
        for s, h in old.items():
            signal.signal(s, h)


@dataclass(frozen=True)
class RiskSummary:
    """What a risk run found: loss quantiles, the crossing share, each risk's part of P95.

    ``stranded`` [Mt over the year] and ``revenue_at_risk`` [USD] hold the mean and the
    quantiles ``p50`` … ``p99``; `to_dict` gives the JSON form stored with a run.
    ``complete`` is False in the ``summary.json`` of a run still going (or killed before its
    end): its samples are then the finished chunks (see `RiskResult.read`).
    """

    problem: str
    samples_requested: int
    samples_finished: int
    interrupted: bool
    seed: int
    workers: int
    scheduler: str | None
    seconds: float
    risks: list[dict[str, Any]]
    stranded: dict[str, Any]
    revenue_at_risk: dict[str, Any]
    share_crossing: dict[str, Any]
    p95_contributions: list[dict[str, Any]]
    seconds_sampling: float | None = None
    baseline: str = "observed"  # "reconciled" or "observed": where the baseline flows come from
    complete: bool = True

    def to_dict(self) -> dict[str, Any]:
        """Return the summary as JSON-ready data (the form ``summary.json`` stores)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RiskSummary:
        """Return the summary of its `to_dict` form."""
        names = cls.__dataclass_fields__
        return cls(**{k: v for k, v in data.items() if k in names})


class _Samples(Protocol):
    """Where a result's samples are: compact columns, a stored run's file, or a table."""

    def __len__(self) -> int: ...

    def values(self, column: str) -> np.ndarray:
        """Return one column of `SAMPLE_COLUMNS`, in sample order."""
        ...

    def frames(self, rows: int) -> Iterator[pd.DataFrame]:
        """Yield the table of samples in parts of about `rows` rows, in sample order."""
        ...


@dataclass(frozen=True, eq=False)
class SampleColumns:
    """A run's samples as compact columns in sample order: 20 bytes a sample.

    ``spans`` are the ranges of sample numbers held, in order: ``((0, n),)`` for a run that
    finished, more where an interrupted run had finished chunks beyond a gap. The table of
    `RiskResult.samples` is built from these columns (revenue at risk = stranded × price).
    """

    spans: tuple[tuple[int, int], ...]
    stranded: np.ndarray  # Mt over the year (float64)
    share: np.ndarray  # share crossing the focus country (float64)
    outages: np.ndarray  # outages in the year (int32)
    price: float  # USD/t

    def __len__(self) -> int:
        return len(self.stranded)

    def index(self, lo: int = 0, hi: int | None = None) -> np.ndarray:
        """Return the sample numbers of rows `lo` … `hi` - 1."""
        hi = len(self) if hi is None else hi
        parts, pos = [], 0
        for a, b in self.spans:
            start, stop = max(lo, pos), min(hi, pos + b - a)
            if start < stop:
                parts.append(np.arange(a + start - pos, a + stop - pos, dtype=np.int64))
            pos += b - a
        if len(parts) == 1:
            return parts[0]
        return np.concatenate(parts) if parts else np.zeros(0, np.int64)

    def numbers(self, rows: np.ndarray) -> np.ndarray:
        """Return the sample numbers of the rows at positions `rows` (int64)."""
        lengths = np.array([b - a for a, b in self.spans], np.int64)
        ends = np.cumsum(lengths)
        starts = np.array([a for a, _ in self.spans], np.int64)
        span = np.searchsorted(ends, rows, side="right")
        return np.asarray(starts[span] + rows - (ends - lengths)[span], np.int64)

    def table(self, lo: int = 0, hi: int | None = None) -> pd.DataFrame:
        """Return rows `lo` … `hi` - 1 as the table of `SAMPLE_COLUMNS`."""
        hi = len(self) if hi is None else hi
        return _table(
            self.index(lo, hi),
            self.stranded[lo:hi],
            self.share[lo:hi],
            self.outages[lo:hi],
            self.price,
        )

    def values(self, column: str) -> np.ndarray:
        """Return one column of `SAMPLE_COLUMNS`, in sample order."""
        if column == "stranded":
            return self.stranded
        if column == "share_crossing":
            return self.share
        if column == "revenue_at_risk":
            return np.asarray(self.stranded * T_PER_MT * self.price)
        if column == "outages":
            return self.outages.astype(np.int64)
        if column == "sample":
            return self.index()
        return np.asarray(self.table()[column].to_numpy())  # not a column: pandas' KeyError

    def frames(self, rows: int) -> Iterator[pd.DataFrame]:
        """Yield the table of samples in parts of `rows` rows, to be read, not changed.

        Their ``stranded`` and ``share_crossing`` are read-only views of the columns, not
        copies (the table of `table` copies them).
        """
        for lo in range(0, len(self), rows):
            hi = min(lo + rows, len(self))
            stranded, share = (_read_only(x[lo:hi]) for x in (self.stranded, self.share))
            yield _table(
                self.index(lo, hi), stranded, share, self.outages[lo:hi], self.price, False
            )


class _Collector:
    """A run's finished chunks, kept as compact columns as they come (`SampleColumns`).

    The arrays have room for every sample of the run; the memory of samples not yet finished
    is never touched, so the operating system does not hand it out.
    """

    def __init__(self, n: int) -> None:
        self.stranded = np.empty(n)
        self.share = np.empty(n)
        self.outages = np.empty(n, np.int32)
        self.spans: list[tuple[int, int]] = []

    def add(self, start: int, block: np.ndarray) -> None:
        """Keep a finished chunk: rows of (stranded, share, outages) from sample `start`."""
        stop = start + len(block)
        self.stranded[start:stop] = block[:, 0]
        self.share[start:stop] = block[:, 1]
        self.outages[start:stop] = block[:, 2]
        self.spans.append((start, stop))

    def columns(self, price: float) -> SampleColumns:
        """Return the finished samples in sample order (copied only where gaps are left)."""
        spans = _merge_spans(self.spans)
        if len(spans) <= 1 and (not spans or spans[0][0] == 0):
            k = spans[0][1] if spans else 0
            return SampleColumns(
                tuple(spans), self.stranded[:k], self.share[:k], self.outages[:k], price
            )
        s, c, o = (
            np.concatenate([x[a:b] for a, b in spans])
            for x in (self.stranded, self.share, self.outages)
        )
        return SampleColumns(tuple(spans), s, c, o, price)


def _merge_spans(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Return the ranges in order, adjacent ones joined."""
    out: list[tuple[int, int]] = []
    for a, b in sorted(spans):
        if out and out[-1][1] == a:
            out[-1] = (out[-1][0], b)
        else:
            out.append((a, b))
    return out


class StoredSamples:
    """The samples of a stored run, read from its ``samples.parquet`` when they are used.

    Opening checks the file's footer: it is a Parquet file with `SAMPLE_COLUMNS` and `count`
    rows. A file replaced after that (a new run in the same folder) is an error, not another
    run's samples.
    """

    def __init__(self, path: Path, count: int | None = None) -> None:
        self.path = path
        if not path.is_file():
            msg = f"{path}: missing; the run is damaged or was not written to the end"
            raise RunStoreError(msg)
        self._stamp = self._stat()
        with self._open() as pf:
            self.count = int(pf.count())
            missing = [c for c in SAMPLE_COLUMNS if c not in pf.columns]
        if missing:
            msg = f"{path}: columns missing: {', '.join(missing)}; not a file of a risk run"
            raise RunStoreError(msg)
        if count is not None and self.count != count:
            msg = (
                f"{path}: holds {self.count} samples, but summary.json says {count}; "
                "the run is damaged"
            )
            raise RunStoreError(msg)

    def __len__(self) -> int:
        return self.count

    def _stat(self) -> tuple[int, int, int]:
        st = self.path.stat()
        return st.st_size, st.st_mtime_ns, st.st_ino

    @contextmanager
    def _open(self) -> Iterator[Any]:
        """Yield the file as a `fastparquet.ParquetFile`; its errors become RunStoreError."""
        try:
            if self._stat() != self._stamp:
                msg = f"{self.path}: replaced since the run was read; read the run again"
                raise RunStoreError(msg)
            with self.path.open("rb") as f:
                yield fastparquet.ParquetFile(f)
        except RunStoreError:
            raise
        except Exception as exc:  # fastparquet raises many kinds of errors on a damaged file
            raise _damaged(self.path, exc) from None

    def values(self, column: str) -> np.ndarray:
        """Return one column of `SAMPLE_COLUMNS`, in sample order (read from the file)."""
        with self._open() as pf:
            return np.asarray(pf.to_pandas(columns=[column])[column].to_numpy())

    def frames(self, rows: int) -> Iterator[pd.DataFrame]:
        """Yield the table of samples one row group of the file at a time (`rows` unused)."""
        with self._open() as pf:
            for part in pf.iter_row_groups():
                yield part[list(SAMPLE_COLUMNS)]


class _FrameSamples:
    """Samples given as a table (a `RiskResult` built by hand)."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self.frame = frame

    def __len__(self) -> int:
        return len(self.frame)

    def values(self, column: str) -> np.ndarray:
        return np.asarray(self.frame[column].to_numpy())

    def frames(self, rows: int) -> Iterator[pd.DataFrame]:
        for lo in range(0, len(self.frame), rows):
            yield self.frame.iloc[lo : lo + rows]


@dataclass(repr=False)
class RiskResult(Displayable):
    """Samples and summary of a risk run (volumes in Mt over the year, money in USD).

    ``samples`` is the table of `SAMPLE_COLUMNS`, one row a sample. A run keeps its samples
    as compact columns (`SampleColumns`, 20 bytes a sample) and builds the table the first
    time it is asked for (40 bytes a sample more); a run read from its folder reads it from
    ``samples.parquet`` then. The first argument may also be that table itself.
    """

    sampled: SampleColumns | StoredSamples | pd.DataFrame
    summary: RiskSummary
    contributions: pd.DataFrame
    _table: pd.DataFrame | None = field(default=None, init=False, compare=False)

    def __post_init__(self) -> None:
        if isinstance(self.sampled, pd.DataFrame):
            self._table = self.sampled

    @property
    def _samples(self) -> _Samples:
        if isinstance(self.sampled, pd.DataFrame):
            return _FrameSamples(self.sampled)
        return self.sampled

    @property
    def samples(self) -> pd.DataFrame:
        """Return the table of samples (`SAMPLE_COLUMNS`), built or read once, then kept."""
        if self._table is None:
            if isinstance(self.sampled, SampleColumns):
                self._table = self.sampled.table()
            else:
                parts = list(self._samples.frames(ROW_GROUP))
                self._table = (
                    pd.concat(parts, ignore_index=True)
                    if parts
                    else _table(*(np.zeros(0),) * 4, 0.0)
                )
        return self._table

    def __repr__(self) -> str:
        s = self.summary
        p95 = s.stranded.get("p95")
        shown = "n/a" if p95 is None else f"{p95:,.2f} Mt"
        return (
            f"<RiskResult {s.problem}: {s.samples_finished:,} of {s.samples_requested:,} "
            f"samples; stranded P95 {shown}" + (", interrupted>" if s.interrupted else ">")
        )

    def to_dict(self) -> dict[str, Any]:
        """Return the run as JSON-ready data: summary, contributions, stranded volume [Mt].

        ``stranded`` lists each sample's stranded volume for runs of up to `STORED_STRANDED`
        samples, None for larger runs; ``histogram`` counts the samples of every run in
        `HISTOGRAM_BINS` equal bins of stranded volume (``edges``, Mt, and ``counts``). This
        is the form the web's run store keeps (a few kB at any size), and the views build from
        it or from the result itself alike.
        """
        stranded = self._samples.values("stranded")
        return {
            "summary": self.summary.to_dict(),
            "contributions": self.contributions.to_dict("records"),
            "stranded": [round(float(x), 9) for x in stranded]
            if len(stranded) <= STORED_STRANDED
            else None,
            "histogram": _histogram(stranded),
        }

    def write(self, folder: str | Path) -> Path:
        """Write ``samples.parquet``, ``contributions.parquet`` and ``summary.json``.

        Each file goes to a temporary name in the folder first and is then renamed over the old
        one, so a reader (or a crash) never sees half a file; ``summary.json`` comes last. The
        samples go `ROW_GROUP` rows at a time, never all together as a table.
        """
        folder = _run_folder(folder)
        path = folder / "samples.parquet"
        _write_samples(path, self._samples)
        if (
            isinstance(self.sampled, StoredSamples)
            and self.sampled.path.resolve() == path.resolve()
        ):
            self.sampled = StoredSamples(path, len(self.sampled))  # its own file, rewritten
        _write_parquet(folder / "contributions.parquet", self.contributions)
        _write_json(folder / "summary.json", self.summary.to_dict())
        return folder

    @classmethod
    def read(cls, folder: str | Path) -> RiskResult:
        """Read a run written by `write` or by `run_risk` (``out=``), finished or not.

        A run whose ``summary.json`` says ``complete: false`` (killed, or still going) is read
        from its finished chunks: ``interrupted`` is True, ``samples_finished`` counts the
        samples found, the statistics are those of these samples and the P95 contributions are
        empty (they are computed at the end of a run). A finished run's samples are read from
        ``samples.parquet`` when first used (its footer is checked here).

        Raises
        ------
        RunStoreError
            When the folder does not exist or is a file, or ``summary.json`` or a Parquet file
            is missing, empty, truncated or of the wrong shape (the message names the file).
        """
        folder = Path(folder)
        if not folder.exists():
            msg = f"no risk run in {folder}: the folder does not exist"
            raise RunStoreError(msg)
        if not folder.is_dir():
            msg = f"no risk run in {folder}: it is a file, not a run's folder"
            raise RunStoreError(msg)
        summary_file = folder / "summary.json"
        if not summary_file.is_file():
            msg = f"no risk run in {folder} (expected summary.json there)"
            raise RunStoreError(msg)
        summary = RiskSummary.from_dict(_read_summary(summary_file))
        if not summary.complete:
            return _read_unfinished(folder, summary)
        samples = StoredSamples(folder / "samples.parquet", summary.samples_finished)
        contrib = _read_parquet(folder / "contributions.parquet", CONTRIBUTION_COLUMNS)
        return cls(samples, summary, contrib)


def _histogram(stranded: np.ndarray) -> dict[str, Any]:
    """Return the counts of samples in `HISTOGRAM_BINS` equal bins of stranded volume."""
    if not len(stranded):
        return {"unit": "Mt", "edges": [], "counts": []}
    counts, edges = np.histogram(stranded, bins=HISTOGRAM_BINS)
    return {"unit": "Mt", "edges": edges.tolist(), "counts": counts.tolist()}


def _run_folder(folder: str | Path) -> Path:
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        msg = f"cannot write a risk run to {folder}: {exc.strerror or exc}"
        raise RunStoreError(msg) from None
    return folder


def _write_atomic(path: Path, write: Callable[[Path], object]) -> None:
    """Write `path` through a temporary file in its folder, then rename it over `path`."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        write(tmp)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _write_json(path: Path, data: dict[str, Any]) -> None:
    text = json.dumps(data, indent=2, default=str)
    _write_atomic(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def _write_parquet(path: Path, df: pd.DataFrame) -> None:
    frame = df.reset_index(drop=True)
    _write_atomic(path, lambda tmp: fastparquet.write(str(tmp), frame, write_index=False))


def _write_samples(path: Path, samples: _Samples) -> None:
    """Write the samples to `path` as row groups of `ROW_GROUP` rows, appended one by one."""

    def write(tmp: Path) -> None:
        first = True
        for part in samples.frames(ROW_GROUP):
            frame = part.reset_index(drop=True)
            fastparquet.write(str(tmp), frame, write_index=False, append=not first)
            first = False
        if first:  # no samples: the columns alone
            fastparquet.write(str(tmp), _table(*(np.zeros(0),) * 4, 0.0), write_index=False)

    _write_atomic(path, write)


def _samples_frame(start: int | np.ndarray, block: np.ndarray, price: float) -> pd.DataFrame:
    """Return the samples of `block` (rows: stranded, share, outages) as a table.

    `start` is the first sample's index (the others follow), or the array of all indices.
    """
    index = (
        np.arange(start, start + len(block), dtype=np.int64)
        if isinstance(start, int)
        else start.astype(np.int64)
    )
    return _table(index, block[:, 0], block[:, 1], block[:, 2], price)


def _table(
    index: np.ndarray,
    stranded: np.ndarray,
    share: np.ndarray,
    outages: np.ndarray,
    price: float,
    copy: bool = True,
) -> pd.DataFrame:
    """Return the table of `SAMPLE_COLUMNS` of these samples (revenue = stranded × price).

    With `copy` False the table holds `stranded` and `share` themselves, not copies.
    """
    return pd.DataFrame(
        {
            "sample": index.astype(np.int64, copy=False),
            "stranded": stranded,
            "revenue_at_risk": stranded * T_PER_MT * price,
            "share_crossing": share,
            "outages": outages.astype(np.int64),
        },
        copy=copy,
    )


def _read_only(x: np.ndarray) -> np.ndarray:
    """Return a view of `x` that cannot be written to."""
    view = x.view()
    view.flags.writeable = False
    return view


def _read_parquet(path: Path, columns: Iterable[str]) -> pd.DataFrame:
    if not path.is_file():
        msg = f"{path}: missing; the run is damaged or was not written to the end"
        raise RunStoreError(msg)
    try:
        # fastparquet leaves a file it opened itself open; hand it the bytes instead
        df = fastparquet.ParquetFile(io.BytesIO(path.read_bytes())).to_pandas()
    except Exception as exc:  # fastparquet raises many kinds of errors on a damaged file
        raise _damaged(path, exc) from None
    missing = [c for c in columns if c not in df.columns]
    if missing:
        msg = f"{path}: columns missing: {', '.join(missing)}; not a file of a risk run"
        raise RunStoreError(msg)
    return df


def _damaged(path: Path, exc: Exception) -> RunStoreError:
    return RunStoreError(
        f"{path}: not a readable Parquet file, truncated or damaged "
        f"({type(exc).__name__}: {str(exc)[:200]})"
    )


_NUMBER = (int, float)
#: The fields ``summary.json`` must have, and their JSON types.
_SUMMARY_FIELDS: dict[str, tuple[type, ...]] = {
    "problem": (str,),
    "samples_requested": (int,),
    "samples_finished": (int,),
    "interrupted": (bool,),
    "seed": (int,),
    "workers": (int,),
    "scheduler": (str, type(None)),
    "seconds": _NUMBER,
    "risks": (list,),
    "stranded": (dict,),
    "revenue_at_risk": (dict,),
    "share_crossing": (dict,),
    "p95_contributions": (list,),
    "complete": (bool,),
}
#: Numbers inside the summary's parts that reading an unfinished run needs.
_SUMMARY_NUMBERS = (
    ("stranded", "no_outage"),
    ("revenue_at_risk", "price_usd_per_t"),
    ("share_crossing", "threshold"),
)


def _kind(value: object, kinds: tuple[type, ...]) -> bool:
    return isinstance(value, kinds) and (bool in kinds or not isinstance(value, bool))


def _read_summary(path: Path) -> dict[str, Any]:
    """Return the JSON of a run's ``summary.json``, checked for the fields a reader needs."""
    if path.stat().st_size > _MAX_SUMMARY_BYTES:
        msg = f"{path}: {path.stat().st_size:,} bytes, too large for a risk run's summary"
        raise RunStoreError(msg)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        msg = f"{path}: not UTF-8 text; not a risk run's summary, or damaged"
        raise RunStoreError(msg) from None
    except json.JSONDecodeError as exc:
        what = "empty" if not exc.doc.strip() else "not valid JSON"
        msg = (
            f"{path}: {what} ({exc.msg} at line {exc.lineno}, column {exc.colno}); "
            "the file is truncated or damaged"
        )
        raise RunStoreError(msg) from None
    except RecursionError:
        msg = f"{path}: nested too deeply; not a risk run's summary"
        raise RunStoreError(msg) from None
    if not isinstance(data, dict):
        msg = f"{path}: a JSON {type(data).__name__}, expected an object (a risk run's summary)"
        raise RunStoreError(msg)
    data.setdefault("complete", True)  # runs written before chunks were stored
    for key, kinds in _SUMMARY_FIELDS.items():
        value = data.get(key)
        if key not in data or not _kind(value, kinds):
            want = " or ".join("null" if k is type(None) else k.__name__ for k in kinds)
            got = "nothing" if key not in data else f"{json.dumps(value)[:40]}"
            msg = f"{path}: field {key!r} should be {want}, got {got}; the summary is damaged"
            raise RunStoreError(msg)
    for part, key in _SUMMARY_NUMBERS:
        if not _kind(data[part].get(key), _NUMBER):
            got = json.dumps(data[part].get(key))[:40]
            msg = f"{path}: field {part}.{key} should be a number, got {got}"
            raise RunStoreError(msg)
    if not 0 <= data["samples_finished"] <= data["samples_requested"]:
        msg = (
            f"{path}: samples_finished {data['samples_finished']} is not between 0 and "
            f"samples_requested {data['samples_requested']}"
        )
        raise RunStoreError(msg)
    return data


_CHUNK_NAME = re.compile(r"part-(\d{10})-(\d{10})\.parquet")


def _read_unfinished(folder: Path, summary: RiskSummary) -> RiskResult:
    """Read a run that did not reach its end from its finished chunks, one at a time."""
    parts = []
    chunks = folder / CHUNKS
    for path in sorted(chunks.glob("part-*.parquet")) if chunks.is_dir() else []:
        name = _CHUNK_NAME.fullmatch(path.name)
        if name is None:
            msg = f"{path}: not a chunk's name (part-START-STOP.parquet, 10 digits each)"
            raise RunStoreError(msg)
        parts.append((int(name[1]), int(name[2]), path))
    count = sum(max(0, stop - start) for start, stop, _ in parts)
    stranded, share, outages = np.empty(count), np.empty(count), np.empty(count, np.int32)
    pos = 0
    for start, stop, path in parts:
        df = _read_parquet(path, SAMPLE_COLUMNS)
        index = df["sample"].to_numpy()
        if len(df) != stop - start or not np.array_equal(index, np.arange(start, stop)):
            msg = f"{path}: holds {len(df)} samples, not the samples {start} to {stop - 1}"
            raise RunStoreError(msg)
        stranded[pos : pos + len(df)] = df["stranded"].to_numpy()
        share[pos : pos + len(df)] = df["share_crossing"].to_numpy()
        outages[pos : pos + len(df)] = df["outages"].to_numpy()
        pos += len(df)
    price = summary.revenue_at_risk["price_usd_per_t"]
    spans = tuple(_merge_spans((a, b) for a, b, _ in parts))
    samples = SampleColumns(spans, stranded, share, outages, price)
    stats = _statistics(
        samples,
        summary.stranded["no_outage"],
        price,
        summary.share_crossing.get("country"),
        summary.share_crossing["threshold"],
    )
    summary = replace(summary, samples_finished=len(samples), interrupted=True, **stats)
    return RiskResult(samples, summary, pd.DataFrame(columns=list(CONTRIBUTION_COLUMNS)))


class _RunWriter:
    """A run's folder while it runs: each finished chunk, then the summary, renamed into place.

    ``summary.json`` says ``complete: false`` and how many samples are done until the end,
    when `finish` writes the whole run and removes the chunks.
    """

    def __init__(self, folder: str | Path, summary: RiskSummary) -> None:
        self.folder = _run_folder(folder)
        self.chunks = self.folder / CHUNKS
        self.summary = summary
        try:
            self.chunks.mkdir(exist_ok=True)
        except OSError as exc:
            msg = f"cannot write a risk run to {self.chunks}: {exc.strerror or exc}"
            raise RunStoreError(msg) from None
        # a new run in a folder replaces the run there: drop the old one's files
        for old in self.chunks.glob("part-*.parquet"):
            old.unlink()
        for name in ("samples", "contributions"):
            (self.folder / f"{name}.parquet").unlink(missing_ok=True)
        _write_json(self.folder / "summary.json", summary.to_dict())

    def add(self, chunk: pd.DataFrame, done: int, seconds: float) -> None:
        """Store a finished chunk, then count it in the summary."""
        start = int(chunk["sample"].iloc[0])
        stop = start + len(chunk)
        _write_parquet(self.chunks / f"part-{start:010d}-{stop:010d}.parquet", chunk)
        self.summary = replace(self.summary, samples_finished=done, seconds=round(seconds, 3))
        _write_json(self.folder / "summary.json", self.summary.to_dict())

    def finish(self, result: RiskResult) -> None:
        """Write the whole run (``summary.json`` last), then remove the chunks."""
        result.write(self.folder)
        shutil.rmtree(self.chunks, ignore_errors=True)


def check_run(
    n: int, seed: int, workers: int = 1, threshold: float = 0.8, chunk: int | None = None
) -> None:
    """Check a risk run's arguments (the CLI and the web API pass theirs through here).

    Raises
    ------
    InvalidArgumentError
        For a number of samples outside 1 … `MAX_SAMPLES`, a seed outside 0 … `MAX_SEED` (or
        not an integer), workers outside 1 … `MAX_WORKERS`, a threshold that is not a share
        between 0 and 1, or a chunk size below 1.
    """
    ints = (
        ("n", n, 1, MAX_SAMPLES, "samples"),
        ("seed", seed, 0, MAX_SEED, "a seed"),
        ("workers", workers, 1, MAX_WORKERS, "worker processes"),
        ("chunk", 1 if chunk is None else chunk, 1, MAX_SAMPLES, "samples per chunk"),
    )
    for name, value, low, high, what in ints:
        if not isinstance(value, int | np.integer) or isinstance(value, bool):
            msg = f"{name} must be an integer ({what}), got {str(value)[:40]!r}"
            raise InvalidArgumentError(msg)
        if not low <= value <= high:
            msg = f"{name} must be between {low:,} and {high:,} ({what}), got {value:,}"
            raise InvalidArgumentError(msg)
    if not isinstance(threshold, int | float) or not 0 <= threshold <= 1:
        msg = f"threshold must be a share between 0 and 1; for 80 % write 0.8; got {threshold!r}"
        raise InvalidArgumentError(msg)


def run_risk(
    problem: RiskProblem,
    n: int = 10_000,
    seed: int = 1,
    workers: int = 1,
    scheduler: Any = None,
    threshold: float = 0.8,
    chunk: int | None = None,
    on_progress: Callable[[int], None] | None = None,
    should_stop: Callable[[int], bool] | None = None,
    out: str | Path | None = None,
) -> RiskResult:
    """Run `n` samples; return quantiles, probabilities and each risk's part of the P95 loss.

    Parameters
    ----------
    problem : RiskProblem
        From `RiskProblem.from_network`.
    n, seed : int
        Number of samples (1 … `MAX_SAMPLES`) and the seed (0 … `MAX_SEED`; same seed, same
        numbers on any number of workers).
    workers : int
        Local worker processes (1: in this process). They end with this process, even when it
        is killed.
    scheduler : str or dask.distributed.Client, optional
        A Dask scheduler address (``tcp://host:8786``) or client: run the chunks there.
    threshold : float
        Report the probability that the share crossing the focus country falls below it (a
        share between 0 and 1).
    chunk : int, optional
        Samples per chunk (default n / 8 / workers, between 10 and `BLOCK`).
    on_progress, should_stop : callable, optional
        Called with the number of finished samples; `should_stop` returning True (or Ctrl-C)
        stops the run and returns the samples finished so far (``summary.interrupted``).
    out : str or Path, optional
        Folder to store the run in as it goes: each finished chunk in ``chunks/`` and
        ``summary.json`` (``complete: false``) updated after it, all renamed into place; at
        the end the whole run (`RiskResult.write`). A killed run loses at most its chunks in
        flight, and `RiskResult.read` reads what it finished.

    Raises
    ------
    InvalidArgumentError
        For arguments out of range (`check_run`).
    CorridorError
        When the Dask scheduler does not answer within `SCHEDULER_TIMEOUT` seconds.
    """
    check_run(n, seed, workers, threshold, chunk)
    t0 = time.perf_counter()
    chunk = chunk or max(10, min(BLOCK, n // max(1, 8 * max(workers, 1))))
    bounds = [(a, min(a + chunk, n)) for a in range(0, n, chunk)]
    # the no-outage loss now, the P95 contributions at the end (warm: the bases sampling found)
    parent = Engine(problem)
    run = {
        "problem": problem.label,
        "samples_requested": n,
        "samples_finished": 0,
        "interrupted": False,
        "seed": seed,
        "workers": workers,
        "scheduler": None if scheduler is None else str(scheduler),
        "seconds": 0.0,
    }
    no_contributions = pd.DataFrame(columns=list(CONTRIBUTION_COLUMNS))
    writer = None
    if out is not None:
        empty = _Collector(0).columns(problem.price)
        started = _summary(problem, empty, no_contributions, threshold, run, parent.nominal_loss)
        writer = _RunWriter(out, replace(started, complete=False))
    finished = _Collector(n)  # what the statistics and the result need: 20 bytes a sample
    done = 0

    def collect(start: int, block: np.ndarray) -> bool:
        nonlocal done
        finished.add(start, block)
        done += len(block)
        if writer is not None:
            frame = _samples_frame(start, block, problem.price)
            writer.add(frame, done, time.perf_counter() - t0)
        if on_progress:
            on_progress(done)
        return bool(should_stop and should_stop(done))

    sampling = time.perf_counter()
    interrupted = False
    found: list[_Found] = []
    try:
        if scheduler is not None:
            interrupted = _run_dask(problem, seed, bounds, scheduler, collect)
        elif workers <= 1:
            for a, b in bounds:
                block = parent.samples(seed, a, b)
                if collect(a, block):
                    interrupted = True
                    break
        else:
            interrupted = _run_pool(problem, seed, bounds, workers, collect, found)
    except KeyboardInterrupt:
        interrupted = True
    sampling = time.perf_counter() - sampling
    parent.adopt(found)  # the bases the workers found: fewer solves for the P95 parts
    samples = finished.columns(problem.price)
    contributions = (
        _contributions(problem, seed, samples, parent) if len(samples) else no_contributions
    )
    run |= {
        "samples_finished": len(samples),
        "interrupted": interrupted,
        "seconds": round(time.perf_counter() - t0, 3),
    }
    summary = _summary(problem, samples, contributions, threshold, run, parent.nominal_loss)
    result = RiskResult(
        samples, replace(summary, seconds_sampling=round(sampling, 3)), contributions
    )
    if writer is not None:
        writer.finish(result)
    return result


def _run_pool(
    problem: RiskProblem,
    seed: int,
    bounds: list[tuple[int, int]],
    workers: int,
    collect: Callable[[int, np.ndarray], bool],
    found: list[_Found],
) -> bool:
    """Run the chunks on `workers` local processes; add the bases they found to `found`."""
    context = multiprocessing.get_context()
    share = 1 < workers <= SHARE_MAX_WORKERS  # (large LPs keep no bases: nothing is sent)
    folder = tempfile.mkdtemp(prefix="corridor-bases-") if share else None
    counter = context.Value("i", 0)
    pool = ProcessPoolExecutor(
        workers, context, initializer=_init_worker, initargs=(problem, folder, workers, counter)
    )
    pending: set[Future[tuple[int, np.ndarray]]] = {
        pool.submit(_run_chunk, seed, a, b) for a, b in bounds
    }
    try:
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for fut in done:
                if collect(*fut.result()):
                    return True
        return False
    finally:
        for fut in pending:
            fut.cancel()
        # the chunks in flight finish (a chunk is short), the others are dropped
        pool.shutdown(wait=True, cancel_futures=True)
        if folder is not None:  # the bases the workers found, for the P95 contributions
            mine = Exchange(folder, workers, workers)
            found.extend(mine.take())
            mine.close()
            shutil.rmtree(folder, ignore_errors=True)


def _run_dask(
    problem: RiskProblem,
    seed: int,
    bounds: list[tuple[int, int]],
    scheduler: Any,
    collect: Callable[[int, np.ndarray], bool],
) -> bool:
    require("dask.distributed", "dask", "running on a Dask scheduler")
    from dask.distributed import Client, as_completed

    client = scheduler if isinstance(scheduler, Client) else _connect(Client, scheduler)
    try:
        remote = client.scatter(problem, broadcast=True)
        key = int(time.time_ns())
        futures = [
            client.submit(_dask_chunk, remote, key, seed, a, b, pure=False) for a, b in bounds
        ]
        for fut in as_completed(futures):
            if collect(*fut.result()):
                client.cancel(futures)
                return True
        return False
    finally:
        if client is not scheduler:
            client.close()


def _connect(client: Any, address: str) -> Any:
    """Connect to the Dask scheduler at `address`, or raise a CorridorError within seconds."""
    try:
        return client(address, timeout=SCHEDULER_TIMEOUT)
    except (OSError, TimeoutError, ValueError, TypeError) as exc:
        msg = (
            f"no Dask scheduler answered at {address!r} within {SCHEDULER_TIMEOUT} s "
            f"({type(exc).__name__}: {str(exc)[:120]}); start one (`dask scheduler`) or drop "
            "--scheduler to run locally"
        )
        raise CorridorError(msg) from None


#: Samples of the worst 5 % whose outages are drawn and evaluated together for the P95
#: contributions: what that takes stays the same at any number of samples.
TAIL_GROUP = 4_096

#: Rows scanned at a time for the tail's ties (many samples may share the value of the last).
_SCAN = 2**20


def _contributions(
    problem: RiskProblem, seed: int, samples: SampleColumns, engine: Engine | None = None
) -> pd.DataFrame:
    """Each risk's share of the loss in the worst 5 % of samples (see the module docstring).

    The worst samples go through `TAIL_GROUP` at a time: their outages are drawn again and
    evaluated without each risk's (`_marginal`), so the memory this takes does not grow with
    the run.
    """
    k = max(1, math.ceil(0.05 * len(samples)))
    rows = _worst(samples.stranded, k)
    engine = engine or Engine(problem)
    index = samples.numbers(rows)
    loss = samples.stranded[rows] - engine.nominal_loss
    marginal = np.zeros((len(index), len(problem.risks)))
    lost = np.flatnonzero(loss > TOL)  # a sample that loses nothing counts for nothing
    for lo in range(0, len(lost), TAIL_GROUP):
        part = lost[lo : lo + TAIL_GROUP]
        drawn = engine.outages(seed, index[part])
        marginal[part] = _marginal(engine, drawn, loss[part], len(problem.risks))
    summed = marginal.sum(axis=1)
    counted = (loss > TOL) & (summed > TOL)
    parts = (loss[counted, None] * marginal[counted] / summed[counted, None]).sum(axis=0)
    parts /= k
    total = parts.sum()
    return pd.DataFrame(
        {
            "risk": [r.id for r in problem.risks],
            "name": [r.name for r in problem.risks],
            "routes": [_routes_label(problem, r) for r in problem.risks],
            "contribution": parts,
            "share": parts / total if total > 0 else np.zeros(len(parts)),
        }
    ).sort_values("contribution", ascending=False, ignore_index=True)


def _worst(stranded: np.ndarray, k: int) -> np.ndarray:
    """Return the positions (ascending) of the `k` largest values; of ties, the first ones.

    The positions of `SampleColumns` are in sample order: ties go to the lowest numbers.
    """
    n = len(stranded)
    if k >= n:
        return np.arange(n, dtype=np.int64)
    worst = np.partition(stranded, n - k)[n - k]  # the k-th largest: a copy, not a sort
    above = np.flatnonzero(stranded > worst)
    tied, need = [], k - len(above)
    for lo in range(0, n, _SCAN):
        if need <= 0:
            break
        at = np.flatnonzero(stranded[lo : lo + _SCAN] == worst)[:need] + lo
        tied.append(at)
        need -= len(at)
    return np.sort(np.concatenate([above, *tied]))


def _marginal(engine: Engine, drawn: Outages, loss: np.ndarray, risks: int) -> np.ndarray:
    """Return each risk's marginal loss in each sample of `drawn`, whose losses are `loss`.

    That is the sample's loss less its loss without the risk's outages (the other draws the
    same), 0 where the risk has no outage in the sample.
    """
    marginal = np.zeros((drawn.size, risks))
    for j in range(risks):
        rows = np.unique(drawn.sample[drawn.risk == j])
        if not len(rows):
            continue
        without, _ = engine.evaluate_outages(drawn.take(rows).without(j))
        marginal[rows, j] = np.maximum(
            loss[rows] - (np.round(without, 9) - engine.nominal_loss), 0.0
        )
    return marginal


def _routes_label(problem: RiskProblem, r: RiskSpec) -> str:
    names = [problem.route_ids[i] if problem.route_ids else str(i) for i in r.routes]
    return ", ".join(names) if len(names) <= 3 else f"{', '.join(names[:3])}, … ({len(names)})"


def _summary(
    problem: RiskProblem,
    samples: SampleColumns,
    contributions: pd.DataFrame,
    threshold: float,
    run: dict[str, Any],
    nominal: float,
) -> RiskSummary:
    return RiskSummary(
        **run,
        risks=[asdict(x) | {"routes": list(x.routes)} for x in problem.risks],
        **_statistics(samples, nominal, problem.price, problem.focus, threshold),
        p95_contributions=contributions.to_dict("records"),
        baseline=problem.baseline_kind,
    )


def _statistics(
    samples: SampleColumns, nominal: float, price: float, country: str | None, threshold: float
) -> dict[str, Any]:
    """Return the summary's ``stranded``, ``revenue_at_risk`` and ``share_crossing``.

    Exact (no sketch): the quantiles of a column partition one copy of it for all the
    probabilities at once; the revenue's and then the volume's use the same buffer, so the
    memory they take for a moment is 8 bytes a sample.
    """
    s, share = samples.stranded, samples.share
    buffer = np.multiply(s, T_PER_MT)
    np.multiply(buffer, price, out=buffer)  # the revenue at risk: as the table's column
    revenue = {"mean": float(buffer.mean()) if len(s) else None, **_quantiles(buffer)}
    np.copyto(buffer, s)
    stranded = {"mean": float(s.mean()) if len(s) else None, **_quantiles(buffer)}
    del buffer
    return {
        "stranded": {"unit": "Mt", "no_outage": nominal, **stranded},
        "revenue_at_risk": {"unit": "USD", "price_usd_per_t": price, **revenue},
        "share_crossing": {
            "country": country,
            "mean": float(np.nanmean(share)) if len(share) else None,
            "threshold": threshold,
            "probability_below": float(np.mean(share < threshold)) if len(share) else None,
        },
    }


def _quantiles(x: np.ndarray) -> dict[str, float | None]:
    """Return the `QUANTILES` of `x` (NumPy's linear rule); `x` is reordered in place."""
    if not len(x):
        return {f"p{int(100 * p)}": None for p in QUANTILES}
    values = np.quantile(x, QUANTILES, overwrite_input=True)
    return {f"p{int(100 * p)}": float(v) for p, v in zip(QUANTILES, values, strict=True)}
