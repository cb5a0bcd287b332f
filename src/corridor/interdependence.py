"""The interdependence ledger of two countries: who depends on whom, for what, how much.

For each direction (A depends on B, B depends on A), each commodity and each kind of link:

- **exports crossing** the partner: the dependent side's exports whose path touches the
  partner's territory or ports (routes, pipelines, transit), with the tariffs paid on those legs
  where the data has them (e.g. the 2.10 USD/t Kazakhstan earns on Russian crude to China);
- **exports to** the partner: the dependent side's sales delivered into the partner's market;
- **imports from** the partner: the partner's flows delivered into the dependent side;
- **route without a figure**: links in the network with no volume that year (a gap, shown).

Each row says in words what crosses, from whom to whom (``what``: "Russian Federation crude
oil and condensate to China crossing Kazakhstan"). Where the package holds no total exports
of the dependent side (a few flows of a neighbour), the row's share is withheld (None), not
taken of the flows the package happens to hold (`corridor.metrics.reports_total_exports`).

Each row (`LedgerRow`) has the volume (in the commodity's unit), its value (volume × the year's
price of the commodity, or the nearest year's, whose year is then in ``price_year``), the share
of the dependent side's total where the data has one, the spare capacity on the dependent
side's other routes, the value at risk if that link stopped (exports crossing: the volume
stranded when every route touching the partner closes, re-routed with the LP and given in
``stranded_if_closed``; exports to and imports: the whole value, as no other buyer or supplier
is in the data), and the sources. Spare capacity and the stranded volume come from
`corridor.rerouting.RerouteProblem`, with its capacity rules.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from corridor.exceptions import InvalidArgumentError
from corridor.metrics import dependence
from corridor.network import Network
from corridor.package.read import country_name
from corridor.rerouting.problem import Period, RerouteProblem
from corridor.scenario import CloseCountry, Scenario, apply_scenario
from corridor.units import T_PER_MT

COLUMNS = [
    "dependent",
    "partner",
    "commodity",
    "link",
    "what",
    "route",
    "volume",
    "unit",
    "value_usd",
    "share",
    "share_of",
    "spare_capacity",
    "value_at_risk_usd",
    "tariffs_usd",
    "stranded_if_closed",
    "price_year",
    "sources",
    "note",
]


@dataclass(frozen=True)
class LedgerRow:
    """One link between a dependent country and its partner, for one commodity.

    ``note`` is only a note copied from the data; the views write the sentences from the
    fields (``stranded_if_closed``, ``price_year``).
    """

    dependent: str
    partner: str
    commodity: str
    link: str
    unit: str
    what: str = ""  # the link in words: whose commodity, from where to where, crossing what
    route: str = ""  # the route a "route without a figure" row is about
    volume: float | None = None
    value_usd: float | None = None
    share: float | None = None
    share_of: str = ""
    spare_capacity: float | None = None
    value_at_risk_usd: float | None = None
    tariffs_usd: float | None = None
    stranded_if_closed: float | None = None
    price_year: int | None = None
    sources: list[str] = field(default_factory=list)
    note: str = ""


@dataclass(frozen=True)
class _Price:
    """A commodity's price per t (or MWh): the year's, else the nearest year's."""

    value: float | None
    year: int | None  # the price's year where it is not the ledger's
    sources: list[str]

    def money(self, volume: float | None) -> float | None:
        return None if volume is None or self.value is None else volume * T_PER_MT * self.value


def _price(n: Network, commodity: str, year: int) -> _Price:
    p = n.prices[n.prices["commodity"] == commodity]
    if p.empty:
        return _Price(None, None, [])
    p = p.assign(gap=(p["year"] - year).abs()).sort_values(["gap", "year"])
    row = p.iloc[0]
    return _Price(
        float(row["price"]), None if row["year"] == year else int(row["year"]), [str(row["source"])]
    )


@dataclass(frozen=True)
class _Pair:
    """What every row of one direction and commodity shares."""

    n: Network
    dependent: str
    partner: str
    commodity: str
    year: int
    price: _Price

    def goods(self, whose: str | None = None) -> str:
        """Return whose commodity a row is about: ``Russian Federation crude oil``."""
        c = self.n.commodities
        name = str(c.at[self.commodity, "name"]) if self.commodity in c.index else self.commodity
        return f"{country_name(whose or self.dependent)} {name.lower()}"

    def row(self, link: str, **fields: Any) -> LedgerRow:
        return LedgerRow(
            self.dependent,
            self.partner,
            self.commodity,
            link,
            self.n.unit_of(self.commodity),
            price_year=self.price.year,
            **fields,
        )


