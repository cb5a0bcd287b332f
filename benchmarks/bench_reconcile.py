"""`make bench`: reconciling observations into monthly flows (`corridor.reconciliation`).

Times, for each network, building and solving the reconciliation LP of every year (12 months
each) and asking the headline figures with their intervals (warm re-solves):

- the built-in Kazakhstan package, 2021–2025 (target: under 2 s in all);
- a generated layered network of about 10,000 routes (fields → hubs of many exporters →
  shared ports → markets, as in ``bench_solve.py``), with random observations: per-exporter
  totals and route flows, all-shipper throughputs at ports and bypass aggregates.

Timings are from one machine and one run; the LP sizes are printed beside them.
"""

from __future__ import annotations

import argparse
import itertools
import platform
import string
import time
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

import corridor
from corridor.network import OBSERVATION_COLUMNS, Network, PackageMeta
from corridor.reconciliation import reconcile
from corridor.schema import tables as schema_tables
from corridor.solve import highs_version

TARGET_PACKAGE_S = 2.0
HEADLINES = ["total", "share:crossing:RUS", "share:bypassing:RUS", "share:via:cpc"]


def codes(prefix: str, k: int) -> list[str]:
    """Return k three-letter country codes starting with `prefix`."""
    letters = string.ascii_uppercase
    return [prefix + a + b for a, b in itertools.islice(itertools.product(letters, letters), k)]


def _frame(name: str, rows: list[dict[str, Any]]) -> pd.DataFrame:
    columns = [c.name for c in schema_tables()[name].columns]
    extra = [c for c in (rows[0] if rows else {}) if c not in columns]
    df = pd.DataFrame(rows, columns=columns + extra)
    return df.set_index("id") if "id" in columns else df


