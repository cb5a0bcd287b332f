"""Issue 15, inputs: every broken input ends in a clear error (file, line, field) or a result.

Never a traceback, a hang or silent acceptance. Inputs that used to hang (a unit evaluated as
``10**10**10``, a package running to the year 1,000,000) run in a subprocess with a timeout, so
a regression fails instead of hanging the suite. CLI checks look at the exit code and the
exception (a usage error is a SystemExit with code 2), never at the absence of "Traceback".
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import corridor
from corridor.cli import INTERRUPTED, app
from corridor.exceptions import PackageValidationError, ScenarioError, UnitError
from corridor.rerouting import reroute
from corridor.scenario import load_scenario, parse_scenario
from corridor.scenario.spec import MAX_MAGNITUDE
from corridor.units import check_rate_unit, check_unit_syntax, convert
from corridor.views.format import csv_cell

from .toy import Rows

SRC = str(Path(corridor.__file__).resolve().parents[1])
#: The unit string that pint would evaluate as a 10**10-digit integer.
POWER = "10**10**10*Mt/year"


def corridor_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``python -m corridor ARGS`` in a subprocess; raise TimeoutExpired after 10 s."""
    env = {**os.environ, "PYTHONPATH": SRC}
    return subprocess.run(
        [sys.executable, "-m", "corridor", *args],
        capture_output=True,
        text=True,
        timeout=10,
        env=env,
        cwd=cwd,
        check=False,
    )


def problems(folder: Path) -> list[str]:
    with pytest.raises(PackageValidationError) as info:
        corridor.load_package(folder)
    return [str(p) for p in info.value.problems]


def edit_descriptor(folder: Path, edit: Callable[[dict[str, Any]], None]) -> None:
    path = folder / "datapackage.json"
    desc = json.loads(path.read_text(encoding="utf-8"))
    edit(desc)
    path.write_text(json.dumps(desc), encoding="utf-8")


def set_path(table: str, path: str) -> Callable[[dict[str, Any]], None]:
    def edit(desc: dict[str, Any]) -> None:
        for res in desc["resources"]:
            if res["name"] == table:
                res["path"] = path

    return edit


# --- units: a fixed grammar, never an evaluated expression -------------------------------------


@pytest.mark.parametrize(
    "unit",
    [POWER, "Mt/year*10", "2 Mt/year", "Mt**2/year", "__import__('os')", "Mt/year/day", "x" * 5000],
)
def test_a_unit_outside_the_grammar_is_refused_at_once(unit: str) -> None:
    started = time.perf_counter()
    with pytest.raises(UnitError, match="cannot parse unit"):
        check_rate_unit(unit)
    assert time.perf_counter() - started < 1


def test_known_units_pass_the_grammar_and_convert() -> None:
    assert check_unit_syntax(" kbbl/day ") == "kbbl/day"
    for unit in ("Mt/year", "kt/day", "Mbbl/day", "TWh/year", "USD/t", "USD/bbl", "Mt"):
        assert check_unit_syntax(unit) == unit
    # 1 Mt/year = 1e6 t / 365.25 days = 2.73785 kt/day
    assert convert(1, "Mt/year", "kt/day") == pytest.approx(1e3 / 365.25)


def test_a_long_unit_is_not_quoted_whole() -> None:
    with pytest.raises(UnitError) as info:
        check_rate_unit("Mt" * 10_000)
    assert len(str(info.value)) < 200


def test_a_power_unit_in_a_package_is_a_problem_not_a_hang(
    make_toy: Callable[..., Path],
) -> None:
    def edit(rows: Rows) -> None:
        rows["capacities"][0]["unit"] = POWER

    res = corridor_cli("validate", str(make_toy(edit)))
    assert res.returncode == 1, res.stderr
    assert f"capacities.csv line 2, field unit: cannot parse unit '{POWER}'" in res.stderr


def test_a_power_unit_in_a_scenario_is_a_problem_not_a_hang(
    make_toy: Callable[..., Path], tmp_path: Path
) -> None:
    folder = make_toy()
    scenario = tmp_path / "power.yaml"
    scenario.write_text(
        "name: power\nyears: [2024]\nchanges:\n"
        f"  - {{type: supply, node: o1, change: 5, unit: '{POWER}'}}\n",
        encoding="utf-8",
    )
    res = corridor_cli("scenario", "run", str(scenario), "-p", str(folder))
    assert res.returncode == 1, res.stderr
    assert "power.yaml line 4, field changes.0.unit: cannot parse unit" in res.stderr


# --- packages -----------------------------------------------------------------------------------


