"""The JSON API: the library's results under ``/api/…``. Orchestration lives in `Service`.

Every error, on every endpoint, has one shape (``corridor.web.app`` maps error classes)::

    {"ok": false, "error": "what is wrong", "errors": ["each problem", ...], "status": 400}
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import StreamingResponse

from corridor.web.service import RunRequest, Service, check_write, get_service

#: Seconds between two progress events of a run.
EVENT_INTERVAL = 0.3

ServiceDep = Annotated[Service, Depends(get_service)]
router = APIRouter(prefix="/api")


@router.get("/packages")
def packages(service: ServiceDep) -> list[dict[str, Any]]:
    """List the packages served (one per server), with row counts and years."""
    from corridor.package import package_summary

    n = service.n
    return [{"id": n.meta.name, **package_summary(n)}]


@router.get("/packages/{package_id}")
def package(package_id: str, service: ServiceDep) -> dict[str, Any]:
    """Return a package's tables as records, and its sources."""
    from corridor.exceptions import UnknownError
    from corridor.package import package_summary
    from corridor.schema import tables

    n = service.n
    if package_id != n.meta.name:
        msg = "package"
        raise UnknownError(msg, package_id, [n.meta.name])
    out: dict[str, Any] = {"id": n.meta.name, **package_summary(n), "tables": {}}
    for name in tables():
        df = getattr(n, name)
        df = df.reset_index() if df.index.name == "id" else df
        out["tables"][name] = json.loads(df.to_json(orient="records", date_format="iso"))
    return out


@router.get("/metrics")
def metrics(
    service: ServiceDep,
    year: Annotated[int | None, Query(description="Default: the latest complete year")] = None,
    exporter: Annotated[str | None, Query(description="ISO3; default the package's")] = None,
) -> dict[str, Any]:
    """Return an exporter's dependence figures in a year, and the year-by-year summary."""
    return service.metrics(year, exporter)


@router.get("/explain")
def explain(
    service: ServiceDep,
    figure: Annotated[
        str, Query(description="total, share:KIND:TARGET, volume:KIND:TARGET or KIND:TARGET")
    ],
    year: Annotated[int | None, Query(description="Default: the latest complete year")] = None,
    exporter: Annotated[str | None, Query(description="ISO3; default the package's")] = None,
) -> dict[str, Any]:
    """Return why a figure has its value: estimate, interval, observations, conflicts."""
    from corridor.views.build import explanation_dict

    return explanation_dict(service.explain(figure, year, exporter))


@router.get("/ledger")
def ledger(
    service: ServiceDep,
    a: Annotated[str, Query(description="ISO3 of one country")],
    b: Annotated[str, Query(description="ISO3 of the other")],
    year: Annotated[
        int | None, Query(description="Default: the latest year with flows of a")
    ] = None,
) -> dict[str, Any]:
    """Return the two-way interdependence ledger of two countries in a year."""
    return service.ledger(a, b, year)


@router.get("/compare")
def compare(
    service: ServiceDep,
    year: Annotated[
        int | None, Query(description="Default: each exporter's latest year with flows")
    ] = None,
) -> dict[str, Any]:
    """Compare every exporter: top transit country, main route, HHI, the largest N-1 loss."""
    result: dict[str, Any] = service.comparison(year).to_dict()
    return result


@router.get("/chokepoints")
def chokepoints(
    service: ServiceDep,
    year: Annotated[int | None, Query(description="Default: the latest year with flows")] = None,
) -> dict[str, Any]:
    """Return each chokepoint's throughput and each exporter's share of its traffic."""
    from corridor.chokepoints import chokepoint_traffic

    if year is not None:
        service.n.check_year(year)
    return chokepoint_traffic(service.n, year=year).to_dict()


@router.get("/scenarios")
def scenarios(service: ServiceDep) -> list[dict[str, Any]]:
    """List the package's built-in scenarios, with their YAML."""
    return service.scenarios()


@router.post("/runs", status_code=201, dependencies=[Depends(check_write)])
def create_run(req: RunRequest, service: ServiceDep) -> dict[str, Any]:
    """Start a run: scenario and claims finish before the reply; risk runs in the background."""
    return service.start(req)


@router.get("/runs")
def runs(
    service: ServiceDep, limit: Annotated[int, Query(ge=1, le=1000)] = 200
) -> list[dict[str, Any]]:
    """List stored runs, newest first, without their results."""
    return service.runs(limit)


@router.get("/runs/{run_id}")
def run(run_id: str, service: ServiceDep) -> dict[str, Any]:
    """Return one run with its inputs and (when done) its result."""
    return service.run(run_id)


@router.delete("/runs/{run_id}", dependencies=[Depends(check_write)])
def delete_run(run_id: str, service: ServiceDep) -> dict[str, Any]:
    """Delete a run (a running risk run is cancelled first)."""
    service.delete(run_id)
    return {"ok": True, "deleted": run_id}


@router.get("/runs/{run_id}/events")
async def events(run_id: str, service: ServiceDep) -> StreamingResponse:
    """Stream a run's progress as server-sent events, until it ends."""
    from corridor.store import FINAL

    service.run(run_id)
    store = service.store

    async def stream() -> AsyncIterator[str]:
        while True:
            r = await asyncio.to_thread(store.get, run_id)
            if r is None:
                yield f"data: {json.dumps({'status': 'deleted'})}\n\n"
                return
            yield f"data: {json.dumps({'status': r.status, 'progress': r.progress})}\n\n"
            if r.status in FINAL:
                return
            await asyncio.sleep(EVENT_INTERVAL)

    return StreamingResponse(stream(), media_type="text/event-stream")
