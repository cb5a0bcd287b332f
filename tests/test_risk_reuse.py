"""Value-function reuse in the risk engine: every sample equals a plain re-solve of it.

The reference is the plain loop of ``benchmarks/bench_risk.py`` (`plain_sample`): each month
re-solved with HiGHS from its own capacities, supply and baseline, outages applied by
`scale_capacity`; no screening, no memo, no cached basis.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import corridor
from corridor import risk
from corridor.rerouting import scale_capacity
from corridor.risk import BLOCK, Engine, RiskProblem, block_factors, draw_block, monthly_factors
from corridor.units import DAYS_PER_YEAR

from .toy import Rows


def plain(p: RiskProblem, seed: int, i: int) -> tuple[float, float]:
    """Stranded Mt and share crossing of sample i, every month re-solved by HiGHS."""
    model = p.model()  # a new LP, re-solved from scratch each month: no screening, no bases
    outages = draw_block(p.risks, seed, i // BLOCK, p.month_days).of(i % BLOCK)
    f = monthly_factors(outages, p.risks, p.month_days)
    routes = np.array(sorted(f), np.int64)
    stranded = crossing = 0.0
    for m in range(len(p.month_days)):
        caps = p.month_caps[m].copy()
        supply, baseline = p.supply_of(m), p.baseline_of(m)
        if len(routes):
            factors = np.array([f[r][m] for r in routes])
            caps[routes] = scale_capacity(caps[routes], factors, baseline[routes])
        sol = model.solve(supply, caps, baseline, p.node_caps)
        assert sol.is_optimal
        years = p.month_days[m] / DAYS_PER_YEAR
        stranded += float(sol.stranded.sum()) * years
        crossing += float(sol.flow[p.entry].sum()) * years
    exported = (p.exports or 0.0) * float(p.month_days.sum() / DAYS_PER_YEAR) - stranded
    return stranded, crossing / exported if exported > 0 else float("nan")


def check_against_plain(p: RiskProblem, seed: int, n: int) -> Engine:
    """Assert the engine's samples 0 … n-1 equal the plain loop's (1e-6); return the engine."""
    engine = Engine(p)
    rows = engine.samples(seed, 0, n)
    ref = np.array([plain(p, seed, i) for i in range(n)])
    assert rows[:, 0] == pytest.approx(ref[:, 0], abs=1e-6, nan_ok=True)
    assert rows[:, 1] == pytest.approx(ref[:, 1], abs=1e-6, nan_ok=True)
    assert (rows[:, 0] > engine.nominal_loss + 1e-6).sum() > 0  # some samples lose volume
    # one sample at a time gives the same numbers as the batch
    single = np.array([engine.sample(seed, i) for i in range(0, n, 7)])
    np.testing.assert_allclose(single, rows[::7], atol=1e-9)
    return engine


def test_kazakhstan_samples_equal_a_resolve_of_each(kazakhstan: corridor.Network) -> None:
    p = RiskProblem.from_network(kazakhstan)
    engine = check_against_plain(p, seed=1, n=120)
    assert engine.reuse
    assert engine.bases  # bases were cached ...
    # ... and answer most months that screening did not: far fewer solves than months
    assert engine.solves < 120 * 12 / 4


def test_free_allocation_samples_equal_a_resolve_of_each(kazakhstan: corridor.Network) -> None:
    # the same network as a min-cost flow (no baseline rows in force)
    p = RiskProblem.from_network(kazakhstan)
    check_against_plain(replace(p, mode="free"), seed=3, n=60)


def test_large_lp_path_equals_a_resolve_of_each(
    kazakhstan: corridor.Network, monkeypatch: pytest.MonkeyPatch
) -> None:
    # above REUSE_MAX_ROWS the engine changes only the outaged routes' bounds and re-solves
    monkeypatch.setattr(risk, "REUSE_MAX_ROWS", 0)
    engine = check_against_plain(RiskProblem.from_network(kazakhstan), seed=2, n=80)
    assert not engine.reuse
    assert not engine.bases


def toy_risks(rows: Rows) -> None:
    """Risks on the toy: a shut, the straits shut, the Georgian leg at 30 %.

    s, p and k get capacities at their flows, so a shut route strands what they cannot take.
    """
    fig = {"source": "toy-src", "confidence": "low", "basis": "estimate", "note": "test"}
    reported = {"source": "toy-src", "confidence": "high", "basis": "reported"}
    rows["capacities"] += [
        {"route": r, "year": 2024, "value": v, "unit": "Mt/year", **reported}
        for r, v in [("s", 25), ("p", 4), ("k", 10)]
    ]
    rows["risks"] = [
        {
            "id": "a-shut",
            "name": "A",
            "routes": "a",
            "process": "poisson",
            "frequency": 2,
            "duration_days": 40,
            "duration_sd_days": 20,
            "capacity_factor": 0,
            **fig,
        },
        {
            "id": "straits",
            "name": "S",
            "chokepoint": "straits",
            "process": "monthly",
            "frequency": 3,
            "capacity_factor": 0,
            **fig,
        },
        {
            "id": "geo",
            "name": "G",
            "country": "GEO",
            "process": "poisson",
            "frequency": 3,
            "duration_days": 20,
            "capacity_factor": 0.3,
            **fig,
        },
    ]


def test_toy_samples_equal_a_resolve_of_each(make_toy: Callable[..., Path]) -> None:
    n = corridor.load_package(make_toy(toy_risks))
    p = RiskProblem.from_network(n, year=2024)
    assert len(p.risks) == 3
    assert all(r.routes for r in p.risks)
    check_against_plain(p, seed=5, n=150)


def test_a_basis_that_fits_gives_the_solvers_optimum(kazakhstan: corridor.Network) -> None:
    # feasible => optimal: wherever a cached basis accepts capacities, its outputs are HiGHS's
    p = RiskProblem.from_network(kazakhstan)
    engine = Engine(p)
    engine.samples(4, 0, 200)
    rng = np.random.default_rng(0)
    m = 0
    bases = engine.bases[engine.same_as[m]]
    routes = np.arange(len(p.tail))
    tried: dict[str, int] = {"fit": 0, "refused": 0}
    for _ in range(40):
        factors = np.where(rng.random(len(routes)) < 0.2, rng.choice([0, 0.3, 0.7], len(routes)), 1)
        caps = engine.caps(m, routes, factors.astype(float))
        sol = engine.model.solve(p.supply_of(m), caps, p.baseline_of(m), p.node_caps)
        want: Any = (float(sol.stranded.sum()), float(sol.flow[p.entry].sum()))
        for b in bases:
            ok, out = b.fit(caps[None, :])
            tried["fit" if ok[0] else "refused"] += 1
            if ok[0]:
                n_o = len(p.origins)
                got = (out[0, :n_o].sum(), out[0, n_o:].sum())
                assert got == pytest.approx(want, abs=1e-6)
    assert tried["fit"] > 0
    assert tried["refused"] > 0


def straight_draw(
    risks: list[risk.RiskSpec], seed: int, block: int, month_days: np.ndarray
) -> list[list[tuple[int, float, float]]]:
    """The block's outage draw written plainly: a list of outages per sample."""
    rng = np.random.default_rng(np.random.SeedSequence([seed, block]))
    days = float(month_days.sum())
    edges = np.concatenate([[0.0], np.cumsum(month_days)])
    out: list[list[tuple[int, float, float]]] = [[] for _ in range(BLOCK)]
    for k, r in enumerate(risks):
        if r.process == "monthly":
            hit = rng.random((BLOCK, len(month_days))) < r.frequency / len(month_days)
            for i in range(BLOCK):
                out[i] += [(k, edges[m], edges[m + 1]) for m in np.flatnonzero(hit[i])]
            continue
        counts = rng.poisson(r.frequency, BLOCK)
        starts = rng.uniform(0.0, days, counts.sum())
        if r.duration_sd > 0:
            sigma2 = math.log1p((r.duration_sd / r.duration) ** 2)
            mu = math.log(r.duration) - sigma2 / 2
            lengths = rng.lognormal(mu, math.sqrt(sigma2), counts.sum())
        else:
            lengths = np.full(counts.sum(), r.duration)
        at = 0
        for i, n in enumerate(counts):
            for a, d in zip(starts[at : at + n], lengths[at : at + n], strict=True):
                out[i].append((k, float(a), float(min(a + d, days))))
            at += n
    return out


