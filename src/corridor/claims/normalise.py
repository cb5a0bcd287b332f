"""From a sentence and a number in it to a normalised `Claim`, or to nothing.

A quantity becomes a claim only when its sentence is about the network: it names the commodity,
an export, a route or a place of the package, and the number is a share, volume, rate or
capacity of it — not a price change, a vote or a term of years. The claim is normalised to an
exporter, a metric, a via (route, node or country), a comparator, a value with its unit, and a
period (a year written in the sentence; "last year" or "this year" from the article's date;
otherwise the latest complete year before that date).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from corridor.claims.extract import Comparator, Quantity
from corridor.claims.link import Linker, Links
from corridor.claims.vocabulary import (
    CAPACITY,
    CHANGE,
    EXPORT,
    LAST_YEAR,
    NETWORK_WORDS,
    NON_NETWORK,
    PRODUCTION,
    REFINING,
    SHARE_OF_NON_NETWORK,
    THIS_YEAR,
    YEAR,
    Metric,
    Verdict,
)
from corridor.display import Displayable
from corridor.metrics import latest_year
from corridor.network import Network


@dataclass(frozen=True)
class Reading:
    """One way of understanding a claim, with the model's figure and the verdict under it."""

    interpretation: str
    model_value: float | None
    model_range: tuple[float, float] | None
    verdict: Verdict
    sources: tuple[str, ...]


@dataclass(frozen=True, repr=False)
class Claim(Displayable):
    """A quantitative statement about the network, normalised, with its verdict.

    A claim is built unrated (``not_checkable``, no model figure); judging it returns a new
    claim with the verdict, the model's figure and unit, the tolerance, the interpretation, the
    sources and each reading. ``start`` and ``end`` locate the number in ``sentence``.

    ``exporter`` is ``"ALL"`` for a figure of every shipper on a route or asset (a pipeline's
    whole throughput). ``period`` is the year; ``span`` is the part of it, as ``[start, end)``,
    when the claim is of less than a whole year (January–October, a quarter, a month).
    ``basis`` says where the checker took the period from ("written", "from the headline",
    "present tense: the latest full year before 2025-11-30"), so the reader sees the date it
    assumed.
    """

    sentence: str
    quantity: str
    value: float
    high: float | None
    unit: str
    comparator: Comparator
    exporter: str | None
    commodity: str
    metric: Metric
    via: str | None
    period: int | None
    verdict: Verdict = "not_checkable"
    model_value: float | None = None
    model_unit: str | None = None
    tolerance: str = ""
    interpretation: str = ""
    sources: tuple[str, ...] = ()
    readings: tuple[Reading, ...] = ()
    start: int = 0
    end: int = 0
    span: tuple[date, date] | None = None
    basis: str = ""

    def to_dict(self) -> dict[str, Any]:
        """Return the claim as JSON-ready data (lists where the claim holds tuples)."""
        out = asdict(self)
        out["sources"] = list(self.sources)
        out["span"] = None if self.span is None else [d.isoformat() for d in self.span]
        out["readings"] = [
            {
                **asdict(r),
                "sources": list(r.sources),
                # an open end ("at least 9.9 Mt") is null: JSON has no infinity
                "model_range": None
                if r.model_range is None
                else [None if math.isinf(x) else x for x in r.model_range],
            }
            for r in self.readings
        ]
        return out

    def __repr__(self) -> str:
        value = f"{self.value:g}" if self.high is None else f"{self.value:g}–{self.high:g}"
        via = f" via {self.via}" if self.via else ""
        return (
            f"<Claim {self.exporter or '?'} {self.metric}{via} {self.period or '?'}: "
            f"{self.comparator} {value} {self.unit} → {self.verdict}>"
        )


@dataclass(frozen=True)
class Context:
    """What normalising needs besides the sentence: the package, its names, the date.

    ``complete`` lists, per exporter, the years with both route flows and total exports: a
    present-tense claim is read in the latest of them before the article's date.
    """

    n: Network
    linker: Linker
    when: date | None
    complete: dict[str, list[int]]

    @classmethod
    def of(cls, n: Network, when: date | None) -> Context:
        """Return the context for an article of date `when` checked against `n`."""
        return cls(n, Linker(n), when, complete_years(n))


