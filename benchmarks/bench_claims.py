"""`make bench` (part 3): the claim checker on real news and on its own set, and its speed.

The real-news development set (`../shared/claims-dev/`, 40 third-party excerpts, read from
there and never copied) is scored by its own scorer, run on this checkout's `corridor`; it
prints precision, recall, linking, verdict accuracy and the share of mutated claims caught. A
clone without the set says so and goes on.

Then the doubling check of issue 15: for each kind of hostile text (a run of digits, comma
groups, "%" spam, one sentence of hundreds of claims …; the generators of
``tests/test_claims_linear.py``) the check of ``n`` and ``2n`` characters, their ratio and the
target beside it (linear: at most ``RATIO`` times, plus a little slack).
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import time
from pathlib import Path
from types import ModuleType

import corridor
from corridor.claims import check_claims
from corridor.claims.check import BUDGET_S
from corridor.claims.evaluation import read_labelled_set, score

ROOT = Path(__file__).resolve().parents[1]
EVAL = ROOT / "tests" / "data" / "claims_eval.yaml"
DEV_SET = ROOT.parent / "shared" / "claims-dev" / "score.py"
#: What the real-news set is held to (issue 13): each of the four figures of its summary line.
TARGETS = "precision >= 0.9, recall >= 0.9, verdict accuracy >= 0.9, mutated caught >= 0.9"


def real_news() -> None:
    """Score the checker on the real-news development set, when this machine has it."""
    if not DEV_SET.exists():
        print(f"real-news development set not found at {DEV_SET}; skipped")
        return
    exe = Path(sys.executable).with_name("corridor")
    out = subprocess.run(
        [sys.executable, str(DEV_SET), str(exe), "--out", str(ROOT / ".bench-claims-dev")],
        capture_output=True,
        text=True,
        check=False,
    )
    lines = out.stdout.splitlines()
    keep = [
        line
        for line in lines
        if line.startswith(("claims dev set", "  over 5 s", "  crashed"))
        or "rated contradicted, of all changed" in line
        or line.strip().startswith(("metric+via+year", "accuracy on matched"))
    ]
    print("real-news development set (../shared/claims-dev, third-party text, not copied):")
    for line in keep or lines[-5:] or [out.stderr[-500:]]:
        print(f"  {line.strip()}")
    print(f"  targets: {TARGETS}")


def _linear_tests() -> ModuleType:
    path = ROOT / "tests" / "test_claims_linear.py"
    spec = importlib.util.spec_from_file_location("claims_linear", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def doubling(n: corridor.Network) -> None:
    """Print the time of checking n and 2n characters of each kind of hostile text."""
    lin = _linear_tests()
    print(
        f"claims on hostile text, doubling the input (CPU time, least of {lin.RUNS} runs; target: "
        f"t(2n) <= {lin.RATIO:g} t(n) + {lin.SLACK:g} s, linear ~2, quadratic ~4):"
    )
    lin.seconds(n, "warm up", 1)
    for name, (make, size) in lin.GENERATORS.items():
        t1, t2 = lin.doubling(n, make, size)
        verdict = "ok" if t2 <= lin.RATIO * t1 + lin.SLACK else "TOO SLOW"
        print(
            f"  {name:24s} n={size:>7,d}: {t1:6.3f} s, 2n: {t2:6.3f} s, ratio "
            f"{t2 / t1:5.2f} (target: 2n <= {lin.RATIO * t1 + lin.SLACK:.3f} s) {verdict}"
        )


def main() -> None:
    real_news()
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
        f"verdict accuracy {s.verdict_accuracy:.3f}, set aside {s.aside_matched}/"
        f"{s.aside_expected}; {seconds:.2f} s (self-written: optimistic)"
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
    found = check_claims(article, n=n, budget_s=None)
    print(
        f"a {len(article) / 1e6:.2f} M-character article: {len(found)} claims in "
        f"{time.perf_counter() - t0:.1f} s (no time budget; the default stops a check after "
        f"{BUDGET_S:g} s)"
    )
    doubling(n)


if __name__ == "__main__":
    main()
