"""From a normalised claim to a verdict against the package's reconciled figures and observations.

Every figure a claim is rated against is an interval: the reconciliation
(`corridor.reconciliation.reconcile`) gives the lowest and highest value consistent with every
observation of the year, and an observation gives its band (`corridor.evidence.band`), around a
best estimate. A claim is *supported* when the best estimate satisfies it within a stated
tolerance and no value the evidence allows is far from it (the reading still gives the range:
"81.2 % (78.0–84.5)"); *contradicted* when no value the evidence allows satisfies it; *not
checkable* otherwise — the best estimate misses it but the range allows it, or the range is too
wide to say ("the evidence allows 61–100 %"). An analyst reads "about 80% of exports go via CPC"
against a best figure of 81.2 % (78.0–84.5) as right; one reads 55 % as wrong. Plans, negations,
money, exporters without figures, and a volume in barrels with no crude grade to convert it, are
not rated.

Where the evidence comes from, by claim:

- **A year of the package**: the reconciled figure of the exporter (a share is always of the
  exporter's total exports as reconciled, never of the volume on reported routes; a year with no
  export total has a wide interval, and the reading says so and gives the range).
- **A part of a year** (``Claim.span``): an observation of exactly that period and scope — an
  exporter's flow, exports or production, a route's or node's whole throughput, deliveries to a
  country. Without one the claim is not rated (a month-to-date, a day or a week included).
- **A year outside the package's years**: an observation of exactly that year, else not rated.
- **A whole route or asset** (exporter ``"ALL"``): the ``throughput`` observations of exactly the
  period; in a year of the package without one, the interval from the package's shippers' flows
  (at least) to the capacity in force (at most).
- **Deliveries to a country** (``volume_to_country``): the ``to:XXX`` observations of exactly the
  period and the exporter's flow on the routes that deliver only there (a pipeline series); else
  the reconciled ``volume:to:XXX``.
- **An exporter's share of a route** (``share_of_route``): its flow on the route (reconciled, or
  an observation of the span) over the route's whole throughput observed for the same period.
- **Capacity**: every source of the asset's whole capacity in force — the capacities table (a
  rating) and each ``capacity`` observation (a design figure, another source's figure) — and, for
  a named exporter, its allocation.

When sources disagree, both sides count: each source is a reading of its own, and the claim is
*supported* when it holds against any source (that source's figure is given, and the other
side's), *contradicted* only when it holds against none, and not checkable otherwise; the reading
says "sources disagree: a–b" with the lowest and highest figure. "Via Russia" has two readings for
an exporter whose focus country is Russia (crossing Russian territory or ports, or the package's
focus route alone); both are rated, and the first decides.

Tolerances: shares ±2 percentage points (±3 for "about"); volumes ±5% of the claimed value
(±10% for "about"). Barrels convert at the package's crude grade; a rate over a part of a year is
held over that part's days.

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
>>> verdict("eq", 80.0, None, lo=78.0, hi=84.5, tolerance=2.0, estimate=81.2)
'supported'
>>> verdict("eq", 80.0, None, lo=61.0, hi=100.0, tolerance=2.0, estimate=81.2)
'not_checkable'
>>> either(["contradicted", "supported"]), either(["contradicted", "not_checkable"])
('supported', 'not_checkable')
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from datetime import date
from typing import TYPE_CHECKING, NamedTuple

from corridor import units
from corridor.claims.conversions import Units
from corridor.claims.extract import Comparator
from corridor.claims.facts import Est, Facts, Obs
from corridor.claims.normalise import Claim, Reading
from corridor.claims.vocabulary import (
    NEGATION,
    SHARE_METRICS,
    Metric,
    Verdict,
)
from corridor.evidence import band, parse_scope
from corridor.exceptions import UnitError

if TYPE_CHECKING:
    from corridor.network import Network

#: Tolerances: shares in percentage points, volumes relative to the claimed value.
SHARE_TOLERANCE = 2.0
APPROX_SHARE_TOLERANCE = 3.0
VOLUME_TOLERANCE = 0.05
APPROX_VOLUME_TOLERANCE = 0.10
#: The exporter of a figure of every shipper on a route or asset.
ALL = "ALL"
#: Figures further apart than this (relative) are said to disagree.
DISAGREEMENT = 0.01

Span = tuple[date, date]


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


#: How many tolerances wide the evidence's range may be on either side of the claim for the best
#: estimate to decide "supported": wider than that, the evidence does not pin the figure.
PINNED_WITHIN = 3.0


def verdict(
    comparator: Comparator,
    value: float,
    high: float | None,
    *,
    lo: float,
    hi: float,
    tolerance: float,
    estimate: float | None = None,
) -> Verdict:
    """Rate a claim against the interval [lo, hi] the evidence allows and its best estimate.

    Supported when every value in the interval satisfies the claim (within the tolerance), or
    when the best estimate does and the interval reaches no further than `PINNED_WITHIN`
    tolerances past what the claim accepts; contradicted when no value in the interval does; not
    checkable otherwise. The values a claim accepts form one interval, so the ends decide
    "every", and the point nearest the claim decides "none".
    """
    if holds(comparator, lo, value, high, tolerance) and holds(
        comparator, hi, value, high, tolerance
    ):
        return "supported"
    if (
        estimate is not None
        and holds(comparator, estimate, value, high, tolerance)
        and holds(comparator, lo, value, high, PINNED_WITHIN * tolerance)
        and holds(comparator, hi, value, high, PINNED_WITHIN * tolerance)
    ):
        return "supported"
    probe = [lo, hi, min(max(value, lo), hi)]
    if high is not None:
        probe.append(min(max(high, lo), hi))
    if any(holds(comparator, x, value, high, tolerance) for x in probe):
        return "not_checkable"
    return "contradicted"


#: What a whole-asset figure says when no observation measures the asset's throughput: its
#: range then runs from the known shippers' flows up to the capacity.
UNOBSERVED_THROUGHPUT = "with no throughput observation"


def either(verdicts: Iterable[Verdict]) -> Verdict:
    """Combine the verdicts of disagreeing sources: any support wins, all must contradict."""
    found = list(verdicts)
    if "supported" in found:
        return "supported"
    if found and all(v == "contradicted" for v in found):
        return "contradicted"
    return "not_checkable"


def allows(low: float, high: float, value: float, unit: str, *, pinned: bool) -> str:
    """Say what the evidence allows: a pinned value with its interval, else the range alone."""
    if high == math.inf:
        return f"the evidence allows at least {low:.1f} {unit}"
    if pinned:
        return f"{value:.1f} {unit} ({low:.1f}–{high:.1f})"
    return f"the evidence allows {low:.1f}–{high:.1f} {unit}"


def said(fig: Figure, unit: str) -> str:
    """Say a volume figure: its value when it is exact, else what the evidence allows."""
    assert fig.value is not None
    width = fig.high - fig.low
    if width <= 1e-12:
        return f"{fig.value:.3f} {unit}"
    pinned = width <= 0.02 * max(abs(fig.value), 1e-9)
    return allows(fig.low, fig.high, fig.value, unit, pinned=pinned)


def disagreement(figs: Sequence[Figure], unit: str) -> str:
    """Return "sources disagree: a–b unit" when the figures' values differ, else ""."""
    values = [f.value for f in figs if f.value is not None]
    if len(values) < 2 or max(values) - min(values) <= DISAGREEMENT * max(map(abs, values)):
        return ""
    lo = min(f.low for f in figs)
    hi = max(f.high for f in figs)
    return f"sources disagree: {lo:.3f}–{hi:.3f} {unit}"


