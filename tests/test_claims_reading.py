"""Reading real news: each number in its own clause, the article's context, set-aside numbers.

The sentences are written for these tests (never copied from an article). Each test pins one
kind of reading the real-news development set showed going wrong.
"""

from __future__ import annotations

import datetime

import pytest

import corridor
from corridor.claims import check_article

DATE = datetime.date(2025, 6, 1)


def _read(text: str, n: corridor.Network, date: datetime.date = DATE) -> list[tuple]:
    out = check_article(text, n=n, date=date)
    return [(c.value, c.exporter, c.metric, c.via, c.period) for c in out.claims]


def _aside(text: str, n: corridor.Network) -> list[tuple[float, str]]:
    return [(a.value, a.kind) for a in check_article(text, n=n, date=DATE).set_aside]


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Kazakhstan intends to ship 9 million tons of oil via BTC next year.", "plan"),
        ("The ministry expects crude exports to reach 75 million tons.", "plan"),
        (
            "Astana and Baku signed a deal to move 2 million tons of oil a year via BTC.",
            "agreement",
        ),
        ("Oil exports via CPC rose by 6 percent in the spring.", "change"),
        ("Oil exports grew 11% on the previous year.", "change"),
        (
            "Rail freight of coal reached 30 million tons, with oil exports steady.",
            "other_commodity",
        ),
        ("The port's cargo turnover, oil and grain included, was 4 million tons.", "all_cargo"),
        ("An Italian company holds a stake of 16.8% in the oil consortium.", "ownership"),
        ("Output at the Kashagan field reached 18 million tons of oil.", "field"),
        ("The country has an oil production capacity of 2 million barrels per day.", "field"),
        ("Tengizchevroil produced 29 million tons of oil.", "company"),
        ("The CPC terminal ships about 1.2% of the world's oil.", "world_share"),
        ("Exports of petroleum products were 3 million tons.", "products"),
        ("Its new oil tankers each carry a deadweight of 12,000 tons.", "vessel"),
    ],
)
def test_numbers_that_are_not_network_facts_are_set_aside(
    kazakhstan: corridor.Network, text: str, kind: str
) -> None:
    assert kind in [k for _, k in _aside(text, kazakhstan)]
    assert _read(text, kazakhstan) == [] or all(
        v not in [a for a, _ in _aside(text, kazakhstan)] for v, *_ in _read(text, kazakhstan)
    )


def test_a_plan_in_one_clause_leaves_the_actual_figure_in_the_next(
    kazakhstan: corridor.Network,
) -> None:
    text = (
        "Kazakhstan plans to ship 5 million tons of oil via BTC, up from 1.4 million tons in 2024."
    )
    assert _read(text, kazakhstan) == [(1.4, "KAZ", "volume_via", "btc", 2024)]
    assert _aside(text, kazakhstan) == [(5.0, "plan")]


def test_the_month_may_is_not_a_plan(kazakhstan: corridor.Network) -> None:
    (claim,) = check_article(
        "From March to May, 300,000 tons of Kazakh oil went to Germany.", n=kazakhstan, date=DATE
    ).claims
    assert claim.span == (datetime.date(2025, 3, 1), datetime.date(2025, 6, 1))
    assert claim.metric == "volume_to_country"
    assert claim.via == "DEU"


def test_each_number_takes_the_year_written_next_to_it(kazakhstan: corridor.Network) -> None:
    text = (
        "BTC shipments of Kazakh oil were 1.39 million tons in 2023 and 1.4 million tons in 2024."
    )
    assert [(v, y) for v, *_, y in _read(text, kazakhstan)] == [(1.39, 2023), (1.4, 2024)]


def test_a_deadline_is_not_the_period_of_a_figure(kazakhstan: corridor.Network) -> None:
    text = (
        "The government wants 100 million tons of output by 2030. Kazakhstan currently "
        "exports 1.4 million tons of oil a year via BTC."
    )
    (claim,) = check_article(text, n=kazakhstan, date=DATE).claims
    assert claim.period == 2024  # the latest full year before the article, not 2030
    assert claim.basis.startswith("present tense")


