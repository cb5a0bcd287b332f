"""Validation: every rule has a failing fixture and an assertion on its message."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import corridor
from corridor.package import validate_package

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
