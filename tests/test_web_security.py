"""The web server under attack and under load: tokens, Host, Origin, body cap, runs, fuzzing."""

from __future__ import annotations

import asyncio
import json
import re
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import corridor
from corridor.store import Store
from corridor.web import service as service_module
from corridor.web.app import Guard, create_app
from corridor.web.service import MAX_BODY, Service, _init_worker

from .test_web import ARTICLE, shape, wait_for

LOCAL = "http://127.0.0.1:8000"
CLAIM = {"kind": "claims", "text": ARTICLE, "date": "2026-03-01"}


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(f"sqlite:///{tmp_path / 'runs.db'}")


def within(seconds: float, fn: Callable[[], Any]) -> Any:
    """Return `fn()`, or fail when it has not returned after `seconds` (it may hang)."""
    out: list[Any] = []
    thread = threading.Thread(target=lambda: out.append(fn()), daemon=True)
    thread.start()
    thread.join(seconds)
    if thread.is_alive() or not out:
        pytest.fail(f"no answer within {seconds:g} s")
    return out[0]


def in_threads(service: Service) -> None:
    """Run the service's jobs in threads of this process, so monkeypatches reach them."""

    def make() -> ThreadPoolExecutor:
        return ThreadPoolExecutor(1, initializer=_init_worker, initargs=(service.n, ""))

    service.runs_pool.make = make
    service.quick_pool.make = make


# --- tokens, Host, Origin, body cap --------------------------------------------------------------


def test_a_token_means_every_write_needs_it_on_loopback_too(
    kazakhstan: corridor.Network, store: Store
) -> None:
    app = create_app(kazakhstan, store, token="s3cret", host="127.0.0.1")
    with TestClient(app, base_url=LOCAL) as c:
        denied = c.post("/api/runs", json=CLAIM)
        assert denied.status_code == 401
        shape(denied)
        assert c.delete("/api/runs/nope").status_code == 401
        assert c.post("/claims", data={"text": ARTICLE}).status_code == 401
        wrong = c.post("/api/runs", json=CLAIM, headers={"X-Corridor-Token": "s3cre"})
        assert wrong.status_code == 401
        ok = c.post("/api/runs", json=CLAIM, headers={"Authorization": "Bearer s3cret"})
        assert ok.status_code == 201
        assert c.get("/api/runs").status_code == 200  # reads stay open


def test_the_dashboard_forms_work_with_the_token(
    kazakhstan: corridor.Network, store: Store
) -> None:
    app = create_app(kazakhstan, store, token="s3cret", host="127.0.0.1")
    with TestClient(app, base_url=LOCAL) as c:
        form = c.get("/claims").text
        assert 'name="token"' in form  # the form asks for it
        page = c.post("/claims", data={"text": ARTICLE, "token": "s3cret"}, files={"f": b""})
        assert page.status_code == 200, page.text
        assert 'class="contradicted"' in page.text
        cookie = page.history[0].headers["set-cookie"]
        assert "HttpOnly" in cookie
        assert "SameSite=Strict" in cookie
        assert "s3cret" not in cookie  # a digest, not the token
        # the run page's Cancel button (fetch DELETE) carries the cookie, not a field
        run_id = str(page.url).rsplit("/", 1)[1]
        assert c.delete(f"/api/runs/{run_id}").status_code == 200
        # a wrong token is refused even with the cookie
        bad = c.post("/api/runs", json=CLAIM, headers={"X-Corridor-Token": "nope"})
        assert bad.status_code == 401
        c.cookies.clear()
        assert c.post("/api/runs", json=CLAIM).status_code == 401
        forged = {"Cookie": "corridor_token=forged"}
        assert c.post("/api/runs", json=CLAIM, headers=forged).status_code == 401


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "http://evil.example"},
        {"Origin": "http://127.0.0.1:9999"},  # another port on this machine
        {"Origin": "null"},
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site"},
    ],
)
def test_a_cross_origin_form_post_is_refused(
    kazakhstan: corridor.Network, store: Store, headers: dict[str, str]
) -> None:
    with TestClient(create_app(kazakhstan, store, host="127.0.0.1"), base_url=LOCAL) as c:
        r = c.post("/claims", data={"text": ARTICLE}, headers=headers)
        assert r.status_code == 403
        shape(r)
        assert c.post("/api/runs", json=CLAIM, headers=headers).status_code == 403
        assert store.list() == []  # nothing started
        same = {"Origin": LOCAL, "Sec-Fetch-Site": "same-origin"}
        assert c.post("/api/runs", json=CLAIM, headers=same).status_code == 201
        assert c.get("/api/runs", headers=headers).status_code == 200  # reads are not writes


