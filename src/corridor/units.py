"""Units: one pint registry for Corridor, and conversion of rates to the canonical unit.

Every quantity in a data package carries a unit string that this registry parses. Volumes
(barrels, cubic metres) convert to mass only with a density, given as barrels per tonne for a
crude grade (itself a sourced figure in the package's ``grades`` table).

Two of pint's defaults are wrong for this field, so unit strings are preprocessed:
``kt`` is a kilotonne (pint: knot) and ``bbl`` is an oil barrel of 42 US gallons
(pint: a 31.5-gallon barrel).

A unit string is read by a fixed grammar before pint sees it (`check_unit_syntax`): a known
unit (`KNOWN_UNITS`), optionally per another one (``Mt/year``, ``kbbl/day``, ``USD/t``).
Pint's own parser evaluates expressions (``10**10**10`` would pin a core), so it only ever
receives strings that passed the grammar.

Examples
--------
>>> round(convert(1.0, "Mt/year", "kt/day"), 4)
2.7379
>>> round(to_canonical_rate(100.0, "kbbl/day", barrels_per_tonne=7.3), 3)
5.003
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from corridor import cachedir
from corridor.exceptions import UnitError

#: Internal unit of every flow, capacity and supply figure.
CANONICAL_RATE = "Mt/year"

_PREFIXES = {"k": "kilo", "M": "mega", "": ""}
_NAMES = {"bbl": "oil_barrel", "t": "metric_ton"}
_TOKEN = re.compile(r"(?<![A-Za-z_])(k|M)?(bbl|t)(?![A-Za-z_])")


def _preprocess(text: str) -> str:
    return _TOKEN.sub(lambda m: _PREFIXES[m.group(1) or ""] + _NAMES[m.group(2)], text)


#: Days in a year: pint's Julian year, the one used for every rate-to-amount conversion.
DAYS_PER_YEAR = 365.25
#: Tonnes in a megatonne (Mt): canonical volumes times a price in USD/t give USD.
T_PER_MT = 1e6


#: Units a unit string may name, by kind; each command then checks the dimension it needs.
KNOWN_UNITS: dict[str, tuple[str, ...]] = {
    "mass": ("t", "kt", "Mt", "Gt"),
    "volume": ("bbl", "kbbl", "Mbbl", "m^3"),
    "energy": ("Wh", "kWh", "MWh", "GWh", "TWh"),
    "money": ("USD",),
    "time": ("year", "day"),
    "length": ("km",),
}
#: The longest unit string read; anything longer is refused before any parsing.
MAX_UNIT_LENGTH = 40
#: What a unit string must look like, as errors say it.
UNIT_EXAMPLES = "(e.g. 'Mt/year', 'kbbl/day')"
_SYNTAX = re.compile(r"([A-Za-z]+(?:\^3)?)(?:/([A-Za-z]+(?:\^3)?))?")
_KNOWN = frozenset(u for group in KNOWN_UNITS.values() for u in group)


def _shown(unit: str) -> str:
    return repr(unit if len(unit) <= MAX_UNIT_LENGTH else unit[:MAX_UNIT_LENGTH] + "…")


def check_unit_syntax(unit: str) -> str:
    """Return `unit` stripped when it follows Corridor's unit grammar; else raise `UnitError`.

    The grammar: ``UNIT`` or ``UNIT/UNIT`` for known units (`KNOWN_UNITS`): ``Mt/year``,
    ``kbbl/day``, ``USD/t``. No numbers, powers or other operators: nothing in a unit string is
    ever evaluated. Whether the dimension fits is each caller's check (`check_rate_unit` …).

    Examples
    --------
    >>> check_unit_syntax(" kbbl/day ")
    'kbbl/day'
    >>> check_unit_syntax("10**10**10*Mt/year")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    corridor.exceptions.UnitError: cannot parse unit '10**10**10*Mt/year' (e.g. ...)
    """
    text = unit.strip() if isinstance(unit, str) else ""
    if not text:
        msg = "unit is empty; expected a unit such as 'Mt/year' or 'kbbl/day'"
        raise UnitError(msg)
    match = _SYNTAX.fullmatch(text) if len(text) <= MAX_UNIT_LENGTH else None
    if match is None or not {match[1], match[2] or match[1]} <= _KNOWN:
        msg = f"cannot parse unit {_shown(unit)} {UNIT_EXAMPLES}"
        raise UnitError(msg)
    return text


@lru_cache(maxsize=1)
def registry() -> Any:
    """Return Corridor's pint registry, built on first use.

    pint keeps its parsed definitions in Corridor's cache folder (`corridor.cachedir`), which
    cuts the build from about 0.3 s to 0.04 s; ``CORRIDOR_NO_CACHE=1`` builds it from scratch.
    """
    import pint  # deferred: building the registry is most of import time

    folder = str(cachedir.root() / "pint") if cachedir.enabled() else None
    try:
        ureg: Any = pint.UnitRegistry(preprocessors=[_preprocess], cache_folder=folder)
    except OSError:  # a cache folder that cannot be made or written: build without it
        ureg = pint.UnitRegistry(preprocessors=[_preprocess])
    ureg.define("USD = [currency]")
    return ureg


@lru_cache(maxsize=32)
def _dim(unit: str) -> Any:
    return registry().parse_units(unit).dimensionality


@lru_cache(maxsize=256)
def parse_unit(unit: str) -> Any:
    """Parse a unit string, raising `UnitError` with the string when it is not a known unit.

    The string must pass `check_unit_syntax` first; only then does pint read it.
    """
    text = check_unit_syntax(unit)
    import pint.errors

    try:
        return registry().parse_units(text)
    except (pint.errors.PintError, AttributeError, TypeError, ValueError, SyntaxError) as exc:
        msg = f"cannot parse unit {_shown(unit)} {UNIT_EXAMPLES}"
        raise UnitError(msg) from exc


def is_volume_rate(unit: str) -> bool:
    """Return True when `unit` is a volume per time (needs a density to become a mass rate)."""
    return bool(parse_unit(unit).dimensionality == _dim("bbl/day"))


def needs_grade(unit: str) -> bool:
    """Return True when converting `unit` to tonnes needs a grade (it involves barrels)."""
    return bool(parse_unit(unit).dimensionality in (_dim("bbl/day"), _dim("bbl"), _dim("USD/bbl")))


def check_rate_unit(unit: str) -> None:
    """Raise `UnitError` unless `unit` is a mass or volume per time."""
    dim = parse_unit(unit).dimensionality
    if dim not in (_dim("t/year"), _dim("bbl/day"), _dim("TWh/year")):
        msg = (
            f"unit {unit!r} has dimension {dim}; expected a rate: mass per time "
            "(Mt/year, kt/day), volume per time (kbbl/day, Mbbl/day) or energy per time "
            "(TWh/year, GWh/year)"
        )
        raise UnitError(msg)


def check_price_unit(unit: str) -> None:
    """Raise `UnitError` unless `unit` is money per mass, volume or energy (USD/t, USD/MWh)."""
    dim = parse_unit(unit).dimensionality
    if dim not in (_dim("USD/t"), _dim("USD/bbl"), _dim("USD/MWh")):
        msg = f"unit {unit!r} has dimension {dim}; expected a price: USD/t, USD/bbl or USD/MWh"
        raise UnitError(msg)


def price_per_unit(
    value: float, unit: str, commodity_unit: str, barrels_per_tonne: float | None = None
) -> float:
    """Convert a price to USD per tonne, or per MWh for a commodity measured in energy.

    Either way, a volume in the commodity's canonical unit (Mt or TWh over a period) times 1e6
    times this price is its value in USD.
    """
    if parse_unit(commodity_unit).dimensionality == _dim("TWh/year"):
        check_price_unit(unit)
        return convert(value, unit, "USD/MWh")
    return price_per_tonne(value, unit, barrels_per_tonne)


def check_amount_unit(unit: str) -> None:
    """Raise `UnitError` unless `unit` is an amount (kt, Mt, bbl) or a rate (Mt/year, kbbl/day)."""
    dim = parse_unit(unit).dimensionality
    if dim not in (_dim("t"), _dim("bbl"), _dim("t/year"), _dim("bbl/day")):
        msg = (
            f"unit {unit!r} has dimension {dim}; expected an amount (kt, Mt, Mbbl) "
            "or a rate (Mt/year, Mbbl/day)"
        )
        raise UnitError(msg)


def price_per_tonne(value: float, unit: str, barrels_per_tonne: float | None = None) -> float:
    """Convert a price to USD/t; a price per barrel needs the grade's barrels per tonne."""
    check_price_unit(unit)
    if parse_unit(unit).dimensionality == _dim("USD/bbl"):
        if barrels_per_tonne is None or barrels_per_tonne <= 0:
            msg = f"unit {unit!r} is per barrel: converting it needs a crude grade"
            raise UnitError(msg)
        return convert(value, unit, "USD/bbl") * barrels_per_tonne
    return convert(value, unit, "USD/t")


