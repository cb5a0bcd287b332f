"""The claim checker takes linear time on hostile text: doubling the input at most ~doubles it.

Each generator builds a text of about ``n`` characters of one kind of hostile input (the cases
of issue 15 and their relatives). The check of ``2n`` may take at most `RATIO` times the check
of ``n`` plus `SLACK` seconds; a quadratic reader takes four times as long and fails. The
machine is shared, so each time is the process's CPU time (not the wall clock), the least of
`RUNS` runs, and a pair that misses is measured once more before the test fails. `make bench`
prints the same timings.
"""

from __future__ import annotations

import datetime
import time
from collections.abc import Callable

import pytest

import corridor
from corridor.claims import check_article

DATE = datetime.date(2026, 3, 1)
#: The most ``t(2n) / t(n)`` may be (2 for a linear reader; 4 for a quadratic one).
RATIO = 2.5
#: Seconds of slack (CPU time) for noise and constant costs (the package's context).
SLACK = 0.05
RUNS = 2


def _claims(n: int) -> str:
    """One long sentence of about ``n // 48`` claims, each naming its exporter and route."""
    k = max(1, n // 48)
    return ", ".join(f"Kazakhstan shipped {i}.5 Mt via CPC in 2025" for i in range(k)) + "."


def _cycle(unit: str) -> Callable[[int], str]:
    return lambda n: (unit * (n // len(unit) + 1))[:n]


#: name -> (a text of about n characters, n for the test)
GENERATORS: dict[str, tuple[Callable[[int], str], int]] = {
    "digits": (_cycle("1"), 240_000),
    "comma-grouped": (_cycle("1,000,"), 80_000),
    "percent spam": (_cycle("%"), 80_000),
    "one sentence of claims": (_claims, 2_400),
    "spaces": (lambda n: "Kazakhstan exported 5" + " " * n + "million tons.", 200_000),
    "dots": (_cycle("."), 80_000),
    "dashes and digits": (_cycle("1.5-"), 40_000),
    "parentheses": (lambda n: "(" * (n // 2) + "5 Mt" + ")" * (n // 2), 80_000),
    "unicode digits": (_cycle("١٢٣٤"), 160_000),
    "mn mn mn": (lambda n: "5 " + _cycle("mn ")(n), 60_000),
    "month names": (lambda n: "In " + _cycle("January ")(n) + " 2025 it was 5 Mt.", 60_000),
    "country names": (lambda n: _cycle("Kazakhstan ")(n) + "exported 5 Mt.", 100_000),
    "one word": (_cycle("a"), 240_000),
    "numbers and spaces": (_cycle("1 "), 20_000),
}


def seconds(n: corridor.Network, text: str, runs: int = RUNS) -> float:
    """Return the CPU time of checking `text` (no time budget), the least of `runs`, in s."""
    times = []
    for _ in range(runs):
        t = time.process_time()
        check_article(text, n=n, date=DATE, budget_s=None)
        times.append(time.process_time() - t)
    return min(times)


def doubling(n: corridor.Network, make: Callable[[int], str], size: int) -> tuple[float, float]:
    """Return the times of checking `make(size)` and `make(2 * size)`, measured again on a miss."""
    t1, t2 = seconds(n, make(size)), seconds(n, make(2 * size))
    if t2 > RATIO * t1 + SLACK:  # a noisy neighbour; a quadratic reader misses again
        t1, t2 = seconds(n, make(size)), seconds(n, make(2 * size))
    return t1, t2


@pytest.mark.parametrize("name", list(GENERATORS))
def test_doubling_the_text_at_most_doubles_the_time(
    kazakhstan: corridor.Network, name: str
) -> None:
    make, size = GENERATORS[name]
    check_article("warm up", n=kazakhstan, date=DATE)
    t1, t2 = doubling(kazakhstan, make, size)
    print(f"{name}: n={size} {t1:.3f} s, 2n {t2:.3f} s, ratio {t2 / t1:.2f}")
    assert t2 <= RATIO * t1 + SLACK, (name, t1, t2)