def test_a_wrong_host_is_refused(kazakhstan: corridor.Network, store: Store) -> None:
    with TestClient(create_app(kazakhstan, store, host="127.0.0.1"), base_url=LOCAL) as c:
        for host in ("evil.example", "evil.example:8000", "127.0.0.2"):
            r = c.get("/api/metrics", headers={"Host": host})
            assert r.status_code == 421, host
            shape(r)
        for host in ("localhost:8000", "127.0.0.1:8000", "[::1]:8000"):
            assert c.get("/api/packages", headers={"Host": host}).status_code == 200, host
    app = create_app(kazakhstan, store, token="t", host="10.1.2.3")
    with TestClient(app, base_url="http://10.1.2.3:8000") as c:
        assert c.get("/api/packages").status_code == 200
        assert c.get("/api/packages", headers={"Host": "localhost"}).status_code == 421


def test_a_chunked_or_lying_body_over_the_cap_gets_413(
    kazakhstan: corridor.Network, store: Store
) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(40):
            yield b"x" * 50_000  # 2 MB, with no Content-Length

    with TestClient(create_app(kazakhstan, store)) as c:
        r = c.post("/api/runs", content=chunks(), headers={"content-type": "application/json"})
        assert r.status_code == 413
        shape(r)
        r = c.post("/claims", content=chunks(), headers={"content-type": "text/plain"})
        assert r.status_code == 413
    assert store.list() == []

    # a Content-Length that says 10 bytes, then 2 MB: straight through the ASGI middleware
    reached: list[bool] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        reached.append(True)

    sent: list[dict[str, Any]] = []
    messages = [{"type": "http.request", "body": b"x" * 100_000, "more_body": True}] * 20

    async def receive() -> dict[str, Any]:
        return messages.pop() if messages else {"type": "http.request", "body": b""}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "POST", "headers": [(b"content-length", b"10")]}
    asyncio.run(Guard(app, None)(scope, receive, send))
    assert sent[0]["status"] == 413
    assert json.loads(sent[1]["body"])["status"] == 413
    assert reached == []
    assert len(messages) >= 20 - MAX_BODY // 100_000 - 1  # it stopped reading at the cap


def test_serve_gives_the_token_and_the_host_to_the_app(
    cli: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import uvicorn

    from corridor.cli import app

    served: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda web, **kw: served.update(web=web, **kw))
    db = f"sqlite:///{tmp_path / 'runs.db'}"
    res = cli.invoke(app, ["serve", "--token", "T0k", "--db", db, "--port", "8123"])
    assert res.exit_code == 0, res.output
    assert res.exception is None
    assert (served["host"], served["port"]) == ("127.0.0.1", 8123)
    with TestClient(served["web"], base_url="http://127.0.0.1:8123") as c:
        assert c.post("/api/runs", json=CLAIM).status_code == 401
        assert (
            c.post("/api/runs", json=CLAIM, headers={"X-Corridor-Token": "T0k"}).status_code == 201
        )
        assert c.get("/api/packages", headers={"Host": "rebound.example"}).status_code == 421
    res = cli.invoke(app, ["serve", "--port", "99999"])
    assert res.exit_code == 2  # a usage error, not a traceback
    assert isinstance(res.exception, SystemExit)


def test_the_docs_page_needs_nothing_outside_the_server(
    kazakhstan: corridor.Network, store: Store
) -> None:
    with TestClient(create_app(kazakhstan, store)) as c:
        for page in ("/docs", "/redoc"):
            html = c.get(page).text
            assert re.findall(r"https?://", html) == [], page
            assets = re.findall(r"""(?:src|href)=["']?(/[^"' >]+)""", html)
            assert assets, page
            for asset in assets:
                assert c.get(asset).status_code in (200, 204), asset
        assert "swagger-ui-bundle.js" in c.get("/docs").text


# --- runs ----------------------------------------------------------------------------------------


