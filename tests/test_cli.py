"""The CLI on real output: the toy package, the built-in package and broken packages."""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

import corridor
from corridor.cli import EXIT_CODES, app, exit_code
from corridor.exceptions import (
    CorridorError,
    InvalidArgumentError,
    PackageValidationError,
    ScenarioError,
    UnknownError,
)
from corridor.metrics import dependence, latest_year
from corridor.views import format as fmt

from .test_metrics import exact_toy
from .toy import exited, observation


def test_report_json_on_toy(cli: CliRunner, make_toy: Callable[..., Path]) -> None:
    # the toy's 2024 flows and total as exact observations (intervals by hand: test_metrics)
    package = str(make_toy(exact_toy))
    res = cli.invoke(app, ["report", "--package", package, "--year", "2024", "-f", "json"])
    assert res.exit_code == 0, res.output
    lines = res.stdout.strip().splitlines()
    assert len(lines) == 1
    obj = json.loads(lines[0])
    assert obj["exporter"] == "KAZ"
    assert obj["year"] == 2024
    assert obj["commodity"] == "crude-oil"
    total = obj["total_exports"]
    assert total["value"] == pytest.approx(100, rel=5e-3)  # 100 Mt over 2024's 366 days
    assert total["low"] <= total["value"] <= total["high"]
    assert total["unit"] == "Mt/year"
    assert obj["share_by_route"]["a"] == {
        "value": pytest.approx(0.6),
        "low": pytest.approx(0.6),
        "high": pytest.approx(0.6),
        "unit": "share",
        "pinned": True,
    }
    by_country = obj["share_by_transit_country"]
    expected = {"RUS": (0.8, 0.9), "AZE": (0.1, 0.36), "GEO": (0.06, 0.36), "TUR": (0.06, 0.36)}
    assert set(by_country) == set(expected)
    for k, (low, high) in expected.items():
        assert (by_country[k]["low"], by_country[k]["high"]) == pytest.approx((low, high)), k
    crossing = obj["share_crossing"]
    assert crossing["country"] == "RUS"
    assert (crossing["low"], crossing["value"], crossing["high"]) == pytest.approx(
        (0.8, 8 / 9, 0.9)
    )
    assert crossing["pinned"] is False
    assert obj["share_via"]["route"] == "a"
    assert obj["share_via"]["value"] == pytest.approx(0.6)
    assert obj["sources"] == ["toy-src"]


def test_report_json_every_year_keeps_gaps(cli: CliRunner, make_toy: Callable[..., Path]) -> None:
    res = cli.invoke(app, ["report", "--package", str(make_toy()), "-f", "json"])
    objs = [json.loads(line) for line in res.stdout.splitlines()]
    assert [o["year"] for o in objs] == list(range(2019, 2027))
    gap = objs[0]
    assert gap["routed_volume"] is None
    assert gap["share_by_route"] == {}
    assert gap["hhi"] is None


def test_report_csv_on_toy(cli: CliRunner, make_toy: Callable[..., Path]) -> None:
    res = cli.invoke(app, ["report", "--package", str(make_toy()), "-f", "csv"])
    rows = list(csv.DictReader(io.StringIO(res.stdout)))
    assert len(rows) == 10  # 7 routes in 2024, 3 in 2023
    a = next(r for r in rows if (r["year"], r["route"]) == ("2024", "a"))
    assert float(a["share_low"]) <= 0.6 <= float(a["share_high"])  # reconciled, banded flows
    assert float(a["share_low"]) <= float(a["share"]) <= float(a["share_high"])
    assert a["transit"] == "RUS"


def test_report_table_on_builtin(cli: CliRunner, kazakhstan: corridor.Network) -> None:
    res = cli.invoke(app, ["report"])
    assert res.exit_code == 0, res.output
    year = latest_year(kazakhstan)
    m = dependence(kazakhstan, exporter="KAZ", year=year)
    out = res.stdout
    assert f"exports by route, {year}" in out
    assert f"share via cpc: {fmt.estimate(m.estimate('share:via:cpc'))}" in " ".join(out.split())
    assert (
        "share crossing Russian Federation (territory or ports): "
        f"{fmt.estimate(m.estimate('share:crossing:RUS'))}" in " ".join(out.split())
    )
    assert "year by year" in out
    assert "2019" in out
    assert "2025" in out
    for route in m.by_route.index:
        assert route in out


