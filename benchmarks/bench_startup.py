"""`make bench` (startup): how long ``corridor --help`` and a short claims check take.

Each is a fresh interpreter, as a user meets it (``python -m corridor``, which is what the
``corridor`` script runs); the median of several runs is printed beside its target (issue 16:
``--help`` under 0.3 s, a claims check of a two-sentence article under 0.5 s). The claims check
is timed with the cache warm (the usual case: the first command after an install or an upgrade
fills it; for a claims check, the package's facts and the figures the article asks for,
`corridor.claims.facts`, so a warm check imports neither pandas, SciPy, HiGHS nor pint) and
with it off (``CORRIDOR_NO_CACHE=1``), each in a cache folder of its own.
The versions of Python, HiGHS and PyPSA are printed first.
"""

from __future__ import annotations

import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path

RUNS = 5
#: A short article of our own (no third-party text): one claim about the model, one change.
ARTICLE = (
    "Kazakhstan shipped 1.2 million tonnes of oil via the Caspian Pipeline Consortium in 2024. "
    "Exports through Russia fell by 10 percent in 2025.\n"
)


def versions() -> str:
    """Return the versions of Python, HiGHS (highspy) and PyPSA, as one line."""
    found = []
    for label, dist in (("HiGHS (highspy)", "highspy"), ("PyPSA", "pypsa")):
        try:
            found.append(f"{label} {metadata.version(dist)}")
        except metadata.PackageNotFoundError:
            found.append(f"{label} not installed")
    return f"Python {platform.python_version()}, " + ", ".join(found)


def median_seconds(cmd: list[str], env: dict[str, str]) -> float:
    """Return the median wall time of `RUNS` fresh runs of `cmd` (after one unmeasured run)."""
    subprocess.run(cmd, check=True, capture_output=True, env=env)  # warm disk, fill the cache
    times = []
    for _ in range(RUNS):
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True, env=env)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    corridor = [sys.executable, "-m", "corridor"]
    print(f"startup (median of {RUNS} fresh interpreters): {versions()}")
    with tempfile.TemporaryDirectory() as tmp:
        article = Path(tmp) / "article.txt"
        article.write_text(ARTICLE, encoding="utf-8")
        warm = {**os.environ, "XDG_CACHE_HOME": str(Path(tmp) / "cache")}
        warm.pop("CORRIDOR_NO_CACHE", None)
        off = {**warm, "CORRIDOR_NO_CACHE": "1"}
        check = [*corridor, "claims", "check", str(article)]
        cases = [
            ("corridor --help", [*corridor, "--help"], warm, 0.3),
            ("corridor claims check (short)", check, warm, 0.5),
            ("  same, CORRIDOR_NO_CACHE=1", check, off, None),
            ("python -c 'import corridor'", [sys.executable, "-c", "import corridor"], warm, None),
        ]
        for label, cmd, env, target in cases:
            seconds = median_seconds(cmd, env)
            if target is None:
                verdict = "(no target)"
            else:
                ok = "ok" if seconds < target else "ABOVE TARGET"
                verdict = f"(target < {target:g} s: {ok})"
            print(f"  {label:32s} {seconds:6.3f} s   {verdict}")


if __name__ == "__main__":
    main()
