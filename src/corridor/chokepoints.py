"""Which chokepoints each exporter's oil passes, and what share of their traffic it is.

A chokepoint's *throughput* is all shippers' traffic through it: an observation of measure
``throughput`` with the scope ``chokepoint:ID`` and no exporter (the built-in ``chokepoints``
package holds the EIA's table, in million barrels a day). An exporter's volume through it is the
sum of its flows in the year on the routes that cross it (the routes' ``chokepoints`` column),
in Mt/year as the package holds them, and in Mbbl/day at the barrels per tonne of the
exporter's grade. Its *share* is that volume over the throughput.

Rules, so that nothing is invented:

- the throughput is the observation of the year asked for, else of the latest earlier year;
  the year used is given, and ``flagged`` says when it is not the year asked for, or when the
  observation covers only part of its year (the EIA's partial-year 2024 figures);
- no throughput observation at or before the year: the throughput and every share are None;
- an exporter's grade is the one its own rows (flows, supply, observations) name most, else the
  grade the package prices its crude in, else the package's only grade; with none, its barrels
  a day and its share are None;
- exporters with flows in the year whose routes cross no chokepoint are listed as such.

A path that crosses one chokepoint on two of its legs would count twice; no route of the
built-in packages does.

Examples
--------
>>> from corridor.package import load_package
>>> from corridor.package.merge import merge_networks
>>> n = merge_networks([load_package("kazakhstan"), load_package("chokepoints")])
>>> t = chokepoint_traffic(n, year=2023)
>>> row = t.row("turkish-straits")
>>> row.throughput.value, row.throughput.year
(3.4, 2023)
>>> [e.exporter for e in row.exporters]
['KAZ']
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from corridor import units
from corridor.evidence import PLACE_SCOPES
from corridor.exceptions import NoFlowsError, UnknownError
from corridor.metrics import dependence
from corridor.network import Network

#: The unit every throughput and exporter volume in barrels is given in.
BARREL_RATE = "Mbbl/day"
#: The scope kind of a chokepoint's throughput (``chokepoint:ID``).
KIND = "chokepoint"
assert KIND in PLACE_SCOPES


@dataclass(frozen=True)
class Throughput:
    """All shippers' traffic through a chokepoint, as the observation used gives it."""

    value: float  # Mbbl/day
    year: int  # the year the observation starts in
    observation: str
    source: str
    partial: bool  # the observation covers only part of its year
    flagged: bool  # not the year asked for, or a partial year
    period: str  # "2023" or "2024-01..2024-08"

    def to_dict(self) -> dict[str, Any]:
        """Return the throughput as JSON-ready data."""
        return {
            "value_mbbl_per_day": round(self.value, 6),
            "year": self.year,
            "period": self.period,
            "partial_year": self.partial,
            "flagged": self.flagged,
            "observation": self.observation,
            "source": self.source,
        }


@dataclass(frozen=True)
class ExporterShare:
    """One exporter's oil through one chokepoint in a year."""

    exporter: str
    routes: tuple[str, ...]
    volume_mt: float  # Mt/year, the flows as the package holds them
    grade: str | None
    barrels_per_tonne: float | None
    volume_mbd: float | None  # Mbbl/day; None without a grade
    share: float | None  # of the chokepoint's throughput; None when either is unknown

    def to_dict(self) -> dict[str, Any]:
        """Return the exporter's figures as JSON-ready data."""
        return {
            "exporter": self.exporter,
            "routes": list(self.routes),
            "volume_mt_per_year": round(self.volume_mt, 6),
            "grade": self.grade,
            "barrels_per_tonne": self.barrels_per_tonne,
            "volume_mbbl_per_day": _r(self.volume_mbd),
            "share": _r(self.share),
        }


@dataclass(frozen=True)
class ChokepointRow:
    """One chokepoint: its throughput and the exporters whose oil crosses it."""

    id: str
    name: str
    throughput: Throughput | None
    exporters: list[ExporterShare] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """Return the chokepoint's figures as JSON-ready data."""
        t = self.throughput
        return {
            "id": self.id,
            "name": self.name,
            "throughput": None if t is None else t.to_dict(),
            "exporters": [e.to_dict() for e in self.exporters],
        }


