"""From sentences to claims about the network, and from claims to verdicts.

A quantity becomes a *claim* only when its sentence is about the network: it names the
commodity, an export, a route or a place of the package, and the number is a share, volume,
rate or capacity of it — not a price change, a vote or a term of years. Each claim is
normalised (exporter, metric, via, comparator, value, unit, period) and checked against the
model's figure for that period, with a stated tolerance. "Via Russia" has two readings for an
exporter whose focus country is Russia — crossing Russian territory or ports, or the package's
focus route (CPC) alone — and both are rated.
"""

from __future__ import annotations

import csv
import re
from dataclasses import asdict, dataclass, field
from datetime import date
from functools import cache
from importlib.resources import files
from typing import Any

from corridor import units
from corridor.claims.extract import Quantity, quantities
from corridor.claims.text import article_text, sentences
from corridor.exceptions import UnitError
from corridor.metrics import YearMetrics, compute, latest_year
from corridor.network import Network
from corridor.package import load_package

#: Tolerances: shares in percentage points, volumes relative.
SHARE_TOLERANCE = 2.0
APPROX_SHARE_TOLERANCE = 3.0
VOLUME_TOLERANCE = 0.05
APPROX_VOLUME_TOLERANCE = 0.10

_NETWORK_WORDS = re.compile(
    r"\b(oil|crude|petroleum|condensate|exports?|exported|exporting|shipments?|shipped|transit|"
    r"pipelines?|barrels?|throughput|tankers?|terminal|loadings?)\b",
    re.I,
)
_CHANGE = re.compile(
    r"\b(rose|rise|rising|increased?|increasing|grew|growth|jumped|surged|"
    r"fell|fall|falling|declined?|dropped|drop|down|up|higher|lower|cut|"
    r"reduction|by)\s+(?:by\s+)?(?:about\s+|around\s+|some\s+)?$",
    re.I,
)
_NON_NETWORK = re.compile(
    r"\b(price|prices|tariff|inflation|vote|voted|voters|turnout|"
    r"referendum|stake|shareholding|owns|interest\s+rate|GDP|budget|"
    r"tax|duty|premium|discount|yield|margin|wages?|population)\b",
    re.I,
)
_PLAN = re.compile(
    r"\b(plans?|planned|planning|targets?|aims?|aiming|intends?|goal|could|would|"
    r"will|may|might|expects?|expected|forecasts?|projected|projects|seeks?|"
    r"hopes?|wants?|potential(?:ly)?|to\s+(?:raise|increase|boost|reach|ship))\b",
    re.I,
)
_NEGATION = re.compile(
    r"\b(not|no longer|never|neither|nor|isn't|wasn't|aren't|weren't|"
    r"doesn't|didn't)\b",
    re.I,
)
_CAPACITY = re.compile(
    r"\b(capacity|can\s+(?:carry|handle|pump|ship|take)|designed\s+to|"
    r"able\s+to\s+(?:carry|handle|pump))\b",
    re.I,
)
_PARTIAL = re.compile(
    r"\b(first\s+half|second\s+half|H1|H2|Q[1-4]|quarter|January|February|"
    r"March|April|May|June|July|August|September|October|November|December|"
    r"Jan(?:uary)?[-–]\w+|nine\s+months|9M|month|weekly|daily\s+rate)\b"
)
_YEAR = re.compile(
    r"(?<!\d)(?<!\d[.,])(19[5-9]\d|20[0-9]\d)(?!\d|[.,]\d|\s*(?:%|per\s?cent|t\b|tons|"
    r"tonnes|barrels|bbl|mb/d|kb/d|bpd))"
)
_VIA = (
    r"(?:via|through|across|by\s+way\s+of|transit(?:s|ed|ing)?(?:\s+through)?|"
    r"cross(?:es|ed|ing)?|pass(?:es|ed)?\s+through|go(?:es)?\s+through|through\s+the)"
)
_BYPASS = re.compile(
    r"\b(bypass(?:es|ed|ing)?|avoid(?:s|ed|ing)?|circumvent(?:s|ed|ing)?|"
    r"around|not\s+through|not\s+via)\b",
    re.I,
)
_PRODUCTION = re.compile(r"\b(produc(?:e|ed|es|tion|ing)|output|extract(?:ed|ion))\b", re.I)
_REFINING = re.compile(r"\b(refin(?:ed|ery|eries|ing)|processed)\b", re.I)
_EXPORT = re.compile(r"\bexport", re.I)
_COMMODITY = re.compile(r"\b(oil|crude|petroleum|condensate)\b", re.I)


