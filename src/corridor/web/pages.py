"""Server-rendered pages. Each reads the JSON the API serves (through `Service`); every piece
of user or article text is escaped; plotly.js is served from the installed package.
"""

from __future__ import annotations

import datetime as dt
import html
from typing import Any

import pandas as pd
import plotly.graph_objects as go
from fastapi import FastAPI, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from plotly.offline import get_plotlyjs

from corridor.metrics import compute
from corridor.views import charts
from corridor.views.report import CSS
from corridor.web.app import MAX_BODY, ApiError, RunRequest, Service, error_body

NAV = [
    ("/", "Overview"),
    ("/scenario", "Scenario"),
    ("/risk", "Risk"),
    ("/claims", "Claims"),
    ("/runs", "Runs"),
    ("/sources", "Sources"),
    ("/docs", "API"),
]
EXTRA_CSS = """nav a{margin-right:1rem;color:#2471a3;text-decoration:none;font-weight:600}
nav{margin-bottom:1rem}textarea{width:100%;font-family:monospace}form{margin:1rem 0}
input,select,button,textarea{font-size:.95rem;padding:.3rem}.bar{background:#e5e8e8;height:14px;
width:100%;max-width:500px;border-radius:7px}
.bar div{background:#2471a3;height:14px;border-radius:7px}
mark{background:#fdebd0}.supported{color:#1e8449}.contradicted{color:#c0392b}
.not_checkable{color:#9a7d0a}.error{color:#c0392b}"""


def _e(x: Any) -> str:
    return html.escape("" if x is None else str(x))


def _pct(x: Any) -> str:
    return "—" if x is None else f"{100 * float(x):.1f}%"


def _num(x: Any, places: int = 2) -> str:
    return "—" if x is None else f"{float(x):,.{places}f}"


def _fig(fig: go.Figure, div_id: str) -> str:
    inner = fig.to_html(
        full_html=False, include_plotlyjs=False, div_id=div_id, config={"displaylogo": False}
    )
    return f'<div class="figure" data-figure="{div_id}">{inner}</div>'


