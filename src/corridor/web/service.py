"""The web application's orchestration: runs, their execution and cached figures. No routes.

`Service` calls the library and returns JSON-ready data (the API's answers) or the inputs a
view needs (the pages'). Library errors pass through unchanged: ``corridor.web.app`` maps each
error class to an HTTP status in one table. `ApiError` is for what only the web layer knows
(a missing form field, a body too large, a full queue, a timeout).

Runs never compute on the server's event loop or its threads: risk runs go to a bounded pool of
worker processes (``Service.runs_pool``, at most `MAX_WAITING` runs waiting beyond those
running, then HTTP 429), scenario runs and claims checks to a second pool whose jobs the request
waits for with a time limit (`CLAIMS_TIMEOUT`, `SCENARIO_TIMEOUT`; past it the workers are
killed and the answer is 504). Worker processes are started with ``spawn`` and receive the
package once, when they start.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import hashlib
import hmac
import json
import math
import multiprocessing
import os
import pickle
import threading
import time
from collections.abc import Callable
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from fastapi import Request
from pydantic import BaseModel, ConfigDict, Field

if TYPE_CHECKING:
    from multiprocessing.process import BaseProcess

    from corridor.network import Network
    from corridor.reconciliation import Explanation
    from corridor.report import ReportInputs
    from corridor.store import Store

#: Largest request body accepted (an article or a scenario file), bytes, counted as it streams.
MAX_BODY = 1_000_000
#: Most samples of one risk run started over the web.
MAX_RISK_SAMPLES = 1_000_000
#: Largest seed (NumPy seeds are unsigned 64-bit; we keep to the signed range).
MAX_SEED = 2**63 - 1
#: Runs that may wait for a worker, beyond those running, before new ones get HTTP 429.
MAX_WAITING = 4
#: Seconds a claims check may take (in a worker process) before it is killed: HTTP 504.
CLAIMS_TIMEOUT = 20.0
#: Seconds a scenario run may take (in a worker process) before it is killed: HTTP 504.
SCENARIO_TIMEOUT = 120.0
#: Seconds between two progress writes, or two cancellation checks, of a risk run.
POLL = 0.2
VERDICTS = ("supported", "contradicted", "not_checkable")
#: The header, form field and cookie that carry the write token.
TOKEN_HEADER, TOKEN_FIELD, TOKEN_COOKIE = "x-corridor-token", "token", "corridor_token"


class ApiError(Exception):
    """An error only the web layer can see, with its HTTP status."""

    def __init__(self, status: int, error: str, errors: list[str] | None = None) -> None:
        super().__init__(error)
        self.status, self.error, self.errors = status, error, errors or [error]


class RunRequest(BaseModel):
    """Body of ``POST /api/runs``: unknown fields, out-of-range numbers and NaN are refused."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    kind: Literal["scenario", "risk", "claims"]
    scenario: str | None = Field(
        default=None, description="A built-in scenario's name (scenario, risk)"
    )
    yaml: str | None = Field(default=None, description="A scenario file's text (scenario)")
    year: int | None = Field(default=None, description="One of the package's years")
    text: str | None = Field(default=None, description="Article text or HTML (claims)")
    date: dt.date | None = None
    n: int = Field(default=2_000, ge=1, le=MAX_RISK_SAMPLES, description="Samples (risk)")
    seed: int = Field(default=1, ge=0, le=MAX_SEED, description="Seed (risk)")
    threshold: float = Field(default=0.8, ge=0, le=1, description="Share threshold (risk)")


def error_body(status: int, error: str, errors: list[str] | None = None) -> dict[str, Any]:
    """Return the one error shape: ``{"ok": false, "error", "errors", "status"}``."""
    return {"ok": False, "error": error, "errors": errors or [error], "status": status}


def pool_size() -> int:
    """Return the worker processes of each pool: the CPUs less one for the server, at least 1."""
    return max(1, min(8, (os.cpu_count() or 2) - 1))


# --- in the worker processes ---------------------------------------------------------------------

_WORKER: dict[str, Any] = {}


def _init_worker(network: Network, url: str) -> None:
    """Keep the package and the run store's URL for this worker's jobs; yield to the server.

    A worker process runs at a lower priority (``nice`` 5) so the server's reads come first, and
    ends when the server does, however it ends.
    """
    if multiprocessing.parent_process() is not None:
        from corridor.risk import die_with_parent

        die_with_parent(kernel=False)  # a server killed with SIGKILL leaves no workers behind
        if hasattr(os, "nice"):
            with contextlib.suppress(OSError):  # not allowed here: same priority
                os.nice(5)
    _WORKER.clear()
    _WORKER.update(network=network, url=url)


