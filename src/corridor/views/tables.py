"""Terminal tables (rich) for `corridor report` and `corridor validate`."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd
import pycountry
from rich.console import Group
from rich.table import Table
from rich.text import Text

from corridor.metrics import UNKNOWN, UNKNOWN_NAME, YearMetrics
from corridor.network import Network


def pct(x: float | None) -> str:
    """Format a share as a percentage, or an em dash for a gap."""
    return "—" if x is None or math.isnan(x) else f"{100 * x:.1f}%"


def num(x: float | None, places: int = 2) -> str:
    """Format a volume, or an em dash for a gap."""
    return "—" if x is None or math.isnan(x) else f"{x:,.{places}f}"


def country_name(code: str) -> str:
    """Return a short country name for an ISO3 code."""
    c = pycountry.countries.get(alpha_3=code)
    return str(getattr(c, "common_name", None) or getattr(c, "name", code)) if c else code


def year_table(n: Network, m: YearMetrics) -> Group:
    """Return the year's route table, its key shares and the shares by transit country."""
    title = (
        f"{country_name(m.exporter)} {m.commodity} exports by route, {m.year} "
        f"[{m.unit}; shares of {m.denominator_kind}]"
    )
    t = Table(title=title, title_justify="left", header_style="bold")
    for col, justify in [
        ("route", "left"),
        ("name", "left"),
        ("volume", "right"),
        ("share", "right"),
        ("countries", "left"),
        ("chokepoints", "left"),
        ("confidence", "left"),
        ("sources", "left"),
    ]:
        t.add_column(col, justify=justify, no_wrap=col == "route")  # type: ignore[arg-type]
    for route, r in m.by_route.iterrows():
        t.add_row(
            str(route),
            str(r["name"]),
            num(r["volume"]),
            pct(r["share"]),
            ", ".join(r["transit"]) or "—",
            ", ".join(n.chokepoints.at[k, "name"] for k in r["chokepoints"]) or "—",
            f"{r['confidence']}" + ("" if r["basis"] == "reported" else f" ({r['basis']})"),
            ", ".join(route_sources(n, m, str(route))),
        )
    if m.unattributed is not None:
        t.add_row(
            "",
            Text("not attributed to a route", style="italic"),
            num(m.unattributed),
            pct(m.unattributed / m.denominator if m.denominator else None),
            "",
            "",
            "",
            "",
        )
    for route in m.missing_routes:
        t.add_row(route, Text(f"{n.routes.at[route, 'name']}: no figure", style="dim"), "gap")
    if m.total_exports is not None:
        t.add_row(
            "",
            Text("total exports", style="bold"),
            num(m.total_exports),
            "100.0%",
            "",
            "",
            "",
            ", ".join(m.total_sources),
        )
    parts: list[Table | Text] = [t]
    country, route = m.focus_country, m.focus_route
    lines = []
    if country:
        name = country_name(country)
        lines.append(
            f"share crossing {name} (territory or ports): {pct(m.share_crossing(country))}"
        )
    if route:
        lines.append(f"share via {route}: {pct(m.share_via(route))}")
    if country:
        lines.append(f"share bypassing {country_name(country)}: {pct(m.share_bypassing(country))}")
    lines.append(f"HHI of export-route shares: {num(m.hhi, 0)}")
    parts.append(Text("  ·  ".join(lines)))
    transit = ", ".join(f"{c} {pct(s)}" for c, s in m.by_transit_country["share"].items())
    chokepoints = ", ".join(
        f"{UNKNOWN_NAME if k == UNKNOWN else n.chokepoints.at[k, 'name']} {pct(s)}"
        for k, s in m.by_chokepoint["share"].items()
    )
    parts.append(Text(f"by transit country: {transit or '—'}"))
    parts.append(Text(f"by chokepoint: {chokepoints or '—'}"))
    return Group(*parts)


