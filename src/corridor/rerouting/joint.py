r"""Joint re-routing: every exporter of a scenario re-routed together, one LP per period.

`corridor.rerouting.reroute` re-routes one exporter and holds every other exporter at its
baseline, so each exporter alone may take the spare capacity of a shared route and none of
them competes for it. `reroute_joint` re-routes a set :math:`J` of exporters at once (default:
every exporter with flows of the scenario's commodity in its years) as a multi-commodity flow:
one flow per exporter per route. Each exporter keeps the arrays of its own `RerouteProblem`
(node balance, supply, origins, sinks, baseline, targets, costs, allocation and capacity
factors); the routes and capacitated nodes are shared.

Notes
-----
For exporter :math:`e \in J` the variables and rows (2), (3), (6), (7) are those of
`corridor.solve` with an index :math:`e`: flows :math:`x_{er}`, deviations :math:`d^\pm_{er}`,
stranded :math:`u_{ev}`, delivered :math:`y_{ev}`, shortfall :math:`z_{er}`. Capacities, for
a period, from the same rules as `RerouteProblem.route_caps` (`capacity_left`,
`scale_capacity`):

    (4e)  0 ≤ x_er ≤ scale(min(x̄_r − o_r, a_er), f_er, b_er)     the exporter's own limit
    (4J)  Σ_{e∈J} x_er ≤ scale(x̄_r − o_r, f_r, Σ_{e∈J} b_er)      the route, shared
    (5e)  Σ_{t(r)=v} x_er ≤ min(n̄_v − o_v, a_ev)                  the node, the exporter's
    (5J)  Σ_{e∈J} Σ_{t(r)=v} x_er ≤ n̄_v − o_v                      the node, shared

with :math:`o_r` the baseline flows of the exporters *not* in :math:`J` (held fixed; the
largest of the members' figures where their baselines differ), :math:`a` the exporter's
allocation, :math:`f_{er}` the day-weighted factor of the intervals that apply to the
exporter (`RerouteProblem.factors`) and :math:`f_r` of those that apply to every shipper.
With one exporter, (4J) and (5J) are implied by (4e) and (5e): the LP is `reroute`'s.

The objective is lexicographic, solved in stages, each stage's optimum fixed (within
:math:`\varepsilon = 10^{-7} \max(1, Σ_e V_e)`) in the next:

1. strand as little as possible in total: :math:`U^* = \min Σ_e Σ_v u_{ev}`;
2. share the stranding fairly (the LP is degenerate about *who* strands): leximin of the
   stranded fractions :math:`φ_e = Σ_v u_{ev} / V_e`, with :math:`V_e = Σ_v s_{ev}` the
   exporter's volume in the period (exporters with :math:`V_e = 0` strand nothing). Round
   :math:`k`: :math:`t^*_k = \min t` s.t. :math:`φ_e ≤ t` for the exporters not yet fixed and
   :math:`φ_e ≤ φ^*_e` for the fixed ones; an exporter whose :math:`φ_e` cannot go below
   :math:`t^*_k` (one LP each: :math:`\min φ_e` with the others held at :math:`t^*_k`) is
   fixed at :math:`φ^*_e = t^*_k`. So the largest fraction is as small as it can be, then the
   next largest, and so on: no exporter's share depends on the order the exporters are given;
3. then `corridor.solve`'s objective summed over the exporters, with the same weights
   (:math:`W = 1 + L \max c`, :math:`Q = W (2L + 1)`, :math:`P = 2Q`, :math:`L = |N| - 1`):
   meet the targets, disturb the baselines as little as possible, then take the cheapest
   routes (each exporter's route costs with the same tie-break as `RerouteModel`).

Supply changes and targets are the scenario's exporter's (its ``exporter``, else the
package's), as in `reroute`; the other exporters keep their supply and have no target.
Each exporter's stranded volume is priced at its own price (`RerouteProblem.price`);
re-routed volume is `corridor.rerouting.run.rerouted` of the exporter's own paths.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp  # type: ignore[import-untyped]
from scipy.optimize import linprog  # type: ignore[import-untyped]

from corridor.exceptions import InvalidArgumentError, NoFlowsError
from corridor.metrics import Dependence, dependence, latest_year
from corridor.network import Network
from corridor.reconciliation import has_observations
from corridor.rerouting.problem import (
    Array,
    Period,
    RerouteProblem,
    capacity_left,
    day_factor,
    scale_capacity,
)
from corridor.rerouting.run import periods_of, rerouted
from corridor.scenario import Scenario, apply_scenario
from corridor.solve import TOL
from corridor.units import DAYS_PER_YEAR, T_PER_MT

#: Extra cost per unit of route r (times r + 1), as `corridor.solve.RerouteModel.tie_break`.
TIE_BREAK = 1e-6

ROW_COLUMNS = [
    "period",
    "exporter",
    "start",
    "end",
    "days",
    "status",
    "baseline",
    "volume_rate",
    "stranded_rate",
    "stranded",
    "stranded_share",
    "rerouted_rate",
    "rerouted",
    "price",
    "revenue_at_risk",
]


def _r6(x: Any) -> Any:
    if isinstance(x, float | np.floating):
        return None if math.isnan(x) else round(float(x), 6)
    return x


@dataclass(repr=False)
class JointResult:
    """Outcome of a joint run: one row per period and exporter (volumes as ``rows`` says).

    ``rows`` columns: ``volume_rate``, ``stranded_rate`` and ``rerouted_rate`` in Mt/year;
    ``stranded`` and ``rerouted`` in Mt over the period; ``stranded_share`` of the exporter's
    volume in the period; ``revenue_at_risk`` in USD at the exporter's ``price`` (USD/t).
    """

    scenario: Scenario
    exporters: list[str]
    rows: pd.DataFrame
    flows: pd.DataFrame
    notes: list[str] = field(default_factory=list)

    def __repr__(self) -> str:
        t = self.total
        return (
            f"<JointResult {self.scenario.name} {'+'.join(self.exporters)}: stranded "
            f"{t['stranded']:,.2f} Mt, re-routed {t['rerouted']:,.2f} Mt>"
        )

    def by_exporter(self) -> pd.DataFrame:
        """Return each exporter's totals over the periods (Mt, USD), in `exporters` order."""
        out = []
        for e in self.exporters:
            r = self.rows[self.rows["exporter"] == e]
            money = r["revenue_at_risk"]
            volume = float((r["volume_rate"] * r["days"] / DAYS_PER_YEAR).sum())
            stranded = float(r["stranded"].sum())
            out.append(
                {
                    "exporter": e,
                    "days": int(r["days"].sum()),
                    "volume": volume,
                    "stranded": stranded,
                    "stranded_share": stranded / volume if volume > TOL else float("nan"),
                    "rerouted": float(r["rerouted"].sum()),
                    "revenue_at_risk": (float("nan") if money.isna().any() else float(money.sum())),
                }
            )
        return pd.DataFrame(out).set_index("exporter")

    @property
    def total(self) -> dict[str, float]:
        """Joint totals over exporters and periods: volume, stranded, re-routed (Mt), USD."""
        b = self.by_exporter()
        money = b["revenue_at_risk"]
        return {
            "volume": float(b["volume"].sum()),
            "stranded": float(b["stranded"].sum()),
            "rerouted": float(b["rerouted"].sum()),
            "revenue_at_risk": float("nan") if money.isna().any() else float(money.sum()),
        }

    def to_dict(self) -> dict[str, Any]:
        """Return the result as JSON-ready data: per exporter per period, and totals."""
        periods = []
        for label, g in self.rows.groupby("period", sort=False):
            first = g.iloc[0]
            periods.append(
                {
                    "period": str(label),
                    "start": first["start"].isoformat(),
                    "end": first["end"].isoformat(),
                    "exporters": {
                        str(row["exporter"]): {
                            k: _r6(row[k])
                            for k in ROW_COLUMNS
                            if k not in ("period", "exporter", "start", "end", "days")
                        }
                        for _, row in g.iterrows()
                    },
                }
            )
        exporters = {
            str(e): {k: _r6(v) for k, v in row.items()} for e, row in self.by_exporter().iterrows()
        }
        return {
            "scenario": self.scenario.name,
            "description": self.scenario.description,
            "mode": "joint",
            "exporters": exporters,
            "total": {k: _r6(v) for k, v in self.total.items()},
            "units": {
                "volume_rate": "Mt/year",
                "stranded_rate": "Mt/year",
                "rerouted_rate": "Mt/year",
                "volume": "Mt",
                "stranded": "Mt",
                "rerouted": "Mt",
                "price": "USD/t",
                "revenue_at_risk": "USD",
            },
            "periods": periods,
            "notes": self.notes,
        }


