"""Cell formatters: the one set every view uses, with one policy for missing values.

A missing value (``None``, ``NaN``, ``pandas.NA``) always prints as an em dash, `DASH`.

Examples
--------
>>> pct(0.8234), pct(None), pct(float("nan"))
('82.3%', '—', '—')
>>> num(1234.5678), num(6988.2, 0), money(34_635_873_798.8)
('1,234.57', '6,988', '34,636')
>>> gap(-0.48), points(-0.0123)
('-0.48', '-1.2 pt')
"""

from __future__ import annotations

import math
from typing import Any

#: What a missing value prints as.
DASH = "—"
#: USD in one million USD (money columns are in USD m).
USD_PER_MILLION = 1e6


def missing(x: Any) -> bool:
    """Return True for a missing value: None, NaN or pandas.NA."""
    if x is None:
        return True
    try:
        return math.isnan(float(x))
    except TypeError:  # pandas.NA and NaT refuse float() but are gaps all the same
        return type(x).__name__ in ("NAType", "NaTType")
    except ValueError:
        return False


def pct(x: Any, places: int = 1) -> str:
    """Format a share in [0, 1] as a percentage."""
    return DASH if missing(x) else f"{100 * float(x):.{places}f}%"


def num(x: Any, places: int = 2) -> str:
    """Format a number with thousands separators and `places` decimals."""
    return DASH if missing(x) else f"{float(x):,.{places}f}"


def money(x: Any) -> str:
    """Format an amount in USD as whole millions of USD."""
    return DASH if missing(x) else f"{float(x) / USD_PER_MILLION:,.0f}"


def gap(x: Any, places: int = 2) -> str:
    """Format a signed difference (a change, a modelled-minus-reported gap)."""
    return DASH if missing(x) else f"{float(x):+,.{places}f}"


def points(x: Any) -> str:
    """Format a change of a share as signed percentage points."""
    return DASH if missing(x) else f"{100 * float(x):+.1f} pt"


def text(x: Any) -> str:
    """Format any value as text; a missing one as a dash, an empty string stays empty."""
    return DASH if missing(x) else str(x)


def arrow(before: Any, after: Any, fmt: Any = pct) -> str:
    """Format a before → after pair with the same formatter."""
    return f"{fmt(before)} → {fmt(after)}"


def cell(value: Any, kind: str, places: int = 2) -> str:
    """Format a table cell by its column kind (see `corridor.views.model.Col`)."""
    if kind == "pct":
        return pct(value)
    if kind == "num":
        return num(value, places)
    if kind == "money":
        return money(value)
    if kind == "gap":
        return gap(value, places)
    if kind == "int":
        return DASH if missing(value) else f"{int(value):,}"
    return text(value)