def complete_years(n: Network) -> dict[str, list[int]]:
    """Return, per exporter, the years with route flows and total exports."""
    out: dict[str, list[int]] = {}
    totals = n.supply[n.supply["quantity"] == "exports"]
    for exporter in set(n.flows["exporter"]):
        have = set(totals.loc[totals["exporter"] == exporter, "year"])
        out[exporter] = sorted(y for y in n.years_with_flows(exporter) if y in have)
    return out


def claim_from(ctx: Context, s: str, q: Quantity) -> Claim | None:
    """Normalise one quantity of a sentence, or return None when it is not about the network."""
    if not is_about_network(ctx.linker, s, q):
        return None
    links = ctx.linker.link(s, q)
    metric, via = metric_of(s, q, links)
    if metric is None:
        return None
    return Claim(
        sentence=s,
        quantity=q.text,
        value=q.value,
        high=q.high,
        unit=q.unit,
        comparator=q.comparator,
        exporter=links.exporter,
        commodity=ctx.n.meta.commodity,
        metric=metric,
        via=via,
        period=period_of(ctx, s, q, links.exporter, state=metric == "capacity"),
        start=q.start,
        end=q.end,
    )


def is_about_network(linker: Linker, s: str, q: Quantity) -> bool:
    """Return True when the sentence is about the network and the number is part of it.

    A share that is a change ("rose by 5%"), a price or a vote, and money outside the network,
    are not.
    """
    if not NETWORK_WORDS.search(s) and not linker.assets_in(s):
        return False
    before = s[max(0, q.start - 40) : q.start]
    around = s[max(0, q.start - 60) : min(len(s), q.end + 40)]
    if q.kind == "share" and (
        CHANGE.search(before)
        or NON_NETWORK.search(around)
        or SHARE_OF_NON_NETWORK.match(s[q.end : q.end + 25])
    ):
        return False
    return not (
        q.kind == "money" and (not NETWORK_WORDS.search(around) or NON_NETWORK.search(around))
    )


def metric_of(s: str, q: Quantity, links: Links) -> tuple[Metric | None, str | None]:
    """Return the claim's metric and via (a route, node or country id), or (None, None)."""
    if q.kind == "money":
        return "value", links.route or links.node or links.via_country
    if q.kind == "share":
        return _share_metric(s, links)
    return _volume_metric(s, links)


def _share_metric(s: str, links: Links) -> tuple[Metric | None, str | None]:
    if links.bypass:
        return "share_bypassing", links.bypass
    if links.route:
        return "share_via", links.route
    if links.via_country:
        return "share_crossing", links.via_country
    if links.node:
        return "share_via_node", links.node
    return ("share_of_exports", None) if EXPORT.search(s) else (None, None)


def _volume_metric(s: str, links: Links) -> tuple[Metric | None, str | None]:
    asset = links.route or links.node
    if CAPACITY.search(s) and asset:
        return "capacity", asset
    if links.route:
        return "volume_via", links.route
    if links.node:
        return "volume_via_node", links.node
    if links.via_country:
        return "volume_crossing", links.via_country
    if links.bypass:
        return "volume_bypassing", links.bypass
    if REFINING.search(s):
        return "refinery_runs", None
    if PRODUCTION.search(s) and not EXPORT.search(s):
        return "production", None
    if EXPORT.search(s):
        return "total_exports", None
    if PRODUCTION.search(s):
        return "production", None
    return None, None


def period_of(
    ctx: Context, s: str, q: Quantity, exporter: str | None, *, state: bool = False
) -> int | None:
    """Return the year of a claim: written, relative to the date, or implied by the tense.

    A present-tense *state* (a capacity) is read in the article's own year; a present-tense
    flow or share in the latest complete year before it.
    """
    when, n = ctx.when, ctx.n
    years = [int(m.group(1)) for m in YEAR.finditer(s) if not (q.start <= m.start() < q.end)]
    if years:
        return years[0]
    if LAST_YEAR.search(s) and when:
        return when.year - 1
    if THIS_YEAR.search(s) and when:
        return when.year
    if state:
        return min(when.year, n.meta.last_year) if when else n.meta.last_year
    # present tense, no year: the latest complete year before the article's date
    exporter = exporter or n.meta.exporter
    before = [y for y in ctx.complete.get(exporter, []) if when is None or y < when.year]
    if before:
        return before[-1]
    return latest_year(n, exporter) if when is None and exporter in ctx.complete else None