def test_the_period_and_the_route_carry_over_to_a_sentence_that_refers_back(
    kazakhstan: corridor.Network,
) -> None:
    text = (
        "Deliveries of Kazakh oil to Germany run through the Druzhba pipeline. "
        "In 2023, the volume reached 990,000 tons."
    )
    (claim,) = check_article(text, n=kazakhstan, date=DATE).claims
    assert (claim.metric, claim.via, claim.period) == ("volume_via", "druzhba-germany", 2023)
    assert claim.basis == "written"


def test_a_headline_takes_the_year_of_its_lead(kazakhstan: corridor.Network) -> None:
    text = "Kazakh oil output hits 90 million tons\n\nIn 2023, the country produced record volumes."
    (claim,) = check_article(text, n=kazakhstan, date=datetime.date(2024, 1, 10)).claims
    assert (claim.metric, claim.period) == ("production", 2023)


def test_a_year_earlier_is_before_the_year_of_the_sentence(kazakhstan: corridor.Network) -> None:
    text = (
        "In 2023 Kazakhstan shipped 1.4 million tons of oil via BTC, up from 0.2 million tons "
        "a year earlier."
    )
    assert [(v, y) for v, *_, y in _read(text, kazakhstan)] == [(1.4, 2023), (0.2, 2022)]


def test_a_whole_asset_figure_is_every_shippers(kazakhstan: corridor.Network) -> None:
    text = (
        "In 2024 the CPC terminal handled 63 million tons of oil, including 55 million tons "
        "of Kazakh oil."
    )
    assert [(v, e) for v, e, *_ in _read(text, kazakhstan)] == [(63.0, "ALL"), (55.0, "KAZ")]


def test_a_relative_clause_is_about_the_asset_before_it(kazakhstan: corridor.Network) -> None:
    text = "The CPC terminal, which loads about 80% of Kazakhstan's oil exports, was shut in 2024."
    ((value, exporter, metric, via, _),) = _read(text, kazakhstan)
    assert (value, exporter, metric, via) == (80.0, "KAZ", "share_via_node", "cpc-terminal")


def test_a_comparison_shares_the_links_of_the_clause_it_compares_with(
    kazakhstan: corridor.Network,
) -> None:
    text = (
        "Kazakhstan exported 60 million tons of oil through Russia in 2022 against 62 million "
        "tons in 2021."
    )
    assert [(m, v, y) for _, _, m, v, y in _read(text, kazakhstan)] == [
        ("volume_crossing", "RUS", 2022),
        ("volume_crossing", "RUS", 2021),
    ]


def test_around_is_an_estimate_not_a_bypass(kazakhstan: corridor.Network) -> None:
    text = "Around 80% of Kazakhstan's oil exports go through Russia."
    ((_, _, metric, via, _),) = _read(text, kazakhstan)
    assert (metric, via) == ("share_crossing", "RUS")


def test_a_hyphen_names_the_same_pipeline_as_a_dash(kazakhstan: corridor.Network) -> None:
    for name in ("Baku-Tbilisi-Ceyhan", "Baku–Tbilisi–Ceyhan"):
        ((*_, metric, via, _),) = _read(
            f"In 2023 Kazakhstan sent 1.4 million tons via the {name} oil pipeline.", kazakhstan
        )
        assert (metric, via) == ("volume_via", "btc")


def test_a_seaborne_figure_is_read_not_rated(kazakhstan: corridor.Network) -> None:
    (claim,) = check_article(
        "Kazakhstan's seaborne oil exports were 60 million tons in 2023.", n=kazakhstan, date=DATE
    ).claims
    assert claim.verdict == "not_checkable"
    assert "another scope" in claim.interpretation


def test_a_days_rate_is_only_checked_for_gross_errors(kazakhstan: corridor.Network) -> None:
    def verdict(rate: str) -> str:
        text = f"As of March 16, 2023, Kazakhstan's oil production was {rate} barrels per day."
        (claim,) = check_article(text, n=kazakhstan, date=DATE).claims
        return claim.verdict

    # 2023: about 1.8 million barrels per day on average; a day may differ, a thousandfold not
    assert verdict("1.6 million") == "not_checkable"
    assert verdict("1,800") == "contradicted"


