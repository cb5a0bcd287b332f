"""`make bench` (startup): how long ``corridor --help`` and ``import corridor`` take.

Each is a fresh interpreter, as a user meets it; the median of several runs is printed beside
its target (issue 11: ``--help`` under 1 s on the project's machine).
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

BIN = Path(sys.executable).parent
RUNS = 5


def median_seconds(cmd: list[str]) -> float:
    times = []
    for _ in range(RUNS):
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    cases = [
        ("corridor --help", [str(BIN / "corridor"), "--help"], 1.0),
        ("python -c 'import corridor'", [sys.executable, "-c", "import corridor"], 1.0),
        (
            "python -c 'import corridor.cli'",
            [sys.executable, "-c", "import corridor.cli"],
            1.0,
        ),
    ]
    print(f"startup (median of {RUNS} fresh interpreters)")
    for label, cmd, target in cases:
        seconds = median_seconds(cmd)
        verdict = "ok" if seconds < target else "ABOVE TARGET"
        print(f"  {label:32s} {seconds:6.3f} s   (target < {target:g} s: {verdict})")


if __name__ == "__main__":
    main()
