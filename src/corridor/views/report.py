"""Self-contained HTML reports (tables, figures, linked sources) and PNG export of figures.

Each report is one file: plotly.js is inlined from the installed plotly package and the base
map from Corridor's own data, so it opens offline. Every source id in a table links to its row
in the sources list at the end.
"""

from __future__ import annotations

import datetime
import html
import os
import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import plotly.graph_objects as go
from plotly.offline import get_plotlyjs

import corridor
from corridor.metrics import compute, latest_year, summary
from corridor.network import Network
from corridor.views import charts

CSS = """
body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:1150px;color:#17202a;
line-height:1.45;padding:0 1rem}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{margin-top:2.2rem;border-bottom:1px solid #d5d8dc}
.meta{color:#566573;font-size:.9rem}table{border-collapse:collapse;margin:.8rem 0;font-size:.88rem}
th,td{border-bottom:1px solid #e5e8e8;padding:.25rem .6rem;text-align:left;vertical-align:top}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}.figure{margin:1rem 0}
.key{display:flex;gap:1.5rem;flex-wrap:wrap}.key div{background:#f4f6f6;padding:.6rem 1rem;
border-radius:6px}.key b{display:block;font-size:1.4rem}
ol.sources li{margin:.3rem 0;font-size:.85rem}
a.src{color:#2471a3;text-decoration:none;font-size:.8rem}.gap{color:#a04000}
"""


def _e(x: Any) -> str:
    return html.escape(str(x))


def _pct(x: float | None) -> str:
    return "—" if x is None or x != x else f"{100 * x:.1f}%"


def _num(x: float | None, places: int = 2) -> str:
    return "—" if x is None or x != x else f"{x:,.{places}f}"


def _src(ids: Iterable[str]) -> str:
    ids = list(dict.fromkeys(ids))
    return " ".join(f'<a class="src" href="#src-{_e(i)}">[{_e(i)}]</a>' for i in ids)


def _table(headers: list[str], rows: list[list[str]], numeric: set[int] | None = None) -> str:
    numeric = numeric or set()
    head = "".join(
        f'<th class="{"n" if i in numeric else ""}">{_e(h)}</th>' for i, h in enumerate(headers)
    )
    body = "".join(
        "<tr>"
        + "".join(f'<td class="{"n" if i in numeric else ""}">{c}</td>' for i, c in enumerate(r))
        + "</tr>"
        for r in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _figure(fig: go.Figure, div_id: str) -> str:
    inner = fig.to_html(
        full_html=False,
        include_plotlyjs=False,
        div_id=div_id,
        config={"displaylogo": False, "responsive": True},
    )
    return f'<div class="figure" data-figure="{div_id}">{inner}</div>'


def _sources(n: Network, ids: Iterable[str]) -> str:
    items = []
    for i in sorted(set(ids)):
        if i not in n.sources.index:
            continue
        s = n.sources.loc[i]
        note = f" — {_e(s['note'])}" if s["note"] else ""
        items.append(
            f'<li id="src-{_e(i)}"><b>{_e(i)}</b>: {_e(s["publisher"])}, '
            f"“{_e(s['title'])}”, {_e(s['published'])}. "
            f'<a href="{_e(s["url"])}">{_e(s["url"])}</a>{note}</li>'
        )
    return f'<h2 id="sources">Sources</h2><ol class="sources">{"".join(items)}</ol>'


def _page(n: Network, title: str, body: str) -> str:
    meta = (
        f"Corridor {corridor.__version__} · package <b>{_e(n.meta.name)}</b> "
        f"({_e(n.meta.title)}, {n.meta.first_year}–{n.meta.last_year}) · generated "
        f"{datetime.date.today().isoformat()}"
    )
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{_e(title)}'
        f"</title><style>{CSS}</style><script>{get_plotlyjs()}</script></head><body>"
        f'<h1>{_e(title)}</h1><p class="meta">{meta}</p>{body}</body></html>'
    )