@dataclass
class Reading:
    """One way of understanding a claim, with the model's figure and the verdict under it."""

    interpretation: str
    model_value: float | None
    model_range: tuple[float, float] | None
    verdict: str
    sources: list[str]


@dataclass
class Claim:
    """A quantitative statement about the network, normalised, with its verdict."""

    sentence: str
    quantity: str
    value: float
    high: float | None
    unit: str
    comparator: str
    exporter: str | None
    commodity: str
    metric: str
    via: str | None
    period: int | None
    verdict: str = "not_checkable"
    model_value: float | None = None
    model_unit: str | None = None
    tolerance: str = ""
    interpretation: str = ""
    sources: list[str] = field(default_factory=list)
    readings: list[Reading] = field(default_factory=list)
    start: int = 0
    end: int = 0

    def to_dict(self) -> dict[str, Any]:
        """Return the claim as JSON-ready data."""
        out = asdict(self)
        out["readings"] = [asdict(r) for r in self.readings]
        return out


@cache
def _country_aliases() -> list[tuple[re.Pattern[str], str]]:
    text = files("corridor.claims").joinpath("aliases.csv").read_text(encoding="utf-8")
    rows = sorted(csv.DictReader(text.splitlines()), key=lambda r: -len(r["alias"]))
    return [(re.compile(rf"\b{re.escape(r['alias'])}(?:'s|’s)?\b"), r["country"]) for r in rows]


class Linker:
    """Finds countries, routes and nodes of a package in a sentence."""

    def __init__(self, n: Network) -> None:
        self.n = n
        names: list[tuple[str, str, str]] = []  # (alias, kind, id)
        for rid, r in n.routes.iterrows():
            for a in (*r["aliases"], r["name"]):
                names.append((a, "route", str(rid)))
        for nid, r in n.nodes.iterrows():
            if r["kind"] == "market":
                continue
            for a in (*r["aliases"], r["name"], f"port of {r['name']}"):
                names.append((a, "node", str(nid)))
        names.sort(key=lambda x: -len(x[0]))
        self.assets = []
        for a, kind, ident in names:
            flags = re.I if len(a) > 4 else 0  # short aliases (CPC, BTC) only in capitals
            self.assets.append(
                (re.compile(rf"(?<![\w-]){re.escape(a)}(?![\w-])", flags), kind, ident)
            )

    def countries(self, s: str) -> list[tuple[int, int, str]]:
        """Return (start, end, ISO3) of each country mention, longest aliases first."""
        found: list[tuple[int, int, str]] = []
        for pattern, code in _country_aliases():
            for m in pattern.finditer(s):
                if not any(a < m.end() and m.start() < b for a, b, _ in found):
                    found.append((m.start(), m.end(), code))
        return sorted(found)

    def assets_in(self, s: str) -> list[tuple[int, int, str, str]]:
        """Return (start, end, kind, id) of each route or node mention."""
        found: list[tuple[int, int, str, str]] = []
        for pattern, kind, ident in self.assets:
            for m in pattern.finditer(s):
                if not any(a < m.end() and m.start() < b for a, b, _, _ in found):
                    found.append((m.start(), m.end(), kind, ident))
        return sorted(found)


def check_claims(
    text: str, date: date | None = None, network: Network | None = None
) -> list[Claim]:
    """Find the quantitative claims about the network in an article and check each one.

    Parameters
    ----------
    text : str
        Plain text or HTML (reduced to the article's main text).
    date : date, optional
        Publication date, for "last year"/"this year" and undated present-tense claims; else
        the HTML's date, else the package's latest complete year is used.
    network : Network, optional
        Default the built-in package.

    Examples
    --------
    >>> c = check_claims("More than 80% of Kazakhstan's oil is exported via Russia.",
    ...                  date=datetime.date(2026, 3, 1))[0]
    >>> c.metric, c.via, c.period, c.verdict
    ('share_crossing', 'RUS', 2025, 'supported')
    """
    n = network if network is not None else load_package()
    body, found_date = article_text(text)
    when = date or found_date
    linker = Linker(n)
    metrics: dict[tuple[str, int], YearMetrics] = {}  # one computation per exporter and year
    complete = _complete_years(n)
    claims: list[Claim] = []
    for s in sentences(body):
        for q in quantities(s):
            claim = _claim(n, linker, s, q, when, complete)
            if claim is not None:
                _judge(n, claim, metrics)
                claims.append(claim)
    return claims


