"""One loaded network used from several threads (the web server's): no crash, the same figures.

HiGHS is not thread-safe; a cached reconciliation or re-routing model re-solved from two threads
at once crashed the interpreter (SIGSEGV). The script runs in a subprocess so a crash fails the
test instead of killing the test run.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent(
    """
    import threading
    import corridor
    from corridor.metrics import summary

    n = corridor.load_package()
    out, errors = [], []

    def work():
        try:
            out.append(summary(n, "KAZ").round(9).to_json())
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(repr(exc))

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert len(out) == 4 and len(set(out)) == 1, "threads disagree"
    print("ok")
    """
)


def test_four_threads_compute_the_summary_of_one_network_together() -> None:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, (done.returncode, done.stderr[-2000:])
    assert done.stdout.strip().endswith("ok")