def test_a_very_long_sentence_is_read_in_pieces_and_every_number_kept(
    kazakhstan: corridor.Network,
) -> None:
    from corridor.claims.text import MAX_SENTENCE, sentences

    listed = ", ".join(
        f"Kazakhstan shipped {i % 9 + 1}.5 million tons of oil via CPC in 2023" for i in range(150)
    )
    parts = sentences(listed + ".")
    assert len(parts) > 1
    assert all(len(p) <= MAX_SENTENCE for p in parts)
    claims = check_article(listed + ".", n=kazakhstan, date=DATE).claims
    assert len(claims) == 150
    assert {(c.metric, c.via, c.period) for c in claims} == {("volume_via", "cpc", 2023)}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the year to a month's end, not the month alone
        ("By the end of October, Kazakhstan had shipped 46 million tons via CPC.", "span:1-11"),
        # each list item its own route
        (
            "Kazakhstan sent 1.6 million tons of oil from Aktau to Makhachkala and 1.2 million "
            "tons to BTC in 2023.",
            "via:aktau-makhachkala,btc",
        ),
        # the buyer is a destination, not the exporter
        ("Germany imported 1.2 million tons of Kazakh oil in 2023.", "to:DEU"),
        (
            "Poland, which bought 2 million tons of crude from Kazakhstan in 2023, paid more.",
            "to:POL",
        ),
        # "mined" is production
        ("Kazakhstan mined 84.2 million tons of oil in 2022.", "metric:production"),
        # an operator's flow to a country is the network's, though a field is in its name
        (
            "In 2023, Tengiz Oil Operating shipped 900,000 tons of Kazakh crude to Germany.",
            "to:DEU",
        ),
        # a field named in another list item is not the number's subject
        (
            "Daily national oil output reached 270,000 tons, helped by the Tengiz expansion.",
            "metric:production",
        ),
    ],
)
def test_shapes_from_unseen_news(kazakhstan: corridor.Network, text: str, expected: str) -> None:
    claims = check_article(text, n=kazakhstan, date=datetime.date(2024, 12, 1)).claims
    kind, _, want = expected.partition(":")
    if kind == "span":
        first, last = (int(x) for x in want.split("-"))
        ((span),) = [c.span for c in claims]
        assert span is not None
        assert (span[0].month, span[1].month) == (first, last)
    elif kind == "via":
        assert [c.via for c in claims] == want.split(",")
    elif kind == "to":
        assert [(c.exporter, c.metric, c.via) for c in claims] == [
            ("KAZ", "volume_to_country", want)
        ]
    else:
        assert [c.metric for c in claims] == [want]


@pytest.mark.parametrize(
    ("text", "value", "kind"),
    [
        (
            "In 2023 Kazakhstan shipped 3.4 million tons via Aktau, 1.1 million tons more than "
            "in 2022.",
            1.1,
            "change",
        ),
        (
            "The pipeline includes 1.2 million tons which we plan to pump to Germany this year.",
            1.2,
            "plan",
        ),
        (
            "A test shipment of 7,000 tons of Kashagan oil crossed Azerbaijan in March.",
            7000,
            "vessel",
        ),
        (
            "An accord signed in May between the two companies aims to gradually raise the volume "
            "of Kazakh oil carried through the Baku-Tbilisi-Ceyhan pipeline system to 2.5 million "
            "tons.",
            2.5,
            "plan",
        ),
        ("Norway and Canada together cut some 3 million barrels per day of output.", 3.0, "change"),
        (
            "Tengizchevroil shipped 250,000 tons of oil to a Black Sea port it leases.",
            250000,
            "company",
        ),
        (
            "Exports of metals rose by 5% and construction materials by 9% (140,000 tons).",
            140000,
            "other_commodity",
        ),
    ],
)
def test_more_traps_from_unseen_news_are_set_aside(
    kazakhstan: corridor.Network, text: str, value: float, kind: str
) -> None:
    out = check_article(text, n=kazakhstan, date=datetime.date(2024, 12, 1))
    assert (value, kind) in [(a.value, a.kind) for a in out.set_aside]
    assert value not in [c.value for c in out.claims]
