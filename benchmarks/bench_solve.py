"""`make bench`: Corridor's re-routing LP against raw highspy and PyPSA, in one run.

For each network (the built-in Kazakhstan package, and generated networks of about 1k and 10k
routes) it times, side by side:

- **corridor**: `corridor.solve.RerouteModel` — build + first solve (cold), then warm re-solves
  of outage scenarios (1–3 routes that carry flow cut to zero);
- **raw highspy**: the same LP written directly against highspy in this file (numpy → CSC →
  `passModel`; a scenario changes only the cut columns' bounds), the floor Corridor is held to;
- **pypsa**: the free-allocation (min-cost flow) form of the network as PyPSA Links, Generators
  and a penalty for stranded supply, `n.optimize(solver_name="highs")`; Corridor solves the same
  LP in its free mode and both objectives are checked to agree.

Ratios printed: corridor / raw highspy (target ≤ 1.5) and pypsa / corridor (target ≥ 50 at 10k
routes). Timings are from one machine and one run; the HiGHS and PyPSA versions are printed.
The generator follows `shared/research/solver_bench.py` (fields → hubs → ports → markets).
"""

from __future__ import annotations

import argparse
import logging
import math
import statistics
import sys
import time
import warnings
from collections.abc import Callable
from datetime import date
from importlib.metadata import version
from typing import Any

import highspy
import numpy as np
from scipy.spatial import cKDTree

import corridor
from corridor.rerouting import Period, RerouteProblem
from corridor.scenario import Scenario, apply_scenario
from corridor.solve import RerouteModel, highs_version, new_highs

INF = highspy.kHighsInf


def make_network(target_edges: int, seed: int = 0) -> dict[str, Any]:
    """Return a generated network: tail, head, cost, cap, origins (fields), sinks (markets)."""
    rng = np.random.default_rng(seed)
    e = target_edges
    n_f, n_h, n_p, n_m = (
        max(3, int(0.04 * e)),
        max(4, int(0.08 * e)),
        max(3, int(0.03 * e)),
        max(2, int(0.03 * e)),
    )
    pos = np.vstack(
        [
            np.column_stack([rng.uniform(70, 100, n_f), rng.uniform(0, 100, n_f)]),
            np.column_stack([rng.uniform(30, 90, n_h), rng.uniform(0, 100, n_h)]),
            np.column_stack([rng.uniform(15, 85, n_p), rng.uniform(0, 100, n_p)]),
            np.column_stack([rng.uniform(0, 35, n_m), rng.uniform(0, 100, n_m)]),
        ]
    )
    off_h, off_p, off_m = n_f, n_f + n_h, n_f + n_h + n_p
    groups = {"f": (0, n_f), "h": (off_h, n_h), "p": (off_p, n_p), "m": (off_m, n_m)}
    edges: set[tuple[int, int]] = set()

    def knn(src: str, dst: str, k: int, reverse: bool = False) -> None:
        (a0, na), (b0, nb) = groups[src], groups[dst]
        kk = min(k + (src == dst), nb)
        _, idx = cKDTree(pos[b0 : b0 + nb]).query(pos[a0 : a0 + na], k=kk)
        for i, row in enumerate(np.asarray(idx).reshape(na, kk)):
            for j in row:
                u, v = a0 + i, b0 + int(j)
                if u != v:
                    edges.add((v, u) if reverse else (u, v))

    knn("f", "h", 2)
    knn("h", "h", 3)
    knn("h", "h", 3, reverse=True)
    knn("h", "p", 2)
    knn("h", "m", 1)
    knn("m", "h", 2, reverse=True)
    knn("m", "p", 2, reverse=True)
    for i in range(n_p):
        for j in rng.choice(n_p, size=min(5, n_p - 1), replace=False):
            if j != i:
                edges.add((off_p + i, off_p + int(j)))
    tail = np.array([u for u, _ in sorted(edges)])
    head = np.array([v for _, v in sorted(edges)])
    dist = np.linalg.norm(pos[tail] - pos[head], axis=1)
    cost = np.maximum(1, np.round(dist)).astype(float)
    supply = rng.integers(50, 150, n_f).astype(float)
    cap = np.maximum(5, rng.lognormal(np.log(supply.sum() / n_m * 0.6), 0.5, len(tail)))
    cap *= np.where((tail >= off_h) & (tail < off_m) & (head >= off_h), math.sqrt(e / 400), 1)
    return {
        "tail": tail,
        "head": head,
        "n_nodes": len(pos),
        "cost": cost,
        "cap": np.round(cap),
        "origins": np.arange(n_f),
        "sinks": np.arange(off_m, off_m + n_m),
        "supply": supply,
    }


