"""The Network: a data package's tables as pandas DataFrames, plus graph views.

`Network.__init__` does no I/O and no validation; `corridor.package.load_package` validates a
package folder and builds one. Tables with an ``id`` are indexed by it. Quantities are kept as
reported (``value``, ``unit``) and in the canonical unit in a unitless column: ``volume`` for
flows and supply and ``capacity`` for capacities [Mt/year]; ``price`` and ``cost`` [USD/t];
``volume`` for losses [Mt over the loss's window].

`Network.observations` is derived: the rows of ``observations.csv`` plus every flow and every
supply row of exports, production, imports or refinery runs, in one canonical frame
(`OBSERVATION_COLUMNS`), so that code reading evidence reads one table.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from corridor.exceptions import UnknownError
from corridor.schema import delivered_to
from corridor.schema import tables as schema_tables
from corridor.units import CANONICAL_RATE, DAYS_PER_YEAR

#: Columns of `Network.observations`, after its ``id`` index. ``start`` is the first day and
#: ``end`` the day after the last (exclusive), both `datetime.date`; ``value``, ``low``,
#: ``high`` are as written (NaN if absent); ``amount``, ``amount_low``, ``amount_high`` the
#: same as amounts over the period in the commodity's canonical unit (Mt for Mt/year);
#: ``exporter`` is ``""`` for all shippers; ``origin`` names the file and line of the row.
OBSERVATION_COLUMNS: tuple[str, ...] = (
    "measure",
    "scope",
    "exporter",
    "commodity",
    "start",
    "end",
    "value",
    "low",
    "high",
    "unit",
    "amount",
    "amount_low",
    "amount_high",
    "source",
    "confidence",
    "basis",
    "note",
    "origin",
)
#: Quantities of ``supply`` rows that are observations (their measure has the same name).
SUPPLY_MEASURES = ("exports", "production", "imports", "refinery_runs")

_NUMBERS = ("value", "low", "high", "amount", "amount_low", "amount_high")
_DATES = ("start", "end")


def observation_frame(records: Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """Return observation records (each with ``id`` and `OBSERVATION_COLUMNS`) as a typed frame.

    Missing numbers become NaN and missing text ``""``; the frame is indexed by ``id`` and has
    every column even when empty.

    Examples
    --------
    >>> df = observation_frame([{"id": "x", "measure": "exports", "value": 1.5}])
    >>> list(df.columns) == list(OBSERVATION_COLUMNS)
    True
    >>> df.at["x", "exporter"], float(df.at["x", "low"])
    ('', nan)
    >>> observation_frame([]).index.name
    'id'
    """
    df = pd.DataFrame(list(records), columns=["id", *OBSERVATION_COLUMNS])
    for c in df.columns:
        if c in _NUMBERS:
            df[c] = pd.to_numeric(df[c]).astype(float)
        elif c not in _DATES:
            df[c] = df[c].astype(object).where(df[c].notna(), "").astype(str)
    return df.set_index("id")


def _joined(prefix: str, *parts: pd.Series) -> pd.Series:
    """Return ``prefix:a:b:…`` for each row of `parts`."""
    out = pd.Series(prefix, index=parts[0].index, dtype=object)
    for part in parts:
        out = out + ":" + part.astype(str)
    return out


def _as_figures(table: pd.DataFrame, keys: tuple[str, ...], unit: str) -> pd.DataFrame:
    """Return a flows- or supply-shaped table with every column a migrated row reads.

    A frame built in memory may lack some: ``value`` and ``unit`` default to the canonical
    ``volume`` and `unit`, the figure's other columns to blank. Without its keys or a
    ``volume`` it has no rows that can be migrated, and an empty frame is returned.
    """
    if not {*keys, "volume"} <= set(table.columns):
        return pd.DataFrame(columns=[*keys, "volume", "value", "unit", *_FIGURE_TEXT])
    table = table.assign(
        value=table["value"] if "value" in table else table["volume"],
        unit=table.get("unit", unit),
    )
    return table.assign(**{c: "" for c in _FIGURE_TEXT if c not in table})


_FIGURE_TEXT = ("source", "confidence", "basis", "note")


def _year_bounds(years: pd.Series) -> tuple[list[date], list[date], list[int]]:
    starts = [date(int(y), 1, 1) for y in years]
    ends = [date(int(y) + 1, 1, 1) for y in years]
    return starts, ends, [(e - s).days for s, e in zip(starts, ends, strict=True)]


@dataclass(frozen=True)
class PackageMeta:
    """What a package declares about itself in ``datapackage.json``."""

    name: str
    title: str
    exporter: str
    commodity: str
    first_year: int
    last_year: int
    path: Path | None = None
    focus_country: str | None = None
    focus_route: str | None = None
    #: The folders of the packages merged into this network (`corridor.package.merge`);
    #: empty for a single package, whose folder is ``path``.
    paths: tuple[Path, ...] = ()

    @property
    def years(self) -> range:
        """The declared years, inclusive."""
        return range(self.first_year, self.last_year + 1)


class Network:
    """Nodes, routes and their figures for one commodity, with graph views.

    Parameters
    ----------
    meta : PackageMeta
        Name, exporter, commodity and declared years of the package.
    tables : dict of str to DataFrame
        One DataFrame per package table (``sources``, ``nodes``, ``routes`` …), as built by
        `corridor.package.load_package`: id tables indexed by ``id``; list columns hold tuples.
        ``observations`` is the canonical frame (`OBSERVATION_COLUMNS`); when it is not
        given, it is derived from the flows and the supply (`migrated_observations`).
    """

    def __init__(self, meta: PackageMeta, tables: dict[str, pd.DataFrame]) -> None:
        self.meta = meta
        names = list(schema_tables())
        for name in names:
            if name != "observations":
                setattr(self, name, tables[name])
        given = tables.get("observations")
        self.observations = self.migrated_observations() if given is None else given
        self.tables = {name: getattr(self, name) for name in names}

    # One attribute per schema table (set in __init__); declared here for type checkers.
    sources: pd.DataFrame
    nodes: pd.DataFrame
    chokepoints: pd.DataFrame
    routes: pd.DataFrame
    grades: pd.DataFrame
    capacities: pd.DataFrame
    flows: pd.DataFrame
    supply: pd.DataFrame
    events: pd.DataFrame
    prices: pd.DataFrame
    costs: pd.DataFrame
    losses: pd.DataFrame
    risks: pd.DataFrame
    commodities: pd.DataFrame
    measures: pd.DataFrame
    observations: pd.DataFrame

    def replace(self, **tables: pd.DataFrame) -> Network:
        """Return a copy with some tables replaced (the others are shared, not copied).

        ``observations`` is derived: replacing ``flows`` or ``supply`` (and not
        ``observations`` itself) migrates the new rows again, after the rows of the
        observations table; a migrated row that is unchanged keeps its origin.
        """
        unknown = set(tables) - set(self.tables)
        if unknown:
            msg = "table"
            raise UnknownError(msg, sorted(unknown)[0], self.tables)
        merged = {**self.tables, **tables}
        if "observations" in tables or not {"flows", "supply"} & set(tables):
            return Network(self.meta, merged)
        del merged["observations"]
        n = Network(self.meta, merged)
        n.observations = n.tables["observations"] = self._rederived(n.observations)
        return n

    def _rederived(self, migrated: pd.DataFrame) -> pd.DataFrame:
        """Return the observations table's rows, then `migrated` (unchanged rows keep origins)."""
        old = self.observations
        prior = old[~old.index.duplicated()].reindex(migrated.index)
        same = (prior["value"].to_numpy() == migrated["value"].to_numpy()) & (
            prior["unit"].to_numpy() == migrated["unit"].to_numpy()
        )
        migrated = migrated.assign(
            origin=migrated["origin"].where(~same, prior["origin"].to_numpy())
        )
        frames = [f for f in (self.file_observations(), migrated) if not f.empty]
        return pd.concat(frames) if frames else migrated

    def file_observations(self) -> pd.DataFrame:
        """Return the rows of `observations` from the observations table (not migrated ones).

        Migrated rows have ids with a colon (``flow:KAZ:cpc:2024``), which a table id cannot.
        """
        o = self.observations
        return o[~o.index.astype(str).str.contains(":", regex=False)]

    def migrated_observations(
        self,
        flow_origins: Sequence[str] | None = None,
        supply_origins: Sequence[str] | None = None,
    ) -> pd.DataFrame:
        """Return the flows and the supply rows as observations (`OBSERVATION_COLUMNS`).

        Each flow becomes measure ``flow`` over its route for its exporter and year, id
        ``flow:<exporter>:<route>:<year>``; each supply row of exports, production, imports or
        refinery runs becomes that measure over scope ``all``, id
        ``supply:<exporter>:<quantity>:<commodity>:<year>``. The amount is the canonical
        ``volume`` held over the year's days (`corridor.units.DAYS_PER_YEAR` a year).

        Parameters
        ----------
        flow_origins, supply_origins : sequence of str, optional
            Where each row of ``flows`` and of ``supply`` comes from (``flows.csv line 3``),
            in the tables' order; default ``flows table`` and ``supply table``.
        """
        f = _as_figures(self.flows, ("exporter", "route", "year"), self.unit_of())
        f = f.assign(origin=list(flow_origins) if flow_origins is not None else "flows table")
        flows = f.assign(
            measure="flow",
            scope=f["route"],
            commodity=f["route"].map(self.routes["commodity"]),
            id=_joined("flow", f["exporter"], f["route"], f["year"]),
        )
        s = _as_figures(self.supply, ("exporter", "quantity", "year"), self.unit_of())
        s = s.assign(origin=list(supply_origins) if supply_origins is not None else "supply table")
        s = s[s["quantity"].isin(SUPPLY_MEASURES)]
        commodity = s.get("commodity", pd.Series("", index=s.index, dtype=object))
        commodity = commodity.fillna("").astype(str)
        commodity = commodity.mask(commodity == "", self.meta.commodity)
        supply = s.assign(
            measure=s["quantity"],
            scope="all",
            commodity=commodity,
            id=_joined("supply", s["exporter"], s["quantity"], commodity, s["year"]),
        )
        both = [df for df in (flows, supply) if not df.empty]
        if not both:
            return observation_frame([])
        df = pd.concat(both, ignore_index=True)
        df["commodity"] = df["commodity"].fillna(self.meta.commodity)
        df["start"], df["end"], days = _year_bounds(df["year"])
        df["amount"] = df["volume"].astype(float) * pd.Series(days) / DAYS_PER_YEAR
        return observation_frame(df.to_dict("records"))

    @staticmethod
    def in_force(table: pd.DataFrame, year: int, **match: Any) -> pd.Series | None:
        """Return the row of `table` in force in `year`, or None when none is.

        A row holds from its ``year`` on, until the next row with the same `match` values:
        the row in force is the latest one with ``year <= year``. This is the one home of
        that rule on tables (capacities, costs, fees, prices); the claims checker's cached facts
        apply it to plain rows (`corridor.claims.facts.Facts.in_force`), without pandas.

        Examples
        --------
        >>> caps = pd.DataFrame({"route": ["a", "a", "b"], "year": [2020, 2024, 2021],
        ...                      "capacity": [67.0, 81.5, 20.0]})
        >>> float(Network.in_force(caps, 2023, route="a")["capacity"])
        67.0
        >>> float(Network.in_force(caps, 2025, route="a")["capacity"])
        81.5
        >>> Network.in_force(caps, 2019, route="a") is None
        True
        """
        mask = table["year"] <= year
        for column, value in match.items():
            mask &= table[column] == value
        rows = table[mask]
        if rows.empty:
            return None
        return rows.sort_values("year", kind="stable").iloc[-1]

    def check_year(self, year: int) -> int:
        """Return `year` if it is one of the package's declared years, else raise UnknownError."""
        if year not in self.meta.years:
            span = f"{self.meta.first_year}–{self.meta.last_year}"
            message = f"year {year} is outside the package's years {span}"
            msg = "year"
            raise UnknownError(msg, year, self.meta.years, message=message)
        return year

    def exporters(self) -> list[str]:
        """Return the exporters with figures in the package: the flows', supply's, observations'."""
        found = set(self.flows["exporter"]) | set(self.supply["exporter"])
        found |= set(self.observations["exporter"])
        return sorted({str(e) for e in found | {self.meta.exporter} if e})  # "": no exporter

    def check_exporter(self, exporter: str) -> str:
        """Return `exporter` if the package has figures for it, else raise UnknownError."""
        known = self.exporters()
        if exporter not in known:
            msg = "exporter"
            raise UnknownError(msg, exporter, known)
        return exporter

    def countries(self) -> list[str]:
        """Return the countries of the package's nodes and routes' transit countries."""
        found = set(self.nodes["country"]) | {c for t in self.routes["transit"] for c in t}
        return sorted(str(c) for c in found if c)

    def check_country(self, country: str) -> str:
        """Return `country` if a node or route of the package touches it, else raise."""
        known = self.countries()
        if country not in known:
            msg = "country"
            raise UnknownError(msg, country, known)
        return country

    def check_commodity(self, commodity: str | None) -> str:
        """Return `commodity` (default the package's) if a route carries it, else raise."""
        commodity = commodity or self.meta.commodity
        known = sorted({str(c) for c in self.routes["commodity"]} | {self.meta.commodity})
        if commodity not in known:
            msg = "commodity"
            raise UnknownError(msg, commodity, known)
        return commodity

    def check_route(self, route: str) -> str:
        """Return `route` if the package has it, else raise UnknownError."""
        if route not in self.routes.index:
            msg = "route"
            raise UnknownError(msg, route, self.routes.index)
        return route

    def check_node(self, node: str) -> str:
        """Return `node` if the package has it, else raise UnknownError."""
        if node not in self.nodes.index:
            msg = "node"
            raise UnknownError(msg, node, self.nodes.index)
        return node

    def __repr__(self) -> str:
        return (
            f"<Network {self.meta.name!r}: {len(self.nodes)} nodes, {len(self.routes)} routes, "
            f"{len(self.flows)} flows, {self.meta.first_year}–{self.meta.last_year}>"
        )

    def route_countries(self, route: str) -> tuple[str, ...]:
        """Return the countries a route touches: its two ends' and its transit countries."""
        r = self.routes.loc[route]
        ends = [self.nodes.at[r["from_node"], "country"], self.nodes.at[r["to_node"], "country"]]
        found = [c for c in ends if c] + list(r["transit"])
        return tuple(dict.fromkeys(found))

    def commodity_routes(self, commodity: str | None = None) -> list[str]:
        """Return the ids of the routes that carry a commodity (default the package's)."""
        commodity = commodity or self.meta.commodity
        return [str(r) for r in self.routes.index[self.routes["commodity"] == commodity]]

    def unit_of(self, commodity: str | None = None) -> str:
        """Return the canonical rate unit of a commodity (Mt/year unless the data says)."""
        commodity = commodity or self.meta.commodity
        c = self.commodities
        return str(c.at[commodity, "unit"]) if commodity in c.index else CANONICAL_RATE

    def years_with_flows(self, exporter: str, commodity: str | None = None) -> list[int]:
        """Return the years in which the exporter has at least one observed flow."""
        f = self.flows
        f = f[(f["exporter"] == exporter) & f["route"].isin(self.commodity_routes(commodity))]
        return sorted(int(y) for y in f["year"].unique())

    def origins(self, exporter: str) -> list[str]:
        """Return the exporter's origin nodes: in its country, fed by no route from inside it."""
        nodes, routes = self.nodes, self.routes
        home = set(nodes.index[nodes["country"] == exporter])
        fed = {r.to_node for r in routes.itertuples() if r.from_node in home}
        return sorted(home - fed)

    def corridors(self, exporter: str | None = None) -> pd.DataFrame:
        """Return every corridor: each path of routes from an origin to a node with no exit.

        Parameters
        ----------
        exporter : str, optional
            ISO3 code; default the package's exporter. Transit countries exclude it and the
            destination's country.

        Returns
        -------
        DataFrame
            One row per corridor: ``id`` (route ids joined by ``>``), ``name``, ``routes``,
            ``nodes``, ``transit``, ``chokepoints``, ``operators``.
        """
        exporter = exporter or self.meta.exporter
        rows = [self.describe_path(exporter, path) for path in self.corridor_routes(exporter)]
        columns = ["id", "name", "routes", "nodes", "transit", "chokepoints", "operators"]
        return pd.DataFrame(rows, columns=columns)

    def corridor_routes(
        self, exporter: str | None = None, *, start: str | None = None
    ) -> list[tuple[str, ...]]:
        """Return the route ids of every corridor, the walk `corridors` describes.

        A corridor runs from one of the exporter's origins to a node with no exit not yet on
        it. With `start` (a route id) the walk begins with that route instead: the corridors of
        an exporter that enters the network there.
        """
        tail = dict(zip(self.routes.index, self.routes["from_node"], strict=True))
        head = dict(zip(self.routes.index, self.routes["to_node"], strict=True))
        out: dict[str, list[str]] = {}
        for r in self.routes.index:
            out.setdefault(str(tail[r]), []).append(str(r))
        found: list[tuple[str, ...]] = []

        def walk(node: str, path: tuple[str, ...], seen: frozenset[str]) -> None:
            nexts = [r for r in out.get(node, []) if head[r] not in seen]
            if not nexts and path:
                found.append(path)
            for r in nexts:
                walk(str(head[r]), (*path, r), seen | {str(head[r])})

        if start is not None:
            walk(str(head[start]), (start,), frozenset({str(tail[start]), str(head[start])}))
        else:
            for origin in self.origins(exporter or self.meta.exporter):
                walk(origin, (), frozenset({origin}))
        return found

    def path_nodes(self, routes: tuple[str, ...]) -> tuple[str, ...]:
        """Return the nodes a chain of routes passes, in order."""
        first = str(self.routes.at[routes[0], "from_node"])
        return (first, *(str(self.routes.at[r, "to_node"]) for r in routes))

    def destination_country(self, exporter: str, node: str) -> str | None:
        """Return the country a path ending at `node` delivers to, or None when unknown.

        The rule is `corridor.schema.delivered_to`'s.
        """
        return delivered_to(
            str(self.nodes.at[node, "kind"]), str(self.nodes.at[node, "country"]), exporter
        )

    def describe_path(self, exporter: str, routes: tuple[str, ...]) -> dict[str, object]:
        """Return id, name, nodes, transit countries, chokepoints and operators of a path."""
        nodes = self.path_nodes(routes)
        countries: list[str] = []
        for r in routes:
            countries += self.route_countries(r)
        end_country = self.destination_country(exporter, nodes[-1])
        drop = {exporter, end_country or ""}
        transit = tuple(c for c in dict.fromkeys(countries) if c not in drop)
        chokepoints = tuple(
            dict.fromkeys(k for r in routes for k in self.routes.at[r, "chokepoints"])
        )
        operators = tuple(dict.fromkeys(o for r in routes if (o := self.routes.at[r, "operator"])))
        return {
            "id": ">".join(routes),
            "name": " → ".join(str(self.nodes.at[n, "name"]) for n in nodes),
            "routes": routes,
            "nodes": nodes,
            "transit": transit,
            "chokepoints": chokepoints,
            "operators": operators,
        }
