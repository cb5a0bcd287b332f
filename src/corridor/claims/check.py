"""Check an article's claims: the pipeline from text to verdicts, in one function.

`check_article` runs the stages in order: `text` (HTML to main text, sentences), `extract`
(quantities with comparators and ranges), `normalise` (with `link`: a sentence and a quantity
to a `Claim`, a number set aside as something else, or nothing) and `judge` (a claim and the
reconciled interval of its figure to a verdict). The article is read in order: the period and
the route a sentence names carry over to the sentences after it (`normalise.Carry`).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field, replace
from datetime import date
from typing import TYPE_CHECKING, Any

from corridor.claims.extract import quantities
from corridor.claims.facts import Facts
from corridor.claims.judge import UNOBSERVED_THROUGHPUT, Judge, either
from corridor.claims.normalise import Carry, Claim, Context, SetAside, read_number, update_carry
from corridor.claims.text import article_text, sentences
from corridor.exceptions import ClaimsError, CorridorError

if TYPE_CHECKING:
    from corridor.network import Network


@dataclass(frozen=True)
class ArticleCheck:
    """An article's claims with their verdicts, the numbers set aside, and the date assumed."""

    claims: list[Claim]
    set_aside: list[SetAside] = field(default_factory=list)
    date: date | None = None
    #: Why the check stopped before the end of the article (its time budget ran out), else None.
    stopped: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return the check as JSON-ready data."""
        return {
            "date": None if self.date is None else self.date.isoformat(),
            "claims": [c.to_dict() for c in self.claims],
            "set_aside": [a.to_dict() for a in self.set_aside],
            "stopped": self.stopped,
        }


#: Seconds one article's check may take (`check_article`'s ``budget_s``): a news article takes
#: well under one; past it the check stops and says so rather than pin a core.
BUDGET_S = 4.0


def check_article(
    text: str,
    *,
    n: Network | Facts,
    date: date | None = None,
    budget_s: float | None = BUDGET_S,
) -> ArticleCheck:
    """Find the quantitative claims about the network in an article and check each one.

    Parameters
    ----------
    text : str
        Plain text or HTML (reduced to the article's main text).
    n : Network or Facts
        The package the claims are checked against, or its facts (`corridor.claims.facts`:
        what ``corridor claims check`` reads from the cache).
    date : date, optional
        Publication date, for "last year"/"this year" and undated present-tense claims; else
        the HTML's date, else the package's latest complete year is used.
    budget_s : float or None, default `BUDGET_S`
        Seconds the check may take, counted from the call; None for no limit. Past it the
        check stops at the next number and returns what it has, with ``stopped`` saying where.
        Reducing HTML to its text is not cut short (the size limit bounds it).

    Returns
    -------
    ArticleCheck
        The claims in text order, each with its verdict and where its period came from; the
        numbers set aside (plans, changes, other commodities …) with the reason; the date;
        ``stopped``, None unless the time budget ran out.

    Raises
    ------
    ClaimsError
        The text is longer than `corridor.claims.text.MAX_CHARS`, or `budget_s` is not a
        positive number of seconds.
    """
    if budget_s is not None and not budget_s > 0:
        msg = f"the claims check's time budget must be a positive number of seconds, got {budget_s}"
        raise ClaimsError(msg)
    deadline = math.inf if budget_s is None else time.monotonic() + budget_s
    body, found_date = article_text(text)
    when = date or found_date
    facts = n if isinstance(n, Facts) else Facts.of(n)
    context = Context.of(facts, when)
    judge = Judge(facts)
    carry = Carry()
    claims: list[Claim] = []
    aside: list[SetAside] = []
    parts = sentences(body)
    for i, s in enumerate(parts):
        # a headline takes the period its story opens with ("In 2021, …" in the lead)
        here = Carry(year=lead_year(context, parts[1:4])) if i == 0 else carry
        named = bool(context.linker.countries(s))  # once a sentence, not once a number
        for q in quantities(s):
            if time.monotonic() > deadline:
                note = _stopped(budget_s, i, len(parts), len(claims))
                return ArticleCheck(claims, aside, when, stopped=note)
            found = read_number(context, s, q, here)
            if isinstance(found, SetAside):
                aside.append(found)
            elif found is not None:
                claims.append(_judged(judge, found, named=named))
        update_carry(context.linker, s, carry, context)
    return ArticleCheck(claims, aside, when)


def _stopped(budget_s: float | None, at: int, of: int, found: int) -> str:
    """Say where a check that ran out of time stopped."""
    return (
        f"stopped after the time budget of {budget_s:g} s, in sentence {at + 1} of {of}: the "
        f"{found} claims before it are checked, the rest of the article is not read"
    )


#: How far a day's, a week's or a month's rate may stray from its year's average before it is
#: called wrong: rates swing within a year (maintenance, storms), so only a gross error counts.
SHORT_PERIOD_SWING = 0.5


def _judged(judge: Judge, c: Claim, *, named: bool = True) -> Claim:
    """Rate a claim, under each reading the text leaves open.

    A volume on a route or node in a sentence that names no country ("the terminal shipped
    63 Mt") may be the exporter's or every shipper's: both are rated (`either_shipper`). A claim
    of a day, a week or a month to date is checked for gross errors only (`_short`).
    """
    if c.unrated:
        return replace(c, interpretation=c.unrated)
    if c.span is not None and c.span[0] == c.span[1]:
        return _short(judge, c)
    try:
        rated = judge.judge(c)
        if named or c.exporter == "ALL" or c.metric not in ("volume_via", "volume_via_node"):
            return rated
        return either_shipper(rated, judge.judge(replace(c, exporter="ALL")))
    except CorridorError as exc:  # one claim the package cannot rate never loses the rest
        return replace(c, interpretation=f"not rated: {exc}")


def either_shipper(own: Claim, every: Claim) -> Claim:
    """Combine the exporter's reading of a volume with every shipper's.

    Supported when either holds, contradicted when both fail, else not checkable; the
    interpretation gives both. Every shipper's reading counts only when an observation measures
    the asset's throughput: without one its range runs up to the capacity and says nothing.
    """
    if UNOBSERVED_THROUGHPUT in every.interpretation and every.verdict != "supported":
        return own
    verdict = either([own.verdict, every.verdict])
    chosen = every if every.verdict == verdict and own.verdict != verdict else own
    return replace(
        chosen,
        exporter=own.exporter,
        verdict=verdict,
        interpretation=(
            "the text does not say whose oil: the exporter's reading: "
            f"{own.interpretation} → {own.verdict}; every shipper's: {every.interpretation} "
            f"→ {every.verdict}"
        ),
        readings=own.readings + every.readings,
    )


def _short(judge: Judge, c: Claim) -> Claim:
    """Rate a day's, a week's or a month-to-date figure: only a gross error is called wrong.

    Such a claim (an empty span) has no observation to be rated against; a rate in it is
    contradicted only when it is far from its year's average (`SHORT_PERIOD_SWING`).
    """
    short = replace(
        c,
        span=None,
        interpretation=(
            "a figure of a day, a week or a month to date; the package holds full years and "
            "observed periods only, so it is not rated"
        ),
    )
    if "/" not in c.unit or c.comparator not in ("eq", "approx"):
        return short
    year = judge.judge(replace(c, span=None))
    found = year.readings[0].model_range if year.readings else None
    try:
        claimed = judge.in_mt_per_year(c.value, c.unit)
    except CorridorError:
        return short
    if found is None or not all(map(math.isfinite, found)):
        return short
    lo, hi = found
    if (1 - SHORT_PERIOD_SWING) * lo <= claimed <= (1 + SHORT_PERIOD_SWING) * hi:
        return short
    return replace(
        year,
        span=None,
        verdict="contradicted",
        tolerance=f"±{100 * SHORT_PERIOD_SWING:g}% of the year's average",
        interpretation=(
            f"a rate of a day, a week or a month, far from the year's average: "
            f"{year.interpretation}"
        ),
    )


def lead_year(ctx: Context, lead: list[str]) -> int | None:
    """Return the first year the lead sentences give as a period (not a deadline), if any."""
    probe = Carry()
    for s in lead:
        update_carry(ctx.linker, s, probe, ctx)
        if probe.year is not None:
            return probe.year
    return None


def check_claims(
    text: str,
    *,
    n: Network | Facts,
    date: date | None = None,
    budget_s: float | None = BUDGET_S,
) -> list[Claim]:
    """Return the claims about the network in an article, each with its verdict.

    The claims of `check_article` (with its time budget), without the numbers set aside.

    Examples
    --------
    >>> n = corridor.load_package()
    >>> c = check_claims("More than 80% of Kazakhstan's oil is exported via Russia.",
    ...                  n=n, date=datetime.date(2026, 3, 1))[0]
    >>> c.metric, c.via, c.period, c.verdict
    ('share_crossing', 'RUS', 2025, 'supported')
    """
    return check_article(text, n=n, date=date, budget_s=budget_s).claims
