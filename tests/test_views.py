"""Views: formatters, the view model and its builders, figures, and HTML reports in a browser."""

from __future__ import annotations

import json
import math
import os
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from rich.console import Console
from typer.testing import CliRunner

import corridor
from corridor.cli import app
from corridor.display import Displayable
from corridor.interdependence import ledger, ledger_dict
from corridor.metrics import dependence
from corridor.reconciliation import Estimate
from corridor.report import report_inputs
from corridor.rerouting import replay, reroute
from corridor.risk import RiskProblem, run_risk
from corridor.scenario import find_scenario
from corridor.views import build, charts, hooks
from corridor.views import format as fmt
from corridor.views.html import fragment_html, report_html
from corridor.views.model import Col, Table, View
from corridor.views.rich import render

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
needs_browser = pytest.mark.skipif(
    CHROMIUM is None, reason="Debian chromium not installed (make test installs it)"
)


@pytest.fixture(scope="module")
def ceyhan(kazakhstan: corridor.Network) -> Any:
    return reroute(kazakhstan, find_scenario(kazakhstan, "ceyhan-20"))


@pytest.fixture(scope="module")
def risk(kazakhstan: corridor.Network) -> Any:
    return run_risk(RiskProblem.from_network(kazakhstan), n=300, seed=1)


def report_page(n: corridor.Network, year: int = 2025) -> str:
    return report_html(build.report_view(n, report_inputs(n, "KAZ", year)), n.meta)


# --- formatters ---------------------------------------------------------------------------------


@pytest.mark.parametrize("gap", [None, float("nan"), np.nan, pd.NA, np.float32("nan")])
def test_every_formatter_prints_a_missing_value_as_a_dash(gap: Any) -> None:
    for f in (fmt.pct, fmt.num, fmt.money, fmt.gap, fmt.points, fmt.text):
        assert f(gap) == fmt.DASH == "—"
    for kind in ("pct", "num", "money", "gap", "int", "text", "sources", "verdict"):
        assert fmt.cell(gap, kind) == "—"


def test_formatters() -> None:
    assert fmt.pct(0.82338) == "82.3%"
    assert fmt.num(6988.04, 0) == "6,988"
    assert fmt.money(34_635_873_798.8) == "34,636"
    assert fmt.gap(0.7) == "+0.70"
    assert fmt.points(-0.0093) == "-0.9 pt"
    assert fmt.arrow(0.963, None) == "96.3% → —"
    assert fmt.cell("", "text") == ""
    assert fmt.cell(0, "int") == "0"


# --- the view model -----------------------------------------------------------------------------


def _cells_are_plain(view: View) -> None:
    for t in view.tables():
        frame = t.to_frame()
        labels = [
            x
            for c in t.columns
            for x in (
                [c.label, f"{c.label} low", f"{c.label} high"] if c.kind == "est" else [c.label]
            )
        ]
        assert list(frame.columns) == labels
        for row in t.rows:
            assert len(row) == len(t.columns), t.title
            for value, c in zip(row, t.columns, strict=True):
                plain = value is None or isinstance(value, str | int | float)
                assert plain or (c.kind == "est" and isinstance(value, Estimate)), (t.title, value)
                assert not isinstance(value, tuple | list)


def test_every_builder_gives_plain_cells(
    kazakhstan: corridor.Network, ceyhan: Any, risk: Any
) -> None:
    n = kazakhstan
    led = ledger(n, "KAZ", "RUS", year=2025)
    from corridor.claims import check_claims

    claims = check_claims("More than 80% of Kazakhstan's oil is exported via Russia.", n=n)
    views = [
        build.report_view(n, report_inputs(n, "KAZ", 2025)),
        build.scenario_view(ceyhan, n=n),
        build.risk_view(risk, n=n),
        build.ledger_view(led, a="KAZ", b="RUS", year=2025, n=n),
        build.claims_view(claims),
        build.replay_view(replay(n, year=2025)),
        build.sources_view(n),
    ]
    for view in views:
        _cells_are_plain(view)
        assert view.tables()


def test_a_stored_result_renders_like_a_live_one(
    kazakhstan: corridor.Network, ceyhan: Any, risk: Any
) -> None:
    live = build.scenario_view(ceyhan, n=kazakhstan)
    stored = build.scenario_view(ceyhan.to_dict(), n=kazakhstan)
    assert [(t.title, t.labels, t.rows) for t in live.tables()] == [
        (t.title, t.labels, t.rows) for t in stored.tables()
    ]
    stored_risk = json.loads(json.dumps(risk.to_dict()))  # as the web's run store keeps it
    a, b = build.risk_view(risk), build.risk_view(stored_risk)
    assert [t.rows for t in a.tables()] == [t.rows for t in b.tables()]


