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
import re
from dataclasses import asdict, dataclass, replace
from datetime import date
from typing import TYPE_CHECKING, Any

from corridor.claims.extract import Comparator, Quantity, significant_digits
from corridor.claims.facts import Facts
from corridor.claims.link import Linker, Links, between, clause, clause_start
from corridor.claims.periods import part_of_year
from corridor.claims.vocabulary import (
    AGREEMENT,
    ALL_CARGO,
    ALL_SHIPPERS,
    ASSET_NOUN,
    ASSET_VERB,
    CAPACITY,
    CHANGE,
    CHANGE_AFTER,
    CHANGE_VOLUME_BEFORE,
    COMPARISON_START,
    DEADLINE,
    DESTINATION_BEFORE,
    EXPORT,
    FIELD_WORDS,
    FINANCE,
    FLOW_WORDS,
    MORE_THAN_AFTER,
    NETWORK_WORDS,
    NON_NETWORK,
    OF_OWNER,
    ONE_CARGO,
    OTHER_COMMODITY,
    OTHER_SCOPE,
    OWNERSHIP,
    PAST,
    PLAN,
    PLAN_AFTER,
    POSSIBILITY,
    PRESENT,
    PREVIOUS_YEAR,
    PRODUCER,
    PRODUCING_BODY,
    PRODUCTION,
    PRODUCTS,
    RAISE_TO,
    REFERS_BACK,
    REFINING,
    RESERVES,
    SAME_PERIOD,
    SEGMENT_BREAK,
    SHARE_OF_NON_NETWORK,
    SHORT_PERIOD,
    THIS_YEAR_WORDS,
    VESSEL,
    WORLD_SHARE,
    YEAR,
    Metric,
    Verdict,
)
from corridor.display import Displayable

if TYPE_CHECKING:
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
    assumed. ``unrated`` is why the claim cannot be rated, when reading it already says so (a
    seaborne-only or crude-only figure against a crude-and-condensate series).
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
    unrated: str = ""

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
class SetAside:
    """A number the checker read and set aside: not a fact about the network's flows.

    ``kind`` says what it is instead (a plan, a change, one field's output, another commodity …;
    see `SET_ASIDE_KINDS`), ``reason`` says it in words. Set-aside numbers are reported beside
    the claims, never rated.
    """

    sentence: str
    quantity: str
    value: float
    high: float | None
    unit: str
    kind: str
    reason: str
    start: int = 0
    end: int = 0

    def to_dict(self) -> dict[str, Any]:
        """Return the set-aside number as JSON-ready data (a non-finite number is null)."""
        out = asdict(self)
        for key in ("value", "high"):
            if out[key] is not None and not math.isfinite(out[key]):
                out[key] = None
        return out


#: What a set-aside number is, and the reason printed for it.
SET_ASIDE_KINDS: dict[str, str] = {
    "money": "money, not a volume of the network",
    "world_share": "a share of world or OPEC+ supply, not of the exporter's exports",
    "ownership": "a shareholding or stake, not a flow",
    "finance": "a figure of prices, revenue, budget or GDP, not a flow",
    "other_commodity": "a tonnage of another commodity (grain, metals, fertiliser …)",
    "products": "petroleum products or petrochemicals, not crude",
    "all_cargo": "all cargo (dry and liquid together), not crude alone",
    "reserves": "reserves in the ground, not a flow",
    "vessel": "a ship's size or one cargo, not a flow",
    "agreement": "an agreement, deal or quota: what was agreed, not what flowed",
    "plan": "a plan, target, forecast or possibility, not an observed figure",
    "change": "a change (growth, cut, disruption), not a level",
    "field": "one field's output or capacity, not the network's",
    "company": "one company's figure, not the network's",
    "other_country": "a figure of a country outside the package",
    "unreadable_number": (
        "a number too long or too large to be a figure of the network (not finite, more than "
        "15 significant digits, or over a trillion of its unit): not read as a claim"
    ),
}
#: The most significant digits a number of a claim may be written with (a float's precision).
MAX_SIGNIFICANT_DIGITS = 15
#: The largest value a number of a claim may have, in its own unit (Mt, bbl/day, %, USD …).
MAX_MAGNITUDE = 1e12