def amount_in_mt(
    value: float, unit: str, days: float, barrels_per_tonne: float | None = None
) -> float:
    """Convert an amount, or a rate held for `days`, to Mt; barrels need a grade."""
    check_amount_unit(unit)
    dim = parse_unit(unit).dimensionality
    if dim in (_dim("t/year"), _dim("bbl/day")):
        return to_canonical_rate(value, unit, barrels_per_tonne) * days / DAYS_PER_YEAR
    if dim == _dim("bbl"):
        if barrels_per_tonne is None or barrels_per_tonne <= 0:
            msg = f"unit {unit!r} is a volume: converting it needs a crude grade"
            raise UnitError(msg)
        return convert(value, unit, "bbl") / barrels_per_tonne / T_PER_MT
    return convert(value, unit, "Mt")


def convert(value: float, from_unit: str, to_unit: str) -> float:
    """Convert `value` between two units of the same dimension."""
    import pint.errors

    src, dst = parse_unit(from_unit), parse_unit(to_unit)
    try:
        return float(registry().Quantity(value, src).to(dst).magnitude)
    except pint.errors.DimensionalityError as exc:
        msg = f"cannot convert {from_unit!r} to {to_unit!r}: {exc}"
        raise UnitError(msg) from exc


def to_canonical_rate(
    value: float, unit: str, barrels_per_tonne: float | None = None, target: str = "Mt/year"
) -> float:
    """Convert a rate to `target` (Mt/year, or a commodity's own unit such as TWh/year).

    A volume rate converted to a mass rate needs the grade's barrels per tonne.

    Notes
    -----
    A year is pint's Julian year, 365.25 days.
    """
    check_rate_unit(unit)
    if parse_unit(target).dimensionality != _dim("t/year"):
        return convert(value, unit, target)
    if is_volume_rate(unit):
        if barrels_per_tonne is None or barrels_per_tonne <= 0:
            msg = (
                f"unit {unit!r} is a volume rate: converting it to {CANONICAL_RATE} "
                "needs a crude grade (barrels per tonne)"
            )
            raise UnitError(msg)
        barrels_per_year = convert(value, unit, "bbl/year")
        return convert(barrels_per_year / barrels_per_tonne, "t/year", CANONICAL_RATE)
    return convert(value, unit, CANONICAL_RATE)
