"""Parts of a year a sentence speaks of: month spans, halves, quarters, months, first months.

One home for reading a part-year period, used by the normaliser (to give a claim its
``span``) and the judge (to find the observation of exactly that period).

Examples
--------
>>> part_of_year("In January-October, the pipeline carried 46 Mt", 2024)
(datetime.date(2024, 1, 1), datetime.date(2024, 11, 1))
>>> part_of_year("in the first half of 2023", 2023)
(datetime.date(2023, 1, 1), datetime.date(2023, 7, 1))
>>> part_of_year("by the end of October it had shipped 46 Mt", 2024)
(datetime.date(2024, 1, 1), datetime.date(2024, 11, 1))
>>> part_of_year("deliveries in June fell", 2025)
(datetime.date(2025, 6, 1), datetime.date(2025, 7, 1))
>>> part_of_year("the whole of 2025", 2025) is None
True
"""

from __future__ import annotations

import re
from datetime import date

_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_MONTH = r"(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
_MONTH_SPAN = re.compile(
    rf"\b(?:from\s+)?{_MONTH}\s*(?:[-–—]|to|through|until|and)\s*{_MONTH}(?=[\s,.;]|$)", re.I
)
#: One month named: "in June", "June 2025", "for March". Case-sensitive: "may" is not "May".
_MONTH_NAMES_RE = (
    r"(January|February|March|April|May|June|July|August|September|October|November|December)"
)
#: The year to the end of a month: "by the end of October", "as of end-October", "through May".
_TO_MONTH = re.compile(
    r"\b(?i:by\s+the\s+end\s+of|as\s+of\s+(?:the\s+)?end[- ]of|at\s+the\s+end\s+of|"
    r"by\s+end[- ]|through|up\s+to)\s*" + "(January|February|March|April|May|June|July|August|"
    r"September|October|November|December)\b"
)
_ONE_MONTH = re.compile(
    r"\b(?i:in|for|during|of|since)\s+" + _MONTH_NAMES_RE + r"\b(?!\s+\d{1,2}\b)"
    r"|\b" + _MONTH_NAMES_RE + r"(?:'s|’s)"  # "March's output"
)
_HALF = re.compile(r"\b(first|second)\s+half\b|\bH([12])\b", re.I)
_QUARTER = re.compile(r"\b(first|second|third|fourth)\s+quarter\b|\bQ([1-4])\b", re.I)
_COUNTS = ("two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven")
_FIRST_MONTHS = re.compile(rf"\b({'|'.join(_COUNTS)}|\d{{1,2}})[\s-]+months?\b|\b(9|6|3)M\b", re.I)
_ORDINAL = {"first": 1, "second": 2, "third": 3, "fourth": 4}
_MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def month_span(first: int, last: int, year: int) -> tuple[date, date]:
    """Return months `first` to `last` (1-12, inclusive) of `year` as ``[start, end)``."""
    end = date(year + 1, 1, 1) if last == 12 else date(year, last + 1, 1)
    return date(year, first, 1), end


def part_of_year(sentence: str, year: int) -> tuple[date, date] | None:
    """Return the part of `year` a sentence speaks of as ``[start, end)``, or None.

    Reads month spans ("January–October", "Jan-Oct", "from February to May"), halves ("first
    half", "H1"), quarters ("Q3", "third quarter"), the first months of a year ("eight months",
    "10 months", "9M"), the year to a month's end ("by the end of October") and one month
    named ("in June", "March's output").
    """
    if m := _MONTH_SPAN.search(sentence):
        first = _MONTHS.index(m.group(1).lower()) + 1
        last = _MONTHS.index(m.group(2).lower()) + 1
        return month_span(first, last, year) if first <= last else None
    if m := _HALF.search(sentence):
        h = 1 if (m.group(1) or "").lower() == "first" or m.group(2) == "1" else 2
        return month_span(6 * h - 5, 6 * h, year)
    if m := _QUARTER.search(sentence):
        q = _ORDINAL[m.group(1).lower()] if m.group(1) else int(m.group(2))
        return month_span(3 * q - 2, 3 * q, year)
    if m := _FIRST_MONTHS.search(sentence):
        count = m.group(1) or m.group(2)
        months = int(count) if count.isdigit() else _COUNTS.index(count.lower()) + 2
        return month_span(1, months, year) if 1 <= months <= 11 else None
    if m := _TO_MONTH.search(sentence):
        return month_span(1, _MONTH_NAMES.index(m.group(1)) + 1, year)
    if m := _ONE_MONTH.search(sentence):
        month = _MONTH_NAMES.index(m.group(1) or m.group(2)) + 1
        return month_span(month, month, year)
    return None