def route_sources(n: Network, m: YearMetrics, route: str) -> list[str]:
    """Return the source ids of a route's flow in the year (without the total's)."""
    f = n.flows
    rows = f[(f["exporter"] == m.exporter) & (f["year"] == m.year) & (f["route"] == route)]
    return sorted(set(rows["source"]))


def focus_columns(country: str | None, route: str | None) -> list[str]:
    """Column names of the package's headline shares: crossing, via, bypassing."""
    return (
        ([f"crossing {country}"] if country else [])
        + ([f"via {route}"] if route else [])
        + ([f"bypassing {country}"] if country else [])
    )


def summary_table(n: Network, s: pd.DataFrame) -> Table:
    """Return the year-by-year summary table; gaps show as dashes."""
    country, route = n.meta.focus_country, n.meta.focus_route
    t = Table(
        title=f"{country_name(n.meta.exporter)} year by year [Mt/year]",
        title_justify="left",
        header_style="bold",
    )
    cols = [
        "year",
        "production",
        "total exports",
        "routed",
        "unattributed",
        *focus_columns(country, route),
        "HHI",
        "shares of",
        "gaps",
    ]
    for c in cols:
        left = c in ("year", "shares of")
        t.add_column(c, justify="left" if left else "right")
    gaps: list[str] = []
    for year, r in s.iterrows():
        cells = [
            str(year),
            num(r["production"], 1),
            num(r["total_exports"], 1),
            num(r["routed"], 1),
            pct(r["unattributed"] / r["total_exports"]),
        ]
        if country:
            cells.append(pct(r["share_crossing"]))
        if route:
            cells.append(pct(r["share_via"]))
        if country:
            cells.append(pct(r["share_bypassing"]))
        denominator = r["denominator"] if isinstance(r["denominator"], str) else "—"
        missing = r["missing_routes"] if isinstance(r["missing_routes"], tuple) else ()
        cells += [num(r["hhi"], 0), denominator, str(len(missing)) if missing else ""]
        t.add_row(*cells)
        if missing:
            gaps.append(f"{year}: {', '.join(missing)}")
    caption = "routes with a figure in other years but none in: " + "; ".join(gaps)
    t.caption, t.caption_justify = (caption if gaps else None), "left"
    return t


def sources_table(n: Network, ids: tuple[str, ...]) -> Table:
    """Return the sources behind a set of figures: id, publisher, date, title, URL."""
    t = Table(title="Sources", title_justify="left", header_style="bold")
    for c in ("id", "publisher", "published", "title", "url"):
        t.add_column(c, overflow="fold")
    for i in ids:
        s = n.sources.loc[i]
        t.add_row(i, s["publisher"], s["published"], s["title"], s["url"])
    return t


def ledger_table(df: pd.DataFrame, a: str, b: str, year: int) -> Table:
    """Return the interdependence ledger as a rich table, both directions."""
    t = Table(title=f"Interdependence {a} ↔ {b}, {year}", title_justify="left", header_style="bold")
    for c in (
        "depends",
        "on",
        "commodity",
        "link",
        "volume",
        "value [USD m]",
        "share",
        "spare [alt.]",
        "at risk [USD m]",
        "tariffs [USD m]",
        "note / sources",
    ):
        t.add_column(
            c,
            justify="right"
            if c
            in (
                "volume",
                "value [USD m]",
                "share",
                "spare [alt.]",
                "at risk [USD m]",
                "tariffs [USD m]",
            )
            else "left",
        )

    def m(x: Any) -> str:
        return "—" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x / 1e6:,.0f}"

    for r in df.itertuples():
        vol = "gap" if r.volume is None or r.volume != r.volume else f"{r.volume:,.3g} {r.unit}"
        t.add_row(
            r.dependent,
            r.partner,
            r.commodity,
            r.link,
            vol,
            m(r.value_usd),
            pct(r.share) if r.share is not None else "—",
            num(r.spare_capacity),
            m(r.value_at_risk_usd),
            m(r.tariffs_usd),
            f"{r.note} [{', '.join(r.sources)}]",
        )
    return t
