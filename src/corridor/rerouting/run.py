"""What-if runs: apply a scenario (and dated events) to the baseline, period by period.

`reroute` turns a `Scenario` into periods (years, or months), applies it to each year
(`corridor.scenario.apply_scenario`), builds that year's `RerouteProblem`, solves the LP of
`corridor.solve` warm from period to period, and returns a `RerouteResult`: flows, stranded and
re-routed volume, revenue at risk, shares before and after (`corridor.metrics.dependence` on
the scenario's flows), binding limits with their marginal value, ties, and for a target the
ladder of limits that stop it. The baseline is the reconciled one where the package has
observations of the exporter in the year, else the flows table's (``RerouteResult.baseline``
says which: see `RerouteProblem`).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from corridor import units
from corridor.display import Displayable
from corridor.exceptions import SolverError
from corridor.metrics import Dependence, dependence, latest_year
from corridor.network import Network
from corridor.rerouting import analysis
from corridor.rerouting.analysis import BindingLimit, LadderStep
from corridor.rerouting.problem import Array, BaselineKind, Period, RerouteProblem
from corridor.scenario import Scenario, apply_scenario
from corridor.solve import TOL, Solution
from corridor.units import DAYS_PER_YEAR, T_PER_MT


def periods_of(s: Scenario, n: Network, exporter: str) -> list[Period]:
    """Return the periods of a scenario: whole years, or months (clipped to start/end)."""
    if s.start is not None and s.end is not None:
        out, d = [], date(s.start.year, s.start.month, 1)
        while d < s.end:
            nxt = date(d.year + d.month // 12, d.month % 12 + 1, 1)
            out.append(Period(f"{d.year}-{d.month:02d}", max(d, s.start), min(nxt, s.end)))
            d = nxt
        return out
    years = s.years or [latest_year(n, exporter)]
    if not s.monthly:
        return [Period(str(y), date(y, 1, 1), date(y + 1, 1, 1)) for y in years]
    return [
        Period(f"{y}-{m:02d}", date(y, m, 1), date(y + m // 12, m % 12 + 1, 1))
        for y in years
        for m in range(1, 13)
    ]


def _r6(x: Any) -> Any:
    if isinstance(x, float | np.floating):
        return None if math.isnan(x) else round(float(x), 6)
    return x


def _rows_of(df: pd.DataFrame, label: str) -> pd.DataFrame | None:
    return df.loc[label] if label in df.index.get_level_values(0) else None


@dataclass(repr=False)
class RerouteResult(Displayable):
    """Outcome of a what-if run; volumes in Mt/year unless a column says Mt or USD.

    ``baseline``: ``"reconciled"`` when every period started from the reconciliation,
    ``"observed"`` when every one started from the flows table, ``"mixed"`` otherwise (each
    period's is in ``periods["baseline"]``).
    """

    scenario: Scenario
    exporter: str
    periods: pd.DataFrame
    flows: pd.DataFrame
    stranded: pd.DataFrame
    shares: pd.DataFrame
    binding: pd.DataFrame
    ties: pd.DataFrame
    ladder: pd.DataFrame
    ladder_limits: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=analysis.LADDER_LIMIT_COLUMNS)
    )
    notes: list[str] = field(default_factory=list)
    baseline: str = "observed"

    def __repr__(self) -> str:
        t = self.total
        money = t["revenue_at_risk"]
        usd = "unknown" if math.isnan(money) else f"{money:,.0f} USD"
        return (
            f"<RerouteResult {self.scenario.name} {self.exporter}: {len(self.periods)} "
            f"period(s), {t['days']} days; stranded {t['stranded']:,.2f} Mt, re-routed "
            f"{t['rerouted']:,.2f} Mt, revenue at risk {usd}>"
        )

    @property
    def total(self) -> dict[str, Any]:
        """Totals over all periods: stranded volume (Mt), revenue at risk (USD), days."""
        p = self.periods
        money = p["revenue_at_risk"]
        return {
            "days": int(p["days"].sum()),
            "stranded": float(p["stranded"].sum()),
            "rerouted": float((p["rerouted_rate"] * p["days"] / DAYS_PER_YEAR).sum()),
            # no price for the commodity: the money is unknown, not zero
            "revenue_at_risk": float("nan") if money.isna().any() else float(money.sum()),
        }

    def _period_dict(self, label: str, p: pd.Series) -> dict[str, Any]:
        f, s, sh = (_rows_of(df, label) for df in (self.flows, self.stranded, self.shares))
        shares: dict[str, Any] = {"baseline": {}, "scenario": {}}
        for (kind, key), row in (sh if sh is not None else pd.DataFrame()).iterrows():
            for which in ("baseline", "scenario"):
                shares[which].setdefault(kind, {})[key] = _r6(float(row[which]))
        b = self.binding[self.binding["period"] == label]
        t = self.ties[self.ties["period"] == label]
        rate = units.CANONICAL_RATE
        return {
            "period": label,
            "start": p["start"].isoformat(),
            "end": p["end"].isoformat(),
            "status": p["status"],
            "baseline_kind": p.get("baseline", "observed"),
            "baseline": {} if f is None else {k: _r6(v) for k, v in f["baseline"].items()},
            "scenario": {} if f is None else {k: _r6(v) for k, v in f["scenario"].items()},
            "unit": rate,
            "rerouted": {"value": _r6(p["rerouted_rate"]), "unit": rate},
            "stranded": {
                "value": _r6(p["stranded"]),
                "unit": "Mt",
                "rate": _r6(p["stranded_rate"]),
                "per_origin": {} if s is None else {k: _r6(v) for k, v in s["volume"].items()},
            },
            "revenue_at_risk": {
                "value": _r6(p["revenue_at_risk"]),
                "unit": "USD",
                "price": _r6(p["price"]),
                "price_unit": "USD/t",
            },
            "shares": shares,
            "binding": [
                {k: _r6(v) for k, v in row.items() if k != "period"} for row in b.to_dict("records")
            ],
            "ties": {
                row["country"]: [_r6(row["min_share"]), _r6(row["max_share"])]
                for row in t.to_dict("records")
            },
        }

    def _ladder_dicts(self) -> list[dict[str, Any]]:
        limits = self.ladder_limits
        out = []
        for row in self.ladder.to_dict("records"):
            mine = limits[(limits["period"] == row["period"]) & (limits["step"] == row["step"])]
            out.append(
                {k: _r6(v) for k, v in row.items()}
                | {
                    "limits": [
                        {k: _r6(v) for k, v in x.items() if k not in ("period", "step")}
                        for x in mine.to_dict("records")
                    ]
                }
            )
        return out

    def to_dict(self) -> dict[str, Any]:
        """Return the result as JSON-ready data: per period and in total."""
        total = self.total
        return {
            "scenario": self.scenario.name,
            "description": self.scenario.description,
            "exporter": self.exporter,
            "baseline": self.baseline,
            "periods": [self._period_dict(str(k), p) for k, p in self.periods.iterrows()],
            "total": {
                "days": total["days"],
                "stranded": {"value": _r6(total["stranded"]), "unit": "Mt"},
                "rerouted": {"value": _r6(total["rerouted"]), "unit": "Mt"},
                "revenue_at_risk": {"value": _r6(total["revenue_at_risk"]), "unit": "USD"},
            },
            "ladder": self._ladder_dicts(),
            "notes": self.notes,
        }


#: Old name of `RerouteResult`, kept for one release.
Result = RerouteResult


def rerouted(base: Dependence, scen: Dependence) -> float:
    """Return the volume on paths it did not take in the baseline: routed minus what stayed.

    A path's volume *stays* up to the smaller of its baseline and scenario volumes; comparing
    whole paths (not legs) counts a volume once however many legs its new way has.
    """
    before = dict(zip(base.paths["id"], base.paths["volume"], strict=True))
    stayed = sum(
        min(v, before.get(k, 0.0))
        for k, v in zip(scen.paths["id"], scen.paths["volume"], strict=True)
    )
    return float(max(scen.routed - stayed, 0.0))


def _headline(m: Dependence) -> dict[str, float]:
    country, route = m.focus_country, m.focus_route
    return {
        "share_crossing": m.share_crossing(country) if country else float("nan"),
        "share_via": m.share_via(route) if route else float("nan"),
        "share_bypassing": m.share_bypassing(country) if country else float("nan"),
        "hhi": m.hhi,
    }


def _share_rows(label: str, base: Dependence, scen: Dependence) -> list[dict[str, Any]]:
    rows = []
    for kind, attr in (
        ("route", "by_route"),
        ("transit_country", "by_transit_country"),
        ("chokepoint", "by_chokepoint"),
    ):
        b, s = getattr(base, attr)["share"], getattr(scen, attr)["share"]
        for key in list(dict.fromkeys([*b.index, *s.index])):
            bv, sv = float(b.get(key, 0.0)), float(s.get(key, 0.0))
            rows.append(
                {
                    "period": label,
                    "kind": kind,
                    "key": key,
                    "baseline": bv,
                    "scenario": sv,
                    "change": sv - bv,
                }
            )
    return rows


class _YearRun:
    """One year of a run: its problem, baseline figures, and figures of any scenario flow."""

    def __init__(self, n: Network, scenario: Scenario, exporter: str, year: int) -> None:
        inputs = apply_scenario(scenario, n, exporter=exporter, year=year)
        self.problem = RerouteProblem(n, inputs)
        self.base = self.problem.base_dependence()
        self._bases: dict[str, Dependence] = {}

    def at(self, period: Period) -> _YearRun:
        """Select the period whose baseline the figures compare with (its months' pattern)."""
        if self.problem.monthly is None:
            return self
        if period.label not in self._bases:
            self._bases[period.label] = self.problem.base_dependence(period)
        self.base = self._bases[period.label]
        return self

    def metrics(self, flow: Array, stranded_rate: float) -> Dependence:
        """Return the dependence figures of a scenario flow that strands `stranded_rate`."""
        p, base = self.problem, self.base
        exports = None
        if base.total_exports is not None:
            exports = base.total_exports - stranded_rate + p.supply_change
        return dependence(
            p.network,
            exporter=p.exporter,
            year=p.year,
            commodity=p.commodity,
            flows=p.flow_table(flow),
            total_exports=exports,
        )


@dataclass
class _Rows:
    periods: list[dict[str, Any]] = field(default_factory=list)
    flows: list[dict[str, Any]] = field(default_factory=list)
    stranded: list[dict[str, Any]] = field(default_factory=list)
    shares: list[dict[str, Any]] = field(default_factory=list)
    binding: list[BindingLimit] = field(default_factory=list)
    ties: list[dict[str, Any]] = field(default_factory=list)
    ladder: list[LadderStep] = field(default_factory=list)


def _period_row(p: Period, sol: Solution, year: _YearRun, scen: Dependence) -> dict[str, Any]:
    problem = year.problem
    stranded_rate = float(sol.stranded.sum()) if sol.is_optimal else float("nan")
    return {
        "period": p.label,
        "start": p.start,
        "end": p.end,
        "days": p.days,
        "status": sol.status,
        "baseline": problem.baseline_kind,
        "stranded_rate": stranded_rate,
        "stranded": stranded_rate * p.length,
        "rerouted_rate": rerouted(year.base, scen),
        "price": problem.price,
        "price_source": problem.inputs.price_source,
        "revenue_at_risk": stranded_rate * p.length * T_PER_MT * problem.price,
        **{f"{k}_baseline": v for k, v in _headline(year.base).items()},
        **{f"{k}_scenario": v for k, v in _headline(scen).items()},
    }


def _run_period(rows: _Rows, p: Period, year: _YearRun, ties: bool, marginals: bool) -> None:
    problem = year.problem
    sol = problem.solve(p)
    if not sol.is_optimal:  # stranding keeps the LP feasible: anything else is no answer
        msg = (
            f"the re-routing LP of {p.label} ended '{sol.status}', not optimal; its flows would "
            "mean nothing (check the scenario's added routes and targets)"
        )
        raise SolverError(msg)
    stranded_rate = float(sol.stranded.sum())
    scen = year.metrics(sol.flow, stranded_rate)
    rows.periods.append(_period_row(p, sol, year, scen))
    for r, b, x in zip(problem.route_ids, problem.baseline_at(p), sol.flow, strict=True):
        if b > TOL or x > TOL:
            rows.flows.append(
                {"period": p.label, "route": r, "baseline": b, "scenario": x, "change": x - b}
            )
    for o, u in zip(problem.origin_ids, sol.stranded, strict=True):
        if u > TOL:
            rows.stranded.append(
                {"period": p.label, "origin": o, "rate": u, "volume": u * p.length}
            )
    rows.shares += _share_rows(p.label, year.base, scen)
    if ties and sol.is_optimal:
        rows.ties += analysis.ties(problem, p, sol, scen.denominator)
    rows.binding += analysis.binding_limits(problem, p, sol, problem.price, marginals)
    if len(problem.target_idx) and sol.is_optimal:
        rows.ladder += analysis.ladder(problem, p, sol, year.metrics)


def reroute(
    n: Network,
    scenario: Scenario,
    *,
    exporter: str | None = None,
    ties: bool = True,
    marginals: bool = True,
) -> RerouteResult:
    """Apply a scenario to the baseline and re-route, period by period.

    Parameters
    ----------
    n : Network
    scenario : Scenario
    exporter : str, optional
        Default the scenario's, then the package's exporter.
    ties : bool
        Report the min and max share of each transit country over optimal solutions.
    marginals : bool
        Measure each binding limit's marginal value (one re-solve each).

    Raises
    ------
    ScenarioError
        When the scenario refers to something the network does not know.
    UnknownError
        For an exporter the package does not know.
    NoFlowsError
        When a year has no flows of the exporter and the scenario adds no supply.

    Examples
    --------
    >>> n = corridor.load_package()
    >>> s = Scenario(name="cpc-half", years=[2025],
    ...              changes=[{"type": "capacity_factor", "route": "cpc", "factor": 0.5}])
    >>> r = reroute(n, s)
    >>> r.baseline   # the package has observations of KAZ in 2025
    'reconciled'
    >>> r.total["stranded"] > 0 and r.total["rerouted"] > 0   # Mt over the year
    True
    """
    exporter = n.check_exporter(exporter or scenario.exporter or n.meta.exporter)
    scenario.check_against(n)
    years: dict[int, _YearRun] = {}
    rows = _Rows()
    for p in periods_of(scenario, n, exporter):
        if p.year not in years:
            years[p.year] = _YearRun(n, scenario, exporter, p.year)
        _run_period(rows, p, years[p.year].at(p), ties, marginals)
    return _result(scenario, exporter, rows)


def _baseline_of(kinds: set[BaselineKind]) -> str:
    if not kinds:
        return "observed"
    return next(iter(kinds)) if len(kinds) == 1 else "mixed"


def _result(scenario: Scenario, exporter: str, rows: _Rows) -> RerouteResult:
    idx = ["period", "route"]
    # the limits are those of the step, the same for each of its targets
    steps = {(s.period, s.step): s.limits for s in rows.ladder}
    limits = [{"period": k[0], "step": k[1], **asdict(x)} for k, xs in steps.items() for x in xs]
    return RerouteResult(
        scenario=scenario,
        exporter=exporter,
        periods=pd.DataFrame(rows.periods).set_index("period"),
        flows=pd.DataFrame(rows.flows, columns=[*idx, "baseline", "scenario", "change"]).set_index(
            idx
        ),
        stranded=pd.DataFrame(
            rows.stranded, columns=["period", "origin", "rate", "volume"]
        ).set_index(["period", "origin"]),
        shares=pd.DataFrame(
            rows.shares, columns=["period", "kind", "key", "baseline", "scenario", "change"]
        ).set_index(["period", "kind", "key"]),
        binding=pd.DataFrame([asdict(b) for b in rows.binding], columns=analysis.BINDING_COLUMNS),
        ties=pd.DataFrame(rows.ties, columns=["period", "country", "min_share", "max_share"]),
        ladder=pd.DataFrame(
            [{k: getattr(s, k) for k in analysis.LADDER_COLUMNS} for s in rows.ladder],
            columns=analysis.LADDER_COLUMNS,
        ),
        ladder_limits=pd.DataFrame(limits, columns=analysis.LADDER_LIMIT_COLUMNS),
        baseline=_baseline_of({p["baseline"] for p in rows.periods}),
    )
