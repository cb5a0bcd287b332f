"""The JSON API (FastAPI). Pages (`corridor.web.pages`) read the same JSON; no model code here.

Every error, on every endpoint, has one shape::

    {"ok": false, "error": "what is wrong", "errors": ["each problem", ...], "status": 400}
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import threading
from collections.abc import AsyncIterator
from typing import Any, Literal

from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response, StreamingResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException

import corridor
from corridor.claims import check_claims
from corridor.exceptions import CorridorError, ScenarioError
from corridor.metrics import compute, latest_year, summary
from corridor.network import Network
from corridor.package import package_summary
from corridor.reroute import reroute
from corridor.risk import RiskProblem, run_risk
from corridor.scenario import find_scenario, package_scenarios, parse_scenario, shift_years
from corridor.schema import tables
from corridor.store import FINAL, Store

#: Largest request body accepted (an article or a scenario file), bytes.
MAX_BODY = 1_000_000
MAX_RISK_SAMPLES = 100_000


class ApiError(Exception):
    """An error with an HTTP status, turned into the one JSON error shape."""

    def __init__(self, status: int, error: str, errors: list[str] | None = None) -> None:
        super().__init__(error)
        self.status, self.error, self.errors = status, error, errors or [error]


class RunRequest(BaseModel):
    """Body of ``POST /api/runs``."""

    kind: Literal["scenario", "risk", "claims"]
    scenario: str | None = Field(
        default=None, description="A built-in scenario's name (scenario, risk)"
    )
    yaml: str | None = Field(default=None, description="A scenario file's text (scenario)")
    year: int | None = None
    text: str | None = Field(default=None, description="Article text or HTML (claims)")
    date: dt.date | None = None
    n: int = Field(default=2_000, ge=1, le=MAX_RISK_SAMPLES, description="Samples (risk)")
    seed: int = 1
    threshold: float = Field(default=0.8, ge=0, le=1)


def error_body(status: int, error: str, errors: list[str] | None = None) -> dict[str, Any]:
    """The one error shape."""
    return {"ok": False, "error": error, "errors": errors or [error], "status": status}


class Service:
    """Runs and their execution over one package and one store."""

    def __init__(self, network: Network, store: Store) -> None:
        self.n, self.store = network, store
        self.cancel: dict[str, threading.Event] = {}
        # the package does not change while it is served: figures are computed once
        self._metrics: dict[tuple[str, int], dict[str, Any]] = {}

    def package_label(self) -> str:
        return f"{self.n.meta.name} ({self.n.meta.title})"

    def start(self, req: RunRequest) -> dict[str, Any]:
        """Validate a run request, store the run, execute it (risk: in the background)."""
        inputs = req.model_dump(exclude_none=True, mode="json")
        if req.kind == "claims":
            if not req.text or not req.text.strip():
                raise ApiError(400, "a claims run needs 'text' (the article)")
            inputs = {k: inputs[k] for k in ("kind", "text", "date") if k in inputs}
        scenario = None
        if req.kind in ("scenario", "risk"):
            scenario = self._scenario(req)
            drop = {"text", "date"} | (
                {"n", "seed", "threshold"} if req.kind == "scenario" else set()
            )
            inputs = {k: v for k, v in inputs.items() if k not in drop}
        run = self.store.create(req.kind, inputs, self.package_label())
        if req.kind == "risk":
            event = self.cancel[run.id] = threading.Event()
            threading.Thread(
                target=self._risk, args=(run.id, req, scenario, event), daemon=True
            ).start()
        else:
            self._execute(run.id, req, scenario)
        stored = self.store.get(run.id)
        assert stored is not None
        return stored.to_dict()

    def _scenario(self, req: RunRequest) -> Any:
        if req.yaml:
            s = parse_scenario(req.yaml, "posted scenario", self.n)
        elif req.scenario:
            if req.scenario not in package_scenarios(self.n):
                known = ", ".join(package_scenarios(self.n))
                raise ApiError(404, f"unknown scenario {req.scenario!r}; known: {known}")
            s = find_scenario(self.n, req.scenario)
        elif req.kind == "scenario":
            raise ApiError(400, "a scenario run needs 'scenario' (a name) or 'yaml' (a file)")
        else:
            return None
        return shift_years(s, req.year) if req.year is not None else s

    def _execute(self, run_id: str, req: RunRequest, scenario: Any) -> None:
        self.store.update(run_id, status="running")
        try:
            if req.kind == "scenario":
                result = reroute(self.n, scenario).to_dict()
                t = result["total"]
                note = (
                    f"stranded {t['stranded']['value']:.2f} Mt, revenue at risk "
                    f"{t['revenue_at_risk']['value'] / 1e6:,.0f} USD m"
                )
            else:
                claims = check_claims(req.text or "", date=req.date, network=self.n)
                result = {"claims": [c.to_dict() for c in claims]}
                counts = {
                    v: sum(c.verdict == v for c in claims)
                    for v in ("supported", "contradicted", "not_checkable")
                }
                note = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in counts.items())
            self.store.finish(run_id, result, note)
        except CorridorError as exc:
            self.store.end(run_id, "failed", str(exc))
            raise ApiError(400, str(exc)) from None

    def _risk(self, run_id: str, req: RunRequest, scenario: Any, event: threading.Event) -> None:
        self.store.update(run_id, status="running")
        try:
            problem = RiskProblem.from_network(self.n, scenario, year=req.year)

            def progress(done: int) -> None:
                self.store.update(run_id, progress=round(done / req.n, 4))

            r = run_risk(
                problem,
                n=req.n,
                seed=req.seed,
                threshold=req.threshold,
                on_progress=progress,
                should_stop=lambda _: event.is_set(),
            )
            if r.summary["interrupted"]:
                self.store.end(run_id, "cancelled", "cancelled before all samples finished")
                return
            result = {
                "summary": r.summary,
                "contributions": r.contributions.to_dict("records"),
                "stranded": [round(x, 6) for x in r.samples["stranded"]],
            }
            st = r.summary["stranded"]
            self.store.finish(run_id, result, f"P95 stranded {st['p95']:.2f} Mt")
        except Exception as exc:  # a background job must end marked, whatever happened
            self.store.end(run_id, "failed", str(exc))
        finally:
            self.cancel.pop(run_id, None)

    def metrics(self, year: int | None, exporter: str | None) -> dict[str, Any]:
        """The JSON of ``GET /api/metrics``."""
        n = self.n
        exporter = (exporter or n.meta.exporter).upper()
        if exporter not in set(n.flows["exporter"]) | set(n.supply["exporter"]):
            raise ApiError(404, f"no figures for exporter {exporter!r}")
        year = latest_year(n, exporter) if year is None else year
        if year not in n.meta.years:
            raise ApiError(
                400,
                f"year {year} is outside the package's years "
                f"{n.meta.first_year}–{n.meta.last_year}",
            )
        if (exporter, year) not in self._metrics:
            rows = json.loads(summary(n, exporter).reset_index().to_json(orient="records"))
            data = {"metrics": compute(n, exporter, year).to_dict(), "summary": rows}
            self._metrics[(exporter, year)] = data
        return self._metrics[(exporter, year)]

    def ledger(self, a: str, b: str, year: int | None) -> dict[str, Any]:
        """The JSON of ``GET /api/ledger``."""
        from corridor.ledger import ledger, ledger_dict

        a, b = a.upper(), b.upper()
        known = sorted({c for c in self.n.nodes["country"] if c})
        for code in (a, b):
            if code not in known:
                raise ApiError(404, f"no node in country {code!r}; known: {', '.join(known)}")
        y = year if year is not None else max(self.n.years_with_flows(a) or [self.n.meta.last_year])
        if y not in self.n.meta.years:
            raise ApiError(
                400,
                f"year {y} is outside the package's years "
                f"{self.n.meta.first_year}–{self.n.meta.last_year}",
            )
        key = (f"ledger:{a}:{b}", y)
        if key not in self._metrics:
            self._metrics[key] = ledger_dict(ledger(self.n, a, b, y), a, b, y)
        return self._metrics[key]

    def scenarios(self) -> list[dict[str, Any]]:
        """The JSON of ``GET /api/scenarios``."""
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

    def run(self, run_id: str) -> dict[str, Any]:
        """The JSON of ``GET /api/runs/{id}``."""
        r = self.store.get(run_id)
        if r is None:
            raise ApiError(404, f"no run {run_id!r}")
        return r.to_dict()

    def delete(self, run_id: str) -> None:
        run = self.store.get(run_id)
        if run is None:
            raise ApiError(404, f"no run {run_id!r}")
        if run_id in self.cancel:
            self.cancel[run_id].set()
            self.store.end(run_id, "cancelled", "cancelled by a user")
        self.store.delete(run_id)


def create_app(
    network: Network, store: Store, token: str | None = None, require_token: bool = False
) -> FastAPI:
    """Return the Corridor web app (API and pages) over one package and one run store."""
    app = FastAPI(
        title="Corridor",
        version=corridor.__version__,
        description="Export routes, transit dependence and what-ifs, on sourced data.",
    )
    service = Service(network, store)
    app.state.service = service
    n = network

    @app.exception_handler(HTTPException)
    async def _http_error(_: Request, exc: HTTPException) -> JSONResponse:
        return JSONResponse(
            error_body(exc.status_code, str(exc.detail)), status_code=exc.status_code
        )

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()]
        return JSONResponse(error_body(422, "invalid request", errors), status_code=422)

    @app.exception_handler(ScenarioError)
    async def _scenario_error(_: Request, exc: ScenarioError) -> JSONResponse:
        return JSONResponse(
            error_body(400, str(exc).splitlines()[0], [str(p) for p in exc.problems]),
            status_code=400,
        )

    @app.exception_handler(CorridorError)
    async def _corridor_error(_: Request, exc: CorridorError) -> JSONResponse:
        return JSONResponse(error_body(400, str(exc)), status_code=400)

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
        return JSONResponse(
            error_body(500, f"internal error: {type(exc).__name__}"), status_code=500
        )

    @app.middleware("http")
    async def _guard(request: Request, call_next: Any) -> Response:
        length = request.headers.get("content-length")
        if length is not None and (not length.isdigit() or int(length) > MAX_BODY):
            return JSONResponse(
                error_body(413, f"request body over {MAX_BODY:,} bytes"), status_code=413
            )
        if request.method in ("POST", "PUT", "DELETE", "PATCH") and require_token:
            given = (
                request.headers.get("x-corridor-token")
                or request.headers.get("authorization", "").removeprefix("Bearer ").strip()
            )
            if not token or given != token:
                return JSONResponse(
                    error_body(
                        401, "this server needs a token for writes: send it as X-Corridor-Token"
                    ),
                    status_code=401,
                )
        response: Response = await call_next(request)
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response

    def package_or_404(package_id: str) -> None:
        if package_id != n.meta.name:
            raise ApiError(404, f"no package {package_id!r}; known: {n.meta.name}")

    @app.get("/api/packages")
    def packages() -> list[dict[str, Any]]:
        """The packages served (one per server), with row counts and years."""
        return [{"id": n.meta.name, **package_summary(n)}]

    @app.get("/api/packages/{package_id}")
    def package(package_id: str) -> dict[str, Any]:
        """A package's tables as records, and its sources."""
        package_or_404(package_id)
        out: dict[str, Any] = {"id": n.meta.name, **package_summary(n), "tables": {}}
        for name in tables():
            df = getattr(n, name)
            df = df.reset_index() if df.index.name == "id" else df
            out["tables"][name] = json.loads(df.to_json(orient="records", date_format="iso"))
        return out

    @app.get("/api/metrics")
    def metrics(
        year: int | None = Query(None, description="Default: the latest complete year"),
        exporter: str | None = Query(None, description="ISO3; default the package's"),
    ) -> dict[str, Any]:
        """Dependence figures of an exporter in a year, and the year-by-year summary."""
        return service.metrics(year, exporter)

    @app.get("/api/ledger")
    def ledger_api(
        a: str = Query(..., description="ISO3 of one country"),
        b: str = Query(..., description="ISO3 of the other"),
        year: int | None = Query(None, description="Default: the latest year with flows of a"),
    ) -> dict[str, Any]:
        """The two-way interdependence ledger of two countries in a year."""
        return service.ledger(a, b, year)

    @app.get("/api/scenarios")
    def scenarios() -> list[dict[str, Any]]:
        """The package's built-in scenarios, with their YAML."""
        return service.scenarios()

    @app.post("/api/runs", status_code=201)
    def create_run(req: RunRequest) -> dict[str, Any]:
        """Start a run: scenario and claims finish before the reply; risk runs in the background."""
        return service.start(req)

    @app.get("/api/runs")
    def runs(limit: int = Query(200, ge=1, le=1000)) -> list[dict[str, Any]]:
        """Stored runs, newest first, without their results."""
        return [r.to_dict(full=False) for r in store.list(limit)]

    @app.get("/api/runs/{run_id}")
    def run(run_id: str) -> dict[str, Any]:
        """One run with its inputs and (when done) its result."""
        return service.run(run_id)

    @app.delete("/api/runs/{run_id}")
    def delete_run(run_id: str) -> dict[str, Any]:
        """Delete a run (a running risk run is cancelled first)."""
        service.delete(run_id)
        return {"ok": True, "deleted": run_id}

    @app.get("/api/runs/{run_id}/events")
    async def events(run_id: str) -> StreamingResponse:
        """Progress as server-sent events, until the run ends."""
        if store.get(run_id) is None:
            raise ApiError(404, f"no run {run_id!r}")

        async def stream() -> AsyncIterator[str]:
            while True:
                r = await asyncio.to_thread(store.get, run_id)
                if r is None:
                    yield f"data: {json.dumps({'status': 'deleted'})}\n\n"
                    return
                yield f"data: {json.dumps({'status': r.status, 'progress': r.progress})}\n\n"
                if r.status in FINAL:
                    return
                await asyncio.sleep(0.3)

        return StreamingResponse(stream(), media_type="text/event-stream")

    from corridor.web.pages import add_pages

    add_pages(app, service, require_token, token)
    return app


__all__ = ["MAX_BODY", "ApiError", "RunRequest", "Service", "create_app", "error_body"]
