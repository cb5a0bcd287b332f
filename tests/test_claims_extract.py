"""Claims: reading numbers, units, comparators and sentences as real news writes them.

Every example sentence here is made up for the test; none is taken from an article.
"""

from __future__ import annotations

import time

import pytest

from corridor.claims.extract import Quantity, number_value, quantities
from corridor.claims.text import sentences


def one(text: str) -> Quantity:
    found = quantities(text)
    assert len(found) == 1, found
    return found[0]


def read(text: str) -> list[tuple[str, float, str, str, float | None]]:
    return [(q.kind, q.value, q.unit, q.comparator, q.high) for q in quantities(text)]


@pytest.mark.parametrize(
    ("text", "kind", "value", "unit", "comparator"),
    [
        # mn, bn, bln, mln, spelled and glued to the number
        ("the pipeline moved 3.2mn tonnes last year", "amount", 3.2, "Mt", "eq"),
        ("the port handled 4.1 mn tonnes of cargo", "amount", 4.1, "Mt", "eq"),
        ("a field holding 2bln barrels", "amount", 2000.0, "Mbbl", "eq"),
        ("output of 85 mln tons per year", "rate", 85.0, "Mt/year", "eq"),
        ("investment of $7bn in the terminal", "money", 7e9, "USD", "eq"),
        ("a $250m upgrade", "money", 2.5e8, "USD", "eq"),
        ("3 billion dollars of credit", "money", 3e9, "USD", "eq"),
        # long unit phrases
        ("sales of 12 million tonnes of oil", "amount", 12.0, "Mt", "eq"),
        ("shipments of 640 thousand tonnes", "amount", 640.0, "kt", "eq"),
        ("refining 300,000 tonnes of crude oil per year", "rate", 300_000.0, "t/year", "eq"),
        ("a line able to carry 28 million tons annually", "rate", 28.0, "Mt/year", "eq"),
        ("the berth takes 6 million tonnes a year", "rate", 6.0, "Mt/year", "eq"),
        ("they agreed on 2.5 million barrels of oil per day", "rate", 2.5, "Mbbl/day", "eq"),
        ("a well giving 900 barrel per day", "rate", 900.0, "bbl/day", "eq"),
        ("lifting 75,000 barrels a day", "rate", 75_000.0, "bbl/day", "eq"),
        ("exports of 1.2 mn barrels daily", "rate", 1.2, "Mbbl/day", "eq"),
        ("supply reached 1.9 (mb/d in the spring", "rate", 1.9, "Mbbl/day", "eq"),
        ("about 250,000 barrels per day (bpd) of crude", "rate", 250_000.0, "bbl/day", "approx"),
        ("a rate of 40,000 b/d", "rate", 40_000.0, "bbl/day", "eq"),
        ("a rate of 40,000 bpd", "rate", 40_000.0, "bbl/day", "eq"),
        ("loadings of 1.1 million b/d", "rate", 1.1, "Mbbl/day", "eq"),
        ("to lift 3.5 million t", "amount", 3.5, "Mt", "eq"),
        ("a 10 Mtpa terminal", "rate", 10.0, "Mt/year", "eq"),
        ("a 600 kt/y unit", "rate", 600.0, "kt/year", "eq"),
        ("a 2 million t/y plant", "rate", 2.0, "Mt/year", "eq"),
        # hyphenated adjectives
        ("a 1.2 million-barrel-per-day line", "rate", 1.2, "Mbbl/day", "eq"),
        ("a 30 million-ton-a-year terminal", "rate", 30.0, "Mt/year", "eq"),
        # numbers in words before a scale word
        ("roughly three million tons of crude", "amount", 3.0, "Mt", "approx"),
        ("one and a half million barrels a day", "rate", 1.5, "Mbbl/day", "eq"),
        ("half a million tonnes", "amount", 0.5, "Mt", "eq"),
        ("a million barrels per day", "rate", 1.0, "Mbbl/day", "eq"),
        # decimal commas and thousands separators, decided by grouping
        ("a few outlets print 2,5 million tonnes", "amount", 2.5, "Mt", "eq"),
        ("a cargo of 130,000 tons", "amount", 130_000.0, "t", "eq"),
        ("only 2,417 barrels per day", "rate", 2417.0, "bbl/day", "eq"),
        # fractions and words for shares
        ("2/3 of the oil goes west", "share", 66.7, "%", "approx"),
        ("two-thirds of the crude goes west", "share", 66.7, "%", "approx"),
        ("over two-thirds of the crude goes west", "share", 66.7, "%", "gt"),
        ("the lion's share of the crude goes west", "share", 50.0, "%", "gt"),
        ("the lion’s share of exports goes west", "share", 50.0, "%", "gt"),
        ("the majority of its oil goes west", "share", 50.0, "%", "gt"),
        ("most of the crude goes west", "share", 50.0, "%", "gt"),
        ("a fifth of the crude goes east", "share", 20.0, "%", "approx"),
        ("nearly two-fifths of the crude goes east", "share", 40.0, "%", "approx"),
        ("more than half of the crude goes east", "share", 50.0, "%", "gt"),
        # comparators, right before the number
        ("shipments surpassed 2.3 million tons", "amount", 2.3, "Mt", "gt"),
        ("output exceeded 41 million tons", "amount", 41.0, "Mt", "gt"),
        ("over 60% of the flow", "share", 60.0, "%", "gt"),
        ("more than 9 million tonnes", "amount", 9.0, "Mt", "gt"),
        ("nearly 700,000 bpd", "rate", 700_000.0, "bbl/day", "approx"),
        ("volumes neared 120,000 barrels per day", "rate", 120_000.0, "bbl/day", "approx"),
        ("about 45%", "share", 45.0, "%", "approx"),
        ("about 45pc of it", "share", 45.0, "%", "approx"),
        ("some 45 per cent of it", "share", 45.0, "%", "approx"),
        ("approximately 3 million tons", "amount", 3.0, "Mt", "approx"),
        ("approx. 3 million tons", "amount", 3.0, "Mt", "approx"),
        ("around 14 million tonnes", "amount", 14.0, "Mt", "approx"),
        ("some 500,000 tonnes", "amount", 500_000.0, "t", "approx"),
        ("up to 4 million barrels per day", "rate", 4.0, "Mbbl/day", "le"),
        ("fell below 1.6 million bpd", "rate", 1.6, "Mbbl/day", "lt"),
        ("at least 12%", "share", 12.0, "%", "ge"),
        ("more than $2 billion", "money", 2e9, "USD", "gt"),
    ],
)
def test_units_scales_and_comparators(
    text: str, kind: str, value: float, unit: str, comparator: str
) -> None:
    q = one(text)
    assert (q.kind, q.value, q.unit, q.comparator, q.high) == (
        kind,
        pytest.approx(value),
        unit,
        comparator,
        None,
    )