def _metrics(
    n: Network, exporter: str, year: int, cache: dict[tuple[str, int], YearMetrics]
) -> YearMetrics:
    if (exporter, year) not in cache:
        cache[(exporter, year)] = compute(n, exporter, year)
    return cache[(exporter, year)]


def _complete_years(n: Network) -> dict[str, list[int]]:
    """Years with route flows and total exports, per exporter."""
    out: dict[str, list[int]] = {}
    totals = n.supply[n.supply["quantity"] == "exports"]
    for exporter in set(n.flows["exporter"]):
        have = set(totals.loc[totals["exporter"] == exporter, "year"])
        out[exporter] = sorted(y for y in n.years_with_flows(exporter) if y in have)
    return out


def _claim(
    n: Network,
    linker: Linker,
    s: str,
    q: Quantity,
    when: date | None,
    complete: dict[str, list[int]],
) -> Claim | None:
    """Normalise one quantity of a sentence, or return None when it is not about the network."""
    if not _NETWORK_WORDS.search(s) and not linker.assets_in(s):
        return None
    before = s[max(0, q.start - 40) : q.start]
    around = s[max(0, q.start - 60) : min(len(s), q.end + 40)]
    if q.kind == "share":
        if _CHANGE.search(before) or _NON_NETWORK.search(around):
            return None
        after = s[q.end : q.end + 25]
        if re.match(
            r"\s*(?:of|to)\s+(?:the\s+)?(?:votes?|voters|shares?|stake|GDP|budget)", after, re.I
        ):
            return None
    if q.kind == "money" and (not _NETWORK_WORDS.search(around) or _NON_NETWORK.search(around)):
        return None
    found_assets = linker.assets_in(s)
    # a country named inside an asset's name ("Kazakhstan–China pipeline") is not a mention
    all_countries = [
        c for c in linker.countries(s) if not any(a <= c[0] < b for a, b, _, _ in found_assets)
    ]
    lo, hi = _clause(s, q)
    countries = [c for c in all_countries if lo <= c[0] < hi]
    assets = [a for a in found_assets if lo <= a[0] < hi]
    exporters = set(n.flows["exporter"])
    via_country = bypass = None
    via_at = -1
    for a, _, code in countries:
        lead = s[max(0, a - 30) : a]
        if _BYPASS.search(lead) and bypass is None:
            bypass = code
        elif re.search(
            r"\b" + _VIA + r"\s+(?:the\s+)?(?:territory\s+of\s+|ports\s+of\s+)?$", lead, re.I
        ) and (via_country is None or _nearer(a, via_at, q)):
            via_country, via_at = code, a
    owners = [
        c
        for a, _, c in all_countries
        if c not in (via_country, bypass)
        and not re.search(r"\b(?:to|into|towards)\s+(?:the\s+)?$", s[max(0, a - 12) : a])
    ]
    exporter = next((c for c in owners if c in exporters), None)
    if exporter is None:
        exporter = owners[0] if owners else n.meta.exporter
    route = _nearest(q, [(a, ident) for a, _, kind, ident in assets if kind == "route"])
    nodes_in = [ident for _, _, kind, ident in assets if kind == "node"]
    if route is None and len(nodes_in) >= 2:  # "from Aktau to Makhachkala": the leg between them
        legs = n.routes[
            (n.routes["from_node"] == nodes_in[0]) & (n.routes["to_node"] == nodes_in[1])
        ]
        route = str(legs.index[0]) if len(legs) else None
    node = _nearest(q, [(a, ident) for a, _, kind, ident in assets if kind == "node"])
    route_at = next((a for a, _, kind, ident in assets if ident == route), -1)
    if via_country is not None and route is not None and _nearer(via_at, route_at, q):
        route = node = None  # "via Russia, mostly through CPC": the country is the claim's via
    elif via_country is not None and route is not None:
        via_country = None
    metric, via = _metric(s, q, via_country, bypass, route, node)
    if metric is None:
        return None
    return Claim(
        sentence=s,
        quantity=q.text,
        value=q.value,
        high=q.high,
        unit=q.unit,
        comparator=q.comparator,
        exporter=exporter,
        commodity=n.meta.commodity,
        metric=metric,
        via=via,
        period=_period(s, q, when, n, exporter, complete, metric == "capacity"),
        start=q.start,
        end=q.end,
    )