def test_a_last_year_of_a_million_is_refused_not_run(make_toy: Callable[..., Path]) -> None:
    res = corridor_cli("report", "-p", str(make_toy(last=1_000_000)))
    assert res.returncode == 1, res.stderr
    assert "field corridor.years: must be {first, last}" in res.stderr
    assert "1900 <= first <= last <= 2100" in res.stderr


def test_a_year_of_5000_digits_is_a_problem(make_toy: Callable[..., Path]) -> None:
    folder = make_toy()
    path = folder / "datapackage.json"
    text = path.read_text(encoding="utf-8").replace('"last": 2026', '"last": ' + "9" * 5000)
    path.write_text(text, encoding="utf-8")
    assert problems(folder) == [
        "datapackage.json: not valid JSON: a number has too many digits (at most 4300)"
    ]


def test_a_deeply_nested_descriptor_is_a_problem(make_toy: Callable[..., Path]) -> None:
    folder = make_toy()
    (folder / "datapackage.json").write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    found = problems(folder)
    assert len(found) == 1
    assert found[0].startswith("datapackage.json: not valid JSON: nested too deeply")


SECRET = "SECRET-LINE-never-shown"


@pytest.mark.parametrize("how", ["absolute", "dotdot", "symlink"])
def test_a_table_outside_the_package_folder_is_refused_unread(
    make_toy: Callable[..., Path], tmp_path: Path, how: str
) -> None:
    outside = tmp_path / "outside.csv"
    outside.write_text(f"{SECRET},x\n1,2\n", encoding="utf-8")
    folder = make_toy()
    if how == "absolute":
        edit_descriptor(folder, set_path("sources", str(outside)))
    elif how == "dotdot":
        edit_descriptor(folder, set_path("sources", "../outside.csv"))
    else:
        (folder / "sources.csv").unlink()
        (folder / "sources.csv").symlink_to(outside)
    with pytest.raises(PackageValidationError) as info:
        corridor.load_package(folder)
    message = str(info.value)
    assert SECRET not in message
    first = str(info.value.problems[0])
    assert first.startswith("datapackage.json, field resources.sources.path: must ")
    expected = "relative to the package folder" if how == "absolute" else "inside the package"
    assert expected in first


def test_invalid_utf8_names_the_file(make_toy: Callable[..., Path]) -> None:
    folder = make_toy()
    (folder / "nodes.csv").write_bytes(b"id,name\n\xff\xfe,x\n")
    assert any(p.startswith("nodes.csv: not UTF-8 text") for p in problems(folder))
    (folder / "datapackage.json").write_bytes(b'{"name": "\xff"}')
    found = problems(folder)
    assert len(found) == 1
    assert found[0].startswith("datapackage.json: not UTF-8 text")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("1e308", "must be between 0 and 1, got '1e308'"),
        ("1.5", "must be between 0 and 1, got '1.5'"),
        ("inf", "must be a finite number, got 'inf'"),
        ("nan", "must be a finite number, got 'nan'"),
        ("-0.1", "must be between 0 and 1, got '-0.1'"),
    ],
)
def test_event_capacity_factors_are_shares(
    make_toy: Callable[..., Path], value: str, message: str
) -> None:
    def edit(rows: Rows) -> None:
        rows["events"][0]["capacity_factor"] = value

    assert problems(make_toy(edit)) == [f"events.csv line 2, field capacity_factor: {message}"]


# --- scenarios ----------------------------------------------------------------------------------


def scenario_problems(text: str, n: corridor.Network | None = None) -> list[str]:
    with pytest.raises(ScenarioError) as info:
        parse_scenario(text, "s.yaml", n)
    return [str(p) for p in info.value.problems]


ONE_YEAR = "name: t\nyears: [2024]\nchanges:\n"


def test_a_scenario_in_invalid_utf8_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_bytes(b"name: t\xff\n")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert str(info.value.problems[0]).startswith("bad.yaml: not UTF-8 text")


def test_a_deeply_nested_scenario_is_a_problem() -> None:
    found = scenario_problems("[" * 100_000 + "]" * 100_000)
    assert found == ["s.yaml: not valid YAML: nested too deeply (a scenario is a few levels deep)"]


def test_a_scenario_integer_of_5000_digits_is_a_problem() -> None:
    found = scenario_problems(f"name: t\nyears: [{'9' * 5000}]\n")
    assert found == ["s.yaml: not valid YAML: a number has too many digits (at most 4300)"]


