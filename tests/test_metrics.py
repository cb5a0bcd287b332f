"""Metrics on the toy network, checked against values worked out by hand (see conftest)."""

from __future__ import annotations

import json

import pandas as pd
import pytest

import corridor
from corridor.display import Displayable
from corridor.exceptions import InvalidArgumentError, UnknownError
from corridor.metrics import (
    UNKNOWN,
    canonical_figure,
    dependence,
    flow_paths,
    latest_year,
    summary,
)

from .toy import Rows, observation

approx = pytest.approx


def test_paths_by_hand(toy: corridor.Network) -> None:
    p = flow_paths(toy, "KAZ", 2024).set_index("id")
    assert dict(p["volume"]) == approx(
        {"a>t1": 60, "s": 20, "p": 4, "k>btc>t2": 6, "k": 4}  # 10 x 6/10 and 10 x 4/10
    )
    assert p.at["a>t1", "transit"] == ("RUS",)
    assert p.at["k>btc>t2", "transit"] == ("AZE", "TUR", "GEO")
    assert p.at["p", "transit"] == ()  # CHN is the destination, not a transit country
    assert dict(p["destination"]) == {
        "a>t1": "m",
        "s": UNKNOWN,
        "p": "CHN",
        "k>btc>t2": "m",
        "k": UNKNOWN,
    }


def test_paths_conserve_every_route_flow(toy: corridor.Network) -> None:
    p = flow_paths(toy, "KAZ", 2024)
    for route, flow in [("a", 60), ("t1", 60), ("s", 20), ("k", 10), ("btc", 6), ("t2", 6)]:
        assert p.loc[[route in r for r in p["routes"]], "volume"].sum() == approx(flow)


def test_shares_by_hand(toy: corridor.Network) -> None:
    # the point figures of given flows (a scenario's): the toy's own flows, decomposed
    m = dependence(toy, exporter="KAZ", year=2024, flows=toy.flows)
    assert m.reconciliation is None
    assert m.total_exports == 100
    assert m.routed == approx(94)
    assert m.unattributed == approx(6)
    assert dict(m.by_route["share"]) == approx(
        {"a": 0.6, "t1": 0.6, "s": 0.2, "k": 0.1, "btc": 0.06, "t2": 0.06, "p": 0.04}
    )
    assert dict(m.by_transit_country["share"]) == approx(
        {"RUS": 0.8, "AZE": 0.1, "GEO": 0.06, "TUR": 0.06}
    )
    assert m.share_crossing("RUS") == approx(0.8)
    assert m.share_bypassing("RUS") == approx(0.14)  # (94 - 80) / 100
    assert m.share_via("a") == approx(0.6)
    assert m.share_via("nope") == 0.0
    assert dict(m.by_chokepoint["share"]) == approx({"straits": 0.6, UNKNOWN: 0.24})
    assert dict(m.by_operator["volume"]) == approx(
        {"Alpha": 60, "Sea": 66, "Beta": 20, "Gamma": 10, "Delta": 6, "Eta": 4}
    )
    assert dict(m.by_destination["volume"]) == approx({"m": 66, UNKNOWN: 24, "CHN": 4})
    assert dict(m.by_export_route["volume"]) == approx({"a": 60, "s": 20, "k": 10, "p": 4})


def test_hhi_by_hand(toy: corridor.Network) -> None:
    # export-route shares of the routed 94: 60, 20, 10, 4
    expected = 10_000 * (60**2 + 20**2 + 10**2 + 4**2) / 94**2
    assert dependence(toy, exporter="KAZ", year=2024, flows=toy.flows).hhi == approx(expected)
    assert expected == approx(4658.2164, abs=1e-3)


def test_sources_follow_the_figures(toy: corridor.Network) -> None:
    m = dependence(toy, exporter="KAZ", year=2024, flows=toy.flows)
    assert m.by_route.at["a", "sources"] == ("toy-src", "toy-total")
    assert set(m.sources) == {"toy-src", "toy-total"}


def test_without_total_exports_shares_are_of_routed_volume(toy: corridor.Network) -> None:
    m = dependence(toy, exporter="KAZ", year=2023, flows=toy.flows)
    assert m.total_exports is None
    assert m.unattributed is None
    assert m.denominator_kind == "routed volume"
    assert m.share_crossing("RUS") == approx(0.75)  # 30 of 40
    assert m.share_bypassing("RUS") == approx(0.25)
    assert m.missing_routes == ("btc", "k", "s", "t2")


def test_latest_year_needs_flows_and_total(toy: corridor.Network) -> None:
    assert latest_year(toy) == 2024


@pytest.fixture
def evident(make_toy) -> corridor.Network:  # type: ignore[no-untyped-def]
    """The toy with an observations table (one row: the 2024 total again): it reconciles."""

    def edit(rows):  # type: ignore[no-untyped-def]
        rows["observations"] = [observation("kaz-total-2024", "exports", "all", "2024", value=100)]

    return corridor.load_package(make_toy(edit))


