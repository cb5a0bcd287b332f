"""The interdependence ledger of two countries: who depends on whom, for what, how much.

For each direction (A depends on B, B depends on A), each commodity and each kind of link:

- **exports crossing** the partner: the dependent side's exports whose path touches the
  partner's territory or ports (routes, pipelines, transit), with the tariffs paid on those legs
  where the data has them (e.g. the 2.10 USD/t Kazakhstan earns on Russian crude to China);
- **exports to** the partner: the dependent side's sales delivered into the partner's market;
- **imports from** the partner: the partner's flows delivered into the dependent side;
- **routes without a figure**: links in the network with no volume that year (a gap, shown).

Each row has the volume (in the commodity's unit), its value (volume × the year's price of the
commodity, or the nearest year's, said in the note), the share of the dependent side's total
where the data has one, the spare capacity on the dependent side's other routes, the value at
risk if that link stopped (exports: the stranded volume when every route touching the partner
closes, re-routed with the LP; imports: the whole value), and the sources.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from corridor.metrics import compute
from corridor.network import Network
from corridor.reroute import reroute
from corridor.scenario import CloseCountry, Scenario

COLUMNS = [
    "dependent",
    "partner",
    "commodity",
    "link",
    "volume",
    "unit",
    "value_usd",
    "share",
    "share_of",
    "spare_capacity",
    "value_at_risk_usd",
    "tariffs_usd",
    "sources",
    "note",
]


def _price(n: Network, commodity: str, year: int) -> tuple[float | None, str, list[str]]:
    """Price per t (or MWh) of a commodity in a year, else the nearest year's; note, source."""
    p = n.prices[n.prices["commodity"] == commodity]
    if p.empty:
        return None, "no price for this commodity in the data", []
    p = p.assign(gap=(p["year"] - year).abs()).sort_values(["gap", "year"])
    row = p.iloc[0]
    note = "" if row["year"] == year else f"price of {row['year']} (none for {year})"
    return float(row["price"]), note, [str(row["source"])]


def _money(volume: float | None, price: float | None) -> float | None:
    return None if volume is None or price is None else volume * 1e6 * price


def ledger(n: Network, a: str, b: str, year: int) -> pd.DataFrame:
    """Return the two-way ledger of countries `a` and `b` in `year` (see the module docstring).

    Examples
    --------
    >>> led = ledger(corridor.load_package(), "KAZ", "RUS", 2023)
    >>> sorted(set(led["link"]))
    ['exports crossing', 'exports to', 'imports from', 'route without a figure']
    """
    rows: list[dict[str, Any]] = []
    commodities = list(dict.fromkeys([n.meta.commodity, *n.commodities.index]))
    country = n.nodes["country"]
    for dep, partner in ((a, b), (b, a)):
        for c in commodities:
            price, price_note, price_src = _price(n, c, year)
            unit = n.unit_of(c)
            routes = n.commodity_routes(c)
            f = n.flows[(n.flows["year"] == year) & n.flows["route"].isin(routes)]
            mine = f[f["exporter"] == dep]
            if len(mine):
                m = compute(n, dep, year, c)
                volume = float(m.by_transit_country["volume"].get(partner, 0.0))
                if volume > 0:
                    close = CloseCountry(type="close_country", country=partner)
                    scenario = Scenario(
                        name="ledger", years=[year], exporter=dep, commodity=c, changes=[close]
                    )
                    stop = reroute(n, scenario, ties=False, marginals=False)
                    stranded = stop.total["stranded"] * 365.25 / stop.total["days"]
                    fees, fee_sources = _fees(n, mine, partner)
                    rows.append(
                        {
                            "dependent": dep,
                            "partner": partner,
                            "commodity": c,
                            "link": "exports crossing",
                            "volume": volume,
                            "unit": unit,
                            "value_usd": _money(volume, price),
                            "share": m.share_crossing(partner),
                            "share_of": f"{dep}'s {m.denominator_kind}",
                            "spare_capacity": _spare(n, dep, partner, year, c),
                            "value_at_risk_usd": _money(stranded, price),
                            "tariffs_usd": fees,
                            "sources": sorted(set(m.sources) | set(fee_sources) | set(price_src)),
                            "note": "; ".join(
                                x
                                for x in (
                                    price_note,
                                    f"if every route touching "
                                    f"{partner} closed, {stranded:.2f} {unit} would be "
                                    "stranded",
                                )
                                if x
                            ),
                        }
                    )
            if len(mine):
                sold = compute(n, dep, year, c).by_destination
                volume = float(sold["volume"].get(partner, 0.0))
                if volume > 0:
                    rows.append(
                        {
                            "dependent": dep,
                            "partner": partner,
                            "commodity": c,
                            "link": "exports to",
                            "volume": volume,
                            "unit": unit,
                            "value_usd": _money(volume, price),
                            "share": None,
                            "share_of": "",
                            "spare_capacity": None,
                            "value_at_risk_usd": _money(volume, price),
                            "tariffs_usd": None,
                            "sources": sorted(set(sold.at[partner, "sources"]) | set(price_src)),
                            "note": price_note
                            or f"the {partner} market for {dep}'s {c}: lost if "
                            "it closed (no other buyer is in the data)",
                        }
                    )
            theirs = f[f["exporter"] == partner]
            delivered = compute(n, partner, year, c).by_destination if len(theirs) else None
            if delivered is not None and delivered["volume"].get(dep, 0.0) > 0:
                volume = float(delivered.at[dep, "volume"])
                rows.append(
                    {
                        "dependent": dep,
                        "partner": partner,
                        "commodity": c,
                        "link": "imports from",
                        "volume": volume,
                        "unit": unit,
                        "value_usd": _money(volume, price),
                        "share": _import_share(n, dep, c, year, volume),
                        "share_of": f"{dep}'s imports of {c}"
                        if _import_total(n, dep, c, year)
                        else "not in the data",
                        "spare_capacity": None,
                        "value_at_risk_usd": _money(volume, price),
                        "tariffs_usd": None,
                        "sources": sorted(set(delivered.at[dep, "sources"]) | set(price_src)),
                        "note": price_note
                        or "the whole value is at risk: no other supplier is in the data",
                    }
                )
            kinds = n.nodes["kind"]
            for r in routes:
                a_c, b_c = country[n.routes.at[r, "from_node"]], country[n.routes.at[r, "to_node"]]
                delivers = kinds[n.routes.at[r, "to_node"]] in ("market", "refinery")
                if (a_c, b_c) == (partner, dep) and delivers and f[f["route"] == r].empty:
                    rows.append(
                        {
                            "dependent": dep,
                            "partner": partner,
                            "commodity": c,
                            "link": "route without a figure",
                            "volume": None,
                            "unit": unit,
                            "value_usd": None,
                            "share": None,
                            "share_of": "",
                            "spare_capacity": None,
                            "value_at_risk_usd": None,
                            "tariffs_usd": None,
                            "sources": [str(n.routes.at[r, "source"])],
                            "note": f"{n.routes.at[r, 'name']} ({r}): no volume found for {year}",
                        }
                    )
    return pd.DataFrame(rows, columns=COLUMNS)


