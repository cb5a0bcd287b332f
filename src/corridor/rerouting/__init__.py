"""Re-routing: what-if runs of a scenario on the LP, period by period, and event replays.

The steps, each public: `corridor.scenario.apply_scenario` (what the scenario does to an
exporter-year) → `RerouteProblem` (the LP's arrays and capacity rules, `problem`) →
`corridor.solve.RerouteModel` (the LP) → `reroute` (`run`: periods, flows, shares before and
after) with binding limits, ties and the target ladder (`analysis`) → `RerouteResult`.
`replay` (`events`) runs a year's dated events month by month beside the reported losses.
"""

from corridor.rerouting.analysis import BindingLimit, LadderLimit, LadderStep
from corridor.rerouting.events import Replay, replay
from corridor.rerouting.problem import (
    CapSource,
    Period,
    RerouteProblem,
    capacity_left,
    day_factor,
    scale_capacity,
)
from corridor.rerouting.run import RerouteResult, Result, periods_of, reroute

__all__ = [
    "BindingLimit",
    "CapSource",
    "LadderLimit",
    "LadderStep",
    "Period",
    "Replay",
    "RerouteProblem",
    "RerouteResult",
    "Result",
    "capacity_left",
    "day_factor",
    "periods_of",
    "replay",
    "reroute",
    "scale_capacity",
]