def year_span(year: int) -> Span:
    """Return a calendar year as ``[start, end)``."""
    return date(year, 1, 1), date(year + 1, 1, 1)


def claim_span(c: Claim) -> Span | None:
    """Return the part of a year a claim is of, or None for a whole year.

    ``c.span`` as the normaliser filled it (`corridor.claims.periods.part_of_year`). A span
    that is the whole year is the year.
    """
    span = c.span
    if span is None or span == year_span(span[0].year):
        return None
    return span


class Judge:
    """Rate claims against one package's reconciled figures (each year reconciled once).

    Parameters
    ----------
    n : Network or Facts
        The package the claims are checked against, or its facts (`corridor.claims.facts`).
    """

    def __init__(self, n: Network | Facts) -> None:
        self.n = n if isinstance(n, Facts) else Facts.of(n)
        self.grade = self.n.grade
        self.units = Units(self.n.conversions)
        self.exporters = self.n.exporters
        # what a check asks again and again (one article's claims share their figures): the
        # network does not change during a check, so each answer is computed once
        self._figures: dict[tuple[str, str | None, str, int], Figure] = {}
        self._observed: dict[tuple[str, int], bool] = {}
        self._rows: dict[tuple[str, str | None, str, Span], list[Obs]] = {}
        self._totals: dict[tuple[str, int], bool] = {}
        self._sources: dict[tuple[str, ...], tuple[str, ...]] = {}

    def estimate(self, figure: str, exporter: str, year: int) -> Est | None:
        """Return a reconciled figure of an exporter in a year, or None when it has none."""
        if year not in self.n.meta.years:
            return None
        return self.n.estimate(figure, exporter, year)

    def sources(self, e: Est) -> tuple[str, ...]:
        """Return the sources of the observations that pin an estimate down."""
        key = tuple(str(i) for i in e.pinned_by)
        if key not in self._sources:
            of = self.n.sources
            self._sources[key] = tuple(sorted({of[i] for i in key if of.get(i)}))
        return self._sources[key]

    def of_estimate(self, e: Est, what: str) -> Figure:
        """Return a reconciled estimate as a figure."""
        return Figure(e.value, e.low, e.high, self.sources(e), what)

    def judge(self, c: Claim) -> Claim:
        """Return the claim with its verdict, model figure, tolerance, readings and sources."""
        reason = self.unrated(c)
        if reason:
            return replace(c, interpretation=reason)
        if c.period is None and c.span is not None:  # a span of no written year: its year
            c = replace(c, period=c.span[0].year)
        assert c.period is not None  # unrated() says so otherwise
        if c.metric != "capacity":
            span = claim_span(c)
            if span is not None:
                return self._judge_part_year(c, span)
        return self._judge_year(c, c.period)

    def unrated(self, c: Claim) -> str | None:
        """Return why the claim is not rated, or None when the package can rate it."""
        if NEGATION.search(c.sentence[max(0, c.start - 25) : c.start]):
            return "a negated statement; not rated"
        if c.metric == "value":
            return "money amounts are not in the model"
        exporter = c.exporter or self.n.meta.exporter
        if exporter != ALL and exporter not in self.exporters:
            return f"no figures for exporter {exporter} in the package"
        if c.period is not None or c.span is not None:
            return None
        return "the period (unknown) is outside the package's years"

    def _judge_year(self, c: Claim, year: int) -> Claim:
        exporter = c.exporter or self.n.meta.exporter
        if c.metric == "capacity":
            return self._judge_capacity(c, year)
        if c.metric == "share_of_route":
            return self._judge_share_of_route(c, year)
        if exporter == ALL and c.metric == "volume_to_country":
            # a pipeline's whole flow to a country: the one route that delivers only there
            only = delivering_routes(self.n, self.n.meta.exporter, str(c.via or ""))
            if len(only) == 1:
                c = replace(c, metric="volume_via", via=only[0])
        if exporter == ALL and c.metric in ("volume_via", "volume_via_node"):
            return self._judge_throughput(c, year)
        if exporter == ALL:  # every shipper's share or total: read as the package's exporter's
            exporter = self.n.meta.exporter
        if c.metric == "volume_to_country":
            return self._judge_to_country(c, exporter, year)
        if year not in self.n.meta.years:
            return self._judge_observed_year(c, exporter, year)
        if c.metric in SHARE_METRICS:
            return self._judge_share(c, exporter, year)
        return self._judge_volume(c, exporter, year)

    # shares ---------------------------------------------------------------------------------

    def _judge_share(self, c: Claim, exporter: str, year: int) -> Claim:
        reader = _SHARE_READERS.get(c.metric)
        if reader is None or not c.via:
            return replace(
                c,
                tolerance=_share_tolerance(c),
                model_unit="%",
                interpretation="a share of exports with no route or country to check it against",
            )
        found = reader(self, c.via, exporter, year)
        if isinstance(found, str):
            return replace(c, tolerance=_share_tolerance(c), model_unit="%", interpretation=found)
        note = "" if self.has_total(exporter, year) else self._no_total(exporter, year)
        shares = [
            (text, 100 * e.value, 100 * e.low, 100 * e.high, e.pinned, self.sources(e))
            for text, e in found
        ]
        return self._rate_share(c, shares, first_decides=True, note=note)

    def _rate_share(
        self, c: Claim, shares: list[Share], *, first_decides: bool, note: str = ""
    ) -> Claim:
        """Rate a share claim against each reading; the first decides, or `either` does.

        `note` opens the interpretation (what the evidence lacks, when it does).
        """
        tol = APPROX_SHARE_TOLERANCE if c.comparator == "approx" else SHARE_TOLERANCE
        readings = []
        for text, value, lo, hi, pinned, sources in shares:
            rated = verdict(
                c.comparator, c.value, c.high, lo=lo, hi=hi, tolerance=tol, estimate=value
            )
            readings.append(
                Reading(
                    f"{text}: {allows(lo, hi, value, '%', pinned=pinned)}",
                    round(value, 2),
                    (round(lo, 2), round(hi, 2)),
                    rated,
                    sources,
                )
            )
        overall = readings[0].verdict if first_decides else either(r.verdict for r in readings)
        chosen = next(r for r in readings if r.verdict == overall or first_decides)
        interpretation = chosen.interpretation
        if len(readings) > 1:
            label = "two readings" if len(readings) == 2 else f"{len(readings)} readings"
            interpretation = f"{label}: " + "; ".join(
                f"{r.interpretation} → {r.verdict}" for r in readings
            )
        return replace(
            c,
            verdict=overall,
            model_value=chosen.model_value,
            model_unit="%",
            tolerance=_share_tolerance(c),
            sources=chosen.sources,
            interpretation=note + interpretation,
            readings=tuple(readings),
        )

    def has_total(self, exporter: str, year: int) -> bool:
        """Return True when an observation gives the exporter's exports of the whole year."""
        if (exporter, year) not in self._totals:
            self._totals[exporter, year] = self._has_total(exporter, year)
        return self._totals[exporter, year]

    def _has_total(self, exporter: str, year: int) -> bool:
        start, end = year_span(year)
        return any(
            o.measure == "exports"
            and o.scope == "all"
            and o.exporter == exporter
            and o.start == start
            and o.end == end
            for o in self.n.observations
        )

    def _no_total(self, exporter: str, year: int) -> str:
        return f"no export total of {exporter} for {year} (the reconciled total's range); "

    def _judge_share_of_route(self, c: Claim, year: int) -> Claim:
        exporter = c.exporter if c.exporter not in (None, ALL) else self.n.meta.exporter
        assert exporter is not None
        route = str(c.via or "")
        if route not in self.n.routes:
            return replace(c, interpretation="a share of a route that is not in the package")
        dens = self.observed_figures(c, year_span(year), per_year=True)
        e = self.estimate(f"volume:route:{route}", exporter, year)
        if e is None or not self.observed(route, year):
            return replace(c, interpretation=f"no figure of {exporter}'s flow on {route} in {year}")
        num = self.of_estimate(e, f"{exporter}'s flow on {route} in {year}")
        return self._route_share(c, [num], dens, f"{route} in {year}")

    def _route_share(self, c: Claim, nums: list[Figure], dens: list[Figure], where: str) -> Claim:
        """Rate a shipper's share of a route: each flow figure over each throughput figure."""
        if not nums or not dens:
            return replace(
                c,
                interpretation=(
                    f"a share of the whole throughput of {where}; the package holds no "
                    "throughput of that route and period to divide by"
                    if nums
                    else f"a share of the whole throughput of {where}; no figure of the shipper"
                ),
            )
        shares = []
        for num in nums:
            for den in dens:
                assert num.value is not None
                assert den.value is not None
                lo = 100 * num.low / den.high
                hi = min(100.0, 100 * num.high / max(den.low, 1e-9))
                value = min(max(100 * num.value / den.value, lo), hi)
                text = f"share of the whole throughput of {where} ({num.what} / {den.what})"
                pinned = hi - lo <= 2.0
                shares.append((text, value, lo, hi, pinned, (*num.sources, *den.sources)))
        return self._rate_share(c, shares, first_decides=False)

    # volumes --------------------------------------------------------------------------------

    def _claimed(self, c: Claim, days: float | None) -> tuple[float, float | None] | str:
        """Return the claimed value (and range end) in Mt/year, or in Mt over `days`."""
        try:
            if self.grade is None and self.units.needs_grade(c.unit):
                return _NO_GRADE
            claimed = self.in_mt_per_year(c.value, c.unit, days)
            high = None if c.high is None else self.in_mt_per_year(c.high, c.unit, days)
        except UnitError as exc:
            return f"unit not understood: {exc}"
        return claimed, high

    def _grade_note(self, c: Claim, sources: tuple[str, ...]) -> tuple[str, tuple[str, ...]]:
        if self.grade is None or not self.units.needs_grade(c.unit):
            return "", sources
        g = self.grade
        note = f" (barrels converted at {g.barrels_per_tonne:g} bbl/t, grade {g.id}, {g.source})"
        return note, (*sources, g.source) if g.source not in sources else sources

    def _rate_volume(
        self,
        c: Claim,
        figs: Figure | Sequence[Figure],
        claimed: tuple[float, float | None],
        unit: str,
    ) -> Claim:
        """Rate a volume claim against one figure, or against each of disagreeing sources."""
        figs = [figs] if isinstance(figs, Figure) else list(figs)
        value, high = claimed
        rel = APPROX_VOLUME_TOLERANCE if c.comparator == "approx" else VOLUME_TOLERANCE
        tol = rel * max(abs(value), 1e-9)
        readings = []
        for fig in figs:
            assert fig.value is not None
            rated = verdict(
                c.comparator,
                value,
                high,
                lo=fig.low,
                hi=fig.high,
                tolerance=tol,
                estimate=fig.value,
            )
            note, sources = self._grade_note(c, fig.sources)
            text = f"{fig.what}: {said(fig, unit)}{note}"
            readings.append(Reading(text, round(fig.value, 4), (fig.low, fig.high), rated, sources))
        overall = either(r.verdict for r in readings)
        chosen = next((r for r in readings if r.verdict == overall), readings[0])
        interpretation = chosen.interpretation
        if len(readings) > 1:
            head = disagreement(figs, unit) or f"{len(readings)} sources agree"
            interpretation = f"{head}; " + "; ".join(
                f"{r.interpretation} → {r.verdict}" for r in readings
            )
        return replace(
            c,
            verdict=overall,
            model_value=chosen.model_value,
            model_unit=unit,
            sources=tuple(dict.fromkeys(s for r in readings for s in r.sources)),
            tolerance=f"±{100 * rel:g}% of the claimed value",
            interpretation=interpretation,
            readings=tuple(readings),
        )

    def _judge_volume(self, c: Claim, exporter: str, year: int) -> Claim:
        claimed = self._claimed(c, None)
        if isinstance(claimed, str):
            return replace(c, interpretation=claimed)
        fig = self.figure(c.metric, c.via, exporter, year)
        if fig.value is None:
            return replace(c, interpretation=f"no figure for {fig.what or c.metric} in the package")
        return self._rate_volume(c, fig, claimed, units.CANONICAL_RATE)

    def _rate_or_say(
        self, c: Claim, figs: Sequence[Figure], days: float | None, unit: str, why: str
    ) -> Claim:
        """Rate a volume claim against `figs`, or say `why` it is not rated when none."""
        if not figs:
            return replace(c, interpretation=why)
        claimed = self._claimed(c, days)
        if isinstance(claimed, str):
            return replace(c, interpretation=claimed)
        return self._rate_volume(c, figs, claimed, unit)

    def in_mt_per_year(self, value: float, unit: str, days: float | None = None) -> float:
        """Return a written volume in Mt/year, or in Mt over `days` when they are given.

        Without `days` a rate converts and an amount is taken over a year; with them an amount
        converts and a rate is held over those days. Barrels convert at the package's crude
        grade (`corridor.claims.facts.Grade`).
        """
        bpt = None if self.grade is None else self.grade.barrels_per_tonne
        is_rate = self.units.is_rate(unit)
        if days is not None:
            return self.units.amount_in_mt(value, unit, days, bpt)
        if is_rate:
            return self.units.to_canonical_rate(value, unit, bpt)
        return self.units.amount_in_mt(value, unit, units.DAYS_PER_YEAR, bpt)

    def figure(self, metric: Metric, via: str | None, exporter: str, year: int) -> Figure:
        """Return the evidence's figure (Mt/year) for a volume metric of an exporter in a year."""
        key = (metric, via, exporter, year)
        if key not in self._figures:
            self._figures[key] = self._figure(metric, via, exporter, year)
        return self._figures[key]

    def _figure(self, metric: Metric, via: str | None, exporter: str, year: int) -> Figure:
        n = self.n
        if metric == "capacity" and via in n.routes:
            return _capacity(n, "route", str(via), year)
        if metric == "capacity" and via in n.nodes:
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
        return self.of_estimate(e, what)

    def observed(self, asset: str, year: int) -> bool:
        """Return True when an observation touching `year` names the route or node `asset`.

        Without one, a route's or node's interval is only what the exporter's total allows,
        which rates nothing but bounds.
        """
        if (asset, year) not in self._observed:
            self._observed[asset, year] = self._names(asset, year)
        return self._observed[asset, year]

    def _names(self, asset: str, year: int) -> bool:
        lo, hi = year_span(year)
        near = {o.scope for o in self.n.observations if o.start < hi and o.end > lo}
        ends = {r for r, (a, b) in self.n.routes.items() if asset in (a, b)}
        for text in near:
            scope = parse_scope(str(text))
            if asset in scope.targets or ends & set(scope.routes):
                return True
        return False

    # whole routes, assets and capacities ------------------------------------------------------

    def _judge_throughput(self, c: Claim, year: int) -> Claim:
        """Rate a figure of every shipper on a route or node in a year."""
        span = year_span(year)
        figs = self.observed_figures(c, span, per_year=False)
        if figs:  # amounts of exactly the year, against the claim over the year's days
            days = float((span[1] - span[0]).days)
            return self._rate_or_say(c, figs, days, f"{n_unit(self.n)} in {year}", "")
        bounds = self.throughput_bounds(str(c.via or ""), year)
        why = (
            f"the whole throughput of {c.via} in {year}: the package holds no throughput "
            "observation of that year, and no shipper's flow or capacity to bound it"
        )
        figs = [] if bounds is None else [bounds]
        return self._rate_or_say(c, figs, None, units.CANONICAL_RATE, why)

    def throughput_bounds(self, asset: str, year: int) -> Figure | None:
        """Bound an asset's whole throughput: its shippers' flows at least, its capacity at most.

        The lowest flow the reconciliation allows each of the package's shippers adds up to a
        floor (other shippers may add to it); the largest capacity any source gives is a ceiling.
        None when neither bounds anything.
        """
        n = self.n
        kind = "route" if asset in n.routes else "node" if asset in n.nodes else ""
        if not kind or year not in n.meta.years or not self.observed(asset, year):
            return None
        low = value = 0.0
        sources: list[str] = []
        shippers = []
        for e in sorted(self.exporters):
            est = self.estimate(f"volume:{kind}:{asset}", e, year)
            if est is not None and est.low > 0:
                low, value = low + est.low, value + est.value
                sources += self.sources(est)
                shippers.append(e)
        caps = [f for f in self.capacity_sources(asset, year, None) if f.value is not None]
        high = max((f.high for f in caps), default=math.inf)
        if low <= 0 and high == math.inf:
            return None
        sources += [s for f in caps for s in f.sources]
        what = (
            f"whole throughput of {asset} in {year}, {UNOBSERVED_THROUGHPUT}: at least "
            f"its shippers' flows ({', '.join(shippers) or 'none known'}), at most its capacity"
        )
        return Figure(min(value, high), low, high, tuple(dict.fromkeys(sources)), what)

    def _judge_capacity(self, c: Claim, year: int) -> Claim:
        via = str(c.via or "")
        figs = self.capacity_sources(via, year, c.exporter)
        why = f"no figure for capacity of {via} in force in {year} in the package"
        return self._rate_or_say(c, figs, None, units.CANONICAL_RATE, why)

    def capacity_sources(self, asset: str, year: int, exporter: str | None) -> list[Figure]:
        """Return every source's capacity of an asset in force in a year (Mt/year).

        The capacities table's whole-asset row, each ``capacity`` observation of the asset whose
        period touches the year (a design figure, another source's figure), and a named
        exporter's allocation.
        """
        n = self.n
        kind = "route" if asset in n.routes else "node" if asset in n.nodes else ""
        if not kind:
            return []
        figs = []
        table = _capacity(n, kind, asset, year)
        if table.value is not None:
            figs.append(table)
        scope = asset if kind == "route" else f"node:{asset}"
        start, end = year_span(year)
        hit = [
            o
            for o in n.observations
            if o.measure == "capacity" and o.scope == scope and o.start < end and o.end > start
        ]
        figs += [_observed(row, per_year=True, what="capacity") for row in hit]
        if exporter and exporter != ALL:
            row = n.in_force(year, **{kind: asset}, exporter=exporter)
            if row is not None:
                what = f"{exporter}'s allocation on {asset} in force in {year}"
                figs.append(point(row.value, (row.source,), what))
        return figs

    # deliveries to a country, years outside the package -------------------------------------

    def _judge_to_country(self, c: Claim, exporter: str, year: int) -> Claim:
        """Rate deliveries to a country: its observations and the routes delivering only there."""
        country = str(c.via or "")
        scope = f"to:{country}"  # a route's observation counts in its reconciled flow below
        figs = self.observed_figures(c, year_span(year), per_year=True, only=(scope,))
        flows = {
            r: e
            for r in delivering_routes(self.n, exporter, country)
            if self.observed(r, year)
            and (e := self.estimate(f"volume:route:{r}", exporter, year)) is not None
        }
        if flows:
            names = ", ".join(flows)
            what = (
                f"{exporter}'s {year} flow on the route(s) delivering only to {country} ({names})"
            )
            figs.append(self._sum_of(list(flows.values()), what))
        if not figs:
            e = self.estimate(f"volume:to:{country}", exporter, year)
            if e is not None and not (e.high == math.inf and e.low <= 0):
                figs.append(self.of_estimate(e, f"{exporter}'s {year} deliveries to {country}"))
        why = f"no figure of {exporter}'s deliveries to {country} in {year} in the package"
        return self._rate_or_say(c, figs, None, units.CANONICAL_RATE, why)

    def _sum_of(self, ests: list[Est], what: str) -> Figure:
        sources = tuple(dict.fromkeys(s for e in ests for s in self.sources(e)))
        return Figure(
            sum(e.value for e in ests),
            sum(e.low for e in ests),
            sum(e.high for e in ests),
            sources,
            what,
        )

    def _judge_observed_year(self, c: Claim, exporter: str, year: int) -> Claim:
        """Rate a claim of a year outside the package's years against an observation of it."""
        span = year_span(year)
        figs = self.observed_figures(c, span, per_year=False)
        first, last = self.n.meta.first_year, self.n.meta.last_year
        why = (
            f"the period ({year}) is outside the package's years {first}–{last}, and the "
            "package holds no observation of that year"
        )
        days = float((span[1] - span[0]).days)
        return self._rate_or_say(c, figs, days, f"{n_unit(self.n)} in {year}", why)

    # part-year claims -----------------------------------------------------------------------

    def _judge_part_year(self, c: Claim, span: Span) -> Claim:
        exporter = c.exporter or self.n.meta.exporter
        last = date.fromordinal(span[1].toordinal() - 1)
        period = f"{span[0]} to {last}"
        if c.metric == "share_of_route":
            dens = self.observed_figures(c, span, per_year=False)
            shipper = exporter if exporter != ALL else self.n.meta.exporter
            flows = replace(c, metric="volume_via", exporter=shipper)
            nums = self.observed_figures(flows, span, per_year=False)
            return self._route_share(c, nums, dens, f"{c.via} ({period})")
        if c.metric in SHARE_METRICS:
            return replace(c, interpretation="a part-year figure; not rated against full years")
        figs = self.observed_figures(c, span, per_year=False)
        why = f"a part-year figure ({period}); the package holds no observation of that period"
        days = float((span[1] - span[0]).days)
        return self._rate_or_say(c, figs, days, f"{n_unit(self.n)} over the period", why)

    def observed_figures(
        self, c: Claim, span: Span, *, per_year: bool, only: tuple[str, ...] = ()
    ) -> list[Figure]:
        """Return a figure per observation of exactly `span` that measures the claim.

        In Mt over the period, or in Mt/year with `per_year`; `only` keeps those scopes alone.
        A part-year figure is described as the best evidence for a part-year claim.
        """
        exporter = c.exporter or self.n.meta.exporter
        rows = self.observations_of(c.metric, c.via, exporter, span)
        if only:
            rows = [r for r in rows if r.scope in only]
        last = date.fromordinal(span[1].toordinal() - 1)
        whole = span == year_span(span[0].year)
        what = "the figure of exactly this year" if whole else _PART_YEAR_WHAT.format(span[0], last)
        return [_observed(row, per_year=per_year, what=what) for row in rows]

    def observations_of(
        self, metric: Metric, via: str | None, exporter: str, span: Span
    ) -> list[Obs]:
        """Return the observations of exactly a period that measure a claim's metric."""
        key = (metric, via, exporter, span)
        if key not in self._rows:
            self._rows[key] = self._observations_of(metric, via, exporter, span)
        return self._rows[key]

    def _observations_of(
        self, metric: Metric, via: str | None, exporter: str, span: Span
    ) -> list[Obs]:
        wanted = _observation_kind(self.n, metric, via, exporter)
        if wanted is None:
            return []
        measures, scopes = wanted
        whole = exporter == ALL or metric == "share_of_route"  # every shipper's throughput
        shipper = "" if whole else exporter
        return [
            o
            for o in self.n.observations
            if o.measure in measures
            and o.scope in scopes
            and o.exporter == shipper
            and o.start == span[0]
            and o.end == span[1]
        ]

    def observation_of(
        self, metric: Metric, via: str | None, exporter: str, span: Span
    ) -> Obs | None:
        """Return the first observation of exactly a period that measures a metric, if any."""
        rows = self.observations_of(metric, via, exporter, span)
        return rows[0] if rows else None