def _table(headers: list[str], rows: list[list[str]], table_id: str = "") -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in rows)
    ident = f' id="{table_id}"' if table_id else ""
    return f"<table{ident}><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def add_pages(app: FastAPI, service: Service, require_token: bool, token: str | None) -> None:
    """Add the pages and the static plotly.js to the app."""
    n = service.n

    def page(title: str, body: str, script: str = "") -> HTMLResponse:
        nav = "".join(f'<a href="{href}">{label}</a>' for href, label in NAV)
        return HTMLResponse(
            f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Corridor · '
            f"{_e(title)}</title><style>{CSS}{EXTRA_CSS}</style>"
            f'<script src="/static/plotly.min.js"></script></head><body><nav>{nav}</nav>'
            f"<h1>{_e(title)}</h1><p class='meta'>package <b>{_e(n.meta.name)}</b> — "
            f"{_e(n.meta.title)}</p>{body}{script}</body></html>"
        )

    token_field = (
        '<p><label>token <input name="token" type="password"></label></p>' if require_token else ""
    )

    def check_token(given: str | None) -> None:
        if require_token and (not token or given != token):
            raise ApiError(401, "this server needs a token for writes")

    @app.get("/static/plotly.min.js", include_in_schema=False)
    def plotly_js() -> Response:
        return Response(
            get_plotlyjs(),
            media_type="application/javascript",
            headers={"Cache-Control": "max-age=86400"},
        )

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> Response:
        return Response(status_code=204)

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def overview(year: int | None = None) -> HTMLResponse:
        data = service.metrics(year, None)
        m = data["metrics"]
        ym = compute(n, m["exporter"], m["year"])
        crossing, via, bypass = m["share_crossing"], m["share_via"], m["share_bypassing"]
        key = "".join(
            f"<div>{_e(k)}<b>{v}</b></div>"
            for k, v in [
                (
                    f"crossing {crossing['country']}" if crossing else "crossing",
                    _pct(crossing and crossing["value"]),
                ),
                (f"via {via['route']}" if via else "via", _pct(via and via["value"])),
                (
                    f"bypassing {bypass['country']}" if bypass else "bypassing",
                    _pct(bypass and bypass["value"]),
                ),
                ("HHI", _num(m["hhi"], 0)),
            ]
        )
        rows = [
            [_e(r), _num(m["volume_by_route"][r]), _pct(s)] for r, s in m["share_by_route"].items()
        ]
        years = "".join(
            f"<option {'selected' if y['year'] == m['year'] else ''}>{y['year']}</option>"
            for y in data["summary"]
        )
        body = (
            f'<form method="get"><label>year <select name="year">{years}</select></label> '
            f'<button>show</button></form><div class="key">{key}</div>'
            f"<h2>Routes, {m['year']} [Mt/year]</h2>"
            + _table(["route", "volume", "share"], rows)
            + _fig(charts.route_map(n, ym), "route-map")
            + _fig(charts.shares_over_time(n, m["exporter"], "route"), "shares-by-route")
            + _fig(charts.shares_over_time(n, m["exporter"], "country"), "shares-by-country")
            + f"<p>Sources: {', '.join(_e(s) for s in m['sources'])} — "
            '<a href="/sources">all sources</a></p>'
        )
        return page(f"Overview {m['year']}", body)

    @app.get("/ledger", response_class=HTMLResponse, include_in_schema=False)
    def ledger_page(
        a: str | None = None, b: str | None = None, year: int | None = None
    ) -> HTMLResponse:
        a = a or n.meta.exporter
        b = b or n.meta.focus_country or a
        data = service.ledger(a, b, year)

        def money(x: Any) -> str:
            return "—" if x is None else f"{x / 1e6:,.0f}"

        rows = [
            [
                _e(r["dependent"]),
                _e(r["partner"]),
                _e(r["commodity"]),
                _e(r["link"]),
                "gap" if r["volume"] is None else f"{r['volume']:,.3g} {_e(r['unit'])}",
                money(r["value_usd"]),
                _pct(r["share"]),
                money(r["value_at_risk_usd"]),
                money(r["tariffs_usd"]),
                f"{_e(r['note'])} [{_e(', '.join(r['sources']))}]",
            ]
            for r in data["rows"]
        ]
        form = (
            f'<form method="get"><label>country <input name="a" value="{_e(a)}" size="4">'
            f'</label> <label>and <input name="b" value="{_e(b)}" size="4"></label> '
            f'<label>year <input name="year" value="{data["year"]}" size="5"></label> '
            "<button>show</button></form>"
        )
        table = _table(
            [
                "depends",
                "on",
                "commodity",
                "link",
                "volume",
                "value [USD m]",
                "share",
                "at risk [USD m]",
                "tariffs [USD m]",
                "note and sources",
            ],
            rows,
            "ledger",
        )
        return page(f"Interdependence {data['a']} ↔ {data['b']}, {data['year']}", form + table)

    @app.get("/sources", response_class=HTMLResponse, include_in_schema=False)
    def sources() -> HTMLResponse:
        rows = [
            [
                f'<span id="src-{_e(i)}">{_e(i)}</span>',
                _e(s["publisher"]),
                _e(s["published"]),
                _e(s["title"]),
                f'<a href="{_e(s["url"])}">{_e(s["url"])}</a>',
            ]
            for i, s in n.sources.iterrows()
        ]
        return page("Sources", _table(["id", "publisher", "published", "title", "url"], rows))

    @app.get("/scenario", response_class=HTMLResponse, include_in_schema=False)
    def scenario_form() -> HTMLResponse:
        options = "".join(
            f'<option value="{_e(s["name"])}">{_e(s["name"])}</option>' for s in service.scenarios()
        )
        body = (
            '<form method="post" action="/scenario"><p><label>built-in scenario '
            f'<select name="scenario"><option value="">(use the YAML below)</option>{options}'
            '</select></label> <label>year <input name="year" size="5"></label></p>'
            '<p><label>or a scenario file (YAML)<br><textarea name="yaml" rows="12">'
            "</textarea></label></p>"
            f'{token_field}<button id="run-scenario">Run</button></form>'
            + _table(
                ["scenario", "description"],
                [[_e(s["name"]), _e(s["description"])] for s in service.scenarios()],
            )
        )
        return page("Scenario", body)

    def redirect(run: dict[str, Any]) -> RedirectResponse:
        return RedirectResponse(f"/runs/{run['id']}", status_code=303)

    @app.post("/scenario", include_in_schema=False)
    def scenario_post(
        scenario: str = Form(""),
        yaml: str = Form(""),
        year: str = Form(""),
        token: str | None = Form(None),
    ) -> Response:
        check_token(token)
        y = int(year) if year.strip().isdigit() else None
        req = RunRequest(kind="scenario", scenario=scenario or None, yaml=yaml or None, year=y)
        return redirect(service.start(req))

    @app.get("/risk", response_class=HTMLResponse, include_in_schema=False)
    def risk_form() -> HTMLResponse:
        options = "".join(
            f'<option value="{_e(s["name"])}">{_e(s["name"])}</option>'
            for s in service.scenarios()
            if "target" not in s["yaml"]
        )
        body = (
            '<form method="post" action="/risk"><p><label>samples <input name="n" '
            'value="2000" size="7"></label> <label>seed <input name="seed" value="1" '
            'size="4"></label> <label>on top of <select name="scenario"><option value="">'
            f"(the observed year)</option>{options}</select></label></p>{token_field}"
            '<button id="run-risk">Start</button></form>'
            "<p>A risk run samples years of outages from the package's risks table and "
            "re-routes each month; it runs in the background and can be cancelled.</p>"
        )
        return page("Risk", body)

    @app.post("/risk", include_in_schema=False)
    def risk_post(
        n_: str = Form("2000", alias="n"),
        seed: str = Form("1"),
        scenario: str = Form(""),
        token: str | None = Form(None),
    ) -> Response:
        check_token(token)
        if not n_.strip().isdigit() or not seed.strip().lstrip("-").isdigit():
            raise ApiError(400, "samples and seed must be whole numbers")
        req = RunRequest(kind="risk", n=int(n_), seed=int(seed), scenario=scenario or None)
        return redirect(service.start(req))

    @app.get("/claims", response_class=HTMLResponse, include_in_schema=False)
    def claims_form() -> HTMLResponse:
        body = (
            '<form method="post" action="/claims" enctype="multipart/form-data">'
            '<p><label>article text<br><textarea name="text" rows="12"></textarea></label>'
            '</p><p><label>or a file (.txt, .html) <input type="file" name="file"></label> '
            '<label>date <input name="date" placeholder="YYYY-MM-DD" size="11"></label></p>'
            f'{token_field}<button id="check-claims">Check</button></form>'
        )
        return page("Claims", body)

    @app.post("/claims", include_in_schema=False)
    async def claims_post(
        text: str = Form(""),
        date: str = Form(""),
        file: UploadFile | None = None,
        token: str | None = Form(None),
    ) -> Response:
        check_token(token)
        if file is not None and file.filename:
            raw = await file.read(MAX_BODY + 1)
            if len(raw) > MAX_BODY:
                raise ApiError(413, f"file over {MAX_BODY:,} bytes")
            text = raw.decode("utf-8", errors="replace")
        when = None
        if date.strip():
            try:
                when = dt.date.fromisoformat(date.strip())
            except ValueError:
                raise ApiError(400, f"date must be YYYY-MM-DD, got {date!r}") from None
        return redirect(service.start(RunRequest(kind="claims", text=text, date=when)))

    @app.get("/runs", response_class=HTMLResponse, include_in_schema=False)
    def runs_page() -> HTMLResponse:
        rows = [
            [
                f'<a href="/runs/{_e(r.id)}">{_e(r.id[:8])}</a>',
                _e(r.kind),
                f'<span class="status">{_e(r.status)}</span>',
                _e(r.created.isoformat()[:19]),
                _e(r.summary or r.error or ""),
                f'<form method="post" action="/runs/{_e(r.id)}/delete">{token_field}'
                "<button>delete</button></form>",
            ]
            for r in service.store.list()
        ]
        return page(
            "Runs",
            _table(["run", "kind", "status", "created", "summary", ""], rows)
            if rows
            else "<p>No runs yet.</p>",
        )

    @app.post("/runs/{run_id}/delete", include_in_schema=False)
    def delete_post(run_id: str, token: str | None = Form(None)) -> Response:
        check_token(token)
        service.delete(run_id)
        return RedirectResponse("/runs", status_code=303)

    @app.get("/runs/{run_id}", response_class=HTMLResponse, include_in_schema=False)
    def run_page(run_id: str) -> HTMLResponse:
        run = service.run(run_id)
        head = (
            f"<p>{_e(run['kind'])} run <b>{_e(run['id'])}</b>: "
            f'<span id="status" class="status">{_e(run["status"])}</span> — '
            f"{_e(run['summary'] or run['error'] or '')}</p>"
        )
        if run["status"] in ("queued", "running"):
            body = (
                head + '<div class="bar"><div id="progress" style="width:'
                f'{100 * run["progress"]:.0f}%"></div></div>'
                '<p><button id="cancel">Cancel</button></p>'
            )
            script = f"""<script>
const id = {run["id"]!r};
function poll() {{
  fetch('/api/runs/' + id).then(r => r.json()).then(r => {{
    document.getElementById('progress').style.width = (100 * r.progress) + '%';
    document.getElementById('status').textContent = r.status;
    if (['queued', 'running'].includes(r.status)) setTimeout(poll, 500);
    else location.reload();
  }});
}}
setTimeout(poll, 500);
document.getElementById('cancel').onclick = () =>
  fetch('/api/runs/' + id, {{method: 'DELETE'}}).then(() => location.href = '/runs');
</script>"""
            return page(f"Run {run['id'][:8]}", body, script)
        result = run["result"] or {}
        body = head
        if run["kind"] == "scenario" and result:
            body += _scenario_body(result)
        elif run["kind"] == "claims" and result:
            body += _claims_body(result["claims"])
        elif run["kind"] == "risk" and result:
            body += _risk_body(result)
        body += (
            f"<h2>Inputs</h2><pre>{_e(run['inputs'])}</pre><p>Corridor "
            f"{_e(run['corridor_version'])}, package {_e(run['package'])}</p>"
        )
        return page(f"Run {run['id'][:8]}", body)

    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError) -> Response:
        """API errors in the one JSON shape; page errors as a page."""
        if request.url.path.startswith("/api/"):
            return JSONResponse(
                error_body(exc.status, exc.error, exc.errors), status_code=exc.status
            )
        items = "".join(f"<li>{_e(e)}</li>" for e in exc.errors)
        return HTMLResponse(
            page("Error", f'<p class="error">{_e(exc.error)}</p><ul>{items}</ul>').body,
            status_code=exc.status,
        )


