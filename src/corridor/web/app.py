"""The web app: the JSON API and the pages over one `Service`, and the error table.

``create_app`` wires `corridor.web.api` and `corridor.web.pages` over one `Service`, with the
body-size guard, the error → status table (`HTTP_STATUS`) and the one error shape::

    {"ok": false, "error": "what is wrong", "errors": ["each problem", ...], "status": 400}

API paths answer errors in that shape; page paths answer them as an error page.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi_offline import FastAPIOffline
from pydantic import ValidationError
from starlette.exceptions import HTTPException

import corridor
from corridor.exceptions import (
    ClaimsError,
    CorridorError,
    InvalidArgumentError,
    NoFlowsError,
    ProblemsError,
    RunStoreError,
    SolverError,
    UnitError,
    UnknownError,
)
from corridor.network import Network
from corridor.store import Store
from corridor.views.html import page_html
from corridor.web import api, pages
from corridor.web.service import MAX_BODY, ApiError, RunRequest, Service, error_body

#: The HTTP status of each error class (the first class in a raised error's MRO found here).
HTTP_STATUS: dict[type[Exception], int] = {
    UnknownError: 404,
    ProblemsError: 422,
    InvalidArgumentError: 422,
    UnitError: 422,
    NoFlowsError: 422,
    ClaimsError: 422,
    SolverError: 500,
    RunStoreError: 503,
    CorridorError: 400,
}


def http_status(exc: Exception) -> int:
    """Return the HTTP status of an error, by the first of its classes in `HTTP_STATUS`."""
    for cls in type(exc).__mro__:
        if cls in HTTP_STATUS:
            return HTTP_STATUS[cls]
    return 500


def _error_response(request: Request, status: int, error: str, errors: list[str]) -> Response:
    """Answer an error in the one JSON shape on API paths, as an error page elsewhere."""
    if request.url.path.startswith("/api/"):
        return JSONResponse(error_body(status, error, errors), status_code=status)
    service: Service = request.app.state.service
    html = page_html("error.html", title="Error", meta=service.n.meta, error=error, errors=errors)
    return HTMLResponse(html, status_code=status)


def _add_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError) -> Response:
        return _error_response(request, exc.status, exc.error, exc.errors)

    @app.exception_handler(HTTPException)
    async def _http_error(request: Request, exc: HTTPException) -> Response:
        return JSONResponse(
            error_body(exc.status_code, str(exc.detail)), status_code=exc.status_code
        )

    @app.exception_handler(ValidationError)
    async def _invalid_fields(request: Request, exc: ValidationError) -> Response:
        errors = [f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()]
        return _error_response(request, 422, "invalid request", errors)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        errors = [f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()]
        return _error_response(request, 422, "invalid request", errors)

    @app.exception_handler(CorridorError)
    async def _corridor_error(request: Request, exc: CorridorError) -> Response:
        problems = getattr(exc, "problems", None)
        errors = [str(p) for p in problems] if problems else [str(exc)]
        return _error_response(request, http_status(exc), str(exc).splitlines()[0], errors)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        return JSONResponse(
            error_body(500, f"internal error: {type(exc).__name__}"), status_code=500
        )


#: Host names a server bound to loopback also answers to.
LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost", "::1"})
#: Addresses that bind every interface: the Host header cannot be checked against them.
ANY_ADDRESS = frozenset({"0.0.0.0", "::", ""})
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _hostname(value: str) -> str:
    """Return the host name of a ``Host`` header or an address (no port, no brackets)."""
    value = value.strip().lower()
    if value.startswith("["):
        return value[1 : value.find("]")] if "]" in value else value
    return value.rsplit(":", 1)[0] if value.count(":") == 1 else value


def allowed_hosts(host: str | None) -> frozenset[str] | None:
    """Return the host names a server bound to `host` answers to (None: any, unchecked)."""
    if host is None or host in ANY_ADDRESS:
        return None
    name = _hostname(host)
    return LOOPBACK_NAMES | {name} if name in LOOPBACK_NAMES else frozenset({name})


class Guard:
    """An ASGI middleware: the checks before any route, in order.

    1. ``Host`` must name the address the server is bound to (and localhost/127.0.0.1/::1 when
       that is loopback), else 421: a page whose domain was re-bound to this machine (DNS
       rebinding) gets nothing.
    2. A write (any method but GET, HEAD, OPTIONS) with ``Sec-Fetch-Site: cross-site`` or
       ``same-site``, or with an ``Origin`` that is not this server's, gets 403: another site's
       page cannot make a browser start or delete runs. Clients that send neither (curl,
       scripts) pass.
    3. A body over `MAX_BODY` bytes gets 413, counted as it streams (chunked bodies, a wrong
       ``Content-Length``), before any route reads it.
    """

    def __init__(self, app: Any, hosts: frozenset[str] | None) -> None:
        self.app, self.hosts = app, hosts

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        """Check one request, then pass it on with its body replayed."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        refusal = self._refusal(scope["method"], headers)
        if refusal is not None:
            await _send_error(send, *refusal)
            return
        if scope["method"] not in SAFE_METHODS or "transfer-encoding" in headers:
            body = b""
            more = True
            while more:
                message = await receive()
                if message["type"] != "http.request":
                    return  # the client went away
                body += message.get("body", b"")
                more = message.get("more_body", False)
                if len(body) > MAX_BODY:
                    await _send_error(send, 413, f"request body over {MAX_BODY:,} bytes")
                    return
            receive = _replay(body, receive)

        async def send_with_headers(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                extra = [(b"x-content-type-options", b"nosniff")]
                cookie = scope.get("state", {}).get("set_cookie")
                if cookie:
                    extra.append((b"set-cookie", cookie.encode("latin-1")))
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, send_with_headers)

    def _refusal(self, method: str, headers: dict[str, str]) -> tuple[int, str] | None:
        host = headers.get("host", "")
        if self.hosts is not None and _hostname(host) not in self.hosts:
            return 421, f"this server does not answer to host {host!r}"
        length = headers.get("content-length")
        if length is not None and (not length.isdigit() or int(length) > MAX_BODY):
            return 413, f"request body over {MAX_BODY:,} bytes"
        if method in SAFE_METHODS:
            return None
        site = headers.get("sec-fetch-site", "")
        if site in ("cross-site", "same-site"):
            return 403, f"writes from another site are refused (Sec-Fetch-Site: {site})"
        origin = headers.get("origin")
        if origin is not None and _origin_host(origin) != _origin_host(f"http://{host}"):
            return 403, f"writes from another origin are refused (Origin: {origin})"
        return None


