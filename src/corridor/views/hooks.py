"""Plug the views into `corridor.display`: ``rich.print(result)`` and notebooks show tables.

Importing this module registers `rich_of` and `html_of`; `corridor.display.Displayable` loads it
by name on first display, so the model never imports a view.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from corridor import display
from corridor.views import build
from corridor.views.model import View

#: Result class name → builder of its view (the class itself is not imported here).
BUILDERS: dict[str, Callable[[Any], View]] = {
    "RerouteResult": build.scenario_view,
    "Result": build.scenario_view,
    "RiskResult": build.risk_view,
    "Replay": build.replay_view,
    "Claim": lambda c: build.claims_view([c]),
    "Estimate": build.estimate_view,
    "Explanation": build.explanation_view,
    "Reconciliation": build.reconciliation_view,
}


def view_of(result: Any) -> View:
    """Return the view of a result, chosen by its class name."""
    name = type(result).__name__
    if name in ("Dependence", "YearMetrics"):
        return build.dependence_view(result)
    if name not in BUILDERS:
        msg = f"no view for {name}; views exist for: Dependence, {', '.join(BUILDERS)}"
        raise TypeError(msg)
    view: View = BUILDERS[name](result)
    return view


def rich_of(result: Any) -> Any:
    """Return a result as a rich renderable."""
    from corridor.views.rich import render

    return render(view_of(result))


def html_of(result: Any) -> str:
    """Return a result as an HTML fragment (tables only)."""
    from corridor.views.html import fragment_html

    return fragment_html(view_of(result))


display.register(rich_of, html_of)
