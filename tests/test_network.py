"""Graph views of the Network, and the invariants of the flow decomposition."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import corridor
from corridor.metrics import flow_paths
from corridor.network import OBSERVATION_COLUMNS
from corridor.package import load_package

from .toy import Rows, observation, toy_tables, write_package


def test_corridors_of_the_toy(toy: corridor.Network) -> None:
    c = toy.corridors().set_index("id")
    assert sorted(c.index) == ["a>t1", "k>btc>t2", "p", "s"]
    assert c.at["a>t1", "transit"] == ("RUS",)
    assert c.at["a>t1", "chokepoints"] == ("straits",)
    assert c.at["k>btc>t2", "transit"] == ("AZE", "TUR", "GEO")
    assert c.at["p", "transit"] == ()
    assert c.at["k>btc>t2", "name"] == "Origin two → Baku-like → Ceyhan-like → Sea market"
    assert toy.origins("KAZ") == ["o1", "o2"]


def test_route_countries(toy: corridor.Network) -> None:
    assert toy.route_countries("btc") == ("AZE", "TUR", "GEO")
    assert toy.route_countries("t1") == ("RUS",)


def test_kazakhstan_corridors_cover_the_main_routes(kazakhstan: corridor.Network) -> None:
    c = kazakhstan.corridors()
    ids = set(c["id"])
    assert "karachaganak-atyrau>cpc>cpc-tankers" in ids
    caspian = "kashagan-atyrau>atyrau-aktau-rail>aktau-baku>btc>ceyhan-tankers"
    assert caspian in ids
    btc = c.set_index("id").loc[caspian]
    assert set(btc["transit"]) == {"AZE", "GEO", "TUR"}


@pytest.fixture(scope="module")
def toy_module(tmp_path_factory: pytest.TempPathFactory) -> corridor.Network:
    return load_package(write_package(tmp_path_factory.mktemp("toy"), toy_tables()))


TOY_ROUTES = ["a", "t1", "s", "p", "k", "btc", "t2"]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(min_value=0, max_value=100), min_size=7, max_size=7))
def test_decomposition_conserves_flow(toy_module: corridor.Network, values: list[float]) -> None:
    n = toy_module
    f = n.flows[n.flows["year"] == 2024].copy()
    f["volume"] = [values[TOY_ROUTES.index(r)] for r in f["route"]]
    original = n.flows
    n.flows = f
    try:
        p = flow_paths(n, "KAZ", 2024)
    finally:
        n.flows = original
    for route, v in zip(TOY_ROUTES, values, strict=True):
        through = p.loc[[route in rs for rs in p["routes"]], "volume"].sum()
        # the paths through each route add up to its flow, whatever the imbalance at its ends
        assert through == pytest.approx(v, abs=1e-9)
    # everything that enters the network leaves it on some path
    inflow = {
        "r": values[0],
        "h": values[2],
        "x": values[3],
        "b": values[4],
        "c": values[5],
        "m": values[1] + values[6],
    }
    outflow = {
        "o1": values[0] + values[2] + values[3],
        "o2": values[4],
        "r": values[1],
        "b": values[5],
        "c": values[6],
    }
    injected = sum(max(outflow.get(k, 0) - inflow.get(k, 0), 0) for k in set(inflow) | set(outflow))
    assert p["volume"].sum() == pytest.approx(injected, abs=1e-9)
    assert (p["volume"] >= 0).all()


# -- the observations frame ---------------------------------------------------------------------


def test_replacing_flows_migrates_them_again(toy: corridor.Network) -> None:
    flows = toy.flows.copy()
    flows.loc[flows["route"] == "s", ["value", "volume"]] = 25.0
    n = toy.replace(flows=flows[flows["year"] == 2024])
    o = n.observations
    assert "flow:KAZ:a:2023" not in o.index
    assert o.at["flow:KAZ:s:2024", "amount"] == pytest.approx(25 * 366 / 365.25)
    # an unchanged row keeps its file and line; a changed one says where it came from
    assert o.at["flow:KAZ:a:2024", "origin"] == "flows.csv line 2"
    assert o.at["flow:KAZ:s:2024", "origin"] == "flows table"
    assert o.at["supply:KAZ:exports:crude-oil:2024", "origin"] == "supply.csv line 2"
    # other tables leave the observations as they are
    assert toy.replace(routes=toy.routes).observations is toy.observations


def test_replacing_keeps_the_observations_table(make_toy: Callable[..., Path]) -> None:
    def edit(rows: Rows) -> None:
        rows["observations"] = [
            observation("bypass", "exports", "bypassing:RUS", "2024", value=3),
            observation("rus-a", "flow", "a", "2024", exporter="RUS", value=5),
        ]

    n = load_package(make_toy(edit))
    m = n.replace(supply=n.supply.iloc[:0])
    assert list(m.observations.index[:2]) == ["bypass", "rus-a"]
    assert not m.observations.index.str.startswith("supply:").any()
    assert len(m.file_observations()) == 2
    # an exporter with observations only is an exporter of the package
    assert n.exporters() == ["KAZ", "RUS"]
    assert n.check_exporter("RUS") == "RUS"


def test_a_network_without_observations_derives_them(toy: corridor.Network) -> None:
    tables = {k: v for k, v in toy.tables.items() if k != "observations"}
    n = corridor.Network(toy.meta, tables)
    assert list(n.observations.index) == list(toy.observations.index)
    assert set(n.observations["origin"]) == {"flows table", "supply table"}
    empty = corridor.Network(toy.meta, tables | {"flows": toy.flows.iloc[:0]}).replace(
        supply=toy.supply.iloc[:0]
    )
    assert empty.observations.empty
    assert list(empty.observations.columns) == list(OBSERVATION_COLUMNS)
    assert empty.observations.index.name == "id"


def test_replacing_flows_with_a_frame_built_in_memory(toy: corridor.Network) -> None:
    # only the keys and the canonical volume: the value and unit are the volume's
    flows = pd.DataFrame({"exporter": ["KAZ"], "route": ["a"], "year": [2024], "volume": [7.0]})
    o = toy.replace(flows=flows).observations
    assert list(o.index[o["measure"] == "flow"]) == ["flow:KAZ:a:2024"]
    assert (o.at["flow:KAZ:a:2024", "value"], o.at["flow:KAZ:a:2024", "unit"]) == (7, "Mt/year")
    # without a year there is no period: no flow observations, and no error
    o = toy.replace(flows=pd.DataFrame({"route": ["a"], "volume": [7.0]})).observations
    assert set(o["measure"]) == {"exports", "production"}