def _scenario_body(result: dict[str, Any]) -> str:
    periods = result["periods"]
    rows = [
        [
            _e(p["period"]),
            _num(p["stranded"]["value"]),
            _num(p["rerouted"]["value"]),
            _num((p["revenue_at_risk"]["value"] or 0) / 1e6, 0),
        ]
        for p in periods
    ]
    routes = sorted({r for p in periods for r in (*p["baseline"], *p["scenario"])})
    days = [
        (dt.date.fromisoformat(p["end"]) - dt.date.fromisoformat(p["start"])).days for p in periods
    ]
    total = sum(days) or 1

    def avg(which: str, r: str) -> float:
        return sum((p[which].get(r) or 0) * d for p, d in zip(periods, days, strict=True)) / total

    fig = go.Figure(
        [
            go.Bar(
                name="baseline",
                x=routes,
                y=[avg("baseline", r) for r in routes],
                marker_color=charts.IDLE,
            ),
            go.Bar(
                name="scenario",
                x=routes,
                y=[avg("scenario", r) for r in routes],
                marker_color=charts.CROSSES,
            ),
        ]
    )
    fig.update_layout(
        **charts.LAYOUT,
        barmode="group",
        height=400,
        title="Flow by route, baseline vs scenario [Mt/year, day-weighted]",
    )
    ladder = result.get("ladder") or []
    out = (
        f"<p>{_e(result['description'])}</p>"
        + _table(["period", "stranded [Mt]", "re-routed [Mt/yr]", "revenue at risk [USD m]"], rows)
        + _fig(fig, "scenario-flows")
    )
    if ladder:
        out += "<h2>Target ladder</h2>" + _table(
            ["step", "achieved [Mt/yr]", "stopped by"],
            [[_e(r["step"]), _num(r["achieved"]), _e(r["limits"])] for r in ladder],
        )
    return out


