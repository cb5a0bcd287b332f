"""What a year report shows, computed once by the caller before any view draws it.

The views never compute (``corridor.views.build``): the CLI and the web service call
`report_inputs`, which runs the metrics for the report's year and for every year with flows,
the year-by-year summary, the explanation of each key figure (the observations behind it, where
the year is reconciled), and (when asked) the interdependence ledger of the exporter and its
focus country (`corridor.metrics.focus`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from corridor.interdependence import ledger as interdependence_ledger
from corridor.metrics import Dependence, dependence, key_figures, summary

if TYPE_CHECKING:
    import pandas as pd

    from corridor.network import Network
    from corridor.reconciliation import Explanation


@dataclass
class ReportInputs:
    """What the year report shows.

    Attributes
    ----------
    metrics : Dependence
        The exporter's figures in the report's year.
    summary : pandas.DataFrame or None
        ``corridor.metrics.summary``: one row per year.
    history : sequence of Dependence
        The figures of every year with flows, for the shares over time.
    ledger : pandas.DataFrame or dict or None
        The ledger of the exporter and the focus country, or None.
    explanations : dict
        Figure string → `Explanation` of each key figure of the year (empty where the year is
        not reconciled).
    """

    metrics: Any
    summary: pd.DataFrame | None = None
    history: Sequence[Dependence] = field(default_factory=list)
    ledger: Any = None
    explanations: dict[str, Explanation] = field(default_factory=dict)


def explanations(m: Dependence) -> dict[str, Explanation]:
    """Return the explanation of every figure the report prints with an interval.

    The key figures, and each route's volume and share (so any of them is one click from its
    evidence); empty when the year is not reconciled.
    """
    rec = m.reconciliation
    if rec is None:
        return {}
    figures = [*key_figures(m)]
    for route in m.by_route.index:
        figures += [f"volume:route:{route}"]
        figures += [] if m.shares_withheld else [f"share:via:{route}"]
    return {f: rec.explain(f, m.exporter) for f in figures}


def report_inputs(n: Network, exporter: str, year: int, *, ledger: bool = True) -> ReportInputs:
    """Compute what the year report shows: the year's figures, the summary, each year's, the ledger.

    Parameters
    ----------
    n : Network
        The package.
    exporter : str
        ISO3 code of the exporter (checked).
    year : int
        The report's year (checked).
    ledger : bool
        Also compute the ledger of the exporter and its focus country (`corridor.metrics.focus`:
        the package's declared one for its exporter, else the top transit country; it re-routes:
        one LP per link crossing the partner).

    Returns
    -------
    ReportInputs
    """
    metrics = dependence(n, exporter=exporter, year=year)
    history = [dependence(n, exporter=exporter, year=y) for y in n.years_with_flows(exporter)]
    country = metrics.focus_country
    led = interdependence_ledger(n, exporter, country, year=year) if ledger and country else None
    return ReportInputs(metrics, summary(n, exporter), history, led, explanations(metrics))
