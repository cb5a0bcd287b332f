r"""Dependence metrics from observed flows: shares, HHI, exposure — each with its sources.

The observed flows of one exporter in one year are given per route (leg). `flow_paths`
decomposes them into paths (corridors) from the nodes where the commodity enters the observed
network to the nodes where it leaves it, so that a volume is counted once however many legs it
travels, and each volume knows every country and chokepoint it crosses.

Notes
-----
Decomposition (proportional mixing). For node :math:`v`, let :math:`I_v` and :math:`O_v` be the
observed inflow and outflow, :math:`T_v = \\max(I_v, O_v)` its throughput,
:math:`s_v = \\max(O_v - I_v, 0)` the volume entering at :math:`v` and
:math:`e_v = \\max(I_v - O_v, 0)` the volume ending there. A unit at :math:`v` leaves on route
:math:`r` with probability :math:`f_r / T_v` and ends at :math:`v` with probability
:math:`e_v / T_v`. A path :math:`v_0 \\to \\dots \\to v_k` carries

    (1)  x = s_{v_0} \\prod_{i<k} f_{r_i} / T_{v_i} \\cdot e_{v_k} / T_{v_k}

and the paths through route :math:`r` add up to :math:`f_r` (conservation; tested). Where a path
ends at a market, a refinery or a foreign border node, its destination is that node's country;
anywhere else, the onward route is not reported and the destination is unknown.

A share is a volume divided by the exporter's total exports for the year, from the ``supply``
table. Where the total is not reported, shares are of the routed volume and say so
(`Dependence.denominator_kind`). Where the package holds no total exports of the exporter in
any year (`reports_total_exports`: a few flows of a neighbour, such as Russian crude crossing
Kazakhstan in the Kazakhstan package), no share is printed: the shares are withheld (NaN, None
in JSON; `Dependence.shares_withheld`), since the package's flows of that exporter are not its
trade; volumes keep their intervals.

The headline figures follow the exporter (`focus`): the package's declared focus country and
route for its own exporter; for any other, the top transit country of its flows in the
package and its main route.

Where the package has observations of the exporter in the year (its flows and supply rows are
observations too), `dependence` reconciles them (`corridor.reconciliation.reconcile`): the
route flows are the best-fit ones, the total is the reconciled total, and every share comes as
an `Estimate` with the interval the observations allow (`Dependence.estimate`); the point value
of a share attributes the unattributed and unknown mass in proportion to the known, so an
unattributed volume is never counted as "not crossing". A scenario's flows (``flows=...``) keep
point figures. HHI is computed on the shares of the *export routes* (the first
leg of each path) in the routed volume, on the 0–10,000 scale.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd

from corridor.display import Displayable
from corridor.exceptions import InvalidArgumentError, NoFlowsError, UnknownError
from corridor.network import Network
from corridor.reconciliation import (
    FIGURE_KINDS,
    Estimate,
    Reconciliation,
    has_observations,
    parse_figure,
    reconcile,
)
from corridor.units import CANONICAL_RATE

UNIT = CANONICAL_RATE
UNKNOWN = "?"


@dataclass(repr=False)
class Dependence(Displayable):
    """Dependence figures of one exporter in one year; volumes in Mt/year, shares in [0, 1]."""

    exporter: str
    year: int
    commodity: str
    total_exports: float | None
    total_sources: tuple[str, ...]
    routed: float
    paths: pd.DataFrame
    by_route: pd.DataFrame
    by_corridor: pd.DataFrame
    by_transit_country: pd.DataFrame
    by_chokepoint: pd.DataFrame
    by_operator: pd.DataFrame
    by_destination: pd.DataFrame
    by_export_route: pd.DataFrame
    missing_routes: tuple[str, ...]
    focus_country: str | None = None
    focus_route: str | None = None
    unit: str = UNIT
    reconciliation: Reconciliation | None = None
    shares_withheld: bool = False

    def __repr__(self) -> str:
        of = (
            f"{self.routed:,.1f} of {self.total_exports:,.1f}"
            if self.total_exports is not None
            else f"{self.routed:,.1f} (total exports not reported)"
        )
        parts = [f"{of} {self.unit} routed"]
        if self.focus_country:
            parts.append(
                f"crossing {self.focus_country} {_pct(self.share_crossing(self.focus_country))}"
            )
        if self.focus_route:
            parts.append(f"via {self.focus_route} {_pct(self.share_via(self.focus_route))}")
        hhi = "n/a" if self.hhi != self.hhi else f"{self.hhi:,.0f}"
        head = f"<Dependence {self.exporter} {self.year} {self.commodity}: {parts[0]}"
        return "; ".join([head, ", ".join([*parts[1:], f"HHI {hhi}"])]) + ">"

    @property
    def denominator(self) -> float:
        """Volume shares are taken of: total exports, or the routed volume when not reported."""
        return self.total_exports if self.total_exports is not None else self.routed

    @property
    def denominator_kind(self) -> str:
        """``"total exports"``, ``"routed volume"`` (total not reported) or `WITHHELD`."""
        if self.shares_withheld:
            return WITHHELD
        return "total exports" if self.total_exports is not None else "routed volume"

    @property
    def unattributed(self) -> float | None:
        """Total exports not carried by any reported route (None when the total is unknown)."""
        return None if self.total_exports is None else max(self.total_exports - self.routed, 0.0)

    @property
    def hhi(self) -> float:
        """Herfindahl–Hirschman index of export-route shares of the routed volume (0–10,000).

        NaN where the shares are withheld: the package's few flows of the exporter say nothing
        of how its exports spread over routes.
        """
        if not self.routed or self.shares_withheld:
            return float("nan")
        return float(((100 * self.by_export_route["share_of_routed"]) ** 2).sum())

    @property
    def sources(self) -> tuple[str, ...]:
        """Every source id behind this year's figures."""
        ids = [s for row in self.paths["sources"] for s in row]
        return tuple(sorted(set(ids) | set(self.total_sources)))

    def to_dict(self) -> dict[str, Any]:
        """Return the year's figures as plain JSON-ready data (figures rounded to 6 places).

        Every share (``share_crossing``, ``share_via``, ``share_bypassing``, each entry of
        ``share_by_route``, ``share_by_transit_country``, ``share_by_chokepoint``,
        ``share_by_operator``, ``share_by_destination``) and ``total_exports`` is a figure
        ``{"value", "low", "high", "unit", "pinned"}`` (`figure_dict`; ``high`` None when
        unbounded).
        """

        def shares(df: pd.DataFrame) -> dict[str, dict[str, Any]]:
            return {str(k): _row_figure(row, "share") for k, row in df.iterrows()}

        def volume(x: float | None) -> dict[str, Any] | None:
            return None if x is None else {"value": round(x, 6), "unit": self.unit}

        def number(x: float, places: int = 6) -> float | None:
            return None if x != x else round(x, places)

        country, route = self.focus_country, self.focus_route
        total = (
            None
            if self.total_exports is None
            else {**figure_dict(self.estimate("total")), "sources": list(self.total_sources)}
        )
        return {
            "exporter": self.exporter,
            "year": self.year,
            "commodity": self.commodity,
            "reconciled": self.reconciliation is not None,
            "total_exports": total,
            "routed_volume": volume(self.routed) if len(self.paths) else None,
            "unattributed_volume": volume(self.unattributed),
            "share_denominator": self.denominator_kind,
            "shares_withheld": self.shares_withheld,
            "focus_country": country,
            "focus_route": route,
            "share_by_route": shares(self.by_route),
            "volume_by_route": {
                str(k): round(float(v), 6) for k, v in self.by_route["volume"].items()
            },
            "share_by_transit_country": shares(self.by_transit_country),
            "share_by_chokepoint": shares(self.by_chokepoint),
            "share_by_operator": shares(self.by_operator),
            "share_by_destination": shares(self.by_destination),
            "share_by_corridor": {
                str(k): round(float(v), 6) for k, v in self.by_corridor["share"].items()
            },
            "share_crossing": None
            if country is None
            else {"country": country, **figure_dict(self.estimate(f"share:crossing:{country}"))},
            "share_via": None
            if route is None
            else {"route": route, **figure_dict(self.estimate(f"share:via:{route}"))},
            "share_bypassing": None
            if country is None
            else {"country": country, **figure_dict(self.estimate(f"share:bypassing:{country}"))},
            "hhi": number(self.hhi, 3),
            "routes_without_figure": list(self.missing_routes),
            "sources": list(self.sources),
        }

    def estimate(self, figure: str) -> Estimate:
        """Return a figure of the year with its interval (figure strings of `reconciliation`).

        The reconciliation's estimate where there is one; otherwise a point: low = high = value,
        pinned.

        Examples
        --------
        >>> m = dependence(corridor.load_package(), exporter="KAZ", year=2023)
        >>> e = m.estimate("share:crossing:RUS")
        >>> e.unit, e.low <= e.value <= e.high
        ('share', True)
        """
        measure, kind, target = parse_figure(figure)
        if self.shares_withheld and measure == "share":
            return Estimate(float("nan"), float("nan"), float("nan"), "share", False)
        if self.reconciliation is not None:
            return self.reconciliation.estimate(figure, self.exporter)
        if kind == "all":
            v = self.denominator
            return Estimate(v, v, v, self.unit, True)
        if self.shares_withheld:
            v = self._point_volume(kind, target)
            return Estimate(v, v, v, self.unit, True)
        share = self._point_share(kind, target)
        if measure == "share":
            return Estimate(share, share, share, "share", True)
        v = share * self.denominator if share == share else float("nan")
        return Estimate(v, v, v, self.unit, True)

    def _point_volume(self, kind: str, target: str) -> float:
        tables = {
            "crossing": self.by_transit_country,
            "chokepoint": self.by_chokepoint,
            "operator": self.by_operator,
            "to": self.by_destination,
            "via": self.by_route,
            "route": self.by_route,
        }
        if kind == "bypassing":
            return self.routed - self._point_volume("crossing", target)
        if kind not in tables:
            msg = f"figure kind {kind!r}: no point figure of that kind without a reconciliation"
            raise InvalidArgumentError(msg)
        t = tables[kind]
        return float(t.at[target, "volume"]) if target in t.index else 0.0

    def _point_share(self, kind: str, target: str) -> float:
        tables = {
            "crossing": self.by_transit_country,
            "chokepoint": self.by_chokepoint,
            "operator": self.by_operator,
            "to": self.by_destination,
        }
        if kind == "bypassing":
            return self.share_bypassing(target)
        if kind in ("via", "route"):
            return self.share_via(target)
        if kind in tables:
            if not self.denominator:
                return float("nan")
            t = tables[kind]
            return float(t.at[target, "share"]) if target in t.index else 0.0
        msg = f"figure kind {kind!r}: no point figure of that kind without a reconciliation"
        raise InvalidArgumentError(msg)

    def share_crossing(self, country: str) -> float:
        """Share of exports whose path touches `country` (territory or ports) in transit.

        With a reconciliation: the estimate's value (unknown mass attributed in proportion).
        """
        if self.reconciliation is not None or self.shares_withheld:
            return self.estimate(f"share:crossing:{country}").value
        if not self.denominator:
            return float("nan")
        t = self.by_transit_country
        return float(t.at[country, "share"]) if country in t.index else 0.0

    def share_bypassing(self, country: str) -> float:
        """Share of exports on routes that do not touch `country`."""
        if self.reconciliation is not None or self.shares_withheld:
            return self.estimate(f"share:bypassing:{country}").value
        if not self.denominator:
            return float("nan")
        return (self.routed / self.denominator) - self.share_crossing(country)

    def share_via(self, route: str) -> float:
        """Share of exports carried at some point by `route`."""
        if not self.denominator or self.shares_withheld:
            return float("nan")
        r = self.by_route
        return float(r.at[route, "share"]) if route in r.index else 0.0


