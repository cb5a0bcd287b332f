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

__version__ = "0.1.0"