def ledger_year(n: Network, a: str, year: int | None = None) -> int:
    """Return the ledger's year: `year` if given (checked), else `a`'s latest year with flows.

    Examples
    --------
    >>> ledger_year(corridor.load_package(), "KAZ")
    2025
    """
    if year is None:
        year = max(n.years_with_flows(a) or [n.meta.last_year])
    return n.check_year(year)


def ledger(n: Network, a: str, b: str, *, year: int) -> pd.DataFrame:
    """Return the two-way ledger of countries `a` and `b` in `year` (see the module docstring).

    Returns
    -------
    DataFrame
        One `LedgerRow` a row, columns `COLUMNS`.

    Raises
    ------
    UnknownError
        For a country or year the package does not know.
    InvalidArgumentError
        When `a` and `b` are the same country.

    Examples
    --------
    >>> led = ledger(corridor.load_package(), "KAZ", "RUS", year=2023)
    >>> sorted(set(led["link"]))
    ['exports crossing', 'exports to', 'imports from', 'route without a figure']
    """
    n.check_country(a)
    n.check_country(b)
    n.check_year(year)
    if a == b:
        msg = f"a ledger needs two different countries, got {a} twice"
        raise InvalidArgumentError(msg)
    rows: list[LedgerRow] = []
    commodities = list(dict.fromkeys([n.meta.commodity, *n.commodities.index]))
    for dep, partner in ((a, b), (b, a)):
        for c in commodities:
            pair = _Pair(n, dep, partner, str(c), year, _price(n, str(c), year))
            rows += _exports(pair) + _imports(pair) + _routes_without_figure(pair)
    df = pd.DataFrame([asdict(r) for r in rows], columns=COLUMNS)
    df["price_year"] = pd.Series([r.price_year for r in rows], dtype=object)
    return df


def _year_flows(pair: _Pair) -> pd.DataFrame:
    f = pair.n.flows
    return f[(f["year"] == pair.year) & f["route"].isin(pair.n.commodity_routes(pair.commodity))]


def _exports(pair: _Pair) -> list[LedgerRow]:
    mine = _year_flows(pair)
    mine = mine[mine["exporter"] == pair.dependent]
    if mine.empty:
        return []
    n, partner, price = pair.n, pair.partner, pair.price
    m = dependence(n, exporter=pair.dependent, year=pair.year, commodity=pair.commodity)
    out = []
    volume = float(m.by_transit_country["volume"].get(partner, 0.0))
    if volume > 0:
        stranded, spare = _if_closed(pair)
        fees, fee_sources = _fees(n, mine, partner, pair.year)
        sources = sorted(set(m.sources) | set(fee_sources) | set(price.sources))
        share = m.share_crossing(partner)
        out.append(
            pair.row(
                "exports crossing",
                what=f"{pair.goods()} to {_destinations(n, m, partner)} crossing "
                f"{country_name(partner)}",
                volume=volume,
                value_usd=price.money(volume),
                share=None if m.shares_withheld or share != share else share,
                share_of=m.denominator_kind
                if m.shares_withheld
                else f"{pair.dependent}'s {m.denominator_kind}",
                spare_capacity=spare,
                value_at_risk_usd=price.money(stranded),
                tariffs_usd=fees,
                stranded_if_closed=stranded,
                sources=sources,
            )
        )
    sold = m.by_destination
    volume = float(sold["volume"].get(partner, 0.0))
    if volume > 0:
        sources = sorted(set(sold.at[partner, "sources"]) | set(price.sources))
        value = price.money(volume)
        out.append(
            pair.row(
                "exports to",
                what=f"{pair.goods()} sold into {country_name(partner)}",
                volume=volume,
                value_usd=value,
                value_at_risk_usd=value,
                sources=sources,
            )
        )
    return out


def _destinations(n: Network, m: Any, partner: str) -> str:
    """Return where the paths crossing `partner` end, by volume: ``China``."""
    vol: dict[str, float] = {}
    for p in m.paths.itertuples():
        if partner in p.transit:
            vol[str(p.destination)] = vol.get(str(p.destination), 0.0) + float(p.volume)

    def name(d: str) -> str:
        if d == "?":
            return "an onward route not reported"
        if d in n.nodes.index:  # a market node with no country: its name
            return str(n.nodes.at[d, "name"])
        return country_name(d)

    names = [name(d) for d in sorted(vol, key=lambda d: (-vol[d], d))]
    if len(names) > 1:
        return ", ".join(names[:-1]) + " and " + names[-1]
    return names[0] if names else "destinations not reported"


