"""`corridor compare`: every exporter's dependence, concentration and N-1 loss, ranked."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

import corridor
from corridor.cli import app
from corridor.compare import compare
from corridor.package import builtin_path

from .toy import exited


def test_the_toy_exporter_by_hand(toy: corridor.Network) -> None:
    (row,) = compare(toy, year=2024).rows
    # 2024: total 100 Mt; a 60 and s 20 cross Russia (80 %); p 4 to China; k 10 to AZE
    assert row.exports is not None
    assert row.exports.value == pytest.approx(100)
    assert (row.top_transit, row.top_transit_share.value) == ("RUS", pytest.approx(0.80))
    assert (row.main_route, row.main_route_share.value) == ("a", pytest.approx(0.60))
    # HHI of the export routes' shares of the routed 94 Mt
    assert row.hhi == pytest.approx(sum((100 * v / 94) ** 2 for v in (60, 20, 4, 10)))
    # closing Russia re-routes its 80 Mt to the uncapped P pipeline; o2's 10 Mt has no way but
    # k: closing k strands all of it, over 2024's 366 days (a year is 365.25 days)
    assert row.worst is not None
    assert row.worst.closed == "route k"
    assert row.worst.stranded == pytest.approx(10 * 366 / 365.25)


def test_an_exporter_with_a_few_flows_only_is_marked_and_ranked_last(
    kazakhstan: corridor.Network,
) -> None:
    rows = compare(kazakhstan, year=2023, outages=False).rows
    assert rows[0].exporter == "KAZ"
    assert rows[0].denominator == "total exports"
    russia = next(r for r in rows if r.exporter == "RUS")
    assert russia.exports is None
    assert russia.denominator == "the flows in this package"
    assert russia.top_transit == "KAZ"  # by volume; no share without Russia's total exports
    assert russia.top_transit_share is None
    assert rows.index(russia) > 0


def test_compare_cli_json_and_table() -> None:
    cli = CliRunner()
    res = cli.invoke(app, ["compare", "--year", "2023", "-f", "json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    kaz = next(r for r in out["exporters"] if r["exporter"] == "KAZ")
    assert kaz["top_transit_country"] == "RUS"
    assert kaz["top_transit_share"]["low"] <= kaz["top_transit_share"]["value"]
    assert kaz["largest_n1_loss"]["closed"] == "country RUS"
    table = cli.invoke(app, ["compare", "--year", "2023"])
    assert table.exit_code == 0
    assert "most dependent on one transit country first" in table.stdout
    bad = cli.invoke(app, ["compare", "--year", "1800"])
    exited(bad, 2)


def test_every_built_in_exporter_ranked_on_the_merged_packages() -> None:
    from corridor.package.merge import load_merged

    names = ["kazakhstan", "azerbaijan", "turkmenistan", "kurdistan"]
    names += ["south-sudan", "niger", "chad", "uganda"]
    n = load_merged([builtin_path(x) for x in names])
    rows = {r.exporter: r for r in compare(n, outages=False).rows}
    # the transit country the research notes name for each (Uganda: EACOP not flowing yet)
    expected = {
        "AZE": {"GEO", "TUR"},
        "TKM": {"AZE", "GEO", "TUR"},
        "IRQ": {"TUR"},
        "SSD": {"SDN"},
        "NER": {"BEN"},
        "TCD": {"CMR"},
        "KAZ": {"RUS"},
    }
    for exporter, countries in expected.items():
        assert rows[exporter].top_transit in countries, exporter
    # seven exporters and Russia's transit flows; Uganda has no figures yet in the merge
    assert len(rows) == 8
    assert "UGA" not in rows
    # alone, Uganda's package lists it, with no flows to rank (EACOP is not flowing yet)
    (uga,) = compare(corridor.load_package(builtin_path("uganda")), outages=False).rows
    assert (uga.exporter, uga.denominator, uga.top_transit) == (
        "UGA",
        "no flows in the package",
        None,
    )
    # BTC is one asset in the merged network, carrying Azerbaijani, Kazakh and Turkmen oil
    btc = n.flows[n.flows["route"] == "btc"]
    assert {"AZE", "KAZ"} <= set(btc["exporter"])
    assert list(n.routes.index).count("btc") == 1
