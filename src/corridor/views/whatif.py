"""Terminal tables (rich) for `corridor scenario run` and `corridor replay`."""

from __future__ import annotations

import math

from rich.console import Group
from rich.table import Table
from rich.text import Text

from corridor.claims import Claim
from corridor.network import Network
from corridor.reroute import Replay, Result
from corridor.risk import RiskResult
from corridor.views.tables import focus_columns, num, pct


def money(x: float) -> str:
    """Format USD in millions, or a dash for a gap."""
    return "—" if x is None or math.isnan(x) else f"{x / 1e6:,.0f}"


def _table(title: str, columns: list[str], right: set[str], keep: set[str] | None = None) -> Table:
    t = Table(title=title, title_justify="left", header_style="bold")
    for c in columns:
        t.add_column(c, justify="right" if c in right else "left", no_wrap=c in (keep or set()))
    return t


def result_tables(n: Network, r: Result) -> Group:
    """Return the tables of a what-if result: periods, flows, stranded, limits, ties."""
    country, route = n.meta.focus_country, n.meta.focus_route
    parts: list[Table | Text] = [
        Text(f"Scenario {r.scenario.name} — exporter {r.exporter}", style="bold"),
        Text(" ".join(r.scenario.description.split())),
    ]
    cols = [
        "period",
        "stranded [Mt]",
        "re-routed [Mt/yr]",
        "revenue at risk [USD m]",
        *focus_columns(country, route),
        "HHI",
    ]
    t = _table("By period (shares: baseline → scenario)", cols, set(cols[1:]))
    for label, p in r.periods.iterrows():
        cells = [
            str(label),
            num(p["stranded"]),
            num(p["rerouted_rate"]),
            money(p["revenue_at_risk"]),
        ]
        for key, on in (
            ("share_crossing", country),
            ("share_via", route),
            ("share_bypassing", country),
        ):
            if on:
                cells.append(f"{pct(p[f'{key}_baseline'])} → {pct(p[f'{key}_scenario'])}")
        cells.append(f"{num(p['hhi_baseline'], 0)} → {num(p['hhi_scenario'], 0)}")
        t.add_row(*cells)
    total = r.total
    t.add_row(
        Text("total", style="bold"),
        num(total["stranded"]),
        f"{num(total['rerouted'])} Mt",
        money(total["revenue_at_risk"]),
        *[""] * (len(cols) - 4),
    )
    parts.append(t)
    changed = r.flows[r.flows["change"].abs() > 1e-6]
    if len(changed):
        t = _table(
            "Flows that change [Mt/year]",
            ["period", "route", "baseline", "scenario", "change"],
            {"baseline", "scenario", "change"},
        )
        for (label, route_id), f in changed.iterrows():
            t.add_row(
                str(label),
                str(route_id),
                num(f["baseline"]),
                num(f["scenario"]),
                f"{f['change']:+,.2f}",
            )
        parts.append(t)
    moved = r.shares[r.shares["change"].abs() > 1e-3]
    moved = moved[moved.index.get_level_values("kind") != "route"]
    if len(moved):
        t = _table(
            "Shares that change (transit countries and chokepoints)",
            ["period", "of", "baseline", "scenario", "change"],
            {"baseline", "scenario", "change"},
        )
        for (label, kind, key), row in moved.iterrows():
            name = "onward route not reported" if key == "?" else key
            t.add_row(
                str(label),
                f"{kind.replace('_', ' ')} {name}",
                pct(row["baseline"]),
                pct(row["scenario"]),
                f"{100 * row['change']:+.1f} pt",
            )
        parts.append(t)
    if len(r.stranded):
        t = _table(
            "Stranded by origin",
            ["period", "origin", "rate [Mt/yr]", "volume [Mt]"],
            {"rate [Mt/yr]", "volume [Mt]"},
        )
        for (label, origin), s in r.stranded.iterrows():
            t.add_row(str(label), str(origin), num(s["rate"]), num(s["volume"]))
        parts.append(t)
    if len(r.binding):
        t = _table(
            "Binding limits (effect of one more Mt/year of each)",
            [
                "period",
                "limit",
                "scope",
                "capacity",
                "stranded avoided",
                "target gain",
                "revenue [USD m]",
                "source",
            ],
            {"capacity", "stranded avoided", "target gain", "revenue [USD m]"},
        )
        for b in r.binding.itertuples():
            t.add_row(
                str(b.period),
                f"{b.kind} {b.asset}",
                b.scope,
                num(b.capacity),
                num(b.stranded_avoided_per_unit),
                num(b.target_gain_per_unit),
                money(b.revenue_per_unit),
                str(b.source).split(":")[0],
            )
        parts.append(t)
    wide = r.ties[(r.ties["max_share"] - r.ties["min_share"]) > 1e-3]
    if len(wide):
        t = _table(
            "Ties: the optimum is not unique; share range over optimal solutions",
            ["period", "country", "min", "max"],
            {"min", "max"},
        )
        for row in wide.itertuples():
            t.add_row(str(row.period), row.country, pct(row.min_share), pct(row.max_share))
        parts.append(t)
    if len(r.ladder):
        t = _table(
            "Target ladder: relax the limits that stop it, step by step [Mt/year]",
            [
                "period",
                "step",
                "route",
                "target",
                "achieved",
                f"crossing {country or '—'}",
                "stopped by",
            ],
            {"step", "target", "achieved", f"crossing {country or '—'}"},
        )
        for row in r.ladder.itertuples():
            t.add_row(
                str(row.period),
                str(row.step),
                row.route,
                num(row.target),
                num(row.achieved),
                pct(row.share_crossing),
                row.limits,
            )
        parts.append(t)
    for note in r.notes:
        parts.append(Text(f"note: {note}", style="dim"))
    return Group(*parts)


