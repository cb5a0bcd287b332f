"""Read a package folder: the descriptor, then each table's CSV into rows with line numbers.

Every cell goes through the one parser of its column's schema type (`PARSERS`, keyed by
`corridor.schema.COLUMN_TYPES`). A bad cell becomes a `Problem` naming the file, the line the
row starts on, the field, the bad value and what was expected; it parses to None. Nothing here
looks across rows or tables: that is `corridor.package.checks`.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Protocol

import pycountry

from corridor import units
from corridor.evidence import parse_period, parse_scope
from corridor.exceptions import InvalidArgumentError, Problem, UnitError
from corridor.network import PackageMeta
from corridor.schema import Column, Table, tables

#: File name of the descriptor in a package folder.
DESCRIPTOR = "datapackage.json"
#: The earliest and latest year a package may declare (``corridor.years``).
FIRST_YEAR, LAST_YEAR = 1900, 2100
#: What an ISO 3166-1 alpha-3 cell must be, as problems say it.
ISO3_EXPECTED = "must be an ISO 3166-1 alpha-3 country code (e.g. KAZ, RUS, TUR)"

_ID = re.compile(r"^[a-z0-9][a-z0-9.-]*$")
_URL = re.compile(r"^https?://\S+$")
_YEAR = re.compile(r"^\d{4}$")
_PARTIAL_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
_NUMBER_RANGE = re.compile(r"^(-?[\d.]+)\.\.(-?[\d.]+)$")


def problem(
    file: str, line: int | None, column: str | None, message: str, value: object = None
) -> Problem:
    """Return a `Problem`, showing `value` as text (None: no value to show).

    Examples
    --------
    >>> str(problem("routes.csv", 14, "capacity", "must be >= 0", -5))
    "routes.csv line 14, field capacity: must be >= 0, got '-5'"
    """
    return Problem(file, line, column, message, None if value is None else str(value))


@dataclass
class TableRows:
    """Parsed rows of one table, each with the physical line of the file it starts on."""

    table: Table
    file: str
    rows: list[dict[str, Any]] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)

    def each(self) -> list[tuple[dict[str, Any], int]]:
        """Return (row, line) pairs."""
        return list(zip(self.rows, self.lines, strict=True))

    @classmethod
    def from_records(
        cls, name: str, records: Iterable[Mapping[str, Any]], first_line: int = 2
    ) -> TableRows:
        """Build the rows of table `name` from parsed values, as if read from its CSV file.

        A column missing from a record takes the value of an empty cell (None, or ``()`` for
        a list); keys beyond the schema's (a derived ``volume``) are kept.

        Examples
        --------
        >>> rows = TableRows.from_records("nodes", [{"id": "o1", "kind": "hub"}])
        >>> rows.file, rows.lines, rows.rows[0]["country"]
        ('nodes.csv', [2], None)
        """
        table = tables()[name]
        blank = {c.name: empty_value(c) for c in table.columns}
        rows = [{**blank, **record} for record in records]
        return cls(table, table.filename, rows, list(range(first_line, first_line + len(rows))))


@dataclass(frozen=True)
class Descriptor:
    """What ``datapackage.json`` declares: the package's metadata and each table's file."""

    meta: PackageMeta | None
    paths: dict[str, str]


class Complain(Protocol):
    """Record a problem with the cell being parsed: what was expected, and the bad value."""

    def __call__(self, message: str, value: str | None = None) -> None:
        """Record `message` (and `value`) against the current file, line and field."""


#: A cell parser: (column, non-empty stripped text, complain) -> parsed value.
Parser = Callable[[Column, str, Complain], Any]


def empty_value(col: Column) -> Any:
    """Return what an empty cell of `col` parses to: ``()`` for a list type, else None."""
    return () if col.type.endswith("list") else None


def is_country(code: str) -> bool:
    """Return True if `code` is an ISO 3166-1 alpha-3 country code.

    Examples
    --------
    >>> is_country("KAZ"), is_country("RU"), is_country("XXX")
    (True, False, False)
    """
    return len(code) == 3 and pycountry.countries.get(alpha_3=code) is not None


def country_name(code: str) -> str:
    """Return a short country name for an ISO3 code (the code when unknown).

    Examples
    --------
    >>> country_name("RUS"), country_name("KAZ"), country_name("XXX")
    ('Russian Federation', 'Kazakhstan', 'XXX')
    """
    c = pycountry.countries.get(alpha_3=code) if len(code) == 3 else None
    return str(getattr(c, "common_name", None) or getattr(c, "name", code)) if c else code


def _split(text: str) -> tuple[str, ...]:
    return tuple(p.strip() for p in text.split("|") if p.strip())


def _text(col: Column, text: str, complain: Complain) -> str:
    return text


def _url(col: Column, text: str, complain: Complain) -> str:
    if not _URL.match(text):
        complain("must be an http(s) URL", text)
    return text


def _id(col: Column, text: str, complain: Complain) -> str:
    if not _ID.match(text):
        complain("must be a lowercase slug [a-z0-9.-]", text)
    return text


def _list(col: Column, text: str, complain: Complain) -> tuple[str, ...]:
    return _split(text)


def _enum(col: Column, text: str, complain: Complain) -> str | None:
    if text not in col.options:
        complain(f"must be one of {', '.join(col.options)}", text)
        return None
    return text


def _iso3_list(col: Column, text: str, complain: Complain) -> tuple[str, ...]:
    codes = _split(text)
    for code in codes:
        if not is_country(code):
            complain(ISO3_EXPECTED, code)
    return codes


def _iso3(col: Column, text: str, complain: Complain) -> str:
    _iso3_list(col, text, complain)
    return text


def _number(col: Column, text: str, complain: Complain) -> float | None:
    try:
        x = float(text)
    except ValueError:
        complain("must be a number", text)
        return None
    if x != x or x in (float("inf"), float("-inf")):
        complain("must be a finite number", text)
        return None
    c = col.constraint
    bounds = _NUMBER_RANGE.match(c)
    if c == ">=0" and x < 0:
        complain("must be >= 0", text)
    elif c == ">0" and x <= 0:
        complain("must be > 0", text)
    elif bounds and not float(bounds[1]) <= x <= float(bounds[2]):
        complain(f"must be between {bounds[1]} and {bounds[2]}", text)
    return x


def _year(col: Column, text: str, complain: Complain) -> int | None:
    if not _YEAR.match(text):
        complain("must be a four-digit year", text)
        return None
    return int(text)


def _date(col: Column, text: str, complain: Complain) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        complain("must be a date YYYY-MM-DD", text)
        return None


def _partial_date(col: Column, text: str, complain: Complain) -> str | None:
    if not _PARTIAL_DATE.match(text):
        complain("must be YYYY, YYYY-MM or YYYY-MM-DD", text)
        return None
    try:
        parse_period(text)
    except InvalidArgumentError:
        complain("must be a calendar date YYYY, YYYY-MM or YYYY-MM-DD", text)
        return None
    return text


def _scope(col: Column, text: str, complain: Complain) -> str | None:
    try:
        parse_scope(text)
    except InvalidArgumentError as exc:
        complain(str(exc), text)
        return None
    return text


def _unit(check: Callable[[str], None]) -> Parser:
    def parse(col: Column, text: str, complain: Complain) -> str | None:
        try:
            check(text)
        except UnitError as exc:
            complain(str(exc))
            return None
        return text

    return parse


#: The one parser of each column type (`corridor.schema.COLUMN_TYPES`).
PARSERS: dict[str, Parser] = {
    "id": _id,
    "text": _text,
    "url": _url,
    "list": _list,
    "enum": _enum,
    "ref": _text,  # checked against the referenced table by checks.check_for_unknown_references
    "ref_list": _list,
    "iso3": _iso3,
    "iso3_list": _iso3_list,
    "number": _number,
    "year": _year,
    "date": _date,
    "partial_date": _partial_date,
    "scope": _scope,  # targets checked by checks.check_for_unknown_scope_targets
    "rate_unit": _unit(units.check_rate_unit),
    "price_unit": _unit(units.check_price_unit),
    "amount_unit": _unit(units.check_amount_unit),
}


def parse_cell(col: Column, text: str, complain: Complain) -> Any:
    """Parse one stripped cell by its column type; a bad cell complains and gives None.

    Examples
    --------
    >>> lat = tables()["nodes"].column("lat")
    >>> parse_cell(lat, "95", lambda message, value=None: print(message, value))
    must be between -90 and 90 95
    95.0
    """
    if text == "":
        if col.required:
            complain("is required; the cell is empty")
        return empty_value(col)
    parser = PARSERS.get(col.type)
    if parser is None:
        msg = f"schema type {col.type!r} of {col.table}.{col.name} has no parser"
        raise AssertionError(msg)
    return parser(col, text, complain)


class CsvSyntaxError(ValueError):
    """Raised by `csv_records` at a record it cannot split; `read_table` makes it a problem."""

    def __init__(self, line: int, reason: str) -> None:
        self.line, self.reason = line, reason
        super().__init__(f"line {line}: {reason}")


def csv_records(text: str) -> Iterator[tuple[int, list[str]]]:
    r"""Yield each CSV record with the physical line it starts on.

    A quoted cell may hold line breaks; it stays one cell, and the records after it keep
    their true line numbers. A blank line yields an empty record.

    Raises
    ------
    CsvSyntaxError
        At a record the CSV rules cannot split (a quote never closed, text after a closing
        quote), with the line the record starts on.

    Examples
    --------
    >>> list(csv_records('id,note\na,"two\nlines"\nb,x\n'))
    [(1, ['id', 'note']), (2, ['a', 'two\nlines']), (4, ['b', 'x'])]
    >>> list(csv_records('id,note\na,"never closed\nb,x\n'))
    Traceback (most recent call last):
    ...
    corridor.package.read.CsvSyntaxError: line 2: unexpected end of data
    """
    # strict: a stray quote is an error rather than a cell that swallows the rest of the file
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    start = 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise CsvSyntaxError(start, str(exc)) from exc
        yield start, cells
        start = reader.line_num + 1


def _outside_folder(folder: Path, rel: str) -> str:
    """Return why a table's path may not be read ("" when it may): it must stay in `folder`.

    An absolute path, a ``..`` or a symbolic link that leads out of the package folder is
    refused before the file is opened, so nothing of an outside file reaches a message.
    """
    if Path(rel).is_absolute() or "\x00" in rel:
        return "must be a path relative to the package folder"
    try:
        inside = (folder / rel).resolve().is_relative_to(folder.resolve())
    except OSError as exc:
        return f"cannot be resolved: {exc.strerror}"
    except (RuntimeError, ValueError):  # a symlink loop, a path Python cannot hold
        inside = False
    return "" if inside else "must stay inside the package folder (no '..' or outside links)"


def _complainer(problems: list[Problem], rel: str, line: int, column: str) -> Complain:
    def complain(message: str, value: str | None = None) -> None:
        problems.append(problem(rel, line, column, message, value))

    return complain


def _check_header(rel: str, table: Table, header: list[str]) -> list[Problem]:
    known = [c.name for c in table.columns]
    missing = [c.name for c in table.columns if c.required and c.name not in header]
    unknown = [h for h in header if h not in known]
    return [problem(rel, 1, name, "missing column") for name in missing] + [
        problem(rel, 1, name, f"unknown column; known: {', '.join(known)}") for name in unknown
    ]


def read_table(folder: Path, table: Table, rel: str) -> tuple[TableRows, list[Problem]]:
    """Read and parse one table's CSV file (`rel`, relative to `folder`).

    Returns
    -------
    TableRows
        The rows that have the header's number of cells (bad cells parsed to None).
    list of Problem
        Every problem with the file, its header or a cell.
    """
    out = TableRows(table, rel)
    path = folder / rel
    outside = _outside_folder(folder, rel)
    if outside:
        shown = rel if len(rel) <= 200 else rel[:200] + "…"
        return out, [problem(DESCRIPTOR, None, f"resources.{table.name}.path", outside, shown)]
    try:
        if not path.is_file():
            return out, [problem(rel, None, None, f"missing file for table '{table.name}'")]
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        return out, [problem(rel, None, None, f"not UTF-8 text: {exc}")]
    except OSError as exc:
        message = f"cannot read the file of table '{table.name}': {exc.strerror}"
        return out, [problem(DESCRIPTOR, None, f"resources.{table.name}.path", message)]
    problems: list[Problem] = []
    try:
        _parse_records(rel, table, csv_records(text), out, problems)
    except CsvSyntaxError as exc:
        message = f"is not valid CSV ({exc.reason}); is a quote on this row left open?"
        problems.append(problem(rel, exc.line, None, message))
    return out, problems


def _parse_records(
    rel: str,
    table: Table,
    records: Iterator[tuple[int, list[str]]],
    out: TableRows,
    problems: list[Problem],
) -> None:
    header = [h.strip() for h in next(records, (1, []))[1]]
    problems += _check_header(rel, table, header)
    for line, cells in records:
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) != len(header):
            message = f"has {len(cells)} cells; the header has {len(header)}"
            problems.append(problem(rel, line, None, message))
            continue
        raw = dict(zip(header, (cell.strip() for cell in cells), strict=True))
        row = {
            col.name: parse_cell(
                col, raw.get(col.name, ""), _complainer(problems, rel, line, col.name)
            )
            for col in table.columns
        }
        out.rows.append(row)
        out.lines.append(line)


def read_tables(
    folder: Path, paths: Mapping[str, str]
) -> tuple[dict[str, TableRows], list[Problem]]:
    """Read every table of the schema listed in `paths`; a missing table has no rows.

    A required table that the descriptor does not list is a problem.
    """
    parsed: dict[str, TableRows] = {}
    problems: list[Problem] = []
    for table in tables().values():
        rel = paths.get(table.name)
        if rel is None:
            if table.required:
                message = (
                    f"missing table '{table.name}' (a resource named {table.name} "
                    f"with path {table.filename})"
                )
                problems.append(problem(DESCRIPTOR, None, "resources", message))
            parsed[table.name] = TableRows(table, table.filename)
            continue
        parsed[table.name], found = read_table(folder, table, rel)
        problems += found
    return parsed, problems


# -- the descriptor ---------------------------------------------------------------------------


def _load_json(folder: Path) -> tuple[dict[str, Any] | None, list[Problem]]:
    path = folder / DESCRIPTOR
    if not folder.is_dir():
        return None, [problem(str(folder), None, None, "no such package folder")]
    if not path.is_file():
        return None, [problem(DESCRIPTOR, None, None, f"missing; expected it in {folder}")]
    try:
        desc = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        return None, [problem(DESCRIPTOR, None, None, f"not UTF-8 text: {exc}")]
    except RecursionError:
        message = "not valid JSON: nested too deeply (a descriptor is a few levels deep)"
        return None, [problem(DESCRIPTOR, None, None, message)]
    except json.JSONDecodeError as exc:
        return None, [problem(DESCRIPTOR, exc.lineno, None, f"not valid JSON: {exc}")]
    except ValueError:  # Python refuses to read an integer of more than 4300 digits
        message = "not valid JSON: a number has too many digits (at most 4300)"
        return None, [problem(DESCRIPTOR, None, None, message)]
    if not isinstance(desc, dict):
        return None, [problem(DESCRIPTOR, None, None, "must be a JSON object")]
    return desc, []


def _read_years(info: Mapping[str, Any]) -> tuple[tuple[int, int] | None, list[Problem]]:
    value = info.get("years")
    years: Mapping[str, Any] = value if isinstance(value, dict) else {}
    first, last = years.get("first"), years.get("last")
    if (
        isinstance(first, int)
        and isinstance(last, int)
        and FIRST_YEAR <= first <= last <= LAST_YEAR
    ):
        return (first, last), []
    message = (
        f"must be {{first, last}} with integer years, {FIRST_YEAR} <= first <= last <= "
        f"{LAST_YEAR} (a package covers real years; every year is a period the model solves)"
    )
    shown = value if len(str(value)) <= 80 else str(value)[:80] + "…"
    return None, [problem(DESCRIPTOR, None, "corridor.years", message, shown)]


def _read_focus(info: Mapping[str, Any]) -> tuple[dict[str, Any], list[Problem]]:
    focus = info.get("focus", {})
    if not isinstance(focus, dict):
        message = "must be {country, route}"
        return {}, [problem(DESCRIPTOR, None, "corridor.focus", message, focus)]
    country = focus.get("country")
    if country is not None and not is_country(str(country)):
        return focus, [problem(DESCRIPTOR, None, "corridor.focus.country", ISO3_EXPECTED, country)]
    return focus, []


def _read_meta(desc: Mapping[str, Any], folder: Path) -> tuple[PackageMeta | None, list[Problem]]:
    info = desc.get("corridor")
    problems: list[Problem] = []
    if not isinstance(info, dict):
        message = "missing object {exporter, commodity, years} (exporter optional)"
        problems.append(problem(DESCRIPTOR, None, "corridor", message))
        info = {}
    # a package of all shippers' figures (the chokepoints) has no exporter: "" stands for none
    exporter, commodity = info.get("exporter", ""), info.get("commodity")
    if exporter != "" and (not isinstance(exporter, str) or not is_country(exporter)):
        problems.append(problem(DESCRIPTOR, None, "corridor.exporter", ISO3_EXPECTED, exporter))
    if not isinstance(commodity, str) or not _ID.match(commodity):
        problems.append(
            problem(DESCRIPTOR, None, "corridor.commodity", "must be a slug", commodity)
        )
    years, found = _read_years(info)
    focus, more = _read_focus(info)
    problems += found + more
    if years is None or not isinstance(exporter, str) or not isinstance(commodity, str):
        return None, problems
    name = str(desc.get("name", folder.name))
    meta = PackageMeta(
        name=name,
        title=str(desc.get("title", name)),
        exporter=exporter,
        commodity=commodity,
        first_year=years[0],
        last_year=years[1],
        path=folder,
        focus_country=focus.get("country"),
        focus_route=focus.get("route"),
    )
    return meta, problems


def _read_resources(desc: Mapping[str, Any]) -> tuple[dict[str, str], list[Problem]]:
    resources = desc.get("resources")
    if not isinstance(resources, list):
        return {}, [problem(DESCRIPTOR, None, "resources", "must be a list of {name, path}")]
    paths: dict[str, str] = {}
    problems: list[Problem] = []
    for i, res in enumerate(resources):
        if not (isinstance(res, dict) and isinstance(res.get("name"), str)):
            message = "must have a name and a path"
            problems.append(problem(DESCRIPTOR, None, f"resources[{i}]", message))
            continue
        paths[res["name"]] = str(res.get("path", f"{res['name']}.csv"))
    return paths, problems


def read_descriptor(folder: Path) -> tuple[Descriptor, list[Problem]]:
    """Read ``datapackage.json`` in `folder`: the package's metadata and each table's file.

    Returns
    -------
    Descriptor
        ``meta`` is None when the exporter, commodity or years are unusable (a package
        without ``corridor.exporter`` has the exporter ``""``: all shippers); ``paths`` maps
        each listed resource's name to its file, relative to `folder`.
    list of Problem
        Every problem found in the descriptor.
    """
    desc, problems = _load_json(folder)
    if desc is None:
        return Descriptor(None, {}), problems
    meta, found = _read_meta(desc, folder)
    paths, more = _read_resources(desc)
    return Descriptor(meta, paths), problems + found + more
