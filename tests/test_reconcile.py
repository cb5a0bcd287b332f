"""Reconciliation on the toy network: intervals worked out by hand, conflicts, properties.

The toy (``toy.py``) in 2024, a leap year of 366 days. Its paths from o1 are ``a`` (ends at
the Russian terminal r: onward unknown), ``a>t1`` (crosses RUS, to the sea market), ``s``
(ends at the Russian hub h: crosses RUS, destination unknown) and ``p`` (to the Chinese border:
does not cross RUS); from o2: ``k`` (ends at b in AZE: unknown), ``k>btc`` and ``k>btc>t2``
(delivers to the sea market, does not cross RUS). Capacities in force in 2024: a 80 Mt/year,
node o2 12 Mt/year, btc 8 Mt/year for KAZ.

Observations are written here directly as the canonical frame (design §2), amounts in Mt over
the period. A volume `Estimate` is in Mt/year: an amount over 2024 times 365.25 / 366.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

import corridor
from corridor.evidence import WEIGHT, band, parse_period
from corridor.network import OBSERVATION_COLUMNS
from corridor.reconciliation import (
    Estimate,
    reconcile,
    reconcile_warnings,
)
from corridor.units import DAYS_PER_YEAR

from .toy import Rows, toy_tables, write_package

YEAR_FACTOR = DAYS_PER_YEAR / 366  # an amount over 2024 -> Mt/year


def observations(*rows: dict[str, Any]) -> pd.DataFrame:
    """Return a canonical observations frame from short rows.

    Each row: ``id``, ``measure`` (default flow), ``scope``, ``exporter`` (default KAZ, "" for
    all shippers), ``start``/``end`` (partial dates, default 2024), ``value``/``low``/``high``
    (amounts in Mt over the period), ``confidence`` (default high).
    """
    out = []
    for i, r in enumerate(rows, start=2):
        period = parse_period(str(r.get("start", "2024")), r.get("end"))
        value, low, high = (float(r.get(k, math.nan)) for k in ("value", "low", "high"))
        out.append(
            {
                "id": r["id"],
                "measure": r.get("measure", "flow"),
                "scope": r["scope"],
                "exporter": r.get("exporter", "KAZ"),
                "commodity": "crude-oil",
                "start": period.start,
                "end": period.end,
                "value": value,
                "low": low,
                "high": high,
                "unit": "Mt",
                "amount": value,
                "amount_low": low,
                "amount_high": high,
                "source": "toy-src",
                "confidence": r.get("confidence", "high"),
                "basis": "reported",
                "note": "",
                "origin": f"observations.csv line {i}",
            }
        )
    return pd.DataFrame(out, columns=["id", *OBSERVATION_COLUMNS]).set_index("id")


def exact(oid: str, scope: str, v: float, **kw: Any) -> dict[str, Any]:
    """An observation with low = high = v."""
    return {"id": oid, "scope": scope, "low": v, "high": v, **kw}


_NETWORKS: dict[str, corridor.Network] = {}


def toy_network(tmp: Path, edit: Callable[[Rows], None] | None = None, key: str = "") -> Any:
    """Load (once per key) the toy package after `edit`."""
    if key not in _NETWORKS:
        rows = toy_tables()
        if edit:
            edit(rows)
        _NETWORKS[key] = corridor.load_package(write_package(tmp / f"toy{key}", rows))
    return _NETWORKS[key]


@pytest.fixture
def net(tmp_path: Path) -> corridor.Network:
    return toy_network(tmp_path)


def close(e: Estimate, low: float, high: float, tol: float = 1e-6) -> bool:
    return abs(e.low - low) < tol and abs(e.high - high) < tol and e.low <= e.value <= e.high


# -- intervals worked by hand -------------------------------------------------------------------


def without_s(rows: Rows) -> None:
    """The toy without route s (every path's destination is then known or zero)."""
    rows["routes"] = [r for r in rows["routes"] if r["id"] != "s"]
    rows["flows"] = [f for f in rows["flows"] if f["route"] != "s"]


def test_every_route_observed_exactly_collapses_every_interval(tmp_path: Path) -> None:
    n = toy_network(tmp_path, without_s, "no-s")
    # a 60 = t1 60, p 4, k = btc = t2 = 6, total 70 exactly: path a>t1 60, p 4, k>btc>t2 6,
    # the prefixes a, k, k>btc 0 and u = 70 - 70 = 0: every figure is a point.
    obs = observations(
        *(exact(f"f-{r}", r, v) for r, v in [("a", 60), ("t1", 60), ("p", 4)]),
        *(exact(f"f-{r}", r, 6) for r in ("k", "btc", "t2")),
        exact("total", "all", 70, measure="exports"),
    )
    rec = reconcile(n, year=2024, observations=obs)
    assert rec.conflicts == []
    expected = {
        "total": 70 * YEAR_FACTOR,
        "share:crossing:RUS": 60 / 70,
        "share:bypassing:RUS": 10 / 70,
        "share:via:a": 60 / 70,
        "share:to:CHN": 4 / 70,
        "volume:route:btc": 6 * YEAR_FACTOR,
        "share:chokepoint:straits": 60 / 70,
        "share:operator:Sea": 66 / 70,
    }
    for figure, value in expected.items():
        e = rec.estimate(figure, "KAZ")
        assert close(e, value, value, 1e-6), (figure, e)
        assert e.pinned
    assert float(rec.unattributed["volume"].sum()) == pytest.approx(0, abs=1e-6)
    a = rec.route_flows("KAZ").set_index("route")["volume"]
    assert a["a"] == pytest.approx(60 * YEAR_FACTOR)


def test_one_unobserved_route_gives_the_share_interval(net: corridor.Network) -> None:
    # Total 100; observed a = t1 60, p 4, k 10, btc = t2 6; route s unobserved. Known: a>t1 60
    # crosses RUS; p 4 and k>btc>t2 6 do not. The rest 100 - 74 = 26 (on s, which crosses
    # RUS, or unattributed) and the 4 ending at b (onward unknown) may or may not cross:
    # crossing in [60/100, 90/100], bypassing in [10/100, 40/100]. The value gives the
    # unknown 30 the known split (60 yes : 10 no), never "not crossing".
    obs = observations(
        *(exact(f"f-{r}", r, v) for r, v in [("a", 60), ("t1", 60), ("p", 4), ("k", 10)]),
        *(exact(f"f-{r}", r, 6) for r in ("btc", "t2")),
        exact("total", "all", 100, measure="exports"),
    )
    rec = reconcile(net, year=2024, observations=obs)
    e = rec.estimate("share:crossing:RUS", "KAZ")
    assert close(e, 0.60, 0.90)
    assert e.value == pytest.approx(0.60 + 0.30 * 60 / 70)
    assert not e.pinned
    assert {"total", "f-t1"} <= set(e.pinned_by)
    byp = rec.estimate("share:bypassing:RUS", "KAZ")
    assert close(byp, 0.10, 0.40)
    assert byp.value + e.value == pytest.approx(1.0)
    # s itself: 0 to 26 of the 100
    assert close(rec.estimate("share:via:s", "KAZ"), 0.0, 0.26)
    # the unattributed prefers u to the unnamed route s at the best fit
    assert float(rec.unattributed["volume"].sum()) == pytest.approx(26)


def test_a_bypass_aggregate_pins_the_share(net: corridor.Network) -> None:
    # The 2022 example: total 64.3, bypassing Russia 1.91, both of high confidence (±1 %).
    # crossing = total - bypassing, so the share lies in
    # [1 - 1.91*1.01 / (64.3*0.99), 1 - 1.91*0.99 / (64.3*1.01)] = [0.96969, 0.97088]: ≈ 97 %.
    obs = observations(
        {"id": "total", "measure": "exports", "scope": "all", "value": 64.3},
        {"id": "bypass", "measure": "exports", "scope": "bypassing:RUS", "value": 1.91},
    )
    rec = reconcile(net, year=2024, observations=obs)
    e = rec.estimate("share:crossing:RUS", "KAZ")
    low, high = 1 - 1.91 * 1.01 / (64.3 * 0.99), 1 - 1.91 * 0.99 / (64.3 * 1.01)
    assert close(e, low, high, 1e-6)
    assert e.pinned
    assert e.value == pytest.approx(0.97, abs=0.001)
    assert set(e.binding) == {"total", "bypass"}
    ex = rec.explain("share:crossing:RUS", "KAZ")
    assert set(ex.observations.index) == {"total", "bypass"}
    assert ex.observations.at["bypass", "band_low"] == pytest.approx(1.91 * 0.99)
    assert ex.conflicts == ()


def test_a_part_year_observation(net: corridor.Network) -> None:
    # Route a Jan–Oct 2024 = 50 exactly (305 days). Spread evenly: 50 * 366/305 in the year.
    # Min: nothing in Nov–Dec, 50. Max: 50 + the capacity of Nov–Dec, 80 * 61 / 365.25.
    obs = observations(exact("jan-oct", "a", 50, start="2024-01", end="2024-10"))
    rec = reconcile(net, year=2024, observations=obs)
    e = rec.estimate("volume:route:a", "KAZ")
    high = (50 + 80 * 61 / DAYS_PER_YEAR) * YEAR_FACTOR
    assert close(e, 50 * YEAR_FACTOR, high, 1e-6)
    assert e.value == pytest.approx(50 * 366 / 305 * YEAR_FACTOR)
    months = rec.flows[(rec.flows["route"] == "a")].groupby("month")["volume"].sum()
    assert months[1] == pytest.approx(50 * 31 / 305)


def with_uzbekistan(rows: Rows) -> None:
    """The toy plus a second exporter whose pipeline zu joins o1 (so it shares route a)."""
    rows["nodes"].append(
        {"id": "z", "name": "Z field", "kind": "field", "country": "UZB", "lat": 41, "lon": 64}
        | {"source": "toy-src"}
    )
    rows["routes"].append(
        {
            "id": "zu",
            "name": "Z pipeline",
            "from_node": "z",
            "to_node": "o1",
            "mode": "pipeline",
            "operator": "Zeta",
            "commodity": "crude-oil",
            "source": "toy-src",
        }
    )


def test_a_throughput_of_all_shippers_on_a_shared_route(tmp_path: Path) -> None:
    # CPC-like: route a carries 70 for all shippers; KAZ's own flow on a is 60. UZB and the
    # other shippers (o, not modelled) share the remaining 10: UZB's flow on a is in [0, 10].
    # With UZB's own figure 4 on a, o = 6 and UZB is pinned.
    n = toy_network(tmp_path, with_uzbekistan, "uzb")
    obs = observations(
        exact("a-all", "a", 70, measure="throughput", exporter=""),
        exact("a-kaz", "a", 60),
        {"id": "uzb-total", "measure": "exports", "scope": "all", "exporter": "UZB", "high": 20},
    )
    rec = reconcile(n, year=2024, observations=obs)
    e = rec.estimate("volume:route:a", "UZB")
    assert close(e, 0.0, 10 * YEAR_FACTOR, 1e-6)
    assert "a-all" in e.binding
    shared = rec.flows[rec.flows["route"] == "a"].groupby("exporter")["volume"].sum()
    assert shared["KAZ"] == pytest.approx(60)
    assert rec.conflicts == []
    rec = reconcile(
        n,
        year=2024,
        observations=pd.concat([obs, observations(exact("u", "a", 4, exporter="UZB"))]),
    )
    assert close(rec.estimate("volume:route:a", "UZB"), 4 * YEAR_FACTOR, 4 * YEAR_FACTOR)


def test_a_whole_pipeline_throughput_says_nothing_about_one_share(net: corridor.Network) -> None:
    # Throughput of a (all shippers) 70 and KAZ's total 100, nothing else: other shippers may
    # carry any part of the 70, so KAZ's share via a is anywhere in [0, 70/100].
    obs = observations(
        exact("a-all", "a", 70, measure="throughput", exporter=""),
        exact("total", "all", 100, measure="exports"),
    )
    rec = reconcile(net, year=2024, observations=obs)
    assert close(rec.estimate("share:via:a", "KAZ"), 0.0, 0.70)
    assert rec.conflicts == []


def test_other_shippers_use_the_capacity(net: corridor.Network) -> None:
    # a's capacity in 2024 is 80 Mt/year, 80 * 366 / 365.25 Mt over the year, for all shippers
    # together; a throughput of at least 100 on a then misses by 100 - 80 * 366 / 365.25 even
    # though the other shippers could carry it: their volume counts in the capacity row.
    obs = observations(
        {"id": "a-all", "measure": "throughput", "scope": "a", "exporter": "", "low": 100},
        exact("total", "all", 10, measure="exports"),
    )
    rec = reconcile(net, year=2024, observations=obs)
    [c] = rec.conflicts
    assert c.ids[0] == "a-all"
    assert c.amount == pytest.approx(100 - 80 * 366 / DAYS_PER_YEAR, abs=1e-6)


def test_an_exporter_enters_where_it_is_observed(net: corridor.Network) -> None:
    # RUS's origins (r, h) cannot reach k, which starts at o2 in Kazakhstan; observed on k
    # (5 of a total 10), RUS gets the paths k, k>btc, k>btc>t2 starting at o2.
    obs = observations(
        exact("rus-k", "k", 5, exporter="RUS"),
        exact("rus-total", "all", 10, measure="exports", exporter="RUS"),
    )
    rec = reconcile(net, year=2024, observations=obs)
    assert rec.observations_used == ["rus-k", "rus-total"]
    assert close(rec.estimate("share:via:k", "RUS"), 0.5, 0.5)
    assert close(rec.estimate("volume:route:k", "RUS"), 5 * YEAR_FACTOR, 5 * YEAR_FACTOR)
    # the paths from o2 cross Kazakhstan's neighbours, not Kazakhstan's own origin twice
    assert rec.estimate("volume:route:t2", "RUS").high == pytest.approx(5 * YEAR_FACTOR)


def test_exports_are_bounded_by_supply(net: corridor.Network) -> None:
    # Production 120, imports 5, refinery runs 30, each exactly (low = high): exports <= 120 +
    # 5 - 30 = 95. Alone, the total is in [0, 95]; with exports of 100 (high, ±1 %: 99 at
    # least), the misfit is 99 - 95 = 4 (a unit of misfit costs 4/100 there, 4/95 on the
    # bound) and the conflict names the supply rows.
    supply = [
        exact("prod", "all", 120, measure="production"),
        exact("imp", "all", 5, measure="imports"),
        exact("runs", "all", 30, measure="refinery_runs"),
    ]
    rec = reconcile(net, year=2024, observations=observations(*supply))
    assert close(rec.estimate("total", "KAZ"), 0.0, 95 * YEAR_FACTOR)
    assert rec.observations_ignored == []
    rec = reconcile(
        net,
        year=2024,
        observations=observations(
            *supply, {"id": "exports", "measure": "exports", "scope": "all", "value": 100}
        ),
    )
    [c] = rec.conflicts
    assert set(c.ids) == {"exports", "prod", "imp", "runs"}
    assert c.ids[0] == "exports"
    assert c.amount == pytest.approx(4, abs=1e-6)


def test_a_part_year_production_bounds_the_exports_of_its_months(net: corridor.Network) -> None:
    # Production Jan-Jun 2024 (182 of 366 days) exactly 60 and refinery runs of the year exactly
    # 30, so runs of 30 * 182 / 366 in those months: exports Jan-Jun <= 60 - 14.918 = 45.082.
    # Exports Jan-Jun of 50 (exactly) miss by 4.918 (a unit of misfit costs 4/50 there and
    # 4/45.082 on the bound).
    rec = reconcile(
        net,
        year=2024,
        observations=observations(
            exact("prod-h1", "all", 60, measure="production", start="2024-01", end="2024-06"),
            exact("runs", "all", 30, measure="refinery_runs"),
            exact("exports-h1", "all", 50, measure="exports", start="2024-01", end="2024-06"),
        ),
    )
    [c] = rec.conflicts
    assert set(c.ids) == {"exports-h1", "prod-h1", "runs"}
    assert c.amount == pytest.approx(50 - (60 - 30 * 182 / 366), abs=1e-6)


def test_reference_values_sit_mid_band(net: corridor.Network) -> None:
    # Total 100 (±1 %) and a in [50, 70]: the best fit takes the middles, 100 and 60 (the
    # tie-breaks alone would take the low ends), spread evenly over the months.
    obs = observations(
        {"id": "total", "measure": "exports", "scope": "all", "value": 100},
        {"id": "a-range", "scope": "a", "low": 50, "high": 70},
    )
    rec = reconcile(net, year=2024, observations=obs)
    e = rec.estimate("total", "KAZ")
    assert close(e, 99 * YEAR_FACTOR, 101 * YEAR_FACTOR)
    assert e.value == pytest.approx(100 * YEAR_FACTOR)
    a = rec.flows[rec.flows["route"] == "a"].groupby("month")["volume"].sum()
    assert a.sum() == pytest.approx(60)
    assert a[2] == pytest.approx(60 * 29 / 366)


def test_a_planted_conflict_is_reported_with_both_rows(net: corridor.Network) -> None:
    # Two sources for route p: 50 and 60, both high (±1 %): [49.5, 50.5] and [59.4, 60.6].
    # A unit of misfit costs 4/50 on the first and 4/60 on the second, so the fit keeps the
    # first and the second misses by 59.4 - 50.5 = 8.9 Mt.
    obs = observations(
        {"id": "src1-p", "scope": "p", "value": 50},
        {"id": "src2-p", "scope": "p", "value": 60},
    )
    rec = reconcile(net, year=2024, observations=obs)
    assert len(rec.conflicts) == 1
    c = rec.conflicts[0]
    assert set(c.ids) == {"src1-p", "src2-p"}
    assert c.ids[0] == "src2-p"
    assert c.amount == pytest.approx(8.9)
    assert "below" in c.note
    # phase 2 widens the second band just enough: p is pinned to 50.5
    e = rec.estimate("volume:route:p", "KAZ")
    assert close(e, 50.5 * YEAR_FACTOR, 50.5 * YEAR_FACTOR, 1e-6)
    warnings = reconcile_warnings(net, obs)
    assert len(warnings) == 1
    w = warnings[0]
    assert (w.file, w.line) == ("observations.csv", 3)
    assert "src1-p (observations.csv line 2)" in w.message


def test_figure_strings_are_checked(net: corridor.Network) -> None:
    rec = reconcile(net, year=2024, observations=observations(exact("x", "a", 1)))
    with pytest.raises(corridor.InvalidArgumentError):
        rec.estimate("share:sideways:RUS", "KAZ")
    with pytest.raises(corridor.NoFlowsError):
        rec.estimate("total", "TKM")
    with pytest.raises(corridor.UnknownError):
        rec.estimate("share:chokepoint:nowhere", "KAZ")
    with pytest.raises(corridor.UnknownError):
        rec.estimate("share:crossing:XYZ", "KAZ")


def test_ignored_observations_say_why(net: corridor.Network) -> None:
    obs = observations(
        exact("imp", "all", 12, measure="imports"),
        exact("bad", "nowhere", 1),
        exact("ok", "a", 1),
    )
    rec = reconcile(net, year=2024, observations=obs)
    assert rec.observations_used == ["ok"]
    ignored = dict(rec.observations_ignored)
    assert set(ignored) == {"imp", "bad"}
    assert "production" in ignored["imp"]
    assert "nowhere" in ignored["bad"]


def test_the_package_reconciles_every_year(kazakhstan: corridor.Network) -> None:
    for year in range(2021, 2026):
        rec = reconcile(kazakhstan, year=year)
        e = rec.estimate("share:crossing:RUS", "KAZ")
        assert 0 <= e.low <= e.value <= e.high <= 1
    assert reconcile(kazakhstan, year=2025) is rec  # cached


# -- properties ---------------------------------------------------------------------------------

SCOPES = ["a", "t1", "s", "p", "k", "btc", "t2", "all", "bypassing:RUS", "crossing:RUS"]
FIGURES = [
    "total",
    "share:crossing:RUS",
    "share:bypassing:RUS",
    "share:via:a",
    "share:to:CHN",
    "volume:route:s",
]


def truth_values(a: float, s: float, p: float, k: float, u: float) -> dict[str, float]:
    """Route and selector amounts of a true flow: a>t1 a, s s, p p, k>btc>t2 k, u u."""
    return {
        "a": a,
        "t1": a,
        "s": s,
        "p": p,
        "k": k,
        "btc": k,
        "t2": k,
        "all": a + s + p + k + u,
        "crossing:RUS": a + s,
        "bypassing:RUS": p + k + u,
    }


def scope_value(rec: Any, scope: str) -> float:
    """The amount of a scope at the reference (best-fit) solution, in Mt over 2024."""
    if scope in SCOPES[:7]:
        return float(rec.flows[rec.flows["route"] == scope]["volume"].sum())
    figure = "total" if scope == "all" else f"volume:{scope}"
    return rec.estimate(figure, "KAZ").value / YEAR_FACTOR


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    flows=st.tuples(*(st.floats(0, 8) for _ in range(5))),
    chosen=st.lists(st.sampled_from(SCOPES), min_size=1, max_size=4, unique=True),
    extra=st.sampled_from(SCOPES),
    widths=st.tuples(st.floats(0, 0.2), st.floats(0, 0.2), st.floats(0, 0.2)),
)
def test_a_consistent_observation_never_widens_an_interval(
    net: corridor.Network,
    flows: tuple[float, ...],
    chosen: list[str],
    extra: str,
    widths: tuple[float, float, float],
) -> None:
    truth = truth_values(*flows)
    rows = [
        {
            "id": sc,
            "scope": sc,
            "low": truth[sc] * (1 - widths[0]),
            "high": truth[sc] * (1 + widths[1]),
        }
        for sc in chosen
    ]
    before = reconcile(net, year=2024, observations=observations(*rows))
    assert before.conflicts == []
    v = scope_value(before, extra)
    added = {
        "id": "added",
        "scope": extra,
        "low": v * (1 - widths[2]),
        "high": v * (1 + widths[2]) + 1e-9,
    }
    after = reconcile(net, year=2024, observations=observations(*rows, added))
    assert after.conflicts == []
    for figure in FIGURES:
        old, new = before.estimate(figure, "KAZ"), after.estimate(figure, "KAZ")
        assert new.low >= old.low - 1e-6, figure
        assert new.high <= old.high + 1e-6, figure
        assert new.low <= new.value <= new.high
        assert old.low <= old.value <= old.high


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    picks=st.lists(
        st.tuples(st.sampled_from(SCOPES), st.floats(0, 120), st.sampled_from(["high", "low"])),
        min_size=1,
        max_size=6,
    )
)
def test_intervals_always_contain_the_estimate(
    net: corridor.Network, picks: list[tuple[str, float, str]]
) -> None:
    # Any observations, conflicting or not: every figure's value lies in its interval.
    rows = [
        {"id": f"o{i}", "scope": sc, "value": v, "confidence": c}
        for i, (sc, v, c) in enumerate(picks)
    ]
    rec = reconcile(net, year=2024, observations=observations(*rows))
    for figure in FIGURES:
        e = rec.estimate(figure, "KAZ")
        assert e.low <= e.value <= e.high, (figure, e)
    for c in rec.conflicts:
        assert c.amount > 0
        assert set(c.ids) <= {r["id"] for r in rows}


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    values=st.lists(st.floats(0.5, 90), min_size=4, max_size=4),
    confidence=st.lists(st.sampled_from(["high", "medium", "low"]), min_size=4, max_size=4),
)
def test_the_fit_matches_an_independent_linprog(
    net: corridor.Network, values: list[float], confidence: list[str]
) -> None:
    # Yearly form of LP (1)-(6): the yearly path flows of the toy, u, and a misfit pair per
    # observation; capacities held over 366 days. Observations: a, t1 (may disagree), k, total.
    scopes = ["a", "t1", "k", "all"]
    rows = [
        {"id": f"o{i}", "scope": sc, "value": v, "confidence": c}
        for i, (sc, v, c) in enumerate(zip(scopes, values, confidence, strict=True))
    ]
    rec = reconcile(net, year=2024, observations=observations(*rows))
    # columns: a, a>t1, s, p, k, k>btc, k>btc>t2, u, then s-/s+ per observation
    uses = {
        "a": [1, 1, 0, 0, 0, 0, 0, 0],
        "t1": [0, 1, 0, 0, 0, 0, 0, 0],
        "k": [0, 0, 0, 0, 1, 1, 1, 0],
        "all": [1, 1, 1, 1, 1, 1, 1, 1],
    }
    n_obs = len(rows)
    cost = np.zeros(8 + 2 * n_obs)
    a_ub, b_ub = [], []
    year = 366 / DAYS_PER_YEAR
    for cap, cols in ((80, [0, 1]), (12, [4, 5, 6]), (8, [5, 6])):
        row = np.zeros(8 + 2 * n_obs)
        row[cols] = 1
        a_ub.append(row)
        b_ub.append(cap * year)
    for i, (sc, v, c) in enumerate(zip(scopes, values, confidence, strict=True)):
        lo, hi = band(v, None, None, c)
        w = WEIGHT[c] / max(abs((lo + hi) / 2), 0.01)
        cost[8 + 2 * i : 10 + 2 * i] = w
        expr = np.array(uses[sc] + [0] * 2 * n_obs, float)
        expr[8 + 2 * i], expr[9 + 2 * i] = 1, -1  # + s- - s+
        a_ub += [expr, -expr]
        b_ub += [hi, -lo]
    res = linprog(cost, A_ub=np.array(a_ub), b_ub=np.array(b_ub), bounds=(0, None), method="highs")
    assert res.status == 0
    assert rec.misfit == pytest.approx(res.fun, rel=1e-6, abs=1e-7)


def test_observations_spanning_two_years_are_split(net: corridor.Network) -> None:
    # Dec 2023 - Jan 2024 on route p: 62 exactly over 62 days; 2024 has 31 of them: 31.
    obs = observations(exact("winter", "p", 62, start="2023-12", end="2024-01"))
    rec = reconcile(net, year=2024, observations=obs)
    months = rec.flows[rec.flows["route"] == "p"].set_index("month")["volume"]
    assert months[1] == pytest.approx(31)
    assert date(2024, 1, 1) < obs.at["winter", "end"]