def test_drawing_a_report_computes_nothing(
    kazakhstan: corridor.Network, ceyhan: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    inputs = report_inputs(kazakhstan, "KAZ", 2025)  # the caller computes, LPs included
    stored = ceyhan.to_dict()

    def forbidden(*args: Any, **kwargs: Any) -> Any:
        msg = "a view computed a model figure"
        raise AssertionError(msg)

    for name in ("dependence", "flow_paths", "summary"):
        monkeypatch.setattr(f"corridor.metrics.{name}", forbidden)
    monkeypatch.setattr("corridor.solve.RerouteModel.solve", forbidden)
    monkeypatch.setattr("corridor.rerouting.reroute", forbidden)
    page = report_html(build.report_view(kazakhstan, inputs), kazakhstan.meta)
    assert "Interdependence KAZ ↔ RUS, 2025" in page
    assert "Binding limits" in report_html(
        build.scenario_view(stored, n=kazakhstan), kazakhstan.meta
    )


def test_report_view_takes_precomputed_inputs(kazakhstan: corridor.Network) -> None:
    inputs = report_inputs(kazakhstan, "KAZ", 2025)
    view = build.report_view(kazakhstan, inputs)
    routes = view.table("Routes, 2025")
    assert routes.labels[:4] == ["route", "name", "volume [Mt/year]", "share"]
    cpc = next(r for r in routes.rows if r[0] == "cpc")
    m = inputs.metrics
    assert cpc[2].value == pytest.approx(m.by_route.at["cpc", "volume"])
    assert cpc[2].low <= cpc[2].value <= cpc[2].high
    assert isinstance(cpc[3], Estimate)
    assert cpc[3].value == pytest.approx(m.share_via("cpc"))
    assert cpc[3].low <= cpc[3].value <= cpc[3].high
    summary = view.table("Kazakhstan year by year")
    assert [r[0] for r in summary.rows] == [str(y) for y in kazakhstan.meta.years]
    assert "Interdependence KAZ ↔ RUS, 2025" in [t.title for t in view.tables()]
    key = dict(view.sections[0].key)
    assert key["share via cpc"] == fmt.estimate(m.estimate("share:via:cpc"))
    routes = inputs.metrics.by_route.index
    assert set(inputs.explanations) == {
        "share:crossing:RUS",
        "share:via:cpc",
        "share:bypassing:RUS",
        "total",
        *(f"volume:route:{r}" for r in routes),
        *(f"share:via:{r}" for r in routes),
    }
    assert view.sections[0].links["share via cpc"] == "#explain-share-via-cpc"
    assert view.table("share:via:cpc").id == "explain-share-via-cpc"


def test_scenario_view_reads_the_contract_shapes(kazakhstan: corridor.Network, ceyhan: Any) -> None:
    # to_dict(): binding source = id, a note and `closed`; ladder limits as data
    d = ceyhan.to_dict()
    assert d["periods"][0]["binding"][0]["closed"] is False
    view = build.scenario_view(d, n=kazakhstan)
    binding = view.table("Binding limits")
    row = dict(zip([c.name for c in binding.columns], binding.rows[0], strict=True))
    assert row["source"] == "kaztransoil-kashagan-baku"
    assert row["note"].startswith("March 2024 KMG-SOCAR agreement")
    ladder = view.table("Target ladder")
    assert ladder.rows[0][-1] == "route btc (KAZ, 2.20)"
    assert "kaztransoil-kashagan-baku" in {s.id for s in view.sources}
    # runs stored by earlier versions hold prose: they still read
    for p in d["periods"]:
        for b in p["binding"]:
            b["source"] = f"{b.pop('source')}: {b.pop('note')}"
    for step in d["ladder"]:
        step["limits"] = "btc (KAZ, 2.20)"
    old = build.scenario_view(d, n=kazakhstan)
    assert old.table("Binding limits").rows[0][7] == "kaztransoil-kashagan-baku"
    assert old.table("Target ladder").rows[0][-1] == "btc (KAZ, 2.20)"


def test_ledger_view_writes_the_notes_from_fields(kazakhstan: corridor.Network) -> None:
    # the core's new ledger rows carry numbers, not sentences: patch two rows of a real ledger
    d = ledger_dict(ledger(kazakhstan, "KAZ", "RUS", year=2025), "KAZ", "RUS", 2025)
    d["rows"][0].update(note="", stranded_if_closed=68.81, price_year=None)
    d["rows"][1].update(stranded_if_closed=None, price_year=2023)
    view = build.ledger_view(d, n=kazakhstan)
    t = view.tables()[0]
    notes = [r[[c.name for c in t.columns].index("note")] for r in t.rows[:2]]
    assert notes[0] == "if every route touching RUS closed, 68.81 Mt/year would be stranded"
    assert notes[1].endswith("; price of 2023 (none for 2025)")
    assert "spare on other routes" in [c.name for c in t.columns]


def test_results_show_themselves(ceyhan: Any, risk: Any) -> None:
    for result in (ceyhan, risk):
        console = Console(record=True, width=160)
        console.print(Displayable.__rich__(result))
        text = console.export_text()
        assert "Loss over the year" in text or "Binding limits" in text
        page = Displayable._repr_html_(result)
        assert "<table" in page
        assert "<script" not in page
    assert hooks.view_of(ceyhan).title.startswith("Scenario ceyhan-20")
    with pytest.raises(TypeError, match="no view for int"):
        hooks.view_of(1)


def test_rich_and_html_render_the_same_view() -> None:
    t = Table(
        "T",
        [Col("name"), Col("share", "pct"), Col("sources", "sources"), Col("v", "verdict")],
        [["a <b>", math.nan, "x, y", "supported"]],
        marks={0: (0, 1)},
    )
    view = View("V", [build.Section(tables=[t])])
    html = fragment_html(view)
    assert "<mark>a</mark> &lt;b&gt;" in html
    assert 'href="#src-x">[x]</a>' in html
    assert '<b class="supported">supported</b>' in html
    console = Console(record=True, width=100)
    console.print(render(view))
    assert "—" in console.export_text()


# --- figures ------------------------------------------------------------------------------------


def test_route_map_draws_flows_by_width_and_colour(kazakhstan: corridor.Network) -> None:
    m = dependence(kazakhstan, exporter="KAZ", year=2025, flows=kazakhstan.flows)  # reported
    fig = charts.route_map(kazakhstan, m)
    legs = {t.name: t for t in fig.data if t.name in kazakhstan.routes.index}
    assert set(legs) == set(kazakhstan.routes.index)
    assert legs["cpc"].line.width > legs["atyrau-samara"].line.width > legs["kcp"].line.width
    assert legs["cpc"].line.color == charts.CROSSES
    assert legs["kcp"].line.color == charts.BYPASSES
    assert legs["druzhba-poland"].line.color == charts.CROSSES  # its oil crossed Russia first
    assert legs["btc"].line.color == charts.IDLE
    assert legs["btc"].line.dash == "dot"
    outlines = fig.data[0]
    assert outlines.fill == "toself"
    assert len(outlines.x) > 1000
    hover = next(t for t in fig.data if t.name == "routes")
    assert any("64.80 Mt/yr" in h and "capacity: 81.5" in h for h in hover.text)


def test_sankey_and_shares_add_up(kazakhstan: corridor.Network) -> None:
    m = dependence(kazakhstan, exporter="KAZ", year=2025)
    s = charts.sankey(kazakhstan, m).data[0]
    first_stage = sum(
        v
        for src, v in zip(s.link.source, s.link.value, strict=True)
        if s.node.label[src].startswith("from ")
    )
    assert first_stage == pytest.approx(m.routed)
    history = [
        dependence(kazakhstan, exporter="KAZ", year=y) for y in kazakhstan.years_with_flows("KAZ")
    ]
    # shares over time: lines with bands, never stacked (shares by country overlap)
    for by in ("route", "country"):
        fig = charts.shares_over_time(history, by)
        assert all(getattr(t, "stackgroup", None) is None for t in fig.data)
        lines = [t for t in fig.data if t.showlegend is not False]
        bands = {t.legendgroup: t for t in fig.data if t.fill == "toself"}
        assert lines
        assert bands
        for t in lines:
            for i, (lo, hi) in enumerate(t.customdata):
                assert lo - 1e-9 <= t.y[i] <= hi + 1e-9, (t.name, i)
    rus = next(t for t in charts.shares_over_time(history, "country").data if t.name == "RUS")
    i = list(rus.x).index(2021)
    assert rus.customdata[i][1] - rus.customdata[i][0] > 5  # 2021: a wide interval, a band


def test_report_html_links_every_source(kazakhstan: corridor.Network) -> None:
    page = report_page(kazakhstan)
    targets = set(re.findall(r'id="src-([^"]+)"', page))
    links = set(re.findall(r'href="#src-([^"]+)"', page))
    assert links
    assert links <= targets
    assert "<script src=" not in page
    assert '<link rel="stylesheet" href="http' not in page
    assert f"Corridor {corridor.__version__}" in page
    assert "package <b>kazakhstan</b>" in page
    HTMLParser().feed(page)  # parses


class _Browser:
    """Open pages in headless Debian Chromium; collect console errors and network requests."""

    def __init__(self) -> None:
        from playwright.sync_api import sync_playwright

        self._pw = sync_playwright().start()
        self.browser = self._pw.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
                "--disable-sync",
            ],
        )

    def open(self, path: Path, shot: Path | None = None) -> dict[str, object]:
        page = self.browser.new_page(viewport={"width": 1200, "height": 900})
        errors: list[str] = []
        remote: list[str] = []
        page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on(
            "request",
            lambda req: (
                remote.append(req.url)
                if not req.url.startswith(("file:", "data:", "blob:", "about:"))
                else None
            ),
        )
        page.goto(path.resolve().as_uri())
        page.wait_for_selector("div.figure .main-svg", timeout=15_000)
        page.wait_for_timeout(500)
        figures = page.eval_on_selector_all(
            "div.figure",
            "els => els.map(e => ({name: e.dataset.figure, svg: e.querySelectorAll('svg.main-svg')"
            ".length, paths: e.querySelectorAll('path').length}))",
        )
        if shot is not None:
            page.screenshot(path=str(shot), full_page=True)
        page.close()
        return {"errors": errors, "remote": remote, "figures": figures}

    def close(self) -> None:
        self.browser.close()
        self._pw.stop()


