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

import pycountry

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
    r"\b(oil|crude|petroleum|condensate|hydrocarbons?|exports?|exported|exporting|shipments?|"
    r"shipped|transit|pipelines?|barrels?|throughput|tankers?|terminal|loadings?|"
    r"production|output|produced)\b",
    re.I,
)
#: Words just before a share that make it a change ("rose by 5%"), not a share.
CHANGE = re.compile(
    r"\b(rose|risen|rise|rising|increased?|increasing|grew|grown|growth|jumped|surged|"
    r"fell|fallen|fall|falling|declined?|dropped|drop|down|up|higher|lower|cut|slashed|"
    r"decreased?|reduction|by|(?:increase|decrease|growth|decline|rise|fall|drop)\s+of\s+"
    r"[\d.,]+\s*(?:%|percent|per\s+cent)\s*(?:,|and))\s+(?:by\s+)?(?:about\s+|around\s+|some\s+|more\s+than\s+|"
    r"over\s+|nearly\s+|almost\s+|less\s+than\s+|up\s+to\s+|approximately\s+|roughly\s+)?$",
    re.I,
)
#: Words around a share or a money amount that put it outside the network.
NON_NETWORK = re.compile(
    r"\b(vote|voted|voters|turnout|referendum|population|unemployment|approval\s+rating)\b",
    re.I,
)
#: Words just after a share that make it a share of something else ("71% of votes").
SHARE_OF_NON_NETWORK = re.compile(
    r"\s*(?:of|to)\s+(?:the\s+)?(?:votes?|voters|shares?|stake|GDP|budget)", re.I
)
#: Plans, targets, forecasts and possibilities: not observed figures.
PLAN = re.compile(
    r"\b(plans?|planned|planning|targets?|aims?|aiming|intends?|goal|(?-i:could|would|will|"
    r"may|might|shall)|expects?|expected|forecasts?|projected|projects|projections?|seeks?|"
    r"hopes?|hoping|wants?|envisage[sd]?|is\s+set\s+to|are\s+set\s+to|going\s+to|"
    r"opportunit(?:y|ies)|options?|to\s+keep|to\s+maintain|"
    r"to\s+(?:raise|increase|boost|reach|bring|double|triple|expand)|by\s+(?:the\s+end\s+"
    r"of\s+)?20\d\d)\b",
    re.I,
)
#: What an asset *could* carry ("makes it possible to ship"): a plan for a flow, but the very
#: words of a capacity, so a capacity claim is read past them.
POSSIBILITY = re.compile(
    r"\b(possible\s+to|able\s+to|to\s+(?:ship|carry|handle|pump)|potential(?:ly)?|can)\b", re.I
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
#: A year written in a sentence, not part of a number or followed by a unit.
YEAR = re.compile(
    r"(?<!\d)(?<!\d[.,])(19[5-9]\d|20[0-9]\d)(?!\d|[.,]\d|\s*(?:%|per\s?cent|t\b|tons|"
    r"tonnes|barrels|bbl|mb/d|kb/d|bpd))"
)
_VIA = (
    r"(?:via|through|across|by\s+way\s+of|transit(?:s|ed|ing)?(?:\s+through)?|"
    r"cross(?:es|ed|ing)?|pass(?:es|ed)?\s+through|go(?:es)?\s+through|through\s+the)"
)
#: Words just before a country that make it the claim's via ("exported via Russia").
VIA_BEFORE = re.compile(r"\b" + _VIA + r"\s+(?:the\s+)?(?:territory\s+of\s+|ports\s+of\s+)?$", re.I)
#: Words just before a country that make it a destination ("to China"), not an exporter.
DESTINATION_BEFORE = re.compile(r"\b(?:to|into|towards)\s+(?:the\s+)?$")
#: Words just before a country that make it the one a route avoids ("bypassing Russia"). "Around"
#: counts only as "(go) around": "around 80% of Kazakhstan's oil" is an estimate, not a bypass.
BYPASS = re.compile(
    r"\b(?:bypass(?:es|ed|ing)?|avoid(?:s|ed|ing)?|circumvent(?:s|ed|ing)?|"
    r"(?:go(?:es|ing)?|went|routed?|routing)\s+around|not\s+through|not\s+via|"
    r"without\s+(?:crossing|transiting))\s+(?:the\s+)?(?:territory\s+of\s+)?$",
    re.I,
)
PRODUCTION = re.compile(
    r"\b(produc(?:e|ed|es|tion|ing)|output|extract(?:ed|ion)|mined|mining)\b", re.I
)
REFINING = re.compile(r"\b(refin(?:ed|ery|eries|ing)|(?:re)?processed|refinery\s+runs)\b", re.I)
EXPORT = re.compile(r"\bexport", re.I)
#: Where one clause of a sentence ends and the next begins ("; , of which, while …").
CLAUSE_BREAK = re.compile(
    r";|,\s*in\s+addition\s+to\b|,\s*(?:through|via|in|of|from|by|for)\s+which\b|\bfrom\b(?=\s+(?:just\s+|only\s+|about\s+|around\s+|some\s+)?"
    r"\d)|,\s*(?:of\s+which|while|whereas|but|and|which|compared\s+with|"
    r"including|includ\w*|up\s+from|down\s+from|from|versus|against|as\s+well\s+as)\b|"
    r"\bwhile\b|\bwhereas\b|\b(?:al)?though\b|,?\s*\b(?:due|owing|thanks)\s+to\b|"
    r"\bbecause\s+of\b|,\s*(?:mainly\s+|largely\s+)?driven\s+by\b|\bamid\b|\bincluding\b|\bup\s+from\b|\bdown\s+from\b|"
    r"\bcompared\s+(?:with|to)\b|\bagainst\b|\bversus\b|\bwhich\s+is\b"
)
#: Where a comma-level segment ends: a list item of its own ("metals by 5% (1.4 million tons)").
#: A comma followed by a digit is a thousands separator or a decimal comma, not a break.
SEGMENT_BREAK = re.compile(r";|,(?!\d)|\s[–—]\s|—|\band\s+(?=\d)")

#: Numbers about something other than the network's flows, each with the kind the checker sets
#: it aside as. Each is looked for in the number's own segment or clause (see `corridor.claims.
#: normalise.set_aside`), never in the whole sentence, so a plan word in one clause does not
#: hide an actual figure in the next.
OTHER_COMMODITY = re.compile(
    r"\b(grain|wheat|barley|flour|metals?|ferrous|steel|iron|copper|zinc|alumin(?:i)?um|coal|"
    r"fertili[sz]ers?|chemicals?|containers?|TEU|cubic\s+met(?:er|re)s?|bcm|gas\s+condensate\s+"
    r"processing|electricity|kWh|uranium|cotton|sugar|ore|construction\s+materials|cement|"
    r"timber|vehicles|cars|sulphur|sulfur)\b",
    re.I,
)
#: All-cargo figures (dry and liquid together): a port's or a railway's whole turnover.
ALL_CARGO = re.compile(
    r"\b(cargo\s+turnover|freight\s+turnover|dry\s+(?:and|&)\s+(?:oil|liquid)\s+cargo|"
    r"(?<!oil\s)(?<!crude\s)(?<!liquid\s)cargo(?:es)?\b(?!\s+of\s+(?:oil|crude))|transshipment\s+of\s+"
    r"all|all\s+cargo|freight)\b",
    re.I,
)
PRODUCTS = re.compile(
    r"\b(petroleum\s+products|oil\s+products|refined\s+products|fuels?\b|gasoline|"
    r"petrol|diesel|jet\s+fuel|kerosene|bitumen|LPG|fuel\s+oil|petrochemicals?|polymers?|"
    r"polypropylene)\b",
    re.I,
)
WORLD_SHARE = re.compile(
    r"^\s*(?:of\s+)?(?:the\s+)?(?:world(?:'s|’s)?|global(?:ly)?|international|"
    r"(?:the\s+)?OPEC\+?(?:'s)?|worldwide)\b",
    re.I,
)
OWNERSHIP = re.compile(
    r"\b(stakes?|shareholdings?|shareholders?|owned|owns|own|ownership|interest\s+in|"
    r"equity|participat(?:ion|ing)\s+interest|holds?\s+(?:a\s+)?\d)",
    re.I,
)
FINANCE = re.compile(
    r"\b(GDP|gross\s+domestic|budget|revenues?|government\s+income|tax(?:es)?|"
    r"fiscal|earnings|profit|investments?|value\s+of|in\s+value|by\s+value|prices?|"
    r"tariffs?|inflation|wages?|dividends?)\b",
    re.I,
)
RESERVES = re.compile(r"\b(reserves|in\s+place|recoverable|resources?\s+of|deposits)\b", re.I)
VESSEL = re.compile(r"\b(deadweight|dwt|DWT|each\s+with|tankers?\s+of|vessels?\s+of)\b", re.I)
#: Promises, deals and quotas: what a party agreed, signed or may do, not what happened.
AGREEMENT = re.compile(
    r"\b(agree(?:d|s|ment)?|deal|pact|signed|memorandum|MoU|contract(?:ed)?|quotas?|"
    r"allocat(?:ed|ion)|readiness|ready\s+to|commit(?:ted|ment)?|should\s+have\s+been|"
    r"allowed\s+to|obliged|pledged?|under\s+the\s+(?:OPEC\+?\s+)?(?:deal|quota|cap))\b",
    re.I,
)
#: A figure of one producing company or field, not of the network.
PRODUCER = re.compile(
    r"\b(Tengizchevroil|TCO|NCOC|KPO|Karachaganak\s+Petroleum|North\s+Caspian\s+Operating|"
    r"KazMunayGas|KazMunaiGas|Kazmunaigas|KMG|Kazmortransflot|Chevron|ExxonMobil|Exxon|Eni|"
    r"Shell|Lukoil|CNPC|Sinopec|Inpex|TotalEnergies|company(?:'s|’s)?|"
    r"we\s+(?:have|had)|our)\b"
)
FIELD_WORDS = re.compile(r"\b(fields?|oilfields?|offshore\s+project)\b", re.I)
#: A change, not a level: "rose 5%", "a 9.6 percent increase", "5.5-fold", "cut 400,000 bpd".
CHANGE_AFTER = re.compile(
    r"^\s*(?:\w+\s+)?(?:more|less|higher|lower|above|below|up|down|increase|decrease|rise|"
    r"drop|decline|growth|jump|fall|gain|year[- ]on[- ]year|y/y|yoy|on\s+the\s+previous|"
    r"compared|than)\b",
    re.I,
)
CHANGE_VOLUME_BEFORE = re.compile(
    r"\b(?:cut(?:s|ting)?|reduc(?:e|ed|ing|tion)|disrupt(?:ed|ing|ion)?|lost|losing|loss\s+of|"
    r"shut\s+in|halted|curtail(?:ed|ing)?|(?:rose|rise|grew|increased?|fell|declined?|dropped|"
    r"decreased?|jumped|surged|went\s+(?:up|down))\s+by|(?:increase|decrease|rise|drop|decline|"
    r"growth|reduction|cuts?)\s+(?:of|by))\s+(?:by\s+)?(?:somewhere\s+)?(?:between\s+)?"
    r"(?:some\s+|about\s+|around\s+|up\s+to\s+|"
    r"over\s+|more\s+than\s+|nearly\s+|almost\s+|approximately\s+)?$",
    re.I,
)
#: Words of the present: a claim in the present tense is of the latest full year.
PRESENT = re.compile(
    r"\b(is|are|stands?\s+at|handles?|carries|accounts?\s+for|produces|exports|ships|"
    r"pumps|currently|now|today|remains?|makes?\s+up|goes|flows?|transports|transits|moves|"
    r"relies|depends|uses|continues|passes|loads|delivers|receives|supplies|sends)\b",
    re.I,
)
PAST = re.compile(
    r"\b(was|were|had|amounted|reached|totall?ed|shipped|exported|transported|pumped|"
    r"handled|carried|delivered|produced|rose|fell|grew|increased|decreased|dropped|surpassed|"
    r"exceeded|accounted|made\s+up|loaded|sent|transited|supplied|received|stood)\b",
    re.I,
)
#: A figure of every shipper on an asset ("total shipments via CPC", "the terminal handled").
ALL_SHIPPERS = re.compile(
    r"\b(total|overall|all\s+shippers|whole|entire|in\s+all|combined|consortium(?:'s|’s)?\s+"
    r"(?:total|throughput))\b",
    re.I,
)
#: Verbs that make an asset named before the number its subject ("the terminal handled 63 Mt").
ASSET_VERB = re.compile(
    r"\b(handled|handles|shipped|ships|transported|transports|pumped|pumps|loaded|loads|"
    r"carried|carries|received|receives|transshipped|throughput|reached|exported)\b",
    re.I,
)
#: A period carried over from an earlier sentence ("in the reporting period").
SAME_PERIOD = re.compile(
    r"\b(reporting\s+period|same\s+period|this\s+period|the\s+period|over\s+the\s+period|"
    r"during\s+the\s+period|period\s+under\s+review)\b",
    re.I,
)
#: A sub-year period the package can hold no observation of: a day, a week, "currently".
SHORT_PERIOD = re.compile(
    r"\b(daily\s+(?:\w+\s+){0,2}(?:production|output|exports?|loadings?|shipments?)\s+(?:of|at|"
    r"was|were|amounted|reached|stood|hit)|on\s+(?:\d{1,2}\s+)?(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|"
    r"Oct|Nov|Dec)[a-z]*\.?\s*\d{0,2}\b|weekly|this\s+week|last\s+week|per\s+week|a\s+week|"
    r"this\s+month|monthly\s+rate|current\s+(?:monthly\s+)?rate|month[- ]to[- ]date|"
    r"so\s+far\s+this\s+month|in\s+recent\s+days|as\s+of\s+(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|"
    r"Sep|Oct|Nov|Dec)[a-z]*\.?\s+\d{1,2}|on\s+Monday|on\s+Tuesday|"
    r"on\s+Wednesday|on\s+Thursday|on\s+Friday|on\s+Saturday|on\s+Sunday|yesterday)\b",
    re.I,
)
PREVIOUS_YEAR = re.compile(
    r"\b(last\s+year|a\s+year\s+(?:earlier|ago|before)|(?:the\s+)?previous\s+year|"
    r"the\s+year\s+before|(?:the\s+)?prior\s+year)\b",
    re.I,
)
THIS_YEAR_WORDS = re.compile(r"\b(this\s+year|the\s+current\s+year|so\s+far\s+this\s+year)\b", re.I)


@cache
def country_aliases() -> tuple[re.Pattern[str], dict[str, str]]:
    """Return one pattern for every name of a country, and each name's ISO3 code.

    The names are `aliases.csv` (demonyms, capitals, short forms) and every country's name in
    pycountry, so "to Iran" or "Saudi Arabia" are countries too. Longest names first; matched
    case-sensitively ("Chad" the country, not a word), with an optional possessive.
    """
    text = files("corridor.claims").joinpath("aliases.csv").read_text(encoding="utf-8")
    codes: dict[str, str] = {}
    for c in pycountry.countries:
        for name in (getattr(c, "common_name", None), c.name):
            if name and len(name) >= 4 and "," not in name:
                codes.setdefault(name, c.alpha_3)
    codes.update({r["alias"]: r["country"] for r in csv.DictReader(text.splitlines())})
    names = sorted(codes, key=len, reverse=True)
    pattern = re.compile(r"\b(" + "|".join(map(re.escape, names)) + r")(?:'s|’s)?\b")
    return pattern, codes


#: Plan words just after a number ("100,000 tons planned for June", "in the November plan").
PLAN_AFTER = re.compile(
    r"^[^.;]{0,25}\b(?:in|over|during)\s+the\s+(?:next|coming)\b|"
    r"^[^.;]{0,30}\b(?:we|they|it|which|that)\s+(?:plans?|intends?|expects?|aims?|hopes?)\s+to\b|"
    r"^[^.;]{0,12}\b(planned|targeted|expected|forecast|projected|envisaged|scheduled|"
    r"(?:in|under)\s+the\s+(?:\w+\s+)?(?:plan|schedule|target))\b",
    re.I,
)
#: A sentence that leans on an earlier one for what it is about.
REFERS_BACK = re.compile(
    r"\b(the\s+(?:pipeline|route|terminal|port|volume|figure|corridor|system|line)|"
    r"this\s+(?:pipeline|route|terminal|port|volume|figure|corridor|direction)|"
    r"(?:of\s+)?these|(?:of\s+)?this|it|its|there|such\s+supplies|the\s+supplies|"
    r"the\s+shipments|deliveries)\b",
    re.I,
)
#: Nouns that name an asset as the subject of a sentence ("the terminal handled").
ASSET_NOUN = re.compile(
    r"\b(pipeline|terminal|port|consortium|CPC|BTC|route|system|line|loadings?|throughput|"
    r"shipments)\b",
    re.I,
)

#: Words before a year that make it a deadline, not the period of a figure ("by 2026").
DEADLINE = re.compile(
    r"\b(?:(?:by|until|till|before|to|from|since)\s+(?:the\s+end\s+of\s+)?|"
    # a comparison's base year is not the figure's: "more than the same period in 2022"
    r"(?:than|compared\s+(?:with|to)|against|versus|vs\.?)\s+(?:in\s+)?|"
    r"same\s+period\s+(?:of|in|last)\s+)$",
    re.I,
)
#: Shipments with no named total: "shipments surged to 1.39 Mt", "deliveries reached …".
FLOW_WORDS = re.compile(
    r"\b(shipments?|deliveries|supplies|volumes?|transported|shipped|pumped|delivered|sent|"
    r"transit(?:ed)?|loadings?|throughput)\b",
    re.I,
)

#: Words that put a figure on another scope than the package's crude-and-condensate series:
#: seaborne or crude-only exports, OPEC "liquids". Such a claim is read, not rated.
OTHER_SCOPE = re.compile(
    r"\b(seaborne|by\s+sea|maritime\s+exports|liquids?\s+(?:supply|production)|"
    r"crude[- ]only|excluding\s+condensate|NGLs?)\b",
    re.I,
)
#: The start of a clause that compares its number with the one before ("against 2.5 Mt in
#: 2021", "up from 1.1 mb/d"): it shares that clause's route, country and metric.
COMPARISON_START = re.compile(
    r"(?:\bagainst|\bversus|\bcompared\s+(?:with|to)|\bup\s+from|\bdown\s+from|\bfrom|"
    r"\bincluding|\bof\s+which)\s*$",
    re.I,
)
#: The start of a relative clause, which is about the noun just before it ("the terminal,
#: which handles 80% of exports").
RELATIVE_START = re.compile(
    r"(?:,\s*|\b)(?:which|that|where|(?:through|via|in|of|from|by|for)\s+which)\s*$", re.I
)

#: Who produced a figure, when it is not a country: a group, a company, a venture.
PRODUCING_BODY = re.compile(
    r"\b(group|company|firm|venture|operator|partners|consortium|producer|project)\b", re.I
)

#: A share of the noun before it whose links follow ("80% of which goes via CPC").
OF_WHICH = re.compile(r"\s*(?:of\s+)?(?:which|it|them)\b", re.I)

#: "of" before a country after a number makes it the oil's owner ("63 Mt of Kazakh oil").
OF_OWNER = re.compile(r"\bof\s+(?:the\s+)?(?:\w+\s+)?$", re.I)

#: Words just after a country that make it the buyer ("Germany imported", "Italy, which bought").
IMPORTER_AFTER = re.compile(
    r"(?:'s|’s)?\s*,?\s*(?:which\s+|that\s+|has\s+|have\s+)?(?:imported|imports|received|receives|"
    r"bought|buys|purchased|purchases|took\s+in)\b",
    re.I,
)
#: A change written after a volume: "1.1 million tons more than in 2022".
MORE_THAN_AFTER = re.compile(r"^\s*(?:more|less|fewer|higher|lower)\b", re.I)

#: One cargo, not a flow: "a test shipment of 7,000 tons", "a batch of 80,000 tonnes".
ONE_CARGO = re.compile(
    r"\b(?:test\s+|first\s+|pilot\s+|single\s+)?(?:shipment|batch|cargo|consignment|parcel)\s+"
    r"of\s+(?:about\s+|some\s+|around\s+)?$",
    re.I,
)
#: The target of a raise: "to increase the volume … to 2.2 Mt" (a plan word earlier decides).
RAISE_TO = re.compile(
    r"\b(?:increase|raise|boost|expand|bring|double|lift|ramp\s+up)\b[^.;]{0,160}\bto\s+"
    r"(?:about\s+|around\s+|some\s+|up\s+to\s+)?$",
    re.I,
)
