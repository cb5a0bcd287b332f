"""The words the claim checker reads, and the names of what it writes.

Everything here is vocabulary, not logic: the regular expressions that say whether a sentence is
about the export network (and whether a number in it is a plan, a change, a part-year figure …),
the country alias table (`aliases.csv`), and the names of the metrics and verdicts a claim can
have.

Examples
--------
>>> "share_crossing" in METRICS, "supported" in VERDICTS
(True, True)
>>> bool(PLAN.search("Kazakhstan plans to ship 20 million tons"))
True
"""

from __future__ import annotations

import csv
import re
from functools import cache
from importlib.resources import files
from typing import Literal, get_args

#: What a claim measures. Shares are of the exporter's exports (in percent), except
#: ``share_of_route`` (the exporter's part of a route's whole throughput); the others are volumes
#: in the package's canonical rate, except ``value`` (money, never rated). ``volume_to_country``
#: is the volume delivered to a destination country (``via`` is its ISO3 code).
Metric = Literal[
    "share_of_exports",
    "share_crossing",
    "share_bypassing",
    "share_via",
    "share_via_node",
    "volume_via",
    "volume_via_node",
    "volume_crossing",
    "volume_bypassing",
    "volume_to_country",
    "share_of_route",
    "capacity",
    "total_exports",
    "production",
    "refinery_runs",
    "value",
]
METRICS: tuple[Metric, ...] = get_args(Metric)
#: The metrics rated in percentage points.
SHARE_METRICS: frozenset[Metric] = frozenset(m for m in METRICS if m.startswith("share"))

#: A claim's verdict: some value the model allows satisfies it, none does, or it is not rated.
Verdict = Literal["supported", "contradicted", "not_checkable"]
VERDICTS: tuple[Verdict, ...] = get_args(Verdict)

#: A sentence about the network names the commodity, an export, a route or a shipment.
NETWORK_WORDS = re.compile(
    r"\b(oil|crude|petroleum|condensate|exports?|exported|exporting|shipments?|shipped|transit|"
    r"pipelines?|barrels?|throughput|tankers?|terminal|loadings?)\b",
    re.I,
)
#: Words just before a share that make it a change ("rose by 5%"), not a share.
CHANGE = re.compile(
    r"\b(rose|rise|rising|increased?|increasing|grew|growth|jumped|surged|"
    r"fell|fall|falling|declined?|dropped|drop|down|up|higher|lower|cut|"
    r"reduction|by)\s+(?:by\s+)?(?:about\s+|around\s+|some\s+)?$",
    re.I,
)
#: Words around a share or a money amount that put it outside the network.
NON_NETWORK = re.compile(
    r"\b(price|prices|tariff|inflation|vote|voted|voters|turnout|"
    r"referendum|stake|shareholding|owns|interest\s+rate|GDP|budget|"
    r"tax|duty|premium|discount|yield|margin|wages?|population)\b",
    re.I,
)
#: Words just after a share that make it a share of something else ("71% of votes").
SHARE_OF_NON_NETWORK = re.compile(
    r"\s*(?:of|to)\s+(?:the\s+)?(?:votes?|voters|shares?|stake|GDP|budget)", re.I
)
#: Plans, targets, forecasts and possibilities: not observed figures.
PLAN = re.compile(
    r"\b(plans?|planned|planning|targets?|aims?|aiming|intends?|goal|could|would|"
    r"will|may|might|expects?|expected|forecasts?|projected|projects|seeks?|"
    r"hopes?|wants?|potential(?:ly)?|to\s+(?:raise|increase|boost|reach|ship))\b",
    re.I,
)
NEGATION = re.compile(
    r"\b(not|no longer|never|neither|nor|isn't|wasn't|aren't|weren't|"
    r"doesn't|didn't)\b",
    re.I,
)
#: A volume said of what an asset can carry, not what it carried.
CAPACITY = re.compile(
    r"\b(capacity|can\s+(?:carry|handle|pump|ship|take)|designed\s+to|"
    r"able\s+to\s+(?:carry|handle|pump))\b",
    re.I,
)
#: Part-year periods (the package holds full years). Case-sensitive: "may" is not "May".
PART_YEAR = re.compile(
    r"\b(first\s+half|second\s+half|H1|H2|Q[1-4]|quarter|January|February|"
    r"March|April|May|June|July|August|September|October|November|December|"
    r"Jan(?:uary)?[-–]\w+|(?:two|three|four|five|six|seven|eight|nine|ten|eleven|\d{1,2})\s+months|9M|month|weekly|daily\s+rate)\b"
)
#: A year written in a sentence, not part of a number or followed by a unit.
YEAR = re.compile(
    r"(?<!\d)(?<!\d[.,])(19[5-9]\d|20[0-9]\d)(?!\d|[.,]\d|\s*(?:%|per\s?cent|t\b|tons|"
    r"tonnes|barrels|bbl|mb/d|kb/d|bpd))"
)
LAST_YEAR = re.compile(r"\blast\s+year\b|\ba\s+year\s+earlier\b", re.I)
THIS_YEAR = re.compile(r"\bthis\s+year\b", re.I)
_VIA = (
    r"(?:via|through|across|by\s+way\s+of|transit(?:s|ed|ing)?(?:\s+through)?|"
    r"cross(?:es|ed|ing)?|pass(?:es|ed)?\s+through|go(?:es)?\s+through|through\s+the)"
)
#: Words just before a country that make it the claim's via ("exported via Russia").
VIA_BEFORE = re.compile(r"\b" + _VIA + r"\s+(?:the\s+)?(?:territory\s+of\s+|ports\s+of\s+)?$", re.I)
#: Words just before a country that make it a destination ("to China"), not an exporter.
DESTINATION_BEFORE = re.compile(r"\b(?:to|into|towards)\s+(?:the\s+)?$")
BYPASS = re.compile(
    r"\b(bypass(?:es|ed|ing)?|avoid(?:s|ed|ing)?|circumvent(?:s|ed|ing)?|"
    r"around|not\s+through|not\s+via)\b",
    re.I,
)
PRODUCTION = re.compile(r"\b(produc(?:e|ed|es|tion|ing)|output|extract(?:ed|ion))\b", re.I)
REFINING = re.compile(r"\b(refin(?:ed|ery|eries|ing)|processed)\b", re.I)
EXPORT = re.compile(r"\bexport", re.I)
#: Where one clause of a sentence ends and the next begins ("; , of which, while …").
CLAUSE_BREAK = re.compile(
    r";|,\s*(?:of\s+which|while|whereas|but|and|which|compared\s+with)\b|"
    r"\bwhile\b|\bwhereas\b"
)


@cache
def country_aliases() -> list[tuple[re.Pattern[str], str]]:
    """Return (pattern, ISO3) for each name of a country in `aliases.csv`, longest first."""
    text = files("corridor.claims").joinpath("aliases.csv").read_text(encoding="utf-8")
    rows = sorted(csv.DictReader(text.splitlines()), key=lambda r: -len(r["alias"]))
    return [(re.compile(rf"\b{re.escape(r['alias'])}(?:'s|’s)?\b"), r["country"]) for r in rows]