def report_figures(
    n: Network, exporter: str | None = None, year: int | None = None
) -> dict[str, go.Figure]:
    """The report's figures by name: map, shares by route and by country, Sankey."""
    exporter = exporter or n.meta.exporter
    year = latest_year(n, exporter) if year is None else year
    m = compute(n, exporter, year)
    return {
        "route-map": charts.route_map(n, m),
        "shares-by-route": charts.shares_over_time(n, exporter, "route"),
        "shares-by-country": charts.shares_over_time(n, exporter, "country"),
        "sankey": charts.sankey(n, m),
    }


def report_html(n: Network, exporter: str | None = None, year: int | None = None) -> str:
    """Return the package report for an exporter and year as one self-contained HTML page."""
    exporter = exporter or n.meta.exporter
    year = latest_year(n, exporter) if year is None else year
    m = compute(n, exporter, year)
    country, route = m.focus_country, m.focus_route
    key = [
        (f"crossing {country}", _pct(m.share_crossing(country)) if country else "—"),
        (f"via {route}", _pct(m.share_via(route)) if route else "—"),
        (f"bypassing {country}", _pct(m.share_bypassing(country)) if country else "—"),
        ("HHI", _num(m.hhi, 0)),
        ("total exports", f"{_num(m.total_exports, 1)} Mt" if m.total_exports else "—"),
    ]
    f = n.flows[(n.flows["exporter"] == exporter) & (n.flows["year"] == year)].set_index("route")
    rows = []
    for rid, r in m.by_route.iterrows():
        rows.append(
            [
                _e(rid),
                _e(r["name"]),
                _num(r["volume"]),
                _pct(r["share"]),
                _e(", ".join(r["transit"]) or "—"),
                _e(", ".join(r["chokepoints"]) or "—"),
                _e(r["confidence"] + ("" if r["basis"] == "reported" else f" ({r['basis']})")),
                _src([f.at[rid, "source"], *m.total_sources]),
            ]
        )
    if m.unattributed:
        rows.append(
            [
                "",
                "<i>not attributed to a route</i>",
                _num(m.unattributed),
                _pct(m.unattributed / m.denominator),
                "",
                "",
                "",
                "",
            ]
        )
    rows += [
        [
            _e(r),
            f'<span class="gap">{_e(n.routes.at[r, "name"])}: no figure</span>',
            "gap",
            "",
            "",
            "",
            "",
            "",
        ]
        for r in m.missing_routes
    ]
    s = summary(n, exporter)
    srows = [
        [
            str(y),
            _num(r["production"], 1),
            _num(r["total_exports"], 1),
            _num(r["routed"], 1),
            _pct(r["share_crossing"]),
            _pct(r["share_via"]),
            _pct(r["share_bypassing"]),
            _num(r["hhi"], 0),
            _src(r["sources"]) if isinstance(r["sources"], tuple) else "",
        ]
        for y, r in s.iterrows()
    ]
    figs = report_figures(n, exporter, year)
    ledger_part, ledger_ids = "", []
    if country:
        from corridor.ledger import ledger

        led = ledger(n, exporter, country, year)
        ledger_part = ledger_section(n, led, exporter, country, year)
        ledger_ids = [i for x in led["sources"] for i in x]
    body = (
        '<div class="key">' + "".join(f"<div>{_e(k)}<b>{v}</b></div>" for k, v in key) + "</div>"
        f"<h2>Routes, {year}</h2><p>Volumes in Mt/year; shares of {_e(m.denominator_kind)}.</p>"
        + _table(
            [
                "route",
                "name",
                "volume",
                "share",
                "countries",
                "chokepoints",
                "confidence",
                "sources",
            ],
            rows,
            {2, 3},
        )
        + _figure(figs["route-map"], "route-map")
        + _figure(figs["sankey"], "sankey")
        + "<h2>Year by year</h2>"
        + _table(
            [
                "year",
                "production",
                "total exports",
                "routed",
                f"crossing {country}",
                f"via {route}",
                f"bypassing {country}",
                "HHI",
                "sources",
            ],
            srows,
            {1, 2, 3, 4, 5, 6, 7},
        )
        + _figure(figs["shares-by-route"], "shares-by-route")
        + _figure(figs["shares-by-country"], "shares-by-country")
        + ledger_part
        + _sources(n, [*m.sources, *(i for t in s["sources"] for i in t), *ledger_ids])
    )
    title = f"{n.meta.title}: exports by route, {year}"
    return _page(n, title, body)