@pytest.mark.parametrize("day", ["2025-02-30", "2025-13-01"])
def test_an_impossible_date_says_so(day: str) -> None:
    text = ONE_YEAR + f"  - {{type: capacity_factor, route: r1, factor: 0, start: {day}}}\n"
    (found,) = scenario_problems(text)
    assert "not a valid value" in found
    assert "YYYY-MM-DD" in found
    assert "digits" not in found


def test_an_endless_article_is_read_only_to_the_limit() -> None:
    res = corridor_cli("claims", "check", "/dev/zero")  # TimeoutExpired if read to the end
    assert res.returncode == 1
    assert "over the limit of 0.5 million characters" in res.stderr


def test_an_added_route_from_a_node_to_itself_is_refused() -> None:
    text = ONE_YEAR + "  - {type: add_route, id: loop, from_node: o1, to_node: o1, capacity: 5}\n"
    (found,) = scenario_problems(text)
    assert "from_node and to_node are both 'o1'" in found


def test_a_change_outside_the_scenario_years_is_refused() -> None:
    change = "  - {type: capacity_factor, route: r1, factor: 0, start: 1990-01-01, end: 1990-02-01}"
    (found,) = scenario_problems(ONE_YEAR + change + "\n")
    assert "outside the scenario's years 2024: it would do nothing" in found


def test_a_scenario_that_closes_a_cycle_with_a_target_answers(tmp_path: Path) -> None:
    # a route back from Samara to Atyrau closes a loop; the path walk used to go round it
    # until the recursion limit (88 s, then a traceback)
    path = tmp_path / "cyc.yaml"
    path.write_text(
        "name: cyc\nyears: [2025]\nchanges:\n"
        "  - {type: add_route, id: back, from_node: samara, to_node: atyrau, capacity: 5}\n"
        "  - {type: target, route: back, value: 3}\n",
        encoding="utf-8",
    )
    res = corridor_cli("scenario", "run", str(path), "-f", "json")  # TimeoutExpired if it spins
    assert res.returncode == 0, res.stderr
    out = json.loads(res.stdout)
    assert out["periods"][0]["status"] == "Optimal"


def test_a_duplicate_key_is_refused_with_its_line() -> None:
    found = scenario_problems("name: t\nyears: [2024]\nname: u\nchanges: []\n")
    assert found == [
        "s.yaml line 3: not valid YAML: duplicate key 'name': each key may appear once in a mapping"
    ]
    nested = ONE_YEAR + "  - {type: supply, node: o1, change: 1, change: 2}\n"
    assert scenario_problems(nested)[0].startswith("s.yaml line 4: not valid YAML: duplicate key")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (".nan", "Input should be a finite number, got 'nan'"),
        (".inf", "Input should be a finite number, got 'inf'"),
        ("1e308", f"Input should be less than or equal to {MAX_MAGNITUDE:.0f}, got '1e308'"),
        ("-1e308", f"Input should be greater than or equal to {-MAX_MAGNITUDE:.0f}"),
    ],
)
def test_a_supply_change_is_finite_and_bounded(value: str, message: str) -> None:
    found = scenario_problems(ONE_YEAR + f"  - {{type: supply, node: o1, change: {value}}}\n")
    assert len(found) == 1
    assert found[0].startswith(f"s.yaml line 4, field changes.0.change: {message}")


def test_a_negative_supply_change_is_a_cut(toy: corridor.Network) -> None:
    # o1 ships a 60 + s 20 + p 4 = 84 Mt/year in 2024; a cut of 50 leaves 34, all on a (the
    # cheapest), and o2's k 10 -> btc 6 -> t2 6 stays as it was
    s = parse_scenario(ONE_YEAR + "  - {type: supply, node: o1, change: -50}\n", "s.yaml", toy)
    flows = reroute(toy, s).to_dict()["periods"][0]["scenario"]
    assert flows["a"] + flows["s"] + flows["p"] == pytest.approx(34, abs=1e-6)
    assert (flows["k"], flows["btc"], flows["t2"]) == pytest.approx((10, 6, 6), abs=1e-6)


def test_a_change_ending_before_it_starts_is_refused() -> None:
    text = (
        "name: t\nchanges:\n"
        "  - {type: capacity_factor, route: a, factor: 0, start: 2024-06-01, end: 2024-03-01}\n"
    )
    found = scenario_problems(text)
    assert len(found) == 1
    assert "field changes.0" in found[0]
    assert "end 2024-03-01 must be after start 2024-06-01" in found[0]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (".inf", "Input should be a finite number"),
        (".nan", "Input should be a finite number"),
        ("1e308", "Input should be less than or equal to 1"),
        ("1.5", "Input should be less than or equal to 1"),
        ("-0.5", "Input should be greater than or equal to 0"),
    ],
)
def test_a_scenario_capacity_factor_is_a_share(value: str, message: str) -> None:
    text = ONE_YEAR + f"  - {{type: capacity_factor, route: a, factor: {value}}}\n"
    found = scenario_problems(text)
    assert len(found) == 1
    assert found[0].startswith(f"s.yaml line 4, field changes.0.factor: {message}")


