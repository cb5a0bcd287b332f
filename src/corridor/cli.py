"""The ``corridor`` command line (typer): arguments → library → views.

Each command checks its arguments through the library (``n.check_year`` …) before it writes
anything, then renders the result through ``corridor.views``. Errors become ``error: …``
messages with the exit code of their class in `EXIT_CODES`; tracebacks only with ``--debug``.
Heavy modules (pandas, plotly, the model) are imported inside the commands, so
``corridor --help`` stays fast.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from corridor.exceptions import (
    ClaimsError,
    CorridorError,
    InvalidArgumentError,
    NoFlowsError,
    PackageValidationError,
    ProblemsError,
    RunStoreError,
    SolverError,
    UnitError,
    UnknownError,
    require,
)

if TYPE_CHECKING:
    from rich.console import Console

    from corridor.network import Network
    from corridor.views.model import View

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

#: The exit code of each error class (the first class in a raised error's MRO found here).
#: 2 is a bad argument, as for typer's own usage errors.
EXIT_CODES: dict[type[Exception], int] = {
    UnknownError: 2,
    InvalidArgumentError: 2,
    UnitError: 2,
    ProblemsError: 1,
    NoFlowsError: 1,
    ClaimsError: 1,
    SolverError: 3,
    RunStoreError: 4,
    CorridorError: 1,
}
#: The exit code after Ctrl-C (128 + SIGINT), as shells report it.
INTERRUPTED = 130
#: Hosts the server may bind to without a token.
LOOPBACK = ("127.0.0.1", "localhost", "::1")


class ReportFormat(StrEnum):
    """Output formats of ``corridor report``."""

    table = "table"
    json = "json"
    csv = "csv"


class Format(StrEnum):
    """Output formats of the commands that print one result: a table or its JSON."""

    table = "table"
    json = "json"


class LedgerFormat(StrEnum):
    """Output formats of ``corridor ledger``."""

    table = "table"
    json = "json"
    html = "html"


def exit_code(exc: Exception) -> int:
    """Return the exit code of an error, by the first of its classes in `EXIT_CODES`."""
    for cls in type(exc).__mro__:
        if cls in EXIT_CODES:
            return EXIT_CODES[cls]
    return 1


#: Whether this invocation asked for tracebacks (`--debug`); set by the app's callback.
_DEBUG = {"on": False}


def _debug() -> bool:
    return _DEBUG["on"]


@contextmanager
def errors() -> Iterator[None]:
    """Print Corridor errors as messages and exit with their code; tracebacks with --debug.

    Ctrl-C prints one line and exits `INTERRUPTED` (130).
    """
    try:
        yield
    except CorridorError as exc:
        if _debug():
            raise
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(exit_code(exc)) from None
    except KeyboardInterrupt:
        if _debug():
            raise
        typer.echo("interrupted (Ctrl-C); nothing more was written", err=True)
        raise typer.Exit(INTERRUPTED) from None


def console() -> Console:
    """Return a console 150 columns wide when the output is not a terminal."""
    from rich.console import Console

    return Console(width=None if sys.stdout.isatty() else 150, soft_wrap=False)


def show(view: View, *, sources: bool = False) -> None:
    """Print a view's tables to the terminal."""
    from corridor.views.rich import render

    console().print(render(view, sources=sources))


def echo_json(data: Any) -> None:
    """Print JSON-ready data on one line."""
    typer.echo(json.dumps(data, ensure_ascii=False, default=str))


