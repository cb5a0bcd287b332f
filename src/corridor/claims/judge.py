"""From a normalised claim to a verdict against the package's figures.

A claim is *supported* when some value the model allows satisfies it within a stated tolerance,
*contradicted* when none does, and *not checkable* when the package cannot rate it: plans,
negations, part-year figures, money, exporters or years without figures, or a volume in barrels
with no crude grade to convert it. "Via Russia" has two readings for an exporter whose focus
country is Russia — crossing Russian territory or ports, or the package's focus route (CPC)
alone — and both are rated. Where exports sit on no reported route, a share is a range: the
unattributed volume could go either way.

Tolerances: shares ±2 percentage points (±3 for "about"); volumes ±5% of the claimed value
(±10% for "about").

Examples
--------
>>> verdict("gt", 80.0, None, lo=83.7, hi=96.4, tolerance=2.0)
'supported'
>>> verdict("approx", 63.1, None, lo=60.0, hi=60.0, tolerance=APPROX_SHARE_TOLERANCE)
'contradicted'
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import NamedTuple

import pandas as pd

from corridor import units
from corridor.claims.extract import Comparator
from corridor.claims.normalise import Claim, Reading
from corridor.claims.vocabulary import (
    NEGATION,
    PART_YEAR,
    PLAN,
    SHARE_METRICS,
    Metric,
    Verdict,
)
from corridor.exceptions import UnitError
from corridor.metrics import Dependence, dependence
from corridor.network import Network

#: Tolerances: shares in percentage points, volumes relative to the claimed value.
SHARE_TOLERANCE = 2.0
APPROX_SHARE_TOLERANCE = 3.0
VOLUME_TOLERANCE = 0.05
APPROX_VOLUME_TOLERANCE = 0.10


class Grade(NamedTuple):
    """The crude grade that converts barrels to tonnes, with its source id."""

    id: str
    barrels_per_tonne: float
    source: str


class Figure(NamedTuple):
    """The model's figure for a volume claim, its sources, and what it is a figure of."""

    value: float | None
    sources: tuple[str, ...]
    what: str


class ShareReading(NamedTuple):
    """One reading of a share claim: its text, the model's share, and its spread.

    The spread is how much higher the share can be: the share of exports on no reported route,
    or 0 when the reading is exact.
    """

    text: str
    share: float
    spread: float


def crude_grade(n: Network) -> Grade | None:
    """Return the grade the package prices its crude in (else its first grade), or None.

    Barrels in a claim convert to tonnes at this grade's barrels per tonne; the built-in
    package's is 7.3 (``kazakh-official``, source ``reuters-zonebourse-2024-07``). A package
    with no grade has no such figure, and a claim in barrels is not rated.
    """
    grade = next((str(g) for g in n.prices["grade"] if g), None) or next(
        (str(g) for g in n.grades.index), None
    )
    if grade is None:
        return None
    row = n.grades.loc[grade]
    return Grade(grade, float(row["barrels_per_tonne"]), str(row["source"]))


def holds(
    comparator: Comparator, model: float, value: float, high: float | None, tol: float
) -> bool:
    """Return True when the model's figure satisfies the claim ``comparator value [high]``."""
    if comparator == "gt":
        return model > value - tol
    if comparator == "ge":
        return model >= value - tol
    if comparator == "lt":
        return model < value + tol
    if comparator == "le":
        return model <= value + tol
    if comparator == "range" and high is not None:
        return value - tol <= model <= high + tol
    return abs(model - value) <= tol


def verdict(
    comparator: Comparator,
    value: float,
    high: float | None,
    *,
    lo: float,
    hi: float,
    tolerance: float,
) -> Verdict:
    """Return supported when some value the model allows in [lo, hi] satisfies the claim."""
    probe = [lo, hi, min(max(value, lo), hi)]
    if high is not None:
        probe.append(min(max(high, lo), hi))
    ok = any(holds(comparator, x, value, high, tolerance) for x in probe)
    return "supported" if ok else "contradicted"


