"""Figures (plotly): route map, shares over time, Sankey, scenario comparison, risk.

The map is drawn on plain lon/lat axes (equirectangular) over country outlines decoded from
the Natural Earth 1:110m TopoJSON shipped in ``views/static/`` — no base-map download, no CDN.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
from collections.abc import Sequence
from functools import cache
from importlib.resources import files
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np
import plotly.graph_objects as go

from corridor.exceptions import CorridorError, require
from corridor.metrics import UNKNOWN
from corridor.network import Network
from corridor.views.build import UNKNOWN_LABEL

CROSSES = "#c0392b"  # routes touching the focus country
BYPASSES = "#2471a3"
IDLE = "#b3b6b7"
#: Colours of the lines of shares over time (plotly's default sequence).
PALETTE = (
    "#636efa",
    "#ef553b",
    "#00cc96",
    "#ab63fa",
    "#ffa15a",
    "#19d3f3",
    "#ff6692",
    "#b6e880",
    "#ff97ff",
    "#fecb52",
)
LAYOUT: dict[str, Any] = {
    "template": "plotly_white",
    "font": {"family": "sans-serif", "size": 12},
    "margin": {"l": 50, "r": 20, "t": 50, "b": 40},
}


@cache
def _topology() -> dict[str, Any]:
    text = files("corridor.views").joinpath("static", "countries-110m.json").read_text("utf-8")
    return dict(json.loads(text))


def _arcs() -> list[np.ndarray]:
    """Decode the TopoJSON arcs (delta-encoded, quantised) to lon/lat polylines."""
    topo = _topology()
    scale, shift = np.array(topo["transform"]["scale"]), np.array(topo["transform"]["translate"])
    return [np.cumsum(np.array(a, float), axis=0) * scale + shift for a in topo["arcs"]]


def _rings(geometry: dict[str, Any], arcs: list[np.ndarray]) -> list[np.ndarray]:
    """Return the rings of a (Multi)Polygon as lon/lat arrays (arc ~i is arc i reversed)."""
    polys = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
    out = []
    for poly in polys:
        for ring in poly:
            parts = [arcs[i] if i >= 0 else arcs[~i][::-1] for i in ring]
            out.append(np.concatenate(parts))
    return out


def _outlines(box: tuple[float, float, float, float]) -> go.Scatter:
    """Land polygons inside a lon/lat box, as one filled scatter trace (None breaks rings)."""
    arcs = _arcs()
    lo_x, hi_x, lo_y, hi_y = box
    xs: list[float | None] = []
    ys: list[float | None] = []
    for g in _topology()["objects"]["countries"]["geometries"]:
        if "arcs" not in g:
            continue
        for ring in _rings(g, arcs):
            inside = (
                (ring[:, 0] > lo_x - 20)
                & (ring[:, 0] < hi_x + 20)
                & (ring[:, 1] > lo_y - 15)
                & (ring[:, 1] < hi_y + 15)
            )
            if not inside.any() or np.abs(np.diff(ring[:, 0])).max() > 180:
                continue  # outside the view, or a ring across the antimeridian
            xs += [*ring[:, 0].tolist(), None]
            ys += [*ring[:, 1].tolist(), None]
    return go.Scatter(
        x=xs,
        y=ys,
        mode="lines",
        fill="toself",
        fillcolor="#f2f3f4",
        line={"color": "#aab7b8", "width": 0.6},
        hoverinfo="skip",
        name="countries",
        showlegend=False,
    )


def route_map(n: Network, m: Any) -> go.Figure:
    """Routes on a country base map: width by flow, colour by crossing the focus country."""
    nodes, routes = n.nodes, n.routes
    focus = m.focus_country
    used = nodes.loc[list({*routes["from_node"], *routes["to_node"]})]
    box = (
        float(used["lon"].min()) - 4,
        float(used["lon"].max()) + 4,
        float(used["lat"].min()) - 3,
        float(used["lat"].max()) + 3,
    )
    fig = go.Figure(_outlines(box))
    top = float(m.by_route["volume"].max()) if len(m.by_route) else 1.0
    # a leg is red when most of the oil on it crosses the focus country somewhere on its path
    crossing: dict[str, float] = {}
    for p in m.paths.itertuples():
        for r in p.routes:
            crossing[r] = crossing.get(r, 0.0) + (p.volume if focus in p.transit else 0.0)
    hover_x, hover_y, hover_text = [], [], []
    for rid, r in routes.iterrows():
        a, b = nodes.loc[r["from_node"]], nodes.loc[r["to_node"]]
        flow = float(m.by_route["volume"].get(rid, 0.0))
        crosses = flow > 0 and crossing.get(str(rid), 0.0) > flow / 2
        colour = IDLE if flow == 0 else (CROSSES if crosses else BYPASSES)
        width = 1.0 if flow == 0 else 1.5 + 10 * flow / top
        fig.add_trace(
            go.Scatter(
                x=[a["lon"], b["lon"]],
                y=[a["lat"], b["lat"]],
                mode="lines",
                line={"color": colour, "width": width, "dash": "dot" if flow == 0 else "solid"},
                hoverinfo="skip",
                showlegend=False,
                name=str(rid),
            )
        )
        row = n.in_force(n.capacities, m.year, route=rid, exporter="")
        capacity = "not in the data" if row is None else f"{row['capacity']:.1f} Mt/yr"
        share = m.by_route["share"].get(rid)
        srcs = ", ".join(m.by_route["sources"].get(rid, ())) or str(r["source"])
        hover_x.append((a["lon"] + b["lon"]) / 2)
        hover_y.append((a["lat"] + b["lat"]) / 2)
        hover_text.append(
            f"<b>{r['name']}</b> ({rid})<br>flow {m.year}: "
            + (f"{flow:.2f} Mt/yr, {100 * share:.1f}% of exports" if flow else "none reported")
            + f"<br>capacity: {capacity}<br>operator: {r['operator'] or '—'}<br>sources: {srcs}"
        )
    fig.add_trace(
        go.Scatter(
            x=hover_x,
            y=hover_y,
            mode="markers",
            text=hover_text,
            hoverinfo="text",
            marker={"size": 9, "opacity": 0},
            name="routes",
            showlegend=False,
        )
    )
    busy = set(m.paths["nodes"].explode()) if len(m.paths) else set()
    fig.add_trace(
        go.Scatter(
            x=used["lon"],
            y=used["lat"],
            mode="markers+text",
            text=[r["name"] if i in busy else "" for i, r in used.iterrows()],
            textposition="top center",
            textfont={"size": 9},
            name="places",
            marker={"size": 7, "color": "#17202a"},
            hovertext=[
                f"<b>{r['name']}</b> ({i}), {r['kind']}, {r['country'] or 'at sea'}"
                for i, r in used.iterrows()
            ],
            hoverinfo="text",
            showlegend=False,
        )
    )
    if len(n.chokepoints):
        ck = n.chokepoints
        fig.add_trace(
            go.Scatter(
                x=ck["lon"],
                y=ck["lat"],
                mode="markers+text",
                text=ck["name"],
                textposition="bottom center",
                name="chokepoints",
                marker={
                    "symbol": "diamond",
                    "size": 12,
                    "color": "#f39c12",
                    "line": {"color": "#7e5109", "width": 1},
                },
                hovertext=[f"chokepoint: {r['name']}" for _, r in ck.iterrows()],
                hoverinfo="text",
            )
        )
    for label, colour in (
        (f"oil crossing {focus}", CROSSES),
        (f"oil bypassing {focus}", BYPASSES),
        ("no flow reported", IDLE),
    ):
        fig.add_trace(
            go.Scatter(
                x=[None], y=[None], mode="lines", name=label, line={"color": colour, "width": 4}
            )
        )
    fig.update_layout(
        **LAYOUT,
        title=f"Export routes {m.year}: line width by flow [Mt/year]",
        height=560,
        legend={"orientation": "h", "y": -0.08},
    )
    fig.update_xaxes(range=box[:2], showgrid=False, zeroline=False, title="longitude")
    fig.update_yaxes(
        range=box[2:],
        showgrid=False,
        zeroline=False,
        title="latitude",
        scaleanchor="x",
        scaleratio=1.3,
    )
    return fig


#: An interval narrower than this [percentage points] draws no band.
BAND_MIN = 0.05


def _share_series(history: Sequence[Any], by: str) -> dict[str, list[list[float]]]:
    """Return key → [values, lows, highs] in percent, one entry per year (0 where absent)."""
    n = len(history)
    series: dict[str, list[list[float]]] = {}
    for i, m in enumerate(history):
        table = m.by_export_route if by == "route" else m.by_transit_country
        bands = m.by_route if by == "route" else m.by_transit_country
        for key, share in table["share"].items():
            v = 100 * float(share)
            lo = hi = v
            if "low" in bands.columns and key in bands.index:
                lo, hi = 100 * float(bands.at[key, "low"]), 100 * float(bands.at[key, "high"])
            s = series.setdefault(str(key), [[0.0] * n, [0.0] * n, [0.0] * n])
            s[0][i], s[1][i], s[2][i] = v, min(lo, v), max(hi, v)
        if by == "route" and m.unattributed:
            v = 100 * m.unattributed / m.denominator
            s = series.setdefault("not attributed to a route", [[0.0] * n, [0.0] * n, [0.0] * n])
            s[0][i], s[1][i], s[2][i] = v, v, v
    return series


def shares_over_time(history: Sequence[Any], by: str = "route") -> go.Figure:
    """Lines of export shares by export route (or transit country), every year, with bands.

    Each line is the estimate; the shaded band around it spans its interval (low–high). The
    lines are never stacked: a barrel crosses several countries, so shares by transit country
    add up to more than 100 %. `history` holds one exporter's dependence figures, one per year.
    """
    years = [m.year for m in history]
    series = _share_series(history, by)
    fig = go.Figure()
    for j, (key, (values, lows, highs)) in enumerate(
        sorted(series.items(), key=lambda kv: -sum(kv[1][0]))
    ):
        color = IDLE if key.startswith("not attributed") else PALETTE[j % len(PALETTE)]
        if any(h - lo > BAND_MIN for lo, h in zip(lows, highs, strict=True)):
            fig.add_trace(
                go.Scatter(
                    x=[*years, *years[::-1]],
                    y=[*highs, *lows[::-1]],
                    fill="toself",
                    fillcolor=color,
                    opacity=0.18,
                    line={"width": 0},
                    legendgroup=key,
                    showlegend=False,
                    hoverinfo="skip",
                    name=f"{key} interval",
                )
            )
        fig.add_trace(
            go.Scatter(
                x=years,
                y=values,
                name=key,
                mode="lines+markers",
                legendgroup=key,
                line={"color": color},
                customdata=list(zip(lows, highs, strict=True)),
                hovertemplate=(
                    f"{key} %{{x}}: %{{y:.1f}}% (%{{customdata[0]:.1f}}–%{{customdata[1]:.1f}})"
                    "<extra></extra>"
                ),
            )
        )
    what = "export route" if by == "route" else "transit country"
    fig.update_layout(
        **LAYOUT,
        title=f"Share of exports by {what}, year by year [%] (bands: intervals)",
        yaxis_title="% of exports",
        yaxis_range=[0, 100],
        height=380,
    )
    fig.update_xaxes(dtick=1)
    return fig


def sankey(n: Network, m: Any) -> go.Figure:
    """Origin → export route → transit countries → destination, for one year."""
    labels: list[str] = []
    index: dict[str, int] = {}

    def node(label: str) -> int:
        if label not in index:
            index[label] = len(labels)
            labels.append(label)
        return index[label]

    links: dict[tuple[int, int], float] = {}
    for p in m.paths.itertuples():
        transit = " + ".join(p.transit) or "no transit"
        dest = "onward not reported" if p.destination == UNKNOWN else str(p.destination)
        chain = [
            f"from {n.nodes.at[p.origin, 'name']}",
            f"route {p.routes[0]}",
            f"via {transit}",
            f"to {dest}",
        ]
        for a, b in pairwise(chain):
            key = (node(a), node(b))
            links[key] = links.get(key, 0.0) + float(p.volume)
    fig = go.Figure(
        go.Sankey(
            node={"label": labels, "pad": 14, "thickness": 14},
            link={
                "source": [k[0] for k in links],
                "target": [k[1] for k in links],
                "value": list(links.values()),
            },
            valueformat=".2f",
            valuesuffix=" Mt/yr",
        )
    )
    fig.update_layout(**LAYOUT, title=f"Where {m.year}'s exports go [Mt/year]", height=460)
    return fig


def _days(period: dict[str, Any]) -> int:
    start, end = (dt.date.fromisoformat(str(period[k])) for k in ("start", "end"))
    return (end - start).days


def scenario_comparison(result: dict[str, Any]) -> go.Figure:
    """Baseline vs scenario flow by route (day-weighted over the periods) and stranded volume.

    `result` is a re-routing result's ``to_dict()`` form (live or stored).
    """
    from plotly.subplots import make_subplots

    periods = result["periods"]
    days = [_days(p) for p in periods]
    total = sum(days) or 1
    routes = list(dict.fromkeys(r for p in periods for r in (*p["baseline"], *p["scenario"])))

    def mean(which: str, route: str) -> float:
        pairs = zip(periods, days, strict=True)
        return sum(float(p[which].get(route) or 0.0) * d for p, d in pairs) / total

    base = {r: mean("baseline", r) for r in routes}
    routes.sort(key=lambda r: -base[r])
    fig = make_subplots(
        rows=1,
        cols=2,
        column_widths=[0.65, 0.35],
        subplot_titles=("Flow by route [Mt/year, day-weighted]", "Stranded by period [Mt]"),
    )
    fig.add_trace(
        go.Bar(x=routes, y=[base[r] for r in routes], name="baseline", marker_color=IDLE), 1, 1
    )
    fig.add_trace(
        go.Bar(
            x=routes, y=[mean("scenario", r) for r in routes], name="scenario", marker_color=CROSSES
        ),
        1,
        1,
    )
    stranded = [float((p.get("stranded") or {}).get("value") or 0.0) for p in periods]
    fig.add_trace(
        go.Bar(
            x=[p["period"] for p in periods], y=stranded, name="stranded", marker_color="#7d3c98"
        ),
        1,
        2,
    )
    fig.update_layout(
        **{**LAYOUT, "margin": {**LAYOUT["margin"], "t": 90}},  # room for the panel titles
        barmode="group",
        height=440,
        title=f"Scenario {result['scenario']}: what changes",
    )
    return fig


def share_changes(result: dict[str, Any]) -> go.Figure:
    """Change in each transit country's and chokepoint's share (percentage points, mean)."""
    change: dict[str, list[float]] = {}
    for p in result["periods"]:
        shares = p.get("shares") or {}
        base, scen = shares.get("baseline") or {}, shares.get("scenario") or {}
        for kind in ("transit_country", "chokepoint"):
            keys = {*(base.get(kind) or {}), *(scen.get(kind) or {})}
            for key in keys:
                b = float((base.get(kind) or {}).get(key) or 0.0)
                s = float((scen.get(kind) or {}).get(key) or 0.0)
                name = UNKNOWN_LABEL if key == UNKNOWN else key
                change.setdefault(f"{kind.replace('_', ' ')} {name}", []).append(s - b)
    mean = {k: sum(v) / len(v) for k, v in change.items()}
    shown = sorted((v, k) for k, v in mean.items() if abs(v) > 1e-4)
    fig = go.Figure(
        go.Bar(
            x=[100 * v for v, _ in shown],
            y=[k for _, k in shown],
            orientation="h",
            marker_color=[BYPASSES if v < 0 else CROSSES for v, _ in shown],
        )
    )
    fig.update_layout(
        **LAYOUT,
        title="Change in share of exports [percentage points]",
        height=max(260, 40 * len(shown) + 120),
    )
    return fig


def risk_distribution(
    stranded: Sequence[float],
    summary: dict[str, Any],
    histogram: dict[str, Any] | None = None,
) -> go.Figure:
    """Histogram of stranded volume over the sampled years, with P50 and P95 marked.

    `histogram` (``edges`` and ``counts``, as `RiskResult.to_dict` gives them) is drawn as it
    is, whatever the number of samples; without it, the histogram of `stranded`.
    """
    st = summary["stranded"]
    if histogram:
        edges = [float(x) for x in histogram["edges"]]
        trace: go.Bar | go.Histogram = go.Bar(
            x=[(a + b) / 2 for a, b in pairwise(edges)],
            y=[int(c) for c in histogram["counts"]],
            width=[b - a for a, b in pairwise(edges)],
            marker_color=BYPASSES,
            name="sampled years",
        )
    else:
        trace = go.Histogram(
            x=list(stranded), nbinsx=60, marker_color=BYPASSES, name="sampled years"
        )
    fig = go.Figure(trace)
    for key, colour in (("p50", "#1e8449"), ("p95", CROSSES)):
        if st.get(key) is not None:
            fig.add_vline(
                x=st[key],
                line={"color": colour, "dash": "dash"},
                annotation_text=f"{key.upper()} {st[key]:.2f} Mt",
            )
    fig.update_layout(
        **LAYOUT,
        title="Stranded volume per sampled year [Mt]",
        xaxis_title="stranded [Mt]",
        yaxis_title="years",
        height=380,
    )
    return fig


def risk_contributions(contributions: Sequence[dict[str, Any]]) -> go.Figure:
    """Each risk's contribution to the loss in the worst 5% of years (records)."""
    c = sorted(contributions, key=lambda r: float(r["contribution"]))
    fig = go.Figure(
        go.Bar(
            x=[r["contribution"] for r in c],
            y=[r["risk"] for r in c],
            orientation="h",
            marker_color=CROSSES,
            hovertext=[f"{r['name']}<br>{r['routes']}" for r in c],
            hoverinfo="text+x",
        )
    )
    fig.update_layout(**LAYOUT, title="Contribution to the P95 loss [Mt]", height=320)
    return fig


