"""The dashboard's HTML pages, rendered through the views' templates.

Each page asks `Service` for figures and renders them with ``corridor.views.html``: no model
code and no HTML here.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from corridor.views import build
from corridor.views.html import page_html
from corridor.views.model import Section, View
from corridor.web.service import (
    MAX_BODY,
    ApiError,
    RunRequest,
    Service,
    check_write,
    get_service,
)

ServiceDep = Annotated[Service, Depends(get_service)]
router = APIRouter(include_in_schema=False)
write = [Depends(check_write)]
#: Most digits of a whole number in a form field (larger ones are refused, not parsed).
MAX_DIGITS = 20
#: Seconds a browser keeps plotly.js.
PLOTLY_MAX_AGE = 86_400


def _page(service: Service, template: str, title: str, **context: Any) -> HTMLResponse:
    html = page_html(
        template,
        title=title,
        meta=service.n.meta,
        require_token=service.require_token,
        **context,
    )
    return HTMLResponse(html)


def _redirect(run: dict[str, Any]) -> RedirectResponse:
    return RedirectResponse(f"/runs/{run['id']}", status_code=303)


@router.get("/static/plotly.min.js")
def plotly_js() -> Response:
    """Serve plotly.js from the installed package."""
    from plotly.offline import get_plotlyjs

    headers = {"Cache-Control": f"max-age={PLOTLY_MAX_AGE}"}
    return Response(get_plotlyjs(), media_type="application/javascript", headers=headers)


@router.get("/favicon.ico")
def favicon() -> Response:
    """Answer with no icon."""
    return Response(status_code=204)


@router.get("/", response_class=HTMLResponse)
def overview(service: ServiceDep, year: int | None = None) -> HTMLResponse:
    """Show the year report (the same view as ``corridor report --html``)."""
    inputs = service.report(year)
    m = inputs.metrics

    def href(figure: str) -> str:
        query = urlencode({"figure": figure, "year": m.year, "exporter": m.exporter})
        return f"/explain?{query}"

    view = build.report_view(service.n, inputs, explain_href=href)
    years = service.n.years_with_flows(m.exporter)
    return _page(
        service, "overview.html", f"Overview {m.year}", view=view, years=years, year=m.year
    )


@router.get("/explain", response_class=HTMLResponse)
def explain_page(
    service: ServiceDep, figure: str, year: int | None = None, exporter: str | None = None
) -> HTMLResponse:
    """Show why a figure has its value: the observations behind it and any conflict."""
    view = build.explanation_view(service.explain(figure, year, exporter))
    return _page(service, "page.html", view.title, view=view)


@router.get("/ledger", response_class=HTMLResponse)
def ledger_page(
    service: ServiceDep, a: str | None = None, b: str | None = None, year: int | None = None
) -> HTMLResponse:
    """Show the two-way interdependence ledger of two countries."""
    meta = service.n.meta
    a = a or meta.exporter
    b = b or service.focus(a)[0] or a
    data = service.ledger(a, b, year)
    view = build.ledger_view(data, n=service.n)
    context = {"a": data["a"], "b": data["b"], "year": data["year"]}
    return _page(service, "ledger.html", view.title, view=view, **context)


@router.get("/compare", response_class=HTMLResponse)
def compare_page(service: ServiceDep, year: int | None = None) -> HTMLResponse:
    """Show every exporter of the package side by side, ranked, with a chart."""
    from corridor.views.compare import compare_view

    view = compare_view(service.comparison(year))
    return _page(service, "page.html", view.title, view=view)


@router.get("/sources", response_class=HTMLResponse)
def sources(service: ServiceDep) -> HTMLResponse:
    """List every source of the package."""
    return _page(service, "page.html", "Sources", view=build.sources_view(service.n))


@router.get("/scenario", response_class=HTMLResponse)
def scenario_form(service: ServiceDep) -> HTMLResponse:
    """Show the form that runs a built-in or posted scenario."""
    found = service.scenarios()
    table = build.scenarios_table(found)
    view = View("Scenarios", [Section(tables=[table])])
    return _page(service, "scenario_form.html", "Scenario", scenarios=found, view=view)


def _whole(text: str, name: str) -> int | None:
    """Return a form field's whole number (None when empty); 400 for anything else."""
    text = text.strip()
    if not text:
        return None
    digits = text.removeprefix("-")
    if not digits.isdecimal() or not digits.isascii() or len(digits) > MAX_DIGITS:
        raise ApiError(400, f"{name} must be a whole number, got {text[:40]!r}")
    return int(text)


