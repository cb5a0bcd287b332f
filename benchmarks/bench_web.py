"""`make bench` (part 6): a bounded load test of `corridor serve` on loopback.

Starts ``corridor serve`` in a subprocess on a free port, then reads ``GET /api/metrics`` with 8
and then 32 concurrent clients (threads, ``http.client``: no third-party HTTP client), first on
an idle server, then while a CPU-heavy risk run and a stream of scenario runs are going (they run
in the server's worker processes). Prints p50/p95 latency per phase: reads must not stall behind
a run. Bounded: about 40 s in all. Exits non-zero when a read fails or p95 under load is over
`STALL` seconds.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

#: A read slower than this (p95, seconds) under load counts as a stall.
STALL = 2.0


def free_port() -> int:
    """Return a port nobody listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def request(
    conn: http.client.HTTPConnection, method: str, path: str, body: Any = None
) -> tuple[int, Any]:
    """Send one request on a kept-alive connection; return the status and the JSON answer."""
    data = None if body is None else json.dumps(body).encode()
    headers = {"Content-Type": "application/json"} if data else {}
    conn.request(method, path, body=data, headers=headers)
    r = conn.getresponse()
    return r.status, json.loads(r.read() or b"null")


def start_server(port: int, db: str) -> subprocess.Popen[bytes]:
    """Start ``corridor serve`` and wait until it answers (at most 60 s)."""
    src = Path(__file__).resolve().parents[1] / "src"
    env = {**os.environ, "PYTHONPATH": f"{src}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    cmd = [sys.executable, "-m", "corridor", "serve", "--port", str(port), "--db", db]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            if request(conn, "GET", "/api/metrics")[0] == 200:  # also warms the cache
                return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    msg = "the server did not start within 60 s"
    raise SystemExit(msg)


def read_load(port: int, clients: int, seconds: float) -> tuple[list[float], int]:
    """Read metrics with `clients` threads for `seconds`; return latencies and failures."""
    latencies: list[float] = []
    failures = [0]
    lock = threading.Lock()
    stop = time.perf_counter() + seconds

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while time.perf_counter() < stop:
            t = time.perf_counter()
            try:
                status, _ = request(conn, "GET", "/api/metrics")
            except OSError:
                status = 0
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            dt = time.perf_counter() - t
            with lock:
                latencies.append(dt)
                failures[0] += status != 200

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, failures[0]


def scenario_stream(port: int, stop: threading.Event, done: list[int]) -> None:
    """Post scenario runs one after another until `stop` (each computes in a worker)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    names = ["ceyhan-20", "russia-transit-closed", "druzhba-germany-stopped"]
    i = 0
    while not stop.is_set():
        status, _ = request(conn, "POST", "/api/runs", {"kind": "scenario", "scenario": names[i]})
        done.append(status)
        i = (i + 1) % len(names)


def report(label: str, latencies: list[float], failures: int, seconds: float) -> float:
    """Print one phase's figures; return its p95 (seconds)."""
    p95 = statistics.quantiles(latencies, n=20)[18] if len(latencies) > 1 else latencies[0]
    print(
        f"  {label:<34} {len(latencies):>6} reads {len(latencies) / seconds:8.1f}/s  "
        f"p50 {1e3 * statistics.median(latencies):7.1f} ms  p95 {1e3 * p95:7.1f} ms  "
        f"failed {failures}"
    )
    return p95


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=5.0, help="Seconds per phase.")
    ap.add_argument("--samples", type=int, default=200_000, help="Samples of the risk run.")
    args = ap.parse_args()
    port = free_port()
    db = f"sqlite:///{Path(tempfile.mkdtemp()) / 'runs.db'}"
    t0 = time.perf_counter()
    proc = start_server(port, db)
    print(f"load test: corridor serve on 127.0.0.1:{port}, {os.cpu_count()} CPUs")
    bad: list[str] = []
    try:
        for clients in (8, 32):
            lat, failed = read_load(port, clients, args.seconds)
            report(f"GET /api/metrics, {clients} clients, idle", lat, failed, args.seconds)
            bad += [f"{failed} failed reads"] if failed else []
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        status, run = request(conn, "POST", "/api/runs", {"kind": "risk", "n": args.samples})
        if status != 201:
            msg = f"the risk run did not start: {status} {run}"
            raise SystemExit(msg)
        stop, posted = threading.Event(), []
        stream = threading.Thread(target=scenario_stream, args=(port, stop, posted))
        stream.start()
        time.sleep(1.0)
        for clients in (8, 32):
            lat, failed = read_load(port, clients, args.seconds)
            label = f"GET /api/metrics, {clients} clients, busy"
            p95 = report(label, lat, failed, args.seconds)
            bad += [f"{failed} failed reads"] if failed else []
            bad += [f"p95 {p95:.2f} s with {clients} clients"] if p95 > STALL else []
        stop.set()
        stream.join(timeout=120)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        status, now = request(conn, "GET", f"/api/runs/{run['id']}")
        print(
            f"  during the busy phases: risk run {now['status']} at "
            f"{100 * now['progress']:.0f} % of {args.samples:,} samples; "
            f"{posted.count(201)} scenario runs finished ({len(posted)} posted)"
        )
        if now["status"] not in ("running", "done"):
            bad.append(f"the risk run is {now['status']}: {now['error']}")
        request(conn, "DELETE", f"/api/runs/{run['id']}")
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
    print(f"  load test took {time.perf_counter() - t0:.0f} s")
    if bad:
        msg = f"load test failed: {'; '.join(bad)}"
        raise SystemExit(msg)


if __name__ == "__main__":
    main()