def kazakhstan() -> dict[str, Any]:
    """Return the 2025 Kazakh re-routing problem as arrays (as Corridor builds it)."""
    n = corridor.load_package()
    inputs = apply_scenario(Scenario(name="bench", years=[2025]), n, exporter="KAZ", year=2025)
    problem = RerouteProblem(n, inputs)
    p = Period("2025", date(2025, 1, 1), date(2026, 1, 1))
    return {
        "tail": problem.tail,
        "head": problem.head,
        "n_nodes": len(problem.node_ids),
        "cost": problem.cost,
        "cap": problem.route_caps(p),
        "origins": problem.origins,
        "sinks": problem.sinks,
        "supply": problem.supply,
        "baseline": problem.baseline,
    }


def timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    t = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t


class RawHighs:
    """The re-routing LP of `corridor.solve` (equations 1–4, 7) written directly on highspy."""

    def __init__(
        self, net: dict[str, Any], base: np.ndarray, w: float, p: float, cost: np.ndarray
    ) -> None:
        tail, head, n = net["tail"], net["head"], net["n_nodes"]
        r_, o_, s_ = len(tail), len(net["origins"]), len(net["sinks"])
        r = np.arange(r_)
        cols = np.concatenate(
            [r, r, r, r_ + r, 2 * r_ + r, 3 * r_ + np.arange(o_), 3 * r_ + o_ + np.arange(s_)]
        )
        rows = np.concatenate([head, tail, n + r, n + r, n + r, net["origins"], net["sinks"]])
        vals = np.concatenate(
            [
                np.ones(r_),
                -np.ones(r_),
                np.ones(r_),
                -np.ones(r_),
                np.ones(r_),
                -np.ones(o_),
                -np.ones(s_),
            ]
        )
        order = np.lexsort((rows, cols))
        n_col, n_row = 3 * r_ + o_ + s_, n + r_
        rhs = np.zeros(n)
        np.add.at(rhs, net["origins"], -net["supply"])
        lp = highspy.HighsLp()
        lp.num_col_, lp.num_row_ = n_col, n_row
        lp.col_cost_ = np.concatenate([cost, np.full(2 * r_, w), np.full(o_, p), np.zeros(s_)])
        lp.col_lower_ = np.zeros(n_col)
        lp.col_upper_ = np.concatenate(
            [
                np.where(np.isinf(net["cap"]), INF, net["cap"]),
                np.full(2 * r_, INF),
                net["supply"],
                np.full(s_, INF),
            ]
        )
        lp.row_lower_ = lp.row_upper_ = np.concatenate([rhs, base])
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = np.concatenate([[0], np.cumsum(np.bincount(cols, minlength=n_col))])
        lp.a_matrix_.index_ = rows[order].astype(np.int32)
        lp.a_matrix_.value_ = vals[order]
        self.h = new_highs()
        self.h.passModel(lp)
        self.cap = np.asarray(lp.col_upper_)[:r_].copy()
        self.n_r = r_

    def run(self) -> float:
        self.h.run()
        self.flow = np.asarray(self.h.getSolution().col_value)[: self.n_r]
        return float(self.h.getInfo().objective_function_value)

    def cut(self, routes: np.ndarray) -> float:
        k = len(routes)
        idx = routes.astype(np.int32)
        self.h.changeColsBounds(k, idx, np.zeros(k), np.zeros(k))
        obj = self.run()
        self.h.changeColsBounds(k, idx, np.zeros(k), self.cap[routes])
        return obj


