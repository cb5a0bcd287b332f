"""Figures and HTML reports: what they show, and how they look in a real browser, offline."""

from __future__ import annotations

import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest
from typer.testing import CliRunner

import corridor
from corridor.cli import app
from corridor.metrics import compute
from corridor.reroute import reroute
from corridor.risk import RiskProblem, run_risk
from corridor.scenario import find_scenario
from corridor.views import charts
from corridor.views.report import report_figures, report_html, risk_html, scenario_html, write_pngs

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
needs_browser = pytest.mark.skipif(
    CHROMIUM is None, reason="Debian chromium not installed (make test installs it)"
)


def test_route_map_draws_flows_by_width_and_colour(kazakhstan: corridor.Network) -> None:
    m = compute(kazakhstan, "KAZ", 2025)
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
    m = compute(kazakhstan, "KAZ", 2025)
    s = charts.sankey(kazakhstan, m).data[0]
    first_stage = sum(
        v
        for src, v in zip(s.link.source, s.link.value, strict=True)
        if s.node.label[src].startswith("from ")
    )
    assert first_stage == pytest.approx(m.routed)
    area = charts.shares_over_time(kazakhstan, "KAZ", "route")
    years = list(area.data[0].x)
    i = years.index(2025)
    assert sum(t.y[i] for t in area.data) == pytest.approx(100, abs=1e-6)  # with "not attributed"


def test_report_html_links_every_source(kazakhstan: corridor.Network) -> None:
    page = report_html(kazakhstan)
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
    kazakhstan: corridor.Network, tmp_path: Path, browser: _Browser
) -> None:
    pages = {"report": report_html(kazakhstan)}
    result = reroute(kazakhstan, find_scenario(kazakhstan, "ceyhan-20"))
    pages["scenario"] = scenario_html(kazakhstan, result)
    risk = run_risk(RiskProblem.from_network(kazakhstan), n=300, seed=1)
    pages["risk"] = risk_html(kazakhstan, risk)
    expected = {
        "report": {"route-map", "sankey", "shares-by-route", "shares-by-country"},
        "scenario": {"scenario-comparison", "share-changes"},
        "risk": {"risk-distribution", "risk-contributions"},
    }
    for name, html in pages.items():
        path = tmp_path / f"{name}.html"
        path.write_text(html, encoding="utf-8")
        seen = browser.open(path, tmp_path / f"{name}.png")
        assert seen["errors"] == [], (name, seen["errors"])
        assert seen["remote"] == [], (name, seen["remote"])  # nothing fetched from a network
        figures = {f["name"]: f for f in seen["figures"]}  # type: ignore[union-attr]
        assert set(figures) == expected[name]
        for f in figures.values():
            assert f["svg"] >= 1 and f["paths"] > 5, (name, f)
        if name == "report":
            assert figures["route-map"]["paths"] > 100  # country outlines and route legs
        assert (tmp_path / f"{name}.png").stat().st_size > 20_000


@needs_browser
def test_png_export_with_local_chromium(kazakhstan: corridor.Network, tmp_path: Path) -> None:
    figs = report_figures(kazakhstan)
    paths = write_pngs({"sankey": figs["sankey"]}, tmp_path)
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
    assert res.exit_code == 1
    assert "cannot write" in res.stderr