def test_comparator_words_count_only_right_before_the_number() -> None:
    q = one("Exports grew over the winter and reached 7 million tonnes in May.")
    assert q.comparator == "eq"
    q = one("About that figure the minister said output hit 88 million tons.")
    assert q.comparator == "eq"


def test_about_carries_over_a_list_of_shares() -> None:
    shares = quantities("The port ships about 2% of world supply and 70% of the nation's crude.")
    assert [(q.value, q.comparator) for q in shares] == [(2.0, "approx"), (70.0, "approx")]
    shares = quantities("About 2% came by rail, while 70% of the crude went by pipe.")
    assert [(q.value, q.comparator) for q in shares] == [(2.0, "approx"), (70.0, "eq")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the lower end takes the scale of the upper
        ("a line carrying 100-300,000 b/d to the east", [("rate", 100_000, "bbl/day", 300_000)]),
        ("a plan for 4-5 million tonnes a year", [("rate", 4, "Mt/year", 5)]),
        ("between 3 and 3.5 mln tons", [("amount", 3, "Mt", 3.5)]),
        ("between 10% and 15% of the flow", [("share", 10, "%", 15)]),
        ("shipping 5 million to 6 million tonnes", [("amount", 5, "Mt", 6)]),
        (
            "from 700,000 to 1 million tonnes more",
            [("amount", 0.7, "Mt", None), ("amount", 1, "Mt", None)],
        ),
    ],
)
def test_ranges(text: str, expected: list[tuple[str, float, str, float | None]]) -> None:
    got = [(q.kind, q.value, q.unit, q.high) for q in quantities(text)]
    assert got == [(k, pytest.approx(v), u, h) for k, v, u, h in expected]
    for q in quantities(text):
        assert q.comparator == ("range" if q.high is not None else "eq")


def test_from_x_to_y_is_a_change_not_a_range() -> None:
    assert read("Sales rose from 4 to 6 million tonnes.") == [
        ("amount", 4.0, "Mt", "eq", None),
        ("amount", 6.0, "Mt", "eq", None),
    ]
    assert read("Supply may grow from 1.7 mb/d this year to 2.2 mb/d by 2030.") == [
        ("rate", 1.7, "Mbbl/day", "eq", None),
        ("rate", 2.2, "Mbbl/day", "eq", None),
    ]


def test_a_day_of_the_month_or_a_year_never_starts_a_range() -> None:
    assert read("Output slid from 150,200 tonnes on Oct 3 to 140,100 tonnes on Oct 4.") == [
        ("amount", 150_200.0, "t", "eq", None),
        ("amount", 140_100.0, "t", "eq", None),
    ]
    assert read("Output rose in 2023 to 91.5 million tons.") == [("amount", 91.5, "Mt", "eq", None)]
    assert read("Transit in 2017 – 41,200 tons.") == [("amount", 41_200.0, "t", "eq", None)]
    assert read("In 2022 70% of it went west, and 2,030 tonnes in 2021-2022.") == [
        ("share", 70.0, "%", "eq", None),
        ("amount", 2030.0, "t", "eq", None),
    ]


