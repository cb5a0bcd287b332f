"""The schema drives the descriptor and the README; the public API is exact."""

from __future__ import annotations

import json
from pathlib import Path

import frictionless

import corridor
from corridor.network import OBSERVATION_COLUMNS
from corridor.package import builtin_path
from corridor.package.build import CONVERTERS
from corridor.package.read import PARSERS
from corridor.schema import COLUMN_TYPES, describe_package, format_markdown, tables

ROOT = Path(__file__).resolve().parents[1]


def test_every_column_type_is_known() -> None:
    known = {
        "id",
        "text",
        "url",
        "list",
        "enum",
        "ref",
        "ref_list",
        "iso3",
        "iso3_list",
        "number",
        "year",
        "date",
        "partial_date",
        "scope",
        "rate_unit",
        "price_unit",
        "amount_unit",
    }
    for t in tables().values():
        assert t.columns, t.name
        for c in t.columns:
            assert c.type in known, (t.name, c.name)
            if c.type in ("ref", "ref_list"):
                assert c.constraint in tables(), (t.name, c.name)
            assert set(t.key) <= {c.name for c in t.columns}
    assert set(COLUMN_TYPES) == known


def test_one_parser_per_column_type() -> None:
    assert list(PARSERS) == list(COLUMN_TYPES)


def test_derived_columns_are_declared_and_loaded(kazakhstan: corridor.Network) -> None:
    derived = {name: [c.name for c in t.derived] for name, t in tables().items() if t.derived}
    assert derived == {
        "capacities": ["capacity"],
        "flows": ["volume"],
        "supply": ["volume"],
        "prices": ["price"],
        "costs": ["cost"],
        "losses": ["volume"],
        "observations": ["amount", "amount_low", "amount_high"],
    }
    for name, t in tables().items():
        for c in t.derived:
            assert c.type == "number", (name, c.name)
            assert c.unit, (name, c.name)
            # converted from value by the converter of the table's unit column
            assert t.column("unit").type in CONVERTERS
        frame = kazakhstan.tables[name]
        if name == "observations":
            # the canonical frame, with the flows and supply migrated into it
            assert list(frame.columns) == list(OBSERVATION_COLUMNS)
            assert {c.name for c in t.derived} <= set(frame.columns)
            continue
        stored = [c.name for c in t.columns if c.name not in frame.index.names]
        assert list(frame.columns) == stored + [c.name for c in t.derived], name
    # not in the files: not in the descriptor; in the format docs, marked derived
    desc = describe_package("x", "X", "KAZ", "crude-oil", 2020, 2021)
    flows = next(r for r in desc["resources"] if r["name"] == "flows")
    assert "volume" not in [f["name"] for f in flows["schema"]["fields"]]
    assert "| `volume` | number (>=0) | derived | Mt/year |" in format_markdown()


def test_builtin_descriptor_is_generated_from_the_schema() -> None:
    desc = json.loads((builtin_path() / "datapackage.json").read_text())
    info = desc["corridor"]
    expected = describe_package(
        desc["name"],
        desc["title"],
        info["exporter"],
        info["commodity"],
        info["years"]["first"],
        info["years"]["last"],
    )
    # an optional table the package does not have is left out; every other one is as generated
    listed = {r["name"] for r in desc["resources"]}
    assert {name for name, t in tables().items() if t.required} <= listed
    assert desc["resources"] == [r for r in expected["resources"] if r["name"] in listed]


def test_builtin_package_passes_frictionless_validation() -> None:
    # An independent check: frictionless reads the descriptor and every CSV (types, required,
    # enums, primary keys) without Corridor's code.
    path = str(builtin_path() / "datapackage.json")
    assert frictionless.Package.validate_descriptor(path).valid
    report = frictionless.validate(path)
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
