"""Several packages as one network: shared ids are one asset, and a conflict is an error."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

import corridor
from corridor.exceptions import PackageValidationError
from corridor.package.merge import merge_networks
from corridor.rerouting import reroute
from corridor.scenario import Scenario

from .toy import Rows, exited, toy_tables, write_package


def _second_exporter(rows: Rows) -> None:
    """Make the toy another exporter's: AZE ships 5 Mt a year on the Caspian leg and BTC."""
    rows["flows"] = [
        {**f, "exporter": "AZE", "value": 5}
        for f in rows["flows"]
        if f["route"] in ("k", "btc", "t2") and f["year"] == 2024
    ]
    rows["supply"] = [
        {**s, "exporter": "AZE", "value": 5} for s in rows["supply"] if s["quantity"] == "exports"
    ]
    rows["capacities"] = [c for c in rows["capacities"] if not c.get("exporter")]


def _two(tmp_path: Path, edit: Callable[[Rows], None]) -> list[corridor.Network]:
    first = write_package(tmp_path / "first", toy_tables())
    rows = toy_tables()
    edit(rows)
    second = write_package(tmp_path / "second", rows)
    return [corridor.load_package(first), corridor.load_package(second)]


def test_shared_assets_are_one_and_both_exporters_use_them(tmp_path: Path) -> None:
    a, b = _two(tmp_path, _second_exporter)
    n = merge_networks([a, b])
    assert len(n.routes) == len(a.routes)  # the same routes, once
    assert set(n.exporters()) == {"AZE", "KAZ"}
    # a BTC outage strands both exporters' oil: BTC is their only way from the Caspian leg
    cut = Scenario(
        name="BTC outage",
        years=[2024],
        changes=[{"type": "capacity_factor", "route": "btc", "factor": 0}],
    )
    stranded = {e: reroute(n, cut, exporter=e).total["stranded"] for e in ("KAZ", "AZE")}
    # all of AZE's 5 Mt/year over 2024's 366 days (a year is 365.25 days): k → b has no other way
    assert stranded["AZE"] == pytest.approx(5.0 * 366 / 365.25)
    assert stranded["KAZ"] > 0


def test_a_shared_id_defined_twice_differently_names_both_files(tmp_path: Path) -> None:
    def rename(rows: Rows) -> None:
        _second_exporter(rows)
        for node in rows["nodes"]:
            if node["id"] == "b":
                node["name"] = "Another terminal"

    a, b = _two(tmp_path, rename)
    with pytest.raises(PackageValidationError) as info:
        merge_networks([a, b])
    text = str(info.value)
    assert "second/nodes.csv" in text
    assert "first/nodes.csv" in text
    assert "field name" in text
    assert "Another terminal" in text


def test_one_package_is_returned_as_it_is(kazakhstan: corridor.Network) -> None:
    assert merge_networks([kazakhstan]) is kazakhstan


def test_the_cli_reads_several_packages_as_one() -> None:
    import json

    from typer.testing import CliRunner

    from corridor.cli import app

    cli = CliRunner()
    res = cli.invoke(
        app, ["compare", "-p", "kazakhstan,azerbaijan", "--year", "2024", "-f", "json"]
    )
    assert res.exit_code == 0, res.output
    rows = {r["exporter"]: r for r in json.loads(res.stdout)["exporters"]}
    # Azerbaijan's own package holds its 2024 total (24.4 Mt): its shares are of that total
    assert rows["AZE"]["exports_mt"]["value"] == pytest.approx(24.4)
    assert rows["KAZ"]["top_transit_country"] == "RUS"
    bad = cli.invoke(app, ["compare", "-p", "kazakhstan,atlantis"])
    exited(bad, (1, 2))
    assert "atlantis" in bad.output