@dataclass
class Carry:
    """What an article has said so far that later sentences lean on.

    The period (a year, or part of one) and the last route, node and destination named carry
    over from the headline and earlier sentences into a sentence that names none of its own
    ("In 2023, the volume reached …" after a sentence naming the pipeline).
    """

    year: int | None = None
    span: tuple[date, date] | None = None
    route: str | None = None
    node: str | None = None
    destination: str | None = None
    metric: Metric | None = None


@dataclass(frozen=True)
class Context:
    """What normalising needs besides the sentence: the package, its names, the date.

    ``complete`` lists, per exporter, the years with both route flows and total exports: a
    present-tense claim is read in the latest of them before the article's date.
    """

    n: Facts
    linker: Linker
    when: date | None
    complete: dict[str, list[int]]

    @classmethod
    def of(cls, n: Network | Facts, when: date | None) -> Context:
        """Return the context for an article of date `when` checked against `n`."""
        facts = n if isinstance(n, Facts) else Facts.of(n)
        return cls(facts, Linker(facts), when, facts.complete)


def segment(s: str, q: Quantity) -> tuple[int, int]:
    """Return the span of the comma-level list item holding the quantity (brackets stay in)."""
    return between(SEGMENT_BREAK, s, q)


def read_number(ctx: Context, s: str, q: Quantity, carry: Carry) -> Claim | SetAside | None:
    """Read one number of a sentence: a claim, a number set aside (and why), or nothing.

    Nothing: the sentence is not about the network at all. Set aside: the number is about the
    oil sector but is not a fact about the network's flows (`set_aside`). Otherwise a `Claim`,
    linked in the number's own clause, with its period from the clause, the sentence, the
    article so far (`carry`) or the tense.
    """
    carried = carry.route or carry.node or carry.destination or carry.metric
    leans = FLOW_WORDS.search(s) or REFERS_BACK.search(s)  # "In 2023 this figure was 993 kt"
    if not is_about_network(ctx.linker, s, q) and not (carried and leans):
        return None
    kind = "unreadable_number" if not readable(q) else set_aside(ctx, s, q)
    if kind is not None:
        return SetAside(s, q.text, q.value, q.high, q.unit, kind, SET_ASIDE_KINDS[kind], *q_span(q))
    links = with_carry(ctx.linker, s, q, ctx.linker.link(s, q), carry)
    metric, via = metric_of(s, q, links)
    if metric is None and carry.metric and REFERS_BACK.search(s):
        metric, via = carry.metric, None  # "Oil output fell. Over 10 months it was 73.5 Mt."
    if metric is None:
        return None
    kind = _producer(ctx.linker, s, q) if metric in NATIONAL else None
    if links.named and links.exporter not in ctx.linker.exporters | {ctx.n.meta.exporter}:
        kind = "other_country"  # "cuts in Norway and Canada": no flows of theirs in the package
    if metric in ("volume_via_node", "capacity") and via in ctx.linker.fields:
        kind = "field"  # a field's output or capacity, not a flow through the network
    if kind is not None:
        # one field's or one company's total; a company's flow on a route or to a country is
        # the network's ("the operator shipped 1 Mt to Germany")
        return SetAside(s, q.text, q.value, q.high, q.unit, kind, SET_ASIDE_KINDS[kind], *q_span(q))
    state = metric == "capacity"
    year, span, basis = period_of(ctx, s, q, links.exporter, carry, state=state)
    return Claim(
        sentence=s,
        quantity=q.text,
        value=q.value,
        high=q.high,
        unit=q.unit,
        comparator=q.comparator,
        exporter=shipper(ctx.linker, s, q, links, metric),
        commodity=ctx.n.meta.commodity,
        metric=metric,
        via=via,
        period=year,
        start=q.start,
        end=q.end,
        span=span,
        basis=basis,
        unrated=_other_scope(s, q),
    )


def readable(q: Quantity) -> bool:
    """Tell whether a quantity's numbers can be a figure at all (`MAX_MAGNITUDE`, finite).

    Examples
    --------
    >>> q = Quantity("amount", 1e300, "Mt", "eq", None, 0, 9, "1e300 Mt")
    >>> readable(q), readable(replace(q, value=78.7, text="78.7 Mt"))
    (False, True)
    """
    values = [q.value] if q.high is None else [q.value, q.high]
    return (
        all(math.isfinite(v) and abs(v) <= MAX_MAGNITUDE for v in values)
        and significant_digits(q.text) <= MAX_SIGNIFICANT_DIGITS
    )