_CLAUSE = re.compile(
    r";|,\s*(?:of\s+which|while|whereas|but|and|which|compared\s+with)\b|"
    r"\bwhile\b|\bwhereas\b"
)


def _clause(s: str, q: Quantity) -> tuple[int, int]:
    """Return the span of the clause holding the quantity (split at '; , of which, while…')."""
    lo, hi = 0, len(s)
    for m in _CLAUSE.finditer(s):
        if m.end() <= q.start:
            lo = m.end()
        elif m.start() >= q.end:
            hi = m.start()
            break
    return lo, hi


def _nearer(a: int, b: int, q: Quantity) -> bool:
    """True when position a is a better match for the quantity than b (after it, then closer)."""
    if b < 0:
        return True

    def rank(x: int) -> tuple[int, int]:
        return (0, x - q.end) if x >= q.end else (1, q.start - x)

    return rank(a) < rank(b)


def _nearest(q: Quantity, found: list[tuple[int, str]]) -> str | None:
    best: tuple[int, str] | None = None
    for a, ident in found:
        if best is None or _nearer(a, best[0], q):
            best = (a, ident)
    return None if best is None else best[1]


def _metric(
    s: str,
    q: Quantity,
    via_country: str | None,
    bypass: str | None,
    route: str | None,
    node: str | None,
) -> tuple[str | None, str | None]:
    if q.kind == "money":
        return "value", route or node or via_country
    if q.kind == "share":
        if bypass:
            return "share_bypassing", bypass
        if route:
            return "share_via", route
        if via_country:
            return "share_crossing", via_country
        if node:
            return "share_via_node", node
        return ("share_of_exports", None) if _EXPORT.search(s) else (None, None)
    if _CAPACITY.search(s) and (route or node):
        return "capacity", route or node
    if route:
        return "volume_via", route
    if node:
        return "volume_via_node", node
    if via_country:
        return "volume_crossing", via_country
    if _REFINING.search(s):
        return "refinery_runs", None
    if _PRODUCTION.search(s) and not _EXPORT.search(s):
        return "production", None
    if _EXPORT.search(s):
        return "total_exports", None
    if _PRODUCTION.search(s):
        return "production", None
    return None, None


def _period(
    s: str,
    q: Quantity,
    when: date | None,
    n: Network,
    exporter: str | None,
    complete: dict[str, list[int]],
    state: bool = False,
) -> int | None:
    """Year of a claim: written, relative to the date, or implied by the present tense.

    A present-tense *state* (a capacity) is read in the article's own year; a present-tense
    flow or share in the latest complete year before it.
    """
    years = [int(m.group(1)) for m in _YEAR.finditer(s) if not (q.start <= m.start() < q.end)]
    if years:
        return years[0]
    if re.search(r"\blast\s+year\b|\ba\s+year\s+earlier\b", s, re.I) and when:
        return when.year - 1
    if re.search(r"\bthis\s+year\b", s, re.I) and when:
        return when.year
    if state:
        return min(when.year, n.meta.last_year) if when else n.meta.last_year
    # present tense, no year: the latest complete year before the article's date
    exporter = exporter or n.meta.exporter
    before = [y for y in complete.get(exporter, []) if when is None or y < when.year]
    if before:
        return before[-1]
    return latest_year(n, exporter) if when is None and exporter in complete else None


def _holds(comp: str, model: float, value: float, high: float | None, tol: float) -> bool:
    if comp == "gt":
        return model > value - tol
    if comp == "ge":
        return model >= value - tol
    if comp == "lt":
        return model < value + tol
    if comp == "le":
        return model <= value + tol
    if comp == "range" and high is not None:
        return value - tol <= model <= high + tol
    return abs(model - value) <= tol


def _verdict(c: Claim, lo: float, hi: float, tol: float) -> str:
    """Supported when some value the model allows in [lo, hi] satisfies the claim."""
    probe = [lo, hi, min(max(c.value, lo), hi)]
    if c.high is not None:
        probe.append(min(max(c.high, lo), hi))
    return (
        "supported"
        if any(_holds(c.comparator, x, c.value, c.high, tol) for x in probe)
        else ("contradicted")
    )