def test_numbers_joined_by_and_are_two_figures() -> None:
    assert read("They may add 15,000 and 40,000 barrels per day in May and June.") == [
        ("rate", 15_000.0, "bbl/day", "eq", None),
        ("rate", 40_000.0, "bbl/day", "eq", None),
    ]


def test_an_ago_or_earlier_after_a_year_is_not_a_rate() -> None:
    assert read("Exports were 5 million tonnes a year ago.") == [("amount", 5.0, "Mt", "eq", None)]


def test_years_dates_and_bare_numbers_are_not_quantities() -> None:
    assert quantities("In 2024 the 1,511 km line ran at 14.5.2024 for 24 hours.") == []
    assert quantities("The 2030 plan is on track.") == []


def test_ticker_cells_and_signed_changes_are_not_shares() -> None:
    assert quantities("• ABC/USD = 0.00321 -0%") == []
    assert quantities("• ABC/USD = 0.01532 0%") == []
    assert quantities("Brent +1.5% and Urals -0.8% today") == []


def test_percentage_points_are_not_shares() -> None:
    assert quantities("The share fell 3 percentage points, or 2 % points.") == []


def test_first_half_and_the_most_are_not_shares() -> None:
    assert quantities("In the first half of the year they made the most of it.") == []
    assert quantities("Most importantly, the line reopened.") == []


@pytest.mark.parametrize(
    ("written", "value"),
    [("190,000", 190_000), ("1,886", 1886), ("1,5", 1.5), ("12,75", 12.75), ("2.000.000", 2e6)],
)
def test_number_value_decides_by_grouping(written: str, value: float) -> None:
    assert number_value(written) == pytest.approx(value)


def test_number_value_rejects_dates() -> None:
    assert number_value("27.11.2024") is None


def test_quantity_text_spans_the_figure() -> None:
    s = "The terminal shipped more than 5.4 million tonnes in March."
    q = one(s)
    assert s[q.start : q.end] == q.text == "5.4 million tonnes"


@pytest.mark.parametrize(
    "text",
    [
        "1" * 40_000,
        "1,000,000," * 10_000,
        "%" * 16_000,
        "1%" * 8_000,
        "1." * 20_000,
        "No. " * 25_000,
        "most of 1% " * 5_000,
        "Exports\nrose\n" * 10_000,
    ],
)
def test_long_runs_are_read_in_linear_time(text: str) -> None:
    t = time.perf_counter()
    quantities(text)
    sentences(text)
    assert time.perf_counter() - t < 2.0


def test_headline_lines_and_date_stamps_end_sentences() -> None:
    text = " date 2030-01-02 Pipeline Exports Climb\nExports rose to 2 Mt. Next, rail.\n"
    assert sentences(text) == ["Pipeline Exports Climb", "Exports rose to 2 Mt.", "Next, rail."]


def test_a_line_that_goes_on_does_not_end_its_sentence() -> None:
    text = "Shipments fell in\nMarch to 3 Mt, the\nOperator said.\nA new headline"
    assert sentences(text) == [
        "Shipments fell in March to 3 Mt, the Operator said.",
        "A new headline",
    ]


def test_times_of_day_do_not_end_sentences() -> None:
    assert sentences("Loading resumed at 9 a.m. Local time was cited. It stopped.") == [
        "Loading resumed at 9 a.m. Local time was cited.",
        "It stopped.",
    ]


def test_hard_wrapped_text_is_joined() -> None:
    text = (
        "The consortium said loading\nwas halted at the Marine\nTerminal on Monday as\n"
        "waves rose. Tankers went\nto waiting areas and\nShippers were told."
    )
    assert sentences(text) == [
        "The consortium said loading was halted at the Marine Terminal on Monday as waves rose.",
        "Tankers went to waiting areas and Shippers were told.",
    ]


def test_bullets_datelines_quotes_and_abbreviations() -> None:
    text = (
        "Highlights\n- Loadings slipped\n- Prices rose\n"
        "CITY. May 5 (Agency) - Exports were 1.4 mb/d. "
        "“We shipped approx. 5 Mt,” he said. The U.S. and No. 2 field agreed.Then it ended."
    )
    assert sentences(text) == [
        "Highlights",
        "- Loadings slipped",
        "- Prices rose",
        "CITY.",
        "May 5 (Agency) - Exports were 1.4 mb/d.",
        "“We shipped approx. 5 Mt,” he said.",
        "The U.S. and No. 2 field agreed.",
        "Then it ended.",
    ]