def replay_tables(rp: Replay) -> Group:
    """Return the replay's month table and its modelled-vs-reported loss table."""
    t = _table(
        f"Replay {rp.result.periods.index[0][:4]}: dated events month by month",
        [
            "month",
            "events (capacity factor)",
            "displaced [Mt]",
            "re-routed [Mt]",
            "stranded [Mt]",
            "revenue at risk [USD m]",
        ],
        {"displaced [Mt]", "re-routed [Mt]", "stranded [Mt]", "revenue at risk [USD m]"},
    )
    for month, m in rp.months.iterrows():
        t.add_row(
            str(month),
            m["events"] or "—",
            num(m["displaced"]),
            num(m["rerouted"]),
            num(m["stranded"]),
            money(m["revenue_at_risk"]),
        )
    parts: list[Table | Text] = [t]
    if len(rp.losses):
        t = _table(
            "Modelled vs reported loss over each reported window [Mt]",
            [
                "loss",
                "window",
                "reported",
                "modelled displaced",
                "modelled stranded",
                "gap (stranded − reported)",
                "confidence",
                "source",
            ],
            {"reported", "modelled displaced", "modelled stranded", "gap (stranded − reported)"},
            keep={"loss", "source"},
        )
        for row in rp.losses.itertuples():
            t.add_row(
                row.loss,
                f"{row.start} – {row.end}",
                num(row.reported),
                num(row.displaced),
                num(row.modelled),
                f"{row.gap:+,.2f}",
                row.confidence,
                row.source,
            )
        parts.append(t)
        parts.append(
            Text(
                "Reading the gap: the model re-routes displaced oil over all spare capacity at once "
                "and spreads each event over its month; annual flows already contain the year's "
                "disruptions. A modelled loss below the reported one means the spare capacity was not "
                "usable in practice (logistics, contracts, quality) or the event was sharper within "
                "the month.",
                style="dim",
            )
        )
    else:
        parts.append(Text("No reported losses in the package for this year.", style="dim"))
    return Group(*parts)


def risk_tables(r: RiskResult, where: str) -> Group:
    """Return the tables of a risk run: loss quantiles, the share below threshold, contributions."""
    s = r.summary
    head = (
        f"Risk: {s['problem']} — {s['samples_finished']:,} of {s['samples_requested']:,} "
        f"samples, seed {s['seed']}, {s['seconds']:.1f} s"
        + (" (interrupted)" if s["interrupted"] else "")
    )
    parts: list[Table | Text] = [Text(head, style="bold")]
    t = _table(
        "Loss over the year",
        ["", "mean", "P50", "P90", "P95", "P99"],
        {"mean", "P50", "P90", "P95", "P99"},
    )
    st, rv = s["stranded"], s["revenue_at_risk"]
    t.add_row("stranded [Mt]", *[num(st[k]) for k in ("mean", "p50", "p90", "p95", "p99")])
    t.add_row(
        "revenue at risk [USD m]", *[money(rv[k]) for k in ("mean", "p50", "p90", "p95", "p99")]
    )
    parts.append(t)
    sh = s["share_crossing"]
    parts.append(
        Text(
            f"stranded with no outage (the base scenario alone): {num(st['no_outage'])} Mt; "
            f"price {rv['price_usd_per_t']:.1f} USD/t; mean share crossing "
            f"{sh.get('country') or 'the focus country'} "
            f"{pct(sh['mean'])}; probability it falls below {pct(sh['threshold'])}: "
            f"{pct(sh['probability_below'])}"
        )
    )
    t = _table(
        "Contribution to the loss in the worst 5% of years",
        ["risk", "routes hit", "contribution [Mt]", "share"],
        {"contribution [Mt]", "share"},
    )
    for row in r.contributions.itertuples():
        t.add_row(f"{row.risk}: {row.name}", str(row.routes), num(row.contribution), pct(row.share))
    parts.append(t)
    parts.append(
        Text(f"samples: {where}/samples.parquet; summary: {where}/summary.json", style="dim")
    )
    return Group(*parts)


_VERDICT_STYLE = {"supported": "green", "contradicted": "red", "not_checkable": "yellow"}


def claims_table(claims: list[Claim]) -> Table | Text:
    """Return the claims found in an article with their verdicts and the model's figures."""
    if not claims:
        return Text("No quantitative claims about the export network found.")
    t = _table(f"{len(claims)} claims", ["sentence", "claim", "verdict", "model", "sources"], set())
    for c in claims:
        sentence = Text(c.sentence)
        sentence.stylize("bold reverse", c.start, c.end)
        comp = {
            "gt": ">",
            "ge": "≥",
            "lt": "<",
            "le": "≤",
            "approx": "≈",
            "eq": "=",
            "range": "in",
        }[c.comparator]
        value = f"{c.value:g}–{c.high:g}" if c.high is not None else f"{c.value:g}"
        what = (
            f"{c.exporter or ''} {c.metric}{' ' + c.via if c.via else ''} {c.period or ''}: "
            f"{comp} {value} {c.unit}"
        )
        model = "—" if c.model_value is None else f"{c.model_value:g} {c.model_unit or ''}"
        verdict = Text(c.verdict.replace("_", " "), style=_VERDICT_STYLE[c.verdict])
        detail = Text(f"{model}\n{c.interpretation}" + (f" ({c.tolerance})" if c.tolerance else ""))
        t.add_row(sentence, what, verdict, detail, ", ".join(c.sources))
    return t