def test_an_added_route_names_its_unknown_country_node_and_unit(toy: corridor.Network) -> None:
    text = ONE_YEAR + (
        "  - {type: add_route, id: new, from_node: zz, to_node: m, capacity: 10,"
        " transit: [RUS, XXX], cost: 1, cost_unit: 'USD/year'}\n"
    )
    found = scenario_problems(text, toy)
    assert any("field changes.0.from_node: unknown node 'zz'" in p for p in found)
    assert any(
        "field changes.0.transit.1: must be an ISO 3166-1 alpha-3 country code" in p
        and "got 'XXX'" in p
        for p in found
    )
    assert any("field changes.0.cost_unit: unit 'USD/year'" in p for p in found)
    assert not any("transit.0" in p for p in found)


def test_a_ban_names_an_unknown_country(toy: corridor.Network) -> None:
    text = ONE_YEAR + "  - {type: ban, commodity: crude-oil, exporter: KAZ, importer: EUR}\n"
    found = scenario_problems(text, toy)
    assert found == [
        "s.yaml line 4, field changes.0.importer: must be an ISO 3166-1 alpha-3 country code "
        "(e.g. KAZ, RUS, TUR), got 'EUR'"
    ]


# --- the CLI ------------------------------------------------------------------------------------


@pytest.mark.parametrize("port", ["99999", "-1", "65536"])
def test_serve_port_out_of_range_is_a_usage_error(cli: CliRunner, port: str) -> None:
    res = cli.invoke(app, ["serve", "--port", port])
    assert res.exit_code == 2
    assert isinstance(res.exception, SystemExit)
    assert "--port" in res.output


#: Every command with --format, its arguments, and values its format does not take.
FORMAT_COMMANDS: list[tuple[list[str], list[str]]] = [
    (["report"], ["html", "xml", "JSON", ""]),
    (["packages"], ["csv", "html"]),
    (["validate"], ["csv", "html"]),
    (["explain", "total", "--year", "2024"], ["csv", "html"]),
    (["scenario", "list"], ["csv", "html"]),
    (["scenario", "run", "x"], ["csv", "html"]),
    (["replay", "--year", "2024"], ["csv", "html"]),
    (["compare"], ["csv", "xml"]),
    (["ledger", "KAZ", "RUS"], ["csv", "xml"]),
    (["chokepoints"], ["csv", "html"]),
    (["claims", "check", "-"], ["csv", "html"]),
    (["risk", "show", "x"], ["csv", "html"]),
]


@pytest.mark.parametrize(
    ("args", "fmt"), [(args, fmt) for args, fmts in FORMAT_COMMANDS for fmt in fmts]
)
def test_an_unsupported_format_is_a_usage_error(cli: CliRunner, args: list[str], fmt: str) -> None:
    res = cli.invoke(app, [*args, "--format", fmt])
    assert res.exit_code == 2, res.output
    assert isinstance(res.exception, SystemExit)
    assert "Invalid value for '--format'" in res.output