@dataclass(frozen=True)
class ChokepointTraffic:
    """Every chokepoint of a network in a year, and the exporters that pass none."""

    package: str
    year: int
    rows: list[ChokepointRow] = field(default_factory=list)
    no_chokepoint: list[str] = field(default_factory=list)

    def row(self, chokepoint: str) -> ChokepointRow:
        """Return the row of one chokepoint; KeyError when the network has none of that id."""
        for r in self.rows:
            if r.id == chokepoint:
                return r
        raise KeyError(chokepoint)

    def to_dict(self) -> dict[str, Any]:
        """Return the table as JSON-ready data."""
        return {
            "package": self.package,
            "year": self.year,
            "unit": BARREL_RATE,
            "chokepoints": [r.to_dict() for r in self.rows],
            "exporters_passing_no_chokepoint": list(self.no_chokepoint),
        }


def _r(x: float | None) -> float | None:
    return None if x is None else round(x, 6)


def _period(start: pd.Timestamp, end: pd.Timestamp) -> tuple[str, bool]:
    """Return a period's label and whether it covers less than its first calendar year."""
    first, after = pd.Timestamp(start), pd.Timestamp(end)
    whole = first.month == 1 and first.day == 1 and after == pd.Timestamp(first.year + 1, 1, 1)
    if whole:
        return str(first.year), False
    last = after - pd.Timedelta(days=1)
    return f"{first:%Y-%m}..{last:%Y-%m}", after - first < pd.Timedelta(days=365)


def throughputs(n: Network, chokepoint: str) -> pd.DataFrame:
    """Return the throughput observations of a chokepoint (all shippers, in barrels a day)."""
    o = n.observations
    mask = (
        (o["measure"] == "throughput")
        & (o["scope"] == f"{KIND}:{chokepoint}")
        & (o["exporter"].fillna("") == "")
        & o["value"].notna()
    )
    rows = o[mask]
    return rows[[units.is_volume_rate(str(u)) for u in rows["unit"]]]


def throughput(n: Network, chokepoint: str, year: int) -> Throughput | None:
    """Return the throughput of a chokepoint in `year`, else of the latest earlier year.

    Of the observations starting in that year, a whole year wins, then the longest period.
    None when the network holds no throughput of the chokepoint at or before `year`.
    """
    rows = throughputs(n, chokepoint)
    best: tuple[tuple[int, bool, float], Throughput] | None = None
    for oid, row in rows.iterrows():
        start, end = pd.Timestamp(row["start"]), pd.Timestamp(row["end"])
        if start.year > year:
            continue
        label, partial = _period(start, end)
        t = Throughput(
            value=units.convert(float(row["value"]), str(row["unit"]), BARREL_RATE),
            year=start.year,
            observation=str(oid),
            source=str(row["source"]),
            partial=partial,
            flagged=partial or start.year != year,
            period=label,
        )
        rank = (start.year, not partial, float((end - start).days))
        if best is None or rank > best[0]:
            best = (rank, t)
    return None if best is None else best[1]


def exporter_grade(n: Network, exporter: str) -> str | None:
    """Return the grade whose barrels per tonne convert an exporter's tonnes to barrels.

    The grade its own flows, supply and observations name most; else the grade the package
    prices its crude in; else the package's only grade; else None.
    """
    known = set(n.grades.index)
    used: Counter[str] = Counter()
    for table in (n.flows, n.supply, n.observations):
        if "grade" in table.columns:
            mine = table[table["exporter"] == exporter]
            used.update(str(g) for g in mine["grade"] if g and str(g) in known)
    if used:
        return used.most_common(1)[0][0]
    priced = [str(g) for g in n.prices.get("grade", pd.Series(dtype=str)) if g and g in known]
    if priced:
        return priced[0]
    return str(next(iter(known))) if len(known) == 1 else None


