"""Turn valid parsed rows into a `Network`: canonical units first, then one DataFrame per table.

The canonical columns are those ``columns.csv`` marks *derived* (`corridor.schema.Table.derived`):
each converts the row's ``value`` (or ``low``, ``high``: `corridor.schema.Column.converts`) from
its ``unit``, by the converter of that unit column's type (`CONVERTERS`): a rate to Mt/year (or
the commodity's own unit), a price to USD/t (or USD/MWh), an amount over a loss's window or an
observation's period to Mt (or the commodity's unit times a year).

`Network.observations` is built here too (`observations_of`): the rows of ``observations.csv``
in the canonical frame, then the flows and supply rows migrated into it, each with its origin.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import pandas as pd

from corridor import units
from corridor.evidence import parse_period
from corridor.exceptions import InvalidArgumentError, Problem, UnitError
from corridor.network import Network, PackageMeta, observation_frame
from corridor.package.read import TableRows, problem
from corridor.schema import Column

#: A converter: (row, the commodity's canonical unit, barrels per tonne or None) -> value.
Converter = Callable[[Mapping[str, Any], str, float | None], float | None]


def _rate(row: Mapping[str, Any], canonical: str, bpt: float | None) -> float:
    return units.to_canonical_rate(row["value"], row["unit"], bpt, canonical)


def _price(row: Mapping[str, Any], canonical: str, bpt: float | None) -> float:
    return units.price_per_unit(row["value"], row["unit"], canonical, bpt)


def window_days(row: Mapping[str, Any]) -> int | None:
    """Return the days a row's figure covers, or None when its dates are missing or bad.

    A loss has dates with an exclusive end; an observation has partial dates, both inclusive
    (`corridor.evidence.parse_period`).

    Examples
    --------
    >>> window_days({"start": "2024-01", "end": "2024-10"}), window_days({"start": "2023"})
    (305, 365)
    """
    start, end = row.get("start"), row.get("end")
    if isinstance(start, str):
        try:
            return parse_period(start, end or None).days
        except InvalidArgumentError:
            return None
    if start is None or end is None:
        return None
    return int((end - start).days)


def amount_in_canonical(
    value: float, unit: str, days: float, canonical: str, bpt: float | None = None
) -> float:
    """Convert an amount, or a rate held for `days`, to the amount of a canonical rate's unit.

    For a mass rate (Mt/year) the amount is in Mt; for another unit (TWh/year) it is in that
    unit times a year (TWh), the way flows and supply keep such commodities.

    Examples
    --------
    >>> round(amount_in_canonical(36.525, "Mt/year", 10, "Mt/year"), 6)
    1.0
    >>> round(amount_in_canonical(3.6525, "TWh/year", 100, "TWh/year"), 6)
    1.0
    """
    mass = units.parse_unit(units.CANONICAL_RATE).dimensionality
    if units.parse_unit(canonical).dimensionality == mass:
        mt = units.amount_in_mt(value, unit, days, bpt)
        return mt * units.convert(1.0, units.CANONICAL_RATE, canonical)
    try:
        units.check_rate_unit(unit)
    except UnitError:
        # an amount (TWh) in the canonical rate's unit times a year: no unit expression is parsed
        top = canonical.partition("/")[0]
        return units.convert(value, unit, top) * units.convert(1.0, f"{top}/year", canonical)
    return units.to_canonical_rate(value, unit, bpt, canonical) * days / units.DAYS_PER_YEAR


def _amount(row: Mapping[str, Any], canonical: str, bpt: float | None) -> float | None:
    days = window_days(row)
    if days is None:
        return None
    return amount_in_canonical(row["value"], row["unit"], days, canonical, bpt)


#: The converter to the canonical unit for each type of ``unit`` column.
CONVERTERS: dict[str, Converter] = {
    "rate_unit": _rate,
    "price_unit": _price,
    "amount_unit": _amount,
}


def _canonical_units(parsed: Mapping[str, TableRows], commodity: str) -> dict[str, str]:
    """Canonical unit of each commodity: Mt/year unless ``commodities.csv`` says otherwise."""
    rows = parsed["commodities"].rows if "commodities" in parsed else []
    return {commodity: units.CANONICAL_RATE} | {
        r["id"]: r["unit"] for r in rows if r["id"] and r["unit"]
    }


def _convert_table(
    rows: TableRows,
    target: Column,
    grades: Mapping[str, float],
    canonical_of: Callable[[Mapping[str, Any]], str],
) -> list[Problem]:
    convert = CONVERTERS[rows.table.column("unit").type]
    source = target.converts
    found = []
    for row, line in rows.each():
        row[target.name] = None
        if row[source] is None or row["unit"] is None:
            continue
        grade = row["grade"]
        if grade and grade not in grades:
            continue  # reported by checks.check_for_unknown_references
        if not grade and units.needs_grade(row["unit"]):
            continue  # reported by checks.check_for_units_needing_a_grade
        try:
            given = row if source == "value" else {**row, "value": row[source]}
            row[target.name] = convert(given, canonical_of(row), grades.get(grade or ""))
        except UnitError as exc:
            found.append(problem(rows.file, line, "unit", str(exc), row["unit"]))
    return found


def add_canonical_columns(parsed: Mapping[str, TableRows], commodity: str) -> list[Problem]:
    """Add each table's derived column to its rows, in place; return conversion problems.

    A row whose value cannot be converted (a bad unit, an unknown grade, a missing window)
    gets None; problems are returned only for what the checks do not already report.

    Parameters
    ----------
    parsed : mapping of str to TableRows
        Parsed rows by table.
    commodity : str
        The package's commodity: rows with no commodity of their own (or of their route)
        are in its unit.

    Returns
    -------
    list of Problem
        One per value whose unit cannot be converted to its canonical unit.
    """
    grades = {r["id"]: r["barrels_per_tonne"] for r in parsed["grades"].rows if r["id"]}
    unit_of = _canonical_units(parsed, commodity)
    route_commodity = {r["id"]: r["commodity"] for r in parsed["routes"].rows}

    def canonical_of(row: Mapping[str, Any]) -> str:
        own = row.get("commodity") or route_commodity.get(row.get("route") or "")
        return unit_of.get(own or commodity, units.CANONICAL_RATE)

    found = []
    for rows in parsed.values():
        for target in rows.table.derived:
            found += _convert_table(rows, target, grades, canonical_of)
    return found


def _as_text(s: pd.Series) -> pd.Series:
    return s.fillna("").astype(str)


def _as_number(s: pd.Series) -> pd.Series:
    return pd.to_numeric(s).astype(float)


def _as_date(s: pd.Series) -> pd.Series:
    return pd.to_datetime(s)


def _as_list(s: pd.Series) -> pd.Series:
    return s


#: The pandas form of each column type; a year column is int64, or Int64 when optional.
DTYPES: dict[str, Callable[[pd.Series], pd.Series]] = {
    "id": _as_text,
    "text": _as_text,
    "url": _as_text,
    "ref": _as_text,
    "enum": _as_text,
    "iso3": _as_text,
    "partial_date": _as_text,
    "scope": _as_text,
    "rate_unit": _as_text,
    "price_unit": _as_text,
    "amount_unit": _as_text,
    "number": _as_number,
    "date": _as_date,
    "list": _as_list,
    "ref_list": _as_list,
    "iso3_list": _as_list,
}


def table_frame(rows: TableRows) -> pd.DataFrame:
    """Return one table's rows as a DataFrame, typed by the schema and indexed by ``id``.

    Examples
    --------
    >>> df = table_frame(TableRows.from_records("flows", [{"route": "a", "year": 2024,
    ...     "value": 60.0, "unit": "Mt/year", "volume": 60.0}]))
    >>> df.loc[0, "route"], float(df.loc[0, "volume"]), str(df["year"].dtype)
    ('a', 60.0, 'int64')
    """
    columns = rows.table.columns + rows.table.derived
    df = pd.DataFrame(rows.rows, columns=[c.name for c in columns])
    for c in columns:
        if c.type == "year":
            df[c.name] = df[c.name].astype("int64" if c.required else "Int64")
        else:
            df[c.name] = DTYPES[c.type](df[c.name])
    if rows.table.key == ("id",):
        df = df.set_index("id")
    return df


def _nan(x: float | None) -> float:
    return float("nan") if x is None else float(x)


def observation_records(rows: TableRows, commodity: str) -> list[dict[str, Any]]:
    """Return valid ``observations`` rows as records of the canonical frame.

    The period becomes ``start`` (first day) and ``end`` (the day after the last); a blank
    commodity becomes `commodity`; ``origin`` is the file and line of the row.
    """
    out = []
    for row, line in rows.each():
        period = parse_period(row["start"], row["end"] or None)
        out.append(
            {
                **{k: row[k] for k in ("id", "measure", "scope", "unit", "source")},
                **{k: row[k] for k in ("confidence", "basis", "note")},
                "exporter": row["exporter"] or "",
                "commodity": row["commodity"] or commodity,
                "start": period.start,
                "end": period.end,
                **{k: _nan(row.get(k)) for k in _OBSERVED},
                "origin": f"{rows.file} line {line}",
            }
        )
    return out


_OBSERVED = ("value", "low", "high", "amount", "amount_low", "amount_high")


def observations_of(parsed: Mapping[str, TableRows], n: Network) -> pd.DataFrame:
    """Return `Network.observations` of a package: its observations, then flows and supply.

    Parameters
    ----------
    parsed : mapping of str to TableRows
        Valid parsed rows by table, with their canonical columns (``amount`` …).
    n : Network
        The network built from them (its flows and supply, in the files' order).

    Returns
    -------
    DataFrame
        Indexed by ``id``, with `corridor.network.OBSERVATION_COLUMNS`; every row's ``origin``
        names its file and line (``flows.csv line 3``).
    """
    own = observation_frame(observation_records(parsed["observations"], n.meta.commodity))
    flows, supply = parsed["flows"], parsed["supply"]
    migrated = n.migrated_observations(
        [f"{flows.file} line {ln}" for ln in flows.lines],
        [f"{supply.file} line {ln}" for ln in supply.lines],
    )
    frames = [f for f in (own, migrated) if not f.empty]
    return pd.concat(frames) if frames else own


def build_network(parsed: Mapping[str, TableRows], meta: PackageMeta) -> Network:
    """Build the `Network` from valid parsed rows with their canonical columns.

    A blank commodity in ``supply`` and ``prices`` becomes the package's own. The observations
    are the canonical frame of `observations_of`.
    """
    for name in ("supply", "prices"):
        for row in parsed[name].rows:
            row["commodity"] = row.get("commodity") or meta.commodity
    frames = {name: table_frame(rows) for name, rows in parsed.items() if name != "observations"}
    n = Network(meta, frames | {"observations": observation_frame([])})
    n.observations = n.tables["observations"] = observations_of(parsed, n)
    return n