def test_draws_equal_the_straight_draw(make_toy: Callable[..., Path]) -> None:
    for p in (
        RiskProblem.from_network(corridor.load_package()),
        RiskProblem.from_network(corridor.load_package(make_toy(toy_risks)), year=2024),
    ):
        for seed, block in ((9, 0), (9, 3)):
            drawn = draw_block(p.risks, seed, block, p.month_days)
            plain_ = straight_draw(p.risks, seed, block, p.month_days)
            assert [drawn.of(i) for i in range(BLOCK)] == plain_
            assert drawn.counts().tolist() == [len(x) for x in plain_]
            assert sum(map(len, plain_)) > 100  # outages were drawn


def test_block_factors_equal_each_samples_factors(make_toy: Callable[..., Path]) -> None:
    # every sample of a block at once (overlapping outages of one route day by day) equals
    # `monthly_factors` of that sample alone
    for p in (
        RiskProblem.from_network(corridor.load_package()),
        RiskProblem.from_network(corridor.load_package(make_toy(toy_risks)), year=2024),
    ):
        drawn = draw_block(p.risks, 4, 1, p.month_days)
        rows = np.arange(0, BLOCK, 5)
        part = drawn.take(rows)
        for drop in (None, 0):
            out = part if drop is None else part.without(drop)
            factors = block_factors(out, p.risks, p.month_days)
            routes, table = factors.routes, factors.dense()
            overlapping = 0
            for j, i in enumerate(rows):
                one = drawn.of(int(i))
                want = monthly_factors(one, p.risks, p.month_days, drop)
                assert set(want) <= set(routes.tolist())
                for col, r in enumerate(routes.tolist()):
                    expected = want.get(r, np.ones(len(p.month_days)))
                    np.testing.assert_allclose(table[j, col], expected, rtol=0, atol=1e-12)
                days = sorted(
                    (round(a), round(b)) for k, a, b in one if k != drop and round(b) > round(a)
                )
                overlapping += any(x[1] > y[0] for x, y in itertools.pairwise(days))
            assert overlapping > 10  # the day-by-day path was taken


