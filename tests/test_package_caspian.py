"""The Azerbaijan (AZE) and Turkmenistan (TKM) built-in packages: load, validate, key figures.

Expected values are worked out by hand from the research notes
(``other-exporters-chokepoints.md`` §1 and §2), not copied from Corridor's output.
"""

from __future__ import annotations

import csv
import json

import frictionless
import pytest
from typer.testing import CliRunner

import corridor
from corridor.cli import app
from corridor.metrics import dependence
from corridor.package import builtin_path, load_package, validate_package
from corridor.reconciliation import reconcile_warnings
from corridor.rerouting import reroute
from corridor.scenario import find_scenario

PACKAGES = {"azerbaijan": "AZE", "turkmenistan": "TKM"}


@pytest.fixture(scope="module")
def aze() -> corridor.Network:
    return load_package(builtin_path("azerbaijan"))


@pytest.fixture(scope="module")
def tkm() -> corridor.Network:
    return load_package(builtin_path("turkmenistan"))


def _rows(package: str, table: str) -> dict[str, dict[str, str]]:
    with (builtin_path(package) / f"{table}.csv").open(encoding="utf-8") as fh:
        return {r["id"]: r for r in csv.DictReader(fh)}


def _top(shares: dict[str, float]) -> set[str]:
    """Return the countries with the largest share (ties kept together)."""
    best = max(shares.values())
    return {k for k, v in shares.items() if v >= best - 1e-9}


@pytest.mark.parametrize(("name", "exporter"), PACKAGES.items())
def test_package_loads_and_validates(name: str, exporter: str) -> None:
    path = builtin_path(name)
    assert validate_package(path) == []
    n = load_package(path)
    assert n.meta.exporter == exporter
    assert n.meta.commodity == "crude-oil"
    assert (n.meta.first_year, n.meta.last_year) == (2019, 2025)


@pytest.mark.parametrize("name", PACKAGES)
def test_package_passes_frictionless(name: str) -> None:
    path = str(builtin_path(name) / "datapackage.json")
    assert frictionless.Package.validate_descriptor(path).valid
    report = frictionless.validate(path)
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])


def test_turkmenistan_reconciles_without_warnings(tkm: corridor.Network) -> None:
    assert reconcile_warnings(tkm) == []


def test_azerbaijan_warnings_are_the_two_known_disagreements(aze: corridor.Network) -> None:
    # Baku–Supsa 2021: bp's ~100 kb/d actual rate is above SOCAR's 90 kb/d capacity;
    # BTC 2024: BOTAŞ barrels at the unsourced 7.3 bbl/t vs the Statistics Committee's tonnes.
    messages = " ".join(p.message for p in reconcile_warnings(aze))
    assert len(reconcile_warnings(aze)) == 2
    assert "aze-supsa-2021" in messages
    assert "btc-throughput-2024-botas" in messages


def test_shared_assets_are_defined_as_in_kazakhstan() -> None:
    # Packages sharing ids will be merged: a shared node, route, chokepoint, grade or source
    # must be the same row in every package.
    for table in ("nodes", "routes", "chokepoints", "grades", "sources"):
        kaz = _rows("kazakhstan", table)
        aze = _rows("azerbaijan", table)
        tkm = _rows("turkmenistan", table)
        for other in (aze, tkm):
            for key in other.keys() & kaz.keys():
                assert other[key] == kaz[key], (table, key)
        for key in aze.keys() & tkm.keys():
            assert aze[key] == tkm[key], (table, key)
    assert {"baku", "ceyhan", "supsa", "novorossiysk", "med-market"} <= _rows(
        "azerbaijan", "nodes"
    ).keys()
    assert {"btc", "baku-supsa", "ceyhan-tankers", "supsa-tankers"} <= _rows(
        "azerbaijan", "routes"
    ).keys()


def test_every_source_is_cited() -> None:
    # validate_package already rejects unknown sources; this checks that no source row is
    # left uncited by the other tables (a source column or a note) or a scenario.
    for name in PACKAGES:
        folder = builtin_path(name)
        ids = set(_rows(name, "sources"))
        texts = [
            p.read_text(encoding="utf-8")
            for p in [*folder.glob("*.csv"), *(folder / "scenarios").glob("*.yaml")]
            if p.name != "sources.csv"
        ]
        cited = {i for i in ids if any(i in t for t in texts)}
        assert ids <= cited, (name, sorted(ids - cited))


def test_azerbaijan_latest_year(aze: corridor.Network) -> None:
    m = dependence(aze, exporter="AZE", year=2025)
    # Report.az (Energy Ministry): 23.1 Mt of exports in 2025, high confidence (band ±1 %).
    assert m.estimate("total").value == pytest.approx(23.1, rel=0.01)
    # Jan–Aug 2025 Azerbaijani oil via BTC was 15,469 kt: 15.469 × 12 / 8 ≈ 23.2 Mt/yr, i.e.
    # about all of the 23.1 Mt; no 2025 Supsa or Novorossiysk volume was found. BTC crosses
    # Georgia and ends at Ceyhan (Türkiye), so both carry about 100 % and one of them tops.
    shares = m.by_transit_country["share"].to_dict()
    assert _top(shares) & {"GEO", "TUR"}
    assert shares["GEO"] >= 0.95
    assert "RUS" not in shares or shares["RUS"] < 0.05
    assert m.share_via("btc") >= 0.95