def test_report_json_builtin_has_required_keys(cli: CliRunner) -> None:
    res = cli.invoke(app, ["report", "--year", "2025", "--format", "json"])
    obj = json.loads(res.stdout)
    for key in (
        "exporter",
        "year",
        "commodity",
        "total_exports",
        "share_by_route",
        "share_by_transit_country",
        "sources",
    ):
        assert key in obj
    assert set(obj["total_exports"]) >= {"value", "unit"}
    assert "cpc" in obj["share_by_route"]


def test_bad_arguments_are_messages(cli: CliRunner, make_toy: Callable[..., Path]) -> None:
    folder = str(make_toy())
    res = cli.invoke(app, ["report", "--package", folder, "--year", "1990"])
    assert EXIT_CODES[UnknownError] == 2
    exited(res, 2)
    assert "year 1990 is outside the package's years 2019–2026" in res.stderr
    res = cli.invoke(app, ["report", "--package", folder, "--exporter", "NOR"])
    exited(res, 2)
    assert "unknown exporter 'NOR'; known: KAZ" in res.stderr


def test_validate_ok(cli: CliRunner) -> None:
    res = cli.invoke(app, ["validate", "--format", "json"])
    assert res.exit_code == 0, res.output
    info = json.loads(res.stdout)
    assert info["ok"]
    assert info["exporter"] == "KAZ"
    assert sum(info["share_by_confidence"].values()) == pytest.approx(1, abs=1e-3)  # 4 decimals
    res = cli.invoke(app, ["validate"])
    assert "valid" in res.stdout
    assert "figures by confidence: high" in res.stdout


def test_validate_lists_every_problem(cli: CliRunner, make_toy: Callable[..., Path]) -> None:
    def edit(rows: dict[str, Any]) -> None:
        rows["flows"][0]["value"] = "x"
        rows["routes"][0]["to_node"] = "nowhere"
        rows["nodes"][0]["country"] = "ZZZ"

    folder = str(make_toy(edit))
    res = cli.invoke(app, ["validate", folder])
    exited(res, 1)
    assert "has 3 problems" in res.stderr
    assert "flows.csv line 2, field value: must be a number, got 'x'" in res.stderr
    res = cli.invoke(app, ["validate", folder, "--format", "json"])
    exited(res, 1)
    assert len(json.loads(res.stdout)["errors"]) == 3
    # no command half-loads a broken package
    res = cli.invoke(app, ["report", "--package", folder])
    exited(res, 1)
    assert "has 3 problems" in res.stderr


def test_validate_missing_folder(cli: CliRunner, tmp_path: Path) -> None:
    res = cli.invoke(app, ["validate", str(tmp_path / "nope")])
    exited(res, 1)
    assert "no such package folder" in res.stderr


def test_schema_prints_the_format(cli: CliRunner) -> None:
    res = cli.invoke(app, ["schema"])
    assert "#### `flows.csv` (required; key: exporter, route, year)" in res.stdout


def test_scenario_list(cli: CliRunner) -> None:
    res = cli.invoke(app, ["scenario", "list", "--format", "json"])
    assert res.exit_code == 0, res.output
    names = {s["name"] for s in json.loads(res.stdout)}
    assert {
        "ceyhan-20",
        "cpc-terminal-outage-2m",
        "russia-transit-closed",
        "druzhba-germany-stopped",
        "btc-suspended",
        "kaz-wheat-ban-2024",
        "rus-agri-ban-2024",
        "rus-china-transit-halt",
    } == names
    table = cli.invoke(app, ["scenario", "list"]).stdout
    assert "ceyhan-20" in table
    assert "2025 (monthly)" in table


