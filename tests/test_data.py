"""The built-in Kazakhstan package: sourced, consistent, and its shares reconcile."""

from __future__ import annotations

import pandas as pd
import pytest

import corridor
from corridor.metrics import dependence, flow_paths, summary
from corridor.scenario import load_scenario, package_scenarios

FIGURE_TABLES = (
    "grades",
    "capacities",
    "flows",
    "supply",
    "observations",
    "events",
    "prices",
    "costs",
    "losses",
)


def test_every_row_has_a_source_that_resolves(kazakhstan: corridor.Network) -> None:
    n = kazakhstan
    used: set[str] = set()
    for name in ("nodes", "chokepoints", "routes", "measures", *FIGURE_TABLES):
        df: pd.DataFrame = getattr(n, name)
        assert (df["source"] != "").all(), name
        assert set(df["source"]) <= set(n.sources.index), name
        used |= set(df["source"])
        # secondary sources (alternatives, corroboration) are cited by id in a note
        used |= {s for s in n.sources.index for note in df["note"] if s in note}
    for path in package_scenarios(n).values():
        used |= set(load_scenario(path, n).sources)  # scenario files cite sources too
    assert used == set(n.sources.index), "uncited sources: " + ", ".join(
        sorted(set(n.sources.index) - used)
    )
    assert n.sources["url"].str.match(r"^https?://").all()


def test_every_figure_has_confidence_and_basis(kazakhstan: corridor.Network) -> None:
    for name in FIGURE_TABLES:
        df: pd.DataFrame = getattr(kazakhstan, name)
        assert set(df["confidence"]) <= {"high", "medium", "low"}, name
        assert set(df["basis"]) <= {"reported", "derived", "estimate"}, name


def test_required_network_is_there(kazakhstan: corridor.Network) -> None:
    n = kazakhstan
    for node in (
        "tengiz",
        "kashagan",
        "karachaganak",
        "atyrau",
        "aktau",
        "cpc-terminal",
        "samara",
        "makhachkala",
        "baku",
        "ceyhan",
        "supsa",
        "alashankou",
        "adamova-zastava",
        "ust-luga",
        "primorsk",
        "novorossiysk",
    ):
        assert node in n.nodes.index, node
    for route in (
        "cpc",
        "atyrau-samara",
        "druzhba-germany",
        "aktau-baku",
        "aktau-makhachkala",
        "btc",
        "baku-supsa",
        "kcp",
        "omsk-atasu",
    ):
        assert route in n.routes.index, route
    assert "turkish-straits" in n.routes.at["cpc-tankers", "chokepoints"]
    assert "CPC" in n.routes.at["cpc", "aliases"]
    # Russian crude crossing Kazakhstan to China: exporter RUS, transit KAZ
    m = dependence(n, exporter="RUS", year=2023, flows=n.flows)  # the reported flows
    assert m.by_transit_country.index.tolist() == ["KAZ"]
    assert m.routed == pytest.approx(9.979)
    assert "KAZ" in dependence(n, exporter="RUS", year=2023).by_transit_country.index


@pytest.mark.parametrize("year", [2021, 2022, 2023, 2024, 2025])
def test_shares_reconcile_with_the_flows(kazakhstan: corridor.Network, year: int) -> None:
    n = kazakhstan
    m = dependence(n, exporter="KAZ", year=year, flows=n.flows)  # point figures of the flows
    f = n.flows[(n.flows["exporter"] == "KAZ") & (n.flows["year"] == year)]
    f = f[f["route"].isin(n.commodity_routes("crude-oil"))]  # other commodities: own networks
    # every route's volume is its flow; every share is that over the denominator
    assert dict(m.by_route["volume"]) == pytest.approx(
        dict(zip(f["route"], f["volume"], strict=True))
    )
    assert (m.by_route["share"] * m.denominator).to_numpy() == pytest.approx(
        m.by_route["volume"].to_numpy()
    )
    # paths count each volume once: export routes add up to the routed volume
    assert m.by_export_route["volume"].sum() == pytest.approx(m.routed)
    assert flow_paths(n, "KAZ", year)["volume"].sum() == pytest.approx(m.routed)
    # crossing + bypassing = routed share
    assert m.share_crossing("RUS") + m.share_bypassing("RUS") == pytest.approx(
        m.routed / m.denominator
    )
    if m.total_exports is not None:
        assert m.routed <= m.total_exports * 1.01


