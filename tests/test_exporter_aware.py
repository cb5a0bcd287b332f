"""Exporter-aware figures, ``corridor packages`` and ``--package NAME`` (issue 14).

Every headline follows the exporter: its name, its top transit country, its main route; a
share is printed only where the package holds the exporter's total exports.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import corridor
from corridor.cli import app, load
from corridor.exceptions import UnknownError
from corridor.interdependence import ledger
from corridor.metrics import dependence, focus, key_figures, reports_total_exports
from corridor.package import builtin_names, builtin_packages, builtin_path, resolve_package

from .toy import FIGURE, Rows, toy_tables, write_package

PERCENT = re.compile(r"\d %")


def json_lines(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


# --- a neighbour's few flows: RUS in the Kazakhstan package ---------------------------------------


def test_rus_report_prints_no_share(cli: CliRunner, tmp_path: Path) -> None:
    html = tmp_path / "rus.html"
    res = cli.invoke(app, ["report", "--exporter", "RUS", "--html", str(html)])
    assert res.exit_code == 0, res.output
    page = html.read_text(encoding="utf-8")
    assert "Russian Federation year by year" in page
    assert PERCENT.search(page) is None
    out = res.output
    assert "Russian Federation year by year" in out
    assert "Kazakhstan year by year" not in out
    for wrong in ("via cpc", "bypassing RUS", "crossing RUS", "crossing Russian Federation"):
        assert wrong not in out
    assert "volume crossing Kazakhstan (of the flows in this package)" in out
    assert "withheld" in out
    assert PERCENT.search(out) is None, PERCENT.findall(out)


def test_rus_report_json_withholds_every_share(cli: CliRunner) -> None:
    res = cli.invoke(app, ["report", "--exporter", "RUS", "--format", "json"])
    assert res.exit_code == 0, res.output
    years = json_lines(res.output)
    assert years
    for y in years:
        assert y["shares_withheld"] is True
        assert y["total_exports"] is None
        assert y["hhi"] is None
        assert (y["focus_country"], y["focus_route"]) == ("KAZ", "kcp")
        for key in ("share_crossing", "share_via", "share_bypassing"):
            assert y[key]["value"] is None
            assert y[key]["high"] is None
        for key in ("share_by_route", "share_by_transit_country", "share_by_destination"):
            assert all(f["value"] is None for f in y[key].values())
    with_flows = [y for y in years if y["volume_by_route"]]
    assert with_flows  # the volumes stay
    assert all(y["share_by_transit_country"] for y in with_flows)


def test_rus_metrics_follow_its_own_transit_country(kazakhstan: corridor.Network) -> None:
    n = kazakhstan
    assert not reports_total_exports(n, "RUS")
    assert reports_total_exports(n, "KAZ")
    assert focus(n, "RUS") == ("KAZ", "kcp")
    m = dependence(n, exporter="RUS", year=2025)
    assert m.shares_withheld
    assert key_figures(m) == ["volume:crossing:KAZ", "volume:via:kcp"]
    assert m.share_crossing("KAZ") != m.share_crossing("KAZ")  # NaN: withheld
    assert m.hhi != m.hhi  # and so is the concentration of its routes
    e = m.estimate("volume:via:kcp")
    assert 9 < e.low <= e.high <= 10.5  # the volume stays, with its interval


def test_rus_ledger_row_names_both_ends_and_withholds_its_share(
    kazakhstan: corridor.Network,
) -> None:
    led = ledger(kazakhstan, "KAZ", "RUS", year=2025)
    rus = led[(led["dependent"] == "RUS") & (led["link"] == "exports crossing")].iloc[0]
    assert rus["what"].startswith("Russian Federation crude oil")
    assert "to China" in rus["what"]
    assert rus["what"].endswith("crossing Kazakhstan")
    assert rus["share"] is None or rus["share"] != rus["share"]
    assert "withheld" in rus["share_of"]
    kaz = led[(led["dependent"] == "KAZ") & (led["link"] == "exports crossing")].iloc[0]
    assert kaz["what"].startswith("Kazakhstan crude oil")
    assert kaz["what"].endswith("crossing Russian Federation")
    assert 0.5 < kaz["share"] <= 1


# --- KAZ: unchanged in substance ---------------------------------------------------------------


def test_kazakhstan_report_keeps_its_headline(cli: CliRunner) -> None:
    res = cli.invoke(app, ["report", "--format", "json", "--year", "2025"])
    assert res.exit_code == 0, res.output
    (y,) = json_lines(res.output)
    assert y["exporter"] == "KAZ"
    assert y["shares_withheld"] is False
    assert y["share_denominator"] == "total exports"
    assert (y["share_crossing"]["country"], y["share_via"]["route"]) == ("RUS", "cpc")
    crossing = y["share_crossing"]
    assert 0.8 < crossing["low"] <= crossing["value"] <= crossing["high"] <= 1
    table = cli.invoke(app, ["report", "--year", "2025"]).output
    assert "Kazakhstan year by year" in table
    assert "share crossing Russian Federation (territory or ports)" in table
    assert "share via cpc" in table


# --- a package of another exporter -------------------------------------------------------------


def azerbaijan_rows() -> Rows:
    """The toy with a second exporter, AZE, shipping from b through Georgia to Türkiye."""
    rows = toy_tables()
    rows["flows"] += [
        {"exporter": "AZE", "route": r, "year": 2024, "value": 6, "unit": "Mt/year", **FIGURE}
        for r in ("btc", "t2")
    ]
    rows["supply"].append(
        {
            "exporter": "AZE",
            "year": 2024,
            "quantity": "exports",
            "value": 10,
            "unit": "Mt/year",
            **FIGURE,
        }
    )
    return rows


def own_package(folder: Path, rows: Rows, exporter: str) -> Path:
    """Write a package whose own exporter is `exporter`, with no declared focus."""
    write_package(folder, rows)
    path = folder / "datapackage.json"
    desc = json.loads(path.read_text(encoding="utf-8"))
    desc["title"] = "Toy routes"
    desc["corridor"]["exporter"] = exporter
    del desc["corridor"]["focus"]
    path.write_text(json.dumps(desc), encoding="utf-8")
    return folder


def test_another_exporter_gets_its_own_transit_country(tmp_path: Path) -> None:
    n = corridor.load_package(write_package(tmp_path / "toy", azerbaijan_rows()))
    assert focus(n, "KAZ") == ("RUS", "a")  # the package's declared focus
    assert focus(n, "AZE") == ("GEO", "btc")  # derived: GEO and TUR tie at 6, then by name
    m = dependence(n, exporter="AZE", year=2024, flows=n.flows)
    assert not m.shares_withheld
    assert m.share_crossing("GEO") == pytest.approx(0.6)  # 6 of the 10 exported
    assert m.to_dict()["share_crossing"]["country"] == "GEO"


def test_another_exporter_without_its_total_is_withheld(tmp_path: Path) -> None:
    rows = azerbaijan_rows()
    rows["supply"] = [r for r in rows["supply"] if r["exporter"] != "AZE"]
    n = corridor.load_package(write_package(tmp_path / "toy", rows))
    m = dependence(n, exporter="AZE", year=2024, flows=n.flows)
    assert m.shares_withheld
    assert m.to_dict()["share_crossing"]["value"] is None
    assert m.estimate("volume:crossing:GEO").value == pytest.approx(6)


def test_report_of_a_package_of_another_exporter(tmp_path: Path, cli: CliRunner) -> None:
    rows = azerbaijan_rows()
    folder = own_package(tmp_path / "aze", rows, "AZE")
    res = cli.invoke(app, ["report", "-p", str(folder), "--year", "2024"])
    assert res.exit_code == 0, res.output
    out = res.output
    assert "Azerbaijan crude-oil exports by route, 2024" in out
    assert "share crossing Georgia (territory or ports)" in out
    assert "share via btc" in out
    assert "Azerbaijan year by year" in out
    for other in ("Kazakhstan", "Russia", "crossing RUS", "via cpc"):
        assert other not in out
    js = cli.invoke(app, ["report", "-p", str(folder), "--year", "2024", "-f", "json"])
    (y,) = json_lines(js.output)
    assert (y["exporter"], y["focus_country"], y["focus_route"]) == ("AZE", "GEO", "btc")
    assert y["share_crossing"]["value"] == pytest.approx(0.6)


# --- corridor packages and --package NAME ------------------------------------------------------


def test_builtin_names_are_the_data_folders_with_a_descriptor() -> None:
    data = builtin_path("kazakhstan").parent
    expected = sorted(p.name for p in data.iterdir() if (p / "datapackage.json").is_file())
    assert builtin_names() == expected
    assert "schema" not in expected  # a folder without a descriptor is no package


def test_packages_command_lists_the_builtins(cli: CliRunner) -> None:
    res = cli.invoke(app, ["packages", "--format", "json"])
    assert res.exit_code == 0, res.output
    found = json.loads(res.output)
    assert [p["name"] for p in found] == builtin_names()
    kaz = next(p for p in found if p["name"] == "kazakhstan")
    assert kaz["exporters"][0] == "KAZ"
    assert "RUS" in kaz["exporters"]
    assert kaz["commodities"][0] == "crude-oil"
    assert kaz["years"] == {"first": 2019, "last": 2026}
    assert kaz["title"] == corridor.load_package().meta.title
    table = cli.invoke(app, ["packages"])
    assert table.exit_code == 0
    for p in found:
        assert p["name"] in table.output


def test_builtin_packages_lists_one_that_does_not_load(tmp_path: Path) -> None:
    # every listed package either loads or carries its error: none is left out
    for p in builtin_packages():
        assert p["error"] is None or isinstance(p["error"], str)
        assert p["title"] is not None


def test_package_option_takes_a_builtin_name(cli: CliRunner) -> None:
    by_name = cli.invoke(app, ["report", "-p", "kazakhstan", "--year", "2024", "-f", "json"])
    default = cli.invoke(app, ["report", "--year", "2024", "-f", "json"])
    assert by_name.exit_code == 0, by_name.output
    assert json_lines(by_name.output) == json_lines(default.output)
    assert load(Path("kazakhstan")).meta.name == "kazakhstan"  # as `corridor serve -p` loads
    assert cli.invoke(app, ["validate", "kazakhstan"]).exit_code == 0


def test_unknown_package_name_lists_the_builtins(cli: CliRunner) -> None:
    res = cli.invoke(app, ["report", "-p", "atlantis"])
    assert res.exit_code != 0
    assert "atlantis" in res.output
    for name in builtin_names():
        assert name in res.output
    with pytest.raises(UnknownError, match=r"built-in packages: .*kazakhstan"):
        resolve_package("atlantis")


def test_an_existing_folder_wins_over_a_builtin_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_package(tmp_path / "kazakhstan", toy_tables())
    monkeypatch.chdir(tmp_path)
    assert resolve_package("kazakhstan") == Path("kazakhstan")
    assert corridor.load_package("kazakhstan").meta.name == "toy"
    assert resolve_package(None) is None
    missing = tmp_path / "nope"
    assert resolve_package(missing) == missing  # a path: loading says it is missing
