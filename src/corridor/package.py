"""Read and validate data packages, and build a `Network` from them.

A package is a folder with ``datapackage.json`` and one CSV per table (see `corridor.schema`).
Validation collects every problem — missing tables or columns, duplicate keys, unknown
references or country codes, bad numbers, units and dates, flows above capacity, periods
outside the declared years — and raises them together as one `PackageValidationError`. Nothing
is returned unless the whole package is valid, so no command ever sees half a package.
"""

from __future__ import annotations

import csv
import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from importlib.resources import files
from pathlib import Path
from typing import Any

import pandas as pd
import pycountry

from corridor import units
from corridor.exceptions import PackageValidationError, Problem, UnitError
from corridor.network import Network, PackageMeta
from corridor.schema import Column, Table, tables

DESCRIPTOR = "datapackage.json"
#: Tolerance when comparing flows with capacities and totals, in Mt/year.
TOLERANCE = 1e-6
#: Share by which the routed volume may exceed reported total exports (rounding in sources).
TOTAL_SLACK = 0.01

_ID = re.compile(r"^[a-z0-9][a-z0-9.-]*$")
_PARTIAL_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
_NUMBER_RANGE = re.compile(r"^(-?[\d.]+)\.\.(-?[\d.]+)$")


def builtin_path(name: str = "kazakhstan") -> Path:
    """Return the folder of a package shipped inside Corridor."""
    return Path(str(files("corridor").joinpath("data", name)))


def load_package(path: str | Path | None = None) -> Network:
    """Read, validate and return a data package as a `Network`.

    Parameters
    ----------
    path : str or Path, optional
        Package folder (or its ``datapackage.json``); None loads the built-in Kazakhstan package.

    Raises
    ------
    PackageValidationError
        With every problem found, each naming file, line, field, bad value and what was expected.

    Examples
    --------
    >>> n = load_package()
    >>> n.meta.exporter, "cpc" in n.routes.index
    ('KAZ', True)
    """
    reader = _Reader(Path(path) if path is not None else builtin_path())
    network = reader.read()
    if reader.problems or network is None:
        raise PackageValidationError(str(reader.folder), reader.problems)
    return network


def validate_package(path: str | Path | None = None) -> list[Problem]:
    """Return every problem in a package; an empty list means it is valid."""
    try:
        load_package(path)
    except PackageValidationError as exc:
        return exc.problems
    return []


@dataclass
class _Rows:
    """Parsed rows of one table, with the line each came from."""

    table: Table
    file: str
    rows: list[dict[str, Any]] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)


