"""After a period's solve: binding limits and their marginal value, ties, the target ladder.

Limits and ladder steps are records (`BindingLimit`, `LadderStep` with `LadderLimit`), never
prose: the views write the sentences.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from corridor.metrics import Dependence
from corridor.rerouting.problem import Array, Period, RerouteProblem
from corridor.solve import TOL, Solution
from corridor.units import T_PER_MT

#: A limit binds when the flow is within this of the capacity, and matters when one more
#: Mt/year of it changes the stranded volume or a target's shortfall by more than this.
BINDING_TOL = 1e-6
#: Closed: a capacity at or below `corridor.solve.TOL`.
CLOSED_NOTE = "closed in this period"

BINDING_COLUMNS = [
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
    "note",
    "closed",
]
LADDER_COLUMNS = ["period", "step", "route", "target", "achieved", "share_crossing"]
LADDER_LIMIT_COLUMNS = ["period", "step", "kind", "asset", "scope", "capacity"]


@dataclass(frozen=True)
class BindingLimit:
    """A route or node at capacity that limits the result, with one more Mt/year's effect.

    ``source`` is the id of the capacity's source ("" when the scenario set it or it is
    closed); ``note`` the data's note, "set by scenario <name>" or "closed in this period".
    """

    period: str
    kind: Literal["route", "node"]
    asset: str
    scope: str  # the exporter (its allocation binds) or "all shippers"
    capacity: float
    flow: float
    stranded_avoided_per_unit: float
    target_gain_per_unit: float
    revenue_per_unit: float
    source: str
    note: str
    closed: bool


@dataclass(frozen=True)
class LadderLimit:
    """A limit that stops a target at one step of the ladder."""

    kind: Literal["route", "node"]
    asset: str
    scope: str
    capacity: float


@dataclass(frozen=True)
class LadderStep:
    """One step of the target ladder: what a target reaches with the limits relaxed so far."""

    period: str
    step: int
    route: str
    target: float
    achieved: float
    share_crossing: float
    limits: tuple[LadderLimit, ...] = field(default=())


def _candidates(problem: RerouteProblem, sol: Solution) -> list[tuple[str, int, float, float]]:
    """Routes and nodes at capacity: (kind, index, capacity, flow)."""
    rcap, ncap = sol.route_cap, sol.node_cap
    at = [problem.node_ids.index(v) for v in problem.cap_node_ids]
    node_flow = np.array([sol.flow[problem.tail == i].sum() for i in at])
    routes = [
        ("route", i, float(rcap[i]), float(sol.flow[i]))
        for i in range(len(rcap))
        if np.isfinite(rcap[i]) and sol.flow[i] >= rcap[i] - BINDING_TOL
    ]
    nodes = [
        ("node", i, float(ncap[i]), float(node_flow[i]))
        for i in range(len(ncap))
        if np.isfinite(ncap[i]) and node_flow[i] >= ncap[i] - BINDING_TOL
    ]
    return routes + nodes


def _marginal(
    problem: RerouteProblem, p: Period, sol: Solution, kind: str, i: int, cap: float
) -> tuple[float, float]:
    """Stranded volume avoided and target shortfall gained by one more Mt/year of a limit."""
    r2, n2 = sol.route_cap.copy(), sol.node_cap.copy()
    (r2 if kind == "route" else n2)[i] = cap + 1.0
    s2 = problem.solve(p, r2, n2)
    if not s2.is_optimal:
        return float("nan"), float("nan")
    avoided = float(sol.stranded.sum() - s2.stranded.sum())
    has_targets = len(problem.target_idx) > 0
    gain = float(sol.shortfall.sum() - s2.shortfall.sum()) if has_targets else 0.0
    return avoided, gain


def binding_limits(
    problem: RerouteProblem, p: Period, sol: Solution, price: float, marginals: bool
) -> list[BindingLimit]:
    """Return the limits at capacity, with the effect of one more Mt/year (a re-solve each)."""
    if not sol.is_optimal:
        return []
    out = []
    has_targets = len(problem.target_idx) > 0
    for kind, i, cap, flow in _candidates(problem, sol):
        avoided = gain = float("nan")
        if marginals:
            avoided, gain = _marginal(problem, p, sol, kind, i, cap)
            if avoided < BINDING_TOL and (not has_targets or gain < BINDING_TOL):
                continue  # at capacity but not limiting anything
        asset = problem.route_ids[i] if kind == "route" else problem.cap_node_ids[i]
        scope, where = problem.cap_source(kind, asset)
        closed = cap <= TOL
        out.append(
            BindingLimit(
                period=p.label,
                kind="route" if kind == "route" else "node",
                asset=asset,
                scope=scope or "all shippers",
                capacity=cap,
                flow=flow,
                stranded_avoided_per_unit=avoided,
                target_gain_per_unit=gain,
                revenue_per_unit=avoided * p.length * T_PER_MT * price,
                source="" if closed or where is None else where.source,
                note=CLOSED_NOTE if closed else ("" if where is None else where.note),
                closed=closed,
            )
        )
    return out


def ties(
    problem: RerouteProblem, p: Period, sol: Solution, denominator: float
) -> list[dict[str, float | str]]:
    """Return the min and max share of each transit country over all optimal solutions."""
    groups: dict[str, list[int]] = {}
    node_country = problem.n.nodes["country"]
    for i, r in enumerate(problem.route_ids):
        start = node_country[problem.routes.at[r, "from_node"]]
        for c in problem.countries(r):
            if c not in (problem.exporter, start):
                groups.setdefault(c, []).append(i)
    if not groups or not denominator:
        return []
    ranges = problem.model.flow_range(sol, {c: np.array(v, int) for c, v in groups.items()})
    return [
        {
            "period": p.label,
            "country": c,
            "min_share": lo / denominator,
            "max_share": hi / denominator,
        }
        for c, (lo, hi) in ranges.items()
    ]


def ladder(
    problem: RerouteProblem,
    p: Period,
    sol: Solution,
    scenario_metrics: Callable[[Array, float], Dependence],
    max_steps: int = 8,
) -> list[LadderStep]:
    """Relax the limits that stop the targets, step by step, and record what each step allows.

    Each step also records the share of exports crossing the package's focus country, from
    `scenario_metrics(flow, stranded rate)`.
    """
    rows: list[LadderStep] = []
    rcap, ncap = sol.route_cap.copy(), sol.node_cap.copy()
    current = sol
    for step in range(1, max_steps + 1):
        achieved = current.flow[problem.target_idx]
        limits = tuple(
            LadderLimit(b.kind, b.asset, b.scope, b.capacity)
            for b in binding_limits(problem, p, current, 0.0, True)
            if b.target_gain_per_unit > BINDING_TOL
        )
        m = scenario_metrics(current.flow, float(current.stranded.sum()))
        country = m.focus_country
        crossing = m.share_crossing(country) if country else float("nan")
        for k, (route, target) in enumerate(problem.inputs.targets):
            rows.append(
                LadderStep(p.label, step, route, target, float(achieved[k]), crossing, limits)
            )
        if current.shortfall.sum() < BINDING_TOL or not limits:
            break
        for b in limits:
            if b.kind == "route":
                rcap[problem.route_ids.index(b.asset)] = np.inf
            else:
                ncap[problem.cap_node_ids.index(b.asset)] = np.inf
        current = problem.solve(p, rcap, ncap)
        if not current.is_optimal:
            break
    return rows
