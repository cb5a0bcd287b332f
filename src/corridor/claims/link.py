"""Entity linking: the countries, routes and nodes of a package that a sentence names.

`Linker` finds the mentions in a sentence, then, for one number in it, decides what they are to
that number (`Links`): whose exports (the exporter), through which country (via) or avoiding
which (bypass), on which route or to which node. Only mentions in the number's own clause count
as its via, route or node; the exporter may be named anywhere in the sentence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal, NamedTuple

from corridor.claims.extract import Quantity
from corridor.claims.facts import Facts
from corridor.claims.vocabulary import (
    BYPASS,
    CLAUSE_BREAK,
    COMPARISON_START,
    DESTINATION_BEFORE,
    IMPORTER_AFTER,
    OF_WHICH,
    RELATIVE_START,
    SEGMENT_BREAK,
    VIA_BEFORE,
    country_aliases,
)


class Mention(NamedTuple):
    """A name found in a sentence: its span, what it names and the package id (or ISO3)."""

    start: int
    end: int
    kind: Literal["country", "route", "node"]
    ident: str


@dataclass(frozen=True)
class Links:
    """What the names in a sentence are to one number in it."""

    exporter: str
    via_country: str | None
    bypass: str | None
    route: str | None
    node: str | None
    destination: str | None = None
    named: bool = False  # the exporter is named in the sentence (else the package's default)


class Linker:
    """Find the countries, routes and nodes of a package in a sentence.

    Parameters
    ----------
    n : Facts
        The package whose route and node names (and aliases) are looked for
        (`corridor.claims.facts.Facts.assets`).
    """

    def __init__(self, n: Facts) -> None:
        self.n = n
        self.exporters = n.flow_exporters
        names = [(a, _kind(kind), ident) for a, kind, ident in n.assets]  # (alias, kind, id)
        # one pattern for the long names (any case) and one for the short ones (CPC, BTC: only
        # in capitals), each an alternation longest first, so a sentence is scanned twice
        self.names: dict[str, tuple[Literal["route", "node"], str]] = {}
        for a, kind, ident in sorted(names, key=lambda x: -len(x[0])):
            self.names.setdefault(_asset_key(a, short=len(a) <= 4), (kind, ident))
        self.patterns = [
            _asset_pattern([a for a, _, _ in names if len(a) > 4], re.I),
            _asset_pattern([a for a, _, _ in names if len(a) <= 4], 0),
        ]
        self.fields = {i for i, (kind, _) in n.nodes.items() if kind == "field"}

    def countries(self, s: str) -> list[Mention]:
        """Return each country mention in a sentence, longest aliases first, in text order."""
        pattern, codes = country_aliases()
        return [
            Mention(m.start(), m.end(), "country", codes[m.group(1)])
            for m in pattern.finditer(fold(s))
        ]

    def assets_in(self, s: str) -> list[Mention]:
        """Return each route or node mention in a sentence, in text order."""
        found: list[Mention] = []
        s = fold(s)
        for pattern, short in zip(self.patterns, (False, True), strict=True):
            for m in pattern.finditer(s):
                if not any(f.start < m.end() and m.start() < f.end for f in found):
                    kind, ident = self.names[_asset_key(m.group(0), short=short)]
                    found.append(Mention(m.start(), m.end(), kind, ident))
        return sorted(found)

    def link(self, s: str, q: Quantity) -> Links:
        """Return what the names in sentence `s` are to the number `q` in it.

        The via, bypass, route, node and destination come from the number's own clause; the
        exporter from its clause, else from the sentence, else the package's exporter.
        """
        found_assets = self.assets_in(s)
        if q.kind == "share":  # "80% of exports (Tengiz, Kashagan …)": fields say whose oil
            found_assets = [a for a in found_assets if a.ident not in self.fields]
        # a country named inside an asset's name ("Kazakhstan–China pipeline") is not a mention
        all_countries = [
            c
            for c in self.countries(s)
            if not any(a.start <= c.start < a.end for a in found_assets)
        ]
        lo, hi = clause(s, q)
        if OF_WHICH.match(s, q.end):
            # "the majority of which is loaded at the CPC terminal": the links follow
            hi = next((m.start() for m in CLAUSE_BREAK.finditer(s, hi + 1)), len(s))
        countries = [c for c in all_countries if lo <= c.start < hi]
        assets = [a for a in found_assets if lo <= a.start < hi]
        seg_lo, seg_hi = between(SEGMENT_BREAK, s, q)
        # a field is the number's only when named in its own list item ("…, helped by Tengiz")
        assets = [a for a in assets if a.ident not in self.fields or seg_lo <= a.start < seg_hi]
        own = [a for a in assets if seg_lo <= a.start < seg_hi]
        if own:  # "1.6 Mt to Makhachkala and 1.2 Mt to BTC": each number its own list item
            assets = own
        if lo > 0 and not assets and not any(_is_link(s, c) for c in countries):
            before = clause_start(s, lo)
            if COMPARISON_START.search(s[:lo]):
                # "X through Russia against Y in 2021": the comparison shares X's links
                countries = [c for c in all_countries if before <= c.start < hi]
                assets = [a for a in found_assets if before <= a.start < hi]
            elif RELATIVE_START.search(s[:lo]):
                # "the terminal, which handles 80%": the asset just before is the subject
                assets = [a for a in found_assets if before <= a.start < lo][-1:]
                # "Italy, which imported 19.7 Mt from Kazakhstan": the buyer is the antecedent
                countries += [
                    c for c in all_countries if before <= c.start < lo and _is_destination(s, c)
                ][-1:]
        via_country, via_at, bypass = _via(s, q, countries)
        destination = next(
            (
                c.ident
                for c in countries
                if c.ident not in (via_country, bypass) and _is_destination(s, c)
            ),
            None,
        )
        taken = (via_country, bypass, destination)
        exporter = self._owner(s, countries, taken) or self._owner(s, all_countries, taken)
        route, node = self._route_and_node(q, assets)
        if destination and node in self.fields:
            node = None  # "the field's operator shipped 1 Mt to Germany": the field is the origin
        route_at = next((a.start for a in assets if a.ident == route), -1)
        if via_country is not None and route is not None and nearer(via_at, route_at, q):
            route = node = None  # "via Russia, mostly through CPC": the country is the claim's via
        elif via_country is not None and route is not None:
            via_country = None
        return Links(
            exporter or self.n.meta.exporter,
            via_country,
            bypass,
            route,
            node,
            destination,
            named=exporter is not None,
        )

    def _owner(self, s: str, countries: list[Mention], taken: tuple[str | None, ...]) -> str | None:
        """Return the first country named that is not the via, bypass or a destination."""
        owners = [
            c.ident
            for c in countries
            if c.ident not in taken
            and not _is_destination(s, c)
            and not VIA_BEFORE.search(s[max(0, c.start - 30) : c.start])
        ]
        exporter = next((c for c in owners if c in self.exporters), None)
        return exporter if exporter is not None else (owners[0] if owners else None)

    def _route_and_node(self, q: Quantity, assets: list[Mention]) -> tuple[str | None, str | None]:
        """Return the route and the node nearest the number (two nodes: the leg between)."""
        route = nearest(q, [(a.start, a.ident) for a in assets if a.kind == "route"])
        nodes_in = [a.ident for a in assets if a.kind == "node"]
        if route is None and len(nodes_in) >= 2:  # "from Aktau to Makhachkala"
            leg = (nodes_in[0], nodes_in[1])
            route = next((r for r, ends in self.n.routes.items() if ends == leg), None)
        node = nearest(q, [(a.start, a.ident) for a in assets if a.kind == "node"])
        return route, node


def _kind(kind: str) -> Literal["route", "node"]:
    return "route" if kind == "route" else "node"


def _asset_key(name: str, *, short: bool) -> str:
    """Return the key a route's or node's name is known by: as written, or folded."""
    if short:
        return name
    key = " ".join(fold(name).lower().split())
    return re.sub(r" (?:oil|crude) pipeline\b", " pipeline", key)


def _asset_pattern(names: list[str], flags: int) -> re.Pattern[str]:
    """Return one pattern for names, longest first; "X oil pipeline" is "X pipeline"."""
    alts = sorted({fold(a) for a in names}, key=len, reverse=True)
    body = "|".join(
        re.escape(a)
        .replace(r"\ ", r"\s+")
        .replace(r"\s+pipeline", r"\s+(?:oil\s+|crude\s+)?pipeline")
        for a in alts
    )
    return re.compile(rf"(?<![\w-])(?:{body or '(?!)'})(?![\w-])", flags)


def fold(s: str) -> str:
    """Return the text with every dash written as a hyphen and every apostrophe as ``'``.

    Same length as the input, so positions found in the folded text are positions in the text:
    "Baku–Tbilisi–Ceyhan" and "Baku-Tbilisi-Ceyhan" name the same pipeline.
    """
    return s.translate(_FOLD)


_FOLD = str.maketrans({c: "-" for c in "‐‑‒–—―−"} | {c: "'" for c in "’‘`´"})


def _is_link(s: str, c: Mention) -> bool:
    """Return True when a country is named as a via, a bypass or a destination."""
    lead = s[max(0, c.start - 30) : c.start]
    return bool(VIA_BEFORE.search(lead) or BYPASS.search(lead)) or _is_destination(s, c)


def _is_destination(s: str, c: Mention) -> bool:
    """Return True for a country oil goes to: "to China", "Germany imported …"."""
    return bool(
        DESTINATION_BEFORE.search(s[max(0, c.start - 12) : c.start])
        or IMPORTER_AFTER.match(s, c.end)
    )


def _via(s: str, q: Quantity, countries: list[Mention]) -> tuple[str | None, int, str | None]:
    """Return the country the number goes via, where it is named, and the one it bypasses."""
    via_country = bypass = None
    via_at = -1
    for c in countries:
        lead = s[max(0, c.start - 30) : c.start]
        if BYPASS.search(lead) and bypass is None:
            bypass = c.ident
        elif VIA_BEFORE.search(lead) and (via_country is None or nearer(c.start, via_at, q)):
            via_country, via_at = c.ident, c.start
    return via_country, via_at, bypass


def clause(s: str, q: Quantity) -> tuple[int, int]:
    """Return the span of the clause holding the quantity (split at '; , of which, while…')."""
    return between(CLAUSE_BREAK, s, q)


def between(breaks: re.Pattern[str], s: str, q: Quantity) -> tuple[int, int]:
    """Return the span between the breaks on either side of the quantity."""
    lo, hi = 0, len(s)
    for start, end in _breaks(breaks, s):
        if end <= q.start:
            lo = end
        elif start >= q.end:
            hi = start
            break
    return lo, hi


@lru_cache(maxsize=64)
def _breaks(breaks: re.Pattern[str], s: str) -> tuple[tuple[int, int], ...]:
    """Return the spans of the breaks in a sentence (found once for all its numbers)."""
    return tuple(m.span() for m in breaks.finditer(s))


def clause_start(s: str, end: int) -> int:
    """Return where the clause before the break that ends at `end` begins."""
    breaks = [m for m in CLAUSE_BREAK.finditer(s) if m.end() <= end]
    if not breaks:
        return 0
    here = breaks[-1].start()
    return max((m.end() for m in breaks if m.end() <= here), default=0)


def nearer(a: int, b: int, q: Quantity) -> bool:
    """Return True when position a is a better match for the quantity than b.

    Better means after the number before before it, then closer; b < 0 means no match yet.
    """
    if b < 0:
        return True

    def rank(x: int) -> tuple[int, int]:
        return (0, x - q.end) if x >= q.end else (1, q.start - x)

    return rank(a) < rank(b)


def nearest(q: Quantity, found: list[tuple[int, str]]) -> str | None:
    """Return the id of the (position, id) pair that best matches the quantity, if any."""
    best: tuple[int, str] | None = None
    for a, ident in found:
        if best is None or nearer(a, best[0], q):
            best = (a, ident)
    return None if best is None else best[1]
