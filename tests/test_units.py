"""Units: pint registry fixes (kt, bbl) and conversion to the canonical Mt/year."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from corridor.exceptions import UnitError
from corridor.units import (
    DAYS_PER_YEAR,
    T_PER_MT,
    amount_in_mt,
    check_rate_unit,
    convert,
    is_volume_rate,
    to_canonical_rate,
)


def test_mt_per_year_to_kt_per_day() -> None:
    # 1 Mt/year = 1e6 t / 365.25 days = 2737.85 t/day = 2.73785 kt/day (kt is not a knot)
    assert convert(1, "Mt/year", "kt/day") == pytest.approx(1e3 / 365.25)


def test_barrel_is_an_oil_barrel() -> None:
    # 1 bbl = 42 US gallons = 0.158987 m^3 (pint's default 'bbl' is 31.5 gallons)
    assert convert(1, "bbl", "m^3") == pytest.approx(0.158987294928)
    assert convert(1, "kbbl/day", "bbl/day") == pytest.approx(1000)


def test_volume_rate_needs_a_grade() -> None:
    assert is_volume_rate("kbbl/day")
    assert not is_volume_rate("Mt/year")
    with pytest.raises(UnitError, match="needs a crude grade"):
        to_canonical_rate(1.0, "kbbl/day")
    # 1.2 Mbbl/day at 7.3 bbl/t = 1.2e6 * 365.25 / 7.3 t/year = 60.04 Mt/year
    assert to_canonical_rate(1.2, "Mbbl/day", 7.3) == pytest.approx(1.2e6 * 365.25 / 7.3 / 1e6)


@pytest.mark.parametrize("unit", ["Mt", "kt/km", "USD/t", "Mt/yeer", "", "Mt*year"])
def test_not_a_rate(unit: str) -> None:
    with pytest.raises(UnitError):
        check_rate_unit(unit)


@given(st.floats(min_value=0, max_value=1e4, allow_nan=False))
def test_round_trip(x: float) -> None:
    back = convert(convert(x, "Mt/year", "kt/day"), "kt/day", "Mt/year")
    assert back == pytest.approx(x, rel=1e-12, abs=1e-12)


def test_named_factors_are_pints_year_and_a_megatonne() -> None:
    assert convert(1, "year", "day") == pytest.approx(DAYS_PER_YEAR)
    assert convert(1, "Mt", "t") == pytest.approx(T_PER_MT)


def test_amount_over_a_window() -> None:
    # 36.525 Mt/year held for 10 days is 36.525 * 10 / 365.25 = 1 Mt; 500 kt is 0.5 Mt
    assert amount_in_mt(36.525, "Mt/year", 10) == pytest.approx(1.0)
    assert amount_in_mt(500, "kt", 10) == pytest.approx(0.5)
    # 7.3 Mbbl at 7.3 bbl/t is 1e6 t
    assert amount_in_mt(7.3, "Mbbl", 10, barrels_per_tonne=7.3) == pytest.approx(1.0)
    with pytest.raises(UnitError, match="needs a crude grade"):
        amount_in_mt(1, "Mbbl", 10)
