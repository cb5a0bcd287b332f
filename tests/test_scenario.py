"""Scenario files: pydantic validation and checks against the network, with file and line."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pytest

import corridor
from corridor.exceptions import CorridorError, InvalidArgumentError, UnknownError
from corridor.rerouting import Period, RerouteProblem
from corridor.scenario import (
    CHANGE_TYPES,
    AddRoute,
    CapacityOverride,
    Scenario,
    ScenarioError,
    apply_scenario,
    find_scenario,
    load_scenario,
    package_scenarios,
    parse_scenario,
    shift_years,
)

GOOD = """\
name: cut
years: [2025]
changes:
  - type: capacity_factor
    route: cpc
    factor: 0
"""


def errors(text: str, n: corridor.Network | None = None) -> list[str]:
    with pytest.raises(ScenarioError) as info:
        parse_scenario(text, "cut.yaml", n)
    return [str(p) for p in info.value.problems]


def test_good_scenario_parses(kazakhstan: corridor.Network) -> None:
    s = parse_scenario(GOOD, "cut.yaml", kazakhstan)
    assert s.name == "cut"
    assert s.years == [2025]
    assert s.changes[0].type == "capacity_factor"


def test_unknown_route_names_line_value_and_options(kazakhstan: corridor.Network) -> None:
    found = errors(GOOD.replace("route: cpc", "route: CPC2"), kazakhstan)
    assert len(found) == 1
    assert found[0].startswith(
        "cut.yaml line 5, field changes.0.route: unknown route 'CPC2'; known: tengiz-atyrau, "
    )
    assert "cpc, cpc-tankers" in found[0]
    assert found[0].endswith("got 'CPC2'")


def test_type_errors_are_collected(kazakhstan: corridor.Network) -> None:
    text = """\
name: bad
years: [2025]
colour: red
changes:
  - type: capacity_factor
    route: cpc
    factor: -1
  - type: teleport
    route: cpc
  - type: close_country
    country: Russia
