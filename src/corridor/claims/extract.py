"""Quantities in a sentence: shares, volumes, rates and money, with comparators and ranges.

Energy-news units are ours (``mb/d``, ``kb/d``, ``bpd``, ``Mtpa``, "million tons a year",
"1.4mn tonnes"); conversion goes through Corridor's pint registry (`corridor.units`).

The reader works number by number, in linear time: one pass finds the numbers (a pattern with
no nested quantifiers, so it cannot backtrack on long runs of digits, commas or ``%`` signs), and
every other pattern is matched at a fixed position, over a bounded stretch of text before or
after one number.

Examples
--------
>>> [(q.kind, q.value, q.unit, q.comparator) for q in quantities(
...     "More than 80 percent of Kazakh oil, about 1.5 mb/d, goes via CPC.")]
[('share', 80.0, '%', 'gt'), ('rate', 1.5, 'Mbbl/day', 'approx')]
>>> quantities("In a referendum, 71% voted yes.")[0].kind
'share'
>>> [(q.value, q.high, q.unit) for q in quantities("a line carrying 200-400,000 b/d")]
[(200000.0, 400000.0, 'bbl/day')]
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass, replace
from typing import Literal

#: How a number relates to the truth it claims: equal, more than, at least, less than, at most,
#: about, or a range from ``value`` to ``high``.
Comparator = Literal["eq", "gt", "ge", "lt", "le", "approx", "range"]
#: What a number is: a share (percent), an amount (t, bbl), a rate (per time) or money.
QuantityKind = Literal["share", "amount", "rate", "money"]

#: A number as written: digits with ``.`` or ``,`` between digit groups. Possessive quantifiers
#: and the look-behind keep this linear: a number starts only where no digit, letter or
#: separator precedes it, and is never re-tried from inside.
_NUMBER = re.compile(r"(?<![\w.,])\d++(?:[.,]\d++)*+")
#: The longest number token read, in characters: a longer run of digits and separators (a
#: serial number, a pasted table, a hostile input) is not a number and is skipped whole.
MAX_NUMBER_CHARS = 40
#: Thousands grouping: 1 to 3 digits, then groups of exactly 3.
_GROUPED = re.compile(r"\d{1,3}(?:,\d{3})++(?:\.\d++)?+|\d{1,3}(?:\.\d{3}){2,}+")

#: Scale words, spelled out or abbreviated, and the letters glued to a number ("1.4mn", "2bln").
_SCALES = {
    "million": 1e6,
    "mln": 1e6,
    "mn": 1e6,
    "mil": 1e6,
    "m": 1e6,
    "billion": 1e9,
    "bln": 1e9,
    "bn": 1e9,
    "b": 1e9,
    "thousand": 1e3,
    "ths": 1e3,
    "thsd": 1e3,
    "k": 1e3,
    "trillion": 1e12,
    "tn": 1e12,
}
_SCALE = re.compile(
    r"(?:\s*+(?P<s>million|mln|mn|mil|billion|bln|bn|thousand|thsd|ths|trillion|tn)\.?+"
    r"|(?P<g>[mbk]))(?![a-z])",
    re.I,
)

#: Numbers written in words, read only before a scale word ("four million tons").
_WORD_VALUES = {
    "a": 1.0,
    "one": 1.0,
    "two": 2.0,
    "three": 3.0,
    "four": 4.0,
    "five": 5.0,
    "six": 6.0,
    "seven": 7.0,
    "eight": 8.0,
    "nine": 9.0,
    "ten": 10.0,
    "eleven": 11.0,
    "twelve": 12.0,
    "fifteen": 15.0,
    "twenty": 20.0,
    "thirty": 30.0,
    "forty": 40.0,
    "fifty": 50.0,
    "hundred": 100.0,
    "a hundred": 100.0,
    "half a": 0.5,
}
_WORD_NUMBER = re.compile(
    r"(?<![\w-])(?P<w>a\s++hundred|half\s++a|one|two|three|four|five|six|seven|eight|nine|ten|"
    r"eleven|twelve|fifteen|twenty|thirty|forty|fifty|hundred|a)"
    r"(?P<half>\s++and\s++a\s++half)?+(?=\s++(?:million|billion|thousand|mln|bln|mn|bn)\b)",
    re.I,
)

#: Compact units as written → (pint unit, kind). Keys are lower case.
_COMPACT: dict[str, tuple[str, QuantityKind]] = {
    "mb/d": ("Mbbl/day", "rate"),
    "mbd": ("Mbbl/day", "rate"),
    "mbpd": ("Mbbl/day", "rate"),
    "mmb/d": ("Mbbl/day", "rate"),
    "mmbd": ("Mbbl/day", "rate"),
    "mmbpd": ("Mbbl/day", "rate"),
    "kb/d": ("kbbl/day", "rate"),
    "kbd": ("kbbl/day", "rate"),
    "kbpd": ("kbbl/day", "rate"),
    "b/d": ("bbl/day", "rate"),
    "bpd": ("bbl/day", "rate"),
    "bopd": ("bbl/day", "rate"),
    "bbl/d": ("bbl/day", "rate"),
    "bbl/day": ("bbl/day", "rate"),
    "barrels/day": ("bbl/day", "rate"),
    "mtpa": ("Mt/year", "rate"),
    "mmtpa": ("Mt/year", "rate"),
    "mt/yr": ("Mt/year", "rate"),
    "mt/y": ("Mt/year", "rate"),
    "mt/year": ("Mt/year", "rate"),
    "kt/y": ("kt/year", "rate"),
    "kt/yr": ("kt/year", "rate"),
    "kt/year": ("kt/year", "rate"),
    "ktpa": ("kt/year", "rate"),
    "t/y": ("t/year", "rate"),
    "t/yr": ("t/year", "rate"),
    "t/year": ("t/year", "rate"),
    "tpa": ("t/year", "rate"),
    "mt": ("Mt", "amount"),
    "mmt": ("Mt", "amount"),
    "kt": ("kt", "amount"),
    "mmbbl": ("Mbbl", "amount"),
}
_COMPACT_RE = "|".join(re.escape(k) for k in sorted(_COMPACT, key=len, reverse=True))

_PER_YEAR = r"(?P<y>annually|yearly|per\s++annum|(?:per|a|an|each|every|/)[\s-]*+(?:year|yr|y)\b)"
_PER_DAY = r"(?P<d>daily|(?:per|a|each|every|/)[\s-]*+(?:day|d)\b)"
#: A unit after the number (and its scale word): mass, barrels, compact forms, percent, dollars.
_UNIT = re.compile(
    r"(?:\s*+|-)(?:(?P<pct>%|per\s?cent\b|pct\b|pc\b)(?!\s*+(?:points?|pts?|p\.p\.)(?![a-z]))"
    r"|(?P<usd>dollars?\b|usd\b|us\s++dollars?\b)"
    r"|\(?+(?P<cu>" + _COMPACT_RE + r")(?![a-z/])"
    r"|(?:metric\s++)?(?P<mass>(?:tonnes|tonne|tons|ton)\b|t(?![\w/]))"
    r"|(?P<bbl>barrels|barrel|bbl)\b)",
    re.I,
)
#: A time after a mass or barrel unit, with up to three words between ("of crude oil").
_PER = re.compile(
    r"(?:\s++of(?:\s++[a-z’'-]++){1,3}?)?[\s-]*+(?:" + _PER_YEAR + "|" + _PER_DAY + r")"
    r"(?!\s++(?:ago|earlier|before|later|after)\b)",
    re.I,
)
#: An abbreviation in brackets after a unit: "(bpd)", "(mtpa)".
_BRACKETED = re.compile(r"\s*+\((?:" + _COMPACT_RE + r")\)", re.I)
_MONEY_BEFORE = re.compile(r"(?:US\$|\$|USD|US dollars?)\s*+$", re.I)
#: Between two numbers of a range or a pair: "6-7", "6 to 7", "6 and 7", "6 million to 7".
_JOIN = re.compile(r"\s*+(?P<j>-|–|—|to\b|and\b)\s*+", re.I)
_FROM = re.compile(r"\bfrom\s++$", re.I)
_BETWEEN = re.compile(r"\bbetween\s++$", re.I)
_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\b"
)
_MONTH_BEFORE = re.compile(r"\b" + _MONTH + r"\.?+\s++$", re.I)
_MONTH_AFTER = re.compile(r"\s++" + _MONTH, re.I)

COMPARATORS: list[tuple[re.Pattern[str], Comparator]] = [
    (
        re.compile(
            r"\b(?:(?:just\s+|well\s+|slightly\s+|a\s+little\s+|much\s+)?(?:more\s+than|over)|"
            r"above|exceeding|exceeded|exceeds|exceed|surpassed|surpassing|surpasses|surpass|"
            r"topped|topping|tops|in\s+excess\s+of|upwards\s+of|higher\s+than|greater\s+than|"
            r"beyond)\s*$|>\s*$",
            re.I,
        ),
        "gt",
    ),
    (
        re.compile(
            r"\b(?:at\s+least|no\s+less\s+than|not\s+less\s+than|a\s+minimum\s+of)\s*$|≥\s*$",
            re.I,
        ),
        "ge",
    ),
    (
        re.compile(
            r"\b(?:(?:just\s+|slightly\s+)?(?:less\s+than|under|below)|fewer\s+than|"
            r"lower\s+than)\s*$|<\s*$",
            re.I,
        ),
        "lt",
    ),
    (
        re.compile(
            r"\b(?:up\s+to|at\s+most|no\s+more\s+than|not\s+more\s+than|a\s+maximum\s+of|"
            r"as\s+much\s+as|as\s+many\s+as)\s*$|≤\s*$",
            re.I,
        ),
        "le",
    ),
    (
        re.compile(
            r"(?:\b(?:about|around|roughly|approximately|approx\.?|some|nearly|almost|"
            r"close\s+to|near|neared|nearing|an\s+estimated|estimated\s+at|estimated|circa|"
            r"c\.)|~|≈)\s*$",
            re.I,
        ),
        "approx",
    ),
]
#: The last word of every comparator: a set look-up settles most numbers (those with none).
_LAST_WORDS = frozenset(
    [
        "than",
        "over",
        "above",
        "exceeding",
        "exceeded",
        "exceeds",
        "exceed",
        "surpassed",
        "surpassing",
        "surpasses",
        "surpass",
        "topped",
        "topping",
        "tops",
        "of",
        "beyond",
        "least",
        "under",
        "below",
        "to",
        "most",
        "as",
        "about",
        "around",
        "roughly",
        "approximately",
        "approx",
        "some",
        "nearly",
        "almost",
        "near",
        "neared",
        "nearing",
        "estimated",
        "at",
        "circa",
        "c",
        ">",
        "≥",
        "<",
        "≤",
        "~",
        "≈",
    ]
)
#: How far before a number its comparator may start: a few words, never the whole sentence.
_COMPARATOR_REACH = 32

#: Shares written in words. The key is the phrase in lower case with single spaces.
_WORD_SHARES: dict[str, tuple[float, Comparator]] = {
    "four fifths": (80.0, "approx"),
    "three fifths": (60.0, "approx"),
    "two fifths": (40.0, "approx"),
    "one fifth": (20.0, "approx"),
    "a fifth": (20.0, "approx"),
    "one tenth": (10.0, "approx"),
    "a tenth": (10.0, "approx"),
    "three quarters": (75.0, "approx"),
    "two thirds": (66.7, "approx"),
    "one third": (33.3, "approx"),
    "a third": (33.3, "approx"),
    "one quarter": (25.0, "approx"),
    "a quarter": (25.0, "approx"),
    "half": (50.0, "approx"),
    "one half": (50.0, "approx"),
    "most": (50.0, "gt"),
    "the bulk": (50.0, "gt"),
    "the majority": (50.0, "gt"),
    "a majority": (50.0, "gt"),
    "majority": (50.0, "gt"),
    "the lion's share": (50.0, "gt"),
    "the lion’s share": (50.0, "gt"),
    "almost all": (90.0, "ge"),
    "nearly all": (90.0, "ge"),
    "virtually all": (90.0, "ge"),
}
WORDS = re.compile(
    r"(?<!first\s)(?<!second\s)(?<!last\s)(?<!latter\s)(?<!former\s)"
    r"\b(?P<w>(?:two|three|four)[- ]fifths|(?:one|a)[- ](?:fifth|tenth)|three[- ]quarters|"
    r"two[- ]thirds|(?:one|a)[- ]third|"
    r"(?:one|a)[- ]quarter|(?:one[- ])?half|most|the\s+bulk|(?:the\s+|a\s+)?majority|"
    r"the\s+lion[’']s\s+share|(?:almost|nearly|virtually)\s+all)"
    r"(?P<of>\s+of\b)?(?![- ](?:year|yearly|hour|way|an?\b|time|century|decade))",
    re.I,
)
#: Between two shares of one list: "of world supply and" (no comma, no clause of its own).
_SHARED = re.compile(r"\s*+of\b[^,;.()\d]{0,40}(?<=\s)and\s++$", re.I)
#: "2/3 of": a fraction of a whole, written with a slash.
_FRACTION = re.compile(r"(?<![\w/.,])(?P<a>[1-9])/(?P<b>[2-9]|10)(?![\w/])(?=\s+of\b)")


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


@dataclass(frozen=True)
class _Number:
    """One number as written, with its scale word and unit when it has them."""

    value: float
    start: int
    end: int  # after the scale word, or the number itself when there is none
    scale: float  # the scale word's multiplier, 1 without one
    scale_word: str | None
    grouped: bool  # written with thousands separators
    plain: bool  # digits only


@dataclass(frozen=True)
class _Unit:
    """The unit read after a number: what the number (times ``mult``) is measured in."""

    kind: QuantityKind
    unit: str
    mult: float
    end: int


def number_value(written: str) -> float | None:
    """Read a number as written, deciding by grouping what a comma means.

    Parameters
    ----------
    written
        Digits with ``.`` or ``,`` between digit groups.

    Returns
    -------
    float or None
        The value, or None when the groups fit no number format (a date such as 27.11.2024).

    Notes
    -----
    Exactly three digits after every comma makes the commas thousands separators ("190,000",
    "1,886"); a single comma followed by another count of digits is a decimal comma ("1,5").
    Dots between groups of three ("1.000.000") are thousands separators too.

    Examples
    --------
    >>> number_value("190,000"), number_value("1,5"), number_value("1.000.000")
    (190000.0, 1.5, 1000000.0)
    """
    if _GROUPED.fullmatch(written):
        if written.count(".") > 1:
            return float(written.replace(".", ""))
        return float(written.replace(",", ""))
    if written.count(",") == 1 and "." not in written:
        return float(written.replace(",", "."))
    if "," not in written and written.count(".") <= 1:
        return float(written)
    return None


def significant_digits(text: str) -> int:
    """Return the most significant digits any number in `text` is written with.

    Leading and trailing zeros do not count: "1,000,000" has one, "0.0125" three.

    Examples
    --------
    >>> significant_digits("1,000,000 t"), significant_digits("1234567890123456 t")
    (1, 16)
    """
    return max(
        (len(re.sub(r"\D", "", m.group()).strip("0")) for m in _NUMBER.finditer(text)),
        default=0,
    )


def _numbers(sentence: str) -> list[_Number]:
    found: list[_Number] = []
    for m in _NUMBER.finditer(sentence):
        if m.end() - m.start() > MAX_NUMBER_CHARS:
            continue
        value = number_value(m.group())
        if value is None:
            continue
        end, scale, word = m.end(), 1.0, None
        s = _SCALE.match(sentence, end)
        if s is not None and (
            s["s"] or _glued_scale_counts(sentence, s.end()) or _money_at(sentence, m.start())
        ):
            word = (s["s"] or s["g"]).lower()
            end, scale = s.end(), _SCALES[word]
        found.append(
            _Number(value, m.start(), end, scale, word, "," in m.group(), m.group().isdigit())
        )
    for m in _WORD_NUMBER.finditer(sentence):
        s = _SCALE.match(sentence, m.end())
        if s is None or not s["s"]:
            continue
        value = _WORD_VALUES[" ".join(m["w"].lower().split())] + (0.5 if m["half"] else 0.0)
        word = s["s"].lower()
        found.append(_Number(value, m.start(), s.end(), _SCALES[word], word, False, False))
    return sorted(found, key=lambda n: n.start)


def _glued_scale_counts(sentence: str, end: int) -> bool:
    """Tell whether a one-letter scale glued to a number ("3m", "400k") has a unit after it."""
    u = _UNIT.match(sentence, end)
    return u is not None and not u["pct"]


def _unit(sentence: str, n: _Number) -> _Unit | None:
    """Read the unit right after a number and its scale word (None when there is none)."""
    u = _UNIT.match(sentence, n.end)
    if u is None:
        return None
    if u["pct"]:
        return None if n.scale_word else _Unit("share", "%", 1.0, u.end())
    if u["usd"]:
        return _Unit("money", "USD", n.scale, u.end())
    if u["cu"]:
        return _compact_unit(sentence, n, u["cu"].lower(), u.end())
    per = _PER.match(sentence, u.end())
    end = per.end() if per else u.end()
    b = _BRACKETED.match(sentence, end)
    end = b.end() if b else end
    time = None if per is None else ("year" if per["y"] else "day")
    base = "bbl" if u["bbl"] else "t"
    prefix, mult = {1e6: ("M", 1.0), 1e3: ("k", 1.0), 1e9: ("M", 1e3), 1e12: ("M", 1e6)}.get(
        n.scale, ("", 1.0)
    )
    if time is None:
        return _Unit("amount", f"{prefix}{base}", mult, end)
    return _Unit("rate", f"{prefix}{base}/{time}", mult, end)


def _compact_unit(sentence: str, n: _Number, written: str, end: int) -> _Unit:
    unit, kind = _COMPACT[written]
    per = _PER.match(sentence, end) if kind == "amount" else None
    if per is not None:
        unit, kind, end = f"{unit}/{'year' if per['y'] else 'day'}", "rate", per.end()
    if n.scale_word is None:
        return _Unit(kind, unit, 1.0, end)
    base = unit.lstrip("Mk")
    if unit.startswith("M") and base.startswith("t") and written in ("mt", "mt/y", "mt/yr"):
        # "5 million mt" is five million metric tons
        unit = base
    elif unit.startswith(("M", "k")):
        # "1.2 thousand kb/d" is rare; read the scale against the compact unit's own
        return _Unit(kind, unit, n.scale, end)
    prefix, mult = {1e6: ("M", 1.0), 1e3: ("k", 1.0), 1e9: ("M", 1e3)}.get(n.scale, ("", n.scale))
    return _Unit(kind, f"{prefix}{unit}", mult, end)


def _is_year(n: _Number) -> bool:
    return n.plain and n.scale_word is None and n.value.is_integer() and 1900 <= n.value <= 2100


def _is_day_of_month(sentence: str, n: _Number) -> bool:
    if not (n.plain and n.value.is_integer() and 1 <= n.value <= 31):
        return False
    before = sentence[max(0, n.start - 12) : n.start]
    return bool(_MONTH_BEFORE.search(before) or _MONTH_AFTER.match(sentence, n.end))


def _lower_end(low: _Number, high: _Number, high_value: float) -> float:
    """Return a range's lower end in the upper end's terms ("200-400,000" starts at 200,000)."""
    if low.scale_word is not None:
        return low.value * low.scale / high.scale
    if high.scale_word is not None and low.value > high.value:
        # "500,000 to 1 million": the lower end is written out in full
        return low.value / high.scale
    if high.grouped and not low.grouped and high_value >= 1000:
        step = 1.0
        mantissa = high_value
        while mantissa >= 1000 and mantissa % 1000 == 0:
            mantissa /= 1000
            step *= 1000
        if step > 1 and low.value <= mantissa:
            return low.value * step
    return low.value


def _join_reading(sentence: str, low: _Number, join: str, lo: float, hi: float) -> str:
    """Say how a unit-less number relates to the next one.

    Returns
    -------
    str
        ``"range"`` ("6-7 Mt", "between 6 and 7 Mt"); ``"change"`` ("from 6 to 7 Mt": two
        figures); ``"pair"`` ("6 and 7 Mt, respectively": two figures sharing a unit); or
        ``"upper"`` when the first number is no quantity at all: a year, a day of the month,
        or a number out of scale with the second ("in 2024 to 90 Mt", "Nov 25 to 214,500 t").
    """
    before = sentence[max(0, low.start - 12) : low.start]
    if _is_year(low) or _is_day_of_month(sentence, low) or lo <= 0:
        return "upper"
    if join == "and" and not _BETWEEN.search(before):
        return "pair" if lo * 20 >= hi else "upper"
    if _FROM.search(before):
        return "change"
    return "range" if lo < hi else "upper"


def _comparator(sentence: str, start: int) -> Comparator:
    before = sentence[max(0, start - _COMPARATOR_REACH) : start]
    money = _MONEY_BEFORE.search(before)
    if money is not None:
        before = before[: money.start()]
    words = before.rsplit(maxsplit=1)
    if not words or words[-1].lower().lstrip("([\"'“‘").rstrip(".") not in _LAST_WORDS:
        return "eq"
    for pattern, name in COMPARATORS:
        if pattern.search(before):
            return name
    return "eq"


def _is_signed(sentence: str, start: int) -> bool:
    """Tell whether a number has a sign ("-0.4%", "+3%"): a change, not a level."""
    if start == 0 or sentence[start - 1] not in "+-−":
        return False
    return start == 1 or sentence[start - 2].isspace() or sentence[start - 2] in "(["


def _money_at(sentence: str, start: int) -> bool:
    return bool(_MONEY_BEFORE.search(sentence[max(0, start - 12) : start]))


class _Reader:
    """Reads the quantities of one sentence, number by number."""

    def __init__(self, sentence: str) -> None:
        self.s = sentence
        self.nums = _numbers(sentence)
        self.units = [_unit(sentence, n) for n in self.nums]
        self.found: list[Quantity] = []
        self.used: set[int] = set()

    def read(self) -> list[Quantity]:
        for i, n in enumerate(self.nums):
            if i in self.used:
                continue
            if self.units[i] is None and _money_at(self.s, n.start):
                self.units[i] = _Unit("money", "USD", n.scale, n.end)
            if self.units[i] is None:
                self._pair(i)
            elif not self._range_of_units(i):
                self._single(i)
        return self.found

    def _emit(
        self,
        kind: QuantityKind,
        value: float,
        unit: str,
        comp: Comparator,
        high: float | None,
        start: int,
        end: int,
    ) -> None:
        self.found.append(Quantity(kind, value, unit, comp, high, start, end, self.s[start:end]))

    def _single(self, i: int) -> None:
        n, u = self.nums[i], self.units[i]
        assert u is not None
        if _is_signed(self.s, n.start) or (u.kind == "share" and self._after_bare_number(i)):
            return
        if _is_year(n) and u.kind != "money":
            return
        start = n.start
        if u.kind == "money":
            m = _MONEY_BEFORE.search(self.s[max(0, n.start - 12) : n.start])
            if m is not None:
                start = max(0, n.start - 12) + m.start()
        self._emit(u.kind, n.value * u.mult, u.unit, _comparator(self.s, start), None, start, u.end)

    def _after_bare_number(self, i: int) -> bool:
        """Tell whether a share follows a bare decimal ("0.0114 0%"): a ticker or table cell."""
        if i == 0 or self.units[i - 1] is not None or self.nums[i - 1].plain:
            return False
        gap = self.s[self.nums[i - 1].end : self.nums[i].start]
        return gap.strip() in ("", "-", "+")

    def _pair(self, i: int) -> None:
        """Read a number with no unit joined to the next one: a range, or a pair sharing a unit."""
        if i + 1 >= len(self.nums) or self.units[i + 1] is None:
            return
        low, high, u = self.nums[i], self.nums[i + 1], self.units[i + 1]
        assert u is not None
        j = _JOIN.match(self.s, low.end)
        if j is None or j.end() != high.start or _is_signed(self.s, high.start):
            return
        self.used.add(i + 1)
        if _is_year(high) and u.kind != "money":
            return
        hi = high.value * u.mult
        lo = _lower_end(low, high, high.value) * u.mult
        end_hi = (high.start, u.end)
        how = _join_reading(self.s, low, j["j"].lower(), lo, hi)
        if how in ("pair", "change"):
            comp = _comparator(self.s, low.start) if how == "pair" else "eq"
            self._emit(u.kind, lo, u.unit, comp, None, low.start, low.end)
        if how == "range":
            self._emit(u.kind, lo, u.unit, "range", hi, low.start, u.end)
        else:
            comp = _comparator(self.s, high.start) if how != "change" else "eq"
            self._emit(u.kind, hi, u.unit, comp, None, *end_hi)

    def _range_of_units(self, i: int) -> bool:
        """Two numbers with the same unit as a range: "between 10% and 20%", "78%-82%"."""
        if i + 1 >= len(self.nums):
            return False
        a, b = self.units[i], self.units[i + 1]
        if a is None or b is None or a.unit != b.unit:
            return False
        low, high = self.nums[i], self.nums[i + 1]
        j = _JOIN.match(self.s, a.end)
        if j is None or j.end() != high.start:
            return False
        join = j["j"].lower()
        between = _BETWEEN.search(self.s[max(0, low.start - 12) : low.start])
        dash = join in ("-", "–", "—") and not _FROM.search(
            self.s[max(0, low.start - 8) : low.start]
        )
        lo, hi = low.value * a.mult, high.value * b.mult
        if not ((between and join == "and") or dash) or lo >= hi:
            return False
        self.used.add(i + 1)
        self._emit(a.kind, lo, a.unit, "range", hi, low.start, b.end)
        return True


def _word_shares(sentence: str, taken: list[tuple[int, int]]) -> list[Quantity]:
    found: list[Quantity] = []
    for m in WORDS.finditer(sentence):
        key = " ".join(m["w"].lower().replace("-", " ").split())
        word = _WORD_SHARES.get(key)
        if word is None or (key in ("most", "majority") and not m["of"]):
            continue
        if key == "most" and sentence[max(0, m.start() - 4) : m.start()].lower() == "the ":
            continue
        found.append(_word_share(sentence, m.start(), m.end(), *word))
    for m in _FRACTION.finditer(sentence):
        a, b = int(m["a"]), int(m["b"])
        if a < b:
            found.append(_word_share(sentence, m.start(), m.end(), round(100 * a / b, 1), "approx"))
    return [q for q in found if not _overlaps(q, taken)]


def _overlaps(q: Quantity, taken: list[tuple[int, int]]) -> bool:
    """Tell whether ``q`` overlaps a span of ``taken`` (sorted, not overlapping each other)."""
    k = bisect_left(taken, (q.end, -1)) - 1
    return k >= 0 and taken[k][1] > q.start


def _word_share(sentence: str, a: int, b: int, value: float, comp: Comparator) -> Quantity:
    before = _comparator(sentence, a)
    return Quantity(
        "share", value, "%", before if before != "eq" else comp, None, a, b, sentence[a:b]
    )


def quantities(sentence: str) -> list[Quantity]:
    """Return every share, volume, rate and money figure in a sentence, left to right.

    Parameters
    ----------
    sentence
        One sentence of an article.

    Returns
    -------
    list of Quantity
        Figures with a unit (or a share in words), each with its comparator; a range has
        ``comparator="range"`` and its upper end in ``high``. Years, days of the month and
        numbers with no unit are left out.
    """
    found = _Reader(sentence).read()
    found += _word_shares(sentence, sorted((q.start, q.end) for q in found))
    found.sort(key=lambda q: q.start)
    return [_shared_comparator(sentence, found, k) for k in range(len(found))]


def _shared_comparator(sentence: str, found: list[Quantity], k: int) -> Quantity:
    """Carry "about" over a list of shares: "about 2% of world supply and 80% of exports"."""
    q = found[k]
    if k == 0 or q.kind != "share" or q.comparator != "eq":
        return q
    prev = found[k - 1]
    if prev.kind != "share" or prev.comparator != "approx":
        return q
    if not _SHARED.match(sentence[prev.end : q.start]):
        return q
    return replace(q, comparator="approx")
