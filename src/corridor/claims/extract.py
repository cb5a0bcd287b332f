"""Quantities in a sentence: shares, volumes, rates and money, with comparators and ranges.

Energy-news units are ours (``mb/d``, ``kb/d``, ``bpd``, ``Mtpa``, "million tons a year");
conversion goes through Corridor's pint registry (`corridor.units`).

Examples
--------
>>> [(q.kind, q.value, q.unit, q.comparator) for q in quantities(
...     "More than 80 percent of Kazakh oil, about 1.5 mb/d, goes via CPC.")]
[('share', 80.0, '%', 'gt'), ('rate', 1.5, 'Mbbl/day', 'approx')]
>>> quantities("In a referendum, 71% voted yes.")[0].kind
'share'
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

#: How a number relates to the truth it claims: equal, more than, at least, less than, at most,
#: about, or a range from ``value`` to ``high``.
Comparator = Literal["eq", "gt", "ge", "lt", "le", "approx", "range"]
#: What a number is: a share (percent), an amount (t, bbl), a rate (per time) or money.
QuantityKind = Literal["share", "amount", "rate", "money"]

NUM = r"(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
NUM2 = r"(?P<num2>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
SCALE = r"(?:\s*(?P<scale>million|mln|billion|bn|thousand|trillion|tn)\b)?"
_SCALES = {
    "million": 1e6,
    "mln": 1e6,
    "billion": 1e9,
    "bn": 1e9,
    "thousand": 1e3,
    "trillion": 1e12,
    "tn": 1e12,
}

#: compact units as written → (pint unit, kind)
_COMPACT: dict[str, tuple[str, QuantityKind]] = {
    "mb/d": ("Mbbl/day", "rate"),
    "mbd": ("Mbbl/day", "rate"),
    "mbpd": ("Mbbl/day", "rate"),
    "kb/d": ("kbbl/day", "rate"),
    "kbd": ("kbbl/day", "rate"),
    "kbpd": ("kbbl/day", "rate"),
    "b/d": ("bbl/day", "rate"),
    "bpd": ("bbl/day", "rate"),
    "bbl/d": ("bbl/day", "rate"),
    "mtpa": ("Mt/year", "rate"),
    "mt/yr": ("Mt/year", "rate"),
    "mt/y": ("Mt/year", "rate"),
    "mt/year": ("Mt/year", "rate"),
    "mt": ("Mt", "amount"),
    "kt": ("kt", "amount"),
}
_COMPACT_RE = "|".join(re.escape(k) for k in sorted(_COMPACT, key=len, reverse=True))

BETWEEN_PERCENT = re.compile(
    r"between\s+" + NUM + r"\s*(?:%|per\s?cent)?\s+and\s+" + NUM2 + r"\s*(?:%|per\s?cent\b|pct\b)",
    re.I,
)
PERCENT = re.compile(
    NUM + r"(?:\s*(?:-|–|to)\s*" + NUM2 + r")?\s*(?:%|per\s?cent\b|pct\b)"
    r"(?!\s*points?)",
    re.I,
)
VOLUME = re.compile(
    NUM
    + r"(?:\s*(?:-|–|to|and)\s*"
    + NUM2
    + r")?"
    + SCALE
    + r"\s*(?:metric\s+)?(?P<unit>tonnes|tons|tonne|ton|barrels|bbl)\b"
    r"(?:\s*(?:of\s+(?:oil|crude)\s*)?(?:per|a|an|/|each)\s*(?P<per>year|annum|yr|day|d)\b)?"
    r"(?:\s*\((?:b/d|bpd)\))?",
    re.I,
)
COMPACT = re.compile(
    NUM
    + r"(?:\s*(?:-|–|to)\s*"
    + NUM2
    + r")?"
    + SCALE
    + r"\s*(?P<cu>"
    + _COMPACT_RE
    + r")(?![a-z])",
    re.I,
)
MONEY = re.compile(
    r"(?:US\$|USD|\$)\s*" + NUM + r"(?:\s*(?P<scale>million|mln|billion|bn|"
    r"trillion|tn|m)\b)?",
    re.I,
)
WORDS = re.compile(
    r"(?<!first\s)(?<!second\s)\b(?P<w>four[- ]fifths|three[- ]quarters|"
    r"two[- ]thirds|(?:one|a)[- ]third|"
    r"(?:one|a)[- ]quarter|half|most|the\s+bulk|(?:the\s+)?majority|"
    r"(?:almost|nearly|virtually)\s+all)\s+(?:of\b)?",
    re.I,
)
_WORD_SHARES: dict[str, tuple[float, Comparator]] = {
    "four fifths": (80.0, "approx"),
    "three quarters": (75.0, "approx"),
    "two thirds": (66.7, "approx"),
    "one third": (33.3, "approx"),
    "a third": (33.3, "approx"),
    "one quarter": (25.0, "approx"),
    "a quarter": (25.0, "approx"),
    "half": (50.0, "approx"),
    "most": (50.0, "gt"),
    "the bulk": (50.0, "gt"),
    "majority": (50.0, "gt"),
    "the majority": (50.0, "gt"),
    "almost all": (90.0, "ge"),
    "nearly all": (90.0, "ge"),
    "virtually all": (90.0, "ge"),
}

COMPARATORS: list[tuple[re.Pattern[str], Comparator]] = [
    (
        re.compile(
            r"(?:more\s+than|over|above|exceeding|in\s+excess\s+of|upwards\s+of|"
            r"higher\s+than|greater\s+than|>)\s*$",
            re.I,
        ),
        "gt",
    ),
    (re.compile(r"(?:at\s+least|no\s+less\s+than|a\s+minimum\s+of|≥)\s*$", re.I), "ge"),
    (re.compile(r"(?:less\s+than|under|below|fewer\s+than|lower\s+than|<)\s*$", re.I), "lt"),
    (
        re.compile(
            r"(?:up\s+to|at\s+most|no\s+more\s+than|a\s+maximum\s+of|as\s+much\s+as|≤)\s*$", re.I
        ),
        "le",
    ),
    (
        re.compile(
            r"(?:about|around|roughly|approximately|some|nearly|almost|close\s+to|"
            r"an\s+estimated|estimated|~|circa|c\.)\s*$",
            re.I,
        ),
        "approx",
    ),
]
_BETWEEN = re.compile(r"between\s*$", re.I)


@dataclass(frozen=True)
class Quantity:
    """A number in a sentence, as written and as understood."""

    kind: QuantityKind
    value: float  # as written: 80 for "80 percent", 1.5 for "1.5 million tons"
    unit: str  # "%", a pint unit ("Mt/year", "Mbbl/day", "Mt"), or "USD"
    comparator: Comparator
    high: float | None  # upper end of a range
    start: int
    end: int
    text: str


def _num(text: str | None) -> float | None:
    return None if text is None else float(text.replace(",", ""))


def _comparator(sentence: str, start: int) -> Comparator:
    before = sentence[max(0, start - 30) : start]
    if _BETWEEN.search(before):
        return "range"
    for pattern, name in COMPARATORS:
        if pattern.search(before):
            return name
    return "eq"


def _volume_unit(scale: str | None, unit: str, per: str | None) -> tuple[float, str, QuantityKind]:
    """Return (multiplier, pint unit, kind) so that number x multiplier is in the unit."""
    base = "bbl" if unit.lower() in ("barrels", "bbl") else "t"
    prefix, mult = {
        "million": ("M", 1.0),
        "mln": ("M", 1.0),
        "thousand": ("k", 1.0),
        "billion": ("M", 1e3),
        "bn": ("M", 1e3),
    }.get((scale or "").lower(), ("", 1.0))
    if per:
        time = "year" if per.lower() in ("year", "annum", "yr") else "day"
        return mult, f"{prefix}{base}/{time}", "rate"
    return mult, f"{prefix}{base}", "amount"


def quantities(sentence: str) -> list[Quantity]:
    """Return every share, volume, rate and money figure in a sentence, left to right."""
    found: list[Quantity] = []
    taken: list[tuple[int, int]] = []

    def add(
        m: re.Match[str], kind: QuantityKind, value: float, unit: str, high: float | None
    ) -> None:
        a, b = m.span()
        if any(a < y and x < b for x, y in taken):
            return
        taken.append((a, b))
        comp: Comparator = "range" if high is not None else _comparator(sentence, a)
        found.append(Quantity(kind, value, unit, comp, high, a, b, sentence[a:b]))

    for m in BETWEEN_PERCENT.finditer(sentence):
        add(m, "share", _num(m["num"]) or 0.0, "%", _num(m["num2"]))
    for m in PERCENT.finditer(sentence):
        add(m, "share", _num(m["num"]) or 0.0, "%", _num(m["num2"]))
    for m in COMPACT.finditer(sentence):
        unit, kind = _COMPACT[m["cu"].lower()]
        scale = _SCALES.get((m["scale"] or "").lower(), 1.0)
        if m["scale"] and unit in ("bbl/day",):
            unit = {1e6: "Mbbl/day", 1e3: "kbbl/day"}.get(scale, unit)
            scale = 1.0
        hi = _num(m["num2"])
        add(m, kind, (_num(m["num"]) or 0.0) * scale, unit, None if hi is None else hi * scale)
    for m in VOLUME.finditer(sentence):
        mult, unit, kind = _volume_unit(m["scale"], m["unit"], m["per"])
        hi = _num(m["num2"])
        add(m, kind, (_num(m["num"]) or 0.0) * mult, unit, None if hi is None else hi * mult)
    for m in MONEY.finditer(sentence):
        scale = {"m": 1e6}.get(
            (m["scale"] or "").lower(), _SCALES.get((m["scale"] or "").lower(), 1)
        )
        add(m, "money", (_num(m["num"]) or 0.0) * scale, "USD", None)
    for m in WORDS.finditer(sentence):
        key = " ".join(m["w"].lower().replace("-", " ").split())
        word = _WORD_SHARES.get(key)
        if word is None:
            continue
        value, comp = word
        a, b = m.span()
        if any(a < y and x < b for x, y in taken):
            continue
        taken.append((a, b))
        before = _comparator(sentence, a)
        found.append(
            Quantity(
                "share", value, "%", before if before != "eq" else comp, None, a, b, sentence[a:b]
            )
        )
    return sorted(found, key=lambda q: q.start)