class _Reader:
    def __init__(self, path: Path) -> None:
        self.folder = path.parent if path.name == DESCRIPTOR else path
        self.problems: list[Problem] = []
        self.meta: PackageMeta | None = None

    def problem(
        self, file: str, line: int | None, column: str | None, msg: str, value: Any = None
    ) -> None:
        shown = None if value is None else str(value)
        self.problems.append(Problem(file, line, column, msg, shown))

    # -- descriptor ---------------------------------------------------------------------------
    def read_descriptor(self) -> dict[str, str]:
        """Read datapackage.json; return table name → file path of each listed resource."""
        path = self.folder / DESCRIPTOR
        if not self.folder.is_dir():
            self.problem(str(self.folder), None, None, "no such package folder")
            return {}
        if not path.is_file():
            self.problem(DESCRIPTOR, None, None, f"missing; expected it in {self.folder}")
            return {}
        try:
            desc = json.loads(path.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            self.problem(DESCRIPTOR, getattr(exc, "lineno", None), None, f"not valid JSON: {exc}")
            return {}
        if not isinstance(desc, dict):
            self.problem(DESCRIPTOR, None, None, "must be a JSON object")
            return {}
        info = desc.get("corridor")
        if not isinstance(info, dict):
            self.problem(
                DESCRIPTOR, None, "corridor", "missing object {exporter, commodity, years}"
            )
            info = {}
        exporter = info.get("exporter")
        if not isinstance(exporter, str) or not _is_country(exporter):
            self.problem(DESCRIPTOR, None, "corridor.exporter", _ISO3_EXPECTED, exporter)
        commodity = info.get("commodity")
        if not isinstance(commodity, str) or not _ID.match(commodity):
            self.problem(DESCRIPTOR, None, "corridor.commodity", "must be a slug", commodity)
        years_value = info.get("years")
        years: dict[str, Any] = years_value if isinstance(years_value, dict) else {}
        first, last = years.get("first"), years.get("last")
        years_ok = isinstance(first, int) and isinstance(last, int) and 1900 <= first <= last
        if not years_ok:
            self.problem(
                DESCRIPTOR,
                None,
                "corridor.years",
                "must be {first, last} with integer years, first <= last",
                years_value,
            )
        focus = info.get("focus", {})
        if not isinstance(focus, dict):
            self.problem(DESCRIPTOR, None, "corridor.focus", "must be {country, route}", focus)
            focus = {}
        if focus.get("country") is not None and not _is_country(str(focus["country"])):
            self.problem(
                DESCRIPTOR, None, "corridor.focus.country", _ISO3_EXPECTED, focus["country"]
            )
        if years_ok and isinstance(exporter, str) and isinstance(commodity, str):
            self.meta = PackageMeta(
                name=str(desc.get("name", self.folder.name)),
                title=str(desc.get("title", desc.get("name", self.folder.name))),
                exporter=exporter,
                commodity=commodity,
                first_year=int(first),  # type: ignore[arg-type]
                last_year=int(last),  # type: ignore[arg-type]
                path=self.folder,
                focus_country=focus.get("country"),
                focus_route=focus.get("route"),
            )
        paths: dict[str, str] = {}
        resources = desc.get("resources")
        if not isinstance(resources, list):
            self.problem(DESCRIPTOR, None, "resources", "must be a list of {name, path}")
            return {}
        for i, res in enumerate(resources):
            if not (isinstance(res, dict) and isinstance(res.get("name"), str)):
                self.problem(DESCRIPTOR, None, f"resources[{i}]", "must have a name and a path")
                continue
            paths[res["name"]] = str(res.get("path", f"{res['name']}.csv"))
        return paths

    # -- tables -------------------------------------------------------------------------------
    def read(self) -> Network | None:
        paths = self.read_descriptor()
        if not paths and self.problems:
            return None
        parsed: dict[str, _Rows] = {}
        for table in tables().values():
            rel = paths.get(table.name)
            if rel is None:
                if table.required:
                    self.problem(
                        DESCRIPTOR,
                        None,
                        "resources",
                        f"missing table '{table.name}' (a resource named {table.name} "
                        f"with path {table.filename})",
                    )
                parsed[table.name] = _Rows(table, table.filename)
                continue
            parsed[table.name] = self.read_table(table, rel)
        if self.meta is None:
            return None
        route_ids = [r["id"] for r in parsed["routes"].rows]
        if self.meta.focus_route is not None and self.meta.focus_route not in route_ids:
            self.problem(
                DESCRIPTOR,
                None,
                "corridor.focus.route",
                f"unknown route '{self.meta.focus_route}'; known: {_listing(route_ids)}",
            )
        self.check_keys(parsed)
        self.check_references(parsed)
        self.check_rules(parsed)
        self.convert(parsed)
        self.check_capacity(parsed)
        self.check_flow_graph(parsed)
        if self.problems:
            return None
        for name in ("supply", "prices"):  # blank commodity: the package's own
            for row in parsed[name].rows:
                row["commodity"] = row.get("commodity") or self.meta.commodity
        return Network(self.meta, {name: _frame(rows) for name, rows in parsed.items()})

    def read_table(self, table: Table, rel: str) -> _Rows:
        out = _Rows(table, rel)
        path = self.folder / rel
        if not path.is_file():
            self.problem(rel, None, None, f"missing file for table '{table.name}'")
            return out
        try:
            text = path.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError as exc:
            self.problem(rel, None, None, f"not UTF-8 text: {exc}")
            return out
        reader = csv.reader(text.splitlines())
        header = [h.strip() for h in next(reader, [])]
        known = [c.name for c in table.columns]
        for c in table.columns:
            if c.required and c.name not in header:
                self.problem(rel, 1, c.name, "missing column")
        for h in header:
            if h not in known:
                self.problem(rel, 1, h, f"unknown column; known: {', '.join(known)}")
        for cells in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) != len(header):
                self.problem(
                    rel, line, None, f"has {len(cells)} cells; the header has {len(header)}"
                )
                continue
            raw = dict(zip(header, (cell.strip() for cell in cells), strict=True))
            row = {c.name: self.parse(rel, line, c, raw.get(c.name, "")) for c in table.columns}
            out.rows.append(row)
            out.lines.append(line)
        return out

    def parse(self, rel: str, line: int, col: Column, text: str) -> Any:
        """Parse one cell by its column type; record a problem and return None when bad."""
        if text == "":
            if col.required:
                self.problem(rel, line, col.name, "is required; the cell is empty")
            return () if col.type.endswith("list") else None
        t = col.type
        if t in ("text", "url"):
            if t == "url" and not re.match(r"^https?://\S+$", text):
                self.problem(rel, line, col.name, "must be an http(s) URL", text)
            return text
        if t == "id":
            if not _ID.match(text):
                self.problem(rel, line, col.name, "must be a lowercase slug [a-z0-9.-]", text)
            return text
        if t == "ref":
            return text
        if t in ("list", "ref_list"):
            return tuple(p.strip() for p in text.split("|") if p.strip())
        if t == "enum":
            if text not in col.options:
                self.problem(rel, line, col.name, f"must be one of {', '.join(col.options)}", text)
                return None
            return text
        if t in ("iso3", "iso3_list"):
            codes = tuple(p.strip() for p in text.split("|") if p.strip())
            for code in codes:
                if not _is_country(code):
                    self.problem(rel, line, col.name, _ISO3_EXPECTED, code)
            return codes if t == "iso3_list" else text
        if t == "number":
            return self.parse_number(rel, line, col, text)
        if t == "year":
            if not re.match(r"^\d{4}$", text):
                self.problem(rel, line, col.name, "must be a four-digit year", text)
                return None
            self.check_period(rel, line, col.name, int(text), text)
            return int(text)
        if t == "date":
            try:
                d = date.fromisoformat(text)
            except ValueError:
                self.problem(rel, line, col.name, "must be a date YYYY-MM-DD", text)
                return None
            self.check_period(rel, line, col.name, d.year, text, end=col.name == "end")
            return d
        if t == "partial_date":
            if not _PARTIAL_DATE.match(text):
                self.problem(rel, line, col.name, "must be YYYY, YYYY-MM or YYYY-MM-DD", text)
            return text
        if t in _UNIT_CHECKS:
            try:
                _UNIT_CHECKS[t](text)
            except UnitError as exc:
                self.problem(rel, line, col.name, str(exc))
                return None
            return text
        msg = f"schema type {t!r} of {col.table}.{col.name} is not handled"
        raise AssertionError(msg)

    def parse_number(self, rel: str, line: int, col: Column, text: str) -> float | None:
        try:
            x = float(text)
        except ValueError:
            self.problem(rel, line, col.name, "must be a number", text)
            return None
        if x != x or x in (float("inf"), float("-inf")):
            self.problem(rel, line, col.name, "must be a finite number", text)
            return None
        c = col.constraint
        bounds = _NUMBER_RANGE.match(c)
        if c == ">=0" and x < 0:
            self.problem(rel, line, col.name, "must be >= 0", text)
        elif c == ">0" and x <= 0:
            self.problem(rel, line, col.name, "must be > 0", text)
        elif bounds and not float(bounds[1]) <= x <= float(bounds[2]):
            self.problem(rel, line, col.name, f"must be between {bounds[1]} and {bounds[2]}", text)
        return x

    def check_period(
        self, rel: str, line: int, column: str, year: int, text: str, end: bool = False
    ) -> None:
        if self.meta is None:
            return
        first, last = self.meta.first_year, self.meta.last_year
        # An exclusive end date may fall on 1 January after the last year.
        ok = first <= year <= last or (end and text == f"{last + 1}-01-01")
        if not ok:
            self.problem(
                rel, line, column, f"outside the package's declared years {first}–{last}", text
            )

    # -- cross-table checks -------------------------------------------------------------------
    def check_keys(self, parsed: dict[str, _Rows]) -> None:
        for rows in parsed.values():
            seen: dict[tuple[Any, ...], int] = {}
            for row, line in zip(rows.rows, rows.lines, strict=True):
                key = tuple(row[k] for k in rows.table.key)
                if all(k is None or k == "" for k in key):
                    continue
                shown = "/".join("" if k is None else str(k) for k in key)
                if key in seen:
                    what = (
                        "id" if rows.table.key == ("id",) else f"key ({', '.join(rows.table.key)})"
                    )
                    self.problem(
                        rows.file,
                        line,
                        "/".join(rows.table.key),
                        f"duplicate {what} (first on line {seen[key]})",
                        shown,
                    )
                else:
                    seen[key] = line

    def check_references(self, parsed: dict[str, _Rows]) -> None:
        ids = {
            name: [r["id"] for r in rows.rows if r.get("id")]
            for name, rows in parsed.items()
            if rows.table.key == ("id",)
        }
        for rows in parsed.values():
            for col in rows.table.columns:
                if col.type not in ("ref", "ref_list"):
                    continue
                known = ids[col.constraint]
                if col.constraint == "commodities" and self.meta is not None:
                    known = list(dict.fromkeys([self.meta.commodity, *known]))
                for row, line in zip(rows.rows, rows.lines, strict=True):
                    values = row[col.name]
                    for v in values if col.type == "ref_list" else ([values] if values else []):
                        if v not in known:
                            self.problem(
                                rows.file,
                                line,
                                col.name,
                                f"unknown {col.constraint[:-1]} '{v}'; known: {_listing(known)}",
                            )

    def check_rules(self, parsed: dict[str, _Rows]) -> None:
        for row, line in _each(parsed["nodes"]):
            if not row["country"] and row["kind"] not in (None, "market"):
                self.problem(
                    parsed["nodes"].file,
                    line,
                    "country",
                    f"is required for a node of kind '{row['kind']}' (blank only for a market)",
                )
        caps = parsed["capacities"]
        for row, line in _each(caps):
            if bool(row["route"]) == bool(row["node"]):
                self.problem(
                    caps.file,
                    line,
                    "route/node",
                    "set exactly one of route and node",
                    f"route={row['route'] or ''}, node={row['node'] or ''}",
                )
        self.check_risks(parsed)
        ev = parsed["events"]
        for row, line in _each(ev):
            if row["start"] and row["end"] and row["end"] <= row["start"]:
                self.problem(
                    ev.file, line, "end", f"must be after start {row['start']}", row["end"]
                )

    def check_risks(self, parsed: dict[str, _Rows]) -> None:
        """A risk hits something; a derived risk matches the events it is counted from."""
        rk, ev = parsed["risks"], parsed["events"]
        events = {r["id"]: r for r in ev.rows if r.get("id")}
        for row, line in _each(rk):
            if not (row["routes"] or row["chokepoint"] or row["country"]):
                self.problem(
                    rk.file,
                    line,
                    "routes/chokepoint/country",
                    "set at least one of routes, chokepoint and country",
                )
            if row["process"] == "poisson" and row["duration_days"] is None:
                self.problem(rk.file, line, "duration_days", "is required for a poisson process")
            if row["basis"] == "estimate" and not row["note"]:
                self.problem(rk.file, line, "note", "an assumption needs its rationale in note")
            if row["basis"] != "derived":
                continue
            used = [events[e] for e in row["events"] if e in events]
            first, last = row["window_first"], row["window_last"]
            if not used or first is None or last is None or last < first:
                self.problem(
                    rk.file,
                    line,
                    "events",
                    "a derived risk lists the events and the window (window_first, "
                    "window_last) it is counted over",
                )
                continue
            for name, expected in _risk_figures(used, first, last).items():
                got = row[name]
                if (
                    expected is not None
                    and got is not None
                    and abs(got - expected) > 0.01 * max(1.0, abs(expected))
                ):
                    self.problem(
                        rk.file,
                        line,
                        name,
                        f"does not match its events: they give {expected:.3f}",
                        got,
                    )

    def convert(self, parsed: dict[str, _Rows]) -> None:
        """Add the canonical figure to each quantity row.

        Mt/year for capacities, flows and supply; USD/t for prices and costs; Mt over the
        window for losses.
        """
        grades = {r["id"]: r["barrels_per_tonne"] for r in parsed["grades"].rows}
        assert self.meta is not None
        main = self.meta.commodity
        unit_of = {main: units.CANONICAL_RATE} | {
            r["id"]: r["unit"] for r in parsed["commodities"].rows if r["id"] and r["unit"]
        }
        route_commodity = {r["id"]: r["commodity"] for r in parsed["routes"].rows}
        routes_file = parsed["routes"].file
        for row, line in _each(parsed["routes"]):
            if row["commodity"] and row["commodity"] not in unit_of:
                self.problem(
                    routes_file,
                    line,
                    "commodity",
                    f"unknown commodity; known: {_listing(list(unit_of))} (add it to "
                    "commodities.csv with its unit)",
                    row["commodity"],
                )
        targets = {
            "capacities": "capacity",
            "flows": "volume",
            "supply": "volume",
            "prices": "price",
            "costs": "cost",
            "losses": "volume",
        }
        for name, target in targets.items():
            rows = parsed[name]
            for row, line in _each(rows):
                row[target] = None
                commodity = row.get("commodity") or route_commodity.get(row.get("route") or "")
                canonical = unit_of.get(commodity or main, units.CANONICAL_RATE)
                if row["value"] is None or row["unit"] is None:
                    continue
                bpt = grades.get(row["grade"]) if row["grade"] else None
                if units.needs_grade(row["unit"]) and not row["grade"]:
                    self.problem(
                        rows.file,
                        line,
                        "grade",
                        f"is required with the unit {row['unit']!r}: converting barrels "
                        f"to tonnes needs a grade; known: {_listing(list(grades))}",
                    )
                    continue
                if row["grade"] and row["grade"] not in grades:
                    continue  # reported as an unknown grade already
                try:
                    if name in ("prices", "costs"):
                        row[target] = units.price_per_unit(
                            row["value"], row["unit"], canonical, bpt
                        )
                    elif name == "losses":
                        if row["start"] is None or row["end"] is None:
                            continue
                        days = (row["end"] - row["start"]).days
                        row[target] = units.amount_in_mt(row["value"], row["unit"], days, bpt)
                    else:
                        row[target] = units.to_canonical_rate(
                            row["value"], row["unit"], bpt, canonical
                        )
                except UnitError as exc:
                    self.problem(rows.file, line, "unit", str(exc), row["unit"])

    def check_capacity(self, parsed: dict[str, _Rows]) -> None:
        """Flows must fit the capacity (and allocation) in force in their year."""
        caps: dict[tuple[str, str, str], list[tuple[int, float, int]]] = defaultdict(list)
        cap_file = parsed["capacities"].file
        for row, line in _each(parsed["capacities"]):
            if row["capacity"] is None or row["year"] is None:
                continue
            kind, asset = ("route", row["route"]) if row["route"] else ("node", row["node"])
            caps[(kind, asset, row["exporter"] or "")].append((row["year"], row["capacity"], line))
        route_from = {r["id"]: r["from_node"] for r in parsed["routes"].rows}

        def in_force(key: tuple[str, str, str], year: int) -> tuple[float, int] | None:
            steps = [(y, c, ln) for y, c, ln in caps.get(key, []) if y <= year]
            return max(steps)[1:] if steps else None

        totals: dict[tuple[str, str, str, int], list[tuple[float, int]]] = defaultdict(list)
        for row, line in _each(parsed["flows"]):
            if row["volume"] is None or row["year"] is None or row["route"] not in route_from:
                continue
            for asset in (("route", row["route"]), ("node", route_from[row["route"]])):
                for who in ("", row["exporter"]):
                    totals[(*asset, who, row["year"])].append((row["volume"], line))
        for (kind, asset, who, year), items in sorted(totals.items()):
            cap = in_force((kind, asset, who), year)
            used = sum(v for v, _ in items)
            if cap is None or used <= cap[0] + TOLERANCE:
                continue
            scope = f"{who}'s allocation" if who else "its capacity"
            lines = ", ".join(str(ln) for _, ln in items)
            self.problem(
                parsed["flows"].file,
                items[-1][1],
                "value",
                f"flows on {kind} '{asset}' in {year} (lines {lines}) sum to {used:.3f} Mt/year, "
                f"above {scope} of {cap[0]:.3f} Mt/year ({cap_file} line {cap[1]})",
                f"{used:.3f}",
            )

    def check_flow_graph(self, parsed: dict[str, _Rows]) -> None:
        """Per exporter and year: flows must not form a cycle, nor exceed total exports."""
        ends = {r["id"]: (r["from_node"], r["to_node"]) for r in parsed["routes"].rows}
        by: dict[tuple[str, int], list[tuple[str, float, int]]] = defaultdict(list)
        for row, line in _each(parsed["flows"]):
            if row["route"] in ends and row["volume"] is not None and row["year"] is not None:
                by[(row["exporter"], row["year"])].append((row["route"], row["volume"], line))
        exports = {
            (r["exporter"], r["year"]): (r["volume"], ln)
            for r, ln in _each(parsed["supply"])
            if r["quantity"] == "exports" and r["volume"] is not None
        }
        f = parsed["flows"].file
        for (exporter, year), items in sorted(by.items()):
            cycle = _find_cycle([ends[r] for r, v, _ in items if v > 0])
            if cycle:
                self.problem(
                    f,
                    items[0][2],
                    "route",
                    f"flows of {exporter} in {year} form a cycle: {' → '.join(cycle)}",
                )
            inflow: dict[str, float] = defaultdict(float)
            outflow: dict[str, float] = defaultdict(float)
            for r, v, _ in items:
                outflow[ends[r][0]] += v
                inflow[ends[r][1]] += v
            routed = sum(max(outflow[n] - inflow[n], 0.0) for n in outflow)
            total = exports.get((exporter, year))
            if total is not None and routed > total[0] * (1 + TOTAL_SLACK) + TOLERANCE:
                self.problem(
                    f,
                    items[0][2],
                    "value",
                    f"{exporter}'s flows leaving their origins in {year} sum to {routed:.3f} "
                    f"Mt/year, more than its total exports of {total[0]:.3f} Mt/year "
                    f"({parsed['supply'].file} line {total[1]})",
                    f"{routed:.3f}",
                )