def _other_scope(s: str, q: Quantity) -> str:
    lo, hi = clause(s, q)
    m = OTHER_SCOPE.search(s, lo, hi)
    if m is None:
        return ""
    return (
        f"a figure of another scope ({m.group(0)}) than the package's crude-and-condensate "
        "series; read, not rated"
    )


def q_span(q: Quantity) -> tuple[int, int]:
    """Return where the number is in its sentence."""
    return q.start, q.end


def is_about_network(linker: Linker, s: str, q: Quantity) -> bool:
    """Return True when the sentence is about the network and the number is part of it.

    A share that is a change ("rose by 5%"), a price or a vote, and money outside the network,
    are not.
    """
    if not NETWORK_WORDS.search(s) and not linker.assets_in(s):
        return False
    around = s[max(0, q.start - 60) : min(len(s), q.end + 40)]
    return not (
        q.kind == "share"
        and (NON_NETWORK.search(around) or SHARE_OF_NON_NETWORK.match(s[q.end : q.end + 25]))
    )


def _window(s: str, q: Quantity) -> tuple[str, str, str, str]:
    """Return the number's segment, its clause before the number, after it, and the clause."""
    seg_lo, seg_hi = segment(s, q)
    lo, hi = clause(s, q)
    return s[seg_lo:seg_hi], s[lo : q.start], s[q.end : min(hi, q.end + 40)], s[lo:hi]


#: How far before a number (in characters, within its clause) a plan or deal word governs it:
#: "plans to raise exports via BTC to 20 Mt" is a plan; a plan word a long way back, across a
#: subordinate phrase, usually governs another verb.
PLAN_REACH = 90


def set_aside(ctx: Context, s: str, q: Quantity) -> str | None:
    """Return the kind of a number that is not a network fact (`SET_ASIDE_KINDS`), or None.

    Every test reads the number's own segment or clause, so a plan in one clause does not set
    aside the actual figure in the next ("plans to ship 2 Mt, up from 1.4 Mt last year").
    """
    seg, before, after, whole = _window(s, q)
    if q.kind == "money":
        return "money"
    if q.kind == "share":
        found = _share_aside(s, q, seg, before, after)
        if found:
            return found
    for kind, pattern, where in (
        ("other_commodity", OTHER_COMMODITY, seg),
        ("products", PRODUCTS, seg),
        ("all_cargo", ALL_CARGO, whole),
        ("reserves", RESERVES, seg),
        ("vessel", VESSEL, seg),
        ("agreement", AGREEMENT, before[-PLAN_REACH:] + after[:25]),
        ("plan", PLAN, before[-PLAN_REACH:]),
        ("plan", POSSIBILITY, "" if CAPACITY.search(whole) else before[-PLAN_REACH:]),
        ("plan", PLAN_AFTER, s[q.end : segment(s, q)[1]]),
        ("change", CHANGE_VOLUME_BEFORE, before),
        ("change", MORE_THAN_AFTER, after),
        ("vessel", ONE_CARGO, before[-60:]),
    ):
        if pattern.search(where):
            return kind
    if RAISE_TO.search(before) and PLAN.search(before):
        return "plan"  # "aims to raise the volume carried via BTC … to 2.2 Mt"
    if PRODUCER.search(before) and not _names_flow(ctx.linker, seg):
        return "company"  # a company's own total; its flow on a route or to a country is not
    if CAPACITY.search(seg) and PRODUCTION.search(seg) and not ctx.linker.assets_in(seg):
        return "field"  # a country's production capacity: no network asset to rate it on
    return "field" if _field_figure(ctx.linker, s, q, seg) else None


def _field_figure(linker: Linker, s: str, q: Quantity, seg: str) -> bool:
    """Return True when the number is one field's output.

    The field is the subject ("Tengiz output was cut to 39,000 t owing to CPC limits"), or it
    alone is named where the number is.
    """
    lo, _ = clause(s, q)
    if lo > 0 and COMPARISON_START.search(s[:lo]):
        lo = clause_start(s, lo)  # "cut to 39,000 t from the usual 84,000 t"
    lead = s[lo : q.start]
    named = [a for a in linker.assets_in(lead) if a.ident in linker.fields]
    if (named or FIELD_WORDS.search(lead)) and PRODUCTION.search(lead):
        return True
    if q.kind == "share" and not PRODUCTION.search(seg):
        return False  # "80% of exports (Tengiz, Kashagan …)": the fields say whose oil
    # only a field named in the number's own list item: "…, helped by the Tengiz expansion" is
    # not the number's subject
    mentions = linker.assets_in(seg)
    return (
        bool(PRODUCTION.search(seg))
        and any(a.ident in linker.fields for a in mentions)
        and not any(a.kind == "route" or a.ident not in linker.fields for a in mentions)
    )