#: `Dependence.denominator_kind` where the package holds no total exports of the exporter.
WITHHELD = "shares withheld: no total exports in the package"


def reports_total_exports(n: Network, exporter: str, commodity: str | None = None) -> bool:
    """Return whether the package holds the exporter's total exports in any year.

    A ``supply`` row of quantity ``exports`` or an observation of measure ``exports`` over
    scope ``all``. Without one, a share of the exporter's exports has no denominator the data
    support: `dependence` withholds its shares.
    """
    commodity = commodity or n.meta.commodity
    s = n.supply
    mine = (s["exporter"] == exporter) & (s["commodity"] == commodity)
    if bool((mine & (s["quantity"] == "exports")).any()):
        return True
    o = n.observations
    total = (o["measure"] == "exports") & (o["scope"] == "all")
    return bool((total & (o["exporter"] == exporter) & o["commodity"].isin([commodity, ""])).any())


def focus(n: Network, exporter: str, commodity: str | None = None) -> tuple[str | None, str | None]:
    """Return the transit country and route the exporter's headline figures are about.

    The package's declared focus (``corridor.focus``) for its own exporter and commodity;
    for any other exporter, derived from its flows in the package over every year: the
    country its paths cross with the most volume (never the exporter itself) and the route
    carrying the most. None where the data name none.

    Examples
    --------
    >>> n = corridor.load_package()
    >>> focus(n, "KAZ"), focus(n, "RUS")
    (('RUS', 'cpc'), ('KAZ', 'kcp'))
    """
    commodity = commodity or n.meta.commodity
    own = exporter == n.meta.exporter and commodity == n.meta.commodity
    country = n.meta.focus_country if own and n.meta.focus_country != exporter else None
    route = n.meta.focus_route if own else None
    if own and (country or route):
        return country, route
    by_country: dict[str, float] = defaultdict(float)
    by_route: dict[str, float] = defaultdict(float)
    for year in n.years_with_flows(exporter, commodity):
        for p in flow_paths(n, exporter, year, commodity).itertuples():
            for c in dict.fromkeys(p.transit):
                if c != exporter:
                    by_country[str(c)] += float(p.volume)
            for r in dict.fromkeys(p.routes):
                by_route[str(r)] += float(p.volume)

    def top(volumes: dict[str, float]) -> str | None:
        ranked = sorted(volumes.items(), key=lambda kv: (-kv[1], kv[0]))
        return ranked[0][0] if ranked and ranked[0][1] > 0 else None

    return top(by_country), top(by_route)


