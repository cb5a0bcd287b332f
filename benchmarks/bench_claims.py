"""`make bench` (part 3): claim extraction precision and recall, verdict accuracy, speed."""

from __future__ import annotations

import time
from pathlib import Path

import corridor
from corridor.claims import check_claims
from corridor.claims.evaluation import read_labelled_set, score

EVAL = Path(__file__).resolve().parents[1] / "tests" / "data" / "claims_eval.yaml"


def main() -> None:
    n = corridor.load_package()
    items = read_labelled_set(EVAL)
    t0 = time.perf_counter()
    s = score(n, items)
    seconds = time.perf_counter() - t0
    print(
        f"claims eval ({EVAL.name}): {len(items)} sentences, {s.expected} labelled claims; "
        f"extracted {s.extracted}, matched {s.matched}"
    )
    print(
        f"precision {s.precision:.3f} (target >= 0.95), recall {s.recall:.3f} (target >= 0.9), "
        f"verdict accuracy {s.verdict_accuracy:.3f}; {seconds:.2f} s"
    )
    for line in s.errors():
        print(f"  {line}")
    article = " ".join(
        [
            "Kazakhstan exported 78.7 million tons of crude in 2025, and more than "
            "80% of its oil crossed Russia. In a referendum, 71% voted yes."
        ]
        * 2000
    )
    t0 = time.perf_counter()
    found = check_claims(article, n=n)
    print(
        f"a {len(article) / 1e6:.2f} M-character article: {len(found)} claims in "
        f"{time.perf_counter() - t0:.1f} s"
    )


if __name__ == "__main__":
    main()