Share = tuple[str, float, float, float, bool, tuple[str, ...]]

_PART_YEAR_WHAT = (
    "the figure of exactly this period ({} to {}), the best evidence for a part-year claim"
)


def _share_tolerance(c: Claim) -> str:
    tol = APPROX_SHARE_TOLERANCE if c.comparator == "approx" else SHARE_TOLERANCE
    return f"±{tol:g} percentage points"


def _observed(row: Obs, *, per_year: bool, what: str) -> Figure:
    """Return an observation's band as a figure, in Mt over its period or in Mt/year."""
    lo, hi = band(
        _number(row.amount), _number(row.amount_low), _number(row.amount_high), row.confidence
    )
    value = _number(row.amount)
    value = value if value is not None else (lo if lo > -math.inf else hi)
    scale = units.DAYS_PER_YEAR / (row.end - row.start).days if per_year else 1.0
    text = f"observation {row.name} ({row.origin}), {what}"
    return Figure(value * scale, max(lo, 0.0) * scale, hi * scale, (row.source,), text)


def delivering_routes(n: Facts, exporter: str, country: str) -> list[str]:
    """Return the routes whose end delivers only to `country` (such as a border pipeline)."""
    return [
        r
        for r, (_, end) in n.routes.items()
        if end in n.nodes and n.destination_country(exporter, end) == country
    ]


