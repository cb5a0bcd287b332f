"""The data package format, as data: one row per table and per column.

``data/schema/tables.csv`` and ``data/schema/columns.csv`` define every table and column
(type, required, constraint, unit, description). They drive loading and validation
(`corridor.package`), the Frictionless descriptor (`describe_package`) and the README's format
section (`format_markdown`, printed by ``corridor schema``).

Column types:

- ``id``: lowercase slug ``[a-z0-9][a-z0-9.-]*``
- ``text``, ``url``, ``list`` (``|``-separated text)
- ``enum``: one of the ``|``-separated values in *constraint*
- ``ref`` / ``ref_list``: id(s) in the table named in *constraint*
- ``iso3`` / ``iso3_list``: ISO 3166-1 alpha-3 country code(s)
- ``number``: decimal, with a range in *constraint* (``>=0``, ``>0``, ``-90..90``)
- ``year``, ``date`` (YYYY-MM-DD), ``partial_date`` (YYYY, YYYY-MM or YYYY-MM-DD): within the
  package's declared years where they are periods
- ``scope``: what an observation is measured over (``all``, route ids joined by ``|``,
  ``node:ID``, ``crossing:ISO3``, ``bypassing:ISO3``, ``to:ISO3``, ``via:ROUTE``), parsed by
  `corridor.evidence.parse_scope`
- ``rate_unit``: a pint unit of mass or volume per time; ``price_unit``: a currency per mass,
  volume or energy; ``amount_unit``: an amount or a rate held over a window

A column whose *required* is ``derived`` is not in the CSV file: the reader adds it, converting
the row's ``value`` from its ``unit`` to the canonical unit named in *unit* (``capacity``,
``volume``, ``price``, ``cost``, an observation's ``amount``; ``amount_low`` and ``amount_high``
convert ``low`` and ``high``). Such columns are in `Table.derived`, not `Table.columns`.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Any

#: Every column type, each with one parser in `corridor.package.read.PARSERS`.
COLUMN_TYPES = (
    "id",
    "text",
    "url",
    "list",
    "enum",
    "ref",
    "ref_list",
    "iso3",
    "iso3_list",
    "number",
    "year",
    "date",
    "partial_date",
    "scope",
    "rate_unit",
    "price_unit",
    "amount_unit",
)
#: Frictionless field type for each Corridor column type.
FRICTIONLESS_TYPES = {"number": "number", "year": "integer", "date": "date"}


@dataclass(frozen=True)
class Column:
    """One column of a package table."""

    table: str
    name: str
    type: str
    required: bool
    constraint: str
    unit: str
    description: str
    derived: bool = False

    @property
    def converts(self) -> str:
        """The file column a derived column converts: ``low``, ``high`` or ``value``.

        ``amount_low`` converts ``low``, ``amount_high`` converts ``high``; the others ``value``.
        """
        for side in ("low", "high"):
            if self.name.endswith(f"_{side}"):
                return side
        return "value"

    @property
    def options(self) -> tuple[str, ...]:
        """Allowed values of an ``enum`` column."""
        return tuple(self.constraint.split("|")) if self.type == "enum" else ()


@dataclass(frozen=True)
class Table:
    """One table of a package: the columns of its CSV file in order, then the derived ones."""

    name: str
    required: bool
    key: tuple[str, ...]
    description: str
    columns: tuple[Column, ...]
    derived: tuple[Column, ...] = ()

    @property
    def filename(self) -> str:
        """Default file name of the table in a package folder."""
        return f"{self.name}.csv"

    def column(self, name: str) -> Column:
        """Return the column called `name`."""
        return next(c for c in self.columns if c.name == name)


def _read(name: str) -> list[dict[str, str]]:
    text = files("corridor").joinpath("data", "schema", name).read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text, newline="")))


@cache
def tables() -> dict[str, Table]:
    """Return every table of the format, in documentation order, keyed by name."""
    columns = [
        Column(
            table=r["table"],
            name=r["column"],
            type=r["type"],
            required=r["required"] == "yes",
            constraint=r["constraint"],
            unit=r["unit"],
            description=r["description"],
            derived=r["required"] == "derived",
        )
        for r in _read("columns.csv")
    ]
    return {
        r["table"]: Table(
            name=r["table"],
            required=r["required"] == "yes",
            key=tuple(r["key"].split("|")),
            description=r["description"],
            columns=tuple(c for c in columns if c.table == r["table"] and not c.derived),
            derived=tuple(c for c in columns if c.table == r["table"] and c.derived),
        )
        for r in _read("tables.csv")
    }


def describe_package(
    name: str, title: str, exporter: str, commodity: str, first_year: int, last_year: int
) -> dict[str, Any]:
    """Return a Frictionless Data Package descriptor for a Corridor package.

    The ``corridor`` property carries what Frictionless has no field for: the exporter, the
    commodity and the declared range of years.
    """
    resources = []
    for table in tables().values():
        fields = []
        for c in table.columns:
            field: dict[str, Any] = {
                "name": c.name,
                "type": FRICTIONLESS_TYPES.get(c.type, "string"),
                "description": c.description,
            }
            if c.required:
                field["constraints"] = {"required": True}
            if c.type == "enum":
                field.setdefault("constraints", {})["enum"] = list(c.options)
            fields.append(field)
        schema: dict[str, Any] = {"fields": fields}
        if table.key == ("id",):
            schema["primaryKey"] = ["id"]
        resources.append(
            {
                "name": table.name,
                "path": table.filename,
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "description": table.description,
                "schema": schema,
            }
        )
    return {
        "profile": "tabular-data-package",
        "name": name,
        "title": title,
        "corridor": {
            "exporter": exporter,
            "commodity": commodity,
            "years": {"first": first_year, "last": last_year},
        },
        "resources": resources,
    }


def format_markdown() -> str:
    """Return the package format as Markdown: one section per table, one row per column.

    The columns the reader derives (canonical ``capacity``, ``volume``, ``price``, ``cost``,
    ``amount``) follow the file's columns, marked *derived* in the required column.
    """
    out = [
        "A package is a folder with `datapackage.json` (a Frictionless Data Package whose "
        "`corridor` property declares `exporter`, `commodity` and `years` {`first`, `last`}) "
        "and one CSV file per table. Lists are separated by `|`. Every figure has a `source`. "
        "Columns marked *derived* are not in the files: the reader adds them, in canonical units.",
        "",
    ]
    for t in tables().values():
        need = "required" if t.required else "optional"
        out += [f"#### `{t.name}.csv` ({need}; key: {', '.join(t.key)})", "", t.description, ""]
        out += ["| column | type | required | unit | description |", "|---|---|---|---|---|"]
        for c in t.columns + t.derived:
            kind = c.type + (f" ({c.constraint})" if c.constraint else "")
            req = "derived" if c.derived else "yes" if c.required else ""
            out.append(f"| `{c.name}` | {kind} | {req} | {c.unit} | {c.description} |")
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def delivered_to(kind: str, country: str, exporter: str) -> str | None:
    """Return the country a path ending at a node of `kind` in `country` delivers to, or None.

    A path delivers when it ends at a market or refinery, or at a border node outside the
    exporter's country (the commodity has entered the buyer's network). A path ending anywhere
    else has an onward leg that the data does not report. The one home of that rule
    (`corridor.network.Network.destination_country`, the claims checker's cached facts).
    """
    if kind in ("market", "refinery") or (kind == "border" and country != exporter):
        return country
    return None