def test_azerbaijan_2024_exports_and_supsa(aze: corridor.Network) -> None:
    m = dependence(aze, exporter="AZE", year=2024)
    # Minister Shahbazov via Reuters: 24.4 Mt in 2024. Baku–Supsa 'around 1 million barrels'
    # at 7.3 bbl/t: 1 / 7.3 ≈ 0.137 Mt.
    assert m.estimate("total").value == pytest.approx(24.4, rel=0.01)
    assert m.by_route.at["baku-supsa", "volume"] == pytest.approx(1 / 7.3, rel=0.03)


def test_report_json_latest_year(cli: CliRunner) -> None:
    for name, exporter in PACKAGES.items():
        args = ["report", "--package", str(builtin_path(name)), "--exporter", exporter]
        result = cli.invoke(app, [*args, "--format", "json"])
        assert result.exit_code == 0, result.output
        lines = [json.loads(line) for line in result.output.splitlines() if line.strip()]
        last = lines[-1]
        assert last["year"] == 2025
        assert last["share_by_transit_country"], name
        expected = {"GEO", "TUR"} if exporter == "AZE" else {"AZE"}
        if last["shares_withheld"]:  # no total exports (Turkmenistan): the focus says it
            assert last["focus_country"] in expected | {"GEO", "TUR"}, name
            assert "AZE" in last["share_by_transit_country"]
            continue
        shares = {k: v["value"] for k, v in last["share_by_transit_country"].items()}
        assert _top(shares) & expected, (name, shares)


def test_turkmenistan_latest_year(tkm: corridor.Network) -> None:
    s = tkm.supply
    # Total Turkmen exports were not found for any year: the gap stays a gap.
    assert s[(s["exporter"] == "TKM") & (s["quantity"] == "exports")].empty
    m = dependence(tkm, exporter="TKM", year=2025)
    # Jan–Aug 2025: Turkmen + Kazakh BTC transit 2,887.5 kt minus Kazakh 0.9 Mt = 1.988 Mt
    # (derived), i.e. 1.988 × 12 / 8 ≈ 2.98 Mt/yr, all of it across the Caspian to Baku and
    # into BTC. Azerbaijan (Baku) is the first transit country; Georgia and Türkiye tie.
    assert m.routed == pytest.approx(2.98, rel=0.05)
    # no total exports: shares are withheld, so compare the volumes crossing each country
    shares = (m.by_transit_country["volume"] / m.routed).to_dict()
    assert "AZE" in _top(shares)
    assert shares["AZE"] >= 0.95
    assert shares.get("RUS", 0.0) < 0.05


def test_turkmenistan_gaps_have_no_flows(tkm: corridor.Network) -> None:
    # No Iran swap volume 2019–2025 and no Makhachkala volume after 2021 in the notes.
    f, o = tkm.flows, tkm.observations
    assert f[f["route"].isin(["tkm-neka", "tkm-makhachkala"])].empty
    swap = o[o["scope"].astype(str).str.contains("tkm-neka")]
    assert swap.empty
    russia = o[(o["exporter"] == "TKM") & (o["scope"] == "makhachkala-novorossiysk")]
    assert set(russia.index) == {"tkm-russia-2021-h1", "tkm-russia-2021-06"}


def test_btc_outage_strands_azerbaijani_oil(aze: corridor.Network) -> None:
    r = reroute(aze, find_scenario(aze, "btc-outage-1m"), ties=False, marginals=False)
    stranded = r.periods["stranded"]
    # August 2025 with BTC shut: about 22.6 Mt/yr of Azerbaijani oil at Baku, less Baku–Supsa
    # (90 kb/d / 7.3 ≈ 4.50 Mt/yr) and Baku–Novorossiysk (105 kb/d / 7.3 ≈ 5.25 Mt/yr) leaves
    # about 12.9 Mt/yr, over 31 days ≈ 1.09 Mt stranded; other months strand nothing.
    assert stranded.sum() > 0
    assert stranded.sum() == pytest.approx(1.09, abs=0.15)
    assert stranded.drop("2025-08").sum() == pytest.approx(0.0, abs=1e-6)


def test_turkmen_btc_closure_scenario_runs(tkm: corridor.Network) -> None:
    r = reroute(tkm, find_scenario(tkm, "btc-closed-tkm-2025"), ties=False, marginals=False)
    flows = r.flows["scenario"]
    # BTC closed to Turkmen oil in August and September 2025: nothing on it in those months.
    assert flows.loc[("2025-08", "btc")] == pytest.approx(0.0, abs=1e-9)
    assert flows.loc[("2025-09", "btc")] == pytest.approx(0.0, abs=1e-9)