def node_scopes(n: Facts, node: str) -> tuple[str, ...]:
    """Return the scopes that measure all that leaves a node.

    ``node:X``; the route leaving it when only one does; and, for a node with one route in and
    one out (a terminal fed by one pipeline), the route entering it: over a period what arrives
    is what leaves, stock changes aside.
    """
    leaving = [k for k, (a, _) in n.routes.items() if a == node]
    entering = [k for k, (_, b) in n.routes.items() if b == node]
    scopes = [f"node:{node}"]
    if len(leaving) == 1:
        scopes.append(leaving[0])
        if len(entering) == 1:
            scopes.append(entering[0])
    return tuple(scopes)


def n_unit(n: Facts) -> str:
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

#: The measures of the observations of each volume metric (an exporter's; ``ALL``: every
#: shipper's).
_MEASURES: dict[Metric, tuple[str, ...]] = {
    "volume_via": ("flow",),
    "volume_via_node": ("flow",),
    "volume_crossing": ("flow", "exports"),
    "volume_bypassing": ("flow", "exports"),
    "volume_to_country": ("flow", "exports"),
    "share_of_route": ("throughput",),
    "total_exports": ("exports",),
    "production": ("production",),
    "refinery_runs": ("refinery_runs",),
}


def _observation_scopes(n: Facts, metric: Metric, via: str | None) -> tuple[str, ...]:
    """Return the scopes of the observations that measure a metric of `via`."""
    if metric in ("total_exports", "production", "refinery_runs"):
        return ("all",)
    if not via:
        return ()
    if metric in ("volume_via", "share_of_route") and via in n.routes:
        return (via,)
    if metric in ("volume_via", "volume_via_node") and via in n.nodes:
        return node_scopes(n, via)
    if metric == "volume_crossing":
        return (f"crossing:{via}",)
    if metric == "volume_bypassing":
        return (f"bypassing:{via}",)
    return (f"to:{via}",) if metric == "volume_to_country" else ()