def write(path: Path, text: str) -> None:
    """Write a file whole or not at all (a temporary file, then a rename)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
    except OSError as exc:
        msg = f"cannot write {path}: {exc.strerror}"
        raise InvalidArgumentError(msg) from None
    typer.echo(f"wrote {path}", err=True)


def load(package: Path | None) -> Network:
    """Load a package: a folder or a built-in package's name (default the built-in one).

    Several, joined by commas ("kazakhstan,azerbaijan"), are read as one network
    (`corridor.package.merge.merge_networks`: shared ids are one asset). Raises UnknownError,
    listing the built-in packages, for a name that is neither.
    """
    from corridor.package import load_package, resolve_package
    from corridor.package.merge import merge_networks

    if package is not None and "," in str(package):
        parts = [p.strip() for p in str(package).split(",") if p.strip()]
        return merge_networks([load_package(resolve_package(p)) for p in parts])
    return load_package(resolve_package(package))


PackageOpt = Annotated[
    Path | None,
    typer.Option(
        "--package",
        "-p",
        help="Package folder, or a built-in package's name (see `corridor packages`); several "
        "joined by commas are read as one network; default the built-in Kazakhstan one.",
    ),
]
HtmlOpt = Annotated[Path | None, typer.Option("--html", help="Also write an HTML report.")]
FormatOpt = Annotated[Format, typer.Option("--format", "-f", help="table or json.")]


@app.callback()
def main(
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks.")] = False,
) -> None:
    """Corridor: how a country's exports reach the world, on sourced data."""
    _DEBUG["on"] = debug


# --- report ------------------------------------------------------------------------------------


