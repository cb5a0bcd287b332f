"""The five small built-in packages beyond Kazakhstan: IRQ, SSD, NER, TCD and UGA.

Every expected value below is worked out by hand from the package's own rows (the research
notes' figures), in the comments. Barrels convert to tonnes at the borrowed 7.3 bbl/t (grade
``borrowed-7.3``); a rate in kbbl/day is an annual volume over 365.25 days (`corridor.units`).
"""

from __future__ import annotations

import csv
import json
from typing import Any

import frictionless
import pytest
from typer.testing import CliRunner

from corridor.cli import app
from corridor.package import builtin_path, load_package, validate_package

BPT = 7.3
YEAR_DAYS = 365.25

#: package folder -> (exporter, transit country the notes name, route of that transit)
PACKAGES = {
    "kurdistan": ("IRQ", "TUR", "itp"),
    "south-sudan": ("SSD", "SDN", "petrodar"),
    "niger": ("NER", "BEN", "niger-benin-pipeline"),
    "chad": ("TCD", "CMR", "chad-cameroon-pipeline"),
    "uganda": ("UGA", "TZA", "eacop"),
}
#: the tanker leg every exported barrel of the package takes last
LAST_LEG = {
    "kurdistan": "ceyhan-tankers",
    "south-sudan": "bashayer-tankers",
    "niger": "seme-tankers",
    "chad": "kribi-tankers",
}


def run_json(*args: str) -> dict[str, Any]:
    res = CliRunner().invoke(app, list(args))
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)  # type: ignore[no-any-return]


def report(name: str, year: int) -> dict[str, Any]:
    exporter = PACKAGES[name][0]
    path = str(builtin_path(name))
    return run_json(
        "report", "--package", path, "--exporter", exporter, "--year", str(year), "-f", "json"
    )


def scenario(name: str, scenario_name: str) -> dict[str, Any]:
    path = str(builtin_path(name))
    return run_json("scenario", "run", scenario_name, "--package", path, "--format", "json")


def rows(name: str, table: str) -> dict[str, dict[str, str]]:
    with (builtin_path(name) / f"{table}.csv").open(newline="", encoding="utf-8") as f:
        return {r["id"]: r for r in csv.DictReader(f)}


@pytest.mark.parametrize("name", sorted(PACKAGES))
def test_package_loads_and_validates(name: str) -> None:
    exporter, country, route = PACKAGES[name]
    assert validate_package(builtin_path(name)) == []
    n = load_package(builtin_path(name))
    assert n.meta.exporter == exporter
    assert n.meta.commodity == "crude-oil"
    assert n.meta.focus_route == route
    assert route in n.routes.index
    # the transit country is a node's country on the focus route (or its `transit` column)
    ends = n.routes.loc[route, ["from_node", "to_node"]]
    assert country in {n.nodes.loc[node, "country"] for node in ends}


@pytest.mark.parametrize("name", sorted(PACKAGES))
def test_package_passes_frictionless(name: str) -> None:
    path = str(builtin_path(name) / "datapackage.json")
    assert frictionless.Package.validate_descriptor(path).valid
    result = frictionless.validate(path)
    assert result.valid, result.flatten(["rowNumber", "fieldName", "type", "note"])


@pytest.mark.parametrize(
    ("name", "table", "ids"),
    [
        ("kurdistan", "nodes", ["ceyhan", "med-market"]),
        ("kurdistan", "routes", ["ceyhan-tankers"]),
        ("kurdistan", "sources", ["wikipedia-coordinates", "bp-btc"]),
    ],
)
def test_shared_ids_are_identical_to_kazakhstan(name: str, table: str, ids: list[str]) -> None:
    # a later merge treats shared ids as one asset: their definitions must not differ
    mine, kaz = rows(name, table), rows("kazakhstan", table)
    for i in ids:
        assert mine[i] == kaz[i], i


def test_rows_shared_between_the_new_packages_are_identical() -> None:
    assert (
        rows("niger", "nodes")["gulf-of-guinea-market"]
        == (rows("chad", "nodes")["gulf-of-guinea-market"])
    )
    grades = [rows(name, "grades")["borrowed-7.3"] for name in PACKAGES]
    assert all(g == grades[0] for g in grades)
    assert grades[0]["basis"] == "estimate"


def test_every_cited_source_has_a_row() -> None:
    for name in PACKAGES:
        known = set(rows(name, "sources"))
        n = load_package(builtin_path(name))
        for frame in (n.flows, n.capacities, n.observations, n.events, n.costs):
            assert set(frame["source"]) <= known, name


@pytest.mark.parametrize(
    ("name", "year", "exports_mt"),
    [
        # ITP 2025 (estimate): 10.5 Mbbl to 18 Nov + 43 days x 200 kb/d = 19.1 Mbbl;
        # 19.1 / 7.3 = 2.6164 Mt
        ("kurdistan", 2025, 19.1 / BPT),
        # 2024: Petrodar 9.84 kb/d (100 x 36 / 366) + GNPOC 80 kb/d = 89.84 kb/d;
        # 89.84 x 365.25 / 7.3 / 1000 = 4.4951 Mt
        ("south-sudan", 2024, 89.84 * YEAR_DAYS / BPT / 1000),
        # 2024: 14.138 Mbbl x 227 / 281 days = 11.42 Mbbl; 11.42 / 7.3 = 1.5644 Mt
        ("niger", 2024, 11.42 / BPT),
        # 2019 liftings at Kome-Kribi 1: 47.26 Mbbl; 47.26 / 7.3 = 6.4740 Mt
        ("chad", 2019, 47.26 / BPT),
    ],
)
def test_latest_year_exports_and_top_transit_country(
    name: str, year: int, exports_mt: float
) -> None:
    country = PACKAGES[name][1]
    d = report(name, year)
    assert d["year"] == year
    assert d["volume_by_route"][LAST_LEG[name]] == pytest.approx(exports_mt, rel=1e-4)
    assert d["sources"]
    if d["shares_withheld"]:
        # no total exports in the package: shares are withheld (`corridor.metrics`); the
        # flows' volume and the transit country they cross say the same
        assert d["total_exports"] is None
        assert d["routed_volume"]["value"] == pytest.approx(exports_mt, rel=1e-4)
        assert d["focus_country"] == country
        assert list(d["share_by_transit_country"]) == [country]
        return
    assert d["total_exports"]["value"] == pytest.approx(exports_mt, rel=1e-4)
    shares = {c: s["value"] for c, s in d["share_by_transit_country"].items()}
    # one export corridor each, so the named transit country carries all of it
    assert max(shares, key=lambda c: shares[c]) == country
    assert shares[country] == pytest.approx(1.0)


