"""Claims: find the quantitative statements about the network in an article and check them.

`check_article` runs the pipeline, one module per stage (`check_claims` keeps the claims):

- `text`: HTML to the article's main text and its date; sentences;
- `extract`: the quantities in a sentence, with comparators and ranges;
- `link`: the countries, routes and nodes a sentence names, and what they are to a number in
  its clause;
- `periods`: the part of a year a text speaks of;
- `normalise`: a sentence and a quantity to a `Claim` (exporter, metric, via, period and where
  it came from), to a `SetAside` number (a plan, a change, another commodity …), or to nothing;
  the article's context (`Carry`) passes from sentence to sentence;
- `judge`: a claim against the reconciled interval of its figure (`corridor.reconciliation`),
  or a part-year claim against the observation of exactly its period, to a verdict, with the
  figure, the interval, the tolerance, the readings and the sources.

`vocabulary` holds the words they read (regular expressions, country aliases) and the names
they write (`Metric`, `Verdict`); `evaluation` scores the checker on a labelled set.
"""

from corridor.claims.check import ArticleCheck, check_article, check_claims
from corridor.claims.extract import Comparator
from corridor.claims.normalise import Claim, Reading, SetAside
from corridor.claims.vocabulary import Metric, Verdict

__all__ = [
    "ArticleCheck",
    "Claim",
    "Comparator",
    "Metric",
    "Reading",
    "SetAside",
    "Verdict",
    "check_article",
    "check_claims",
]