_UNIT_CHECKS = {
    "rate_unit": units.check_rate_unit,
    "price_unit": units.check_price_unit,
    "amount_unit": units.check_amount_unit,
}
_ISO3_EXPECTED = "must be an ISO 3166-1 alpha-3 country code (e.g. KAZ, RUS, TUR)"


def _risk_figures(events: list[dict[str, Any]], first: int, last: int) -> dict[str, float | None]:
    """Frequency, mean and sd of duration, and mean factor of a risk's events over a window."""
    durations = [(e["end"] - e["start"]).days for e in events if e["start"] and e["end"]]
    factors = [e["capacity_factor"] for e in events if e["capacity_factor"] is not None]
    mean = sum(durations) / len(durations) if durations else None
    sd = None
    if mean is not None and len(durations) > 1:
        sd = (sum((d - mean) ** 2 for d in durations) / (len(durations) - 1)) ** 0.5
    return {
        "frequency": len(events) / (last - first + 1),
        "duration_days": mean,
        "duration_sd_days": sd,
        "capacity_factor": sum(factors) / len(factors) if factors else None,
    }


def _is_country(code: str) -> bool:
    return len(code) == 3 and pycountry.countries.get(alpha_3=code) is not None


def _listing(known: list[str], limit: int = 12) -> str:
    shown = ", ".join(known[:limit])
    return (
        shown + (f", … ({len(known)} in all)" if len(known) > limit else "") if known else "(none)"
    )


