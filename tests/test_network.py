"""Graph views of the Network, and the invariants of the flow decomposition."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import corridor
from corridor.metrics import flow_paths
from corridor.package import load_package

from .toy import toy_tables, write_package


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