def test_latest_flow_years() -> None:
    # the latest year with flows in each package (the years the tests above use)
    latest = {
        name: max(load_package(builtin_path(name)).flows["year"])
        for name in PACKAGES
        if name != "uganda"
    }
    assert latest == {"kurdistan": 2025, "south-sudan": 2024, "niger": 2024, "chad": 2019}


def test_chad_2023_is_reconciled_from_the_part_year_liftings() -> None:
    # Jan-Apr 2023 liftings 15.33 Mbbl = 2.1 Mt: the year's exports are at least that
    d = report("chad", 2023)
    assert d["reconciled"] is True
    # no total exports in the package, so the figure is the flows' volume, shares withheld;
    # (the band of a reported figure allows a little rounding below it)
    assert d["shares_withheld"] is True
    assert d["routed_volume"]["value"] >= 0.98 * 15.33 / BPT
    assert list(d["share_by_transit_country"]) == ["CMR"]


def test_uganda_has_no_flows_before_eacop_starts() -> None:
    n = load_package(builtin_path("uganda"))
    assert n.flows.empty
    d = report("uganda", 2025)
    assert d["total_exports"] is None
    assert d["share_by_transit_country"] == {}


def test_eacop_start_up_crosses_tanzania() -> None:
    d = scenario("uganda", "eacop-start-up")
    # 216 kb/d x 365 / 7.3 / 1000 = 10.8 Mt/year for Oct-Dec 2026
    assert [p["period"] for p in d["periods"]] == ["2026-10", "2026-11", "2026-12"]
    for p in d["periods"]:
        assert p["scenario"]["eacop"] == pytest.approx(216 * 365 / BPT / 1000)
        # Uganda has no total exports yet: the share is withheld, Tanzania is the one crossed
        assert list(p["shares"]["scenario"]["transit_country"]) == ["TZA"]
    # 10.8 Mt/year over the 92 days of Oct-Dec: 10.8 x 92 / 365.25 = 2.720 Mt; nothing stranded
    assert d["total"]["rerouted"]["value"] == pytest.approx(10.8 * 92 / YEAR_DAYS, rel=1e-4)
    assert d["total"]["stranded"]["value"] == pytest.approx(0.0, abs=1e-9)


def test_itp_shutdown_strands_kurdistan_oil() -> None:
    d = scenario("kurdistan", "itp-shutdown")
    # the whole 2025 baseline: 19.1 / 7.3 = 2.6164 Mt/year over 365 of 365.25 days = 2.6146 Mt
    stranded = d["total"]["stranded"]["value"]
    assert stranded == pytest.approx(19.1 / BPT * 365 / YEAR_DAYS, rel=1e-3)
    assert d["total"]["rerouted"]["value"] == pytest.approx(0.0, abs=1e-9)


def test_sudan_war_damage_strands_south_sudan_oil() -> None:
    d = scenario("south-sudan", "sudan-war-damage-2024")
    stranded = d["total"]["stranded"]["value"]
    total = 89.84 * YEAR_DAYS / BPT / 1000  # 4.495 Mt in 2024
    january = 6 / BPT  # 6 Mbbl loaded in January (0.822 Mt), before the closure
    # Sudan closed from 6 Feb: all but January and 1-5 Feb is stranded
    assert 0.75 * total < stranded < total - january + 1e-6
    assert d["total"]["rerouted"]["value"] == pytest.approx(0.0, abs=1e-9)


def test_niger_benin_closure_strands_niger_oil() -> None:
    d = scenario("niger", "niger-benin-closure-2024")
    stranded = d["total"]["stranded"]["value"]
    total = 11.42 / BPT  # 1.564 Mt in 2024
    # at least the 56 closed days of 6 Jun-31 Jul at an even spread: 1.564 x 56 / 366 = 0.239
    assert total * 56 / 366 < stranded < total
    closed = [p for p in d["periods"] if p["period"] in ("2024-06", "2024-07")]
    assert all(p["stranded"]["value"] > 0 for p in closed)


def test_cameroon_transit_closed_strands_chad_oil() -> None:
    d = scenario("chad", "cameroon-transit-closed")
    # 47.26 / 7.3 = 6.474 Mt/year over 365 of 365.25 days = 6.4695 Mt
    assert d["total"]["stranded"]["value"] == pytest.approx(47.26 / BPT * 365 / YEAR_DAYS, rel=1e-3)


def test_itp_shutdown_event_replays() -> None:
    d = run_json(
        "replay", "--year", "2023", "--package", str(builtin_path("kurdistan")), "-f", "json"
    )
    text = json.dumps(d)
    assert "itp-shutdown-2023-03" in text