def test_runs_left_running_by_a_restart_are_interrupted(
    kazakhstan: corridor.Network, store: Store
) -> None:
    left = store.create("risk", {"n": 10}, "pkg")
    store.update(left.id, status="running", progress=0.4)
    queued = store.create("scenario", {}, "pkg")
    with TestClient(create_app(kazakhstan, store)) as c:
        for run_id in (left.id, queued.id):
            run = c.get(f"/api/runs/{run_id}").json()
            assert run["status"] == "interrupted"
            assert "server stopped" in run["error"]
            assert run["result"] is None
        events = within(10, lambda: c.get(f"/api/runs/{left.id}/events").text)
        assert '"status": "interrupted"' in events


def test_any_exception_ends_a_run_as_failed(
    kazakhstan: corridor.Network, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    import corridor.rerouting
    import corridor.risk

    def boom(*args: Any, **kwargs: Any) -> Any:
        msg = "boom"
        raise ZeroDivisionError(msg)

    monkeypatch.setattr(corridor.rerouting, "reroute", boom)
    monkeypatch.setattr(corridor.risk, "run_risk", boom)
    with TestClient(create_app(kazakhstan, store)) as c:
        in_threads(c.app.state.service)  # type: ignore[attr-defined]
        r = c.post("/api/runs", json={"kind": "scenario", "scenario": "ceyhan-20"})
        assert r.status_code == 500
        shape(r)
        assert "ZeroDivisionError: boom" in r.json()["error"]
        k = c.post("/api/runs", json={"kind": "risk", "n": 10}).json()
        wait_for(
            lambda: c.get(f"/api/runs/{k['id']}").json()["status"] != "queued", "the run to end"
        )
        wait_for(
            lambda: c.get(f"/api/runs/{k['id']}").json()["status"] == "failed", "the run to fail"
        )
    runs = store.list()
    assert {r.status for r in runs} == {"failed"}
    assert all(r.error and "ZeroDivisionError: boom" in r.error for r in runs)


def test_background_runs_have_a_bounded_queue(
    kazakhstan: corridor.Network, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(service_module, "MAX_WAITING", 1)
    gate = threading.Event()
    import corridor.risk

    monkeypatch.setattr(corridor.risk, "run_risk", lambda *a, **k: gate.wait(30))
    with TestClient(create_app(kazakhstan, store)) as c:
        service = c.app.state.service  # type: ignore[attr-defined]
        in_threads(service)
        assert c.get("/api/metrics").status_code == 200  # computed once, then cached
        workers = service.runs_pool.workers
        started = [c.post("/api/runs", json={"kind": "risk", "n": 10}) for _ in range(workers + 1)]
        assert [r.status_code for r in started] == [201] * (workers + 1)
        full = c.post("/api/runs", json={"kind": "risk", "n": 10})
        assert full.status_code == 429
        shape(full)
        assert "try again" in full.json()["error"]
        assert len(store.list()) == workers + 1  # the refused run was not stored
        # reads go on while the pool is full
        assert within(5, lambda: c.get("/api/metrics").status_code) == 200
        gate.set()


def test_a_claims_check_over_its_time_is_stopped(
    kazakhstan: corridor.Network, store: Store
) -> None:
    with TestClient(create_app(kazakhstan, store)) as c:
        service = c.app.state.service  # type: ignore[attr-defined]
        service.claims_timeout = 0.01  # a worker cannot even start in that time
        r = within(30, lambda: c.post("/api/runs", json=CLAIM))
        assert r.status_code == 504
        shape(r)
        assert "longer than" in r.json()["error"]
        assert service.quick_pool.killed  # the worker was killed, not left running
        assert not any(p.is_alive() for p in service.quick_pool.killed)
        assert [x.status for x in store.list()] == ["failed"]
        service.claims_timeout = 60.0
        assert c.post("/api/runs", json=CLAIM).status_code == 201  # a fresh worker


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("year", 1900),
        ("year", 10**40),
        ("seed", -1),
        ("seed", 2**63),
        ("seed", 1e400),
        ("seed", 1.5),
        ("n", 0),
        ("n", 1_000_001),
        ("threshold", 1.5),
        ("threshold", -0.1),
        ("threshold", "NaN"),
        ("bogus", 1),
    ],
)
def test_run_fields_out_of_range_are_refused(
    kazakhstan: corridor.Network, store: Store, field: str, value: Any
) -> None:
    body = '{"kind": "risk", "%s": %s}' % (field, json.dumps(value) if value != "NaN" else "NaN")  # noqa: UP031
    if value == 1e400:
        body = '{"kind": "risk", "seed": 1e400}'
    with TestClient(create_app(kazakhstan, store)) as c:
        r = c.post("/api/runs", content=body, headers={"content-type": "application/json"})
        assert r.status_code == 422, r.text
        shape(r)
        assert field in " ".join(r.json()["errors"])
    assert store.list() == []


