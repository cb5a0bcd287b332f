"""Validation: every rule has a failing fixture and an assertion on its message."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import corridor
from corridor.exceptions import Problem
from corridor.network import OBSERVATION_COLUMNS
from corridor.package import (
    builtin_path,
    describe,
    load_package,
    package_summary,
    validate_package,
)
from corridor.package.build import add_canonical_columns, table_frame
from corridor.package.checks import (
    check_for_capacities_without_one_asset,
    check_for_cycles,
    check_for_duplicate_keys,
    check_for_events_ending_before_start,
    check_for_flows_above_capacity,
    check_for_flows_above_exports,
    check_for_incomplete_risks,
    check_for_misplaced_exporters,
    check_for_missing_or_unordered_figures,
    check_for_nodes_without_country,
    check_for_observation_periods_outside_years,
    check_for_periods_outside_years,
    check_for_risks_matching_events,
    check_for_risks_without_target,
    check_for_route_commodities_without_unit,
    check_for_scopes_not_allowed_by_measure,
    check_for_units_needing_a_grade,
    check_for_unknown_focus_route,
    check_for_unknown_references,
    check_for_unknown_scope_targets,
)
from corridor.package.read import TableRows, csv_records
from corridor.schema import tables

from .toy import TOY_OBSERVATIONS, observation

MakeToy = Callable[..., Path]


def problems(folder: Path) -> list[str]:
    return [str(p) for p in validate_package(folder)]


def only(folder: Path) -> str:
    found = problems(folder)
    assert len(found) == 1, found
    return found[0]


def set_row(table: str, index: int, **values: Any) -> Callable[[dict[str, Any]], None]:
    def edit(rows: dict[str, Any]) -> None:
        rows[table][index].update(values)

    return edit


def test_toy_is_valid(make_toy: MakeToy) -> None:
    assert problems(make_toy()) == []


def test_missing_table(make_toy: MakeToy) -> None:
    folder = make_toy()
    desc = json.loads((folder / "datapackage.json").read_text())
    desc["resources"] = [r for r in desc["resources"] if r["name"] != "flows"]
    (folder / "datapackage.json").write_text(json.dumps(desc))
    assert only(folder) == (
        "datapackage.json, field resources: missing table 'flows' "
        "(a resource named flows with path flows.csv)"
    )


def test_missing_file(make_toy: MakeToy) -> None:
    folder = make_toy()
    (folder / "events.csv").unlink()
    assert only(folder) == "events.csv: missing file for table 'events'"


def test_missing_descriptor_and_bad_json(make_toy: MakeToy) -> None:
    folder = make_toy()
    (folder / "datapackage.json").write_text("{not json")
    assert "datapackage.json line 1: not valid JSON" in only(folder)
    (folder / "datapackage.json").unlink()
    assert only(folder).startswith("datapackage.json: missing; expected it in ")


def test_missing_and_unknown_column(make_toy: MakeToy) -> None:
    folder = make_toy()
    text = (folder / "flows.csv").read_text().replace(",unit,", ",units,", 1)
    (folder / "flows.csv").write_text(text)
    found = problems(folder)
    assert "flows.csv line 1, field unit: missing column" in found
    assert any(
        p.startswith("flows.csv line 1, field units: unknown column; known: ") for p in found
    )


def test_duplicate_id_and_key(make_toy: MakeToy) -> None:
    def edit(rows: dict[str, Any]) -> None:
        rows["routes"][3]["id"] = "a"
        rows["flows"].append(dict(rows["flows"][0]))
        rows["routes"] = rows["routes"]

    found = problems(make_toy(edit))
    assert "routes.csv line 5, field id: duplicate id (first on line 2), got 'a'" in found
    assert (
        "flows.csv line 12, field exporter/route/year: duplicate key (exporter, route, year) "
        "(first on line 2), got 'KAZ/a/2024'"
    ) in found


def test_unknown_references(make_toy: MakeToy) -> None:
    def edit(rows: dict[str, Any]) -> None:
        rows["routes"][0]["to_node"] = "zz"
        rows["routes"][1]["chokepoints"] = "straits|hormuz"
        rows["flows"][0]["route"] = "cpc2"
        rows["flows"][1]["source"] = "nowhere"

    found = problems(make_toy(edit))
    assert (
        "routes.csv line 2, field to_node: unknown node 'zz'; known: o1, o2, r, h, b, c, m, x"
    ) in found
    assert (
        "routes.csv line 3, field chokepoints: unknown chokepoint 'hormuz'; known: straits" in found
    )
    assert (
        "flows.csv line 2, field route: unknown route 'cpc2'; known: a, t1, s, p, k, btc, t2"
    ) in found
    assert (
        "flows.csv line 3, field source: unknown source 'nowhere'; known: toy-src, toy-total"
        in found
    )


def test_unknown_country_code(make_toy: MakeToy) -> None:
    def edit(rows: dict[str, Any]) -> None:
        rows["nodes"][2]["country"] = "RU"
        rows["routes"][5]["transit"] = "GEO|Turkey"

    found = problems(make_toy(edit))
    assert found == [
        "nodes.csv line 4, field country: must be an ISO 3166-1 alpha-3 country code "
        "(e.g. KAZ, RUS, TUR), got 'RU'",
        "routes.csv line 7, field transit: must be an ISO 3166-1 alpha-3 country code "
        "(e.g. KAZ, RUS, TUR), got 'Turkey'",
    ]


def test_non_numeric_and_negative_quantity(make_toy: MakeToy) -> None:
    def edit(rows: dict[str, Any]) -> None:
        rows["flows"][0]["value"] = "sixty"
        rows["capacities"][0]["value"] = -5
        rows["nodes"][0]["lat"] = 95

    found = problems(make_toy(edit))
    assert "flows.csv line 2, field value: must be a number, got 'sixty'" in found
    assert "capacities.csv line 2, field value: must be >= 0, got '-5'" in found
    assert "nodes.csv line 2, field lat: must be between -90 and 90, got '95'" in found


def test_bad_units(make_toy: MakeToy) -> None:
    def edit(rows: dict[str, Any]) -> None:
        rows["flows"][0]["unit"] = "Mt/yeer"
        rows["flows"][1]["unit"] = "Mt"
        rows["flows"][2]["unit"] = "kbbl/day"  # a volume rate with no grade

    found = problems(make_toy(edit))
    assert (
        "flows.csv line 2, field unit: cannot parse unit 'Mt/yeer' (e.g. 'Mt/year', 'kbbl/day')"
    ) in found
    assert any(
        p.startswith(
            "flows.csv line 3, field unit: unit 'Mt' has dimension [mass]; expected a rate"
        )
        for p in found
    )
    assert (
        "flows.csv line 4, field grade: is required with the unit 'kbbl/day': converting "
        "barrels to tonnes needs a grade; known: light"
    ) in found


def test_volume_unit_with_grade_is_converted(make_toy: MakeToy) -> None:
    # 20 Mt/year of a 7.5 bbl/t grade is 20e6 * 7.5 / 365.25 bbl/day
    kbd = 20e6 * 7.5 / 365.25 / 1e3
    folder = make_toy(set_row("flows", 2, value=kbd, unit="kbbl/day", grade="light"))
    n = corridor.load_package(folder)
    s = n.flows[(n.flows["route"] == "s") & (n.flows["year"] == 2024)]
    assert float(s["volume"].iloc[0]) == pytest.approx(20)


def test_flow_above_capacity_and_allocation(make_toy: MakeToy) -> None:
    def edit(rows: dict[str, Any]) -> None:
        for f in rows["flows"]:
            if (f["route"], f["year"]) in {("a", 2024), ("t1", 2024)}:
                f["value"] = 70  # capacity of a from 2024 is 80: fine
            if (f["route"], f["year"]) in {("btc", 2024), ("t2", 2024)}:
                f["value"] = 9  # KAZ's btc allocation is 8
            if (f["route"], f["year"]) == ("k", 2024):
                f["value"] = 13  # node o2 may ship 12
        rows["capacities"][1]["year"] = 2025  # so 2024 falls under the 67 from 2023
        rows["supply"][0]["value"] = 110

    found = problems(make_toy(edit))
    assert sorted(found) == [
        "flows.csv line 2, field value: flows on route 'a' in 2024 (lines 2) sum to 70.000 "
        "Mt/year, above its capacity of 67.000 Mt/year (capacities.csv line 2), got '70.000'",
        "flows.csv line 6, field value: flows on node 'o2' in 2024 (lines 6) sum to 13.000 "
        "Mt/year, above its capacity of 12.000 Mt/year (capacities.csv line 4), got '13.000'",
        "flows.csv line 7, field value: flows on route 'btc' in 2024 (lines 7) sum to 9.000 "
        "Mt/year, above KAZ's allocation of 8.000 Mt/year (capacities.csv line 5), "
        "got '9.000'",
    ]


def test_period_outside_declared_range(make_toy: MakeToy) -> None:
    def edit(rows: dict[str, Any]) -> None:
        rows["flows"][0]["year"] = 2031
        rows["events"][0]["start"] = "2018-05-01"

    found = problems(make_toy(edit))
    assert (
        "flows.csv line 2, field year: outside the package's declared years 2019–2026, got '2031'"
        in found
    )
    assert (
        "events.csv line 2, field start: outside the package's declared years 2019–2026, "
        "got '2018-05-01'"
    ) in found


def test_event_dates_and_capacity_asset(make_toy: MakeToy) -> None:
    def edit(rows: dict[str, Any]) -> None:
        rows["events"][0]["end"] = "2024-02-01"
        rows["events"].append({**rows["events"][0], "id": "bad", "start": "2024-13-01", "end": ""})
        rows["capacities"][0]["node"] = "o1"

    found = problems(make_toy(edit))
    assert "events.csv line 2, field end: must be after start 2024-03-01, got '2024-02-01'" in found
    assert "events.csv line 3, field start: must be a date YYYY-MM-DD, got '2024-13-01'" in found
    assert (
        "capacities.csv line 2, field route/node: set exactly one of route and node, "
        "got 'route=a, node=o1'"
    ) in found


def test_flows_beyond_total_exports_and_cycles(make_toy: MakeToy) -> None:
    def edit(rows: dict[str, Any]) -> None:
        rows["routes"].append(
            {**rows["routes"][0], "id": "back", "from_node": "r", "to_node": "o1"}
        )
        rows["flows"].append({**rows["flows"][0], "route": "back", "value": 1})
        rows["supply"][0]["value"] = 50

    found = problems(make_toy(edit))
    assert any("flows of KAZ in 2024 form a cycle: o1 → r → o1" in p for p in found)
    assert any(
        "KAZ's flows leaving their origins in 2024 sum to" in p
        and "more than its total exports of 50.000 Mt/year (supply.csv line 2)" in p
        for p in found
    )


def test_enum_and_required(make_toy: MakeToy) -> None:
    def edit(rows: dict[str, Any]) -> None:
        rows["flows"][0]["confidence"] = "certain"
        rows["routes"][0]["name"] = ""
        rows["nodes"][0]["country"] = ""

    found = problems(make_toy(edit))
    assert (
        "flows.csv line 2, field confidence: must be one of high, medium, low, got 'certain'"
        in found
    )
    assert "routes.csv line 2, field name: is required; the cell is empty" in found
    assert (
        "nodes.csv line 2, field country: is required for a node of kind 'hub' "
        "(blank only for a market)"
    ) in found


def test_all_problems_at_once_and_nothing_loaded(make_toy: MakeToy) -> None:
    def edit(rows: dict[str, Any]) -> None:
        rows["flows"][0]["value"] = -1
        rows["nodes"][1]["country"] = "XXX"
        rows["routes"][2]["from_node"] = "nowhere"

    folder = make_toy(edit)
    with pytest.raises(corridor.PackageValidationError) as info:
        corridor.load_package(folder)
    assert len(info.value.problems) == 3
    assert "has 3 problems" in str(info.value)


def test_risk_rows_are_checked_against_their_events(make_toy: MakeToy) -> None:
    fig = {"source": "toy-src", "confidence": "low"}

    def edit(rows: dict[str, Any]) -> None:
        rows["risks"] = [
            # one 31-day storm (factor 0.2) over 2024 only: frequency 1, 31 days, factor 0.2
            {
                "id": "ok",
                "name": "A",
                "routes": "a",
                "process": "poisson",
                "frequency": 1,
                "duration_days": 31,
                "capacity_factor": 0.2,
                "events": "storm",
                "window_first": 2024,
                "window_last": 2024,
                "basis": "derived",
                **fig,
            },
            {
                "id": "off",
                "name": "A",
                "routes": "a",
                "process": "poisson",
                "frequency": 2,
                "duration_days": 31,
                "capacity_factor": 0.2,
                "events": "storm",
                "window_first": 2024,
                "window_last": 2024,
                "basis": "derived",
                **fig,
            },
            {
                "id": "nowhere",
                "name": "B",
                "process": "monthly",
                "frequency": 1,
                "capacity_factor": 0,
                "basis": "estimate",
                "note": "why",
                **fig,
            },
            {
                "id": "silent",
                "name": "C",
                "country": "RUS",
                "process": "poisson",
                "frequency": 0.1,
                "capacity_factor": 0,
                "basis": "estimate",
                **fig,
            },
        ]

    assert sorted(problems(make_toy(edit))) == [
        "risks.csv line 3, field frequency: does not match its events: they give 1.000, got '2.0'",
        "risks.csv line 4, field routes/chokepoint/country: set at least one of routes, "
        "chokepoint and country",
        "risks.csv line 5, field duration_days: is required for a poisson process",
        "risks.csv line 5, field note: an assumption needs its rationale in note",
    ]


# -- the CSV reader -------------------------------------------------------------------------


def test_quoted_cell_with_a_line_break_is_one_cell(make_toy: MakeToy) -> None:
    def edit(rows: dict[str, Any]) -> None:
        rows["flows"][0]["note"] = "first line\nsecond line"
        rows["flows"][1]["value"] = "sixty"

    folder = make_toy(edit)
    # Row 1 of flows.csv spans lines 2-3, so row 2 starts on physical line 4.
    assert only(folder) == "flows.csv line 4, field value: must be a number, got 'sixty'"
    folder = make_toy(set_row("flows", 0, note="first line\nsecond line"))
    n = load_package(folder)
    assert "first line\nsecond line" in set(n.flows["note"])


def test_unclosed_quote_is_a_problem_not_a_swallowed_file(make_toy: MakeToy) -> None:
    folder = make_toy()
    lines = (folder / "flows.csv").read_text().splitlines(keepends=True)
    lines[2] = lines[2].replace("KAZ", '"KAZ', 1)  # a quote opened on line 3, never closed
    (folder / "flows.csv").write_text("".join(lines))
    assert only(folder) == (
        "flows.csv line 3: is not valid CSV (unexpected end of data); "
        "is a quote on this row left open?"
    )


def test_csv_records_report_the_line_each_record_starts_on() -> None:
    text = 'id,note\r\na,"x\r\ny\r\nz"\r\n\r\nb,w\r\n'
    assert list(csv_records(text)) == [
        (1, ["id", "note"]),
        (2, ["a", "x\r\ny\r\nz"]),
        (5, []),
        (6, ["b", "w"]),
    ]


cell_text = st.text(alphabet='ab ,"\n', max_size=6)


@given(st.lists(st.lists(cell_text, min_size=2, max_size=2), min_size=1, max_size=5))
def test_csv_records_round_trip_with_line_numbers(records: list[list[str]]) -> None:
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\n").writerows(records)
    read = list(csv_records(out.getvalue()))
    assert [cells for _, cells in read] == records
    # each record starts one line below the previous record's last line
    starts = [1]
    for record in records[:-1]:
        starts.append(starts[-1] + 1 + sum(c.count("\n") for c in record))
    assert [line for line, _ in read] == starts


# -- one test per check_for_* rule, on a tiny input -------------------------------------------


def rows(name: str, *records: dict[str, Any]) -> TableRows:
    return TableRows.from_records(name, records)


def package(**given: TableRows) -> dict[str, TableRows]:
    """Every table of the schema, empty unless given."""
    return {name: given.get(name) or rows(name) for name in tables()}


def shown(found: list[Problem]) -> list[str]:
    return [str(p) for p in found]


def test_check_for_periods_outside_years() -> None:
    flows = rows("flows", {"year": 2030}, {"year": 2024})
    events = rows(
        "events",
        {"start": date(2024, 1, 1), "end": date(2027, 1, 1)},  # exclusive end: allowed
        {"start": date(2018, 12, 31), "end": date(2027, 1, 2)},
    )
    found = check_for_periods_outside_years({"flows": flows, "events": events}, 2019, 2026)
    assert shown(found) == [
        "flows.csv line 2, field year: outside the package's declared years 2019–2026, got '2030'",
        "events.csv line 3, field start: outside the package's declared years 2019–2026, "
        "got '2018-12-31'",
        "events.csv line 3, field end: outside the package's declared years 2019–2026, "
        "got '2027-01-02'",
    ]


def test_check_for_nodes_without_country() -> None:
    nodes = rows("nodes", {"kind": "market"}, {"kind": "port"}, {"kind": "port", "country": "KAZ"})
    assert shown(check_for_nodes_without_country(nodes)) == [
        "nodes.csv line 3, field country: is required for a node of kind 'port' "
        "(blank only for a market)"
    ]


def test_check_for_capacities_without_one_asset() -> None:
    caps = rows("capacities", {"route": "a"}, {"route": "a", "node": "o1"}, {})
    assert shown(check_for_capacities_without_one_asset(caps)) == [
        "capacities.csv line 3, field route/node: set exactly one of route and node, "
        "got 'route=a, node=o1'",
        "capacities.csv line 4, field route/node: set exactly one of route and node, "
        "got 'route=, node='",
    ]


def test_check_for_events_ending_before_start() -> None:
    events = rows(
        "events",
        {"start": date(2024, 3, 1), "end": date(2024, 3, 1)},
        {"start": date(2024, 3, 1), "end": date(2024, 3, 2)},
    )
    assert shown(check_for_events_ending_before_start(events)) == [
        "events.csv line 2, field end: must be after start 2024-03-01, got '2024-03-01'"
    ]


def test_check_for_risks_without_target() -> None:
    risks = rows("risks", {"id": "r"}, {"id": "s", "routes": ("a",)}, {"id": "t", "country": "RUS"})
    assert shown(check_for_risks_without_target(risks)) == [
        "risks.csv line 2, field routes/chokepoint/country: set at least one of routes, "
        "chokepoint and country"
    ]


def test_check_for_incomplete_risks() -> None:
    risks = rows(
        "risks",
        {"process": "poisson", "duration_days": 3.0, "basis": "estimate", "note": "why"},
        {"process": "poisson", "basis": "estimate"},
    )
    assert shown(check_for_incomplete_risks(risks)) == [
        "risks.csv line 3, field duration_days: is required for a poisson process",
        "risks.csv line 3, field note: an assumption needs its rationale in note",
    ]


def test_check_for_risks_matching_events() -> None:
    # Two events over 2023-2024: once a year, 10 and 20 days (mean 15, sd 7.071), factor 0.5.
    events = rows(
        "events",
        {"id": "e1", "start": date(2023, 1, 1), "end": date(2023, 1, 11), "capacity_factor": 0.5},
        {"id": "e2", "start": date(2024, 1, 1), "end": date(2024, 1, 21), "capacity_factor": 0.5},
    )
    window = {"basis": "derived", "events": ("e1", "e2"), "window_first": 2023, "window_last": 2024}
    risks = rows(
        "risks",
        {**window, "frequency": 1.0, "duration_days": 15.0, "duration_sd_days": 7.071},
        {**window, "frequency": 1.0, "duration_days": 16.0, "capacity_factor": 0.5},
        {**window, "window_last": 2022},
        {"basis": "estimate", "frequency": 9.0},  # not derived: not compared
    )
    assert shown(check_for_risks_matching_events(risks, events)) == [
        "risks.csv line 3, field duration_days: does not match its events: they give 15.000, "
        "got '16.0'",
        "risks.csv line 4, field events: a derived risk lists the events and the window "
        "(window_first, window_last) it is counted over",
    ]


def test_check_for_units_needing_a_grade() -> None:
    flows = rows(
        "flows",
        {"value": 1.0, "unit": "kbbl/day"},
        {"value": 1.0, "unit": "kbbl/day", "grade": "light"},
        {"value": 1.0, "unit": "Mt/year"},
    )
    prices = rows("prices", {"value": 80.0, "unit": "USD/bbl"})
    grades = rows("grades", {"id": "light"})
    found = check_for_units_needing_a_grade({"grades": grades, "flows": flows, "prices": prices})
    assert shown(found) == [
        "flows.csv line 2, field grade: is required with the unit 'kbbl/day': converting "
        "barrels to tonnes needs a grade; known: light",
        "prices.csv line 2, field grade: is required with the unit 'USD/bbl': converting "
        "barrels to tonnes needs a grade; known: light",
    ]


def test_check_for_duplicate_keys() -> None:
    flows = rows(
        "flows",
        {"exporter": "KAZ", "route": "a", "year": 2024},
        {"exporter": "KAZ", "route": "a", "year": 2023},
        {"exporter": "KAZ", "route": "a", "year": 2024},
    )
    assert shown(check_for_duplicate_keys({"flows": flows})) == [
        "flows.csv line 4, field exporter/route/year: duplicate key (exporter, route, year) "
        "(first on line 2), got 'KAZ/a/2024'"
    ]


def test_check_for_unknown_references() -> None:
    parsed = package(
        nodes=rows("nodes", {"id": "o1"}, {"id": "m"}),
        routes=rows(
            "routes",
            {"id": "a", "from_node": "o1", "to_node": "m", "commodity": "crude-oil"},
            {"id": "b", "from_node": "o1", "to_node": "zz", "chokepoints": ("hormuz",)},
        ),
    )
    assert shown(check_for_unknown_references(parsed, "crude-oil")) == [
        "routes.csv line 3, field to_node: unknown node 'zz'; known: o1, m",
        "routes.csv line 3, field chokepoints: unknown chokepoint 'hormuz'; known: (none)",
    ]


def test_check_for_unknown_focus_route() -> None:
    routes = rows("routes", {"id": "a"}, {"id": "b"})
    assert check_for_unknown_focus_route(routes, None) == []
    assert check_for_unknown_focus_route(routes, "a") == []
    assert shown(check_for_unknown_focus_route(routes, "cpc")) == [
        "datapackage.json, field corridor.focus.route: unknown route 'cpc'; known: a, b"
    ]


def test_check_for_route_commodities_without_unit() -> None:
    routes = rows("routes", {"id": "a", "commodity": "crude-oil"}, {"id": "g", "commodity": "gas"})
    commodities = rows("commodities", {"id": "power", "unit": "TWh/year"}, {"id": "gas"})
    found = check_for_route_commodities_without_unit(routes, commodities, "crude-oil")
    assert shown(found) == [
        "routes.csv line 3, field commodity: unknown commodity; known: crude-oil, power "
        "(add it to commodities.csv with its unit), got 'gas'"
    ]


def tiny_graph() -> TableRows:
    # o1 --a--> r --t--> m, and a route back from r to o1.
    return rows(
        "routes",
        {"id": "a", "from_node": "o1", "to_node": "r"},
        {"id": "t", "from_node": "r", "to_node": "m"},
        {"id": "back", "from_node": "r", "to_node": "o1"},
    )


def flow(route: str, volume: float, exporter: str = "KAZ", year: int = 2024) -> dict[str, Any]:
    return {"exporter": exporter, "route": route, "year": year, "volume": volume}


def test_check_for_flows_above_capacity() -> None:
    # Route a: 10 from 2020, 50 from 2025; so 2024 is under 10. KAZ's allocation on t is 4.
    caps = rows(
        "capacities",
        {"route": "a", "year": 2020, "capacity": 10.0},
        {"route": "a", "year": 2025, "capacity": 50.0},
        {"route": "t", "exporter": "KAZ", "year": 2020, "capacity": 4.0},
    )
    flows = rows("flows", flow("a", 12.0), flow("a", 12.0, year=2025), flow("t", 5.0))
    assert shown(check_for_flows_above_capacity(caps, flows, tiny_graph())) == [
        "flows.csv line 2, field value: flows on route 'a' in 2024 (lines 2) sum to 12.000 "
        "Mt/year, above its capacity of 10.000 Mt/year (capacities.csv line 2), got '12.000'",
        "flows.csv line 4, field value: flows on route 't' in 2024 (lines 4) sum to 5.000 "
        "Mt/year, above KAZ's allocation of 4.000 Mt/year (capacities.csv line 4), "
        "got '5.000'",
    ]


def test_check_for_cycles() -> None:
    routes = tiny_graph()
    flows = rows("flows", flow("a", 5.0), flow("back", 1.0), flow("back", 0.0, year=2023))
    assert shown(check_for_cycles(flows, routes)) == [
        "flows.csv line 2, field route: flows of KAZ in 2024 form a cycle: o1 → r → o1"
    ]
    assert check_for_cycles(rows("flows", flow("a", 5.0), flow("t", 5.0)), routes) == []


def test_check_for_flows_above_exports() -> None:
    # 10 leave o1 on a; r passes 10 on, so 10 leave their origin, against exports of 9.
    supply = rows(
        "supply",
        {"exporter": "KAZ", "year": 2024, "quantity": "exports", "volume": 9.0},
        {"exporter": "KAZ", "year": 2023, "quantity": "exports", "volume": 9.95},
    )
    flows = rows("flows", flow("a", 10.0), flow("t", 10.0), flow("a", 10.0, year=2023))
    assert shown(check_for_flows_above_exports(flows, tiny_graph(), supply)) == [
        "flows.csv line 2, field value: KAZ's flows leaving their origins in 2024 sum to "
        "10.000 Mt/year, more than its total exports of 9.000 Mt/year (supply.csv line 2), "
        "got '10.000'"
    ]


# -- canonical units and frames ---------------------------------------------------------------


def test_add_canonical_columns_follows_the_schema() -> None:
    parsed = package(
        grades=rows("grades", {"id": "light", "barrels_per_tonne": 7.5}),
        flows=rows(
            "flows",
            {"value": 20e6 * 7.5 / 365.25 / 1e3, "unit": "kbbl/day", "grade": "light"},
            {"value": 1.0, "unit": "kbbl/day"},  # no grade: left to the grade check
        ),
        prices=rows("prices", {"value": 80.0, "unit": "USD/bbl", "grade": "light"}),
        losses=rows(
            "losses",
            {"start": date(2024, 1, 1), "end": date(2024, 1, 11), "value": 1.0, "unit": "kt"},
        ),
    )
    assert add_canonical_columns(parsed, "crude-oil") == []
    assert parsed["flows"].rows[0]["volume"] == pytest.approx(20)
    assert parsed["flows"].rows[1]["volume"] is None
    assert parsed["prices"].rows[0]["price"] == pytest.approx(600)
    assert parsed["losses"].rows[0]["volume"] == pytest.approx(1e-3)
    # every derived column of the schema is a column of the frame, even with no rows
    for name, table in tables().items():
        frame = table_frame(rows(name))
        assert {c.name for c in table.derived} <= set(frame.columns), name


def test_conversion_problem_names_the_unit() -> None:
    # An energy commodity's flows are kept in TWh/year: a mass rate cannot convert.
    parsed = package(
        commodities=rows("commodities", {"id": "power", "unit": "TWh/year"}),
        routes=rows("routes", {"id": "g", "commodity": "power"}),
        flows=rows("flows", {"route": "g", "value": 1.0, "unit": "Mt/year"}),
    )
    found = add_canonical_columns(parsed, "crude-oil")
    assert [(p.file, p.line, p.field, p.value) for p in found] == [
        ("flows.csv", 2, "unit", "Mt/year")
    ]
    assert found[0].message.startswith("cannot convert 'Mt/year' to 'TWh/year'")


def test_describe_is_package_summary(kazakhstan: corridor.Network) -> None:
    assert package_summary is describe
    info = describe(kazakhstan)
    assert info["exporter"] == "KAZ"
    assert sum(info["share_by_confidence"].values()) == pytest.approx(1, abs=1e-3)
    assert (builtin_path() / "datapackage.json").is_file()


# -- observations -------------------------------------------------------------------------------


def with_observations(*records: dict[str, Any]) -> Callable[[dict[str, Any]], None]:
    def edit(rows: dict[str, Any]) -> None:
        rows["observations"] = list(records)

    return edit


def test_observations_of_each_shape_load_with_their_amounts(make_toy: MakeToy) -> None:
    n = load_package(make_toy(with_observations(*(row for row, _ in TOY_OBSERVATIONS))))
    o = n.observations
    assert list(o.columns) == list(OBSERVATION_COLUMNS)
    for line, (row, amounts) in enumerate(TOY_OBSERVATIONS, start=2):
        got = o.loc[row["id"]]
        for column in ("amount", "amount_low", "amount_high"):
            expected = amounts.get(column)
            if expected is None:
                assert np.isnan(got[column]), (row["id"], column)
            else:
                assert got[column] == pytest.approx(expected), (row["id"], column)
        assert got["scope"] == row["scope"]
        assert got["commodity"] == "crude-oil"
        assert got["unit"] == row["unit"]
        assert got["exporter"] == row["exporter"]
        # the note of a-all (line 6) spans two lines, so the row after it starts on line 8
        assert got["origin"] == f"observations.csv line {line + (line > 6)}"
    # periods: first day, and the day after the last (exclusive)
    assert (o.at["a-march", "start"], o.at["a-march", "end"]) == (
        date(2024, 3, 1),
        date(2024, 4, 1),
    )
    assert (o.at["k-jan-oct", "start"], o.at["k-jan-oct", "end"]) == (
        date(2024, 1, 1),
        date(2024, 11, 1),
    )
    assert o.at["k-jan-oct", "value"] == 8200
    assert np.isnan(o.at["btc-range", "value"])
    assert o.at["a-all", "exporter"] == ""
    # a quoted note over two lines stays one cell
    assert o.at["a-all", "note"] == "first line\nsecond line"
    assert len(n.file_observations()) == len(TOY_OBSERVATIONS)


def test_flows_and_supply_are_observations(toy: corridor.Network) -> None:
    o = toy.observations
    assert len(toy.file_observations()) == 0
    # ten flows, and the exports and production of 2024
    assert len(o) == 12
    flow = o.loc["flow:KAZ:a:2024"]
    assert (flow["measure"], flow["scope"], flow["exporter"]) == ("flow", "a", "KAZ")
    assert (flow["start"], flow["end"]) == (date(2024, 1, 1), date(2025, 1, 1))
    assert (flow["value"], flow["unit"], flow["origin"]) == (60, "Mt/year", "flows.csv line 2")
    # a rate held over 2024's 366 days
    assert flow["amount"] == pytest.approx(60 * 366 / 365.25)
    assert o.at["flow:KAZ:a:2023", "origin"] == "flows.csv line 9"
    assert o.at["flow:KAZ:a:2023", "amount"] == pytest.approx(30 * 365 / 365.25)
    exports = o.loc["supply:KAZ:exports:crude-oil:2024"]
    assert (exports["measure"], exports["scope"], exports["source"]) == (
        "exports",
        "all",
        "toy-total",
    )
    assert exports["origin"] == "supply.csv line 2"
    assert exports["amount"] == pytest.approx(100 * 366 / 365.25)
    assert o.at["supply:KAZ:production:crude-oil:2024", "origin"] == "supply.csv line 3"


def test_refinery_runs_are_observations(make_toy: MakeToy) -> None:
    def edit(rows: dict[str, Any]) -> None:
        rows["supply"].append({**rows["supply"][1], "quantity": "refinery_runs", "value": 17})

    n = load_package(make_toy(edit))
    assert set(n.observations["measure"]) == {"flow", "exports", "production", "refinery_runs"}


def test_each_broken_observation_names_its_problem(make_toy: MakeToy) -> None:
    good = observation("ok", "flow", "a", "2024", value=1)
    broken = [
        {**good, "id": "none", "value": ""},
        {**good, "id": "order", "value": 2, "low": 3},
        {**good, "id": "grammar", "scope": "bypass:RUS"},
        {**good, "id": "route", "scope": "a|zz"},
        {**good, "id": "country", "measure": "exports", "scope": "crossing:FRA"},
        {**good, "id": "kind", "measure": "production"},
        {**good, "id": "shipper", "exporter": ""},
        {**good, "id": "all", "measure": "throughput"},
        {**good, "id": "ends", "start": "2024-05", "end": "2024-02"},
        {**good, "id": "later", "start": "2031"},
        {**good, "id": "month", "start": "2024-13"},
        {**good, "id": "grade", "value": "", "low": 100, "unit": "kbbl/day"},
        {**good, "id": "unit", "unit": "Mt/km"},
    ]
    found = problems(make_toy(with_observations(good, *broken)))
    f = "observations.csv line"
    expected = [
        f"{f} 3, field value: set at least one of value, low and high",
        f"{f} 4, field value: must not be below low 3.0, got '2.0'",
        f"{f} 5, field scope: unknown selector 'bypass'; expected one of node, crossing, "
        "bypassing, to, via, chokepoint, got 'bypass:RUS'",
        f"{f} 6, field scope: unknown route 'zz'; known: a, t1, s, p, k, btc, t2, got 'a|zz'",
        f"{f} 7, field scope: unknown country 'FRA'; known: AZE, CHN, GEO, KAZ, RUS, TUR, "
        "got 'crossing:FRA'",
        f"{f} 8, field scope: a scope of kind 'route' is not allowed for measure "
        "'production'; expected: all, got 'a'",
        f"{f} 9, field exporter: is required for measure 'flow' (one exporter's volume)",
        f"{f} 10, field exporter: must be blank for measure 'throughput' (all shippers' "
        "volume), got 'KAZ'",
        f"{f} 11, field end: must not be before start 2024-05, got '2024-02'",
        f"{f} 12, field start: outside the years 2004–2026 (the package's declared years "
        "2019–2026, and up to 15 years of history before them), got '2031'",
        f"{f} 13, field start: must be a calendar date YYYY, YYYY-MM or YYYY-MM-DD, got '2024-13'",
        f"{f} 14, field grade: is required with the unit 'kbbl/day': converting barrels to "
        "tonnes needs a grade; known: light",
    ]
    assert found[: len(expected)] == expected
    assert len(found) == len(expected) + 1
    assert found[-1].startswith(f"{f} 15, field unit: unit 'Mt/km' has dimension")


def test_an_observations_file_is_optional(make_toy: MakeToy) -> None:
    folder = make_toy()
    desc = json.loads((folder / "datapackage.json").read_text())
    desc["resources"] = [r for r in desc["resources"] if r["name"] != "observations"]
    (folder / "datapackage.json").write_text(json.dumps(desc))
    (folder / "observations.csv").unlink()
    n = load_package(folder)
    assert len(n.observations) == 12
    assert len(n.file_observations()) == 0


# one test per observation rule, on a tiny input


def test_check_for_missing_or_unordered_figures() -> None:
    obs = rows(
        "observations",
        {"value": 1.0},
        {"low": 1.0, "high": 2.0, "value": 1.5},
        {"high": 2.0},
        {},
        {"low": 3.0, "value": 2.0, "high": 1.0},
    )
    assert shown(check_for_missing_or_unordered_figures(obs)) == [
        "observations.csv line 5, field value: set at least one of value, low and high",
        "observations.csv line 6, field value: must not be below low 3.0, got '2.0'",
        "observations.csv line 6, field high: must not be below value 2.0, got '1.0'",
        "observations.csv line 6, field high: must not be below low 3.0, got '1.0'",
    ]


def test_check_for_observation_periods_outside_years() -> None:
    obs = rows(
        "observations",
        {"start": "2019"},
        {"start": "2026-12", "end": "2027-01"},
        {"start": "2003-12-31", "end": "2004-01"},
        {"start": "2024-03", "end": "2024-02-29"},
        {"start": "2024-03-01", "end": "2024-03"},  # ends with the month it starts in: fine
        {"start": "2004"},  # history: up to 15 years before the declared years
    )
    outside = "outside the years 2004–2026 (the package's declared years 2019–2026, and up to "
    assert shown(check_for_observation_periods_outside_years(obs, 2019, 2026)) == [
        f"observations.csv line 3, field end: {outside}15 years of history before them), "
        "got '2027-01'",
        f"observations.csv line 4, field start: {outside}15 years of history before them), "
        "got '2003-12-31'",
        "observations.csv line 5, field end: must not be before start 2024-03, got '2024-02-29'",
    ]


def test_check_for_misplaced_exporters() -> None:
    obs = rows(
        "observations",
        {"measure": "flow", "exporter": "KAZ"},
        {"measure": "capacity"},
        {"measure": "exports"},
        {"measure": "capacity", "exporter": "KAZ"},
    )
    assert shown(check_for_misplaced_exporters(obs)) == [
        "observations.csv line 4, field exporter: is required for measure 'exports' "
        "(one exporter's volume)",
        "observations.csv line 5, field exporter: must be blank for measure 'capacity' "
        "(all shippers' volume), got 'KAZ'",
    ]


def test_check_for_scopes_not_allowed_by_measure() -> None:
    allowed = [
        ("flow", "a|b"),
        ("flow", "node:o1"),
        ("flow", "crossing:RUS"),
        ("exports", "all"),
        ("exports", "to:DEU"),
        ("throughput", "a"),
        ("capacity", "node:o1"),
        ("production", "all"),
        ("imports", "all"),
    ]
    refused = [("flow", "all"), ("exports", "a"), ("throughput", "via:a"), ("imports", "to:DEU")]
    obs = rows("observations", *({"measure": m, "scope": s} for m, s in allowed + refused))
    found = check_for_scopes_not_allowed_by_measure(obs)
    assert [(p.line, p.field, p.value) for p in found] == [
        (11, "scope", "all"),
        (12, "scope", "a"),
        (13, "scope", "via:a"),
        (14, "scope", "to:DEU"),
    ]
    assert found[2].message == (
        "a scope of kind 'via' is not allowed for measure 'throughput'; "
        "expected: route, routes, node, chokepoint"
    )


def test_check_for_unknown_scope_targets() -> None:
    routes = rows("routes", {"id": "a", "transit": ("GEO",)})
    nodes = rows("nodes", {"id": "o1", "country": "KAZ"}, {"id": "m"})
    obs = rows(
        "observations",
        {"scope": "all"},
        {"scope": "a"},
        {"scope": "via:a"},
        {"scope": "node:o1"},
        {"scope": "crossing:GEO"},
        {"scope": "to:KAZ"},
        {"scope": "a|b"},
        {"scope": "node:zz"},
        {"scope": "bypassing:RUS"},
    )
    assert shown(check_for_unknown_scope_targets(obs, routes, nodes)) == [
        "observations.csv line 8, field scope: unknown route 'b'; known: a, got 'a|b'",
        "observations.csv line 9, field scope: unknown node 'zz'; known: o1, m, got 'node:zz'",
        "observations.csv line 10, field scope: unknown country 'RUS'; known: GEO, KAZ, "
        "got 'bypassing:RUS'",
    ]


def test_check_for_units_needing_a_grade_sees_a_bound() -> None:
    obs = rows(
        "observations",
        {"high": 5.0, "unit": "Mbbl"},
        {"high": 5.0, "unit": "Mbbl", "grade": "light"},
        {"unit": "Mbbl"},  # no figure: its own problem
    )
    found = check_for_units_needing_a_grade({"grades": rows("grades"), "observations": obs})
    assert shown(found) == [
        "observations.csv line 2, field grade: is required with the unit 'Mbbl': converting "
        "barrels to tonnes needs a grade; known: (none)"
    ]


def test_observation_amounts_are_converted_from_value_low_and_high() -> None:
    parsed = package(
        grades=rows("grades", {"id": "light", "barrels_per_tonne": 7.5}),
        observations=rows(
            "observations",
            # 7.5 Mbbl over any period is 1 Mt; a range of rates over 10 days of 2024
            {"start": "2024-01", "value": 7.5, "unit": "Mbbl", "grade": "light"},
            {
                "start": "2024-01-01",
                "end": "2024-01-10",
                "low": 36.525,
                "high": 73.05,
                "unit": "Mt/year",
            },
        ),
    )
    assert add_canonical_columns(parsed, "crude-oil") == []
    first, second = parsed["observations"].rows
    assert first["amount"] == pytest.approx(1.0)
    assert (first["amount_low"], first["amount_high"]) == (None, None)
    assert second["amount"] is None
    assert (second["amount_low"], second["amount_high"]) == (pytest.approx(1), pytest.approx(2))


def test_observation_rules_skip_cells_the_parser_refused() -> None:
    # a bad scope or date is reported once, by the parser; the rules neither repeat nor raise
    obs = rows(
        "observations",
        {"measure": "flow", "scope": "bad:x", "start": "2024-13"},
        {"measure": "flow", "scope": "a b", "start": "2024", "end": "20x"},
    )
    assert check_for_scopes_not_allowed_by_measure(obs) == []
    assert check_for_unknown_scope_targets(obs, rows("routes"), rows("nodes")) == []
    assert check_for_observation_periods_outside_years(obs, 2019, 2026) == []
