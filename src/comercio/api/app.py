"""The HTTP API's part of the application: its routers, OpenAPI metadata and error mapping.

:func:`install` adds ``/api/v1`` to an app built by :func:`comercio.server.create_app` (which also mounts the
dashboard; the API never imports it). Errors become JSON ``{"error", "detail"}`` with a 4xx status:
validation errors 422, inconsistent options (:class:`ConfigError`) 400, data that is not loaded
(:class:`DataNotAvailable`) 404, a query over its limits 503.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from comercio.api import check, query, reports, routes
from comercio.api.errors import public_message, scrub
from comercio.api.params import error_lang
from comercio.errors import ComercioError, ConfigError, DataNotAvailable, ReferenceDataError, WarehouseError
from comercio.i18n import t

log = logging.getLogger("comercio.api")

API_VERSION = "v1"
PREFIX = f"/api/{API_VERSION}"
DOCS_URL = f"{PREFIX}/docs"
CACHEABLE_PREFIXES = (f"{PREFIX}/indicators",)
"""API paths whose successful GET answers are deterministic (cached by the server's response cache)."""
OPENAPI: dict[str, Any] = {
    "title": "comercio API",
    "version": "1.0.0",
    "description": (
        "Peru's foreign-trade indicators from official data (BCRP, SUNAT): datasets with grain and "
        "vintages, reference tables, indicators by window, comparison, grouping and filters, and "
        "reports. "
        "Every number is a fact with its window, dataset and vintages. Money in US dollars, growth and "
        "shares as fractions."
    ),
    "openapi_url": f"{PREFIX}/openapi.json",
    "docs_url": DOCS_URL,
    "redoc_url": None,
}
STATUS = {ConfigError: 400, ReferenceDataError: 404, DataNotAvailable: 404, WarehouseError: 503}
HTTP_ERRORS = {404: "NotFound", 405: "MethodNotAllowed", 413: "PayloadTooLarge", 422: "ValidationError"}


def error_status(exc: ComercioError) -> int:
    for cls, code in STATUS.items():
        if isinstance(exc, cls):
            return code
    return 400


def install(app: FastAPI) -> None:
    """Add the ``/api/v1`` routers and the JSON error handlers to ``app``."""
    app.include_router(routes.router, prefix=PREFIX)
    app.include_router(reports.router, prefix=PREFIX)
    app.include_router(check.router, prefix=PREFIX)
    app.include_router(query.router, prefix=PREFIX)
    _install_errors(app)


def _install_errors(app: FastAPI) -> None:
    @app.exception_handler(ComercioError)
    async def comercio_error(request: Request, exc: ComercioError) -> JSONResponse:
        return JSONResponse(
            {
                "error": type(exc).__name__,
                "detail": public_message(exc, request),
                "field": exc.field,
                "hint": None if exc.hint is None else scrub(exc.hint, request),
            },
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
        name = HTTP_ERRORS.get(exc.status_code, "HTTPError")
        return JSONResponse(
            {"error": name, "detail": str(exc.detail)}, status_code=exc.status_code, headers=exc.headers
        )

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error on %s", request.url.path)
        return JSONResponse(
            {"error": "InternalError", "detail": t("api.error.unexpected", error_lang(request))},
            status_code=500,
        )