"""
    found = errors(text, kazakhstan)
    assert "cut.yaml line 3, field colour: unknown field" in found
    assert any(
        p.startswith(
            "cut.yaml line 7, field changes.0.factor: Input should be greater "
            "than or equal to 0, got '-1'"
        )
        for p in found
    )
    assert any(
        p.startswith(
            "cut.yaml line 8, field changes.1: unknown change type; known: "
            "capacity_factor, set_capacity"
        )
        for p in found
    )
    # pydantic passes close_country: Russia; the network check does not
    found = errors(
        text.replace("colour: red\n", "")
        .replace("factor: -1", "factor: 0")
        .replace("  - type: teleport\n    route: cpc\n", ""),
        kazakhstan,
    )
    assert found == [
        "cut.yaml line 8, field changes.1.country: unknown country 'Russia'; known: AZE, BLR, "
        "CHN, DEU, GEO, KAZ, POL, RUS, TUR, got 'Russia'"
    ]


def test_bad_yaml_and_periods() -> None:
    assert errors("name: [unclosed\n")[0].startswith("cut.yaml line 2: not valid YAML")
    found = errors("name: x\nstart: 2025-05-01\nend: 2025-03-01\n")
    assert found == ["cut.yaml line 1: Value error, end 2025-03-01 must be after start 2025-05-01"]


def test_units_and_years_against_network(kazakhstan: corridor.Network) -> None:
    text = (
        GOOD.replace("[2025]", "[2031]") + "  - type: target\n    route: btc\n    value: 20\n"
        "    unit: Mt\n"
    )
    found = errors(text, kazakhstan)
    assert "cut.yaml line 2, field years.0: outside the package's years 2019–2026, got '2031'" in (
        found
    )
    assert any(
        p.startswith("cut.yaml line 10, field changes.1.unit: unit 'Mt' has dimension")
        for p in found
    )


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match=r"nope\.yaml: cannot read"):
        load_scenario(tmp_path / "nope.yaml")


def test_builtin_scenarios_load_and_cite_sources(kazakhstan: corridor.Network) -> None:
    known = package_scenarios(kazakhstan)
    assert set(known) == {
        "ceyhan-20",
        "cpc-terminal-outage-2m",
        "russia-transit-closed",
        "druzhba-germany-stopped",
        "btc-suspended",
        "kaz-wheat-ban-2024",
        "rus-agri-ban-2024",
        "rus-china-transit-halt",
    }
    for name in known:
        s = find_scenario(kazakhstan, name)
        assert s.description, name
        assert s.sources, name
        assert s.changes, name
    with pytest.raises(CorridorError, match="unknown scenario 'nope'; known: btc-suspended"):
        find_scenario(kazakhstan, "nope")


def test_shift_years_moves_dates(kazakhstan: corridor.Network) -> None:
    s = shift_years(find_scenario(kazakhstan, "cpc-terminal-outage-2m"), 2023)
    assert s.years == [2023]
    assert (s.changes[0].start, s.changes[0].end) == (date(2023, 3, 1), date(2023, 5, 1))


def test_change_types_follow_the_union() -> None:
    assert CHANGE_TYPES == (
        "capacity_factor",
        "set_capacity",
        "close_country",
        "close_operator",
        "add_route",
        "supply",
        "target",
        "price",
        "ban",
        "measure",
    )


def test_each_change_declares_what_it_refers_to() -> None:
    add = AddRoute(
        type="add_route", id="new", from_node="o1", to_node="m", capacity=5, chokepoints=["k"]
    )
    assert [(r.kind, r.value, r.field) for r in add.references()] == [
        ("node", "o1", ("from_node",)),
        ("node", "m", ("to_node",)),
        ("new_route", "new", ("id",)),
        ("chokepoint", "k", ("chokepoints", 0)),
        ("rate_unit", "Mt/year", ("unit",)),
    ]


def test_apply_gives_each_change_its_meaning(toy: corridor.Network) -> None:
    s = Scenario(
        name="all",
        years=[2024],
        apply_events=True,
        changes=[
            {"type": "capacity_factor", "route": "a", "factor": 0.5, "start": "2024-06-01"},
            {"type": "set_capacity", "route": "s", "value": 25},
            {"type": "set_capacity", "node": "o2", "exporter": "KAZ", "value": 9},
            # another exporter's allocation does not limit KAZ
            {"type": "set_capacity", "route": "k", "exporter": "RUS", "value": 1},
            {"type": "close_country", "country": "GEO"},
            {"type": "close_operator", "operator": "Beta"},
            {"type": "add_route", "id": "new", "from_node": "o1", "to_node": "m", "capacity": 5},
            {"type": "supply", "node": "o1", "change": -10},
            {"type": "target", "route": "btc", "value": 8},
            {
                "type": "ban",
                "commodity": "crude-oil",
                "exporter": "KAZ",
                "importer": "CHN",
                "start": "2024-02-01",
            },
            {"type": "price", "value": 80, "unit": "USD/bbl"},
        ],
    )
    s.check_against(toy)
    inputs = apply_scenario(s, toy, exporter="KAZ", year=2024)
    factors = {(i.route, i.cause): (i.start, i.end, i.factor) for i in inputs.intervals}
    assert factors == {
        ("a", "event storm"): (date(2024, 3, 1), date(2024, 4, 1), 0.2),
        ("a", "capacity_factor"): (date(2024, 6, 1), None, 0.5),
        ("btc", "close_country GEO"): (None, None, 0.0),
        ("s", "close_operator Beta"): (None, None, 0.0),
        ("p", "ban into CHN"): (date(2024, 2, 1), None, 0.0),
    }
    assert inputs.capacities == (
        CapacityOverride("route", "s", "", 25.0),
        CapacityOverride("node", "o2", "KAZ", 9.0),
    )
    assert (inputs.added, inputs.added_capacity, inputs.added_cost) == (("new",), (5.0,), (0.0,))
    assert inputs.routes.at["new", "from_node"] == "o1"
    assert inputs.supply == (("o1", -10.0),)
    assert inputs.targets == (("btc", 8.0),)
    assert (inputs.price, inputs.price_source) == (pytest.approx(80 * 7.5), "scenario")
    # the re-routing problem reads them without looking at a change type
    problem = RerouteProblem(toy, inputs)
    i = problem.route_ids.index
    assert (problem.whole[i("s")], problem.whole[i("new")], problem.allocation[i("k")]) == (
        25,
        5,
        np.inf,
    )
    assert problem.node_allocation[problem.cap_node_ids.index("o2")] == 9
    assert problem.supply_change == pytest.approx(-10)
    june = Period("2024-06", date(2024, 6, 1), date(2024, 7, 1))
    assert problem.factors(june)[i("a")] == 0.5
    assert problem.factors(june)[i("p")] == 0.0


def test_library_errors_are_leaves_without_cli_flags(kazakhstan: corridor.Network) -> None:
    with pytest.raises(UnknownError) as info:
        find_scenario(kazakhstan, "nope")
    assert info.value.kind == "scenario"
    s = Scenario(name="spring", start=date(2025, 3, 1), end=date(2025, 5, 1))
    with pytest.raises(InvalidArgumentError, match="only a single-year scenario") as moved:
        shift_years(s, 2023)
    assert "--" not in str(moved.value)