def make_network(target_routes: int, seed: int = 0) -> tuple[Network, list[str]]:
    """Return a generated network of about `target_routes` routes and its exporters."""
    rng = np.random.default_rng(seed)
    n_exp, fields, hubs = max(2, target_routes // 40), 3, 6
    n_ports = max(4, (target_routes - n_exp * (2 * fields + 2 * hubs)) // 2)
    exporters, transit = codes("X", n_exp), codes("T", 30)
    nodes: list[dict[str, Any]] = []
    routes: list[dict[str, Any]] = []

    def node(nid: str, kind: str, country: str) -> str:
        nodes.append({"id": nid, "name": nid, "kind": kind, "country": country})
        return nid

    def route(a: str, b: str) -> None:
        routes.append(
            {
                "id": f"r{len(routes)}",
                "name": f"{a}-{b}",
                "from_node": a,
                "to_node": b,
                "mode": "pipeline",
                "commodity": "crude-oil",
                "operator": f"op{len(routes) % 50}",
                "transit": (),
                "chokepoints": (),
            }
        )

    markets = [node(f"m{i}", "market", "") for i in range(max(2, n_ports // 20))]
    ports = [node(f"p{i}", "port", str(rng.choice(transit))) for i in range(n_ports)]
    for p in ports:
        for m in rng.choice(markets, 2, replace=False):
            route(p, str(m))
    for e in exporters:
        hs = [node(f"{e}h{i}", "hub", e) for i in range(hubs)]
        for i in range(fields):
            f = node(f"{e}f{i}", "field", e)
            for h in rng.choice(hs, 2, replace=False):
                route(f, str(h))
        for h in hs:
            for p in rng.choice(ports, 2, replace=False):
                route(h, str(p))
    caps = [
        {"route": r["id"], "node": "", "exporter": "", "year": 2020, "capacity": 50.0}
        for r in routes[:: max(1, len(routes) // 1000)]
    ]
    tables = {name: _frame(name, []) for name in schema_tables()}
    tables["nodes"] = _frame("nodes", nodes)
    tables["routes"] = _frame("routes", routes)
    tables["capacities"] = _frame("capacities", caps)
    meta = PackageMeta("generated", "Generated", exporters[0], "crude-oil", 2024, 2024)
    return Network(meta, tables), exporters


def random_observations(n: Network, exporters: list[str], seed: int = 0) -> pd.DataFrame:
    """Return random observations of 2024: totals, field flows, port throughputs, bypasses."""
    rng = np.random.default_rng(seed)
    routes = n.routes
    rows = []

    def add(oid: str, measure: str, scope: str, exporter: str, value: float) -> None:
        conf = str(rng.choice(["high", "medium", "low"]))
        rows.append(
            {
                "id": oid,
                "measure": measure,
                "scope": scope,
                "exporter": exporter,
                "commodity": "crude-oil",
                "start": date(2024, 1, 1),
                "end": date(2024, 1 + 10, 1) if rng.random() < 0.2 else date(2025, 1, 1),
                "value": value,
                "low": np.nan,
                "high": np.nan,
                "unit": "Mt",
                "amount": value,
                "amount_low": np.nan,
                "amount_high": np.nan,
                "source": "generated",
                "confidence": conf,
                "basis": "reported",
                "note": "",
                "origin": f"generated line {len(rows) + 2}",
            }
        )

    for e in exporters:
        total = float(rng.uniform(5, 40))
        add(f"total:{e}", "exports", "all", e, total)
        first = routes.index[routes["from_node"].str.startswith(f"{e}f")]
        for r in rng.choice(first, max(1, len(first) // 2), replace=False):
            add(f"flow:{e}:{r}", "flow", str(r), e, total / len(first) * rng.uniform(0.5, 1.5))
        if rng.random() < 0.3:
            country = str(n.nodes.at[str(routes.at[first[0], "to_node"]), "country"])
            add(f"bypass:{e}", "exports", f"bypassing:{country}", e, total * 0.1)
    port_routes = routes.index[routes["from_node"].str.match(r"p\d")]
    for r in rng.choice(port_routes, len(port_routes) // 10, replace=False):
        add(f"throughput:{r}", "throughput", str(r), "", float(rng.uniform(1, 20)))
    return pd.DataFrame(rows, columns=["id", *OBSERVATION_COLUMNS]).set_index("id")


def bench_package() -> float:
    n = corridor.load_package()
    t0 = time.perf_counter()
    for year in range(2021, 2026):
        rec = reconcile(n, year=year)
        for figure in HEADLINES:
            rec.estimate(figure, "KAZ")
    elapsed = time.perf_counter() - t0
    m = rec.model
    print(
        f"package   5 years x 12 months: {elapsed:6.2f} s (target < {TARGET_PACKAGE_S:.0f} s: "
        f"{'ok' if elapsed < TARGET_PACKAGE_S else 'ABOVE TARGET'})"
        f"  [fit LP of 2025: {m.sizes[0]} rows x {m.sizes[1]} columns, {m.sizes[2]} nonzeros"
        f" (intervals: {m.a.shape[0]} x {m.a.shape[1]}),"
        f" {m.n_paths} paths, {len(m.rows)} observations]"
    )
    return elapsed


def bench_generated(target_routes: int) -> float:
    t0 = time.perf_counter()
    n, exporters = make_network(target_routes)
    obs = random_observations(n, exporters)
    t1 = time.perf_counter()
    rec = reconcile(n, year=2024, observations=obs)
    t2 = time.perf_counter()
    for e in exporters[:5]:
        rec.estimate("total", e)
        rec.estimate(f"share:via:{rec.route_flows(e)['route'].iloc[0]}", e)
    t3 = time.perf_counter()
    m = rec.model
    print(
        f"generated {len(n.routes)} routes, 1 year x 12 months: build + fit {t2 - t1:6.2f} s,"
        f" 10 figures {t3 - t2:5.2f} s (network + observations {t1 - t0:.2f} s)"
        f"  [fit LP {m.sizes[0]} rows x {m.sizes[1]} columns, {m.sizes[2]} nonzeros"
        f" (intervals: {m.a.shape[0]} x {m.a.shape[1]}),"
        f" {m.n_paths} paths, {len(m.rows)} observations, {len(rec.conflicts)} conflicts]"
    )
    return t2 - t1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--routes", type=int, default=10_000, help="generated network size")
    parser.add_argument("--skip-generated", action="store_true")
    args = parser.parse_args()
    print(f"reconciliation; Python {platform.python_version()}, HiGHS {highs_version()}")
    bench_package()
    if not args.skip_generated:
        bench_generated(args.routes)


if __name__ == "__main__":
    main()