def test_large_free_lp_path_equals_a_resolve_of_each(
    kazakhstan: corridor.Network, monkeypatch: pytest.MonkeyPatch
) -> None:
    # free allocation on a large LP re-solves a lean copy (no deviation columns and rows)
    monkeypatch.setattr(risk, "REUSE_MAX_ROWS", 0)
    p = replace(RiskProblem.from_network(kazakhstan), mode="free")
    engine = check_against_plain(p, seed=6, n=80)
    assert engine._lean is not None


def straight_factors(
    outages: list[tuple[int, float, float]],
    risks: list[risk.RiskSpec],
    month_days: np.ndarray,
    drop: int | None = None,
) -> dict[int, np.ndarray]:
    """Monthly factors written plainly: a year of days per route, one outage at a time."""
    edges = np.concatenate([[0], np.cumsum(month_days)]).astype(int)
    daily: dict[int, np.ndarray] = {}
    for k, a, b in outages:
        if k == drop:
            continue
        lo, hi = round(a), round(b)
        for r in risks[k].routes:
            d = daily.setdefault(r, np.ones(edges[-1]))
            d[lo:hi] = np.minimum(d[lo:hi], risks[k].factor)
    return {r: np.add.reduceat(d, edges[:-1]) / month_days for r, d in daily.items()}


def test_factors_equal_the_straight_ones_to_the_bit(make_toy: Callable[..., Path]) -> None:
    for p in (
        RiskProblem.from_network(corridor.load_package()),
        RiskProblem.from_network(corridor.load_package(make_toy(toy_risks)), year=2024),
    ):
        seen = 0
        drawn = draw_block(p.risks, 8, 0, p.month_days)
        for i in range(400):
            outages = drawn.of(i)
            for drop in (None, 0, 2):
                fast = monthly_factors(outages, p.risks, p.month_days, drop)
                plain_ = straight_factors(outages, p.risks, p.month_days, drop)
                assert sorted(fast) == sorted(plain_)
                for r, f in plain_.items():
                    assert np.array_equal(fast[r], f)
                    seen += int((f < 1).any())
        assert seen > 100