def _origin_host(origin: str) -> str:
    """Return an origin's host and port, with the scheme's default port dropped."""
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(origin.strip().lower())
        port = parts.port
    except ValueError:
        return "?"
    if not parts.hostname:
        return "?"
    default = {"http": 80, "https": 443}.get(parts.scheme)
    return parts.hostname if port in (None, default) else f"{parts.hostname}:{port}"


def _replay(body: bytes, receive: Any) -> Any:
    """Return a `receive` that gives the body read once, then the client's later messages."""
    sent = False

    async def replay() -> dict[str, Any]:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        message: dict[str, Any] = await receive()
        return message

    return replay


async def _send_error(send: Any, status: int, error: str) -> None:
    response = JSONResponse(error_body(status, error), status_code=status)
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [*response.raw_headers, (b"x-content-type-options", b"nosniff")],
        }
    )
    await send({"type": "http.response.body", "body": response.body})


def create_app(
    network: Network,
    store: Store,
    token: str | None = None,
    require_token: bool | None = None,
    host: str | None = None,
) -> FastAPI:
    """Return the Corridor web app (API and pages) over one package and one run store.

    Parameters
    ----------
    network : Network
        The package served.
    store : Store
        Where runs are kept. Runs it holds as queued or running are marked ``interrupted``.
    token : str, optional
        The token every write (POST, PUT, DELETE) needs, on any address.
    require_token : bool, optional
        Whether writes need the token; default: whenever a token is given.
    host : str, optional
        The address the server is bound to: requests whose ``Host`` names another are refused
        (421). None (embedding, tests) or an any-address bind (``0.0.0.0``) checks nothing.
    """
    service = Service(network, store, token, require_token)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        service.close()

    app = FastAPIOffline(
        title="Corridor",
        version=corridor.__version__,
        description="Export routes, transit dependence and what-ifs, on sourced data.",
        lifespan=lifespan,
        favicon_url="/favicon.ico",
    )
    app.state.service = service
    _add_handlers(app)
    app.add_middleware(Guard, hosts=allowed_hosts(host))
    app.include_router(api.router)
    app.include_router(pages.router)
    return app


__all__ = [
    "HTTP_STATUS",
    "MAX_BODY",
    "ApiError",
    "Guard",
    "RunRequest",
    "Service",
    "allowed_hosts",
    "create_app",
    "error_body",
    "http_status",
]
