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

An estimate (`corridor.reconciliation.Estimate`, or its JSON form) prints by one policy,
`estimate`: pinned, the value and its interval; not pinned, the interval only, never a point.

>>> from corridor.reconciliation import Estimate
>>> estimate(Estimate(0.951, 0.938, 0.970, "share", True))
'95.1 % (93.8–97.0)'
>>> estimate(Estimate(0.9, 0.786, 1.0, "share", False))
'78.6–100 %'
>>> estimate({"value": 73.4, "low": 71.85, "high": None, "unit": "Mt/year", "pinned": False})
'≥ 71.8 Mt/year'
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


def _end(x: Any) -> float:
    """Return one end of an interval as a float (None, as JSON writes infinity, is inf)."""
    return math.inf if x is None else float(x)


def parts(e: Any) -> tuple[float, float, float, str, bool]:
    """Return (value, low, high, unit, pinned) of an estimate or of its JSON form."""
    if isinstance(e, dict):
        value = e.get("value")
        low, high = e.get("low", value), e.get("high", value)
        return (
            math.nan if value is None else float(value),
            0.0 if low is None else float(low),
            _end(high),
            str(e.get("unit", "")),
            bool(e.get("pinned", True)),
        )
    return float(e.value), float(e.low), _end(e.high), str(e.unit), bool(e.pinned)


def _bound(x: float, places: int) -> str:
    s = f"{x:,.{places}f}"
    return s.rstrip("0").rstrip(".") if float(s) in (0.0, 100.0) else s


def estimate(e: Any, places: int = 1) -> str:
    """Format an estimate: pinned ``95.1 % (93.8–97.0)``; not pinned ``78.6–100 %`` (range only).

    A missing estimate or value prints as `DASH`; an unbounded high end as ``≥ low``. Shares
    (unit ``share``) print as percentages; volumes with their unit.
    """
    if not isinstance(e, dict) and not hasattr(e, "value"):
        return DASH if missing(e) else text(e)
    value, low, high, unit, pinned = parts(e)
    if missing(value) and missing(low):
        return DASH
    scale, suffix = (100.0, " %") if unit == "share" else (1.0, f" {unit}" if unit else "")
    lo = _bound(scale * low, places)
    if math.isinf(high):
        return f"≥ {lo}{suffix}"
    hi = _bound(scale * high, places)
    if lo == hi and high > low and places < 3:  # a range narrower than the rounding: show it
        return estimate(e, places + 1)
    if pinned and not missing(value):
        return f"{scale * value:,.{places}f}{suffix} ({lo}–{hi})"
    return f"{lo}–{hi}{suffix}"


def cell(value: Any, kind: str, places: int = 2) -> str:
    """Format a table cell by its column kind (see `corridor.views.model.Col`)."""
    if kind == "est":
        return estimate(value, 1 if places == 2 else places)
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


#: First characters that make a spreadsheet read a cell as a formula (OWASP CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> Any:
    r"""Return a CSV cell safe to open in a spreadsheet (text starting a formula is escaped).

    Text that starts with ``= + - @``, a tab or a carriage return gets a leading apostrophe;
    numbers (negative ones too) are left as they are.

    Examples
    --------
    >>> csv_cell("=cmd|' /C calc'!A0"), csv_cell("-1+2"), csv_cell("\tx"), csv_cell("BTC")
    ("'=cmd|' /C calc'!A0", "'-1+2", "'\tx", 'BTC')
    >>> csv_cell(-3.5), csv_cell(2024), csv_cell(None)
    (-3.5, 2024, None)
    """
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def csv_row(row: dict[str, Any]) -> dict[str, Any]:
    """Return a record with every cell made safe by `csv_cell`."""
    return {k: csv_cell(v) for k, v in row.items()}