class Judge:
    """Rate claims against one package's figures, computing each exporter-year's metrics once.

    Parameters
    ----------
    n : Network
        The package the claims are checked against.
    """

    def __init__(self, n: Network) -> None:
        self.n = n
        self.grade = crude_grade(n)
        self.exporters = set(n.flows["exporter"]) | set(n.supply["exporter"])
        self._metrics: dict[tuple[str, int], Dependence] = {}

    def metrics(self, exporter: str, year: int) -> Dependence:
        """Return the dependence metrics of an exporter in a year (computed once)."""
        if (exporter, year) not in self._metrics:
            self._metrics[(exporter, year)] = dependence(self.n, exporter=exporter, year=year)
        return self._metrics[(exporter, year)]

    def judge(self, c: Claim) -> Claim:
        """Return the claim with its verdict, model figure, tolerance, readings and sources."""
        reason = self.unrated(c)
        if reason:
            return replace(c, interpretation=reason)
        exporter = c.exporter or self.n.meta.exporter
        assert c.period is not None  # unrated() says so otherwise
        if c.metric in SHARE_METRICS:
            return self._judge_share(c, exporter, c.period)
        return self._judge_volume(c, exporter, c.period)

    def unrated(self, c: Claim) -> str | None:
        """Return why the claim is not rated, or None when the package can rate it."""
        n = self.n
        if PLAN.search(c.sentence[: c.start]) or PLAN.search(c.sentence[c.end : c.end + 30]):
            return "a plan, target or possibility, not an observed figure"
        if NEGATION.search(c.sentence[max(0, c.start - 40) : c.start]):
            return "a negated statement; not rated"
        if PART_YEAR.search(c.sentence) and c.metric != "capacity":
            return "a part-year figure; the package holds full years"
        if c.metric == "value":
            return "money amounts are not in the model"
        exporter = c.exporter or n.meta.exporter
        if exporter not in self.exporters:
            return f"no figures for exporter {exporter} in the package"
        if c.period is None or c.period not in n.meta.years:
            return f"the period ({c.period or 'unknown'}) is outside the package's years"
        return None

    # shares ---------------------------------------------------------------------------------

    def _judge_share(self, c: Claim, exporter: str, year: int) -> Claim:
        m = self.metrics(exporter, year)
        if not len(m.paths):
            return replace(c, interpretation=f"no route flows for {exporter} in {year}")
        tol = APPROX_SHARE_TOLERANCE if c.comparator == "approx" else SHARE_TOLERANCE
        c = replace(c, tolerance=f"±{tol:g} percentage points", model_unit="%")
        reader = _SHARE_READERS.get(c.metric)
        if reader is None or not c.via:
            return replace(
                c, interpretation="a share of exports with no route or country to check it against"
            )
        found = reader(self.n, c.via, exporter, year, m)
        if isinstance(found, str):
            return replace(c, interpretation=found)
        sources = tuple(m.sources)
        readings = tuple(
            Reading(
                r.text,
                round(100 * r.share, 2),
                (round(100 * r.share, 2), round(100 * (r.share + r.spread), 2)),
                verdict(
                    c.comparator,
                    c.value,
                    c.high,
                    lo=100 * r.share,
                    hi=100 * (r.share + r.spread),
                    tolerance=tol,
                ),
                sources,
            )
            for r in found
        )
        first = readings[0]
        interpretation = first.interpretation
        if len(readings) > 1:
            interpretation = "two readings: " + "; ".join(
                f"{r.interpretation}: {r.model_value:.1f}% → {r.verdict}" for r in readings
            )
        return replace(
            c,
            verdict=first.verdict,
            model_value=first.model_value,
            sources=first.sources,
            interpretation=interpretation,
            readings=readings,
        )

    # volumes --------------------------------------------------------------------------------

    def _judge_volume(self, c: Claim, exporter: str, year: int) -> Claim:
        try:
            if self.grade is None and units.needs_grade(c.unit):
                return replace(c, interpretation=_NO_GRADE)
            claimed = self.in_mt_per_year(c.value, c.unit)
            high = None if c.high is None else self.in_mt_per_year(c.high, c.unit)
        except UnitError as exc:
            return replace(c, interpretation=f"unit not understood: {exc}")
        model, sources, what = self.figure(c.metric, c.via, exporter, year)
        if model is None:
            return replace(c, interpretation=f"no figure for {what or c.metric} in the package")
        rel = APPROX_VOLUME_TOLERANCE if c.comparator == "approx" else VOLUME_TOLERANCE
        tol = rel * max(abs(claimed), 1e-9)
        rated = verdict(c.comparator, claimed, high, lo=model, hi=model, tolerance=tol)
        note = ""
        if self.grade is not None and units.needs_grade(c.unit):
            g = self.grade
            note = (
                f" (barrels converted at {g.barrels_per_tonne:g} bbl/t, grade {g.id}, {g.source})"
            )
            sources = (*sources, g.source) if g.source not in sources else sources
        interpretation = f"{what}: {model:.3f} {units.CANONICAL_RATE}{note}"
        return replace(
            c,
            verdict=rated,
            model_value=round(model, 4),
            model_unit=units.CANONICAL_RATE,
            sources=sources,
            tolerance=f"±{100 * rel:g}% of the claimed value",
            interpretation=interpretation,
            readings=(Reading(interpretation, round(model, 4), (model, model), rated, sources),),
        )

    def in_mt_per_year(self, value: float, unit: str) -> float:
        """Return a written volume in Mt/year: a rate converts; an amount is taken over a year.

        Barrels convert at the package's crude grade (`crude_grade`).
        """
        bpt = None if self.grade is None else self.grade.barrels_per_tonne
        dim = units.parse_unit(unit).dimensionality
        if (
            dim == units.parse_unit("t/year").dimensionality
            or dim == units.parse_unit("bbl/day").dimensionality
        ):
            return units.to_canonical_rate(value, unit, bpt)
        return units.amount_in_mt(value, unit, units.DAYS_PER_YEAR, bpt)

    def figure(self, metric: Metric, via: str | None, exporter: str, year: int) -> Figure:
        """Return the model's figure for a volume metric of an exporter in a year."""
        n = self.n
        if metric == "capacity" and via in n.routes.index:
            return _capacity(n, "route", str(via), year)
        if metric == "capacity" and via in n.nodes.index:
            return _capacity(n, "node", str(via), year)
        if metric == "volume_via" and via in n.routes.index:
            return _flow_on(n, str(via), exporter, year)
        if metric == "volume_via_node" and via in n.nodes.index:
            return _flow_into(n, str(via), exporter, year)
        if metric == "volume_crossing" and via:
            return self._crossing(via, exporter, year)
        if metric in ("total_exports", "production", "refinery_runs"):
            return _supply(n, metric, exporter, year)
        return Figure(None, (), "")

    def _crossing(self, country: str, exporter: str, year: int) -> Figure:
        m = self.metrics(exporter, year)
        what = f"{exporter}'s {year} exports crossing {country}"
        if not len(m.paths):
            return Figure(None, (), what)
        volume = float(m.by_transit_country["volume"].get(country, 0.0))
        return Figure(volume, tuple(m.sources), what)


