"""The web app: the JSON API and the pages over one `Service`, and the error table.

``create_app`` wires `corridor.web.api` and `corridor.web.pages` over one `Service`, with the
body-size guard, the error → status table (`HTTP_STATUS`) and the one error shape::

    {"ok": false, "error": "what is wrong", "errors": ["each problem", ...], "status": 400}

API paths answer errors in that shape; page paths answer them as an error page.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
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


def create_app(
    network: Network, store: Store, token: str | None = None, require_token: bool = False
) -> FastAPI:
    """Return the Corridor web app (API and pages) over one package and one run store.

    Parameters
    ----------
    network : Network
        The package served.
    store : Store
        Where runs are kept.
    token : str, optional
        The token writes need when `require_token` is set.
    require_token : bool
        Whether writes (POST, DELETE) need the token (off a loopback address).
    """
    app = FastAPI(
        title="Corridor",
        version=corridor.__version__,
        description="Export routes, transit dependence and what-ifs, on sourced data.",
    )
    app.state.service = Service(network, store, token, require_token)
    _add_handlers(app)

    @app.middleware("http")
    async def _guard(request: Request, call_next: Any) -> Response:
        length = request.headers.get("content-length")
        if length is not None and (not length.isdigit() or int(length) > MAX_BODY):
            body = error_body(413, f"request body over {MAX_BODY:,} bytes")
            return JSONResponse(body, status_code=413)
        response: Response = await call_next(request)
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response

    app.include_router(api.router)
    app.include_router(pages.router)
    return app


__all__ = [
    "HTTP_STATUS",
    "MAX_BODY",
    "ApiError",
    "RunRequest",
    "Service",
    "create_app",
    "error_body",
    "http_status",
]
