"""The toy package, drawn below, and helpers to write packages in tests (not fixtures).

Fixtures live in ``conftest.py``; tests import these helpers with ``from .toy import ...``.
"""

from __future__ import annotations

import copy
import csv
import json
import os
import shutil
import time
from pathlib import Path
from typing import Any

from typer.testing import Result

from corridor.package import builtin_path
from corridor.schema import describe_package, tables

Rows = dict[str, list[dict[str, Any]]]

SRC = "toy-src"

# The toy network (2024, exporter KAZ, total exports 100 Mt/year):
#
#   o1 (KAZ) --a 60--> r (RUS) --t1 60, straits--> m (sea market)
#   o1 (KAZ) --s 20--> h (RUS hub; onward not reported)
#   o1 (KAZ) --p 4---> x (CHN border)
#   o2 (KAZ) --k 10--> b (AZE) --btc 6, via GEO--> c (TUR) --t2 6--> m;  4 end at b
#
# 2023 has flows a 30, t1 30, p 10 and no reported total.
TOY: Rows = {
    "sources": [
        {
            "id": SRC,
            "title": "Toy",
            "publisher": "Tests",
            "url": "https://example.org/toy",
            "published": "2024-01",
        },
        {
            "id": "toy-total",
            "title": "Toy total",
            "publisher": "Tests",
            "url": "https://example.org/total",
            "published": "2025",
        },
    ],
    "nodes": [
        {"id": "o1", "name": "Origin one", "kind": "hub", "country": "KAZ", "lat": 47, "lon": 52},
        {"id": "o2", "name": "Origin two", "kind": "port", "country": "KAZ", "lat": 43, "lon": 51},
        {
            "id": "r",
            "name": "Russian terminal",
            "kind": "terminal",
            "country": "RUS",
            "lat": 44,
            "lon": 37,
        },
        {"id": "h", "name": "Russian hub", "kind": "hub", "country": "RUS", "lat": 53, "lon": 50},
        {
            "id": "b",
            "name": "Baku-like",
            "kind": "terminal",
            "country": "AZE",
            "lat": 40,
            "lon": 49,
        },
        {
            "id": "c",
            "name": "Ceyhan-like",
            "kind": "terminal",
            "country": "TUR",
            "lat": 36,
            "lon": 35,
        },
        {"id": "m", "name": "Sea market", "kind": "market", "country": "", "lat": 35, "lon": 18},
        {
            "id": "x",
            "name": "China border",
            "kind": "border",
            "country": "CHN",
            "lat": 45,
            "lon": 82,
        },
    ],
    "chokepoints": [
        {"id": "straits", "name": "Straits", "lat": 41, "lon": 29},
    ],
    "routes": [
        {
            "id": "a",
            "name": "A pipeline",
            "from_node": "o1",
            "to_node": "r",
            "mode": "pipeline",
            "operator": "Alpha",
        },
        {
            "id": "t1",
            "name": "Tankers 1",
            "from_node": "r",
            "to_node": "m",
            "mode": "tanker",
            "operator": "Sea",
            "chokepoints": "straits",
        },
        {
            "id": "s",
            "name": "S pipeline",
            "from_node": "o1",
            "to_node": "h",
            "mode": "pipeline",
            "operator": "Beta",
        },
        {
            "id": "p",
            "name": "P pipeline",
            "from_node": "o1",
            "to_node": "x",
            "mode": "pipeline",
            "operator": "Eta",
        },
        {
            "id": "k",
            "name": "Caspian tankers",
            "from_node": "o2",
            "to_node": "b",
            "mode": "tanker",
            "operator": "Gamma",
        },
        {
            "id": "btc",
            "name": "BTC-like",
            "from_node": "b",
            "to_node": "c",
            "mode": "pipeline",
            "operator": "Delta",
            "transit": "GEO",
        },
        {
            "id": "t2",
            "name": "Tankers 2",
            "from_node": "c",
            "to_node": "m",
            "mode": "tanker",
            "operator": "Sea",
        },
    ],
    "grades": [
        {"id": "light", "name": "Light", "barrels_per_tonne": 7.5},
    ],
    "capacities": [
        {"route": "a", "year": 2023, "value": 67, "unit": "Mt/year"},
        {"route": "a", "year": 2024, "value": 80, "unit": "Mt/year"},
        {"node": "o2", "year": 2023, "value": 12, "unit": "Mt/year"},
        {"route": "btc", "exporter": "KAZ", "year": 2023, "value": 8, "unit": "Mt/year"},
    ],
    "flows": [
        {"exporter": "KAZ", "route": r, "year": 2024, "value": v, "unit": "Mt/year"}
        for r, v in [("a", 60), ("t1", 60), ("s", 20), ("p", 4), ("k", 10), ("btc", 6), ("t2", 6)]
    ]
    + [
        {"exporter": "KAZ", "route": r, "year": 2023, "value": v, "unit": "Mt/year"}
        for r, v in [("a", 30), ("t1", 30), ("p", 10)]
    ],
    "supply": [
        {
            "exporter": "KAZ",
            "year": 2024,
            "quantity": "exports",
            "value": 100,
            "unit": "Mt/year",
            "source": "toy-total",
        },
        {
            "exporter": "KAZ",
            "year": 2024,
            "quantity": "production",
            "value": 120,
            "unit": "Mt/year",
        },
    ],
    "events": [
        {
            "id": "storm",
            "route": "a",
            "start": "2024-03-01",
            "end": "2024-04-01",
            "capacity_factor": 0.2,
            "description": "Storm",
        },
    ],
}