def scenario_html(n: Network, result: Any) -> str:
    """Return a scenario result as one self-contained HTML page."""
    p = result.periods
    rows = [
        [
            _e(label),
            _num(r["stranded"]),
            _num(r["rerouted_rate"]),
            _num(r["revenue_at_risk"] / 1e6, 0),
            f"{_pct(r['share_crossing_baseline'])} → {_pct(r['share_crossing_scenario'])}",
            f"{_pct(r['share_via_baseline'])} → {_pct(r['share_via_scenario'])}",
        ]
        for label, r in p.iterrows()
    ]
    changed = result.flows[result.flows["change"].abs() > 1e-6].reset_index()
    frows = [
        [
            _e(r["period"]),
            _e(r["route"]),
            _num(r["baseline"]),
            _num(r["scenario"]),
            f"{r['change']:+.2f}",
        ]
        for _, r in changed.iterrows()
    ]

    def limit_source(text: str) -> str:
        sid = text.split(":")[0]
        return _src([sid]) if sid in n.sources.index else _e(text)

    brows = [
        [
            _e(b["period"]),
            _e(f"{b['kind']} {b['asset']}"),
            _e(b["scope"]),
            _num(b["capacity"]),
            _num(b["stranded_avoided_per_unit"]),
            _num(b["target_gain_per_unit"]),
            limit_source(str(b["source"])),
        ]
        for _, b in result.binding.iterrows()
    ]
    lrows = [
        [
            _e(r["period"]),
            str(r["step"]),
            _num(r["achieved"]),
            _pct(r["share_crossing"]),
            _e(r["limits"]),
        ]
        for _, r in result.ladder.iterrows()
    ]
    years = {int(str(label)[:4]) for label in p.index}
    flows = n.flows[n.flows["year"].isin(years) & (n.flows["exporter"] == result.exporter)]
    used = set(result.scenario.sources) | set(flows["source"])
    body = (
        f"<p>{_e(' '.join(result.scenario.description.split()))}</p>"
        f"<p>Sources behind the scenario: {_src(result.scenario.sources)}</p>"
        "<h2>By period</h2>"
        + _table(
            [
                "period",
                "stranded [Mt]",
                "re-routed [Mt/yr]",
                "revenue at risk [USD m]",
                "crossing (baseline → scenario)",
                "via (baseline → scenario)",
            ],
            rows,
            {1, 2, 3},
        )
        + _figure(charts.scenario_comparison(result), "scenario-comparison")
        + _figure(charts.share_changes(result), "share-changes")
        + "<h2>Flows that change [Mt/year]</h2>"
        + _table(["period", "route", "baseline", "scenario", "change"], frows, {2, 3, 4})
        + (
            "<h2>Binding limits (one more Mt/year of each)</h2>"
            + _table(
                [
                    "period",
                    "limit",
                    "scope",
                    "capacity",
                    "stranded avoided",
                    "target gain",
                    "source",
                ],
                brows,
                {3, 4, 5},
            )
            if brows
            else ""
        )
        + (
            "<h2>Target ladder</h2>"
            + _table(["period", "step", "achieved", "crossing", "stopped by"], lrows, {2, 3})
            if lrows
            else ""
        )
        + _sources(n, used)
    )
    return _page(n, f"Scenario {result.scenario.name}", body)