def test_the_risk_form_answers_4xx_not_500(kazakhstan: corridor.Network, store: Store) -> None:
    with TestClient(create_app(kazakhstan, store)) as c:
        for n, seed, status in [
            ("200000000", "1", 422),
            ("9" * 5000, "1", 400),
            ("10", "-1", 422),
            ("10", "x", 400),
            ("1e400", "1", 400),
        ]:
            r = c.post("/risk", data={"n": n, "seed": seed})
            assert r.status_code == status, (n, seed, r.text[-300:])
            assert 'class="error"' in r.text
        assert (
            c.post("/scenario", data={"scenario": "ceyhan-20", "year": "9" * 5000}).status_code
            == 400
        )
    assert store.list() == []


# --- fuzzing -------------------------------------------------------------------------------------

JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=False)
    | st.text(max_size=30),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=8,
)
FIELDS = {
    "kind": st.sampled_from(["scenario", "risk", "claims", "bogus", ""]) | JSON,
    "scenario": st.sampled_from(["ceyhan-20", "nope", "", "../datapackage.json", "/etc/passwd"])
    | JSON,
    "yaml": st.sampled_from(["name: [x", "name: x\nchanges: 5", ""]) | JSON,
    "year": st.integers(min_value=1800, max_value=2100) | JSON,
    "text": st.sampled_from([ARTICLE, "", " "]) | JSON,
    "date": st.sampled_from(["2026-03-01", "2026-13-01", "x"]) | JSON,
    "n": st.integers(min_value=-5, max_value=30) | st.integers() | JSON,
    "seed": st.integers() | JSON,
    "threshold": st.floats() | JSON,
}


@pytest.fixture(scope="module")
def fuzz_client(
    kazakhstan: corridor.Network, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[TestClient]:
    store = Store(f"sqlite:///{tmp_path_factory.mktemp('fuzz') / 'runs.db'}")
    with TestClient(create_app(kazakhstan, store)) as c:
        yield c


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.fixed_dictionaries({}, optional=FIELDS), st.booleans())
def test_fuzzed_run_bodies_answer_2xx_or_a_4xx_error(
    fuzz_client: TestClient, body: dict[str, Any], form: bool
) -> None:
    if form:  # the same fields through the dashboard's forms
        data = {k: v if isinstance(v, str) else json.dumps(v) for k, v in body.items()}
        path = {"risk": "/risk", "claims": "/claims"}.get(str(body.get("kind")), "/scenario")
        data.pop("kind", None)
        r = fuzz_client.post(path, data=data)
        assert r.status_code < 500, (path, data, r.text[-500:])
        return
    # json.dumps writes NaN and Infinity as bare words (not JSON): the server must refuse them
    raw = json.dumps(body)
    r = fuzz_client.post("/api/runs", content=raw, headers={"content-type": "application/json"})
    assert r.status_code < 500, (body, r.text)
    if r.status_code >= 400:
        shape(r)
    else:
        assert r.json()["status"] in ("queued", "running", "done")


def test_a_scenario_is_a_built_in_name_never_a_path(
    kazakhstan: corridor.Network, store: Store, tmp_path: Path
) -> None:
    outside = tmp_path / "elsewhere.yaml"
    outside.write_text("name: secret\ndescription: a file outside the package\n", encoding="utf-8")
    with TestClient(create_app(kazakhstan, store)) as c:
        for name in (str(outside), "/etc/passwd", "../datapackage.json", "x" * 5000):
            r = c.post("/api/runs", json={"kind": "scenario", "scenario": name})
            assert r.status_code == 404, (name[:40], r.text)
            shape(r)
            assert "secret" not in r.text
            assert "ceyhan-20" in " ".join(r.json()["errors"])  # the known names are listed
    assert store.list() == []
