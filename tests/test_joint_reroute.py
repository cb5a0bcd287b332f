"""Joint re-routing: several exporters share the routes' capacity in one LP per period.

The toy below is worked out by hand: KAZ ships 10 Mt/year on ``pa`` and AZE 6 Mt/year on
``pb``, both straight to the market; a scenario closes both, and the only way left is the
feeders to the hub ``h`` and the spare route ``sp`` (capacity 8 Mt/year) from there.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from scipy.optimize import linprog
from typer.testing import CliRunner

import corridor
from corridor.cli import app
from corridor.exceptions import ScenarioError
from corridor.package import load_package, resolve_package
from corridor.package.merge import merge_networks
from corridor.rerouting import reroute
from corridor.rerouting.joint import reroute_joint
from corridor.scenario import Scenario, find_scenario, package_scenarios

from .toy import FIGURE, SRC, Rows, toy_tables, write_package

DAYS_2024 = 366 / 365.25  # the length of 2024 in years of 365.25 days
VOLUME = {"KAZ": 10.0, "AZE": 6.0}
SPARE = 8.0


def _shared_rows(spare: float = SPARE) -> Rows:
    """Return the two-exporter toy: own routes pa, pb to m; feeders fa, fb to h; spare sp."""
    rows = toy_tables()
    node = {"source": SRC, "lat": 40, "lon": 50}
    rows["nodes"] = [
        {"id": "oa", "name": "KAZ port", "kind": "port", "country": "KAZ", **node},
        {"id": "ob", "name": "AZE port", "kind": "port", "country": "AZE", **node},
        {"id": "h", "name": "Hub", "kind": "hub", "country": "GEO", **node},
        {"id": "m", "name": "Market", "kind": "market", "country": "", **node},
    ]
    route = {"source": SRC, "commodity": "crude-oil", "mode": "pipeline", "operator": "Op"}
    rows["routes"] = [
        {"id": r, "name": r, "from_node": a, "to_node": b, **route}
        for r, a, b in [
            ("pa", "oa", "m"),
            ("pb", "ob", "m"),
            ("fa", "oa", "h"),
            ("fb", "ob", "h"),
            ("sp", "h", "m"),
        ]
    ]
    rows["chokepoints"] = []
    rows["capacities"] = [
        {"route": "sp", "year": 2024, "value": spare, "unit": "Mt/year", **FIGURE},
    ]
    rows["flows"] = [
        {"exporter": "KAZ", "route": "pa", "year": 2024, "value": 10, "unit": "Mt/year", **FIGURE},
        {"exporter": "AZE", "route": "pb", "year": 2024, "value": 6, "unit": "Mt/year", **FIGURE},
    ]
    rows["supply"] = []
    rows["events"] = []
    return rows


def _net(tmp_path: Path, spare: float = SPARE) -> corridor.Network:
    folder = write_package(
        tmp_path / f"shared-{spare}", _shared_rows(spare), focus={"country": "GEO", "route": "sp"}
    )
    return corridor.load_package(folder)


CUT = Scenario(
    name="both-closed",
    years=[2024],
    changes=[
        {"type": "capacity_factor", "route": "pa", "factor": 0},
        {"type": "capacity_factor", "route": "pb", "factor": 0},
    ],
)


def _rate(r: Any, exporter: str) -> float:
    row = r.rows[r.rows["exporter"] == exporter]
    return float(row["stranded_rate"].sum())


def test_two_exporters_share_the_spare_route_and_strand_the_same_share(
    tmp_path: Path,
) -> None:
    n = _net(tmp_path)
    r = reroute_joint(n, CUT)
    assert r.exporters == ["AZE", "KAZ"]
    # 16 Mt/year in, 8 through sp: 8 stranded; the largest share is least at 8/16 for both
    assert _rate(r, "KAZ") == pytest.approx(5.0, abs=1e-6)
    assert _rate(r, "AZE") == pytest.approx(3.0, abs=1e-6)
    assert r.total["stranded"] == pytest.approx(8.0 * DAYS_2024, abs=1e-6)
    b = r.by_exporter()
    assert b.loc["KAZ", "stranded_share"] == pytest.approx(0.5, abs=1e-6)
    assert b.loc["AZE", "stranded_share"] == pytest.approx(0.5, abs=1e-6)
    # what moved to sp is re-routed: 5 and 3 Mt/year
    assert float(b.loc["KAZ", "rerouted"]) == pytest.approx(5.0 * DAYS_2024, abs=1e-6)
    sp = r.flows[r.flows["route"] == "sp"]
    assert sp["scenario"].sum() == pytest.approx(SPARE, abs=1e-6)
    # one at a time each exporter takes the whole spare route: 2 + 0, not 8
    alone = sum(reroute(n, CUT, exporter=e).total["stranded"] for e in ("KAZ", "AZE"))
    assert alone == pytest.approx(2.0 * DAYS_2024, abs=1e-6)


def test_the_split_does_not_depend_on_the_order_of_the_exporters(tmp_path: Path) -> None:
    n = _net(tmp_path)
    one, two = reroute_joint(n, CUT, ["KAZ", "AZE"]), reroute_joint(n, CUT, ["AZE", "KAZ"])
    for e in ("KAZ", "AZE"):
        assert _rate(one, e) == pytest.approx(_rate(two, e), abs=1e-9)


def test_one_exporter_jointly_is_reroute(tmp_path: Path) -> None:
    n = _net(tmp_path)
    for e in ("KAZ", "AZE"):
        joint, single = reroute_joint(n, CUT, [e]), reroute(n, CUT, exporter=e)
        assert joint.total["stranded"] == pytest.approx(single.total["stranded"], abs=1e-6)
        assert joint.total["rerouted"] == pytest.approx(single.total["rerouted"], abs=1e-6)
    # and on the shipped Azerbaijan package, month by month, reconciled baseline
    aze = load_package(resolve_package("azerbaijan"))
    s = find_scenario(aze, "btc-outage-1m")
    joint, single = reroute_joint(aze, s, ["AZE"]), reroute(aze, s, exporter="AZE")
    assert single.total["stranded"] > 0
    assert joint.total["stranded"] == pytest.approx(single.total["stranded"], abs=1e-6)
    assert joint.total["rerouted"] == pytest.approx(single.total["rerouted"], abs=1e-6)
    assert joint.total["revenue_at_risk"] == pytest.approx(
        single.total["revenue_at_risk"], rel=1e-6
    )


def _max_delivered(spare: float) -> float:
    """Return the most the two exporters deliver, by a two-commodity LP written from scratch.

    Columns: KAZ on fa, sp; AZE on fb, sp (pa and pb closed). Maximise what reaches m.
    """
    c = -np.array([0.0, 1.0, 0.0, 1.0])  # delivered = flow on sp of each
    a_eq = np.array([[1.0, -1.0, 0.0, 0.0], [0.0, 0.0, 1.0, -1.0]])  # balance at h per exporter
    a_ub = np.array([[0.0, 1.0, 0.0, 1.0]])  # sp shared
    bounds = [(0, VOLUME["KAZ"]), (0, None), (0, VOLUME["AZE"]), (0, None)]
    res = linprog(c, A_ub=a_ub, b_ub=[spare], A_eq=a_eq, b_eq=[0, 0], bounds=bounds)
    assert res.status == 0
    return float(-res.fun)


@pytest.mark.parametrize("spare", [0.0, 3.0, 8.0, 12.5, 20.0])
def test_joint_stranded_is_the_max_flow_shortfall(tmp_path: Path, spare: float) -> None:
    n = _net(tmp_path, spare)
    r = reroute_joint(n, CUT)
    total_rate = _rate(r, "KAZ") + _rate(r, "AZE")
    assert total_rate == pytest.approx(sum(VOLUME.values()) - _max_delivered(spare), abs=1e-6)


@pytest.fixture(scope="module")
def caspian() -> corridor.Network:
    parts = ("kazakhstan", "azerbaijan", "turkmenistan")
    return merge_networks([load_package(resolve_package(p)) for p in parts])


def _august(r: Any) -> Any:
    return r.rows[r.rows["period"] == "2025-08"].set_index("exporter")


def test_a_btc_outage_on_the_caspian_packages_shares_the_spare_capacity(
    caspian: corridor.Network,
) -> None:
    s = find_scenario(caspian, "btc-outage-1m")
    r = reroute_joint(caspian, s)
    assert {"AZE", "KAZ", "TKM"} <= set(r.exporters)
    assert _august(r).loc["AZE", "stranded"] > 0
    # one at a time, AZE and TKM each take Baku–Supsa's spare capacity; together they share it
    alone = {e: reroute(caspian, s, exporter=e).flows for e in ("AZE", "TKM")}
    used = sum(float(f.loc[("2025-08", "baku-supsa"), "scenario"]) for f in alone.values())
    joint = r.flows[(r.flows["period"] == "2025-08") & (r.flows["route"] == "baku-supsa")]
    assert used > float(alone["AZE"].loc[("2025-08", "baku-supsa"), "scenario"]) + 1
    assert (
        joint["scenario"].sum()
        <= float(alone["AZE"].loc[("2025-08", "baku-supsa"), "scenario"]) + 1e-6
    )


def test_the_shipped_btc_and_sheskharis_what_if_strands_two_exporters(
    caspian: corridor.Network,
) -> None:
    # the data hold no capacity for the Makhachkala legs, so the model leaves them open: with
    # BTC alone shut, Turkmen oil escapes there. With Sheskharis (Novorossiysk) shut as well,
    # oil at Baku and Makhachkala competes for Baku–Supsa.
    s = find_scenario(caspian, "btc-outage-sheskharis-halt")
    r = reroute_joint(caspian, s)
    aug = _august(r)
    stranding = aug[aug["stranded"] > 1e-6].index
    assert len(stranding) > 1
    assert {"AZE", "TKM"} <= set(stranding)
    # the fair split: the same stranded share of each exporter's August volume
    assert aug.loc["AZE", "stranded_share"] == pytest.approx(
        aug.loc["TKM", "stranded_share"], abs=1e-4
    )
    # what reaches the Black Sea by Supsa is within its capacity, shared by all
    supsa = r.flows[(r.flows["period"] == "2025-08") & (r.flows["route"] == "baku-supsa")]
    single = reroute(caspian, s, exporter="AZE").flows.loc[("2025-08", "baku-supsa"), "scenario"]
    assert supsa["scenario"].sum() <= float(single) + 1e-6
    single_aze = reroute(caspian, s, exporter="AZE").total["stranded"]
    assert r.total["stranded"] >= single_aze - 1e-6
    # no stranding outside the outage month
    others = r.rows[r.rows["period"] != "2025-08"]
    assert float(others["stranded"].sum()) == pytest.approx(0, abs=1e-6)


def test_scenario_names_resolve_on_merged_packages(caspian: corridor.Network) -> None:
    known = package_scenarios(caspian)
    assert {"btc-outage-1m", "btc-closed-tkm-2025", "ceyhan-20"} <= set(known)
    assert find_scenario(caspian, "btc-closed-tkm-2025").name == "btc-closed-tkm-2025"


def test_a_scenario_name_in_two_packages_with_different_files_is_an_error(
    tmp_path: Path,
) -> None:
    nets = []
    for i, text in enumerate(("first", "second")):
        folder = write_package(tmp_path / f"p{i}", toy_tables())
        (folder / "scenarios").mkdir()
        spec = {"name": "same", "description": text, "years": [2024], "changes": []}
        (folder / "scenarios" / "same.yaml").write_text(yaml.safe_dump(spec), encoding="utf-8")
        nets.append(corridor.load_package(folder))
    with pytest.raises(ScenarioError, match="also defined, differently"):
        package_scenarios(merge_networks(nets))
    # the same file in both is one scenario
    same = merge_networks([nets[0], nets[0]])
    assert list(package_scenarios(same)) == ["same"]


def test_the_cli_runs_every_exporter_together(tmp_path: Path) -> None:
    folder = write_package(
        tmp_path / "shared", _shared_rows(), focus={"country": "GEO", "route": "sp"}
    )
    (folder / "scenarios").mkdir()
    spec = CUT.model_dump(mode="json", exclude_defaults=True)
    (folder / "scenarios" / "cut.yaml").write_text(yaml.safe_dump(spec), encoding="utf-8")
    out = CliRunner().invoke(
        app,
        ["scenario", "run", "both-closed", "-p", str(folder), "--exporter", "all", "-f", "json"],
    )
    assert out.exit_code == 0, out.output
    d = json.loads(out.output)
    assert d["mode"] == "joint"
    assert d["exporters"]["KAZ"]["stranded_share"] == pytest.approx(0.5, abs=1e-6)
    assert d["total"]["stranded"] == pytest.approx(8.0 * DAYS_2024, abs=1e-6)
    table = CliRunner().invoke(
        app, ["scenario", "run", "both-closed", "-p", str(folder), "--exporter", "all"]
    )
    assert table.exit_code == 0, table.output
    assert "By exporter" in table.output
    assert "total" in table.output


def test_supply_changes_are_the_scenario_exporters_only(tmp_path: Path) -> None:
    n = _net(tmp_path)  # the package's exporter is KAZ
    more = Scenario(
        name="both-closed-more",
        years=[2024],
        changes=[
            {"type": "capacity_factor", "route": "pa", "factor": 0},
            {"type": "capacity_factor", "route": "pb", "factor": 0},
            {"type": "supply", "node": "oa", "change": 2},
        ],
    )
    r = reroute_joint(n, more)
    volume = r.rows.set_index("exporter")["volume_rate"]
    assert volume["KAZ"] == pytest.approx(12.0)
    assert volume["AZE"] == pytest.approx(6.0)
    # 18 in, 8 through sp: 10 stranded, 10/18 of each exporter's volume
    assert _rate(r, "KAZ") == pytest.approx(12 * 10 / 18, abs=1e-6)
    assert _rate(r, "AZE") == pytest.approx(6 * 10 / 18, abs=1e-6)
