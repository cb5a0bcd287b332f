"""The web API and pages: every endpoint and error path in-process, then in a real browser."""

from __future__ import annotations

import html
import os
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi.testclient import TestClient

import corridor
from corridor.exceptions import RunStoreError, UnknownError
from corridor.report import report_inputs
from corridor.rerouting import reroute
from corridor.scenario import find_scenario
from corridor.store import Store
from corridor.views import build
from corridor.views.html import report_html
from corridor.web.app import HTTP_STATUS, MAX_BODY, create_app, http_status

from .test_views import CHROMIUM, needs_browser

#: Seconds a test waits for a background run before it fails.
DEADLINE = 60.0

ARTICLE = (
    "More than 80% of Kazakhstan's oil is exported via Russia. <script>alert(1)</script> "
    "Kazakhstan exported 90 million tons of crude in 2025."
)


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(f"sqlite:///{tmp_path / 'runs.db'}")


@pytest.fixture
def client(kazakhstan: corridor.Network, store: Store) -> Iterator[TestClient]:
    with TestClient(create_app(kazakhstan, store)) as c:
        yield c


def wait_for(condition: Callable[[], Any], what: str, seconds: float = DEADLINE) -> Any:
    """Poll `condition` until it returns something true, or fail after `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    pytest.fail(f"timed out after {seconds:.0f} s waiting for {what}")


def shape(r: object) -> None:
    body = r.json()  # type: ignore[attr-defined]
    assert set(body) == {"ok", "error", "errors", "status"}, body
    assert body["ok"] is False
    assert body["status"] == r.status_code
    assert isinstance(body["error"], str)
    assert body["errors"]


def test_read_endpoints(client: TestClient, kazakhstan: corridor.Network) -> None:
    pk = client.get("/api/packages").json()
    assert pk[0]["id"] == "kazakhstan"
    assert pk[0]["rows"]["routes"] == len(kazakhstan.routes)
    one = client.get("/api/packages/kazakhstan").json()
    assert len(one["tables"]["sources"]) == len(kazakhstan.sources)
    assert {r["id"] for r in one["tables"]["routes"]} == set(kazakhstan.routes.index)
    m = client.get("/api/metrics", params={"year": 2025}).json()
    expected = corridor.dependence(kazakhstan, exporter="KAZ", year=2025)
    assert m["metrics"]["share_via"]["value"] == pytest.approx(expected.share_via("cpc"), abs=1e-6)
    assert [r["year"] for r in m["summary"]] == list(kazakhstan.meta.years)
    names = {s["name"] for s in client.get("/api/scenarios").json()}
    assert "ceyhan-20" in names
    assert client.get("/openapi.json").json()["info"]["title"] == "Corridor"


def test_runs_lifecycle(client: TestClient, store: Store) -> None:
    r = client.post("/api/runs", json={"kind": "scenario", "scenario": "russia-transit-closed"})
    assert r.status_code == 201
    run = r.json()
    assert run["status"] == "done"
    assert run["result"]["total"]["stranded"]["value"] > 0
    c = client.post("/api/runs", json={"kind": "claims", "text": ARTICLE, "date": "2026-03-01"})
    verdicts = [x["verdict"] for x in c.json()["result"]["claims"]]
    assert verdicts == ["supported", "contradicted"]
    k = client.post("/api/runs", json={"kind": "risk", "n": 200, "seed": 3}).json()
    assert k["status"] in ("queued", "running", "done")
    wait_for(
        lambda: client.get(f"/api/runs/{k['id']}").json()["status"] in ("done", "failed"),
        "the risk run to end",
    )
    done = client.get(f"/api/runs/{k['id']}").json()
    assert done["status"] == "done"
    assert len(done["result"]["stranded"]) == 200
    events = client.get(f"/api/runs/{k['id']}/events").text
    assert events.startswith("data: ")
    assert '"status": "done"' in events
    listed = client.get("/api/runs").json()
    assert {x["id"] for x in listed} == {run["id"], c.json()["id"], k["id"]}
    assert "result" not in listed[0]
    assert client.delete(f"/api/runs/{run['id']}").json() == {"ok": True, "deleted": run["id"]}
    assert store.get(run["id"]) is None


def test_delete_cancels_a_running_risk_run(client: TestClient, store: Store) -> None:
    # a million samples take half an hour: only a cancelled worker ends within the deadline
    k = client.post("/api/runs", json={"kind": "risk", "n": 1_000_000}).json()
    service = client.app.state.service  # type: ignore[attr-defined]
    future = service.futures[k["id"]]
    wait_for(lambda: store.get(k["id"]).progress > 0, "the first samples")  # type: ignore[union-attr]
    assert store.get(k["id"]).status == "running"  # type: ignore[union-attr]
    assert client.delete(f"/api/runs/{k['id']}").json() == {"ok": True, "deleted": k["id"]}
    wait_for(future.done, "the worker to stop after DELETE", seconds=20)
    status, (result, note) = future.result()
    assert status == "ok"
    assert result is None  # the samples finished are not kept as a result
    assert "cancelled" in note
    assert k["id"] not in service.futures
    assert store.get(k["id"]) is None
    # the pool is free again: a small run after it finishes
    small = client.post("/api/runs", json={"kind": "risk", "n": 50}).json()
    wait_for(
        lambda: client.get(f"/api/runs/{small['id']}").json()["status"] == "done",
        "a run after the cancelled one",
    )


def test_every_api_error_has_one_shape(client: TestClient, kazakhstan: corridor.Network) -> None:
    bad = [
        client.get("/api/packages/nope"),
        client.get("/api/metrics", params={"year": 1900}),
        client.get("/api/metrics", params={"exporter": "NOR"}),
        client.get("/api/metrics", params={"year": "x"}),
        client.get("/api/runs", params={"limit": 0}),
        client.get("/api/runs/nope"),
        client.get("/api/ledger", params={"a": "KAZ", "b": "XXX"}),
        client.get("/api/runs/nope/events"),
        client.delete("/api/runs/nope"),
        client.post("/api/runs", json={"kind": "bogus"}),
        client.post("/api/runs", json={"kind": "scenario"}),
        client.post("/api/runs", json={"kind": "scenario", "scenario": "nope"}),
        client.post("/api/runs", json={"kind": "scenario", "yaml": "name: [x"}),
        client.post("/api/runs", json={"kind": "claims", "text": " "}),
        client.post("/api/runs", json={"kind": "risk", "n": 10**9}),
        client.post("/api/runs", content="{not json", headers={"content-type": "application/json"}),
        client.post("/api/runs", content=b"x" * (MAX_BODY + 1)),
        client.get("/api/nothing"),
        client.put("/api/runs"),
    ]
    expected = [
        404,  # UnknownError (package)
        404,  # UnknownError (year)
        404,  # UnknownError (exporter)
        422,
        422,
        404,
        404,  # UnknownError (country)
        404,
        404,
        422,
        400,  # ApiError: a scenario run needs a scenario
        404,  # UnknownError (scenario)
        422,  # ScenarioError
        400,
        422,
        422,
        413,
        404,
        405,
    ]
    assert [r.status_code for r in bad] == expected
    for r in bad:
        shape(r)
    # every API route is in the list above at least once
    routes = {r.path for r in client.app.routes if getattr(r, "path", "").startswith("/api/")}  # type: ignore[attr-defined]
    hit = {
        "/api/packages/{package_id}",
        "/api/metrics",
        "/api/runs",
        "/api/runs/{run_id}",
        "/api/runs/{run_id}/events",
        "/api/ledger",
    }
    assert routes - hit <= {"/api/packages", "/api/scenarios"}  # the two that cannot fail


def test_writes_need_a_token_off_loopback(kazakhstan: corridor.Network, store: Store) -> None:
    with TestClient(create_app(kazakhstan, store, token="s3cret", require_token=True)) as c:
        body = {"kind": "claims", "text": ARTICLE}
        denied = c.post("/api/runs", json=body)
        assert denied.status_code == 401
        shape(denied)
        assert (
            c.post("/api/runs", json=body, headers={"X-Corridor-Token": "s3cret"}).status_code
            == 201
        )
        assert c.get("/api/runs").status_code == 200  # reads stay open
        # the dashboard's forms carry the token as a field; the same one check reads it
        form = {"text": ARTICLE, "date": "2026-03-01"}
        assert c.post("/claims", data=form).status_code == 401
        assert c.post("/claims", data={**form, "token": "wrong"}).status_code == 401
        page = c.post("/claims", data={**form, "token": "s3cret"})
        assert page.status_code == 200, page.text
        assert "/runs/" in str(page.url)
        assert 'class="contradicted"' in page.text
        scenario = c.post("/scenario", data={"scenario": "ceyhan-20", "token": "s3cret"})
        assert scenario.status_code == 200
        assert "Target ladder" in scenario.text
        assert c.post("/runs/nope/delete", data={"token": "s3cret"}).status_code == 404


def test_error_status_table() -> None:
    assert HTTP_STATUS[UnknownError] == 404
    assert http_status(UnknownError("year", 1900, [2025])) == 404
    assert http_status(corridor.ScenarioError("x", [])) == 422
    assert http_status(ValueError("not ours")) == 500


def _headers(html: str) -> dict[str, list[str]]:
    """The column headers of each table with an id."""
    out = {}
    for ident, head in re.findall(
        r'<table id="([^"]+)">\s*<thead><tr>(.*?)</tr></thead>', html, re.S
    ):
        out[ident] = re.findall(r"<th[^>]*>(.*?)</th>", head)
    return out


def test_the_report_and_the_dashboard_show_the_same_columns(
    client: TestClient, kazakhstan: corridor.Network
) -> None:
    n = kazakhstan
    year = client.get("/api/metrics").json()["metrics"]["year"]
    report = report_html(build.report_view(n, report_inputs(n, "KAZ", year)), n.meta)
    page = client.get("/").text
    # the report explains its key figures in its own section; the dashboard on /explain pages
    tables = {k: v for k, v in _headers(report).items() if not k.startswith("explain-")}
    assert tables == _headers(page)
    assert {"routes", "summary", "ledger"} <= set(_headers(page))
    live = reroute(n, find_scenario(n, "ceyhan-20"))
    report = report_html(build.scenario_view(live, n=n), n.meta)
    run = client.post("/api/runs", json={"kind": "scenario", "scenario": "ceyhan-20"}).json()
    page = client.get(f"/runs/{run['id']}").text
    assert _headers(report) == _headers(page)
    assert {"periods", "flows", "binding", "ladder"} <= set(_headers(page))
    ledger = client.get("/ledger", params={"a": "KAZ", "b": "RUS", "year": 2025}).text
    assert (
        _headers(ledger)["ledger"]
        == _headers(report_html(build.report_view(n, report_inputs(n, "KAZ", 2025)), n.meta))[
            "ledger"
        ]
    )


def test_pages_escape_article_text(client: TestClient) -> None:
    r = client.post("/claims", data={"text": ARTICLE, "date": "2026-03-01"})
    assert r.status_code == 200
    assert "/runs/" in str(r.url)
    assert "<script>alert(1)</script>" not in r.text
    assert "&lt;script&gt;" in r.text
    assert 'class="contradicted"' in r.text
    page = client.post("/scenario", data={"scenario": "ceyhan-20", "yaml": "", "year": ""})
    assert "Target ladder" in page.text
    err = client.post("/scenario", data={"scenario": "", "yaml": "", "year": ""})
    assert err.status_code == 400
    assert "needs" in err.text


def test_store_migrates_and_never_half_writes(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'x.db'}"
    s = Store(url)
    run = s.create("scenario", {"scenario": "x"}, "pkg")
    s.end(run.id, "failed", "boom")
    s.finish(run.id, {"late": True})  # a result after failure is not stored
    got = Store(url).get(run.id)  # a second store on the same file: migrations are idempotent
    assert got is not None
    assert got.status == "failed"
    assert got.result is None
    with pytest.raises(RunStoreError, match="cannot open the run store"):
        Store("nosuchdriver://x")


# --- in a real browser ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def live(kazakhstan: corridor.Network, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    store = Store(f"sqlite:///{tmp_path_factory.mktemp('web') / 'runs.db'}")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(kazakhstan, store), host="127.0.0.1", port=port, log_level="error"
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    wait_for(lambda: server.started, "the server to start")
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@needs_browser
def test_dashboard_in_chromium(live: str, tmp_path: Path) -> None:
    SHOTS = Path(os.environ.get("CORRIDOR_SHOTS", tmp_path))
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        flags = [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
        ]
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=flags)
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        errors: list[str] = []
        outside: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on(
            "request",
            lambda r: (
                outside.append(r.url)
                if not r.url.startswith((live, "data:", "blob:", "about:"))
                else None
            ),
        )
        for path in ("/", "/ledger", "/scenario", "/risk", "/claims", "/runs", "/sources"):
            page.goto(live + path)
            assert page.locator("h1").count() == 1
        page.goto(live + "/")
        page.wait_for_selector("div.figure .main-svg")
        assert page.locator("div.figure").count() == 4
        page.screenshot(path=str(SHOTS / "overview.png"), full_page=True)
        # run a scenario from the form
        page.goto(live + "/scenario")
        page.select_option("select[name=scenario]", "ceyhan-20")
        page.click("#run-scenario")
        page.wait_for_selector("text=Target ladder")
        page.wait_for_selector("div.figure .main-svg")
        page.screenshot(path=str(SHOTS / "scenario.png"), full_page=True)
        # paste an article and see the verdicts
        page.goto(live + "/claims")
        page.fill("textarea[name=text]", ARTICLE)
        page.fill("input[name=date]", "2026-03-01")
        page.click("#check-claims")
        page.wait_for_selector("#verdicts")
        assert page.locator("#verdicts .supported").count() == 1
        assert page.locator("#verdicts .contradicted").count() == 1
        page.screenshot(path=str(SHOTS / "claims.png"), full_page=True)
        # start a risk run and watch it finish
        page.goto(live + "/risk")
        page.fill("input[name=n]", "300")
        page.click("#run-risk")
        page.wait_for_selector(
            "div.figure[data-figure=risk-distribution] .main-svg", timeout=30_000
        )
        page.goto(live + "/runs")
        assert page.locator("td .status").count() >= 3
        browser.close()
    assert errors == []
    assert outside == []


def test_serve_refuses_an_open_host_without_a_token(cli: object) -> None:
    from corridor.cli import app

    res = cli.invoke(app, ["serve", "--host", "0.0.0.0"], env={"CORRIDOR_TOKEN": ""})  # type: ignore[attr-defined]
    assert res.exit_code == 2
    assert "give --token" in res.stderr


def test_the_web_layers_import_downwards_only() -> None:
    import ast

    import corridor.web

    folder = Path(corridor.web.__file__).parent
    allowed = {
        "service": {"corridor.views.build"},
        "api": {"corridor.web.service"},
        "pages": {"corridor.web.service"},
        "app": {"corridor.web", "corridor.web.service"},
    }
    for name, ok in allowed.items():
        tree = ast.parse((folder / f"{name}.py").read_text(encoding="utf-8"))
        imported = {
            node.module
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and node.module and ".web" in node.module
        }
        assert imported <= ok, (name, imported - ok)
    pages = (folder / "pages.py").read_text(encoding="utf-8")
    for model in ("corridor.metrics", "corridor.reroute", "corridor.risk", "corridor.ledger"):
        assert model not in pages  # pages render; the service computes


def test_api_explain(client: TestClient) -> None:
    r = client.get("/api/explain", params={"figure": "crossing:RUS", "year": 2023})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["figure"] == "share:crossing:RUS"
    assert body["exporter"] == "KAZ"
    e = body["estimate"]
    assert e["low"] <= e["value"] <= e["high"]
    assert set(e) == {"value", "low", "high", "unit", "pinned"}
    ids = {o["id"] for o in body["observations"]}
    assert "kaz-bypassing-rus-2023" in ids  # the bypass aggregate of the research notes
    assert all(o["origin"] for o in body["observations"])
    shape(client.get("/api/explain", params={"figure": "across:RUS", "year": 2023}))
    shape(client.get("/api/explain", params={"figure": "crossing:RUS", "year": 1900}))


def test_explain_page_is_one_click_from_each_headline_figure(client: TestClient) -> None:
    page = client.get("/", params={"year": 2023}).text
    links = re.findall(r'<a class="explain" href="(/explain\?[^"]+)"', page)
    # the four key figures, then each route's volume and share in the routes table
    assert any("figure=volume%3Aroute%3Acpc" in x for x in links)
    assert len(links) > 4
    target = html.unescape(links[0])
    assert "figure=share%3Acrossing%3ARUS" in target
    explained = client.get(target)
    assert explained.status_code == 200
    assert "kaz-bypassing-rus-2023" in explained.text
    assert "observations.csv line" in explained.text


def test_compare_page_and_api(client: TestClient) -> None:
    api = client.get("/api/compare", params={"year": 2023})
    assert api.status_code == 200
    rows = api.json()["exporters"]
    assert rows[0]["exporter"] == "KAZ"
    assert rows[0]["top_transit_country"] == "RUS"
    page = client.get("/compare", params={"year": 2023})
    assert page.status_code == 200
    assert "most dependent on one transit country first" in page.text
    assert client.get("/api/compare", params={"year": 1800}).status_code in (400, 404, 422)
