"""Corridor: how a country's exports reach the world, and what happens when a route is cut.

Architecture in one paragraph: a *data package* (CSV tables + ``datapackage.json``, every figure
sourced) is read, checked and built by `corridor.package` (``read`` → ``checks`` → ``build``)
into a `Network` (pandas tables indexed by id, graph views, and `Network.in_force`, the one
lookup of a figure in force in a year). `corridor.metrics.dependence` decomposes a flow table
(the observed flows, or a scenario's) into corridors and computes the dependence figures: shares
by route, transit country, chokepoint, operator and destination, HHI and exposure, each carrying
the source ids it came from. A `Scenario` (YAML, `corridor.scenario`) is turned into one
exporter-year's inputs by `corridor.scenario.apply_scenario`; `corridor.rerouting.RerouteProblem`
holds the LP's arrays and capacity rules, `corridor.solve` solves it on HiGHS, and
`corridor.rerouting.reroute` gives a `RerouteResult` (re-routed and stranded volume, revenue at
risk, shares before and after, typed binding limits, ties, the target ladder). `corridor.risk`
samples outages on the same problem (locally or on Dask); `corridor.interdependence` builds the
two-way ledger of two countries; `corridor.claims` checks the numbers of an article (text →
extract → link → normalise → judge). Views (`corridor.views`: one view model per result, a
rich and an HTML renderer) and the edges (`corridor.cli`, `corridor.web`, `corridor.store`) only
present what the model computed; the model never imports them (``tests/test_layers.py``).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from corridor.claims import Claim, check_article, check_claims
    from corridor.exceptions import (
        ClaimsError,
        CorridorError,
        InvalidArgumentError,
        NoFlowsError,
        PackageValidationError,
        Problem,
        ProblemsError,
        RunStoreError,
        ScenarioError,
        SolverError,
        UnitError,
        UnknownError,
    )
    from corridor.interdependence import LedgerRow, ledger
    from corridor.metrics import (
        Dependence,
        YearMetrics,
        compute,
        dependence,
        flow_paths,
        latest_year,
        summary,
    )
    from corridor.network import Network
    from corridor.package import load_package, validate_package
    from corridor.reconciliation import (
        Conflict,
        Estimate,
        Explanation,
        Reconciliation,
        reconcile,
        reconcile_warnings,
    )
    from corridor.rerouting import Replay, RerouteProblem, RerouteResult, Result, replay, reroute
    from corridor.risk import RiskProblem, RiskResult, RiskSummary, run_risk
    from corridor.scenario import Scenario, apply_scenario, load_scenario

#: Where each public name lives. Imported on first use (PEP 562), so ``import corridor`` and
#: ``corridor --help`` stay fast.
_HOMES = {
    "Claim": "corridor.claims",
    "ClaimsError": "corridor.exceptions",
    "CorridorError": "corridor.exceptions",
    "Dependence": "corridor.metrics",
    "InvalidArgumentError": "corridor.exceptions",
    "LedgerRow": "corridor.interdependence",
    "Network": "corridor.network",
    "NoFlowsError": "corridor.exceptions",
    "PackageValidationError": "corridor.exceptions",
    "Problem": "corridor.exceptions",
    "ProblemsError": "corridor.exceptions",
    "Replay": "corridor.rerouting",
    "RerouteProblem": "corridor.rerouting",
    "RerouteResult": "corridor.rerouting",
    "Result": "corridor.rerouting",
    "RiskProblem": "corridor.risk",
    "RiskResult": "corridor.risk",
    "RiskSummary": "corridor.risk",
    "RunStoreError": "corridor.exceptions",
    "Scenario": "corridor.scenario",
    "ScenarioError": "corridor.exceptions",
    "SolverError": "corridor.exceptions",
    "UnitError": "corridor.exceptions",
    "UnknownError": "corridor.exceptions",
    "YearMetrics": "corridor.metrics",
    "apply_scenario": "corridor.scenario",
    "check_article": "corridor.claims",
    "check_claims": "corridor.claims",
    "compute": "corridor.metrics",
    "dependence": "corridor.metrics",
    "flow_paths": "corridor.metrics",
    "latest_year": "corridor.metrics",
    "ledger": "corridor.interdependence",
    "load_package": "corridor.package",
    "load_scenario": "corridor.scenario",
    "replay": "corridor.rerouting",
    "reroute": "corridor.rerouting",
    "run_risk": "corridor.risk",
    "summary": "corridor.metrics",
    "validate_package": "corridor.package",
    "Conflict": "corridor.reconciliation",
    "Estimate": "corridor.reconciliation",
    "Explanation": "corridor.reconciliation",
    "Reconciliation": "corridor.reconciliation",
    "reconcile": "corridor.reconciliation",
    "reconcile_warnings": "corridor.reconciliation",
}

__all__ = [
    "Claim",
    "ClaimsError",
    "Conflict",
    "CorridorError",
    "Dependence",
    "Estimate",
    "Explanation",
    "InvalidArgumentError",
    "LedgerRow",
    "Network",
    "NoFlowsError",
    "PackageValidationError",
    "Problem",
    "ProblemsError",
    "Reconciliation",
    "Replay",
    "RerouteProblem",
    "RerouteResult",
    "Result",
    "RiskProblem",
    "RiskResult",
    "RiskSummary",
    "RunStoreError",
    "Scenario",
    "ScenarioError",
    "SolverError",
    "UnitError",
    "UnknownError",
    "YearMetrics",
    "apply_scenario",
    "check_article",
    "check_claims",
    "compute",
    "dependence",
    "flow_paths",
    "latest_year",
    "ledger",
    "load_package",
    "load_scenario",
    "reconcile",
    "reconcile_warnings",
    "replay",
    "reroute",
    "run_risk",
    "summary",
    "validate_package",
]


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        msg = f"module 'corridor' has no attribute {name!r}"
        raise AttributeError(msg)
    value = getattr(importlib.import_module(_HOMES[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_HOMES])


__version__ = "0.1.0"
