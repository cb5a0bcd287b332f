"""One builder per result: the result (or its ``to_dict()`` form) → a `View`.

Builders only arrange figures the caller already has: they never compute metrics, re-route or
solve an LP. A stored run (JSON) and a live result render through the same builder, so the
terminal, the offline HTML report and the dashboard show the same columns.

=================  ===========================================================================
builder            input
=================  ===========================================================================
`report_view`      a `ReportInputs`: the year's dependence figures, the year-by-year summary,
                   each year's figures (for the shares over time) and the ledger, precomputed
`scenario_view`    a re-routing result or ``result.to_dict()``
`risk_view`        a risk result, its summary dict, or the web's stored ``{"summary", …}``
`ledger_view`      the ledger DataFrame (with `a`, `b`, `year`) or ``ledger_dict(...)``
`claims_view`      a list of claims, of their dicts, or ``{"claims": [...]}``
`replay_view`      a replay (months and losses)
=================  ===========================================================================
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from corridor.units import CANONICAL_RATE as RATE
from corridor.views import format as fmt
from corridor.views.model import Cell, Col, Figure, Section, Source, Table, View

if TYPE_CHECKING:
    import pandas as pd

    from corridor.network import Network
    from corridor.reconciliation import Estimate, Explanation, Reconciliation
    from corridor.report import ReportInputs

#: Shares that move less than this between baseline and scenario are not listed.
SHARE_STEP = 1e-3
#: Flows that move less than this [Mt/year] are not listed.
FLOW_STEP = 1e-6
#: The label of flows whose onward route the data does not report (key `UNKNOWN`).
UNKNOWN_LABEL = "onward route not reported"
COMPARATORS = {"gt": ">", "ge": "≥", "lt": "<", "le": "≤", "approx": "≈", "eq": "=", "range": "in"}


def country_name(code: str) -> str:
    """Return a short country name for an ISO3 code (the code when unknown)."""
    from corridor.package.read import country_name as name

    return name(code)


def sources_of(n: Network | None, ids: Iterable[str]) -> list[Source]:
    """Return the sources behind `ids`, in id order, with details from `n` when given."""
    out = []
    for i in sorted({str(i) for i in ids if i}):
        if n is None or i not in n.sources.index:
            out.append(Source(i))
            continue
        s = n.sources.loc[i]
        out.append(
            Source(
                i,
                *(str(s.get(k) or "") for k in ("publisher", "title", "published", "url", "note")),
            )
        )
    return out


def _joined(items: Iterable[Any]) -> str:
    return ", ".join(str(i) for i in items)


# --- the year report ---------------------------------------------------------------------------


def report_view(
    n: Network, inputs: ReportInputs, *, explain_href: Callable[[str], str] | None = None
) -> View:
    """Return the year report: key shares, routes, year by year, the ledger and the sources.

    Each key figure links to its evidence: by default to an "explain" section of the report
    (anchor ``#explain-<figure>``, made from ``inputs.explanations``); `explain_href` maps a
    figure string to another address (the dashboard's ``/explain`` page).
    """
    m = inputs.metrics
    title = f"{country_name(m.exporter)} {m.commodity} exports by route, {m.year}"
    href = explain_href or (lambda figure: f"#{explain_anchor(figure)}")
    linked = explain_href is not None or bool(inputs.explanations)

    def cell_href(figure: str) -> str | None:
        return href(figure) if explain_href is not None or figure in inputs.explanations else None

    sections = [
        _key_section(m, href if linked else None),
        _routes_section(n, m, cell_href if linked else None),
    ]
    ids = set(m.sources)
    if inputs.summary is not None:
        sections.append(_summary_section(n, m, inputs.summary, inputs.history))
        ids |= {i for t in inputs.summary["sources"] if isinstance(t, tuple | list) for i in t}
    if inputs.ledger is not None and m.focus_country:
        led = ledger_view(inputs.ledger, a=m.exporter, b=m.focus_country, year=m.year)
        sections += led.sections
        ids |= {s.id for s in led.sources}
    if inputs.explanations and explain_href is None:
        keys = {figure for _, figure in headline_figures(m)}
        key_ex = {f: ex for f, ex in inputs.explanations.items() if f in keys}
        route_ex = {f: ex for f, ex in inputs.explanations.items() if f not in keys}
        sections.append(_explain_section(key_ex))
        if route_ex:
            sections.append(_explain_section(route_ex, terminal=False))
        ids |= {
            str(i) for ex in inputs.explanations.values() for i in ex.observations.get("source", [])
        }
    return View(title, sections, sources_of(n, ids))


def headline_figures(m: Any) -> list[tuple[str, str]]:
    """Return the key figures of a year as (label, figure string) pairs, in display order."""
    from corridor.metrics import key_figures

    country, route = m.focus_country, m.focus_route
    name = country_name(str(country))
    here = "of the flows in this package"
    labels = {
        f"share:crossing:{country}": f"share crossing {name} (territory or ports)",
        f"share:via:{route}": f"share via {route}",
        f"share:bypassing:{country}": f"share bypassing {name}",
        f"volume:crossing:{country}": f"volume crossing {name} ({here})",
        f"volume:via:{route}": f"volume via {route} ({here})",
        "total": "total exports",
    }
    return [(labels[f], f) for f in key_figures(m)]


def explain_anchor(figure: str) -> str:
    """Return the HTML anchor of a figure's explanation (``explain-share-crossing-RUS``)."""
    return "explain-" + "".join(ch if ch.isalnum() else "-" for ch in figure)


def _key_section(m: Any, href: Callable[[str], str] | None = None) -> Section:
    key: list[tuple[str, str]] = []
    links: dict[str, str] = {}
    for label, figure in headline_figures(m):
        if figure == "total":
            key.append(("HHI of export-route shares", fmt.num(m.hhi, 0)))
        key.append((label, fmt.estimate(m.estimate(figure))))
        if href is not None:
            links[label] = href(figure)
    if m.total_exports is None:
        key += [("HHI of export-route shares", fmt.num(m.hhi, 0)), ("total exports", fmt.DASH)]
    if getattr(m, "shares_withheld", False):
        key.append(("shares", f"withheld: this package holds no total exports of {name_of(m)}"))
    return Section(key=key, links=links)


def name_of(m: Any) -> str:
    """Return the exporter's name (pycountry), for titles: ``Russian Federation``."""
    return country_name(str(m.exporter))


def packages_view(packages: Sequence[Mapping[str, Any]]) -> View:
    """Return the built-in packages: name, title, exporters, commodities, years.

    `packages` is `corridor.package.builtin_packages`.
    """
    cols = [
        Col("name"),
        Col("title", wide=True),
        Col("exporters"),
        Col("commodities"),
        Col("years"),
        Col("problem", wide=True),
    ]
    rows: list[list[Cell]] = []
    for p in packages:
        years = p.get("years") or {}
        span = f"{years['first']}–{years['last']}" if years else fmt.DASH
        rows.append(
            [
                str(p["name"]),
                str(p.get("title") or ""),
                _joined(p.get("exporters") or []),
                _joined(p.get("commodities") or []),
                span,
                str(p.get("error") or ""),
            ]
        )
    caption = "select one with --package NAME (or give a package folder's path)"
    table = Table("Built-in packages", cols, rows, caption, id="packages")
    return View("Built-in packages", [Section(tables=[table])])


def dependence_view(m: Any, n: Network | None = None) -> View:
    """Return one year's dependence figures alone: key shares and the routes (a notebook)."""
    title = f"{country_name(m.exporter)} {m.commodity} exports by route, {m.year}"
    return View(title, [_key_section(m), _routes_section(n, m)], sources_of(n, m.sources))


def _interval(value: Any, low: Any, high: Any, unit: str) -> Estimate | None:
    """Return an estimate from summary cells (pinned by `PIN_WIDTH`), None when missing."""
    from corridor.reconciliation import PIN_WIDTH, Estimate

    if fmt.missing(value) and fmt.missing(low):
        return None
    v, lo, hi = float(value), float(low), float(high)
    width = PIN_WIDTH["share"] if unit == "share" else PIN_WIDTH["volume"] * abs(v)
    return Estimate(v, lo, hi, unit, bool(hi - lo <= width))


def _share_cell(table: pd.DataFrame, key: Any) -> Estimate:
    """Return a row of a ``by_*`` table as an estimate (low = high = share without intervals)."""
    from corridor.reconciliation import Estimate

    r = table.loc[key]
    v = float(r["share"])
    if "low" not in table.columns:
        return Estimate(v, v, v, "share", True)
    return Estimate(v, float(r["low"]), float(r["high"]), "share", bool(r["pinned"]))


def _volume_cell(table: pd.DataFrame, key: Any, unit: str) -> Estimate:
    """Return a route's volume as an estimate (a point where there is no interval)."""
    from corridor.reconciliation import Estimate

    r = table.loc[key]
    v = float(r["volume"])
    if "volume_low" not in table.columns:
        return Estimate(v, v, v, unit, True)
    low, high = float(r["volume_low"]), float(r["volume_high"])
    return Estimate(v, low, high, unit, bool(r["volume_pinned"]))


def _route_links(m: Any, href: Callable[[str], str | None] | None) -> dict[tuple[int, int], str]:
    """Return where each route's volume (column 2) and share (column 3) are explained."""
    links: dict[tuple[int, int], str] = {}
    if href is None:
        return links
    for i, route in enumerate(m.by_route.index):
        for col, figure in ((2, f"volume:route:{route}"), (3, f"share:via:{route}")):
            where = href(figure)
            if where is not None:
                links[(i, col)] = where
    return links


def _withheld_volume(m: Any, table: pd.DataFrame, kind: str, key: Any) -> str:
    """Return the volume of a row of a ``by_*`` table: its interval, else the best fit."""
    from corridor.exceptions import InvalidArgumentError, UnknownError

    if m.reconciliation is None:
        return fmt.estimate(_volume_cell(table, key, m.unit))
    try:
        return fmt.estimate(m.estimate(f"volume:{kind}:{key}"))
    except (UnknownError, InvalidArgumentError):  # "?": the onward route is not reported
        return f"{fmt.num(float(table.at[key, 'volume']), 1)} {m.unit} (best fit)"


def _routes_section(
    n: Network | None, m: Any, href: Callable[[str], str | None] | None = None
) -> Section:
    from corridor.metrics import UNKNOWN

    cols = [
        Col("route"),
        Col("name"),
        Col("volume", "est", m.unit),
        Col("share", "est"),
        Col("countries"),
        Col("chokepoints"),
        Col("confidence"),
        Col("sources", "sources"),
    ]
    names = n.chokepoints["name"].to_dict() if n is not None and len(n.chokepoints) else {}
    rows: list[list[Cell]] = []
    for route, r in m.by_route.iterrows():
        basis = "" if r["basis"] == "reported" else f" ({r['basis']})"
        rows.append(
            [
                str(route),
                str(r["name"]),
                _volume_cell(m.by_route, route, m.unit),
                _share_cell(m.by_route, route),
                _joined(r["transit"]) or fmt.DASH,
                _joined(names.get(k, k) for k in r["chokepoints"]) or fmt.DASH,
                f"{r['confidence']}{basis}",
                _joined(r["sources"]),
            ]
        )
    if m.unattributed is not None:
        share = m.unattributed / m.denominator if m.denominator else None
        point = None if share is None else _interval(share, share, share, "share")
        alone = _interval(m.unattributed, m.unattributed, m.unattributed, m.unit)
        rows.append(["", "not attributed to a route", alone, point, "", "", "", ""])
    for route in m.missing_routes:
        name = f"{n.routes.at[route, 'name'] if n is not None else route}: no figure"
        rows.append([route, name, None, None, "", "", "", ""])
    if m.total_exports is not None:
        whole = _interval(1.0, 1.0, 1.0, "share")
        total = m.estimate("total")
        rows.append(["", "total exports", total, whole, "", "", "", _joined(m.total_sources)])

    withheld = bool(getattr(m, "shares_withheld", False))

    def shares(table: pd.DataFrame, label: Callable[[Any], str], kind: str) -> str:
        def cell(k: Any) -> str:
            if withheld:  # no denominator: the volume of the flows in this package
                return _withheld_volume(m, table, kind, k)
            return fmt.estimate(_share_cell(table, k))

        return _joined(f"{label(k)} {cell(k)}" for k in table.index) or fmt.DASH

    def chokepoint(k: Any) -> str:
        return UNKNOWN_LABEL if k == UNKNOWN else str(names.get(k, k))

    of = "volumes of the flows in this package " if withheld else ""
    notes = [
        f"{of}by transit country: " + shares(m.by_transit_country, str, "crossing"),
        "by chokepoint: " + shares(m.by_chokepoint, chokepoint, "chokepoint"),
        "by destination: "
        + shares(m.by_destination, lambda k: UNKNOWN_LABEL if k == UNKNOWN else str(k), "to"),
    ]
    if not len(m.by_route):
        notes.insert(0, f"No route flows reported for {m.exporter} in {m.year}: a gap in the data.")
    caption = m.denominator_kind if withheld else f"shares of {m.denominator_kind}"
    table = Table(f"Routes, {m.year}", cols, rows, caption, id="routes")
    table.links.update(_route_links(m, href))
    figures = []
    if n is not None:
        net = n
        figures = [
            Figure("route-map", lambda: _charts().route_map(net, m)),
            Figure("sankey", lambda: _charts().sankey(net, m)),
        ]
    return Section(f"Routes, {m.year}", tables=[table], figures=figures, notes=notes)


def _focus_cols(country: str | None, route: str | None) -> list[Col]:
    return (
        ([Col(f"crossing {country}", "est")] if country else [])
        + ([Col(f"via {route}", "est")] if route else [])
        + ([Col(f"bypassing {country}", "est")] if country else [])
    )


def _summary_figure(r: pd.Series, column: str, unit: str) -> Estimate | None:
    low, high = r.get(f"{column}_low"), r.get(f"{column}_high")
    if low is None or high is None:  # a summary without intervals: a point
        low = high = r[column]
    return _interval(r[column], low, high, unit)


def _summary_section(n: Network, m: Any, s: pd.DataFrame, history: Sequence[Any]) -> Section:
    country, route = m.focus_country, m.focus_route
    cols = [
        Col("year"),
        Col("production", "num", m.unit, 1),
        Col("total exports", "est", m.unit, 1),
        Col("routed", "num", m.unit, 1),
        Col("unattributed", "pct"),
        *_focus_cols(country, route),
        Col("HHI", "num", places=0),
        Col("shares of"),
        Col("gaps", "int"),
        Col("sources", "sources", terminal=False),
    ]
    rows: list[list[Cell]] = []
    gaps: list[str] = []
    for year, r in s.iterrows():
        focus = (
            ([_summary_figure(r, "share_crossing", "share")] if country else [])
            + ([_summary_figure(r, "share_via", "share")] if route else [])
            + ([_summary_figure(r, "share_bypassing", "share")] if country else [])
        )
        missing = r["missing_routes"] if isinstance(r["missing_routes"], tuple | list) else ()
        srcs = r["sources"] if isinstance(r["sources"], tuple | list) else ()
        rows.append(
            [
                str(year),
                r["production"],
                _summary_figure(r, "total_exports", m.unit),
                r["routed"],
                r["unattributed"] / r["total_exports"],
                *focus,
                r["hhi"],
                r["denominator"] if isinstance(r["denominator"], str) else None,
                len(missing) if missing else None,
                _joined(srcs),
            ]
        )
        if missing:
            gaps.append(f"{year}: {_joined(missing)}")
    caption = "routes with a figure in other years but none in: " + "; ".join(gaps) if gaps else ""
    title = f"{country_name(m.exporter)} year by year"
    table = Table(title, cols, rows, caption, id="summary")
    figures = []
    if history:
        figures = [
            Figure("shares-by-route", lambda: _charts().shares_over_time(history, "route")),
            Figure("shares-by-country", lambda: _charts().shares_over_time(history, "country")),
        ]
    return Section("Year by year", tables=[table], figures=figures)


def _charts() -> Any:
    from corridor.views import charts

    return charts


# --- scenarios ---------------------------------------------------------------------------------


def _as_dict(result: Any) -> dict[str, Any]:
    return dict(result) if isinstance(result, Mapping) else dict(result.to_dict())


def scenario_view(
    result: Any,
    *,
    n: Network | None = None,
    focus_country: str | None = None,
    focus_route: str | None = None,
) -> View:
    """Return a what-if result: by period, flows and shares that change, stranded, limits."""
    d = _as_dict(result)
    if n is not None and d.get("exporter") == n.meta.exporter and focus_country is None:
        # the package's declared focus is its own exporter's; callers pass another's
        # (`corridor.metrics.focus`)
        focus_country, focus_route = n.meta.focus_country, focus_route or n.meta.focus_route
    periods = d["periods"]
    head = Section(
        intro=" ".join(str(d.get("description", "")).split()),
        tables=[_periods_table(d, focus_country, focus_route)],
        figures=[
            Figure("scenario-comparison", lambda: _charts().scenario_comparison(d)),
            Figure("share-changes", lambda: _charts().share_changes(d)),
        ],
    )
    tables = [
        _flows_table(periods),
        _shares_table(periods),
        _stranded_table(periods),
        _binding_table(periods),
        _ties_table(periods),
        _ladder_table(d.get("ladder") or [], focus_country),
    ]
    rest = Section(tables=[t for t in tables if t.rows], notes=list(d.get("notes") or []))
    ids = [_limit(b)[0] for p in periods for b in p.get("binding") or [] if _limit(b)[0]]
    ids += list(d.get("sources") or [])
    if not isinstance(result, Mapping) and hasattr(result, "scenario"):
        ids += list(getattr(result.scenario, "sources", []))
    title = f"Scenario {d['scenario']} — exporter {d['exporter']}"
    return View(title, [head, rest], sources_of(n, ids))


def _share(p: dict[str, Any], which: str, kind: str, key: str | None) -> float | None:
    if key is None:
        return None
    shares = (p.get("shares") or {}).get(which) or {}
    value = (shares.get(kind) or {}).get(key)
    return 0.0 if value is None and shares else value


def _periods_table(d: dict[str, Any], country: str | None, route: str | None) -> Table:
    cols = [
        Col("period"),
        Col("stranded", "num", "Mt"),
        Col("re-routed", "num", RATE),
        Col("revenue at risk", "money", "USD m"),
    ]
    focus = [("transit_country", country, "crossing"), ("route", route, "via")]
    cols += [Col(f"{label} {key} (baseline → scenario)") for _, key, label in focus if key]
    rows: list[list[Cell]] = []
    for p in d["periods"]:
        pairs = [
            fmt.arrow(_share(p, "baseline", kind, key), _share(p, "scenario", kind, key))
            for kind, key, _ in focus
            if key
        ]
        rows.append(
            [
                p["period"],
                _value(p.get("stranded")),
                _value(p.get("rerouted")),
                _value(p.get("revenue_at_risk")),
                *pairs,
            ]
        )
    t = d.get("total") or {}
    total_row: list[Cell] = [
        "total",
        _value(t.get("stranded")),
        None,
        _value(t.get("revenue_at_risk")),
    ]
    rows.append(total_row + [""] * (len(cols) - 4))
    rerouted = _value(t.get("rerouted"))
    caption = f"re-routed over the whole scenario: {fmt.num(rerouted)} Mt"
    return Table("By period", cols, rows, caption, id="periods")


def _value(x: Any) -> float | None:
    if isinstance(x, Mapping):
        x = x.get("value")
    return None if x is None else float(x)


def _flows_table(periods: list[dict[str, Any]]) -> Table:
    cols = [
        Col("period"),
        Col("route"),
        Col("baseline", "num", RATE),
        Col("scenario", "num", RATE),
        Col("change", "gap", RATE),
    ]
    rows: list[list[Cell]] = []
    for p in periods:
        base, scen = p.get("baseline") or {}, p.get("scenario") or {}
        for route in dict.fromkeys([*base, *scen]):
            b, s = float(base.get(route) or 0.0), float(scen.get(route) or 0.0)
            if abs(s - b) > FLOW_STEP:
                rows.append([p["period"], route, b, s, s - b])
    return Table("Flows that change", cols, rows, id="flows")


def _shares_table(periods: list[dict[str, Any]]) -> Table:
    from corridor.metrics import UNKNOWN

    cols = [
        Col("period"),
        Col("of"),
        Col("baseline", "pct"),
        Col("scenario", "pct"),
        Col("change", "text"),
    ]
    rows: list[list[Cell]] = []
    for p in periods:
        shares = p.get("shares") or {}
        base, scen = shares.get("baseline") or {}, shares.get("scenario") or {}
        for kind in ("transit_country", "chokepoint"):
            b_k, s_k = base.get(kind) or {}, scen.get(kind) or {}
            for key in dict.fromkeys([*b_k, *s_k]):
                b, s = float(b_k.get(key) or 0.0), float(s_k.get(key) or 0.0)
                if abs(s - b) > SHARE_STEP:
                    name = UNKNOWN_LABEL if key == UNKNOWN else key
                    rows.append(
                        [p["period"], f"{kind.replace('_', ' ')} {name}", b, s, fmt.points(s - b)]
                    )
    title = "Shares that change (transit countries and chokepoints)"
    return Table(title, cols, rows, id="shares")


def _stranded_table(periods: list[dict[str, Any]]) -> Table:
    cols = [Col("period"), Col("origin"), Col("volume", "num", "Mt")]
    rows: list[list[Cell]] = [
        [p["period"], origin, float(v)]
        for p in periods
        for origin, v in ((p.get("stranded") or {}).get("per_origin") or {}).items()
        if v
    ]
    return Table("Stranded by origin", cols, rows, id="stranded")


def _limit(b: Mapping[str, Any]) -> tuple[str, str]:
    """Return a binding limit's source id and note.

    Runs stored by earlier versions hold ``"id: note"`` prose in ``source``; they still render.
    """
    if "note" in b:
        return str(b.get("source") or ""), str(b.get("note") or "")
    source = str(b.get("source") or "")
    sid, _, note = source.partition(": ")
    return ("", source) if " " in sid else (sid, note)


def _binding_table(periods: list[dict[str, Any]]) -> Table:
    cols = [
        Col("period"),
        Col("limit"),
        Col("scope"),
        Col("capacity", "num"),
        Col("stranded avoided", "num"),
        Col("target gain", "num"),
        Col("revenue", "money", "USD m"),
        Col("source", "sources"),
        Col("note", terminal=False, wide=True),
    ]
    rows: list[list[Cell]] = []
    for p in periods:
        for b in p.get("binding") or []:
            sid, note = _limit(b)
            rows.append(
                [
                    p["period"],
                    f"{b['kind']} {b['asset']}",
                    b["scope"],
                    b["capacity"],
                    b["stranded_avoided_per_unit"],
                    b["target_gain_per_unit"],
                    b["revenue_per_unit"],
                    sid,
                    note,
                ]
            )
    title = "Binding limits (effect of one more Mt/year of each)"
    return Table(title, cols, rows, id="binding")


def _ties_table(periods: list[dict[str, Any]]) -> Table:
    cols = [Col("period"), Col("country"), Col("min", "pct"), Col("max", "pct")]
    rows: list[list[Cell]] = [
        [p["period"], country, lo, hi]
        for p in periods
        for country, (lo, hi) in (p.get("ties") or {}).items()
        if hi - lo > SHARE_STEP
    ]
    title = "Ties: the optimum is not unique; share range over optimal solutions"
    return Table(title, cols, rows, id="ties")


def limits_text(limits: Any) -> str:
    """Return a ladder step's limits as text: ``route btc (KAZ, 2.20)``.

    Runs stored by earlier versions hold the limits as prose; it is shown as it is.
    """
    if isinstance(limits, str):
        return limits
    if not limits:
        return "none"
    return "; ".join(
        f"{x['kind']} {x['asset']} ({x['scope']}, {fmt.num(x['capacity'])})" for x in limits
    )


def _ladder_table(ladder: list[dict[str, Any]], country: str | None) -> Table:
    cols = [
        Col("period"),
        Col("step", "int"),
        Col("route"),
        Col("target", "num", RATE),
        Col("achieved", "num", RATE),
        Col(f"crossing {country or '—'}", "pct"),
        Col("stopped by", wide=True),
    ]
    rows: list[list[Cell]] = [
        [
            r["period"],
            r["step"],
            r["route"],
            r["target"],
            r["achieved"],
            r["share_crossing"],
            limits_text(r["limits"]),
        ]
        for r in ladder
    ]
    title = "Target ladder: relax the limits that stop it, step by step"
    return Table(title, cols, rows, id="ladder")


# --- risk --------------------------------------------------------------------------------------

QUANTILES = (("mean", "mean"), ("P50", "p50"), ("P90", "p90"), ("P95", "p95"), ("P99", "p99"))


def _risk_parts(
    result: Any,
) -> tuple[dict[str, Any], list[dict[str, Any]], list[float], dict[str, Any] | None]:
    """Return (summary, contributions, stranded per sample, histogram) of a risk run's form.

    Runs stored before the histogram was kept have only the stranded volume of each sample.
    """
    data = result if isinstance(result, Mapping) else result.to_dict()
    if "summary" not in data:  # the summary alone
        return dict(data), [], [], None
    histogram = data.get("histogram")
    return (
        dict(data["summary"]),
        list(data.get("contributions") or []),
        [float(x) for x in data.get("stranded") or []],
        dict(histogram) if isinstance(histogram, Mapping) and histogram.get("counts") else None,
    )


def risk_view(result: Any, *, n: Network | None = None, where: str = "") -> View:
    """Return a risk run: loss quantiles, the focus share, and each risk's contribution."""
    s, contributions, stranded, histogram = _risk_parts(result)
    st, rv, sh = s["stranded"], s["revenue_at_risk"], s["share_crossing"]
    intro = (
        f"{s['samples_finished']:,} of {s['samples_requested']:,} sampled years, seed "
        f"{s['seed']}, {s['seconds']:.1f} s" + (" (interrupted)" if s["interrupted"] else "")
    )
    cols = [
        Col("statistic"),
        Col("stranded", "num", "Mt"),
        Col("revenue at risk", "money", "USD m"),
    ]
    loss = Table(
        "Loss over the year",
        cols,
        [[label, st.get(k), rv.get(k)] for label, k in QUANTILES],
        id="loss",
    )
    notes = [
        f"stranded with no outage (the base scenario alone): {fmt.num(st.get('no_outage'))} Mt; "
        f"price {fmt.num(rv.get('price_usd_per_t'), 1)} USD/t; mean share crossing "
        f"{sh.get('country') or 'the focus country'} {fmt.pct(sh.get('mean'))}; probability it "
        f"falls below {fmt.pct(sh.get('threshold'))}: {fmt.pct(sh.get('probability_below'))}"
    ]
    contrib = Table(
        "Contribution to the loss in the worst 5% of years",
        [
            Col("risk"),
            Col("asset and hazard"),
            Col("routes"),
            Col("contribution", "num", "Mt"),
            Col("share", "pct"),
        ],
        [
            [c["risk"], c["name"], str(c["routes"]), c["contribution"], c["share"]]
            for c in contributions
        ],
        id="contributions",
    )
    figures = [
        Figure("risk-distribution", lambda: _charts().risk_distribution(stranded, s, histogram))
    ]
    if contributions:
        figures.append(
            Figure("risk-contributions", lambda: _charts().risk_contributions(contributions))
        )
    if where:
        notes.append(f"samples: {where}/samples.parquet; summary: {where}/summary.json")
    ids: list[str] = []
    if n is not None:
        ids = [
            str(n.risks.at[c["risk"], "source"])
            for c in contributions
            if c["risk"] in n.risks.index
        ]
    sections = [Section(intro=intro, tables=[loss], figures=figures[:1], notes=notes)]
    sections.append(Section(tables=[contrib], figures=figures[1:]))
    return View(f"Risk: {s['problem']}", sections, sources_of(n, ids))


# --- the ledger --------------------------------------------------------------------------------


def ledger_note(row: Mapping[str, Any], year: int) -> str:
    """Return a ledger row's note: the data's note, then what the model's fields say."""
    parts = [str(row.get("note") or "")]
    stranded = row.get("stranded_if_closed")
    if not fmt.missing(stranded):
        parts.append(
            f"if every route touching {row['partner']} closed, {fmt.num(stranded)} "
            f"{row['unit']} would be stranded"
        )
    price_year = row.get("price_year")
    if price_year is not None and not fmt.missing(price_year):
        parts.append(f"price of {int(price_year)} (none for {year})")
    return "; ".join(p for p in parts if p)


def ledger_view(
    ledger: Any,
    *,
    a: str | None = None,
    b: str | None = None,
    year: int | None = None,
    n: Network | None = None,
) -> View:
    """Return the two-way interdependence ledger: who depends on whom, for what, how much."""
    if isinstance(ledger, Mapping):
        a, b, year = ledger["a"], ledger["b"], ledger["year"]
        records = list(ledger["rows"])
    else:
        records = ledger.to_dict("records")
    cols = [
        Col("depends"),
        Col("on"),
        Col("commodity"),
        Col("link", wide=True),
        Col("volume", "num"),
        Col("unit"),
        Col("share", "pct"),
        Col("share of", terminal=False),
        Col("value", "money", "USD m"),
        Col("spare on other routes", "num"),
        Col("at risk", "money", "USD m"),
        Col("tariffs", "money", "USD m"),
        Col("note", wide=True),
        Col("sources", "sources"),
    ]
    rows: list[list[Cell]] = [
        [
            r["dependent"],
            r["partner"],
            r["commodity"],
            r.get("what") or (f"{r['link']}: {r['route']}" if r.get("route") else r["link"]),
            r["volume"],
            r["unit"],
            r["share"],
            r.get("share_of") or "",
            r["value_usd"],
            r["spare_capacity"],
            r["value_at_risk_usd"],
            r["tariffs_usd"],
            ledger_note(r, int(year or 0)),
            _joined(r["sources"]),
        ]
        for r in records
    ]
    title = f"Interdependence {a} ↔ {b}, {year}"
    intro = "Who depends on whom, for what, how much; value at risk if the link stopped."
    table = Table(title, cols, rows, id="ledger")
    ids = [i for r in records for i in r["sources"]]
    return View(title, [Section(title, intro, tables=[table])], sources_of(n, ids))


# --- claims ------------------------------------------------------------------------------------


def _claim_dicts(
    claims: Any,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], str | None, str | None]:
    """Return the claims, the numbers set aside, the date and why a check stopped (if it did)."""
    if hasattr(claims, "set_aside"):  # an ArticleCheck
        claims = claims.to_dict()
    if isinstance(claims, Mapping):
        aside = [dict(a) for a in claims.get("set_aside", [])]
        return [dict(c) for c in claims["claims"]], aside, claims.get("date"), claims.get("stopped")
    bare = [dict(c) if isinstance(c, Mapping) else dict(c.to_dict()) for c in claims]
    return bare, [], None, None


def claims_view(claims: Any, *, n: Network | None = None) -> View:
    """Return the claims found in an article with their verdicts and the model's figures.

    Each claim says the period the checker assumed and why ("present tense: the latest full
    year before 2025-11-30"); the numbers set aside (plans, changes, other cargo …) follow in
    a table of their own with the reason.
    """
    found, aside, when, stopped = _claim_dicts(claims)
    cols = [
        Col("sentence", wide=True),
        Col("claim"),
        Col("verdict", "verdict"),
        Col("model", wide=True),
        Col("sources", "sources"),
    ]
    rows: list[list[Cell]] = []
    marks: dict[int, tuple[int, int]] = {}
    for i, c in enumerate(found):
        rows.append(_claim_row(c))
        marks[i] = (int(c["start"]), int(c["end"]))
    table = Table(f"{len(found)} claims", cols, rows, id="verdicts", marks=marks)
    tables = [table] if found else []
    if aside:
        tables.append(_aside_table(aside))
    notes = [] if found else ["No quantitative claims about the export network found."]
    if when:
        notes.append(f"Article date assumed: {when}.")
    if stopped:
        notes.append(f"Check cut short: {stopped}.")
    ids = [i for c in found for i in c["sources"]]
    return View("Claims", [Section(tables=tables, notes=notes)], sources_of(n, ids))


def _claim_row(c: dict[str, Any]) -> list[Cell]:
    value = f"{c['value']:g}–{c['high']:g}" if c.get("high") is not None else f"{c['value']:g}"
    span = c.get("span")
    period = f"{span[0]} to {span[1]}" if span else str(c.get("period") or "")
    what = (
        f"{c.get('exporter') or ''} {c['metric']}{' ' + c['via'] if c.get('via') else ''} "
        f"{period}: {COMPARATORS.get(c['comparator'], c['comparator'])} "
        f"{value} {c['unit']}"
    )
    if c.get("basis"):
        what = f"{what.strip()}\n(period: {c['basis']})"
    model = (
        fmt.DASH
        if c["model_value"] is None
        else f"{c['model_value']:g} {c.get('model_unit') or ''}"
    )
    tolerance = f" ({c['tolerance']})" if c.get("tolerance") else ""
    return [
        c["sentence"],
        what.strip(),
        c["verdict"],
        f"{model}\n{c['interpretation']}{tolerance}",
        _joined(c["sources"]),
    ]


def _aside_table(aside: list[dict[str, Any]]) -> Table:
    cols = [Col("sentence", wide=True), Col("number"), Col("set aside as"), Col("why", wide=True)]
    rows: list[list[Cell]] = [
        [a["sentence"], a["quantity"], a["kind"].replace("_", " "), a["reason"]] for a in aside
    ]
    marks = {i: (int(a["start"]), int(a["end"])) for i, a in enumerate(aside)}
    return Table(
        f"{len(aside)} numbers set aside",
        cols,
        rows,
        caption="Numbers read but not rated: they are not facts about the network's flows.",
        id="set-aside",
        marks=marks,
    )


# --- replay ------------------------------------------------------------------------------------


def replay_view(replay: Any, *, n: Network | None = None) -> View:
    """Return a replay: the dated events month by month, and modelled beside reported loss."""
    months = replay.months.reset_index().to_dict("records")
    losses = replay.losses.to_dict("records")
    year = str(months[0]["month"])[:4] if months else ""
    cols = [
        Col("month"),
        Col("events (capacity factor)"),
        Col("displaced", "num", "Mt"),
        Col("re-routed", "num", "Mt"),
        Col("stranded", "num", "Mt"),
        Col("implied by the evidence", "num", "Mt"),
        Col("revenue at risk", "money", "USD m"),
    ]
    rows: list[list[Cell]] = [
        [
            m["month"],
            m["events"] or fmt.DASH,
            m["displaced"],
            m["rerouted"],
            m["stranded"],
            m.get("implied"),
            m["revenue_at_risk"],
        ]
        for m in months
    ]
    first = Table(f"Replay {year}: dated events month by month", cols, rows, id="months")
    lcols = [
        Col("loss"),
        Col("window"),
        Col("reported", "num", "Mt"),
        Col("modelled displaced", "num", "Mt"),
        Col("modelled stranded", "num", "Mt"),
        Col("implied by the evidence", "num", "Mt"),
        Col("gap (stranded − reported)", "gap", "Mt"),
        Col("confidence"),
        Col("source", "sources"),
    ]
    lrows: list[list[Cell]] = [
        [
            x["loss"],
            f"{x['start']} – {x['end']}",
            x["reported"],
            x["displaced"],
            x["modelled"],
            x.get("implied"),
            x["gap"],
            x["confidence"],
            x["source"],
        ]
        for x in losses
    ]
    second = Table("Modelled vs reported loss over each reported window", lcols, lrows, id="losses")
    notes = [
        "Implied by the evidence: the route's flow without the event minus the reconciled flow "
        "of the month, where a monthly or part-year observation pins that month; elsewhere the "
        "evidence does not determine it (shown as a dash), and no loss is made up.",
        "Reading the gap: the model re-routes displaced oil over all spare capacity at once and "
        "spreads each event over its month; annual flows already contain the year's disruptions. "
        "A modelled loss below the reported one means the spare capacity was not usable in "
        "practice (logistics, contracts, quality) or the event was sharper within the month."
        if losses
        else "No reported losses in the package for this year.",
    ]
    section = Section(tables=[first, second] if losses else [first], notes=notes)
    return View(f"Replay {year}", [section], sources_of(n, [x["source"] for x in losses]))


# --- lists for the dashboard and the CLI -------------------------------------------------------


def sources_view(n: Network) -> View:
    """Return every source of the package: id, publisher, date, title, URL."""
    cols = [Col("id"), Col("publisher"), Col("published"), Col("title"), Col("url")]
    rows: list[list[Cell]] = [
        [str(i), str(s["publisher"]), str(s["published"]), str(s["title"]), str(s["url"])]
        for i, s in n.sources.iterrows()
    ]
    return View("Sources", [Section(tables=[Table("Sources", cols, rows, id="sources")])])


def scenarios_table(scenarios: list[dict[str, Any]], title: str = "Scenarios") -> Table:
    """Return the package's scenarios (``Service.scenarios`` or the CLI's list) as a table."""
    cols = [Col("name"), Col("years"), Col("description", wide=True)]
    rows: list[list[Cell]] = [
        [s["name"], str(s.get("when") or _joined(s.get("years") or [])), s["description"]]
        for s in scenarios
    ]
    return Table(title, cols, rows, id="scenarios")


def route_records(m: Any) -> list[dict[str, Cell]]:
    """Return one flat record per route of a year's figures (the CSV export; lists joined by |)."""
    return [
        {
            "exporter": m.exporter,
            "year": m.year,
            "route": str(route),
            "name": str(r["name"]),
            "volume": round(float(r["volume"]), 6),
            "unit": m.unit,
            "share": round(float(r["share"]), 6),
            "share_low": round(float(r.get("low", r["share"])), 6),
            "share_high": round(float(r.get("high", r["share"])), 6),
            "share_of": m.denominator_kind,
            "transit": "|".join(r["transit"]),
            "chokepoints": "|".join(r["chokepoints"]),
            "confidence": str(r["confidence"]),
            "basis": str(r["basis"]),
            "sources": "|".join(r["sources"]),
        }
        for route, r in m.by_route.iterrows()
    ]


# --- evidence: estimates, explanations, reconciliations ----------------------------------------

EVIDENCE_COLUMNS = [
    Col("id"),
    Col("measure"),
    Col("scope"),
    Col("exporter"),
    Col("period"),
    Col("as written"),
    Col("band", "text"),
    Col("unit"),
    Col("binding"),
    Col("source", "sources"),
    Col("row"),
]


def _period(row: Any) -> str:
    start, end = row.get("start"), row.get("end")
    if start is None or fmt.missing(start):
        return fmt.DASH
    import datetime as dt

    last = end - dt.timedelta(days=1) if isinstance(end, dt.date) else end
    return f"{start} – {last}"


def written(value: Any, low: Any, high: Any) -> str:
    """Return an observation's figure as written: a value, a range or a bound."""

    def g(x: Any) -> str:
        v = float(x)
        return f"{v:,.0f}" if abs(v) >= 1e5 else f"{v:,.6g}"

    if not fmt.missing(value):
        return g(value)
    if not fmt.missing(low) and not fmt.missing(high):
        return f"{g(low)}–{g(high)}"
    if not fmt.missing(low):
        return f"≥ {g(low)}"
    return fmt.DASH if fmt.missing(high) else f"≤ {g(high)}"


def _band(lo: Any, hi: Any) -> str:
    lo_s = "-∞" if fmt.missing(lo) or float(lo) == float("-inf") else fmt.num(lo, 3)
    hi_s = "∞" if fmt.missing(hi) or float(hi) == float("inf") else fmt.num(hi, 3)
    return f"{lo_s}–{hi_s} Mt"


def evidence_rows(ex: Explanation) -> list[dict[str, Any]]:
    """Return the observations behind a figure as JSON-ready records (the CLI and the API)."""
    out = []
    for oid, r in ex.observations.iterrows():
        out.append(
            {
                "id": str(oid),
                "measure": str(r.get("measure", "")),
                "scope": str(r.get("scope", "")),
                "exporter": str(r.get("exporter", "") or ""),
                "start": str(r.get("start", "")),
                "end": str(r.get("end", "")),
                "value": None if fmt.missing(r.get("value")) else float(r["value"]),
                "low": None if fmt.missing(r.get("low")) else float(r["low"]),
                "high": None if fmt.missing(r.get("high")) else float(r["high"]),
                "unit": str(r.get("unit", "")),
                "band_low": _finite(r.get("band_low")),
                "band_high": _finite(r.get("band_high")),
                "source": str(r.get("source", "")),
                "confidence": str(r.get("confidence", "")),
                "origin": str(r.get("origin", "")),
                "binding": bool(r.get("binding", False)),
                "note": "" if fmt.missing(r.get("note")) else str(r.get("note") or ""),
            }
        )
    return out


def _finite(x: Any) -> float | None:
    if fmt.missing(x):
        return None
    v = float(x)
    return v if abs(v) != float("inf") else None


def explanation_dict(ex: Explanation) -> dict[str, Any]:
    """Return an explanation as JSON-ready data: the figure, its estimate, evidence, conflicts."""
    from corridor.metrics import figure_dict

    return {
        "figure": ex.figure,
        "exporter": ex.exporter,
        "year": ex.year,
        "estimate": figure_dict(ex.estimate),
        "text": fmt.estimate(ex.estimate),
        "observations": evidence_rows(ex),
        "binding": list(ex.binding),
        "conflicts": [
            {"ids": list(c.ids), "amount": c.amount, "unit": c.unit, "note": c.note}
            for c in ex.conflicts
        ],
    }


def _evidence_table(ex: Explanation, title: str, id: str = "") -> Table:
    rows: list[list[Cell]] = []
    for oid, r in ex.observations.iterrows():
        rows.append(
            [
                str(oid),
                str(r.get("measure", "")),
                str(r.get("scope", "")),
                str(r.get("exporter", "") or "all shippers"),
                _period(r),
                written(r.get("value"), r.get("low"), r.get("high")),
                _band(r.get("band_low"), r.get("band_high")),
                str(r.get("unit", "")),
                "binds" if r.get("binding") else "",
                str(r.get("source", "")),
                str(r.get("origin", "")),
            ]
        )
    caption = "band: the amount over the period the observation allows [Mt]"
    return Table(title, EVIDENCE_COLUMNS, rows, caption, id=id)


def _conflict_notes(ex: Explanation) -> list[str]:
    return [
        f"conflict: {', '.join(c.ids)}: {fmt.num(c.amount, 3)} {c.unit} — {c.note}"
        for c in ex.conflicts
    ]


def _explain_section(explanations: Mapping[str, Explanation], *, terminal: bool = True) -> Section:
    tables, notes = [], []
    for figure, ex in explanations.items():
        title = f"{figure} ({ex.exporter}, {ex.year}): {fmt.estimate(ex.estimate)}"
        tables.append(_evidence_table(ex, title, id=explain_anchor(figure)))
        notes += _conflict_notes(ex)
    what = "key figure" if terminal else "route's volume and share"
    intro = (
        f"The observations behind each {what}: those whose scope shares paths with it "
        "(pinning it) and, marked 'binds', those whose band bounds its interval."
    )
    title = "Why these numbers" if terminal else "Why each route's numbers"
    return Section(title, intro=intro, tables=tables, notes=notes, terminal=terminal)


def explanation_view(ex: Explanation) -> View:
    """Return why a figure has its value: estimate, observations, binding rows, conflicts."""
    key = [
        ("estimate", fmt.estimate(ex.estimate)),
        ("pinned", "yes" if ex.estimate.pinned else "no (the interval is wide)"),
        ("binding", ", ".join(ex.binding) or fmt.DASH),
    ]
    table = _evidence_table(ex, "Observations", id=explain_anchor(ex.figure))
    section = Section(key=key, tables=[table], notes=_conflict_notes(ex))
    ids = {str(i) for i in ex.observations.get("source", [])}
    title = f"{ex.figure}, {ex.exporter} {ex.year}"
    return View(title, [section], [Source(i) for i in sorted(ids)])


def estimate_view(e: Estimate) -> View:
    """Return an estimate alone: the formatted figure, its interval and what binds it."""
    key = [
        ("estimate", fmt.estimate(e)),
        ("value", fmt.num(e.value, 4)),
        ("interval", f"{fmt.num(e.low, 4)}–{fmt.num(e.high, 4)} {e.unit}"),
        ("binding", ", ".join(e.binding) or fmt.DASH),
    ]
    return View("Estimate", [Section(key=key)])


def reconciliation_view(rec: Reconciliation) -> View:
    """Return a reconciliation: annual route flows per exporter and its conflicts."""
    cols = [Col("exporter"), Col("route"), Col("volume", "num", "Mt/year", 3)]
    per_year = rec.flows.groupby(["exporter", "route"], sort=True)["volume"].sum()
    rows: list[list[Cell]] = [[str(e), str(r), float(v)] for (e, r), v in per_year.items()]
    conflicts = Table(
        "Conflicts",
        [Col("observations"), Col("misfit", "num", "Mt", 3), Col("note", wide=True)],
        [[", ".join(c.ids), c.amount, c.note] for c in rec.conflicts],
    )
    key = [
        ("observations used", str(len(rec.observations_used))),
        ("ignored", str(len(rec.observations_ignored))),
        ("conflicts", str(len(rec.conflicts))),
    ]
    tables = [Table(f"Reconciled flows, {rec.year}", cols, rows), conflicts]
    return View(f"Reconciliation {rec.year}, {rec.commodity}", [Section(key=key, tables=tables)])