def _each(rows: _Rows) -> list[tuple[dict[str, Any], int]]:
    return list(zip(rows.rows, rows.lines, strict=True))


def _find_cycle(edges: list[tuple[str, str]]) -> list[str] | None:
    succ: dict[str, list[str]] = defaultdict(list)
    for a, b in edges:
        succ[a].append(b)
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(n: str) -> list[str] | None:
        state[n] = 1
        stack.append(n)
        for m in succ[n]:
            if state.get(m) == 1:
                return [*stack[stack.index(m) :], m]
            if m not in state and (found := visit(m)):
                return found
        stack.pop()
        state[n] = 2
        return None

    for n in list(succ):
        if n not in state and (found := visit(n)):
            return found
    return None


def _frame(rows: _Rows) -> pd.DataFrame:
    columns = [c.name for c in rows.table.columns]
    extra = [k for k in (rows.rows[0] if rows.rows else {}) if k not in columns]
    df = pd.DataFrame(rows.rows, columns=columns + extra)
    for c in rows.table.columns:
        if c.type in (
            "text",
            "url",
            "id",
            "ref",
            "enum",
            "iso3",
            "partial_date",
        ) or c.type.endswith("_unit"):
            df[c.name] = df[c.name].fillna("").astype(str)
        elif c.type in ("number",):
            df[c.name] = pd.to_numeric(df[c.name]).astype(float)
        elif c.type == "year":
            df[c.name] = df[c.name].astype("int64" if c.required else "Int64")
        elif c.type == "date":
            df[c.name] = pd.to_datetime(df[c.name])
    for name in extra:
        df[name] = pd.to_numeric(df[name]).astype(float)
    if rows.table.key == ("id",):
        df = df.set_index("id")
    return df