def test_without_an_observations_table_the_figures_stay_as_observed(toy: corridor.Network) -> None:
    m = dependence(toy, exporter="KAZ", year=2024)
    assert m.reconciliation is None
    assert m.share_crossing("RUS") == approx(0.8)  # 80 of 100: the old lower-bound reading


def test_summary_keeps_gaps(evident: corridor.Network) -> None:
    s = summary(evident)
    assert list(s.index) == list(range(2019, 2027))
    # reconciled: 80 of 100 cross RUS for sure; 4 end at b (onward unknown) and 6 are on no
    # route, so up to 90; never counted as "not crossing" (value above 0.8)
    assert s.at[2024, "share_crossing_low"] <= 0.8 < s.at[2024, "share_crossing"]
    assert s.at[2024, "share_crossing"] < 0.9 <= s.at[2024, "share_crossing_high"]
    assert s.at[2024, "share_via_low"] <= 0.6 <= s.at[2024, "share_via_high"]
    assert s.at[2024, "production"] == 120
    assert s.loc[2019, ["total_exports", "share_crossing", "hhi"]].isna().all()
    assert s.at[2023, "denominator"] == "total exports"  # reconciled (no upper bound)
    assert s.at[2023, "total_exports_high"] == float("inf")


def test_merge_then_split_mixes_proportionally(make_toy) -> None:  # type: ignore[no-untyped-def]
    # o2 also ships 20 to r, so r receives 60 + 20 and sends 80 on t1: paths a>t1 and q>t1
    def edit(rows):  # type: ignore[no-untyped-def]
        rows["routes"].append({**rows["routes"][0], "id": "q", "from_node": "o2", "to_node": "r"})
        for f in rows["flows"]:
            if (f["route"], f["year"]) == ("t1", 2024):
                f["value"] = 80
        rows["flows"].append({**rows["flows"][0], "route": "q", "value": 20})
        rows["capacities"] = []
        rows["supply"][0]["value"] = 120

    p = flow_paths(corridor.load_package(make_toy(edit)), "KAZ", 2024).set_index("id")
    assert p.at["a>t1", "volume"] == approx(60)
    assert p.at["q>t1", "volume"] == approx(20)


def test_dependence_checks_its_arguments(toy: corridor.Network) -> None:
    with pytest.raises(UnknownError, match="year 1990 is outside the package's years"):
        dependence(toy, exporter="KAZ", year=1990)
    with pytest.raises(UnknownError, match="unknown exporter 'XYZ'"):
        dependence(toy, exporter="XYZ", year=2024)
    with pytest.raises(UnknownError, match="unknown commodity 'gold'"):
        dependence(toy, exporter="KAZ", year=2024, commodity="gold")


def test_dependence_of_given_flows(toy: corridor.Network) -> None:
    # only a (60) and t1 (60): every routed unit crosses RUS, of the 100 exported
    flows = pd.DataFrame({"route": ["a", "t1"], "volume": [60.0, 60.0]})
    m = dependence(toy, exporter="KAZ", year=2024, flows=flows)
    assert m.routed == approx(60)
    assert m.share_crossing("RUS") == approx(0.6)
    assert m.missing_routes == ("p",)  # reported in 2023, not in these flows
    assert m.by_route.at["a", "sources"] == ("toy-total",)  # the flows given cite nothing


def test_dependence_shows_a_summary(toy: corridor.Network) -> None:
    m = dependence(toy, exporter="KAZ", year=2024, flows=toy.flows)
    assert repr(m) == (
        "<Dependence KAZ 2024 crude-oil: 94.0 of 100.0 Mt/year routed; crossing RUS 80.0 %, "
        "via a 60.0 %, HHI 4,658>"
    )
    assert isinstance(m, Displayable)
    assert dependence(toy, exporter="KAZ", year=2024).hhi == m.hhi  # the old name still works


# --- reconciled figures: a toy whose 2024 evidence is exact ranges, worked out by hand ---------


def exact_toy(rows: Rows) -> None:
    """Replace the toy's 2024 flows and total by observations with exact ranges (low = high).

    a 60, t1 60, s 20, p 4, k 10, btc 6, t2 6 of exports 100: the same flows, as evidence.
    """
    rows["flows"] = [f for f in rows["flows"] if f["year"] != 2024]
    rows["supply"] = [
        s for s in rows["supply"] if not (s["year"] == 2024 and s["quantity"] == "exports")
    ]
    obs = [observation("x-total", "exports", "all", "2024", low=100, high=100)]
    for r, v in [("a", 60), ("t1", 60), ("s", 20), ("p", 4), ("k", 10), ("btc", 6), ("t2", 6)]:
        obs.append(observation(f"x-{r}", "flow", r, "2024", low=v, high=v))
    rows["observations"] = obs