class _Year:
    """The members' problems of one year, and the capacities they share."""

    def __init__(
        self, n: Network, scenario: Scenario, year: int, exporters: Sequence[str], strict: bool
    ) -> None:
        self.problems: list[RerouteProblem] = []
        self.skipped: list[str] = []
        owner = scenario.exporter or n.meta.exporter
        for e in exporters:
            inputs = apply_scenario(scenario, n, exporter=e, year=year)
            if e != owner:  # supply changes and targets are the scenario's exporter's
                inputs = replace(inputs, supply=(), targets=())
            try:
                self.problems.append(RerouteProblem(n, inputs))
            except NoFlowsError:
                if strict:
                    raise
                self.skipped.append(e)
        members = [p.exporter for p in self.problems]
        # what applies to every shipper: no exporter matches ""
        self.shared = apply_scenario(scenario, n, exporter="", year=year)
        first = self.problems[0] if self.problems else None
        self.outside = (
            np.max([p.flows_outside(members) for p in self.problems], axis=0)
            if self.problems
            else np.zeros(0)
        )
        self.node_ids = sorted({v for p in self.problems for v in p.cap_node_ids})
        self.node_whole = np.full(len(self.node_ids), np.inf)
        for p in self.problems:
            for i, v in enumerate(p.cap_node_ids):
                self.node_whole[self.node_ids.index(v)] = p.node_whole[i]
        self.node_outside = np.zeros(len(self.node_ids))
        if first is not None:
            idx = np.array([first.node_ids.index(v) for v in self.node_ids], np.int64)
            self.node_outside = np.array([self.outside[first.tail == i].sum() for i in idx], float)
        self._bases: dict[str, Dependence] = {}

    def shared_route_caps(self, p: Period) -> Array:
        """Return each route's capacity shared by the members in a period, (4J)."""
        first = self.problems[0]
        factors = np.array([day_factor(self.shared.intervals_of(r), p) for r in first.route_ids])
        joint_base = np.sum([q.baseline_at(p) for q in self.problems], axis=0)
        left = capacity_left(first.whole, self.outside, np.full(len(factors), np.inf))
        return scale_capacity(left, factors, joint_base)

    def own_route_caps(self, q: RerouteProblem, p: Period) -> Array:
        """Return an exporter's own limit on each route in a period, (4e)."""
        left = capacity_left(q.whole, self.outside, q.allocation)
        return scale_capacity(left, q.factors(p), q.baseline_at(p))

    def own_node_caps(self, q: RerouteProblem) -> Array:
        """Return an exporter's own throughput limit at each shared capacitated node, (5e)."""
        out = np.full(len(self.node_ids), np.inf)
        for i, v in enumerate(q.cap_node_ids):
            k = self.node_ids.index(v)
            out[k] = capacity_left(
                q.node_whole[i : i + 1], self.node_outside[k : k + 1], q.node_allocation[i : i + 1]
            )[0]
        return out

    def shared_node_caps(self) -> Array:
        """Return each capacitated node's throughput shared by the members, (5J)."""
        inf = np.full(len(self.node_ids), np.inf)
        return capacity_left(self.node_whole, self.node_outside, inf)

    def base(self, q: RerouteProblem, p: Period) -> Dependence:
        """Return an exporter's baseline figures in a period (its months' pattern)."""
        key = f"{q.exporter}/{p.label if q.monthly is not None else ''}"
        if key not in self._bases:
            self._bases[key] = (
                q.base_dependence(p) if q.monthly is not None else q.base_dependence()
            )
        return self._bases[key]