_FIGURE_TABLES = (
    "grades",
    "capacities",
    "flows",
    "supply",
    "events",
    "prices",
    "costs",
    "losses",
    "risks",
)


def package_summary(n: Network) -> dict[str, Any]:
    """Describe a loaded package: rows per table, years covered, sources, figures by confidence.

    A *figure* is a row with a confidence (grades, capacities, flows, supply, events, prices,
    costs, losses, risks).
    """
    frames = {name: getattr(n, name) for name in tables()}
    figures = pd.concat([frames[t][["confidence", "basis"]] for t in _FIGURE_TABLES])
    counts = figures["confidence"].value_counts()
    return {
        "package": n.meta.name,
        "title": n.meta.title,
        "exporter": n.meta.exporter,
        "commodity": n.meta.commodity,
        "years": {"first": n.meta.first_year, "last": n.meta.last_year},
        "years_with_flows": sorted({int(y) for y in n.flows["year"]}),
        "rows": {name: len(df) for name, df in frames.items()},
        "sources": len(n.sources),
        "figures": len(figures),
        "share_by_confidence": {
            level: round(float(counts.get(level, 0)) / len(figures), 4) if len(figures) else 0.0
            for level in ("high", "medium", "low")
        },
        "share_by_basis": {
            basis: round(float((figures["basis"] == basis).sum()) / len(figures), 4)
            if len(figures)
            else 0.0
            for basis in ("reported", "derived", "estimate")
        },
    }