FIGURE = {"source": SRC, "confidence": "high", "basis": "reported"}


def toy_tables() -> Rows:
    """Return a deep copy of the toy tables, with defaults filled in."""
    out = copy.deepcopy(TOY)
    for name in ("nodes", "chokepoints", "routes"):
        for row in out[name]:
            row.setdefault("source", SRC)
    for row in out["routes"]:
        row.setdefault("commodity", "crude-oil")
    for name in ("grades", "capacities", "flows", "supply", "events"):
        for row in out[name]:
            for k, v in FIGURE.items():
                row.setdefault(k, v)
    return out


def write_package(
    folder: Path,
    rows: Rows,
    first: int = 2019,
    last: int = 2026,
    focus: dict[str, str] | None = None,
) -> Path:
    """Write tables as a package folder (columns in schema order) and return the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    desc = describe_package("toy", "Toy network", "KAZ", "crude-oil", first, last)
    desc["corridor"]["focus"] = focus or {"country": "RUS", "route": "a"}
    (folder / "datapackage.json").write_text(json.dumps(desc, indent=2), encoding="utf-8")
    for name, table in tables().items():
        header = [c.name for c in table.columns]
        with (folder / table.filename).open("w", newline="", encoding="utf-8") as fh:
            w = csv.DictWriter(fh, fieldnames=header, extrasaction="raise")
            w.writeheader()
            for row in rows.get(name, []):
                w.writerow({k: row.get(k, "") for k in header} | row)
    return folder


def observation(id: str, measure: str, scope: str, start: str, **values: Any) -> dict[str, Any]:
    """Return an ``observations`` row of the toy (exporter KAZ, source and confidence filled)."""
    return {
        "id": id,
        "measure": measure,
        "scope": scope,
        "exporter": "KAZ",
        "start": start,
        "unit": "Mt",
        **FIGURE,
        **values,
    }


#: One observation of each shape, with the amount each converts to, worked out by hand.
TOY_OBSERVATIONS: list[tuple[dict[str, Any], dict[str, float | None]]] = [
    # 1,000 kbbl/day of a 7.5 bbl/t grade through March 2024: 31e6 bbl / 7.5 = 4.1333 Mt
    (
        observation("a-march", "flow", "a", "2024-03", value=1000, unit="kbbl/day", grade="light"),
        {"amount": 31 / 7.5},
    ),
    # January to October, as an amount in kt
    (
        observation("k-jan-oct", "flow", "k", "2024-01", end="2024-10", value=8200, unit="kt"),
        {"amount": 8.2},
    ),
    # a range over the year
    (
        observation("btc-range", "flow", "btc", "2024", low=1.2, high=1.5),
        {"amount_low": 1.2, "amount_high": 1.5},
    ),
    # a lower bound alone ("more than 1 Mt in the first half")
    (observation("p-h1", "flow", "p", "2024-01", end="2024-06", low=1), {"amount_low": 1.0}),
    # all shippers' throughput as a rate over 2023 (365 days): 73.05 * 365 / 365.25 = 73.0;
    # its quoted note spans two lines of the file
    (
        observation(
            "a-all",
            "throughput",
            "a",
            "2023",
            exporter="",
            value=73.05,
            unit="Mt/year",
            note="first line\nsecond line",
        ),
        {"amount": 73.0},
    ),
    # exports bypassing Russia, an aggregate
    (
        observation(
            "bypass-2023",
            "exports",
            "bypassing:RUS",
            "2023",
            value=3.73,
            confidence="medium",
            basis="derived",
        ),
        {"amount": 3.73},
    ),
]


def exited(res: Result, code: int | tuple[int, ...]) -> None:
    """Assert the command ended by exiting with `code`, not by an exception escaping it.

    The CliRunner catches an escaping exception, keeps it in `res.exception`, sets exit code 1
    and prints no traceback, so neither the exit code alone nor the absence of "Traceback" in the
    output tells a clear error from a crash.
    """
    codes = code if isinstance(code, tuple) else (code,)
    assert res.exit_code in codes, res.output
    if res.exit_code == 0:
        assert res.exception is None, repr(res.exception)
    else:
        assert isinstance(res.exception, SystemExit), repr(res.exception)
        assert res.exception.code == res.exit_code


def aged_copy(tmp_path: Path, name: str = "kaz") -> Path:
    """Copy the built-in package with every file's mtime a minute back (not 'fresh')."""
    folder = Path(shutil.copytree(builtin_path(), tmp_path / name))
    past = time.time() - 60
    for path in folder.rglob("*"):
        os.utime(path, (past, past))
    return folder
