r"""The re-routing LP: built once from arrays with HiGHS (highspy), re-solved warm.

`RerouteModel` holds one LP for one exporter on one network structure (its routes, origins,
sinks, capacitated nodes and target routes). `RerouteModel.solve` changes only bounds — route
capacities, supply, baseline flows, node capacities, targets — and re-runs HiGHS from the
previous basis, so further periods and scenarios cost a fraction of the first solve.

Notes
-----
Sets: routes :math:`r \\in R` from node :math:`t(r)` to node :math:`h(r)`; origins :math:`O`
(where the exporter's commodity enters the network) with supply :math:`s_v`; sinks :math:`S`
(where it may leave: markets, refineries, foreign borders and wherever the baseline ends);
capacitated nodes :math:`N_c`; target routes :math:`T`. Data: baseline flow :math:`b_r`,
capacity :math:`\\bar x_r` (:math:`+\\infty` where unknown), node capacity :math:`\\bar n_v`,
route cost :math:`c_r` (USD/t, 0 where unknown), target :math:`g_r`.

Variables: flow :math:`x_r \\ge 0`; deviations :math:`d^+_r, d^-_r \\ge 0`; stranded volume
:math:`u_v \\ge 0` at each origin; delivered volume :math:`y_v \\ge 0` at each sink; target
shortfall :math:`z_r \\ge 0`. All in Mt/year.

Re-routing mode::

    (1)  min  W Σ_r (d⁺_r + d⁻_r) + Σ_r c_r x_r + P Σ_v u_v + Q Σ_r z_r
    (2)  Σ_{h(r)=v} x_r − Σ_{t(r)=v} x_r − y_v − u_v = −s_v      for every node v
    (3)  x_r − d⁺_r + d⁻_r = b_r                                  for every route r
    (4)  0 ≤ x_r ≤ x̄_r                                            capacity after events
    (5)  Σ_{t(r)=v} x_r ≤ n̄_v                                      for v in N_c (ports)
    (6)  x_r + z_r ≥ g_r                                           for r in T
    (7)  0 ≤ u_v ≤ s_v;  y_v = 0 for v not in S;  u_v = 0 for v not in O

with :math:`L = |N| - 1` (the most legs a simple path has), :math:`W = 1 + L \\max_r c_r`
(more than any path costs), :math:`Q = W (2L + 1)` and :math:`P = 2Q`. The weights make the
objective lexicographic in effect: strand as little as possible (a unit re-routed leaves one
path and takes another, changing at most :math:`2L` deviations, cheaper than :math:`P`); then
meet the targets; then disturb the baseline as little as possible; then, among equally small
disturbances, take the cheapest routes (:math:`W` exceeds any saving in cost). When the
baseline is feasible, it is the unique optimum: baseline in, baseline out.

Free-allocation mode (no observed flows) drops (3) and the deviations: a min-cost flow from
the supplies to the sinks, (1) reducing to :math:`Σ c_r x_r + P Σ u_v + Q Σ z_r` with
:math:`P = Q = W`, more than any path costs.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field
from typing import Any, Literal

import highspy
import numpy as np
import numpy.typing as npt

Array = npt.NDArray[np.float64]
INF = highspy.kHighsInf
#: Absolute tolerance for "binding" and for comparing volumes, Mt/year.
TOL = 1e-7
_banner_shown = False


def new_highs() -> highspy.Highs:
    """Return a silent HiGHS instance.

    HiGHS prints a banner to stdout when the first instance is created, before any option
    can be set; it would corrupt ``--format json`` output, so the first creation writes to
    /dev/null.
    """
    global _banner_shown
    if _banner_shown:
        h = highspy.Highs()  # type: ignore[no-untyped-call]
    else:
        saved, devnull = os.dup(1), os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, 1)
            h = highspy.Highs()  # type: ignore[no-untyped-call]
        finally:
            os.dup2(saved, 1)
            os.close(devnull)
            os.close(saved)
        _banner_shown = True
    h.setOptionValue("output_flag", False)
    return h


def highs_version() -> str:
    """Return the HiGHS version string (printed with every benchmark result)."""
    h = new_highs()
    return f"{h.versionMajor()}.{h.versionMinor()}.{h.versionPatch()}"


@dataclass
class Solution:
    """One optimal solution of the re-routing LP, in Mt/year."""

    status: str
    objective: float
    flow: Array
    stranded: Array
    delivered: Array
    shortfall: Array
    route_cap: Array
    node_cap: Array
    iterations: int = 0
    serial: int = 0

    @property
    def is_optimal(self) -> bool:
        """True when HiGHS proved optimality."""
        return self.status == "Optimal"


@dataclass
class RerouteModel:
    """The LP of equations (1)–(7) for one network structure.

    Parameters
    ----------
    tail, head : array of int
        Start and end node index of each route.
    n_nodes : int
        Number of nodes.
    origins, sinks : array of int
        Node indices that may receive supply, and that may deliver.
    cost : array of float
        Route cost per unit (0 where unknown).
    cap_nodes : array of int
        Nodes with a throughput limit on their outgoing routes (5).
    target_routes : array of int
        Routes with a target flow (6).
    mode : {"reroute", "free"}
        Re-routing around a baseline, or free allocation (min-cost flow).
    tie_break : float
        Route r costs ``tie_break * (r + 1)`` more per unit: far below any real cost, enough to
        make the optimum unique (ties are still reported by `flow_range`).
    """

    tail: npt.NDArray[np.int64]
    head: npt.NDArray[np.int64]
    n_nodes: int
    origins: npt.NDArray[np.int64]
    sinks: npt.NDArray[np.int64]
    cost: Array
    cap_nodes: npt.NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, np.int64))
    target_routes: npt.NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, np.int64))
    mode: Literal["reroute", "free"] = "reroute"
    tie_break: float = 1e-6
    _h: Any = field(init=False, repr=False, default=None)
    _serial: int = field(init=False, repr=False, default=0)

    def __post_init__(self) -> None:
        self.tail = np.asarray(self.tail, np.int64)
        self.head = np.asarray(self.head, np.int64)
        self.origins = np.asarray(self.origins, np.int64)
        self.sinks = np.asarray(self.sinks, np.int64)
        self.cost = np.asarray(self.cost, np.float64)
        self.cap_nodes = np.asarray(self.cap_nodes, np.int64)
        # the model is re-solved in place: one thread at a time (HiGHS is not thread-safe)
        self._lock = threading.RLock()
        self.target_routes = np.asarray(self.target_routes, np.int64)
        # A distinct, tiny extra cost per route makes the optimum unique, so the same inputs
        # give the same flows whatever basis the solver starts from (samples on any worker).
        self.route_cost = self.cost + self.tie_break * np.arange(1, len(self.cost) + 1)
        legs = max(self.n_nodes - 1, 1)  # a simple path has at most |N| - 1 legs
        max_cost = float(self.route_cost.max()) if len(self.cost) else 0.0
        self.weight_deviation = 1.0 + legs * max_cost
        if self.mode == "free":
            self.weight_target = self.weight_stranded = self.weight_deviation
        else:
            self.weight_target = self.weight_deviation * (2 * legs + 1)
            self.weight_stranded = 2 * self.weight_target
        self._build()

    # column blocks: x | d+ | d- | u | y | z ;  row blocks: balance | deviation | node cap | target
    @property
    def sizes(self) -> tuple[int, int, int, int, int, int]:
        """Return |R|, |N|, |O|, |S|, |N_c|, |T|."""
        return (
            len(self.tail),
            self.n_nodes,
            len(self.origins),
            len(self.sinks),
            len(self.cap_nodes),
            len(self.target_routes),
        )

    def _build(self) -> None:
        n_r, n_n, n_o, n_s, n_c, n_t = self.sizes
        n_col = 3 * n_r + n_o + n_s + n_t
        free = self.mode == "free"
        w = 0.0 if free else self.weight_deviation
        cost = np.concatenate(
            [
                self.route_cost,
                np.full(2 * n_r, w),
                np.full(n_o, self.weight_stranded),
                np.zeros(n_s),
                np.full(n_t, self.weight_target),
            ]
        )
        dev0, cap0, tgt0 = n_n, n_n + n_r, n_n + n_r + n_c
        r = np.arange(n_r)
        cap_row = np.full(n_n, -1)
        cap_row[self.cap_nodes] = cap0 + np.arange(n_c)
        capped = cap_row[self.tail] >= 0
        t = np.arange(n_t)
        o, s_ = 3 * n_r, 3 * n_r + n_o
        cols = np.concatenate(
            [
                r,
                r,
                r,
                r[capped],
                self.target_routes,
                n_r + r,
                2 * n_r + r,
                o + np.arange(n_o),
                s_ + np.arange(n_s),
                s_ + n_s + t,
            ]
        )
        rows = np.concatenate(
            [
                self.head,
                self.tail,
                dev0 + r,
                cap_row[self.tail[capped]],
                tgt0 + t,
                dev0 + r,
                dev0 + r,
                self.origins,
                self.sinks,
                tgt0 + t,
            ]
        )
        vals = np.concatenate(
            [
                np.ones(n_r),
                -np.ones(n_r),
                np.ones(n_r),
                np.ones(capped.sum()),
                np.ones(n_t),
                -np.ones(n_r),
                np.ones(n_r),
                -np.ones(n_o),
                -np.ones(n_s),
                np.ones(n_t),
            ]
        )
        order = np.lexsort((rows, cols))
        lp = highspy.HighsLp()
        lp.num_col_, lp.num_row_ = n_col, n_n + n_r + n_c + n_t
        lp.col_cost_ = cost
        lp.col_lower_ = np.zeros(n_col)
        upper = np.full(n_col, INF)
        if free:
            upper[n_r : 3 * n_r] = 0.0
        lp.col_upper_ = upper
        lp.row_lower_ = np.zeros(lp.num_row_)
        lp.row_upper_ = np.zeros(lp.num_row_)
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = np.concatenate([[0], np.cumsum(np.bincount(cols, minlength=n_col))])
        lp.a_matrix_.index_ = rows[order].astype(np.int32)
        lp.a_matrix_.value_ = vals[order].astype(np.float64)
        self._h = new_highs()
        self._h.passModel(lp)
        self._n_col, self._n_row = n_col, lp.num_row_

    def solve(
        self,
        supply: Array,
        route_cap: Array,
        baseline: Array | None = None,
        node_cap: Array | None = None,
        target: Array | None = None,
    ) -> Solution:
        """Set the bounds for one period or scenario and re-solve from the last basis.

        Parameters
        ----------
        supply : array, one per origin
        route_cap : array, one per route (``inf`` where unknown)
        baseline : array, one per route (re-routing mode)
        node_cap, target : arrays, one per capacitated node / target route
        """
        with self._lock:
            return self._solve(supply, route_cap, baseline, node_cap, target)

    def _solve(
        self,
        supply: Array,
        route_cap: Array,
        baseline: Array | None,
        node_cap: Array | None,
        target: Array | None,
    ) -> Solution:
        n_r, n_n, n_o, n_s, n_c, n_t = self.sizes
        supply = np.asarray(supply, np.float64)
        route_cap = np.where(np.isinf(route_cap), INF, np.asarray(route_cap, np.float64))
        node_cap = np.zeros(0) if node_cap is None else np.asarray(node_cap, np.float64)
        target = np.zeros(0) if target is None else np.asarray(target, np.float64)
        base = np.zeros(n_r) if baseline is None else np.asarray(baseline, np.float64)
        h = self._h
        cols = np.arange(n_r, dtype=np.int32)
        h.changeColsBounds(n_r, cols, np.zeros(n_r), route_cap)
        ocols = np.arange(3 * n_r, 3 * n_r + n_o, dtype=np.int32)
        h.changeColsBounds(n_o, ocols, np.zeros(n_o), supply)
        rhs = np.zeros(n_n)
        np.add.at(rhs, self.origins, -supply)
        lower = np.concatenate([rhs, base, np.full(n_c, -INF), target])
        upper = np.concatenate(
            [rhs, base, np.where(np.isinf(node_cap), INF, node_cap), np.full(n_t, INF)]
        )
        if self.mode == "free":
            lower[n_n : n_n + n_r], upper[n_n : n_n + n_r] = -INF, INF
        rows = np.arange(self._n_row, dtype=np.int32)
        h.changeRowsBounds(self._n_row, rows, lower, upper)
        h.run()
        self._serial += 1
        status = h.modelStatusToString(h.getModelStatus())
        sol = h.getSolution()
        v = np.asarray(sol.col_value) if status == "Optimal" else np.full(self._n_col, np.nan)
        v = np.where(np.abs(v) < TOL, 0.0, v)  # no -0.00 or 1e-12 in results
        o = 3 * n_r
        return Solution(
            status=status,
            objective=float(h.getInfo().objective_function_value),
            flow=v[:n_r].copy(),
            stranded=v[o : o + n_o].copy(),
            delivered=v[o + n_o : o + n_o + n_s].copy(),
            shortfall=v[o + n_o + n_s :].copy(),
            route_cap=route_cap.copy(),
            node_cap=node_cap.copy(),
            iterations=int(h.getInfo().simplex_iteration_count),
            serial=self._serial,
        )

    def resolve_routes(
        self, routes: npt.NDArray[np.int64], route_cap: Array, restore: Array
    ) -> Solution:
        """Re-solve with new capacities on `routes` only, then put `restore` back on them.

        Every other bound stays as the last `solve` set it: the same LP as a `solve` with those
        bounds and these capacities, for a fraction of the calls (a few routes change, not all).
        """
        with self._lock:
            self._serial += 1
            first = 3 * self.sizes[0]  # flows, then the two deviations, then the stranded
            return _resolve(self._h, self.sizes, first, self._serial, routes, route_cap, restore)

    def basis(self) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        """Return the basis of the last solve: the status of each column and each row.

        As HiGHS numbers them: 0 at its lower bound, 1 basic, 2 at its upper bound, 3 free
        at zero, 4 nonbasic. Rows stand for their activity, a variable between the row bounds.
        """
        with self._lock:
            b = self._h.getBasis()
            cols = np.array([int(x) for x in b.col_status], np.int64)
            rows = np.array([int(x) for x in b.row_status], np.int64)
            return cols, rows

    def values(self) -> tuple[Array, Array]:
        """Return the column values and the row activities of the last solve, unrounded."""
        with self._lock:
            sol = self._h.getSolution()
            return np.asarray(sol.col_value, np.float64), np.asarray(sol.row_value, np.float64)

    def matrix(self) -> Array:
        """Return the constraint matrix as a dense array, rows by columns (small LPs)."""
        lp = self._h.getLp()
        a = np.zeros((self._n_row, self._n_col))
        start = np.asarray(lp.a_matrix_.start_)
        col = np.repeat(np.arange(self._n_col), np.diff(start))
        a[np.asarray(lp.a_matrix_.index_), col] = np.asarray(lp.a_matrix_.value_)
        return a

    def lp(self) -> Any:
        """Return the current HiGHS LP (with the last bounds), e.g. to cross-check it."""
        return self._h.getLp()

    def flow_range(
        self, solution: Solution, groups: dict[str, npt.NDArray[np.int64]], rel_eps: float = 1e-6
    ) -> dict[str, tuple[float, float]]:
        """Return the min and max total flow of each group of routes over optimal solutions.

        Solves two extra LPs per group with the objective held at the optimum + ε (ties
        reported honestly, not the solver's arbitrary pick). `solution` must be the model's
        latest solve, whose bounds are still in place.
        """
        if solution.serial != self._serial:
            msg = "flow_range needs the model's latest solution; solve again first"
            raise ValueError(msg)
        h = new_highs()
        lp = self._h.getLp()
        h.passModel(lp)
        eps = rel_eps * abs(solution.objective) + 1e-7
        cost = np.asarray(lp.col_cost_)
        nz = np.flatnonzero(cost)
        h.addRow(-INF, solution.objective + eps, len(nz), nz.astype(np.int32), cost[nz])
        out: dict[str, tuple[float, float]] = {}
        all_cols = np.arange(self._n_col, dtype=np.int32)
        for name, routes in groups.items():
            extent = []
            for sign in (1.0, -1.0):
                c = np.zeros(self._n_col)
                c[routes] = sign
                h.changeColsCost(self._n_col, all_cols, c)
                h.run()
                if h.modelStatusToString(h.getModelStatus()) != "Optimal":
                    extent.append(float("nan"))
                    continue
                extent.append(max(sign * float(h.getInfo().objective_function_value), 0.0))
            out[name] = (extent[0], extent[1])
        return out


class FreeLP:
    """The free-allocation LP of a `RerouteModel` without what that mode leaves unused.

    Free allocation fixes the deviations d⁺, d⁻ at 0 and leaves the rows (3) free; dropping
    them leaves the same LP (columns x | u | y | z, rows balance | node caps | targets) at a
    third of the columns, which HiGHS re-solves about twice as fast. Built from the model's
    current bounds, with `route_cap` as the route capacities.
    """

    def __init__(self, model: RerouteModel, route_cap: Array) -> None:
        if model.mode != "free":
            msg = "FreeLP takes a free-allocation model"
            raise ValueError(msg)
        n_r, n_n, _, _, _, _ = model.sizes
        self.sizes = model.sizes
        self._h = new_highs()
        with model._lock:
            self._h.passModel(model.lp())
        self._h.deleteCols(2 * n_r, np.arange(n_r, 3 * n_r, dtype=np.int32))
        self._h.deleteRows(n_r, np.arange(n_n, n_n + n_r, dtype=np.int32))
        cap = np.where(np.isinf(route_cap), INF, np.asarray(route_cap, np.float64))
        self._h.changeColsBounds(n_r, np.arange(n_r, dtype=np.int32), np.zeros(n_r), cap)
        self._n_col = self._h.getNumCol()
        self._serial = 0

    def resolve_routes(
        self, routes: npt.NDArray[np.int64], route_cap: Array, restore: Array
    ) -> Solution:
        """Re-solve with new capacities on `routes`, then put `restore` back on them."""
        self._serial += 1
        first = self.sizes[0]  # flows, then the stranded (no deviation columns)
        return _resolve(self._h, self.sizes, first, self._serial, routes, route_cap, restore)


def _resolve(
    h: highspy.Highs,
    sizes: tuple[int, int, int, int, int, int],
    first: int,
    serial: int,
    routes: npt.NDArray[np.int64],
    route_cap: Array,
    restore: Array,
) -> Solution:
    """Re-solve `h` with new capacities on `routes`, then put `restore` back on them.

    `first` is the column of the first stranded variable (the LP's layout); the stranded,
    delivered and shortfall columns follow it.
    """
    n_r, _, n_o, n_s, _, _ = sizes
    idx = np.asarray(routes, np.int32)
    cap = np.where(np.isinf(route_cap), INF, np.asarray(route_cap, np.float64))
    zeros = np.zeros(len(idx))
    h.changeColsBounds(len(idx), idx, zeros, cap)
    h.run()
    status = h.modelStatusToString(h.getModelStatus())
    info = h.getInfo()
    sol = h.getSolution()
    v = np.asarray(sol.col_value) if status == "Optimal" else np.full(h.getNumCol(), np.nan)
    v = np.where(np.abs(v) < TOL, 0.0, v)
    back = np.where(np.isinf(restore), INF, np.asarray(restore, np.float64))
    h.changeColsBounds(len(idx), idx, zeros, back)
    o = first
    return Solution(
        status=status,
        objective=float(info.objective_function_value),
        flow=v[:n_r].copy(),
        stranded=v[o : o + n_o].copy(),
        delivered=v[o + n_o : o + n_o + n_s].copy(),
        shortfall=v[o + n_o + n_s :].copy(),
        route_cap=cap.copy(),
        node_cap=np.zeros(0),
        iterations=int(info.simplex_iteration_count),
        serial=serial,
    )