def _fees(n: Network, flows: pd.DataFrame, partner: str) -> tuple[float | None, list[str]]:
    """Tariffs paid on the legs that touch the partner: tariff × volume, where the data has one."""
    total, sources = 0.0, []
    for row in flows.itertuples():
        if partner in n.route_countries(str(row.route)):
            cost = n.costs[(n.costs["route"] == row.route) & (n.costs["year"] <= row.year)]
            if len(cost):
                cost = cost.sort_values("year").iloc[-1]
                total += row.volume * 1e6 * float(cost["cost"])
                sources.append(str(cost["source"]))
    return (total if sources else None), sources


def _spare(n: Network, dep: str, partner: str, year: int, commodity: str) -> float | None:
    """Spare capacity on the dependent side's routes that touch no part of the partner."""
    total, known = 0.0, False
    f = n.flows[n.flows["year"] == year]
    for r in n.commodity_routes(commodity):
        if partner in n.route_countries(r) or dep not in n.route_countries(r):
            continue
        if n.nodes.at[n.routes.at[r, "from_node"], "country"] != dep:
            continue
        cap = n.capacities[(n.capacities["route"] == r) & (n.capacities["year"] <= year)]
        if cap.empty:
            continue
        whole = cap[cap["exporter"] == ""].sort_values("year")
        own = cap[cap["exporter"] == dep].sort_values("year")
        used = float(f.loc[f["route"] == r, "volume"].sum())
        room = [float(x["capacity"].iloc[-1]) for x in (whole, own) if len(x)]
        mine = float(f.loc[(f["route"] == r) & (f["exporter"] == dep), "volume"].sum())
        spare = min([room[0] - used] + ([room[1] - mine] if len(room) > 1 else []))
        total += max(spare, 0.0)
        known = True
    return total if known else None


def _import_total(n: Network, dep: str, commodity: str, year: int) -> float | None:
    s = n.supply
    row = s[
        (s["exporter"] == dep)
        & (s["year"] == year)
        & (s["quantity"] == "imports")
        & (s["commodity"] == commodity)
    ]
    return float(row["volume"].iloc[0]) if len(row) else None


def _import_share(n: Network, dep: str, commodity: str, year: int, volume: float) -> float | None:
    total = _import_total(n, dep, commodity, year)
    return None if not total else volume / total


def ledger_dict(df: pd.DataFrame, a: str, b: str, year: int) -> dict[str, Any]:
    """The ledger as JSON-ready data."""

    def clean(v: Any) -> Any:
        return None if isinstance(v, float) and math.isnan(v) else v

    rows = [{k: clean(v) for k, v in r.items()} for r in df.to_dict("records")]
    return {"a": a, "b": b, "year": year, "rows": rows}
