"""What-if runs on the toy network (by hand) and on the built-in scenarios."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import corridor
from corridor.metrics import dependence
from corridor.rerouting import NOT_DETERMINED, Period, RerouteProblem, replay, reroute
from corridor.scenario import Scenario, apply_scenario, find_scenario

from .toy import observation

DAYS_2024 = 366 / 365.25  # 2024 in years of 365.25 days


@pytest.fixture
def roomy(make_toy: Callable[..., Path]) -> corridor.Network:
    """The toy with spare capacity: s (20 of 30), p (4 of 10); Brent at 500 USD/t in 2024."""

    def edit(rows: dict[str, Any]) -> None:
        fig = {"source": "toy-src", "confidence": "high", "basis": "reported"}
        rows["capacities"] += [
            {"route": "s", "year": 2023, "value": 30, "unit": "Mt/year", **fig},
            {"route": "p", "year": 2023, "value": 10, "unit": "Mt/year", **fig},
        ]
        rows["prices"] = [
            {"year": 2024, "benchmark": "brent", "value": 500, "unit": "USD/t", **fig}
        ]

    return corridor.load_package(make_toy(edit))


def scenario(**kw: Any) -> Scenario:
    return Scenario(name="t", years=[2024], **kw)


def test_no_change_gives_the_baseline_back(roomy: corridor.Network) -> None:
    r = reroute(roomy, scenario())
    assert repr(r).startswith("<RerouteResult t KAZ: 1 period(s), 366 days; stranded 0.00 Mt")
    f = r.flows.loc["2024"]
    assert (f["scenario"] == f["baseline"]).all()
    assert r.total["stranded"] == 0
    assert r.stranded.empty


def test_cut_reroutes_the_spare_and_strands_the_rest(roomy: corridor.Network) -> None:
    # a (60) closed: s takes 10 more, p 6 more; 44 stranded at o1, all year
    r = reroute(roomy, scenario(changes=[{"type": "capacity_factor", "route": "a", "factor": 0}]))
    f = r.flows.loc["2024", "scenario"]
    assert f["s"] == pytest.approx(30)
    assert f["p"] == pytest.approx(10)
    assert "a" not in f.index or f["a"] == 0
    assert r.stranded.loc[("2024", "o1"), "rate"] == pytest.approx(44)
    assert r.total["stranded"] == pytest.approx(44 * DAYS_2024)
    assert r.total["revenue_at_risk"] == pytest.approx(44 * DAYS_2024 * 1e6 * 500)
    p = r.periods.loc["2024"]
    assert p["rerouted_rate"] == pytest.approx(16)
    # shares of the exports that still leave: 100 - 44 = 56; RUS = s 30 (a is shut)
    assert p["share_crossing_scenario"] == pytest.approx(30 / 56)
    binding = set(r.binding["asset"])
    assert {"a", "s", "p"} <= binding
    assert r.binding.set_index("asset").at["s", "stranded_avoided_per_unit"] == pytest.approx(1)


def test_ties_report_the_range(roomy: corridor.Network) -> None:
    # a cut to 50: 10 displaced; s has 10 spare (crosses RUS), p 6 (to China). At least 4 must
    # go on s: RUS share between (50 + 24) / 100 and (50 + 30) / 100
    change = {"type": "set_capacity", "route": "a", "value": 50, "unit": "Mt/year"}
    r = reroute(roomy, scenario(changes=[change]))
    ties = r.ties.set_index("country")
    assert ties.at["RUS", "min_share"] == pytest.approx(0.74, abs=1e-4)
    assert ties.at["RUS", "max_share"] == pytest.approx(0.80, abs=1e-4)
    assert r.total["stranded"] == pytest.approx(0, abs=1e-9)


def test_monthly_outage_strands_by_days(roomy: corridor.Network) -> None:
    # a closed 1 Mar - 1 May 2024, no spare on s or p beyond 16: 44 Mt/yr over 61 days
    change = {
        "type": "capacity_factor",
        "route": "a",
        "factor": 0,
        "start": "2024-03-01",
        "end": "2024-05-01",
    }
    r = reroute(roomy, Scenario(name="t", years=[2024], monthly=True, changes=[change]))
    assert len(r.periods) == 12
    assert r.periods.loc["2024-03", "stranded_rate"] == pytest.approx(44)
    assert r.periods.loc["2024-06", "stranded_rate"] == 0
    assert r.total["stranded"] == pytest.approx(44 * 61 / 365.25)
    # half a month closed: the month's capacity is the day-weighted average
    half = {**change, "start": "2024-06-01", "end": "2024-06-16"}
    r = reroute(roomy, Scenario(name="t", years=[2024], monthly=True, changes=[half]))
    assert r.periods.loc["2024-06", "stranded_rate"] == pytest.approx(60 - 80 * 15 / 30 - 16)


def test_close_country_operator_and_add_route(roomy: corridor.Network) -> None:
    r = reroute(roomy, scenario(changes=[{"type": "close_country", "country": "RUS"}]))
    f = r.flows.loc["2024", "scenario"]
    assert f.get("a", 0) == 0
    assert f.get("s", 0) == 0
    assert f.get("t1", 0) == 0
    assert r.stranded.loc[("2024", "o1"), "rate"] == pytest.approx(74)  # 80 minus p's 6 spare
    new = {
        "type": "add_route",
        "id": "bypass",
        "from_node": "o1",
        "to_node": "m",
        "capacity": 50,
        "transit": ["GEO"],
    }
    r = reroute(roomy, scenario(changes=[{"type": "close_operator", "operator": "Alpha"}, new]))
    f = r.flows.loc["2024"]
    # 60 displaced from a: the new leg and the spare on s and p take it all
    assert f.at["bypass", "scenario"] >= 44 - 1e-6
    assert f.loc[["bypass", "s", "p"], "change"].sum() == pytest.approx(60)
    assert r.total["stranded"] == pytest.approx(0, abs=1e-9)


def test_supply_change_and_price(roomy: corridor.Network) -> None:
    r = reroute(
        roomy,
        scenario(
            changes=[
                {"type": "supply", "node": "o1", "change": 20},
                {"type": "price", "value": 70, "unit": "USD/bbl"},
            ]
        ),
    )
    # 20 more at o1: s has 10 spare, p 6, a 20 (80 - 60): all placed
    assert r.total["stranded"] == pytest.approx(0, abs=1e-9)
    assert r.periods.loc["2024", "price"] == pytest.approx(70 * 7.5)  # toy grade: 7.5 bbl/t


def test_free_allocation_without_flows(roomy: corridor.Network) -> None:
    s = Scenario(name="free", years=[2019], changes=[{"type": "supply", "node": "o2", "change": 7}])
    r = reroute(roomy, s)
    assert r.flows.loc[("2019", "k"), "scenario"] == pytest.approx(7)
    with pytest.raises(corridor.CorridorError, match="no observed flows of KAZ in 2019"):
        reroute(roomy, Scenario(name="none", years=[2019]))


# --- the built-in scenarios ---------------------------------------------------------------------


def test_ceyhan_20_ladder_follows_the_data(kazakhstan: corridor.Network) -> None:
    n = kazakhstan
    r = reroute(n, find_scenario(n, "ceyhan-20"))
    caps = n.capacities

    def cap(**kw: str) -> float:
        rows = caps
        for k, v in kw.items():
            rows = rows[rows[k] == v]
        return float(rows.sort_values("year")["capacity"].iloc[-1])

    expected = [
        cap(route="btc", exporter="KAZ"),
        cap(route="aktau-baku", exporter="KAZ"),
        cap(node="aktau", exporter=""),
        cap(node="baku", exporter="KAZ"),
        20.0,
    ]
    assert r.ladder["achieved"].tolist() == pytest.approx(expected)
    first = r.ladder_limits[r.ladder_limits["step"] == 1].iloc[0]
    assert (first["kind"], first["asset"], first["scope"]) == ("route", "btc", "KAZ")
    step = r.to_dict()["ladder"][0]
    assert step["limits"][0] == {
        "kind": "route",
        "asset": "btc",
        "scope": "KAZ",
        "capacity": pytest.approx(expected[0]),
    }
    assert r.to_dict()["ladder"][-1]["limits"] == []  # the target is met: nothing stops it
    crossing = r.ladder["share_crossing"].tolist()
    assert crossing == sorted(crossing, reverse=True)
    assert crossing[-1] < 0.8


def test_russia_transit_closed(kazakhstan: corridor.Network) -> None:
    r = reroute(kazakhstan, find_scenario(kazakhstan, "russia-transit-closed"))
    p = r.periods.loc["2025"]
    assert p["share_crossing_scenario"] == 0
    f = r.flows.loc["2025", "scenario"]
    # China takes MunaiTas' 6 Mt/yr (KCP has 20 - 10 Russian - 1 Kazakh spare)
    assert f["atyrau-kenkiyak"] == pytest.approx(6)
    assert p["stranded_rate"] == pytest.approx(r.stranded.loc["2025", "rate"].sum())
    assert p["revenue_at_risk"] == pytest.approx(p["stranded"] * 1e6 * p["price"])


def test_cpc_outage_two_months(kazakhstan: corridor.Network) -> None:
    r = reroute(kazakhstan, find_scenario(kazakhstan, "cpc-terminal-outage-2m"))
    hit = r.periods[r.periods["stranded"] > 0].index.tolist()
    assert hit == ["2025-03", "2025-04"]
    assert r.periods.loc["2025-03", "share_via_scenario"] == 0


def test_replay_sets_model_beside_reports(kazakhstan: corridor.Network) -> None:
    rp = replay(kazakhstan, year=2025)
    assert list(rp.months.index) == [f"2025-{m:02d}" for m in range(1, 13)]
    assert "cpc-terminal-attack-2025-11" in rp.months.at["2025-12", "events"]
    losses = rp.losses.set_index("loss")
    assert losses.at["cpc-attack-2025-production", "reported"] == pytest.approx(0.48)
    # 0.56 Mbbl/day over December at 7.3 bbl/t
    assert losses.at["cpc-attack-2025-december-exports", "reported"] == pytest.approx(
        0.56e6 * 31 / 7.3 / 1e6
    )
    assert (losses["gap"] == losses["modelled"] - losses["reported"]).all()


# --- the capacity rules ---------------------------------------------------------------------


def test_other_exporters_flows_use_up_shared_capacity(make_toy: Callable[..., Path]) -> None:
    # a (80) also carries 15 of Uzbek crude: 65 left for KAZ, 5 of it spare. 25 more at o1:
    # s takes 10, p 6, a 5; 4 stranded (without the others' 15 nothing would be)
    def edit(rows: dict[str, Any]) -> None:
        fig = {"source": "toy-src", "confidence": "high", "basis": "reported"}
        rows["capacities"] += [
            {"route": "s", "year": 2023, "value": 30, "unit": "Mt/year", **fig},
            {"route": "p", "year": 2023, "value": 10, "unit": "Mt/year", **fig},
        ]
        rows["flows"].append(
            {"exporter": "UZB", "route": "a", "year": 2024, "value": 15, "unit": "Mt/year", **fig}
        )

    n = corridor.load_package(make_toy(edit))
    s = scenario(changes=[{"type": "supply", "node": "o1", "change": 25}])
    problem = RerouteProblem(n, apply_scenario(s, n, exporter="KAZ", year=2024))
    year = Period("2024", date(2024, 1, 1), date(2025, 1, 1))
    assert problem.route_caps(year)[problem.route_ids.index("a")] == pytest.approx(65)
    r = reroute(n, s)
    assert r.periods.loc["2024", "stranded_rate"] == pytest.approx(4)
    assert r.flows.loc[("2024", "a"), "scenario"] == pytest.approx(65)
    limit = r.binding.set_index("asset").loc["a"]
    assert (limit["scope"], limit["source"], limit["closed"]) == ("all shippers", "toy-src", False)


def test_unknown_capacity_is_open_closed_or_the_baseline_scaled(roomy: corridor.Network) -> None:
    # t1 has no capacity in the data: open, at half (30 of its 60), closed
    year = Period("2024", date(2024, 1, 1), date(2025, 1, 1))
    for factor, expected in ((1.0, np.inf), (0.5, 30.0), (0.0, 0.0)):
        change = {"type": "capacity_factor", "route": "t1", "factor": factor}
        s = scenario(changes=[change])
        problem = RerouteProblem(roomy, apply_scenario(s, roomy, exporter="KAZ", year=2024))
        assert problem.route_caps(year)[problem.route_ids.index("t1")] == expected


def test_a_closed_limit_says_so_in_the_result(roomy: corridor.Network) -> None:
    r = reroute(roomy, scenario(changes=[{"type": "capacity_factor", "route": "a", "factor": 0}]))
    a = r.binding.set_index("asset").loc["a"]
    assert (a["source"], a["note"], bool(a["closed"])) == ("", "closed in this period", True)
    binding = r.to_dict()["periods"][0]["binding"]
    assert {"source", "note", "closed"} <= set(binding[0])
    s = r.binding.set_index("asset").loc["s"]
    assert (s["source"], s["note"]) == ("toy-src", "")
    cut = {"type": "capacity_factor", "route": "a", "factor": 0}
    set_s = {"type": "set_capacity", "route": "s", "value": 25}
    r = reroute(roomy, scenario(changes=[cut, set_s]))
    s = r.binding.set_index("asset").loc["s"]
    assert (s["source"], s["note"]) == ("", "set by scenario t")


def test_dependence_of_the_scenario_flows_is_the_metrics_of_those_flows(
    roomy: corridor.Network,
) -> None:
    # a closed: s 30, p 10 and k 10 routed of 56 exported; shares from those flows alone
    r = reroute(roomy, scenario(changes=[{"type": "capacity_factor", "route": "a", "factor": 0}]))
    flows = r.flows.loc["2024", "scenario"].reset_index()
    m = dependence(
        roomy,
        exporter="KAZ",
        year=2024,
        flows=flows.rename(columns={"scenario": "volume"}),
        total_exports=56,
    )
    assert m.share_crossing("RUS") == pytest.approx(
        r.periods.loc["2024", "share_crossing_scenario"]
    )
    assert repr(m).startswith("<Dependence KAZ 2024 crude-oil: 50.0 of 56.0 Mt/year routed;")


# --- the reconciled baseline and the loss the evidence implies ------------------------------

MARCH_2024 = 31 / 365.25  # March in years


def observed_toy(make_toy: Callable[..., Path], *extra: dict[str, Any]) -> corridor.Network:
    """The toy with an observations table: route a's 2024 flow as an exact 60 Mt, and `extra`.

    a's 2024 row leaves the flows table (a flow there has its confidence's tolerance); the
    observation's low = high pins the year exactly.
    """

    def edit(rows: dict[str, Any]) -> None:
        rows["flows"] = [f for f in rows["flows"] if (f["route"], f["year"]) != ("a", 2024)]
        rows["observations"] = [
            observation("a-2024", "flow", "a", "2024", low=60, high=60),
            *extra,
        ]

    return corridor.load_package(make_toy(edit))


def test_an_aggregate_moves_the_reconciled_baseline(make_toy: Callable[..., Path]) -> None:
    # 2023 flows: a 30, t1 30, p 10, nothing on s or k; an aggregate says s and k carried 12 Mt
    # in 2023: the reconciled baseline puts 12 Mt (12 * 365.25 / 365 Mt/year) on them
    n = observed_toy(make_toy, observation("sk-2023", "flow", "s|k", "2023", low=12, high=12))
    s = Scenario(name="t", years=[2023])
    problem = RerouteProblem(n, apply_scenario(s, n, exporter="KAZ", year=2023))
    assert problem.baseline_kind == "reconciled"
    base = dict(zip(problem.route_ids, problem.baseline, strict=True))
    assert base["s"] + base["k"] == pytest.approx(12 * 365.25 / 365)
    raw = n.flows[(n.flows["year"] == 2023) & n.flows["route"].isin(["s", "k"])]
    assert raw.empty
    r = reroute(n, s)
    assert (r.baseline, r.to_dict()["baseline"]) == ("reconciled", "reconciled")
    assert r.total["stranded"] == pytest.approx(0, abs=1e-9)  # baseline in, baseline out


def test_a_toy_without_observations_keeps_the_observed_baseline(roomy: corridor.Network) -> None:
    s = scenario()
    problem = RerouteProblem(roomy, apply_scenario(s, roomy, exporter="KAZ", year=2024))
    assert (problem.baseline_kind, problem.reconciliation) == ("observed", None)
    assert reroute(roomy, s).to_dict()["baseline"] == "observed"
    rp = replay(roomy, year=2024)
    assert rp.baseline == "observed"
    (march,) = rp.implied
    assert (march.month, march.route, march.loss) == ("2024-03", "a", None)
    assert march.note.startswith(NOT_DETERMINED)


def test_replay_shows_the_loss_a_monthly_observation_implies(
    make_toy: Callable[..., Path],
) -> None:
    # the storm (a at 0.2 through March 2024); a carried 60 Mt in 2024, 2 of them in March.
    # Without the storm: a's rate over the other 11 months (58 Mt over 335 days; below its
    # 80 Mt/year capacity) held over March's 31 days; minus the 2 Mt it carried
    n = observed_toy(make_toy, observation("a-march", "flow", "a", "2024-03", low=2, high=2))
    rp = replay(n, year=2024)
    assert rp.baseline == "reconciled"
    (march,) = rp.implied
    counterfactual = 58 * 31 / 335
    assert (march.month, march.route, march.observations) == ("2024-03", "a", ("a-march",))
    assert march.counterfactual == pytest.approx(counterfactual)
    assert march.reconciled == pytest.approx(2)
    assert march.loss == pytest.approx(counterfactual - 2)  # 3.367 Mt
    assert rp.months.at["2024-03", "implied"] == pytest.approx(counterfactual - 2)
    assert np.isnan(rp.months.at["2024-02", "implied"])  # no event in February
    d = rp.to_dict()
    assert d["baseline"] == "reconciled"
    assert d["implied"][0]["loss"] == pytest.approx(counterfactual - 2, abs=1e-6)
    assert d["implied"][0]["determined"] is True
    assert rp.implied_table().loc[0, "route"] == "a"


def test_without_a_monthly_observation_the_loss_is_not_determined(
    make_toy: Callable[..., Path],
) -> None:
    # only the annual 60 Mt: the months come from the smoothing, which is no evidence
    rp = replay(observed_toy(make_toy), year=2024)
    assert rp.baseline == "reconciled"
    (march,) = rp.implied
    assert march.loss is None
    assert not march.determined
    assert march.note.startswith(NOT_DETERMINED)
    assert np.isnan(rp.months.at["2024-03", "implied"])
    assert rp.months.at["2024-03", "implied_note"] == f"{NOT_DETERMINED} (a)"
    assert rp.to_dict()["implied"][0]["loss"] is None


def test_replay_of_the_builtin_package_implies_losses_only_where_pinned(
    kazakhstan: corridor.Network,
) -> None:
    rp = replay(kazakhstan, year=2022)
    assert rp.baseline == "reconciled"
    assert rp.implied  # the storm and the summer's events
    for x in rp.implied:
        assert x.determined == bool(x.observations)
        if x.determined:
            assert x.loss == pytest.approx(x.counterfactual - x.reconciled)
    assert "implied" in rp.losses.columns


def test_monthly_runs_follow_the_reconciled_months(make_toy: Callable[..., Path]) -> None:
    # a carried 2 Mt in March 2024: March's baseline on a is 2 Mt over 31 days as a rate;
    # the year's is the annual 60 Mt over 366 days; each month gives its baseline back
    n = observed_toy(make_toy, observation("a-march", "flow", "a", "2024-03", low=2, high=2))
    s = scenario(monthly=True)
    problem = RerouteProblem(n, apply_scenario(s, n, exporter="KAZ", year=2024))
    a = problem.route_ids.index("a")
    march = Period("2024-03", date(2024, 3, 1), date(2024, 4, 1))
    year = Period("2024", date(2024, 1, 1), date(2025, 1, 1))
    assert problem.baseline_at(march)[a] == pytest.approx(2 / MARCH_2024)
    assert problem.baseline_at(year)[a] == pytest.approx(60 / DAYS_2024)
    r = reroute(n, s)
    assert r.periods["stranded"].abs().max() == pytest.approx(0, abs=1e-9)
    assert r.flows.loc[("2024-03", "a"), "baseline"] == pytest.approx(2 / MARCH_2024)
    f = r.flows.loc["2024-03"]
    assert np.allclose(f["scenario"], f["baseline"], atol=1e-6)