def _worker_store() -> Store | None:
    """Return this worker's connection to the run store (None for an in-memory store)."""
    from corridor.store import Store

    url = str(_WORKER.get("url", ""))
    if not url or url in ("sqlite://", "sqlite:///") or ":memory:" in url:
        return None
    if "store" not in _WORKER:
        _WORKER["store"] = Store(url)
    store: Store = _WORKER["store"]
    return store


def _job(kind: str, *args: Any) -> tuple[str, Any]:
    """Run a job; return ``("ok", value)``, ``("corridor", error)`` or ``("error", message)``.

    Errors come back as data: a Corridor error as itself when it survives pickling, any other
    exception as its class name and message, so the server never waits on a broken pool.
    """
    from corridor.exceptions import CorridorError

    jobs: dict[str, Callable[..., Any]] = {
        "scenario": _scenario_job,
        "claims": _claims_job,
        "risk": _risk_job,
    }
    try:
        return "ok", jobs[kind](*args)
    except CorridorError as exc:
        try:
            pickle.loads(pickle.dumps(exc))
        except Exception:  # an error whose arguments do not pickle: keep its message
            return "error", str(exc)
        return "corridor", exc
    except Exception as exc:  # any failure ends the run with its message
        return "error", f"{type(exc).__name__}: {exc}"


def _scenario_job(scenario: Any) -> tuple[dict[str, Any], str]:
    from corridor.rerouting import reroute
    from corridor.views import format as fmt

    result = reroute(_WORKER["network"], scenario).to_dict()
    t = result["total"]
    note = (
        f"stranded {fmt.num(t['stranded']['value'])} Mt, revenue at risk "
        f"{fmt.money(t['revenue_at_risk']['value'])} USD m"
    )
    return result, note


def _claims_job(text: str, date: dt.date | None) -> tuple[dict[str, Any], str]:
    from corridor.claims import check_article

    checked = check_article(text, n=_WORKER["network"], date=date)
    counts = {v: sum(c.verdict == v for c in checked.claims) for v in VERDICTS}
    note = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in counts.items())
    note += f"; {len(checked.set_aside)} numbers set aside"
    return checked.to_dict(), note


def _risk_job(
    run_id: str, scenario: Any, year: int | None, n: int, seed: int, threshold: float
) -> tuple[dict[str, Any] | None, str]:
    """Run a risk run; stop when its stored row is gone or ended (DELETE, restart)."""
    from corridor.risk import RiskProblem, run_risk
    from corridor.store import FINAL

    store = _worker_store()
    if store is not None:
        store.update(run_id, status="running")
    last = {"progress": 0.0, "check": 0.0, "stop": False}

    def progress(done: int) -> None:
        now = time.monotonic()
        if store is not None and (now - last["progress"] >= POLL or done >= n):
            last["progress"] = now
            store.update(run_id, progress=round(done / n, 4))

    def should_stop(_: int) -> bool:
        now = time.monotonic()
        if store is not None and now - last["check"] >= POLL:
            last["check"] = now
            row = store.get(run_id)
            last["stop"] = row is None or row.status in FINAL
        return bool(last["stop"])

    problem = RiskProblem.from_network(_WORKER["network"], scenario, year=year)
    r = run_risk(
        problem,
        n=n,
        seed=seed,
        threshold=threshold,
        on_progress=progress,
        should_stop=should_stop,
    )
    if r.summary.interrupted:
        return None, "cancelled before all samples finished"
    return r.to_dict(), f"P95 stranded {r.summary.stranded['p95']:.2f} Mt"


# --- in the server -------------------------------------------------------------------------------


@dataclass
class Cache:
    """Figures of a package that does not change while it is served, computed once."""

    metrics: dict[tuple[str, int], dict[str, Any]]
    reports: dict[tuple[str, int], ReportInputs]
    ledgers: dict[tuple[str, str, int], dict[str, Any]]
    comparisons: dict[int | None, Any]