def test_png_without_kaleido_names_the_extra_and_writes_nothing(
    cli: CliRunner, make_toy: Callable[..., Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "kaleido", None)  # import kaleido -> ImportError
    page = tmp_path / "r.html"
    args = ["report", "-p", str(make_toy()), "--png", str(tmp_path / "png"), "--html", str(page)]
    res = cli.invoke(app, args)
    assert res.exit_code == 1
    assert isinstance(res.exception, SystemExit)
    assert "--png needs the 'png' extra (kaleido is not installed)" in res.stderr
    assert "pip install 'corridor[png]'" in res.stderr
    assert not page.exists()
    assert not (tmp_path / "png").exists()


def test_png_export_asks_kaleido_for_no_mathjax(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    kaleido = pytest.importorskip("kaleido")
    if not hasattr(kaleido, "calc_fig_sync"):
        pytest.skip("kaleido 0.x")
    import plotly.graph_objects as go

    from corridor.views.charts import write_pngs

    calls: list[dict[str, Any]] = []

    def calc(fig: Any, opts: Any = None, **kw: Any) -> bytes:
        calls.append({"opts": opts, **kw})
        return b"\x89PNG fake"

    monkeypatch.setattr(kaleido, "calc_fig_sync", calc)
    fig = go.Figure(layout={"height": 320})
    (path,) = write_pngs({"one": fig}, tmp_path)
    assert path.read_bytes() == b"\x89PNG fake"
    assert calls == [
        {
            "opts": {"format": "png", "width": 1100, "height": 320, "scale": 2},
            "kopts": {"mathjax": False},
        }
    ]


def test_csv_cells_that_start_a_formula_are_escaped() -> None:
    assert csv_cell("=cmd|' /C calc'!A0") == "'=cmd|' /C calc'!A0"
    assert [csv_cell(x) for x in ("+1", "-x", "@SUM(A1)", "\tx", "\rx")] == [
        "'+1",
        "'-x",
        "'@SUM(A1)",
        "'\tx",
        "'\rx",
    ]
    assert [csv_cell(x) for x in (-3.5, 0, 2024, None, "BTC", "a=b")] == [
        -3.5,
        0,
        2024,
        None,
        "BTC",
        "a=b",
    ]


def test_report_csv_escapes_a_formula_route_name(
    cli: CliRunner, make_toy: Callable[..., Path]
) -> None:
    def edit(rows: Rows) -> None:
        names = {"a": "=cmd|' /C calc'!A0", "s": "@SUM(1)", "p": "-2+3"}
        for row in rows["routes"]:
            row["name"] = names.get(row["id"], row["name"])

    res = cli.invoke(app, ["report", "-p", str(make_toy(edit)), "--year", "2024", "-f", "csv"])
    assert res.exit_code == 0, res.output
    rows = {r["route"]: r for r in csv.DictReader(io.StringIO(res.stdout))}
    assert rows["a"]["name"] == "'=cmd|' /C calc'!A0"
    assert rows["s"]["name"] == "'@SUM(1)"
    assert rows["p"]["name"] == "'-2+3"
    assert rows["a"]["volume"] == "60.0"  # numbers stay numbers


def test_ledger_of_one_country_with_itself_is_an_error(
    cli: CliRunner, make_toy: Callable[..., Path]
) -> None:
    res = cli.invoke(app, ["ledger", "KAZ", "kaz", "-p", str(make_toy())])
    assert res.exit_code == 2
    assert isinstance(res.exception, SystemExit)
    assert "a ledger needs two different countries, got KAZ twice" in res.stderr


def test_ctrl_c_exits_130_with_one_line(
    cli: CliRunner, make_toy: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    import corridor.cli

    def interrupted(package: Any) -> Any:
        raise KeyboardInterrupt

    monkeypatch.setattr(corridor.cli, "load", interrupted)
    res = cli.invoke(app, ["report", "-p", str(make_toy())])
    assert res.exit_code == INTERRUPTED == 130
    assert isinstance(res.exception, SystemExit)
    assert res.stderr == "interrupted (Ctrl-C); nothing more was written\n"


@pytest.mark.parametrize(("table", "column"), [("routes", "id"), ("routes", "from_node")])
def test_an_empty_key_cell_is_a_problem_not_a_crash_of_the_checks(
    make_toy: Callable[..., Path], table: str, column: str
) -> None:
    # found by the fuzz test: cross-table checks sorted and joined None ids
    def edit(rows: Rows) -> None:
        rows[table][0][column] = ""

    assert f"{table}.csv line 2, field {column}: is required; the cell is empty" in problems(
        make_toy(edit)
    )


def test_a_chain_of_any_length_has_no_cycle_and_a_long_loop_is_found() -> None:
    from corridor.package.checks import find_cycle

    chain = [(f"n{i}", f"n{i + 1}") for i in range(5_000)]  # deeper than the recursion limit
    assert find_cycle(chain) is None
    loop = [*chain, ("n5000", "n0")]
    found = find_cycle(loop)
    assert found is not None
    assert found[0] == found[-1]
    assert len(found) == 5_002


def test_flows_splitting_into_too_many_paths_are_an_error(
    kazakhstan: corridor.Network, monkeypatch: pytest.MonkeyPatch
) -> None:
    from corridor import metrics
    from corridor.exceptions import InvalidArgumentError

    assert len(metrics.flow_paths(kazakhstan, "KAZ", 2025)) > 2
    monkeypatch.setattr(metrics, "MAX_PATHS", 2)
    with pytest.raises(InvalidArgumentError, match="more than 2 paths"):
        metrics.flow_paths(kazakhstan, "KAZ", 2025)
