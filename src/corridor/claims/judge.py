"""From a normalised claim to a verdict against the package's reconciled figures.

Every figure a claim is rated against is an interval: the reconciliation
(`corridor.reconciliation.reconcile`) gives the lowest and highest value consistent with every
observation of the year. A claim is *supported* when every value the evidence allows satisfies
it within a stated tolerance, *contradicted* when no value does, and *not checkable* when the
interval straddles it (the reading then says the range: "the evidence allows 78.6–100 %").
Plans, negations, money, exporters or years without figures, and a volume in barrels with no
crude grade to convert it, are not rated either. A part-year claim is rated against an
observation of exactly its period, when the package holds one (the best evidence for it), and
is not rated otherwise. "Via Russia" has two readings for an exporter whose focus country is
Russia — crossing Russian territory or ports, or the package's focus route (CPC) alone — and
both are rated. A share is always of the exporter's total exports as reconciled, never of the
volume on reported routes.

Tolerances: shares ±2 percentage points (±3 for "about"); volumes ±5% of the claimed value
(±10% for "about").

Examples
--------
>>> verdict("gt", 80.0, None, lo=93.8, hi=97.0, tolerance=2.0)
'supported'
>>> verdict("gt", 80.0, None, lo=60.0, hi=75.0, tolerance=2.0)
'contradicted'
>>> verdict("gt", 80.0, None, lo=78.6, hi=100.0, tolerance=0.0)
'not_checkable'
>>> verdict("approx", 63.1, None, lo=60.0, hi=60.0, tolerance=APPROX_SHARE_TOLERANCE)
'contradicted'
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from typing import NamedTuple

import pandas as pd

from corridor import units
from corridor.claims.extract import Comparator
from corridor.claims.normalise import Claim, Reading
from corridor.claims.vocabulary import (
    NEGATION,
    SHARE_METRICS,
    Metric,
    Verdict,
)
from corridor.evidence import band, parse_scope
from corridor.exceptions import NoFlowsError, UnitError
from corridor.network import Network
from corridor.reconciliation import Estimate, Reconciliation, reconcile

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
    """The evidence's figure for a claim: value, interval, sources, and what it is a figure of.

    ``low``/``high`` bound what the evidence allows (``high`` may be ``inf``); ``value`` is
    None when the package has no such figure.
    """

    value: float | None
    low: float
    high: float
    sources: tuple[str, ...]
    what: str


def no_figure(what: str) -> Figure:
    """Return the figure of something the package does not hold."""
    return Figure(None, math.nan, math.nan, (), what)


def point(value: float, sources: tuple[str, ...], what: str) -> Figure:
    """Return a figure known as a single value (a table row: capacity, production)."""
    return Figure(value, value, value, sources, what)


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
    """Return True when the figure `model` satisfies the claim ``comparator value [high]``."""
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
    """Rate a claim against the interval [lo, hi] the evidence allows.

    Supported when every value in it satisfies the claim (within the tolerance), contradicted
    when none does, not checkable when it straddles the claim. The values a claim accepts form
    one interval, so the ends decide "every", and the point nearest the claim decides "none".
    """
    if holds(comparator, lo, value, high, tolerance) and holds(
        comparator, hi, value, high, tolerance
    ):
        return "supported"
    probe = [lo, hi, min(max(value, lo), hi)]
    if high is not None:
        probe.append(min(max(high, lo), hi))
    if any(holds(comparator, x, value, high, tolerance) for x in probe):
        return "not_checkable"
    return "contradicted"


def allows(low: float, high: float, value: float, unit: str, *, pinned: bool) -> str:
    """Say what the evidence allows: a pinned value with its interval, else the range alone."""
    if high == math.inf:
        return f"the evidence allows at least {low:.1f} {unit}"
    if pinned:
        return f"{value:.1f} {unit} ({low:.1f}–{high:.1f})"
    return f"the evidence allows {low:.1f}–{high:.1f} {unit}"


class Judge:
    """Rate claims against one package's reconciled figures (each year reconciled once).

    Parameters
    ----------
    n : Network
        The package the claims are checked against.
    """

    def __init__(self, n: Network) -> None:
        self.n = n
        self.grade = crude_grade(n)
        obs = n.observations
        self.exporters = (
            set(n.flows["exporter"]) | set(n.supply["exporter"]) | set(obs["exporter"]) - {""}
        )
        self._recs: dict[int, Reconciliation] = {}

    def reconciliation(self, year: int) -> Reconciliation:
        """Return the reconciliation of a year (computed once)."""
        if year not in self._recs:
            self._recs[year] = reconcile(self.n, year=year)
        return self._recs[year]

    def estimate(self, figure: str, exporter: str, year: int) -> Estimate | None:
        """Return a reconciled figure of an exporter in a year, or None when it has none."""
        try:
            return self.reconciliation(year).estimate(figure, exporter)
        except NoFlowsError:
            return None

    def sources(self, e: Estimate) -> tuple[str, ...]:
        """Return the sources of the observations that pin an estimate down."""
        obs = self.n.observations
        ids = [i for i in e.pinned_by if i in obs.index]
        return tuple(sorted({str(s) for s in obs.loc[ids, "source"] if s}))

    def judge(self, c: Claim) -> Claim:
        """Return the claim with its verdict, model figure, tolerance, readings and sources."""
        reason = self.unrated(c)
        if reason:
            return replace(c, interpretation=reason)
        exporter = c.exporter or self.n.meta.exporter
        assert c.period is not None  # unrated() says so otherwise
        if c.span is not None and c.metric != "capacity":
            return self._judge_part_year(c, exporter, c.period)
        if c.metric in SHARE_METRICS:
            return self._judge_share(c, exporter, c.period)
        return self._judge_volume(c, exporter, c.period)

    def unrated(self, c: Claim) -> str | None:
        """Return why the claim is not rated, or None when the package can rate it."""
        n = self.n
        if NEGATION.search(c.sentence[max(0, c.start - 25) : c.start]):
            return "a negated statement; not rated"
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
        tol = APPROX_SHARE_TOLERANCE if c.comparator == "approx" else SHARE_TOLERANCE
        c = replace(c, tolerance=f"±{tol:g} percentage points", model_unit="%")
        reader = _SHARE_READERS.get(c.metric)
        if reader is None or not c.via:
            return replace(
                c, interpretation="a share of exports with no route or country to check it against"
            )
        found = reader(self, c.via, exporter, year)
        if isinstance(found, str):
            return replace(c, interpretation=found)
        readings = []
        for text, e in found:
            lo, hi, value = 100 * e.low, 100 * e.high, 100 * e.value
            rated = verdict(c.comparator, c.value, c.high, lo=lo, hi=hi, tolerance=tol)
            said = allows(lo, hi, value, "%", pinned=e.pinned)
            readings.append(
                Reading(
                    f"{text}: {said}",
                    round(value, 2),
                    (round(lo, 2), round(hi, 2)),
                    rated,
                    self.sources(e),
                )
            )
        first = readings[0]
        interpretation = first.interpretation
        if len(readings) > 1:
            interpretation = "two readings: " + "; ".join(
                f"{r.interpretation} → {r.verdict}" for r in readings
            )
        return replace(
            c,
            verdict=first.verdict,
            model_value=first.model_value,
            sources=first.sources,
            interpretation=interpretation,
            readings=tuple(readings),
        )

    # volumes --------------------------------------------------------------------------------

    def _claimed(self, c: Claim, days: float | None) -> tuple[float, float | None] | str:
        """Return the claimed value (and range end) in Mt/year, or in Mt over `days`."""
        try:
            if self.grade is None and units.needs_grade(c.unit):
                return _NO_GRADE
            claimed = self.in_mt_per_year(c.value, c.unit, days)
            high = None if c.high is None else self.in_mt_per_year(c.high, c.unit, days)
        except UnitError as exc:
            return f"unit not understood: {exc}"
        return claimed, high

    def _grade_note(self, c: Claim, sources: tuple[str, ...]) -> tuple[str, tuple[str, ...]]:
        if self.grade is None or not units.needs_grade(c.unit):
            return "", sources
        g = self.grade
        note = f" (barrels converted at {g.barrels_per_tonne:g} bbl/t, grade {g.id}, {g.source})"
        return note, (*sources, g.source) if g.source not in sources else sources

    def _rate_volume(
        self, c: Claim, fig: Figure, claimed: tuple[float, float | None], unit: str
    ) -> Claim:
        value, high = claimed
        assert fig.value is not None
        rel = APPROX_VOLUME_TOLERANCE if c.comparator == "approx" else VOLUME_TOLERANCE
        tol = rel * max(abs(value), 1e-9)
        rated = verdict(c.comparator, value, high, lo=fig.low, hi=fig.high, tolerance=tol)
        note, sources = self._grade_note(c, fig.sources)
        width = fig.high - fig.low
        pinned = width <= 0.02 * max(abs(fig.value), 1e-9)
        if width <= 1e-12:
            said = f"{fig.value:.3f} {unit}"
        else:
            said = allows(fig.low, fig.high, fig.value, unit, pinned=pinned)
        interpretation = f"{fig.what}: {said}{note}"
        return replace(
            c,
            verdict=rated,
            model_value=round(fig.value, 4),
            model_unit=unit,
            sources=sources,
            tolerance=f"±{100 * rel:g}% of the claimed value",
            interpretation=interpretation,
            readings=(
                Reading(interpretation, round(fig.value, 4), (fig.low, fig.high), rated, sources),
            ),
        )

    def _judge_volume(self, c: Claim, exporter: str, year: int) -> Claim:
        claimed = self._claimed(c, None)
        if isinstance(claimed, str):
            return replace(c, interpretation=claimed)
        fig = self.figure(c.metric, c.via, exporter, year)
        if fig.value is None:
            return replace(c, interpretation=f"no figure for {fig.what or c.metric} in the package")
        return self._rate_volume(c, fig, claimed, units.CANONICAL_RATE)

    def in_mt_per_year(self, value: float, unit: str, days: float | None = None) -> float:
        """Return a written volume in Mt/year, or in Mt over `days` when they are given.

        Without `days` a rate converts and an amount is taken over a year; with them an amount
        converts and a rate is held over those days. Barrels convert at the package's crude
        grade (`crude_grade`).
        """
        bpt = None if self.grade is None else self.grade.barrels_per_tonne
        dim = units.parse_unit(unit).dimensionality
        is_rate = (
            dim == units.parse_unit("t/year").dimensionality
            or dim == units.parse_unit("bbl/day").dimensionality
        )
        if days is not None:
            return units.amount_in_mt(value, unit, days, bpt)
        if is_rate:
            return units.to_canonical_rate(value, unit, bpt)
        return units.amount_in_mt(value, unit, units.DAYS_PER_YEAR, bpt)

    def figure(self, metric: Metric, via: str | None, exporter: str, year: int) -> Figure:
        """Return the evidence's figure (Mt/year) for a volume metric of an exporter in a year."""
        n = self.n
        if metric == "capacity" and via in n.routes.index:
            return _capacity(n, "route", str(via), year)
        if metric == "capacity" and via in n.nodes.index:
            return _capacity(n, "node", str(via), year)
        if metric in ("production", "refinery_runs"):
            return _supply(n, metric, exporter, year)
        figure, what = _volume_figure(n, metric, via, exporter, year)
        if not figure:
            return no_figure(what)
        if metric in ("volume_via", "volume_via_node") and not self.observed(str(via), year):
            return no_figure(f"{what} (no observation names {via} that year)")
        e = self.estimate(figure, exporter, year)
        if e is None or (figure == "total" and e.high == math.inf and e.low <= 0):
            return no_figure(what)
        return Figure(e.value, e.low, e.high, self.sources(e), what)

    def observed(self, asset: str, year: int) -> bool:
        """Return True when an observation touching `year` names the route or node `asset`.

        Without one, a route's or node's interval is only what the exporter's total allows,
        which rates nothing but bounds.
        """
        obs = self.n.observations
        lo, hi = date(year, 1, 1), date(year + 1, 1, 1)
        near = obs[(obs["start"] < hi) & (obs["end"] > lo)]
        routes = self.n.routes
        ends = {
            str(r)
            for r in routes.index[(routes["from_node"] == asset) | (routes["to_node"] == asset)]
        }
        for text in set(near["scope"]):
            scope = parse_scope(str(text))
            if asset in scope.targets or ends & set(scope.routes):
                return True
        return False

    # part-year claims -----------------------------------------------------------------------

    def _judge_part_year(self, c: Claim, exporter: str, year: int) -> Claim:
        span = c.span
        if span is None or c.metric in SHARE_METRICS:
            return replace(c, interpretation="a part-year figure; not rated against full years")
        row = self.observation_of(c.metric, c.via, exporter, span)
        if row is None:
            return replace(
                c,
                interpretation=(
                    f"a part-year figure ({span[0]} to {span[1]}); the package holds no "
                    "observation of that period"
                ),
            )
        days = float((span[1] - span[0]).days)
        claimed = self._claimed(c, days)
        if isinstance(claimed, str):
            return replace(c, interpretation=claimed)
        lo, hi = band(
            _number(row["amount"]),
            _number(row["amount_low"]),
            _number(row["amount_high"]),
            str(row["confidence"]),
        )
        value = _number(row["amount"])
        value = value if value is not None else (lo if lo > -math.inf else hi)
        what = (
            f"observation {row.name} ({row['origin']}), the figure of exactly this period "
            f"({span[0]} to {span[1] - pd.Timedelta(days=1)}), the best evidence for a "
            "part-year claim"
        )
        fig = Figure(value, max(lo, 0.0), hi, (str(row["source"]),), what)
        return self._rate_volume(c, fig, claimed, f"{n_unit(self.n)} over the period")

    def observation_of(
        self, metric: Metric, via: str | None, exporter: str, span: tuple[date, date]
    ) -> pd.Series | None:
        """Return the observation of exactly a period that measures a claim's metric, if any."""
        obs = self.n.observations
        wanted = _observation_kind(self.n, metric, via)
        if wanted is None:
            return None
        measures, scope = wanted
        hit = obs[
            obs["measure"].isin(measures)
            & (obs["scope"] == scope)
            & (obs["exporter"] == exporter)
            & (obs["start"] == span[0])
            & (obs["end"] == span[1])
        ]
        return None if hit.empty else hit.iloc[0]