class Pool:
    """A process pool with a bounded queue, which can kill its workers."""

    def __init__(self, name: str, make: Callable[[], Executor], workers: int) -> None:
        self.name, self.make, self.workers = name, make, workers
        self.executor: Executor | None = None
        self.pending: set[Future[Any]] = set()
        self.killed: list[BaseProcess] = []
        self.lock = threading.Lock()

    def check(self) -> None:
        """Raise HTTP 429 when `MAX_WAITING` jobs already wait for a worker."""
        with self.lock:
            self.pending = {f for f in self.pending if not f.done()}
            full = len(self.pending) >= self.workers + MAX_WAITING
        if full:
            msg = (
                f"too many runs: {len(self.pending)} are running or waiting for the "
                f"{self.workers} {self.name} worker(s); try again when one has finished"
            )
            raise ApiError(429, msg)

    def submit(self, *args: Any) -> Future[tuple[str, Any]]:
        """Queue a job, or raise HTTP 429 when the queue is full."""
        self.check()
        with self.lock:
            if self.executor is None:
                self.executor = self.make()
            future = self.executor.submit(_job, *args)
            self.pending.add(future)
        return future

    def kill(self) -> None:
        """Kill the workers (their jobs end as failed) and start afresh on the next job."""
        with self.lock:
            executor, self.executor = self.executor, None
        if executor is None:
            return
        processes = list(getattr(executor, "_processes", None) or {})
        procs = [executor._processes[p] for p in processes]  # type: ignore[attr-defined]
        for p in procs:
            p.kill()
        executor.shutdown(wait=False, cancel_futures=True)
        for p in procs:
            p.join(timeout=5)
        self.killed.extend(procs)


