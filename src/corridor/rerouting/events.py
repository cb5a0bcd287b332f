"""Replay a year's dated events month by month, beside the losses the sources report."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd

from corridor.display import Displayable
from corridor.network import Network
from corridor.rerouting.problem import Period
from corridor.rerouting.run import RerouteResult, reroute
from corridor.scenario import Scenario
from corridor.units import DAYS_PER_YEAR


@dataclass(repr=False)
class Replay(Displayable):
    """Modelled monthly losses of a year's events beside the losses the sources report."""

    result: RerouteResult
    months: pd.DataFrame
    losses: pd.DataFrame

    def __repr__(self) -> str:
        stranded = float(self.months["stranded"].sum()) if len(self.months) else 0.0
        reported = float(self.losses["reported"].sum()) if len(self.losses) else 0.0
        return (
            f"<Replay {self.result.scenario.name} {self.result.exporter}: {len(self.months)} "
            f"months, modelled stranded {stranded:,.2f} Mt; {len(self.losses)} reported "
            f"losses, {reported:,.2f} Mt>"
        )


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


def _loss_row(loss: Any, periods: pd.DataFrame) -> dict[str, Any]:
    a, b = loss.start.date(), loss.end.date()
    modelled = displaced = 0.0
    for _, p in periods.iterrows():
        overlap = (min(b, p["end"]) - max(a, p["start"])).days
        if overlap > 0:
            modelled += p["stranded_rate"] * overlap / DAYS_PER_YEAR
            displaced += (p["stranded_rate"] + p["rerouted_rate"]) * overlap / DAYS_PER_YEAR
    return {
        "loss": loss.Index,
        "event": loss.event,
        "start": a,
        "end": b,
        "description": loss.description,
        "reported": loss.volume,
        "modelled": modelled,
        "displaced": displaced,
        "gap": modelled - loss.volume,
        "confidence": loss.confidence,
        "source": loss.source,
    }


def replay(n: Network, *, year: int, exporter: str | None = None) -> Replay:
    """Apply the package's dated events month by month and compare with reported losses.

    The baseline is the year's observed annual flows spread evenly over the months (monthly
    flows are not in the data); events cut capacity by date; the LP re-routes what it can.
    The modelled loss is the stranded volume. Annual flows already contain the year's
    disruptions, so the model applies them on top of their own outcome: the gap between
    modelled and reported loss is a result to read, not an error to hide.

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
    rows = [_month_row(n, exporter, str(k), p) for k, p in result.periods.iterrows()]
    losses = [
        _loss_row(loss, result.periods)
        for loss in n.losses.itertuples()
        if not (loss.start.date().year > year or loss.end.date() <= date(year, 1, 1))
    ]
    return Replay(result, pd.DataFrame(rows).set_index("month"), pd.DataFrame(losses))