class _LP:
    """The joint LP of one period: sparse rows, solved in the stages of the module docstring."""

    def __init__(self, year: _Year, p: Period) -> None:
        self.year, self.p = year, p
        qs = year.problems
        self.n_r = len(qs[0].route_ids)
        n_n = len(qs[0].node_ids)
        legs = max(n_n - 1, 1)
        costs = [q.cost + TIE_BREAK * np.arange(1, self.n_r + 1) for q in qs]
        w = 1.0 + legs * max((float(c.max()) for c in costs if len(c)), default=0.0)
        self.weights = (w, w * (2 * legs + 1), 2 * w * (2 * legs + 1))  # W, Q, P
        self.blocks: list[tuple[int, int, int]] = []  # (start, origins, sinks) per exporter
        eq_r, eq_c, eq_v, eq_b = [], [], [], []
        ub_r, ub_c, ub_v, ub_b = [], [], [], []
        lower, upper, cost3 = [], [], []
        self.supply: list[Array] = []
        col, eq_row, ub_row = 0, 0, 0
        node_index = {v: qs[0].node_ids.index(v) for v in year.node_ids}
        for q, c in zip(qs, costs, strict=True):
            n_o, n_s, n_t = len(q.origins), len(q.sinks), len(q.target_idx)
            x, dp, dm = col, col + self.n_r, col + 2 * self.n_r
            u, y, z = col + 3 * self.n_r, col + 3 * self.n_r + n_o, col + 3 * self.n_r + n_o + n_s
            self.blocks.append((col, n_o, n_s))
            r = np.arange(self.n_r)
            s = q.supply_at(p)
            self.supply.append(s)
            # (2) balance at every node
            eq_r += [eq_row + q.head, eq_row + q.tail, eq_row + q.origins, eq_row + q.sinks]
            eq_c += [x + r, x + r, u + np.arange(n_o), y + np.arange(n_s)]
            eq_v += [np.ones(self.n_r), -np.ones(self.n_r), -np.ones(n_o), -np.ones(n_s)]
            rhs = np.zeros(n_n)
            np.add.at(rhs, q.origins, -s)
            eq_b.append(rhs)
            eq_row += n_n
            free = q.mode == "free"
            if not free:  # (3) deviations from the baseline
                eq_r += [eq_row + r] * 3
                eq_c += [x + r, dp + r, dm + r]
                eq_v += [np.ones(self.n_r), -np.ones(self.n_r), np.ones(self.n_r)]
                eq_b.append(q.baseline_at(p))
                eq_row += self.n_r
            # (5e) the exporter's node limits
            own = year.own_node_caps(q)
            for k, v in enumerate(year.node_ids):
                if np.isfinite(own[k]):
                    out = np.flatnonzero(q.tail == node_index[v])
                    ub_r.append(np.full(len(out), ub_row))
                    ub_c.append(x + out)
                    ub_v.append(np.ones(len(out)))
                    ub_b.append(np.array([own[k]]))
                    ub_row += 1
            # (6) targets: x + z >= g
            if n_t:
                ub_r += [ub_row + np.arange(n_t)] * 2
                ub_c += [x + q.target_idx, z + np.arange(n_t)]
                ub_v += [-np.ones(n_t), -np.ones(n_t)]
                ub_b.append(-q.target_rates())
                ub_row += n_t
            cap = year.own_route_caps(q, p)
            zero = np.zeros(self.n_r)
            lower.append(np.zeros(3 * self.n_r + n_o + n_s + n_t))
            upper.append(
                np.concatenate(
                    [
                        cap,
                        zero if free else np.full(self.n_r, np.inf),
                        zero if free else np.full(self.n_r, np.inf),
                        s,
                        np.full(n_s + n_t, np.inf),
                    ]
                )
            )
            dev = 0.0 if free else w
            cost3.append(
                np.concatenate(
                    [
                        c,
                        np.full(2 * self.n_r, dev),
                        np.full(n_o, self.weights[2]),
                        np.zeros(n_s),
                        np.full(n_t, self.weights[1]),
                    ]
                )
            )
            col += 3 * self.n_r + n_o + n_s + n_t
        # (4J) and (5J): shared capacities
        shared = year.shared_route_caps(p)
        for i in np.flatnonzero(np.isfinite(shared)):
            ub_r.append(np.full(len(qs), ub_row))
            ub_c.append(np.array([b[0] + int(i) for b in self.blocks]))
            ub_v.append(np.ones(len(qs)))
            ub_b.append(np.array([shared[i]]))
            ub_row += 1
        node_shared = year.shared_node_caps()
        for k, v in enumerate(year.node_ids):
            if np.isfinite(node_shared[k]):
                out = np.flatnonzero(qs[0].tail == node_index[v])
                cols = np.concatenate([b[0] + out for b in self.blocks])
                ub_r.append(np.full(len(cols), ub_row))
                ub_c.append(cols)
                ub_v.append(np.ones(len(cols)))
                ub_b.append(np.array([node_shared[k]]))
                ub_row += 1
        self.n_col = col + 1  # the last column is t, the largest stranded fraction (stage 2)
        self.a_eq = sp.csr_matrix(
            (np.concatenate(eq_v), (np.concatenate(eq_r), np.concatenate(eq_c))),
            shape=(eq_row, self.n_col),
        )
        self.b_eq = np.concatenate(eq_b)
        self.a_ub = self._matrix(ub_r, ub_c, ub_v, ub_row)
        self.b_ub = np.concatenate(ub_b) if ub_b else np.zeros(0)
        self.bounds = np.column_stack(
            [np.concatenate([*lower, [0.0]]), np.concatenate([*upper, [np.inf]])]
        )
        self.cost3 = np.concatenate([*cost3, [0.0]])
        self.volume = np.array([float(s.sum()) for s in self.supply])
        self.eps = TOL * max(1.0, float(self.volume.sum()))
        self.status = "Optimal"

    def _matrix(self, rows: list[Any], cols: list[Any], vals: list[Any], n: int) -> sp.csr_matrix:
        if not rows:
            return sp.csr_matrix((0, self.n_col))
        return sp.csr_matrix(
            (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
            shape=(n, self.n_col),
        )

    def stranded_row(self, e: int) -> Array:
        """Return the coefficients of exporter e's stranded volume."""
        start, n_o, _ = self.blocks[e]
        row = np.zeros(self.n_col)
        row[start + 3 * self.n_r : start + 3 * self.n_r + n_o] = 1.0
        return row

    def run(self, cost: Array, rows: list[Array], rhs: list[float]) -> tuple[float, Array] | None:
        """Solve with an objective and extra ``≤`` rows; None (and `status` set) if not optimal."""
        a_ub = sp.vstack([self.a_ub, sp.csr_matrix(np.array(rows).reshape(-1, self.n_col))])
        b_ub = np.concatenate([self.b_ub, np.array(rhs, float)])
        res = linprog(
            cost,
            A_ub=a_ub,
            b_ub=b_ub,
            A_eq=self.a_eq,
            b_eq=self.b_eq,
            bounds=self.bounds,
            method="highs",
        )
        if res.status != 0:
            self.status = str(res.message)
            return None
        return float(res.fun), np.asarray(res.x)

    def solve(self) -> Array | None:
        """Return the optimal columns after the three stages (None when not optimal)."""
        k = len(self.blocks)
        rows = [self.stranded_row(e) for e in range(k)]
        total = np.sum(rows, axis=0)
        first = self.run(total, [], [])
        if first is None:
            return None
        fixed_rows, fixed_rhs = [total], [first[0] + self.eps]
        fraction = self._leximin(rows, fixed_rows, fixed_rhs, first[0])
        if fraction is None:
            return None
        for e, phi in fraction.items():
            fixed_rows.append(rows[e])
            fixed_rhs.append(phi * self.volume[e] + self.eps)
        last = self.run(self.cost3, fixed_rows, fixed_rhs)
        return None if last is None else last[1]

    def _leximin(
        self, rows: list[Array], fixed_rows: list[Array], fixed_rhs: list[float], stranded: float
    ) -> dict[int, float] | None:
        """Return each exporter's stranded fraction, fixed round by round (stage 2)."""
        active = [e for e in range(len(rows)) if self.volume[e] > TOL]
        if stranded <= self.eps:
            return dict.fromkeys(active, 0.0)
        fixed: dict[int, float] = {}
        t = np.zeros(self.n_col)
        t[-1] = 1.0
        tol = self.eps / max(float(self.volume[active].min()), TOL)
        while len(fixed) < len(active):
            open_ = [e for e in active if e not in fixed]
            base_rows = list(fixed_rows) + [rows[e] for e in fixed]
            base_rhs = list(fixed_rhs) + [fixed[e] * self.volume[e] + self.eps for e in fixed]
            share = [rows[e] - t * self.volume[e] for e in open_]
            best = self.run(t, base_rows + share, base_rhs + [0.0] * len(open_))
            if best is None:
                return None
            level = best[0]
            stuck = []
            for e in open_:
                others = [rows[o] - t * self.volume[o] for o in open_ if o != e]
                cap_t = t.copy()
                low = self.run(
                    rows[e] / self.volume[e],
                    [*base_rows, *others, cap_t],
                    [*base_rhs, *[0.0] * len(others), level + tol],
                )
                if low is None:
                    return None
                if low[0] >= level - tol:
                    stuck.append(e)
            for e in stuck or open_:
                fixed[e] = level
        return fixed


def joint_exporters(n: Network, scenario: Scenario, years: Sequence[int]) -> list[str]:
    """Return the exporters with flows of the scenario's commodity in any of `years`.

    Flows of the flows table, or observations that make a reconciled baseline
    (`corridor.reconciliation.has_observations`).
    """
    c = scenario.commodity
    f = n.flows
    f = f[f["year"].isin(list(years)) & f["route"].isin(n.commodity_routes(c))]
    found = {str(e) for e in f["exporter"] if e}
    found |= {e for e in n.exporters() for y in years if has_observations(n, e, y, c)}
    return sorted(found)


def _period_rows(
    lp: _LP, x: Array | None, year: _Year
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    p, out, flows = lp.p, [], []
    for e, q in enumerate(year.problems):
        start, n_o, _ = lp.blocks[e]
        base = year.base(q, p)
        if x is None:
            stranded_rate = moved = float("nan")
        else:
            flow = x[start : start + lp.n_r]
            stranded_rate = float(x[start + 3 * lp.n_r : start + 3 * lp.n_r + n_o].sum())
            exports = None
            if base.total_exports is not None:
                exports = base.total_exports - stranded_rate + q.supply_change
            scen = dependence(
                q.network,
                exporter=q.exporter,
                year=q.year,
                commodity=q.commodity,
                flows=q.flow_table(flow),
                total_exports=exports,
            )
            moved = rerouted(base, scen)
            for r, b, v in zip(q.route_ids, q.baseline_at(p), flow, strict=True):
                if b > TOL or v > TOL:
                    flows.append(
                        {
                            "period": p.label,
                            "exporter": q.exporter,
                            "route": r,
                            "baseline": b,
                            "scenario": v,
                            "change": v - b,
                        }
                    )
        volume = lp.volume[e]
        out.append(
            {
                "period": p.label,
                "exporter": q.exporter,
                "start": p.start,
                "end": p.end,
                "days": p.days,
                "status": lp.status,
                "baseline": q.baseline_kind,
                "volume_rate": volume,
                "stranded_rate": stranded_rate,
                "stranded": stranded_rate * p.length,
                "stranded_share": stranded_rate / volume if volume > TOL else 0.0,
                "rerouted_rate": moved,
                "rerouted": moved * p.length,
                "price": q.price,
                "revenue_at_risk": stranded_rate * p.length * T_PER_MT * q.price,
            }
        )
    return out, flows


def reroute_joint(
    n: Network, scenario: Scenario, exporters: Sequence[str] | None = None
) -> JointResult:
    """Re-route several exporters together under a scenario, period by period.

    Parameters
    ----------
    n : Network
        Typically several merged packages (`corridor.package.merge_networks`).
    scenario : Scenario
    exporters : sequence of str, optional
        The joint set :math:`J`; default every exporter with flows of the scenario's
        commodity in its years (`joint_exporters`; one without flows in a year is left out
        of that year, with a note). Every other exporter is held at its baseline.

    Raises
    ------
    ScenarioError
        When the scenario refers to something the network does not know.
    UnknownError
        For an exporter the network does not know.
    NoFlowsError
        When a given exporter has no flows in a year and the scenario adds no supply.

    Examples
    --------
    >>> from corridor.package import load_package, resolve_package
    >>> from corridor.package.merge import merge_networks
    >>> from corridor.scenario import find_scenario
    >>> parts = ("azerbaijan", "turkmenistan")
    >>> n = merge_networks([load_package(resolve_package(p)) for p in parts])
    >>> r = reroute_joint(n, find_scenario(n, "btc-outage-1m"))
    >>> r.exporters
    ['AZE', 'TKM']
    """
    scenario.check_against(n)
    if exporters is not None and not exporters:
        msg = "give at least one exporter to re-route jointly, or none for every exporter"
        raise InvalidArgumentError(msg)
    strict = exporters is not None
    chosen = [n.check_exporter(e) for e in exporters] if exporters is not None else None
    s = scenario
    if s.start is None and not s.years:
        candidates = chosen or joint_exporters(n, s, list(n.meta.years))
        latest = max((latest_year(n, e, s.commodity) for e in candidates), default=n.meta.last_year)
        s = s.model_copy(update={"years": [latest]})
    periods = periods_of(s, n, chosen[0] if chosen else n.meta.exporter)
    members = chosen or joint_exporters(n, s, sorted({p.year for p in periods}))
    years: dict[int, _Year] = {}
    rows: list[dict[str, Any]] = []
    flows: list[dict[str, Any]] = []
    notes: list[str] = []
    for p in periods:
        if p.year not in years:
            years[p.year] = _Year(n, s, p.year, members, strict)
            if years[p.year].skipped:
                notes.append(f"{p.year}: no flows of {', '.join(years[p.year].skipped)}; left out")
        year = years[p.year]
        if not year.problems:
            continue
        lp = _LP(year, p)
        r, f = _period_rows(lp, lp.solve(), year)
        rows += r
        flows += f
    return JointResult(
        scenario=scenario,
        exporters=[e for e in members if any(r["exporter"] == e for r in rows)],
        rows=pd.DataFrame(rows, columns=ROW_COLUMNS),
        flows=pd.DataFrame(
            flows, columns=["period", "exporter", "route", "baseline", "scenario", "change"]
        ),
        notes=notes,
    )
