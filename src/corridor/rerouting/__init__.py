"""Re-routing: what-if runs of a scenario on the LP, period by period, and event replays.

The steps, each public: `corridor.scenario.apply_scenario` (what the scenario does to an
exporter-year) → `RerouteProblem` (the LP's arrays and capacity rules, `problem`) →
`corridor.solve.RerouteModel` (the LP) → `reroute` (`run`: periods, flows, shares before and
after) with binding limits, ties and the target ladder (`analysis`) → `RerouteResult`.
`replay` (`events`) runs a year's dated events month by month beside the reported losses and
the losses the evidence implies. The baseline is reconciled where the package has observations
of the exporter in the year (`reconciled_baseline`), else the flows table's.
"""

from corridor.rerouting.analysis import BindingLimit, LadderLimit, LadderStep
from corridor.rerouting.events import (
    NOT_DETERMINED,
    ImpliedLoss,
    Replay,
    implied_losses,
    pinning_observations,
    replay,
)
from corridor.rerouting.problem import (
    BaselineKind,
    CapSource,
    Period,
    RerouteProblem,
    capacity_left,
    day_factor,
    reconciled_baseline,
    scale_capacity,
)
from corridor.rerouting.run import RerouteResult, Result, periods_of, reroute

__all__ = [
    "NOT_DETERMINED",
    "BaselineKind",
    "BindingLimit",
    "CapSource",
    "ImpliedLoss",
    "LadderLimit",
    "LadderStep",
    "Period",
    "Replay",
    "RerouteProblem",
    "RerouteResult",
    "Result",
    "capacity_left",
    "day_factor",
    "implied_losses",
    "periods_of",
    "pinning_observations",
    "reconciled_baseline",
    "replay",
    "reroute",
    "scale_capacity",
]
