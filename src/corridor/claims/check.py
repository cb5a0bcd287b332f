"""Check an article's claims: the pipeline from text to verdicts, in one function.

`check_claims` runs the stages in order: `text` (HTML to main text, sentences), `extract`
(quantities with comparators and ranges), `normalise` (with `link`: a sentence and a quantity
to a `Claim`, or to nothing) and `judge` (a claim and the reconciled interval of its figure
to a verdict).
"""

from __future__ import annotations

from datetime import date

from corridor.claims.extract import quantities
from corridor.claims.judge import Judge
from corridor.claims.normalise import Claim, Context, claim_from
from corridor.claims.text import article_text, sentences
from corridor.network import Network


def check_claims(text: str, *, n: Network, date: date | None = None) -> list[Claim]:
    """Find the quantitative claims about the network in an article and check each one.

    Parameters
    ----------
    text : str
        Plain text or HTML (reduced to the article's main text).
    n : Network
        The package the claims are checked against.
    date : date, optional
        Publication date, for "last year"/"this year" and undated present-tense claims; else
        the HTML's date, else the package's latest complete year is used.

    Returns
    -------
    list of Claim
        In text order, each with its verdict.

    Raises
    ------
    ClaimsError
        The text is longer than `corridor.claims.text.MAX_CHARS`.

    Examples
    --------
    >>> n = corridor.load_package()
    >>> c = check_claims("More than 80% of Kazakhstan's oil is exported via Russia.",
    ...                  n=n, date=datetime.date(2026, 3, 1))[0]
    >>> c.metric, c.via, c.period, c.verdict
    ('share_crossing', 'RUS', 2025, 'supported')
    """
    body, found_date = article_text(text)
    context = Context.of(n, date or found_date)
    judge = Judge(n)
    claims: list[Claim] = []
    for s in sentences(body):
        for q in quantities(s):
            claim = claim_from(context, s, q)
            if claim is not None:
                claims.append(judge.judge(claim))
    return claims
