"""The web application's orchestration: runs, their execution and cached figures. No routes.

`Service` calls the library and returns JSON-ready data (the API's answers) or the inputs a
view needs (the pages'). Library errors pass through unchanged: ``corridor.web.app`` maps each
error class to an HTTP status in one table. `ApiError` is for what only the web layer knows
(a missing form field, a body too large).
"""

from __future__ import annotations

import datetime as dt
import json
import math
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from fastapi import Request
from pydantic import BaseModel, Field

if TYPE_CHECKING:
    from corridor.network import Network
    from corridor.reconciliation import Explanation
    from corridor.report import ReportInputs
    from corridor.store import Store

#: Largest request body accepted (an article or a scenario file), bytes.
MAX_BODY = 1_000_000
MAX_RISK_SAMPLES = 100_000
VERDICTS = ("supported", "contradicted", "not_checkable")


class ApiError(Exception):
    """An error only the web layer can see, with its HTTP status."""

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
    """Return the one error shape: ``{"ok": false, "error", "errors", "status"}``."""
    return {"ok": False, "error": error, "errors": errors or [error], "status": status}


@dataclass
class Cache:
    """Figures of a package that does not change while it is served, computed once."""

    metrics: dict[tuple[str, int], dict[str, Any]]
    reports: dict[tuple[str, int], ReportInputs]
    ledgers: dict[tuple[str, str, int], dict[str, Any]]
    comparisons: dict[int | None, Any]


class Service:
    """Runs and their execution over one package and one store."""

    def __init__(
        self, network: Network, store: Store, token: str | None = None, require_token: bool = False
    ) -> None:
        self.n, self.store = network, store
        self.token, self.require_token = token, require_token
        self.cancel: dict[str, threading.Event] = {}
        self.cache = Cache({}, {}, {}, {})

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
        run = self.store.create(req.kind, inputs, self.package_label())
        if req.kind == "risk":
            event = self.cancel[run.id] = threading.Event()
            thread = threading.Thread(target=self._risk, args=(run.id, req, scenario, event))
            thread.daemon = True
            thread.start()
        else:
            self._execute(run.id, req, scenario)
        return self.run(run.id)

    def _scenario(self, req: RunRequest) -> Any:
        from corridor.scenario import find_scenario, parse_scenario, shift_years

        if req.yaml:
            s = parse_scenario(req.yaml, "posted scenario", self.n)
        elif req.scenario:
            s = find_scenario(self.n, req.scenario)
        elif req.kind == "scenario":
            raise ApiError(400, "a scenario run needs 'scenario' (a name) or 'yaml' (a file)")
        else:
            return None
        return shift_years(s, req.year) if req.year is not None else s

    def _execute(self, run_id: str, req: RunRequest, scenario: Any) -> None:
        from corridor.exceptions import CorridorError

        self.store.update(run_id, status="running")
        try:
            if req.kind == "scenario":
                result, note = self._scenario_result(scenario)
            else:
                result, note = self._claims_result(req)
        except CorridorError as exc:
            self.store.end(run_id, "failed", str(exc))
            raise
        self.store.finish(run_id, result, note)

    def _scenario_result(self, scenario: Any) -> tuple[dict[str, Any], str]:
        from corridor.rerouting import reroute
        from corridor.views import format as fmt

        result = reroute(self.n, scenario).to_dict()
        t = result["total"]
        note = (
            f"stranded {fmt.num(t['stranded']['value'])} Mt, revenue at risk "
            f"{fmt.money(t['revenue_at_risk']['value'])} USD m"
        )
        return result, note

    def _claims_result(self, req: RunRequest) -> tuple[dict[str, Any], str]:
        from corridor.claims import check_article

        checked = check_article(req.text or "", n=self.n, date=req.date)
        counts = {v: sum(c.verdict == v for c in checked.claims) for v in VERDICTS}
        note = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in counts.items())
        note += f"; {len(checked.set_aside)} numbers set aside"
        return checked.to_dict(), note

    def _risk(self, run_id: str, req: RunRequest, scenario: Any, event: threading.Event) -> None:
        from corridor.risk import RiskProblem, run_risk

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
            if r.summary.interrupted:
                self.store.end(run_id, "cancelled", "cancelled before all samples finished")
                return
            p95 = r.summary.stranded["p95"]
            self.store.finish(run_id, r.to_dict(), f"P95 stranded {p95:.2f} Mt")
        except Exception as exc:  # a background job must end marked, whatever happened
            self.store.end(run_id, "failed", str(exc))
        finally:
            self.cancel.pop(run_id, None)

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
        """Delete a run; a running risk run is cancelled first."""
        self.run(run_id)
        if run_id in self.cancel:
            self.cancel[run_id].set()
            self.store.end(run_id, "cancelled", "cancelled by a user")
        self.store.delete(run_id)


def get_service(request: Request) -> Service:
    """Return the app's service (a FastAPI dependency)."""
    service: Service = request.app.state.service
    return service


async def check_write(request: Request) -> None:
    """Let a write through only with the server's token (a FastAPI dependency; the one check).

    The token comes as the ``X-Corridor-Token`` header, as ``Authorization: Bearer``, or as the
    form field ``token`` (the dashboard's forms). Reads never need it.
    """
    service = get_service(request)
    if not service.require_token:
        return
    given = request.headers.get("x-corridor-token") or (
        request.headers.get("authorization", "").removeprefix("Bearer ").strip()
    )
    content = request.headers.get("content-type", "")
    if not given and content.startswith(("multipart/form-data", "application/x-www-form")):
        field = (await request.form()).get("token")
        given = field if isinstance(field, str) else ""
    if not service.token or given != service.token:
        msg = "this server needs a token for writes: send it as X-Corridor-Token or field token"
        raise ApiError(401, msg)