def _if_closed(pair: _Pair) -> tuple[float, float | None]:
    """Return the rate stranded if the partner's routes closed, and the spare capacity elsewhere.

    The spare capacity is that of the dependent side's routes that touch no part of the partner.
    """
    n, dep, partner, year = pair.n, pair.dependent, pair.partner, pair.year
    close = CloseCountry(type="close_country", country=partner)
    s = Scenario(
        name="ledger", years=[year], exporter=dep, commodity=pair.commodity, changes=[close]
    )
    problem = RerouteProblem(n, apply_scenario(s, n, exporter=dep, year=year))
    sol = problem.solve(Period(str(year), date(year, 1, 1), date(year + 1, 1, 1)))
    stranded = float(sol.stranded.sum()) if sol.is_optimal else float("nan")
    country = n.nodes["country"]
    spare = [
        x
        for r, x in zip(problem.route_ids, problem.spare_capacity(), strict=True)
        if partner not in problem.countries(r)
        and country[problem.routes.at[r, "from_node"]] == dep
        and not np.isnan(x)
    ]
    return stranded, (float(sum(spare)) if spare else None)


def _fees(
    n: Network, flows: pd.DataFrame, partner: str, year: int
) -> tuple[float | None, list[str]]:
    """Tariffs paid on the legs that touch the partner: tariff × volume, where the data has one."""
    total, sources = 0.0, []
    for row in flows.itertuples():
        if partner in n.route_countries(str(row.route)):
            cost = Network.in_force(n.costs, year, route=row.route)
            if cost is not None:
                total += row.volume * T_PER_MT * float(cost["cost"])
                sources.append(str(cost["source"]))
    return (total if sources else None), sources


def _imports(pair: _Pair) -> list[LedgerRow]:
    f = _year_flows(pair)
    if f[f["exporter"] == pair.partner].empty:
        return []
    n, dep, c = pair.n, pair.dependent, pair.commodity
    delivered = dependence(n, exporter=pair.partner, year=pair.year, commodity=c).by_destination
    volume = float(delivered["volume"].get(dep, 0.0))
    if volume <= 0:
        return []
    total = _import_total(n, dep, c, pair.year)
    value = pair.price.money(volume)
    return [
        pair.row(
            "imports from",
            what=f"{pair.goods(pair.partner)} delivered into {country_name(dep)}",
            volume=volume,
            value_usd=value,
            share=volume / total if total else None,
            share_of=f"{dep}'s imports of {c}" if total else "not in the data",
            value_at_risk_usd=value,
            sources=sorted(set(delivered.at[dep, "sources"]) | set(pair.price.sources)),
        )
    ]


def _routes_without_figure(pair: _Pair) -> list[LedgerRow]:
    n = pair.n
    f = _year_flows(pair)
    country, kinds = n.nodes["country"], n.nodes["kind"]
    out = []
    for r in n.commodity_routes(pair.commodity):
        route = n.routes.loc[r]
        ends = (country[route["from_node"]], country[route["to_node"]])
        delivers = kinds[route["to_node"]] in ("market", "refinery")
        if ends == (pair.partner, pair.dependent) and delivers and f[f["route"] == r].empty:
            note = route["note"] if isinstance(route.get("note"), str) else ""
            out.append(
                pair.row(
                    "route without a figure",
                    what=f"{pair.goods(pair.partner)} to {country_name(pair.dependent)} "
                    f"({r}): no figure",
                    route=r,
                    sources=[str(route["source"])],
                    note=note,
                )
            )
    return out


def _import_total(n: Network, dep: str, commodity: str, year: int) -> float | None:
    s = n.supply
    row = s[
        (s["exporter"] == dep)
        & (s["year"] == year)
        & (s["quantity"] == "imports")
        & (s["commodity"] == commodity)
    ]
    return float(row["volume"].iloc[0]) if len(row) else None


def ledger_dict(df: pd.DataFrame, a: str, b: str, year: int) -> dict[str, Any]:
    """Return the ledger as JSON-ready data: ``{"a", "b", "year", "rows": [row dicts]}``."""

    def clean(v: Any) -> Any:
        return None if isinstance(v, float) and math.isnan(v) else v

    rows = [{k: clean(v) for k, v in r.items()} for r in df.to_dict("records")]
    return {"a": a, "b": b, "year": year, "rows": rows}