def _pct(x: float) -> str:
    return "n/a" if x != x else f"{100 * x:.1f} %"


def _number(x: float) -> float | None:
    return round(float(x), 6) if math.isfinite(x) else None


def figure_dict(e: Estimate) -> dict[str, Any]:
    """Return an estimate as JSON-ready ``{"value", "low", "high", "unit", "pinned"}``.

    A non-finite end (an unbounded ``high``) or value is None.
    """
    return {
        "value": _number(e.value),
        "low": _number(e.low),
        "high": _number(e.high),
        "unit": e.unit,
        "pinned": bool(e.pinned),
    }


def _row_figure(row: pd.Series, unit: str) -> dict[str, Any]:
    value = float(row["share"])
    low = float(row.get("low", value))
    high = float(row.get("high", value))
    pinned = bool(row.get("pinned", True))
    return figure_dict(Estimate(value, low, high, unit, pinned))


FLOW_COLUMNS = ["route", "volume", "source", "confidence", "basis"]


def year_flows(
    n: Network,
    exporter: str,
    year: int,
    commodity: str | None = None,
    flows: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Return an exporter's flows of a commodity in a year, one row per route.

    Parameters
    ----------
    flows : DataFrame, optional
        A flow table in the shape of ``n.flows`` (at least ``route`` and ``volume``; rows of
        other exporters or years, where it has those columns, are left out). Default: the
        network's observed flows.
    """
    f = n.flows if flows is None else flows
    if "exporter" in f.columns:
        f = f[f["exporter"] == exporter]
    if "year" in f.columns:
        f = f[f["year"] == year]
    f = f[f["route"].isin(n.commodity_routes(commodity))]
    return f.assign(**{c: "" for c in FLOW_COLUMNS if c not in f.columns})


#: The most paths one exporter-year's flows may split into (`flow_paths`); more is an error.
MAX_PATHS = 10_000


def flow_paths(
    n: Network,
    exporter: str,
    year: int,
    commodity: str | None = None,
    flows: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Decompose an exporter's route flows in a year into paths (equation 1).

    The flows are the network's observed ones unless `flows` gives others (see `year_flows`).

    Returns
    -------
    DataFrame
        One row per path: ``routes``, ``nodes``, ``origin``, ``end``, ``destination`` (country,
        or ``"?"`` when the onward route is not reported), ``volume`` [Mt/year], ``transit``,
        ``chokepoints``, ``operators``, ``sources``, ``name``, ``id``.

    Examples
    --------
    >>> n = corridor.load_package()
    >>> p = flow_paths(n, "KAZ", 2025)
    >>> round(float(p["volume"].sum()), 1)   # routed volume: every leg counted once
    78.3
    """
    f = year_flows(n, exporter, year, commodity, flows)
    volume = dict(zip(f["route"], f["volume"], strict=True))
    sources = dict(zip(f["route"], f["source"], strict=True))
    inflow: dict[str, float] = defaultdict(float)
    outflow: dict[str, float] = defaultdict(float)
    leaving: dict[str, list[str]] = defaultdict(list)
    for r, v in volume.items():
        a, b = n.routes.at[r, "from_node"], n.routes.at[r, "to_node"]
        outflow[a] += v
        inflow[b] += v
        if v > 0:
            leaving[a].append(r)
    nodes = set(inflow) | set(outflow)
    through = {v: max(inflow[v], outflow[v]) for v in nodes}
    rows: list[dict[str, Any]] = []

    # depth first from each origin, iteratively (a chain of any length), never round a cycle: a
    # cycle carries oil round, not out, so its share is not a path
    Step = tuple[str, tuple[str, ...], frozenset[str], float]
    no_path: tuple[str, ...] = ()
    todo: list[Step] = [
        (v, no_path, frozenset({v}), max(outflow[v] - inflow[v], 0.0)) for v in sorted(nodes)
    ][::-1]
    while todo:
        node, path, seen, amount = todo.pop()
        if amount <= 0:
            continue
        ends_here = max(inflow[node] - outflow[node], 0.0)
        if path and ends_here > 0:
            if len(rows) >= MAX_PATHS:
                msg = (
                    f"the flows of {exporter} in {year} split into more than {MAX_PATHS:,} paths; "
                    "a package's routes should join into far fewer"
                )
                raise InvalidArgumentError(msg)
            rows.append(_path_row(n, exporter, path, amount * ends_here / through[node], sources))
        onward = []
        for r in leaving[node]:
            head = str(n.routes.at[r, "to_node"])
            if head not in seen:
                onward.append((head, (*path, r), seen | {head}, amount * volume[r] / through[node]))
        todo.extend(reversed(onward))
    columns = [
        "id",
        "name",
        "routes",
        "nodes",
        "origin",
        "end",
        "destination",
        "volume",
        "transit",
        "chokepoints",
        "operators",
        "sources",
    ]
    return pd.DataFrame(rows, columns=columns)


def _path_row(
    n: Network, exporter: str, path: tuple[str, ...], amount: float, sources: dict[str, str]
) -> dict[str, Any]:
    row = n.describe_path(exporter, path)
    nodes = row["nodes"]
    assert isinstance(nodes, tuple)
    dest = n.destination_country(exporter, nodes[-1])
    row.update(
        origin=nodes[0],
        end=nodes[-1],
        destination=UNKNOWN if dest is None else dest or nodes[-1],
        volume=amount,
        sources=tuple(sorted({sources[r] for r in path} - {""})),
    )
    return row


def dependence(
    n: Network,
    *,
    exporter: str,
    year: int,
    commodity: str | None = None,
    flows: pd.DataFrame | None = None,
    total_exports: float | None = None,
) -> Dependence:
    """Compute every dependence figure of an exporter in a year, from a table of flows.

    Parameters
    ----------
    n : Network
    exporter : str
        ISO3 code of an exporter with figures in the package.
    year : int
        One of the package's years.
    commodity : str, optional
        Default the package's commodity.
    flows : DataFrame, optional
        The flows to read (see `year_flows`), e.g. a scenario's: point figures. Default: where
        the package has observations of the exporter in the year, the reconciled flows (figures
        with intervals, `Dependence.estimate`); else the observed flows.
    total_exports : float, optional
        Total exports to take shares of, in place of the reported total (a scenario's exports).

    Raises
    ------
    UnknownError
        For an exporter, year or commodity the package does not know.

    Examples
    --------
    >>> n = corridor.load_package()
    >>> m = dependence(n, exporter="KAZ", year=2023)
    >>> e = m.estimate("share:crossing:RUS")
    >>> e.low <= m.share_crossing("RUS") <= e.high
    True
    >>> m = dependence(n, exporter="KAZ", year=2025, flows=n.flows)   # the reported flows
    >>> round(m.share_via("cpc"), 3), round(m.share_crossing("RUS"), 3)
    (0.823, 0.963)
    """
    n.check_exporter(exporter)
    n.check_year(year)
    commodity = n.check_commodity(commodity)
    rec = None
    if flows is None and has_observations(n, exporter, year, commodity):
        rec = reconcile(n, year=year, commodity=commodity)
        try:
            reconciled = rec.route_flows(exporter)
        except NoFlowsError:
            rec = None
        else:
            flows = _with_sources(n, exporter, year, reconciled[reconciled["volume"] > VOLUME_EPS])
    f = year_flows(n, exporter, year, commodity, flows)
    paths = flow_paths(n, exporter, year, commodity, f)
    s = n.supply[n.supply["commodity"] == commodity]
    total_rows = s[(s["exporter"] == exporter) & (s["year"] == year) & (s["quantity"] == "exports")]
    total = float(total_rows["volume"].iloc[0]) if len(total_rows) else None
    if total is not None and total_exports is not None:
        total = total_exports
    withheld = total_exports is None and not reports_total_exports(n, exporter, commodity)
    if rec is not None and not withheld:
        total = rec.estimate("total", exporter).value
    total_sources = tuple(total_rows["source"])
    routed = float(paths["volume"].sum())
    denominator = total if total is not None else routed
    by_corridor = paths.set_index("id")[["name", "volume", "transit", "chokepoints"]].copy()
    by_corridor["destination"] = paths["destination"].to_numpy()
    by_corridor["share"] = by_corridor["volume"] / denominator if denominator else 0.0
    by_corridor["sources"] = [tuple(sorted({*s, *total_sources})) for s in paths["sources"]]
    paths_dest = paths.assign(dest_key=[(d,) for d in paths["destination"]])
    by_destination = _group(paths_dest, "dest_key", "destination", denominator, total_sources)
    first = paths.assign(first_leg=[(r[0],) for r in paths["routes"]])
    by_export_route = _group(first, "first_leg", "route", denominator, total_sources)
    by_export_route["share_of_routed"] = by_export_route["volume"] / routed if routed else 0.0
    observed = n.flows[(n.flows["exporter"] == exporter) & (n.flows["year"] != year)]
    seen_routes = (set(observed["route"]) | set(f["route"])) & set(n.commodity_routes(commodity))
    focus_country, focus_route = focus(n, exporter, commodity)
    m = Dependence(
        exporter=exporter,
        year=year,
        commodity=commodity,
        total_exports=total,
        total_sources=total_sources,
        routed=routed,
        paths=paths,
        by_route=_by_route(n, exporter, f, denominator, total_sources),
        by_corridor=by_corridor.sort_values("volume", ascending=False),
        by_transit_country=_group(paths, "transit", "country", denominator, total_sources),
        by_chokepoint=_group(
            paths, "chokepoints", "chokepoint", denominator, total_sources, open_is_unknown=True
        ),
        by_operator=_group(paths, "operators", "operator", denominator, total_sources),
        by_destination=by_destination,
        by_export_route=by_export_route,
        missing_routes=tuple(sorted(seen_routes - set(f["route"]))),
        focus_country=focus_country,
        focus_route=focus_route,
        unit=n.unit_of(commodity),
        reconciliation=rec,
        shares_withheld=withheld,
    )
    if withheld:
        for table in _share_tables(m):
            table["share"] = float("nan")
        m.by_corridor["share"] = float("nan")
    if rec is not None and not withheld:
        for table, kind in (
            (m.by_route, "via"),
            (m.by_transit_country, "crossing"),
            (m.by_chokepoint, "chokepoint"),
            (m.by_operator, "operator"),
            (m.by_destination, "to"),
        ):
            _with_intervals(m, table, kind)
    if rec is not None:
        _with_volume_intervals(m)
    return m


def _share_tables(m: Dependence) -> list[pd.DataFrame]:
    return [
        m.by_route,
        m.by_transit_country,
        m.by_chokepoint,
        m.by_operator,
        m.by_destination,
        m.by_export_route,
    ]


#: Friendly names of figures (`canonical_figure`).
FIGURE_ALIASES = {"total_exports": "total", "exports": "total"}


def canonical_figure(figure: str) -> str:
    """Return a figure string in the reconciliation's form.

    ``KIND:TARGET`` alone is a share; ``total_exports`` is ``total``.

    Examples
    --------
    >>> canonical_figure("crossing:RUS"), canonical_figure("volume:via:cpc")
    ('share:crossing:RUS', 'volume:via:cpc')
    """
    figure = figure.strip()
    if figure in FIGURE_ALIASES:
        return FIGURE_ALIASES[figure]
    head = figure.partition(":")[0]
    if head in FIGURE_KINDS:
        return f"share:{figure}"
    parse_figure(figure)  # raises InvalidArgumentError for a malformed figure
    return figure


def key_figures(m: Dependence) -> list[str]:
    """Return the figure strings of a year's key figures: crossing, via, bypassing, total.

    Where the shares are withheld (`Dependence.shares_withheld`), the volumes crossing the
    focus country and via the focus route instead: no share, and no "bypassing" volume, which
    would read as the exporter's trade outside the package.
    """
    country, route = m.focus_country, m.focus_route
    if m.shares_withheld:
        out = [f"volume:crossing:{country}"] if country else []
        return out + ([f"volume:via:{route}"] if route else [])
    out = [f"share:crossing:{country}"] if country else []
    out += [f"share:via:{route}"] if route else []
    out += [f"share:bypassing:{country}"] if country else []
    return [*out, "total"] if m.total_exports is not None else out


#: Reconciled route volumes at or below this [Mt/year] are left out of the year's flows.
VOLUME_EPS = 1e-9


def _year_observations(n: Network, exporter: str, year: int) -> pd.DataFrame:
    o = n.observations
    first, after = date(year, 1, 1), date(year + 1, 1, 1)
    mask = (o["exporter"].isin([exporter, ""])) & (o["start"] < after) & (o["end"] > first)
    return o[mask]


def _with_sources(n: Network, exporter: str, year: int, flows: pd.DataFrame) -> pd.DataFrame:
    """Give each reconciled route the source of an observation of it in the year ("" if none)."""
    o = _year_observations(n, exporter, year)
    by_route = {str(r): str(src) for r, src in zip(o["scope"], o["source"], strict=True)}
    return flows.assign(source=[by_route.get(str(r), "") for r in flows["route"]])


def _estimates(m: Dependence, points: pd.Series, figure: str, unit: str) -> list[Estimate]:
    """Return each row's estimate of `figure` (``{}`` is the row key); a point where none."""
    out = []
    for key, point in points.items():
        try:
            out.append(m.estimate(figure.format(key)))
        except (UnknownError, InvalidArgumentError):  # "?" or a node, not a country
            out.append(Estimate(float(point), float(point), float(point), unit, True))
    return out


def _with_intervals(m: Dependence, table: pd.DataFrame, kind: str) -> None:
    """Set a table's ``share`` to each row's estimate and add ``low``, ``high``, ``pinned``."""
    found = _estimates(m, table["share"], f"share:{kind}:{{}}", "share")
    table["share"] = [e.value for e in found]
    table["low"] = [e.low for e in found]
    table["high"] = [e.high for e in found]
    table["pinned"] = [e.pinned for e in found]


def _with_volume_intervals(m: Dependence) -> None:
    """Add each route's volume interval to ``by_route``: ``volume_low/high/pinned``."""
    found = _estimates(m, m.by_route["volume"], "volume:route:{}", m.unit)
    m.by_route["volume_low"] = [e.low for e in found]
    m.by_route["volume_high"] = [e.high for e in found]
    m.by_route["volume_pinned"] = [e.pinned for e in found]


def _by_route(
    n: Network, exporter: str, f: pd.DataFrame, denominator: float, total_sources: tuple[str, ...]
) -> pd.DataFrame:
    routes = n.routes
    return pd.DataFrame(
        {
            "name": [routes.at[r, "name"] for r in f["route"]],
            "volume": f["volume"].to_numpy(),
            "share": f["volume"].to_numpy() / denominator if denominator else 0.0,
            "mode": [routes.at[r, "mode"] for r in f["route"]],
            "operator": [routes.at[r, "operator"] for r in f["route"]],
            "transit": [
                tuple(c for c in n.route_countries(r) if c != exporter) for r in f["route"]
            ],
            "chokepoints": [routes.at[r, "chokepoints"] for r in f["route"]],
            "confidence": f["confidence"].to_numpy(),
            "basis": f["basis"].to_numpy(),
            "sources": [tuple(sorted({src, *total_sources} - {""})) for src in f["source"]],
        },
        index=pd.Index(f["route"].to_numpy(), name="route"),
    ).sort_values("volume", ascending=False)


def compute(
    n: Network, exporter: str | None = None, year: int | None = None, commodity: str | None = None
) -> Dependence:
    """Compute every dependence figure of an exporter in a year (old name of `dependence`).

    `exporter` defaults to the package's, `year` to `latest_year`. Kept for one release.

    Examples
    --------
    >>> n = corridor.load_package()
    >>> m = compute(n, "KAZ", 2025)
    >>> m.reconciliation is not None   # the year's observations are reconciled
    True
    >>> m = dependence(n, exporter="KAZ", year=2025, flows=n.flows)   # the reported flows
    >>> round(m.share_via("cpc"), 3), round(m.share_crossing("RUS"), 3)
    (0.823, 0.963)
    """
    exporter = exporter or n.meta.exporter
    year = latest_year(n, exporter, commodity) if year is None else year
    return dependence(n, exporter=exporter, year=year, commodity=commodity)


#: Old name of `Dependence`, kept for one release.
YearMetrics = Dependence


def _group(
    paths: pd.DataFrame,
    column: str,
    key: str,
    denominator: float,
    total_sources: tuple[str, ...],
    open_is_unknown: bool = False,
) -> pd.DataFrame:
    """Sum path volumes by each value of a tuple column (a path counts once per value)."""
    vol: dict[str, float] = defaultdict(float)
    src: dict[str, set[str]] = defaultdict(set)
    for p in paths.itertuples():
        keys: tuple[str, ...] = getattr(p, column)
        if open_is_unknown and p.destination == UNKNOWN:
            keys = (*keys, UNKNOWN)
        for k in dict.fromkeys(keys):
            vol[k] += p.volume
            src[k] |= set(p.sources)
    out = pd.DataFrame(
        {
            "volume": list(vol.values()),
            "share": [v / denominator if denominator else 0.0 for v in vol.values()],
            "sources": [tuple(sorted(src[k] | set(total_sources))) for k in vol],
        },
        index=pd.Index(list(vol), name=key, dtype=object),
    )
    return out.sort_values("volume", ascending=False)


def latest_year(n: Network, exporter: str | None = None, commodity: str | None = None) -> int:
    """Return the latest complete year: flows and total exports both reported.

    Falls back to the latest year with any flow, then to the package's last year.
    """
    exporter = exporter or n.meta.exporter
    commodity = commodity or n.meta.commodity
    with_flows = n.years_with_flows(exporter, commodity)
    s = n.supply[n.supply["commodity"] == commodity]
    totals = set(s.loc[(s["exporter"] == exporter) & (s["quantity"] == "exports"), "year"])
    complete = [y for y in with_flows if y in totals]
    if complete:
        return max(complete)
    return max(with_flows) if with_flows else n.meta.last_year


def summary(n: Network, exporter: str | None = None, commodity: str | None = None) -> pd.DataFrame:
    """Return the year-by-year summary for every declared year; gaps stay NaN.

    Columns: ``production``, ``total_exports``, ``routed``, ``unattributed`` [Mt/year];
    ``share_crossing``, ``share_via``, ``share_bypassing`` (of the package's focus country and
    route); each of those four with ``_low`` and ``_high`` (its interval; equal to the value
    where the year is not reconciled); ``hhi``; (``routed``, ``unattributed`` and ``hhi`` are
    NaN where the evidence leaves the total looser than `LOOSE_TOTAL`: only a best fit would
    give them); ``denominator``; ``missing_routes`` (routes with
    a figure in other years but not this one); ``sources``.
    """
    exporter = exporter or n.meta.exporter
    commodity = commodity or n.meta.commodity
    s = n.supply[(n.supply["exporter"] == exporter) & (n.supply["commodity"] == commodity)]
    with_flows = set(n.years_with_flows(exporter, commodity))
    rows = []
    for year in n.meta.years:
        prod = s[(s["year"] == year) & (s["quantity"] == "production")]["volume"]
        tot = s[(s["year"] == year) & (s["quantity"] == "exports")]
        row: dict[str, Any] = {
            "year": year,
            "production": float(prod.iloc[0]) if len(prod) else float("nan"),
            "total_exports": float(tot["volume"].iloc[0]) if len(tot) else float("nan"),
        }
        if year in with_flows or has_observations(n, exporter, year, commodity):
            row.update(
                _summary_row(dependence(n, exporter=exporter, year=year, commodity=commodity))
            )
        else:
            row.update(
                sources=tuple(sorted(set(tot["source"]) | set(s[s["year"] == year]["source"])))
            )
        rows.append(row)
    figures = ["total_exports", "share_crossing", "share_via", "share_bypassing"]
    columns = [
        "production",
        *(f"{c}{end}" for c in figures[:1] for end in ("", "_low", "_high")),
        "routed",
        "unattributed",
        *(f"{c}{end}" for c in figures[1:] for end in ("", "_low", "_high")),
        "hhi",
        "denominator",
        "missing_routes",
        "sources",
    ]
    return pd.DataFrame(rows).set_index("year").reindex(columns=columns)


#: Where the evidence leaves a year's total exports wider than this (relative), the point
#: figures that only the best fit gives (routed, unattributed, HHI) are withheld, not printed.
LOOSE_TOTAL = 0.10


def _loose(m: Dependence) -> bool:
    """Return True when the year's total exports are not known within `LOOSE_TOTAL`."""
    if m.reconciliation is None:
        return False
    total = m.estimate("total")
    return not math.isfinite(total.high) or total.high - total.low > LOOSE_TOTAL * total.high


def _summary_row(m: Dependence) -> dict[str, Any]:
    country, route = m.focus_country, m.focus_route
    nan = float("nan")
    loose = _loose(m)
    row: dict[str, Any] = {
        "routed": nan if loose else m.routed,
        "unattributed": nan if loose or m.unattributed is None else m.unattributed,
        "hhi": nan if loose else m.hhi,
        "denominator": m.denominator_kind,
        "missing_routes": m.missing_routes,
        "sources": m.sources,
    }
    figures = {
        "total_exports": "total" if m.total_exports is not None else None,
        "share_crossing": f"share:crossing:{country}" if country else None,
        "share_via": f"share:via:{route}" if route else None,
        "share_bypassing": f"share:bypassing:{country}" if country else None,
    }
    for column, figure in figures.items():
        e = m.estimate(figure) if figure else Estimate(nan, nan, nan, "", False)
        if column != "total_exports" or figure:
            row[column] = e.value
        row[f"{column}_low"], row[f"{column}_high"] = e.low, e.high
    return row
