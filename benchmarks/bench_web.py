"""`make bench` (part 4): a bounded load test of `corridor serve` on loopback.

N concurrent clients, for a fixed time, read metrics and start scenario runs; then every started
run must be finished and stored. Prints requests/s and p50/p95 latency per kind of request.
"""

from __future__ import annotations

import argparse
import socket
import statistics
import tempfile
import threading
import time
from pathlib import Path

import httpx
import uvicorn

import corridor
from corridor.store import Store
from corridor.web.app import create_app


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--seconds", type=float, default=10.0)
    args = ap.parse_args()
    store = Store(f"sqlite:///{Path(tempfile.mkdtemp()) / 'runs.db'}")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(corridor.load_package(), store),
            host="127.0.0.1",
            port=port,
            log_level="error",
        )
    )
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    base = f"http://127.0.0.1:{port}"
    latencies: dict[str, list[float]] = {"GET /api/metrics": [], "POST /api/runs": []}
    started: list[str] = []
    failures: list[str] = []
    lock = threading.Lock()
    stop = time.perf_counter() + args.seconds
    scenarios = ["ceyhan-20", "russia-transit-closed", "druzhba-germany-stopped"]

    def client(k: int) -> None:
        with httpx.Client(base_url=base, timeout=60) as c:
            i = 0
            while time.perf_counter() < stop:
                i += 1
                t = time.perf_counter()
                if i % 4 == 0:
                    r = c.post(
                        "/api/runs", json={"kind": "scenario", "scenario": scenarios[(k + i) % 3]}
                    )
                    key = "POST /api/runs"
                else:
                    r = c.get("/api/metrics", params={"year": 2021 + (k + i) % 5})
                    key = "GET /api/metrics"
                dt = time.perf_counter() - t
                with lock:
                    latencies[key].append(dt)
                    if r.status_code >= 400:
                        failures.append(f"{key}: {r.status_code}")
                    elif key.startswith("POST"):
                        started.append(r.json()["id"])

    threads = [threading.Thread(target=client, args=(k,)) for k in range(args.clients)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    server.should_exit = True
    total = sum(len(v) for v in latencies.values())
    print(
        f"load test: {args.clients} clients for {args.seconds:.0f} s on loopback: "
        f"{total} requests, {total / wall:.1f} requests/s, {len(failures)} failed"
    )
    for key, values in latencies.items():
        if values:
            q = statistics.quantiles(values, n=20)
            print(
                f"  {key:<18} {len(values):>6} requests  p50 {1e3 * statistics.median(values):7.1f}"
                f" ms  p95 {1e3 * q[18]:7.1f} ms"
            )
    stored = {r.id: r.status for r in store.list(limit=10_000)}
    missing = [i for i in started if stored.get(i) != "done"]
    print(f"  runs started {len(started)}, finished and stored {len(started) - len(missing)}")
    if failures or missing:
        msg = f"load test failed: {failures[:5]} {missing[:5]}"
        raise SystemExit(msg)


if __name__ == "__main__":
    main()