@pytest.fixture(scope="module")
def browser() -> object:
    b = _Browser()
    yield b
    b.close()


@needs_browser
def test_reports_render_offline_in_chromium(
    kazakhstan: corridor.Network, tmp_path: Path, browser: _Browser, ceyhan: Any, risk: Any
) -> None:
    n = kazakhstan
    pages = {"report": report_page(n)}
    pages["scenario"] = report_html(build.scenario_view(ceyhan, n=n), n.meta)
    pages["risk"] = report_html(build.risk_view(risk, n=n), n.meta)
    expected = {
        "report": {"route-map", "sankey", "shares-by-route", "shares-by-country"},
        "scenario": {"scenario-comparison", "share-changes"},
        "risk": {"risk-distribution", "risk-contributions"},
    }
    shots = Path(os.environ.get("CORRIDOR_SHOTS", tmp_path))
    for name, html in pages.items():
        path = tmp_path / f"{name}.html"
        path.write_text(html, encoding="utf-8")
        seen = browser.open(path, shots / f"{name}.png")
        assert seen["errors"] == [], (name, seen["errors"])
        assert seen["remote"] == [], (name, seen["remote"])  # nothing fetched from a network
        figures = {f["name"]: f for f in seen["figures"]}  # type: ignore[union-attr]
        assert set(figures) == expected[name]
        for f in figures.values():
            assert f["svg"] >= 1, (name, f)
            assert f["paths"] > 5, (name, f)
        if name == "report":
            assert figures["route-map"]["paths"] > 100  # country outlines and route legs
        assert (shots / f"{name}.png").stat().st_size > 20_000