@pytest.fixture
def exact(make_toy) -> corridor.Network:  # type: ignore[no-untyped-def]
    return corridor.load_package(make_toy(exact_toy))


def test_reconciled_intervals_by_hand(exact: corridor.Network) -> None:
    m = dependence(exact, exporter="KAZ", year=2024)
    assert m.reconciliation is not None
    # crossing RUS: a>t1 60 and s 20 for sure; k's 4 end at b (onward unknown) and 6 are on no
    # route: 80-90 of 100. The value attributes the unknown 10 like the known 90 (80 cross)
    e = m.estimate("share:crossing:RUS")
    assert (e.low, e.high) == (approx(0.8), approx(0.9))
    assert e.value == approx((80 + 10 * 80 / 90) / 100)
    assert not e.pinned
    assert m.share_crossing("RUS") == approx(e.value)
    b = m.estimate("share:bypassing:RUS")  # p 4 and k>btc>t2 6 for sure, and the unknown 10
    assert (b.low, b.high) == (approx(0.1), approx(0.2))
    assert e.value + b.value == approx(1)
    v = m.estimate("share:via:a")
    assert (v.low, v.value, v.high, v.pinned) == (approx(0.6), approx(0.6), approx(0.6), True)
    # AZE: k 10 for sure; s 20 ends at a RUS hub (onward unknown) and 6 on no route: 10-36
    aze = m.by_transit_country.loc["AZE"]
    assert (aze["low"], aze["high"]) == (approx(0.10), approx(0.36))


def test_figures_json_shape(exact: corridor.Network) -> None:
    d = dependence(exact, exporter="KAZ", year=2024).to_dict()
    keys = {"value", "low", "high", "unit", "pinned"}
    assert d["reconciled"] is True
    assert d["share_crossing"]["country"] == "RUS"
    for name in ("share_crossing", "share_via", "share_bypassing", "total_exports"):
        assert keys <= set(d[name]), name
    assert d["share_crossing"]["low"] == approx(0.8)
    assert d["share_crossing"]["high"] == approx(0.9)
    assert d["share_crossing"]["unit"] == "share"
    assert d["share_crossing"]["pinned"] is False
    for table in ("route", "transit_country", "chokepoint", "destination"):
        for k, fig in d[f"share_by_{table}"].items():
            assert set(fig) == keys, (table, k)
            assert fig["low"] <= fig["value"] <= fig["high"], (table, k)
    assert d["share_by_route"]["a"]["value"] == approx(0.6)
    json.dumps(d, allow_nan=False)  # plain JSON: no NaN, no Infinity


def test_an_unbounded_total_is_null_in_json(evident: corridor.Network) -> None:
    # 2023 has flows but no total: the total has a lower bound only
    d = dependence(evident, exporter="KAZ", year=2023).to_dict()
    assert d["total_exports"]["high"] is None
    assert d["total_exports"]["low"] == approx(40, rel=0.05)
    json.dumps(d, allow_nan=False)


def test_point_estimates_without_reconciliation(toy: corridor.Network) -> None:
    m = dependence(toy, exporter="KAZ", year=2024, flows=toy.flows)
    e = m.estimate("share:crossing:RUS")
    assert (e.value, e.low, e.high, e.pinned) == (approx(0.8), approx(0.8), approx(0.8), True)
    assert m.estimate("total").value == 100
    assert m.estimate("volume:via:a").value == approx(60)
    assert m.to_dict()["share_crossing"] == {
        "country": "RUS",
        "value": approx(0.8),
        "low": approx(0.8),
        "high": approx(0.8),
        "unit": "share",
        "pinned": True,
    }


def test_canonical_figure_aliases() -> None:
    assert canonical_figure("crossing:RUS") == "share:crossing:RUS"
    assert canonical_figure("total_exports") == "total"
    assert canonical_figure("volume:via:cpc") == "volume:via:cpc"
    with pytest.raises(InvalidArgumentError):
        canonical_figure("nonsense:RUS")


def test_low_value_high_in_order_on_the_builtin(kazakhstan: corridor.Network) -> None:
    s = summary(kazakhstan)
    for col in ("total_exports", "share_crossing", "share_via", "share_bypassing"):
        ok = s[f"{col}_low"].isna() | (
            (s[f"{col}_low"] <= s[col] + 1e-9) & (s[col] <= s[f"{col}_high"] + 1e-9)
        )
        assert ok.all(), col
    m = dependence(kazakhstan, exporter="KAZ", year=2023)
    for table in (m.by_route, m.by_transit_country, m.by_chokepoint, m.by_destination):
        assert (table["low"] <= table["share"] + 1e-9).all()
        assert (table["share"] <= table["high"] + 1e-9).all()
