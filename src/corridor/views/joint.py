"""A joint what-if run as a view: the exporters side by side, each one's periods, the total."""

from __future__ import annotations

import math

from corridor.rerouting.joint import JointResult
from corridor.views.model import Cell, Col, Section, Table, View

RATE = "Mt/year"


def _num(x: object) -> float | None:
    """Return a number for a cell, None for a missing one (NaN)."""
    if x is None:
        return None
    v = float(x)  # type: ignore[arg-type]
    return None if math.isnan(v) else v


def _exporters_table(r: JointResult) -> Table:
    cols = [
        Col("exporter"),
        Col("volume", "num", "Mt"),
        Col("stranded", "num", "Mt"),
        Col("stranded share", "pct"),
        Col("re-routed", "num", "Mt"),
        Col("revenue at risk", "money", "USD m"),
    ]
    rows: list[list[Cell]] = []
    for e, b in r.by_exporter().iterrows():
        rows.append(
            [
                str(e),
                _num(b["volume"]),
                _num(b["stranded"]),
                _num(b["stranded_share"]),
                _num(b["rerouted"]),
                _num(b["revenue_at_risk"]),
            ]
        )
    t = r.total
    share = t["stranded"] / t["volume"] if t["volume"] > 0 else None
    rows.append(
        [
            "total",
            _num(t["volume"]),
            _num(t["stranded"]),
            share,
            _num(t["rerouted"]),
            _num(t["revenue_at_risk"]),
        ]
    )
    caption = (
        "All exporters re-routed together: they share each route's and port's capacity; "
        "stranding is split so that the largest stranded share is as small as it can be."
    )
    return Table("By exporter", cols, rows, caption=caption, id="joint-exporters")


def _periods_table(r: JointResult, exporter: str) -> Table:
    cols = [
        Col("period"),
        Col("volume", "num", RATE),
        Col("stranded", "num", "Mt"),
        Col("stranded share", "pct"),
        Col("re-routed", "num", RATE),
        Col("revenue at risk", "money", "USD m"),
        Col("status"),
    ]
    mine = r.rows[r.rows["exporter"] == exporter]
    rows: list[list[Cell]] = [
        [
            str(p["period"]),
            _num(p["volume_rate"]),
            _num(p["stranded"]),
            _num(p["stranded_share"]),
            _num(p["rerouted_rate"]),
            _num(p["revenue_at_risk"]),
            str(p["status"]),
        ]
        for _, p in mine.iterrows()
    ]
    return Table(exporter, cols, rows, id=f"joint-{exporter.lower()}")


def joint_view(r: JointResult) -> View:
    """Return a joint run (`corridor.rerouting.joint.reroute_joint`) as a view."""
    t = r.total
    key = [
        ("exporters", ", ".join(r.exporters)),
        ("stranded, all exporters", f"{t['stranded']:,.2f} Mt"),
        ("re-routed, all exporters", f"{t['rerouted']:,.2f} Mt"),
    ]
    head = Section(
        intro=" ".join(str(r.scenario.description).split()),
        key=key,
        tables=[_exporters_table(r)],
    )
    periods = Section(
        title="By period", tables=[_periods_table(r, e) for e in r.exporters], notes=r.notes
    )
    return View(f"What-if {r.scenario.name}, exporters together", [head, periods])
