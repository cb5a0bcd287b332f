"""The chokepoints package (EIA throughput, all shippers) and each exporter's share of it.

Shares are checked against arithmetic done by hand: Mt/year x bbl/t / 365.25 days (the
project's `corridor.units.DAYS_PER_YEAR`) / 1e6 gives Mbbl/day, over the chokepoint's Mbbl/day.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import frictionless
import pytest
from typer.testing import CliRunner

import corridor
from corridor.chokepoints import chokepoint_traffic, default_year, throughput
from corridor.cli import app
from corridor.exceptions import PackageValidationError
from corridor.metrics import dependence
from corridor.package import builtin_packages, builtin_path, load_package, validate_package
from corridor.package.merge import merge_networks
from corridor.reconciliation import reconcile

from .toy import Rows

PACKAGE = builtin_path("chokepoints")


def _throughput_row(scope: str, start: str, value: float, **kw: str) -> dict[str, object]:
    return {
        "id": f"thr-{start}",
        "measure": "throughput",
        "scope": scope,
        "start": start,
        "value": value,
        "unit": "Mbbl/day",
        "source": "toy-src",
        "confidence": "high",
        "basis": "reported",
        **kw,
    }


def _ten_mt(rows: Rows) -> None:
    """The toy with 10 Mt/year crossing the straits in 2024 (route t1), at 7.3 bbl/t."""
    rows["grades"][0]["barrels_per_tonne"] = 7.3
    for f in rows["flows"]:
        if f["year"] == 2024 and f["route"] in ("a", "t1"):
            f["value"] = 10


@pytest.fixture(scope="module")
def chokepoints() -> corridor.Network:
    return load_package("chokepoints")


@pytest.fixture(scope="module")
def caspian() -> corridor.Network:
    return merge_networks([load_package(p) for p in ("kazakhstan", "azerbaijan", "chokepoints")])


# -- the package ----------------------------------------------------------------------------------


def test_package_validates_without_an_exporter(chokepoints: corridor.Network) -> None:
    assert validate_package(PACKAGE) == []
    assert chokepoints.meta.exporter == ""
    assert chokepoints.exporters() == []
    assert len(chokepoints.flows) == 0
    assert len(chokepoints.chokepoints) == 8
    # every figure has a source row with a title, publisher, URL and date
    sources = chokepoints.sources
    assert set(chokepoints.observations["source"]) <= set(sources.index)
    assert sources[["title", "publisher", "url", "published"]].ne("").all().all()


def test_validate_says_the_package_has_no_exporter() -> None:
    from typer.testing import CliRunner

    from corridor.cli import app

    result = CliRunner().invoke(app, ["validate", "chokepoints"])
    assert result.exit_code == 0, result.output
    first = result.output.splitlines()[0]
    assert "no exporter" in first
    assert "exporter ," not in first


def test_package_passes_frictionless() -> None:
    path = str(PACKAGE / "datapackage.json")
    assert frictionless.Package.validate_descriptor(path).valid
    report = frictionless.validate(path)
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])


def test_packages_lists_it_with_no_exporter() -> None:
    entry = next(p for p in builtin_packages() if p["name"] == "chokepoints")
    assert entry["error"] is None
    assert entry["exporters"] == []


def test_eia_table_and_its_notes(chokepoints: corridor.Network) -> None:
    o = chokepoints.observations
    assert (o["measure"] == "throughput").all()
    assert (o["exporter"] == "").all()
    assert o.at["turkish-straits-2023", "value"] == 3.4
    assert o.at["strait-of-hormuz-2020", "value"] == 18.4
    assert o.at["panama-canal-2022", "value"] == 2.1
    assert "Kiel Canal" in o.at["danish-straits-2019", "note"]
    assert "fiscal year" in o.at["panama-canal-2019", "note"]
    # both sides of the EIA's own revision are kept
    assert "8.7" in o.at["bab-el-mandeb-2023", "note"]
    notes = chokepoints.chokepoints["note"]
    assert notes.str.contains("approximate").all()


@pytest.mark.parametrize("other", ["kazakhstan", "azerbaijan", "turkmenistan"])
def test_shared_rows_are_byte_identical(other: str) -> None:
    def lines(package: Path, name: str) -> dict[str, str]:
        text = (package / name).read_text(encoding="utf-8").splitlines()[1:]
        return {line.split(",", 1)[0]: line for line in text}

    for name in ("chokepoints.csv", "sources.csv"):
        mine, theirs = lines(PACKAGE, name), lines(builtin_path(other), name)
        shared = set(mine) & set(theirs)
        assert shared, name
        assert {k: mine[k] for k in shared} == {k: theirs[k] for k in shared}


def test_merges_with_exporters(caspian: corridor.Network) -> None:
    assert caspian.meta.exporter == "KAZ"
    assert "strait-of-hormuz" in caspian.chokepoints.index
    # the exporter declared leads even when the chokepoints come first
    merged = merge_networks([load_package("chokepoints"), load_package("kazakhstan")])
    assert merged.meta.exporter == "KAZ"


# -- validation -----------------------------------------------------------------------------------


def test_unknown_chokepoint_scope_names_file_line_and_field(
    make_toy: Callable[..., Path],
) -> None:
    def edit(rows: Rows) -> None:
        rows["observations"] = [_throughput_row("chokepoint:nowhere", "2024", 2.0)]

    with pytest.raises(PackageValidationError) as err:
        load_package(make_toy(edit))
    [p] = err.value.problems
    assert (p.file, p.line, p.field) == ("observations.csv", 2, "scope")
    assert "unknown chokepoint 'nowhere'" in p.message
    assert "straits" in p.message


def test_chokepoint_scope_is_for_throughput_only(make_toy: Callable[..., Path]) -> None:
    def edit(rows: Rows) -> None:
        rows["observations"] = [
            _throughput_row("chokepoint:straits", "2024", 2.0, measure="flow", exporter="KAZ")
        ]

    with pytest.raises(PackageValidationError) as err:
        load_package(make_toy(edit))
    assert [(p.field, "chokepoint" in p.message) for p in err.value.problems] == [("scope", True)]


def test_package_without_exporter_still_checks_its_flows(tmp_path: Path) -> None:
    folder = shutil.copytree(PACKAGE, tmp_path / "chokepoints")
    with (folder / "flows.csv").open("a", encoding="utf-8") as fh:
        fh.write(",nowhere-route,2023,1,Mt/year,,wikipedia-coordinates,high,reported,\n")
    problems = validate_package(folder)
    where = {(p.file, p.line, p.field) for p in problems}
    assert ("flows.csv", 2, "exporter") in where
    assert ("flows.csv", 2, "route") in where


def test_bad_exporter_in_descriptor_is_still_an_error(tmp_path: Path) -> None:
    folder = shutil.copytree(PACKAGE, tmp_path / "chokepoints")
    desc = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    desc["corridor"]["exporter"] = "XX"
    (folder / "datapackage.json").write_text(json.dumps(desc), encoding="utf-8")
    assert [p.field for p in validate_package(folder)] == ["corridor.exporter"]


# -- the shares -----------------------------------------------------------------------------------


def test_share_worked_out_by_hand(make_toy: Callable[..., Path]) -> None:
    def edit(rows: Rows) -> None:
        _ten_mt(rows)
        rows["observations"] = [_throughput_row("chokepoint:straits", "2024", 2.0, exporter="")]

    t = chokepoint_traffic(load_package(make_toy(edit)), year=2024)
    row = t.row("straits")
    assert row.throughput is not None
    assert (row.throughput.value, row.throughput.year, row.throughput.flagged) == (2.0, 2024, False)
    [kaz] = row.exporters
    assert kaz.exporter == "KAZ"
    assert kaz.routes == ("t1",)
    assert kaz.volume_mt == pytest.approx(10.0)
    assert (kaz.grade, kaz.barrels_per_tonne) == ("light", 7.3)
    # 10 Mt/year x 7.3 bbl/t = 73 Mbbl/year; / 365.25 = 0.199863 Mbbl/day; / 2 = 0.099932
    assert kaz.volume_mbd == pytest.approx(73 / 365.25, rel=1e-9)
    assert kaz.share == pytest.approx(0.0999316, abs=1e-7)
    assert t.no_chokepoint == []


def test_earlier_year_is_flagged(make_toy: Callable[..., Path]) -> None:
    def edit(rows: Rows) -> None:
        _ten_mt(rows)
        rows["observations"] = [
            _throughput_row("chokepoint:straits", "2023", 4.0, exporter=""),
            _throughput_row("chokepoint:straits", "2025", 1.0, exporter=""),
        ]

    n = load_package(make_toy(edit))
    row = chokepoint_traffic(n, year=2024).row("straits")
    assert row.throughput is not None
    assert (row.throughput.year, row.throughput.value, row.throughput.flagged) == (2023, 4.0, True)
    assert row.exporters[0].share == pytest.approx(73 / 365.25 / 4.0)


def test_no_throughput_withholds_the_share(toy: corridor.Network) -> None:
    row = chokepoint_traffic(toy, year=2024).row("straits")
    assert row.throughput is None
    [kaz] = row.exporters
    assert kaz.volume_mt == pytest.approx(60.0)  # the toy's t1 flow
    assert kaz.volume_mbd == pytest.approx(60 * 7.5 / 365.25)
    assert kaz.share is None


def test_partial_year_is_flagged(chokepoints: corridor.Network) -> None:
    t = throughput(chokepoints, "bab-el-mandeb", 2024)
    assert t is not None
    assert (t.value, t.year, t.partial, t.flagged) == (4.0, 2024, True, True)
    assert t.period == "2024-01..2024-08"
    # of two partial periods of the year, the longer one: January-August, not January-May
    cape = throughput(chokepoints, "cape-of-good-hope", 2024)
    assert cape is not None
    assert cape.value == 9.2
    assert throughput(chokepoints, "strait-of-hormuz", 2017) is None


def test_kazakhstan_share_of_the_turkish_straits(caspian: corridor.Network) -> None:
    t = chokepoint_traffic(caspian, year=2023)
    row = t.row("turkish-straits")
    [kaz] = row.exporters
    # the flows the metrics use: the reconciled best fit (the flows table says 56.0 Mt on CPC)
    m = dependence(caspian, exporter="KAZ", year=2023)
    crossing = [r for r in m.by_route.index if "turkish-straits" in m.by_route.at[r, "chokepoints"]]
    assert set(kaz.routes) == set(crossing) >= {"cpc-tankers"}
    assert kaz.volume_mt == pytest.approx(float(m.by_route.loc[crossing, "volume"].sum()))
    # V Mt x 7.3 bbl/t / 365.25 of the EIA's 3.4 Mbbl/day
    assert kaz.share == pytest.approx(kaz.volume_mt * 7.3 / 365.25 / 3.4)
    assert 0.32 < kaz.share < 0.36
    assert t.row("strait-of-hormuz").exporters == []
    assert "AZE" in t.no_chokepoint  # BTC to Ceyhan crosses no strait


def test_chokepoints_alone_show_their_latest_throughputs(chokepoints: corridor.Network) -> None:
    assert default_year(chokepoints) == 2024
    t = chokepoint_traffic(chokepoints)
    assert all(r.exporters == [] for r in t.rows)
    assert t.row("danish-straits").throughput is not None


# -- nothing else reads them as an exporter's figures ---------------------------------------------


def test_kazakhstan_reconciliation_unchanged(kazakhstan: corridor.Network) -> None:
    merged = merge_networks([kazakhstan, load_package("chokepoints")])
    for year in (2022, 2023):
        alone, both = reconcile(kazakhstan, year=year), reconcile(merged, year=year)
        assert both.observations_used == alone.observations_used
        assert both.observations_ignored == alone.observations_ignored
        assert both.flows.equals(alone.flows)
        assert not any(o.startswith("turkish-straits") for o, _ in both.observations_ignored)
        d1 = dependence(kazakhstan, exporter="KAZ", year=year)
        d2 = dependence(merged, exporter="KAZ", year=year)
        assert d2.to_dict() == d1.to_dict()


def test_report_unchanged_with_chokepoints_merged(cli: CliRunner) -> None:
    alone = cli.invoke(app, ["report", "-p", "kazakhstan", "--format", "json"])
    both = cli.invoke(app, ["report", "-p", "kazakhstan,chokepoints", "--format", "json"])
    assert alone.exit_code == 0, alone.output
    assert both.exit_code == 0, both.output
    assert both.output == alone.output
    assert '"exporter": "KAZ"' in alone.output


# -- CLI and API ----------------------------------------------------------------------------------


def test_cli_json(cli: CliRunner) -> None:
    args = ["chokepoints", "-p", "kazakhstan,azerbaijan,chokepoints", "--year", "2023"]
    result = cli.invoke(app, [*args, "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert (data["year"], data["unit"]) == (2023, "Mbbl/day")
    assert set(data) == {
        "package",
        "year",
        "unit",
        "chokepoints",
        "exporters_passing_no_chokepoint",
    }
    straits = next(c for c in data["chokepoints"] if c["id"] == "turkish-straits")
    assert straits["throughput"]["value_mbbl_per_day"] == 3.4
    assert straits["throughput"]["source"] == "eia-chokepoints-2024-06-25"
    assert straits["exporters"][0]["exporter"] == "KAZ"
    assert 0.32 < straits["exporters"][0]["share"] < 0.36


def test_cli_table_and_bad_year(cli: CliRunner) -> None:
    result = cli.invoke(app, ["chokepoints", "--year", "2023"])
    assert result.exit_code == 0, result.output
    assert "Turkish Straits" in result.output
    assert re.search(r"3[2-5]\.\d%", result.output)
    bad = cli.invoke(app, ["chokepoints", "--year", "1990"])
    assert bad.exit_code != 0
    assert "1990" in bad.output


def test_api_endpoint(tmp_path: Path, caspian: corridor.Network) -> None:
    from fastapi.testclient import TestClient

    from corridor.store import Store
    from corridor.web.app import create_app

    store = Store(f"sqlite:///{tmp_path / 'runs.db'}")
    with TestClient(create_app(caspian, store)) as c:
        got = c.get("/api/chokepoints", params={"year": 2023})
        assert got.status_code == 200
        assert got.json() == chokepoint_traffic(caspian, year=2023).to_dict()
        assert c.get("/api/chokepoints", params={"year": 1990}).status_code == 404