def _volumes(n: Network, year: int, commodity: str) -> pd.DataFrame:
    """Return the year's route flows of each exporter (exporter, route, volume in Mt/year).

    The flows `corridor.metrics.dependence` uses: the reconciled best fit where the package
    holds observations of the exporter in the year (an exporter known only from observations
    has no rows in the flows table), else the flows table's.
    """
    rows = []
    for e in n.exporters():
        try:
            m = dependence(n, exporter=e, year=year, commodity=commodity)
        except (NoFlowsError, UnknownError):
            continue
        for route, volume in m.by_route["volume"].items():
            rows.append({"exporter": e, "route": str(route), "volume": float(volume)})
    return pd.DataFrame(rows, columns=["exporter", "route", "volume"])


def default_year(n: Network, commodity: str | None = None) -> int:
    """Return the latest year with flows of the commodity, else the latest throughput's year.

    A package of chokepoints alone (no flows) shows its latest throughputs; with neither, the
    package's last declared year.
    """
    commodity = commodity or n.meta.commodity
    routes = set(n.routes.index[n.routes["commodity"] == commodity])
    years = [int(y) for y, r in zip(n.flows["year"], n.flows["route"], strict=True) if r in routes]
    if years:
        return max(years)
    o = n.observations
    through = o[(o["measure"] == "throughput") & o["scope"].str.startswith(f"{KIND}:")]
    starts = [pd.Timestamp(s).year for s in through["start"]]
    return max(starts) if starts else n.meta.last_year


def _share(
    n: Network, exporter: str, flows: pd.DataFrame, through: Throughput | None
) -> ExporterShare:
    volume = float(flows["volume"].sum())
    grade = exporter_grade(n, exporter)
    bpt = None if grade is None else float(n.grades.at[grade, "barrels_per_tonne"])
    mbd = None
    if bpt is not None and n.unit_of(n.meta.commodity) == units.CANONICAL_RATE:
        mbd = units.convert(volume * bpt, "Mbbl/year", BARREL_RATE)
    share = None
    if mbd is not None and through is not None and through.value > 0 and math.isfinite(mbd):
        share = mbd / through.value
    return ExporterShare(
        exporter=exporter,
        routes=tuple(sorted(str(r) for r in flows["route"].unique())),
        volume_mt=volume,
        grade=grade,
        barrels_per_tonne=bpt,
        volume_mbd=mbd,
        share=share,
    )


def chokepoint_traffic(
    n: Network, *, year: int | None = None, commodity: str | None = None
) -> ChokepointTraffic:
    """Return every chokepoint's throughput and each exporter's share of it (module docstring).

    Parameters
    ----------
    n : Network
        Usually merged: exporters' packages with the ``chokepoints`` package.
    year : int, optional
        Default: `default_year` (the latest year with flows of the commodity).
    commodity : str, optional
        Default: the package's commodity (crude oil).

    Returns
    -------
    ChokepointTraffic
        One row per chokepoint of the network (in its table's order), its exporters by volume,
        largest first; and the exporters with flows in the year that pass no chokepoint.
    """
    commodity = commodity or n.meta.commodity
    year = default_year(n, commodity) if year is None else year
    flows = _volumes(n, year, commodity)
    crossing = n.routes["chokepoints"]
    rows = []
    passing: set[str] = set()
    for cid, cp in n.chokepoints.iterrows():
        through = throughput(n, str(cid), year)
        on = {str(r) for r, cps in crossing.items() if str(cid) in tuple(cps or ())}
        mine = flows[flows["route"].isin(on) & (flows["volume"] > 0)]
        shares = [_share(n, str(e), f, through) for e, f in mine.groupby("exporter", sort=True)]
        shares.sort(key=lambda s: -s.volume_mt)
        passing |= {s.exporter for s in shares}
        rows.append(ChokepointRow(str(cid), str(cp["name"]), through, shares))
    moving = {str(e) for e in flows.loc[flows["volume"] > 0, "exporter"]}
    return ChokepointTraffic(n.meta.name, year, rows, sorted(moving - passing))
