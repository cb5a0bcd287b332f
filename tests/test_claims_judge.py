"""The judge: claims built directly, rated on toy packages and on the built-in package.

Every expected verdict is worked out by hand in a comment next to it. The sentences are the
tests' own.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import corridor
from corridor.claims import Claim
from corridor.claims.judge import Judge
from corridor.reconciliation import reconcile

from .toy import Rows, observation

D = datetime.date
H1_2024 = (D(2024, 1, 1), D(2024, 7, 1))  # 182 days (2024 is a leap year)


def claim(
    metric: str,
    via: str | None,
    value: float,
    unit: str = "Mt",
    *,
    exporter: str | None = "KAZ",
    year: int = 2024,
    comparator: str = "eq",
    high: float | None = None,
    span: tuple[datetime.date, datetime.date] | None = None,
    sentence: str = "A sentence of the tests about oil shipped.",
) -> Claim:
    """Return an unrated claim as the normaliser would build it."""
    return Claim(
        sentence=sentence,
        quantity=f"{value:g} {unit}",
        value=value,
        high=high,
        unit=unit,
        comparator=comparator,  # type: ignore[arg-type]
        exporter=exporter,
        commodity="crude-oil",
        metric=metric,  # type: ignore[arg-type]
        via=via,
        period=year,
        span=span,
    )


def whole(id: str, measure: str, scope: str, start: str = "2024", **kw: Any) -> dict[str, Any]:
    """Return an observation of every shipper (exporter blank): a throughput or a capacity."""
    return observation(id, measure, scope, start, exporter="", **kw)


def toy_with(make_toy: Callable[..., Path], *rows: dict[str, Any], **kw: Any) -> corridor.Network:
    """Load the toy package with `rows` as its observations table."""

    def edit(tables: Rows) -> None:
        tables["observations"] = list(rows)

    return corridor.load_package(make_toy(edit, **kw))


def verdicts(n: corridor.Network, *claims: Claim) -> list[str]:
    judge = Judge(n)
    return [judge.judge(c).verdict for c in claims]


# -- a whole route's throughput, and two sources that disagree ---------------------------------

# Two sources give the A pipeline's whole 2024 throughput: 70 Mt and 75 Mt (high confidence:
# ±1%, so 69.3-70.7 and 74.25-75.75). The toy's own shipper carries 60 Mt of it.
THROUGHPUT_A = (
    whole("a-thr-one", "throughput", "a", value=70, confidence="high"),
    whole("a-thr-two", "throughput", "a", value=75, confidence="high"),
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (70, "supported"),  # 70 ± 3.5 holds all of 69.3-70.7 (the other source's 75 does not)
        (75, "supported"),  # 75 ± 3.75 holds all of 74.25-75.75
        (80, "contradicted"),  # 80 ± 4 = 76-84 holds neither source
        (67, "supported"),  # 67 ± 3.35 = 63.65-70.35 holds the best estimate 70, and the range
        # 69.3-70.7 is within three tolerances of the claim
        (66, "not_checkable"),  # 66 ± 3.3 = 62.7-69.3 touches 69.3 but misses the estimate 70
    ],
)
def test_a_whole_route_figure_counts_both_sides_of_a_disagreement(
    make_toy: Callable[..., Path], value: float, expected: str
) -> None:
    toy = toy_with(make_toy, *THROUGHPUT_A)
    rated = Judge(toy).judge(claim("volume_via", "a", value, exporter="ALL"))
    assert rated.verdict == expected
    assert rated.interpretation.startswith("sources disagree: 69.300–75.750 Mt")
    # one reading per source, each with its own verdict
    assert [r.model_value for r in rated.readings] == [70, 75]
    if expected == "supported":
        assert sorted(r.verdict for r in rated.readings) == ["contradicted", "supported"]
    assert set(rated.sources) == {"toy-src"}


def test_a_single_throughput_source_rates_alone_and_converts_barrels(
    make_toy: Callable[..., Path],
) -> None:
    toy = toy_with(make_toy, THROUGHPUT_A[0])
    # 1.4 Mbbl/day over 2024's 366 days at the toy grade's 7.5 bbl/t = 68.32 Mt: ±5% holds
    # all of 69.3-70.7; 1.0 Mbbl/day = 48.8 Mt holds none of it
    rated = Judge(toy).judge(claim("volume_via", "a", 1.4, "Mbbl/day", exporter="ALL"))
    assert rated.verdict == "supported"
    assert "a-thr-one" in rated.interpretation
    assert "7.5 bbl/t" in rated.interpretation
    assert verdicts(toy, claim("volume_via", "a", 1.0, "Mbbl/day", exporter="ALL")) == [
        "contradicted"
    ]


def test_without_a_throughput_observation_the_shippers_and_the_capacity_bound_it(
    toy: corridor.Network,
) -> None:
    # The toy's only shipper carries 60 Mt on A in 2024 (a flows row, high: at least 59.4);
    # A's capacity in 2024 is 80 Mt/year. A whole throughput of 59.4-80 Mt: "55 to 85" holds
    # it all, "more than 50" too, "90" none of it, and "70" only part of it
    found = verdicts(
        toy,
        claim("volume_via", "a", 55, exporter="ALL", comparator="range", high=85),
        claim("volume_via", "a", 50, exporter="ALL", comparator="gt"),
        claim("volume_via", "a", 90, exporter="ALL"),
        claim("volume_via", "a", 70, exporter="ALL"),
    )
    assert found == ["supported", "supported", "contradicted", "not_checkable"]
    rated = Judge(toy).judge(claim("volume_via", "a", 70, exporter="ALL"))
    assert "no throughput observation" in rated.interpretation
    assert rated.readings[0].model_range == pytest.approx((59.4, 80.0), abs=0.01)


# -- part of a year -----------------------------------------------------------------------------


def test_a_part_year_throughput_is_rated_against_the_observation_of_its_span(
    make_toy: Callable[..., Path],
) -> None:
    h1 = whole("a-thr-h1", "throughput", "a", "2024-01", end="2024-06", value=35)
    toy = toy_with(make_toy, h1)
    # band 34.65-35.35 Mt over the half year. About 1.45 Mbbl/day over its 182 days at 7.5
    # bbl/t = 35.19 Mt (±10%: supported); 1.2 Mbbl/day = 29.12 Mt (±5%: 27.66-30.58, none)
    found = verdicts(
        toy,
        claim("volume_via", "a", 35, exporter="ALL", span=H1_2024),
        claim(
            "volume_via", "a", 1.45, "Mbbl/day", exporter="ALL", comparator="approx", span=H1_2024
        ),
        claim("volume_via", "a", 1.2, "Mbbl/day", exporter="ALL", span=H1_2024),
    )
    assert found == ["supported", "supported", "contradicted"]
    # the same claim of the first quarter, or of one day: no observation of that period
    q1 = Judge(toy).judge(
        claim("volume_via", "a", 17, exporter="ALL", span=(D(2024, 1, 1), D(2024, 4, 1)))
    )
    one_day = Judge(toy).judge(
        claim("volume_via", "a", 0.2, exporter="ALL", span=(D(2024, 5, 2), D(2024, 5, 3)))
    )
    for rated in (q1, one_day):
        assert rated.verdict == "not_checkable"
        assert "no observation of that period" in rated.interpretation


def test_the_span_is_taken_from_the_claim_not_the_sentence(
    make_toy: Callable[..., Path],
) -> None:
    h1 = whole("a-thr-h1", "throughput", "a", "2024-01", end="2024-06", value=35)
    toy = toy_with(make_toy, h1)
    said = "In the first half of 2024 the A pipeline carried 35 million tons."
    (first_half,) = verdicts(
        toy, claim("volume_via", "a", 35, exporter="ALL", sentence=said, span=H1_2024)
    )
    assert first_half == "supported"
    # the span the normaliser gives is the claim's, whatever the sentence says: Q1 has none
    q1 = (D(2024, 1, 1), D(2024, 4, 1))
    (given,) = verdicts(toy, claim("volume_via", "a", 35, exporter="ALL", sentence=said, span=q1))
    assert given == "not_checkable"


def test_a_part_year_exporter_flow_and_share_of_the_route(make_toy: Callable[..., Path]) -> None:
    rows = (
        whole("a-thr-h1", "throughput", "a", "2024-01", end="2024-06", low=40, high=40),
        observation("a-kaz-h1", "flow", "a", "2024-01", end="2024-06", low=30, high=30),
    )
    toy = toy_with(make_toy, *rows)
    # the exporter carried exactly 30 of the route's 40 Mt: 75%
    found = verdicts(
        toy,
        claim("volume_via", "a", 30, span=H1_2024),
        claim("share_of_route", "a", 75, "%", span=H1_2024),
        claim("share_of_route", "a", 60, "%", span=H1_2024),  # 60 ± 2 misses 75
    )
    assert found == ["supported", "supported", "contradicted"]


# -- capacities: a table row against an observation, design against rating -------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (80, "supported"),  # the capacities table's 80 Mt/year
        (90, "supported"),  # the other source's 90 (medium: 87.3-92.7)
        (85, "not_checkable"),  # 85 ± 4.25 misses 80 and straddles 87.3-92.7
        (100, "contradicted"),  # 100 ± 5 holds neither
    ],
)
def test_a_capacity_matching_either_source_is_supported(
    make_toy: Callable[..., Path], value: float, expected: str
) -> None:
    other = whole("a-cap", "capacity", "a", value=90, unit="Mt/year", confidence="medium")
    toy = toy_with(make_toy, other)
    rated = Judge(toy).judge(claim("capacity", "a", value, "Mt/year", exporter="ALL"))
    assert rated.verdict == expected
    assert len(rated.readings) == 2
    assert rated.interpretation.startswith("sources disagree")


@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [
        # rated 1.2 mb/d with drag-reducing agent (capacities.csv) = 60.04 Mt/year at 7.3 bbl/t
        (1.2, "Mbbl/day", "supported"),
        # design 1.0 mb/d (btc-capacity-design) = 50.03 Mt/year; bp's "about 50 Mt" matches it
        (1.0, "Mbbl/day", "supported"),
        (50, "Mt/year", "supported"),
        (1.6, "Mbbl/day", "contradicted"),  # 80.05 Mt/year: neither
        (55, "Mt/year", "contradicted"),  # 52.25-57.75: neither 60.04 nor 49.53-50.53
    ],
)
def test_btc_design_and_rated_capacity_both_count(
    kazakhstan: corridor.Network, value: float, unit: str, expected: str
) -> None:
    rated = Judge(kazakhstan).judge(claim("capacity", "btc", value, unit, exporter="ALL"))
    assert rated.verdict == expected
    assert {"bp-btc"} <= set(rated.sources)
    assert "sources disagree" in rated.interpretation


# -- deliveries to a country -------------------------------------------------------------------

# The toy's P pipeline ends at the Chinese border: 4 Mt of its exporter's oil in 2024 (flows,
# high). A customs-like source says 9 Mt went to China that year (high: 8.91-9.09).
TO_CHINA = observation("to-chn", "exports", "to:CHN", "2024", value=9, confidence="high")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (4, "supported"),  # the pipeline series
        (9, "supported"),  # the customs-like series
        (6.5, "contradicted"),  # 6.5 ± 0.325 holds neither
    ],
)
def test_deliveries_to_a_country_count_the_observation_and_the_pipeline(
    make_toy: Callable[..., Path], value: float, expected: str
) -> None:
    toy = toy_with(make_toy, TO_CHINA)
    rated = Judge(toy).judge(claim("volume_to_country", "CHN", value))
    assert rated.verdict == expected
    assert "route(s) delivering only to CHN (p)" in rated.interpretation
    assert "to-chn" in rated.interpretation


def test_a_year_without_flows_is_rated_against_its_observations(
    make_toy: Callable[..., Path],
) -> None:
    # 2013 is one of this toy's years but has no flows: two sources give the exporter's oil to
    # China, 11.8 and 11.2 Mt (medium: 11.446-12.154 and 10.864-11.536)
    rows = (
        observation("chn-2013-a", "exports", "to:CHN", "2013", value=11.8, confidence="medium"),
        observation("chn-2013-b", "exports", "to:CHN", "2013", value=11.2, confidence="medium"),
    )
    toy = toy_with(make_toy, *rows, first=2013)
    found = verdicts(
        toy,
        claim("volume_to_country", "CHN", 11.8, year=2013),
        claim("volume_to_country", "CHN", 11.2, year=2013),
        claim("volume_to_country", "CHN", 13, year=2013),  # 12.35-13.65: neither
    )
    assert found == ["supported", "supported", "contradicted"]


def test_a_year_outside_the_package_without_an_observation_is_not_rated(
    kazakhstan: corridor.Network,
) -> None:
    rated = Judge(kazakhstan).judge(claim("volume_via", "btc", 0.3, year=2008))
    assert rated.verdict == "not_checkable"
    assert "outside the package's years" in rated.interpretation
    assert rated.model_value is None


# -- shares ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "comparator", "expected"),
    [
        (80, "eq", "supported"),  # 60 / 75 = 80% exactly
        (78.5, "eq", "supported"),  # within 2 points
        (77, "eq", "contradicted"),  # 79 < 80
        (70, "gt", "supported"),
    ],
)
def test_an_exporters_share_of_a_route(
    make_toy: Callable[..., Path], written: float, comparator: str, expected: str
) -> None:
    def edit(tables: Rows) -> None:
        tables["observations"] = [
            whole("a-thr", "throughput", "a", low=75, high=75),
            observation("a-kaz", "flow", "a", "2024", low=60, high=60),
        ]
        tables["flows"] = [r for r in tables["flows"] if r["year"] != 2024]

    toy = corridor.load_package(make_toy(edit))
    rated = Judge(toy).judge(claim("share_of_route", "a", written, "%", comparator=comparator))
    assert rated.verdict == expected
    assert rated.model_value == pytest.approx(80.0)
    assert rated.model_unit == "%"


def test_a_share_of_a_route_with_no_throughput_is_not_rated(toy: corridor.Network) -> None:
    rated = Judge(toy).judge(claim("share_of_route", "a", 80, "%"))
    assert rated.verdict == "not_checkable"
    assert "no throughput of that route" in rated.interpretation


def test_a_share_in_a_year_without_an_export_total_says_the_reconciled_range(
    toy: corridor.Network,
) -> None:
    # 2023 has route flows (A 30, P 10) but no export total: the share of A is what the
    # reconciled total allows, never 30 / (30 + 10) = 75% of the reported routes
    e = reconcile(toy, year=2023).estimate("share:via:a", "KAZ")
    assert e.high - e.low > 0.1  # wide: the total is not known
    middle = round(100 * (e.low + e.high) / 2)
    rated = Judge(toy).judge(claim("share_via", "a", middle, "%", year=2023))
    assert rated.verdict == "not_checkable"
    assert rated.interpretation.startswith("no export total of KAZ for 2023")
    assert "the evidence allows" in rated.interpretation
    assert rated.readings[0].model_range == pytest.approx(
        (round(100 * e.low, 2), round(100 * e.high, 2))
    )


# -- the built-in package ----------------------------------------------------------------------


def test_whole_cpc_and_kazakh_cpc_in_2024(kazakhstan: corridor.Network) -> None:
    # cpc-throughput-2024: 63.01 Mt (medium: 61.12-64.90). "About 63" holds it all; "about
    # 1.26 mb/d" = 1.26e6 x 366 / 7.3 = 63.17 Mt holds it too; "100 Mt" none of it
    found = verdicts(
        kazakhstan,
        claim("volume_via", "cpc", 63, exporter="ALL", comparator="approx"),
        claim("volume_via", "cpc", 1.26, "Mbbl/day", exporter="ALL", comparator="approx"),
        claim("volume_via", "cpc", 100, exporter="ALL"),
    )
    assert found == ["supported", "supported", "contradicted"]


def test_kazakh_oil_to_china_in_2023_has_two_sides(kazakhstan: corridor.Network) -> None:
    # pipeline (KCP) 1.209 Mt against customs 5.7 Mt: each is supported, 3 Mt is neither
    found = verdicts(
        kazakhstan,
        claim("volume_to_country", "CHN", 1.2, year=2023),
        claim("volume_to_country", "CHN", 5.7, year=2023),
        claim("volume_to_country", "CHN", 3, year=2023),
    )
    assert found == ["supported", "supported", "contradicted"]


def test_a_part_year_rate_in_barrels_uses_the_span_s_days(kazakhstan: corridor.Network) -> None:
    h1 = (D(2025, 1, 1), D(2025, 7, 1))  # 181 days; kaz-btc-2025-h1: 785 kt (high)
    # about 34,000 b/d x 181 / 7.3 = 0.843 Mt (±10% holds 0.777-0.793); 150,000 b/d = 3.72 Mt
    found = verdicts(
        kazakhstan,
        claim("volume_via", "btc", 34000, "bbl/day", comparator="approx", year=2025, span=h1),
        claim("volume_via", "btc", 150000, "bbl/day", comparator="approx", year=2025, span=h1),
    )
    assert found == ["supported", "contradicted"]


def test_a_span_of_no_written_year_is_rated_in_the_span_s_year(
    make_toy: Callable[..., Path],
) -> None:
    h1 = whole("a-thr-h1", "throughput", "a", "2024-01", end="2024-06", value=35)
    toy = toy_with(make_toy, h1)
    undated = dataclasses.replace(
        claim("volume_via", "a", 35, exporter="ALL", span=H1_2024), period=None
    )
    assert Judge(toy).judge(undated).verdict == "supported"
    # neither a year nor a span: not rated
    rated = Judge(toy).judge(dataclasses.replace(undated, span=None))
    assert rated.verdict == "not_checkable"
    assert "period (unknown)" in rated.interpretation
