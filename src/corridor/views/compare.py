"""The comparison of exporters as a view: one ranked table and a chart of dependence."""

from __future__ import annotations

import math
from typing import Any

from corridor.compare import Comparison
from corridor.views import format as fmt
from corridor.views.model import Cell, Col, Figure, Section, Table, View


def compare_view(c: Comparison) -> View:
    """Return the ranked table of exporters and a chart of their top transit shares."""
    cols = [
        Col("exporter"),
        Col("year"),
        Col("exports", "text", "Mt"),
        Col("top transit country"),
        Col("share crossing it", "est"),
        Col("main route"),
        Col("share via it", "est"),
        Col("HHI", "num", places=0),
        Col("largest N-1 loss", wide=True),
        Col("revenue at risk", "money", "USD m"),
    ]
    rows: list[list[Cell]] = []
    for r in c.rows:
        worst = r.worst
        loss = fmt.DASH if worst is None else f"{worst.closed}: {worst.stranded:.1f} Mt stranded"
        money = math.nan if worst is None else worst.revenue_at_risk
        exports = (
            f"not in the package (shares of {r.denominator})"
            if r.exports is None
            else fmt.estimate(r.exports)
        )
        rows.append(
            [
                r.exporter,
                str(r.year),
                exports,
                r.top_transit or fmt.DASH,
                r.top_transit_share,
                r.main_route or fmt.DASH,
                r.main_route_share,
                r.hhi,
                loss,
                money,
            ]
        )
    table = Table(
        f"{len(c.rows)} exporters, most dependent on one transit country first",
        cols,
        rows,
        caption=(
            "Shares are of each exporter's total exports where the package has them, with the "
            "range the evidence allows; N-1: the largest stranded volume if any one route or "
            "transit country closes for the year, after re-routing."
        ),
        id="compare",
    )
    figure = Figure("dependence", lambda: _chart(c))
    return View(
        f"Exporters compared ({c.package})",
        [Section(tables=[table], figures=[figure])],
    )


def _chart(c: Comparison) -> Any:
    import plotly.graph_objects as go

    rows = [r for r in c.rows if r.top_transit_share is not None]
    shares = [100 * r.top_transit_share.value for r in rows if r.top_transit_share]
    lows = [100 * r.top_transit_share.low for r in rows if r.top_transit_share]
    highs = [
        100 * min(r.top_transit_share.high, 1.0) for r in rows if r.top_transit_share is not None
    ]
    fig = go.Figure(
        go.Bar(
            x=[f"{r.exporter} via {r.top_transit}" for r in rows],
            y=shares,
            error_y={
                "type": "data",
                "symmetric": False,
                "array": [h - s for h, s in zip(highs, shares, strict=True)],
                "arrayminus": [s - lo for s, lo in zip(shares, lows, strict=True)],
            },
        )
    )
    fig.update_layout(
        title="Share of exports crossing the top transit country (with the evidence's range)",
        yaxis_title="%",
        yaxis_range=[0, 100],
    )
    return fig