def _share_aside(s: str, q: Quantity, seg: str, before: str, after: str) -> str | None:
    if WORLD_SHARE.match(re.sub(r"^\s*(?:share\s+)?(?:of|in)\b", "", after)):
        return "world_share"
    if OWNERSHIP.search(seg) or OWNERSHIP.search(after[:30]):
        return "ownership"
    if FINANCE.search(after[:40]) or FINANCE.search(seg) or FINANCE.search(before):
        return "finance"
    if CHANGE.search(before) or CHANGE_VOLUME_BEFORE.search(before) or CHANGE_AFTER.match(after):
        return "change"
    return None


def _names_flow(linker: Linker, text: str) -> bool:
    """Return True when a text names a route, a non-field node or a country oil goes to."""
    assets = linker.assets_in(text)
    if any(a.kind == "route" or a.ident not in linker.fields for a in assets):
        return True
    return any(
        DESTINATION_BEFORE.search(text[max(0, c.start - 12) : c.start])
        for c in linker.countries(text)
    )


#: The metrics that are a whole country's figures: a field's or a company's is not one of them.
NATIONAL: frozenset[Metric] = frozenset({"production", "total_exports", "refinery_runs"})


def _producer(linker: Linker, s: str, q: Quantity) -> str | None:
    """Return "field" or "company" when a national figure is one field's or one body's.

    The field must be the subject (named before the number) or named in the number's own list
    item: "output reached 278 kt, helped by the Tengiz expansion" is the country's.
    """
    lo, _ = clause(s, q)
    seg_lo, seg_hi = segment(s, q)
    before = s[lo : q.start]
    where = before + " " + s[seg_lo:seg_hi]
    if any(a.ident in linker.fields for a in linker.assets_in(where)) or FIELD_WORDS.search(where):
        return "field"
    if PRODUCER.search(before) or (PRODUCING_BODY.search(before) and not linker.countries(before)):
        return "company"
    return None


def with_carry(linker: Linker, s: str, q: Quantity, links: Links, carry: Carry) -> Links:
    """Return the links with the route, node or destination an earlier sentence named.

    Only a sentence that names no route, node or country of its own, and refers back ("the
    pipeline", "the volume", "these"), takes them.
    """
    if links.route or links.node or links.via_country or links.bypass or links.destination:
        return links
    if not (REFERS_BACK.search(s[: q.end + 40]) or _unlinked_flow(s)):
        return links
    return replace(links, route=carry.route, node=carry.node, destination=carry.destination)


def _unlinked_flow(s: str) -> bool:
    """Return True for a sentence of shipments that names no export total or production."""
    return bool(FLOW_WORDS.search(s)) and not (EXPORT.search(s) or PRODUCTION.search(s))


def update_carry(linker: Linker, s: str, carry: Carry, ctx: Context) -> None:
    """Record what a sentence names for the sentences after it (the period, route, node)."""
    latest = ctx.when.year if ctx.when else ctx.n.meta.last_year
    years = [
        int(m.group(1))
        for m in YEAR.finditer(s)
        if not DEADLINE.search(s[max(0, m.start() - 30) : m.start()]) and int(m.group(1)) <= latest
    ]
    if years:
        carry.year = years[0]
        carry.span = part_of_year(s, years[0])
    elif carry.year is not None and (span := part_of_year(s, carry.year)) is not None:
        carry.span = span
    elif ctx.when is not None and (span := part_of_year(s, ctx.when.year)) is not None:
        # "in March" with no year: the latest March before the article
        carry.year = ctx.when.year if span[0] <= ctx.when else ctx.when.year - 1
        carry.span = part_of_year(s, carry.year)
    assets = linker.assets_in(s)
    routes = [a.ident for a in assets if a.kind == "route"]
    nodes = [a.ident for a in assets if a.kind == "node" and a.ident not in linker.fields]
    if routes or nodes:
        carry.route = routes[0] if routes else None
        carry.node = nodes[0] if nodes and not routes else None
    dest = [
        c.ident
        for c in linker.countries(s)
        if DESTINATION_BEFORE.search(s[max(0, c.start - 12) : c.start])
    ]
    if dest:
        carry.destination = dest[0]
    found = _flow_metric(s)
    if found is not None or routes or nodes or dest:
        carry.metric = found[0] if found else None