def _judge(n: Network, c: Claim, cache: dict[tuple[str, int], YearMetrics]) -> None:
    """Set the claim's verdict, model value, tolerance, interpretation and sources."""
    if _PLAN.search(c.sentence[: c.start]) or _PLAN.search(c.sentence[c.end : c.end + 30]):
        c.interpretation = "a plan, target or possibility, not an observed figure"
        return
    if _NEGATION.search(c.sentence[max(0, c.start - 40) : c.start]):
        c.interpretation = "a negated statement; not rated"
        return
    if _PARTIAL.search(c.sentence) and c.metric not in ("capacity",):
        c.interpretation = "a part-year figure; the package holds full years"
        return
    if c.metric == "value":
        c.interpretation = "money amounts are not in the model"
        return
    exporter = c.exporter or n.meta.exporter
    if exporter not in set(n.flows["exporter"]) | set(n.supply["exporter"]):
        c.interpretation = f"no figures for exporter {exporter} in the package"
        return
    if c.period is None or c.period not in n.meta.years:
        c.interpretation = f"the period ({c.period or 'unknown'}) is outside the package's years"
        return
    if c.metric.startswith("share"):
        _judge_share(n, c, exporter, cache)
    else:
        _judge_volume(n, c, exporter, cache)


def _judge_share(
    n: Network, c: Claim, exporter: str, cache: dict[tuple[str, int], YearMetrics]
) -> None:
    assert c.period is not None
    m = _metrics(n, exporter, c.period, cache)
    if not len(m.paths):
        c.interpretation = f"no route flows for {exporter} in {c.period}"
        return
    unattributed = (m.unattributed or 0.0) / m.denominator if m.denominator else 0.0
    tol = APPROX_SHARE_TOLERANCE if c.comparator == "approx" else SHARE_TOLERANCE
    c.tolerance = f"±{tol:g} percentage points"
    c.model_unit = "%"
    readings: list[Reading] = []

    def read(text: str, value: float, spread: float) -> None:
        lo, hi = 100 * value, 100 * (value + spread)
        verdict = _verdict(c, lo, hi, tol)
        readings.append(
            Reading(text, round(lo, 2), (round(lo, 2), round(hi, 2)), verdict, list(m.sources))
        )

    gap = f"; {100 * unattributed:.1f}% of exports are on no reported route" if unattributed else ""
    if c.metric == "share_crossing" and c.via:
        read(
            f"share of {exporter}'s {c.period} exports crossing {c.via} territory or ports{gap}",
            m.share_crossing(c.via),
            unattributed,
        )
        route = m.focus_route
        if c.via == m.focus_country and route:
            read(
                f"share via the {route} route alone (the main route through {c.via})",
                m.share_via(route),
                0.0,
            )
    elif c.metric == "share_bypassing" and c.via:
        read(
            f"share of {exporter}'s {c.period} exports on routes touching no part of {c.via}{gap}",
            m.share_bypassing(c.via),
            unattributed,
        )
    elif c.metric == "share_via_node" and c.via:
        f = n.flows[(n.flows["exporter"] == exporter) & (n.flows["year"] == c.period)]
        into = f[f["route"].map(lambda r: n.routes.at[r, "to_node"] == c.via)]
        if into.empty:
            c.interpretation = f"no flows reaching {c.via} in {c.period}"
            return
        read(
            f"share of {exporter}'s {c.period} exports reaching {c.via}",
            float(into["volume"].sum()) / m.denominator,
            0.0,
        )
    elif c.metric == "share_via" and c.via:
        if c.via in m.missing_routes or c.via not in m.by_route.index:
            c.interpretation = f"no figure for route {c.via} in {c.period}"
            return
        read(
            f"share of {exporter}'s {c.period} exports carried by {c.via}", m.share_via(c.via), 0.0
        )
    else:
        c.interpretation = "a share of exports with no route or country to check it against"
        return
    first = readings[0]
    c.readings = readings
    c.verdict, c.model_value, c.sources = first.verdict, first.model_value, first.sources
    c.interpretation = first.interpretation
    if len(readings) > 1:
        c.interpretation = "two readings: " + "; ".join(
            f"{r.interpretation}: {r.model_value:.1f}% → {r.verdict}" for r in readings
        )