def _claims_body(claims: list[dict[str, Any]]) -> str:
    if not claims:
        return "<p>No quantitative claims about the export network found.</p>"
    rows = []
    for c in claims:
        s = c["sentence"]
        a, b = c["start"], c["end"]
        sentence = f"{_e(s[:a])}<mark>{_e(s[a:b])}</mark>{_e(s[b:])}"
        model = "—" if c["model_value"] is None else f"{c['model_value']:g} {_e(c['model_unit'])}"
        rows.append(
            [
                sentence,
                _e(f"{c['metric']} {c['via'] or ''} {c['period'] or ''}"),
                f'<b class="{_e(c["verdict"])}">{_e(c["verdict"].replace("_", " "))}</b>',
                f"{model}<br>{_e(c['interpretation'])}",
                _e(", ".join(c["sources"])),
            ]
        )
    return _table(["sentence", "claim", "verdict", "model", "sources"], rows, "verdicts")


def _risk_body(result: dict[str, Any]) -> str:
    s = result["summary"]
    samples = pd.DataFrame({"stranded": result["stranded"]})
    rows = [
        [
            _e(k),
            *[
                _num(s[k][q]) if k == "stranded" else _num((s[k][q] or 0) / 1e6, 0)
                for q in ("mean", "p50", "p90", "p95", "p99")
            ],
        ]
        for k in ("stranded", "revenue_at_risk")
    ]
    contrib = pd.DataFrame(result["contributions"])
    return (
        _table(["", "mean", "P50", "P90", "P95", "P99"], rows)
        + _fig(charts.risk_distribution(samples, s), "risk-distribution")
        + (_fig(charts.risk_contributions(contrib), "risk-contributions") if len(contrib) else "")
    )