class Service:
    """Runs and their execution over one package and one store."""

    def __init__(
        self,
        network: Network,
        store: Store,
        token: str | None = None,
        require_token: bool | None = None,
    ) -> None:
        self.n, self.store = network, store
        self.token = token or None
        self.require_token = bool(self.token) if require_token is None else require_token
        self.cache = Cache({}, {}, {}, {})
        self.futures: dict[str, Future[tuple[str, Any]]] = {}
        self.claims_timeout, self.scenario_timeout = CLAIMS_TIMEOUT, SCENARIO_TIMEOUT
        workers = pool_size()
        self.runs_pool = Pool("risk", self.executor, workers)
        self.quick_pool = Pool("scenario and claims", self.executor, workers)
        self.interrupted = store.interrupt_unfinished()

    def executor(self) -> Executor:
        """Return a new pool of worker processes (spawned) that hold the package."""
        return ProcessPoolExecutor(
            pool_size(),
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_init_worker,
            initargs=(self.n, self.store.url),
        )

    def close(self) -> None:
        """Stop every worker; runs not finished are marked ``interrupted``."""
        self.store.interrupt_unfinished()
        self.runs_pool.kill()
        self.quick_pool.kill()

    def package_label(self) -> str:
        """Return the package's name and title, as stored with each run."""
        return f"{self.n.meta.name} ({self.n.meta.title})"

    def exporter_year(self, exporter: str | None, year: int | None) -> tuple[str, int]:
        """Check an exporter and a year (defaults: the package's, the latest complete)."""
        from corridor.metrics import latest_year

        n = self.n
        exporter = n.check_exporter((exporter or n.meta.exporter).upper())
        return exporter, n.check_year(latest_year(n, exporter) if year is None else year)

    def focus(self, exporter: str | None = None) -> tuple[str | None, str | None]:
        """Return the exporter's focus country and route (`corridor.metrics.focus`)."""
        from corridor.metrics import focus

        return focus(self.n, exporter or self.n.meta.exporter)

    def metrics(self, year: int | None, exporter: str | None) -> dict[str, Any]:
        """Return the JSON of ``GET /api/metrics``: a year's figures and the summary."""
        from corridor.metrics import dependence, summary

        key = self.exporter_year(exporter, year)
        if key not in self.cache.metrics:
            table = summary(self.n, key[0]).replace([math.inf, -math.inf], math.nan)
            rows = json.loads(table.reset_index().to_json(orient="records"))
            metrics = dependence(self.n, exporter=key[0], year=key[1])
            data = {"metrics": metrics.to_dict(), "summary": rows}
            self.cache.metrics[key] = data
        return self.cache.metrics[key]

    def explain(self, figure: str, year: int | None, exporter: str | None) -> Explanation:
        """Return why a figure of a year has its value (``/api/explain`` and ``/explain``)."""
        from corridor.metrics import canonical_figure
        from corridor.reconciliation import reconcile

        exporter, y = self.exporter_year(exporter, year)
        return reconcile(self.n, year=y).explain(canonical_figure(figure), exporter)

    def report(self, year: int | None, exporter: str | None = None) -> ReportInputs:
        """Return the year report's inputs (the overview page)."""
        from corridor.report import report_inputs

        key = self.exporter_year(exporter, year)
        if key not in self.cache.reports:
            self.cache.reports[key] = report_inputs(self.n, *key)
        return self.cache.reports[key]

    def ledger(self, a: str, b: str, year: int | None) -> dict[str, Any]:
        """Return the JSON of ``GET /api/ledger``."""
        from corridor.interdependence import ledger, ledger_dict, ledger_year

        n = self.n
        a, b = a.upper(), b.upper()
        y = ledger_year(n, a, year)
        if (a, b, y) not in self.cache.ledgers:
            self.cache.ledgers[(a, b, y)] = ledger_dict(ledger(n, a, b, year=y), a, b, y)
        return self.cache.ledgers[(a, b, y)]

    def comparison(self, year: int | None) -> Any:
        """Return every exporter compared (`corridor.compare.compare`), computed once a year."""
        from corridor.compare import compare

        if year is not None:
            self.n.check_year(year)
        if year not in self.cache.comparisons:
            self.cache.comparisons[year] = compare(self.n, year=year)
        return self.cache.comparisons[year]

    def scenarios(self) -> list[dict[str, Any]]:
        """Return the JSON of ``GET /api/scenarios``."""
        from corridor.scenario import find_scenario, package_scenarios

        out = []
        for name, path in package_scenarios(self.n).items():
            s = find_scenario(self.n, str(path))
            out.append(
                {
                    "name": name,
                    "description": " ".join(s.description.split()),
                    "years": s.years,
                    "monthly": s.monthly,
                    "yaml": path.read_text(encoding="utf-8"),
                }
            )
        return out

    def start(self, req: RunRequest) -> dict[str, Any]:
        """Check a run request, store the run, execute it (risk: in the background)."""
        inputs = req.model_dump(exclude_none=True, mode="json")
        scenario = None
        years = list(self.n.meta.years)
        if req.year is not None and req.year not in years:
            msg = f"year must be one of the package's years {years[0]}-{years[-1]}, got {req.year}"
            raise ApiError(422, msg)
        if req.kind == "claims":
            if not req.text or not req.text.strip():
                raise ApiError(400, "a claims run needs 'text' (the article)")
            inputs = {k: inputs[k] for k in ("kind", "text", "date") if k in inputs}
        else:
            scenario = self._scenario(req)
            drop = {"text", "date"} | (
                {"n", "seed", "threshold"} if req.kind == "scenario" else set()
            )
            inputs = {k: v for k, v in inputs.items() if k not in drop}
        if req.kind == "risk":
            return self.run(self._start_risk(req, scenario, inputs))
        self.quick_pool.check()  # before a run is stored
        run = self.store.create(req.kind, inputs, self.package_label())
        self._execute(run.id, req, scenario)
        return self.run(run.id)

    def _scenario(self, req: RunRequest) -> Any:
        from corridor.exceptions import UnknownError
        from corridor.scenario import (
            find_scenario,
            package_scenarios,
            parse_scenario,
            shift_years,
        )

        if req.yaml:
            s = parse_scenario(req.yaml, "posted scenario", self.n)
        elif req.scenario:
            known = package_scenarios(self.n)
            if req.scenario not in known:  # a name only: never a path on the server's disk
                what = "scenario"
                raise UnknownError(what, req.scenario[:80], sorted(known))
            s = find_scenario(self.n, req.scenario)
        elif req.kind == "scenario":
            raise ApiError(400, "a scenario run needs 'scenario' (a name) or 'yaml' (a file)")
        else:
            return None
        return shift_years(s, req.year) if req.year is not None else s

    def _start_risk(self, req: RunRequest, scenario: Any, inputs: dict[str, Any]) -> str:
        """Queue a risk run in the runs pool (HTTP 429 when its queue is full); return its id."""
        self.runs_pool.check()  # before a run is stored
        run = self.store.create("risk", inputs, self.package_label())
        args = (run.id, scenario, req.year, req.n, req.seed, req.threshold)
        try:
            future = self.runs_pool.submit("risk", *args)
        except ApiError:
            self.store.delete(run.id)
            raise
        self.futures[run.id] = future
        future.add_done_callback(functools.partial(self._risk_done, run.id))
        return run.id

    def _risk_done(self, run_id: str, future: Future[tuple[str, Any]]) -> None:
        """Store a risk run's end: its result, cancelled, or failed with the message."""
        self.futures.pop(run_id, None)
        if future.cancelled():
            self.store.end(run_id, "cancelled", "cancelled before it started")
            return
        exc = future.exception()
        if exc is not None:
            self.store.end(run_id, "failed", _worker_failure(exc))
            return
        status, value = future.result()
        if status != "ok":
            self.store.end(run_id, "failed", str(value))
        elif value[0] is None:
            self.store.end(run_id, "cancelled", value[1])
        else:
            self.store.finish(run_id, value[0], value[1])

    def _execute(self, run_id: str, req: RunRequest, scenario: Any) -> None:
        """Run a scenario or claims job in a worker and wait for it, with a time limit."""
        self.store.update(run_id, status="running")
        if req.kind == "scenario":
            args: tuple[Any, ...] = ("scenario", scenario)
            timeout, what = self.scenario_timeout, "scenario run"
        else:
            args, timeout, what = ("claims", req.text or "", req.date), self.claims_timeout, "check"
        try:
            future = self.quick_pool.submit(*args)
            status, value = future.result(timeout=timeout)
        except ApiError as exc:  # a full queue
            self.store.end(run_id, "failed", exc.error)
            raise
        except FutureTimeout:
            self.quick_pool.kill()
            msg = f"the {what} took longer than {timeout:g} s and was stopped"
            self.store.end(run_id, "failed", msg)
            raise ApiError(504, msg) from None
        except Exception as exc:  # a worker that died
            msg = _worker_failure(exc)
            self.store.end(run_id, "failed", msg)
            raise ApiError(500, f"run {run_id} failed: {msg}") from None
        if status == "corridor":
            self.store.end(run_id, "failed", str(value))
            raise value
        if status == "error":
            self.store.end(run_id, "failed", str(value))
            raise ApiError(500, f"run {run_id} failed: {value}")
        self.store.finish(run_id, value[0], value[1])

    def run(self, run_id: str) -> dict[str, Any]:
        """Return the JSON of ``GET /api/runs/{id}``."""
        from corridor.exceptions import UnknownError

        r = self.store.get(run_id)
        if r is None:
            msg = "run"
            raise UnknownError(msg, run_id, (), message=f"no run {run_id!r}")
        return r.to_dict()

    def runs(self, limit: int = 200) -> list[dict[str, Any]]:
        """Return stored runs, newest first, without their results."""
        return [r.to_dict(full=False) for r in self.store.list(limit)]

    def delete(self, run_id: str) -> None:
        """Delete a run; a queued or running risk run is cancelled first (its worker stops)."""
        self.run(run_id)
        future = self.futures.get(run_id)
        if future is not None:
            future.cancel()  # a run still waiting never starts
            self.store.end(run_id, "cancelled", "cancelled by a user")  # the worker sees it
        self.store.delete(run_id)