def _observation_kind(
    n: Facts, metric: Metric, via: str | None, exporter: str = ""
) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    """Return the measures and the scopes of the observations that measure a volume metric.

    A figure of every shipper (`ALL`, and a share of a route's whole) is a ``throughput`` of a
    route or node; deliveries to a country count the routes delivering only there too.
    """
    whole = exporter == ALL or metric == "share_of_route"
    if whole and metric not in ("volume_via", "volume_via_node", "share_of_route"):
        return None
    measures = ("throughput",) if whole else _MEASURES.get(metric)
    scopes = _observation_scopes(n, metric, via)
    if measures is None or not scopes:
        return None
    if metric == "volume_to_country" and via:
        scopes = (*scopes, *delivering_routes(n, exporter, via))
    return measures, scopes


def _volume_figure(
    n: Facts, metric: Metric, via: str | None, exporter: str, year: int
) -> tuple[str, str]:
    """Return the reconciled figure string of a volume metric, and what it is a figure of."""
    if metric == "volume_via" and via in n.routes:
        return f"volume:route:{via}", f"{exporter}'s flow on {via} in {year}"
    if metric == "volume_via_node" and via in n.nodes:
        return f"volume:node:{via}", f"{exporter}'s oil leaving {via} in {year}"
    if metric == "volume_crossing" and via:
        return f"volume:crossing:{via}", f"{exporter}'s {year} exports crossing {via}"
    if metric == "volume_bypassing" and via:
        return f"volume:bypassing:{via}", f"{exporter}'s {year} exports bypassing {via}"
    if metric == "total_exports":
        return "total", f"{exporter}'s exports in {year}"
    return "", f"{metric}{' of ' + via if via else ''}"