def shipper(linker: Linker, s: str, q: Quantity, links: Links, metric: Metric) -> str:
    """Return whose oil a number is: the exporter named, or ``ALL`` for a whole asset's figure.

    A capacity is always the whole asset's. A volume on a route or node is every shipper's when
    no exporter is named in the number's clause and the clause says so ("total shipments via
    CPC") or has the asset as its subject ("the terminal handled 63 Mt").
    """
    if metric == "capacity":
        return "ALL"
    if metric not in ("volume_via", "volume_via_node", "volume_to_country"):
        return links.exporter
    lo, _ = clause(s, q)
    before = s[lo : q.start]
    verbs = list(ASSET_VERB.finditer(before))
    # "a pipeline that currently transports 300,000 b/d": the asset is the subject
    if (
        verbs
        and ASSET_NOUN.search(before[: verbs[-1].start()][-50:])
        and not linker.countries(before[verbs[-1].start() :])
        and not _owner_after(linker, s, q)
    ):
        return "ALL"
    if linker.countries(before) or _owner_after(linker, s, q):
        return links.exporter
    return "ALL" if ALL_SHIPPERS.search(before) else links.exporter


def _owner_after(linker: Linker, s: str, q: Quantity) -> bool:
    """Return True when the words after a number say whose oil it is ("of Kazakh oil")."""
    after = s[q.end : q.end + 30]
    return any(OF_OWNER.search(after[: c.start]) for c in linker.countries(after))


def metric_of(s: str, q: Quantity, links: Links) -> tuple[Metric | None, str | None]:
    """Return the claim's metric and via (a route, node or country id), or (None, None)."""
    if q.kind == "money":
        return "value", links.route or links.node or links.via_country
    if q.kind == "share":
        return _share_metric(s, links)
    return _volume_metric(s, q, links)


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


def _volume_metric(s: str, q: Quantity, links: Links) -> tuple[Metric | None, str | None]:
    lo, hi = clause(s, q)
    asset = links.route or links.node
    if CAPACITY.search(s) and asset:
        return "capacity", asset
    if links.route:
        return "volume_via", links.route
    if links.node:
        return "volume_via_node", links.node
    if links.destination and links.destination != links.exporter:
        return "volume_to_country", links.destination  # more precise than the country crossed
    if links.via_country:
        return "volume_crossing", links.via_country
    if links.bypass:
        return "volume_bypassing", links.bypass
    return _flow_metric(s[lo:hi]) or _flow_metric(s) or (None, None)


def _flow_metric(part: str) -> tuple[Metric, None] | None:
    """Return the national figure a text names: refining, production or exports, or None."""
    if REFINING.search(part):
        return "refinery_runs", None
    if PRODUCTION.search(part) and not EXPORT.search(part):
        return "production", None
    if EXPORT.search(part):
        return "total_exports", None
    if PRODUCTION.search(part):
        return "production", None
    return None


def period_of(
    ctx: Context,
    s: str,
    q: Quantity,
    exporter: str | None,
    carry: Carry | None = None,
    *,
    state: bool = False,
) -> tuple[int | None, tuple[date, date] | None, str]:
    """Return a claim's year, the part of it (or None), and where the checker took them from.

    In order: a year written in the number's clause, then in the sentence; "last year" or
    "this year" from the article's date; the period an earlier sentence set (when this one is
    not in the present tense); else the latest complete year before the article's date (a
    present-tense *state*, a capacity, is read in the article's own year).
    """
    carry = carry or Carry()
    year, basis = _year_of(ctx, s, q, carry, state=state, exporter=exporter)
    if year is None:
        return None, None, basis
    lo, hi = clause(s, q)
    seg_lo, seg_hi = segment(s, q)
    span = (
        part_of_year(s[seg_lo:seg_hi], year)  # "816 kt in January, 836 kt in February"
        or part_of_year(s[lo:hi], year)
        or part_of_year(s, year)
    )
    inherits = SAME_PERIOD.search(s) or basis.startswith("from an earlier")
    if span is None and carry.span is not None and carry.span[0].year == year and inherits:
        span = carry.span
        basis += f"; the part of the year ({span[0]} to {span[1]}) from an earlier sentence"
    if span is None and (
        SHORT_PERIOD.search(s[seg_lo:seg_hi]) or SHORT_PERIOD.search(s[lo : q.start])
    ):
        basis += "; a day, a week or a month to date"
        span = (date(year, 1, 1), date(year, 1, 1))  # an empty span: no observation fits it
    return year, span, basis


