"""The FastAPI application factory: routers, error mapping, security headers, CORS and the dashboard.

``create_app(settings)`` builds a fresh app holding one :class:`~comercio.api.service.IndicatorService` (a
read-only, bounded warehouse plus an LRU cache). Errors become JSON ``{"error", "detail"}`` with a 4xx status:
validation errors 422, inconsistent options (:class:`ConfigError`) 400, data that is not loaded
(:class:`DataNotAvailable`) 404, a query over its limits 503. CORS is off unless origins are given.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from comercio.api import reports, routes
from comercio.api.middleware import ResponseCache, SecurityHeaders
from comercio.api.service import IndicatorService
from comercio.config import Settings
from comercio.errors import ComercioError, ConfigError, DataNotAvailable, ReferenceDataError, WarehouseError

log = logging.getLogger("comercio.api")

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "geolocation=(), camera=(), microphone=()",
}
API_VERSION = "v1"
STATUS = {ConfigError: 400, ReferenceDataError: 404, DataNotAvailable: 404, WarehouseError: 503}


def error_status(exc: ComercioError) -> int:
    for cls, code in STATUS.items():
        if isinstance(exc, cls):
            return code
    return 400


def create_app(
    settings: Settings | None = None,
    *,
    cors_origins: Sequence[str] = (),
    cache_size: int = 256,
    dashboard: bool = True,
) -> FastAPI:
    """A new app serving ``/api/v1`` (JSON/CSV) and, unless ``dashboard=False``, the web pages."""
    settings = settings or Settings.from_env()
    app = FastAPI(
        title="comercio API",
        version="1.0.0",
        description=(
            "Peru's foreign-trade indicators from official data (BCRP, SUNAT): datasets with grain and "
            "vintages, reference tables, indicators by window, comparison, grouping and filters, and "
            "reports. "
            "Every number is a fact with its window, dataset and vintages. Money in US dollars, growth and "
            "shares as fractions."
        ),
        openapi_url=f"/api/{API_VERSION}/openapi.json",
        docs_url=f"/api/{API_VERSION}/docs",
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.service = IndicatorService(settings, cache_size=cache_size)
    app.include_router(routes.router, prefix=f"/api/{API_VERSION}")
    app.include_router(reports.router, prefix=f"/api/{API_VERSION}")
    if dashboard:
        from comercio.web import STATIC_DIR, pages

        app.include_router(pages.router)
        app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    _install_errors(app)

    app.add_middleware(ResponseCache, maxsize=512, ttl=600.0)
    app.add_middleware(SecurityHeaders, headers=SECURITY_HEADERS, skip_csp=(f"/api/{API_VERSION}/docs",))
    if cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(cors_origins),
            allow_methods=["GET", "POST"],
            allow_headers=["Content-Type"],
        )
    return app


def _install_errors(app: FastAPI) -> None:
    @app.exception_handler(ComercioError)
    async def comercio_error(request: Request, exc: ComercioError) -> JSONResponse:
        return JSONResponse(
            {"error": type(exc).__name__, "detail": exc.message, "field": exc.field, "hint": exc.hint},
            status_code=error_status(exc),
        )

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = []
        for e in exc.errors():
            where = ".".join(str(p) for p in e.get("loc", ()) if p not in ("query", "path", "body"))
            problems.append(f"{where or 'request'}: {e.get('msg', 'invalid')}")
        return JSONResponse(
            {
                "error": "ValidationError",
                "detail": "; ".join(problems),
                "problems": [
                    {"loc": [str(p) for p in e.get("loc", ())], "msg": str(e.get("msg", ""))}
                    for e in exc.errors()
                ],
            },
            status_code=422,
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        name = {404: "NotFound", 405: "MethodNotAllowed", 422: "ValidationError"}.get(
            exc.status_code, "HTTPError"
        )
        return JSONResponse(
            {"error": name, "detail": str(exc.detail)}, status_code=exc.status_code, headers=exc.headers
        )

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error on %s", request.url.path)
        return JSONResponse(
            {"error": "InternalError", "detail": "unexpected error; see the server log"}, status_code=500
        )
