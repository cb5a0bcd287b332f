"""The unit conversions a claims check makes, without pint when a table of them is at hand.

A claim's unit is one of a few (``Mt``, ``kbbl/day`` …: `UNITS`). `conversion_table` asks pint
(`corridor.units`) for each one's kind and conversion factors once, when a package's facts are
cached (`corridor.claims.facts`); `Units` then converts as `corridor.units` does — the same
multiplications in the same order, so the same floats: pint converts a value by multiplying it
by the units' factor — and hands every unit outside its table, and every error, to
`corridor.units`.
"""

from __future__ import annotations

from corridor import units

#: The units a claim may be written in (`corridor.claims.extract`): each mass and barrel unit,
#: alone, per year and per day.
UNITS = tuple(
    f"{u}{per}"
    for u in ("t", "kt", "Mt", "Gt", "bbl", "kbbl", "Mbbl")
    for per in ("", "/year", "/day")
)
#: The units each kind converts to, and the kinds.
TARGETS = {
    "mass": ("Mt",),
    "volume": ("bbl",),
    "mass_rate": ("Mt/year",),
    "volume_rate": ("bbl/year",),
}
#: The factor from t/year to Mt/year (a volume rate's last step).
_T_PER_YEAR = "t/year"


def conversion_table() -> dict[str, tuple[str, dict[str, float]]]:
    """Return each of `UNITS` with its kind and its factors to its kind's targets (via pint)."""
    dims = {
        "mass": units.parse_unit("t").dimensionality,
        "volume": units.parse_unit("bbl").dimensionality,
        "mass_rate": units.parse_unit("t/year").dimensionality,
        "volume_rate": units.parse_unit("bbl/day").dimensionality,
    }
    table: dict[str, tuple[str, dict[str, float]]] = {}
    for unit in (*UNITS, _T_PER_YEAR):
        dim = units.parse_unit(unit).dimensionality
        kind = next(k for k, d in dims.items() if d == dim)
        table[unit] = (kind, {t: units.convert(1.0, unit, t) for t in TARGETS[kind]})
    return table


class Units:
    """Convert a claim's value as `corridor.units` does, from a table when it has the unit."""

    def __init__(self, table: dict[str, tuple[str, dict[str, float]]]) -> None:
        self.table = table

    def _kind(self, unit: str) -> str | None:
        found = self.table.get(unit)
        return None if found is None else found[0]

    def needs_grade(self, unit: str) -> bool:
        """Return True when converting `unit` to tonnes needs a grade (`units.needs_grade`)."""
        kind = self._kind(unit)
        if kind is None:
            return units.needs_grade(unit)
        return kind in ("volume", "volume_rate")

    def is_rate(self, unit: str) -> bool:
        """Return True when `unit` is a mass or a volume per time."""
        kind = self._kind(unit)
        if kind is None:
            dim = units.parse_unit(unit).dimensionality
            return bool(
                dim == units.parse_unit("t/year").dimensionality
                or dim == units.parse_unit("bbl/day").dimensionality
            )
        return kind in ("mass_rate", "volume_rate")

    def to_canonical_rate(self, value: float, unit: str, bpt: float | None) -> float:
        """Return a rate in Mt/year (`units.to_canonical_rate`)."""
        kind = self._kind(unit)
        if kind == "mass_rate":
            return value * self.table[unit][1]["Mt/year"]
        if kind == "volume_rate" and bpt is not None and bpt > 0 and _T_PER_YEAR in self.table:
            barrels_per_year = value * self.table[unit][1]["bbl/year"]
            return barrels_per_year / bpt * self.table[_T_PER_YEAR][1]["Mt/year"]
        return units.to_canonical_rate(value, unit, bpt)

    def amount_in_mt(self, value: float, unit: str, days: float, bpt: float | None) -> float:
        """Return an amount, or a rate held for `days`, in Mt (`units.amount_in_mt`)."""
        kind = self._kind(unit)
        if kind in ("mass_rate", "volume_rate") and (kind == "mass_rate" or (bpt or 0) > 0):
            return self.to_canonical_rate(value, unit, bpt) * days / units.DAYS_PER_YEAR
        if kind == "volume" and bpt is not None and bpt > 0:
            return value * self.table[unit][1]["bbl"] / bpt / units.T_PER_MT
        if kind == "mass":
            return value * self.table[unit][1]["Mt"]
        return units.amount_in_mt(value, unit, days, bpt)
