"""Replay a year's dated events month by month, beside the losses the sources report.

Each event month carries three losses: the modelled one (the LP re-routes what it can around
the events and strands the rest), the reported ones (``losses``), and the one the evidence
implies (`ImpliedLoss`): the flow the route would have carried without the event minus the
reconciled flow of the disrupted month, where a monthly or part-year observation pins it.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from corridor.display import Displayable
from corridor.evidence import parse_scope
from corridor.network import Network
from corridor.reconciliation import Reconciliation
from corridor.rerouting.problem import Period, RerouteProblem, capacity_left
from corridor.rerouting.run import RerouteResult, periods_of, reroute
from corridor.scenario import Scenario, apply_scenario
from corridor.solve import TOL
from corridor.units import DAYS_PER_YEAR

#: What an implied loss says when no monthly or part-year observation pins its month.
NOT_DETERMINED = "not determined by the evidence"

IMPLIED_COLUMNS = [
    "month",
    "route",
    "counterfactual",
    "reconciled",
    "loss",
    "observations",
    "note",
]


@dataclass(frozen=True)
class ImpliedLoss:
    """The loss the evidence implies on one route in one event month [Mt in the month].

    ``counterfactual``: the flow without the event, the route's reconciled rate over the
    year's months without an event on it (or the capacity left for the exporter in force, if
    lower), held over the month; ``reconciled``: the reconciled flow in the month; ``loss`` =
    counterfactual − reconciled. All three are None where no monthly or part-year observation
    pins the month (``note`` then says `NOT_DETERMINED`, and why); ``observations``: the ids
    of those that pin it.
    """

    month: str
    route: str
    counterfactual: float | None
    reconciled: float | None
    loss: float | None
    observations: tuple[str, ...] = ()
    note: str = ""

    @property
    def determined(self) -> bool:
        """Return whether the evidence determines the loss."""
        return self.loss is not None


@dataclass(repr=False)
class Replay(Displayable):
    """Modelled monthly losses of a year's events beside the reported and the implied losses.

    ``months``: per month the events in force, the modelled stranded, re-routed and displaced
    volumes [Mt], revenue at risk [USD], and ``implied`` [Mt] (the evidence's loss summed over
    the routes hit; NaN where the evidence does not determine it or no event is in force) with
    ``implied_note``. ``losses``: each reported loss beside the modelled and the implied loss
    over its window. ``implied``: the `ImpliedLoss` records, one per event month and route.
    """

    result: RerouteResult
    months: pd.DataFrame
    losses: pd.DataFrame
    implied: list[ImpliedLoss] = field(default_factory=list)

    @property
    def baseline(self) -> str:
        """Return which baseline the replay started from: ``reconciled`` or ``observed``."""
        return self.result.baseline

    def implied_table(self) -> pd.DataFrame:
        """Return the `ImpliedLoss` records as a table (`IMPLIED_COLUMNS`)."""
        return pd.DataFrame([asdict(x) for x in self.implied], columns=IMPLIED_COLUMNS)

    def __repr__(self) -> str:
        stranded = float(self.months["stranded"].sum()) if len(self.months) else 0.0
        reported = float(self.losses["reported"].sum()) if len(self.losses) else 0.0
        known = [x.loss for x in self.implied if x.loss is not None]
        implied = (
            f"{sum(known):,.2f} Mt in {len(known)} of {len(self.implied)}" if known else "none"
        )
        return (
            f"<Replay {self.result.scenario.name} {self.result.exporter}: {len(self.months)} "
            f"months, modelled stranded {stranded:,.2f} Mt; {len(self.losses)} reported "
            f"losses, {reported:,.2f} Mt; implied by the evidence: {implied}>"
        )

    def to_dict(self) -> dict[str, Any]:
        """Return the replay as JSON-ready data: months, reported losses, implied losses."""
        return {
            "scenario": self.result.scenario.name,
            "exporter": self.result.exporter,
            "baseline": self.baseline,
            "unit": "Mt",
            "months": [
                {k: _clean(v) for k, v in row.items()}
                for row in self.months.reset_index().to_dict("records")
            ],
            "losses": [
                {k: _clean(v) for k, v in row.items()} for row in self.losses.to_dict("records")
            ],
            "implied": [
                {k: _clean(v) for k, v in asdict(x).items()} | {"determined": x.determined}
                for x in self.implied
            ],
        }


def _clean(x: Any) -> Any:
    if isinstance(x, float | np.floating):
        return None if math.isnan(x) else round(float(x), 6)
    if isinstance(x, date):
        return x.isoformat()
    if isinstance(x, tuple):
        return list(x)
    return x


def _month_row(n: Network, exporter: str, label: str, p: pd.Series) -> dict[str, Any]:
    period = Period(label, p["start"], p["end"])
    active = [
        f"{e.Index} ({e.capacity_factor:g})"
        for e in n.events.itertuples()
        if not math.isnan(e.capacity_factor)
        and e.exporter in ("", exporter)
        and e.start.date() < period.end
        and (pd.isna(e.end) or e.end.date() > period.start)
    ]
    moved = p["rerouted_rate"] * period.length
    return {
        "month": label,
        "events": ", ".join(active),
        "stranded": p["stranded"],
        "rerouted": moved,
        "displaced": moved + p["stranded"],
        "revenue_at_risk": p["revenue_at_risk"],
    }


def _loss_row(loss: Any, periods: pd.DataFrame, months: pd.DataFrame) -> dict[str, Any]:
    a, b = loss.start.date(), loss.end.date()
    modelled = displaced = implied = 0.0
    for label, p in periods.iterrows():
        overlap = (min(b, p["end"]) - max(a, p["start"])).days
        if overlap > 0:
            modelled += p["stranded_rate"] * overlap / DAYS_PER_YEAR
            displaced += (p["stranded_rate"] + p["rerouted_rate"]) * overlap / DAYS_PER_YEAR
            # the month's implied loss, pro rata to the days of the window (NaN spreads)
            if months.at[label, "events"]:
                implied += months.at[label, "implied"] * overlap / p["days"]
    return {
        "loss": loss.Index,
        "event": loss.event,
        "start": a,
        "end": b,
        "description": loss.description,
        "reported": loss.volume,
        "modelled": modelled,
        "displaced": displaced,
        "implied": implied if implied else math.nan,
        "gap": modelled - loss.volume,
        "confidence": loss.confidence,
        "source": loss.source,
    }


# --- the loss the evidence implies ----------------------------------------------------------


def _names_route(n: Network, scope: str, route: str) -> bool:
    s = parse_scope(scope)
    if s.kind == "node":
        return bool(n.routes.at[route, "from_node"] == s.targets[0])
    return route in s.routes


def pinning_observations(
    rec: Reconciliation, exporter: str, route: str, period: Period
) -> tuple[str, ...]:
    """Return the observations that pin a route's flow in a period of the reconciled year.

    Those used by the reconciliation that measure the route (its flow for the exporter, or
    its throughput for all shippers: a route, a list of routes, ``via:``, or the node it
    leaves) over a period shorter than the year (a month, a quarter, Jan–Oct) that overlaps
    the period. An annual figure fixes the year, not the month: the smoothing spreads it.
    """
    obs = rec.observations.loc[[i for i in rec.observations_used if i in rec.observations.index]]
    year = (date(rec.year + 1, 1, 1) - date(rec.year, 1, 1)).days
    n = rec.model.n
    found = []
    for oid, o in obs.iterrows():
        who = "" if not isinstance(o["exporter"], str) else o["exporter"]
        if (o["measure"], who) not in (("flow", exporter), ("throughput", "")):
            continue
        start, end = o["start"], o["end"]
        if (end - start).days >= year or start >= period.end or end <= period.start:
            continue
        if _names_route(n, str(o["scope"]), route):
            found.append(str(oid))
    return tuple(found)


def _implied_route(
    problem: RerouteProblem, rec: Reconciliation, months: list[Period], m: int, i: int
) -> ImpliedLoss:
    """Return the implied loss on route i in month m (of the year's `months`)."""
    route, month = problem.route_ids[i], months[m]
    pins = pinning_observations(rec, problem.exporter, route, month)
    if not pins:
        why = f"{NOT_DETERMINED}: no monthly or part-year observation of {route} in the month"
        return ImpliedLoss(month.label, route, None, None, None, (), why)
    f = rec.flows[(rec.flows["exporter"] == problem.exporter) & (rec.flows["route"] == route)]
    volume = f.groupby("month")["volume"].sum().reindex(range(1, 13), fill_value=0.0)
    calm = [k for k, p in enumerate(months) if problem.factors(p)[i] >= 1.0]
    if not calm:
        why = f"{NOT_DETERMINED}: an event is in force on {route} in every month of the year"
        return ImpliedLoss(month.label, route, None, None, None, pins, why)
    rate = float(volume.iloc[calm].sum()) / sum(months[k].length for k in calm)
    cap = capacity_left(problem.whole, problem.others, problem.allocation)[i]
    note = "capacity in force" if cap < rate else "rate of the months without an event"
    counterfactual = min(rate, float(cap)) * month.length
    reconciled = float(volume.iloc[m])
    return ImpliedLoss(
        month.label, route, counterfactual, reconciled, counterfactual - reconciled, pins, note
    )


def implied_losses(problem: RerouteProblem, months: list[Period]) -> list[ImpliedLoss]:
    """Return the loss the evidence implies on each route an event hits, month by month.

    Without a reconciled baseline (no observations of the exporter in the year) every one
    is `NOT_DETERMINED`.
    """
    out = []
    for m, month in enumerate(months):
        hit = np.flatnonzero(problem.factors(month) < 1.0 - TOL)
        for i in map(int, hit):
            if problem.reconciliation is None:
                why = f"{NOT_DETERMINED}: no observations of {problem.exporter} in the year"
                out.append(
                    ImpliedLoss(month.label, problem.route_ids[i], None, None, None, (), why)
                )
            else:
                out.append(_implied_route(problem, problem.reconciliation, months, m, i))
    return out


def _month_implied(rows: list[dict[str, Any]], implied: list[ImpliedLoss]) -> None:
    for row in rows:
        mine = [x for x in implied if x.month == row["month"]]
        known = [x.loss for x in mine if x.loss is not None]
        row["implied"] = sum(known) if mine and len(known) == len(mine) else math.nan
        missing = [x.route for x in mine if x.loss is None]
        row["implied_note"] = f"{NOT_DETERMINED} ({', '.join(missing)})" if missing else ""


def replay(n: Network, *, year: int, exporter: str | None = None) -> Replay:
    """Apply the package's dated events month by month and compare with reported losses.

    The baseline is each month's reconciled flows where the package has observations of the
    exporter in the year, else the observed annual flows spread evenly over the months;
    events cut capacity by date; the LP re-routes what it can. The modelled loss is the
    stranded volume. The baseline flows already contain the year's disruptions, so the model
    applies them on top of their own outcome: the gap between modelled and reported loss is a
    result to read, not an error to hide. Beside both, each event month has the loss
    the evidence implies (`ImpliedLoss`): the flow without the event minus the reconciled
    flow of the month, where a monthly or part-year observation pins that month.

    Raises
    ------
    UnknownError
        For a year or exporter the package does not know.
    """
    n.check_year(year)
    exporter = n.check_exporter(exporter or n.meta.exporter)
    s = Scenario(
        name=f"replay-{year}",
        description=f"Dated events of {year}, month by month",
        years=[year],
        monthly=True,
        apply_events=True,
    )
    result = reroute(n, s, exporter=exporter, ties=False)
    problem = RerouteProblem(n, apply_scenario(s, n, exporter=exporter, year=year))
    implied = implied_losses(problem, periods_of(s, n, exporter))
    rows = [_month_row(n, exporter, str(k), p) for k, p in result.periods.iterrows()]
    _month_implied(rows, implied)
    months = pd.DataFrame(rows).set_index("month")
    losses = [
        _loss_row(loss, result.periods, months)
        for loss in n.losses.itertuples()
        if not (loss.start.date().year > year or loss.end.date() <= date(year, 1, 1))
    ]
    return Replay(result, months, pd.DataFrame(losses), implied)