def _year_of(
    ctx: Context, s: str, q: Quantity, carry: Carry, *, state: bool, exporter: str | None
) -> tuple[int | None, str]:
    """Return the year of a number and where it came from: said in the text, else the tense."""
    said = _year_said(ctx, s, q)
    if said is not None:
        return said
    when, n = ctx.when, ctx.n
    if state:
        year = min(when.year, n.meta.last_year) if when else n.meta.last_year
        return year, "present tense: the year of the article"
    lo, hi = clause(s, q)
    part = s[lo:hi]
    present = PRESENT.search(part) and not PAST.search(part)
    if carry.year is not None and not present:
        return carry.year, "from an earlier sentence"
    if (
        when is not None
        and present
        and q.unit.endswith("/day")
        and when.month > 3  # early in a year, "now" is still last year's figures
        and when.year in n.meta.years
    ):
        return when.year, f"present tense, a rate per day: the article's year ({when})"
    if when is not None:
        return when.year - 1, f"present tense: the latest full year before {when}"
    if (exporter or n.meta.exporter) in ctx.complete:
        return n.latest[exporter or n.meta.exporter], "present tense: the package's latest year"
    return None, "no year written and no date to read the present tense from"


def _year_said(ctx: Context, s: str, q: Quantity) -> tuple[int, str] | None:
    """Return the year the text gives a number: written, "last year", "in June", "this year"."""
    when = ctx.when
    lo, hi = clause(s, q)
    part = s[lo:hi]
    written = written_year(s, q)
    if written is not None and _year_follows(s, q, written):
        return written, "written"  # "11.8 Mt in 2013", whatever else the clause says
    if PREVIOUS_YEAR.search(part):
        # "a year earlier" is before the year the sentence is about; "last year" before the date
        if written is not None and not YEAR.search(part):
            return written - 1, f"the year before {written}"
        if when is not None:
            return when.year - 1, f"last year, from the article's date {when}"
    if written is not None:
        return written, "written"
    seg_lo, seg_hi = segment(s, q)
    near = s[seg_lo:seg_hi]
    if when is not None and (
        (span := part_of_year(near, when.year)) or (span := part_of_year(part, when.year))
    ):
        year = when.year if span[0] <= when else when.year - 1
        return year, f"part of a year, the latest before the article's date {when}"
    if THIS_YEAR_WORDS.search(part) and when:
        return when.year, f"this year, from the article's date {when}"
    if PREVIOUS_YEAR.search(s) and when:  # "Last year X shipped A, while B went to China"
        return when.year - 1, f"last year, from the article's date {when}"
    return None


def _year_follows(s: str, q: Quantity, year: int) -> bool:
    """Return True when `year` is written just after the number ("1.3 Mt in 2018")."""
    return str(year) in s[q.end : q.end + 25]


def written_year(s: str, q: Quantity) -> int | None:
    """Return the year written for a number: in its clause, nearest after it, else before it.

    "1.39 Mt in 2023 and 1.4 Mt in 2024": each number takes the year just after it. A year that
    is a deadline ("by 2026") is not the period of a figure.
    """
    lo, hi = clause(s, q)
    found = [
        (m.start(), int(m.group(1)))
        for m in YEAR.finditer(s)
        if not (q.start <= m.start() < q.end)
        and not DEADLINE.search(s[max(0, m.start() - 30) : m.start()])
    ]
    if not found:
        return None
    in_clause = [(at, y) for at, y in found if lo <= at < hi] or found
    after = [(at, y) for at, y in in_clause if at >= q.end and at - q.end <= 25]
    if after:
        return after[0][1]
    before = [(at, y) for at, y in in_clause if at < q.start]
    return before[-1][1] if before else in_clause[0][1]