def n_unit(n: Network) -> str:
    """Return the canonical amount unit of the package's commodity (Mt)."""
    return units.CANONICAL_RATE.split("/")[0]


def _number(x: object) -> float | None:
    if x is None:
        return None
    v = float(x)  # type: ignore[arg-type]
    return None if math.isnan(v) else v


_NO_GRADE = (
    "a volume in barrels; the package has no crude grade (barrels per tonne) to convert it to "
    "tonnes, so it is not rated"
)

_MONTHS = (
    "jan",
    "feb",
    "mar",
    "apr",
    "may",
    "jun",
    "jul",
    "aug",
    "sep",
    "oct",
    "nov",
    "dec",
)
_MONTH = r"(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
_MONTH_SPAN = re.compile(rf"\b{_MONTH}\s*(?:[-–—]|to|through|until)\s*{_MONTH}", re.I)
_HALF = re.compile(r"\b(first|second)\s+half\b|\bH([12])\b", re.I)
_QUARTER = re.compile(r"\b(first|second|third|fourth)\s+quarter\b|\bQ([1-4])\b", re.I)
_COUNTS = ("two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven")
_FIRST_MONTHS = re.compile(rf"\b({'|'.join(_COUNTS)}|\d{{1,2}})\s+months\b|\b(9)M\b", re.I)
_ORDINAL = {"first": 1, "second": 2, "third": 3, "fourth": 4}