_NO_GRADE = (
    "a volume in barrels; the package has no crude grade (barrels per tonne) to convert it to "
    "tonnes, so it is not rated"
)


def _flows(n: Network, exporter: str, year: int) -> pd.DataFrame:
    f = n.flows
    return f[(f["exporter"] == exporter) & (f["year"] == year)]


def _into(n: Network, node: str, exporter: str, year: int) -> pd.DataFrame:
    """Return the exporter's flows in a year on the routes that end at `node`."""
    f = _flows(n, exporter, year)
    return f[f["route"].map(lambda r: n.routes.at[r, "to_node"] == node)]


def _capacity(n: Network, kind: str, ident: str, year: int) -> Figure:
    """Whole-asset capacity of a route or node in force in a year, and its source."""
    what = f"capacity of {ident} in force in {year}"
    row = n.in_force(n.capacities, year, **{kind: ident}, exporter="")
    if row is None:
        return Figure(None, (), what)
    return Figure(float(row["capacity"]), (str(row["source"]),), what)


def _flow_on(n: Network, route: str, exporter: str, year: int) -> Figure:
    what = f"{exporter}'s flow on {route} in {year}"
    row = _flows(n, exporter, year)
    row = row[row["route"] == route]
    if not len(row):
        return Figure(None, (), what)
    return Figure(float(row["volume"].iloc[0]), (str(row["source"].iloc[0]),), what)


