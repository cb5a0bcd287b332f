"""The package's rules across rows and tables: one ``check_for_*`` function per rule.

Each function takes parsed rows (`corridor.package.read.TableRows`, with the line each row
starts on) and returns the problems it finds, never raising; `check_package` runs them all.
The caller collects every problem and raises one `PackageValidationError`. Cells that failed
to parse are None and the rules skip them: their problem is reported once, by the parser.

Examples
--------
>>> from corridor.package.read import TableRows
>>> events = TableRows.from_records("events", [{"id": "storm", "start": date(2024, 3, 1),
...                                              "end": date(2024, 2, 1)}])
>>> [str(p) for p in check_for_events_ending_before_start(events)]
["events.csv line 2, field end: must be after start 2024-03-01, got '2024-02-01'"]
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

import pandas as pd

from corridor import units
from corridor.evidence import PLACE_SCOPES, Scope, parse_period, parse_scope
from corridor.evidence import SELECTORS as SELECTOR_TARGETS
from corridor.exceptions import InvalidArgumentError, Problem
from corridor.network import Network, PackageMeta
from corridor.package.read import DESCRIPTOR, TableRows, problem
from corridor.schema import Column

#: Tolerance when comparing flows with capacities and totals, in Mt/year.
TOLERANCE = 1e-6
#: Share by which the routed volume may exceed reported total exports (rounding in sources).
TOTAL_SLACK = 0.01
#: Relative tolerance of a derived risk's figures against those its events give.
RISK_TOLERANCE = 0.01

#: Parsed rows of every table, by table name.
Parsed = Mapping[str, TableRows]


def listing(known: Sequence[str], limit: int = 12) -> str:
    """Return `known` as a comma-separated list of at most `limit` items.

    Examples
    --------
    >>> listing(["a", "b"]), listing([]), listing([str(i) for i in range(20)], limit=3)
    ('a, b', '(none)', '0, 1, 2, … (20 in all)')
    """
    if not known:
        return "(none)"
    more = f", … ({len(known)} in all)" if len(known) > limit else ""
    return ", ".join(known[:limit]) + more


# -- single rows --------------------------------------------------------------------------------


def _outside(col: Column, value: Any, first: int, last: int) -> bool:
    year = value if isinstance(value, int) else value.year
    # An exclusive end date may fall on 1 January after the last year.
    exclusive_end = col.name == "end" and value == date(last + 1, 1, 1)
    return not (first <= year <= last or exclusive_end)


def check_for_periods_outside_years(parsed: Parsed, first: int, last: int) -> list[Problem]:
    """Find years and dates outside the package's declared years `first`–`last`.

    Every ``year`` and ``date`` column is checked; an ``end`` date (exclusive) may be
    1 January of the year after `last`.

    Parameters
    ----------
    parsed : mapping of str to TableRows
        Parsed rows by table.
    first, last : int
        The declared years, inclusive (``datapackage.json`` ``corridor.years``).

    Returns
    -------
    list of Problem
        One per cell outside the range.
    """
    found = []
    for rows in parsed.values():
        columns = [c for c in rows.table.columns if c.type in ("year", "date")]
        for row, line in rows.each():
            for col in columns:
                value = row[col.name]
                if value is not None and _outside(col, value, first, last):
                    message = f"outside the package's declared years {first}–{last}"
                    shown = value if isinstance(value, int) else value.isoformat()
                    found.append(problem(rows.file, line, col.name, message, shown))
    return found


def check_for_nodes_without_country(nodes: TableRows) -> list[Problem]:
    """Find nodes with no country; only a market may have none.

    Parameters
    ----------
    nodes : TableRows
        Parsed ``nodes`` rows.

    Returns
    -------
    list of Problem
        One per node of another kind with a blank country.
    """
    return [
        problem(
            nodes.file,
            line,
            "country",
            f"is required for a node of kind '{row['kind']}' (blank only for a market)",
        )
        for row, line in nodes.each()
        if not row["country"] and row["kind"] not in (None, "market")
    ]


def check_for_capacities_without_one_asset(capacities: TableRows) -> list[Problem]:
    """Find capacity rows that set both or neither of ``route`` and ``node``.

    Parameters
    ----------
    capacities : TableRows
        Parsed ``capacities`` rows.

    Returns
    -------
    list of Problem
        One per row without exactly one asset.
    """
    return [
        problem(
            capacities.file,
            line,
            "route/node",
            "set exactly one of route and node",
            f"route={row['route'] or ''}, node={row['node'] or ''}",
        )
        for row, line in capacities.each()
        if bool(row["route"]) == bool(row["node"])
    ]


def check_for_events_ending_before_start(events: TableRows) -> list[Problem]:
    """Find events whose (exclusive) end is not after their start.

    Parameters
    ----------
    events : TableRows
        Parsed ``events`` rows.

    Returns
    -------
    list of Problem
        One per event with ``end <= start``.
    """
    return [
        problem(events.file, line, "end", f"must be after start {row['start']}", row["end"])
        for row, line in events.each()
        if row["start"] and row["end"] and row["end"] <= row["start"]
    ]


def check_for_risks_without_target(risks: TableRows) -> list[Problem]:
    """Find risks that hit nothing: no routes, no chokepoint and no country.

    Parameters
    ----------
    risks : TableRows
        Parsed ``risks`` rows.

    Returns
    -------
    list of Problem
        One per risk without a target.
    """
    return [
        problem(
            risks.file,
            line,
            "routes/chokepoint/country",
            "set at least one of routes, chokepoint and country",
        )
        for row, line in risks.each()
        if not (row["routes"] or row["chokepoint"] or row["country"])
    ]


def check_for_incomplete_risks(risks: TableRows) -> list[Problem]:
    """Find risks missing what their process or basis needs.

    A poisson process needs ``duration_days``; an estimate needs its rationale in ``note``.

    Parameters
    ----------
    risks : TableRows
        Parsed ``risks`` rows.

    Returns
    -------
    list of Problem
        One per missing field.
    """
    found = []
    for row, line in risks.each():
        if row["process"] == "poisson" and row["duration_days"] is None:
            message = "is required for a poisson process"
            found.append(problem(risks.file, line, "duration_days", message))
        if row["basis"] == "estimate" and not row["note"]:
            message = "an assumption needs its rationale in note"
            found.append(problem(risks.file, line, "note", message))
    return found


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


def _differs(got: float | None, expected: float | None) -> bool:
    if got is None or expected is None:
        return False
    return abs(got - expected) > RISK_TOLERANCE * max(1.0, abs(expected))


def check_for_risks_matching_events(risks: TableRows, events: TableRows) -> list[Problem]:
    """Find derived risks whose figures differ from those their events give.

    A risk with basis ``derived`` lists its ``events`` and the window (``window_first``,
    ``window_last``) they are counted over. Its frequency (events per year of the window),
    mean and sample sd of duration in days, and mean capacity factor must match the events'
    within `RISK_TOLERANCE` (relative, or absolute below 1).

    Parameters
    ----------
    risks, events : TableRows
        Parsed ``risks`` and ``events`` rows.

    Returns
    -------
    list of Problem
        One per derived risk without events or window, and one per figure that differs.

    Examples
    --------
    Two events over a two-year window happen once a year:

    >>> from corridor.package.read import TableRows
    >>> ev = TableRows.from_records("events", [
    ...     {"id": "a", "start": date(2024, 1, 1), "end": date(2024, 1, 11)},
    ...     {"id": "b", "start": date(2025, 1, 1), "end": date(2025, 1, 11)}])
    >>> rk = TableRows.from_records("risks", [{"id": "r", "basis": "derived", "frequency": 2.0,
    ...     "events": ("a", "b"), "window_first": 2024, "window_last": 2025}])
    >>> [p.message for p in check_for_risks_matching_events(rk, ev)]
    ['does not match its events: they give 1.000']
    """
    by_id = {r["id"]: r for r in events.rows if r.get("id")}
    found = []
    for row, line in risks.each():
        if row["basis"] != "derived":
            continue
        used = [by_id[e] for e in row["events"] if e in by_id]
        first, last = row["window_first"], row["window_last"]
        if not used or first is None or last is None or last < first:
            message = (
                "a derived risk lists the events and the window (window_first, "
                "window_last) it is counted over"
            )
            found.append(problem(risks.file, line, "events", message))
            continue
        for name, expected in _risk_figures(used, first, last).items():
            if _differs(row[name], expected):
                message = f"does not match its events: they give {expected:.3f}"
                found.append(problem(risks.file, line, name, message, row[name]))
    return found


def _of_a_place(row: Mapping[str, Any]) -> bool:
    """Return True for an observation of all shippers' traffic through a chokepoint.

    Its barrels mix crude and products of every grade, so no grade converts them: it stays in
    its own unit (no ``amount``), read by `corridor.chokepoints` only.
    """
    scope = _scope_of(row.get("scope"))
    return scope is not None and scope.kind in PLACE_SCOPES


def check_for_units_needing_a_grade(parsed: Parsed) -> list[Problem]:
    """Find quantities in barrels (or per barrel) with no grade to convert them to tonnes.

    Parameters
    ----------
    parsed : mapping of str to TableRows
        Parsed rows by table; those with ``value``, ``unit`` and ``grade`` columns are checked
        (an observation with only ``low`` or ``high`` too).

    Returns
    -------
    list of Problem
        One per row whose unit needs a grade and has none.
    """
    grades = [r["id"] for r in parsed["grades"].rows if r["id"]] if "grades" in parsed else []
    found = []
    for rows in parsed.values():
        if not {"value", "unit", "grade"} <= {c.name for c in rows.table.columns}:
            continue
        for row, line in rows.each():
            given = [row.get(k) for k in ("value", "low", "high") if row.get(k) is not None]
            if not given or row["unit"] is None or row["grade"] or _of_a_place(row):
                continue
            if units.needs_grade(row["unit"]):
                message = (
                    f"is required with the unit {row['unit']!r}: converting barrels "
                    f"to tonnes needs a grade; known: {listing(grades)}"
                )
                found.append(problem(rows.file, line, "grade", message))
    return found


# -- keys and references ------------------------------------------------------------------------


def _duplicates(rows: TableRows) -> list[Problem]:
    key_columns = rows.table.key
    what = "id" if key_columns == ("id",) else f"key ({', '.join(key_columns)})"
    seen: dict[tuple[Any, ...], int] = {}
    found = []
    for row, line in rows.each():
        key = tuple(row[k] for k in key_columns)
        if all(k is None or k == "" for k in key):
            continue
        if key in seen:
            shown = "/".join("" if k is None else str(k) for k in key)
            message = f"duplicate {what} (first on line {seen[key]})"
            found.append(problem(rows.file, line, "/".join(key_columns), message, shown))
        else:
            seen[key] = line
    return found


def check_for_duplicate_keys(parsed: Parsed) -> list[Problem]:
    """Find rows whose key (``tables.csv`` *key*) repeats an earlier row's.

    Parameters
    ----------
    parsed : mapping of str to TableRows
        Parsed rows by table.

    Returns
    -------
    list of Problem
        One per repeated key, naming the line of its first occurrence.

    Examples
    --------
    >>> from corridor.package.read import TableRows
    >>> nodes = TableRows.from_records("nodes", [{"id": "o1"}, {"id": "o1"}])
    >>> [str(p) for p in check_for_duplicate_keys({"nodes": nodes})]
    ["nodes.csv line 3, field id: duplicate id (first on line 2), got 'o1'"]
    """
    return [p for rows in parsed.values() for p in _duplicates(rows)]


def check_for_unknown_references(parsed: Parsed, commodity: str) -> list[Problem]:
    """Find ``ref`` and ``ref_list`` cells naming an id that their table does not have.

    Parameters
    ----------
    parsed : mapping of str to TableRows
        Parsed rows by table; every referenced table must be present.
    commodity : str
        The package's commodity, known even when ``commodities.csv`` does not list it.

    Returns
    -------
    list of Problem
        One per unknown id, listing the known ones.
    """
    ids = {
        name: [r["id"] for r in rows.rows if r.get("id")]
        for name, rows in parsed.items()
        if rows.table.key == ("id",)
    }
    ids["commodities"] = list(dict.fromkeys([commodity, *ids.get("commodities", [])]))
    found = []
    for rows in parsed.values():
        for col in rows.table.columns:
            if col.type not in ("ref", "ref_list"):
                continue
            known = ids[col.constraint]
            for row, line in rows.each():
                values = row[col.name]
                for v in values if col.type == "ref_list" else ([values] if values else []):
                    if v not in known:
                        message = f"unknown {col.constraint[:-1]} '{v}'; known: {listing(known)}"
                        found.append(problem(rows.file, line, col.name, message))
    return found


def check_for_unknown_focus_route(routes: TableRows, focus_route: str | None) -> list[Problem]:
    """Find a focus route (``datapackage.json`` ``corridor.focus.route``) not in ``routes``.

    Parameters
    ----------
    routes : TableRows
        Parsed ``routes`` rows.
    focus_route : str or None
        The declared focus route, if any.

    Returns
    -------
    list of Problem
        One problem when the route is unknown, else none.
    """
    route_ids = [r["id"] for r in routes.rows]
    if focus_route is None or focus_route in route_ids:
        return []
    message = f"unknown route '{focus_route}'; known: {listing(route_ids)}"
    return [problem(DESCRIPTOR, None, "corridor.focus.route", message)]


def check_for_route_commodities_without_unit(
    routes: TableRows, commodities: TableRows, commodity: str
) -> list[Problem]:
    """Find routes carrying a commodity with no unit to keep its quantities in.

    Parameters
    ----------
    routes, commodities : TableRows
        Parsed ``routes`` and ``commodities`` rows.
    commodity : str
        The package's commodity, kept in Mt/year unless ``commodities.csv`` says otherwise.

    Returns
    -------
    list of Problem
        One per route whose commodity has no unit.
    """
    known = list(dict.fromkeys([commodity, *(r["id"] for r in commodities.rows if r["unit"])]))
    return [
        problem(
            routes.file,
            line,
            "commodity",
            f"unknown commodity; known: {listing(known)} (add it to commodities.csv with its unit)",
            row["commodity"],
        )
        for row, line in routes.each()
        if row["commodity"] and row["commodity"] not in known
    ]


# -- quantities (after the canonical columns are added) -----------------------------------------


def _capacity_frame(capacities: TableRows) -> pd.DataFrame:
    records = [
        {
            "kind": "route" if row["route"] else "node",
            "asset": row["route"] or row["node"],
            "exporter": row["exporter"] or "",
            "year": row["year"],
            "capacity": row["capacity"],
            "line": line,
        }
        for row, line in capacities.each()
        if row.get("capacity") is not None and row["year"] is not None
    ]
    columns = ["kind", "asset", "exporter", "year", "capacity", "line"]
    return pd.DataFrame(records, columns=columns)


def _flow_totals(
    flows: TableRows, routes: TableRows
) -> dict[tuple[str, str, str, int], list[tuple[float, int]]]:
    """Flows by (asset kind, asset, exporter or "" for all, year): (volume, line) each."""
    route_from = {r["id"]: r["from_node"] for r in routes.rows}
    totals: dict[tuple[str, str, str, int], list[tuple[float, int]]] = defaultdict(list)
    for row, line in flows.each():
        if row.get("volume") is None or row["year"] is None or row["route"] not in route_from:
            continue
        for kind, asset in (("route", row["route"]), ("node", route_from[row["route"]])):
            for who in ("", row["exporter"]):
                totals[(kind, asset, who, row["year"])].append((row["volume"], line))
    return totals


def check_for_flows_above_capacity(
    capacities: TableRows, flows: TableRows, routes: TableRows
) -> list[Problem]:
    """Find flows that sum to more than the capacity, or allocation, in force in their year.

    The flows on a route, and those leaving a node, are summed per year: over all exporters
    against the asset's capacity, and per exporter against that exporter's allocation. The
    row in force is `Network.in_force`'s: the latest with ``year <= year``.

    Parameters
    ----------
    capacities, flows, routes : TableRows
        Parsed rows, with the canonical ``capacity`` and ``volume`` columns added.

    Returns
    -------
    list of Problem
        One per asset, exporter and year above its limit, on the line of its last flow.
    """
    caps = _capacity_frame(capacities)
    by_asset = {key: df for key, df in caps.groupby(["kind", "asset", "exporter"])}
    found = []
    for (kind, asset, who, year), items in sorted(_flow_totals(flows, routes).items()):
        rows = by_asset.get((kind, asset, who))
        cap = None if rows is None else Network.in_force(rows, year)
        used = sum(v for v, _ in items)
        if cap is None or used <= cap["capacity"] + TOLERANCE:
            continue
        scope = f"{who}'s allocation" if who else "its capacity"
        lines = ", ".join(str(ln) for _, ln in items)
        message = (
            f"flows on {kind} '{asset}' in {year} (lines {lines}) sum to {used:.3f} Mt/year, "
            f"above {scope} of {cap['capacity']:.3f} Mt/year "
            f"({capacities.file} line {cap['line']})"
        )
        found.append(problem(flows.file, items[-1][1], "value", message, f"{used:.3f}"))
    return found


def _flows_by_exporter_year(
    flows: TableRows, routes: TableRows
) -> dict[tuple[str, int], list[tuple[tuple[str, str], float, int]]]:
    """Flows by (exporter, year): ((from node, to node), volume, line) each."""
    ends = {r["id"]: (r["from_node"], r["to_node"]) for r in routes.rows}
    by: dict[tuple[str, int], list[tuple[tuple[str, str], float, int]]] = defaultdict(list)
    for row, line in flows.each():
        if row["route"] in ends and row.get("volume") is not None and row["year"] is not None:
            by[(row["exporter"], row["year"])].append((ends[row["route"]], row["volume"], line))
    return dict(sorted(by.items()))


def find_cycle(edges: Sequence[tuple[str, str]]) -> list[str] | None:
    """Return a cycle of the directed graph `edges` as a closed path of nodes, or None.

    Examples
    --------
    >>> find_cycle([("o1", "r"), ("r", "m"), ("r", "o1")])
    ['o1', 'r', 'o1']
    >>> find_cycle([("a", "b"), ("b", "c")]) is None
    True
    """
    succ: dict[str, list[str]] = defaultdict(list)
    for a, b in edges:
        succ[a].append(b)
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    for start in list(succ):
        if start in state:
            continue
        path, todo = [start], [iter(succ[start])]  # iterative: chains of any length
        state[start] = 1
        while todo:
            m = next(todo[-1], None)
            if m is None:
                state[path.pop()] = 2
                todo.pop()
            elif state.get(m) == 1:
                return [*path[path.index(m) :], m]
            elif m not in state:
                state[m] = 1
                path.append(m)
                todo.append(iter(succ[m]))
    return None


def check_for_cycles(flows: TableRows, routes: TableRows) -> list[Problem]:
    """Find an exporter's flows in a year that go round a cycle of routes.

    Parameters
    ----------
    flows, routes : TableRows
        Parsed rows, with the canonical ``volume`` column added to the flows.

    Returns
    -------
    list of Problem
        One per exporter and year with a cycle of positive flows, naming its nodes.
    """
    found = []
    for (exporter, year), items in _flows_by_exporter_year(flows, routes).items():
        cycle = find_cycle([ends for ends, volume, _ in items if volume > 0])
        if cycle:
            message = f"flows of {exporter} in {year} form a cycle: {' → '.join(cycle)}"
            found.append(problem(flows.file, items[0][2], "route", message))
    return found


def check_for_flows_above_exports(
    flows: TableRows, routes: TableRows, supply: TableRows
) -> list[Problem]:
    """Find an exporter's flows leaving their origins above its reported total exports.

    What leaves a node beyond what arrives there is counted as leaving an origin; the total
    is the ``supply`` row with quantity ``exports``, allowed `TOTAL_SLACK` for rounding.

    Parameters
    ----------
    flows, routes, supply : TableRows
        Parsed rows, with the canonical ``volume`` column added to the flows and supply.

    Returns
    -------
    list of Problem
        One per exporter and year above its total.
    """
    exports = {
        (r["exporter"], r["year"]): (r["volume"], line)
        for r, line in supply.each()
        if r["quantity"] == "exports" and r.get("volume") is not None
    }
    found = []
    for (exporter, year), items in _flows_by_exporter_year(flows, routes).items():
        total = exports.get((exporter, year))
        if total is None:
            continue
        inflow: dict[str, float] = defaultdict(float)
        outflow: dict[str, float] = defaultdict(float)
        for (origin, destination), volume, _ in items:
            outflow[origin] += volume
            inflow[destination] += volume
        routed = sum(max(outflow[n] - inflow[n], 0.0) for n in outflow)
        if routed > total[0] * (1 + TOTAL_SLACK) + TOLERANCE:
            message = (
                f"{exporter}'s flows leaving their origins in {year} sum to {routed:.3f} "
                f"Mt/year, more than its total exports of {total[0]:.3f} Mt/year "
                f"({supply.file} line {total[1]})"
            )
            found.append(problem(flows.file, items[0][2], "value", message, f"{routed:.3f}"))
    return found


# -- observations -------------------------------------------------------------------------------

#: Scope kinds each measure of an observation may have (`corridor.evidence.Scope.kind`).
SCOPES_BY_MEASURE: dict[str, tuple[str, ...]] = {
    "flow": ("route", "routes", "node", "crossing", "bypassing", "to", "via"),
    "exports": ("all", "crossing", "bypassing", "to", "via"),
    "throughput": ("route", "routes", "node", "chokepoint"),
    "capacity": ("route", "routes", "node"),
    "production": ("all",),
    "imports": ("all",),
    "refinery_runs": ("all",),
}
#: Measures of all shippers' volume: their exporter is blank; every other measure needs one.
ALL_SHIPPERS = ("throughput", "capacity")


def check_for_missing_or_unordered_figures(observations: TableRows) -> list[Problem]:
    """Find observations with none of ``value``, ``low`` and ``high``, or with them out of order.

    A point is ``value``; a range ``low`` and ``high``; a bound one of them alone. Where given,
    ``low <= value <= high``.

    Parameters
    ----------
    observations : TableRows
        Parsed ``observations`` rows.

    Returns
    -------
    list of Problem
        One per row without a figure, and one per pair out of order.

    Examples
    --------
    >>> obs = TableRows.from_records("observations", [{"low": 2.0, "high": 1.0}, {}])
    >>> [p.message for p in check_for_missing_or_unordered_figures(obs)]
    ['must not be below low 2.0', 'set at least one of value, low and high']
    """
    found = []
    for row, line in observations.each():
        low, value, high = row["low"], row["value"], row["high"]
        if low is None and value is None and high is None:
            message = "set at least one of value, low and high"
            found.append(problem(observations.file, line, "value", message))
        for (a_name, a), (b_name, b) in (
            (("low", low), ("value", value)),
            (("value", value), ("high", high)),
            (("low", low), ("high", high)),
        ):
            if a is not None and b is not None and b < a:
                message = f"must not be below {a_name} {a}"
                found.append(problem(observations.file, line, b_name, message, b))
    return found


def _scope_of(text: str | None) -> Scope | None:
    """Return the scope `text` names, or None (a bad scope is the parser's problem)."""
    if text is None:
        return None
    try:
        return parse_scope(text)
    except InvalidArgumentError:
        return None


def _period_problems(
    file: str, line: int, start: str, end: str | None, first: int, last: int
) -> list[Problem]:
    try:
        parse_period(start)
        if end:
            parse_period(end)
    except InvalidArgumentError:
        return []  # a bad date is the parser's problem
    try:
        period = parse_period(start, end)
    except InvalidArgumentError:
        return [problem(file, line, "end", f"must not be before start {start}", end)]
    last_day = date.fromordinal(period.end.toordinal() - 1)
    earliest = first - HISTORY_YEARS
    message = (
        f"outside the years {earliest}–{last} (the package's declared years {first}–{last}, "
        f"and up to {HISTORY_YEARS} years of history before them)"
    )
    found = []
    if not earliest <= period.start.year <= last:
        found.append(problem(file, line, "start", message, start))
    if not earliest <= last_day.year <= last and end:
        found.append(problem(file, line, "end", message, end))
    return found


#: How many years before its first declared year a package may hold observations: history
#: (an export peak, a pre-war share) that claims cite, rated against the observation alone and
#: never part of the model's years.
HISTORY_YEARS = 15


def check_for_observation_periods_outside_years(
    observations: TableRows, first: int, last: int
) -> list[Problem]:
    """Find observation periods that end before they start or leave the years they may cover.

    An observation may be of the declared years, or of up to `HISTORY_YEARS` before them.

    Parameters
    ----------
    observations : TableRows
        Parsed ``observations`` rows (``start`` and ``end`` are partial dates, inclusive).
    first, last : int
        The declared years, inclusive.

    Returns
    -------
    list of Problem
        One per ``end`` before its ``start``, and one per ``start`` or ``end`` outside the years.

    Examples
    --------
    >>> obs = TableRows.from_records("observations", [{"start": "2024-05", "end": "2024-02"}])
    >>> [str(p) for p in check_for_observation_periods_outside_years(obs, 2019, 2026)]
    ["observations.csv line 2, field end: must not be before start 2024-05, got '2024-02'"]
    """
    found = []
    for row, line in observations.each():
        if row["start"] is not None:
            found += _period_problems(
                observations.file, line, row["start"], row["end"], first, last
            )
    return found


def check_for_misplaced_exporters(observations: TableRows) -> list[Problem]:
    """Find observations whose exporter is missing, or set for all shippers' volume.

    ``throughput`` and ``capacity`` are all shippers' (`ALL_SHIPPERS`): their exporter is
    blank; every other measure is one exporter's and needs it.

    Parameters
    ----------
    observations : TableRows
        Parsed ``observations`` rows.

    Returns
    -------
    list of Problem
        One per row whose exporter does not fit its measure.
    """
    found = []
    for row, line in observations.each():
        measure, exporter = row["measure"], row["exporter"]
        if measure is None:
            continue
        if measure in ALL_SHIPPERS and exporter:
            message = f"must be blank for measure '{measure}' (all shippers' volume)"
            found.append(problem(observations.file, line, "exporter", message, exporter))
        elif measure not in ALL_SHIPPERS and not exporter:
            message = f"is required for measure '{measure}' (one exporter's volume)"
            found.append(problem(observations.file, line, "exporter", message))
    return found


def check_for_scopes_not_allowed_by_measure(observations: TableRows) -> list[Problem]:
    """Find observations whose scope kind does not fit their measure (`SCOPES_BY_MEASURE`).

    Parameters
    ----------
    observations : TableRows
        Parsed ``observations`` rows.

    Returns
    -------
    list of Problem
        One per row, listing the scopes its measure allows.

    Examples
    --------
    >>> obs = TableRows.from_records("observations", [{"measure": "production", "scope": "cpc"}])
    >>> [p.message for p in check_for_scopes_not_allowed_by_measure(obs)]
    ["a scope of kind 'route' is not allowed for measure 'production'; expected: all"]
    """
    found = []
    for row, line in observations.each():
        measure, text = row["measure"], row["scope"]
        scope = _scope_of(text)
        if measure not in SCOPES_BY_MEASURE or scope is None:
            continue
        kind = scope.kind
        allowed = SCOPES_BY_MEASURE[measure]
        if kind not in allowed:
            message = (
                f"a scope of kind '{kind}' is not allowed for measure '{measure}'; "
                f"expected: {', '.join(allowed)}"
            )
            found.append(problem(observations.file, line, "scope", message, text))
    return found


def check_for_unknown_scope_targets(
    observations: TableRows,
    routes: TableRows,
    nodes: TableRows,
    chokepoints: TableRows | None = None,
) -> list[Problem]:
    """Find scopes naming a route, node, country or chokepoint the package does not have.

    The countries are those of the nodes and the routes' transit countries.

    Parameters
    ----------
    observations, routes, nodes : TableRows
        Parsed rows.
    chokepoints : TableRows, optional
        Parsed chokepoint rows (none: no ``chokepoint:`` scope is known).

    Returns
    -------
    list of Problem
        One per unknown target, listing the known ones.
    """
    countries = sorted(
        {r["country"] for r in nodes.rows if r["country"]}
        | {c for r in routes.rows for c in r["transit"]}
    )
    known = {
        "route": [r["id"] for r in routes.rows if r["id"]],
        "node": [r["id"] for r in nodes.rows if r["id"]],
        "country": countries,
        "chokepoint": [r["id"] for r in chokepoints.rows if r["id"]] if chokepoints else [],
    }
    found = []
    for row, line in observations.each():
        scope = _scope_of(row["scope"])
        if scope is None:
            continue
        what = "route" if scope.routes else SELECTOR_TARGETS.get(scope.kind)
        if what is None:
            continue
        for target in scope.targets:
            if target not in known[what]:
                message = f"unknown {what} '{target}'; known: {listing(known[what])}"
                found.append(problem(observations.file, line, "scope", message, row["scope"]))
    return found


def check_package(parsed: Parsed, meta: PackageMeta) -> list[Problem]:
    """Run every ``check_for_*`` rule on a package's parsed rows; return all problems.

    The quantity rules read the canonical columns (``capacity``, ``volume``) that
    `corridor.package.build.add_canonical_columns` adds; rows without them are skipped.
    """
    p = parsed
    return [
        *check_for_periods_outside_years(p, meta.first_year, meta.last_year),
        *check_for_unknown_focus_route(p["routes"], meta.focus_route),
        *check_for_duplicate_keys(p),
        *check_for_unknown_references(p, meta.commodity),
        *check_for_nodes_without_country(p["nodes"]),
        *check_for_capacities_without_one_asset(p["capacities"]),
        *check_for_risks_without_target(p["risks"]),
        *check_for_incomplete_risks(p["risks"]),
        *check_for_risks_matching_events(p["risks"], p["events"]),
        *check_for_events_ending_before_start(p["events"]),
        *check_for_route_commodities_without_unit(p["routes"], p["commodities"], meta.commodity),
        *check_for_units_needing_a_grade(p),
        *check_for_flows_above_capacity(p["capacities"], p["flows"], p["routes"]),
        *check_for_cycles(p["flows"], p["routes"]),
        *check_for_flows_above_exports(p["flows"], p["routes"], p["supply"]),
        *check_for_missing_or_unordered_figures(p["observations"]),
        *check_for_observation_periods_outside_years(
            p["observations"], meta.first_year, meta.last_year
        ),
        *check_for_misplaced_exporters(p["observations"]),
        *check_for_scopes_not_allowed_by_measure(p["observations"]),
        *check_for_unknown_scope_targets(
            p["observations"], p["routes"], p["nodes"], p.get("chokepoints")
        ),
    ]
