"""Interdependence: the ledger by hand on a two-country toy, bans with exemptions by date."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from typer.testing import CliRunner

import corridor
from corridor.exceptions import UnknownError
from corridor.interdependence import ledger
from corridor.reconciliation import reconcile
from corridor.rerouting import reroute
from corridor.scenario import Scenario
from corridor.units import DAYS_PER_YEAR

from .toy import write_package

FIG = {"source": "s", "confidence": "high", "basis": "reported"}
D2024 = 366 / 365.25


def node(i: str, kind: str, c: str, lon: float) -> dict[str, Any]:
    return {"id": i, "name": i, "kind": kind, "country": c, "lat": 50, "lon": lon, "source": "s"}


def route(
    i: str, a: str, b: str, com: str = "crude-oil", mode: str = "pipeline", **k: Any
) -> dict[str, Any]:
    return {
        "id": i,
        "name": i,
        "from_node": a,
        "to_node": b,
        "mode": mode,
        "commodity": com,
        "source": "s",
        **k,
    }


def flow(e: str, r: str, v: float, unit: str = "Mt/year") -> dict[str, Any]:
    return {"exporter": e, "route": r, "year": 2024, "value": v, "unit": unit, **FIG}


def two_countries(tmp_path: Path) -> corridor.Network:
    """KAZ crude via Russia (a, t: 40) or China (p: 10 of 15); Russian power to KAZ (3 TWh);
    Russian crude to China across KAZ (o, q: 8); Russian wheat to KAZ (w: 12) and, across KAZ, to
    Uzbekistan (x: 6, full). Crude 500 USD/t, power 50 USD/MWh; tariffs a 10 USD/t, o 2 USD/t."""
    rows: dict[str, Any] = {
        "sources": [
            {"id": "s", "title": "t", "publisher": "p", "url": "https://e.org", "published": "2024"}
        ],
        "nodes": [
            node("k1", "hub", "KAZ", 50),
            node("r1", "terminal", "RUS", 38),
            node("m", "market", "", 20),
            node("c", "border", "CHN", 80),
            node("ro", "hub", "RUS", 73),
            node("k2", "hub", "KAZ", 72),
            node("rg", "hub", "RUS", 60),
            node("kx", "market", "KAZ", 70),
            node("rw", "market", "RUS", 58),
            node("kw", "market", "KAZ", 69),
            node("uz", "market", "UZB", 65),
        ],
        "routes": [
            route("a", "k1", "r1"),
            route("t", "r1", "m", mode="tanker"),
            route("p", "k1", "c"),
            route("o", "ro", "k2"),
            route("q", "k2", "c"),
            route("g", "rg", "kx", "electricity", "grid"),
            route("w", "rw", "kw", "wheat", "rail"),
            route("x", "rw", "uz", "wheat", "rail", transit="KAZ"),
        ],
        "commodities": [
            {"id": "crude-oil", "name": "Crude", "unit": "Mt/year"},
            {"id": "electricity", "name": "Power", "unit": "TWh/year"},
            {"id": "wheat", "name": "Wheat", "unit": "Mt/year"},
        ],
        "capacities": [
            {"route": "p", "year": 2024, "value": 15, "unit": "Mt/year", **FIG},
            {"route": "x", "year": 2024, "value": 6, "unit": "Mt/year", **FIG},
        ],
        "flows": [
            flow("KAZ", "a", 40),
            flow("KAZ", "t", 40),
            flow("KAZ", "p", 10),
            flow("RUS", "o", 8),
            flow("RUS", "q", 8),
            flow("RUS", "g", 3, "TWh/year"),
            flow("RUS", "w", 12),
            flow("RUS", "x", 6),
        ],
        "supply": [
            {
                "exporter": "KAZ",
                "year": 2024,
                "quantity": "exports",
                "value": 50,
                "unit": "Mt/year",
                **FIG,
            }
        ],
        "prices": [
            {"year": 2024, "benchmark": "b", "value": 500, "unit": "USD/t", **FIG},
            {
                "year": 2024,
                "benchmark": "p",
                "commodity": "electricity",
                "value": 50,
                "unit": "USD/MWh",
                **FIG,
            },
        ],
        "costs": [
            {"route": "a", "year": 2024, "value": 10, "unit": "USD/t", **FIG},
            {"route": "o", "year": 2024, "value": 2, "unit": "USD/t", **FIG},
        ],
        "measures": [
            {
                "id": "kaz-wheat",
                "commodity": "wheat",
                "exporter": "RUS",
                "importer": "KAZ",
                "start": "2024-03-01",
                "end": "2024-05-01",
                "transit_exempt": "yes",
                "description": "ban",
                "source": "s",
                "confidence": "high",
            }
        ],
    }
    return corridor.load_package(write_package(tmp_path / "two", rows, focus={"country": "RUS"}))


def test_each_commodity_is_its_own_network(tmp_path: Path) -> None:
    n = two_countries(tmp_path)
    power = corridor.dependence(n, exporter="RUS", year=2024, commodity="electricity")
    assert list(power.by_route.index) == ["g"]
    assert power.unit == "TWh/year"
    assert power.routed == pytest.approx(3)
    crude = corridor.dependence(n, exporter="RUS", year=2024)
    assert set(crude.by_route.index) == {"o", "q"}
    assert crude.routed == pytest.approx(8)
    wheat = corridor.dependence(n, exporter="RUS", year=2024, commodity="wheat")
    assert wheat.routed == pytest.approx(18)
    assert set(wheat.by_route.index) == {"w", "x"}


def test_ledger_by_hand(tmp_path: Path) -> None:
    n = two_countries(tmp_path)
    led = ledger(n, "KAZ", "RUS", year=2024).set_index(["dependent", "commodity", "link"])
    crude = led.loc[("KAZ", "crude-oil", "exports crossing")]
    assert crude["volume"] == pytest.approx(40)
    assert crude["share"] == pytest.approx(0.8)
    assert crude["value_usd"] == pytest.approx(40e6 * 500)
    assert crude["spare_capacity"] == pytest.approx(5)  # p: 15 - 10
    assert crude["value_at_risk_usd"] == pytest.approx(35e6 * 500)  # 40 cut, 5 re-routed
    assert crude["stranded_if_closed"] == pytest.approx(35)
    assert crude["price_year"] is None  # the ledger's year has a price
    assert crude["note"] == ""
    assert crude["tariffs_usd"] == pytest.approx(40e6 * 10)
    power = led.loc[("KAZ", "electricity", "imports from")]
    assert (power["volume"], power["unit"]) == (pytest.approx(3), "TWh/year")
    assert power["value_usd"] == pytest.approx(3e6 * 50)  # 3 TWh = 3e6 MWh at 50 USD/MWh
    transit = led.loc[("RUS", "crude-oil", "exports crossing")]
    assert transit["volume"] == pytest.approx(8)
    # the package holds no total exports of RUS: no share of RUS's exports (issue 14)
    assert transit["share"] != transit["share"]  # withheld (None, NaN in the frame)
    assert "withheld" in transit["share_of"]
    assert transit["value_at_risk_usd"] == pytest.approx(8e6 * 500)  # no other way to China
    assert transit["tariffs_usd"] == pytest.approx(8e6 * 2)  # what Kazakhstan earns
    assert led.loc[("RUS", "electricity", "exports to"), "value_usd"] == pytest.approx(1.5e8)
    wheat = led.loc[("KAZ", "wheat", "imports from")]
    assert wheat["volume"] == pytest.approx(12)
    assert pd.isna(wheat["value_usd"])


def test_ledger_checks_its_arguments(tmp_path: Path) -> None:
    n = two_countries(tmp_path)
    with pytest.raises(UnknownError, match="unknown country 'XXX'"):
        ledger(n, "KAZ", "XXX", year=2024)
    with pytest.raises(UnknownError, match="year 1990"):
        ledger(n, "KAZ", "RUS", year=1990)


def test_ban_with_transit_exemption_applies_on_its_dates(tmp_path: Path) -> None:
    n = two_countries(tmp_path)
    ban = {
        "type": "ban",
        "commodity": "wheat",
        "exporter": "RUS",
        "importer": "KAZ",
        "start": "2024-03-01",
        "end": "2024-05-01",
    }
    s = Scenario(
        name="b", exporter="RUS", commodity="wheat", years=[2024], monthly=True, changes=[ban]
    )
    r = reroute(n, s, ties=False)
    rate = r.periods["stranded_rate"]
    assert rate["2024-02"] == 0
    assert rate["2024-05"] == 0
    assert rate["2024-03"] == pytest.approx(12)
    assert rate["2024-04"] == pytest.approx(12)
    assert r.total["stranded"] == pytest.approx(12 * 61 / 365.25)  # w only: x is transit
    strict = Scenario(
        name="b",
        exporter="RUS",
        commodity="wheat",
        years=[2024],
        monthly=True,
        changes=[{**ban, "transit_exempt": False}],
    )
    assert reroute(n, strict, ties=False).total["stranded"] == pytest.approx(18 * 61 / 365.25)
    # the same ban, from the package's measures table
    sourced = Scenario(
        name="m",
        exporter="RUS",
        commodity="wheat",
        years=[2024],
        monthly=True,
        changes=[{"type": "measure", "id": "kaz-wheat"}],
    )
    assert reroute(n, sourced, ties=False).total["stranded"] == pytest.approx(12 * 61 / 365.25)
    # crude is another network: the wheat ban leaves it alone
    crude = Scenario(name="c", exporter="RUS", years=[2024], changes=[ban])
    assert reroute(n, crude, ties=False).total["stranded"] == 0


def test_builtin_interdependence(kazakhstan: corridor.Network, cli: CliRunner) -> None:
    from corridor.cli import app

    res = cli.invoke(app, ["ledger", "KAZ", "RUS", "--year", "2023", "-f", "json"])
    assert res.exit_code == 0, res.output
    rows = json.loads(res.stdout)["rows"]
    links = {(r["dependent"], r["commodity"], r["link"]) for r in rows}
    assert {
        ("KAZ", "crude-oil", "exports crossing"),
        ("KAZ", "electricity", "imports from"),
        ("KAZ", "wheat", "imports from"),
        ("RUS", "crude-oil", "exports crossing"),
        ("KAZ", "crude-oil", "route without a figure"),
    } <= links
    gaps = {r["route"] for r in rows if r["link"] == "route without a figure"}
    assert "omsk-pavlodar" in gaps  # Russian crude to Pavlodar: a link with no volume found
    crossing = next(r for r in rows if (r["dependent"], r["link"]) == ("KAZ", "exports crossing"))
    m = corridor.dependence(kazakhstan, exporter="KAZ", year=2023)
    assert crossing["share"] == pytest.approx(m.share_crossing("RUS"))
    # the halt strands all Russian crude to China: its reconciled 2025 baseline on kcp (the
    # package has observations of RUS in 2025)
    rus = reconcile(kazakhstan, year=2025).route_flows("RUS").set_index("route")["volume"]
    # The package's CPC route starts at Atyrau (Kazakhstan), so the Russian shippers' CPC volume
    # (reconciled from the 2025 CPC shipper split) also touches Kazakhstan and is stranded too.
    halted = float(rus["kcp"] + rus["cpc"]) * 365 / DAYS_PER_YEAR  # Mt over 2025
    for name, stranded in (("rus-china-transit-halt", halted), ("kaz-wheat-ban-2024", None)):
        r = cli.invoke(app, ["scenario", "run", name, "-f", "json"])
        total = json.loads(r.stdout)["total"]["stranded"]["value"]
        assert total > 0
        assert stranded is None or total == pytest.approx(stranded, rel=1e-4)
    # the Russian crude to China within the medium band of the 10 Mt/yr flow
    assert float(rus["kcp"]) == pytest.approx(10.0, rel=0.03)
    res = cli.invoke(app, ["ledger", "KAZ", "XXX"])
    assert res.exit_code == 2  # an unknown name: EXIT_CODES[UnknownError]
    assert "unknown country 'XXX'; known: AZE" in res.stderr
