"""Claims: find the quantitative statements about the network in an article and check them.

`check_claims` runs the pipeline: `text` (HTML to main text, sentences) → `extract`
(quantities with comparators and ranges) → `check` (entity linking, normalised claims,
verdicts against the package, with tolerances, interpretations and sources).
"""

from corridor.claims.check import Claim, Reading, check_claims

__all__ = ["Claim", "Reading", "check_claims"]