def _judge_volume(
    n: Network, c: Claim, exporter: str, cache: dict[tuple[str, int], YearMetrics]
) -> None:
    year = c.period
    assert year is not None
    try:
        claimed = _to_mt_per_year(n, c.value, c.unit)
        high = None if c.high is None else _to_mt_per_year(n, c.high, c.unit)
    except UnitError as exc:
        c.interpretation = f"unit not understood: {exc}"
        return
    f = n.flows[(n.flows["exporter"] == exporter) & (n.flows["year"] == year)]
    model: float | None = None
    sources: list[str] = []
    what = ""
    if c.metric in ("volume_via", "capacity") and c.via in n.routes.index:
        if c.metric == "capacity":
            model, sources = _capacity(n, "route", str(c.via), year)
            what = f"capacity of {c.via} in force in {year}"
        else:
            row = f[f["route"] == c.via]
            if len(row):
                model, sources = float(row["volume"].iloc[0]), [str(row["source"].iloc[0])]
            what = f"{exporter}'s flow on {c.via} in {year}"
    elif c.metric in ("volume_via_node", "capacity") and c.via in n.nodes.index:
        if c.metric == "capacity":
            model, sources = _capacity(n, "node", str(c.via), year)
            what = f"capacity of {c.via} in force in {year}"
        else:
            into = f[f["route"].map(lambda r: n.routes.at[r, "to_node"] == c.via)]
            if len(into):
                model = float(into["volume"].sum())
                sources = sorted(set(into["source"]))
            what = f"{exporter}'s oil reaching {c.via} in {year}"
    elif c.metric == "volume_crossing" and c.via:
        m = _metrics(n, exporter, year, cache)
        if len(m.paths):
            model = float(m.by_transit_country["volume"].get(c.via, 0.0))
            sources = list(m.sources)
        what = f"{exporter}'s {year} exports crossing {c.via}"
    elif c.metric in ("total_exports", "production", "refinery_runs"):
        q = {"total_exports": "exports"}.get(c.metric, c.metric)
        row = n.supply[
            (n.supply["exporter"] == exporter)
            & (n.supply["year"] == year)
            & (n.supply["quantity"] == q)
        ]
        if len(row):
            model, sources = float(row["volume"].iloc[0]), [str(row["source"].iloc[0])]
        what = f"{exporter}'s {q.replace('_', ' ')} in {year}"
    if model is None:
        c.interpretation = f"no figure for {what or c.metric} in the package"
        return
    rel = APPROX_VOLUME_TOLERANCE if c.comparator == "approx" else VOLUME_TOLERANCE
    tol = rel * max(abs(claimed), 1e-9)
    probe = Claim(**{**asdict(c), "value": claimed, "high": high, "readings": []})
    c.verdict = _verdict(probe, model, model, tol)
    c.model_value, c.model_unit, c.sources = round(model, 4), units.CANONICAL_RATE, sources
    c.tolerance = f"±{100 * rel:g}% of the claimed value"
    note = ""
    if units.needs_grade(c.unit):
        note = f" (barrels converted at {_bpt(n):g} bbl/t)"
    c.interpretation = f"{what}: {model:.3f} {units.CANONICAL_RATE}{note}"
    c.readings = [Reading(c.interpretation, c.model_value, (model, model), c.verdict, sources)]


def _capacity(n: Network, kind: str, ident: str, year: int) -> tuple[float | None, list[str]]:
    """Whole-asset capacity of a route or node in force in a year, and its source."""
    c = n.capacities
    cap = c[(c[kind] == ident) & (c["exporter"] == "") & (c["year"] <= year)].sort_values("year")
    if cap.empty:
        return None, []
    return float(cap["capacity"].iloc[-1]), [str(cap["source"].iloc[-1])]


def _bpt(n: Network) -> float:
    grade = next((g for g in n.prices["grade"] if g), None) or next(iter(n.grades.index), None)
    return float(n.grades.at[grade, "barrels_per_tonne"]) if grade else 7.3


def _to_mt_per_year(n: Network, value: float, unit: str) -> float:
    """A written volume as Mt/year: a rate converts; an amount is taken over one year."""
    bpt = _bpt(n)
    dim = units.parse_unit(unit).dimensionality
    if (
        dim == units.parse_unit("t/year").dimensionality
        or dim == units.parse_unit("bbl/day").dimensionality
    ):
        return units.to_canonical_rate(value, unit, bpt)
    return units.amount_in_mt(value, unit, 365.25, bpt)