def test_scenario_run_json(cli: CliRunner) -> None:
    res = cli.invoke(app, ["scenario", "run", "russia-transit-closed", "--format", "json"])
    assert res.exit_code == 0, res.output
    obj = json.loads(res.stdout)
    period = obj["periods"][0]
    for key in (
        "baseline",
        "scenario",
        "rerouted",
        "stranded",
        "revenue_at_risk",
        "shares",
        "binding",
    ):
        assert key in period, key
    assert period["stranded"]["unit"] == "Mt"
    assert period["stranded"]["per_origin"]
    assert period["baseline"]["cpc"] == pytest.approx(64.8)
    assert "cpc" not in {k for k, v in period["scenario"].items() if v}
    assert period["shares"]["scenario"]["transit_country"].get("RUS", 0) == 0
    total = obj["total"]
    assert total["stranded"]["value"] == pytest.approx(period["stranded"]["value"])
    assert total["revenue_at_risk"]["value"] > 0


def test_scenario_run_table_and_year(cli: CliRunner) -> None:
    res = cli.invoke(app, ["scenario", "run", "ceyhan-20"])
    assert res.exit_code == 0, res.output
    assert "Target ladder" in res.stdout
    assert "Binding limits" in res.stdout
    res = cli.invoke(
        app, ["scenario", "run", "cpc-terminal-outage-2m", "--year", "2023", "-f", "json"]
    )
    hit = [p["period"] for p in json.loads(res.stdout)["periods"] if p["stranded"]["value"]]
    assert hit == ["2023-03", "2023-04"]


def test_scenario_errors_are_messages(cli: CliRunner, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: bad\nyears: [2025]\nchanges:\n  - type: close_country\n    country: XX\n")
    res = cli.invoke(app, ["scenario", "run", str(bad)])
    exited(res, 1)
    assert "bad.yaml line 5, field changes.0.country: unknown country 'XX'" in res.stderr
    res = cli.invoke(app, ["scenario", "run", "nope"])
    exited(res, 2)  # EXIT_CODES[UnknownError]
    assert "unknown scenario 'nope'" in res.stderr


def test_replay(cli: CliRunner) -> None:
    res = cli.invoke(app, ["replay", "--year", "2025"])
    assert res.exit_code == 0, res.output
    assert "Modelled vs reported loss" in res.stdout
    assert "cpc-attack-2025-production" in res.stdout
    res = cli.invoke(app, ["replay", "--year", "2025", "-f", "json"])
    obj = json.loads(res.stdout)
    assert len(obj["months"]) == 12
    assert {x["loss"] for x in obj["losses"]} == {
        "cpc-attack-2025-production",
        "cpc-attack-2025-december-exports",
    }
    res = cli.invoke(app, ["replay", "--year", "2030"])
    exited(res, 2)
    assert "outside the package's years" in res.stderr


# --- formats, argument checks before writing, exit codes, import time -----------------------

#: A command line per command that takes --format, with a format it does not support.
UNSUPPORTED = [
    ["report", "--html", "{out}", "-f", "html"],
    ["validate", "-f", "csv"],
    ["scenario", "list", "-f", "csv"],
    ["scenario", "run", "ceyhan-20", "--html", "{out}", "-f", "csv"],
    ["replay", "--year", "2025", "-f", "csv"],
    ["risk", "run", "--n", "10", "--out", "{out}", "-f", "csv"],
    ["risk", "show", "{out}", "--html", "{out}", "-f", "csv"],
    ["claims", "check", "-", "-f", "html"],
    ["ledger", "KAZ", "RUS", "--html", "{out}", "-f", "csv"],
]


@pytest.mark.parametrize("argv", UNSUPPORTED, ids=lambda a: " ".join(a[:2]))
def test_every_command_rejects_an_unsupported_format(
    cli: CliRunner, tmp_path: Path, argv: list[str]
) -> None:
    out = tmp_path / "out.html"
    res = cli.invoke(app, [a.replace("{out}", str(out)) for a in argv], input="")
    exited(res, 2)
    assert "Invalid value for '--format'" in res.output
    assert not out.exists()  # nothing written before the rejection
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["report", "--commodity", "nope"], "unknown commodity 'nope'"),
        (["report", "--year", "1990"], "year 1990 is outside"),
        (["report", "--exporter", "NOR"], "unknown exporter 'NOR'"),
        (["scenario", "run", "nope"], "unknown scenario 'nope'"),
        (["scenario", "run", "ceyhan-20", "--year", "1990"], "year 1990 is outside"),
        (["ledger", "KAZ", "XXX"], "unknown country 'XXX'"),
        (["ledger", "KAZ", "RUS", "--year", "1990"], "year 1990 is outside"),
    ],
)
def test_arguments_are_checked_before_any_file_is_written(
    cli: CliRunner, tmp_path: Path, argv: list[str], message: str
) -> None:
    out = tmp_path / "report.html"
    res = cli.invoke(app, [*argv, "--html", str(out)])
    exited(res, (1, 2))
    assert message in res.stderr
    assert not out.exists()