def pypsa_free(
    net: dict[str, Any], p: float, cost: np.ndarray | None = None
) -> tuple[float, float]:
    """Build and solve the free-allocation LP in PyPSA; return (objective, seconds)."""
    import pypsa

    for name in ("pypsa", "linopy", "highspy"):
        logging.getLogger(name).setLevel(logging.ERROR)
    warnings.filterwarnings("ignore", category=FutureWarning, module="pypsa")

    def build_and_solve() -> float:
        n = pypsa.Network()
        n.set_snapshots([0])
        buses = np.array([f"b{i}" for i in range(net["n_nodes"])])
        n.add("Bus", buses)
        big = float(net["supply"].sum())
        cap = np.where(np.isinf(net["cap"]), big, net["cap"]).astype(float)
        n.add(
            "Link",
            [f"l{i}" for i in range(len(net["tail"]))],
            bus0=buses[net["tail"]],
            bus1=buses[net["head"]],
            p_nom=cap,
            marginal_cost=net["cost"] if cost is None else cost,
            efficiency=1.0,
            p_min_pu=0.0,
        )
        o = net["origins"]
        n.add(
            "Generator",
            [f"supply{i}" for i in o],
            bus=buses[o],
            p_nom=net["supply"],
            p_min_pu=1.0,
            p_max_pu=1.0,
            marginal_cost=0.0,
        )
        n.add(
            "Generator",
            [f"strand{i}" for i in o],
            bus=buses[o],
            p_nom=net["supply"],
            p_min_pu=-1.0,
            p_max_pu=0.0,
            marginal_cost=-p,
        )
        s = net["sinks"]
        n.add(
            "Generator",
            [f"sink{i}" for i in s],
            bus=buses[s],
            p_nom=big,
            p_min_pu=-1.0,
            p_max_pu=0.0,
            marginal_cost=0.0,
        )
        status, cond = n.optimize(
            solver_name="highs",
            solver_options={"output_flag": False},
            include_objective_constant=False,
        )
        assert status == "ok", (status, cond)
        return float(n.objective)

    return timed(build_and_solve)


