"""Every exporter of the loaded packages side by side: dependence, concentration and N-1 loss.

For each exporter, in its latest year with flows (or a year asked for): its exports (the
reconciled total with its interval, when the package has one), the transit country its exports
cross most and that share with its interval, its main route (the largest route leaving its own
territory) and that share, the Herfindahl–Hirschman index of its export routes, and the largest
loss if any one route or any one transit country closes for the year (N-1): the stranded volume
after re-routing on what is left, and the revenue at risk at the package's price. The rows are
ranked by the top transit country's share, most dependent first; an exporter whose total
exports the package does not bound (a few of its flows only) comes after, its shares marked as
of the flows in the package.

Examples
--------
>>> c = compare(corridor.load_package(), year=2023)
>>> [(r.exporter, r.top_transit) for r in c.rows][:1]
[('KAZ', 'RUS')]
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from corridor.display import Displayable
from corridor.metrics import Dependence, dependence, latest_year
from corridor.network import Network
from corridor.reconciliation import Estimate
from corridor.rerouting import reroute
from corridor.scenario import Scenario


@dataclass(frozen=True)
class Outage:
    """What closing one route or one transit country for a year costs an exporter."""

    closed: str  # "route cpc" or "country RUS"
    stranded: float  # Mt over the year
    revenue_at_risk: float  # USD; NaN when the package has no price


@dataclass(frozen=True)
class ExporterRow:
    """One exporter's figures in the comparison."""

    exporter: str
    year: int
    exports: Estimate | None
    top_transit: str | None
    top_transit_share: Estimate | None
    main_route: str | None
    main_route_share: Estimate | None
    hhi: float
    worst: Outage | None
    denominator: str
    sources: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """Return the row as JSON-ready data (figures with their intervals)."""

        def fig(e: Estimate | None) -> dict[str, Any] | None:
            if e is None:
                return None
            high = None if math.isinf(e.high) else round(e.high, 6)
            return {"value": round(e.value, 6), "low": round(e.low, 6), "high": high}

        worst = None
        if self.worst is not None:
            money = self.worst.revenue_at_risk
            worst = {
                "closed": self.worst.closed,
                "stranded_mt": round(self.worst.stranded, 6),
                "revenue_at_risk_usd": None if money != money else round(money, 2),
            }
        return {
            "exporter": self.exporter,
            "year": self.year,
            "exports_mt": fig(self.exports),
            "top_transit_country": self.top_transit,
            "top_transit_share": fig(self.top_transit_share),
            "main_route": self.main_route,
            "main_route_share": fig(self.main_route_share),
            "hhi": None if self.hhi != self.hhi else round(self.hhi, 1),
            "largest_n1_loss": worst,
            "share_denominator": self.denominator,
            "sources": list(self.sources),
        }


@dataclass(frozen=True, repr=False)
class Comparison(Displayable):
    """The exporters of a network, ranked by dependence on their top transit country."""

    rows: list[ExporterRow] = field(default_factory=list)
    package: str = ""

    def to_dict(self) -> dict[str, Any]:
        """Return the comparison as JSON-ready data."""
        return {"package": self.package, "exporters": [r.to_dict() for r in self.rows]}

    def __repr__(self) -> str:
        return f"<Comparison {self.package}: {', '.join(r.exporter for r in self.rows)}>"


def compare(n: Network, *, year: int | None = None, outages: bool = True) -> Comparison:
    """Return every exporter's dependence figures and N-1 loss (see the module docstring).

    Parameters
    ----------
    n : Network
        One package, or several merged (`corridor.package.merge.merge_networks`).
    year : int, optional
        The year for every exporter that has flows in it; otherwise each exporter's latest.
    outages : bool
        Compute the N-1 losses (one re-routing per route and transit country).
    """
    rows = []
    for exporter in n.exporters():
        years = n.years_with_flows(exporter)
        if not years:  # a route not flowing yet (Uganda's EACOP): listed, with nothing to rank
            rows.append(_no_flows(exporter, year or n.meta.last_year))
            continue
        y = year if year in years else latest_year(n, exporter)
        rows.append(_row(n, exporter, y, outages=outages))
    # exporters whose exports the package holds first, then by the top transit share; those
    # with no flows last
    rows.sort(
        key=lambda r: (
            r.denominator == "no flows in the package",
            r.exports is None,
            -(r.top_transit_share.value if r.top_transit_share else -1.0),
        )
    )
    return Comparison(rows, n.meta.name)


