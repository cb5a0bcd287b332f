"""The claim checker takes linear time on hostile text: doubling the input at most ~doubles it.

Each generator builds a text of about ``n`` characters of one kind of hostile input (the cases
of issue 15 and their relatives). The check of ``2n`` may take at most `RATIO` times the check
of ``n`` plus `SLACK` seconds (the median of `RUNS` runs each, as the machine is shared); a
quadratic reader takes four times as long and fails. `make bench` prints the same timings.
"""

from __future__ import annotations

import datetime
import statistics
import time
from collections.abc import Callable

import pytest

import corridor
from corridor.claims import check_article

DATE = datetime.date(2026, 3, 1)
#: The most ``t(2n) / t(n)`` may be (2 for a linear reader; 4 for a quadratic one).
RATIO = 2.5
#: Seconds of slack for noise and constant costs (the package's context, start-up).
SLACK = 0.15
RUNS = 3


def _claims(n: int) -> str:
    """One long sentence of about ``n // 48`` claims, each naming its exporter and route."""
    k = max(1, n // 48)
    return ", ".join(f"Kazakhstan shipped {i}.5 Mt via CPC in 2025" for i in range(k)) + "."


def _cycle(unit: str) -> Callable[[int], str]:
    return lambda n: (unit * (n // len(unit) + 1))[:n]


#: name -> (a text of about n characters, n for the test)
GENERATORS: dict[str, tuple[Callable[[int], str], int]] = {
    "digits": (_cycle("1"), 120_000),
    "comma-grouped": (_cycle("1,000,"), 40_000),
    "percent spam": (_cycle("%"), 40_000),
    "one sentence of claims": (_claims, 1_200),
    "spaces": (lambda n: "Kazakhstan exported 5" + " " * n + "million tons.", 200_000),
    "dots": (_cycle("."), 40_000),
    "dashes and digits": (_cycle("1.5-"), 20_000),
    "parentheses": (lambda n: "(" * (n // 2) + "5 Mt" + ")" * (n // 2), 40_000),
    "unicode digits": (_cycle("١٢٣٤"), 80_000),
    "mn mn mn": (lambda n: "5 " + _cycle("mn ")(n), 30_000),
    "month names": (lambda n: "In " + _cycle("January ")(n) + " 2025 it was 5 Mt.", 30_000),
    "country names": (lambda n: _cycle("Kazakhstan ")(n) + "exported 5 Mt.", 50_000),
    "one word": (_cycle("a"), 150_000),
    "numbers and spaces": (_cycle("1 "), 10_000),
}


def seconds(n: corridor.Network, text: str, runs: int = RUNS) -> float:
    """Return the median time of checking `text` (no time budget), in seconds."""
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        check_article(text, n=n, date=DATE, budget_s=None)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


@pytest.mark.parametrize("name", list(GENERATORS))
def test_doubling_the_text_at_most_doubles_the_time(
    kazakhstan: corridor.Network, name: str
) -> None:
    make, size = GENERATORS[name]
    check_article("warm up", n=kazakhstan, date=DATE)
    t1 = seconds(kazakhstan, make(size))
    t2 = seconds(kazakhstan, make(2 * size))
    print(f"{name}: n={size} {t1:.3f} s, 2n {t2:.3f} s, ratio {t2 / t1:.2f}")
    assert t2 <= RATIO * t1 + SLACK, (name, t1, t2)