@app.command("report")
def report_command(
    package: PackageOpt = None,
    year: Annotated[int | None, typer.Option(help="Year; default the latest complete one.")] = None,
    exporter: Annotated[
        str | None, typer.Option(help="ISO3 exporter; default the package's.")
    ] = None,
    fmt: Annotated[
        ReportFormat, typer.Option("--format", "-f", help="table, json or csv.")
    ] = ReportFormat.table,
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
    with errors():
        if png is not None:
            from corridor.views.charts import check_png_export

            check_png_export()  # before anything is written
        n = load(package)
        exporter = n.check_exporter((exporter or n.meta.exporter).upper())
        commodity = n.check_commodity(commodity)
        if year is not None:
            n.check_year(year)
        if html_out is not None or png is not None:
            _report_files(n, exporter, year, html_out, png)
        years = [year] if year is not None else n.years_with_flows(exporter, commodity)
        if year is None and fmt is ReportFormat.json and commodity == n.meta.commodity:
            years = list(n.meta.years)  # one line per declared year, gaps included
        if commodity != n.meta.commodity or fmt is not ReportFormat.table:
            _report_years(n, exporter, years, commodity, fmt)
        else:
            _report_table(n, exporter, year)


def _report_files(
    n: Network, exporter: str, year: int | None, html_out: Path | None, png: Path | None
) -> None:
    from corridor.metrics import latest_year
    from corridor.report import report_inputs
    from corridor.views.build import report_view
    from corridor.views.html import report_html

    y = latest_year(n, exporter) if year is None else year
    view = report_view(n, report_inputs(n, exporter, y, ledger=html_out is not None))
    if html_out is not None:
        write(html_out, report_html(view, n.meta))
    if png is not None:
        from corridor.views.charts import write_pngs

        figures = {f.name: f.make() for s in view.sections for f in s.figures}
        write_pngs(figures, png)


def _report_table(n: Network, exporter: str, year: int | None) -> None:
    from corridor.metrics import latest_year
    from corridor.report import report_inputs
    from corridor.views.build import report_view

    y = latest_year(n, exporter) if year is None else year
    view = report_view(n, report_inputs(n, exporter, y, ledger=False))
    typer.echo(f"{n.meta.title} — package '{n.meta.name}', {len(n.sources)} sources\n")
    show(view, sources=True)


def _report_years(
    n: Network, exporter: str, years: list[int], commodity: str, fmt: ReportFormat
) -> None:
    from corridor import metrics

    def figures(y: int) -> Any:
        fn = getattr(metrics, "dependence", None)
        if fn is not None:
            return fn(n, exporter=exporter, year=y, commodity=commodity)
        return metrics.dependence(n, exporter=exporter, year=y, commodity=commodity)

    if fmt is ReportFormat.csv:
        import csv

        from corridor.views.build import route_records
        from corridor.views.format import csv_row

        records = [csv_row(r) for y in years for r in route_records(figures(y))]
        out = csv.DictWriter(sys.stdout, fieldnames=list(records[0]) if records else ["route"])
        out.writeheader()
        out.writerows(records)
        return
    for y in years:
        m = figures(y)
        if fmt is ReportFormat.json:
            echo_json(m.to_dict())
        else:
            from corridor.views.build import dependence_view

            show(dependence_view(m, n))


# --- package -----------------------------------------------------------------------------------


@app.command("packages")
def packages_command(fmt: FormatOpt = Format.table) -> None:
    """List the built-in packages: name, title, exporters, commodities, years."""
    from corridor.package import builtin_packages
    from corridor.views.build import packages_view

    with errors():
        found = builtin_packages()
    if fmt is Format.json:
        echo_json(found)
        return
    show(packages_view(found))


@app.command("validate")
def validate_command(
    path: Annotated[
        Path | None,
        typer.Argument(help="Package folder or a built-in package's name; default the built-in."),
    ] = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Check a data package; list every problem (exit 1) or print a summary."""
    from corridor.package import package_summary
    from corridor.reconciliation import reconcile_warnings
    from corridor.views import format as f

    with errors():
        from corridor.package import resolve_package

        path = resolve_package(path)
    try:
        n = load(path)
    except PackageValidationError as exc:
        if _debug():
            raise
        if fmt is Format.json:
            problems = [p.__dict__ for p in exc.problems]
            echo_json({"ok": False, "package": exc.package, "errors": problems})
        else:
            typer.echo(str(exc), err=True)
        raise typer.Exit(exit_code(exc)) from None
    with errors():
        info = package_summary(n)
        warnings = reconcile_warnings(n)
    if fmt is Format.json:
        echo_json({"ok": True, **info, "warnings": [p.__dict__ for p in warnings]})
        return
    years = info["years"]

    def shares(d: dict[str, Any]) -> str:
        return ", ".join(f"{k} {f.pct(v)}" for k, v in d.items())

    console().print(
        f"[green]valid[/green]: {info['title']} ({info['package']}), "
        f"{'exporter ' + info['exporter'] if info['exporter'] else 'no exporter'}, "
        f"{info['commodity']}, years {years['first']}–{years['last']}"
    )
    for line in (
        "rows: " + ", ".join(f"{k} {v}" for k, v in info["rows"].items()),
        f"years with flows: {', '.join(map(str, info['years_with_flows'])) or 'none'}",
        f"sources: {info['sources']}; figures: {info['figures']}",
        "figures by confidence: " + shares(info["share_by_confidence"]),
        "figures by basis: " + shares(info["share_by_basis"]),
    ):
        typer.echo(line)
    for p in warnings:
        typer.echo(f"warning: {p}", err=True)
    if warnings:
        typer.echo(f"{len(warnings)} reconciliation warning(s); the package is valid", err=True)


@app.command("explain")
def explain_command(
    figure: Annotated[
        str,
        typer.Argument(
            help="total, share:KIND:TARGET or volume:KIND:TARGET (KIND: crossing, bypassing, "
            "via, to, route, node, chokepoint, operator); KIND:TARGET alone is a share "
            "(crossing:RUS = share:crossing:RUS)."
        ),
    ],
    year: Annotated[int, typer.Option("--year", "-y", help="The year.")],
    exporter: Annotated[
        str | None, typer.Option("--exporter", "-e", help="Default the package's exporter.")
    ] = None,
    package: PackageOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Explain a figure: its estimate and interval, the observations behind it, conflicts."""
    from corridor.metrics import canonical_figure
    from corridor.reconciliation import reconcile
    from corridor.views.build import explanation_dict, explanation_view

    with errors():
        n = load(package)
        e = n.check_exporter(exporter or n.meta.exporter)
        ex = reconcile(n, year=year).explain(canonical_figure(figure), e)
    if fmt is Format.json:
        echo_json(explanation_dict(ex))
    else:
        show(explanation_view(ex))


@app.command("schema")
def schema_command() -> None:
    """Print the data package format (tables and columns) as Markdown."""
    from corridor.schema import format_markdown

    typer.echo(format_markdown(), nl=False)


# --- scenarios ---------------------------------------------------------------------------------


@scenario_app.command("list")
def scenario_list_command(package: PackageOpt = None, fmt: FormatOpt = Format.table) -> None:
    """List the scenarios shipped with a package."""
    from corridor.scenario import find_scenario, package_scenarios

    with errors():
        n = load(package)
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
            echo_json(rows)
            return
        from corridor.views.build import scenarios_table
        from corridor.views.model import Section, View

        shown = [{**r, "when": r["years"] + (" (monthly)" if r["monthly"] else "")} for r in rows]
        table = scenarios_table(shown, f"Scenarios of package '{n.meta.name}'")
        show(View(table.title, [Section(tables=[table])]))


@scenario_app.command("run")
def scenario_run_command(
    name: Annotated[str, typer.Argument(help="A package scenario's name, or a YAML file.")],
    package: PackageOpt = None,
    year: Annotated[int | None, typer.Option(help="Move a one-year scenario to YEAR.")] = None,
    exporter: Annotated[
        str | None,
        typer.Option(
            help="ISO3 exporter; 'all' re-routes every exporter with flows in the scenario's "
            "years together, sharing the routes' capacity (joint re-routing)."
        ),
    ] = None,
    fmt: FormatOpt = Format.table,
    html_out: HtmlOpt = None,
) -> None:
    """Run a what-if: re-route around the change; report stranded volume, money and limits.

    With `--exporter all` the exporters compete for the spare capacity (one LP per period,
    `corridor.rerouting.joint`): a table per exporter and the joint total.
    """
    from corridor.metrics import focus
    from corridor.rerouting import reroute
    from corridor.scenario import find_scenario, shift_years
    from corridor.views.build import scenario_view

    with errors():
        n = load(package)
        s = find_scenario(n, name)
        if year is not None:
            s = shift_years(s, n.check_year(year))
        if exporter is not None and exporter.lower() == "all":
            _scenario_joint(n, s, fmt, html_out)
            return
        if exporter is not None:
            exporter = n.check_exporter(exporter.upper())
        result = reroute(n, s, exporter=exporter)
        country, route = focus(n, result.exporter, s.commodity)
        view = scenario_view(result, n=n, focus_country=country, focus_route=route)
        _scenario_out(n, view, result.to_dict(), fmt, html_out)


def _scenario_out(
    n: Network, view: Any, data: dict[str, Any], fmt: Format, html_out: Path | None
) -> None:
    """Write a scenario run's HTML report when asked, then print it as JSON or a table."""
    if html_out is not None:
        from corridor.views.html import report_html

        write(html_out, report_html(view, n.meta))
    if fmt is Format.json:
        echo_json(data)
    else:
        show(view)


def _scenario_joint(n: Network, s: Any, fmt: Format, html_out: Path | None) -> None:
    """Run a scenario for every exporter together and show it (`scenario run --exporter all`)."""
    from corridor.rerouting.joint import reroute_joint
    from corridor.views.joint import joint_view

    result = reroute_joint(n, s)
    _scenario_out(n, joint_view(result), result.to_dict(), fmt, html_out)


@app.command("replay")
def replay_command(
    year: Annotated[int, typer.Option(help="Year whose dated events to replay.")],
    package: PackageOpt = None,
    exporter: Annotated[str | None, typer.Option(help="ISO3 exporter.")] = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Replay a year's dated events month by month; modelled loss beside reported loss."""
    from corridor.rerouting import replay
    from corridor.views.build import replay_view

    with errors():
        n = load(package)
        n.check_year(year)
        if exporter is not None:
            exporter = n.check_exporter(exporter.upper())
        rp = replay(n, year=year, exporter=exporter)
        if fmt is Format.json:
            echo_json({"year": year, **rp.to_dict(), "result": rp.result.to_dict()})
        else:
            show(replay_view(rp, n=n))


# --- risk --------------------------------------------------------------------------------------


def _share(value: float) -> float:
    """Check ``--threshold``: a share between 0 and 1, not a percentage."""
    if not 0 <= value <= 1:  # NaN too
        hint = f"{value / 100:g}" if 1 < value <= 100 else "0.8"
        pct = f"{value:g}" if 1 < value <= 100 else "80"
        msg = f"got {value:g}: a share between 0 and 1; for {pct} % write {hint}"
        raise typer.BadParameter(msg)
    return value


@risk_app.command("run")
def risk_run_command(
    package: PackageOpt = None,
    scenario: Annotated[
        str | None, typer.Option("--scenario", "-s", help="Base scenario (name or file).")
    ] = None,
    n: Annotated[
        int, typer.Option("--n", min=1, max=10_000_000, help="Number of sampled years.")
    ] = 10_000,
    seed: Annotated[
        int, typer.Option(min=0, max=2**63 - 1, help="Random seed (same seed, same numbers).")
    ] = 1,
    workers: Annotated[int, typer.Option(min=1, max=256, help="Local worker processes.")] = 1,
    scheduler: Annotated[
        str | None, typer.Option(help="Dask scheduler address, e.g. tcp://10.0.0.5:8786.")
    ] = None,
    year: Annotated[
        int | None, typer.Option(help="Baseline year; default latest complete.")
    ] = None,
    threshold: Annotated[
        float,
        typer.Option(
            callback=_share, help="Share crossing the focus country, between 0 and 1 (0.8: 80 %)."
        ),
    ] = 0.8,
    chunk: Annotated[
        int | None,
        typer.Option(
            min=1,
            max=10_000_000,
            help="Samples per chunk, each stored as it finishes; default n/8/workers, 10-500.",
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(help="Folder for samples.parquet, summary.json (chunks/ while running)."),
    ] = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Sample years of outages from the package's risks table and re-route each month.

    Finished samples are stored as they come: Ctrl-C (exit 130) or SIGTERM (exit 143) keeps
    them and writes the summary; after a kill, `corridor risk show` reads the finished chunks.
    """
    from corridor.risk import RiskProblem, signals_interrupt
    from corridor.scenario import find_scenario

    with errors():
        net = load(package)
        if year is not None:
            net.check_year(year)
        base = find_scenario(net, scenario) if scenario else None
        problem = RiskProblem.from_network(net, base, year=year)
        if not problem.risks:
            msg = "the package has no risks (risks.csv) for this exporter"
            raise NoFlowsError(net.meta.exporter, year or net.meta.last_year, msg)
        options = {"n": n, "seed": seed, "workers": workers, "scheduler": scheduler}
        folder = out or Path("corridor-runs") / time.strftime("risk-%Y%m%d-%H%M%S")
        received: list[int] = []
        try:
            with signals_interrupt() as received:
                result = _sample(problem, threshold=threshold, chunk=chunk, out=folder, **options)
        except KeyboardInterrupt:
            # a second signal while the run was summarised: its finished chunks are on disk
            typer.echo(f"interrupted: the finished samples are in {folder}", err=True)
            raise typer.Exit(128 + (received[0] if received else 2)) from None
        _show_risk(result, folder, fmt, net)
        if received:  # stopped by Ctrl-C (130) or SIGTERM (143)
            raise typer.Exit(128 + received[0])


def _sample(problem: Any, **options: Any) -> Any:
    """Run the risk samples with a progress bar on a terminal's stderr."""
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TaskProgressColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    from corridor.risk import run_risk

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
        task = bar.add_task("risk", total=options["n"], rate="—")

        def progress(done: int) -> None:
            rate = done / max(time.perf_counter() - started, 1e-9)
            bar.update(task, completed=done, rate=f"{rate:,.0f}")

        result = run_risk(problem, on_progress=progress, **options)
    if result.summary.interrupted:
        done = result.summary.samples_finished
        err.print(f"interrupted: {done} of {options['n']} samples finished")
    return result


def _show_risk(result: Any, folder: Path, fmt: Format, n: Network | None) -> None:
    if fmt is Format.json:
        echo_json({**result.summary.to_dict(), "run": str(folder)})
    else:
        from corridor.views.build import risk_view

        show(risk_view(result, n=n, where=str(folder)))


@risk_app.command("show")
def risk_show_command(
    run: Annotated[Path, typer.Argument(help="Folder of a stored run.")],
    package: PackageOpt = None,
    fmt: FormatOpt = Format.table,
    html_out: HtmlOpt = None,
) -> None:
    """Print a stored risk run."""
    from corridor.risk import RiskResult

    with errors():
        result = RiskResult.read(run)
        s = result.summary
        if s.interrupted:
            more = "" if s.complete else "; the run stopped before its end, P95 parts not computed"
            typer.echo(
                f"interrupted: {s.samples_finished:,} of {s.samples_requested:,} samples{more}",
                err=True,
            )
        n = load(package) if html_out is not None else None
        if n is not None and html_out is not None:
            from corridor.views.build import risk_view
            from corridor.views.html import report_html

            write(html_out, report_html(risk_view(result, n=n), n.meta))
        _show_risk(result, run, fmt, n)


# --- claims ------------------------------------------------------------------------------------


def _article(article: str) -> str:
    """Read an article, at most one character past the limit (`/dev/zero` is not read forever).

    The checker then refuses a text over `MAX_CHARS` with its own message.
    """
    from corridor.claims.text import MAX_CHARS

    try:
        if article == "-":
            return sys.stdin.read(MAX_CHARS + 1)
        with Path(article).open(encoding="utf-8", errors="replace") as f:
            return f.read(MAX_CHARS + 1)
    except OSError as exc:
        msg = f"cannot read {article}: {exc.strerror}"
        raise ClaimsError(msg) from None


@claims_app.command("check")
def claims_check_command(
    article: Annotated[str, typer.Argument(help="A .txt or .html file, or - for stdin.")],
    date: Annotated[
        str | None, typer.Option(help="Publication date YYYY-MM-DD, for 'last year'.")
    ] = None,
    package: PackageOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Find the quantitative claims about the network in an article and check each one."""
    import datetime as dt

    from corridor.claims import check_article
    from corridor.claims.facts import load_facts

    with errors():
        when = None
        if date is not None:
            try:
                when = dt.date.fromisoformat(date)
            except ValueError:
                msg = f"--date must be YYYY-MM-DD, got {date!r}"
                raise InvalidArgumentError(msg) from None
        text = _article(article)
        # the package's facts, from the cache when it holds them: no pandas, SciPy or pint
        cached = load_facts(package, lambda: load(package))
        checked = check_article(text, n=cached.facts, date=when)
        cached.store()
        if fmt is Format.json:
            echo_json(checked.to_dict())
        else:
            from corridor.views.build import claims_view

            show(claims_view(checked))


# --- serve and ledger --------------------------------------------------------------------------


@app.command("serve")
def serve_command(
    package: PackageOpt = None,
    host: Annotated[str, typer.Option(help="Address to bind; loopback unless told.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=0, max=65535, help="Port (0-65535).")] = 8000,
    db: Annotated[
        str, typer.Option(help="Run store: any SQLAlchemy URL.")
    ] = "sqlite:///corridor-runs.db",
    token: Annotated[
        str | None,
        typer.Option(
            help="Token every write needs (any address); or CORRIDOR_TOKEN.",
            envvar="CORRIDOR_TOKEN",
        ),
    ] = None,
) -> None:
    """Serve the dashboard and the JSON API (OpenAPI docs at /docs)."""
    with errors():
        for module in ("uvicorn", "fastapi", "fastapi_offline", "sqlalchemy"):
            require(module, "web", "corridor serve")
    import uvicorn

    from corridor.store import Store
    from corridor.web.app import create_app

    with errors():
        if host not in LOOPBACK and not token:
            msg = (
                f"binding to {host} exposes the server: give --token (or CORRIDOR_TOKEN); "
                "writes then need it in the X-Corridor-Token header or the forms' token field"
            )
            raise InvalidArgumentError(msg)
        n = load(package)
        store = Store(db)
        web = create_app(n, store, token=token or None, host=host)
        typer.echo(f"Corridor on http://{host}:{port} (package {n.meta.name}, runs in {db})")
    try:
        uvicorn.run(web, host=host, port=port, log_level="warning")
    except OSError as exc:  # the port is taken, or the address is not this machine's
        typer.echo(f"error: cannot serve on {host}:{port}: {exc.strerror or exc}", err=True)
        raise typer.Exit(1) from None


class CompareFormat(StrEnum):
    """Formats of `corridor compare`."""

    table = "table"
    json = "json"
    html = "html"


@app.command("compare")
def compare_command(
    package: PackageOpt = None,
    year: Annotated[
        int | None, typer.Option(help="Year; default each exporter's latest with flows.")
    ] = None,
    fmt: Annotated[
        CompareFormat, typer.Option("--format", "-f", help="table, json or html.")
    ] = CompareFormat.table,
    html_out: Annotated[Path | None, typer.Option("--html", help="Write an HTML page.")] = None,
) -> None:
    """Every exporter side by side: top transit country, main route, HHI, N-1 loss."""
    from corridor.compare import compare
    from corridor.views.compare import compare_view
    from corridor.views.html import report_html

    with errors():
        n = load(package)
        if year is not None:
            n.check_year(year)
        c = compare(n, year=year)
        view = compare_view(c)
        if html_out is not None:
            write(html_out, report_html(view, n.meta))
        if fmt is CompareFormat.json:
            echo_json(c.to_dict())
        elif fmt is CompareFormat.html:
            typer.echo(report_html(view, n.meta))
        else:
            show(view)


@app.command("ledger")
def ledger_command(
    a: Annotated[str, typer.Argument(help="ISO3 of one country, e.g. KAZ.")],
    b: Annotated[str, typer.Argument(help="ISO3 of the other, e.g. RUS.")],
    package: PackageOpt = None,
    year: Annotated[int | None, typer.Option(help="Year; default the latest with flows.")] = None,
    fmt: Annotated[
        LedgerFormat, typer.Option("--format", "-f", help="table, json or html.")
    ] = LedgerFormat.table,
    html_out: Annotated[Path | None, typer.Option("--html", help="Write an HTML page.")] = None,
) -> None:
    """Who depends on whom, for what, how much: the two-way ledger of two countries."""
    from corridor.interdependence import ledger, ledger_dict, ledger_year
    from corridor.views.build import ledger_view
    from corridor.views.html import report_html

    with errors():
        n = load(package)
        a, b = a.upper(), b.upper()
        y = ledger_year(n, a, year)
        df = ledger(n, a, b, year=y)
        view = ledger_view(df, a=a, b=b, year=y, n=n)
        if html_out is not None:
            write(html_out, report_html(view, n.meta))
        if fmt is LedgerFormat.json:
            echo_json(ledger_dict(df, a, b, y))
        elif fmt is LedgerFormat.html:
            typer.echo(report_html(view, n.meta))
        else:
            show(view)


#: What `corridor chokepoints` loads without --package: the default exporter's package with the
#: chokepoints' throughput.
CHOKEPOINTS_DEFAULT = Path("kazakhstan,chokepoints")


class ChokepointsFormat(StrEnum):
    """Formats of `corridor chokepoints`."""

    table = "table"
    json = "json"


@app.command("chokepoints")
def chokepoints_command(
    package: PackageOpt = None,
    year: Annotated[int | None, typer.Option(help="Year; default the latest with flows.")] = None,
    fmt: Annotated[
        ChokepointsFormat, typer.Option("--format", "-f", help="table or json.")
    ] = ChokepointsFormat.table,
) -> None:
    """Chokepoints each exporter's oil passes, and its share of their traffic.

    Merge the exporters' packages with the chokepoints one, e.g. -p kazakhstan,chokepoints
    (the default); a share is withheld where the packages hold no throughput.
    """
    from corridor.chokepoints import chokepoint_traffic
    from corridor.views.chokepoints import chokepoints_view

    with errors():
        n = load(package or CHOKEPOINTS_DEFAULT)
        if year is not None:
            n.check_year(year)
        t = chokepoint_traffic(n, year=year)
        if fmt is ChokepointsFormat.json:
            echo_json(t.to_dict())
        else:
            show(chokepoints_view(t))