def _month_span(first: int, last: int, year: int) -> tuple[date, date]:
    end = date(year + 1, 1, 1) if last == 12 else date(year, last + 1, 1)
    return date(year, first, 1), end


def part_of_year(sentence: str, year: int) -> tuple[date, date] | None:
    """Return the part of `year` a sentence speaks of as [start, end), or None.

    Reads month spans ("January–October", "Jan-Oct"), halves ("first half", "H1"), quarters
    ("Q3", "third quarter") and the first months of a year ("eight months", "9M").

    Examples
    --------
    >>> part_of_year("In January-October, CPC carried 46.3 Mt", 2024)
    (datetime.date(2024, 1, 1), datetime.date(2024, 11, 1))
    >>> part_of_year("in the first half of 2023", 2023)
    (datetime.date(2023, 1, 1), datetime.date(2023, 7, 1))
    """
    if m := _MONTH_SPAN.search(sentence):
        first = _MONTHS.index(m.group(1).lower()) + 1
        last = _MONTHS.index(m.group(2).lower()) + 1
        return _month_span(first, last, year) if first <= last else None
    if m := _HALF.search(sentence):
        h = 1 if (m.group(1) or "").lower() == "first" or m.group(2) == "1" else 2
        return _month_span(6 * h - 5, 6 * h, year)
    if m := _QUARTER.search(sentence):
        q = _ORDINAL[m.group(1).lower()] if m.group(1) else int(m.group(2))
        return _month_span(3 * q - 2, 3 * q, year)
    if m := _FIRST_MONTHS.search(sentence):
        count = m.group(1) or m.group(2)
        months = int(count) if count.isdigit() else _COUNTS.index(count.lower()) + 2
        return _month_span(1, months, year) if 1 <= months <= 11 else None
    return None


