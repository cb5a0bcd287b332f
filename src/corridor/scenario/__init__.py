"""Scenarios: named what-ifs in YAML, validated by pydantic and against the network.

A scenario file::

    name: cpc-terminal-outage-2m
    description: The CPC marine terminal stops loading for two months.
    start: 2025-03-01          # a date range (monthly periods) ...
    end: 2025-05-01
    # years: [2025]            # ... or whole years (one period a year)
    changes:
      - type: capacity_factor  # share of capacity left on a route, over a date range
        route: cpc
        factor: 0

Change types: ``capacity_factor`` (route, factor, optional start/end), ``set_capacity`` (route or
node, value, unit, optional exporter for an allocation), ``close_country`` (every route touching
a country), ``close_operator``, ``add_route`` (id, from_node, to_node, mode, capacity, cost,
transit, chokepoints), ``supply`` (change supply at an origin node by a rate), ``target`` (ship at
least a volume on a route, e.g. 20 Mt/year via BTC: the result shows which limits stop it),
``ban`` (a commodity from an exporter into an importer, with dates and a transit exemption),
``measure`` (a sourced ban from the package's measures table, by id) and ``price`` (USD/bbl or
USD/t for the revenue at risk).

The parts: `corridor.scenario.spec` (the change types, what each refers to, and the checks
against a network), `corridor.scenario.files` (YAML files) and `corridor.scenario.apply` (what
every change does to one exporter-year: `apply_scenario` → `YearInputs`).
"""

from corridor.exceptions import ScenarioError
from corridor.scenario.apply import CapacityOverride, FactorInterval, YearInputs, apply_scenario
from corridor.scenario.files import (
    find_scenario,
    load_scenario,
    package_scenarios,
    parse_scenario,
    shift_years,
)
from corridor.scenario.spec import (
    CHANGE_TYPES,
    AddRoute,
    Ban,
    CapacityFactor,
    Change,
    CloseCountry,
    CloseOperator,
    Measure,
    PriceChange,
    Reference,
    Scenario,
    SetCapacity,
    SupplyChange,
    Target,
)

__all__ = [
    "CHANGE_TYPES",
    "AddRoute",
    "Ban",
    "CapacityFactor",
    "CapacityOverride",
    "Change",
    "CloseCountry",
    "CloseOperator",
    "FactorInterval",
    "Measure",
    "PriceChange",
    "Reference",
    "Scenario",
    "ScenarioError",
    "SetCapacity",
    "SupplyChange",
    "Target",
    "YearInputs",
    "apply_scenario",
    "find_scenario",
    "load_scenario",
    "package_scenarios",
    "parse_scenario",
    "shift_years",
]
