"""`make bench` (part 3): claim extraction precision and recall, verdict accuracy, speed."""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

import corridor
from claims_eval import EVAL, score
from corridor.claims import check_claims


def main() -> None:
    n = corridor.load_package()
    t0 = time.perf_counter()
    s = score(n)
    seconds = time.perf_counter() - t0
    print(
        f"claims eval ({EVAL.name}): {s.expected} labelled claims; extracted {s.extracted}, "
        f"matched {s.matched}"
    )
    print(
        f"precision {s.precision:.3f} (target >= 0.95), recall {s.recall:.3f} (target >= 0.9), "
        f"verdict accuracy {s.verdict_accuracy:.3f}; {seconds:.2f} s"
    )
    for label, rows in (("missed", s.misses), ("extra", s.extras), ("wrong", s.wrong_verdicts)):
        for r in rows:
            print(f"  {label}: {r}")
    article = " ".join(
        [
            "Kazakhstan exported 78.7 million tons of crude in 2025, and more than "
            "80% of its oil crossed Russia. In a referendum, 71% voted yes."
        ]
        * 2000
    )
    t0 = time.perf_counter()
    found = check_claims(article, network=n)
    print(
        f"a {len(article) / 1e6:.2f} M-character article: {len(found)} claims in "
        f"{time.perf_counter() - t0:.1f} s"
    )


if __name__ == "__main__":
    main()
