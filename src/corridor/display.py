"""How result objects show themselves in a terminal or a notebook, without importing a view.

The model's result types (`Dependence`, `RerouteResult`, `RiskResult`, `Claim` …) inherit
`Displayable`. Its ``__rich__`` and ``_repr_html_`` hand the object to the renderers that
`corridor.views` registers with `register` when it is imported. The model therefore never
imports a view: the views plug themselves in, and ``Displayable`` loads the view package by
name on first display (as a plugin), so a notebook needs no extra import.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

#: The view package that registers renderers; loaded by name on first display.
VIEWS_PACKAGE = "corridor.views.hooks"

_rich: Callable[[Any], Any] | None = None
_html: Callable[[Any], str] | None = None


def register(rich: Callable[[Any], Any], html: Callable[[Any], str]) -> None:
    """Set the functions that turn a result into a rich renderable and into HTML."""
    global _rich, _html
    _rich, _html = rich, html


def _load() -> None:
    if _rich is None or _html is None:
        importlib.import_module(VIEWS_PACKAGE)


class Displayable:
    """Mixin: ``rich.print(result)`` shows its tables; a notebook shows them as HTML."""

    def __rich__(self) -> Any:
        """Return a rich renderable of this result, built by the registered view."""
        _load()
        assert _rich is not None, f"{VIEWS_PACKAGE} did not register a renderer"
        return _rich(self)

    def _repr_html_(self) -> str:
        _load()
        assert _html is not None, f"{VIEWS_PACKAGE} did not register a renderer"
        return _html(self)