def _flow_into(n: Network, node: str, exporter: str, year: int) -> Figure:
    what = f"{exporter}'s oil reaching {node} in {year}"
    into = _into(n, node, exporter, year)
    if not len(into):
        return Figure(None, (), what)
    return Figure(float(into["volume"].sum()), tuple(sorted(set(into["source"]))), what)


def _supply(n: Network, metric: Metric, exporter: str, year: int) -> Figure:
    quantity = "exports" if metric == "total_exports" else str(metric)
    what = f"{exporter}'s {quantity.replace('_', ' ')} in {year}"
    s = n.supply
    row = s[(s["exporter"] == exporter) & (s["year"] == year) & (s["quantity"] == quantity)]
    if not len(row):
        return Figure(None, (), what)
    return Figure(float(row["volume"].iloc[0]), (str(row["source"].iloc[0]),), what)


# share readings: each returns the readings of a share claim, or why there is none -------------

ShareReader = Callable[[Network, str, str, int, Dependence], list[ShareReading] | str]


def _unattributed(m: Dependence) -> tuple[float, str]:
    """Return the share of exports on no reported route, and a note saying so (or "")."""
    share = (m.unattributed or 0.0) / m.denominator if m.denominator else 0.0
    note = f"; {100 * share:.1f}% of exports are on no reported route" if share else ""
    return share, note


def _crossing_readings(
    n: Network, country: str, exporter: str, year: int, m: Dependence
) -> list[ShareReading] | str:
    spread, gap = _unattributed(m)
    found = [
        ShareReading(
            f"share of {exporter}'s {year} exports crossing {country} territory or ports{gap}",
            m.share_crossing(country),
            spread,
        )
    ]
    route = m.focus_route
    if country == m.focus_country and route:
        found.append(
            ShareReading(
                f"share via the {route} route alone (the main route through {country})",
                m.share_via(route),
                0.0,
            )
        )
    return found


def _bypassing_readings(
    n: Network, country: str, exporter: str, year: int, m: Dependence
) -> list[ShareReading] | str:
    spread, gap = _unattributed(m)
    text = f"share of {exporter}'s {year} exports on routes touching no part of {country}{gap}"
    return [ShareReading(text, m.share_bypassing(country), spread)]


def _node_readings(
    n: Network, node: str, exporter: str, year: int, m: Dependence
) -> list[ShareReading] | str:
    into = _into(n, node, exporter, year)
    if into.empty:
        return f"no flows reaching {node} in {year}"
    text = f"share of {exporter}'s {year} exports reaching {node}"
    return [ShareReading(text, float(into["volume"].sum()) / m.denominator, 0.0)]


def _route_readings(
    n: Network, route: str, exporter: str, year: int, m: Dependence
) -> list[ShareReading] | str:
    if route in m.missing_routes or route not in m.by_route.index:
        return f"no figure for route {route} in {year}"
    text = f"share of {exporter}'s {year} exports carried by {route}"
    return [ShareReading(text, m.share_via(route), 0.0)]


_SHARE_READERS: dict[Metric, ShareReader] = {
    "share_crossing": _crossing_readings,
    "share_bypassing": _bypassing_readings,
    "share_via_node": _node_readings,
    "share_via": _route_readings,
}