def _row(n: Network, exporter: str, year: int, *, outages: bool) -> ExporterRow:
    d = dependence(n, exporter=exporter, year=year)
    home = exporter  # an exporter's id is its ISO3 country code
    transit = d.by_transit_country.drop(index=[home], errors="ignore")
    transit = transit[transit["volume"] > 0]
    top = str(transit["volume"].idxmax()) if len(transit) else None
    main = _main_route(n, d, home)
    total = d.estimate("total") if d.total_exports is not None else None
    known = (
        total is not None
        and not math.isinf(total.high)
        and not getattr(d, "shares_withheld", False)
    )
    return ExporterRow(
        exporter=exporter,
        year=year,
        # a total the evidence does not bound is not the exporter's exports
        exports=total if known else None,
        top_transit=top,
        # shares only of a total the package holds (`corridor.metrics` withholds the others)
        top_transit_share=d.estimate(f"share:crossing:{top}") if top and known else None,
        main_route=main,
        main_route_share=d.estimate(f"share:via:{main}") if main and known else None,
        hhi=d.hhi,
        worst=_worst_outage(n, d, [*transit.index.astype(str)], year) if outages else None,
        denominator=d.denominator_kind if known else "the flows in this package",
        sources=d.sources,
    )


def _no_flows(exporter: str, year: int) -> ExporterRow:
    """Return the row of an exporter with no flows in the package."""
    return ExporterRow(
        exporter=exporter,
        year=year,
        exports=None,
        top_transit=None,
        top_transit_share=None,
        main_route=None,
        main_route_share=None,
        hhi=math.nan,
        worst=None,
        denominator="no flows in the package",
    )


def _main_route(n: Network, d: Dependence, home: str) -> str | None:
    """Return the largest route crossing out of the exporter's territory (else its largest)."""
    routes = d.by_route[d.by_route["volume"] > 0]
    if routes.empty:
        return None
    country = n.nodes["country"].to_dict()
    legs = n.routes.loc[routes.index]
    crossing = (legs["from_node"].map(country) == home) & (legs["to_node"].map(country) != home)
    leaving = routes[crossing.to_numpy()]
    pick = leaving if len(leaving) else routes
    return str(pick["volume"].idxmax())


def _worst_outage(n: Network, d: Dependence, countries: list[str], year: int) -> Outage | None:
    """Return the largest loss from closing any one route or transit country for the year."""
    # a field's own feeder line (the field to its hub) is a production outage, not a transit
    # one, and which field feeds which export route is often not pinned by the evidence
    kind = n.nodes["kind"].to_dict()
    origins = {o for o in n.origins(d.exporter) if kind.get(o) == "field"}
    used = d.by_route.index[d.by_route["volume"] > 0]
    routes = [str(r) for r in used if n.routes.loc[r, "from_node"] not in origins]
    closures: list[tuple[str, dict[str, Any]]] = [
        (f"route {r}", {"type": "capacity_factor", "route": r, "factor": 0}) for r in routes
    ] + [(f"country {c}", {"type": "close_country", "country": c}) for c in countries]
    worst: Outage | None = None
    for label, change in closures:
        s = Scenario.model_validate({"name": f"N-1: {label}", "years": [year], "changes": [change]})
        total = reroute(n, s, exporter=d.exporter, ties=False, marginals=False).total
        found = Outage(label, float(total["stranded"]), float(total["revenue_at_risk"]))
        if worst is None or found.stranded > worst.stranded:
            worst = found
    return worst


def comparison_frame(c: Comparison) -> pd.DataFrame:
    """Return the comparison as one row per exporter (values only), for tables and charts."""
    records = []
    for r in c.rows:
        records.append(
            {
                "exporter": r.exporter,
                "year": r.year,
                "exports": r.exports.value if r.exports else math.nan,
                "top_transit": r.top_transit or "",
                "top_share": r.top_transit_share.value if r.top_transit_share else math.nan,
                "top_low": r.top_transit_share.low if r.top_transit_share else math.nan,
                "top_high": r.top_transit_share.high if r.top_transit_share else math.nan,
                "main_route": r.main_route or "",
                "main_share": r.main_route_share.value if r.main_route_share else math.nan,
                "hhi": r.hhi,
                "n1_closed": r.worst.closed if r.worst else "",
                "n1_stranded": r.worst.stranded if r.worst else math.nan,
                "n1_revenue": r.worst.revenue_at_risk if r.worst else math.nan,
                "denominator": r.denominator,
            }
        )
    return pd.DataFrame.from_records(records)