def test_2025_by_hand(kazakhstan: corridor.Network) -> None:
    # 2025: exports 78.7 (EFE); CPC 64.8, Atyrau-Samara 8.8, Aktau-Makhachkala 2.2, Aktau-Baku
    # 1.5, KCP 1.0. Crossing Russia: CPC + Samara + Makhachkala.
    m = dependence(kazakhstan, exporter="KAZ", year=2025, flows=kazakhstan.flows)
    assert m.total_exports == pytest.approx(78.7)
    assert m.routed == pytest.approx(64.8 + 8.8 + 2.2 + 1.5 + 1.0)
    assert m.share_via("cpc") == pytest.approx(64.8 / 78.7)
    assert m.share_crossing("RUS") == pytest.approx((64.8 + 8.8 + 2.2) / 78.7)
    assert m.share_bypassing("RUS") == pytest.approx((1.5 + 1.0) / 78.7)
    shares = [64.8, 8.8, 2.2, 1.5, 1.0]
    assert m.hhi == pytest.approx(sum((100 * s / sum(shares)) ** 2 for s in shares))
    # the news claim: more than 80% of Kazakh oil exports go via Russia
    assert m.share_crossing("RUS") > 0.8


def test_summary_has_an_interval_every_year(kazakhstan: corridor.Network) -> None:
    # issue 12: every year 2021-2025 has its shares with intervals, 2024 a reconciled total
    s = summary(kazakhstan)
    for year in range(2021, 2026):
        for col in ("total_exports", "share_crossing", "share_via", "share_bypassing"):
            low, value, high = (s.at[year, f"{col}{end}"] for end in ("_low", "", "_high"))
            assert not pd.isna(low), (year, col)
            assert low <= value + 1e-9, (year, col)
            assert value <= high + 1e-9, (year, col)
    assert 0 < s.at[2024, "total_exports_low"] <= s.at[2024, "total_exports"]
    assert s.at[2024, "denominator"] == "total exports"  # no more switch to routed volume
    # research notes §2f: bypass aggregates 1.91 Mt (2022) and 3.73 Mt (2023) of total exports
    # settle the crossing-Russia share at about 97 % and 94.7 %: each interval contains it
    for year, share in ((2022, 0.97), (2023, 0.947)):
        low, high = s.at[year, "share_crossing_low"], s.at[year, "share_crossing_high"]
        assert low <= share <= high, (year, low, high)
    # 2021 has no aggregate: the interval is wide, and an unattributed volume is never "not
    # crossing": the point value lies above the old lower bound (78.6 %)
    assert s.at[2021, "share_crossing_high"] - s.at[2021, "share_crossing_low"] > 0.05
    assert s.at[2021, "share_crossing"] > 0.786
    # 2024's total is known only to 61-71 Mt: the best-fit-only figures are withheld, not printed
    assert s.at[2024, "total_exports_high"] - s.at[2024, "total_exports_low"] > 0.1 * 61
    assert pd.isna(s.at[2024, "hhi"])
    assert pd.isna(s.at[2024, "routed"])
    assert not pd.isna(s.at[2022, "hhi"])


def test_events_lie_in_the_declared_years(kazakhstan: corridor.Network) -> None:
    e = kazakhstan.events
    assert (e["start"].dt.year >= 2019).all()
    assert e["capacity_factor"].dropna().between(0, 1).all()
    assert (e["end"].isna() | (e["end"] > e["start"])).all()


def test_route_volumes_come_with_their_interval(kazakhstan: corridor.Network) -> None:
    # issue 12: a route volume the evidence does not pin is a range, never a point
    r = corridor.dependence(kazakhstan, exporter="KAZ", year=2023).by_route
    assert (r["volume_low"] <= r["volume"] + 1e-9).all()
    assert (r["volume"] <= r["volume_high"] + 1e-9).all()
    # the minister's "about 56" Mt via CPC lies within the CPC interval
    assert r.at["cpc", "volume_low"] <= 56 <= r.at["cpc", "volume_high"]
    # a domestic feeder leg no observation names is wide open
    assert not r.at["tengiz-atyrau", "volume_pinned"]