def _observation_kind(
    n: Network, metric: Metric, via: str | None
) -> tuple[tuple[str, ...], str] | None:
    """Return the measures and the scope of the observations that measure a volume metric."""
    if metric == "volume_via" and via:
        return ("flow",), str(via)
    if metric == "volume_via_node" and via:
        return ("flow",), f"node:{via}"
    if metric == "volume_crossing" and via:
        return ("flow", "exports"), f"crossing:{via}"
    if metric == "volume_bypassing" and via:
        return ("flow", "exports"), f"bypassing:{via}"
    if metric == "total_exports":
        return ("exports",), "all"
    if metric == "production":
        return ("production",), "all"
    return None


def _volume_figure(
    n: Network, metric: Metric, via: str | None, exporter: str, year: int
) -> tuple[str, str]:
    """Return the reconciled figure string of a volume metric, and what it is a figure of."""
    if metric == "volume_via" and via in n.routes.index:
        return f"volume:route:{via}", f"{exporter}'s flow on {via} in {year}"
    if metric == "volume_via_node" and via in n.nodes.index:
        return f"volume:node:{via}", f"{exporter}'s oil leaving {via} in {year}"
    if metric == "volume_crossing" and via:
        return f"volume:crossing:{via}", f"{exporter}'s {year} exports crossing {via}"
    if metric == "volume_bypassing" and via:
        return f"volume:bypassing:{via}", f"{exporter}'s {year} exports bypassing {via}"
    if metric == "total_exports":
        return "total", f"{exporter}'s exports in {year}"
    return "", f"{metric}{' of ' + via if via else ''}"