@needs_browser
def test_png_export_with_local_chromium(kazakhstan: corridor.Network, tmp_path: Path) -> None:
    m = dependence(kazakhstan, exporter="KAZ", year=2025)
    paths = charts.write_pngs({"sankey": charts.sankey(kazakhstan, m)}, tmp_path)
    data = paths[0].read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width = int.from_bytes(data[16:20], "big")
    assert width == 2200  # 1100 px at scale 2


def test_cli_writes_html_reports(cli: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "r" / "report.html"
    res = cli.invoke(app, ["report", "--html", str(out), "-f", "json", "--year", "2025"])
    assert res.exit_code == 0, res.output
    assert out.read_text().startswith("<!DOCTYPE html>")
    assert "wrote" in res.stderr
    scen = tmp_path / "s.html"
    res = cli.invoke(app, ["scenario", "run", "btc-suspended", "--html", str(scen), "-f", "json"])
    assert res.exit_code == 0
    assert "Scenario btc-suspended" in scen.read_text()
    res = cli.invoke(app, ["report", "--html", "/proc/nope/x.html"])
    assert res.exit_code == 2
    assert "cannot write" in res.stderr


# --- estimates: one display policy ----------------------------------------------------------------


def test_estimate_formatter_policy() -> None:
    pinned = Estimate(0.951, 0.938, 0.970, "share", True)
    wide = Estimate(0.9, 0.786, 1.0, "share", False)
    assert fmt.estimate(pinned) == "95.1 % (93.8–97.0)"
    assert fmt.estimate(wide) == "78.6–100 %"  # a range only, never a point
    assert "90" not in fmt.estimate(wide)
    assert fmt.estimate(Estimate(0.0, 0.0, 0.23, "share", False)) == "0–23.0 %"
    # a range narrower than the rounding gets one more decimal, so its ends differ
    assert fmt.estimate(Estimate(71.2, 71.15, 71.25, "Mt/year", True)) == (
        "71.20 Mt/year (71.15–71.25)"
    )
    assert fmt.estimate(Estimate(73.4, 71.85, math.inf, "Mt/year", False)) == "≥ 71.8 Mt/year"
    # the JSON form prints the same, an unbounded high end being null
    as_json = {"value": 0.951, "low": 0.938, "high": 0.970, "unit": "share", "pinned": True}
    assert fmt.estimate(as_json) == "95.1 % (93.8–97.0)"
    assert fmt.estimate({"value": 73.4, "low": 71.85, "high": None, "unit": "Mt/year"}) == (
        "≥ 71.8 Mt/year"
    )
    # NaN and missing
    assert fmt.estimate(None) == fmt.DASH
    assert fmt.estimate(float("nan")) == fmt.DASH
    nan = float("nan")
    assert fmt.estimate(Estimate(nan, nan, nan, "share", False)) == fmt.DASH
    assert fmt.estimate(Estimate(nan, 0.2, 0.4, "share", True)) == "20.0–40.0 %"
    assert fmt.cell(pinned, "est") == "95.1 % (93.8–97.0)"
    assert fmt.cell(None, "est") == fmt.DASH


def test_estimate_columns_carry_value_low_high() -> None:
    t = Table("t", [Col("k"), Col("share", "est")], [["a", Estimate(0.5, 0.4, 0.6, "share", 0)]])
    frame = t.to_frame()
    assert list(frame.columns) == ["k", "share", "share low", "share high"]
    assert frame.iloc[0].tolist() == ["a", 0.5, 0.4, 0.6]
    assert t.formatted() == [["a", "40.0–60.0 %"]]


def test_evidence_types_render(kazakhstan: corridor.Network) -> None:
    from corridor.reconciliation import reconcile

    rec = reconcile(kazakhstan, year=2023)
    ex = rec.explain("share:crossing:RUS", "KAZ")
    for obj in (rec, ex, ex.estimate):
        assert isinstance(obj, Displayable)
        assert "<table" in obj._repr_html_() or "estimate" in obj._repr_html_()
        console = Console(record=True, width=160)
        console.print(obj)
        assert console.export_text().strip()
    assert hooks.view_of(ex).table("Observations").rows


def test_report_html_links_key_figures_to_their_evidence(kazakhstan: corridor.Network) -> None:
    page = report_page(kazakhstan, 2023)
    links = re.findall(r'<a class="explain" href="#(explain-[^"]+)"', page)
    assert "explain-share-crossing-RUS" in links
    # one click from any figure with an interval: the four key figures, and each route's
    # volume and share in the routes table
    m = corridor.dependence(kazakhstan, exporter="KAZ", year=2023)
    for route in m.by_route.index:
        assert f"explain-share-via-{route}" in links
        assert f"explain-volume-route-{route}" in links
    for anchor in links:
        assert f'id="{anchor}"' in page
    assert "kaz-bypassing-rus-2023" in page  # the 2023 bypass aggregate explains the share
    assert "observations.csv line" in page


def test_route_evidence_is_for_the_html_pages_only(kazakhstan: corridor.Network) -> None:
    view = build.report_view(kazakhstan, report_inputs(kazakhstan, "KAZ", 2023, ledger=False))
    console = Console(record=True, width=150)
    console.print(render(view))
    text = console.export_text()
    assert "behind each key figure" in text
    assert "behind each route's volume and share" not in text  # a terminal cannot follow links
    assert "behind each route" in report_html(view, kazakhstan.meta)