def _worker_failure(exc: BaseException) -> str:
    from concurrent.futures.process import BrokenProcessPool

    if isinstance(exc, BrokenProcessPool):
        return "the worker process stopped before the run ended"
    return f"{type(exc).__name__}: {exc}"


def get_service(request: Request) -> Service:
    """Return the app's service (a FastAPI dependency)."""
    service: Service = request.app.state.service
    return service


async def check_write(request: Request) -> None:
    """Let a write through only with the server's token (a FastAPI dependency; the one check).

    When the server has a token, every write needs it, on any address: as the
    ``X-Corridor-Token`` header, as ``Authorization: Bearer``, as the form field ``token`` (the
    dashboard's forms), or as the ``corridor_token`` cookie the server sets after a form
    carried the right token (``SameSite=Strict``, ``HttpOnly``, the token's digest), so the
    dashboard's buttons (cancel a run) work for the rest of the browser session. A wrong token
    is refused even when the cookie is right. Reads never need it.
    """
    service = get_service(request)
    if not service.require_token:
        return
    given = request.headers.get(TOKEN_HEADER) or (
        request.headers.get("authorization", "").removeprefix("Bearer ").strip()
    )
    content = request.headers.get("content-type", "")
    from_form = False
    if not given and content.startswith(("multipart/form-data", "application/x-www-form")):
        field = (await request.form()).get(TOKEN_FIELD)
        given = field if isinstance(field, str) else ""
        from_form = bool(given)
    token = service.token or ""
    if given and token and hmac.compare_digest(given.encode(), token.encode()):
        if from_form:  # the Guard middleware sets the cookie on the answer
            request.state.set_cookie = (
                f"{TOKEN_COOKIE}={token_digest(token)}; HttpOnly; SameSite=Strict; Path=/"
            )
        return
    cookie = request.cookies.get(TOKEN_COOKIE, "")
    if not given and token and cookie and hmac.compare_digest(cookie, token_digest(token)):
        return
    msg = (
        "this server needs a token for writes: send it as X-Corridor-Token, "
        "Authorization: Bearer, or the forms' token field"
    )
    raise ApiError(401, msg)


def token_digest(token: str) -> str:
    """Return what the ``corridor_token`` cookie holds: the token's SHA-256, not the token."""
    return hashlib.sha256(f"corridor-cookie:{token}".encode()).hexdigest()