def risk_html(n: Network, result: Any) -> str:
    """Return a risk run as one self-contained HTML page."""
    s = result.summary
    st, rv = s["stranded"], s["revenue_at_risk"]
    rows = [
        ["stranded [Mt]", *[_num(st[k]) for k in ("mean", "p50", "p90", "p95", "p99")]],
        [
            "revenue at risk [USD m]",
            *[_num((rv[k] or 0) / 1e6, 0) for k in ("mean", "p50", "p90", "p95", "p99")],
        ],
    ]
    crows = [
        [_e(r["risk"]), _e(r["name"]), _e(r["routes"]), _num(r["contribution"]), _pct(r["share"])]
        for _, r in result.contributions.iterrows()
    ]
    risk_sources = [
        str(n.risks.at[r, "source"]) for r in result.contributions["risk"] if r in n.risks.index
    ]
    body = (
        f"<p>{_e(s['problem'])}: {s['samples_finished']:,} sampled years, seed {s['seed']}"
        + (" (interrupted)" if s["interrupted"] else "")
        + "</p>"
        + _table(["", "mean", "P50", "P90", "P95", "P99"], rows, {1, 2, 3, 4, 5})
        + _figure(charts.risk_distribution(result.samples, s), "risk-distribution")
        + "<h2>Contribution to the loss in the worst 5% of years</h2>"
        + _table(["risk", "asset and hazard", "routes", "Mt", "share"], crows, {3, 4})
        + _figure(charts.risk_contributions(result.contributions), "risk-contributions")
        + f"<p>Risk parameters come from the package's risks table: {_src(risk_sources)}</p>"
        + _sources(n, risk_sources)
    )
    return _page(n, "Disruption risk", body)


def write_pngs(figures: dict[str, go.Figure], folder: str | Path) -> list[Path]:
    """Write each figure as PNG with kaleido (it drives a local Chromium; no download)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    browser = (
        shutil.which("chromium")
        or shutil.which("chromium-browser")
        or shutil.which("google-chrome")
    )
    if browser and not os.environ.get("BROWSER_PATH"):
        os.environ["BROWSER_PATH"] = browser
    out = []
    for name, fig in figures.items():
        path = folder / f"{name}.png"
        fig.write_image(path, width=1100, height=int(fig.layout.height or 500), scale=2)
        out.append(path)
    return out


def ledger_section(n: Network, df: Any, a: str, b: str, year: int) -> str:
    """The ledger as an HTML section (a table with linked sources)."""

    def m(x: Any) -> str:
        return "—" if x is None or x != x else f"{x / 1e6:,.0f}"

    rows = [
        [
            _e(r.dependent),
            _e(r.partner),
            _e(r.commodity),
            _e(r.link),
            "gap" if r.volume is None or r.volume != r.volume else f"{r.volume:,.3g} {_e(r.unit)}",
            m(r.value_usd),
            _pct(r.share) if r.share is not None else "—",
            _num(r.spare_capacity),
            m(r.value_at_risk_usd),
            m(r.tariffs_usd),
            f"{_e(r.note)} {_src(r.sources)}",
        ]
        for r in df.itertuples()
    ]
    return (
        f"<h2>Interdependence {_e(a)} ↔ {_e(b)}, {year}</h2><p>Who depends on whom, for "
        "what, how much. Values in USD m; value at risk if the link stopped.</p>"
        + _table(
            [
                "depends",
                "on",
                "commodity",
                "link",
                "volume",
                "value",
                "share",
                "spare on other routes",
                "at risk",
                "tariffs",
                "note and sources",
            ],
            rows,
            {4, 5, 6, 7, 8, 9},
        )
    )


def ledger_html(n: Network, df: Any, a: str, b: str, year: int) -> str:
    """The ledger as one self-contained HTML page."""
    ids = [i for s in df["sources"] for i in s]
    return _page(
        n,
        f"Interdependence {a} ↔ {b}, {year}",
        ledger_section(n, df, a, b, year) + _sources(n, ids),
    )
