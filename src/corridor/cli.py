"""The ``corridor`` command line (typer). Errors become messages here, never tracebacks."""

from __future__ import annotations

import csv
import io
import json
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from corridor.exceptions import CorridorError, PackageValidationError
from corridor.metrics import compute, latest_year, summary
from corridor.network import Network
from corridor.package import load_package, package_summary
from corridor.reroute import replay as run_replay
from corridor.reroute import reroute
from corridor.risk import RiskProblem, RiskResult, run_risk
from corridor.scenario import find_scenario, package_scenarios, shift_years
from corridor.schema import format_markdown
from corridor.views.report import (
    report_figures,
    report_html,
    risk_html,
    scenario_html,
    write_pngs,
)
from corridor.views.tables import pct, sources_table, summary_table, year_table
from corridor.views.whatif import claims_table, replay_tables, result_tables, risk_tables

app = typer.Typer(
    help="Corridor: how a country's exports reach the world, on sourced data.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
scenario_app = typer.Typer(help="What-if scenarios: list and run.", no_args_is_help=True)
app.add_typer(scenario_app, name="scenario")
risk_app = typer.Typer(help="Monte Carlo disruption risk: run and show.", no_args_is_help=True)
app.add_typer(risk_app, name="risk")
claims_app = typer.Typer(help="Check the numbers in a news article.", no_args_is_help=True)
app.add_typer(claims_app, name="claims")
_state = {"debug": False}


class Format(StrEnum):
    """Output formats."""

    table = "table"
    json = "json"
    csv = "csv"
    html = "html"


def console() -> Console:
    """Return a console 150 columns wide when the output is not a terminal."""
    return Console(width=None if sys.stdout.isatty() else 150, soft_wrap=False)


@contextmanager
def _errors() -> Iterator[None]:
    """Print Corridor errors as messages and exit 1; tracebacks only with --debug."""
    try:
        yield
    except CorridorError as exc:
        if _state["debug"]:
            raise
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None


PackageOpt = Annotated[
    Path | None,
    typer.Option("--package", "-p", help="Package folder; default the built-in Kazakhstan one."),
]


@app.callback()
def main(
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks.")] = False,
) -> None:
    """Corridor: how a country's exports reach the world, on sourced data."""
    _state["debug"] = debug


@app.command()
def report(
    package: PackageOpt = None,
    year: Annotated[int | None, typer.Option(help="Year; default the latest complete one.")] = None,
    exporter: Annotated[
        str | None, typer.Option(help="ISO3 exporter; default the package's.")
    ] = None,
    fmt: Annotated[
        Format, typer.Option("--format", "-f", help="table, json or csv.")
    ] = Format.table,
    html_out: Annotated[
        Path | None, typer.Option("--html", help="Also write a self-contained HTML report.")
    ] = None,
    png: Annotated[Path | None, typer.Option(help="Also write the figures as PNG here.")] = None,
    commodity: Annotated[
        str | None, typer.Option(help="Commodity; default the package's (e.g. crude-oil).")
    ] = None,
) -> None:
    """Show exports by route, transit country and chokepoint, and the year-by-year summary.

    With --format json: one JSON object per line, one per year (only YEAR when given).
    With --format csv: one row per route and year.
    """
    with _errors():
        n = load_package(package)
        exporter = (exporter or n.meta.exporter).upper()
        if exporter not in set(n.flows["exporter"]) | set(n.supply["exporter"]):
            known = sorted(set(n.flows["exporter"]) | set(n.supply["exporter"]))
            msg = f"no figures for exporter {exporter!r}; known: {', '.join(known)}"
            raise CorridorError(msg)
        if year is not None and year not in n.meta.years:
            msg = (
                f"year {year} is outside the package's years {n.meta.first_year}–{n.meta.last_year}"
            )
            raise CorridorError(msg)
        if html_out is not None:
            _write(html_out, report_html(n, exporter, year))
        if png is not None:
            write_pngs(report_figures(n, exporter, year), png)
        known = list(dict.fromkeys([n.meta.commodity, *n.commodities.index]))
        if commodity is not None and commodity not in known:
            msg = f"unknown commodity {commodity!r}; known: {', '.join(known)}"
            raise CorridorError(msg)
        if commodity not in (None, n.meta.commodity):
            for y in [year] if year is not None else n.years_with_flows(exporter, commodity):
                m = compute(n, exporter, y, commodity).to_dict()
                typer.echo(
                    json.dumps(m, ensure_ascii=False)
                    if fmt is Format.json
                    else (
                        f"{exporter} {commodity} {y}: "
                        + ", ".join(
                            f"{r} {v:g} {n.unit_of(commodity)}"
                            for r, v in m["volume_by_route"].items()
                        )
                    )
                )
            return
        if fmt is Format.table:
            _report_table(n, exporter, year)
        elif fmt is Format.json:
            for y in [year] if year is not None else list(n.meta.years):
                typer.echo(json.dumps(compute(n, exporter, y).to_dict(), ensure_ascii=False))
        else:
            _report_csv(n, exporter, year)


def _write(path: Path, text: str) -> None:
    """Write a file whole or not at all (a temporary file, then a rename)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
    except OSError as exc:
        msg = f"cannot write {path}: {exc.strerror}"
        raise CorridorError(msg) from None
    typer.echo(f"wrote {path}", err=True)


def _report_table(n: Network, exporter: str, year: int | None) -> None:
    out = console()
    y = latest_year(n, exporter) if year is None else year
    m = compute(n, exporter, y)
    out.print(f"[bold]{n.meta.title}[/bold] — package '{n.meta.name}', {len(n.sources)} sources")
    out.print()
    if len(m.paths):
        out.print(year_table(n, m))
    else:
        out.print(f"No route flows reported for {exporter} in {y}: a gap in the data.")
    out.print()
    s = summary(n, exporter)
    out.print(summary_table(n, s))
    out.print()
    out.print(sources_table(n, m.sources))


def _report_csv(n: Network, exporter: str, year: int | None) -> None:
    years = [year] if year is not None else n.years_with_flows(exporter)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(
        [
            "exporter",
            "year",
            "route",
            "name",
            "volume",
            "unit",
            "share",
            "share_of",
            "transit",
            "chokepoints",
            "confidence",
            "basis",
            "sources",
        ]
    )
    for y in years:
        m = compute(n, exporter, y)
        for route, r in m.by_route.iterrows():
            w.writerow(
                [
                    exporter,
                    y,
                    route,
                    r["name"],
                    round(r["volume"], 6),
                    m.unit,
                    round(r["share"], 6),
                    m.denominator_kind,
                    "|".join(r["transit"]),
                    "|".join(r["chokepoints"]),
                    r["confidence"],
                    r["basis"],
                    "|".join(r["sources"]),
                ]
            )
    typer.echo(buf.getvalue(), nl=False)


@app.command()
def validate(
    path: Annotated[
        Path | None, typer.Argument(help="Package folder; default the built-in.")
    ] = None,
    fmt: Annotated[Format, typer.Option("--format", "-f", help="table or json.")] = Format.table,
) -> None:
    """Check a data package; list every problem (exit 1) or print a summary."""
    try:
        n = load_package(path)
    except PackageValidationError as exc:
        if _state["debug"]:
            raise
        if fmt is Format.json:
            problems = [p.__dict__ for p in exc.problems]
            typer.echo(json.dumps({"ok": False, "package": exc.package, "errors": problems}))
        else:
            typer.echo(str(exc), err=True)
        raise typer.Exit(1) from None
    info = package_summary(n)
    if fmt is Format.json:
        typer.echo(json.dumps({"ok": True, **info}))
        return
    out = console()
    years = info["years"]
    out.print(
        f"[green]valid[/green]: {info['title']} ({info['package']}), exporter "
        f"{info['exporter']}, {info['commodity']}, years {years['first']}–{years['last']}"
    )
    out.print("rows: " + ", ".join(f"{k} {v}" for k, v in info["rows"].items()))
    out.print(f"years with flows: {', '.join(map(str, info['years_with_flows'])) or 'none'}")
    out.print(f"sources: {info['sources']}; figures: {info['figures']}")
    out.print("figures by confidence: " + _shares(info["share_by_confidence"]))
    out.print("figures by basis: " + _shares(info["share_by_basis"]))


def _shares(d: dict[str, Any]) -> str:
    return ", ".join(f"{k} {pct(v)}" for k, v in d.items())


@app.command()
def schema() -> None:
    """Print the data package format (tables and columns) as Markdown."""
    typer.echo(format_markdown(), nl=False)


@scenario_app.command("list")
def scenario_list(
    package: PackageOpt = None,
    fmt: Annotated[Format, typer.Option("--format", "-f", help="table or json.")] = Format.table,
) -> None:
    """List the scenarios shipped with a package."""
    with _errors():
        n = load_package(package)
        rows: list[dict[str, Any]] = []
        for name, path in package_scenarios(n).items():
            s = find_scenario(n, str(path))
            when = f"{s.start} – {s.end}" if s.start else ", ".join(map(str, s.years or []))
            rows.append(
                {
                    "name": name,
                    "years": when,
                    "monthly": s.monthly,
                    "changes": len(s.changes),
                    "description": " ".join(s.description.split()),
                }
            )
        if fmt is Format.json:
            typer.echo(json.dumps(rows))
            return
        out = console()
        t = Table(title=f"Scenarios of package '{n.meta.name}'", title_justify="left")
        for c in ("name", "years", "description"):
            t.add_column(c, overflow="fold")
        for r in rows:
            t.add_row(
                r["name"],
                r["years"] + (" (monthly)" if r["monthly"] else ""),
                r["description"][:160] + ("…" if len(r["description"]) > 160 else ""),
            )
        out.print(t)


@scenario_app.command("run")
def scenario_run(
    name: Annotated[str, typer.Argument(help="A package scenario's name, or a YAML file.")],
    package: PackageOpt = None,
    year: Annotated[int | None, typer.Option(help="Move a one-year scenario to YEAR.")] = None,
    exporter: Annotated[str | None, typer.Option(help="ISO3 exporter.")] = None,
    fmt: Annotated[Format, typer.Option("--format", "-f", help="table or json.")] = Format.table,
    html_out: Annotated[
        Path | None, typer.Option("--html", help="Also write an HTML report.")
    ] = None,
) -> None:
    """Run a what-if: re-route around the change; report stranded volume, money and limits."""
    with _errors():
        n = load_package(package)
        s = find_scenario(n, name)
        if year is not None:
            s = shift_years(s, year)
        result = reroute(n, s, exporter.upper() if exporter else None)
        if html_out is not None:
            _write(html_out, scenario_html(n, result))
        if fmt is Format.json:
            typer.echo(json.dumps(result.to_dict(), ensure_ascii=False, default=str))
        else:
            console().print(result_tables(n, result))


@app.command()
def replay(
    year: Annotated[int, typer.Option(help="Year whose dated events to replay.")],
    package: PackageOpt = None,
    exporter: Annotated[str | None, typer.Option(help="ISO3 exporter.")] = None,
    fmt: Annotated[Format, typer.Option("--format", "-f", help="table or json.")] = Format.table,
) -> None:
    """Replay a year's dated events month by month; modelled loss beside reported loss."""
    with _errors():
        n = load_package(package)
        if year not in n.meta.years:
            msg = (
                f"year {year} is outside the package's years {n.meta.first_year}–{n.meta.last_year}"
            )
            raise CorridorError(msg)
        rp = run_replay(n, year, exporter.upper() if exporter else None)
        if fmt is Format.json:
            months = rp.months.reset_index().to_dict("records")
            losses = rp.losses.to_dict("records")
            typer.echo(
                json.dumps(
                    {
                        "year": year,
                        "months": months,
                        "losses": losses,
                        "result": rp.result.to_dict(),
                    },
                    default=str,
                )
            )
        else:
            console().print(replay_tables(rp))


@risk_app.command("run")
def risk_run(
    package: PackageOpt = None,
    scenario: Annotated[
        str | None, typer.Option("--scenario", "-s", help="Base scenario (name or file).")
    ] = None,
    n: Annotated[int, typer.Option("--n", min=1, help="Number of sampled years.")] = 10_000,
    seed: Annotated[int, typer.Option(help="Random seed (same seed, same numbers).")] = 1,
    workers: Annotated[int, typer.Option(min=1, help="Local worker processes.")] = 1,
    scheduler: Annotated[
        str | None, typer.Option(help="Dask scheduler address, e.g. tcp://10.0.0.5:8786.")
    ] = None,
    year: Annotated[
        int | None, typer.Option(help="Baseline year; default latest complete.")
    ] = None,
    threshold: Annotated[float, typer.Option(help="Share crossing the focus country.")] = 0.8,
    out: Annotated[
        Path | None, typer.Option(help="Folder for samples.parquet, summary.json.")
    ] = None,
    fmt: Annotated[Format, typer.Option("--format", "-f", help="table or json.")] = Format.table,
) -> None:
    """Sample years of outages from the package's risks table and re-route each month."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TaskProgressColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    with _errors():
        net = load_package(package)
        base = find_scenario(net, scenario) if scenario else None
        problem = RiskProblem.from_network(net, base, year=year)
        if not problem.risks:
            msg = "the package has no risks (risks.csv) for this exporter"
            raise CorridorError(msg)
        columns = [
            TextColumn("risk"),
            BarColumn(),
            MofNCompleteColumn(),
            TaskProgressColumn(),
            TextColumn("{task.fields[rate]} samples/s"),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
        ]
        err = Console(stderr=True)
        started = time.perf_counter()
        with Progress(*columns, console=err, transient=True, disable=not err.is_terminal) as bar:
            task = bar.add_task("risk", total=n, rate="—")

            def progress(done: int) -> None:
                rate = done / max(time.perf_counter() - started, 1e-9)
                bar.update(task, completed=done, rate=f"{rate:,.0f}")

            result = run_risk(
                problem,
                n=n,
                seed=seed,
                workers=workers,
                scheduler=scheduler,
                threshold=threshold,
                on_progress=progress,
            )
        folder = out or Path("corridor-runs") / time.strftime("risk-%Y%m%d-%H%M%S")
        result.write(folder)
        if result.summary["interrupted"]:
            err.print(f"interrupted: {result.summary['samples_finished']} of {n} samples finished")
        _show_risk(result, folder, fmt)


def _show_risk(result: RiskResult, folder: Path, fmt: Format) -> None:
    if fmt is Format.json:
        typer.echo(json.dumps({**result.summary, "run": str(folder)}, default=str))
    else:
        console().print(risk_tables(result, str(folder)))


@risk_app.command("show")
def risk_show(
    run: Annotated[Path, typer.Argument(help="Folder of a stored run.")],
    package: PackageOpt = None,
    fmt: Annotated[Format, typer.Option("--format", "-f", help="table or json.")] = Format.table,
    html_out: Annotated[
        Path | None, typer.Option("--html", help="Also write an HTML report.")
    ] = None,
) -> None:
    """Print a stored risk run."""
    with _errors():
        result = RiskResult.read(run)
        if html_out is not None:
            _write(html_out, risk_html(load_package(package), result))
        _show_risk(result, run, fmt)


@claims_app.command("check")
def claims_check(
    article: Annotated[str, typer.Argument(help="A .txt or .html file, or - for stdin.")],
    date: Annotated[
        str | None, typer.Option(help="Publication date YYYY-MM-DD, for 'last year'.")
    ] = None,
    package: PackageOpt = None,
    fmt: Annotated[Format, typer.Option("--format", "-f", help="table or json.")] = Format.table,
) -> None:
    """Find the quantitative claims about the network in an article and check each one."""
    import datetime as dt

    from corridor.claims import check_claims

    with _errors():
        when = None
        if date is not None:
            try:
                when = dt.date.fromisoformat(date)
            except ValueError:
                msg = f"--date must be YYYY-MM-DD, got {date!r}"
                raise CorridorError(msg) from None
        if article == "-":
            text = sys.stdin.read()
        else:
            path = Path(article)
            try:
                text = path.read_text(encoding="utf-8", errors="replace")
            except OSError as exc:
                msg = f"cannot read {article}: {exc.strerror}"
                raise CorridorError(msg) from None
        n = load_package(package)
        claims = check_claims(text, date=when, network=n)
        if fmt is Format.json:
            typer.echo(json.dumps({"claims": [c.to_dict() for c in claims]}, ensure_ascii=False))
        else:
            console().print(claims_table(claims))


LOOPBACK = ("127.0.0.1", "localhost", "::1")


@app.command()
def serve(
    package: PackageOpt = None,
    host: Annotated[str, typer.Option(help="Address to bind; loopback unless told.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port.")] = 8000,
    db: Annotated[
        str, typer.Option(help="Run store: any SQLAlchemy URL.")
    ] = "sqlite:///corridor-runs.db",
    token: Annotated[
        str | None,
        typer.Option(help="Token for writes; or CORRIDOR_TOKEN.", envvar="CORRIDOR_TOKEN"),
    ] = None,
) -> None:
    """Serve the dashboard and the JSON API (OpenAPI docs at /docs)."""
    import uvicorn

    from corridor.store import Store
    from corridor.web.app import create_app

    with _errors():
        if host not in LOOPBACK and not token:
            msg = (
                f"binding to {host} exposes the server: give --token (or CORRIDOR_TOKEN); "
                "writes then need it in the X-Corridor-Token header"
            )
            raise CorridorError(msg)
        n = load_package(package)
        store = Store(db)
        web = create_app(n, store, token=token, require_token=host not in LOOPBACK)
        typer.echo(f"Corridor on http://{host}:{port} (package {n.meta.name}, runs in {db})")
    uvicorn.run(web, host=host, port=port, log_level="warning")


@app.command()
def ledger(
    a: Annotated[str, typer.Argument(help="ISO3 of one country, e.g. KAZ.")],
    b: Annotated[str, typer.Argument(help="ISO3 of the other, e.g. RUS.")],
    package: PackageOpt = None,
    year: Annotated[int | None, typer.Option(help="Year; default the latest with flows.")] = None,
    fmt: Annotated[
        Format, typer.Option("--format", "-f", help="table, json or html.")
    ] = Format.table,
    html_out: Annotated[Path | None, typer.Option("--html", help="Write an HTML page.")] = None,
) -> None:
    """Who depends on whom, for what, how much: the two-way ledger of two countries."""
    from corridor.ledger import ledger as make_ledger
    from corridor.ledger import ledger_dict
    from corridor.views.report import ledger_html
    from corridor.views.tables import ledger_table

    with _errors():
        n = load_package(package)
        a, b = a.upper(), b.upper()
        known = sorted({c for c in n.nodes["country"] if c})
        for code in (a, b):
            if code not in known:
                msg = f"no node in country {code!r}; known: {', '.join(known)}"
                raise CorridorError(msg)
        y = year if year is not None else max(n.years_with_flows(a) or [n.meta.last_year])
        if y not in n.meta.years:
            msg = f"year {y} is outside the package's years {n.meta.first_year}–{n.meta.last_year}"
            raise CorridorError(msg)
        df = make_ledger(n, a, b, y)
        if html_out is not None:
            _write(html_out, ledger_html(n, df, a, b, y))
        if fmt is Format.json:
            typer.echo(json.dumps(ledger_dict(df, a, b, y), default=str))
        elif fmt is Format.html:
            typer.echo(ledger_html(n, df, a, b, y))
        else:
            console().print(ledger_table(df, a, b, y))
