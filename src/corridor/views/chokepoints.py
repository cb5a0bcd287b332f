"""Chokepoint traffic as a view: each chokepoint's throughput and each exporter's share of it."""

from __future__ import annotations

from corridor.chokepoints import ChokepointTraffic
from corridor.views import format as fmt
from corridor.views.model import Cell, Col, Section, Table, View


def _throughput(t: ChokepointTraffic, i: int) -> tuple[Cell, str]:
    """Return the throughput cell of row `i` and the period it is of (flagged with a *)."""
    through = t.rows[i].throughput
    if through is None:
        return None, "no observation"
    mark = " *" if through.flagged else ""
    return through.value, f"{through.period}{mark}"


def chokepoints_view(t: ChokepointTraffic) -> View:
    """Return one table: per chokepoint, its throughput and each exporter crossing it."""
    cols = [
        Col("chokepoint"),
        Col("throughput", "num", "Mbbl/day", places=1),
        Col("of"),
        Col("exporter"),
        Col("volume", "num", "Mt/year", places=2),
        Col("volume", "num", "Mbbl/day", places=3),
        Col("share of traffic", "pct"),
        Col("routes", wide=True, terminal=False),
    ]
    rows: list[list[Cell]] = []
    for i, r in enumerate(t.rows):
        value, period = _throughput(t, i)
        if not r.exporters:
            rows.append([r.name, value, period, "none in the package", None, None, None, ""])
        for j, e in enumerate(r.exporters):
            head: list[Cell] = [r.name, value, period] if j == 0 else ["", None, ""]
            rows.append(
                [*head, e.exporter, e.volume_mt, e.volume_mbd, e.share, ", ".join(e.routes)]
            )
    table = Table(
        f"Chokepoints in {t.year}: all shippers' throughput and each exporter's share",
        cols,
        rows,
        caption=(
            "Throughput: crude oil and petroleum liquids, all shippers (EIA). * the throughput "
            "is of another year or of part of a year (the latest at or before the year asked "
            "for). An exporter's volume is its flows on the routes crossing the chokepoint, in "
            "barrels at its grade's barrels per tonne; a share is withheld (—) where the "
            "package holds no throughput or no grade."
        ),
        id="chokepoints",
    )
    passing_none = ", ".join(t.no_chokepoint) or fmt.DASH
    notes = [f"Exporters with flows in {t.year} whose routes cross no chokepoint: {passing_none}."]
    return View(f"Chokepoints ({t.package})", [Section(tables=[table], notes=notes)])