def bench(name: str, net: dict[str, Any], scenarios: int, seed: int, pypsa: bool) -> dict[str, Any]:
    rng = np.random.default_rng(seed)
    kw = {k: net[k] for k in ("tail", "head", "n_nodes", "origins", "sinks", "cost")}
    if "baseline" not in net:  # generated: the min-cost flow is the observed baseline
        free = RerouteModel(**kw, mode="free")
        net["baseline"] = free.solve(supply=net["supply"], route_cap=net["cap"]).flow
    base = net["baseline"]

    def corridor_cold() -> tuple[RerouteModel, Any]:
        model = RerouteModel(**kw)
        return model, model.solve(net["supply"], net["cap"], base)

    def raw_cold_solve() -> tuple[RawHighs, float]:
        r = RawHighs(net, base, m.weight_deviation, m.weight_stranded, m.route_cost)
        return r, r.run()

    cold, raw_cold = [], []
    for _ in range(3):
        (m, sol), t = timed(corridor_cold)
        cold.append(t)
    for _ in range(3):
        (raw, raw_obj), t = timed(raw_cold_solve)
        raw_cold.append(t)
    assert math.isclose(sol.objective, raw_obj, rel_tol=1e-9, abs_tol=1e-6), (
        sol.objective,
        raw_obj,
    )
    carrying = np.flatnonzero(base > 1e-9)
    cuts = [
        rng.choice(carrying, size=min(len(carrying), int(rng.integers(1, 4))), replace=False)
        for _ in range(scenarios)
    ]
    warm, raw_warm = [], []
    for c in cuts:
        cap = net["cap"].copy()
        cap[c] = 0.0
        s2, t = timed(lambda cap=cap: m.solve(net["supply"], cap, base))
        warm.append(t)
        o2, t = timed(lambda c=c: raw.cut(c))
        raw_warm.append(t)
        assert math.isclose(s2.objective, o2, rel_tol=1e-7, abs_tol=1e-5), (s2.objective, o2)
    out = {
        "network": name,
        "routes": len(net["tail"]),
        "nodes": net["n_nodes"],
        "corridor_cold": statistics.median(cold),
        "raw_cold": statistics.median(raw_cold),
        "corridor_warm": statistics.median(warm),
        "raw_warm": statistics.median(raw_warm),
    }
    if pypsa:
        free = RerouteModel(**kw, mode="free")
        f_sol, t_free = timed(lambda: free.solve(supply=net["supply"], route_cap=net["cap"]))
        (py_obj, t_py) = pypsa_free(net, free.weight_stranded, free.route_cost)
        assert math.isclose(f_sol.objective, py_obj, rel_tol=1e-6, abs_tol=1e-3), (
            f_sol.objective,
            py_obj,
        )
        out.update(corridor_free=t_free, pypsa=t_py)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1000,10000", help="generated networks, routes")
    ap.add_argument("--scenarios", type=int, default=200)
    ap.add_argument("--no-pypsa", action="store_true")
    args = ap.parse_args()
    use_pypsa = not args.no_pypsa
    versions = f"HiGHS {highs_version()}, highspy {version('highspy')}"
    if use_pypsa:
        try:
            versions += f", PyPSA {version('pypsa')}"
        except Exception:
            use_pypsa = False
            versions += ", PyPSA not installed (pip install -e '.[bench]')"
    print(f"corridor {corridor.__version__}; {versions}; Python {sys.version.split()[0]}")
    rows = [bench("kazakhstan 2025", kazakhstan(), args.scenarios, 1, use_pypsa)]
    for size in (int(s) for s in args.sizes.split(",") if s):
        rows.append(
            bench(f"generated {size}", make_network(size, seed=0), args.scenarios, 1, use_pypsa)
        )
    head = (
        f"{'network':<18}{'routes':>7}{'cold s':>10}{'raw cold':>10}{'ratio':>7}"
        f"{'warm ms':>9}{'raw warm':>10}{'ratio':>7}{'free s':>9}{'pypsa s':>9}{'pypsa/':>8}"
    )
    print(head)
    for r in rows:
        line = (
            f"{r['network']:<18}{r['routes']:>7}{r['corridor_cold']:>10.4f}{r['raw_cold']:>10.4f}"
            f"{r['corridor_cold'] / r['raw_cold']:>7.2f}{1e3 * r['corridor_warm']:>9.3f}"
            f"{1e3 * r['raw_warm']:>10.3f}{r['corridor_warm'] / r['raw_warm']:>7.2f}"
        )
        worst = max(r["corridor_cold"] / r["raw_cold"], r["corridor_warm"] / r["raw_warm"])
        verdicts = ["ratios <= 1.5: " + ("ok" if worst <= 1.5 else "ABOVE TARGET")]
        if "pypsa" in r:
            speedup = r["pypsa"] / r["corridor_free"]
            line += f"{r['corridor_free']:>9.4f}{r['pypsa']:>9.2f}{speedup:>8.0f}"
            if r["routes"] >= 5000:
                verdicts.append("pypsa/ >= 50: " + ("ok" if speedup >= 50 else "BELOW TARGET"))
        print(f"{line}   {'; '.join(verdicts)}")
    print(
        "ratio = corridor / raw highspy (target <= 1.5); pypsa/ = pypsa / corridor free-allocation"
        " build+solve (target >= 50 at 10k routes). Objectives agree on every case."
    )


if __name__ == "__main__":
    main()