def _year(text: str) -> int | None:
    return _whole(text, "year")


@router.post("/scenario", dependencies=write)
def scenario_post(
    service: ServiceDep,
    scenario: Annotated[str, Form()] = "",
    yaml: Annotated[str, Form()] = "",
    year: Annotated[str, Form()] = "",
) -> Response:
    """Run a scenario and show its run."""
    req = RunRequest(
        kind="scenario", scenario=scenario or None, yaml=yaml or None, year=_year(year)
    )
    return _redirect(service.start(req))


@router.get("/risk", response_class=HTMLResponse)
def risk_form(service: ServiceDep) -> HTMLResponse:
    """Show the form that starts a risk run."""
    found = [s for s in service.scenarios() if "target" not in s["yaml"]]
    return _page(service, "risk_form.html", "Risk", scenarios=found)


@router.post("/risk", dependencies=write)
def risk_post(
    service: ServiceDep,
    n: Annotated[str, Form()] = "2000",
    seed: Annotated[str, Form()] = "1",
    scenario: Annotated[str, Form()] = "",
) -> Response:
    """Start a risk run and show its progress (fields checked as the API checks them)."""
    samples, start = _whole(n, "samples"), _whole(seed, "seed")
    req = RunRequest(
        kind="risk",
        n=2_000 if samples is None else samples,
        seed=1 if start is None else start,
        scenario=scenario or None,
    )
    return _redirect(service.start(req))


@router.get("/claims", response_class=HTMLResponse)
def claims_form(service: ServiceDep) -> HTMLResponse:
    """Show the form that checks an article's claims."""
    return _page(service, "claims_form.html", "Claims")


def _date(text: str) -> dt.date | None:
    if not text.strip():
        return None
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise ApiError(400, f"date must be YYYY-MM-DD, got {text!r}") from None


@router.post("/claims", dependencies=write)
async def claims_post(
    service: ServiceDep,
    text: Annotated[str, Form()] = "",
    date: Annotated[str, Form()] = "",
    file: UploadFile | None = None,
) -> Response:
    """Check an article (pasted or uploaded) and show the verdicts."""
    if file is not None and file.filename:
        raw = await file.read(MAX_BODY + 1)
        if len(raw) > MAX_BODY:
            raise ApiError(413, f"file over {MAX_BODY:,} bytes")
        text = raw.decode("utf-8", errors="replace")
    return _redirect(service.start(RunRequest(kind="claims", text=text, date=_date(date))))


@router.get("/runs", response_class=HTMLResponse)
def runs_page(service: ServiceDep) -> HTMLResponse:
    """List the stored runs, newest first."""
    return _page(service, "runs.html", "Runs", runs=service.runs())


@router.post("/runs/{run_id}/delete", dependencies=write)
def delete_post(run_id: str, service: ServiceDep) -> Response:
    """Delete a run and go back to the list."""
    service.delete(run_id)
    return RedirectResponse("/runs", status_code=303)


def run_view(service: Service, run: dict[str, Any]) -> View | None:
    """Return the view of a finished run's stored result (None while it has none)."""
    result, n = run.get("result"), service.n
    if not result:
        return None
    if run["kind"] == "scenario":
        exporter = result.get("exporter") if isinstance(result, dict) else None
        country, route = service.focus(str(exporter or n.meta.exporter))
        return build.scenario_view(result, n=n, focus_country=country, focus_route=route)
    if run["kind"] == "risk":
        return build.risk_view(result, n=n)
    return build.claims_view(result, n=n)


@router.get("/runs/{run_id}", response_class=HTMLResponse)
def run_page(run_id: str, service: ServiceDep) -> HTMLResponse:
    """Show one run: its progress while it runs, its result's view once done."""
    run = service.run(run_id)
    running = run["status"] in ("queued", "running")
    view = None if running else run_view(service, run)
    title = f"Run {run['id'][:8]}"
    return _page(service, "run.html", title, run=run, running=running, view=view)
