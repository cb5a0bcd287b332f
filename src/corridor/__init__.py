"""Corridor: how a country's exports reach the world, and what happens when a route is cut.

Architecture in one paragraph: a *data package* (CSV tables + ``datapackage.json``, every figure
sourced) is read and validated by `corridor.package` into a `Network` (pandas tables indexed by
id, plus graph views). `corridor.metrics` decomposes the observed flows into corridors and
computes dependence figures (shares by route, transit country, chokepoint, operator and
destination; HHI; exposure), each carrying the source ids it came from. A `Scenario` (YAML,
`corridor.scenario`) is applied by `corridor.reroute` period by period to the LP of
`corridor.solve` (HiGHS), giving a `Result`: re-routed and stranded volume, revenue at risk,
shares before and after, binding limits. Views (`corridor.views`) and the CLI (`corridor.cli`)
only present what the model computed; the model never imports them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from corridor.claims import Claim, check_claims
    from corridor.exceptions import (
        ClaimsError,
        CorridorError,
        PackageValidationError,
        Problem,
        ScenarioError,
        UnitError,
    )
    from corridor.metrics import YearMetrics, compute, summary
    from corridor.network import Network
    from corridor.package import load_package, validate_package
    from corridor.reroute import Result, replay, reroute
    from corridor.scenario import Scenario, load_scenario

#: Where each public name lives. Imported on first use (PEP 562), so ``import corridor`` and
#: ``corridor --help`` stay fast.
_HOMES = {
    "Claim": "corridor.claims",
    "check_claims": "corridor.claims",
    "ClaimsError": "corridor.exceptions",
    "CorridorError": "corridor.exceptions",
    "PackageValidationError": "corridor.exceptions",
    "Problem": "corridor.exceptions",
    "ScenarioError": "corridor.exceptions",
    "UnitError": "corridor.exceptions",
    "YearMetrics": "corridor.metrics",
    "compute": "corridor.metrics",
    "summary": "corridor.metrics",
    "Network": "corridor.network",
    "load_package": "corridor.package",
    "validate_package": "corridor.package",
    "Result": "corridor.reroute",
    "replay": "corridor.reroute",
    "reroute": "corridor.reroute",
    "Scenario": "corridor.scenario",
    "load_scenario": "corridor.scenario",
}

__all__ = [
    "Claim",
    "ClaimsError",
    "CorridorError",
    "Network",
    "PackageValidationError",
    "Problem",
    "Result",
    "Scenario",
    "ScenarioError",
    "UnitError",
    "YearMetrics",
    "check_claims",
    "compute",
    "load_package",
    "load_scenario",
    "replay",
    "reroute",
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