def check_png_export() -> None:
    """Raise `MissingExtraError` unless kaleido is installed (the ``png`` extra), up front.

    Called before anything is written, so a missing kaleido never leaves half the files.
    """
    require("kaleido", "png", "--png")


def _png(fig: go.Figure, width: int, height: int) -> bytes:
    """Render one figure as PNG with MathJax off, so kaleido asks no CDN for it (offline)."""
    import kaleido

    opts = {"format": "png", "width": width, "height": height, "scale": 2}
    if hasattr(kaleido, "calc_fig_sync"):  # kaleido 1.x: plotly passes mathjax only if truthy
        return bytes(kaleido.calc_fig_sync(fig.to_dict(), opts=opts, kopts={"mathjax": False}))
    import plotly.io as pio  # kaleido 0.x: a None scope.mathjax loads none

    pio.kaleido.scope.mathjax = None
    return bytes(fig.to_image(**opts))


def write_pngs(figures: dict[str, go.Figure], folder: str | Path) -> list[Path]:
    """Write each figure as PNG with kaleido (a local Chromium; no download, no MathJax).

    Raises
    ------
    CorridorError
        When kaleido is not installed (naming ``pip install 'corridor[png]'``) or finds no
        Chrome or Chromium to drive.
    """
    check_png_export()
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
        try:
            image = _png(fig, 1100, int(fig.layout.height or 500))
        except Exception as exc:
            if type(exc).__name__ != "ChromeNotFoundError":
                raise
            msg = "--png needs Chrome or Chromium: install one, or run kaleido_get_chrome"
            raise CorridorError(msg) from None
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_bytes(image)
        tmp.replace(path)
        out.append(path)
    return out