def test_exit_codes_come_from_one_table() -> None:
    assert exit_code(UnknownError("year", 1990, [2025])) == 2
    assert exit_code(InvalidArgumentError("bad")) == 2
    assert exit_code(PackageValidationError("p", [])) == 1
    assert exit_code(ScenarioError("s", [])) == 1
    assert exit_code(CorridorError("x")) == 1
    assert set(EXIT_CODES) <= {
        cls for cls in vars(corridor.exceptions).values() if isinstance(cls, type)
    }


def test_command_functions_are_named_after_their_commands() -> None:
    import typer.main

    from corridor import cli as module

    group = typer.main.get_group(app)
    names = [c.callback.__name__ for c in _commands(group)]  # type: ignore[union-attr]
    assert names
    assert all(name.endswith("_command") for name in names), names
    assert not hasattr(module, "_state")


def _commands(group: Any) -> list[Any]:
    out = []
    for c in group.commands.values():
        out += _commands(c) if hasattr(c, "commands") else [c]
    return out


def test_help_imports_no_heavy_module() -> None:
    import subprocess
    import sys

    code = (
        "import sys; from corridor.cli import app; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & "
        "{'pandas', 'numpy', 'plotly', 'fastapi', 'pydantic', 'rich', 'networkx', 'highspy'}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"


# --- explain and validate warnings ----------------------------------------------------------------


def test_explain_on_toy(cli: CliRunner, make_toy: Callable[..., Path]) -> None:
    package = str(make_toy(exact_toy))
    args = ["explain", "crossing:RUS", "--year", "2024", "--package", package, "-f", "json"]
    res = cli.invoke(app, args)
    assert res.exit_code == 0, res.output
    obj = json.loads(res.stdout)
    assert obj["figure"] == "share:crossing:RUS"
    assert obj["exporter"] == "KAZ"
    assert obj["year"] == 2024
    e = obj["estimate"]
    assert (e["low"], e["value"], e["high"]) == pytest.approx((0.8, 8 / 9, 0.9))
    assert obj["text"] == "80.0–90.0 %"  # not pinned: a range only
    ids = {o["id"] for o in obj["observations"]}
    assert {"x-total", "x-a", "x-s"} <= ids
    by_id = {o["id"]: o for o in obj["observations"]}
    assert by_id["x-a"]["origin"].startswith("observations.csv line ")
    assert by_id["x-a"]["source"] == "toy-src"
    assert (by_id["x-a"]["band_low"], by_id["x-a"]["band_high"]) == (60, 60)
    assert obj["binding"]  # the rows whose bands bound the interval
    assert {o["id"] for o in obj["observations"] if o["binding"]} <= set(obj["binding"])
    assert obj["conflicts"] == []
    # the table form names the figure, the range and the rows
    res = cli.invoke(app, ["explain", "share:crossing:RUS", "-y", "2024", "-p", package])
    assert res.exit_code == 0, res.output
    assert "80.0–90.0 %" in res.stdout
    assert "x-total" in res.stdout


def test_explain_rejects_a_bad_figure(cli: CliRunner, make_toy: Callable[..., Path]) -> None:
    package = str(make_toy(exact_toy))
    res = cli.invoke(app, ["explain", "across:RUS", "--year", "2024", "-p", package])
    exited(res, EXIT_CODES[InvalidArgumentError])
    res = cli.invoke(app, ["explain", "crossing:XXX", "--year", "2024", "-p", package])
    exited(res, EXIT_CODES[UnknownError])


def planted_conflict(rows: dict[str, Any]) -> None:
    """The exact toy, plus a second 2024 total of 80-82 Mt: it cannot hold with 100."""
    exact_toy(rows)
    rows["observations"].append(
        observation("x-total-low", "exports", "all", "2024", low=80, high=82)
    )


def test_validate_warns_of_conflicts_naming_the_rows(
    cli: CliRunner, make_toy: Callable[..., Path]
) -> None:
    package = str(make_toy(planted_conflict))
    res = cli.invoke(app, ["validate", package])
    assert res.exit_code == 0, res.output  # warnings only: still valid
    assert "valid" in res.stdout
    assert "warning: observations.csv line" in res.stderr
    assert "x-total" in res.stderr
    assert "x-total-low" in res.stderr
    res = cli.invoke(app, ["validate", package, "-f", "json"])
    assert res.exit_code == 0
    obj = json.loads(res.stdout)
    assert obj["ok"] is True
    assert obj["warnings"]
    message = " ".join(w["message"] for w in obj["warnings"])
    assert "x-total" in message
    assert "x-total-low" in message
    assert all(w["file"] == "observations.csv" and w["line"] for w in obj["warnings"])
    clean = cli.invoke(app, ["validate", str(make_toy(exact_toy)), "-f", "json"])
    assert json.loads(clean.stdout)["warnings"] == []


# --- a crash is not a clear error; the extras a command needs -----------------------------------


def test_exited_tells_a_crash_from_a_clear_error(cli: CliRunner) -> None:
    toy_app = typer.Typer()

    @toy_app.command()
    def fail(crash: bool = False) -> None:
        if crash:
            msg = "not a Corridor error"
            raise RuntimeError(msg)
        typer.echo("error: a clear message", err=True)
        raise typer.Exit(1)

    clear = cli.invoke(toy_app, [])
    exited(clear, 1)
    crash = cli.invoke(toy_app, ["--crash"])
    assert crash.exit_code == 1  # the same exit code, and no "Traceback" in the output...
    assert "Traceback" not in crash.output
    with pytest.raises(AssertionError, match="RuntimeError"):
        exited(crash, 1)  # ...but the helper sees the exception


# The commands below need an extra that `make run` does not install (the runtime set stays
# small): without it they answer with a one-line error naming the extra.


def test_serve_without_the_web_extra_names_it(
    cli: CliRunner, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)  # the run store is created in the working folder
    monkeypatch.setitem(sys.modules, "uvicorn", None)  # `import uvicorn` now fails
    res = cli.invoke(app, ["serve", "--port", "0"])
    exited(res, 1)
    assert "corridor[web]" in res.stderr


def test_an_html_article_without_the_claims_extra_names_it(
    cli: CliRunner, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setitem(sys.modules, "trafilatura", None)
    article = tmp_path / "a.html"
    article.write_text("<html><body><p>Kazakhstan exported 70 Mt of crude.</p></body></html>")
    res = cli.invoke(app, ["claims", "check", str(article)])
    exited(res, 1)
    assert "corridor[claims]" in res.stderr


def test_png_without_the_png_extra_names_it(
    cli: CliRunner, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # plotly remembers whether kaleido imports (from its own import on): load it first, make it
    # look again with kaleido hidden, and restore what it knew afterwards
    from plotly.io import _kaleido as plotly_kaleido

    for flag in ("_KALEIDO_AVAILABLE", "_KALEIDO_MAJOR"):
        if hasattr(plotly_kaleido, flag):
            monkeypatch.setattr(plotly_kaleido, flag, None)
    monkeypatch.setitem(sys.modules, "kaleido", None)
    res = cli.invoke(app, ["report", "--png", str(tmp_path / "png")])
    exited(res, 1)
    assert "corridor[png]" in res.stderr
    assert not (tmp_path / "png").exists() or not list((tmp_path / "png").iterdir())


def test_debug_lets_the_error_through(cli: CliRunner) -> None:
    res = cli.invoke(app, ["--debug", "report", "--year", "2031"])
    assert isinstance(res.exception, UnknownError), repr(res.exception)
