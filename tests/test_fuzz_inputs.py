"""Fuzz the inputs (issue 15): scenario YAML and package cells, random and hostile.

The property for every input: it loads (and, for a scenario, runs), or it raises a Corridor
error (`corridor.exceptions.CorridorError`) — never another exception, never a hang. Each
example runs under a 10 s SIGALRM guard, so a hang fails the test instead of the suite.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import signal
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import corridor
from corridor.exceptions import CorridorError
from corridor.rerouting import reroute
from corridor.scenario import parse_scenario
from corridor.scenario.spec import CHANGE_TYPES

from .toy import toy_tables, write_package

FUZZ = settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

#: Values that broke or could break a reader: non-finite and huge numbers, expressions as
#: units, formulas, long digit runs, odd whitespace and quotes.
HOSTILE = [
    "nan",
    "inf",
    "-inf",
    "1e308",
    "-1e308",
    "1e-320",
    "9" * 5000,
    "10**10**10*Mt/year",
    "Mt/year*1e9",
    "=cmd|' /C calc'!A0",
    "",
    " ",
    "Mt/year",
    "kbbl/day",
    "USD/t",
    "2024",
    "1000000",
    "-1",
    "0",
    "KAZ",
    "XXX",
    "a|b|c",
    '"',
    '"never closed',
    "\t",
    "é" * 3,
    "../../etc/passwd",
]


@contextmanager
def at_most(seconds: int) -> Iterator[None]:
    """Fail with TimeoutError when the block runs longer than `seconds` (a hang guard)."""

    def alarm(signum: int, frame: Any) -> None:
        msg = f"input took more than {seconds} s"
        raise TimeoutError(msg)

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@pytest.fixture(scope="module")
def toy_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_package(tmp_path_factory.mktemp("fuzz") / "toy", toy_tables())


@pytest.fixture(scope="module")
def toy_net(toy_folder: Path) -> corridor.Network:
    return corridor.load_package(toy_folder)


# --- scenarios ----------------------------------------------------------------------------------

numbers = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.sampled_from([0, -50, 1e308, -1e308, 1e9, 1e10, 0.5, 2024]),
)
scalars = st.one_of(
    numbers,
    st.booleans(),
    st.none(),
    st.text(max_size=30),
    st.text(min_size=500, max_size=2000),
    st.sampled_from(HOSTILE),
    st.sampled_from(["o1", "o2", "m", "a", "s", "p", "btc", "RUS", "TUR", "crude-oil"]),
    st.dates().map(str),
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)
FIELDS = [
    "route",
    "node",
    "factor",
    "value",
    "unit",
    "change",
    "start",
    "end",
    "exporter",
    "importer",
    "commodity",
    "country",
    "operator",
    "id",
    "from_node",
    "to_node",
    "capacity",
    "cost",
    "cost_unit",
    "transit",
    "chokepoints",
    "grade",
]
changes = st.builds(
    lambda kind, fields: {"type": kind, **fields},
    st.sampled_from([*CHANGE_TYPES, "nonsense"]),
    st.dictionaries(st.sampled_from(FIELDS), values, max_size=6),
)
scenarios = st.fixed_dictionaries(
    {"name": st.one_of(st.text(max_size=20), scalars)},
    optional={
        "years": st.one_of(
            st.lists(st.sampled_from([2023, 2024, 1900, 10**6]), max_size=2), values
        ),
        "start": scalars,
        "end": scalars,
        "exporter": scalars,
        "monthly": st.booleans(),
        "changes": st.lists(changes, max_size=4),
    },
)


@FUZZ
@given(doc=scenarios)
def test_a_scenario_document_loads_and_runs_or_is_a_corridor_error(
    toy_net: corridor.Network, doc: dict[str, Any]
) -> None:
    text = yaml.safe_dump(doc, allow_unicode=True)
    with at_most(10), suppress(CorridorError):
        s = parse_scenario(text, "fuzz.yaml", toy_net)
        reroute(toy_net, s)


@FUZZ
@given(text=st.one_of(st.text(max_size=300), st.sampled_from(HOSTILE)))
def test_any_scenario_text_is_a_scenario_or_a_corridor_error(
    toy_net: corridor.Network, text: str
) -> None:
    with at_most(10), suppress(CorridorError):
        parse_scenario(text, "fuzz.yaml", toy_net)


# --- package cells ------------------------------------------------------------------------------

cells = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(max_size=40),
    st.floats().map(repr),
    st.integers().map(str),
)


def mutate(folder: Path, table: str, row: int, column: int, value: str) -> None:
    path = folder / f"{table}.csv"
    records = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    r = 1 + row % max(len(records) - 1, 1)
    while len(records) <= r:
        records.append([""] * len(records[0]))
    records[r][column % len(records[r])] = value
    out = io.StringIO(newline="")
    csv.writer(out).writerows(records)
    path.write_text(out.getvalue(), encoding="utf-8")


TABLES = ["sources", "nodes", "routes", "capacities", "flows", "supply", "events", "grades"]


@FUZZ
@given(
    table=st.sampled_from(TABLES),
    row=st.integers(min_value=0, max_value=20),
    column=st.integers(min_value=0, max_value=20),
    value=cells,
)
def test_a_mutated_package_cell_loads_or_is_a_corridor_error(
    toy_folder: Path, table: str, row: int, column: int, value: str
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(shutil.copytree(toy_folder, Path(tmp) / "toy"))
        mutate(folder, table, row, column, value)
        with at_most(10), suppress(CorridorError):
            corridor.load_package(folder)


descriptor_values = st.one_of(
    scalars, st.lists(scalars, max_size=3), st.dictionaries(st.text(max_size=5), scalars)
)
DESCRIPTOR_KEYS = [
    ("corridor", "years", "first"),
    ("corridor", "years", "last"),
    ("corridor", "years"),
    ("corridor", "exporter"),
    ("corridor", "commodity"),
    ("corridor", "focus"),
    ("corridor",),
    ("resources",),
    ("name",),
]


@FUZZ
@given(key=st.sampled_from(DESCRIPTOR_KEYS), value=descriptor_values, path=st.sampled_from(HOSTILE))
def test_a_mutated_descriptor_loads_or_is_a_corridor_error(
    toy_folder: Path, key: tuple[str, ...], value: Any, path: str
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(shutil.copytree(toy_folder, Path(tmp) / "toy"))
        desc = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
        desc["resources"][1]["path"] = path  # nodes: any path, often outside or missing
        node = desc
        for k in key[:-1]:
            node = node[k]
        node[key[-1]] = value
        (folder / "datapackage.json").write_text(json.dumps(desc), encoding="utf-8")
        with at_most(10), suppress(CorridorError):
            corridor.load_package(folder)