def _capacity(n: Network, kind: str, ident: str, year: int) -> Figure:
    """Whole-asset capacity of a route or node in force in a year, and its source."""
    what = f"capacity of {ident} in force in {year}"
    row = n.in_force(n.capacities, year, **{kind: ident}, exporter="")
    if row is None:
        return no_figure(what)
    return point(float(row["capacity"]), (str(row["source"]),), what)


def _supply(n: Network, metric: Metric, exporter: str, year: int) -> Figure:
    quantity = str(metric)
    what = f"{exporter}'s {quantity.replace('_', ' ')} in {year}"
    s = n.supply
    row = s[(s["exporter"] == exporter) & (s["year"] == year) & (s["quantity"] == quantity)]
    if not len(row):
        return no_figure(what)
    return point(float(row["volume"].iloc[0]), (str(row["source"].iloc[0]),), what)


# share readings: each returns (text, estimate) per reading of a share claim, or why none ------

ShareReader = Callable[[Judge, str, str, int], list[tuple[str, Estimate]] | str]


def _crossing_readings(
    j: Judge, country: str, exporter: str, year: int
) -> list[tuple[str, Estimate]] | str:
    e = j.estimate(f"share:crossing:{country}", exporter, year)
    if e is None:
        return f"no figures for {exporter} in {year}"
    found = [(f"share of {exporter}'s {year} exports crossing {country} territory or ports", e)]
    route = j.n.meta.focus_route
    if country == j.n.meta.focus_country and route:
        alone = j.estimate(f"share:via:{route}", exporter, year)
        if alone is not None:
            found.append(
                (f"share via the {route} route alone (the main route through {country})", alone)
            )
    return found


def _bypassing_readings(
    j: Judge, country: str, exporter: str, year: int
) -> list[tuple[str, Estimate]] | str:
    e = j.estimate(f"share:bypassing:{country}", exporter, year)
    if e is None:
        return f"no figures for {exporter} in {year}"
    return [(f"share of {exporter}'s {year} exports on routes touching no part of {country}", e)]


def _node_readings(
    j: Judge, node: str, exporter: str, year: int
) -> list[tuple[str, Estimate]] | str:
    e = j.estimate(f"share:node:{node}", exporter, year)
    if e is None:
        return f"no figures for {exporter} in {year}"
    return [(f"share of {exporter}'s {year} exports leaving {node}", e)]


def _route_readings(
    j: Judge, route: str, exporter: str, year: int
) -> list[tuple[str, Estimate]] | str:
    e = j.estimate(f"share:via:{route}", exporter, year)
    if e is None:
        return f"no figures for {exporter} in {year}"
    return [(f"share of {exporter}'s {year} exports carried by {route}", e)]


_SHARE_READERS: dict[Metric, ShareReader] = {
    "share_crossing": _crossing_readings,
    "share_bypassing": _bypassing_readings,
    "share_via_node": _node_readings,
    "share_via": _route_readings,
}