def _capacity(n: Facts, kind: str, ident: str, year: int) -> Figure:
    """Whole-asset capacity of a route or node in force in a year, and its source."""
    what = f"capacity of {ident} in force in {year}"
    row = n.in_force(year, **{kind: ident}, exporter="")
    if row is None:
        return no_figure(what)
    return point(row.value, (row.source,), what)


def _supply(n: Facts, metric: Metric, exporter: str, year: int) -> Figure:
    quantity = str(metric)
    what = f"{exporter}'s {quantity.replace('_', ' ')} in {year}"
    row = n.supply_row(exporter, year, quantity)
    if row is None:
        return no_figure(what)
    return point(row.value, (row.source,), what)


# share readings: each returns (text, estimate) per reading of a share claim, or why none ------

ShareReader = Callable[[Judge, str, str, int], list[tuple[str, Est]] | str]


def _crossing_readings(
    j: Judge, country: str, exporter: str, year: int
) -> list[tuple[str, Est]] | str:
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
) -> list[tuple[str, Est]] | str:
    e = j.estimate(f"share:bypassing:{country}", exporter, year)
    if e is None:
        return f"no figures for {exporter} in {year}"
    return [(f"share of {exporter}'s {year} exports on routes touching no part of {country}", e)]


def _node_readings(j: Judge, node: str, exporter: str, year: int) -> list[tuple[str, Est]] | str:
    e = j.estimate(f"share:node:{node}", exporter, year)
    if e is None:
        return f"no figures for {exporter} in {year}"
    return [(f"share of {exporter}'s {year} exports leaving {node}", e)]


def _route_readings(j: Judge, route: str, exporter: str, year: int) -> list[tuple[str, Est]] | str:
    e = j.estimate(f"share:via:{route}", exporter, year)
    if e is None:
        return f"no figures for {exporter} in {year}"
    return [(f"share of {exporter}'s {year} exports carried by {route}", e)]


_SHARE_READERS: dict[Metric, ShareReader] = {
    "share_crossing": _crossing_readings,
    "share_via": _route_readings,
    "share_bypassing": _bypassing_readings,
    "share_via_node": _node_readings,
}
